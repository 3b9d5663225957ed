"""The completeness summary never looks better because a file is broken: checks that cannot run
(a section they read did not load) count as not passing, in every format that shows a score."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from conftest import check_here, edit


def test_a_section_that_did_not_load_fails_its_checks_in_the_summary(bid):
    sound = check_here(str(bid), "--format", "json").json()["completeness"]
    edit(bid / "measures.yaml", "measures:", "xmeasures:")  # the whole section is unknown
    broken = check_here(str(bid), "--format", "json").json()["completeness"]
    groups = {s["section"]: s for s in broken["sections"]}
    assert groups["Maßnahmen"]["passed"] == 0 and groups["Maßnahmen"]["not_run"] == groups["Maßnahmen"]["total"] > 0
    assert sum(s["total"] for s in broken["sections"]) == sum(s["total"] for s in sound["sections"])
    assert broken["percent"] < sound["percent"]

    text = check_here(str(bid)).stdout
    assert "✗ Maßnahmen: 0/" in text and "not run: what they read did not load" in text

    junit = ET.fromstring(check_here(str(bid), "--format", "junit").stdout)
    suite = junit.find("testsuite")
    skipped = [case for case in suite.iter("testcase") if case.find("skipped") is not None]
    assert int(suite.get("skipped")) == len(skipped) >= groups["Maßnahmen"]["total"]
    assert int(suite.get("tests")) == len(list(suite.iter("testcase")))
