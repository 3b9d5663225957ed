"""`bidkit build`: the PDF read back — text, pages, metadata, drafts, safety, reproducibility."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import EXAMPLE, check_here, edit, pdf_text, run_bidkit


def test_pdf_holds_the_bid_in_german(example_pdf):
    pages = pdf_text(example_pdf)
    text = "\n".join(pages)
    for expected in ("#WolfsburgDigital", "Volkswagen AG", "500.000", "5. Dezember 2016", "22. Februar 2017",
                     "V 2017/0196", "Klaus Mohrs", "Matthias Müller", "Kosten- und Finanzierungsplan",
                     "Ratsbeschluss", "Lebensqualität", "Ostfalia"):
        assert expected in text, expected
    assert "500.000 €" in text


def test_page_count_and_page_numbers(example_pdf):
    pages = pdf_text(example_pdf)
    count = len(PdfReader(example_pdf).pages)
    document = count - 3  # then the MoU scan (2 pages) and a letter (1 page)
    assert count == len(pages) == 14
    assert f"Seite 2 von {document}" in pages[1]
    assert f"Seite {document} von {document}" in pages[document - 1]
    assert "Seite" not in pages[-1]


def test_metadata_and_language(example_pdf):
    reader = PdfReader(example_pdf)
    meta = reader.metadata
    assert meta.title.startswith("#WolfsburgDigital")
    assert meta.author == "Stadt Wolfsburg"
    assert "Digitale Stadt" in meta.subject
    assert meta.creator.startswith("bidkit")
    assert reader.trailer["/Root"]["/Lang"] == "de"
    # No SOURCE_DATE_EPOCH: the date is the bid's submission date, never the clock.
    assert meta["/CreationDate"].startswith("D:20170314")


def test_bookmarks_follow_sections(example_pdf):
    titles = [item.title for item in PdfReader(example_pdf).outline if not isinstance(item, list)]
    assert "Vision" in titles and "Kosten- und Finanzierungsplan" in titles and "Ratsbeschluss" in titles


def test_no_watermark_in_final_pdf(example_pdf):
    assert not any("ENTWURF" in page for page in pdf_text(example_pdf))


@pytest.mark.slow
def test_rebuild_is_byte_identical(example_pdf, example_copy_build):
    # The second build is of a copy of the example in another folder, to the default output path
    # (test_default_output_path_is_printed_and_html_written reads its run).
    again = example_copy_build
    assert again.run.code == 0, again.run.stderr
    assert again.pdf.read_bytes() == example_pdf.read_bytes()


HOSTILE_TEXT = '<img src="file:///etc/passwd"> {{ 7*7 }} </p><script>x</script> {% raw %}'


def hostile_vision(bid: Path) -> None:
    """Markup and template syntax in the example's vision."""
    edit(bid / "bid.yaml", "  Wolfsburg will digitale Modellstadt werden.", f"  {HOSTILE_TEXT}")


@pytest.mark.slow
def test_source_date_epoch_is_honoured(edited_build):
    # conftest.py's `edited_build`, built with SOURCE_DATE_EPOCH set (and --html, and this vision).
    run = edited_build.run
    assert run.code == 0, run.stderr
    assert PdfReader(edited_build.pdf).metadata["/CreationDate"].startswith("D:20170714")


def test_default_output_path_is_printed_and_html_written(example_copy_build):
    run, cwd = example_copy_build.run, example_copy_build.folder.parent
    assert run.code == 0, run.stderr
    expected = Path("build") / "wolfsburg-bitkom-digitale-stadt-2017.pdf"
    assert f"PDF written: {expected}" in run.stdout
    assert (cwd / expected).read_bytes().startswith(b"%PDF-")
    html = (cwd / "out" / "bid.html").read_text(encoding="utf-8")
    assert '<html lang="de">' in html


