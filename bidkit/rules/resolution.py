"""Rules on the council resolution (Ratsbeschluss)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from decimal import Decimal

from bidkit.findings import Severity
from bidkit.rules.registry import RuleContext, Violation, euros, handed_in, rule

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@rule(
    "RES001", ERROR, "Council resolution dated after the submission",
    hint="The council must decide before the bid is handed in; check the date.",
    explanation="""
The council resolution (Ratsbeschluss) authorises the bid. It must be dated on or before the
submission date (or, without one, the call's deadline).
""",
    reads=("council_resolution",),
)
def resolution_in_time(ctx: RuleContext) -> Iterator[Violation]:
    resolution = ctx.bid.council_resolution
    limit, named = handed_in(ctx)
    if resolution and resolution.date > limit:
        yield Violation(("council_resolution", "date"), f"resolution of {resolution.date} is after {named}")


def _applicant(ctx: RuleContext) -> str:
    """The applicant as messages name it: „Landkreis Hameln-Pyrmont“, „Stadt Wolfsburg“."""
    from bidkit.applicant import applicant_of

    return applicant_of(ctx.bid.city).name if ctx.bid.city else "the applicant"


def applicant_own_funds(budget) -> tuple[Decimal, list[str]]:
    """The own funds (``eigenmittel``) the applicant's council commits: those without a ``partner:``;
    and the partners whose own funds the budget also counts (the municipalities of a joint bid,
    each committed by its own council)."""
    own, partners = Decimal(0), {}
    for year in budget.years if budget else []:
        for source in year.funding:
            if source.partner_funds:
                partners[source.partner] = None
            elif source.kind.value == "eigenmittel":
                own += source.amount
    return own, list(partners)


@rule(
    "RES002", ERROR, "Council resolution does not commit the own share",
    hint="Add `own_share_committed:` with the amount the council commits the applicant to.",
    explanation="""
Some calls (e.g. "Modellprojekte Smart Cities") require the council resolution (of the Rat, the
Kreistag, …) to commit the applicant, the city, Landkreis or Gemeinde, to its own share
(`resolution_must_commit_own_share` in the call). The committed amount must cover the
applicant's own funds (`eigenmittel`) in the budget. In a joint bid, own funds with a `partner:`
(a partner municipality's share) are committed by that municipality's council, not by the
applicant's: they are not counted here.
""",
    reads=("council_resolution", "budget"),
)
def resolution_commits_own_share(ctx: RuleContext) -> Iterator[Violation]:
    resolution = ctx.bid.council_resolution
    if not ctx.call.resolution_must_commit_own_share or resolution is None:
        return
    own, partners = applicant_own_funds(ctx.bid.budget)
    besides = f" (without the own funds of {', '.join(partners)}, committed by their councils)" if partners else ""
    if resolution.own_share_committed is None:
        yield Violation(
            ("council_resolution",), f"the resolution does not commit {_applicant(ctx)} to its own share",
            f"Add `own_share_committed: {own}` (the own funds of the budget), as the council decided it.",
        )
    elif resolution.own_share_committed < own:
        committed, short, needed = euros(resolution.own_share_committed, own - resolution.own_share_committed, own)
        yield Violation(
            ("council_resolution", "own_share_committed"),
            f"the committed own share of {committed} is {short} too low: "
            f"the budget has {needed} of own funds (`eigenmittel`){besides}",
            f"The council must commit at least {needed}: correct `own_share_committed:` to what it decided, "
            "or lower the own funds in the budget.",
        )


#: How far a committed own share may lie above the plan's own funds and still be the same amount rounded.
ROUNDING = Decimal("0.01")


@rule(
    "RES003", WARNING, "Council resolution commits more than the plan's own share",
    hint="Correct `own_share_committed:` to what the council decided, or the own funds in the budget.",
    explanation="""
The document prints the own share the council committed (`own_share_committed`) beside the own
funds of the Kosten- und Finanzierungsplan (`eigenmittel`). A committed amount above the own
funds by more than rounding (1 %) shows two different own shares, most often a typo of one digit
(12.600.000 for 1.260.000). An amount below them is RES002's. As there, own funds with a
`partner:` (a partner municipality's share) are not the applicant's.
""",
    reads=("council_resolution", "budget"),
)
def resolution_matches_own_share(ctx: RuleContext) -> Iterator[Violation]:
    resolution, budget = ctx.bid.council_resolution, ctx.bid.budget
    if resolution is None or resolution.own_share_committed is None or budget is None:
        return
    committed, (own, _) = resolution.own_share_committed, applicant_own_funds(budget)
    if committed - own > max(own * ROUNDING, Decimal(1)):
        shown, more, planned = euros(committed, committed - own, own)
        yield Violation(
            ("council_resolution", "own_share_committed"),
            f"the committed own share of {shown} is {more} more than "
            f"the budget's {planned} of own funds (`eigenmittel`)",
        )


_CURRENCY = r"(?:€|EUR\b|Euro\b)"
#: Words that scale the number before them, and how much.
_SCALES = {"Mrd.": 10**9, "Milliarden": 10**9, "Mio.": 10**6, "Millionen": 10**6, "Mill.": 10**6,
           "Tsd.": 10**3, "Tausend": 10**3, "T€": 10**3}
#: An amount in euros as a German text writes it: „108.427,24 €“, „180.427 Euro“, „1.260.000,00 EUR“,
#: „3 464 553,70 €“ (grouped by a space, U+00A0 or U+202F), „EUR 2.464.553,70“, „2.464.553,-- €“,
#: „2,1 Mio. €“, „2.164,6 Tsd. €“, „850 T€“. Every number matches; one without a currency is no amount.
_AMOUNT = re.compile(
    rf"(?<![\d.,])(?P<pre>{_CURRENCY}\s?)?"
    r"(?P<whole>\d{1,3}(?P<sep>[.\u00a0\u202f ])\d{3}(?:(?P=sep)\d{3})*|\d+)"
    r"(?:,(?:(?P<cents>\d{1,2})|[-–]{1,2}))?"
    rf"(?:\s?(?P<scale>{'|'.join(re.escape(word) for word in _SCALES)}))?"
    rf"(?:\s?(?P<post>{_CURRENCY}))?(?!\d)")
#: A percentage: „40 %“, „40,0 Prozent“, „35 v. H.“.
_PERCENT = re.compile(r"(?<![\d.,])(?P<whole>\d{1,3})(?:,(?P<cents>\d{1,2}))?\s?(?:%|Prozent\b|v\.\s?H\.)")
#: A figure said to be about, at least or at most so much (a call's minimum, a rounded share) states no share.
_QUALIFIED = re.compile(r"(?<!\w)(?:mindestens|wenigstens|min\.|höchstens|maximal|max\.|bis zu|über|unter|mehr als|weniger als|"
                        r"rund|etwa|ca\.|circa|ungefähr|knapp|gut|fast|nahezu|annähernd|ab)\s*$", re.IGNORECASE)
#: A figure said to be a part of something („darunter 45 %“, „davon entfallen 50.000 € auf …“) is no share either.
_PART = re.compile(r"(?<!\w)(?:darunter|davon|hiervon|wovon)(?:\s+\w+){0,2}\s*$", re.IGNORECASE)
#: A word that a number follows as its name, not as an amount („Maßnahme 3“, „Nr. 2“, „Anlage 4“): a
#: plain space after that number groups no thousands, so „Maßnahme 3 250 000 €“ reads either way.
_NUMBERED = re.compile(r"(?<!\w)(?:Maßnahmen?|Nr\.|Nummer|Anlagen?|Jahr|§|Punkt|Ziffer|Seite|Abs\.|Absatz|Kapitel|Teil|Los|"
                       r"Modul|Phase|Stufe|Baustein|Projekt|TOP|Pos\.|Position|Bauabschnitt|BA)\s*$", re.IGNORECASE)
#: Characters between „Eigenanteil“ and its amount at most (after it or before it).
NEAR = 60
#: The words that make a text's amount or percentage the own share.
#: The look-ahead lets the search skip to where a word can start (without it, it tries every word at every
#: position): what ``re`` takes for e or k in any case, the Kelvin sign K among them (tests/test_chk8b_shared.py).
OWN_SHARE_WORDS = re.compile(r"(?=[EeKk\u212a])(?:Eigenanteil|Eigenmittel|Eigenbeteiligung|Eigenleistung|Kofinanzierung)",
                             re.IGNORECASE)


def _figure(match: re.Match, percent: bool) -> tuple[Decimal, Decimal] | None:
    """The value a match states and how far the true value may lie from it (half its last digit
    written: „2,1 Mio. €“ is 2.050.000–2.150.000 €; an amount to the cent is exact); None for a
    number that is no amount (no currency)."""
    decimals = match.group("cents") or ""
    whole = re.sub(r"\D", "", match.group("whole"))  # without the grouping
    value = Decimal(f"{whole}.{decimals}" if decimals else whole)
    if percent:
        return value, Decimal(1).scaleb(-len(decimals)) / 2
    scale = match.group("scale")
    if not (match.group("pre") or match.group("post") or scale == "T€"):
        return None
    if scale is None:
        return value, Decimal(0)
    return value * _SCALES[scale], Decimal(1).scaleb(-len(decimals)) * _SCALES[scale] / 2


def _readings(text: str, match: re.Match, percent: bool) -> list[tuple[Decimal, Decimal]]:
    """Each (value, tolerance) a match can mean: one, or none for a number that is no amount; two
    when a plain space may end a number's name instead of grouping thousands („Maßnahme 3 250 000 €“:
    3.250.000 € or 250.000 €), so that neither reading is taken for the other."""
    figure = _figure(match, percent)
    if figure is None:
        return []
    if percent or match.group("sep") != " " or not _NUMBERED.search(text, max(0, match.start() - 20), match.start()):
        return [figure]
    rest = _AMOUNT.match(text, text.index(" ", match.start("whole")) + 1)
    other = _figure(rest, False) if rest else None
    return [figure] if other is None else [figure, other]


def own_share_statements(text: str) -> tuple[list, list]:
    """(amounts, percentages) a text says of the own share: each (offset, value, tolerance), those
    after „Eigenanteil“ (within NEAR characters) before those ahead of it (within NEAR: „12 % der Kosten, das sind 287.523,50 €, aus Eigenmitteln“); a
    figure qualified as at least, about or at most so much, or as a part („darunter“), is none; a
    figure that reads two ways gives both, at the same offset. Linear in the text's length: the
    words' offsets are searched by bisection."""
    words = [word.span() for word in OWN_SHARE_WORDS.finditer(text)]
    if not words:
        return [], []
    starts, ends = [start for start, _ in words], [end for _, end in words]

    def within(offsets: list[int], low: int, high: int) -> bool:
        index = bisect.bisect_left(offsets, low)
        return index < len(offsets) and offsets[index] <= high

    found = []
    for pattern in (_AMOUNT, _PERCENT):
        after, before = [], []
        for match in pattern.finditer(text):
            near_after = within(ends, match.start() - NEAR, match.start())
            if not near_after and not within(starts, match.end(), match.end() + NEAR):
                continue
            figures = _readings(text, match, pattern is _PERCENT)
            if not figures or _QUALIFIED.search(text, max(0, match.start() - 20), match.start()) or \
                    _PART.search(text, max(0, match.start() - 40), match.start()):
                continue
            (after if near_after else before).extend((match.start(), *figure) for figure in figures)
        found.append(after + before)
    return found[0], found[1]


def another_own_share(text: str, amounts, percents, totals=()) -> tuple | None:
    """(offset, value, "amount" or "percent") of the first thing ``text`` says of the own share that is
    none of the expected ``amounts`` and ``percents``, else None. What a text says of the own share is,
    for each own-share word, the amount and the percentage nearest to it (after it, else before it):
    each is judged on its own, so a right amount does not excuse a wrong percentage beside it
    („12 % der Kosten, das sind 287.523,50 €, aus Eigenmitteln“). ``totals`` (the costs, the funding)
    stated beside the share are no share; a percentage of the own share itself („30 % des
    Eigenanteils“: a partner's part of it) is none either."""
    stated_amounts, stated_percents = own_share_statements(text)
    stated_amounts = [item for item in stated_amounts if _said(item, amounts) or not _said(item, totals)]
    stated_percents = [item for item in stated_percents if not _OF_THE_SHARE.match(text, _percent_end(text, item[0]))]
    words = [word.span() for word in OWN_SHARE_WORDS.finditer(text)]
    wrong = []
    for stated, expected, kind in ((stated_amounts, amounts, "amount"), (stated_percents, percents, "percent")):
        by_offset: dict[int, list] = {}
        for item in stated:  # a figure that reads two ways: both readings at its offset
            by_offset.setdefault(item[0], []).append(item)
        for offset in {_nearest(text, sorted(by_offset), start, end) for start, end in words} - {None}:
            readings = by_offset[offset]
            if not any(_said(item, expected) for item in readings):
                wrong.append((offset, readings[0][1], kind))
    return min(wrong) if wrong else None


#: What follows a percentage of the own share itself: „30 % des (kommunalen) Eigenanteils“, „40 % der Eigenmittel“.
_OF_THE_SHARE = re.compile(r"\s*(?:%|Prozent)\s+(?:des|der)\s+(?:\w+\s+)?(?:Eigenanteil|Eigenmittel|Kofinanzierung)", re.IGNORECASE)


def _percent_end(text: str, start: int) -> int:
    """Where the number of a percentage that starts at ``start`` ends (before its „%“)."""
    end = start
    while end < len(text) and (text[end].isdigit() or text[end] in ".,"):
        end += 1
    return end


def _nearest(text: str, offsets: list[int], start: int, end: int) -> int | None:
    """The offset of the figure a word at ``start``–``end`` of ``text`` speaks of: the first after it within
    NEAR characters, else the last before it in the same sentence (``offsets`` sorted, of figures
    ``own_share_statements`` found near a word): „Die Förderquote beträgt 90 %. Den Eigenanteil …“ names none."""
    index = bisect.bisect_left(offsets, end)
    if index < len(offsets) and offsets[index] <= end + NEAR:
        return offsets[index]
    if index and offsets[index - 1] >= start - NEAR and not SENTENCE_END.search(text, offsets[index - 1], start):
        return offsets[index - 1]
    return None


#: Where a sentence ends: a full stop, ! or ? before a capital (not that of „287.523,50“, „31.12.2025“ or
#: „Nr.“ before a number).
SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-ZÄÖÜ])")


