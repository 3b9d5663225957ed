"""Defects the red team found in round 3 (/work/trial/rt3), each fixed as a class: keys that are
not text, ignored rules that looked like passing ones, report injection, bidi controls, call files."""

from __future__ import annotations

from pathlib import Path

import pytest

from bidkit.check import CheckOptions, check_bid
from bidkit.findings import Severity

from conftest import edit, line_of, run_bidkit


def problems(bid: Path, **options):
    return [f for f in check_bid(bid, CheckOptions(**options))[0].findings if f.severity is not Severity.INFO]


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


# --- row 8: keys that YAML reads as numbers, dates, yes/no or null ------------------------


@pytest.mark.parametrize("key", ["2026", "7", "0"])
@pytest.mark.parametrize("file", ["bid.yaml", "goals.yaml", "budget.yaml"])
def test_a_number_as_a_top_level_key_is_one_located_error(bid, key, file):
    append(bid / file, f"{key}: Jahr\n")
    [finding] = problems(bid)
    assert finding.rule == "SCH001" and finding.message == f"a key must be text, found int '{key}'"
    assert finding.location.file == bid / file and finding.location.line == line_of(bid / file, f"{key}: Jahr")


def test_a_number_as_a_nested_key_gets_a_hint_for_block_mappings(bid):
    edit(bid / "goals.yaml", "    title: Lebensqualität durch digitale Angebote\n",
         "    title: Lebensqualität durch digitale Angebote\n    7: sieben\n")
    [finding] = problems(bid)
    assert finding.message == "a key must be text, found int '7'"
    assert "{…}" not in finding.hint and "not numbers" in finding.hint  # the flow-mapping hint only fits `{…}`


@pytest.mark.parametrize("snippet", ["checks:\n  severity: {2026: error}\n", "variants:\n  2026: {label: Presse}\n"])
def test_a_number_as_a_name_key_says_a_key_must_be_text(bid, snippet):
    append(bid / "bid.yaml", snippet)
    [finding] = problems(bid)
    assert finding.rule == "SCH001" and finding.message == "a key must be text, found int '2026'"
    assert finding.location.line == line_of(bid / "bid.yaml", "2026")


@pytest.mark.parametrize("key", ["2026-01-01", "true", "null", "1.5", "~"])
def test_other_keys_that_are_no_text_are_refused_at_their_line(bid, key):
    append(bid / "measures.yaml", f"{key}: x\n")
    [finding] = [f for f in problems(bid) if f.rule == "YML001"]
    assert finding.message == f"a key must be text, found '{key}'"
    assert finding.location.line == line_of(bid / "measures.yaml", f"{key}: x")


def test_a_number_key_gives_no_traceback_on_the_command_line(bid):
    append(bid / "bid.yaml", "2026: Jahr\n")
    run = run_bidkit("check", str(bid))
    assert run.code == 1 and "Traceback" not in run.stderr and "a key must be text" in run.stdout
