"""Layout invariants read back from the built PDFs of both examples and the generated large bid.

Each test looks at the pages as a reader does — lines of text with their boxes, from
``pdftotext -bbox-layout`` (poppler-utils) — and names the page and the line it objects to.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import pdflayout
from bidkit.loader import load_bid
from bidkit.models import MOU_KIND_TITLES, SECTION_TITLES
from bidkit.supporters import read_register
from conftest import EXAMPLE, PADERBORN
from pdflayout import MARGIN_LEFT, MARGIN_RIGHT, normalized

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not pdflayout.available(), reason="needs pdftotext (poppler-utils)")]

BIDS = ["wolfsburg", "paderborn", "large"]


@pytest.fixture(scope="session")
def read_back(request):
    """name → (bid folder, document pages), each PDF built and read once per session."""
    cache: dict[str, tuple[Path, list[pdflayout.Page]]] = {}

    def get(name: str):
        if name not in cache:
            folder, pdf = {
                "wolfsburg": lambda: (EXAMPLE, request.getfixturevalue("example_pdf")),
                "paderborn": lambda: (PADERBORN, request.getfixturevalue("paderborn_pdf")),
                "large": lambda: (request.getfixturevalue("large_bid"), request.getfixturevalue("large_pdf")),
            }[name]()
            cache[name] = folder, pdflayout.document_pages(pdf)
        return cache[name]

    return get


def headings(folder: Path) -> list[str]:
    """Every heading the document gives the bid's sections, goals, fields and measures."""
    bid = load_bid(folder).bid
    titles = [*SECTION_TITLES.values(), "Unterstützerliste", *MOU_KIND_TITLES.values()]
    titles += [f"Ziel {i}: {goal.title}" for i, goal in enumerate(bid.goals or [], start=1)]
    titles += [f"Handlungsfeld {field.name}" for field in load_bid(folder).call.thematic_fields]
    titles += [measure.title for measure in bid.measures or []]
    return [normalized(t) for t in titles]


def proper_names(folder: Path) -> list[str]:
    """Names that must never be hyphenated: the city, the call, partners, parties, supporters, headings."""
    loaded = load_bid(folder)
    bid = loaded.bid
    names = [bid.city.name, bid.city.official_name or "", loaded.call.name, bid.title]
    names += [p.name for p in bid.partners or []]
    names += [bid.party_name(p) for p in (bid.mou.parties if bid.mou else [])]
    if bid.supporters:
        names += [s.name for s in read_register(folder, bid.supporters).supporters]
    return [n for n in names if n] + headings(folder)


@pytest.mark.parametrize("name", BIDS)
def test_no_text_outside_the_content_box(read_back, name):
    """Catches clipped chart labels and totals, over-wide tables and names running off the page."""
    _, pages = read_back(name)
    for page in pages:
        for line in page.lines:
            assert line.x0 >= MARGIN_LEFT - 1 and line.x1 <= page.width - MARGIN_RIGHT + 1, (
                f"{name} page {page.number}: '{line.text}' runs outside the content box ({line.x0:.0f}–{line.x1:.0f} pt)")


@pytest.mark.parametrize("name", BIDS)
def test_no_heading_is_the_last_block_of_a_page(read_back, name):
    folder, pages = read_back(name)
    known = headings(folder)
    for page in pages[:-1]:
        if not page.rows:
            continue
        last = page.rows[-1]
        parted = [h for h in known if h == last or (len(last) >= 10 and h.endswith(last))]
        assert not parted, f"{name} page {page.number}: heading '{parted[0]}' ends the page, its text is on the next"


KPI_HEADER = "Kennzahl Einheit Ausgangswert Zielwert Quelle"


@pytest.mark.parametrize("name", BIDS)
def test_every_kpi_table_is_on_the_page_of_its_goal(read_back, name):
    _, pages = read_back(name)
    tables = 0
    for page in pages:
        texts = page.rows
        for index, text in enumerate(texts):
            if text == KPI_HEADER:
                tables += 1
                assert any(re.match(r"Ziel \d+: ", t) for t in texts[:index]), (
                    f"{name} page {page.number}: a KPI table without its goal's heading on the page")
    assert tables > 0


@pytest.mark.parametrize("name", BIDS)
def test_cost_items_repeat_their_header_on_every_page(read_back, name):
    folder, pages = read_back(name)
    years = [y.year for y in load_bid(folder).bid.budget.years]
    texts = [page.rows for page in pages]
    first = next(i for i, page in enumerate(texts) if "Kostenpositionen" in page)
    last = next(i for i, page in enumerate(texts) if i >= first and any(t.startswith(f"Summe {years[-1]}") for t in page))
    for index in range(first, last + 1):
        assert any(re.fullmatch(r"Haushaltsjahr \d{4} Kategorie Betrag", t) for t in texts[index]), (
            f"{name} page {pages[index].number}: cost items without their header row")
    # The header repeats, the year's total does not (a footer group would stand on every page).
    for year in years:
        sums = [pages[i].number for i, page in enumerate(texts) for t in page if re.match(rf"Summe {year} [\d.]+ €$", t)]
        assert len(sums) == 1, f"{name}: 'Summe {year}' stands on pages {sums}"


@pytest.mark.parametrize("name", BIDS)
def test_no_proper_name_is_hyphenated(read_back, name):
    folder, pages = read_back(name)
    words = {w.strip("„“\"()[],.:;") for n in proper_names(folder) for w in normalized(n).split()}
    for page in pages:
        lines = page.body
        for line, following in zip(lines, lines[1:]):
            if not line.words or not following.words or not line.words[-1].endswith("-"):
                continue
            head = line.words[-1].rstrip("-").lstrip("„“\"(")
            joined = (head + following.words[0]).strip("„“\"()[],.:;")
            assert joined not in words or line.words[-1].strip("„“\"()[],.:;") in words, (
                f"{name} page {page.number}: '{line.words[-1]} {following.words[0]}' hyphenates the name '{joined}'")


def test_paderborn_shows_what_the_bid_holds(read_back):
    _, pages = read_back("paderborn")
    text = " ".join(row for page in pages for row in page.rows)
    amounts = r"(?: (?:[\d.]+ €|–))+ "  # the row's amounts per year and its sum
    assert re.search(f"Land Nordrhein-Westfalen{amounts}Land · in Aussicht gestellt", text)  # by name, with status
    assert re.search(f"Diebold Nixdorf{amounts}Industrie · gesichert", text)
    assert "Letter of Intent" in text and "Memorandum of Understanding" not in text
    assert "Stellvertretung" in text and text.count("Stellvertretung") == 1
    assert "ikt@paderborn.example" in text  # the deputy's means of contact
    # 497 supporters, counted by kind; the facts box holds the population, not the city's text.
    assert re.search(r"Zusammen 497", text)
    assert "Paderborn in Zahlen" in text


def test_chart_total_just_past_a_grid_line_stays_in_the_picture():
    """3.210.000 € over a 1-Mio. grid: Decimal's // truncated, the scale ended at 3 Mio. and the total ran off."""
    from decimal import Decimal

    from bidkit.render.chart import WIDTH, stacked_bars

    chart = stacked_bars([2017, 2018], [("Kosten", {2017: Decimal(940000), 2018: Decimal(3210000)})], title="t")
    total = re.search(r'<text x="([0-9.]+)"[^>]*font-weight="bold">3\.210\.000\u00a0€', chart.svg)
    assert float(total.group(1)) + len("3.210.000 €") * 7.8 <= WIDTH

