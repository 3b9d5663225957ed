"""Rules on the Kosten- und Finanzierungsplan: arithmetic, coverage, own share, consistency."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from decimal import ROUND_UP, Decimal

from bidkit.findings import Severity
from bidkit.models import FundingKind, PartnerType
from bidkit.rules.registry import RuleContext, Violation, euro, euros, rule

ERROR, WARNING, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


def first_by_id(items) -> dict:
    """The entries of a list by id; of a doubled id (REF002's error) the first, so that the rules judge
    its data and not a retyped entry's."""
    found: dict = {}
    for item in items or []:
        found.setdefault(item.id, item)
    return found


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
                "{}: cost items add up to {}, the stated total is {}".format(year.year, *euros(year.cost_sum, year.total)),
                f"Set `total: {year.cost_sum}` or correct the items.",
            )


@rule(
    "BUD002", ERROR, "Year totals do not add up to the grand total",
    hint="Correct the budget's `total` or the year totals.",
    explanation="""
The budget's `total` is the sum of all years' costs. Example: 2017 with 500000 and 2018 with
250000 make `total: 750000`. While a year's stated total differs from its items (BUD001) the
grand total is not judged: whether an item or the year's total is mistyped decides what it should be.
""",
    reads=("budget",),
)
def grand_total(ctx: RuleContext) -> Iterator[Violation]:
    budget = ctx.bid.budget
    if budget is None:
        return
    # A year whose stated total is not its items' sum is BUD001's: which of the two is wrong (a mistyped
    # item, a mistyped total) decides what the grand total should be, so it is judged only without one.
    if any(year.cost_sum != year.total for year in budget.years):
        return
    costs = budget.cost_sum
    if costs != budget.total:
        yield Violation(
            ("budget", "total"),
            "the years' cost items add up to {}, the stated grand total is {}".format(*euros(costs, budget.total)),
            f"Set `total: {costs}` or correct the cost items.",
        )


