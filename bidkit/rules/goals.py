"""Rules on goals and their KPIs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from bidkit.findings import Severity
from bidkit.rules.registry import RuleContext, Violation, handed_in, rule

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@rule(
    "GOL001", ERROR, "Goal without a KPI",
    hint="Add at least one KPI with unit, baseline, target and data source.",
    explanation="""
A reviewer can only judge a goal that is measurable: each goal needs at least one KPI with a
unit, a baseline (value and year), a target (value and year) and the source of the data.
Example: `kpis: [{name: Online-Verwaltungsleistungen, unit: Anzahl, baseline: {value: 12,
year: 2016}, target: {value: 60, year: 2020}, source: Referat IT}]`.
""",
    reads=("goals",), partial_ok=("goals",),
)
def goal_has_kpi(ctx: RuleContext) -> Iterator[Violation]:
    for index, goal in enumerate(ctx.bid.goals or []):
        if not goal.kpis:
            yield Violation(("goals", index), f"goal '{goal.id}' has no KPI")


@rule(
    "GOL002", ERROR, "Goal served by no measure",
    hint="Name the goal's id in the `goals:` list of at least one measure.",
    explanation="""
A goal that no measure works towards is a promise without a plan. Every goal must be listed in
the `goals:` of at least one measure.
""",
    reads=("goals", "measures"), partial_ok=("goals",),
)
def goal_has_measure(ctx: RuleContext) -> Iterator[Violation]:
    served = {ref for m in ctx.bid.measures or [] for ref in m.goals}
    for index, goal in enumerate(ctx.bid.goals or []):
        if goal.id not in served:
            yield Violation(("goals", index, "id"), f"no measure serves goal '{goal.id}'")


@rule(
    "GOL003", ERROR, "KPI target not after its baseline",
    hint="The target year must come after the baseline year.",
    explanation="""
A KPI measures change: from a baseline value in one year to a target value in a later year.
A target year on or before the baseline year is a typo or a KPI that cannot show progress.
""",
    reads=("goals",), partial_ok=("goals",),
)
def kpi_years(ctx: RuleContext) -> Iterator[Violation]:
    for g, goal in enumerate(ctx.bid.goals or []):
        for k, kpi in enumerate(goal.kpis):
            if kpi.target.year <= kpi.baseline.year:
                yield Violation(
                    ("goals", g, "kpis", k, "target", "year"),
                    f"KPI '{kpi.name}': target year {kpi.target.year} is not after baseline year {kpi.baseline.year}",
                )


#: How bids write "per cent" as a KPI's unit.
PERCENT_UNITS = frozenset({"%", "prozent", "vom hundert", "v. h.", "v.h.", "percent", "per cent"})


@rule(
    "GOL004", WARNING, "Percentage KPI written as a fraction",
    hint="Write per cent as a number from 0 to 100 (`value: 30` for 30 %), or change the unit to `Anteil`.",
    explanation="""
A KPI whose unit is per cent (`%`, `Prozent`) takes values such as 30 for 30 %. A baseline and
a target that both lie between 0 and 1, one of them with decimals (`value: 0.3`), were most
likely written as fractions: the document would print „0,3 %“ where 30 % was meant. Write
the per cent figure, or give the unit as `Anteil` if a fraction is what you mean.
""",
    reads=("goals",), partial_ok=("goals",),
)
def percent_as_fraction(ctx: RuleContext) -> Iterator[Violation]:
    for g, goal in enumerate(ctx.bid.goals or []):
        for k, kpi in enumerate(goal.kpis):
            if kpi.unit.strip().lower() not in PERCENT_UNITS:
                continue
            values = (kpi.baseline.value, kpi.target.value)
            if all(0 <= v <= 1 for v in values) and any(v != v.to_integral_value() for v in values):
                yield Violation(
                    ("goals", g, "kpis", k, "unit"),
                    f"KPI '{kpi.name}': {values[0]} → {values[1]} {kpi.unit.strip()} look like fractions, "
                    f"not per cent",
                )


@rule(
    "GOL005", WARNING, "KPI baseline year after the bid is handed in",
    hint="Give the baseline as measured before the bid: a year up to the submission's.",
    explanation="""
A KPI's baseline is the value measured before the project starts, so a reviewer can see how far
the target is from today. A baseline year after the year the bid is handed in (`submission_date`,
else the call's deadline) is a value nobody can have measured yet: a typo, or the target year
written in the wrong place.
""",
    reads=("goals",), partial_ok=("goals",),
)
def baseline_measured(ctx: RuleContext) -> Iterator[Violation]:
    limit, named = handed_in(ctx)
    for g, goal in enumerate(ctx.bid.goals or []):
        for k, kpi in enumerate(goal.kpis):
            if kpi.baseline.year > limit.year:
                yield Violation(
                    ("goals", g, "kpis", k, "baseline", "year"),
                    f"KPI '{kpi.name}': baseline year {kpi.baseline.year} is after {named}",
                )


@rule(
    "GOL007", WARNING, "KPI target year before the bid is handed in",
    hint="Give the year the measures are to reach the target: after the submission's.",
    explanation="""
A KPI's target is what the measures are to reach; the measures start once the bid is funded. A
target year before the year the bid is handed in (`submission_date`, else the call's deadline)
lies in the past: a typo (2024 for 2029), or a target copied from an older strategy.
""",
    reads=("goals",), partial_ok=("goals",),
)
def target_ahead(ctx: RuleContext) -> Iterator[Violation]:
    limit, named = handed_in(ctx)
    for g, goal in enumerate(ctx.bid.goals or []):
        for k, kpi in enumerate(goal.kpis):
            if kpi.baseline.year < kpi.target.year < limit.year:  # on or before its baseline: GOL003's
                yield Violation(("goals", g, "kpis", k, "target", "year"),
                                f"KPI '{kpi.name}': target year {kpi.target.year} is before {named}")


#: What a KPI's name says when it is a share of a whole, which cannot exceed 100 %.
_SHARE_WORDS = re.compile(r"anteil|quote|abdeckung|grad\b|versorgungsgrad|durchdringung", re.IGNORECASE)


@rule(
    "GOL006", WARNING, "Share above 100 %",
    hint="Check the figure (a typo such as 135 for 35?), or say in the KPI's name what grows (e.g. „Steigerung …“).",
    explanation="""
A KPI that is a share of a whole — its unit per cent (`%`, `Prozent`) and its name a share
(„Anteil der Anträge online“, „Quote“, „Abdeckung“, „Versorgungsgrad“) — lies between 0 and
100 %. A baseline or target above 100 or below 0 is most often a typo („135“ for 35) that the jury
would read as a promise bidkit printed without a word. A growth in per cent („Steigerung der
Zugriffe um 150 %“) is no share and is not judged.
""",
    reads=("goals",), partial_ok=("goals",),
)
def share_above_whole(ctx: RuleContext) -> Iterator[Violation]:
    for g, goal in enumerate(ctx.bid.goals or []):
        for k, kpi in enumerate(goal.kpis):
            if kpi.unit.strip().lower() not in PERCENT_UNITS or not _SHARE_WORDS.search(kpi.name):
                continue
            for which, value in (("baseline", kpi.baseline), ("target", kpi.target)):
                if not 0 <= value.value <= 100:
                    yield Violation(("goals", g, "kpis", k, which, "value"),
                                    f"KPI '{kpi.name}' is a share, and its {which} is {value.value} %")
