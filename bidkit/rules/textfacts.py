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
_COUNTED = re.compile(  # not „unsere drei Partner aus der Wissenschaft“, a part of the list
    r"\b(?:unsere[nmrs]?|sämtliche[n]?)\s+(?P<count>\d{1,3}|" + "|".join(_NUMBERS) + r")\s+"
    r"(?P<what>Maßnahmen|Zielen?|Partnern?|Partnerinnen und Partnern?|Partnerorganisationen)\b"
    r"(?!\s+(?:aus|im|in|der|des|für|zur|zum|bei|von|mit)\b)", re.IGNORECASE)
_LISTS = {"maßnahmen": ("measures", "measure(s)"), "ziel": ("goals", "goal(s)"), "partner": ("partners", "partner(s)")}
#: The supporters' note counts the register: „Über 200 Bürgerinnen und Bürger …“, „42 Unterstützungsschreiben“.
#: A figure starts where no digit group stands before it and has at most four groups (linear in the note).
_SUPPORTERS = re.compile(
    r"(?:(?P<qualifier>über|mehr als|rund|etwa|ca\.|circa|knapp|fast|nahezu)\s+)?(?<![\d.,])"
    r"(?P<count>\d{1,3}(?:\.\d{3}){0,3}(?![.,]?\d)|" + "|".join(_NUMBERS) + r")\s+(?=[A-ZÄÖÜ])", re.IGNORECASE)
#: The nouns a note counts by, each with the register's kinds it means (None: every supporter).
_KINDS_COUNTED = (
    (re.compile(r"unterstütz|schreiben|unterschrift|personen und|menschen und", re.IGNORECASE), None),
    (re.compile(r"bürger|einwohner|privatpersonen", re.IGNORECASE), "citizen"),
    (re.compile(r"vereine|verbände|initiativen", re.IGNORECASE), "association"),
    (re.compile(r"unternehmen|firmen|betriebe", re.IGNORECASE), "company"),
    (re.compile(r"hochschul|forschung|institut", re.IGNORECASE), "research"),
    (re.compile(r"öffentliche|behörden|ämter", re.IGNORECASE), "public_body"),
)
#: Where the group a count names ends: the verb, the sentence's end or the next count („… Vereine und
#: Unternehmen haben …“, „120 Unternehmen, 40 Vereine“).
_GROUP_END = re.compile(r"\b(?:haben|hat|unterstützen|unterstützt|stehen|sind|waren|wurden|schrieben)\b|[.;:!?\d]")


