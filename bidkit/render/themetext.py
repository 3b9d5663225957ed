"""What a theme's templates make the document say that bidkit's own templates do not (THM005, THM006).

A theme's template replaces bidkit's and could write anything: a false own share, a total with
a digit changed, a budget without its lines, a picture of a number, CSS of its own. The theme
may change how the document looks, never what it says, so ``compare`` renders the document
twice from one context — with the theme's templates and with bidkit's — and reports what the
templates alone changed:

- numbers (each run of digits as printed, ``1.234.567`` or ``15,0``), counted: one the theme's
  text prints more often than bidkit's (a figure of its own, or the total put where the own share
  was), or less often (a cost line left out);
- table cells with numbers, as (table, row head, column head, text): a figure must stand where
  bidkit's tables have it, so swapped row labels are found although every number keeps its count;
- the order of the numbers within a block (paragraph, list item): two that bidkit prints only as
  „a … b“ may not come as „b … a“ (a sentence's amounts swapped);
- pictures and other embedded content (``<img>``, ``<object>``, ``<embed>``, ``<iframe>``,
  ``<image>``, ``<use>``) and linked stylesheets that bidkit's HTML does not have;
- CSS in ``<style>`` elements and ``style`` attributes that bidkit's HTML does not have, judged
  like the theme's stylesheet (bidkit.themecss, THM004);
- numbers inside elements that do not print text as it is (``<del>``, ``<s>``, ``<sup>``,
  ``<small>``, ``<font>``, ``<details>``, ``<template>``, ``<bdo>`` …) or under ``hidden``/``dir``
  where bidkit's HTML does not put them (rt6 D18: HTML strikes out, shrinks or hides without CSS).

Text is otherwise compared as counts of numbers, not word by word: a theme may reorder and reword
its paragraphs, and words outside the tables' heads are not judged. Numbers written out in words are not found either; review a theme's templates.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

#: A number as printed: digits, with group or decimal separators between digits.
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
#: Elements whose text is not printed as text of the page.
_NOT_TEXT = {"style", "script"}
#: Attributes whose text a reader meets (alternative text, tooltips, the document's language).
_TEXT_ATTRIBUTES = {"alt", "title", "aria-label"}
#: Elements that bring a picture or other content of their own, with the attribute naming it.
_EMBEDS = {"img": "src", "object": "data", "embed": "src", "iframe": "src", "image": "href", "use": "href",
           "source": "src", "video": "src", "audio": "src", "input": "src", "link": "href"}
MAX_REPORTED = 10


@dataclass
class Page:
    """The parts of a rendered HTML that say something: text, embedded content, CSS."""

    text: list[str] = field(default_factory=list)
    embeds: list[tuple[str, str]] = field(default_factory=list)  # (element, what it names)
    styles: list[str] = field(default_factory=list)  # <style> contents
    declarations: list[str] = field(default_factory=list)  # style attributes
    #: (table's first column head, row head, column head, cell text) of every table cell with a number.
    cells: Counter[tuple[str, str, str, str]] = field(default_factory=Counter)
    #: The numbers of each block outside tables (a paragraph, a list item, a heading), in order.
    blocks: list[list[str]] = field(default_factory=list)
    #: (number, the elements and hiding attributes around it that do not print text as it is).
    wrapped: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def numbers(self) -> Counter[str]:
        """Each number the text prints, with how often."""
        return Counter(number for text in self.text for number in _NUMBER.findall(text))


#: Elements that end a block of text (a sentence's figures are compared within their block).
_BLOCKS = {"p", "li", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "h6", "div", "section", "article", "header",
           "footer", "blockquote", "figcaption", "caption", "table", "tr", "td", "th", "ul", "ol", "dl", "br",
           "body", "html", "main", "aside", "nav", "figure", "pre", "hr"}
MAX_BLOCK_NUMBERS = 60
#: Elements that print their text as it is. Any other around a number (``<del>``, ``<s>``,
#: ``<sup>``, ``<small>``, ``<font>``, ``<details>``, ``<template>``, ``<bdo>`` …) can strike it
#: out, shrink it, hide it or reorder its digits without a line of CSS.
_PLAIN = _BLOCKS | {"span", "strong", "b", "em", "i", "a", "abbr", "address", "tbody", "thead", "tfoot", "colgroup",
                    "col", "head", "title", "meta", "style", "script", "img", "wbr", "time", "data", "code", "cite",
                    "label", "u", "mark", "q"}
#: Attributes that hide or reorder an element's text without CSS (``dir`` other than „ltr“).
_HIDING = ("hidden", "dir", "inert")
#: What hides, strikes out or reorders any text, words too (not only numbers).
_HIDDEN = re.compile(r"<(?:del|s|strike|template|details|noscript|bdo|dialog)>|\[(?:hidden|dir|inert)\]")
#: Elements that have no end tag (they wrap no text).
_VOID = {"br", "hr", "img", "meta", "col", "wbr", "input", "link", "source", "area", "base", "embed", "param", "track"}


def _flat(text: str) -> str:
    return " ".join(text.split())


class _Table:
    def __init__(self) -> None:
        self.head: list[str] = []  # column heads, one per column
        self.in_head = False
        self.row: list[tuple[str, str, int]] = []  # (tag, text, colspan)
        self.cell: list[str] | None = None
        self.cell_tag, self.span = "td", 1


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.skipping: list[str] = []
        self.tables: list[_Table] = []
        self.block: list[str] = []
        self.open: list[tuple[str, str]] = []  # (tag, what of it wraps text otherwise than as it is, or "")

    def _flush(self) -> None:
        if self.block:
            numbers = _NUMBER.findall(" ".join(self.block))
            if len(numbers) > 1 and not self.tables:
                self.page.blocks.append(numbers[:MAX_BLOCK_NUMBERS])
            self.block = []

    def _table_start(self, tag: str, values: dict[str, str]) -> None:
        if tag == "table":
            self.tables.append(_Table())
            return
        if not self.tables:
            return
        table = self.tables[-1]
        if tag == "thead":
            table.in_head = True
        elif tag in ("tbody", "tfoot"):
            table.in_head = False
        elif tag == "tr":
            table.row, table.cell = [], None
        elif tag in ("td", "th"):
            self._cell_end(table)
            span = values.get("colspan", "1")
            table.cell, table.cell_tag, table.span = [], tag, int(span) if span.isdigit() and 0 < int(span) < 100 else 1

    def _cell_end(self, table: _Table) -> None:
        if table.cell is not None:
            table.row.append((table.cell_tag, _flat(" ".join(table.cell)), table.span))
            table.cell = None

    def _table_end(self, tag: str) -> None:
        if not self.tables:
            return
        table = self.tables[-1]
        if tag in ("td", "th"):
            self._cell_end(table)
        elif tag == "thead":
            table.in_head = False
        elif tag == "tr":
            self._cell_end(table)
            columns = [text for _tag, text, span in table.row for _ in range(span)]
            if table.in_head:
                table.head = columns
            elif table.row:
                heads = [i for i, (cell_tag, _text, _span) in enumerate(table.row) if cell_tag == "th"]
                row_head = table.row[heads[0] if heads else 0][1]
                first = table.head[0] if table.head else ""
                for index, text in enumerate(columns):
                    if text != row_head and _NUMBER.search(text):
                        column = table.head[index] if index < len(table.head) else f"Spalte {index + 1}"
                        self.page.cells[(first, row_head, column, text)] += 1
            table.row = []
        elif tag == "table":
            self.tables.pop()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag not in _VOID:
            marks = ([f"<{tag}>"] if tag not in _PLAIN else []) + [f"[{name}]" for name in _HIDING if name in values
                                                                    and (name != "dir" or values[name].lower() != "ltr")]
            self.open.append((tag, " ".join(marks)))
        for name in _TEXT_ATTRIBUTES & values.keys():
            self.page.text.append(values[name])
        if style := values.get("style", "").strip():
            self.page.declarations.append(style)
        named = _EMBEDS.get(tag)
        if named is not None:
            source = values.get(named) or values.get("xlink:href") or values.get("srcset") or ""
            self.page.embeds.append((tag, source))
        if tag in _NOT_TEXT:
            self.skipping.append(tag)
        if tag in _BLOCKS:
            self._flush()
        self._table_start(tag, values)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _NOT_TEXT:
            self.skipping.pop()
        if tag not in _VOID:
            self.open.pop()

    def handle_endtag(self, tag: str) -> None:
        if any(name == tag for name, _ in self.open):  # an end tag closes what is open inside it too
            while self.open and self.open.pop()[0] != tag:
                pass
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()
        if tag in _BLOCKS:
            self._flush()
        self._table_end(tag)

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.page.text.append(data)
            if wrappers := " ".join(marks for _, marks in self.open if marks):
                for number in _NUMBER.findall(data):
                    self.page.wrapped[(number, wrappers)] += 1
                if _HIDDEN.search(wrappers) and (words := _flat(_NUMBER.sub("", data))):
                    self.page.wrapped[(_short(words), wrappers)] += 1  # „in Aussicht gestellt“ struck out or hidden
            self.block.append(data)
            if self.tables and self.tables[-1].cell is not None:
                self.tables[-1].cell.append(data)
        elif self.skipping[-1] == "style":
            self.page.styles.append(data)


def read(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader._flush()
    return reader.page


@dataclass(frozen=True)
class Change:
    """One thing the theme's templates changed; ``needle`` is what to look for in them to locate it."""

    message: str
    needle: str | None = None


