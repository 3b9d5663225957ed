"""The one documented context every template receives, derived from the validated bid.

Templates get data, never template source: text from YAML is autoescaped by Jinja and can
neither inject HTML nor Jinja syntax.

Context keys:
    bid            the ``Bid`` model (all sections; optional ones may be None)
    call           the ``Call`` model
    sections       section names to render: the call's required sections in its order, then the others
    section_titles German heading per section name
    fields         thematic fields with their measures: list of (ThematicField, [Measure])
    goals_by_id, partners_by_id   lookups for references
    party_names    MoU party id → the name it is shown under (its own, or its partner's)
    budget         ``BudgetSummary`` or None: per-year costs by category, funding by kind, totals
    support_letters  number of partners with a letter (they earn points in the Bitkom call)
    charts         ``Chart`` list (SVG with text alternative): costs and funding per year
    annexes        ``AnnexEntry`` list: the list of annexes (appended PDFs, embedded files)
    annex_numbers  file → annex number, for references from the MoU and the partners' letters
    theme          ``ThemeContext``: colours and fonts (css), logo, extra stylesheet
    draft          True for drafts (watermark, stamp, open points)
    stamp          drafts: "bidkit 1.0 · Commit abc1234 vom 26.11.2026" (git when available)
    open_points    drafts: the check's findings as ``OpenPoint`` list; otherwise empty
    build_date     the fixed date the document is made on (reproducible builds)
    version        bidkit's version

Long texts go through the ``markdown`` filter (a safe subset, see ``markdown.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from bidkit import __version__
from bidkit.models import LETTER_TITLES, SECTION_TITLES, Bid, Budget, Call, CostCategory, FundingKind
from bidkit.render.chart import Chart, stacked_bars
from bidkit.render.theme import ThemeContext

#: The order of sections the call does not list; the call's required sections come first, in its order.
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


@dataclass(frozen=True)
class AnnexEntry:
    number: int
    title: str
    file: str
    description: str | None
    pages: int | None  # appended PDF: its pages; embedded file: None
    present: bool = True  # drafts list missing files, too

    @property
    def kind(self) -> str:
        if not self.present:
            return "fehlt"
        return f"PDF, angehängt ({self.pages} {'Seite' if self.pages == 1 else 'Seiten'})" if self.pages else "Datei, eingebettet"


@dataclass(frozen=True)
class OpenPoint:
    rule: str
    severity: str
    where: str  # file:line relative to the bid folder
    message: str
    hint: str


def budget_charts(summary: BudgetSummary, primary: str, font: str) -> list[Chart]:
    """Costs per year by category and funding per year by source, as stacked bars."""
    return [
        stacked_bars(summary.years, [(CATEGORY_TITLES[k], v) for k, v in summary.costs_by_category.items()],
                     title="Kosten je Haushaltsjahr nach Kategorie", primary=primary, font=font),
        stacked_bars(summary.years, [(FUNDING_TITLES[k], v) for k, v in summary.funding_by_kind.items()],
                     title="Finanzierung je Haushaltsjahr nach Quelle", primary=primary, font=font),
    ]


def build_context(bid: Bid, call: Call, *, theme: ThemeContext, annexes: list[AnnexEntry], draft: bool,
                  stamp: str | None, open_points: list[OpenPoint], build_date: dt.date) -> dict:
    order = [*call.required_sections, *(s for s in DOCUMENT_ORDER if s not in call.required_sections)]
    present = [s for s in order if getattr(bid, s) not in (None, [], "")]
    measures = bid.measures or []
    fields = [(f, [m for m in measures if m.field == f.id]) for f in call.thematic_fields]
    summary = BudgetSummary.of(bid.budget) if bid.budget else None
    return {
        "bid": bid,
        "call": call,
        "sections": present,
        "section_titles": SECTION_TITLES,
        "fields": [(f, ms) for f, ms in fields if ms],
        "goals_by_id": {g.id: g for g in bid.goals or []},
        "partners_by_id": {p.id: p for p in bid.partners or []},
        "party_names": {p.id: bid.party_name(p) for p in (bid.mou.parties if bid.mou else [])},
        "budget": summary,
        "charts": budget_charts(summary, theme.primary_color, theme.font) if summary else [],
        "annexes": annexes,
        "annex_numbers": {a.file: a.number for a in annexes if a.present},
        "theme": theme,
        "stamp": stamp,
        "open_points": open_points,
        "category_titles": CATEGORY_TITLES,
        "funding_titles": FUNDING_TITLES,
        "partner_type_titles": PARTNER_TYPE_TITLES,
        "letter_titles": LETTER_TITLES,
        "support_letters": sum(1 for p in bid.partners or [] if p.letter),
        "draft": draft,
        "build_date": build_date,
        "version": __version__,
    }
