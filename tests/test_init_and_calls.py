"""`bidkit init` (a skeleton per call, or the example) and `bidkit calls` / `calls show`."""

from __future__ import annotations

import re

import pytest
import yaml

from bidkit.call_profiles import shipped_call, shipped_calls
from bidkit.check import check_bid
from bidkit.findings import Severity
from bidkit.scaffold import scalar, skeleton_files

from conftest import EXAMPLE, check_here, run_bidkit


@pytest.mark.parametrize("call_id", list(shipped_calls()))
def test_fresh_skeleton_fails_check_with_a_finding_on_each_line_to_fill(tmp_path, call_id):
    run = run_bidkit("init", "neu", "--city", "Mülheim an der Ruhr", "--call", call_id, cwd=tmp_path)
    assert run.code == 0, run.stderr
    bid = tmp_path / "neu"
    call = shipped_call(call_id)
    expected_files = {"bid.yaml", "goals.yaml", "measures.yaml", "partners.yaml", "budget.yaml", "bid.schema.json"}
    assert {p.name for p in bid.iterdir()} == expected_files | ({"mou.yaml"} if "mou" in call.required_sections else set())
    result, loaded = check_bid(bid)
    assert not loaded.broken
    problems = [f for f in result.findings if f.severity is not Severity.INFO]
    # Only "fill this in" findings: no schema, reference, section or date errors.
    assert {f.rule for f in problems} <= {"TXT001", "BUD005", "BUD019", "PAR002", "ELI001", "ELI003"}, [(f.rule, f.message) for f in problems]
    assert "ELI003" in {f.rule for f in problems}  # the stand-in population, whatever range the call admits (rt4 D28)
    for finding in problems:
        lines = finding.location.file.read_text(encoding="utf-8").splitlines() + [""]
        line = lines[finding.location.line - 1]
        if finding.rule == "TXT001":
            # the line holds the TODO, or opens the block text whose first line does
            assert "TODO" in line or line.rstrip().endswith(("|", ">-")) and "TODO" in lines[finding.location.line], line
        elif finding.rule == "BUD005":
            assert line.strip() == "amount: 0"
        elif finding.rule == "BUD019":  # the plan of stand-ins as a whole: at its years
            assert line.strip().startswith("- year:"), line
        elif finding.rule in ("ELI001", "ELI003"):
            assert line.strip() == "population: 1"
        else:
            assert line.strip() == "- id: partner-1"
    # every section the call requires is there
    assert not [f for f in result.findings if f.rule == "REQ001"]
    assert check_here("neu", cwd=tmp_path).code == 1


def test_skeleton_names_the_calls_thematic_field_ids_and_limits():
    call = shipped_call("bitkom-digitale-stadt-2017")
    files = skeleton_files("Paderborn", call)
    for field in call.thematic_fields:
        assert re.search(rf"^#   {re.escape(field.id)} +{re.escape(field.name)}$", files["measures.yaml"], re.M)
    assert "field: energie-umwelt" in files["measures.yaml"]
    assert "# Vision (at most 3500 characters)" in files["bid.yaml"]
    assert yaml.safe_load(files["bid.yaml"])["subtitle"] == "Bewerbung der Stadt Paderborn – Wettbewerb „Digitale Stadt“ 2017"


def test_skeleton_for_a_call_without_mou_or_with_committed_own_share():
    files = skeleton_files("Ulm", shipped_call("modellprojekte-smart-cities"))
    assert "mou.yaml" not in files
    resolution = yaml.safe_load(files["bid.yaml"])["council_resolution"]
    assert resolution["own_share_committed"] == 0
    measure = yaml.safe_load(files["measures.yaml"])["measures"][0]
    assert (str(measure["start"]), str(measure["end"])) == ("2021-07-01", "2028-12-31")  # the funding period


def test_city_names_that_yaml_would_misread_are_quoted():
    assert scalar("Halle (Saale)") == "Halle (Saale)"
    assert scalar("Stadt #1") == '"Stadt #1"'
    assert scalar("Essen: Ruhr") == '"Essen: Ruhr"'
    assert scalar("2017") == '"2017"'
    data = yaml.safe_load(skeleton_files("Stadt #1: Test", shipped_call("bitkom-digitale-stadt-2017"))["bid.yaml"])
    assert data["city"]["name"] == "Stadt #1: Test"


def test_init_without_city_or_call_is_a_usage_error_with_a_hint(tmp_path):
    run = run_bidkit("init", "neu", cwd=tmp_path)
    assert run.code == 2
    assert "init needs --city and --call (or --example" in run.stderr
    assert "bidkit init neu --city Paderborn --call bitkom-digitale-stadt-2017" in run.stderr
    assert not (tmp_path / "neu").exists()
    run = run_bidkit("init", "neu", "--city", "Paderborn", cwd=tmp_path)
    assert run.code == 2 and "init needs --call" in run.stderr


def test_init_with_an_unknown_call_suggests_the_closest(tmp_path):
    run = run_bidkit("init", "neu", "--city", "Paderborn", "--call", "bitkom", cwd=tmp_path)
    assert run.code == 2
    assert "no shipped call 'bitkom'" in run.stderr
    assert "Did you mean 'bitkom-digitale-stadt-2017'?" in run.stderr
    assert not (tmp_path / "neu").exists()


def test_init_example_refuses_city(tmp_path):
    run = run_bidkit("init", "neu", "--example", "--city", "Paderborn", cwd=tmp_path)
    assert run.code == 2 and "--example writes Wolfsburg's complete bid" in run.stderr


