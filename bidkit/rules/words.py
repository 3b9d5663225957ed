"""TXT006: a text holds a run of characters without a place to break longer than any line.

The stylesheet breaks a word longer than its line inside the word (``overflow-wrap: anywhere``),
so a 79-letter compound or a long name stays on the page. A run of hundreds or thousands of
characters without a space is no word, though: a paste gone wrong, a line of ``**a**a**a``, a
data URL. The document would show it as lines of letters cut anywhere, and WeasyPrint's line
breaking takes time in the square of such a run when it alternates between inline elements
(60,000 characters of ``**a``: more than five minutes in "Laying out pages"). The check finds
it first, at its field and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bidkit.findings import Severity, dotted
from bidkit.rules.registry import RuleContext, Violation, rule

#: Characters no line of the document holds: A4 with 168 mm of text holds about 80 letters at the
#: body's 10 pt, and no more than about 210 of the narrowest letter (i) at the smallest full-width 8 pt.
MAX_RUN = 250
#: Where a line may break (WeasyPrint breaks after hyphens and slashes, at soft hyphens and
#: zero-width spaces) and a Markdown link's target, which is not shown.
#: The target stops at the next bracket, so that a run of ``](`` is read in linear time (a target
#: that may hold brackets made each ``](`` search to the end of the text: quadratic).
_BREAKS = re.compile(r"\]\([^()\[\]\s]*\)|[\s\-/\u00ad\u200b]+")
#: More than ``MAX_RUN`` characters none of which is a break: every run longer than ``MAX_RUN`` is such a
#: stretch (a link's target only adds breaks), so a text without one is passed over in a single search.
_UNBROKEN = re.compile(r"[^\s\-/\u00ad\u200b]{%d}" % (MAX_RUN + 1))


def long_runs(text: str, limit: int = MAX_RUN) -> Iterator[tuple[int, int]]:
    """(offset, length) of every run in ``text`` longer than ``limit`` without a place to break."""
    start = 0
    for gap in [*_BREAKS.finditer(text), None]:
        end = gap.start() if gap else len(text)
        if end - start > limit:
            yield start, end - start
        if gap:
            start = gap.end()


@rule(
    "TXT006", Severity.ERROR, "A run of characters longer than any line",
    hint="Put spaces into it; write a long address as a link, [Text](https://…).",
    explanation=f"""
A line of the document holds about 80 letters (A4, 10 pt); no line holds {MAX_RUN}. A word longer
than its line is broken inside (a 79-letter compound is fine), but a run of more than {MAX_RUN}
characters without a space, hyphen or slash is no word: a paste gone wrong, a line of markup
(`**a**a**a…`), an encoded file. It would be printed as lines of letters cut anywhere, and
laying it out takes time in the square of its length (60,000 characters: more than five
minutes). A Markdown link's address does not count: it is not printed.
""",
    reads=(),
)
def unbreakable_run(ctx: RuleContext) -> Iterator[Violation]:
    from bidkit.render.formatting import number  # Babel loads only when a message needs it

    for path, text in ctx.texts:
        if len(text) <= MAX_RUN or not _UNBROKEN.search(text):  # a short text holds no such run (most are)
            continue
        for offset, length in long_runs(text):
            yield Violation(path, f"{dotted(path)} has a run of {number(length)} characters without a space; "
                                  f"no line holds more than about 80", text_offset=offset)
            break  # one finding per text: its first run


# --- TXT007: Markdown the document does not read -----------------------------------------------

#: The texts the document renders as Markdown (the templates' ``| markdown``).
MARKDOWN_TEXTS = ("vision", "starting_situation", "goals[].description", "measures[].description", "mou.purpose",
                  "budget.note", "supporters.note", "annexes[].description")
#: Markdown (or pasted formatting) the document's subset does not read, by what the document makes of it.
_UNREAD = (
    (re.compile(r"^[ \t]*\|.*\|[ \t]*$", re.M), "a table (lines between '|')", "prints its rows as one line of text with '|' between the cells",
     "Write the figures as a list (`- Barmbek-Nord: 43.218 Einwohner`), or put the table into an annex (`annexes:`, a PDF or a spreadsheet)."),
    (re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+\S", re.M), "a heading ('# …')", "prints the '#' as text",
     "Write the heading as a sentence, or as **strong** text in a paragraph of its own: the document's sections have their headings."),
    # the alt text stops at the next bracket: from each `![` the search reads on only to the next one (linear)
    (re.compile(r"!\[[^\[\]\n]*\]\("), "an image ('![…](…)')", "prints it as text",
     "Remove it: a picture goes into an annex (`annexes:`); the theme sets the logo."),
    # a bullet anywhere inside a paragraph; a dash or „a)“ only two lines in a row (one line that starts
    # with a dash is a wrapped sentence's Gedankenstrich)
    (re.compile(r"(?<=[^\n])\n[ \t]*(?:[•●▪◦‣·]|[–—][ \t][^\n]*\n[ \t]*[–—][ \t]|[a-zA-Z]\)[ \t][^\n]*\n[ \t]*[a-zA-Z]\)[ \t])"),
     "a list item written with „•“, „–“ or „a)“",
     "runs it into the line before",
     "Start each item with `- ` (or `1. `) on a line of its own, after a blank line."),
)


#: What each pattern of ``_UNREAD`` cannot match without: a text that lacks it is not searched (most texts;
#: tests/test_chk9_shortcuts.py holds it).
_NEEDED = ("|", "#", "![", "\n")


@rule(
    "TXT007", Severity.WARNING, "Markdown the document prints as text",
    hint="Write it with what the document reads: paragraphs, lists (`- `, `1. `), *emphasis*, **strong** and links.",
    explanation="""
The long texts (vision, starting situation, descriptions, the MoU's purpose, the plan's note)
are Markdown of a small subset: paragraphs, bullet and numbered lists (`- `, `1. `), *emphasis*,
**strong** and links. A table, a heading or an image in them, and list items pasted from Word
(„•“, „–“, „a)“), are not read as such: the document prints a table's rows as one line of text
with '|' between the cells and runs pasted list items into one line. The check names the first
of each at its line, with what to write instead.
""",
    reads=(),
)
def unread_markdown(ctx: RuleContext) -> Iterator[Violation]:
    from bidkit.rules.structure import _select  # the call's text_limits use the same field paths

    for field in MARKDOWN_TEXTS:
        for path, text in _select(ctx.data, field.split(".")):
            if not isinstance(text, str):
                continue
            for (pattern, what, shown, hint), needed in zip(_UNREAD, _NEEDED):
                if needed in text and (match := pattern.search(text)):
                    offset = match.start() + (1 if text[match.start()] == "\n" else 0)
                    yield Violation(path, f"{dotted(path)} holds {what}: the document {shown}", hint, text_offset=offset)