def test_build_refuses_bid_with_errors_and_keeps_previous_pdf(bid, tmp_path):
    out = tmp_path / "bid.pdf"
    out.write_bytes(b"previous")
    edit(bid / "budget.yaml", "  total: 500000\n  note", "  total: 600000\n  note")
    run = run_bidkit("build", str(bid), "-o", str(out))
    assert run.code == 1
    assert "BUD002" in run.stderr and "--draft" in run.stderr
    assert out.read_bytes() == b"previous"


@pytest.mark.slow
def test_draft_renders_with_watermark_on_every_page(drafts_in_git):
    # The example with the budget's total made wrong (BUD002), in git (test_theme_and_drafts.py reads its stamp).
    out, run = drafts_in_git.dirty.pdf, drafts_in_git.dirty.run
    assert run.code == 0, run.stderr
    assert "Draft written" in run.stdout
    pages = pdf_text(out)
    document_pages = len(PdfReader(out).pages) - 3  # the annexes (2 + 1 pages) are the city's files, left as they are
    assert pages and all("ENTWURF" in page for page in pages[:document_pages])
    assert f"Seite {document_pages} von {document_pages}" in pages[document_pages - 1]


def test_draft_needs_a_loadable_manifest(bid, tmp_path):
    edit(bid / "bid.yaml", "city:\n", "stadt:\n")
    run = run_bidkit("build", str(bid), "--draft", "-o", str(tmp_path / "x.pdf"))
    assert run.code == 1 and "Cannot render even a draft" in run.stderr
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.slow
def test_unwritable_output_exits_3_and_leaves_nothing(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    run = run_bidkit("build", str(EXAMPLE), "-o", str(tmp_path / "a-file" / "bid.pdf"))
    assert run.code == 3, run.stderr
    assert "cannot write" in run.stderr and "hint:" in run.stderr and "Traceback" not in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_failed_write_keeps_the_previous_file(tmp_path, monkeypatch):
    from bidkit.errors import RenderError
    from bidkit.fileio import atomic_write

    target = tmp_path / "bid.pdf"
    target.write_bytes(b"previous")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(RenderError, match="No space left"):
        atomic_write(target, b"%PDF-new")
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["bid.pdf"]


def test_text_from_yaml_cannot_inject_markup(edited_build):
    # conftest.py's `edited_build`: this vision and the other edits it names.
    run = edited_build.run
    assert run.code == 0, run.stderr
    assert "refused" not in run.stderr
    html = edited_build.pdf.with_suffix(".html")
    assert "&lt;img src=„file:///etc/passwd“&gt; {{ 7*7 }}" in html.read_text(encoding="utf-8")
    text = " ".join(pdf_text(edited_build.pdf))
    assert "{{ 7*7 }}" in text and "<script>x</script>" in text


def test_check_pdf_reports_pages_per_section(example_pdf):
    document = check_here(str(EXAMPLE), "--pdf", str(example_pdf), "-f", "json").json()
    pages = document["pages"]
    assert sum(pages.values()) == len(PdfReader(example_pdf).pages)
    assert pages["Deckblatt"] == 1 and pages["Kosten- und Finanzierungsplan"] >= 1
    assert "PDF001" not in {f["rule"] for f in document["findings"]}


@pytest.mark.slow
def test_page_limit_is_checked_after_build_and_with_pdf(short_call_build):
    # The example under a call of the bid folder allowing 3 pages (test_cache.py builds it again).
    run, out = short_call_build.run, short_call_build.pdf
    assert run.code == 1 and "PDF001" in run.stderr and "allows 3" in run.stderr
    assert out.read_bytes().startswith(b"%PDF-")  # complete, kept for inspection
    check = check_here(str(short_call_build.folder), "--pdf", str(out), "-f", "github")
    assert check.code == 1
    assert any(row.startswith("::error file=") and "title=PDF001" in row for row in check.stdout.splitlines())


def test_check_pdf_missing_file_exits_2(tmp_path):
    run = run_bidkit("check", str(EXAMPLE), "--pdf", str(tmp_path / "none.pdf"))
    assert run.code == 2 and "no PDF" in run.stderr
