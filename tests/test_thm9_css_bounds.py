"""A theme's stylesheet whose sizes and spacing are each allowed but not together (rt9b E6, E7).

THM004 bounds the line box the theme's largest font size, line height and letter and word spacing
give together (bidkit.themecss._Scan.joint); the fact lists' labels keep their spacing whatever the
theme sets (templates/style.css, dl.facts); a layout WeasyPrint cannot finish because a block is
taller than an empty page is a refused build with a reason, never „could not render: “."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bidkit.check import check_bid
from conftest import EXAMPLE, edit, line_of, run_bidkit
from test_pdf_validation import qpdf_warnings, validation_failures

#: rt9b's probe css_hpp: every value inside THM004's ranges; WeasyPrint 70 fails on it.
HPP = ("html { font-size: 18pt; letter-spacing: 0.2em; word-spacing: 0.5em; line-height: 3; }\n"
       "p, li { font-size: 18pt; text-indent: 10mm; margin: 0 0 25mm 0; padding: 0 5mm; }\n")
#: The widest text THM004 lets through (16.3 pt × (1 + 0.2/0.55 + 0.5/3.3) × 1.45 ≈ 35.8 pt of 36).
WIDEST = "html { font-size: 16.3pt; letter-spacing: 0.2em; word-spacing: 0.5em; }\n"


def _styled(bid: Path, css: str) -> Path:
    (bid / "theme").mkdir(exist_ok=True)
    (bid / "theme" / "extra.css").write_text(css, encoding="utf-8")
    edit(bid / "bid.yaml", '  accent_color: "#6f8fb0"\n', '  accent_color: "#6f8fb0"\n  stylesheet: theme/extra.css\n')
    return bid / "theme" / "extra.css"


def _thm004(bid: Path) -> list:
    result, _ = check_bid(bid)
    return [f for f in result.findings if f.rule == "THM004"]


def test_sizes_allowed_alone_but_not_together_are_found_at_the_stylesheet(bid):
    css = _styled(bid, HPP)
    found = _thm004(bid)
    assert len(found) == 1, [f.message for f in found]
    # The four largest values stand on html's line (p's 18 pt is no larger).
    assert (found[0].location.file, found[0].location.line) == (css, 1)
    assert "line-height: 3" in found[0].message and "36 pt" in found[0].message


@pytest.mark.parametrize("css", ["html { font-size: 18pt; }\n", "html { line-height: 3; }\n", WIDEST,
                                 "h1 { font-size: 36pt; line-height: 3; }\n"])
def test_each_alone_and_headings_stay_allowed(bid, css):
    _styled(bid, css)
    assert _thm004(bid) == []


def test_a_block_taller_than_a_page_is_a_refused_theme_with_a_reason(tmp_path):
    """WeasyPrint 70's `assert not page_is_empty` (layout/page.py make_page), named; if WeasyPrint
    stops raising it here this test fails, and bidkit.render.pdf._empty_page_assertion must be looked at."""
    from bidkit.errors import BuildRefused
    from bidkit.loader import load_bid
    from bidkit.paths import templates_dir
    from bidkit.render.build import document_html
    from bidkit.render.fetcher import SandboxedFetcher
    from bidkit.render.pdf import layout

    html = document_html(load_bid(EXAMPLE), draft=True, annex_list=[])
    html = html.replace("</head>", "<style>html { font-size: 36pt; line-height: 3; }</style></head>", 1)
    with pytest.raises(BuildRefused) as refused:
        layout(html, base=templates_dir(), fetcher=SandboxedFetcher([EXAMPLE, templates_dir()]), jobs=1)
    assert "page_is_empty" in refused.value.message and "theme.stylesheet" in refused.value.hint


def test_the_widest_accepted_theme_keeps_fact_labels_whole_and_the_claim(bid, tmp_path):
    _styled(bid, WIDEST)
    out = tmp_path / "widest.pdf"
    run = run_bidkit("build", str(bid), "-o", str(out))
    assert run.code == 0, run.stderr
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    words = set(text.split())
    for label in ("Verantwortlich", "Zeitraum", "Einwohner", "Bundesland"):  # dl.facts labels
        assert label in words, label
    assert validation_failures(out, "3a") == [] and validation_failures(out, "ua1") == []
    qpdf_warnings(out)
