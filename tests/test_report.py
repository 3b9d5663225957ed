"""Output formats, configuration and the reviewer commands: `check` run in-process by the command
line's own main (conftest.check_here); colour, usage errors, `rules` and `explain` through the real command."""

from __future__ import annotations

import csv
import io
import json

import jsonschema
import pytest
from junitparser import JUnitXml

from bidkit.rules import RULES

from conftest import REPO, check_here, edit, line_of, run_bidkit


@pytest.fixture
def broken(bid):
    """The example with one error (BUD002) and one warning (BUD004)."""
    edit(bid / "budget.yaml", "  total: 500000\n  note", "  total: 600000\n  note")
    edit(bid / "budget.yaml", "          amount: 500000", "          amount: 550000")
    return bid


def test_text_shows_source_line_caret_and_summary(broken, tmp_path):
    run = check_here("bid", cwd=tmp_path)
    line = line_of(broken / "budget.yaml", "total: 600000")
    assert f"{line:>7} |   total: 600000" in run.stdout
    assert "|          ^" in run.stdout  # caret under column 10
    assert "Kosten- und Finanzierungsplan: 19/21 checks pass" in run.stdout
    assert "overall:" in run.stdout and "\x1b[" not in run.stdout


def test_color_always_and_never(broken, tmp_path):
    assert "\x1b[" in run_bidkit("check", "bid", "--color", "always", cwd=tmp_path).stdout
    assert "\x1b[" not in run_bidkit("check", "bid", "--color", "never", cwd=tmp_path).stdout


def test_github_annotations(broken, tmp_path):
    run = check_here("bid", "--format", "github", cwd=tmp_path)
    assert run.code == 1
    line = line_of(broken / "budget.yaml", "total: 600000")
    assert f"::error file=bid/budget.yaml,line={line},col=10,title=BUD002::the years' cost items add up to" in run.stdout
    assert any(row.startswith("::warning file=bid/budget.yaml") and "title=BUD004" in row for row in run.stdout.splitlines())
    assert all(row.startswith(("::error ", "::warning ", "::notice ")) for row in run.stdout.splitlines())


def test_junit_has_one_case_per_rule(broken, tmp_path):
    run = check_here("bid", "--format", "junit", cwd=tmp_path)
    xml = JUnitXml.fromstring(run.stdout.encode("utf-8"))  # bytes: with lxml (pikepdf needs it) junitparser refuses a str with an XML declaration
    cases = [case for suite in xml for case in suite]
    names = [case.name.split()[0] for case in cases]
    assert len(names) == len(set(names))
    assert set(names) <= set(RULES) and "BUD002" in names and "GOL001" in names
    failed = {case.name.split()[0] for case in cases if not case.is_passed}
    assert failed == {"BUD002", "BUD004"}


# SARIF 2.1.0's structural requirements for what bidkit emits (sarif-schema-2.1.0: sarifLog,
# run, tool, toolComponent, reportingDescriptor, result, message, location, region). The
# official schema validates the log in test_ci_kit.py where shared/ lies beside the clone (CI);
# this shape runs everywhere.
SARIF_SHAPE = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "$schema": {"type": "string", "format": "uri"},
        "runs": {"type": "array", "minItems": 1, "items": {
            "type": "object",
            "required": ["tool"],
            "properties": {
                "tool": {"type": "object", "required": ["driver"], "properties": {"driver": {
                    "type": "object", "required": ["name"],
                    "properties": {
                        "name": {"type": "string"},
                        "version": {"type": "string"},
                        "rules": {"type": "array", "items": {
                            "type": "object", "required": ["id"],
                            "properties": {
                                "id": {"type": "string"},
                                "shortDescription": {"$ref": "#/$defs/message"},
                                "fullDescription": {"$ref": "#/$defs/message"},
                                "help": {"$ref": "#/$defs/message"},
                                "defaultConfiguration": {"type": "object", "properties": {"level": {"$ref": "#/$defs/level"}}},
                            }}},
                    }}}},
                "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                "results": {"type": "array", "items": {
                    "type": "object", "required": ["message"],
                    "properties": {
                        "ruleId": {"type": "string"},
                        "ruleIndex": {"type": "integer", "minimum": -1},
                        "level": {"$ref": "#/$defs/level"},
                        "message": {"$ref": "#/$defs/message"},
                        "locations": {"type": "array", "items": {"type": "object", "properties": {
                            "physicalLocation": {"type": "object", "properties": {
                                "artifactLocation": {"type": "object", "properties": {"uri": {"type": "string"}, "uriBaseId": {"type": "string"}}},
                                "region": {"type": "object", "properties": {
                                    "startLine": {"type": "integer", "minimum": 1},
                                    "startColumn": {"type": "integer", "minimum": 1}}},
                            }},
                            "logicalLocations": {"type": "array"},
                        }}},
                    }}},
            }}},
    },
    "$defs": {
        "level": {"enum": ["none", "note", "warning", "error"]},
        "message": {"type": "object", "anyOf": [{"required": ["text"]}, {"required": ["id"]}],
                    "properties": {"text": {"type": "string"}}},
    },
}


