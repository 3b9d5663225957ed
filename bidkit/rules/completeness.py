"""Completeness rules: what a reviewer of the call checks in a validated bid.

Each rule reads its parameters (deadline, thematic fields, required sections, eligible
population) from the call, never from ``if`` branches on a call's name.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal
from collections.abc import Iterator

from bidkit.findings import Severity, dotted
from bidkit.models import SECTION_TITLES
from bidkit.rules.registry import RuleContext, Violation, rule
from bidkit.yamlio import iter_strings

ERROR, WARNING = Severity.ERROR, Severity.WARNING


def _euro(amount) -> str:
    from bidkit.render.formatting import money

    return money(amount)


@rule(
    "REQ001", ERROR, "Required section missing or empty",
    hint="Add the section; `bidkit init` writes an example of each.",
    explanation="""
The call lists the sections every bid must contain (`required_sections` in the call profile).
A section that is absent, or present but empty, fails this rule. For the Bitkom "Digitale
Stadt" call these are vision, starting situation, goals, measures, partners with their letters,
the MoU, the budget and the council resolution. Example: `vision: |` followed by the text.
""",
    reads=(),
)
def required_sections(ctx: RuleContext) -> Iterator[Violation]:
    for section in ctx.call.required_sections:
        if section in ctx.broken:
            continue  # its errors are reported already
        value = getattr(ctx.bid, section)
        if value is None or value == [] or (isinstance(value, str) and not value.strip()):
            state = "missing" if value is None else "empty"
            yield Violation(
                (section,), f"required section '{section}' ({SECTION_TITLES[section]}) is {state}",
                f"The call '{ctx.call.name}' requires it; add `{section}:` to a file of the bid.",
            )


@rule(
    "REF001", ERROR, "Reference does not resolve",
    hint="Use the id of an existing entry, or add the entry.",
    explanation="""
Sections refer to each other by id: a measure names the goals it serves (`goals:`) and the
partners taking part (`partners:`); a budget cost item may name its measure (`measure:`). Every
such id must exist, otherwise the document would show a broken link and a reviewer could not
trace money to measures or measures to goals.
""",
    reads=("measures", "goals", "partners", "budget"),
)
def references(ctx: RuleContext) -> Iterator[Violation]:
    bid = ctx.bid
    goal_ids = {g.id for g in bid.goals or []}
    partner_ids = {p.id for p in bid.partners or []}
    measure_ids = {m.id for m in bid.measures or []}

    def unknown(kind: str, ref: str, known: set[str]) -> str:
        return f"unknown {kind} '{ref}'" + (f"; known: {', '.join(sorted(known))}" if known else f"; no {kind}s are defined")

    for i, measure in enumerate(bid.measures or []):
        for j, ref in enumerate(measure.goals):
            if ref not in goal_ids:
                yield Violation(("measures", i, "goals", j), unknown("goal", ref, goal_ids))
        for j, ref in enumerate(measure.partners):
            if ref not in partner_ids:
                yield Violation(("measures", i, "partners", j), unknown("partner", ref, partner_ids))
    for y, year in enumerate(bid.budget.years if bid.budget else []):
        for c, item in enumerate(year.costs):
            if item.measure is not None and item.measure not in measure_ids:
                yield Violation(("budget", "years", y, "costs", c, "measure"), unknown("measure", item.measure, measure_ids))


@rule(
    "REF002", ERROR, "Duplicate id",
    hint="Give each entry its own id.",
    explanation="""
Ids of goals, measures, partners and MoU parties must be unique within their section, or a
reference could point at two entries. Budget years must be unique too.
""",
    reads=("goals", "measures", "partners", "mou", "budget"),
)
def duplicate_ids(ctx: RuleContext) -> Iterator[Violation]:
    bid = ctx.bid
    lists = {
        ("goals",): [g.id for g in bid.goals or []],
        ("measures",): [m.id for m in bid.measures or []],
        ("partners",): [p.id for p in bid.partners or []],
        ("mou", "parties"): [p.id for p in bid.mou.parties] if bid.mou else [],
    }
    for prefix, ids in lists.items():
        seen: set[str] = set()
        for index, ident in enumerate(ids):
            if ident in seen:
                yield Violation((*prefix, index, "id"), f"id '{ident}' is used twice in {'.'.join(prefix)}")
            seen.add(ident)
    years = Counter(y.year for y in bid.budget.years) if bid.budget else Counter()
    for index, year in enumerate(bid.budget.years if bid.budget else []):
        if years[year.year] > 1:
            yield Violation(("budget", "years", index, "year"), f"budget year {year.year} appears {years[year.year]} times")


@rule(
    "BUD001", ERROR, "Cost items do not add up to the year total",
    hint="Correct the items or the stated `total` of the year.",
    explanation="""
