"""Issue 10: the supporters' scans (register column Scan) appended as one annex
"Anlage N: Unterstützungsschreiben" with a bookmark per letter, checked as annexes are."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

import annex_samples
from bidkit.check import check_bid
from bidkit.errors import RenderError
from bidkit.loader import load_bid
from bidkit.pdfcheck import section_pages
from bidkit.render.build import build_pdf
from conftest import PADERBORN, line_of, pdf_text, run_bidkit
from test_hostile_annexes import rc4_encrypted

HEADER = "Name;Art;Ort;Datum;Scan\n"
SCANNED = ["Julia Koch", "Sportverein Paderborn-West", "Druckerei Paderborn-Am Bahnhof",
           "Forschungsgruppe Daten Paderborn-Neustadt", "Gesamtschule Paderborn-Am Bahnhof"]


def annex_outline(path: Path) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """Top-level bookmarks (title, 0-based page, children as (title, page))."""
    reader = PdfReader(path)
    items = []
    for item in reader.outline:
        if isinstance(item, list):
            title, page, _ = items[-1]
            children = [(child.title, reader.get_destination_page_number(child)) for child in item if not isinstance(child, list)]
            items[-1] = (title, page, children)
        else:
            items.append((item.title, reader.get_destination_page_number(item), []))
    return items


def figure_alts(path: Path) -> dict[int, list[str]]:
    """0-based page → alt texts of the figures on it (walked from the structure tree)."""
    with pikepdf.open(path) as pdf:
        pages = {page.objgen: number for number, page in enumerate(pdf.pages)}
        found: dict[int, list[str]] = {}
        stack = [pdf.Root.StructTreeRoot.K]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(node)
            elif isinstance(node, pikepdf.Dictionary) and node.get("/Type") not in ("/OBJR", "/MCR"):
                if node.get("/S") == "/Figure" and "/Pg" in node:
                    found.setdefault(pages[node.Pg.objgen], []).append(str(node.Alt))
                if "/K" in node:
                    stack.append(node.K)
        return found


def test_paderborn_appends_its_scans_as_one_annex_with_a_bookmark_per_letter(paderborn_pdf):
    total = len(PdfReader(paderborn_pdf).pages)
    *document, (title, start, letters) = annex_outline(paderborn_pdf)
    assert title == "Anlage 1: Unterstützungsschreiben" and start == total - 5
    # One child per letter, in the register's order, each at its letter's (one) page.
    assert letters == [(name, start + k) for k, name in enumerate(SCANNED)]
    assert [title for title, _, _ in document if title.startswith("Anlage ")] == []
    # Each scan page is one figure whose alt text names the supporter.
    alts = figure_alts(paderborn_pdf)
    for k, name in enumerate(SCANNED):
        assert alts[start + k] == [f"Anlage 1: Unterstützungsschreiben – {name}, Seite 1"]
    # The annex list names it with its pages; the page limit does not count it.
    text = " ".join(" ".join(pdf_text(paderborn_pdf)[:start]).split())
    assert "Anlage 1 Unterstützungsschreiben" in text and "5 Schreiben, je mit Lesezeichen" in text
    assert "unterstuetzer.csv, Spalte Scan · PDF, angehängt (5 Seiten)" in text
    assert section_pages(paderborn_pdf)["Anlage 1: Unterstützungsschreiben"] == 5


def test_paderborn_scans_are_reproducible_and_marked_as_invented(tmp_path):
    import importlib.util

    spec = importlib.util.spec_from_file_location("scans", PADERBORN / "anlagen" / "scans.py")
    scans = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scans)
    for name in SCANNED:
        committed = (PADERBORN / scans.FOLDER / f"{scans.slug(name)}.pdf").read_bytes()
        assert scans.scan_pdf(name) == scans.scan_pdf(name)  # nothing random, no clock
        with pikepdf.open(io.BytesIO(committed)) as pdf:
            assert "Erfundenes" in str(pdf.docinfo.Title) and len(pdf.pages) == 1
            assert pdf.pages[0].Resources.XObject.Im0.read_bytes() == scans.page_image(name)
        assert len(committed) < 3000


@pytest.fixture
def small_bid(tmp_path: Path) -> Path:
    """Paderborn with a register of four supporters (a fast build), three with scans: a scan of
    two pages, a tagged PDF/A letter, a one-page scan."""
    target = tmp_path / "paderborn"
    shutil.copytree(PADERBORN, target)
    (target / "anlagen/unterstuetzung/zwei.pdf").write_bytes(annex_samples.scan(2))
    (target / "anlagen/unterstuetzung/getaggt.pdf").write_bytes(annex_samples.tagged_pdfa())
    (target / "unterstuetzer.csv").write_text(HEADER + (
        "Anna Koch;Bürger;Paderborn;01.03.2017;anlagen/unterstuetzung/zwei.pdf\n"
        "Verein X;Verein;Paderborn;02.03.2017;\n"
        "Institut Z;Forschung;Paderborn;03.03.2017;anlagen/unterstuetzung/getaggt.pdf\n"
        "Julia Koch;Bürger;Paderborn;04.03.2017;anlagen/unterstuetzung/julia-koch.pdf\n"), encoding="utf-8")
    return target


@pytest.mark.slow
def test_letters_of_several_pages_and_tagged_letters_keep_pdfa_and_pdfua(small_bid, tmp_path):
    from test_pdf_validation import qpdf_warnings, validation_failures

    out = tmp_path / "out.pdf"
    run = run_bidkit("build", str(small_bid), "-o", str(out))
    assert run.code == 0, run.stderr
    total = len(PdfReader(out).pages)
    tagged_pages = 2  # annex_samples.tagged_pdfa breaks the page once
    *_, (title, start, letters) = annex_outline(out)
    assert title == "Anlage 1: Unterstützungsschreiben" and start == total - (2 + tagged_pages + 1)
    assert letters == [("Anna Koch", start), ("Institut Z", start + 2), ("Julia Koch", start + 2 + tagged_pages)]
    alts = figure_alts(out)
    assert alts[start + 1] == ["Anlage 1: Unterstützungsschreiben – Anna Koch, Seite 2"]
    assert alts[total - 1] == ["Anlage 1: Unterstützungsschreiben – Julia Koch, Seite 1"]
    with pikepdf.open(out) as pdf:  # the tagged letter keeps its own structure, in a division named for its writer
        [part] = [k for k in pdf.Root.StructTreeRoot.K[0].K if k.get("/S") == "/Part"]
        assert str(part.T) == "Anlage 1: Unterstützungsschreiben"
        assert [(str(div.S), str(div.T)) for div in part.K] == [("/Div", "Anna Koch"), ("/Div", "Institut Z"), ("/Div", "Julia Koch")]
        assert "/Figure" not in {str(k.get("/S")) for k in part.K[1].K}
    assert "(Anlage 1: Unterstützungsschreiben" not in run.stdout and f"({total} pages" in run.stdout
    for profile in ("3a", "ua1"):
        assert validation_failures(out, profile) == [], profile
    assert qpdf_warnings(out) == []


HOSTILE = {
    "encrypted": ("anlagen/unterstuetzung/geheim.pdf", "is encrypted"),
    "not a PDF": ("anlagen/unterstuetzung/brief.pdf", "is not a readable PDF: it does not start with %PDF-"),
    "an image": ("anlagen/unterstuetzung/brief.jpg", "is not a PDF (scans are appended as PDF pages; images are not converted)"),
    "outside": ("anlagen/unterstuetzung/link.pdf", "is a symbolic link leading outside the bid folder"),
}


def hostile(bid: Path, kind: str) -> str:
    file, _ = HOSTILE[kind]
    path = bid / file
    if kind == "encrypted":
        path.write_bytes(rc4_encrypted())
    elif kind == "outside":
        (bid.parent / "elsewhere.pdf").write_bytes(annex_samples.scan(1))
        path.symlink_to(bid.parent / "elsewhere.pdf")
    else:
        path.write_bytes(b"\xff\xd8\xff\xe0 JFIF, a photo of a letter")
    edit_register(bid, "anlagen/unterstuetzung/getaggt.pdf", file)
    return file


def edit_register(bid: Path, old: str, new: str) -> None:
    path = bid / "unterstuetzer.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("kind", HOSTILE)
def test_a_hostile_scan_is_a_finding_at_its_row_and_stops_a_final_build(small_bid, tmp_path, kind):
    file = hostile(small_bid, kind)
    register = small_bid / "unterstuetzer.csv"
    result, loaded = check_bid(small_bid)
    [finding] = [f for f in result.findings if f.rule.startswith("SUP")]
    assert finding.rule == "SUP003" and finding.location.file == register.resolve()
    assert finding.location.line == line_of(register, file)
    assert finding.message.startswith(f"'unterstuetzer.csv' line {finding.location.line}: scan of Institut Z: ")
    assert HOSTILE[kind][1] in finding.message
    # The command line refuses the build at the check; the build itself refuses it, too.
    run = run_bidkit("build", str(small_bid), "-o", str(tmp_path / "out.pdf"))
    assert run.code == 1 and "SUP003" in run.stderr and not (tmp_path / "out.pdf").exists()
    with pytest.raises(RenderError, match=r"scan of Institut Z \('unterstuetzer.csv' line 4\)"):
        build_pdf(loaded, tmp_path / "direct.pdf", draft=False)


@pytest.mark.slow
def test_a_draft_leaves_a_hostile_scan_out_and_says_so(small_bid, tmp_path):
    hostile(small_bid, "encrypted")
    out = tmp_path / "draft.pdf"
    run = run_bidkit("build", "--draft", str(small_bid), "-o", str(out))
    assert run.code == 0, run.stderr
    assert ("warning: scan of Institut Z ('unterstuetzer.csv' line 4) left out of annex 1: "
            "'anlagen/unterstuetzung/geheim.pdf' is encrypted (SUP003)") in " ".join(run.stderr.split())
    *_, (title, start, letters) = annex_outline(out)
    assert title == "Anlage 1: Unterstützungsschreiben" and [name for name, _ in letters] == ["Anna Koch", "Julia Koch"]


@pytest.mark.slow
def test_a_scan_that_breaks_the_claims_is_a_warning_and_refused_by_a_final_build(small_bid, tmp_path):
    (small_bid / "anlagen/unterstuetzung/getaggt.pdf").write_bytes(annex_samples.office_export())
    register = small_bid / "unterstuetzer.csv"
    result, _ = check_bid(small_bid)
    [finding] = [f for f in result.findings if f.rule.startswith("SUP")]
    assert (finding.rule, finding.location.line) == ("SUP005", line_of(register, "getaggt.pdf"))
    assert "fonts not embedded: Helvetica" in finding.message and "pdf/a-3a+ua-1" in finding.message
    run = run_bidkit("build", str(small_bid), "-o", str(tmp_path / "out.pdf"))
    refusal = " ".join(run.stderr.split())
    assert run.code == 1 and "annex 1 'anlagen/unterstuetzung/getaggt.pdf' would make pdf/a-3a+ua-1 false" in refusal
    assert "the document's output intent is sRGB) (SUP005)" in refusal and not (tmp_path / "out.pdf").exists()
    run = run_bidkit("build", "--pdf-variant", "pdf", str(small_bid), "-o", str(tmp_path / "plain.pdf"))
    assert run.code == 0, run.stderr


def test_a_bid_without_scans_has_no_scans_annex(tmp_path):
    target = tmp_path / "paderborn"
    shutil.copytree(PADERBORN, target)
    (target / "unterstuetzer.csv").write_text(HEADER + "Anna Koch;Bürger;Paderborn;01.03.2017;\n", encoding="utf-8")
    from bidkit.render.build import _annexes

    appended, _, entries = _annexes(load_bid(target), draft=False)
    assert appended == [] and entries == []
