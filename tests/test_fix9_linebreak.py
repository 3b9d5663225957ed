"""bidkit.render.linebreak: WeasyPrint 70 left a line holding only the first word of a text box (or
its hyphenated first part, „Nutzerin-“) when the rest fitted but for the space before an inline
element (rt9b E2). The internals it replaces, the defect it still repairs, and the built documents.
"""

from __future__ import annotations

import inspect
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import pdflayout
from pdflayout import SOFT_HYPHENS

# Running text whose first line, „Nutzerinnen … der Zukunft in“, comes before a name in a span: the
# paragraph is made as wide as that line and a point, less than the space after „in“ (the
# example's vision, bid_data/bid.yaml, where the page's width did the same).
LINE = "Nutzerinnen und Nutzer aus. Zugleich sollen die Ausbildungs- und Arbeitsplätze der Zukunft in"
PARAGRAPH = f'{LINE} <span class="name">Wolfsburg</span> entstehen und die Stadt für Fachkräfte noch anziehender werden.'
CSS = "@page { size: A4; margin: 20mm } html { font-family: 'DejaVu Sans'; font-size: 10pt } .name { hyphens: manual }"


def _pdf(body: str, style: str, path: Path) -> Path:
    import weasyprint

    weasyprint.HTML(string=f'<html lang="de"><style>{CSS} {style}</style>{body}</html>').write_pdf(path)
    return path


def _lines(hyphens: str, tmp_path: Path) -> list[pdflayout.Line]:
    (measured,) = pdflayout.pages(_pdf(f'<p style="white-space: nowrap">{LINE}</p>', "", tmp_path / "line.pdf"))[0].lines
    width = measured.x1 - measured.x0 + 1  # points: the line fits, with a space after it it does not
    pdf = _pdf(f"<p>{PARAGRAPH}</p>", f"p {{ hyphens: {hyphens}; width: {width:.2f}pt }}", tmp_path / f"{hyphens}.pdf")
    return pdflayout.pages(pdf)[0].lines


def test_the_repair_is_installed_over_weasyprint_70s_function():
    """Fails loudly when WeasyPrint's internals that bidkit.render.linebreak relies on change."""
    import weasyprint
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    import bidkit.render.pdf  # noqa: F401  (installs the repair, as every layout does)
    from bidkit.render import linebreak

    assert weasyprint.__version__.startswith("70."), "bidkit.render.linebreak repairs WeasyPrint 70.*: check it anew"
    assert inline.split_first_line is linebreak.split_first_line
    assert linebreak._original is line_break.split_first_line
    assert list(inspect.signature(line_break.split_first_line).parameters) == [
        "text", "style", "context", "max_width", "justification_spacing", "is_line_start", "minimum"]
    assert "split_first_line(\n        text.decode(), box.style, context, available_width,\n        box.justification_spacing, " \
           "is_line_start=is_line_start)" in inspect.getsource(inline.split_text_box)
    assert list(inspect.signature(line_break.create_layout).parameters) == [
        "text", "style", "context", "max_width", "justification_spacing"]
    assert list(inspect.signature(line_break.line_size).parameters) == ["line", "style"]


@pytest.mark.parametrize("hyphens", ["auto", "manual"])
def test_weasyprint_70_still_needs_the_repair(hyphens, tmp_path, monkeypatch):
    """Without the repair the defect shows; when it no longer does, WeasyPrint has fixed it and
    bidkit.render.linebreak can go."""
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    monkeypatch.setattr(inline, "split_first_line", line_break.split_first_line)
    texts = [line.text for line in _lines(hyphens, tmp_path)]
    alone = "Nutzerin\u2010" if hyphens == "auto" else "Nutzerinnen"
    assert alone in texts, f"WeasyPrint no longer leaves {alone!r} alone on a line: remove bidkit.render.linebreak ({texts})"


@pytest.mark.parametrize("hyphens", ["auto", "manual"])
def test_a_text_that_fits_but_for_its_trailing_space_stays_on_its_line(hyphens, tmp_path):
    import bidkit.render.pdf  # noqa: F401  (installs the repair)

    lines = _lines(hyphens, tmp_path)
    texts = [line.text for line in lines]
    assert LINE in texts, texts
    assert "Nutzerin\u2010" not in texts and "Nutzerinnen" not in texts


# --- the built documents -------------------------------------------------------------------------

_NS = "{http://www.w3.org/1999/xhtml}"


def fragments_alone(pdf: Path) -> list[str]:
    """Lines of running text that hold only the first part of a hyphenated word although the whole
    word would have fitted in the column (the widest line at the same left edge on that page):
    ``page N: 'Nutzerin-' + 'nen'``."""
    out = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=True).stdout
    found = []
    for number, page in enumerate(ET.fromstring(out).iter(f"{_NS}page"), start=1):
        lines = []
        for line in page.iter(f"{_NS}line"):
            words = [(w.text or "", float(w.get("xMin")), float(w.get("xMax"))) for w in line.iter(f"{_NS}word")]
            if words:
                lines.append((float(line.get("yMin")), float(line.get("yMax")), words))
        lines.sort(key=lambda line: (line[0], line[2][0][1]))
        for index, (top, bottom, words) in enumerate(lines):
            (text, left, right), = words[:1]
            if len(words) != 1 or not text.endswith(SOFT_HYPHENS):
                continue
            column = max(r for _, _, ws in lines for _, l, r in ws[-1:] if abs(ws[0][1] - left) < 1)
            below = [ws for t, _, ws in lines[index + 1:] if abs(ws[0][1] - left) < 1 and 0 <= t - bottom < (bottom - top)]
            if below:
                rest, rest_left, rest_right = below[0][0]
                if (right - left) + (rest_right - rest_left) <= column - left:
                    found.append(f"page {number}: {text!r} + {rest!r}")
    return found


def test_the_detector_finds_the_fragment_the_defect_left(tmp_path, monkeypatch):
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    monkeypatch.setattr(inline, "split_first_line", line_break.split_first_line)
    _lines("auto", tmp_path)
    assert fragments_alone(tmp_path / "auto.pdf") == ["page 1: 'Nutzerin\u2010' + 'nen'"]


@pytest.mark.slow
@pytest.mark.skipif(not pdflayout.available(), reason="needs pdftotext (poppler-utils)")
@pytest.mark.parametrize("document", ["example_pdf", "paderborn_pdf", "large_pdf"])
def test_no_line_of_a_built_document_holds_only_a_hyphenated_fragment(document, request):
    assert fragments_alone(request.getfixturevalue(document)) == []
