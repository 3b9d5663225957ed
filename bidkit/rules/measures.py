"""Rules on measures: thematic field, goals, dates."""

from __future__ import annotations

from collections.abc import Iterator
import datetime as dt

from bidkit.findings import Severity
from bidkit.rules.registry import RuleContext, Violation, rule

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@rule(
    "MEA001", ERROR, "Measure outside the call's thematic fields",
    hint="Use the id of one of the call's thematic fields.",
    explanation="""
Each measure belongs to one of the call's thematic fields (for Bitkom "Digitale Stadt": Energie
& Umwelt, Mobilität, Verwaltung, Gesundheit, Bildung, Handel, Sicherheit, Gesellschaft,
städtische Datenplattform, IT-Infrastruktur/Gigabit). The document groups measures by field.
""",
    reads=("measures",), partial_ok=("measures",),
)
def measure_field(ctx: RuleContext) -> Iterator[Violation]:
    fields = ctx.call.field_ids()
    for index, measure in enumerate(ctx.bid.measures or []):
        if measure.field not in fields:
            yield Violation(
                ("measures", index, "field"),
                f"'{measure.field}' is not a thematic field of {ctx.call.name}",
                f"Use one of: {', '.join(fields)}.",
            )


@rule(
    "DAT001", ERROR, "Measure ends before it starts",
    hint="Swap or correct `start` and `end`.",
    explanation="A measure's `start` must be on or before its `end`.",
    reads=("measures",), partial_ok=("measures",),
)
def measure_dates(ctx: RuleContext) -> Iterator[Violation]:
    for index, measure in enumerate(ctx.bid.measures or []):
        if measure.end < measure.start:
            yield Violation(("measures", index, "end"), f"measure '{measure.id}' ends ({measure.end}) before it starts ({measure.start})")


@rule(
    "MEA002", ERROR, "Measure serves no goal",
    hint="List the ids of the goals the measure works towards in `goals:`.",
    explanation="""
Every measure must say which of the bid's goals it serves, so that a reviewer can follow the
line from vision to goal to measure to money.
""",
    reads=("measures",), partial_ok=("measures",),
)
def measure_has_goal(ctx: RuleContext) -> Iterator[Violation]:
    for index, measure in enumerate(ctx.bid.measures or []):
        if not measure.goals:
            yield Violation(("measures", index), f"measure '{measure.id}' names no goal")


@rule(
    "MEA003", WARNING, "Measure outside the funding period",
    hint="Move the dates into the funding period or explain how the work outside it is paid.",
    explanation="""
Funders pay for work inside the funding period: the call's `funding_period`, or, when the call
sets none, the years of the bid's budget. A measure that starts before or ends after it has
costs nobody has planned for.
""",
    reads=("measures",), partial_ok=("measures",),
)
def measure_in_period(ctx: RuleContext) -> Iterator[Violation]:
    period = ctx.call.funding_period
    if period is not None and period.start > period.end:
        return  # the call's error (CAL002), not one per measure
    if period is not None:
        start, end = period.start, period.end
    elif ctx.bid.budget is not None and "budget" not in ctx.broken:
        years = [y.year for y in ctx.bid.budget.years]
        start, end = dt.date(min(years), 1, 1), dt.date(max(years), 12, 31)
    else:
        return
    for index, measure in enumerate(ctx.bid.measures or []):
        if measure.start < start:
            yield Violation(("measures", index, "start"), f"measure '{measure.id}' starts {measure.start}, before the funding period ({start} to {end})")
        if measure.end > end:
            yield Violation(("measures", index, "end"), f"measure '{measure.id}' ends {measure.end}, after the funding period ({start} to {end})")


@rule(
    "MEA004", ERROR, "Measure without a cost",
    hint="Give the measure `cost:`, or name it in the `measure:` of its cost items in the budget.",
    explanation="""
Every measure has a price. It may be stated as `cost:`, or left out: then it is the sum of the
budget's cost items that name the measure (`measure: <id>`), shown in the document like a stated
cost. A measure with neither has no known cost; a measure paid entirely by partners in kind
states `cost: 0`.
""",
    reads=("measures", "budget"), partial_ok=("measures",),
)
def measure_has_cost(ctx: RuleContext) -> Iterator[Violation]:
    for index, measure in enumerate(ctx.bid.measures or []):
        if measure.cost is None:
            yield Violation(
                ("measures", index, "id"),
                f"measure '{measure.id}' has no `cost:` and no cost item of the budget names it",
            )
