"""What the rendered document depends on, as one fingerprint.

The HTML of the document (bidkit's templates and a theme's, the bid's values, the draft's open
points and stamp) plus name, size and modification time of the other files the build reads
(annexes, logo, fonts, stylesheet, a call file) and of the files in a theme's template folder. A save that changes none
of these — a comment, a blank line, a reordered key — needs no new rendering.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable

from bidkit.annexes import annexes
from bidkit.findings import Finding
from bidkit.loader import LoadedBid
from bidkit.render.build import bid_inputs, document_html
from bidkit.paths import templates_dir


def fingerprint(loaded: LoadedBid, findings: Iterable[Finding], *, draft: bool) -> str:
    """A hash that changes when the document rendered from ``loaded`` would change.

    Raises ``RenderError`` when the templates fail (the render would fail the same way).
    """
    digest = hashlib.sha256()
    html = document_html(loaded, draft=draft, annex_list=[], findings=findings)
    digest.update(html.encode("utf-8"))
    digest.update(repr(annexes(loaded.bid)).encode("utf-8"))  # the list of annexes, left out of the HTML above
    files, folders = bid_inputs(loaded)
    sections = {document.path.resolve() for document in loaded.sources.sections.values()}
    theme_files = [os.path.join(root, name)
                   for folder in folders if folder != templates_dir().resolve()
                   for root, _, names in os.walk(folder) for name in names]
    for path in sorted(map(str, files - sections)) + sorted(theme_files):
        digest.update(_stamp(path))
    return digest.hexdigest()


def _stamp(path: str) -> bytes:
    """Name, size and modification time: a scanned annex of 100 MB is not read on every save."""
    try:
        info = os.stat(path)
    except OSError:
        return f"{path}:missing".encode("utf-8", "surrogateescape")
    return f"{path}:{info.st_size}:{info.st_mtime_ns}".encode("utf-8", "surrogateescape")
