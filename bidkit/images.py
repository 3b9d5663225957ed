"""Images a bid brings (a logo, pictures named by a theme's CSS or templates, ``data:`` URLs),
and its fonts (``font_problem``: a damaged font file is drawn with another font, silently).

Raster images: their size in pixels is read from the file's header, before anything decodes
them. A PNG of a few kilobytes can hold a 30,000 × 30,000 picture that takes gigabytes to
decode; a picture larger than ``MAX_PIXELS`` is refused instead. 50 megapixels is more than an
A4 page scanned at 600 dpi (35 megapixels).

SVG images: WeasyPrint parses them with ElementTree and, where that fails, prints the alt text
instead, silently. ``svg_problem`` tells beforehand what it would not draw: entity declarations
(an entity can pull in a file of the machine or swell to gigabytes: refused before parsing),
XML that does not parse, and references to files outside the bid folder or on the network, and
what would take the build hours (``<use>`` that multiplies into millions of elements, megabytes
of text) or what WeasyPrint leaves out (``<foreignObject>``); SVG images written into the image
(``data:``) are looked into too. The build's fetcher asks the same of every SVG it loads.
"""

from __future__ import annotations

import io
import os
import re
import warnings
from pathlib import Path
from urllib.parse import unquote

from bidkit.paths import MAX_RESOURCE_BYTES, BidFileError, read_regular, resolve_inside

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


def picture_problem(data: bytes, path: Path | None = None, root: Path | None = None) -> str | None:
    """Why the build must not hand this fetched file to WeasyPrint's image loader, or None: a
    raster picture too large to decode, an SVG image (what starts with ``<`` and holds ``<svg``;
    WeasyPrint tries SVG for whatever Pillow cannot open) it cannot draw in bounded time — with
    ``path`` (its file) and ``root`` (the folder it lies in) the SVG files it draws counted too,
    so that two that draw each other are refused. Its references are the fetcher's to judge,
    one by one."""
    if _xml_like(data):
        return svg_problem(data, path, root, references=False, drawn_only=True)
    return pixel_problem(data)


def _xml_like(data: bytes) -> bool:
    """Whether WeasyPrint may take ``data`` for an SVG image: text that starts with ``<`` (after a
    byte order mark and white space), in UTF-8 or UTF-16."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    return data.removeprefix(b"\xef\xbb\xbf").lstrip()[:1] == b"<"


def rgb_picture(data: bytes) -> tuple[bytes, str] | None:
    """A raster picture in CMYK (or YCCK: a printer's JPEG) in RGB, and its content type — a JPEG
    stays a JPEG, anything else becomes a PNG — or None for any other data: the document's output
    intent is sRGB, and PDF/A forbids uncalibrated DeviceCMYK. The picture's ICC profile converts it
    where it has one; its EXIF orientation is applied (the RGB copy carries none). Call after
    ``pixel_problem``."""
    from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.mode != "CMYK":
                return None
            kind, profile = image.format, image.info.get("icc_profile")
            image = ImageOps.exif_transpose(image)
            rgb = None
            if profile:
                try:
                    rgb = ImageCms.profileToProfile(image, ImageCms.ImageCmsProfile(io.BytesIO(profile)),
                                                    ImageCms.createProfile("sRGB"), outputMode="RGB")
                except (ImageCms.PyCMSError, OSError, ValueError):
                    rgb = None
            rgb = rgb or image.convert("RGB")
            out = io.BytesIO()
            if kind == "JPEG":
                rgb.save(out, "JPEG", quality=95)
                return out.getvalue(), "image/jpeg"
            rgb.save(out, "PNG")
            return out.getvalue(), "image/png"
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None


#: Where an SVG refers to another file: links (``href``, ``xlink:href``), ``url(…)`` in
#: attributes and stylesheets, and ``@import "…"``.
_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""")


