"""Rules on whether the city may take part in the call."""

from __future__ import annotations

from collections.abc import Iterator

from bidkit.findings import Severity
from bidkit.rules.registry import RuleContext, Violation, rule

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@rule(
    "ELI001", ERROR, "City population outside the call's range",
    hint="Check `city.population` and its year against the official statistics.",
    explanation="""
The call admits cities of a certain size (Bitkom "Digitale Stadt": about 100,000 to 150,000
inhabitants; the applicants had 86,000 to 156,000). A city outside the range is not eligible.
""",
    reads=("city",),
)
def population(ctx: RuleContext) -> Iterator[Violation]:
    rules = ctx.call.eligibility
    people = ctx.bid.city.population
    if rules and not rules.population_min <= people <= rules.population_max:
        yield Violation(
            ("city", "population"),
            f"population {people:,} is outside the eligible range {rules.population_min:,}–{rules.population_max:,}".replace(",", "."),
        )
