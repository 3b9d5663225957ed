"""The running header stays in its half of the line and on the page whatever the title (rt9b E1): a
title with a word of 170 letters ran past the right page edge and over the section name on every
page; a title too long for two lines ends with „…“."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import pdflayout
from conftest import edit, run_bidkit
from pdflayout import MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not pdflayout.available(), reason="needs pdftotext (poppler-utils)")]

WORD = "Donaudampfschifffahrtselektrizitätenhauptbetriebswerkbauunterbeamtengesellschaft"
TITLE = f"#Wolfsburg{WORD}{WORD} – digital für alle Bürgerinnen und Bürger, Unternehmen und Gäste der Stadt"
_NS = "{http://www.w3.org/1999/xhtml}"


def header_words(pdf: Path) -> list[tuple[int, float, list[tuple[str, float, float, float]]]]:
    """Per page: its number, its width and the words above the content box (text, x0, x1, y0)."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True).stdout
    pages = []
    for number, page in enumerate(ET.fromstring(out).iter(f"{_NS}page"), start=1):
        words = [(w.text or "", float(w.get("xMin")), float(w.get("xMax")), float(w.get("yMin")))
                 for w in page.iter(f"{_NS}word") if float(w.get("yMax")) <= MARGIN_TOP]
        pages.append((number, float(page.get("width")), words))
    return pages


def test_a_title_with_a_long_word_stays_in_the_headers_left_part(bid, tmp_path):
    edit(bid / "bid.yaml", 'title: "#WolfsburgDigital"', f'title: "{TITLE}"')
    output = tmp_path / "long.pdf"
    run = run_bidkit("build", str(bid), "-o", str(output), "--no-cache")
    assert run.code == 0, run.stdout + run.stderr
    bodies = {page.number: page for page in pdflayout.pages(output)}
    checked = 0
    for number, width, words in header_words(output):
        if number == 1 or not words or "Seite" not in bodies[number].text:
            continue  # the cover has no header; appended annexes are not bidkit's pages
        checked += 1
        assert all(MARGIN_LEFT - 1 <= x0 and x1 <= width - MARGIN_RIGHT + 1 for _, x0, x1, _ in words), (number, words)
        right_part = width - MARGIN_RIGHT - 0.36 * (width - MARGIN_LEFT - MARGIN_RIGHT)  # style.css: 60 % and 36 %
        left = [word for word in words if word[2] < right_part - 1]  # the title's „…“ may stand in the gap
        right = [word for word in words if word[1] >= right_part - 1]
        assert len(left) + len(right) == len(words), (number, words)  # each word in its part of the line
        for part in (left, right):
            rows = sorted({round(y0) for *_, y0 in part})
            assert len(rows) <= 2, (number, part)  # two lines at most
            for row in rows:  # no word over another
                spans = sorted((x0, x1) for _, x0, x1, y0 in part if round(y0) == row)
                assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), (number, spans)
        left, right = [word[0] for word in left], [word[0] for word in right]
        assert "".join(left).startswith("#WolfsburgDonau") and "".join(left).endswith("…"), left
        heading = next(line.text for line in bodies[number].body)  # the section's heading opens each page here
        if heading in {"Ziele und Kennzahlen", "Maßnahmen", "Ratsbeschluss"}:
            assert " ".join(right) == heading, (number, right)
    assert checked >= 8
