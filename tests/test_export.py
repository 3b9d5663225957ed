"""`bidkit export`: the workbook read back, its formulas recalculated and compared with check's sums."""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from bidkit.loader import load_bid
from bidkit.models import FundingKind

from conftest import EXAMPLE, REPO, edit, run_bidkit

PADERBORN = REPO / "examples" / "paderborn"
CENT = Decimal("0.01")


@pytest.fixture
def paderborn(tmp_path: Path) -> Path:
    """Several years, Land and industry money, no stated totals and no measure costs (all computed)."""
    target = tmp_path / "paderborn"
    shutil.copytree(PADERBORN, target)
    return target


@pytest.fixture(scope="module")
def paderborn_xlsx(tmp_path_factory) -> tuple[Path, Path, object]:
    """(a copy of Paderborn, its workbook, the run of `export`): one export for the tests that only
    read the workbook (test_two_exports_are_byte_identical_and_dated_by_the_bid exports it again)."""
    root = tmp_path_factory.mktemp("paderborn-xlsx")
    folder = root / "paderborn"
    shutil.copytree(PADERBORN, folder)
    out = root / "kfp.xlsx"
    return folder, out, export(folder, out)


def export(bid: Path, out: Path, *args: str, env: dict | None = None):
    run = run_bidkit("export", str(bid), "-o", str(out), *args, cwd=bid.parent, env=env)
    assert "Traceback" not in run.stderr
    return run


def recalculated(path: Path) -> dict[tuple[str, str], object]:
    """Every formula cell's value as an independent Excel evaluator (the `formulas` package) computes it."""
    import formulas

    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    values = {}
    for key, ranged in solution.items():
        sheet, _, cell = key.rpartition("!")
        if ":" not in cell:
            values[(sheet.split("]", 1)[1].rstrip("'").upper(), cell)] = ranged.value[0, 0]
    return values


def cents(value) -> Decimal:
    return Decimal(repr(float(value))).quantize(CENT)


def row_of(sheet, label: str, column: int = 2, nth: int = 1) -> int:
    rows = [cell.row for cell in sheet[openpyxl.utils.get_column_letter(column)] if cell.value == label]
    assert len(rows) >= nth, f"{label!r} not in {sheet.title}"
    return rows[nth - 1]


@pytest.mark.slow
def test_workbook_formulas_compute_checks_sums(paderborn_xlsx):
    paderborn, out, run = paderborn_xlsx
    assert run.code == 0, run.stderr
    assert run.stdout.strip() == f"Export written: {out}"
    budget = load_bid(paderborn).bid.budget
    years = [y.year for y in budget.years]
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["Übersicht", *map(str, years), "Ziele und Kennzahlen", "Maßnahmen"]
    values = recalculated(out)
    overview = book["Übersicht"]
    assert [c.value for c in overview[3]] == ["Position", *map(str, years), "Gesamt"]

    def computed(sheet, row: int, column: str) -> Decimal:
        formula = sheet[f"{column}{row}"].value
        assert isinstance(formula, str) and formula.startswith("="), f"{sheet.title}!{column}{row} is no formula: {formula!r}"
        return cents(values[(sheet.title.upper(), f"{column}{row}")])

    costs, funding = row_of(overview, "Kosten gesamt", 1), row_of(overview, "Finanzierung gesamt", 1)
    own, share = row_of(overview, "Eigenmittel der Stadt", 1), row_of(overview, "Eigenanteil (Eigenmittel / Kosten)", 1)
    for column, year in zip("BCDEFG", budget.years):
        assert computed(overview, costs, column) == year.cost_sum == year.total
        assert computed(overview, funding, column) == year.funding_sum
        own_year = sum((f.amount for f in year.funding if f.kind is FundingKind.EIGENMITTEL), Decimal(0))
        assert computed(overview, own, column) == own_year
        sheet = book[str(year.year)]
        assert computed(sheet, row_of(sheet, "Summe Kosten"), "F") == year.cost_sum
        assert computed(sheet, row_of(sheet, "Summe Finanzierung"), "F") == year.funding_sum
        assert computed(sheet, row_of(sheet, "Differenz (Finanzierung − Kosten)"), "F") == year.funding_sum - year.cost_sum
    total = "BCDEFG"[len(years)]
    assert computed(overview, costs, total) == budget.cost_sum == budget.total
    assert computed(overview, funding, total) == sum((y.funding_sum for y in budget.years), Decimal(0))
    assert computed(overview, own, total) == budget.own_funds
    share_value = values[("ÜBERSICHT", f"{total}{share}")]
    assert abs(Decimal(repr(float(share_value))) - budget.own_funds / budget.cost_sum) < Decimal("1e-12")
    assert overview[f"{total}{share}"].number_format == "0.00 %"
    # each category and funding kind, too
    for label, kind in [("Land", FundingKind.LAND), ("Industrie", FundingKind.INDUSTRIE)]:
        expected = sum((f.amount for y in budget.years for f in y.funding if f.kind is kind), Decimal(0))
        assert expected > 0 and computed(overview, row_of(overview, label, 1), total) == expected
    # the measures' costs are the validated (computed) ones, and their sum is a formula
    measures = book["Maßnahmen"]
    bid = load_bid(paderborn).bid
    assert [Decimal(str(r[9])) for r in measures.iter_rows(min_row=4, max_row=3 + len(bid.measures), values_only=True)] == [
        m.cost for m in bid.measures]
    assert computed(measures, row_of(measures, "Summe", 3), "J") == sum((m.cost for m in bid.measures), Decimal(0))


