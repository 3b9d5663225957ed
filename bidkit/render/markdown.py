"""A small, safe Markdown subset for the bid's long texts.

Paragraphs, bullet and numbered lists, *emphasis*, **strong** and [links](https://…) — nothing
else: raw HTML is shown as text, images, headings, tables and code blocks are not parsed, and
links may only point to http(s) and mailto addresses. German quotes and dashes are set
typographically: ``"…"`` → „…“, `` -- `` and ``1--2`` → –, ``---`` → —, ``...`` → … . Nothing else
is replaced: markdown-it's own replacements also turn ``(c)`` into ©, ``..`` into …, ``,,`` into ``,``
and ``????`` into ``???``, which would change what the city wrote.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markupsafe import Markup

_LINK_SCHEMES = ("http://", "https://", "mailto:")
_MONTHS = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
#: "5. Dezember 2016 unterzeichneten …" at the start of a paragraph is a date, not a list item.
_DATE_AT_LINE_START = re.compile(rf"^(\s*\d{{1,2}})\.(\s+(?:{_MONTHS})\b)", re.M)


_EM_DASH = re.compile(r"(^|[^-])---(?=[^-]|$)", re.M)
_EN_DASH = re.compile(r"(^|[^-])--(?=[^-]|$)", re.M)
_ELLIPSIS = re.compile(r"(?<!\.)\.\.\.(?!\.)")


def _dashes(state) -> None:
    """The typographic replacements kept (a core rule in place of markdown-it's "replacements")."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        in_link = 0  # a link's text (often its address) stays as written
        for child in token.children:
            in_link += {"link_open": 1, "link_close": -1}.get(child.type, 0)
            if child.type == "text" and not in_link and ("--" in child.content or "..." in child.content):
                text = _EM_DASH.sub("\\1\u2014", child.content)
                text = _EN_DASH.sub("\\1\u2013", text)
                child.content = _ELLIPSIS.sub("\u2026", text)


def _parser() -> MarkdownIt:
    md = MarkdownIt("zero", {"typographer": True, "quotes": "„“‚‘", "html": False})
    md.enable(["paragraph", "list", "emphasis", "link", "newline", "escape", "smartquotes"])
    md.core.ruler.before("smartquotes", "bidkit_dashes", _dashes)
    md.validateLink = lambda url: url.strip().lower().startswith(_LINK_SCHEMES)
    return md


_MD = _parser()


def markdown(text: str | None) -> Markup:
    """Render ``text`` (may be None) as safe HTML."""
    if not text:
        return Markup("")
    return Markup(_MD.render(_DATE_AT_LINE_START.sub(r"\1\\.\2", text)))
