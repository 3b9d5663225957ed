"""Export: the Kosten- und Finanzierungsplan, goals with KPIs and measures as a workbook or CSV.

``xlsx`` is for the treasury (Kämmerei): an overview sheet (positions down, years across), one
sheet per budget year (cost items, funding sources, subtotals), "Ziele und Kennzahlen" and
"Maßnahmen". Every sum, subtotal, difference and the own share is a live formula over the
cells above it, so a changed amount recalculates; amounts carry the format ``#,##0.00 "€"``
(shown as ``1.500,00 €`` in a German Excel or LibreOffice), header rows are frozen and repeat on
every printed A4 page. ``csv`` writes the same tables as plain files into a folder, for scripts:
comma-separated UTF-8, amounts as plain decimals as in the YAML (``1250.50``), dates as ``YYYY-MM-DD``.

Same inputs, same bytes: the workbook's document dates and its zip entries carry the build date
of the PDF (``SOURCE_DATE_EPOCH``, else the bid's submission date), never the clock.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

from bidkit.errors import EXIT_FINDINGS, BidkitError
from bidkit.fileio import atomic_write, csv_text
from bidkit.loader import LoadedBid
from bidkit.models import Bid, BudgetYear, Call, CostCategory, FundingKind, FundingSource
from bidkit.render.build import build_datetime, check_outputs, default_output
from bidkit.applicant import applicant_of, funding_titles, partner_funds_title
from bidkit.render.context import CATEGORY_TITLES

#: ``bidkit export --format`` choices; the first is the default.
EXPORT_FORMATS = ("xlsx", "csv")

MONEY = '#,##0.00 "€"'
PERCENT = "0.00 %"
DATE = "DD.MM.YYYY"
HEADER_ROW = 3  # rows 1-2: title and bid; row 3: column headers (frozen, repeated when printed)
FIRST_ROW = HEADER_ROW + 1

OVERVIEW = "Übersicht"
GOALS = "Ziele und Kennzahlen"
MEASURES = "Maßnahmen"
COST_HEADER = ["Nr.", "Kostenposition", "Kategorie", "Maßnahme", "Haushaltsvorbehalt", "Betrag"]
FUNDING_HEADER = ["Nr.", "Finanzierungsquelle", "Art", "Partner", "Gesichert", "Betrag"]
KPI_HEADER = ["Ziel-ID", "Ziel", "Kennzahl", "Einheit", "Ausgangswert", "Jahr", "Zielwert", "Zieljahr", "Quelle"]
MEASURE_HEADER = ["Nr.", "ID", "Maßnahme", "Handlungsfeld", "Federführung", "Ziele", "Partner", "Beginn", "Ende", "Kosten"]
COST_TOTAL = "Kosten gesamt"
FUNDING_TOTAL = "Finanzierung gesamt"
DIFFERENCE = "Differenz (Finanzierung − Kosten)"
OWN_SHARE = "Eigenanteil (Eigenmittel / Kosten)"
MIN_OWN_SHARE = "Mindest-Eigenanteil laut Aufruf"


class NothingToExport(BidkitError):
    """The bid has no Kosten- und Finanzierungsplan that loads (exit 1, like a refused build)."""

    exit_code = EXIT_FINDINGS



def _last(ws) -> int:
    """The sheet's last row: the row of the last ``append`` or cell written (openpyxl keeps it;
    its ``max_row`` scans every cell, and asking it once a row made an export quadratic)."""
    return ws._current_row

def _yes(flag: bool) -> str:
    return "ja" if flag else "nein"


# --- the rows of each table, shared by the workbook and the CSV files -------------------

def _cost_rows(year: BudgetYear) -> list[list[Any]]:
    return [[n, item.title, CATEGORY_TITLES[item.category.value], item.measure or "", _yes(item.budget_reservation), item.amount]
            for n, item in enumerate(year.costs, 1)]


def _funding_groups(bid: Bid) -> dict[FundingKind | tuple[str, str], str]:
    """The rows of „Finanzierung nach Art“, as the document has them: group (a kind, or ("partner",
    id) of a partner paying own funds: a partner's id may be a kind's value) → its title; a partner's own funds („Eigenmittel der Gemeinde X“)
    follow the applicant's, which they are not part of."""
    partners = {p.id: p.name for p in bid.partners or []}
    titles = funding_titles(applicant_of(bid.city))
    paying = dict.fromkeys(f.partner for y in bid.budget.years for f in y.funding if f.partner_funds)
    groups: dict[FundingKind | tuple[str, str], str] = {}
    for kind in FundingKind:
        groups[kind] = titles[kind.value]
        if kind is FundingKind.EIGENMITTEL:
            groups.update((("partner", partner), partner_funds_title(partners.get(partner, partner))) for partner in paying)
    # SUMIF compares without case: two titles alike but for case (or equal: one organisation as two
    # partners, PAR006) would each sum both; the second gets its partner's id.
    seen: set[str] = set()
    for group, title in groups.items():
        if title.casefold() in seen and isinstance(group, tuple):
            groups[group] = title = f"{title} ({group[1]})"
        seen.add(title.casefold())
    return groups