def compare(themed: str, plain: str, bid_dir: Path) -> list[Change]:
    """What the theme's HTML (``themed``) says beyond or without bidkit's (``plain``), from one context."""
    from bidkit.themecss import check_css

    ours, theirs = read(plain), read(themed)
    changes: list[Change] = []
    ours_numbers, their_numbers = ours.numbers, theirs.numbers
    for number in _ordered(their_numbers - ours_numbers):
        more = f"{their_numbers[number]} times, bidkit's templates {ours_numbers[number]} times" if ours_numbers[number] else \
            "which bidkit's templates do not print from the bid"
        changes.append(Change(f"the theme's templates print the number '{number}', {more}", number))
    for number in _ordered(ours_numbers - their_numbers):
        fewer = f"{their_numbers[number]} times, bidkit's templates {ours_numbers[number]} times" if their_numbers[number] else \
            "which bidkit's templates print from the bid"
        changes.append(Change(f"the theme's templates leave out the number '{number}', {fewer}"))
    changes += _cells(theirs, ours) + _orders(theirs, ours)
    for text, wrappers in sorted(theirs.wrapped - ours.wrapped):
        what = f"the number '{text}'" if _NUMBER.fullmatch(text) else f"the text '{text}'"
        changes.append(Change(f"the theme's templates print {what} inside {wrappers}, which bidkit's templates do not: "
                              f"HTML can strike out, shrink, hide or reorder text without CSS (write it as bidkit's "
                              f"templates do: in a <span> or <strong> if it needs a class, without hidden, dir or inert)",
                              text))
    for tag, source in sorted(set(theirs.embeds) - set(ours.embeds)):
        what = "a stylesheet" if tag == "link" else f"<{tag}>"
        shown = f" '{_short(source)}'" if source else ""
        changes.append(Change(f"the theme's templates add {what}{shown} that bidkit's templates do not have "
                              f"(pictures and CSS of a theme belong in `theme:` logo and stylesheet)", source or f"<{tag}"))
    for css, declarations in [*((text, False) for text in sorted(set(theirs.styles) - set(ours.styles))),
                              *((text, True) for text in sorted(set(theirs.declarations) - set(ours.declarations)))]:
        written = css.strip().splitlines()[0][:200] if css.strip() else None  # as the template has it, unless computed
        for problem in check_css(bid_dir, css, declarations=declarations):
            changes.append(Change(f"CSS in the theme's templates: {problem}", written))
    return changes


