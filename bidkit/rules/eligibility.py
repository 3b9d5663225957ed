"""Rules on whether the city may take part in the call.

A call states a nominal population range and, optionally, a wider tolerance (calls say "about
100,000 to 150,000"). Outside the tolerance a city is not eligible (ELI001, error); inside the
tolerance but outside the nominal range it probably is, and the bid should say why (ELI002).
"""

from __future__ import annotations

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
