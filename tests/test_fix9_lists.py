"""A list in the bid's Markdown with blank lines between its items (a „loose“ list, as pasted from a
word processor), an item of two paragraphs, a list inside an item: each item holds no <p>, so that
its PDF structure is Lbl and LBody only (rt9b E11: <li><p> made the P a child of the LI, and the
document was not PDF/UA-1)."""

from __future__ import annotations

import pytest

from bidkit.render.markdown import markdown
from conftest import edit, pdf_text, run_bidkit

LISTS = ("\n\n  - Punkt eins mit Text\n\n  - Punkt zwei\n\n    mit einem zweiten Absatz\n\n"
         "    - innen eins\n    - innen zwei\n\n  - Punkt drei\n\n  1. erstens\n\n  2. zweitens\n\n")


@pytest.mark.parametrize(("text", "html"), [
    ("- a\n\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"),
    ("- a\n\n  zweiter Absatz\n- b", "<ul>\n<li>a<br>\nzweiter Absatz</li>\n<li>b</li>\n</ul>\n"),
    ("- a\n\n  - innen\n\n- b", "<ul>\n<li>a\n<ul>\n<li>innen</li>\n</ul>\n</li>\n<li>b</li>\n</ul>\n"),
    ("3. x\n\n4. y", '<ol start="3" style="counter-reset: list-item 2">\n<li>x</li>\n<li>y</li>\n</ol>\n'),
    ("Absatz\n\nnoch einer", "<p>Absatz</p>\n<p>noch einer</p>\n"),
])
def test_list_items_hold_no_paragraph_element(text, html):
    assert str(markdown(text)) == html


@pytest.mark.slow
def test_a_document_with_loose_lists_is_pdf_ua(bid, tmp_path):
    from test_pdf_validation import validation_failures

    edit(bid / "bid.yaml", "  und sichert so Wohlstand und Lebensqualität in Wolfsburg nachhaltig.\n",
         "  und sichert so Wohlstand und Lebensqualität in Wolfsburg nachhaltig." + LISTS.replace("\n  ", "\n  "))
    output = tmp_path / "lists.pdf"
    run = run_bidkit("build", str(bid), "-o", str(output), "--no-cache")
    assert run.code == 0, run.stdout + run.stderr
    assert validation_failures(output, "ua1") == []
    assert validation_failures(output, "3a") == []
    text = "\n".join(pdf_text(output))
    assert "Punkt zwei" in text and "mit einem zweiten Absatz" in text and "innen zwei" in text
