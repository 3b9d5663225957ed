"""TXT005: characters that no font of the document can print, at their file, line and field.

Two kinds: characters that are never meant in a bid's text (control characters, private-use code
points, code points bidkit does not know, the replacement character), searched in every string
value; and characters that are fine in a text but that no font of the document has (an emoji, a
script the fonts lack), searched in every text the document prints — the bid's texts and tables
(also those read from spreadsheets), the register of supporters' names and places, the call's
name and thematic fields — against the character maps of the theme's fonts and the machine's
(bidkit.fontcover). Both would become .notdef boxes in the PDF, which also break PDF/A and PDF/UA;
the build still searches the laid-out PDF for them (bidkit.render.glyphs)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

from bidkit.paths import BIDI
from bidkit.findings import FieldPath, Severity, dotted
from bidkit.rules.registry import RuleContext, Violation, rule

#: What each kind of unwanted character is called in a message, by Unicode general category. A code
#: point of category Cn is unassigned as far as Python's Unicode database knows
#: (``unicodedata.unidata_version``, 14.0 in Python 3.11): it may be a newer character (U+1F6DC
#: WIRELESS, Unicode 15), so it is one „not known to bidkit“, never called unassigned.
KINDS = {"Cc": "control character", "Cs": "surrogate", "Co": "private-use character", "Cn": "code point not known to bidkit"}
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


#: How many characters a message names (a paragraph in a script no font has names the first ones).
SHOWN = 8


def named(chars: str) -> str:
    """``U+1F68C BUS, U+4E2D CJK …``: the first SHOWN of ``chars`` described, „and N more“."""
    shown = ", ".join(describe(c) for c in chars[:SHOWN])
    return shown + (f" and {len(chars) - SHOWN} more" if len(chars) > SHOWN else "")


def describe(char: str) -> str:
    """``U+0007 (control character)``, ``U+FFFD REPLACEMENT CHARACTER``, ``U+1F68C BUS``."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} " + (name or f"({KINDS.get(unicodedata.category(char), 'unnamed character')})")


#: Sections whose text the document does not print: the theme and the variants (how it is made), the
#: checks' settings and the call's name or file (the document prints the call's own name).
NOT_PRINTED = {"theme", "variants", "checks", "call"}

FONT_HINT = ("Remove the character, or write it in letters the fonts have; or give the theme a font file that has "
             "it (`theme: {{font_family: …, fonts: [{{file: schrift.ttf}}]}}`, see README \"Theme\"). Searched: {searched}.")


@rule(
    "TXT005", Severity.ERROR, "Character that no font can print",
    hint="Delete the character: an editor may not show it, or shows it as an escape (`\\a`, `\\e`, `\\u0007`) in a quoted string.",
    explanation="""
Some characters are never meant in a bid's text: control characters (a bell, an escape sequence
from a terminal, a form feed; tab and line break are fine), private-use code points, code points
bidkit does not know (unassigned, or newer than its Unicode database), surrogates, and the
replacement character U+FFFD (which stands for text lost by a wrong
encoding). They arrive by copy and paste from a terminal, a PDF or an old file. No font draws
them: the document would show an empty box, and a PDF with such a box is neither PDF/A nor
PDF/UA (the final build refuses it). The bidirectional controls (U+200E/U+200F marks,
U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates, U+061C) are invisible and
reorder the text around them: `"Gemeinde \\u202eedlehceV"` prints as „Gemeinde Vechelde“ while
the data says otherwise, and the reversal spills into the text that follows. A German bid needs
none of them; a draft shows the text without them. Every string value of the bid is searched; the finding
points at the first such character of the text and names each one.

Characters that are fine in a text but that no font of the document has — an emoji (🌻, 🚌),
Chinese or Korean script, fullwidth letters (Ｗｏｂｃｏｍ), runes — would print as empty boxes
too. Every text the document prints is searched for them: the bid's texts and tables (also those
read from a spreadsheet, at their cell), the supporters' register (names and places, at their
row) and the call's name and thematic fields, against the fonts the document can draw with —
the theme's font files (`theme.fonts`) and every font of the machine, since the renderer falls
back from the theme's font and DejaVu Sans to any font that has a character. Each character is
named once per text, at the text's line; the hint names the fonts searched. Add a font that has
the character to the theme (`theme.fonts`), or remove it. A variant that leaves a text out (the
public variant omits citizens' names) does not print it, but the full document does.
""",
    reads=(),
)
def unprintable_characters(ctx: RuleContext) -> Iterator[Violation]:
    yield from _unwanted_findings(ctx)
    yield from _missing_from_fonts(ctx)