def _group(source: FundingSource) -> FundingKind | tuple[str, str]:
    return ("partner", source.partner) if source.partner_funds else source.kind


def _own_groups(groups: dict) -> list:
    """The groups whose sum is the own share: the applicant's own funds and its partners'."""
    return [group for group in groups if group is FundingKind.EIGENMITTEL or isinstance(group, tuple)]


def _funding_rows(year: BudgetYear, bid: Bid) -> list[list[Any]]:
    partners = {p.id: p.name for p in bid.partners or []}
    titles = _funding_groups(bid)
    return [[n, source.name, titles[_group(source)], partners.get(source.partner, source.partner or ""),
             _yes(source.secured), source.amount]
            for n, source in enumerate(year.funding, 1)]


def _kpi_rows(bid: Bid) -> list[list[Any]]:
    rows = []
    for goal in bid.goals or []:
        for kpi in goal.kpis:
            rows.append([goal.id, goal.title, kpi.name, kpi.unit, kpi.baseline.value, kpi.baseline.year,
                         kpi.target.value, kpi.target.year, kpi.source])
        if not goal.kpis:
            rows.append([goal.id, goal.title] + [None] * (len(KPI_HEADER) - 2))
    return rows


def _measure_rows(bid: Bid, call: Call) -> list[list[Any]]:
    """A row per measure; goals and partners by their titles and names, as the document shows them (an id that
    names nothing, an error `check` reports, stays as written)."""
    fields = {f.id: f.name for f in call.thematic_fields}
    goals = {g.id: g.title for g in bid.goals or []}
    partners = {p.id: p.name for p in bid.partners or []}
    return [[n, m.id, m.title, fields.get(m.field, m.field), m.lead, "; ".join(goals.get(g, g) for g in m.goals),
             "; ".join(partners.get(p, p) for p in m.partners),
             m.start, m.end, m.cost]  # cost: the validated value (computed from the cost items when left out)
            for n, m in enumerate(bid.measures or [], 1)]


def _sheet_names(years: list[BudgetYear]) -> list[str]:
    """One sheet per year, named by the year; a year given twice (an error, in a draft) gets a suffix."""
    names: list[str] = []
    for year in years:
        name, n = str(year.year), 1
        while name in names:
            n += 1
            name = f"{year.year} ({n})"
        names.append(name)
    return names


# --- the workbook ------------------------------------------------------------------------