def _cells(theirs: Page, ours: Page) -> list[Change]:
    """A table's figure is what its row and column say it is: each cell of the theme's tables with
    a number must stand where bidkit's tables have it (the same row and column heads), as often
    (rt5 D15: row labels taken in reverse order keep every number's count)."""
    places = {cell[:3]: cell[3] for cell in ours.cells}
    changes = []
    for cell in sorted(theirs.cells - ours.cells):
        first, row, column, value = cell
        where = f"row '{_short(row)}', column '{_short(column)}'" + (f" of the table '{_short(first)}'" if first else "")
        if cell[:3] in places:
            changes.append(Change(f"the theme's templates print '{_short(value)}' in {where}, where bidkit's templates "
                                  f"print '{_short(places[cell[:3]])}'", value))
        else:
            changes.append(Change(f"the theme's templates print '{_short(value)}' in {where}, a place bidkit's tables do "
                                  f"not have (a table's figures keep bidkit's row and column heads)", value))
    theirs_places = {cell[:3] for cell in theirs.cells}
    for first, row, column, value in sorted(cell for cell in ours.cells - theirs.cells if cell[:3] not in theirs_places):
        where = f"row '{_short(row)}', column '{_short(column)}'" + (f" of the table '{_short(first)}'" if first else "")
        changes.append(Change(f"the theme's templates leave out '{_short(value)}' in {where} (a figure of bidkit's tables "
                              f"stays in a table under the same heads; printed elsewhere, its label is not checked)"))
    return changes


