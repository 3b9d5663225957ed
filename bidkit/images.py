"""Images a bid brings (a logo, pictures named by a theme's CSS or templates, ``data:`` URLs).

Raster images: their size in pixels is read from the file's header, before anything decodes
them. A PNG of a few kilobytes can hold a 30,000 × 30,000 picture that takes gigabytes to
decode; a picture larger than ``MAX_PIXELS`` is refused instead. 50 megapixels is more than an
A4 page scanned at 600 dpi (35 megapixels).

SVG images: WeasyPrint parses them with ElementTree and, where that fails, prints the alt text
instead, silently. ``svg_problem`` tells beforehand what it would not draw: entity declarations
(an entity can pull in a file of the machine or swell to gigabytes: refused before parsing),
XML that does not parse, and references to files outside the bid folder or on the network.
"""

from __future__ import annotations

import io
import os
import re
import warnings
from pathlib import Path
from urllib.parse import unquote

from bidkit.paths import BidFileError, resolve_inside

MAX_PIXELS = 50_000_000


def pixel_problem(data: bytes) -> str | None:
    """Why this raster image is too large to decode, or None (also for what is no raster image:
    SVG, fonts, stylesheets)."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:  # reads the header, decodes nothing
                width, height = image.size
    except Image.DecompressionBombError:  # Pillow's own, higher limit
        return f"is a picture of far more than {MAX_PIXELS // 1_000_000} megapixels, the most bidkit decodes"
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None  # not a raster image Pillow knows; the reader that uses it reports a broken one
    if width * height > MAX_PIXELS:
        return (f"is a picture of {width:,} × {height:,} pixels; bidkit decodes at most "
                f"{MAX_PIXELS // 1_000_000} megapixels").replace(",", ".")
    return None


#: Where an SVG refers to another file: links (``href``, ``xlink:href``), ``url(…)`` in
#: attributes and stylesheets, and ``@import "…"``.
_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")


def svg_problem(data: bytes, path: Path | None = None, root: Path | None = None) -> str | None:
    """Why the build cannot draw this SVG image (fully), or None; ``path`` (the image's file)
    and ``root`` (the bid folder) tell where relative references lead."""
    from xml.etree import ElementTree

    if re.search(rb"<!ENTITY", data):  # never handed to a parser: it would expand them
        return "declares XML entities (<!ENTITY …>), which bidkit does not expand"
    try:
        tree = ElementTree.fromstring(data)  # the parser WeasyPrint draws it with
    except ElementTree.ParseError as exc:
        return f"is not well-formed XML ({exc}) and cannot be drawn"
    if tree.tag.rpartition("}")[2] != "svg":
        return "is not an SVG image (its root element is not <svg>)"
    references = []
    for element in tree.iter():
        for name, value in element.attrib.items():
            if name.rpartition("}")[2] == "href":
                references.append(value)
            references += [url or imported for url, imported in _URL.findall(value)]
        if element.tag.rpartition("}")[2] == "style" and element.text:
            references += [url or imported for url, imported in _URL.findall(element.text)]
    outside = [ref.strip() for ref in references if _leaves_the_folder(ref.strip(), path, root)]
    if outside:
        shown = ", ".join(f"'{ref[:60]}'" for ref in dict.fromkeys(outside))
        return f"refers to files outside the bid folder or on the network ({shown}), which the build does not draw"
    return None


def _leaves_the_folder(reference: str, path: Path | None, root: Path | None) -> bool:
    """A reference the build's fetcher refuses: with a scheme (file:, http:, …; not data:),
    absolute, or (where ``path`` and ``root`` are known) leading out of the bid folder."""
    if not reference or reference.startswith("#") or reference.lower().startswith("data:"):
        return False
    if re.match(r"[A-Za-z][A-Za-z0-9+.-]*:|[/\\]", reference):
        return True
    if path is None or root is None:
        return False
    target = path.parent / unquote(reference.split("#")[0].split("?")[0])
    try:  # the one resolver for files a bid names (a link leading out counts, as for the fetcher)
        resolve_inside(root, os.path.relpath(target, root.resolve()))
    except BidFileError as exc:
        return exc.reason == "outside"
    return False