def _append_text(ws, values: list[Any], *, wrap: bool = True) -> None:
    """Append a row of the bid's values, its text kept as text: a title "=1+1" is no formula, and
    control characters (XML cannot hold them; YAML's "\\x01" makes them) show as U+FFFD. Long
    text wraps in its column, and the row is made high enough for it: spreadsheet programs do
    not size the rows of a file they open."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment

    ws.append([ILLEGAL_CHARACTERS_RE.sub("\ufffd", v) if isinstance(v, str) else v for v in values])
    lines, row = 1, _last(ws)
    aligned = {text: Alignment(wrap_text=text, vertical="top") for text in (False, True)}  # one style each
    for cell in (ws.cell(row, column) for column in range(1, len(values) + 1)):
        text = isinstance(cell.value, str)
        if text:
            cell.data_type = "s"
        if wrap:
            cell.alignment = aligned[text]
        if wrap and text:
            width = int(ws.column_dimensions[cell.column_letter].width or 10)
            lines = max(lines, -(-len(cell.value) * 11 // (width * 10)))  # ~10 % lost to word breaks
    if lines > 1:
        ws.row_dimensions[row].height = 15 * lines


def _ref(sheet: str, cell: str) -> str:
    """An absolute reference into another sheet; names are always quoted (a year is no plain name)."""
    column = "".join(c for c in cell if c.isalpha())
    row = cell[len(column):]
    return "'" + sheet.replace("'", "''") + f"'!${column}${row}"


@dataclass
class _YearCells:
    """Where a year sheet holds its subtotals, for the overview's references."""

    sheet: str
    categories: dict[CostCategory, str]
    kinds: dict[FundingKind | tuple[str, str], str]  # of _funding_groups