def _said(stated: tuple, expected) -> bool:
    """Whether a stated (offset, value, tolerance) is one of ``expected``, as exactly as it was written."""
    _, value, tolerance = stated
    return any(abs(value - figure) <= tolerance for figure in expected)


@rule(
    "RES004", WARNING, "The decision's text names another own share",
    hint="Correct the decision's text or `own_share_committed:` to what the council voted on.",
    explanation="""
The decisions of the council resolution are the text the council voted on; the document prints
them and, below, the committed own share (`own_share_committed`, else the plan's own funds). A
decision that speaks of the own share (Eigenanteil, Eigenmittel, Kofinanzierung) and names an
amount other than that one shows two own shares, most often a typo in one of them
(108.427,24 € for 180.427,24 €): the reviewers cannot tell which the council committed.
""",
    reads=("council_resolution", "budget"),
)
def decision_names_the_own_share(ctx: RuleContext) -> Iterator[Violation]:
    resolution, budget = ctx.bid.council_resolution, ctx.bid.budget
    if resolution is None:
        return
    own = resolution.own_share_committed
    if own is None:
        own = applicant_own_funds(budget)[0] if budget else None
    if not own:
        return
    where = "`own_share_committed`" if resolution.own_share_committed is not None else "the plan's own funds"
    costs = budget.cost_sum if budget else Decimal(0)
    totals = {costs, sum((year.funding_sum for year in budget.years), Decimal(0))} if budget else set()
    for index, decision in enumerate(resolution.decisions):
        named = another_own_share(decision, {own}, {own * 100 / costs} if costs else set(), totals)
        if named is None:
            continue
        if named[2] == "amount":
            said, meant = euros(named[1], own)
            yield Violation(("council_resolution", "decisions", index),
                            f"the decision names an own share of {said}; {where}: {meant}", text_offset=named[0])
        else:
            from bidkit.render.formatting import percent, percent_figure

            yield Violation(("council_resolution", "decisions", index),
                            f"the decision names an own share of {percent_figure(named[1])}; {where} ({euros(own)[0]}) "
                            f"are {percent(own / costs)} of the costs", text_offset=named[0])
