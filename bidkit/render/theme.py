"""The city's theme as the templates use it: colours, fonts, logo, extra CSS, own templates.

All files are resolved inside the bid folder (``bidkit.paths.bid_file``) and handed to the
renderer as ``file:`` URLs, which the sandboxed fetcher admits only inside that folder.
Colours and the font name are validated by the model, so the generated CSS carries nothing
but those values and percent-encoded URLs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from bidkit.models import Theme
from bidkit.paths import BidFileError, bid_file

DEFAULT_FONT = "DejaVu Sans"
_FORMATS = {".ttf": "truetype", ".otf": "opentype", ".woff": "woff", ".woff2": "woff2"}


def theme_path(bid_dir: Path, file: str | None, *, folder: bool = False) -> Path | None:
    """A file (or folder) of the theme; refused or missing ones (THM001 in check) are left out."""
    try:
        return bid_file(bid_dir, file, folder=folder) if file else None
    except BidFileError:
        return None


@dataclass(frozen=True)
class ThemeContext:
    """What the templates get as ``theme``."""

    css: Markup  # custom properties and @font-face rules, for a <style> element
    logo_url: str | None
    logo_alt: str
    stylesheet_url: str | None
    primary_color: str
    font: str  # the family name of all text

    @classmethod
    def of(cls, theme: Theme | None, bid_dir: Path, city: str) -> ThemeContext:
        theme = theme or Theme()

        def url(file: str | None) -> str | None:
            path = theme_path(bid_dir, file)
            return path.as_uri() if path else None

        family = theme.font_family or DEFAULT_FONT
        faces = []
        for font in theme.fonts:
            if source := url(font.file):
                kind = _FORMATS.get(Path(font.file).suffix.lower(), "truetype")
                faces.append(f'@font-face {{ font-family: "{family}"; src: url("{source}") format("{kind}"); '
                             f"font-weight: {font.weight}; font-style: {font.style}; }}")
        stack = f'"{family}", "{DEFAULT_FONT}", sans-serif'
        root = (f":root {{ --primary: {theme.primary_color}; --accent: {theme.accent_color}; --font: {stack}; }}\n"
                f"@page {{ font-family: {stack}; }}")  # margin boxes inherit from the page, not from :root
        return cls(
            css=Markup("\n".join([*faces, root])),
            logo_url=url(theme.logo),
            logo_alt=theme.logo_alt or "",  # none given: the cover says „Logo der Stadt …“ (bidkit.applicant)
            stylesheet_url=url(theme.stylesheet),
            primary_color=theme.primary_color,
            font=family,
        )