class _Workbook:
    def __init__(self, bid: Bid, call: Call, *, draft: bool) -> None:
        from openpyxl import Workbook
        from openpyxl.styles import Border, Font, PatternFill, Side

        self.bid, self.call, self.draft = bid, call, draft
        self.book = Workbook()
        self.book.remove(self.book.active)
        self.bold = Font(bold=True)
        self.title_font = Font(bold=True, size=14)
        self.header_fill = PatternFill("solid", fgColor="DDE3EA")
        self.header_border = Border(bottom=Side(style="thin"))
        self.sum_border = Border(top=Side(style="thin"))

    def sheet(self, name: str, title: str, header: list[str], widths: list[int], *, landscape: bool = False):
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.properties import PageSetupProperties

        ws = self.book.create_sheet(name)
        ws.append([("ENTWURF – " if self.draft else "") + title])
        ws["A1"].font = self.title_font
        _append_text(ws, [f"{self.bid.title} · {self.bid.city.display_name} · {self.call.name}"], wrap=False)
        ws.append(header)
        self.header(ws, HEADER_ROW)
        for index, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = f"A{FIRST_ROW}"
        ws.print_title_rows = f"1:{HEADER_ROW}"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.oddFooter.center.text = "&A – Seite &P von &N"
        return ws

    def header(self, ws, row: int) -> None:
        """Bold on grey; the headers of amount columns right-aligned above their numbers."""
        from openpyxl.styles import Alignment

        for cell in ws[row]:
            cell.font, cell.fill, cell.border = self.bold, self.header_fill, self.header_border
            right = cell.value in ("Betrag", "Kosten", "Gesamt") or (ws.title == OVERVIEW and cell.column > 1)
            cell.alignment = Alignment(wrap_text=True, vertical="top", horizontal="right" if right else None)

    def rows(self, ws, rows: list[list[Any]], formats: dict[int, str]) -> tuple[int, int]:
        """Append ``rows``; format columns by 1-based index. Returns the first and last row."""
        first = _last(ws) + 1
        for values in rows:
            _append_text(ws, values)
            for column, number_format in formats.items():
                ws.cell(_last(ws), column).number_format = number_format
        return first, max(_last(ws), first)

    def line(self, ws, label: str, formula: Any, number_format: str = MONEY, *, column: int = 6,
             label_column: int = 2, total: bool = False) -> int:
        """A labelled row with one value (mostly a formula) in ``column``; returns its row."""
        row = _last(ws) + 1
        ws.cell(row, label_column, label)
        cell = ws.cell(row, column, formula)
        cell.number_format = number_format
        if total:
            for c in (ws.cell(row, label_column), cell):
                c.font = self.bold
            for c in ws[row][:column]:
                c.border = self.sum_border
        return row

    def summed(self, ws, rows, total_label: str, group_label: str, titles: dict) -> tuple[int, dict]:
        """Item rows, their sum, and a SUMIF per group (category or kind): (sum row, group → cell)."""
        first, last = self.rows(ws, rows, {6: MONEY})
        total = self.line(ws, total_label, f"=SUM(F{first}:F{last})", total=True)
        ws.append([None])  # a blank row that counts in max_row
        ws.append([None, group_label])
        ws.cell(_last(ws), 2).font = self.bold
        cells = {}
        for group, title in titles.items():
            row = _last(ws) + 1
            cells[group] = f"F{self.line(ws, title, f'=SUMIF($C${first}:$C${last},B{row},$F${first}:$F${last})')}"
        ws.append([None])  # a blank row that counts in max_row
        return total, cells

    def year(self, name: str, year: BudgetYear) -> _YearCells:
        ws = self.sheet(name, f"Kosten- und Finanzierungsplan {year.year}", COST_HEADER, [6, 48, 22, 26, 18, 18])
        cost_total, categories = self.summed(ws, _cost_rows(year), "Summe Kosten", "Kosten nach Kategorie",
                                             {c: CATEGORY_TITLES[c.value] for c in CostCategory})
        ws.append(FUNDING_HEADER)
        self.header(ws, _last(ws))
        groups = _funding_groups(self.bid)
        funding_total, kinds = self.summed(ws, _funding_rows(year, self.bid), "Summe Finanzierung", "Finanzierung nach Art", groups)
        self.line(ws, DIFFERENCE, f"=F{funding_total}-F{cost_total}", total=True)
        own = "+".join(kinds[group] for group in _own_groups(groups))
        self.line(ws, OWN_SHARE, f"=IF(F{cost_total}=0,0,({own})/F{cost_total})", PERCENT, total=True)
        return _YearCells(name, categories, kinds)

    def overview(self, years: list[_YearCells], labels: list[int]) -> None:
        from openpyxl.utils import get_column_letter

        header = ["Position", *map(str, labels), "Gesamt"]
        ws = self.sheet(OVERVIEW, "Kosten- und Finanzierungsplan", header, [40] + [18] * (len(labels) + 1),
                        landscape=len(labels) > 4)
        ws.freeze_panes = f"B{FIRST_ROW}"  # the labels stay in view, too
        columns = [get_column_letter(2 + i) for i in range(len(years))]
        total_column = get_column_letter(2 + len(years))

        def block(title: str, lines: list[tuple[str, Callable[[_YearCells], str]]], sum_label: str) -> tuple[int, int]:
            ws.append([title])
            ws.cell(_last(ws), 1).font = self.bold
            first = _last(ws) + 1
            for label, cell in lines:
                row = _last(ws) + 1
                ws.append([label, *(f"={_ref(y.sheet, cell(y))}" for y in years),
                           f"=SUM({columns[0]}{row}:{columns[-1]}{row})"])
                for column in [*columns, total_column]:
                    ws[f"{column}{row}"].number_format = MONEY
            last = _last(ws)
            row = last + 1
            ws.append([sum_label, *(f"=SUM({c}{first}:{c}{last})" for c in [*columns, total_column])])
            self.emphasise(ws, row, MONEY)
            return first, row

        block("Kosten", [(CATEGORY_TITLES[c.value], lambda y, c=c: y.categories[c]) for c in CostCategory], COST_TOTAL)
        costs = _last(ws)
        ws.append([None])  # a blank row that counts in max_row
        groups = _funding_groups(self.bid)
        first, funding = block("Finanzierung", [(title, lambda y, k=k: y.kinds[k]) for k, title in groups.items()],
                               FUNDING_TOTAL)
        own_rows = [first + list(groups).index(group) for group in _own_groups(groups)]
        row = _last(ws) + 1
        ws.append([DIFFERENCE, *(f"={c}{funding}-{c}{costs}" for c in [*columns, total_column])])
        self.emphasise(ws, row, MONEY)
        ws.append([None])  # a blank row that counts in max_row
        row = _last(ws) + 1
        ws.append([OWN_SHARE, *(f"=IF({c}{costs}=0,0,({'+'.join(f'{c}{r}' for r in own_rows)})/{c}{costs})"
                                for c in [*columns, total_column])])
        self.emphasise(ws, row, PERCENT)
        if self.call.own_share_min_percent is not None:
            row = _last(ws) + 1
            ws.cell(row, 1, MIN_OWN_SHARE)
            ws.cell(row, 2 + len(years), self.call.own_share_min_percent / 100).number_format = PERCENT

    def emphasise(self, ws, row: int, number_format: str) -> None:
        for cell in ws[row]:
            cell.font, cell.border = self.bold, self.sum_border
            if cell.column > 1:
                cell.number_format = number_format

    def goals(self) -> None:
        ws = self.sheet(GOALS, "Ziele und Kennzahlen", KPI_HEADER, [16, 36, 36, 14, 14, 8, 14, 10, 36], landscape=True)
        self.rows(ws, _kpi_rows(self.bid), {})

    def measures(self) -> None:
        ws = self.sheet(MEASURES, "Maßnahmen", MEASURE_HEADER, [6, 22, 40, 28, 32, 22, 22, 12, 12, 18], landscape=True)
        first, last = self.rows(ws, _measure_rows(self.bid, self.call), {8: DATE, 9: DATE, 10: MONEY})
        self.line(ws, "Summe", f"=SUM(J{first}:J{last})", column=10, label_column=3, total=True)

    def data(self, moment: dt.datetime) -> bytes:
        from openpyxl.writer.excel import ExcelWriter

        props = self.book.properties
        props.title = f"Kosten- und Finanzierungsplan – {self.bid.title}"
        props.subject = self.call.name
        props.creator = self.bid.city.display_name  # as the PDF names its author
        props.language = "de-DE"
        props.keywords = "Entwurf" if self.draft else None
        naive = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
        props.created = props.modified = naive
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            ExcelWriter(self.book, archive).write_data()  # not save_workbook(): that stamps "modified" with the clock
        return _stable_zip(buffer.getvalue(), naive)


