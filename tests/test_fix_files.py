"""Red team rt3, rows 1, 3, 4, 10, 11, 19: files the bid reads are never overwritten; files the
build would refuse (too large, not regular, outside, on the network) are findings of `check` with
their real reason; a theme cannot change what the document says."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLE, check_here, edit, line_of, pdf_text, run_bidkit
from test_import import import_from


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def tabled_bid(tmp_path_factory) -> Path:
    """The example with its costs, funding and KPIs read from spreadsheets (a workbook and CSVs)."""
    bid = tmp_path_factory.mktemp("tabled") / "bid"
    shutil.copytree(EXAMPLE, bid)
    assert run_bidkit("export", str(bid), "--format", "csv", "-o", str(bid / "daten")).code == 0
    import_from(bid, lambda year: "daten/kosten.csv", lambda year: "daten/finanzierung.csv", "daten/kennzahlen.csv")
    run = check_here(str(bid))
    assert run.code == 0, run.stdout
    return bid


# --- row 1: every file the bid reads is an input, whatever names it ------------------------------

@pytest.mark.parametrize("args", [
    ("build", "bid", "--draft", "-o", "bid/daten/kosten.csv"),
    ("build", "bid", "--draft", "--html", "bid/daten/finanzierung.csv", "-o", "out.pdf"),
    ("export", "bid", "--format", "xlsx", "-o", "bid/daten/kennzahlen.csv"),
    ("export", "bid", "--draft", "-o", "bid/daten/finanzierung.csv"),
    ("export", "bid", "--format", "csv", "-o", "bid/daten"),
    ("schema", "-o", "bid/daten/kosten.csv"),
], ids=["build-o-costs", "build-html-funding", "export-xlsx-kpis", "export-draft-funding", "export-csv-folder", "schema-o-costs"])
def test_no_command_writes_over_a_spreadsheet_the_bid_reads(tabled_bid, tmp_path, args):
    shutil.copytree(tabled_bid, tmp_path / "bid")
    before = _digest(tmp_path / "bid")
    run = run_bidkit(*args, cwd=tmp_path)
    assert run.code == 2, (run.code, run.stdout, run.stderr)
    assert "is an input of the bid" in run.stderr or "a schema is JSON" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    assert _digest(tmp_path / "bid") == before


def test_a_schema_is_not_written_over_a_json_annex(tmp_path):
    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    shutil.copy(bid / "anlagen/kennzahlen.csv", bid / "daten.json")
    edit(bid / "bid.yaml", "anlagen/kennzahlen.csv", "daten.json")
    before = (bid / "daten.json").read_bytes()
    run = run_bidkit("schema", "-o", "bid/daten.json", cwd=tmp_path)
    assert run.code == 2 and "is an input of the bid" in run.stderr, run.stderr
    assert (bid / "daten.json").read_bytes() == before
    assert run_bidkit("schema", "-o", "bid/bid.schema.json", cwd=tmp_path).code == 0


def test_a_file_a_theme_stylesheet_uses_is_an_input_too(tmp_path):
    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    (bid / "theme" / "band.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>', encoding="utf-8")
    (bid / "theme" / "extra.css").write_text(".cover { background: url(band.svg); }\n", encoding="utf-8")
    theme(bid, "  stylesheet: theme/extra.css\n")
    run = run_bidkit("build", "bid", "--draft", "-o", "bid/theme/band.svg", cwd=tmp_path)
    assert run.code == 2 and "is an input of the bid" in run.stderr, run.stderr


# --- rows 3 and 10: what the build refuses for its size or kind is an error of `check` ------------

def theme(bid: Path, extra: str) -> None:
    edit(bid / "bid.yaml", '  accent_color: "#6f8fb0"\n', f'  accent_color: "#6f8fb0"\n{extra}')


def sparse(path: Path, size: int, head: bytes = b"") -> None:
    """A file of ``size`` bytes that takes no room on disk (``head``, then zeros)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as stream:
        stream.write(head)
        stream.truncate(size)


def findings(bid: Path, prefix: str) -> list[dict]:
    run = check_here(str(bid), "--format", "json")
    assert "Traceback" not in run.stderr
    return [f for f in run.json()["findings"] if f["rule"].startswith(prefix)]