def test_calls_lists_the_shipped_calls():
    run = run_bidkit("calls")
    assert run.code == 0
    assert "bitkom-digitale-stadt-2017   2017-03-15  Wettbewerb „Digitale Stadt“ 2017 (Bitkom e. V." in run.stdout
    assert "modellprojekte-smart-cities  2021-04-16  Modellprojekte Smart Cities" in run.stdout
    rows = run_bidkit("calls", "--format", "json").json()
    assert [r["id"] for r in rows] == list(shipped_calls())
    assert rows[0] == {"id": "bitkom-digitale-stadt-2017", "name": "Wettbewerb „Digitale Stadt“ 2017",
                       "organizer": "Bitkom e. V. mit dem Deutschen Städte- und Gemeindebund", "deadline": "2017-03-15"}


def test_calls_show_prints_what_a_team_must_know():
    run = run_bidkit("calls", "show", "bitkom-digitale-stadt-2017")
    assert run.code == 0, run.stderr
    text = run.stdout
    for expected in (
        "deadline:            2017-03-15",
        "eligible population: 100.000–150.000 (nominal)",
        "86.000–156.000 accepted",
        "page limit:          30 pages",
        "own share:           no minimum",
        "funding period:      not set (the budget years count)",
        "  datenplattform    Städtische Datenplattform",
        "  council_resolution   Ratsbeschluss",
        "  measures[].description   1.500 characters",
        "  DS-9   Kosten- und Finanzierungsplan, rechnerisch richtig und gedeckt.  [budget: BUD]",
    ):
        assert expected in text, expected
    mpsc = run_bidkit("calls", "show", "modellprojekte-smart-cities").stdout
    assert "own share:           at least 35 % of the costs" in mpsc
    assert "funding rate:        65 %" in mpsc
    assert "funding period:      2021-07-01 to 2028-12-31" in mpsc
    assert "resolution:          must commit the own share" in mpsc


def test_calls_show_json_is_the_whole_profile():
    data = run_bidkit("calls", "show", "bitkom-digitale-stadt-2017", "--format", "json").json()
    assert data["eligibility"]["tolerance"]["population_max"] == 156000
    assert [f["id"] for f in data["thematic_fields"]][:2] == ["energie-umwelt", "mobilitaet"]
    assert data["required_sections"][-1] == "council_resolution"


def test_calls_show_unknown_id_exits_2_with_did_you_mean():
    run = run_bidkit("calls", "show", "bitkom-digitale-stadt-2071")
    assert run.code == 2
    assert "no shipped call 'bitkom-digitale-stadt-2071'" in run.stderr
    assert "Did you mean 'bitkom-digitale-stadt-2017'?" in run.stderr
    assert "Traceback" not in run.stderr
    run = run_bidkit("calls", "show", "./my-call.yaml")
    assert run.code == 2 and "bitkom-digitale-stadt-2017, modellprojekte-smart-cities" in run.stderr


def test_skeleton_with_an_official_name_uses_it_wherever_it_names_the_city(tmp_path):
    target = tmp_path / "darmstadt"
    run = run_bidkit("init", str(target), "--city", "Darmstadt", "--official-name", "Wissenschaftsstadt Darmstadt",
                     "--call", "bitkom-digitale-stadt-2017")
    assert run.code == 0, run.stderr
    texts = {path.name: path.read_text(encoding="utf-8") for path in target.glob("*.yaml")}
    assert "official_name: Wissenschaftsstadt Darmstadt" in texts["bid.yaml"]
    assert not [name for name, text in texts.items() if "Stadt Darmstadt" in text.replace("Wissenschaftsstadt Darmstadt", "")]
    assert "organisation: Wissenschaftsstadt Darmstadt" in texts["bid.yaml"]
    found = check_here(str(target), "--format", "json").json()["findings"]
    assert not [f for f in found if f["rule"].startswith(("SCH", "YML"))]  # a skeleton of TODOs, but a valid one


@pytest.mark.parametrize("call_id", sorted(shipped_calls()))
def test_every_shipped_call_renders_the_example_bid(call_id):
    """The document's template data is built for every shipped call: a call without an eligibility
    tolerance once made the data hold itself (`accepted` returned its owner) and every build crash."""
    from dataclasses import replace

    from bidkit.loader import load_bid
    from bidkit.render.build import document_html

    loaded = load_bid(EXAMPLE)
    call = shipped_call(call_id)
    html = document_html(replace(loaded, call=call), draft=True, annex_list=[])
    assert call.name in html and "Lebensqualität durch digitale Angebote" in html


def test_call_percentages_print_as_written_without_trailing_zeros():
    from decimal import Decimal

    from bidkit.call_profiles import call_text

    call = shipped_call("modellprojekte-smart-cities").model_copy(
        update={"funding_rate_percent": Decimal("80.00"), "own_share_min_percent": Decimal("12.50")})
    text = call_text(call)
    assert "funding rate:        80 %" in text and "at least 12,5 % of the costs" in text


def test_init_force_names_the_yaml_files_it_leaves_in_place(tmp_path):
    """An old bid's mou.yaml stayed and was merged into the new skeleton without a word (rt4 D14)."""
    target = tmp_path / "bid"
    target.mkdir()
    (target / "mou.yaml").write_text("mou:\n  title: Alte Vereinbarung\n", encoding="utf-8")
    (target / "notes.txt").write_text("x", encoding="utf-8")
    run = run_bidkit("init", str(target), "--city", "Foo", "--call", "modellprojekte-smart-cities", "--force")
    assert run.code == 0, run.stderr
    assert "Kept from before: mou.yaml" in run.stderr and "notes.txt" not in run.stderr
