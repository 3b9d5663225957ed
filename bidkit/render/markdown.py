"""A small, safe Markdown subset for the bid's long texts.

Paragraphs, bullet and numbered lists, *emphasis*, **strong** and [links](https://…) — nothing
else: raw HTML is shown as text, images, headings, tables and code blocks are not parsed, and
links may only point to http(s) and mailto addresses. German quotes and dashes are set
typographically („…“, –).
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markupsafe import Markup

_LINK_SCHEMES = ("http://", "https://", "mailto:")
_MONTHS = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
#: "5. Dezember 2016 unterzeichneten …" at the start of a paragraph is a date, not a list item.
_DATE_AT_LINE_START = re.compile(rf"^(\s*\d{{1,2}})\.(\s+(?:{_MONTHS})\b)", re.M)


def _parser() -> MarkdownIt:
    md = MarkdownIt("zero", {"typographer": True, "quotes": "„“‚‘", "html": False})
    md.enable(["paragraph", "list", "emphasis", "link", "newline", "escape", "replacements", "smartquotes"])
    md.validateLink = lambda url: url.strip().lower().startswith(_LINK_SCHEMES)
    return md


_MD = _parser()


def markdown(text: str | None) -> Markup:
    """Render ``text`` (may be None) as safe HTML."""
    if not text:
        return Markup("")
    return Markup(_MD.render(_DATE_AT_LINE_START.sub(r"\1\\.\2", text)))