def annex_too_large(bid: Path) -> None:
    """The example's embedded annex grown past 64 MB (sparse: no room on disk)."""
    sparse(bid / "anlagen" / "kennzahlen.csv", 65_000_000, (EXAMPLE / "anlagen" / "kennzahlen.csv").read_bytes())


@pytest.fixture
def big_annex(tmp_path) -> Path:
    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    annex_too_large(bid)
    return bid


def test_an_annex_too_large_to_embed_is_an_error_of_check(big_annex):
    [finding] = findings(big_annex, "ANX")
    assert finding["rule"] == "ANX001" and finding["severity"] == "error" and finding["file"].endswith("bid.yaml")
    assert finding["line"] == line_of(big_annex / "bid.yaml", "anlagen/kennzahlen.csv")
    assert "'anlagen/kennzahlen.csv' is larger than 64 MB" in finding["message"], finding


@pytest.mark.slow
def test_a_draft_never_claims_an_annex_embedded_that_is_not(edited_draft):
    import pikepdf

    # The draft of conftest.py's `edited_draft`: this annex and the other edits it names.
    run, out = edited_draft.run, edited_draft.pdf
    assert run.code == 0, run.stderr
    assert "embedded" not in run.stdout, run.stdout
    with pikepdf.open(out) as pdf:
        assert len(pdf.attachments) == 0
    text = "\n".join(pdf_text(out))
    assert "anlagen/kennzahlen.csv · Datei, eingebettet" not in text.replace("\n", " ")


def test_the_build_refuses_to_claim_a_file_the_renderer_left_out(big_annex, tmp_path, monkeypatch):
    """Should a file pass the size check and still not be read (it grew, or a limit changed),
    the build stops instead of saying it embedded it."""
    from bidkit import annexes
    from bidkit.errors import RenderError
    from bidkit.loader import load_bid
    from bidkit.render.build import build_pdf

    monkeypatch.setattr(annexes, "MAX_EMBEDDED_BYTES", 10**12)
    with pytest.raises(RenderError, match="could not be embedded: 'anlagen/kennzahlen.csv' is larger than 64 MB"):
        build_pdf(load_bid(big_annex), tmp_path / "out.pdf", draft=True)
    assert not (tmp_path / "out.pdf").exists()


@pytest.mark.parametrize("case", ["stylesheet", "font", "template", "template-folder"])
def test_theme_files_the_build_refuses_are_thm001_with_the_path_in_the_bid(tmp_path, case):
    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    templates = bid / "theme" / "templates" / "sections"
    if case == "stylesheet":
        sparse(bid / "theme" / "extra.css", 65_000_000, b"h1 { color: red }\n")
        theme(bid, "  stylesheet: theme/extra.css\n")
        named, says = "theme/extra.css", "'theme/extra.css' is larger than 64 MB"
    elif case == "font":
        sparse(bid / "theme" / "fonts" / "Haus.ttf", 65_000_000, b"\x00\x01\x00\x00")
        theme(bid, "  fonts: [{file: theme/fonts/Haus.ttf}]\n")
        named, says = "theme/fonts/Haus.ttf", "'theme/fonts/Haus.ttf' is larger than 64 MB"
    elif case == "template":
        sparse(templates / "partners.html.j2", 2_000_000, b"<p>x</p>")
        theme(bid, "  templates: theme/templates\n")
        named, says = "theme/templates", "'theme/templates/sections/partners.html.j2' is larger than 1 MB"
    else:
        (templates / "partners.html.j2").mkdir(parents=True)
        theme(bid, "  templates: theme/templates\n")
        named, says = "theme/templates", "'theme/templates/sections/partners.html.j2' is a folder"
    [finding] = findings(bid, "THM0")
    assert finding["rule"] == "THM001" and finding["severity"] == "error", finding
    assert finding["line"] == line_of(bid / "bid.yaml", named) and says in finding["message"], finding
    assert str(tmp_path) not in finding["message"]


# --- rows 11 and 19: a refused reference says why, where ------------------------------------------

