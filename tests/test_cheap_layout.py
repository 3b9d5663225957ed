"""The same pages in less layout time (issue 12): fewer boxes where the stylesheet can style the
parent, and still no word leaves its box.

The supporters' register is the costliest part of a large bid's layout (two balanced columns,
laid out several times): each item is its text, with an element only for a scan's note. Long
words (200 letters, a 60-character address) in a measure's text, a cost item and a supporter's
name still break inside their column rather than run off it.
"""

from __future__ import annotations

import re
import shutil

import pytest

import pdflayout
from bidkit.loader import load_bid
from bidkit.render import build
from bidkit.render.names import keep_whole
from conftest import EXAMPLE, PADERBORN, build_once, edit
from pdflayout import MARGIN_LEFT, MARGIN_RIGHT, MM

#: 200 letters without a break opportunity (check refuses runs over 250: TXT006).
WORD = ("Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherungsanstalt" * 3)[:200]
URL = "https://daten.example.org/unterstuetzung/register/2017/eintrag"  # 60 characters, slashes


def _html(folder) -> str:
    loaded = load_bid(folder)
    _, _, entries = build._annexes(loaded, False)
    return build.document_html(loaded, draft=False, annex_list=entries, moment=build.build_datetime(loaded))


def test_names_in_elements_never_hyphenated_get_no_span():
    """A partner's, source's or signatory's name and the supporters' register are never hyphenated:
    keep_whole leaves them as they are (a span nested in them costs a box and makes WeasyPrint 70
    break a word at a line's start), and marks the text after them again."""
    html = ('<p class="entry-head"><span class="entry-name">Stadt Paderborn <span class="x">Paderborn</span> '
            'Paderborn</span> Paderborn</p><ul class="supporter-list"><li>Paderborn <span class="scan">Paderborn'
            '</span></li></ul><p>Paderborn</p>')
    span = '<span class="proper-name">Paderborn</span>'
    assert keep_whole(html, {"Paderborn"}) == (
        '<p class="entry-head"><span class="entry-name">Stadt Paderborn <span class="x">Paderborn</span> '
        f'Paderborn</span> {span}</p><ul class="supporter-list"><li>Paderborn <span class="scan">Paderborn'
        f'</span></li></ul><p>{span}</p>')


def test_a_supporter_is_one_line_of_text():
    """Each item of the register holds its text only; a scan's note is the one element (with its
    space: WeasyPrint 70 wraps a note that does not fit at the item's first space otherwise)."""
    html = _html(PADERBORN)
    items = re.findall(r'<ul class="supporter-list">\n(.*?)</ul>', html, re.S)
    rows = [row for group in items for row in group.splitlines()]
    assert len(rows) == 497
    assert "<li>Özlem Schneider, Paderborn, 13.02.2017</li>" in rows
    assert ('<li>Sportverein Paderborn-West, Paderborn-Ost, 23.01.2017<span class="scan"> (Scan: '
            'anlagen/unterstuetzung/sportverein-paderborn-west.pdf)</span></li>') in rows
    plain = [re.sub(r'<span class="scan"> \(Scan: [^<]*\)</span>', "", row) for row in rows]
    assert all(re.fullmatch(r"<li>[^<>]+</li>", row) for row in plain), [r for r in plain if "<" in r[4:-5]][:3]


@pytest.fixture(scope="module")
def long_words(tmp_path_factory):
    """The example with a 200-letter word and a 60-character address in a measure's text, a cost
    item and a supporter's name (and a register of supporters to hold it): the pages."""
    folder = tmp_path_factory.mktemp("longwords") / "bid"
    shutil.copytree(EXAMPLE, folder)
    edit(folder / "measures.yaml", "      Die Strategische Planung erarbeitet", f"      Die {WORD} und {URL} erarbeitet")
    edit(folder / "budget.yaml", "title: Personal städtische IT", f"title: Personal {WORD} {URL}")
    rows = ["Anna Klein;citizen;Wolfsburg;01.02.2017;", f"{WORD};association;Wolfsburg;02.02.2017;",
            f"Verein {URL};association;Wolfsburg;03.02.2017;", "Jonas Becker;citizen;Wolfsburg;04.02.2017;"]
    (folder / "unterstuetzer.csv").write_text("Name;Art;Ort;Datum;Scan\n" + "\n".join(rows) + "\n", encoding="utf-8")
    with (folder / "bid.yaml").open("a", encoding="utf-8") as bid_yaml:
        bid_yaml.write("\nsupporters: {file: unterstuetzer.csv}\n")
    pdf, run = build_once(folder, tmp_path_factory, "longwords")
    assert run.code == 0, run.stdout + run.stderr
    return pdflayout.document_pages(pdf)


@pytest.mark.slow
@pytest.mark.skipif(not pdflayout.available(), reason="needs pdftotext (poppler-utils)")
def test_long_words_stay_in_their_box(long_words):
    """Every line inside the content box; in the register's two columns each line inside its column
    (160 mm of content in two columns, 8 mm apart); every letter of the long words on the page, in order."""
    column = (168 * MM - 8 * MM) / 2
    middle = MARGIN_LEFT + column + 4 * MM
    seen = ""
    for page in long_words:
        for line in page.lines:
            assert line.x0 >= MARGIN_LEFT - 1 and line.x1 <= page.width - MARGIN_RIGHT + 1, (
                f"page {page.number}: '{line.text}' runs outside the content box ({line.x0:.0f}–{line.x1:.0f} pt)")
        texts = " ".join(line.text for line in page.lines)
        if "Vereine und Initiativen" in texts:
            register = [line for line in page.lines if line.y0 > next(
                l.y0 for l in page.lines if l.text.startswith("Vereine und Initiativen"))]
            for line in register:
                assert line.x1 <= middle - 3 * MM or line.x0 >= middle + 3 * MM, (
                    f"'{line.text}' crosses from one column into the other ({line.x0:.0f}–{line.x1:.0f} pt)")
        # A broken word's lines start where its cell, column or paragraph starts: read each such
        # left edge's lines top to bottom, so that the cells beside them do not come between.
        for line in sorted(page.lines, key=lambda line: (round(line.x0), line.y0)):
            seen += re.sub(r"[\s\u00ad\u2010]", "", line.text)
    assert seen.count(WORD) == 3, "the 200-letter word is not whole on the pages three times"
    assert seen.count(URL) == 3, "the address is not whole on the pages three times"
