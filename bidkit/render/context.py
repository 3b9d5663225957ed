"""The one documented context every template receives, derived from the validated bid.

Templates get data, never template source: text from YAML is autoescaped by Jinja and can
neither inject HTML nor Jinja syntax.

Context keys:
    bid            the ``Bid`` model (all sections; optional ones may be None)
    call           the ``Call`` model
    sections       section names to render, in the document's order
    section_titles German heading per section name
    fields         thematic fields with their measures: list of (ThematicField, [Measure])
    goals_by_id, partners_by_id   lookups for references
    budget         ``BudgetSummary`` or None: per-year costs by category, funding by kind, totals
    support_letters  number of partners with a letter (they earn points in the Bitkom call)
    draft          True for drafts (watermark)
    build_date     the fixed date the document is made on (reproducible builds)
    version        bidkit's version
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from bidkit import __version__
from bidkit.models import SECTION_TITLES, Bid, Budget, Call, CostCategory, FundingKind

#: The order of the document; sections the call does not require come where they belong.
DOCUMENT_ORDER = ["vision", "starting_situation", "goals", "measures", "mou", "partners", "budget", "council_resolution"]

CATEGORY_TITLES = {
    CostCategory.PERSONALKOSTEN: "Personalkosten",
    CostCategory.SACHKOSTEN: "Sachkosten",
    CostCategory.INVESTITIONEN: "Investitionen",
}
FUNDING_TITLES = {
    FundingKind.EIGENMITTEL: "Eigenmittel der Stadt",
    FundingKind.LAND: "Land",
    FundingKind.BUND: "Bund",
    FundingKind.EU: "Europäische Union",
    FundingKind.INDUSTRIE: "Industrie",
    FundingKind.DRITTE: "Dritte",
}
PARTNER_TYPE_TITLES = {
    "kommune": "Kommune", "unternehmen": "Unternehmen", "hochschule": "Hochschule",
    "forschung": "Forschungseinrichtung", "verein": "Verein", "verband": "Verband",
    "land": "Land", "bund": "Bund", "sonstige": "Sonstige",
}
LETTER_TITLES = {"letter_of_intent": "Absichtserklärung (LoI)", "support": "Unterstützungsschreiben"}


@dataclass(frozen=True)
class BudgetSummary:
    years: list[int]
    costs_by_category: dict[CostCategory, dict[int, Decimal]]
    funding_by_kind: dict[FundingKind, dict[int, Decimal]]
    cost_totals: dict[int, Decimal]
    funding_totals: dict[int, Decimal]
    total_costs: Decimal
    total_funding: Decimal
    own_share: Decimal  # fraction of all costs paid from the city's own funds

    @classmethod
    def of(cls, budget: Budget) -> BudgetSummary:
        years = [y.year for y in budget.years]
        costs: dict[CostCategory, dict[int, Decimal]] = {}
        funding: dict[FundingKind, dict[int, Decimal]] = {}
        for year in budget.years:
            for item in year.costs:
                row = costs.setdefault(item.category, {})
                row[year.year] = row.get(year.year, Decimal(0)) + item.amount
            for source in year.funding:
                row = funding.setdefault(source.kind, {})
                row[year.year] = row.get(year.year, Decimal(0)) + source.amount
        cost_totals = {y.year: y.cost_sum for y in budget.years}
        funding_totals = {y.year: y.funding_sum for y in budget.years}
        total_costs = budget.cost_sum
        own = budget.own_funds
        return cls(
            years=years,
            costs_by_category={k: costs[k] for k in CostCategory if k in costs},
            funding_by_kind={k: funding[k] for k in FundingKind if k in funding},
            cost_totals=cost_totals,
            funding_totals=funding_totals,
            total_costs=total_costs,
            total_funding=sum(funding_totals.values(), Decimal(0)),
            own_share=(own / total_costs) if total_costs else Decimal(0),
        )


def build_context(bid: Bid, call: Call, *, draft: bool, build_date: dt.date) -> dict:
    present = [s for s in DOCUMENT_ORDER if getattr(bid, s) not in (None, [], "")]
    measures = bid.measures or []
    fields = [(f, [m for m in measures if m.field == f.id]) for f in call.thematic_fields]
    return {
        "bid": bid,
        "call": call,
        "sections": present,
        "section_titles": SECTION_TITLES,
        "fields": [(f, ms) for f, ms in fields if ms],
        "goals_by_id": {g.id: g for g in bid.goals or []},
        "partners_by_id": {p.id: p for p in bid.partners or []},
        "budget": BudgetSummary.of(bid.budget) if bid.budget else None,
        "category_titles": CATEGORY_TITLES,
        "funding_titles": FUNDING_TITLES,
        "partner_type_titles": PARTNER_TYPE_TITLES,
        "letter_titles": LETTER_TITLES,
        "support_letters": sum(1 for p in bid.partners or [] if p.letter),
        "draft": draft,
        "build_date": build_date,
        "version": __version__,
    }
