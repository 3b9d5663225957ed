"""Each completeness rule: silent on the example, and fires on a bid broken in one way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bidkit.check import check_bid
from bidkit.findings import Severity
from bidkit.rules import RULES, checks

from conftest import EXAMPLE, edit, line_of

# (rule, file, regex to replace, replacement, text on the line the finding must point at
#  or None to skip the line check, other codes the same edit rightly triggers)
CASES = [
    ("REQ001", "bid.yaml", r"council_resolution:(\n  .*|\n    .*)+", "", None, ()),
    ("REQ001", "goals.yaml", r"goals:(\n .*)+", "goals: []", "goals: []", ("REF001",)),
    ("REF001", "measures.yaml", r"goals: \[lebensqualitaet\]", "goals: [lebensqualitat]", "goals: [lebensqualitat]", ()),
    ("REF001", "measures.yaml", r"partners: \[wobcom\]", "partners: [wobcon]", "partners: [wobcon]", ()),
    ("REF001", "budget.yaml", r"measure: egovernment", "measure: e-government", "measure: e-government", ()),
    ("REF002", "partners.yaml", r"id: wobcom", "id: ostfalia", None, ("REF001",)),
    ("BUD001", "budget.yaml", r"      total: 500000", "      total: 499999.99", "      total: 499999.99", ("BUD002",)),
    ("BUD002", "budget.yaml", r"  total: 500000\n  note", "  total: 600000\n  note", "  total: 600000", ()),
    ("BUD003", "budget.yaml", r"          amount: 500000", "          amount: 450000", "- kind: eigenmittel", ()),
    ("BUD004", "budget.yaml", r"          amount: 500000", "          amount: 550000", "- kind: eigenmittel", ()),
    ("GOL001", "goals.yaml", r"    kpis:\n      - name: Ausbildungsplätze.*(\n      .*|\n        .*)+", "    kpis: []", "- id: wirtschaftsstandort", ()),
    ("GOL002", "measures.yaml", r", wirtschaftsstandort\]", "]", ("goals.yaml", "id: wirtschaftsstandort"), ()),
    ("MEA001", "measures.yaml", r"field: mobilitaet", "field: raumfahrt", "field: raumfahrt", ()),
    ("DAT001", "measures.yaml", r"    end: 2017-12-31\n    cost: 130000", "    end: 2017-03-31\n    cost: 130000", "end: 2017-03-31", ()),
    ("MOU001", "mou.yaml", r"      signatories:\n        - \{name: Klaus Mohrs, role: Oberbürgermeister\}\n", "", "id: stadt-wolfsburg", ()),
    ("MOU002", "mou.yaml", r"signed_on: 2016-12-05", "signed_on: 2017-03-16", "signed_on: 2017-03-16", ()),
    ("ELI001", "bid.yaml", r"population: 124000", "population: 250000", "population: 250000", ()),
    ("TXT001", "partners.yaml", r"role: Regionaler Partner", "role: TODO Rolle klären", "TODO Rolle", ()),
    ("TXT001", "goals.yaml", r"source: Bürgerbefragung der Stadt Wolfsburg", 'source: "[Name]"', "[Name]", ()),
    ("TXT001", "bid.yaml", r"  Wolfsburg will digitale Modellstadt werden.", "  Lorem ipsum dolor sit amet.", "Lorem ipsum", ()),
    ("TXT001", "bid.yaml", r"  Digitale Angebote richten sich", "  TBD: Digitale Angebote richten sich", "TBD: Digitale", ()),
    ("TXT002", "partners.yaml", r"role: Regionaler Partner", 'role: "  "', 'role: "  "', ()),
]


def test_example_has_no_findings():
    result, _ = check_bid(EXAMPLE)
    assert result.findings == []


@pytest.mark.parametrize(("code", "file", "pattern", "new", "needle", "also"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_rule_fires_where_the_problem_is(bid: Path, code, file, pattern, new, needle, also):
    text = (bid / file).read_text(encoding="utf-8")
    changed, count = re.subn(pattern, new, text)
    assert count >= 1, f"{pattern!r} not in {file}"
    (bid / file).write_text(changed, encoding="utf-8")
    result, _ = check_bid(bid)
    found = [f for f in result.findings if f.rule == code]
    others = [f for f in result.findings if f.rule != code and f.rule not in also]
    assert found, [str(f) for f in result.findings]
    assert not others, [str(f) for f in others]
    finding = found[0]
    assert finding.severity is RULES[code].severity
    assert finding.message and finding.hint
    if needle is not None:
        where, needle = needle if isinstance(needle, tuple) else (file, needle)
        assert finding.location.file == bid / where
        assert finding.location.line == line_of(bid / where, needle), finding


def test_every_check_has_a_failing_case():
    assert {c.code for c in checks()} <= {case[0] for case in CASES}


def test_rules_have_codes_severities_and_explanations():
    for code, rule in RULES.items():
        assert code[:3].isupper() and code[3:].isdigit()
        assert isinstance(rule.severity, Severity)
        assert rule.title and rule.hint and len(rule.explanation) > 20


def test_budget_shortfall_message_in_german_money(bid):
    edit(bid / "budget.yaml", "          amount: 500000", "          amount: 450000")
    result, _ = check_bid(bid)
    (finding,) = [f for f in result.findings if f.rule == "BUD003"]
    assert finding.message == "2017: funding of 450.000\u00a0€ leaves 50.000\u00a0€ of 500.000\u00a0€ costs uncovered"
