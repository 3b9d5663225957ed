"""Layout invariants read back from the built PDFs of both examples and the generated large bid.

Each test looks at the pages as a reader does — lines of text with their boxes, from
``pdftotext -bbox-layout`` (poppler-utils) — and names the page and the line it objects to.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import pdflayout
from bidkit.loader import load_bid
from bidkit.models import MOU_KIND_TITLES, SECTION_TITLES
from bidkit.supporters import read_register
from conftest import EXAMPLE, PADERBORN, build_once
from pdflayout import HYPHENS, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT, SOFT_HYPHENS, normalized

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
                "probe": lambda: heading_probe(request.getfixturevalue("tmp_path_factory")),
            }[name]()
            cache[name] = folder, pdflayout.document_pages(pdf)
        return cache[name]

    return get


#: One-line paragraphs of the probe's vision: as many as leave room at the foot of the page for
#: the heading "Ausgangslage" alone, but not for it and the two lines of text it must keep
#: (``orphans: 2``). test_the_probe_is_armed says when a change of the layout needs another count.
PROBE_PARAGRAPHS = 30
#: The space above a section that follows the vision (style.css: .section#vision + .section { margin-top: 2em }).
SECTION_GAP = 20.0


def heading_probe(tmp_path_factory) -> tuple[Path, Path]:
    """The example whose vision ends where a heading that does not keep with its text would be
    left at the foot of the page (the three bids never put one there: their goals, fields and
    measures are kept whole, and a section starts a page)."""
    folder = tmp_path_factory.mktemp("probe") / "bid"
    shutil.copytree(EXAMPLE, folder)
    manifest = folder / "bid.yaml"
    text = manifest.read_text(encoding="utf-8")
    start = text.index("vision: |\n")
    end = text.index("\n\n", text.index("\n\n", start) + 2)  # the vision's two paragraphs
    paragraphs = "\n\n".join(f"  Absatz {k} der Vision." for k in range(1, PROBE_PARAGRAPHS + 1))
    manifest.write_text(text[:start] + "vision: |\n" + paragraphs + text[end:], encoding="utf-8")
    out, run = build_once(folder, tmp_path_factory, "probe")
    assert run.code == 0, run.stderr
    return folder, out


def headings(folder: Path) -> list[str]:
    """Every heading the document gives the bid's sections, goals, fields and measures."""
    bid = load_bid(folder).bid
    titles = [*SECTION_TITLES.values(), "Unterstützerliste", *MOU_KIND_TITLES.values()]
    titles += [f"Ziel {i}: {goal.title}" for i, goal in enumerate(bid.goals or [], start=1)]
    titles += [f"Handlungsfeld {field.name}" for field in load_bid(folder).call.thematic_fields]
    titles += [measure.title for measure in bid.measures or []]
    return [normalized(t) for t in titles]


def proper_names(folder: Path) -> list[str]:
    """Names that must never be hyphenated, wherever they stand: the city, the call, the bid's
    title, partners, parties, supporters."""
    loaded = load_bid(folder)
    bid = loaded.bid
    names = [bid.city.name, bid.city.official_name or "", loaded.call.name, bid.title]
    names += [p.name for p in bid.partners or []]
    names += [bid.party_name(p) for p in (bid.mou.parties if bid.mou else [])]
    if bid.supporters:
        names += [s.name for s in read_register(folder, bid.supporters).supporters]
    return [n for n in names if n]


@pytest.mark.parametrize("name", BIDS)
def test_no_text_outside_the_content_box(read_back, name):
    """Catches clipped chart labels and totals, over-wide tables and names running off the page."""
    _, pages = read_back(name)
    for page in pages:
        for line in page.lines:
            assert line.x0 >= MARGIN_LEFT - 1 and line.x1 <= page.width - MARGIN_RIGHT + 1, (
                f"{name} page {page.number}: '{line.text}' runs outside the content box ({line.x0:.0f}–{line.x1:.0f} pt)")


@pytest.mark.parametrize("name", [*BIDS, "probe"])
def test_no_heading_is_the_last_block_of_a_page(read_back, name):
    folder, pages = read_back(name)
    known = headings(folder)
    for page in pages[:-1]:
        if not page.rows:
            continue
        last = page.rows[-1]
        parted = [h for h in known if h == last or (len(last) >= 10 and h.endswith(last))]
        assert not parted, f"{name} page {page.number}: heading '{parted[0]}' ends the page, its text is on the next"


def test_the_probe_is_armed(read_back):
    """The probe's heading went to the next page although it alone would have fitted: only
    keeping it with its text moved it (break-after: avoid), so the test above sees when that goes."""
    _, pages = read_back("probe")
    moved = [(pages[i - 1], page) for i, page in enumerate(pages) if page.rows and page.rows[0] == "Ausgangslage"]
    assert moved, "the heading 'Ausgangslage' starts no page: it was left behind (see the test above)"
    [(before, after)] = moved
    assert before.rows[-1] == f"Absatz {PROBE_PARAGRAPHS} der Vision.", f"retune PROBE_PARAGRAPHS: page {before.number} ends '{before.rows[-1]}'"
    heading, text = after.body[0], after.body[1]
    needed = SECTION_GAP + text.y0 - heading.y0  # the gap above the section, the heading, its space below
    free = before.height - MARGIN_BOTTOM - before.body[-1].y1
    assert needed <= free < needed + 2 * (text.y1 - text.y0), f"retune PROBE_PARAGRAPHS: {free:.0f} pt free, the heading needs {needed:.0f} pt"


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


STRIP = "„“\"()[],.:;"


def line_end_breaks(pages: list[pdflayout.Page]):
    """(page, the line's last word, the next line's first word, the word they make, the two lines
    joined, split) for each line ending in a hyphen; ``split``: the renderer split a word there
    (a soft hyphen), rather than breaking after a hyphen the word has."""
    for page in pages:
        lines = page.body
        for line, following in zip(lines, lines[1:]):
            if not line.words or not following.words or not line.words[-1].endswith(HYPHENS):
                continue
            last = line.words[-1]
            joined = (last[:-1].lstrip("„“\"(") + following.words[0]).strip(STRIP)
            yield page, last, following.words[0], joined, normalized(line.text[:-1] + following.text), last.endswith(SOFT_HYPHENS)


@pytest.mark.parametrize("name", BIDS)
def test_no_heading_is_hyphenated(read_back, name):
    """Headings, the bid's title on the cover and the competition's name break between words only."""
    folder, pages = read_back(name)
    loaded = load_bid(folder)
    titles = headings(folder) + [normalized(loaded.bid.title), normalized(loaded.call.name)]
    for page, last, first, joined, across, split in line_end_breaks(pages):
        assert not (split and any(across in title for title in titles)), (
            f"{name} page {page.number}: '{last} {first}' hyphenates the heading '{across}'")


@pytest.mark.parametrize("name", BIDS)
def test_no_proper_name_is_hyphenated(read_back, name):
    """No name of the bid split at a line end, in any text."""
    folder, pages = read_back(name)
    words = {w.strip(STRIP) for n in proper_names(folder) for w in normalized(n).split()}
    for page, last, first, joined, across, split in line_end_breaks(pages):
        # A hyphen the name has ("Paderborn-Neustadt") is a fine place to break.
        assert not (joined in words and (split or last.strip(STRIP) not in words)), (
            f"{name} page {page.number}: '{last} {first}' hyphenates the name '{joined}'")


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