def counted_kinds(phrase: str) -> set[str] | None:
    """The register's kinds a counted group names („Bürgerinnen und Bürger, Vereine und Unternehmen“:
    citizen, association, company), None for every supporter, an empty set for a group of no kind."""
    kinds: set[str] = set()
    for words, kind in _KINDS_COUNTED:
        if words.search(phrase):
            if kind is None:
                return None
            kinds.add(kind)
    return kinds


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
Texts count what the bid lists: „Unsere fünf Maßnahmen“, „sämtliche sieben Ziele“, „unsere 12
Partner“. A number that is not the count of `measures:`, `goals:` or `partners:` is left from an
earlier draft in which the bid had more or fewer — the jury counts. Only counts of the whole list
(„unsere“, „sämtliche“, not followed by „aus …“, „im …“) are compared; „drei Maßnahmen laufen
bereits“, „insgesamt 45 Maßnahmen der Strategie“, „unsere drei Partner aus der Wissenschaft“ may be
another list or a part.
The supporters' note (`supporters.note`, printed above the list) is held to the register's rows of
the kinds it counts („Über 200 Bürgerinnen und Bürger“: the citizens; „500 Bürgerinnen und Bürger,
Vereine und Unternehmen“: those three kinds; „42 Unterstützungsschreiben“: every row): „Über 200“
needs more than 200, „rund 50“ 45 to 55, „42“ exactly 42.
""",
    reads=("measures", "goals", "partners", "supporters"),
)
def counts_agree(ctx: RuleContext) -> Iterator[Violation]:
    yield from _supporters_counted(ctx)
    for path, text in ctx.texts:
        if not ("nsere" in text or "ämtliche" in text):
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
    for match in _SUPPORTERS.finditer(note):
        end = _GROUP_END.search(note, match.end(), match.end() + 200)
        phrase = note[match.end():end.start() if end else match.end() + 200]
        kinds = counted_kinds(phrase)
        if kinds == set():
            continue  # „2.000 Menschen“, „12 Monate“: not a count of the register
        has = sum(1 for supporter in register.supporters if kinds is None or supporter.kind in kinds)
        word = match.group("count").lower()
        said = int(word.replace(".", "")) if word[0].isdigit() else _NUMBERS[word]
        if not _agrees(match.group("qualifier"), said, has):
            what = "rows" if kinds is None else "rows of " + ", ".join(sorted(kinds))
            yield Violation(("supporters", "note"), f"the note says „{(match.group() + phrase).strip()}“, the register "
                                                    f"has {has} {what}", text_offset=match.start())


_MONTHS = {name: number for number, name in enumerate(
    ("januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober", "november", "dezember"), 1)}
#: A date as German texts write it: „26.11.2026“, „26. November 2026“.
_DATE = re.compile(r"(?<![\d.])(?P<day>\d{1,2})\.\s*(?:(?P<month>\d{1,2})\.\s*|(?P<name>" + "|".join(_MONTHS) + r")\s+)(?P<year>\d{4})\b",
                   re.IGNORECASE)
#: Words in the date's sentence that make it the council's decision's: the council itself with a decision
#: (a committee's, „der Hauptausschuss hat am 8. Februar beschlossen“, is another decision).
_COUNCIL = re.compile(r"\b(?:Rat|Stadtrat|Kreistag|Gemeinderat|Verbandsgemeinderat|Samtgemeinderat|Marktgemeinderat"
                      r"|Stadtverordnetenversammlung|Ratsversammlung|Gemeindevertretung)\b|(?:Rats|Kreistags|Gemeinderats|Stadtrats)beschluss")
_DECISION = re.compile(r"beschl(?:uss|oss|ießt|ossen)|zugestimmt|stimmte", re.IGNORECASE)
#: Words in the date's sentence that make it the agreement's signing: signed, and named as the agreement.
_SIGNED = re.compile(r"unterzeichn|unterschrieben", re.IGNORECASE)
#: How far apart the stated day and the data's may be and still be the same event mis-dated: an earlier decision
#: of the council (a strategy of years ago) is another.
_SAME_EVENT_DAYS = 90


def _around(text: str, start: int, end: int) -> str:
    """The words of the sentence around ``text[start:end]``: at most 100 characters before and 60 after,
    not beyond a full stop that ends a sentence."""
    before = text[max(0, start - 100):start]
    stop = max(before.rfind(". "), before.rfind(".\n"))
    after = text[end:end + 60]
    cut = re.search(r"\.\s+[A-ZÄÖÜ]", after)
    return before[stop + 1:] + text[start:end] + (after[:cut.start()] if cut else after)


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
months of the data's, so that it is the same event and not an earlier decision — in a sentence that
names the council and its decision (a committee's earlier decision is another), or the agreement by
its kind's name („Memorandum“, „MoU“, „Kooperationsvereinbarung“) and its signing, shows two dates
for one decision. A partner's own letter of intent is no MoU.
""",
    reads=("council_resolution", "mou"),
)
def event_dates_agree(ctx: RuleContext) -> Iterator[Violation]:
    events = []
    if ctx.bid.council_resolution is not None:
        events.append(((_COUNCIL, _DECISION), ctx.bid.council_resolution.date, "the council's decision", "`council_resolution.date`"))
    if ctx.bid.mou is not None:
        from bidkit.models import MOU_KIND_TITLES

        title = MOU_KIND_TITLES[ctx.bid.mou.kind.value]
        agreement = re.compile(r"\bMoU\b|" + "|".join(re.escape(word) for word in {title, *title.split()} if len(word) > 3), re.IGNORECASE)
        events.append(((agreement, _SIGNED), ctx.bid.mou.signed_on, f"the signing of the {title}", "`mou.signed_on`"))
    if not events:
        return
    dated = {text for text in dict.fromkeys(text for _, text in ctx.texts) if _DATE.search(text)}  # a large bid repeats its texts
    for path, text in ctx.texts:
        if text not in dated:
            continue
        for match, day in _dates(text):
            if any(day == data for _, data, _, _ in events):
                continue  # the day of one of them („Der Rat hat der Absichtserklärung am 22. Februar 2017 zugestimmt“)
            sentence = _around(text, match.start(), match.end())
            for (named, done), data, what, field in events:
                if abs((day - data).days) <= _SAME_EVENT_DAYS and named.search(sentence) and done.search(sentence):
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
