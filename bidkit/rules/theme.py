"""Rules on the theme: logo, fonts, stylesheet and templates must be files inside the bid folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from bidkit.findings import FieldPath, Severity
from bidkit.models import Theme
from bidkit.images import pixel_problem, svg_problem
from bidkit.paths import MAX_RESOURCE_BYTES, BidFileError, bid_file, read_regular, resolve_inside
from bidkit.rules.annexes import missing_file_hint
from bidkit.rules.registry import RuleContext, Violation, rule

FONT_SUFFIXES = (".ttf", ".otf", ".woff", ".woff2")
IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg")
#: How each kind of file begins (TrueType, OpenType, collections, WOFF, WOFF2; PNG, JPEG).
FONT_MAGIC = (b"\x00\x01\x00\x00", b"true", b"OTTO", b"ttcf", b"wOFF", b"wOF2")
IMAGE_MAGIC = {".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",)}
MAX_TEMPLATE_FILES = 1000
SVG_HINT = ("Save the logo again as plain SVG (Inkscape: Save as › Plain SVG), with pictures embedded and without "
            "entity declarations, or use a PNG.")


def content_problem(path: Path, suffix: str, root: Path | None = None) -> str | None:
    """Why a logo or font file is not what its name says (or an SVG logo cannot be drawn), or
    None when it is; ``root`` is the bid folder, where an SVG's references must stay."""
    with path.open("rb") as stream:
        head = stream.read(4096)
    if suffix in FONT_SUFFIXES:
        return None if head.startswith(FONT_MAGIC) else "is not a font file (TrueType, OpenType or WOFF)"
    if suffix == ".svg":
        if b"<svg" not in head and b"<!ENTITY" not in head:
            return "is not an SVG image (no <svg element at its start)"
        try:
            return svg_problem(read_regular(path, max_bytes=MAX_RESOURCE_BYTES), path, root)
        except BidFileError as exc:
            return exc.message
    if suffix in IMAGE_MAGIC:
        if not head.startswith(IMAGE_MAGIC[suffix]):
            return f"is not a {suffix[1:].upper()} image"
        try:
            return pixel_problem(read_regular(path, max_bytes=MAX_RESOURCE_BYTES))
        except BidFileError as exc:
            return exc.message
    return None


def template_problems(bid_dir: Path, folder: Path) -> Iterator[str]:
    """Entries of the theme's template folder that the renderer would refuse to read."""
    root = bid_dir.resolve()
    for count, (current, folders, files) in enumerate(os.walk(folder)):  # does not follow links to folders
        if count > MAX_TEMPLATE_FILES:
            return
        for name in [*folders, *files]:
            relative = (Path(current) / name).relative_to(root)
            try:
                resolve_inside(root, relative, folder=name in folders)
            except BidFileError as exc:
                if exc.reason != "missing":
                    yield exc.message


def theme_files(theme: Theme) -> Iterator[tuple[FieldPath, str, bool, tuple[str, ...] | None]]:
    """(field path, file, is a folder, allowed suffixes or None) of every file the theme names."""
    if theme.logo:
        yield ("theme", "logo"), theme.logo, False, IMAGE_SUFFIXES
    for index, font in enumerate(theme.fonts):
        yield ("theme", "fonts", index, "file"), font.file, False, FONT_SUFFIXES
    if theme.stylesheet:
        yield ("theme", "stylesheet"), theme.stylesheet, False, None
    if theme.templates:
        yield ("theme", "templates"), theme.templates, True, None


@rule(
    "THM001", Severity.ERROR, "Theme file missing or outside the bid folder",
    hint="Put the file into the bid folder and give its path relative to the folder.",
    explanation="""
A theme changes the look of the PDF with files of the city: a logo, fonts, extra CSS and
templates that replace bidkit's of the same name. The renderer reads only files inside the bid
folder, so each of them must be there as a regular file (not a link leading out of the folder,
not a FIFO or device); fonts must be TrueType/OpenType/WOFF files and the logo an SVG, PNG or
JPEG image — by their content, not only their name — and a raster logo at most 50 megapixels
(a picture of a few kilobytes can take gigabytes to decode). An SVG logo the build cannot draw
— one that declares XML entities (which can pull in files of the machine or swell to gigabytes),
is not well-formed, or refers to files outside the bid folder or on the network — is reported
here too: the build would print the logo's text alternative instead, without a word.
""",
    reads=("theme",),
)
def theme_file_missing(ctx: RuleContext) -> Iterator[Violation]:
    if not ctx.bid.theme:
        return
    for field, file, folder, suffixes in theme_files(ctx.bid.theme):
        try:
            path = bid_file(ctx.bid_dir, file, folder=folder)
        except BidFileError as exc:
            hint = missing_file_hint(ctx.bid_dir, file) if exc.reason == "missing" and not folder else None
            yield Violation(field, f"theme: {exc}", hint)
            continue
        suffix = path.suffix.lower() if not folder else ""
        if suffixes and not file.lower().endswith(suffixes):
            yield Violation(field, f"theme: '{file}' is not one of {', '.join(suffixes)}")
        elif suffixes and (problem := content_problem(path, suffix, ctx.bid_dir.resolve())):
            hint = SVG_HINT if suffix == ".svg" and "SVG" not in problem else "Export the file again in the format its name says."
            yield Violation(field, f"theme: '{file}' {problem}", hint)
        if folder:
            for problem in template_problems(ctx.bid_dir, path):
                yield Violation(field, f"theme template {problem}", "Put the template itself into the folder, not a link to elsewhere.")


@rule(
    "THM002", Severity.WARNING, "Logo without a text alternative",
    hint="Add `logo_alt:`, e.g. 'Wappen der Stadt Musterstadt'.",
    explanation="""
Accessible PDFs (PDF/UA, BITV 2.0) need a text alternative for every image that carries
meaning; screen readers read it instead of the image.
""",
    reads=("theme",),
)
def logo_alt(ctx: RuleContext) -> Iterator[Violation]:
    theme = ctx.bid.theme
    if theme and theme.logo and not theme.logo_alt:
        yield Violation(("theme", "logo"), "the logo has no text alternative (`logo_alt`)")
