"""A small, safe Markdown subset for the bid's long texts.

Paragraphs, bullet and numbered lists (from the number the first item gives), *emphasis*,
**strong** and [links](https://…) — nothing else (a single ``*`` inside a word or number is
written as it stands: „Bürger*innen“, „2*3“): raw HTML is shown as text, images, headings, tables and code blocks are not parsed, and
links may only point to http(s) and mailto addresses. German quotes and dashes are set
typographically: ``"…"`` → „…“, `` -- `` and ``1--2`` → –, ``---`` → —, ``...`` → … (never inside a web
or e-mail address or a file name), and a number
stays on the line of its unit, a day on the line of its month (``_NO_BREAK``). Nothing else
is replaced: markdown-it's own replacements also turn ``(c)`` into ©, ``..`` into …, ``,,`` into ``,``
and ``????`` into ``???``, which would change what the city wrote. A link's text holds no element
(``_links_hold_text_only``): emphasis around all of it is set around the link, of a part of it left out.
A list item holds no paragraph element (``_tight_items``), as PDF/UA-1 wants its content in one LBody.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

_LINK_SCHEMES = ("http://", "https://", "mailto:")
_MONTHS = "Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober|November|Dezember"
#: "5. Dezember 2016 unterzeichneten …" at the start of a paragraph is a date, not a list item.
_DATE_AT_LINE_START = re.compile(rf"^(\s*\d{{1,2}})\.(\s+(?:{_MONTHS})\b)", re.M)


#: A single `*` between two letters or digits is written, not emphasis: the gender star („Bürger*innen
#: und Nutzer*innen“ would print „Bürger<em>innen und Nutzer</em>innen“) and a product („2*3“).
_STAR_IN_WORD = re.compile(r"(?<=[^\W_])(?<!\\)\*(?=[^\W_])")


_EM_DASH = re.compile(r"(^|[^-])---(?=[^-]|$)", re.M)
_EN_DASH = re.compile(r"(?<!-)--(?!-)")
_ELLIPSIS = re.compile(r"(?<!\.)\.\.\.(?!\.)")
#: What the replacements leave as written: web and e-mail addresses and file names
#: („https://portal.example/de--pl“, „info--team@kreis.example“, „kfp--2025.xlsx“); a closing
#: punctuation mark or „...“ after an address is not part of it.
#: Each alternative starts only where a word starts and reads on without going back (possessive):
#: linear in the text's length („a.a.a.…“ of 20,000 characters took 46 s with a free start).
_VERBATIM = re.compile(
    r"(?<![^\s<>\"“”„‚‘(\[])(?:"
    r"(?:(?:https?|ftp)://|www\.)[^\s<>\"“”„‚‘]++"
    r"|[\w.+-]++@[\w-]++(?:\.[\w-]++)*+"
    r"|[^\s\"“”„‚‘(\[]++)",
    re.IGNORECASE)
#: A file name among the words: „kfp--2025.xlsx“.
_FILE_NAME = re.compile(r".*\.(?:pdf|xlsx?|xlsm|docx?|pptx?|odt|ods|odp|csv|zip|png|jpe?g|gif|svg|tiff?|txt|ya?ml|json|xml|html?)",
                        re.IGNORECASE)
#: Punctuation after an address or a file name that belongs to the sentence („…/start...“, „(siehe www.x.de).“).
_TRAILING = re.compile(r"[.,;:!?…)\]]+$")


def _replaced(text: str) -> str:
    """The dashes and the ellipsis set, outside addresses and file names (``_VERBATIM``, the
    punctuation after one set as in any sentence)."""
    parts, last = [], 0
    for match in _VERBATIM.finditer(text):
        word = match.group()
        kept = word[:len(word) - len(trail.group())] if (trail := _TRAILING.search(word)) else word
        if not ("@" in kept or "://" in kept or kept.lower().startswith("www.") or _FILE_NAME.fullmatch(kept)):
            continue  # a plain word: replaced with the text around it
        parts += [_replaced_plain(text[last:match.start()]), kept]
        last = match.start() + len(kept)
    return "".join(parts) + _replaced_plain(text[last:])


def _replaced_plain(text: str) -> str:
    text = _EM_DASH.sub("\\1\u2014", text)
    text = _EN_DASH.sub("\u2013", text)
    return _ELLIPSIS.sub("\u2026", text)


#: Spaces a line must not break at, as bidkit's own figures never break („500.000 €“): between a
#: number and its unit or sign („23,4 %“, „31,5 Mio. €“, „12 km“), a day and its month („12. Dezember“),
#: and an abbreviation and its number („S. 15“, „Nr. 3“, „§ 7“, „Abs. 2“). The text stays the
#: same; only the space becomes a no-break space.
_UNITS = r"%|‰|€|EUR|Euro|Mio\.|Mrd\.|Tsd\.|Prozent|km|m|m²|m³|ha|kg|t|kWh|MWh|GWh|MW|kW|Mbit/s|Gbit/s|Std\.|h|Min\."
_NO_BREAK = re.compile(
    rf"(\d) (?=(?:{_UNITS})(?!\w))"  # 23,4 %, 31,5 Mio., 12 km
    rf"|(\b(?:Mio|Mrd|Tsd)\.) (?=€|EUR\b|Euro\b)"  # Mio. €
    rf"|(\b\d{{1,2}}\.) (?=(?:{_MONTHS})\b)"  # 12. Dezember
    r"|(\b(?:S|Nr|Abs|Art|Ziff|Bd|Kap)\.|§) (?=\d)"  # S. 15, § 7
)


def _typography(state) -> None:
    """The typographic replacements kept (a core rule in place of markdown-it's "replacements")
    and the no-break spaces of ``_NO_BREAK``."""
    for token in state.tokens:
        if token.type != "inline" or not token.children:
            continue
        in_link = 0  # a link's text (often its address) stays as written
        for child in token.children:
            in_link += {"link_open": 1, "link_close": -1}.get(child.type, 0)
            if child.type != "text" or in_link:
                continue
            text = child.content
            if "--" in text or "..." in text:
                text = _replaced(text)
            child.content = keep_units(text)


_EMPHASIS = {"em_open": "em_close", "strong_open": "strong_close"}
#: A character that leaves a mark on the page (not a space, a soft hyphen or another invisible format character).
_VISIBLE = re.compile(r"[^\s\u00ad\u200b-\u200f\u2060-\u2064\ufeff]")


def _links_hold_text_only(state) -> None:
    """A link's text holds no element: emphasis around all of it goes outside the link
    (``[**Aktionsprogramm**](…)`` as ``<strong><a>…</a></strong>``), emphasis of a part of it is left
    out; a link without visible text (``[](…)``, ``[ ](…)``) shows its address. WeasyPrint 70 gives an element inside a link an annotation of its own, which the PDF's
    Link structure element does not hold: the document would not be PDF/UA-1 (rt9b E10)."""
    for token in state.tokens:
        if token.type != "inline" or not token.children or not any(c.type == "link_open" for c in token.children):
            continue
        children, out, index = token.children, [], 0
        while index < len(children):
            child = children[index]
            if child.type != "link_open":
                out.append(child)
                index += 1
                continue
            end = next((j for j in range(index + 1, len(children)) if children[j].type == "link_close"), None)
            if end is None:
                out.extend(children[index:])
                break
            inner = [c for c in children[index + 1:end] if c.type != "text" or c.content]  # the parser leaves empty texts
            before, after = [], []
            while len(inner) >= 2 and _EMPHASIS.get(inner[0].type) == inner[-1].type and _encloses(inner):
                before.append(inner[0])
                after.insert(0, inner[-1])
                inner = inner[1:-1]
            inner = [c for c in inner if c.type not in _EMPHASIS and c.type not in _EMPHASIS.values()]
            if not any(c.type == "text" and _VISIBLE.search(c.content) for c in inner):  # [](…), [ ](…): no place to click
                inner = [Token("text", "", 0, content=str(child.attrGet("href") or ""))]
            out += [*before, child, *inner, children[end], *after]
            index = end + 1
        token.children = out


def _tight_items(state) -> None:
    """Every list item as a tight one: its paragraphs without ``<p>`` (a second one after a line
    break). ``<li><p>…</p></li>`` of a „loose“ list (blank lines between the items) gave the item a
    P where PDF/UA-1 allows only Lbl and LBody (rt9b E11)."""
    items: list[list[int]] = []  # per open item: its level and the paragraphs seen directly in it
    for token in state.tokens:
        if token.type == "list_item_open":
            items.append([token.level, 0])
        elif token.type == "list_item_close":
            items.pop()
        elif items and token.type in ("paragraph_open", "paragraph_close") and token.level == items[-1][0] + 1:
            token.hidden = True
            if token.type == "paragraph_open":
                items[-1][1] += 1
        elif items and token.type == "inline" and token.level == items[-1][0] + 2 and items[-1][1] > 1:
            token.children = [Token("hardbreak", "br", 0), *(token.children or [])]


def _encloses(tokens) -> bool:
    """Whether the emphasis opened by ``tokens[0]`` is closed by ``tokens[-1]`` (not earlier)."""
    depth = 0
    for position, token in enumerate(tokens):
        depth += 1 if token.type in _EMPHASIS else -1 if token.type in _EMPHASIS.values() else 0
        if depth == 0:
            return position == len(tokens) - 1
    return False


def keep_units(text: str | None) -> str:
    """A plain text (a table cell's: a KPI's name, a cost item's title) with the no-break spaces of
    ``_NO_BREAK``, as the long texts get them: „im Umkreis von 1 km“ keeps „1 km“ on one line."""
    if not text or " " not in text:
        return text or ""
    return _NO_BREAK.sub(lambda match: next(group for group in match.groups() if group) + "\u00a0", text)


def _ordered_list_open(renderer, tokens, index, options, env) -> str:
    """``<ol start="3">`` with the counter WeasyPrint 70 counts by (it ignores ``start``)."""
    token = tokens[index]
    start = token.attrGet("start")
    if start is not None and str(start).isdigit():
        token.attrSet("style", f"counter-reset: list-item {int(start) - 1}")
    return renderer.renderToken(tokens, index, options, env)


def _parser() -> MarkdownIt:
    md = MarkdownIt("zero", {"typographer": True, "quotes": "„“‚‘", "html": False})
    md.enable(["paragraph", "list", "emphasis", "link", "newline", "escape", "smartquotes"])
    md.core.ruler.before("smartquotes", "bidkit_typography", _typography)
    md.core.ruler.after("bidkit_typography", "bidkit_links", _links_hold_text_only)
    md.core.ruler.after("bidkit_links", "bidkit_tight_items", _tight_items)
    md.add_render_rule("ordered_list_open", _ordered_list_open)
    md.validateLink = lambda url: url.strip().lower().startswith(_LINK_SCHEMES)
    return md


_MD = _parser()


def markdown(text: str | None) -> Markup:
    """Render ``text`` (may be None) as safe HTML."""
    if not text:
        return Markup("")
    text = _STAR_IN_WORD.sub(r"\\*", text) if "*" in text else text
    return Markup(_MD.render(_DATE_AT_LINE_START.sub(r"\1\\.\2", text)))
