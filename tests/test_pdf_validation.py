"""Every variant of the submission PDF checked by a validator (page-validation: PDF/A-3a, -3u,
PDF/UA-1) and by `qpdf --check`, for the example, the Paderborn example, a bid whose annexes
are a tagged PDF/A export and an untagged scan, and a generated large bid; and the structure
read back: pagination artifacts, one link per TOC entry, whole words, row headers, annexes."""

from __future__ import annotations

import atexit
import concurrent.futures
import functools
import multiprocessing
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest

import annex_samples
from conftest import check_here, line_of, run_bidkit

from bidkit.render.build import PDF_VARIANTS

#: What the validator must confirm for each variant.
PROFILES = {"pdf/a-3a+ua-1": ("3a", "ua1"), "pdf/a-3u": ("3u",), "pdf/ua-1": ("ua1",), "pdf": ()}
LETTER = "anlagen/unterstuetzung-ostfalia.pdf"


def _validate(path: Path, profile: str) -> list[str] | None:
    import page

    report = page.validate_pdf(path, profile=profile)
    failures = [f"{f.rule_id}: {f.message}" for f in report.failures]
    assert report.is_compliant or failures
    return None if report.is_compliant else failures


@functools.cache
def _validator() -> concurrent.futures.ProcessPoolExecutor:
    """One process of its own for the validator, started fresh (spawn): page-validation leaves
    native threads running, and a test process with foreign threads may not fork, so the
    two-process layout under test would quietly run in one (tests/test_parallel.py)."""
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    atexit.register(pool.shutdown)
    return pool


def validation_failures(path: Path, profile: str) -> list[str]:
    return _validator().submit(_validate, path, profile).result() or []


def qpdf_warnings(path: Path) -> list[str]:
    run = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "No syntax or stream encoding errors found" in run.stdout
    return [line for line in (run.stdout + run.stderr).splitlines() if "WARNING" in line.upper()]


@pytest.mark.parametrize("variant", PDF_VARIANTS)
@pytest.mark.parametrize("bid", ["example", "paderborn", "annexes", pytest.param("large", marks=pytest.mark.slow)])
def test_every_variant_is_confirmed_by_the_validator_and_qpdf(built, bid, variant):
    path = built(bid, variant)
    for profile in PROFILES[variant]:
        assert validation_failures(path, profile) == [], profile
    assert qpdf_warnings(path) == []
    with pikepdf.open(path) as pdf:
        assert pdf.trailer.ID  # every variant has a file identifier, language and tags
        assert pdf.Root.Lang == "de" and pdf.Root.MarkInfo.Marked
        xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
        assert "/Filter" not in pdf.Root.Metadata.stream_dict
        claims = PROFILES[variant]
        assert ('pdfaid:conformance="A"' in xmp) == ("3a" in claims)
        assert ('pdfaid:conformance="U"' in xmp) == ("3u" in claims)
        assert ('pdfuaid:part="1"' in xmp) == ("ua1" in claims)


def test_the_file_is_written_once_with_an_end_of_line_after_obj(built):
    data = built("example", PDF_VARIANTS[0]).read_bytes()
    assert data.count(b"%%EOF") == 1  # no incremental update
    assert re.findall(rb"\d+ \d+ obj(?![\r\n])", data) == []  # ISO 19005-2 6.1.9


def test_font_subsets_have_unique_names(built):
    # The example's annexes were made with the same fonts, and WeasyPrint names a subset after
    # the font, not after its glyphs: two different DejaVu-Serif subsets, renamed apart.
    with pikepdf.open(built("example", PDF_VARIANTS[0])) as pdf:
        names: dict[str, set] = {}
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                names.setdefault(str(font.BaseFont), set()).add(font.objgen)
    assert {name: ids for name, ids in names.items() if len(ids) > 1} == {}


def marked_content(path: Path, page_index: int) -> list[tuple[str, dict, str]]:
    """(tag, properties, text painted inside) of each outermost marked-content sequence of a page."""
    with pikepdf.open(path) as pdf:
        page = pdf.pages[page_index]
        fonts = {name: font for name, font in page.Resources.Font.items()}
        maps = {name: dict((bytes.fromhex(code), chr(int(value, 16))) for code, value in re.findall(
            r"<([0-9a-f]{4})>\s*<([0-9a-f]{4})>", font.ToUnicode.read_bytes().decode())) for name, font in fonts.items()}
        found, depth, font = [], 0, None
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op in ("BDC", "BMC"):
                depth += 1
                if depth == 1:
                    properties = dict(operands[1].items()) if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary) else {}
                    found.append((str(operands[0]), properties, ""))
            elif op == "EMC":
                depth -= 1
            elif op == "Tf":
                font = str(operands[0])
            elif op == "TJ" and found and depth:
                codes = b"".join(bytes(part) for part in operands[0] if isinstance(part, pikepdf.String))
                text = "".join(maps[font].get(codes[i:i + 2], "?") for i in range(0, len(codes), 2))
                tag, properties, before = found[-1]
                found[-1] = (tag, properties, before + text)
        return found


