"""Rules on the theme: logo, fonts, stylesheet and templates must be files inside the bid folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from bidkit.findings import FieldPath, Severity
from bidkit.models import Theme
from bidkit.images import font_problem, pixel_problem, svg_problem
from bidkit.paths import MAX_RESOURCE_BYTES, BidFileError, bid_file, read_regular, resolve_inside
from bidkit.rules.annexes import missing_file_hint
from bidkit.rules.registry import RuleContext, Violation, rule

FONT_SUFFIXES = (".ttf", ".otf", ".woff", ".woff2")
IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg")
#: How each kind of file begins (TrueType, OpenType, collections, WOFF, WOFF2; PNG, JPEG).
FONT_MAGIC = (b"\x00\x01\x00\x00", b"true", b"OTTO", b"ttcf", b"wOFF", b"wOF2")
IMAGE_MAGIC = {".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",)}
MAX_TEMPLATE_FILES = 1000
SIZE_HINT = "Save the file smaller (fonts: only the styles used; pictures: fewer pixels or stronger compression)."
SVG_HINT = ("Save the logo again as plain SVG (Inkscape: Save as › Plain SVG), with pictures embedded and without "
            "entity declarations, or use a PNG.")


def content_problem(path: Path, suffix: str, root: Path | None = None) -> str | None:
    """Why a logo or font file is not what its name says (or an SVG logo cannot be drawn), or
    None when it is; ``root`` is the bid folder, where an SVG's references must stay."""
    with path.open("rb") as stream:
        head = stream.read(4096)
    if suffix in FONT_SUFFIXES:
        return font_problem(path) if head.startswith(FONT_MAGIC) else "is not a font file (TrueType, OpenType or WOFF)"
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
    """Entries of the theme's template folder that the renderer would refuse to read: links
    leading out of that folder (to the register, to bid.yaml: the renderer reads nothing else), FIFOs and devices, files over MAX_TEMPLATE_BYTES, and folders where a template
    would be looked up (a name ending in .j2)."""
    from bidkit.limits import MAX_TEMPLATE_BYTES  # with pickle, signal and threading: only for a theme's templates

    root, folder = bid_dir.resolve(), folder.resolve()
    place = f"the theme's templates folder '{folder.relative_to(root).as_posix()}'"
    for count, (current, folders, files) in enumerate(os.walk(folder)):  # does not follow links to folders
        if count > MAX_TEMPLATE_FILES:
            return
        for name in [*folders, *files]:
            relative = (Path(current) / name).relative_to(folder)  # the renderer reads inside this folder only
            is_folder = name in folders and not name.endswith(".j2")
            try:
                resolve_inside(root, folder.relative_to(root) / relative, folder=is_folder)  # out of the bid folder?
                resolve_inside(folder, relative, folder=is_folder, max_bytes=None if is_folder else MAX_TEMPLATE_BYTES,
                               place=place)
            except BidFileError as exc:
                if exc.reason == "too_large":
                    shown = (folder.relative_to(root) / relative).as_posix()  # as the bid folder names it, like every message
                    yield f"'{shown}' is larger than {MAX_TEMPLATE_BYTES // 1_000_000} MB, the most a template may have"
                elif exc.reason != "missing":
                    yield exc.message


def named_data_files(ctx: RuleContext) -> frozenset[Path]:
    """The data files the bid names (register, scans, annexes), resolved; those it cannot resolve are left out."""
    from bidkit.annexes import annexes

    names = [annex.file for annex in annexes(ctx.bid)]
    if ctx.bid.supporters:
        names.append(ctx.bid.supporters.file)
    found = set()
    for name in names:
        try:
            found.add(resolve_inside(ctx.bid_dir, name))
        except BidFileError:
            pass
    return frozenset(found)


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
folder — a theme's templates only `*.j2` files inside the theme's templates folder, which may be
neither the bid folder itself nor hold the bid's data (YAML, the supporters' register, annexes):
a template could print the private supporters the public variant leaves out — so each of them must be there as a regular file (not a link leading out of the folder,
not a FIFO or device), a logo, font or stylesheet at most 64 MB and a template at most 1 MB
(the build reads no larger one); fonts must be TrueType/OpenType/WOFF files and the logo an SVG, PNG or
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
            path = bid_file(ctx.bid_dir, file, folder=folder, max_bytes=None if folder else MAX_RESOURCE_BYTES)
        except BidFileError as exc:
            hint = missing_file_hint(ctx.bid_dir, file) if exc.reason == "missing" and not folder else None
            if exc.reason == "too_large":
                exc, hint = f"{exc}, the most the build reads of a logo, font or stylesheet", SIZE_HINT
            yield Violation(field, f"theme: {exc}", hint)
            continue
        suffix = path.suffix.lower() if not folder else ""
        if suffixes and not file.lower().endswith(suffixes):
            yield Violation(field, f"theme: '{file}' is not one of {', '.join(suffixes)}")
        elif suffixes and (problem := content_problem(path, suffix, ctx.bid_dir.resolve())):
            hint = SVG_HINT if suffix == ".svg" and "SVG" not in problem else "Export the file again in the format its name says."
            yield Violation(field, f"theme: '{file}' {problem}", hint)
        if folder:
            from bidkit.render.theme import templates_folder_problem  # markupsafe: only for a theme's templates

            if problem := templates_folder_problem(ctx.bid_dir, path, named_data_files(ctx)):
                yield Violation(field, f"theme: {problem}", "Move the theme's templates into a folder of their own, "
                                "e.g. 'theme/templates', and name it in `theme.templates`.")
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


