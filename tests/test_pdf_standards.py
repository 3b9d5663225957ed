"""The submission PDF read back: TOC page numbers, PDF/A and PDF/UA identification, output intent,
embedded fonts, alt text, annexes appended and embedded, and the variants."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml
from pypdf import PdfReader

from bidkit.models import SECTION_TITLES
from conftest import EXAMPLE, REPO, check_here, edit, outline, pdf_fonts, pdf_text, resolved, run_bidkit


def xmp(path: Path) -> str:
    return PdfReader(path).trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")


def struct_elements(path: Path, kind: str) -> list[dict]:
    """Elements of the structure tree of type ``kind`` (e.g. /Figure)."""
    root = PdfReader(path).trailer["/Root"]["/StructTreeRoot"].get_object()
    found, stack = [], [root]
    while stack:
        node = resolved(stack.pop())
        if not hasattr(node, "get"):
            continue
        if node.get("/S") == kind:
            found.append(node)
        kids = resolved(node.get("/K"))
        if isinstance(kids, list):
            stack.extend(kids)
        elif kids is not None and hasattr(resolved(kids), "get"):
            stack.append(kids)
    return found


def test_toc_entries_carry_the_pages_of_the_sections(example_pdf):
    pages = pdf_text(example_pdf)
    toc = pages[1]
    assert "Inhalt" in toc and "#WolfsburgDigital" in toc  # the running header
    # "Vision 3": the leader is a dotted line (no text); the footer "Seite 2 von 10" is no entry.
    entries = dict(re.findall(r"^([A-Z][^\n]*?) (\d+)$", toc, flags=re.M))
    entries.pop("Seite 2 von")
    bookmarks = dict(outline(example_pdf))
    # The call's order (the Bitkom call lists partners before the MoU), then the annexes.
    call = yaml.safe_load((REPO / "bidkit/calls/bitkom-digitale-stadt-2017.yaml").read_text(encoding="utf-8"))
    assert list(entries) == [SECTION_TITLES[name] for name in call["required_sections"]] + ["Anlagenverzeichnis"]
    for title, page in entries.items():
        assert int(page) == bookmarks[title] + 1, title
        assert title in pages[int(page) - 1]  # the heading is on that page


def test_bookmarks_mirror_headings_then_annexes(example_pdf):
    titles = [title for title, _ in outline(example_pdf)]
    assert titles[-2:] == [
        "Anlage 1: Memorandum of Understanding #WolfsburgDigital (unterzeichnet)",
        "Anlage 3: Unterstützungsschreiben: Ostfalia Hochschule für angewandte Wissenschaften",
    ]


def test_default_is_pdfa_3a_and_pdfua_1_with_output_intent(example_pdf):
    metadata = xmp(example_pdf)
    assert 'pdfaid:part="3"' in metadata and 'pdfaid:conformance="A"' in metadata
    assert 'pdfuaid:part="1"' in metadata
    # PDF/A knows pdfuaid only through its extension schema.
    assert "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>" in metadata
    assert "<rdf:li>Stadt Wolfsburg</rdf:li>" in metadata  # dc:creator = the city
    root = PdfReader(example_pdf).trailer["/Root"]
    assert "/Filter" not in root["/Metadata"].get_object()  # PDF/A: XMP readable without decoding
    intents = [resolved(i) for i in root["/OutputIntents"]]
    assert [i["/S"] for i in intents] == ["/GTS_PDFA1"]
    assert len(intents[0]["/DestOutputProfile"].get_object().get_data()) > 1000  # an ICC profile
    assert root["/Lang"] == "de"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]
    assert PdfReader(example_pdf).trailer["/ID"]  # PDF/A needs a file identifier


def test_metadata_survives_appending_annexes(example_pdf):
    meta = PdfReader(example_pdf).metadata
    assert meta["/Producer"].startswith("WeasyPrint")  # as the XMP says, not pikepdf
    assert 'pdf:Producer="WeasyPrint' in xmp(example_pdf)
    assert meta["/Keywords"].startswith("Wettbewerb „Digitale Stadt“ 2017, Wolfsburg")


def test_all_fonts_are_embedded(example_pdf):
    used = pdf_fonts(example_pdf)
    assert any("DejaVu-Sans" in name for name in used)
    assert all(used.values()), [name for name, embedded in used.items() if not embedded]


def test_annexes_appended_and_files_embedded(example_pdf):
    reader = PdfReader(example_pdf)
    bookmarks = dict(outline(example_pdf))
    mou = bookmarks["Anlage 1: Memorandum of Understanding #WolfsburgDigital (unterzeichnet)"]
    assert mou == len(reader.pages) - 3
    pages = pdf_text(example_pdf)
    assert "unterzeichneten Memorandum of Understanding" in pages[mou]
    assert "Unterstützungsschreibens" in pages[-1]
    assert reader.attachments["kennzahlen.csv"] == [(EXAMPLE / "anlagen" / "kennzahlen.csv").read_bytes()]
    # The list of annexes in the document says what happened to each file.
    listing = pages[bookmarks["Anlagenverzeichnis"]]
    assert "Anlage 1" in listing and "PDF, angehängt (2 Seiten)" in listing
    assert "anlagen/kennzahlen.csv · Datei, eingebettet" in listing
    # The MoU and the partners directory point to their annexes.
    text = "\n".join(pages)
    assert "Das unterzeichnete Dokument liegt als Anlage 1 bei." in text.replace("\n", " ")
    assert "Unterstützungsschreiben vom 27.02.2017 (Anlage 3)" in text


def test_images_carry_alt_text(example_pdf):
    alts = [str(figure.get("/Alt", "")) for figure in struct_elements(example_pdf, "/Figure")]
    assert "Stadt Wolfsburg – #WolfsburgDigital" in alts  # the logo
    chart = [a for a in alts if a.startswith("Finanzierung je Haushaltsjahr nach Quelle")]
    assert chart == ["Finanzierung je Haushaltsjahr nach Quelle. 2017: Eigenmittel der Stadt 500.000\u00a0€ (zusammen 500.000\u00a0€)."]
    assert all(alts), alts


def test_chart_text_is_in_the_pdf(example_pdf):
    text = "\n".join(pdf_text(example_pdf))
    assert "Abbildung 2: Finanzierung je Haushaltsjahr nach Quelle" in text
    assert "Eigenmittel der Stadt" in text and "Personalkosten" in text


def test_unknown_variant_is_a_usage_error():
    run = run_bidkit("build", str(EXAMPLE), "--pdf-variant", "pdf/x-4")
    assert run.code == 2 and "pdf/a-3u" in run.stderr


def test_annexes_do_not_count_against_the_page_limit(short_call_build, tmp_path):
    # 11 pages of document + 3 annex pages: a limit of 11 holds, a limit of 10 does not. The
    # build is the session's build of the example under a call of the bid folder allowing 3
    # (conftest.py): it counted the document's 11 pages, not the file's 14.
    run = short_call_build.run
    assert run.code == 1 and "PDF001: the document has 11 pages; the call allows 3 (longest: " in run.stderr, run.stderr
    assert len(PdfReader(short_call_build.pdf).pages) == 14
    bid = tmp_path / "bid"
    shutil.copytree(short_call_build.folder, bid)
    edit(bid / "calls" / "short.yaml", "page_limit: 3", "page_limit: 11")
    run = check_here(str(bid), "--pdf", str(short_call_build.pdf))
    assert run.code == 0 and "PDF001" not in run.stdout, run.stdout
    edit(bid / "calls" / "short.yaml", "page_limit: 11", "page_limit: 10")
    run = check_here(str(bid), "--pdf", str(short_call_build.pdf))
    assert run.code == 1 and "the document has 11 pages; the call allows 10" in run.stdout


def test_unreadable_pdf_annex_stops_the_build_with_its_name(bid, tmp_path):
    (bid / "anlagen" / "unterstuetzung-ostfalia.pdf").write_bytes(b"%PDF-1.7\n% truncated by a scanner\n")
    out = tmp_path / "bid.pdf"
    out.write_bytes(b"previous")
    run = run_bidkit("build", str(bid), "-o", str(out))
    # The check reads the annex as the build does, so it stops the build first (ANX003);
    # tests/test_hostile_annexes.py covers the build's own refusal (exit 3).
    assert run.code == 1, run.stderr
    assert "ANX003" in run.stderr and "'anlagen/unterstuetzung-ostfalia.pdf' is not a readable PDF" in run.stderr
    assert "Traceback" not in run.stderr
    assert out.read_bytes() == b"previous"


def test_draft_lists_missing_annexes_instead_of_failing(draft_outside_git):
    # The MoU names anlagen/fehlt.pdf (test_theme_and_drafts.py reads the same draft's stamp).
    assert "file: anlagen/fehlt.pdf" in (draft_outside_git.folder / "mou.yaml").read_text(encoding="utf-8")
    run = draft_outside_git.run
    assert run.code == 0, run.stderr
    text = "\n".join(pdf_text(draft_outside_git.pdf))
    assert "anlagen/fehlt.pdf · fehlt" in text
    assert "ANX001" in text  # and the open points say why


def test_final_build_never_drops_a_missing_annex_silently(bid, tmp_path):
    # Even with ANX001 switched off in the bid's configuration, a final build stops (exit 3).
    edit(bid / "bid.yaml", "call: bitkom-digitale-stadt-2017", "call: bitkom-digitale-stadt-2017\nchecks:\n  ignore: [ANX001]")
    edit(bid / "mou.yaml", "file: anlagen/mou-wolfsburgdigital.pdf", "file: anlagen/fehlt.pdf")
    run = run_bidkit("build", str(bid), "-o", str(tmp_path / "bid.pdf"))
    assert run.code == 3, run.stderr
    assert "annex 1: file 'anlagen/fehlt.pdf' does not exist in the bid folder" in run.stderr
    assert "Traceback" not in run.stderr and not (tmp_path / "bid.pdf").exists()