def _stable_zip(data: bytes, moment: dt.datetime) -> bytes:
    """The same archive with every entry dated ``moment`` and fixed attributes: same inputs, same bytes."""
    stamp = max(moment, dt.datetime(1980, 1, 1)).timetuple()[:6]  # zip dates start in 1980
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.create_system = 3
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info))
    return out.getvalue()


def workbook_bytes(bid: Bid, call: Call, *, moment: dt.datetime, draft: bool = False) -> bytes:
    """The whole workbook: overview, one sheet per year, goals and KPIs, measures (those that load)."""
    book = _Workbook(bid, call, draft=draft)
    years = [book.year(name, year) for name, year in zip(_sheet_names(bid.budget.years), bid.budget.years)]
    book.overview(years, [year.year for year in bid.budget.years])
    book.book.move_sheet(OVERVIEW, offset=-len(years))  # first: written last, once the years' cells are known
    if bid.goals is not None:
        book.goals()
    if bid.measures is not None:
        book.measures()
    return book.data(moment)


# --- CSV -----------------------------------------------------------------------------------

def _plain(value: Any) -> Any:
    """CSV cells for scripts: amounts as plain decimals, dates ISO; text that a spreadsheet
    would run as a formula (``=…``, ``+…``, ``-…``, ``@…``) gets a leading apostrophe."""
    if isinstance(value, Decimal):
        return format(value, "f")  # exactly as read: 1250.50, 500000
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return csv_text(value)
    return "" if value is None else value


