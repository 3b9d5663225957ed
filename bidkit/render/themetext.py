"""What a theme's templates make the document say that bidkit's own templates do not (THM005, THM006).

A theme's template replaces bidkit's and could write anything: a false own share, a total with
a digit changed, a budget without its lines, a picture of a number, CSS of its own. The theme
may change how the document looks, never what it says, so ``compare`` renders the document
twice from one context — with the theme's templates and with bidkit's — and reports what the
templates alone changed:

- numbers (each run of digits as printed, ``1.234.567`` or ``15,0``), counted: one the theme's
  text prints more often than bidkit's (a figure of its own, or the total put where the own share
  was), or less often (a cost line left out);
- pictures and other embedded content (``<img>``, ``<object>``, ``<embed>``, ``<iframe>``,
  ``<image>``, ``<use>``) and linked stylesheets that bidkit's HTML does not have;
- CSS in ``<style>`` elements and ``style`` attributes that bidkit's HTML does not have, judged
  like the theme's stylesheet (bidkit.themecss, THM004).

Text is compared as counts of numbers, not word by word: a theme may reorder and reword, and words
are not judged. Numbers written out in words are not found either; review a theme's templates.
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

    @property
    def numbers(self) -> Counter[str]:
        """Each number the text prints, with how often."""
        return Counter(number for text in self.text for number in _NUMBER.findall(text))


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
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

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _NOT_TEXT:
            self.skipping.pop()

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.page.text.append(data)
        elif self.skipping[-1] == "style":
            self.page.styles.append(data)


def read(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
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