def test_workbook_is_laid_out_for_the_treasury(paderborn_xlsx):
    paderborn, out, run = paderborn_xlsx
    assert run.code == 0
    book = openpyxl.load_workbook(out)
    for sheet in book.worksheets:
        assert sheet.freeze_panes in ("A4", "B4"), sheet.title
        assert sheet.print_title_rows == "$1:$3", sheet.title
        assert int(sheet.page_setup.paperSize) == 9  # A4
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert all(cell.font.bold for cell in sheet[3] if cell.value), sheet.title
    year = book["2017"]
    amounts = [row[5] for row in year.iter_rows(min_row=4) if isinstance(row[5].value, (int, float))]
    assert amounts and all(cell.number_format == '#,##0.00 "€"' for cell in amounts)
    # amounts are numbers, not text; the formulas are what Excel stores in English
    assert year["F4"].data_type == "n"
    assert year[f"F{row_of(year, 'Summe Kosten')}"].value.startswith("=SUM(F4:F")
    kpis = book["Ziele und Kennzahlen"]
    bid = load_bid(paderborn).bid
    assert kpis.max_row - 3 == sum(max(len(g.kpis), 1) for g in bid.goals)
    assert book.properties.creator == "Stadt Paderborn" and book.properties.language == "de-DE"


@pytest.mark.slow
def test_two_exports_are_byte_identical_and_dated_by_the_bid(paderborn_xlsx, tmp_path):
    paderborn, first, run = paderborn_xlsx
    second = tmp_path / "b.xlsx"
    assert run.code == 0
    assert export(paderborn, second).code == 0
    assert first.read_bytes() == second.read_bytes()
    submission = load_bid(paderborn).bid.reference_date(load_bid(paderborn).call)
    with zipfile.ZipFile(first) as archive:
        assert {info.date_time[:3] for info in archive.infolist()} == {(submission.year, submission.month, submission.day)}
        core = archive.read("docProps/core.xml").decode()
    assert f"{submission.isoformat()}T00:00:00Z" in core
    epoch = tmp_path / "c.xlsx"
    assert export(paderborn, epoch, env={"SOURCE_DATE_EPOCH": "1700000000"}).code == 0
    with zipfile.ZipFile(epoch) as archive:
        assert "2023-11-14T22:13:20Z" in archive.read("docProps/core.xml").decode()


