"""The Markdown subset of long texts and the SVG charts, as units."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

from bidkit.cli import PdfVariant
from bidkit.render.build import PDF_VARIANTS
from bidkit.render.chart import _SOLIDS, _nice_step, stacked_bars
from bidkit.render.markdown import markdown

SVG = "{http://www.w3.org/2000/svg}"


def test_markdown_subset():
    html = markdown("Ein *Ziel* und **fett**.\n\n- eins\n- zwei\n\n1. erstens\n2. zweitens\n\n[Bitkom](https://www.bitkom.org)")
    assert "<em>Ziel</em>" in html and "<strong>fett</strong>" in html
    assert "<ul>\n<li>eins</li>" in html and "<ol>\n<li>erstens</li>" in html
    assert '<a href="https://www.bitkom.org">Bitkom</a>' in html


def test_markdown_renders_no_raw_html_and_no_unsafe_links():
    html = markdown('<script>alert(1)</script> <img src="file:///etc/passwd"> [x](javascript:alert(1)) [f](file:///etc/passwd) ![b](bild.png)')
    assert "<script>" not in html and "<img" not in html and "href" not in html
    assert "&lt;script&gt;" in html


def test_markdown_keeps_headings_and_dates_as_text_and_sets_german_quotes():
    assert markdown("# WolfsburgDigital") == "<p># WolfsburgDigital</p>\n"
    assert markdown("5. Dezember 2016 unterzeichneten Stadt und Konzern das MoU.").startswith("<p>5. Dezember 2016")
    assert "„Digitale Stadt“" in markdown('Wettbewerb "Digitale Stadt" -- 2017')
    assert markdown(None) == ""


def test_markdown_sets_dashes_and_ellipses_and_changes_nothing_else():
    assert markdown("2017 -- 2019, 2017--2019, Ziel --- Weg, und so weiter ...") == \
        "<p>2017 – 2019, 2017–2019, Ziel — Weg, und so weiter …</p>\n"
    # markdown-it's own replacements would print ©, ®, ™, ±, '…' for '..', ',' for ',,,', '???' for '????'
    kept = "Varianten (a), (b), (c) und (r); Toleranz +-5 %; usw.. ,,, ???? !!!! ---- ...."
    assert markdown(kept) == "<p>" + kept.replace("5 %", "5\u00a0%") + "</p>\n"  # (the number keeps its unit)
    assert markdown("[https://example.org/a--b...](https://example.org/a--b...)") == \
        '<p><a href="https://example.org/a--b...">https://example.org/a--b...</a></p>\n'


def test_chart_is_valid_svg_with_escaped_labels_and_totals():
    chart = stacked_bars([2017, 2018], [("Eigenmittel <Stadt>", {2017: Decimal(500000), 2018: Decimal(250000)}),
                                        ("Land & Bund", {2018: Decimal(250000)})], title="Finanzierung")
    root = ET.fromstring(chart.svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Eigenmittel <Stadt>" in texts and "Land & Bund" in texts  # escaped in the SVG, intact when parsed
    assert texts.count("500.000\u00a0€") >= 2  # 2017's segment and both years' totals
    assert chart.alt == ("Finanzierung. 2017: Eigenmittel <Stadt> 500.000\u00a0€ (zusammen 500.000\u00a0€); "
                         "2018: Eigenmittel <Stadt> 250.000\u00a0€, Land & Bund 250.000\u00a0€ (zusammen 500.000\u00a0€).")
    assert chart.data_uri.startswith("data:image/svg+xml;base64,")


def test_chart_series_differ_in_grey_scale():
    def grey(hex_color: str) -> float:
        r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
        return 0.299 * r + 0.587 * g + 0.114 * b

    levels = sorted(grey(c) for c in ("#003a70", *_SOLIDS[1:]))
    assert all(b - a > 40 for a, b in zip(levels, levels[1:])), levels
    chart = stacked_bars([2017], [(f"Quelle {i}", {2017: Decimal(100)}) for i in range(6)], title="t")
    assert chart.svg.count('fill="url(#hatch') == 6  # sources 4-6 hatched: three bars and three legend boxes


def test_nice_grid_steps():
    assert _nice_step(Decimal(500000)) == Decimal(100000)
    assert _nice_step(Decimal(1234567)) == Decimal(250000)
    assert _nice_step(Decimal(0)) == 1


def test_pdf_variant_option_offers_the_build_variants():
    assert [v.value for v in PdfVariant] == list(PDF_VARIANTS)


def test_chart_amounts_show_cents_alike_when_one_has_them():
    """As in the plan's tables: „350.000,00 €“ beside „420.000,25 €“, never „350.000 €“ (rt4 D12)."""
    chart = stacked_bars([2017, 2018], [("Eigenmittel", {2017: Decimal(350000), 2018: Decimal("420000.25")}),
                                        ("Land", {2018: Decimal(650000)})], title="Finanzierung")
    texts = [t.text for t in ET.fromstring(chart.svg).iter(f"{SVG}text") if t.text and "€" in t.text and "Mio" not in t.text]
    assert texts and all(",00\u00a0€" in t or ",25\u00a0€" in t for t in texts), texts
    assert "Eigenmittel 350.000,00\u00a0€ (zusammen 350.000,00\u00a0€)" in chart.alt


def test_numbers_stay_on_the_line_of_their_unit_in_the_bids_own_texts():
    """„23,4“ / „%“, „31,5 Mio.“ / „€“, „12.“ / „Dezember“ broke across lines in the city's texts (rt4 D3)."""
    html = str(markdown("Am 12. Dezember 2016: 23,4 % mehr, rund 31,5 Mio. € (S. 15, § 7). 2016 waren es 5 Teilnehmer."))
    assert "12.\u00a0Dezember" in html and "23,4\u00a0%" in html and "31,5\u00a0Mio.\u00a0€" in html
    assert "S.\u00a015" in html and "§\u00a07" in html
    assert "2016 waren es 5 Teilnehmer" in html  # other spaces stay
    assert str(markdown("[23 % mehr](https://example.org)")).count("\u00a0") == 0  # a link's text as written