@pytest.mark.slow
def test_header_footer_and_draft_stamp_are_pagination_artifacts(built, drafts_in_git):
    third = marked_content(built("example", PDF_VARIANTS[0]), 2)
    artifacts = {(str(props.get("/Subtype")), text) for tag, props, text in third if tag == "/Artifact" and text}
    assert artifacts == {("/Header", "#WolfsburgDigital"), ("/Header", "Vision"), ("/Footer", "Seite 3 von 11")}
    assert all(props.get("/Type") == "/Pagination" for tag, props, text in third if tag == "/Artifact" and text)
    assert not [text for tag, props, text in third if tag != "/Artifact" and text in ("Seite 3 von 11", "#WolfsburgDigital")]
    draft = marked_content(drafts_in_git.clean.pdf, 2)  # the default variant, built by the CLI
    stamps = [(props.get("/Type"), text) for tag, props, text in draft if text.startswith("ENTWURF")]
    assert stamps and all(kind == "/Pagination" for kind, _ in stamps)
    [watermark] = [props for tag, props, text in draft if props.get("/Subtype") == "/Watermark"]
    assert watermark.get("/Type") == "/Pagination"  # the page background, templates/watermark.svg
    # Nothing is left in the parent tree that the structure tree does not reach.
    with pikepdf.open(built("example", PDF_VARIANTS[0])) as pdf:
        reachable, stack = set(), [pdf.Root.StructTreeRoot.K]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(node)
            elif isinstance(node, pikepdf.Dictionary) and node.objgen not in reachable:
                reachable.add(node.objgen)
                if "/K" in node and node.get("/Type") != "/OBJR":
                    stack.append(node.K)
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        for value in list(nums)[1::2]:
            for element in (value if isinstance(value, pikepdf.Array) else [value]):
                assert element is None or isinstance(element, pikepdf.Object) and (
                    not isinstance(element, pikepdf.Dictionary) or element.objgen in reachable)


def test_toc_has_one_link_per_entry_saying_where_it_leads(built):
    with pikepdf.open(built("example", PDF_VARIANTS[0])) as pdf:
        contents = [str(annot.Contents) for annot in pdf.pages[1].Annots]
    assert contents == ["Vision, Seite 3", "Ausgangslage, Seite 3", "Ziele und Kennzahlen, Seite 4", "Maßnahmen, Seite 5",
                        "Partner und Unterstützer, Seite 6", "Memorandum of Understanding, Seite 7",
                        "Kosten- und Finanzierungsplan, Seite 8", "Ratsbeschluss, Seite 10", "Anlagenverzeichnis, Seite 11"]
    leaders = [text for tag, props, text in marked_content(built("example", PDF_VARIANTS[0]), 1) if "..." in text]
    assert leaders == []  # the leader is a dotted background, not text
    with pikepdf.open(built("example", PDF_VARIANTS[0])) as pdf:
        # one pattern per leader: single dots as text took 108 kB, a dotted border drew 489 kB of paths
        assert len(pdf.pages[1].Contents.read_bytes()) < 30_000


