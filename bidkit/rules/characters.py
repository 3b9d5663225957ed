"""TXT005: characters that are never meant in a bid's text (control characters, private-use and
unassigned code points, the replacement character). No font draws them: in the PDF they become
.notdef boxes, which also break PDF/A and PDF/UA (the build refuses those, bidkit.render.glyphs)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from bidkit.paths import BIDI
from bidkit.findings import Severity, dotted
from bidkit.rules.registry import RuleContext, Violation, rule

#: What each kind of unwanted character is called in a message, by Unicode general category.
KINDS = {"Cc": "control character", "Cs": "surrogate", "Co": "private-use character", "Cn": "unassigned code point"}
#: Characters of other categories that only ever stand for something lost (a broken encoding, an
#: object that did not survive copy and paste).
LOST = {"\ufffd": "replacement character", "\ufffc": "object replacement character"}
#: Tab and line break are plain text.
ALLOWED = {"\t", "\n"}

#: A quick scan first: it passes over the blocks German text lives in (Latin, its diacritics,
#: dashes, quotes and the euro sign, all of them assigned printable characters); every other
#: character is judged by its Unicode category.
SUSPECT = re.compile("[^\t\n\x20-\x7e\xa0-\u036f\u2010-\u2027\u2030-\u205e\u20ac]")


def unwanted(char: str) -> str | None:
    """What ``char`` is, when it has no place in a bid's text (None: it is fine)."""
    if char in ALLOWED:
        return None
    if char in BIDI:
        return "bidirectional control"
    return LOST.get(char) or KINDS.get(unicodedata.category(char))


def describe(char: str) -> str:
    """``U+0007 (control character)``, ``U+FFFD REPLACEMENT CHARACTER``, ``U+1F68C BUS``."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} " + (name or f"({KINDS.get(unicodedata.category(char), 'unnamed character')})")


@rule(
    "TXT005", Severity.ERROR, "Character that no font can print",
    hint="Delete the character: an editor may not show it, or shows it as an escape (`\\a`, `\\e`, `\\u0007`) in a quoted string.",
    explanation="""
Some characters are never meant in a bid's text: control characters (a bell, an escape sequence
from a terminal, a form feed; tab and line break are fine), private-use and unassigned code
points, surrogates, and the replacement character U+FFFD (which stands for text lost by a wrong
encoding). They arrive by copy and paste from a terminal, a PDF or an old file. No font draws
them: the document would show an empty box, and a PDF with such a box is neither PDF/A nor
PDF/UA (the final build refuses it). The bidirectional controls (U+200E/U+200F marks,
U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates, U+061C) are invisible and
reorder the text around them: `"Gemeinde \\u202eedlehceV"` prints as „Gemeinde Vechelde“ while
the data says otherwise, and the reversal spills into the text that follows. A German bid needs
none of them; a draft shows the text without them. Every string value of the bid is searched; the finding
points at the first such character of the text and names each one. Characters that are fine in
the text but missing from the fonts (an emoji, Chinese script) are found by the build, which
names them with their page.
""",
    reads=(),
)
def unprintable_characters(ctx: RuleContext) -> Iterator[Violation]:
    distinct = dict.fromkeys(text for _path, text in ctx.texts)  # a large bid repeats its texts
    if not SUSPECT.search("\n".join(distinct)):  # one scan: no text holds a character to judge
        return
    judged = {text: _unwanted_in(text) for text in distinct}
    for path, text in ctx.texts:
        first, named = judged[text]
        if named:
            yield Violation(path, f"{', '.join(named.values())} in {dotted(path)}", text_offset=first)


def _unwanted_in(text: str) -> tuple[int | None, dict[str, str]]:
    """The offset of the first unwanted character in ``text`` and each one's description, in order."""
    first, named = None, {}
    for match in SUSPECT.finditer(text):
        char = match.group(0)
        kind = unwanted(char)
        if kind is None:
            continue
        first = match.start() if first is None else first
        named.setdefault(char, describe(char))
    return first, named