def _unwanted_findings(ctx: RuleContext) -> Iterator[Violation]:
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


def printed(path: FieldPath, text: str, annex_files: set[str]) -> bool:
    """Whether the document prints ``text``, at ``path`` of the bid's data: not a file the build
    reads (a table's, the register's, a scan's), unless the list of annexes prints its name."""
    if path[0] in NOT_PRINTED or any(isinstance(part, str) and part.endswith("_file") for part in path):
        return False
    return path[-1] != "file" or text in annex_files


def _missing_from_fonts(ctx: RuleContext) -> Iterator[Violation]:
    """The characters of the printed texts that no font of the document has (unwanted ones are
    reported above): each once per text, at the text."""
    from bidkit.fontcover import document_fonts
    from bidkit.rules.supporters import FIELD, _at, _register

    register = _register(ctx)  # read once per check
    rows = [(supporter, column, getattr(supporter, column))
            for supporter in (register.supporters if register else []) for column in ("name", "place")]
    call = [(("name",), ctx.call.name), *((("thematic_fields", i, "name"), f.name) for i, f in enumerate(ctx.call.thematic_fields))]
    every = "".join(dict.fromkeys([text for _path, text in ctx.texts]))  # printed or not: one search
    every += "".join(text for *_, text in (*rows, *call))
    theme = ctx.bid.theme
    fonts = document_fonts(ctx.bid_dir, [font.file for font in theme.fonts] if theme else [])
    missing = [char for char in fonts.missing(every) if not unwanted(char)]
    if not missing:
        return
    from bidkit.annexes import annexes

    annex_files = {annex.file for annex in annexes(ctx.bid)}  # the list of annexes prints their names
    texts = [(path, text) for path, text in ctx.texts if printed(path, text, annex_files)]
    lacking = re.compile(f"[{''.join(map(re.escape, missing))}]")
    judged: dict[str, tuple[int, str, str] | None] = {}

    def judge(text: str) -> tuple[int, str, str] | None:
        """(the offset of the first character no font has, their names, it/them) for ``text``, or None."""
        if text not in judged:
            found = [(m.start(), m.group(0)) for m in lacking.finditer(text)]
            chars = "".join(dict.fromkeys(c for _, c in found))
            judged[text] = (found[0][0], named(chars), "it" if len(chars) == 1 else "them") if found else None
        return judged[text]

    hint = FONT_HINT.format(searched=fonts.searched())
    for path, text in texts:
        if place := judge(text):
            yield Violation(path, f"{place[1]} in {dotted(path)}: no font of the document has {place[2]}", hint, text_offset=place[0])
    for supporter, column, text in rows:
        if place := judge(text):
            left_out = " (the full document prints it; the public variant leaves it out)" \
                if column == "name" and (supporter.kind == "citizen" or supporter.private) else ""
            yield Violation(FIELD, f"'{register.file}' {register.where} {supporter.line}: {place[1]} in the supporter's "
                                   f"{column}: no font of the document has {place[2]}{left_out}", hint,
                            location=_at(register, supporter.line, supporter.cells.get(column)))
    for path, text in call:
        if place := judge(text):
            yield Violation(("call",), f"{place[1]} in the call's {dotted(path)}: no font of the document has {place[2]}", hint)