def test_csv_writes_one_file_per_table_with_exact_amounts(paderborn, tmp_path):
    out = tmp_path / "tables"
    run = export(paderborn, out, "--format", "csv")
    assert run.code == 0, run.stderr
    names = ["uebersicht.csv", "kosten.csv", "finanzierung.csv", "kennzahlen.csv", "massnahmen.csv"]
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    assert f"({', '.join(names)})" in run.stdout

    def table(name):
        return list(csv.DictReader(io.StringIO((out / name).read_text(encoding="utf-8"))))

    budget = load_bid(paderborn).bid.budget
    overview = {row["Position"]: row for row in table("uebersicht.csv")}
    assert Decimal(overview["Kosten gesamt"]["Gesamt"]) == budget.cost_sum
    assert Decimal(overview["Eigenmittel der Stadt"]["Gesamt"]) == budget.own_funds
    for year in budget.years:
        assert Decimal(overview["Finanzierung gesamt"][str(year.year)]) == year.funding_sum
    costs = table("kosten.csv")
    assert len(costs) == sum(len(y.costs) for y in budget.years)
    assert sum(Decimal(row["Betrag"]) for row in costs) == budget.cost_sum
    assert all(re.fullmatch(r"\d+(\.\d{1,2})?", row["Betrag"]) for row in costs)  # plain amounts, as in YAML


def test_bid_with_errors_is_refused_unless_draft(tmp_path):
    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    edit(bid / "budget.yaml", "  total: 500000\n  note", "  total: 600000\n  note")
    out = tmp_path / "kfp.xlsx"
    run = export(bid, out)
    assert run.code == 1 and "BUD002" in run.stderr and "Export refused" in run.stderr
    assert not out.exists()
    run = export(bid, out, "--draft")
    assert run.code == 0, run.stderr
    assert run.stdout.startswith("Draft written:")
    book = openpyxl.load_workbook(out)
    assert all(sheet["A1"].value.startswith("ENTWURF – ") for sheet in book.worksheets)


def test_a_bid_whose_budget_does_not_load_exports_nothing(tmp_path):
    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    edit(bid / "budget.yaml", "          amount: 150000", "          amount: viel")
    run = export(bid, tmp_path / "kfp.xlsx", "--draft")
    assert run.code == 1 and "no Kosten- und Finanzierungsplan to export" in run.stderr
    assert not (tmp_path / "kfp.xlsx").exists()


@pytest.mark.parametrize("target, format", [
    ("bid/budget.yaml", "xlsx"),
    ("bid/anlagen", "xlsx"),            # a folder
    ("bid/budget.yaml", "csv"),         # csv writes a folder, not onto a file
])
def test_export_never_overwrites_an_input_nor_a_non_file(target, format, tmp_path):
    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    before = (bid / "budget.yaml").read_bytes()
    run = run_bidkit("export", "bid", "-o", target, "--format", format, cwd=tmp_path)
    assert run.code == 2 and "Traceback" not in run.stderr and "error:" in run.stderr
    assert (bid / "budget.yaml").read_bytes() == before


def test_export_csv_refuses_to_replace_an_annex(tmp_path):
    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    annex = next(p for p in bid.rglob("*.csv"))
    (bid / "table").mkdir()
    shutil.copy(annex, bid / "table" / "kosten.csv")
    edit(bid / "bid.yaml", annex.relative_to(bid).as_posix(), "table/kosten.csv")
    run = run_bidkit("export", "bid", "-f", "csv", "-o", "bid/table", cwd=tmp_path)
    assert run.code == 2 and "is an input of the bid" in run.stderr