Each budget year states its `total`; the cost items of the year must add up to it exactly
(amounts are exact decimals, to the cent). A mismatch is the most common arithmetic error
reviewers find in a Kosten- und Finanzierungsplan.
""",
    reads=("budget",),
)
def year_totals(ctx: RuleContext) -> Iterator[Violation]:
    for index, year in enumerate(ctx.bid.budget.years if ctx.bid.budget else []):
        if year.cost_sum != year.total:
            yield Violation(
                ("budget", "years", index, "total"),
                f"{year.year}: cost items add up to {_euro(year.cost_sum)}, the stated total is {_euro(year.total)}",
                f"Set `total: {year.cost_sum}` or correct the items.",
            )


@rule(
    "BUD002", ERROR, "Year totals do not add up to the grand total",
    hint="Correct the budget's `total` or the year totals.",
    explanation="""
The budget's `total` is the sum of all years' totals. Example: 2017 with 500000 and 2018 with
250000 make `total: 750000`.
""",
    reads=("budget",),
)
def grand_total(ctx: RuleContext) -> Iterator[Violation]:
    budget = ctx.bid.budget
    if budget is None:
        return
    years = sum((y.total for y in budget.years), Decimal(0))
    if years != budget.total:
        yield Violation(
            ("budget", "total"),
            f"year totals add up to {_euro(years)}, the stated grand total is {_euro(budget.total)}",
            f"Set `total: {years}` or correct the year totals.",
        )


@rule(
    "BUD003", ERROR, "Funding does not cover the costs of a year",
    hint="Add funding sources (own funds included) until they cover the year's costs.",
    explanation="""
All revenues plus the city's own share must cover all costs, year by year (ANBest-K). A year
whose funding sources add up to less than its costs has a gap the funder will not accept.
""",
    reads=("budget",),
)
def funding_covers_costs(ctx: RuleContext) -> Iterator[Violation]:
    for index, year in enumerate(ctx.bid.budget.years if ctx.bid.budget else []):
        costs, funding = year.cost_sum, year.funding_sum
        if funding < costs:
            yield Violation(
                ("budget", "years", index, "funding"),
                f"{year.year}: funding of {_euro(funding)} leaves {_euro(costs - funding)} of {_euro(costs)} costs uncovered",
            )


@rule(
    "BUD004", WARNING, "Funding exceeds the costs of a year",
    hint="Reduce the funding or show what the surplus pays for.",
    explanation="""
Funding above the year's costs means the plan asks for money it does not spend; funders
reclaim it. Usually the own share (`eigenmittel`) is the amount to reduce.
""",
    reads=("budget",),
)
def funding_exceeds_costs(ctx: RuleContext) -> Iterator[Violation]:
    for index, year in enumerate(ctx.bid.budget.years if ctx.bid.budget else []):
        costs, funding = year.cost_sum, year.funding_sum
        if funding > costs:
            yield Violation(
                ("budget", "years", index, "funding"),
                f"{year.year}: funding of {_euro(funding)} exceeds the costs of {_euro(costs)} by {_euro(funding - costs)}",
            )


@rule(
    "GOL001", ERROR, "Goal without a KPI",
    hint="Add at least one KPI with unit, baseline, target and data source.",
    explanation="""
