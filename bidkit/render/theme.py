"""The city's theme as the templates use it: colours, fonts, logo, extra CSS, own templates.

All files are resolved inside the bid folder (``bidkit.paths.bid_file``) and handed to the
renderer as ``file:`` URLs, which the sandboxed fetcher admits only inside that folder.
Colours and the font name are validated by the model, so the generated CSS carries nothing
but those values and percent-encoded URLs.
"""

from __future__ import annotations

import os
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


#: How a template file's name ends — bidkit's own are ``*.html.j2``; a theme's template may include or
#: import only such files, never a data file of the bid (a register, a YAML file, an annex).
TEMPLATE_SUFFIX = ".j2"
#: Files that hold the bid's data: a theme's templates folder holding one is refused.
DATA_SUFFIXES = (".yaml", ".yml", ".csv", ".xlsx", ".xls", ".ods", ".pdf")
#: The most entries of a theme's templates folder looked at (bidkit.rules.theme.MAX_TEMPLATE_FILES alike).
MAX_FOLDER_ENTRIES = 1000


def templates_folder_problem(bid_dir: Path, folder: Path, named: frozenset[Path] = frozenset()) -> str | None:
    """Why ``folder`` (resolved, inside the bid folder) cannot be the theme's templates folder, or None.

    The folder is where a theme's templates include and import from: the bid folder itself, or a
    folder holding the bid's data (YAML, registers, annexes; ``named`` are further files the bid
    names, resolved), would let a template print any of it — private supporters in the public
    variant too (the variant removes them from the context, not from the files)."""
    root = bid_dir.resolve()
    folder = folder.resolve()
    if folder == root:
        return "the theme's templates folder is the bid folder itself; give a folder of its own (e.g. 'theme/templates')"
    seen = 0
    for current, _folders, files in os.walk(folder):  # does not follow links to folders
        for name in files:
            seen += 1
            if seen > MAX_FOLDER_ENTRIES:
                return None
            path = Path(current) / name
            try:
                resolved = path.resolve() if path.is_symlink() else path  # a link named *.j2 to the register
            except (OSError, RuntimeError):
                continue  # a loop: THM001 reports it (rules.theme.template_problems)
            if not resolved.is_relative_to(root):
                continue  # a link out of the bid folder: THM001 reports it (rules.theme.template_problems)
            if name.lower().endswith(DATA_SUFFIXES) or resolved.name.lower().endswith(DATA_SUFFIXES) or resolved in named:
                entry = path.relative_to(root).as_posix()
                target = resolved.relative_to(root).as_posix()
                what = f"'{entry}'" if target == entry else f"'{entry}', a link to '{target}'"
                return (f"the theme's templates folder holds a data file of the bid, {what}: a template could "
                        f"print it; keep only templates (*{TEMPLATE_SUFFIX}) in the folder")
    return None
