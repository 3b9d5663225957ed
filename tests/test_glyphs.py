"""Characters no font can draw never reach a PDF that claims PDF/A or PDF/UA.

`check` reports characters that are never meant in a text and those no font has (TXT005, at their
line; tests/test_glyph9_fonts.py); the build finds every character drawn as .notdef in WeasyPrint's
PDF (bidkit.render.glyphs): a final build refuses (exit 1) naming the character and its page, a
draft warns and claims no standard.
"""

from __future__ import annotations

import pikepdf
import pytest

from bidkit.check import check_bid
from bidkit.rules.characters import unwanted

from conftest import edit, line_of, run_bidkit


def txt005(folder):
    return [f for f in check_bid(folder)[0].findings if f.rule == "TXT005"]


# --- check: TXT005 -------------------------------------------------------------------------

def test_control_characters_in_the_title_are_an_error_at_its_line(bid):
    edit(bid / "bid.yaml", 'title: "#WolfsburgDigital"', 'title: "#WolfsburgDigital \\a\\e[1m – vernetzt"')
    [finding] = txt005(bid)
    assert finding.severity.value == "error" and finding.path == ("title",)
    assert finding.location.file.name == "bid.yaml"
    assert finding.location.line == line_of(bid / "bid.yaml", "title: \"#WolfsburgDigital \\a")
    assert finding.message == "U+0007 (control character), U+001B (control character) in title"
    assert "escape" in finding.hint


def test_a_character_in_a_block_text_is_found_at_its_line(bid):
    edit(bid / "bid.yaml", "  die Herausforderungen der digitalen Transformation an",
         "  die Herausforderungen der digitalen \ue000Transformation an")
    edit(bid / "measures.yaml", "title: Städtische Datenplattform", 'title: "Städtische Daten\\uFFFDplattform"')
    found = {f.location.file.name: f for f in txt005(bid)}
    assert found["bid.yaml"].location.line == line_of(bid / "bid.yaml", "digitalen \ue000Transformation")
    assert found["bid.yaml"].message == "U+E000 (private-use character) in vision"
    assert found["measures.yaml"].location.line == line_of(bid / "measures.yaml", "Daten\\uFFFDplattform")
    assert found["measures.yaml"].message == "U+FFFD REPLACEMENT CHARACTER in measures[2].title"


def test_the_example_and_real_texts_have_no_unprintable_character(bid):
    assert txt005(bid) == []
    # German typography, a soft hyphen, joiners, tab and line break, an emoji and Chinese (their
    # fonts are the build's question) are text.
    for text in ["Straße – „Mobilität“ · 1.500 € ‰ …", "Daten\u00adplattform", "a\u200db\u2060c", "a\tb\nc", "🚌", "中文"]:
        assert [c for c in text if unwanted(c)] == [], text
    assert [c for c in "\x00\x07\x1b\r\x7f\x85\ue000\U000F0000\ufdd0\uffff\ufffd\U0010FFFE" if not unwanted(c)] == []


# --- build: the characters drawn as .notdef ------------------------------------------------

def test_the_detector_names_each_missing_character_with_its_page_and_line():
    import weasyprint

    from bidkit.render.glyphs import described, missing_glyphs

    html = ('<html lang="de"><body><h1>MOL vernetzt \a\x1b[1m – Oderbruch</h1>'
            '<p style="break-before: page">Rufbus 🚌 im Landkreis – Zhōngwén 中文</p><p>Mobilität für alle</p></body></html>')
    missing = missing_glyphs(weasyprint.HTML(string=html).write_pdf())
    assert [(m.page, m.text) for m in missing] == [(1, "\a\x1b"), (2, "🚌中文")]
    assert described(missing) == [
        "U+0007 (control character), U+001B (control character) on page 1, in „MOL vernetzt ��[1m – Oderbruch“",
        "U+1F68C BUS, U+4E2D CJK UNIFIED IDEOGRAPH-4E2D, U+6587 CJK UNIFIED IDEOGRAPH-6587 on page 2, "
        "in „Rufbus 🚌 im Landkreis – Zhōngwén 中文“"]


def test_a_character_on_every_page_is_named_once_with_its_pages():
    from bidkit.render.glyphs import MissingGlyph, described

    header = [MissingGlyph(page, "\x1b", "MOL vernetzt �[1m") for page in [1, 2, 3, 4, 7]]
    assert described(header + [MissingGlyph(9, "🚌", "Rufbus 🚌")]) == [
        "U+001B (control character) on pages 1–4, 7, in „MOL vernetzt �[1m“", "U+1F68C BUS on page 9, in „Rufbus 🚌“"]


def test_the_examples_draw_every_character(example_pdf, paderborn_pdf):
    from bidkit.render.glyphs import missing_glyphs

    assert missing_glyphs(example_pdf.read_bytes()) == []
    assert missing_glyphs(paderborn_pdf.read_bytes()) == []


def emoji(bid):
    """An emoji no font of the example has, in a measure's title."""
    edit(bid / "measures.yaml", "title: Städtische Datenplattform", "title: Städtische Datenplattform 🚌 Mobilität")


@pytest.fixture
def emoji_bid(bid):
    emoji(bid)
    return bid


@pytest.mark.slow
def test_a_final_build_with_an_emoji_no_font_has_is_refused(emoji_bid, tmp_path):
    out = tmp_path / "bid.pdf"
    run = run_bidkit("build", str(emoji_bid), "-o", str(out))  # refused by its check, at the line
    assert run.code == 1, run.stdout + run.stderr
    message = " ".join(run.stderr.split())
    assert "TXT005 U+1F68C BUS in measures[2].title: no font of the document has it" in message
    assert "Städtische Datenplattform 🚌 Mobilität" in message and "Build refused" in message
    assert not out.exists()
    # With TXT005 ignored, the build's own search of the laid-out PDF refuses it: bad input, exit 1.
    edit(emoji_bid / "bid.yaml", "\ntheme:", "\nchecks: {ignore: [TXT005]}\ntheme:")
    run = run_bidkit("build", str(emoji_bid), "-o", str(out))
    assert run.code == 1, run.stdout + run.stderr
    message = " ".join(run.stderr.split())
    assert "U+1F68C BUS on page" in message and "in „Städtische Datenplattform 🚌 Mobilität" in message
    assert "theme" in message and "TXT005" in message  # the hint: a font for the theme; check names the field
    assert not out.exists()


@pytest.mark.slow
def test_a_draft_with_an_emoji_warns_and_claims_no_standard(edited_draft):
    # The draft of conftest.py's `edited_draft`: this emoji and the other edits it names.
    run, out = edited_draft.run, edited_draft.pdf
    assert run.code == 0, run.stderr
    message = " ".join(run.stderr.split())
    assert "warning: no font has this character: U+1F68C BUS on page" in message
    assert "the draft claims no PDF standard" in message
    assert f"Draft written: {out} (" in run.stdout and "pdf/a" not in run.stdout and "ua-1" not in run.stdout
    with pikepdf.open(out) as pdf:
        xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
    assert "pdfaid:" not in xmp and "pdfuaid:" not in xmp
