"""HTML → PDF with WeasyPrint 70, through the sandboxed fetcher. The only WeasyPrint import."""

from __future__ import annotations

import logging
from pathlib import Path

import weasyprint

from bidkit.errors import RenderError
from bidkit.render.fetcher import SandboxedFetcher

logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def write_pdf(html: str, *, base: Path, allowed_roots: list[Path]) -> tuple[bytes, int, list[str]]:
    """Render ``html`` (relative URLs resolve against ``base``); return bytes, page count, refused URLs."""
    fetcher = SandboxedFetcher(allowed_roots)
    try:
        document = weasyprint.HTML(string=html, base_url=base.resolve().as_uri() + "/", url_fetcher=fetcher).render()
        data = document.write_pdf()
    except Exception as exc:
        raise RenderError(f"WeasyPrint could not render the document: {exc}", "Run with --html FILE to inspect the HTML.") from exc
    return data, len(document.pages), fetcher.refused