@rule(
    "BUD003", ERROR, "Funding does not cover the costs of a year",
    hint="Add funding sources (own funds included) until they cover the year's costs.",
    explanation="""
All revenues plus the applicant's own share must cover all costs, year by year (ANBest-K). A year
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
                "{}: funding of {} leaves {} of {} costs uncovered".format(year.year, *euros(funding, costs - funding, costs)),
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
                "{}: funding of {} exceeds the costs of {} by {}".format(year.year, *euros(funding, costs, funding - costs)),
            )


@rule(
    "BUD005", WARNING, "Amount of zero",
    hint="Give the amount, or remove the line.",
    explanation="""
A cost item or a funding source of 0 € is a line someone forgot to fill in, or one that no
longer belongs in the plan. Amounts in a Kosten- und Finanzierungsplan are positive.
""",
    reads=("budget",), partial_ok=("budget",),
)
def zero_amounts(ctx: RuleContext) -> Iterator[Violation]:
    for y, year in enumerate(ctx.bid.budget.years if ctx.bid.budget else []):
        for kind, lines in (("costs", year.costs), ("funding", year.funding)):
            for i, line in enumerate(lines):
                if line.amount == 0:
                    what = "cost item" if kind == "costs" else "funding source"
                    yield Violation(("budget", "years", y, kind, i, "amount"), f"{year.year}: {what} '{getattr(line, 'title', None) or line.name}' has no amount")


@rule(
    "BUD006", ERROR, "Own share below the call's minimum",
    hint="Raise the applicant's own funds (`kind: eigenmittel`) or lower the costs.",
    explanation="""
Some calls fund only part of the costs: the federal "Modellprojekte Smart Cities" programme
pays 65 %, so the applicant's own share (the city's, the Landkreis's, …) must be at least 35 %
(`own_share_min_percent` in the call). The own share is the sum of all funding of kind
`eigenmittel` divided by all costs.
""",
    reads=("budget",),
)
def own_share(ctx: RuleContext) -> Iterator[Violation]:
    minimum, budget = ctx.call.own_share_min_percent, ctx.bid.budget
    if minimum is None or budget is None:
        return
    costs, own = budget.cost_sum, budget.own_funds
    if costs and own * 100 < minimum * costs:
        from bidkit.render.formatting import percent_figure, shown_below  # Babel loads only when a message needs it

        needed = (minimum * costs / 100).quantize(Decimal("0.01"), rounding=ROUND_UP)
        sources = [("budget", "years", y, "funding", i) for y, year in enumerate(budget.years)
                   for i, source in enumerate(year.funding) if source.kind is FundingKind.EIGENMITTEL]
        own_, costs_, needed_, missing = euros(own, costs, needed, needed - own)
        yield Violation(
            sources[0] if sources else ("budget", "years"),
            f"own share is {percent_figure(shown_below(own * 100 / costs, minimum))} ({own_} of {costs_} "
            f"costs); the call requires at least {percent_figure(minimum)} ({needed_})",
            f"Raise the own funds (`kind: eigenmittel`) by {missing}, or lower the costs."
            if sources else f"Add funding of `kind: eigenmittel` of at least {needed_}, or lower the costs.",
        )


@rule(
    "BUD007", INFO, "Costs subject to budget approval",
    hint="Say in the bid when the council decides the budget.",
    explanation="""
Cost items marked `budget_reservation: true` are subject to the council's budget decision
(Haushaltsvorbehalt). That is normal for a city, and reviewers want to see it said; this rule
reports how much of each year is reserved.
""",
    reads=("budget",),
)
def budget_reservation(ctx: RuleContext) -> Iterator[Violation]:
    for y, year in enumerate(ctx.bid.budget.years if ctx.bid.budget else []):
        reserved = [c for c in year.costs if c.budget_reservation]
        if reserved:
            amount = sum((c.amount for c in reserved), Decimal(0))
            yield Violation(
                ("budget", "years", y),
                f"{year.year}: {len(reserved)} cost item(s) of {euro(amount)} subject to budget approval (Haushaltsvorbehalt)",
            )


@rule(
    "BUD008", WARNING, "Measure cost differs from its budget lines",
    hint="Make the measure's `cost` equal the sum of the cost items that name it.",
    explanation="""
A measure states its `cost`; cost items of the budget name the measure they pay for
(`measure:`). When items name a measure, they should add up to its cost, or the document shows
two different prices for the same thing.
""",
    reads=("budget", "measures"), partial_ok=("measures",),
)
def measure_costs(ctx: RuleContext) -> Iterator[Violation]:
    if ctx.bid.budget is None:
        return
    booked: dict[str, Decimal] = {}
    for year in ctx.bid.budget.years:
        for item in year.costs:
            if item.measure:
                booked[item.measure] = booked.get(item.measure, Decimal(0)) + item.amount
    for index, measure in enumerate(ctx.bid.measures or []):
        if measure.id in booked and booked[measure.id] != measure.cost:
            yield Violation(
                ("measures", index, "cost"),
                "measure '{}' costs {}, its budget lines add up to {}".format(measure.id, *euros(measure.cost, booked[measure.id])),
            )


@rule(
    "BUD009", WARNING, "Measures' costs do not add up to the plan",
    hint="Make the measures' `cost` add up to the plan's costs, or name each cost item's measure (`measure:`).",
    explanation="""
A reviewer adds up the costs the measures state (`cost:`) and compares the sum with the
Kosten- und Finanzierungsplan. The measures' costs can never add up to more than the plan's
costs: the plan would not pay for them. When no cost item names a measure (`measure:`), the
plan holds the measures' costs by category, and both sums should be equal. When items name
their measures, BUD008 compares each of those measures with its items, and the measures no
item names must fit into the rest of the plan (which may also hold costs of no measure, such
as management or overheads).
""",
    reads=("budget", "measures"),
)
def measures_within_plan(ctx: RuleContext) -> Iterator[Violation]:
    budget, measures = ctx.bid.budget, ctx.bid.measures or []
    if budget is None:
        return
    ids = {m.id for m in measures}
    booked = {m: amount for m, amount in budget.measure_costs().items() if m in ids}  # an unknown id is REF001's
    unbooked = [(i, m) for i, m in enumerate(measures) if m.cost is not None and m.id not in booked]
    if not unbooked:
        return
    measured, planned = sum((m.cost for _, m in unbooked), Decimal(0)), budget.cost_sum
    if booked:  # BUD008 compares the named measures with their items; the others must fit in the rest
        rest = planned - sum(booked.values(), Decimal(0))
        if measured > rest:
            shown, difference, free = euros(measured, measured - rest, rest)
            hint = "Add cost items that name the measure (`measure: <id>`), or correct its `cost`."
            if len(unbooked) == 1:
                index, measure = unbooked[0]
                yield Violation(
                    ("measures", index, "cost"),
                    f"measure '{measure.id}' costs {shown}, but no cost item names it and the plan's costs that "
                    f"name no measure are {free}: {difference} of it are not in the plan", hint)
            else:
                yield Violation(
                    ("budget", "total"),
                    f"the measures no cost item names ({', '.join(m.id for _, m in unbooked)}) cost {shown} together, "
                    f"but the plan's costs that name no measure are {free}: {difference} of it are not in the plan",
                    hint.replace("the measure", "each measure").replace("its `cost`", "their `cost`"))
        return
    shown, difference, plan = euros(measured, abs(measured - planned), planned)
    if measured > planned:
        yield Violation(
            ("budget", "total"),
            f"the measures' costs add up to {shown}, {difference} more than the plan's costs of {plan}",
        )
    elif measured < planned and all(m.cost is not None for m in measures):  # a measure without cost is MEA004's
        yield Violation(
            ("budget", "total"),
            f"the measures' costs add up to {shown}, {difference} less than the plan's costs of {plan}, "
            "and no cost item names a measure",
            "Make the measures' `cost` add up to the plan's costs, or name the measure of each cost item "
            "(`measure:`) so that the rest shows as costs of no measure.",
        )


@rule(
    "BUD010", WARNING, "Cost item in a year its measure does not run",
    hint="Move the cost item to a year of the measure, or correct the measure's `start` and `end`.",
    explanation="""
A cost item that names a measure (`measure:`) pays for work of that measure, so its year must
lie in the measure's time (`start` to `end`). A cost item of 2021 for a measure that starts in
2022 is a slip in the plan or in the measure's dates, and the funder will ask what the money
was spent on.
""",
    reads=("budget", "measures"), partial_ok=("measures",),
)
def costs_in_measure_years(ctx: RuleContext) -> Iterator[Violation]:
    measures = first_by_id(ctx.bid.measures)
    for y, year in enumerate(ctx.bid.budget.years if ctx.bid.budget else []):
        for c, item in enumerate(year.costs):
            measure = measures.get(item.measure) if item.measure else None
            # A measure that ends before it starts is DAT001's one error, not one per cost item.
            if measure and measure.start <= measure.end and not measure.start.year <= year.year <= measure.end.year:
                yield Violation(
                    ("budget", "years", y, "costs", c, "measure"),
                    f"cost item '{item.title}' of {year.year} for measure '{measure.id}', which runs "
                    f"{measure.start} to {measure.end}",
                )


@rule(
    "BUD011", WARNING, "Budget year outside the funding period",
    hint="Remove the year or move its costs into the call's funding period.",
    explanation="""
Funders pay for work inside the call's funding period (`funding_period` in the call profile,
e.g. 2021-07-01 to 2028-12-31 for "Modellprojekte Smart Cities"). A budget year that lies wholly
outside it plans money the programme does not pay out in that year.
""",
    reads=("budget",),
)
def years_in_period(ctx: RuleContext) -> Iterator[Violation]:
    period = ctx.call.funding_period
    if period is None or period.start > period.end:  # a period that ends before it starts is the call's error (CAL002)
        return
    for y, year in enumerate(ctx.bid.budget.years if ctx.bid.budget else []):
        if not period.start.year <= year.year <= period.end.year:
            yield Violation(
                ("budget", "years", y, "year"),
                f"budget year {year.year} lies outside the funding period ({period.start} to {period.end})",
            )


@rule(
    "BUD012", WARNING, "Budget years out of order",
    hint="List the budget years in order, earliest first.",
    explanation="""
