"""Rules on whether the city may take part in the call.

A call states a nominal population range and, optionally, a wider tolerance (calls say "about
100,000 to 150,000"). Outside the tolerance a city is not eligible (ELI001, error); inside the
tolerance but outside the nominal range it probably is, and the bid should say why (ELI002).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from bidkit.findings import Severity
from bidkit.rules.registry import RuleContext, Violation, rule

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


def _people(number: int) -> str:
    return f"{number:,}".replace(",", ".")


def _range(low: int, high: int) -> str:
    return f"{_people(low)}–{_people(high)}"


@rule(
    "ELI001", ERROR, "City population outside the range the call accepts",
    hint="Check `city.population` and its year against the official statistics.",
    explanation="""
The call admits cities of a certain size. A call profile states the nominal range and, where
the call says "about", a tolerance: the range the organiser accepted in practice (Bitkom
"Digitale Stadt": about 100,000 to 150,000 inhabitants; the 14 applicants had 86,000 to
156,000). A city outside the tolerance (or, without one, outside the nominal range) is not
eligible. Inside the tolerance but outside the nominal range, ELI002 warns instead.
""",
    reads=("city",),
)
def population(ctx: RuleContext) -> Iterator[Violation]:
    rules = ctx.call.eligibility
    people = ctx.bid.city.population
    if rules is None:
        return
    accepted = rules.accepted
    if not accepted.population_min <= people <= accepted.population_max:
        what = "the range the call accepts" if rules.tolerance else "the eligible range"
        yield Violation(
            ("city", "population"),
            f"population {_people(people)} is outside {what} "
            f"{_range(accepted.population_min, accepted.population_max)}",
        )


@rule(
    "ELI002", WARNING, "City population outside the nominal range, inside the tolerance",
    hint="Say in the starting situation why the city fits the call; check the figure and its year.",
    explanation="""
Calls give their size range as an approximate figure ("rund 100.000–150.000 Einwohner"). A
city just outside the nominal range but inside the tolerance the call profile states (the range
the organiser accepted in practice, `eligibility.tolerance`) is probably eligible: Darmstadt,
the winner of the Bitkom competition, had about 155,000 inhabitants. The jury may still ask.
""",
    reads=("city",),
)
def population_nominal(ctx: RuleContext) -> Iterator[Violation]:
    rules = ctx.call.eligibility
    people = ctx.bid.city.population
    if rules is None or rules.tolerance is None:
        return
    wide = rules.tolerance
    if rules.population_min <= people <= rules.population_max:
        return
    if wide.population_min <= people <= wide.population_max:
        why = f" ({wide.source})" if wide.source else ""
        yield Violation(
            ("city", "population"),
            f"population {_people(people)} is outside the nominal range "
            f"{_range(rules.population_min, rules.population_max)} but within the tolerance "
            f"{_range(wide.population_min, wide.population_max)} the call accepts{why}",
        )


#: Fewer inhabitants than any German municipality that could run a programme: a stand-in (the
#: skeleton writes 1), a slip, or a figure in thousands.
IMPLAUSIBLE_POPULATION = 100


@rule(
    "ELI003", WARNING, "Population implausibly small",
    hint="Write the official population (Statistisches Landesamt) of `population_year`, in inhabitants, not thousands.",
    explanation=f"""
A population below {IMPLAUSIBLE_POPULATION} is no figure a bidding municipality has: it is the
skeleton's stand-in (`bidkit init` writes 1 beside a TODO comment, which no rule reads), a slip,
or a figure given in thousands („124“ for 124.000). A call whose range starts at 1 (Modellprojekte
Smart Cities) would accept it, and the cover would print it.
""",
    reads=("city",),
)
def population_implausible(ctx: RuleContext) -> Iterator[Violation]:
    people = ctx.bid.city.population
    if people < IMPLAUSIBLE_POPULATION:
        yield Violation(("city", "population"), f"population {_people(people)} is smaller than any municipality's "
                                                f"that applies: the skeleton's stand-in, or a figure in thousands?")


@rule(
    "ELI004", WARNING, "Population counted after the bid is handed in",
    hint="Give the year of the official figure the bid uses (`population_year`), at the latest the year it is handed in.",
    explanation="""