def _overview_rows(bid: Bid) -> tuple[list[str], list[list[Any]]]:
    """The overview with computed values: what the workbook's formulas compute."""
    years = bid.budget.years
    groups = _funding_groups(bid)

    def per_year(amount: Callable[[BudgetYear], Decimal]) -> list[Decimal]:
        values = [amount(year) for year in years]
        return [*values, sum(values, Decimal(0))]

    def share(own: list[Decimal], costs: list[Decimal]) -> list[Decimal]:
        # rounded down, so that the table never shows a share the bid does not reach
        return [(o * 100 / c).quantize(Decimal("0.01"), ROUND_DOWN) if c else Decimal(0) for o, c in zip(own, costs)]

    rows: list[list[Any]] = []
    for category in CostCategory:
        rows.append([CATEGORY_TITLES[category.value],
                     *per_year(lambda y: sum((i.amount for i in y.costs if i.category is category), Decimal(0)))])
    costs = per_year(lambda y: y.cost_sum)
    rows.append([COST_TOTAL, *costs])
    for group, title in groups.items():
        rows.append([title, *per_year(lambda y: sum((f.amount for f in y.funding if _group(f) == group), Decimal(0)))])
    funding = per_year(lambda y: y.funding_sum)
    rows.append([FUNDING_TOTAL, *funding])
    rows.append([DIFFERENCE, *(f - c for f, c in zip(funding, costs))])
    own = per_year(lambda y: sum((f.amount for f in y.funding if f.kind is FundingKind.EIGENMITTEL), Decimal(0)))  # with the partners'

    rows.append([f"{OWN_SHARE} in %", *share(own, costs)])
    return ["Position", *(str(y.year) for y in years), "Gesamt"], rows


def csv_tables(bid: Bid, call: Call) -> dict[str, bytes]:
    """File name → CSV bytes, one file per table."""
    header, rows = _overview_rows(bid)
    tables: dict[str, tuple[list[str], list[list[Any]]]] = {
        "uebersicht.csv": (header, rows),
        "kosten.csv": (["Jahr", *COST_HEADER],
                       [[y.year, *row] for y in bid.budget.years for row in _cost_rows(y)]),
        "finanzierung.csv": (["Jahr", *FUNDING_HEADER],
                             [[y.year, *row] for y in bid.budget.years for row in _funding_rows(y, bid)]),
    }
    if bid.goals is not None:
        tables["kennzahlen.csv"] = (KPI_HEADER, _kpi_rows(bid))
    if bid.measures is not None:
        tables["massnahmen.csv"] = (MEASURE_HEADER, _measure_rows(bid, call))
    files = {}
    for name, (header, rows) in tables.items():
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(header)
        writer.writerows([_plain(v) for v in row] for row in rows)
        files[name] = text.getvalue().encode("utf-8")
    return files


# --- writing -------------------------------------------------------------------------------

def default_export_path(loaded: LoadedBid, format: str) -> Path:
    """``build/<city>-<call>-kfp.xlsx`` (a folder ``…-kfp`` for csv), beside the default PDF."""
    pdf = default_output(loaded)
    return pdf.with_name(f"{pdf.stem}-kfp" + (".xlsx" if format == "xlsx" else ""))


def export_bid(loaded: LoadedBid, format: str, output: Path | None = None, *, draft: bool = False) -> list[Path]:
    """Write the export; returns the files written. Never writes onto an input of the bid."""
    bid = loaded.bid
    if not loaded.renderable or bid is None or bid.budget is None:
        raise NothingToExport(
            "no Kosten- und Finanzierungsplan to export: the budget, the call or the bid's title, city and contacts do not load",
            "Fix the errors `bidkit check` reports in budget.yaml and bid.yaml, or add a `budget:` section.",
        )
    target = output or default_export_path(loaded, format)
    if format == "xlsx":
        check_outputs(loaded, {"--output": target}, example="build/kfp.xlsx")
        atomic_write(target, workbook_bytes(bid, loaded.call, moment=build_datetime(loaded), draft=draft))
        return [target]
    if target.exists() and not target.is_dir():
        raise BidkitError(f"--output '{target}' is a file; csv writes a folder of tables",
                          "Give a folder, e.g. -o build/kfp (it is created when missing).")
    files = csv_tables(bid, loaded.call)
    check_outputs(loaded, {f"--output {name}": target / name for name in files}, example="build/kfp (a folder)")
    for name, data in files.items():
        atomic_write(target / name, data)
    return [target / name for name in files]