A Kosten- und Finanzierungsplan is read left to right in time. The document prints the years in
the order the bid lists them, in every table and chart: years out of order (2025, 2021, 2024, …,
e.g. after moving blocks around) make a plan nobody can read at a glance.
""",
    reads=("budget",),
)
def years_in_order(ctx: RuleContext) -> Iterator[Violation]:
    years = [year.year for year in ctx.bid.budget.years] if ctx.bid.budget else []
    for index in range(1, len(years)):
        if years[index] < years[index - 1]:
            yield Violation(
                ("budget", "years", index, "year"),
                f"budget year {years[index]} follows {years[index - 1]}; the document prints the years in this order",
                f"List the years in order: {', '.join(str(y) for y in sorted(set(years)))}.",
            )
            return


@rule(
    "BUD014", ERROR, "Own funds of a partner that is no municipality",
    hint="Write the partner's money as `industrie` (a company) or `dritte` (anyone else); own funds are a "
         "municipality's: the applicant's (no `partner:`) or a partner of `type: kommune`.",
    explanation="""
Own funds (`eigenmittel`) are the applicant's money, and in a joint bid a partner municipality's
(a funding source with `partner:` naming a partner of `type: kommune`: its council commits it).
They make the own share the call asks for. A company's or an association's money marked
`eigenmittel` (a sponsor's contribution, "the project's own money") would count towards that
share and be printed as the municipality's own funds: it is `industrie` or `dritte`.
""",
    reads=("budget", "partners"),
)
def own_funds_of_a_municipality(ctx: RuleContext) -> Iterator[Violation]:
    partners = first_by_id(ctx.bid.partners)
    for y, year in enumerate(ctx.bid.budget.years if ctx.bid.budget else []):
        for f, source in enumerate(year.funding):
            partner = partners.get(source.partner) if source.partner else None
            if source.kind is FundingKind.EIGENMITTEL and partner is not None and partner.type is not PartnerType.KOMMUNE:
                yield Violation(("budget", "years", y, "funding", f, "kind"),
                                f"own funds (`eigenmittel`) of '{partner.name}', a partner of type {partner.type.value}: "
                                "they would count towards the own share as a municipality's")


@rule(
    "BUD016", WARNING, "Own funds named for a partner municipality count as the applicant's",
    hint="If the partner municipality pays them, write `partner: <its id>` (its council then commits them); "
         "if they are the applicant's, name the source for the applicant.",
    explanation="""
Own funds (`eigenmittel`) without `partner:` are the applicant's: they count towards the own
share its council commits (RES002) and are printed as „Eigenmittel der Stadt …“. A source
named for a partner of `type: kommune` („Eigenmittel der Gemeinde Boxberg“, „Haushalt Boxberg
2026“) is most often that municipality's share of a joint bid whose `partner:` was forgotten:
the document then prints the municipality's money as the applicant's, and the council is asked
to commit it. A partner's name the applicant's own name holds as well („Stadt Görlitz“ beside
the „Landkreis Görlitz“) names no other municipality.
""",
    reads=("budget", "partners"),
)
def partner_funds_are_linked(ctx: RuleContext) -> Iterator[Violation]:
    from bidkit.applicant import leading_kind
    from bidkit.rules.partners import _within, _words

    city = ctx.bid.city
    applicant = _words(f"{city.name} {city.official_name or ''}") if city else ()
    names = []
    for partner in ctx.bid.partners or []:
        if partner.type is PartnerType.KOMMUNE:
            # the name without its kind („Boxberg/O.L.“) only when it is no short word a source may hold otherwise („Berg“)
            core = _words(leading_kind(partner.name) or partner.name)
            forms = {_words(partner.name)} | ({core} if len("".join(core)) >= 6 else set())
            names.append((partner, [form for form in forms if form and not _within(form, applicant)]))
    if not names:
        return
    for y, year in enumerate(ctx.bid.budget.years if ctx.bid.budget else []):
        for f, source in enumerate(year.funding):
            if source.kind is not FundingKind.EIGENMITTEL or source.partner:
                continue
            words = _words(source.name)
            for partner, forms in names:
                if any(_within(form, words) for form in forms):
                    yield Violation(("budget", "years", y, "funding", f, "name"),
                                    f"own funds '{source.name}' without `partner:` name the partner municipality "
                                    f"'{partner.name}': they count as the applicant's own funds",
                                    f"If {partner.name} pays them, write `partner: {partner.id}`; if they are the "
                                    "applicant's, name the source for the applicant.")
                    break


@rule(
    "BUD015", WARNING, "A text names another own share than the plan",
    hint="Correct the text to the plan's own share, or the plan to what the text says.",
    explanation="""
A text of the bid that speaks of the own share (Eigenanteil, Eigenmittel, Kofinanzierung) — the
budget's note, a measure's description, the vision — and names an amount or a percentage of the
costs that is none of the plan's (its own funds in all or in one year, the applicant's or with
its partner municipalities', the committed own share; percentages as rounded to the decimals the
text gives, or the call's minimum) shows two own shares on the pages a reviewer compares: „Der
Eigenanteil beträgt 45 %“ above a plan of 40,0 %. A figure said to be at least, about or at most
so much („mindestens 35 %“, „rund 250.000 €“) is no such statement. Each figure is judged on its
own: a right amount does not excuse a wrong percentage beside it. In a joint bid a partner
municipality's part of the own share („Die Gemeinde Burbach trägt 86.257,05 €“, „30 % des
Eigenanteils“) is no other own share. The council's decisions are RES004's.
""",
    reads=("budget",),
)
def texts_name_the_own_share(ctx: RuleContext) -> Iterator[Violation]:
    from bidkit.rules.resolution import OWN_SHARE_WORDS, another_own_share, applicant_own_funds

    budget = ctx.bid.budget
    if budget is None or not budget.cost_sum:
        return
    # Only texts that speak of the own share: one search over the distinct texts finds them (a large
    # bid has thousands of texts, nearly none of them with „Eigenanteil“).
    speaking = {text for text in dict.fromkeys(text for _, text in ctx.texts) if OWN_SHARE_WORDS.search(text)}
    if not speaking:
        return
    amounts = {applicant_own_funds(budget)[0], budget.own_funds}
    percents = {own * 100 / budget.cost_sum for own in amounts}
    parts: dict[str, Decimal] = {}  # a joint bid's partner municipalities' parts of the own share, over all years
    for year in budget.years:
        own = sum((s.amount for s in year.funding if s.kind is FundingKind.EIGENMITTEL), Decimal(0))
        applicant = sum((s.amount for s in year.funding if s.kind is FundingKind.EIGENMITTEL and not s.partner_funds), Decimal(0))
        partners = {}
        for source in year.funding:
            if source.kind is FundingKind.EIGENMITTEL and source.partner_funds:
                partners[source.partner] = partners.get(source.partner, Decimal(0)) + source.amount
                parts[source.partner] = parts.get(source.partner, Decimal(0)) + source.amount
        amounts |= {own, applicant, *partners.values()}
        percents |= {share * 100 / year.cost_sum for share in (own, applicant, *partners.values()) if year.cost_sum}
    amounts |= set(parts.values())
    percents |= {part * 100 / budget.cost_sum for part in parts.values()}
    resolution = ctx.bid.council_resolution
    if resolution is not None and resolution.own_share_committed is not None:
        amounts.add(resolution.own_share_committed)
        percents.add(resolution.own_share_committed * 100 / budget.cost_sum)
    if ctx.call.own_share_min_percent is not None:
        percents.add(Decimal(ctx.call.own_share_min_percent))
    totals = {budget.cost_sum, sum((year.funding_sum for year in budget.years), Decimal(0))}
    for path, text in ctx.texts:
        if text not in speaking or path[:2] == ("council_resolution", "decisions"):
            continue
        named = another_own_share(text, amounts, percents, totals)
        if named is None:
            continue
        from bidkit.render.formatting import percent, percent_figure

        said = euros(named[1])[0] if named[2] == "amount" else percent_figure(named[1])
        yield Violation(path, f"the text names an own share of {said}; the plan's own funds are {euro(budget.own_funds)} "
                              f"({percent(budget.own_funds / budget.cost_sum)} of the costs)", text_offset=named[0])


#: Whose money a funding source's name says it is: the EU's programmes and funds, the Bund's ministries
#: and programmes, a Land's (by its ministries and banks). A name of two levels („EFRE-Programm
#: des Landes“: EU money the Land passes on) says neither.
_FUNDERS = {
    FundingKind.EU: re.compile(
        r"(?<![\w-])(?:EU|EFRE|ESF\+?|ELER|EMFAF|EMFF|JTF|INTERREG|Interreg|LEADER|CEF|Horizon(?:t)?[ -](?:2020|Europe|Europa)"
        r"|Digital Europe|Connecting Europe)(?!\w)|Europäische[nrs]?\s+(?:Union|Kommission|\w*[Ff]onds)"),
    FundingKind.BUND: re.compile(
        r"Bundes(?!land|länder|stadt)\w*|\bdes\s+Bundes\b|\bBund\b|(?<![\w-])(?:BMI|BMWi|BMWK|BMWE|BMDV|BMDS|BMVI|BMBF|BMFTR|BMWSB"
        r"|BMUV|BMU|BMEL|BMAS|BMFSFJ|BMG|BMF|BMZ|KfW|BAFA|BBSR)(?!\w)"),
    FundingKind.LAND: re.compile(  # a Land's name alone is a place („Interreg Sachsen–Polen“), not a funder
        r"\bLand(?:es)?\b|Landes(?!hauptstadt|\w*(?:bund|verband|verbände|verein|rat)\b)\w+|Staatsministerium|Staatskanzlei|Freistaat|\bNBank\b|NRW\.BANK|\bL-Bank\b"
        r"|Bundesland|Aufbaubank|Investitionsbank|\bSAB\b|\bILB\b|\bWIBank\b|LfA Förderbank"),
}
#: Words of a grant in a source's name: a source booked as own funds, industry's or others' money that names
#: one public funder and such a word is that funder's grant („Interreg-Förderung“, „Landesmittel“).
_GRANT = re.compile(r"förder|zuschuss|zuwendung|(?<!eigen)mittel|programm|fonds|interreg|efre|esf|eler|leader", re.IGNORECASE)
#: Programmes the Bund and the Länder fund together (Städtebauförderung, the Gemeinschaftsaufgaben GRW and GAK):
#: booked as either.
_JOINT = re.compile(r"städtebauförder|gemeinschaftsaufgabe|\bGRW\b|\bGAK\b|bund-länder|bund und länder", re.IGNORECASE)
#: A source of the applicant's own that names the programme it co-finances („Kofinanzierung Modellprojekte Smart
#: Cities“) is not the programme's money.
_OWN_SHARE_NAME = re.compile(r"kofinanz|eigenanteil|eigenmittel|eigenleistung", re.IGNORECASE)


def _folded(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


@cache  # asked for every funding source
def _programme_name(call_name: str) -> str | None:
    """The call's name as a source may hold it („modellprojekte smart cities“), without „Wettbewerb“, the
    year and what follows a dash or colon („… 2026 – Sonderaufruf Haushaltsnotlage“); None when too short
    to tell a programme by."""
    head = re.split(r"\s[–—-]\s|:|\(", call_name)[0]
    name = _folded(re.sub(r"\b(?:Wettbewerb|Förderaufruf|Aufruf|Programm)\b|\b\d{4}\b", " ", head))
    return name if len(name) >= 8 else None


def named_funder(name: str) -> FundingKind | None:
    """The one public funder (EU, Bund, Land) a funding source's name names, or None (none, or two)."""
    if _JOINT.search(name):
        return None
    named = [kind for kind, words in _FUNDERS.items() if words.search(name)]
    return named[0] if len(named) == 1 else None


