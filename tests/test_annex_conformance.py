"""What PDF/A-3a and PDF/UA-1 forbid in a raster logo or a PDF annex (rt5 D1–D4): mended where the
printed page stays the same (ANX009) and confirmed by the validator and `qpdf --check` in one real
build; refused at the annex's line where it cannot be (ANX006); an invisible OCR layer in a font
that is not embedded is accepted."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name

import annex_samples
from conftest import EXAMPLE, check_here, edit, line_of, run_bidkit
from test_pdf_validation import qpdf_warnings, validation_failures

MOU = "anlagen/mou-wolfsburgdigital.pdf"
LETTER = "anlagen/unterstuetzung-ostfalia.pdf"
PLAN = "anlagen/lageplan.pdf"
RAW_WARNINGS = ("Warning", "warnings.warn", "Traceback", ".py:")


def _raster(path: Path, kind: str) -> None:
    from PIL import Image

    Image.new("RGB", (30, 36), (0, 58, 112)).save(path, kind)


@pytest.fixture(scope="module")
def mended(tmp_path_factory) -> tuple[Path, Path, dict]:
    """The example with a JPEG logo (a theme may put no picture behind text, THM004: the logo is the
    raster image a theme brings), a stamped and commented OCR scan as MoU, a site plan from
    prepress software and a reviewed letter (annex_samples): checked and built once."""
    bid = tmp_path_factory.mktemp("mended") / "bid"
    shutil.copytree(EXAMPLE, bid)
    _raster(bid / "theme/logo.jpg", "JPEG")
    edit(bid / "bid.yaml", "  logo: theme/logo.svg", "  logo: theme/logo.jpg")
    edit(bid / "bid.yaml", "annexes:\n", f"annexes:\n  - title: Lageplan\n    file: {PLAN}\n")
    (bid / PLAN).write_bytes(annex_samples.print_shop_plan())
    (bid / MOU).write_bytes(annex_samples.ocr_scan())
    (bid / LETTER).write_bytes(annex_samples.letter_with_review_marks())
    check = check_here(".", "--format", "json", cwd=bid)
    out = bid.parent / "bid.pdf"
    build = run_bidkit("build", str(bid), "-o", str(out))
    assert build.code == 0, build.stderr
    assert not [word for word in RAW_WARNINGS if word in build.stderr], build.stderr
    return bid, out, check.json()


@pytest.mark.slow
def test_mended_annexes_and_raster_images_are_confirmed_by_the_validator(mended):
    _, out, _ = mended
    assert validation_failures(out, "3a") == []
    assert validation_failures(out, "ua1") == []
    assert qpdf_warnings(out) == []


def test_the_check_says_what_was_mended_at_the_annex_line(mended):
    bid, _, report = mended
    findings = {(f["rule"], f["file"], f["line"]): f["message"] for f in report["findings"] if f["rule"].startswith("ANX")}
    assert set(findings) == {("ANX009", "mou.yaml", line_of(bid / "mou.yaml", MOU)),
                             ("ANX009", "bid.yaml", line_of(bid / "bid.yaml", PLAN)),
                             ("ANX009", "partners.yaml", line_of(bid / "partners.yaml", LETTER))}
    assert findings["ANX009", "bid.yaml", line_of(bid / "bid.yaml", PLAN)].endswith(
        "unknown rendering intent named as read (2×), prepress proxy (/OPI) removed, alternate images removed, "
        "reference to another file's page removed, inline image interpolation switched off")
    assert findings["ANX009", "mou.yaml", line_of(bid / "mou.yaml", MOU)].endswith(
        f"mended in '{MOU}' for PDF/A and PDF/UA: Stamp annotation drawn into the page, "
        "FreeText annotation that does not print removed, link flagged for printing")
    assert findings["ANX009", "partners.yaml", line_of(bid / "partners.yaml", LETTER)].endswith(
        "review comment removed, hidden Square annotation removed, Stamp annotation drawn into the page, "
        "form field drawn into the page, link flagged for printing, inline image interpolation switched off, "
        "image interpolation switched off, transfer function removed, untagged content marked as an artifact")


def test_what_prints_stays_and_is_tagged(mended):
    _, out, _ = mended
    with pikepdf.open(out) as pdf:
        streams = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream)]
        images = [obj for obj in streams if obj.get("/Subtype") == Name.Image]
        assert len(images) >= 4  # the logo, the background, the scan, the signature
        assert not [image for image in images if image.get("/Interpolate") is True]
        states = [obj for obj in pdf.objects if isinstance(obj, Dictionary) and obj.get("/Type") == Name.ExtGState]
        assert not [state for state in states if "/TR" in state]
        assert "/AcroForm" not in pdf.Root
        scan, plan, letter = pdf.pages[-3:]  # annex 1 the MoU, 2 the plan (annexes:), 4 the letter
        forms = [x for x in plan.Resources.XObject.values() if x.get("/Subtype") == Name.Form]
        assert forms and not [x for x in streams if x.get("/Subtype") in (Name.Form, Name.Image)
                              and ("/Ref" in x or "/OPI" in x or "/Alternates" in x)]
        assert b"/Proof" not in b"".join(s.read_bytes() for s in (plan.Contents if isinstance(plan.Contents, Array) else [plan.Contents]))
        streams = letter.Contents if isinstance(letter.Contents, Array) else [letter.Contents]
        contents = b"".join(stream.read_bytes() for stream in streams)
        assert b"/I false" in contents and b"/I true" not in contents
        assert b"/Artifact BMC" in contents and b"/Span << /MCID" in contents  # the stamp; the ticked check box
        # Left on the page: the link, printable and tagged; the scan's stamp is drawn inside its figure.
        assert [(str(a.Subtype), int(a.F), "/StructParent" in a) for a in letter.get("/Annots", [])] == [("/Link", 4, True)]
        [link] = scan.Annots  # tagged as a link of the scan's part, whatever key it came with
        link_element = [e for e in _elements(pdf) if e.S == Name.Link and isinstance(e.K, Dictionary)
                        and e.K.get("/Obj") is not None and e.K.Obj.objgen == link.objgen]
        assert link_element and int(link.F) == 4
        [check_box] = [e for e in _elements(pdf) if any(isinstance(k, Dictionary) and k.get("/Type") == Name.MCR
                                                          and k.Pg.objgen == letter.objgen for k in _kids(e))]
        assert check_box.S == Name.Span


def _kids(element) -> list:
    kids = element.get("/K")
    return list(kids) if isinstance(kids, Array) else [kids] if kids is not None else []


def _elements(pdf):
    stack = [pdf.Root.StructTreeRoot.K]
    while stack:
        node = stack.pop()
        if isinstance(node, Array):
            stack.extend(node)
        elif isinstance(node, Dictionary) and node.get("/Type") not in (Name.OBJR, Name.MCR) and "/K" in node:
            yield node
            stack.append(node.K)


@pytest.mark.slow
def test_what_cannot_be_mended_is_refused_at_its_line_without_raw_warnings(bid, tmp_path):
    (bid / LETTER).write_bytes(annex_samples.form_without_appearances())
    (bid / MOU).write_bytes(annex_samples.print_shop_plan(cmyk_group=True))
    run = check_here(".", "--format", "json", cwd=bid)
    found = {(f["severity"], f["file"], f["line"]): f["message"] for f in run.json()["findings"] if f["rule"] == "ANX006"}
    assert set(found) == {("warning", "partners.yaml", line_of(bid / "partners.yaml", LETTER)),
                          ("warning", "mou.yaml", line_of(bid / "mou.yaml", MOU))}
    # WeasyPrint's form font maps glyphs to U+0000 (the validator's PDFUA1-FONT-UNICODE-VALUE-001): PDF/UA too.
    form = found["warning", "partners.yaml", line_of(bid / "partners.yaml", LETTER)]
    assert f"'{LETTER}' has fonts whose text maps to no character (U+0000, U+FEFF or U+FFFE in their ToUnicode map): " in form
    assert form.endswith("; annotations that print without a fixed appearance: form field (2×), Highlight annotation: "
                         "it would make pdf/a-3a+ua-1, pdf/a-3u, pdf/ua-1 false")
    assert found["warning", "mou.yaml", line_of(bid / "mou.yaml", MOU)].endswith(
        f"'{MOU}' has DeviceCMYK colour (uncalibrated; the document's output intent is sRGB): it would make pdf/a-3a+ua-1, pdf/a-3u false")
    out = tmp_path / "final.pdf"
    run = run_bidkit("build", str(bid), "-o", str(out))
    assert run.code == 1 and not out.exists()
    assert f"annex 1 '{MOU}' would make pdf/a-3a+ua-1 false: DeviceCMYK colour" in run.stderr
    # --pdf-variant pdf (no claim) appends the fields as they are, without pikepdf's own warnings.
    run = run_bidkit("build", str(bid), "-o", str(out), "--pdf-variant", "pdf")
    assert run.code == 0, run.stderr
    assert not [word for word in RAW_WARNINGS if word in run.stderr], run.stderr


def test_invisible_ocr_text_needs_no_embedded_font():
    from bidkit.render.final import inspect_annex

    assert inspect_annex(annex_samples.ocr_scan()).unembedded_fonts == ()
    assert inspect_annex(annex_samples.office_export()).unembedded_fonts == ("Helvetica",)
    # The render mode is followed through q/Q and into forms, which start in their caller's mode.
    pdf = pikepdf.open(io.BytesIO(annex_samples.ocr_scan()))
    page = pdf.pages[0]
    form = pdf.make_stream(b"BT /OCR 9 Tf (a) Tj ET", Type=Name.XObject, Subtype=Name.Form, BBox=[0, 0, 9, 9],
                           Resources=Dictionary(Font=page.Resources.Font))
    page.Resources.XObject.Fm = form
    for content, visible in [(b"BT 3 Tr ET /Fm Do", False), (b"q BT 3 Tr ET Q /Fm Do", True),
                             (b"BT 3 Tr /OCR 9 Tf q 0 Tr Q (b) Tj ET", False), (b"BT 3 Tr /OCR 9 Tf 2 Tr (b) Tj ET", True)]:
        page.Contents = pdf.make_stream(content)
        out = io.BytesIO()
        pdf.save(out)
        inspect_annex.cache_clear()
        assert inspect_annex(out.getvalue()).unembedded_fonts == (("Helvetica",) if visible else ()), content
