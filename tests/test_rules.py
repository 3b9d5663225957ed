"""The corpus (tests/corpus/cases.yaml): each broken bid reports exactly its expected findings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bidkit.check import check_bid
from bidkit.findings import Severity
from bidkit.loader import shipped_calls
from bidkit.rules import RULES, checks

from conftest import EXAMPLE, line_of
from test_startup import assert_plain_report_is_richs

CASES = yaml.safe_load((Path(__file__).parent / "corpus" / "cases.yaml").read_text(encoding="utf-8"))


def apply_case(bid: Path, case: dict) -> None:
    for name, content in case.get("files", {}).items():
        (bid / name).parent.mkdir(parents=True, exist_ok=True)
        (bid / name).write_text(content, encoding="utf-8")
    for edit in case.get("edits", []):
        path = bid / edit["file"]
        # `repeat: N`: the replacement N times, literally (a long text without a long case)
        replacement = (lambda _match, text=edit["with"] * edit["repeat"]: text) if "repeat" in edit else edit["with"]
        text, count = re.subn(edit["replace"], replacement, path.read_text(encoding="utf-8"))
        assert count >= 1, f"{edit['replace']!r} not in {edit['file']}"
        path.write_text(text, encoding="utf-8")
    if "call" in case:
        # an id of its own: a call file that takes the shipped call's id must be that call (CAL002)
        call = shipped_calls()["bitkom-digitale-stadt-2017"].read_text(encoding="utf-8").replace("id: bitkom-digitale-stadt-2017", "id: bitkom-eigene")
        for key, value in case["call"].items():
            line = f"{key}: {value}"
            call, count = re.subn(rf"^{key}:.*(\n[ #].*)*", line, call, flags=re.M)
            call += "" if count else f"\n{line}\n"
        (bid / "call.yaml").write_text(call, encoding="utf-8")
        manifest = bid / "bid.yaml"
        manifest.write_text(manifest.read_text(encoding="utf-8").replace(
            "call: bitkom-digitale-stadt-2017", "call: call.yaml"), encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_corpus_case(bid: Path, case: dict):
    apply_case(bid, case)
    result, _ = check_bid(bid)
    allowed = {e["rule"] for e in case["expect"]} | set(case.get("also", []))
    unexpected = [f for f in result.findings if f.rule not in allowed and f.severity is not Severity.INFO]
    assert not unexpected, [f"{f.rule} {f.location} {f.message}" for f in unexpected]
    for expected in case["expect"]:
        found = [f for f in result.findings if f.rule == expected["rule"]]
        assert found, f"{expected['rule']} not reported; got {[f.rule for f in result.findings]}"
        where = bid / expected["file"]
        lines = {f.location.line for f in found if f.location.file == where}
        assert lines, f"{expected['rule']} not in {expected['file']}: {[str(f.location) for f in found]}"
        if "at" in expected:
            assert line_of(where, expected["at"], expected.get("nth", 1)) in lines, (expected, [str(f.location) for f in found])
        finding = found[0]
        assert finding.severity is RULES[finding.rule].severity or case.get("call")
        assert finding.message and finding.hint
    # `check`'s plain text report of the case is what rich printed (issue 12, tests/test_startup.py).
    assert_plain_report_is_richs(result, case["name"])


def test_every_check_fires_in_some_case():
    covered = {e["rule"] for case in CASES for e in case["expect"]}
    assert {rule.code for rule in checks()} <= covered


def test_example_has_no_errors_or_warnings():
    result, _ = check_bid(EXAMPLE)
    assert [f.rule for f in result.findings if f.severity is not Severity.INFO] == []
    # The info rules report facts (letters counted, Haushaltsvorbehalt), not problems.
    assert {f.rule for f in result.findings} == {"BUD007", "PAR004"}


def test_rules_have_codes_severities_and_explanations():
    for code, rule in RULES.items():
        assert re.fullmatch(r"[A-Z]{3}\d{3}", code)
        assert isinstance(rule.severity, Severity)
        assert rule.title and rule.hint and len(rule.explanation) > 40, code


def test_budget_shortfall_message_in_german_money(bid):
    path = bid / "budget.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("          amount: 500000", "          amount: 450000"), encoding="utf-8")
    result, _ = check_bid(bid)
    (finding,) = [f for f in result.findings if f.rule == "BUD003"]
    assert finding.message == "2017: funding of 450.000\u00a0€ leaves 50.000\u00a0€ of 500.000\u00a0€ costs uncovered"


def test_missing_annex_hint_names_the_closest_file(bid):
    path = bid / "mou.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("anlagen/mou-wolfsburgdigital.pdf", "anlagen/mou-wolfsburg.pdf"), encoding="utf-8")
    result, _ = check_bid(bid)
    [finding] = [f for f in result.findings if f.rule == "ANX001"]
    assert finding.hint == "Did you mean 'anlagen/mou-wolfsburgdigital.pdf'?"
    assert "annex 1 (Memorandum of Understanding #WolfsburgDigital (unterzeichnet))" in finding.message
