"""Themes (fonts, colours, stylesheet, own templates) and drafts (stamp, open points), read back."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from pypdf import PdfReader

from bidkit import __version__
from conftest import check_here, edit, pdf_fonts, pdf_text, run_bidkit

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")  # fonts-dejavu-core, installed with Pango
DOCUMENT_PAGES = 11  # of the example; the 3 annex pages follow


def text_fonts(path: Path, index: int) -> set[str]:
    """The fonts the text of one page is set in (pages may share one font resource dictionary)."""
    used: set[str] = set()

    def visit(text, cm, tm, font, size):
        if text.strip() and font:
            used.add(str(font["/BaseFont"]).split("+")[-1])

    PdfReader(path).pages[index].extract_text(visitor_text=visit)
    return used


def theme(bid: Path, extra: str) -> None:
    edit(bid / "bid.yaml", '  accent_color: "#6f8fb0"\n', f'  accent_color: "#6f8fb0"\n{extra}')


def own_theme(bid: Path, vision_template: str = "") -> None:
    """The city's own colour, font (when DejaVu Serif is installed), stylesheet and vision
    template (``vision_template`` added to its text)."""
    font = ""
    if FONT.exists():
        (bid / "theme" / "fonts").mkdir()
        shutil.copy(FONT, bid / "theme" / "fonts" / "Hausschrift.ttf")
        font = "  font_family: Hausschrift\n  fonts: [{file: theme/fonts/Hausschrift.ttf}]\n"
    (bid / "theme" / "extra.css").write_text(".cover-title { font-size: 28pt; }\n", encoding="utf-8")
    (bid / "theme" / "templates" / "sections").mkdir(parents=True)
    (bid / "theme" / "templates" / "sections" / "vision.html.j2").write_text(
        "<p class=\"own\">Eigene Vorlage der Stadt {{ bid.city.name }}</p>\n{{ bid.vision | markdown }}\n" + vision_template,
        encoding="utf-8")
    edit(bid / "bid.yaml", 'primary_color: "#003a70"', 'primary_color: "#8a1538"')
    theme(bid, font + "  stylesheet: theme/extra.css\n  templates: theme/templates\n")


@pytest.mark.slow
@pytest.mark.skipif(not FONT.exists(), reason="DejaVu Serif not installed")
def test_fonts_colours_stylesheet_and_one_template_from_the_bid_folder(themed):
    # conftest.py's `themed`: this theme (own_theme), its vision template also linking (test_hostile.py).
    bid, out, html, run = themed.folder, themed.pdf, themed.pdf.with_name("bid.html"), themed.run
    assert run.code == 0, run.stderr
    used = pdf_fonts(out, slice(0, DOCUMENT_PAGES))
    assert any(name.endswith("+Hausschrift") for name in used) and all(used.values()), used
    # The text of a page, running header and footer included, is set in the city's font.
    assert text_fonts(out, 2) == {"Hausschrift", "Hausschrift-Bold"}
    source = html.read_text(encoding="utf-8")
    assert "--primary: #8a1538" in source and (bid / "theme" / "extra.css").resolve().as_uri() in source
    text = "\n".join(pdf_text(out))
    assert "Eigene Vorlage der Stadt Wolfsburg" in text  # the replaced template
    assert "Wolfsburg will digitale Modellstadt werden" in text and "Ratsbeschluss" in text  # the others stay


def test_own_templates_run_in_a_sandbox(bid, tmp_path):
    (bid / "theme" / "templates" / "sections").mkdir(parents=True)
    (bid / "theme" / "templates" / "sections" / "vision.html.j2").write_text(
        "{{ bid.__class__.__mro__[-1].__subclasses__() }}", encoding="utf-8")
    theme(bid, "  templates: theme/templates\n")
    run = run_bidkit("build", str(bid), "--draft", "-o", str(tmp_path / "bid.pdf"))  # a final build: THM005 first
    assert run.code == 3
    assert "template error" in run.stderr and "unsafe" in run.stderr and "theme/templates" in run.stderr
    assert "Traceback" not in run.stderr and not (tmp_path / "bid.pdf").exists()


def test_theme_stylesheet_cannot_read_files_outside(bid):
    """What the build would refuse to load is a THM003 error of `check` at the stylesheet's line
    (tests/test_fix_files.py: the reasons; tests/test_hostile.py: a draft's "refused to load")."""
    (bid / "theme" / "extra.css").write_text('@import url("file:///etc/passwd");\n.cover { background: url("https://example.org/x.png"); }\n',
                                             encoding="utf-8")
    theme(bid, "  stylesheet: theme/extra.css\n")
    found = [(f["rule"], f["line"]) for f in check_here(str(bid), "--format", "json").json()["findings"]
             if f["rule"].startswith("THM")]
    assert found == [("THM003", 1), ("THM003", 2)], found


def test_final_pdf_has_no_stamp_and_no_open_points(example_pdf):
    text = "\n".join(pdf_text(example_pdf))
    assert "Offene Punkte" not in text and "bidkit " + __version__ not in text


def test_draft_in_git_is_stamped_and_lists_open_points(drafts_in_git):
    commit, run = drafts_in_git.commit, drafts_in_git.clean.run
    assert run.code == 0, run.stderr
    pages = pdf_text(drafts_in_git.clean.pdf)
    stamp = f"ENTWURF · bidkit {__version__} · Commit {commit} vom 10.03.2017"
    assert all(stamp in page for page in pages[:DOCUMENT_PAGES + 1])
    assert "mit Änderungen" not in pages[0]
    open_points = pages[DOCUMENT_PAGES]
    assert "Offene Punkte (Entwurf)" in open_points and "(2 Punkte)" in open_points
    # German: the rule's German title, file and line, field; no English message, no backticks.
    assert "PAR004 Hinweis Unterstützungsschreiben gezählt" in open_points
    assert "Datei partners.yaml, Zeile 5; Feld partners" in open_points
    assert "BUD007 Hinweis Kosten unter Haushaltsvorbehalt" in open_points and "Datei budget.yaml, Zeile 13" in open_points
    assert "`" not in open_points and "letter(s)" not in open_points and "subject to" not in open_points

    # Then the budget's total is made wrong (BUD002), not committed, and the draft built again.
    assert "  total: 600000\n  note" in (drafts_in_git.dirty.folder / "budget.yaml").read_text(encoding="utf-8")
    pages = pdf_text(drafts_in_git.dirty.pdf)
    assert f"Commit {commit} vom 10.03.2017, mit Änderungen" in pages[0]
    points = next(page for page in pages if "Offene Punkte (Entwurf)" in page and "Ergebnis" in page)
    assert "BUD002 Fehler Jahressummen ergeben nicht die Gesamtsumme" in points and "Datei budget.yaml, Zeile 7" in points


def test_draft_outside_git_is_stamped_with_the_version(draft_outside_git):
    # (Its MoU names a missing file and its letter breaks the PDF/A claim: test_pdf_standards.py and
    # test_pdf_validation.py read the same draft for those.)
    run = draft_outside_git.run
    assert run.code == 0, run.stderr
    first = pdf_text(draft_outside_git.pdf)[0]
    assert f"ENTWURF · bidkit {__version__}" in first and "Commit" not in first