def _orders(theirs: Page, ours: Page) -> list[Change]:
    """The figures of a sentence keep their order: two numbers that bidkit prints in one block (a
    paragraph, a list item) only as 'a … b' may not be printed as 'b … a' (rt5 D15: „35,0 % der
    Gesamtkosten (515.506,28 € von 180.427,24 €)“ swaps the own share and the total)."""
    before = set()
    for numbers in ours.blocks:
        before.update((a, b) for i, a in enumerate(numbers) for b in numbers[i + 1:] if a != b)
    changes, seen = [], set()
    for numbers in theirs.blocks:
        for i, a in enumerate(numbers):
            for b in numbers[i + 1:]:
                if a != b and (a, b) not in before and (b, a) in before and (b, a) not in seen:
                    seen.add((b, a))
                    changes.append(Change(f"the theme's templates print '{a}' before '{b}' in one sentence, bidkit's "
                                          f"templates only '{b}' before '{a}' (the figures of a sentence keep their "
                                          f"order)", None))
    return changes


def _ordered(numbers: Counter[str]) -> list[str]:
    return sorted(numbers, key=lambda n: (-len(n), n))  # the longest (an amount) before a day of the month


def _short(text: str) -> str:
    return text if len(text) <= 80 else text[:77] + "…"


def overrides_in_use(folder: Path, templates: Path, limit: int = 1000) -> list[Path]:
    """The theme's template files that replace one of bidkit's (same relative path), at most ``limit`` looked at."""
    found: list[Path] = []
    seen = 0
    for current, _folders, files in os.walk(folder):
        for name in files:
            seen += 1
            if seen > limit:
                return found
            path = Path(current) / name
            if (templates / path.relative_to(folder)).is_file():
                found.append(path)
    return found


def locate(needle: str | None, bid_dir: Path, files: list[Path]) -> tuple[Path, int, int] | None:
    """The first place in the theme's templates where ``needle`` is written, if it is written there
    (each file read through the bid folder's resolver: no link out, no FIFO, bounded)."""
    from bidkit.limits import MAX_TEMPLATE_BYTES
    from bidkit.paths import BidFileError, read_regular, resolve_inside

    if not needle:
        return None
    root = bid_dir.resolve()
    for path in files:
        try:
            resolved = resolve_inside(root, os.path.relpath(path, root), max_bytes=MAX_TEMPLATE_BYTES)
            text = read_regular(resolved, max_bytes=MAX_TEMPLATE_BYTES).decode("utf-8", "replace")
        except BidFileError:
            continue
        index = text.find(needle)
        if index >= 0:
            line = text.count("\n", 0, index) + 1
            return path, line, index - (text.rfind("\n", 0, index) + 1) + 1
    return None