A reviewer can only judge a goal that is measurable: each goal needs at least one KPI with a
unit, a baseline (value and year), a target (value and year) and the source of the data.
Example: `kpis: [{name: Online-Verwaltungsleistungen, unit: Anzahl, baseline: {value: 12,
year: 2016}, target: {value: 60, year: 2020}, source: Referat IT}]`.
""",
    reads=("goals",),
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
    reads=("goals", "measures"),
)
def goal_has_measure(ctx: RuleContext) -> Iterator[Violation]:
    served = {ref for m in ctx.bid.measures or [] for ref in m.goals}
    for index, goal in enumerate(ctx.bid.goals or []):
        if goal.id not in served:
            yield Violation(("goals", index, "id"), f"no measure serves goal '{goal.id}'")


@rule(
    "MEA001", ERROR, "Measure outside the call's thematic fields",
    hint="Use the id of one of the call's thematic fields.",
    explanation="""
Each measure belongs to one of the call's thematic fields (for Bitkom "Digitale Stadt": Energie
& Umwelt, Mobilität, Verwaltung, Gesundheit, Bildung, Handel, Sicherheit, Gesellschaft,
städtische Datenplattform, IT-Infrastruktur/Gigabit). The document groups measures by field.
""",
    reads=("measures",),
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
    reads=("measures",),
)
def measure_dates(ctx: RuleContext) -> Iterator[Violation]:
    for index, measure in enumerate(ctx.bid.measures or []):
        if measure.end < measure.start:
            yield Violation(("measures", index, "end"), f"measure '{measure.id}' ends ({measure.end}) before it starts ({measure.start})")


@rule(
    "MOU001", ERROR, "MoU party without a signatory",
    hint="Add `signatories:` with name and role for the party.",
    explanation="""
A Memorandum of Understanding binds its parties through the people who sign it. Each party
needs at least one signatory with name and role (e.g. Oberbürgermeister, Vorstandsvorsitzender).
""",
    reads=("mou",),
)
def mou_signatories(ctx: RuleContext) -> Iterator[Violation]:
    for index, party in enumerate(ctx.bid.mou.parties if ctx.bid.mou else []):
        if not party.signatories:
            yield Violation(("mou", "parties", index), f"MoU party '{party.name}' has no signatory")


@rule(
    "MOU002", ERROR, "MoU signed after the deadline",
    hint="Check `signed_on`; an MoU signed after the call's deadline cannot support the bid.",
    explanation="""
The MoU supports the bid only if it exists when the bid is handed in: its signing date must not
be after the call's deadline.
""",
    reads=("mou",),
)
def mou_before_deadline(ctx: RuleContext) -> Iterator[Violation]:
    mou = ctx.bid.mou
    if mou and mou.signed_on > ctx.call.deadline:
        yield Violation(("mou", "signed_on"), f"MoU signed on {mou.signed_on}, after the deadline {ctx.call.deadline}")


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


_PLACEHOLDER = re.compile(
    r"\b(TODO|TBD|FIXME|XXX+)\b|lorem ipsum|\?\?\?|\[(name|datum|date|ort|betrag|\.\.\.|…)\]",
    re.IGNORECASE,
)


@rule(
    "TXT001", ERROR, "Placeholder text left in the bid",
    hint="Replace the placeholder with the real text.",
    explanation="""
Text such as TODO, TBD, FIXME, XXX, "Lorem ipsum", "???" or bracketed blanks like "[Name]" must
not reach the jury. Every string value of the bid is searched.
""",
    reads=(),
)
def placeholders(ctx: RuleContext) -> Iterator[Violation]:
    for path, text in iter_strings(ctx.bid.model_dump(mode="json", exclude_none=True, warnings=False)):
        match = _PLACEHOLDER.search(text)
        if match:
            yield Violation(path, f"placeholder '{match.group(0)}' in {dotted(path)}", text_offset=match.start())


@rule(
    "TXT002", ERROR, "Empty text",
    hint="Write the text or remove the key if the field is optional.",
    explanation="An empty or blank string is a field someone meant to fill in and forgot.",
    reads=(),
)
def empty_text(ctx: RuleContext) -> Iterator[Violation]:
    for path, text in iter_strings(ctx.bid.model_dump(mode="json", exclude_none=True, warnings=False)):
        if not text.strip():
            yield Violation(path, f"{dotted(path)} is empty")
