"""Annexes that page-validation rejects in the final file (rt9 D9, rt9b E8, E9): what bidkit can
mend without changing a printed page it mends (ANX009), confirmed by the validator (3a and ua1)
and `qpdf --check` in one real build; what it cannot is ANX006 at the annex's line; a digital
signature that the combined PDF cannot keep is ANX010. ``RULE_WALK`` is the walk through the
validator's own rule list: every rule it knows, with what bidkit does about it for an annex."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pikepdf
import pytest

import annex_samples
from conftest import EXAMPLE, check_here, edit, line_of, run_bidkit
from test_pdf_validation import qpdf_warnings, validation_failures

MOU = "anlagen/mou-wolfsburgdigital.pdf"
LETTER = "anlagen/unterstuetzung-ostfalia.pdf"
QUIRKS, WIDTHS = "anlagen/bericht.pdf", "anlagen/kosten.pdf"


def _annexes(bid: Path, files: dict[str, bytes]) -> None:
    """``files`` (name → bytes) written into the bid and listed under ``annexes:``, each titled by its name."""
    entries = "".join(f"  - title: {Path(name).stem}\n    file: {name}\n" for name in files)
    edit(bid / "bid.yaml", "annexes:\n", f"annexes:\n{entries}")
    for name, data in files.items():
        (bid / name).write_bytes(data)


@pytest.fixture(scope="module")
def mended(tmp_path_factory) -> tuple[Path, Path, dict]:
    """The example with office quirks in a tagged report, a simple TrueType export with wrong
    widths, and a signed letter: checked and built once (final, pdf/a-3a+ua-1)."""
    bid = tmp_path_factory.mktemp("anx9") / "bid"
    shutil.copytree(EXAMPLE, bid)
    _annexes(bid, {QUIRKS: annex_samples.office_quirks(), WIDTHS: annex_samples.simple_truetype(widths_off=37)})
    (bid / LETTER).write_bytes(annex_samples.signed_letter())
    check = check_here(".", "--format", "json", cwd=bid)
    out = bid.parent / "bid.pdf"
    build = run_bidkit("build", str(bid), "-o", str(out))
    assert build.code == 0, build.stderr
    assert "pdf/a-3a+ua-1" in build.stdout + build.stderr
    return bid, out, check.json()


@pytest.mark.slow
def test_mended_annexes_are_confirmed_by_the_validator_and_qpdf(mended):
    _, out, _ = mended
    assert validation_failures(out, "3a") == []
    assert validation_failures(out, "ua1") == []
    assert qpdf_warnings(out) == []


def test_the_check_says_what_was_mended_and_that_a_signature_is_lost(mended):
    bid, _, report = mended
    found = {(f["rule"], f["file"], f["line"]): f for f in report["findings"] if f["rule"].startswith("ANX")}
    quirks, widths = line_of(bid / "bid.yaml", QUIRKS), line_of(bid / "bid.yaml", WIDTHS)
    letter = line_of(bid / "partners.yaml", LETTER)
    assert not [key for key in found if key[0] == "ANX006"]
    message = found["ANX009", "bid.yaml", quirks]["message"]
    for what in ("PostScript XObject removed", "unknown blend mode named as read (Normal)", "halftone setting removed",
                 "glyph widths of font", "presentation steps removed", "/CIDSet, /CharSet) removed",
                 "heading levels that skip a level re-levelled (H5 → H3)",
                 "language „“ that is no language tag removed", "language „deutsch!“ that is no language tag removed"):
        assert what in message, what
    assert "viewer command (Print)" in found["ANX004", "bid.yaml", quirks]["message"]
    assert "glyph widths of font DejaVuSans taken from its font program" in found["ANX009", "bid.yaml", widths]["message"]
    signature = found["ANX010", "partners.yaml", letter]
    assert signature["severity"] == "warning"
    assert signature["message"].endswith(f"the digital signature of '{LETTER}' cannot be kept in the combined PDF: "
                                         "hand in the signed file separately")
    assert "digital signature" not in found["ANX009", "partners.yaml", letter]["message"]
    assert "signature field that shows nothing removed" in found["ANX009", "partners.yaml", letter]["message"]


def test_mended_widths_keep_every_glyph_where_it_printed(tmp_path: Path):
    """The widths come from the font program, and each glyph is moved back by the difference
    (Tj, TJ, ' and \" alike): the page renders to the same pixels before and after."""
    from bidkit.annexes import _clean_copy

    original = annex_samples.simple_truetype(widths_off=37)
    mended = _clean_copy(original).data
    assert _rendered(mended, tmp_path / "mended") == _rendered(original, tmp_path / "original")
    pdf = pikepdf.open(io.BytesIO(mended))
    font = pdf.pages[0].Resources.Font.F1
    # space and „!“ of DejaVu Sans (651 and 821 of 2048 units per em), to a thousandth of a unit
    assert [float(width) for width in font.Widths[:2]] == [317.871, 400.879]
    assert _clean_copy(annex_samples.simple_truetype()).repaired == ()  # widths that agree stay as they are


def _rendered(data: bytes, stem: Path) -> bytes:
    """The first page as pdftoppm renders it (grey, 100 dpi)."""
    import subprocess

    stem.with_suffix(".pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "100", "-gray", "-singlefile", str(stem.with_suffix(".pdf")), str(stem)], check=True)
    return stem.with_suffix(".pgm").read_bytes()


#: name: (the annex, what ANX006 says of it)
UNMENDABLE = {
    "huge": (lambda: annex_samples.page_of_size(20000, 1000), "pages smaller than 3 or larger than 14,400 units"),
    "tiny": (lambda: annex_samples.page_of_size(2, 2), "1 (2 × 2)"),
    "heading": (lambda: annex_samples.tagged_with("heading"), "headings of no level (/H)"),
    "empty-alt": (lambda: annex_samples.tagged_with("empty-alt"), "1 figure(s) without a text alternative (/Alt)"),
    "formula": (lambda: annex_samples.tagged_with("formula"), "1 formula(s) without a text alternative (/Alt)"),
    "tr-kids": (lambda: annex_samples.tagged_with("tr-kids"), "tables or lists whose parts stand where they may not (P in TR (2×))"),
    "no-unicode": (lambda: annex_samples.tagged_with("no-unicode"), "fonts whose text cannot be read out (no ToUnicode map"),
    "nesting": (lambda: annex_samples.tagged_with("nesting"), "graphics states nested 30 deep (PDF/A allows 28)"),
    "bit-depth": (lambda: annex_samples.tagged_with("bit-depth"), "images of a bit depth PDF/A does not know (3)"),
}


def test_what_cannot_be_mended_is_anx006_at_its_line(bid: Path):
    files = {f"anlagen/{name}.pdf": make() for name, (make, _) in UNMENDABLE.items()}
    _annexes(bid, files)
    run = check_here(".", "--format", "json", cwd=bid)
    found = {f["line"]: f for f in run.json()["findings"] if f["rule"] == "ANX006" and f["file"] == "bid.yaml"}
    for name, (_, reason) in UNMENDABLE.items():
        finding = found[line_of(bid / "bid.yaml", f"anlagen/{name}.pdf")]
        assert finding["severity"] == "warning"
        assert reason in finding["message"], (name, finding["message"])
        assert "pdf/a-3a+ua-1" in finding["message"]


@pytest.mark.slow
def test_a_final_build_refuses_an_unmendable_page_size(bid: Path, tmp_path: Path):
    _annexes(bid, {"anlagen/plan.pdf": annex_samples.page_of_size(20000, 1000)})
    out = tmp_path / "final.pdf"
    run = run_bidkit("build", str(bid), "-o", str(out))
    assert run.code == 1 and not out.exists()
    assert "'anlagen/plan.pdf' would make pdf/a-3a+ua-1 false: pages smaller than 3 or larger than 14,400 units" in run.stderr


def test_check_of_such_annexes_imports_no_weasyprint(bid: Path):
    """The annex inspection reads fonts with fontTools, never with WeasyPrint (printed from an exit
    handler, as tests/test_cli.py does: a plain check ends by os._exit)."""
    import subprocess
    import sys

    _annexes(bid, {QUIRKS: annex_samples.office_quirks(), WIDTHS: annex_samples.simple_truetype(widths_off=37)})
    probe = ("import atexit, sys, runpy\n"
             "sys.argv = ['bidkit'] + sys.argv[1:]\n"
             "atexit.register(lambda: print('WEASYPRINT' if 'weasyprint' in sys.modules else 'CLEAN', file=sys.stderr))\n"
             "runpy.run_module('bidkit', run_name='__main__')\n")
    proc = subprocess.run([sys.executable, "-c", probe, "check", str(bid)], capture_output=True, text=True)
    assert proc.stderr.strip().endswith("CLEAN"), proc.stderr
    assert "ANX009" in proc.stdout, proc.stdout