#: The most elements an SVG image may draw, each ``<use>`` counted as the copy it draws: a logo
#: has hundreds; 8 nested levels of 10 ``<use>`` would draw 10⁸ and take WeasyPrint hours.
MAX_SVG_DRAWN = 20_000
#: The most characters of text an SVG image may hold (a logo has a few words).
MAX_SVG_TEXT = 20_000
_SVG_DATA = re.compile(r"data:image/svg\+xml(;[^,]*)?,", re.IGNORECASE)


def svg_problem(data: bytes, path: Path | None = None, root: Path | None = None, *,
                references: bool = True, drawn_only: bool = False) -> str | None:
    """Why the build cannot draw this SVG image (fully, or in bounded time), or None; ``path`` (the
    image's file) and ``root`` (the bid folder) tell where relative references lead. Without
    ``references`` (the build's fetcher, which refuses each reference itself), only what the
    image is: its parse, its cost and what WeasyPrint does not draw."""
    drawing = _Drawing(root.resolve() if root is not None else None)
    try:
        tree = drawing.parse(data)
        drawing.cost(tree, path)
    except _NoSvg as exc:
        return None if drawn_only else str(exc)  # ``drawn_only``: what is no SVG, WeasyPrint does not draw either
    except _Undrawable as exc:
        return str(exc)
    if not references:
        return None
    outside = [ref for ref in _references(tree) if _leaves_the_folder(ref, path, root)]
    outside += [ref for inner in drawing.written for ref in _references(inner) if _leaves_the_folder(ref, None, None)]
    if outside:
        shown = ", ".join(f"'{ref[:60]}'" for ref in dict.fromkeys(outside))
        return f"refers to files outside the bid folder or on the network ({shown}), which the build does not draw"
    return None


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def _href(element) -> str:
    """The address an element draws, as WeasyPrint 70 reads it (``xlink:href`` before ``href``)."""
    return element.get("{http://www.w3.org/1999/xlink}href", element.get("href", "")).strip()


def _references(tree) -> list[str]:
    found = []
    for element in tree.iter():
        for name, value in element.attrib.items():
            if _local(name) == "href":
                found.append(value)
            found += [url or imported for url, imported in _URL.findall(value)]
        if _local(element.tag) == "style" and element.text:
            found += [url or imported for url, imported in _URL.findall(element.text)]
    return [reference.strip() for reference in found]


class _Undrawable(Exception):
    pass


class _NoSvg(_Undrawable):
    """What does not parse as XML or is no SVG image."""


#: Attributes (and style properties) that paint with another element of the image, drawn wherever used.
_PAINTING = re.compile(r"url\(\s*['\"]?#([^'\")\s]+)")
#: Markers are drawn at each vertex of a path, line or polygon.
_MARKERS = ("marker-start", "marker-mid", "marker-end", "marker")