The population the bid states is an official figure of a past count (Statistisches Landesamt,
as of 31 December): a `population_year` after the year the bid is handed in (its submission date,
else the call's deadline) names a count that did not exist yet — a typo in the year, or a figure
from a later bid.
""",
    reads=("city",),
)
def population_year_in_time(ctx: RuleContext) -> Iterator[Violation]:
    from bidkit.rules.registry import handed_in

    year = ctx.bid.city.population_year
    day, named = handed_in(ctx)
    if year is not None and year > day.year:
        yield Violation(("city", "population_year"), f"population year {year} is after {named}")


#: A population a text states: „123.914 Einwohner“, „rund 124 000 Einwohnerinnen und Einwohner“, „1,2 Mio.
#: Einwohner“, „knapp 125.000 gemeldete Bewohner“ (up to two words between the figure and the noun).
_STATED = re.compile(  # a figure starts where no digit group stands before it, of at most four groups: linear
    r"(?<![\d.,])(?<!\d[\u00a0\u202f ])(?P<figure>\d{1,3}(?:[.\u00a0\u202f ]\d{3}){1,3}(?![.\u00a0\u202f ]?\d)|\d{4,9}(?!\d)"
    r"|\d{1,3},\d{1,2}\s*(?:Mio\.|Millionen))"
    r"(?:\s+[^\W\d_][\w-]*\.?){0,2}?\s+(?:Einwohner|Bewohner)", re.IGNORECASE)
#: A place named as a kind of authority and its name: „Gemeinde Burbach“, „Landkreis Siegen-Wittgenstein“, „Stadt Siegen“.
_PLACE = re.compile(r"\b(?:\w*[Ss]tadt|\w*[Gg]emeinde|Landkreis|Kreis|Markt|Region|Bezirk|Amt)\s+(?P<name>[A-ZÄÖÜ][\w-]*)")


def _sentence(text: str, ends: list[tuple[int, int]], offset: int) -> str:
    """The sentence of ``text`` around ``offset``, at most 200 characters either side of it; ``ends``:
    (start, end) of its sentence ends, in order."""
    index = bisect.bisect_left(ends, (offset, offset))
    start = max(ends[index - 1][1] if index else 0, offset - 200)
    return text[start:min(ends[index][0] if index < len(ends) else len(text), offset + 200)]


def _another_place(sentence: str, mine: set[str]) -> bool:
    """Whether ``sentence`` names a place other than the applicant („die Gemeinde Burbach“): its figure may be that one's."""
    from bidkit.rules.offices import LETTER_WORD

    return any(LETTER_WORD.match(place.group("name")).group().casefold() not in mine for place in _PLACE.finditer(sentence))


#: Words of a figure of another time or area than the count: a forecast, the catchment area or the region around.
_NOT_THE_COUNT = re.compile(r"prognos|erwart|bis\s+(?:zum\s+Jahr\s+)?20\d\d|einzugs|umland|region|pendler|"
                            r"tagsüber|arbeitsplätze|beschäftigte", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def _another_time_or_area(sentence: str, year: int) -> bool:
    """Whether ``sentence`` speaks of another year than the count's (history: „1990 hatte die Stadt …“), of
    the future, or of an area around the applicant."""
    return bool(_NOT_THE_COUNT.search(sentence)) or any(int(found) != year for found in _YEAR.findall(sentence))


#: The texts in which the applicant describes itself (a measure's reach or a partner's customers are no population).
POPULATION_TEXTS = ("title", "subtitle", "vision", "starting_situation")


def stated_population(figure: str) -> tuple[int, int] | None:
    """(the number, how far it may be from the exact count as a rounded figure): „124.000“ → (124000, 1000),
    „125.000“ → (125000, 5000), „1,2 Mio.“ → (1200000, 100000), „123.914“ → (123914, 1): a count rounded
    to ``step`` is less than ``step`` from the figure."""
    if millions := re.match(r"(\d+),(\d+)", figure):
        whole, digits = millions.groups()
        number = int(whole + digits) * 10 ** (6 - len(digits))
    else:
        number = int(re.sub(r"\D", "", figure))
    if number == 0:
        return None
    zeros = len(str(number)) - len(str(number).rstrip("0"))
    step = 10 ** zeros
    return number, step * 5 if str(number).rstrip("0").endswith("5") else step


@rule(
    "ELI005", WARNING, "A text states another population than `city.population`",
    hint="Write the population as `city.population` gives it (rounded is fine: „rund 124.000“), or correct "
         "`city.population`; a figure of another area or year is named as such („die Region mit …“).",
    explanation="""
The cover and the eligibility (ELI001) take the population from `city.population`; the starting
situation or the vision often states it again („Wolfsburg mit seinen 124.000 Einwohnern“). Two
figures that do not agree — an older count, a figure copied from another bid, a typo — are what a
jury compares first. A figure in the title, subtitle, vision or starting situation followed by
„Einwohner“ or „Bewohner“ that is between half and twice the population is read as the applicant's
own, unless its sentence names another place („Die Gemeinde Burbach zählt rund 14.600 Einwohner“),
another year than `population_year` („1990 hatte die Stadt …“), a forecast or the area around
(„Einzugsbereich“, „Region“);
it agrees when it is the population rounded to its own last digit („124.000“, „120.000“, „125.000“
for 123.914: the first to the thousand, the second to ten thousand, the third to five thousand).
""",
    reads=("city",),
)
def population_stated_alike(ctx: RuleContext) -> Iterator[Violation]:
    from bidkit.rules.structure import _select

    people = ctx.bid.city.population
    mine: set[str] | None = None  # the words of the applicant's names, once a text states a population
    for field in POPULATION_TEXTS:
        for path, text in _select(ctx.data, field.split(".")):
            if not isinstance(text, str) or "wohner" not in text.lower():
                continue
            ends = None  # the text's sentence ends, found once a figure needs its sentence
            for match in _STATED.finditer(text):
                stated = stated_population(match.group("figure"))
                if stated is None or not people / 2 <= stated[0] <= people * 2:
                    continue  # another area's: a district, the region
                number, step = stated
                if abs(number - people) < step:
                    continue
                if mine is None:
                    from bidkit.rules.offices import applicant_words

                    mine = applicant_words(ctx.bid.city.name, ctx.bid.city.official_name)
                if ends is None:
                    from bidkit.rules.resolution import SENTENCE_END

                    ends = [end.span() for end in SENTENCE_END.finditer(text)]
                sentence = _sentence(text, ends, match.start())
                if _another_place(sentence, mine) or _another_time_or_area(sentence, ctx.bid.city.population_year):
                    continue  # „Die Gemeinde Burbach zählt rund 14.600 Einwohner“; „1990 hatte die Stadt …“; „Prognose 2030“
                yield Violation(path, f"the text states {match.group('figure')} inhabitants, `city.population` is "
                                      f"{_people(people)} ({ctx.bid.city.population_year})", text_offset=match.start())
                break  # one figure a text: the others are the same mistake again
