"""The one documented context every template receives, derived from the validated bid.

Templates get data, never template source: text from YAML is autoescaped by Jinja and can
neither inject HTML nor Jinja syntax. And they get plain data only (``plain``): strings,
numbers, Decimals, dates, lists, dicts and read-only ``Record``s — never a model, a path, a
module or anything else with methods that reach the file system. Models and value objects
become ``Record``s of their fields and computed properties; enumerations their values.

Context keys:
    bid            the bid (all sections; optional ones may be None), fields as in the models
    call           the call
    applicant      ``bidkit.applicant.Applicant``: the applicant's name and kind with their German forms
                   (``applicant.full_accusative`` „den Landkreis Märkisch-Oderland“, ``applicant.genitive``
                   „der Stadt“, ``applicant.kind`` „Landkreis“, „Kommune“ for an unknown kind)
    sections       section names to render: the call's required sections in its order, then the others
    section_titles German heading per section name (the MoU's after its kind: Letter of Intent, …)
    fields         thematic fields with their measures: list of (ThematicField, [Measure])
    measure_groups the measures in the order the bid chose (``measure_order``): list of
                   (ThematicField, [Measure]); with 'bid', a field may head more than one group
    funding_sources  funding by name: ``FundingLine`` list (name, kind, secured, per year, total)
    supporters     ``SupporterList`` or None: the register's supporters by kind, with counts (a variant
                   without private supporters lists only the others' names; ``withheld`` counts the rest)
    goals_by_id, partners_by_id   lookups for references
    party_names    MoU party id → the name it is shown under (its own, or its partner's)
    budget         ``BudgetSummary`` or None: per-year costs by category, funding by kind, totals
    support_letters  number of partners with a letter (they earn points in the Bitkom call)
    charts         ``Chart`` list (SVG with text alternative): costs and funding per year
    annexes        ``AnnexEntry`` list: the list of annexes (appended PDFs, embedded files)
    annex_numbers  file → annex number, for references from the MoU and the partners' letters
    theme          colours and fonts (css), logo_url, logo_alt, stylesheet_url, primary_color, font
    draft          True for drafts (watermark, stamp, open points)
    stamp          drafts: "bidkit 1.0 · Commit abc1234 vom 26.11.2026" (git when available)
    open_points    drafts: the check's findings as ``OpenPoint`` list; otherwise empty (in a variant without
                   their English message and hint, which may quote a removed value)
    build_date     the fixed date the document is made on (reproducible builds)
    version        bidkit's version
    variant        None for the full bid; else ``VariantInfo`` (name, label, removes): the variant
                   (``bidkit build --variant``). Its removed values are not in ``bid`` at all: a removed
                   contact is None (show ``bid.city.public_contact`` instead), a removed name "", and
                   ``annexes`` lists only the annexes the variant keeps.

Long texts go through the ``markdown`` filter (a safe subset, see ``markdown.py``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from bidkit import __version__
from bidkit.applicant import applicant_of, funding_titles, own_share_holders, partner_funds_title, resolution_title
from bidkit.models import (
    CATEGORY_TITLES, FUNDING_TITLES, LETTER_TITLES, MOU_KIND_TITLES, SECTION_TITLES, SUPPORTER_KIND_TITLES, Bid, Budget, Call,
    CostCategory, FundingKind, Removal,
)
from bidkit.render.chart import Chart, stacked_bars
from bidkit.render.theme import ThemeContext
from bidkit.supporters import Register
from bidkit.variants import DocumentVariant, is_private_supporter, redact

#: The order of sections the call does not list; the call's required sections come first, in its order.
DOCUMENT_ORDER = ["vision", "starting_situation", "goals", "measures", "mou", "partners", "supporters", "budget",
                  "council_resolution"]

def section_order(required: list[str]) -> list[str]:
    """The call's sections in the call's order; a section the call does not name follows the one
    it follows in DOCUMENT_ORDER (the supporters after the partners, not at the end)."""
    order = list(dict.fromkeys(required))
    for index, section in enumerate(DOCUMENT_ORDER):
        if section not in order:
            before = [s for s in DOCUMENT_ORDER[:index] if s in order]
            order.insert(order.index(before[-1]) + 1 if before else 0, section)
    return order


PARTNER_TYPE_TITLES = {
    "kommune": "Kommune", "unternehmen": "Unternehmen", "hochschule": "Hochschule",
    "forschung": "Forschungseinrichtung", "verein": "Verein", "verband": "Verband",
    "land": "Land", "bund": "Bund", "oeffentlich": "Öffentliche Einrichtung", "stiftung": "Stiftung",
    "kirche": "Kirche", "gemeinnuetzig": "Gemeinnützige Organisation", "sonstige": "Sonstige",
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
    own_share: Decimal  # fraction of all costs paid from own funds (the partner municipalities' too)
    #: "Finanzierung nach Art der Quelle": (title, per year) for each kind, a joint bid's partner
    #: municipalities' own funds in rows of their own after the applicant's („Eigenmittel der Gemeinde …“)
    funding_rows: list[tuple[str, dict[int, Decimal]]]
    applicant_own_funds: Decimal  # the own funds without a partner: what the applicant's council commits
    shared_own_funds: bool  # partner municipalities pay part of the own share (a joint bid)

    @classmethod
    def of(cls, budget: Budget, titles: Mapping[str, str] = FUNDING_TITLES,
           partner_names: Mapping[str, str] = {}) -> BudgetSummary:  # noqa: B006 - read only
        years = [y.year for y in budget.years]
        costs: dict[CostCategory, dict[int, Decimal]] = {}
        funding: dict[FundingKind, dict[int, Decimal]] = {}
        partners: dict[str, dict[int, Decimal]] = {}
        for year in budget.years:
            for item in year.costs:
                row = costs.setdefault(item.category, {})
                row[year.year] = row.get(year.year, Decimal(0)) + item.amount
            for source in year.funding:
                for row in (funding.setdefault(source.kind, {}),
                            *([partners.setdefault(source.partner, {})] if source.partner_funds else [])):
                    row[year.year] = row.get(year.year, Decimal(0)) + source.amount
        cost_totals = {y.year: y.cost_sum for y in budget.years}
        funding_totals = {y.year: y.funding_sum for y in budget.years}
        total_costs = budget.cost_sum
        own = budget.own_funds
        rows = []
        for kind in (k for k in FundingKind if k in funding):
            per_year = funding[kind]
            if kind is FundingKind.EIGENMITTEL and partners:
                per_year = {y: v - sum((p.get(y, Decimal(0)) for p in partners.values()), Decimal(0)) for y, v in per_year.items()}
                per_year = {y: v for y, v in per_year.items() if v}
            if per_year:
                rows.append((titles[kind.value], per_year))
            if kind is FundingKind.EIGENMITTEL:
                rows += [(partner_funds_title(partner_names.get(p, p)), per) for p, per in partners.items()]
        return cls(
            years=years,
            costs_by_category={k: costs[k] for k in CostCategory if k in costs},
            funding_by_kind={k: funding[k] for k in FundingKind if k in funding},
            cost_totals=cost_totals,
            funding_totals=funding_totals,
            total_costs=total_costs,
            total_funding=sum(funding_totals.values(), Decimal(0)),
            own_share=(own / total_costs) if total_costs else Decimal(0),
            funding_rows=rows,
            applicant_own_funds=own - sum((v for p in partners.values() for v in p.values()), Decimal(0)),
            shared_own_funds=bool(partners),
        )


@dataclass(frozen=True)
class FundingLine:
    """One funding source by name: a row of the table "Finanzierungsquellen"."""

    name: str
    kind: str  # German title of its kind
    secured: bool  # False: only promised ("in Aussicht gestellt")
    per_year: dict[int, Decimal]
    total: Decimal


def funding_lines(budget: Budget, titles: Mapping[str, str] = FUNDING_TITLES,
                  partner_names: Mapping[str, str] = {}) -> list[FundingLine]:  # noqa: B006 - read only
    """Funding sources by name, kind and status (a source secured in one year and only promised in
    another makes two lines), in the order they first appear; a partner municipality's own funds
    are titled as its own („Eigenmittel der Gemeinde Tiefenbach“). Names that differ only by the
    year they are given in („Haushalt des Bezirks 2025“, „… 2026“) are one source: one line,
    „Haushalt des Bezirks (2025–2031)“, not a line per year with one amount."""
    def kind_of(source) -> str:
        return partner_funds_title(partner_names.get(source.partner, source.partner)) if source.partner_funds \
            else titles[source.kind.value]

    # A name that ends in its own budget year, and whose rest comes so in two years or more, is one
    # source; a year that is part of a name („Agenda 2030“ in 2030 only) stays as written.
    years_of: dict[tuple[str, str, bool], set[int]] = {}
    for year in budget.years:
        for source in year.funding:
            if _ends_in_year(source.name, year.year):
                years_of.setdefault((_YEAR_AT_END.sub("", source.name), kind_of(source), source.secured), set()).add(year.year)
    lines: dict[tuple[str, str, bool, bool], dict[int, Decimal]] = {}
    for year in budget.years:
        for source in year.funding:
            kind, base = kind_of(source), _YEAR_AT_END.sub("", source.name)
            dated = _ends_in_year(source.name, year.year) and len(years_of.get((base, kind, source.secured), ())) > 1
            row = lines.setdefault((base if dated else source.name, kind, source.secured, dated), {})
            row[year.year] = row.get(year.year, Decimal(0)) + source.amount
    return [FundingLine(_dated_name(name, per_year) if dated else name, kind, secured, per_year, sum(per_year.values(), Decimal(0)))
            for (name, kind, secured, dated), per_year in lines.items()]


#: A year at the end of a source's name: „Haushalt 2025“, „Haushalt (2025)“, „Haushalt – 2025“.
_YEAR_AT_END = re.compile(r"\s*(?:[-–,]\s*)?\(?(?:19|20)\d\d\)?$")


def _ends_in_year(name: str, year: int) -> bool:
    match = _YEAR_AT_END.search(name)
    return match is not None and str(year) in match.group() and match.start() > 0


def _dated_name(name: str, per_year: dict[int, Decimal]) -> str:
    first, last = min(per_year), max(per_year)
    return f"{name} {first}" if first == last else f"{name} ({first}–{last})"


@dataclass(frozen=True)
class SupporterGroup:
    kind: str  # German title
    count: int
    supporters: list[dict]  # name, place, date, file: those whose names this variant shows
    withheld: int = 0  # private supporters counted but not named (a variant without private supporters)


def natural_key(text: str) -> list:
    """Sorts „Nr. 2“ before „Nr. 10“: the numbers in ``text`` by value, the rest case-blind and as
    a German name list sorts letters (DIN 5007-2: „Ö“ as „Oe“, „Ł“ as „L“, „Ž“ as „Z“), not after „Z“."""
    from bidkit.letters import plain_letters

    return [int(part) if i % 2 else plain_letters(part.casefold()) for i, part in enumerate(re.split(r"(\d+)", text))]


@dataclass(frozen=True)
class SupporterList:
    file: str
    total: int
    groups: list[SupporterGroup]  # in the order of SUPPORTER_KIND_TITLES, empty kinds left out
    scans: int  # rows that name a scanned letter (in a variant without private persons: of the others)

    @classmethod
    def of(cls, register: Register, *, without_private: bool = False) -> SupporterList:
        groups = []
        for kind, title in SUPPORTER_KIND_TITLES.items():
            members = sorted((s for s in register.supporters if s.kind == kind), key=lambda s: (natural_key(s.name), natural_key(s.place)))
            if members:
                named = [s for s in members if not (without_private and is_private_supporter(s))]
                groups.append(SupporterGroup(title, len(members), [
                    {"name": s.name, "place": s.place, "date": s.date, "file": s.file} for s in named],
                    len(members) - len(named)))
        return cls(register.file, len(register.supporters), groups,
                   sum(1 for s in register.supporters if s.file and not (without_private and is_private_supporter(s))))


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
    message: str  # English, as the command line reports it
    hint: str  # English
    title: str = ""  # the rule's German title: what the PDF shows
    field: str = ""  # dotted field path, e.g. budget.years[0].total
    file: str = ""  # relative to the bid folder
    line: int | None = None
    cell: str = ""  # a spreadsheet's cell, e.g. Kosten!E4 (then ``line`` is its row)


@dataclass(frozen=True)
class VariantInfo:
    name: str  # as given to --variant, e.g. "public"
    label: str  # German, e.g. "Öffentliche Fassung"
    removes: list[str]  # the vocabulary's words (models.Removal), e.g. ["contact", "private_supporters"]

    @classmethod
    def of(cls, variant: DocumentVariant) -> VariantInfo:
        return cls(variant.name, variant.label, sorted(removal.value for removal in variant.removes))


def budget_charts(summary: BudgetSummary, primary: str, font: str) -> list[Chart]:
    """Costs per year by category and funding per year by source, as stacked bars."""
    return [
        stacked_bars(summary.years, [(CATEGORY_TITLES[k.value], v) for k, v in summary.costs_by_category.items()],
                     title="Kosten je Haushaltsjahr nach Kategorie", primary=primary, font=font),
        stacked_bars(summary.years, summary.funding_rows,
                     title="Finanzierung je Haushaltsjahr nach Quelle", primary=primary, font=font, rest="Übrige Quellen ({})"),
    ]


def measure_groups(bid: Bid, call: Call) -> list[tuple[Any, list]]:
    """(field, measures) runs in the order the bid chose: the call's fields, or the bid's own list."""
    measures = bid.measures or []
    if bid.measure_order == "call":
        fields = [(f, [m for m in measures if m.field == f.id]) for f in call.thematic_fields]
        return [(f, ms) for f, ms in fields if ms]
    by_id = {f.id: f for f in call.thematic_fields}
    groups: list[tuple[Any, list]] = []
    for measure in measures:
        field = by_id.get(measure.field)
        if groups and groups[-1][0] is field:
            groups[-1][1].append(measure)
        else:
            groups.append((field, [measure]))
    return [(f, ms) for f, ms in groups if f is not None]


def build_context(bid: Bid, call: Call, *, theme: ThemeContext, annexes: list[AnnexEntry], draft: bool,
                  stamp: str | None, open_points: list[OpenPoint], build_date: dt.date,
                  register: Register | None = None, variant: DocumentVariant | None = None) -> dict:
    """The context of the document; for a ``variant``, of the bid without what it removes (``annexes``
    are the variant's already: ``bidkit.variants.kept_annexes``)."""
    bid = redact(bid, variant)
    if variant:
        open_points = [dataclasses.replace(point, message="", hint="") for point in open_points]
    order = section_order(call.required_sections)
    without_private = variant is not None and Removal.PRIVATE_SUPPORTERS in variant
    supporters = SupporterList.of(register, without_private=without_private) if register and register.supporters else None
    present = [s for s in order if (supporters if s == "supporters" else getattr(bid, s)) not in (None, [], "")]
    measures = bid.measures or []
    fields = [(f, [m for m in measures if m.field == f.id]) for f in call.thematic_fields]
    applicant = applicant_of(bid.city)
    titles = {**SECTION_TITLES, "supporters": "Unterstützerliste", "council_resolution": resolution_title(applicant.council)}
    funding = funding_titles(applicant)
    partner_names = {p.id: p.name for p in bid.partners or []}
    summary = BudgetSummary.of(bid.budget, funding, partner_names) if bid.budget else None
    if bid.mou:
        titles["mou"] = MOU_KIND_TITLES[bid.mou.kind.value]
    return plain({
        "bid": bid,
        "call": call,
        "sections": present,
        "section_titles": titles,
        "fields": [(f, ms) for f, ms in fields if ms],
        "measure_groups": measure_groups(bid, call),
        "funding_sources": funding_lines(bid.budget, funding, partner_names) if bid.budget else [],
        "supporters": supporters,
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
        "funding_titles": funding,
        "applicant": applicant,
        "own_share_holders": own_share_holders(applicant, bool(summary and summary.shared_own_funds)),
        "partner_type_titles": PARTNER_TYPE_TITLES,
        "letter_titles": LETTER_TITLES,
        "support_letters": sum(1 for p in bid.partners or [] if p.letter),
        "draft": draft,
        "build_date": build_date,
        "version": __version__,
        "variant": VariantInfo.of(variant) if variant else None,
    })


class Record(Mapping):
    """Read-only named values for templates: ``record.name`` and ``record["name"]``."""

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, Any]) -> None:
        object.__setattr__(self, "_values", values)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a Record is read-only")

    def __getitem__(self, name: str) -> Any:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Record({self._values!r})"