class _Drawing:
    """What an SVG image costs to draw: each element once, each ``<use>`` as the copy it draws,
    each ``<image>`` of an SVG (a file of the bid folder or ``data:``) as that image — WeasyPrint
    draws them again wherever they are used. More than MAX_SVG_DRAWN elements, more than
    MAX_SVG_TEXT characters of text, an image or ``<use>`` that (in the end) draws itself, a
    ``<foreignObject>`` (which WeasyPrint leaves out) and what does not parse are refused."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.drawn: dict[object, int] = {}  # element or image file -> elements it draws; -1 while counted
        self.text = 0
        self.written: list = []  # the SVG images written into it (data:)

    def parse(self, data: bytes):
        from xml.etree import ElementTree

        if re.search(rb"<!ENTITY", data):  # never handed to a parser: it would expand them
            raise _Undrawable("declares XML entities (<!ENTITY …>), which bidkit does not expand")
        try:
            tree = ElementTree.fromstring(data)  # the parser WeasyPrint draws it with
        except ElementTree.ParseError as exc:
            raise _NoSvg(f"is not well-formed XML ({exc}) and cannot be drawn") from None
        if _local(tree.tag) != "svg":
            raise _NoSvg("is not an SVG image (its root element is not <svg>)")
        if re.search(rb"device-cmyk\s*\(", data, re.IGNORECASE):
            raise _Undrawable("paints in device-cmyk() colours, which PDF/A forbids (the document's colours are sRGB); "
                              "export it with RGB colours")
        for element in tree.iter():
            if _local(element.tag) == "foreignObject":
                raise _Undrawable("holds a <foreignObject>, which WeasyPrint does not draw (the logo would be left out)")
            self.text += len(element.text or "") + len(element.tail or "")
            if self.text > MAX_SVG_TEXT:
                raise _Undrawable(f"holds more than {MAX_SVG_TEXT:_} characters of text, more than a logo "
                                  f"needs".replace("_", "."))
        return tree

    def cost(self, tree, path: Path | None) -> int:
        by_id: dict[str, object] = {}
        for element in tree.iter():
            if (identifier := element.get("id")) is not None:
                by_id.setdefault(identifier, element)
        try:
            return self._count(tree, by_id, path)
        except RecursionError:
            raise _Undrawable("nests its elements or images hundreds deep, more than bidkit draws in a logo") from None

    def _count(self, element, by_id, path: Path | None) -> int:
        total = self._known(element)
        if total is not None:
            return total
        total = 1 + sum(self._count(child, by_id, path) for child in element)
        kind, target = _local(element.tag), _href(element)
        file, _, fragment = target.partition("#")
        if kind == "use" and fragment and (not file or self._same(file, path)):
            used = by_id.get(fragment)
            total += self._count(used, by_id, path) if used is not None else 0
        elif kind in ("image", "use") and target:
            total += self._image(target, path)
        for prop, identifier in _painted_with(element):  # a pattern, mask, clip path, filter or marker: drawn where used
            if (used := by_id.get(identifier)) is not None:
                total += (_vertices(element) if prop in _MARKERS else 1) * self._count(used, by_id, path)
                if total > MAX_SVG_DRAWN:
                    break
        return self._counted(element, total)

    def _same(self, file: str, path: Path | None) -> bool:
        """Whether ``file`` (a <use>'s address without its fragment) is the image's own file."""
        return path is not None and (target := self._file(file, path)) is not None and target == path.resolve()

    def _file(self, target: str, path: Path) -> Path | None:
        """The file a relative, absolute or ``file:`` address names, as the fetcher reads it."""
        from urllib.parse import urlsplit

        target = target.split("#")[0].split("?")[0]
        if target.lower().startswith("file:"):
            target = unquote(urlsplit(target).path)
        elif re.match(r"[A-Za-z][A-Za-z0-9+.-]*:|//", target):
            return None  # another scheme: refused by the fetcher
        else:
            target = unquote(target)
        return Path(os.path.normpath(path.parent / target)).resolve()

    def _image(self, target: str, path: Path | None) -> int:
        """What an ``<image>`` draws: an SVG written into it (data:) or an SVG file of the bid
        folder is drawn whole; anything else (a raster picture, a refused file) counts once."""
        if _SVG_DATA.match(target):
            data = data_url(target)
            if data is None:
                return 0
            self.written.append(inner := self.parse(data))
            return self.cost(inner, None)
        if self.root is None or path is None or (named := self._file(target, path)) is None:
            return 0
        try:  # the one resolver for files a bid names
            file = resolve_inside(self.root, os.path.relpath(named, self.root), max_bytes=MAX_RESOURCE_BYTES)
            data = read_regular(file, max_bytes=MAX_RESOURCE_BYTES)
        except (BidFileError, ValueError):
            return 0  # the reference is named as leaving the folder, or the build leaves it out
        if not _xml_like(data):
            return 0
        total = self._known(file)
        if total is None:
            try:
                total = self._counted(file, self.cost(self.parse(data), file))
            except _NoSvg:
                total = self._counted(file, 0)  # no SVG: WeasyPrint draws nothing of it
        return total

    def _known(self, key) -> int | None:
        known = self.drawn.get(key)
        if known == -1:
            raise _Undrawable("draws itself: a <use> or <image> that (through others) uses itself cannot be drawn")
        if known is None:
            self.drawn[key] = -1
        return known

    def _counted(self, key, total: int) -> int:
        if total > MAX_SVG_DRAWN:
            raise _Undrawable(f"draws more than {MAX_SVG_DRAWN:_} elements (counting each <use> and each SVG image as "
                              f"the copy it draws), more than bidkit draws in a logo".replace("_", "."))
        self.drawn[key] = total
        return total


def _painted_with(element) -> list[tuple[str, str]]:
    """(property, id) of each element of the image this one paints with: ``fill="url(#p)"``,
    ``mask``, ``clip-path``, ``filter``, markers — as attributes or in its ``style``."""
    found = []
    for name, value in element.attrib.items():
        if "url(" not in value:
            continue
        if _local(name) == "style":
            for declaration in value.split(";"):
                prop, _, text = declaration.partition(":")
                found += [(prop.strip().lower(), identifier) for identifier in _PAINTING.findall(text)]
        else:
            found += [(_local(name), identifier) for identifier in _PAINTING.findall(value)]
    return found


def _vertices(element) -> int:
    """About how many vertices a path, line or polygon has (each marker is drawn at each): its numbers, halved."""
    numbers = sum(len(re.findall(r"-?\d*\.?\d+", element.get(name, ""))) for name in ("d", "points"))
    return max(2, numbers // 2)


def data_url(url: str) -> bytes | None:
    """The bytes a ``data:`` address holds (base64 or percent-encoded), or None if unreadable."""
    import base64
    import binascii
    from urllib.parse import unquote_to_bytes

    header, _, payload = url.partition(",")
    try:
        if header.lower().endswith(";base64"):
            return base64.b64decode(payload, validate=False)
        return unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
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


#: The tables a font is drawn with; one that cannot be read leaves WeasyPrint without the font.
_FONT_TABLES = ("head", "hhea", "maxp", "cmap", "name", "OS/2", "post")


#: Time and memory (beyond 16 times the file's size) a font may take to read: a WOFF2 of a few
#: kilobytes can inflate to gigabytes before fontTools compares sizes.
FONT_SECONDS, FONT_MEMORY = 20, 256_000_000


def font_problem(path: Path) -> str | None:
    """Why a font file cannot be drawn with, or None: a file cut short (a sync that stopped
    midway), damaged compression (WOFF, WOFF2) or tables that do not read — WeasyPrint then draws
    with another font without a word. Read with fontTools, which WeasyPrint subsets fonts with, in
    a child process bounded in time and memory (bidkit.limits.in_child)."""
    from bidkit.limits import ChildFailed, in_child

    try:
        size = path.stat().st_size
        return in_child(_font_problem, path, seconds=FONT_SECONDS, memory=FONT_MEMORY + 16 * size)
    except ChildFailed as exc:
        return f"is a font bidkit could not read within its bounds ({exc}): a damaged or swollen file"
    except (MemoryError, OSError) as exc:
        return f"is a font bidkit could not read ({type(exc).__name__})"


def _font_problem(path: Path) -> str | None:
    from textwrap import shorten

    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(path, lazy=True, fontNumber=0) as font:
            tags = list(font.reader.keys())
            for tag in tags:
                font.reader[tag]  # raw table data: a table past the file's end does not read
            if "glyf" not in tags and "CFF " not in tags and "CFF2" not in tags:
                return "is a damaged font file: it has no glyph outlines (glyf or CFF table)"
            for tag in _FONT_TABLES:
                if tag in tags:
                    font[tag]
                elif tag in ("head", "maxp", "cmap"):
                    return f"is a damaged font file: it has no '{tag}' table"
    except (TTLibError, AssertionError, EOFError, OSError, ValueError, KeyError, IndexError, TypeError, ImportError) as exc:
        return f"is a damaged font file ({type(exc).__name__}: {shorten(str(exc), 90) or 'cannot be read'})"
    except Exception as exc:  # noqa: BLE001 — fontTools raises whatever a broken table makes its parser raise
        return f"is a damaged font file ({type(exc).__name__})"
    return None
