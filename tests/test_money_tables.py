"""Money tables hold any amounts: the grid is sized from the amounts (bidkit/render/tables.py).

A five-year plan with totals in the tens of millions and cents overlapped its cells
("3.280.000 €2.155.000 €") and ran past the page edge; these tests read the built tables back.
"""

from __future__ import annotations

import re
import sys
from decimal import Decimal
from types import SimpleNamespace

import pytest

import pdflayout
from conftest import REPO, run_bidkit
from pdflayout import MARGIN_LEFT, MARGIN_RIGHT


def summary(years: int, amount: str) -> SimpleNamespace:
    value = Decimal(amount)
    per_year = {2017 + i: value for i in range(years)}
    return SimpleNamespace(years=list(per_year), total_costs=value * years, total_funding=value * years,
                           cost_totals=per_year, funding_totals=per_year,
                           costs_by_category={"personalkosten": per_year}, funding_by_kind={"land": per_year})


@pytest.mark.parametrize(("years", "amount", "tables", "size"), [
    (3, "500000", [[2017, 2018, 2019]], "9"),  # Wolfsburg-sized: one table at the body's table size
    (5, "900000", [[2017, 2018, 2019, 2020, 2021]], "7.5"),  # smaller type where it saves a split
    (5, "3280000.55", [[2017, 2018, 2019], [2020, 2021]], "9"),  # split anyway: the normal size
    (6, "30000000", [[2017, 2018, 2019, 2020], [2021, 2022]], "9"),
    (10, "1500000", [[2017, 2018, 2019, 2020], [2021, 2022, 2023, 2024], [2025, 2026]], "9"),
])
def test_grid_fits_the_longest_amount(years, amount, tables, size):
    from bidkit.render.tables import CONTENT_MM, money_grid

    grid = money_grid(summary(years, amount), [])
    assert [chunk["years"] for chunk in grid["chunks"]] == tables and grid["size"] == size
    assert [chunk["sum"] for chunk in grid["chunks"]] == [False] * (len(tables) - 1) + [True]
    assert all(float(chunk["width_mm"]) <= CONTENT_MM for chunk in grid["chunks"])
    assert grid["cents"] is (True if "." in amount else None)


@pytest.fixture(scope="module")
def five_year_pdf(tmp_path_factory):
    """A generated bid over five years with millions per line and one amount with cents."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        from generate_bid import generate
    finally:
        sys.path.pop(0)
    folder = tmp_path_factory.mktemp("five") / "bid"
    generate(folder, measures=6, budget_lines=30, partners=4, kpis=6, years=5, supporters=0, line_amount=1_234_567)
    budget = folder / "budget.yaml"
    budget.write_text(budget.read_text(encoding="utf-8").replace("amount: 1234567", "amount: 1234567.55", 1), encoding="utf-8")
    out = folder.parent / "five.pdf"
    run = run_bidkit("build", str(folder), "--draft", "-o", str(out))
    assert run.code == 0, run.stderr
    return out


@pytest.mark.slow
@pytest.mark.skipif(not pdflayout.available(), reason="needs pdftotext (poppler-utils)")
def test_five_years_of_millions_with_cents_stay_apart_and_on_the_page(five_year_pdf):
    pages = pdflayout.document_pages(five_year_pdf)
    budget = [page for page in pages if "Kosten nach Kategorie" in page.text]
    assert budget, "no budget page"
    for page in pages:
        for line in page.lines:
            # Cells that run into each other read as one word: "3.280.000,00 €2.155.000,00 €".
            assert not re.search(r"€\d", line.text), f"page {page.number}: amounts overlap in '{line.text}'"
            assert line.x0 >= MARGIN_LEFT - 1 and line.x1 <= page.width - MARGIN_RIGHT + 1, (
                f"page {page.number}: '{line.text}' runs outside the content box")
    text = "\n".join(page.text for page in budget)
    for year in range(2017, 2022):
        assert str(year) in text
    assert re.search(r"\d,55\s€", text) and re.search(r"\d,00\s€", text)  # all amounts with cents when any has them
    assert "Summe" in text