def test_stylesheet_references_the_build_refuses_are_thm003_at_their_line_with_the_reason(tmp_path):
    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    outside = tmp_path / "outside.png"
    outside.write_bytes(b"x")
    (bid / "theme" / "out.png").symlink_to(outside)
    os.mkfifo(bid / "theme" / "pipe.png")
    sparse(bid / "theme" / "huge.png", 65_000_000)
    (bid / "theme" / "ok.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>', encoding="utf-8")
    (bid / "theme" / "extra.css").write_text(
        ".cover { background: url(ok.svg) }\n"                   # 1: fine
        "h1 { background: url(pipe.png) }\n"                     # 2
        "h2 { background: url('missing.png') }\n"                # 3
        "@import url(http://127.0.0.1:9/x.css);\n"               # 4
        "h3 { background: url(../../outside.png) }\n"            # 5
        "h4 { background: url(out.png) }\n"                      # 6
        "@font-face { font-family: X; src: url(huge.png) }\n"    # 7
        "p { background: url(file:///etc/passwd) }\n"            # 8
        "td { background: url(data:image/png;base64,AAAA) }\n",  # 9: fine (the build judges its pixels)
        encoding="utf-8")
    theme(bid, "  stylesheet: theme/extra.css\n")
    found = {f["line"]: f["message"] for f in findings(bid, "THM003")}
    assert all(f["file"].endswith("theme/extra.css") for f in findings(bid, "THM003"))
    assert sorted(found) == [2, 3, 4, 5, 6, 7, 8], found
    assert "'theme/pipe.png' is a FIFO" in found[2]
    assert "'theme/missing.png' does not exist" in found[3]
    assert "no network address" in found[4]
    assert "lies outside the bid folder" in found[5] and "lies outside the bid folder" in found[8]
    assert "symbolic link leading outside" in found[6]
    assert "larger than 64 MB" in found[7]
    assert not any("only files inside the bid folder and the templates may be used" in m for m in found.values())


def test_the_fetcher_names_the_real_reason(tmp_path):
    pytest.importorskip("weasyprint")
    from bidkit.render.fetcher import RefusedURL, SandboxedFetcher

    os.mkfifo(tmp_path / "pipe.png")
    sparse(tmp_path / "huge.png", 65_000_000)
    fetcher = SandboxedFetcher([tmp_path])
    for url in [(tmp_path / "pipe.png").as_uri(), (tmp_path / "nothing.png").as_uri(), "http://127.0.0.1:9/x.png",
                (tmp_path / "huge.png").as_uri(), "file:///etc/passwd"]:
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    reasons = list(fetcher.reasons.values())
    assert "'pipe.png' is a FIFO" in reasons[0] and "does not exist" in reasons[1] and "no network address" in reasons[2]
    assert "'huge.png' is larger than 64 MB" in reasons[3] and "outside" in reasons[4], reasons
    assert all(entry.split(": ", 1)[1] in reasons for entry in fetcher.refused)


@pytest.mark.slow
@pytest.mark.parametrize("include, says", [
    ('{% include "/etc/passwd" %}', "'/etc/passwd' is not a template (*.j2)"),  # only *.j2 files are templates (rt9b E13)
    ('{% import "os" as os %}', "'os' is not a template (*.j2)"),
    ('{% include "nowhere.html.j2" %}', "template 'nowhere.html.j2' is neither in the theme's folder nor among bidkit's templates"),
    ('{% include "../../bid.yaml" %}', "template '../../bid.yaml' refused: a name with '..' leads out of the folder"),
])
def test_a_template_include_that_is_refused_says_why(tmp_path, include, says):
    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    (bid / "theme" / "templates" / "sections").mkdir(parents=True)
    (bid / "theme" / "templates" / "sections" / "partners.html.j2").write_text(f"<p>\n{include}</p>\n", encoding="utf-8")
    theme(bid, "  templates: theme/templates\n")
    run = run_bidkit("build", str(bid), "--draft", "-o", str(tmp_path / "out.pdf"))
    assert run.code == 3, run.stderr
    assert "theme/templates/sections/partners.html.j2, line 2" in run.stderr and says in run.stderr, run.stderr


# --- row 4: a theme changes how the document looks, never what it says ---------------------------

@pytest.mark.parametrize("css, says", [
    ('.own-share strong{font-size:0} .own-share strong::after{content:"35,0 %";font-size:10pt}', ["`font-size: 0`", "`content: \"35,0 %\"`"]),
    (".cover *, section * {color: white !important}\nh1{display:none}", ["`color: white`", "`display: none`"]),
    ("td { visibility: hidden }\ntd { opacity: 0.1 }", ["`visibility: hidden`", "`opacity: 0.1`"]),
    ("td { color: rgba(0, 0, 0, 0) }\ntd { color: #fff0 }", ["`color: rgba(0, 0, 0, 0)`", "`color: #fff0`"]),
    ("td { unicode-bidi: bidi-override; direction: rtl }", ["`unicode-bidi: bidi-override`", "`direction: rtl`"]),
    ('ul { list-style-type: "35 % " }\nh2 { string-set: bid-title "Fake" }', ["`list-style-type: \"35 % \"`", "`string-set"]),
    ("@media print { .total { position: absolute; top: 0 } }", ["`position: absolute`"]),
    ('@page { @top-left { content: "Eigenanteil 35 %" } }', ["`content: \"Eigenanteil 35 %\"`"]),
    ("td { font-size: 3px }\ntd { font-size: 0.2em }", ["`font-size: 3px`", "`font-size: 0.2em`"]),
], ids=["fake-number", "white-and-none", "visibility-opacity", "transparent", "bidi", "list-and-string-set",
        "position-in-media", "digits-in-margin", "tiny"])
def test_theme_css_that_changes_the_text_is_thm004_at_its_line(tmp_path, css, says):
    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    (bid / "theme" / "extra.css").write_text(css + "\n", encoding="utf-8")
    theme(bid, "  stylesheet: theme/extra.css\n")
    found = findings(bid, "THM004")
    assert [f["severity"] for f in found] == ["error"] * len(says), found
    for finding, text in zip(found, says):
        assert text in finding["message"] and finding["file"].endswith("theme/extra.css"), (finding, text)
    lines = css.splitlines()
    assert [lines[f["line"] - 1][f["column"] - 1:].split(":")[0].strip() for f in found] == [
        text.strip("`").split(":")[0] for text in says]


def test_a_theme_that_only_changes_the_look_passes(tmp_path):
    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    (bid / "theme" / "extra.css").write_text(
        "h1, h2 { color: #8a1538; letter-spacing: 0.02em; font-weight: bold }\n"
        ".cover { border-top: 4pt solid var(--accent); padding: 2mm; background: #f4f4f4 }\n"
        "table td { font-size: 9pt; line-height: 1.3; text-indent: 0 }\n"
        ".cover-title { color: #003a70; background-color: #eef2f7 }\n"  # light text on a dark box is refused (rt5 D13)
        '@page { @bottom-left { content: "Stadt Wolfsburg · " string(bid-title); color: #555 } }\n'
        "@media print { p { margin: 0 0 4pt } }\n", encoding="utf-8")
    theme(bid, "  stylesheet: theme/extra.css\n")
    assert findings(bid, "THM") == []


def test_an_imported_stylesheet_is_checked_at_its_own_lines_and_again_after_an_edit(tmp_path):
    from bidkit.check import check_bid

    bid = tmp_path / "bid"
    shutil.copytree(EXAMPLE, bid)
    (bid / "theme" / "extra.css").write_text('@import "parts/more.css";\n', encoding="utf-8")
    (bid / "theme" / "parts").mkdir()
    (bid / "theme" / "parts" / "more.css").write_text("h1 { color: #333 }\nh1 { display: none }\n", encoding="utf-8")
    theme(bid, "  stylesheet: theme/extra.css\n")

    def thm():
        return [(f.rule, f.location.file.name, f.location.line) for f in check_bid(bid)[0].findings if f.rule.startswith("THM")]

    assert thm() == [("THM004", "more.css", 2)]
    (bid / "theme" / "parts" / "more.css").write_text("h1 { color: #333 }\nh1 { background: url(gone.png) }\n", encoding="utf-8")
    assert thm() == [("THM003", "more.css", 2)]
