"""Facts the texts state again, compared with the data: how many measures, goals and partners the bid
has (TXT009), and on which day the council decided and the MoU was signed (DAT004). A jury reads
„Unsere fünf Maßnahmen“ above three, „Über 200 Unterstützer“ above a register of 14, or „Der Rat hat
am 12. November beschlossen“ beside a resolution
of 26 November, as carelessness."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from bidkit.findings import Severity
from bidkit.rules.registry import RuleContext, Violation, rule

_NUMBERS = {"zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10,
            "elf": 11, "zwölf": 12}
#: „unsere fünf Maßnahmen“, „insgesamt 7 Ziele“, „sämtliche vier Partner“: a count of the bid's whole list.
_COUNTED = re.compile(
    r"\b(?:unsere[nmrs]?|insgesamt|sämtliche[n]?)\s+(?P<count>\d{1,3}|" + "|".join(_NUMBERS) + r")\s+"
    r"(?P<what>Maßnahmen|Zielen?|Partnern?|Partnerinnen und Partnern?|Partnerorganisationen)\b", re.IGNORECASE)
_LISTS = {"maßnahmen": ("measures", "measure(s)"), "ziel": ("goals", "goal(s)"), "partner": ("partners", "partner(s)")}
#: The supporters' note counts the register: „Über 200 Bürgerinnen und Bürger …“, „42 Unterstützungsschreiben“.
_SUPPORTERS = re.compile(
    r"(?:(?P<qualifier>über|mehr als|rund|etwa|ca\.|circa|knapp|fast|nahezu)\s+)?(?P<count>\d{1,3}(?:\.\d{3})*|"
    + "|".join(_NUMBERS) + r")\s+(?:\w+\s+)?(?:Unterstützer|Bürgerinnen|Bürger|Personen|Menschen|Unterschriften"
    r"|Unterstützungsschreiben|Schreiben|Organisationen|Einrichtungen|Vereine|Unternehmen)", re.IGNORECASE)


def _agrees(qualifier: str | None, said: int, has: int) -> bool:
    """Whether a register of ``has`` entries is what „<qualifier> <said>“ says."""
    qualifier = (qualifier or "").lower()
    if qualifier in ("über", "mehr als"):
        return has > said
    if qualifier in ("knapp", "fast", "nahezu"):
        return 0.8 * said <= has <= said
    if qualifier:  # about so many
        return abs(has - said) <= 0.1 * said
    return has == said


@rule(
    "TXT009", Severity.WARNING, "A text counts the bid's measures, goals or partners otherwise",
    hint="Write the number the bid has, or leave the number out („unsere Maßnahmen“).",
    explanation="""
Texts count what the bid lists: „Unsere fünf Maßnahmen“, „insgesamt sieben Ziele“, „unsere 12
Partner“. A number that is not the count of `measures:`, `goals:` or `partners:` is left from an
earlier draft in which the bid had more or fewer — the jury counts. Only counts of the whole list
(„unsere“, „insgesamt“, „sämtliche“) are compared; „drei Maßnahmen laufen bereits“ may be a part.
The supporters' note (`supporters.note`, printed above the list) is held to the register's rows:
„Über 200“ needs more than 200, „rund 50“ 45 to 55, „42“ exactly 42.
""",
    reads=("measures", "goals", "partners", "supporters"),
)
def counts_agree(ctx: RuleContext) -> Iterator[Violation]:
    yield from _supporters_counted(ctx)
    for path, text in ctx.texts:
        if not ("nsere" in text or "nsgesamt" in text or "ämtliche" in text):
            continue
        for match in _COUNTED.finditer(text):
            word = match.group("count").lower()
            count = int(word) if word.isdigit() else _NUMBERS[word]
            what = next(value for key, value in _LISTS.items() if match.group("what").lower().startswith(key))
            has = len(getattr(ctx.bid, what[0]) or [])
            if has and count != has:
                yield Violation(path, f"the text counts {count} {what[1]}, the bid has {has}", text_offset=match.start())


def _supporters_counted(ctx: RuleContext) -> Iterator[Violation]:
    """The supporters' note („Über 200 Bürgerinnen und Bürger …“) against the register's rows."""
    from bidkit.rules.supporters import _register

    note = ctx.bid.supporters.note if ctx.bid.supporters else None
    if not note or (register := _register(ctx)) is None or not register.supporters:
        return
    has = len(register.supporters)
    for match in _SUPPORTERS.finditer(note):
        word = match.group("count").lower()
        said = int(word.replace(".", "")) if word[0].isdigit() else _NUMBERS[word]
        if not _agrees(match.group("qualifier"), said, has):
            yield Violation(("supporters", "note"), f"the note says „{match.group().strip()}“, the register lists {has}",
                            text_offset=match.start())


_MONTHS = {name: number for number, name in enumerate(
    ("januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "dezember"), 1)}
#: A date as German texts write it: „26.11.2026“, „26. November 2026“.
_DATE = re.compile(r"(?<![\d.])(?P<day>\d{1,2})\.\s*(?:(?P<month>\d{1,2})\.\s*|(?P<name>" + "|".join(_MONTHS) + r")\s+)(?P<year>\d{4})\b",
                   re.IGNORECASE)
#: Words before a date that make it the council's decision's, or the MoU's signing.
_DECIDED = re.compile(r"beschl(?:uss|oss|ießt|ossen)|(?:rat|kreistag|ratsversammlung|bürgerschaft|vertretung)\s+(?:hat\s+)?(?:am|vom)\s*$",
                      re.IGNORECASE)
_SIGNED = re.compile(r"unterzeichn|memorandum|\bMoU\b|absichtserklärung|kooperationsvereinbarung", re.IGNORECASE)
#: How far apart the stated day and the data's may be and still be the same event mis-dated: an earlier decision
#: of the council (a strategy of years ago) is another.
_SAME_EVENT_DAYS = 90


def _dates(text: str) -> Iterator[tuple[re.Match, dt.date]]:
    for match in _DATE.finditer(text):
        month = int(match.group("month")) if match.group("month") else _MONTHS[match.group("name").lower()]
        try:
            yield match, dt.date(int(match.group("year")), month, int(match.group("day")))
        except ValueError:
            continue


@rule(
    "DAT004", Severity.WARNING, "A text dates the council's decision or the MoU otherwise",
    hint="Write the day as `council_resolution.date` or `mou.signed_on` gives it, or correct that date.",
    explanation="""
