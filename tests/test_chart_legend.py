"""The chart's legend (red-team trial rt6, D1): three entries to a row in fixed thirds put
„Eigenmittel der Großen Kreisstadt“ under the next swatch („…Kreissta▮ Land“). Entries now take
a half or the whole width when a name needs it, and a name longer than the width is broken onto
lines of its own; the picture grows to hold them."""

from __future__ import annotations

from decimal import Decimal
from xml.etree import ElementTree

import pytest

from bidkit.render.chart import CHAR, WIDTH, stacked_bars

NS = "{http://www.w3.org/2000/svg}"


def legend(names: list[str]):
    chart = stacked_bars([2017, 2018], [(name, {2017: Decimal(1000 * (i + 1)), 2018: Decimal(500)}) for i, name in enumerate(names)],
                         title="Finanzierung")
    svg = ElementTree.fromstring(chart.svg)
    height = float(svg.get("height"))
    swatches = [(float(r.get("x")), float(r.get("y"))) for r in svg.iter(f"{NS}rect") if r.get("width") == "14"]
    texts = [(float(t.get("x")), float(t.get("y")), t.text) for t in svg.iter(f"{NS}text")
             if swatches and float(t.get("y")) >= min(y for _, y in swatches)]
    return height, swatches, texts


@pytest.mark.parametrize("names", [
    ["Eigenmittel der Stadt", "Land", "Bund"],
    ["Eigenmittel der Großen Kreisstadt", "Land Bayern", "Bund"],
    ["Eigenmittel der Verwaltungsgemeinschaft Mühlstätt an der Öß", "Land", "Bund", "Volkswagen AG", "Stiftung"],
    ["Eigenmittel des Landkreises Hameln-Pyrmont und der sechs Gemeinden des Kreises, die gemeinsam bewerben", "Land", "Bund"],
    ["Eigenmittel-" + "x" * 150, "Land"],
])
def test_no_legend_text_runs_under_another_entry_or_out_of_the_picture(names):
    height, swatches, texts = legend(names)
    assert len(swatches) == len(names)
    assert " ".join(t for _, _, t in texts).replace(" ", "") == "".join(names).replace(" ", "")  # every word, in order
    for x, y, text in texts:
        end = x + len(text) * CHAR
        assert end <= WIDTH and y <= height, (text, end, y, height)
        for sx, sy in swatches:  # no swatch on the same line to the right of the text's start, before its end
            assert not (sy <= y <= sy + 12 and x < sx < end), (text, sx)
    rows = [y for _, y in swatches]
    assert len({(x, y) for x, y in swatches}) == len(swatches)  # no two entries in one place
    assert max(rows) + 10 <= height


def test_short_names_keep_three_to_a_row():
    _, swatches, _ = legend(["Eigenmittel der Stadt", "Land", "Bund"])
    assert len({y for _, y in swatches}) == 1
