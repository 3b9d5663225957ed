"""Red team rt3, rows 1, 3, 4, 10, 11, 19: files the bid reads are never overwritten; files the
build would refuse (too large, not regular, outside, on the network) are findings of `check` with
their real reason; a theme cannot change what the document says."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from conftest import EXAMPLE, edit, run_bidkit
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
    run = run_bidkit("check", str(bid))
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