def test_line_end_hyphens_read_as_whole_words(built):
    text = subprocess.run(["pdftotext", str(built("example", PDF_VARIANTS[0])), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert re.findall(r"\w\u2010\n", text) == []
    assert "Dezem\u00ad\nber 2016" in text  # a soft hyphen: readers join it
    assert "Dezember 2016" in text.replace("\u00ad\n", "")


def test_row_headers_and_totals_in_the_budget_tables(built):
    with pikepdf.open(built("example", PDF_VARIANTS[0])) as pdf:
        cells = []
        stack = [pdf.Root.StructTreeRoot.K]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Array):
                stack.extend(node)
            elif isinstance(node, pikepdf.Dictionary) and node.get("/Type") != "/OBJR" and "/K" in node:
                if node.get("/S") == "/TD":
                    cells.append([str(h) for h in node.A.get("/Headers", [])])
                stack.append(node.K)
    # Every body cell of a table with row headers has one column and one row header; a totals
    # row's cells (tfoot) head nothing, so no cell has more than two.
    assert cells and max(len(headers) for headers in cells) == 2
    assert sum(len(headers) == 2 for headers in cells) >= 10


def test_annexes_are_grafted_as_parts(built):
    with pikepdf.open(built("annexes", PDF_VARIANTS[0])) as pdf:
        document = pdf.Root.StructTreeRoot.K[0]
        parts = {str(k.T): k for k in document.K if k.S == "/Part"}
        scan = parts["Anlage 1: Memorandum of Understanding #WolfsburgDigital (unterzeichnet)"]
        assert [str(f.Alt) for f in scan.K] == [
            "Anlage 1: Memorandum of Understanding #WolfsburgDigital (unterzeichnet), Seite 1",
            "Anlage 1: Memorandum of Understanding #WolfsburgDigital (unterzeichnet), Seite 2"]
        letter = parts["Anlage 3: Unterstützungsschreiben: Ostfalia Hochschule für angewandte Wissenschaften"]
        assert str(letter.Lang) == "de" and [str(k.S) for k in letter.K] == ["/Div"]
        # Structure parents renumbered: each key once, all in the parent tree.
        keys = [int(page.StructParents) for page in pdf.pages if "/StructParents" in page]
        keys += [int(a.StructParent) for page in pdf.pages for a in page.get("/Annots", []) if "/StructParent" in a]
        assert len(keys) == len(set(keys))
        assert set(keys) <= set(int(k) for k in list(pdf.Root.StructTreeRoot.ParentTree.Nums)[::2])
        # Table cells name their headers by IDs the ID tree resolves, an annex's within the annex
        # (WeasyPrint writes IDs without an ID tree, and names them alike in every file).
        ids = pikepdf.NameTree(pdf.Root.StructTreeRoot.IDTree)

        def cells_and_elements(part):
            headers, elements, stack = [], set(), [part.K]
            while stack:
                node = stack.pop()
                if isinstance(node, pikepdf.Array):
                    stack.extend(node)
                elif isinstance(node, pikepdf.Dictionary) and node.get("/Type") != "/OBJR" and "/K" in node:
                    elements.add(node.objgen)
                    if node.get("/S") == "/TD":
                        headers += [str(header) for header in node.A.get("/Headers", [])]
                    stack.append(node.K)
            return headers, elements

        headers, _ = cells_and_elements(document)
        assert headers and all(ids[name].S == "/TH" for name in headers)
        headers, elements = cells_and_elements(letter)
        assert headers and all(ids[name].objgen in elements for name in headers)
        # The letter's link leads to its own second page, not into the document.
        letter_pages = [page.objgen for page in pdf.pages][-2:]
        [link] = [a for a in pdf.pages[-2].Annots if a.Subtype == "/Link"]
        assert link.Dest[0].objgen == letter_pages[1]


@pytest.mark.slow
def test_office_export_with_unembedded_fonts_is_refused_where_it_breaks_the_claim(bid, tmp_path, draft_outside_git):
    (bid / LETTER).write_bytes(annex_samples.office_export())
    run = check_here(".", "--format", "json", cwd=bid)
    [finding] = [f for f in run.json()["findings"] if f["rule"] == "ANX006"]
    assert (finding["severity"], finding["file"], finding["line"]) == ("warning", "partners.yaml", line_of(bid / "partners.yaml", LETTER))
    assert finding["message"].endswith(
        f"'{LETTER}' has fonts not embedded: Helvetica; DeviceCMYK colour (uncalibrated; the document's output intent "
        "is sRGB): it would make pdf/a-3a+ua-1, pdf/a-3u, pdf/ua-1 false")
    out = tmp_path / "bid.pdf"
    run = run_bidkit("build", str(bid), "-o", str(out))
    assert run.code == 1 and not out.exists()
    assert f"annex 3 '{LETTER}' would make pdf/a-3a+ua-1 false: fonts not embedded: Helvetica" in run.stderr
    assert "Export the annex as PDF/A" in run.stderr and "Traceback" not in run.stderr
    # A draft warns: the shared draft's letter is the same office export (its MoU is missing, too).
    assert (draft_outside_git.folder / LETTER).read_bytes() == (bid / LETTER).read_bytes()
    run = draft_outside_git.run
    assert run.code == 0 and f"warning: annex 3 '{LETTER}' would make pdf/a-3a+ua-1 false" in run.stderr
    # (--pdf-variant pdf, which claims nothing, takes such an annex: test_hostile_annexes.py.)