The document prints the council's decision with `council_resolution.date` and the MoU with
`mou.signed_on`; texts often tell the same („Der Rat hat am 22. Februar 2017 beschlossen …“,
„das am 5. Dezember 2016 unterzeichnete Memorandum“). A text naming another day — within three
months of the data's, so that it is the same event and not an earlier decision — shows two dates
for one decision.
""",
    reads=("council_resolution", "mou"),
)
def event_dates_agree(ctx: RuleContext) -> Iterator[Violation]:
    events = []
    if ctx.bid.council_resolution is not None:
        events.append((_DECIDED, ctx.bid.council_resolution.date, "the council's decision", "`council_resolution.date`"))
    if ctx.bid.mou is not None:
        events.append((_SIGNED, ctx.bid.mou.signed_on, "the MoU's signing", "`mou.signed_on`"))
    if not events:
        return
    for path, text in ctx.texts:
        if not any(character.isdigit() for character in text):
            continue
        for match, day in _dates(text):
            if any(day == data for _, data, _, _ in events):
                continue  # the day of one of them („Der Rat hat der Absichtserklärung am 22. Februar 2017 zugestimmt“)
            before = text[max(0, match.start() - 80):match.start()]
            after = text[match.end():match.end() + 40]
            for words, data, what, field in events:
                if abs((day - data).days) <= _SAME_EVENT_DAYS and (words.search(before) or words.search(after)):
                    yield Violation(path, f"the text dates {what} {day:%d.%m.%Y}, {field} is {data:%d.%m.%Y}",
                                    text_offset=match.start())
                    break


#: Texts the document prints in a table cell, and how long one may be: a row is never split across pages
#: (its cells stay together), so a cell must fit a page with room to spare — 300 characters are ~8 lines.
CELL_TEXTS = ("budget.years[].costs[].title", "budget.years[].funding[].name", "goals[].kpis[].name", "goals[].kpis[].unit",
              "goals[].kpis[].source")
CELL_CHARACTERS = 300


@rule(
    "TXT010", Severity.WARNING, "A text too long for its table cell",
    hint=f"Shorten it to at most {CELL_CHARACTERS} characters; say more in the measure's or the budget's text.",
    explanation=f"""
Cost items, funding sources and KPIs are printed as table rows, and a row stays on one page (its
cells side by side). A title of thousands of characters makes a row taller than a page: it starts
on a new page, leaves the page before it half empty and runs over the next pages without the
table's header row. A cell text of more than {CELL_CHARACTERS} characters is a description put where
a title belongs.
""",
    reads=(),
)
def cell_texts_fit(ctx: RuleContext) -> Iterator[Violation]:
    from bidkit.rules.structure import _select

    for field in CELL_TEXTS:
        for path, text in _select(ctx.data, field.split(".")):
            if isinstance(text, str) and len(text) > CELL_CHARACTERS:
                yield Violation(path, f"{len(text)} characters in a table cell (at most {CELL_CHARACTERS})")