def test_sarif_log(broken, tmp_path):
    run = check_here("bid", "--format", "sarif", cwd=tmp_path)
    log = json.loads(run.stdout)
    jsonschema.Draft202012Validator(SARIF_SHAPE).validate(log)
    driver = log["runs"][0]["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == list(RULES)
    results = log["runs"][0]["results"]
    for result in results:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    error = next(r for r in results if r["ruleId"] == "BUD002")
    assert error["level"] == "error"
    assert error["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bid/budget.yaml"
    assert error["locations"][0]["physicalLocation"]["region"] == {
        "startLine": line_of(broken / "budget.yaml", "total: 600000"), "startColumn": 10}


def test_strict_makes_warnings_errors(bid, tmp_path):
    edit(bid / "budget.yaml", "          amount: 500000", "          amount: 550000")
    assert check_here("bid", cwd=tmp_path).code == 0
    run = check_here("bid", "--strict", "-f", "json", cwd=tmp_path)
    assert run.code == 1
    levels = {f["rule"]: f["severity"] for f in run.json()["findings"]}
    assert levels == {"BUD004": "error", "BUD007": "info", "PAR004": "info"}


def test_select_and_ignore(broken, tmp_path):
    only_budget = check_here("bid", "--select", "BUD00", "-f", "json", cwd=tmp_path).json()
    assert {f["rule"] for f in only_budget["findings"]} == {"BUD002", "BUD004", "BUD007"}
    ignored = check_here("bid", "--ignore", "BUD002", "--ignore", "PAR", "-f", "json", cwd=tmp_path)
    assert ignored.code == 0
    assert {f["rule"] for f in ignored.json()["findings"]} == {"BUD004", "BUD007"}


def test_unknown_code_on_the_command_line_exits_2(tmp_path):
    run = run_bidkit("check", "--select", "XYZ")
    assert run.code == 2 and "no rule matches XYZ" in run.stderr


def test_bid_configuration_changes_severity_and_ignores(bid, tmp_path):
    edit(bid / "budget.yaml", "          amount: 500000", "          amount: 550000")
    edit(bid / "bid.yaml", "call: bitkom-digitale-stadt-2017",
         "call: bitkom-digitale-stadt-2017\nchecks:\n  ignore: [PAR004]\n  severity: {BUD004: error, BUD007: warning}")
    document = check_here("bid", "-f", "json", cwd=tmp_path).json()
    levels = {f["rule"]: f["severity"] for f in document["findings"]}
    assert levels == {"BUD004": "error", "BUD007": "warning"}


def test_loader_rules_cannot_be_ignored(bid, tmp_path):
    edit(bid / "bid.yaml", "call: bitkom-digitale-stadt-2017", "call: bitkom-digitale-stadt-2017\nchecks:\n  ignore: [SCH002]")
    edit(bid / "bid.yaml", "  population: 124000", "  populaton: 124000")
    document = check_here("bid", "-f", "json", cwd=tmp_path).json()
    assert {"SCH002", "CFG001"} <= {f["rule"] for f in document["findings"]}


def test_matrix_formats(broken, tmp_path):
    rows = list(csv.DictReader(io.StringIO(check_here("bid", "--matrix", "-f", "csv", cwd=tmp_path).stdout)))
    assert [r["id"] for r in rows][:2] == ["DS-1", "DS-2"]
    budget = next(r for r in rows if r["section"] == "budget")
    assert budget["status"] == "fail" and "BUD002 bid/budget.yaml" in budget["findings"]
    assert next(r for r in rows if r["section"] == "mou")["status"] == "pass"
    as_json = json.loads(check_here("bid", "--matrix", "-f", "json", cwd=tmp_path).stdout)
    assert len(as_json) == len(rows) and set(as_json[0]) == {"id", "requirement", "section", "status", "findings"}
    text = check_here("bid", "--matrix", cwd=tmp_path).stdout
    assert "Compliance matrix" in text and "DS-9" in text


def test_format_combinations_that_make_no_sense_exit_2():
    assert run_bidkit("check", "--matrix", "-f", "junit").code == 2
    assert run_bidkit("check", "-f", "csv").code == 2


def test_cli_formats_are_the_registered_reporters():
    from bidkit.cli import OutputFormat
    from bidkit.report import REPORTERS

    assert {f.value for f in OutputFormat} == set(REPORTERS) | {"csv"}


def test_rules_and_explain():
    listing = run_bidkit("rules").stdout.splitlines()
    assert [row.split()[0] for row in listing] == list(RULES)
    explained = run_bidkit("explain", "bud001")
    assert explained.code == 0
    assert "BUD001" in explained.stdout and "severity: error" in explained.stdout and "fix:" in explained.stdout
    wrong = run_bidkit("explain", "BUD099")
    assert wrong.code == 2 and "Did you mean" in wrong.stderr


def test_second_call_profile_drives_the_rules(bid, tmp_path):
    edit(bid / "bid.yaml", "call: bitkom-digitale-stadt-2017", "call: modellprojekte-smart-cities")
    document = check_here("bid", "-f", "json", cwd=tmp_path).json()
    codes = {f["rule"] for f in document["findings"] if f["severity"] != "info"}
    # MPSC: the resolution must commit the own share; measures and budget years must lie in its funding period;
    # the 2017 documents are years older than its deadline (DAT003); the subtitle names the Bitkom
    # competition, not this call (TXT008).
    assert codes == {"RES002", "MEA003", "BUD011", "DAT003", "TXT008"}
    assert document["call"] == "modellprojekte-smart-cities"


def test_matrix_csv_cells_are_never_run_as_formulas(bid, tmp_path):
    """A call file of one's own is untrusted: its requirement texts reach the matrix CSV, which a
    reviewer opens in a spreadsheet; a cell starting '=' would run there ("CSV injection")."""
    call = (REPO / "bidkit" / "calls" / "bitkom-digitale-stadt-2017.yaml").read_text(encoding="utf-8").replace("id: bitkom-digitale-stadt-2017", "id: bitkom-eigene")
    call = call.replace("text: Die Stadt ist teilnahmeberechtigt", "text: =1+1 Die Stadt ist teilnahmeberechtigt", 1)
    (bid / "call.yaml").write_text(call, encoding="utf-8")
    edit(bid / "bid.yaml", "call: bitkom-digitale-stadt-2017", "call: ./call.yaml")
    rows = list(csv.DictReader(io.StringIO(check_here("bid", "--matrix", "-f", "csv", cwd=tmp_path).stdout)))
    assert rows[0]["requirement"].startswith("'=1+1 Die Stadt")
    assert not any(cell[:1] in "=+-@" for row in rows for cell in row.values() if cell)