@rule(
    "BUD017", WARNING, "A funding source booked under another funder than its name says",
    hint="Give the source the `kind` of whose money it is: `eu` for EU programmes (EFRE, ESF, Interreg, LEADER, "
         "Horizont Europa), `bund` for the Bund's (a Bundesministerium, KfW), `land` for the Land's.",
    explanation="""
The finance plan sums the funding by kind: EU, Bund, Land, own funds, industry, others. The
chart, the funding table and the own share are computed from `kind`. A source whose name names
one public funder but is booked under another („Interreg VI A Sachsen–Polen“ as `bund`,
„Förderprogramm des BMDV“ as `land`, „Landesmittel“ as `eigenmittel`) puts its money into the
wrong line of every table. A source named for the call's programme („Bund (Modellprojekte Smart
Cities)“) is the money of the call's funder (`funded_by`): booked otherwise, it escapes the
funding-rate check (BUD013). A name of two levels („EFRE-Programm des Landes Niedersachsen“: EU
money the Land passes on) is not judged; nor are `land` sources naming the EU, since several
Länder administer EU programmes (EFRE, LEADER, Interreg A).
""",
    reads=("budget",),
)
def funding_kind_fits_its_name(ctx: RuleContext) -> Iterator[Violation]:
    names = {"eu": "EU", "bund": "Bund", "land": "Land"}
    for y, year in enumerate(ctx.bid.budget.years if ctx.bid.budget else []):
        for f, source in enumerate(year.funding):
            if (funder := misbooked(ctx, source)) is not None:
                yield Violation(("budget", "years", y, "funding", f, "kind"),
                                f"'{source.name}' is booked as `{source.kind.value}`, but its name names the "
                                f"{names[funder.value]}'s money")