def test_unwritable_target_exits_3(paderborn, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    run = export(paderborn, blocker / "kfp.xlsx")
    assert run.code == 3 and "cannot write" in run.stderr


def test_cli_export_formats_are_the_exporters():
    from bidkit.cli import ExportFormat
    from bidkit.export import EXPORT_FORMATS

    assert [f.value for f in ExportFormat] == list(EXPORT_FORMATS)


def test_bid_text_stays_text_in_the_workbook(tmp_path):
    """A title that looks like a formula is shown, not run; a control character cannot break the file."""
    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    edit(bid / "budget.yaml", "        - title: Personal städtische IT",
         '        - title: "=HYPERLINK(\\"https://example.org\\",\\"x\\")\\x01"')
    out = tmp_path / "kfp.xlsx"
    assert export(bid, out).code == 1  # the control character is an error (TXT005); a draft exports it
    run = export(bid, out, "--draft")
    assert run.code == 0, run.stderr
    cell = next(c for row in openpyxl.load_workbook(out)["2017"].iter_rows() for c in row
                if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert cell.data_type == "s" and cell.value == '=HYPERLINK("https://example.org","x")\ufffd'


def test_a_year_given_twice_gets_two_sheets(tmp_path):
    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    text = (bid / "budget.yaml").read_text(encoding="utf-8")
    year = text[text.index("    - year: 2017"):]
    (bid / "budget.yaml").write_text(text.replace("  total: 500000\n  note", "  note") + year, encoding="utf-8")
    out = tmp_path / "kfp.xlsx"
    run = export(bid, out, "--draft")
    assert run.code == 0, run.stderr
    assert openpyxl.load_workbook(out).sheetnames[:3] == ["Übersicht", "2017", "2017 (2)"]


def test_missing_folder_exits_2(tmp_path):
    run = run_bidkit("export", str(tmp_path / "nope"), cwd=tmp_path)
    assert run.code == 2 and "does not exist" in run.stderr and "Traceback" not in run.stderr


def test_measures_sheet_names_goals_and_partners_as_the_document_does(paderborn_xlsx):
    paderborn, out, run = paderborn_xlsx
    assert run.code == 0
    sheet = openpyxl.load_workbook(out)["Maßnahmen"]
    header = [c.value for c in sheet[3]]
    bid = load_bid(paderborn).bid
    goals = {g.id: g.title for g in bid.goals}
    partners = {p.id: p.name for p in bid.partners}
    rows = {row[header.index("ID")]: row for row in sheet.iter_rows(min_row=4, values_only=True)
            if row[header.index("ID")]}  # the sum row has no id
    assert len(rows) == len(bid.measures)
    for measure in bid.measures:
        row = rows[measure.id]
        assert row[header.index("Ziele")] == "; ".join(goals[g] for g in measure.goals)
        assert row[header.index("Partner")] == "; ".join(partners[p] for p in measure.partners)
    assert any(row[header.index("Partner")] for row in rows.values())


def test_the_workbook_is_written_without_rescanning_the_sheet_for_each_row(monkeypatch, tmp_path):
    """openpyxl's max_row/max_column scan every cell; asked once a row, an export of 8,000 cost
    items took 96 s (rt4 D34). The count of scans must not grow with the rows."""
    import datetime as dt

    from openpyxl.worksheet.worksheet import Worksheet

    from bidkit.export import workbook_bytes
    from bidkit.loader import load_bid
    from conftest import EXAMPLE

    scans = {"count": 0}
    for name in ("max_row", "max_column"):
        original = getattr(Worksheet, name)

        def counted(self, original=original):
            scans["count"] += 1
            return original.fget(self)
        monkeypatch.setattr(Worksheet, name, property(counted))
    bid = load_bid(EXAMPLE).bid
    workbook_bytes(bid, load_bid(EXAMPLE).call, moment=dt.datetime(2017, 3, 14))
    few = scans["count"]
    year = bid.budget.years[0]
    year.costs.extend(year.costs[0].model_copy() for _ in range(300))
    scans["count"] = 0
    workbook_bytes(bid, load_bid(EXAMPLE).call, moment=dt.datetime(2017, 3, 14))
    assert scans["count"] <= few + 10, (few, scans["count"])