#: The types a template may see (``Record``, ``list`` and ``dict`` hold only these, too).
PLAIN_TYPES = (str, int, Decimal, dt.date, type(None), Record, list, dict)


def _properties(cls: type) -> list[str]:
    """Computed properties a model or value class defines (its own and inherited ones)."""
    return [name for klass in cls.__mro__ if klass.__module__.startswith("bidkit.")
            for name, member in vars(klass).items() if isinstance(member, property) and not name.startswith("_")]


def plain(value: Any, _within: frozenset[int] = frozenset()) -> Any:
    """``value`` as plain data for templates (see the module docstring).

    Plain data is a tree: a value that holds itself (a property returning its owner or an
    ancestor) is a programming error, reported as such instead of recursing without end."""
    if id(value) in _within:
        raise TypeError(f"{type(value).__name__} holds itself: plain data for templates must be a tree")
    if isinstance(value, enum.Enum):
        return value.value
    if type(value) is str:  # composed (NFC): text pasted from a Mac in decomposed form is searchable in the PDF
        return value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)
    if isinstance(value, (str, int, Decimal, dt.date, type(None))):  # Markup is a str
        return value
    if isinstance(value, BaseModel):
        fields = {name: getattr(value, name) for name in type(value).model_fields}
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    elif isinstance(value, Mapping):
        within = _within | {id(value)}
        return {plain(key, within): plain(item, within) for key, item in value.items()}
    elif isinstance(value, (list, tuple)):
        within = _within | {id(value)}
        return [plain(item, within) for item in value]
    else:
        raise TypeError(f"{type(value).__name__} is not plain data for templates")
    fields.update((name, getattr(value, name)) for name in _properties(type(value)))
    within = _within | {id(value)}
    return Record({name: plain(item, within) for name, item in fields.items()})
