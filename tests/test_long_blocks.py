"""Blocks too long for a page start where they are, and addresses are never hyphenated (rt4 D16, D17)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bidkit.render.estimate import fits_page, kpi_lines, lines
from bidkit.render.names import keep_whole
from conftest import EXAMPLE, Build, edit, pdf_text, run_bidkit

URL = ("https://www.statistik.niedersachsen.de/startseite/themen/bevoelkerung/"
       "bevoelkerungsstand_einwohnerzahl_niedersachsens/tabellen-zur-bevoelkerungsfortschreibung-179050.html")


def test_addresses_are_kept_whole_and_trailing_punctuation_stays_outside():
    html = keep_whole(f"<td>Quelle: {URL}. Fragen an info@stadt-x.de oder (www.x.de)</td>", set())
    assert f'<span class="proper-name">{URL}</span>.' in html
    assert '<span class="proper-name">info@stadt-x.de</span>' in html and '<span class="proper-name">www.x.de</span>)' in html


def test_the_estimate_counts_rows_by_their_tallest_cell():
    short = [{"name": "Ortsteile", "source": "Stadt"}] * 3
    tall = [{"name": "Ortsteile", "source": URL}] * 3
    assert kpi_lines(tall) > kpi_lines(short) + 3 * 5
    assert lines("a\n\nb") == 2 and lines(None) == 0 and lines("x" * 200) == 3
    assert fits_page(kpi_lines(short)) and not fits_page(kpi_lines(tall * 4))


@pytest.fixture(scope="module")
def long_draft(tmp_path_factory) -> Build:
    """The example with a goal taller than a page (goal 1 with 14 more KPIs, each citing a long
    address) and a cost item in the billions, built --draft once for the two tests that read it:
    the goals and the budget are sections of their own, neither moves the other."""
    root = tmp_path_factory.mktemp("long-draft")
    bid = root / "bid"
    shutil.copytree(EXAMPLE, bid)
    kpi = ("      - name: Anteil der Haushalte mit Glasfaseranschluss im Ortsteil\n        unit: Prozent\n"
           "        baseline: {value: 15, year: 2016}\n        target: {value: 60, year: 2019}\n"
           f"        source: {URL}\n")
    edit(bid / "goals.yaml", "      - name: Ausbildungsplätze", kpi * 14 + "      - name: Ausbildungsplätze")
    edit(bid / "budget.yaml", "amount: 150000", "amount: 9995512323.34")
    out = root / "out.pdf"
    return Build(bid, out, run_bidkit("build", str(bid), "--draft", "--no-cache", "-o", str(out)))


@pytest.mark.slow
def test_a_goal_taller_than_a_page_starts_on_the_page_of_the_one_before(long_draft):
    run, out = long_draft.run, long_draft.pdf
    assert run.code in (0, 1), run.stderr
    pages = pdf_text(out)
    first = next(n for n, text in enumerate(pages) if "Ziel 1:" in text)
    second = next(n for n, text in enumerate(pages) if "Ziel 2:" in text)
    assert second == first, (first, second)  # not a page later, with most of this one left empty
    # Broken across lines where it must, with no hyphen put in: the lines join to the address.
    assert "".join(pages).replace("\n", "").count(URL) == 14


def overprinted(pdf: Path) -> list[tuple[int, str, str]]:
    """Pairs of text lines on one row of a page whose boxes overlap: text printed over text."""
    import pdflayout

    found = []
    for page in pdflayout.pages(pdf):
        body = page.body
        for index, line in enumerate(body):
            for other in body[index + 1:]:
                if abs(line.y0 - other.y0) <= 2 and line.x0 < other.x1 - 1 and other.x0 < line.x1 - 1:
                    found.append((page.number, line.text, other.text))
    return found


def large_kpi_values(bid: Path) -> None:
    """The first KPI's values in the millions."""
    edit(bid / "goals.yaml", "baseline: {value: 15, year: 2016}\n        target: {value: 60, year: 2019}",
         "baseline: {value: 1234567.5, year: 2016}\n        target: {value: 2500000, year: 2019}")


@pytest.mark.slow
def test_large_kpi_values_put_their_year_below_rather_than_overprint(edited_build):
    """„1.234.567,5 (2020)“ ran into the next column and over its text (rt4 D19)."""
    # conftest.py's `edited_build` (final: no watermark over the text): these values and the other edits it names.
    run, out = edited_build.run, edited_build.pdf
    assert run.code == 0, run.stderr
    text = "".join(pdf_text(out))
    assert "1.234.567,5" in text and "2.500.000" in text
    assert overprinted(out) == []


def test_amounts_in_the_billions_stay_inside_their_table(long_draft):
    """The bold „Summe“ of a year's cost items ran past the table and the page's margin (rt4 D32)."""
    import pdflayout

    run, out = long_draft.run, long_draft.pdf
    assert run.code in (0, 1), run.stderr
    assert "9.995.512.323,34" in "".join(pdf_text(out)).replace(" ", "")
    right = {page.number: page.width - pdflayout.MARGIN_RIGHT + 1 for page in pdflayout.pages(out)}
    outside = [(page.number, line.text) for page in pdflayout.pages(out) for line in page.body if line.x1 > right[page.number]]
    assert outside == []
