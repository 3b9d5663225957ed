"""A theme's templates keep the structure PDF/UA-1 judges (rt9b E12, THM007): heading levels
without gaps, list items without blocks, tables with header cells. Before, `check` passed them
and the build claimed PDF/UA-1 for a file the validator rejects."""

from __future__ import annotations

from pathlib import Path

from bidkit.check import check_bid
from conftest import REPO, edit, line_of, run_bidkit
from test_pdf_validation import qpdf_warnings, validation_failures

MOU = REPO / "templates" / "sections" / "mou.html.j2"
VISION = REPO / "templates" / "sections" / "vision.html.j2"


def _override(bid: Path, name: str, text: str) -> Path:
    path = bid / "theme" / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if "templates: theme/templates" not in (bid / "bid.yaml").read_text(encoding="utf-8"):
        edit(bid / "bid.yaml", '  accent_color: "#6f8fb0"\n', '  accent_color: "#6f8fb0"\n  templates: theme/templates\n')
    return path


def _findings(bid: Path) -> list:
    result, _ = check_bid(bid)
    return [f for f in result.findings if f.rule in ("THM005", "THM006", "THM007")]


def test_a_skipped_heading_level_is_found_where_the_template_writes_it(bid, tmp_path):
    assert "<h3>Kooperationsfelder</h3>" in MOU.read_text(encoding="utf-8")
    template = _override(bid, "sections/mou.html.j2",
                         MOU.read_text(encoding="utf-8").replace("<h3>Kooperationsfelder</h3>", "<h5>Kooperationsfelder</h5>"))
    found = _findings(bid)
    assert [f.rule for f in found] == ["THM007"], [(f.rule, f.message) for f in found]
    assert "h5 follows an h2" in found[0].message
    assert (found[0].location.file, found[0].location.line) == (template, line_of(template, "<h5>"))
    out = tmp_path / "out.pdf"
    run = run_bidkit("build", str(bid), "-o", str(out))
    assert run.code == 1 and "THM007" in run.stderr and not out.exists()


def test_list_items_with_paragraphs_and_tables_without_heads_are_found(bid):
    template = _override(bid, "sections/vision.html.j2", VISION.read_text(encoding="utf-8")
                         + "<table><tr><td>Ziel</td><td>Wert</td></tr></table>\n<ul><li><p>x</p></li></ul>\n")
    found = _findings(bid)
    assert sorted(f.rule for f in found) == ["THM007", "THM007"], [(f.rule, f.message) for f in found]
    lines = {f.message.split(":")[0]: f.location.line for f in found}
    assert lines == {"a table has no header cell (<th>)": line_of(template, "<table>"),
                     "a list item holds a <p>": line_of(template, "<ul><li>")}


def test_the_same_content_with_its_structure_kept_passes_and_validates(bid, tmp_path):
    _override(bid, "sections/mou.html.j2", MOU.read_text(encoding="utf-8").replace(
        "<h3>Kooperationsfelder</h3>", '<h3 class="klein">Kooperationsfelder</h3>'))
    _override(bid, "sections/vision.html.j2", VISION.read_text(encoding="utf-8")
              + "<table><tr><th>Ziel</th><th>Wert</th></tr><tr><td>a</td><td>b</td></tr></table>\n<ul><li>x</li></ul>\n")
    assert _findings(bid) == []
    out = tmp_path / "out.pdf"
    run = run_bidkit("build", str(bid), "-o", str(out))
    assert run.code == 0, run.stderr
    assert validation_failures(out, "ua1") == [] and validation_failures(out, "3a") == []
    qpdf_warnings(out)