def misbooked(ctx: RuleContext, source) -> FundingKind | None:
    """The public funder a funding source's name names when its ``kind`` is another's (BUD017), else None."""
    funder = ctx.call.funded_by if _for_the_programme(ctx, source) else named_funder(source.name)
    if funder is None or funder is source.kind:
        return None
    if source.kind is FundingKind.LAND and funder is FundingKind.EU:
        return None  # the Land passes EU money on
    if source.kind not in (FundingKind.EU, FundingKind.BUND, FundingKind.LAND) and not _GRANT.search(source.name):
        return None  # a company's or the applicant's money that merely names a place („Sparkasse Bayern“)
    return funder


@rule(
    "BUD018", WARNING, "One funding source booked under two kinds",
    hint="Give the source the same `kind` in every year (the kind of whose money it is).",
    explanation="""
A source of the same name in several years („Bund (Modellprojekte Smart Cities)“ in 2026, 2027
and 2028) is one funder's money. Booked under another kind in one year, the funding tables list
it twice (once under each kind), the sums by kind are wrong, and money of the call's programme
booked as another kind escapes the funding-rate check (BUD013). The kind most years give is taken
as meant; each other year's is reported, unless the source's name says whose money it is (then
BUD017 reports the kind that disagrees with it).
""",
    reads=("budget",),
)
def one_kind_per_source(ctx: RuleContext) -> Iterator[Violation]:
    kinds: dict[tuple[str, str | None], list[tuple[int, int, FundingKind]]] = {}
    for y, year in enumerate(ctx.bid.budget.years if ctx.bid.budget else []):
        for f, source in enumerate(year.funding):
            kinds.setdefault((_folded(source.name), source.partner), []).append((y, f, source.kind))
    for places in kinds.values():
        counts: dict[FundingKind, int] = {}  # in the order the kinds first appear: of equal counts, the first is meant
        for *_, kind in places:
            counts[kind] = counts.get(kind, 0) + 1
        if len(counts) < 2:
            continue
        meant = max(counts, key=counts.get)
        for y, f, kind in places:
            if kind is not meant and misbooked(ctx, ctx.bid.budget.years[y].funding[f]) is None:
                year, name = ctx.bid.budget.years[y].year, ctx.bid.budget.years[y].funding[f].name
                yield Violation(("budget", "years", y, "funding", f, "kind"),
                                f"'{name}' is booked as `{kind.value}` in {year}, as `{meant.value}` in the other years")


