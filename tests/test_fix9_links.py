"""A link in the bid's Markdown holds text only: emphasis around its whole text goes outside it,
emphasis of a part of it is left out. WeasyPrint 70 gave the <strong> inside <a> a link annotation
of its own, outside the PDF's Link structure element: the document was not PDF/UA-1 (rt9b E10)."""

from __future__ import annotations

import re

import pytest

from bidkit.render.markdown import markdown
from conftest import edit, run_bidkit

LINKS = ("Mehr im [**Aktionsprogramm**](https://www.wolfsburg.example/aktionsprogramm), "
         "im [*Stadtplan*](https://www.wolfsburg.example/plan), in [**beiden** Teilen](https://www.wolfsburg.example/teile) "
         "und [***allem***](https://www.wolfsburg.example/alles).")


@pytest.mark.parametrize(("text", "html"), [
    ("[**fett**](https://a.example)", '<strong><a href="https://a.example">fett</a></strong>'),
    ("[*kursiv*](https://a.example)", '<em><a href="https://a.example">kursiv</a></em>'),
    ("[***beides***](https://a.example)", '<em><strong><a href="https://a.example">beides</a></strong></em>'),
    ("[**a** und *b*](https://a.example)", '<a href="https://a.example">a und b</a>'),
    ("[*a* und *b*](https://a.example)", '<a href="https://a.example">a und b</a>'),
    ("**[fett](https://a.example)** und [x](https://b.example)",
     '<strong><a href="https://a.example">fett</a></strong> und <a href="https://b.example">x</a>'),
])
def test_a_links_text_holds_no_element(text, html):
    assert str(markdown(text)) == f"<p>{html}</p>\n"


@pytest.mark.parametrize("text", ["[](https://a.example/x)", "[ ](https://a.example/x)", "[\u00ad](https://a.example/x)",
                                  "[\u200b](https://a.example/x)"])
def test_a_link_without_visible_text_shows_its_address(text):
    """rt9b E10's aside: such a link made an annotation of no width, nothing to see or click."""
    assert str(markdown(text)) == '<p><a href="https://a.example/x">https://a.example/x</a></p>\n'


def test_the_rest_of_the_text_keeps_its_emphasis():
    assert str(markdown("**fett** [*Link*](https://a.example) *kursiv*")) == (
        '<p><strong>fett</strong> <em><a href="https://a.example">Link</a></em> <em>kursiv</em></p>\n')


@pytest.mark.slow
def test_a_document_with_emphasised_links_is_pdf_ua(bid, tmp_path):
    from test_pdf_validation import validation_failures

    edit(bid / "bid.yaml", "Wolfsburg will digitale Modellstadt werden.", "Wolfsburg will digitale Modellstadt werden. " + LINKS)
    output = tmp_path / "links.pdf"
    run = run_bidkit("build", str(bid), "-o", str(output), "--no-cache")
    assert run.code == 0, run.stdout + run.stderr
    assert validation_failures(output, "ua1") == []
    assert validation_failures(output, "3a") == []
    import pikepdf

    with pikepdf.open(output) as pdf:
        uris = [str(annot.A.URI) for page in pdf.pages for annot in page.get("/Annots", [])
                if "/A" in annot and "/URI" in annot.A and "wolfsburg.example/" in str(annot.A.URI)]
    assert sorted(set(uris)) == sorted(re.findall(r"\((https://[^)]+)\)", LINKS))
