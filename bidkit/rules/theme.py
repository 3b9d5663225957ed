"""Rules on the theme: logo, fonts, stylesheet and templates must be files inside the bid folder."""

from __future__ import annotations

from collections.abc import Iterator

from bidkit.findings import FieldPath, Severity
from bidkit.models import Theme
from bidkit.paths import BidFileError, bid_file
from bidkit.rules.annexes import missing_file_hint
from bidkit.rules.registry import RuleContext, Violation, rule

FONT_SUFFIXES = (".ttf", ".otf", ".woff", ".woff2")
IMAGE_SUFFIXES = (".svg", ".png", ".jpg", ".jpeg")


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
folder, so each of them must be there; fonts must be TrueType/OpenType/WOFF files and the logo
an SVG, PNG or JPEG image.
""",
    reads=("theme",),
)
def theme_file_missing(ctx: RuleContext) -> Iterator[Violation]:
    if not ctx.bid.theme:
        return
    for field, file, folder, suffixes in theme_files(ctx.bid.theme):
        try:
            bid_file(ctx.bid_dir, file, folder=folder)
        except BidFileError as exc:
            hint = None if exc.outside or folder else missing_file_hint(ctx.bid_dir, file)
            yield Violation(field, f"theme: {exc}", hint)
            continue
        if suffixes and not file.lower().endswith(suffixes):
            yield Violation(field, f"theme: '{file}' is not one of {', '.join(suffixes)}")


@rule(
    "THM002", Severity.WARNING, "Logo without a text alternative",
    hint="Add `logo_alt:`, e.g. 'Wappen der Stadt Wolfsburg'.",
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