@rule(
    "BUD019", ERROR, "The plan has no costs",
    hint="Give the cost items their amounts (a skeleton's `amount: 0` are stand-ins).",
    explanation="""
A Kosten- und Finanzierungsplan whose cost items add up to 0 € states nothing: the own share is
„0,0 % of 0 €“, every share and funding rate is 0 of 0 and passes, and the texts' amounts cannot
be compared with it. It is a skeleton's stand-ins (`bidkit init` writes `amount: 0`) left unfilled,
or a plan whose amounts were cleared. The checks of shares and rates do not run on it.
""",
    reads=("budget",),
)
def plan_has_costs(ctx: RuleContext) -> Iterator[Violation]:
    budget = ctx.bid.budget
    if budget is not None and budget.cost_sum == 0:
        yield Violation(("budget", "years"), f"the cost items of {len(budget.years)} year(s) add up to 0 €")


def _for_the_programme(ctx: RuleContext, source) -> bool:
    """Whether ``source`` is the money the bid asks of the call's programme: named for it („Bund
    (Modellprojekte Smart Cities)“), not as the own share co-financing it, of a call that names its funder."""
    programme = _programme_name(ctx.call.name) if ctx.call.funded_by else None
    return bool(programme) and programme in _folded(source.name) and not _OWN_SHARE_NAME.search(source.name)