def _stylesheet_findings(ctx: RuleContext, kind: str) -> Iterator[Violation]:
    from bidkit.findings import Location
    from bidkit.themecss import check_stylesheet

    theme = ctx.bid.theme
    if kind == "text" and theme:
        from bidkit.themecss import MIN_CONTRAST, TEXT_FONTS, contrast_with_page

        if theme.font_family and not theme.fonts and theme.font_family.strip().lower() not in TEXT_FONTS:
            yield Violation(("theme", "font_family"), f"font family '{theme.font_family}' is a font of the machine, not "
                            f"of the theme: a symbol font draws other glyphs for the digits",
                            "Give the font's files in `fonts:`, or name a common text font (e.g. DejaVu Sans, "
                            "Liberation Serif).")

        if (ratio := contrast_with_page(theme.primary_color)) < MIN_CONTRAST:
            yield Violation(("theme", "primary_color"), f"primary colour {theme.primary_color} on the white page: contrast "
                            f"{ratio:.1f}, at least {MIN_CONTRAST:g} needed: the headings and the year columns of the "
                            f"tables are printed in it", "Choose a darker colour (e.g. #003a70).")
    if not theme or not theme.stylesheet:
        return
    try:
        bid_file(ctx.bid_dir, theme.stylesheet, max_bytes=MAX_RESOURCE_BYTES)
    except BidFileError:
        return  # THM001
    colours = (("--primary", theme.primary_color), ("--accent", theme.accent_color))
    for finding in check_stylesheet(ctx.bid_dir, theme.stylesheet, colours, theme.font_family):
        if finding.kind == kind:
            yield Violation(("theme", "stylesheet"), finding.message,
                            location=Location(finding.file, finding.line, finding.column))


@rule(
    "THM003", Severity.ERROR, "Stylesheet names a file the build will not read",
    hint="Put the file into the bid folder as a regular file and name it relative to the stylesheet; "
         "no network addresses.",
    explanation="""
A theme's stylesheet may use pictures, fonts and other stylesheets (`url(…)`, `@import`,
`@font-face { src: url(…) }`) from the bid folder only, as regular files of at most 64 MB. The
build refuses anything else — a file outside the folder, a link leading out, a FIFO, a folder, a
missing file, an `http:` address — and the document would be drawn without it. `check` finds
each such reference in the stylesheet (and in what it imports) and names it at its line with the
reason, so that the final build cannot pass with a picture or font silently left out.
""",
    reads=("theme",),
)
def stylesheet_reference(ctx: RuleContext) -> Iterator[Violation]:
    yield from _stylesheet_findings(ctx, "reference")


@rule(
    "THM004", Severity.ERROR, "Stylesheet changes what the document says",
    hint="A theme may set colours readable on every background, fonts, sizes of at least 5 pt, spacing, "
         "margins, padding and borders within bounds; remove or change the declaration (README, Theme).",
    explanation="""
A theme changes how the document looks, never what it says: the figures and texts the jury reads
are those of the bid. CSS can print text of its own (`content: "35,0 %"` beside a hidden real
figure), hide text (white on white, a colour of its background, `display: none`, `opacity`),
shrink it, move it out of sight (margins, padding, `vertical-align`, `transform`), cover it
(`outline`, borders, `position`), reorder it or change the page format (`@page { size }`, which
can take the build hours). So a theme's stylesheet may set only what cannot change what the page
says, and each value within bounds; everything else is refused at its line:

- colours of text and backgrounds given as names, `#rrggbb`, `rgb()`, `hsl()` or
  `var(--primary)`/`var(--accent)`, opaque; every text colour (the theme's, bidkit's and
  `primary_color`) must have a contrast of at least 3 with every background (the white page,
  bidkit's and the theme's), since the stylesheet alone does not tell which one lies behind
  which text: light text on a dark box is not allowed; no pictures behind text;
- font families of the theme (`theme.fonts`, `@font-face`) or common text fonts (a symbol font
  draws other glyphs for the digits; `@font-face` from files only, not `local()`); font sizes
  from 5.6 pt to 36 pt or relative sizes of 1–3 em (so that nested sizes stay at 5 pt or more);
  line heights 1–3; letter spacing 0–0.2 em,
  word spacing 0–0.5 em; text indent 0–10 mm; alignment, underline, case, hyphenation; and
  together, since text inherits them from different rules: the largest font size, line height,
  letter and word spacing of the stylesheet (headings h1–h6 apart) may give a line of text at
  most 36 pt high, widened by the spacing (size × (1 + letter spacing / 0.55 em + word spacing /
  3.3 em) × line height; bidkit's is 14.5 pt) — `html { font-size: 36pt; line-height: 3 }` makes
  grids and table rows, which are never split, taller than a page, and the build cannot lay them out;
- margins 0–25 mm, padding 0–5 mm, borders up to 6 pt, list marker styles, `auto`/`avoid`
  page breaks (a forced break can put every paragraph on a page of its own);
- `@page` only with `size: A4`, margins of 10–35 mm and its margin boxes, whose `content` may
  hold `counter(page)`, `counter(pages)`, `string()` and text without digits.

Anything else — `content` outside the margin boxes, `display`, `visibility`, `opacity`,
`position`, `transform`, `outline`, `filter`, `clip-path`, `z-index`, `direction`, counters,
`calc()`, custom properties, `@counter-style` and other at-rules, and any declaration marked
`!important` (which would override the type bidkit keeps for the money tables, whose columns are
sized to their amounts) — is THM004. A stylesheet over
8 MB is refused as too large to check. `primary_color` with too little contrast to the page is
THM004 at `theme.primary_color` (headings and table header rows are printed in it), and a
`font_family` without `fonts` that is no common text font at `theme.font_family` (a font of the
machine, perhaps a symbol font).
""",
    reads=("theme",),
)
def stylesheet_changes_text(ctx: RuleContext) -> Iterator[Violation]:
    yield from _stylesheet_findings(ctx, "text")
