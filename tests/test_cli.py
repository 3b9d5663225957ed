"""The real command line: commands, output formats and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import jsonschema
import pytest

from bidkit import __version__
from bidkit.schema import schema_text
from bidkit.yamlio import load_document

from conftest import EXAMPLE, REPO, edit, line_of, run_bidkit


def test_check_example_passes():
    run = run_bidkit("check", "bid_data")
    assert run.code == 0, run.stdout + run.stderr
    assert "no errors" in run.stdout


def test_check_defaults_to_bid_data():
    assert run_bidkit("check").code == 0


def test_check_reports_file_line_and_exits_1(bid, tmp_path):
    edit(bid / "budget.yaml", "  total: 500000\n  note", "  total: 600000\n  note")
    run = run_bidkit("check", str(bid), cwd=tmp_path)
    assert run.code == 1
    line = line_of(bid / "budget.yaml", "total: 600000")
    assert "bid/budget.yaml" in run.stdout
    assert f"{line}:10" in run.stdout and "BUD002" in run.stdout and "hint:" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr


def test_check_json_is_one_object_with_relative_paths(bid, tmp_path):
    edit(bid / "bid.yaml", "  population: 124000", "  populaton: 124000")
    run = run_bidkit("check", "bid", "--format", "json", cwd=tmp_path)
    assert run.code == 1
    document = json.loads(run.stdout)  # exactly one JSON object, nothing else on stdout
    assert set(document) == {"bid", "call", "complete", "summary", "findings", "completeness"}
    assert document["complete"] is False
    assert document["call"] == "bitkom-digitale-stadt-2017"
    # one error for one cause: the misspelt key, not also "required field 'population' missing"
    assert document["summary"] == {"error": 1, "warning": 0, "info": 2}
    unknown = next(f for f in document["findings"] if f["rule"] == "SCH002")
    assert unknown == {
        "rule": "SCH002", "severity": "error", "message": "unknown key 'populaton'",
        "hint": "Did you mean 'population'?", "file": "bid/bid.yaml",
        "line": line_of(bid / "bid.yaml", "populaton"), "column": 3, "path": "city.populaton",
    }


def test_check_json_on_example():
    document = run_bidkit("check", "bid_data", "-f", "json").json()
    assert document["bid"] == "#WolfsburgDigital"
    assert document["complete"] is True
    assert document["summary"] == {"error": 0, "warning": 0, "info": 2}
    assert [f["rule"] for f in document["findings"]] == ["BUD007", "PAR004"]
    assert document["completeness"]["percent"] == 100.0
    budget = next(s for s in document["completeness"]["sections"] if s["section"] == "Kosten- und Finanzierungsplan")
    assert budget == {"section": "Kosten- und Finanzierungsplan", "passed": 21, "total": 21, "not_run": 0}


def test_missing_folder_exits_2_without_traceback(tmp_path):
    run = run_bidkit("check", str(tmp_path / "nope"))
    assert run.code == 2
    assert "does not exist" in run.stderr and "hint:" in run.stderr
    assert "Traceback" not in run.stderr


def test_bad_option_exits_2():
    assert run_bidkit("check", "--format", "xml").code == 2
    assert run_bidkit("check", "--no-such-option").code == 2


def test_version_and_module_entry_point():
    run = run_bidkit("--version")
    assert run.code == 0 and run.stdout.strip() == f"bidkit {__version__}"


def test_help_lists_commands():
    run = run_bidkit("--help")
    assert run.code == 0
    for command in ("check", "build", "init", "schema"):
        assert command in run.stdout


def test_check_and_help_never_import_weasyprint(tmp_path):
    # printed from an exit handler: a plain check ends by os._exit unless one waits (bidkit.launch)
    probe = (
        "import atexit, sys, runpy\n"
        "sys.argv = ['bidkit'] + sys.argv[1:]\n"
        "atexit.register(lambda: print('WEASYPRINT' if 'weasyprint' in sys.modules else 'CLEAN', file=sys.stderr))\n"
        "runpy.run_module('bidkit', run_name='__main__')\n"
    )
    for args in (["--help"], ["check", str(EXAMPLE)], ["check", "--help"], ["build", "--help"]):
        proc = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, cwd=tmp_path)
        assert proc.stderr.strip().endswith("CLEAN"), (args, proc.stderr)


def test_init_example_writes_a_bid_that_passes_check(tmp_path):
    run = run_bidkit("init", "neu", "--example", cwd=tmp_path)
    assert run.code == 0, run.stderr
    assert (tmp_path / "neu" / "bid.yaml").is_file()
    assert (tmp_path / "neu" / "bid.schema.json").read_text() == schema_text()
    assert run_bidkit("check", "neu", cwd=tmp_path).code == 0


def test_init_refuses_a_non_empty_folder_unless_forced(tmp_path):
    (tmp_path / "neu").mkdir()
    (tmp_path / "neu" / "notes.txt").write_text("mine")
    run = run_bidkit("init", "neu", "--example", cwd=tmp_path)
    assert run.code == 2 and "not empty" in run.stderr and "--force" in run.stderr
    assert not (tmp_path / "neu" / "bid.yaml").exists()
    assert run_bidkit("init", "neu", "--example", "--force", cwd=tmp_path).code == 0
    assert (tmp_path / "neu" / "notes.txt").read_text() == "mine"
    assert (tmp_path / "neu" / "bid.yaml").is_file()


def test_schema_command_prints_the_generated_schema():
    run = run_bidkit("schema")
    assert run.code == 0
    assert run.stdout == schema_text()
    assert json.loads(run_bidkit("schema", "call").stdout)["$id"] == "bidkit:call"


@pytest.mark.parametrize("folder", ["bid_data", "examples/paderborn"])
def test_committed_schema_is_current(folder):
    committed = (REPO / folder / "bid.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), f"{folder}/bid.schema.json is stale: run `bidkit schema -o {folder}/bid.schema.json`"


def _plain(node):
    """YAML data as JSON would hold it (dates as ISO strings), for jsonschema."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if hasattr(node, "isoformat"):
        return node.isoformat()
    return node


def test_every_example_file_points_at_and_satisfies_the_schema():
    schema = json.loads(schema_text())
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted(EXAMPLE.glob("*.yaml")):
        assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=bid.schema.json\n"), path
        errors = list(validator.iter_errors(_plain(load_document(path).data)))
        assert not errors, (path, [e.message for e in errors])


def test_schema_rejects_unknown_keys_like_the_loader():
    validator = jsonschema.Draft202012Validator(json.loads(schema_text()))
    assert list(validator.iter_errors({"city": {"name": "X", "populaton": 1}}))
    assert list(validator.iter_errors({"gols": []}))