@rule(
    "BUD020", WARNING, "The programme's own money marked as secured",
    hint="Write `secured: false` for the money the bid asks of the call: the jury decides on it.",
    explanation="""
`secured: true` says a funder has committed the money (a grant decision, a signed letter); the
document prints it as „gesichert“. The money the bid asks of the call itself („Bund (Modellprojekte
Smart Cities)“) is what the jury is to decide on: marked secured, the plan claims the decision before
it is made.
""",
    reads=("budget",),
)
def programme_money_not_secured(ctx: RuleContext) -> Iterator[Violation]:
    for y, year in enumerate(ctx.bid.budget.years if ctx.bid.budget else []):
        for f, source in enumerate(year.funding):
            if source.secured and source.kind is ctx.call.funded_by and _for_the_programme(ctx, source):
                yield Violation(("budget", "years", y, "funding", f, "secured"),
                                f"'{source.name}' is the money the bid asks of {ctx.call.name}, marked as secured")


#: Words of an in-kind contribution in a funding source's name: staff lent, rooms, goods — no money.
_IN_KIND = re.compile(r"sachleistung|unbar|in[- ]kind|personalgestellung|geldwert|naturalleistung|sachspende|bereitstellung von (?:personal|räumen)",
                      re.IGNORECASE)


@rule(
    "BUD021", WARNING, "An in-kind contribution booked as money",
    hint="Leave in-kind contributions out of the funding (describe them in the partner's `contribution:` or the "
         "measure); a funder counts only money, unless the call says otherwise.",
    explanation="""
The funding side of the Kosten- und Finanzierungsplan lists money: every source counts towards
covering the costs, own funds towards the own share. A source whose name says it is no money
(„Sachleistung – Personalgestellung (unbar)“, „geldwerte Leistung“, „Sachspende“) counts staff,
rooms or goods as cash: the own share and the coverage are overstated by its amount. Most calls
do not accept in-kind contributions as own share (check the call's text).
""",
    reads=("budget",),
)
def in_kind_is_no_money(ctx: RuleContext) -> Iterator[Violation]:
    for y, year in enumerate(ctx.bid.budget.years if ctx.bid.budget else []):
        for f, source in enumerate(year.funding):
            if _IN_KIND.search(source.name):
                yield Violation(("budget", "years", y, "funding", f, "name"),
                                f"'{source.name}' is an in-kind contribution, booked as `{source.kind.value}` money")
