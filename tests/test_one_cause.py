"""One cause, one error: a missing or doubly defined section, or a measure whose dates are
reversed, is reported once, not again by every rule that reads it (rt6 minor observations)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from bidkit.check import check_bid
from conftest import EXAMPLE, edit, line_of

CALLS = Path(__file__).parent.parent / "bidkit" / "calls"


def _rules(bid: Path) -> Counter:
    result, _ = check_bid(bid)
    return Counter(f.rule for f in result.findings if f.severity.value != "info")


def test_a_required_section_given_as_null_is_one_error_not_one_per_reference(bid):
    (bid / "measures.yaml").write_text("measures: ~\n", encoding="utf-8")
    assert _rules(bid) == {"REQ001": 1}


def test_references_into_an_optional_section_that_is_empty_are_one_error(bid):
    call = (CALLS / "bitkom-digitale-stadt-2017.yaml").read_text(encoding="utf-8")
    (bid / "call.yaml").write_text(call.replace("  - partners\n", "", 1), encoding="utf-8")
    edit(bid / "bid.yaml", "call: bitkom-digitale-stadt-2017", "call: ./call.yaml")
    (bid / "partners.yaml").write_text("partners: []\n", encoding="utf-8")
    result, _ = check_bid(bid)
    ref = [f for f in result.findings if f.rule == "REF001"]
    assert len(ref) == 1, [str(f) for f in ref]
    assert ref[0].location.file == bid / "measures.yaml"
    assert ref[0].location.line == line_of(bid / "measures.yaml", "partners: [")
    assert "no partners are defined" in ref[0].message and "more reference(s)" in ref[0].message
    assert ref[0].hint.startswith("Add `partners:`")


def test_an_unknown_reference_beside_known_entries_is_reported_where_it_stands(bid):
    edit(bid / "budget.yaml", "measure: egovernment", "measure: e-government")
    result, _ = check_bid(bid)
    ref = [f for f in result.findings if f.rule == "REF001"]
    assert [f.location.line for f in ref] == [line_of(bid / "budget.yaml", "measure: e-government")]
    assert "unknown measure 'e-government'; known: " in ref[0].message


def test_a_section_defined_in_two_files_is_read_from_neither(bid):
    """partners pasted into bid.yaml: the one error is SCH004, not REF001/REF003 for every
    partner the real partners.yaml defines."""
    text = (bid / "bid.yaml").read_text(encoding="utf-8")
    (bid / "bid.yaml").write_text(text + "partners:\n  - id: x\n    name: X\n    type: verein\n    role: Test\n",
                                  encoding="utf-8")
    result, _ = check_bid(bid)
    errors = [f for f in result.findings if f.severity.value == "error"]
    assert [f.rule for f in errors] == ["SCH004"], [str(f) for f in errors]
    assert errors[0].location.file == bid / "partners.yaml"
    assert "neither is read until one is removed" in errors[0].message


def test_a_measure_that_ends_before_it_starts_is_one_error(bid):
    edit(bid / "measures.yaml", "    start: 2017-04-01\n    end: 2017-12-31\n    cost: 150000",
         "    start: 2019-04-01\n    end: 2017-12-31\n    cost: 150000")
    assert _rules(bid) == {"DAT001": 1}


def test_a_part_of_the_own_share_is_no_other_own_share():
    """„Eigenanteil …, darunter 45 % aus dem Haushalt 2018“ names a part of the share, not a share of
    45 % (RES004/BUD015 warned); the share itself named wrongly still warns."""
    from decimal import Decimal

    from bidkit.rules.resolution import another_own_share

    amounts, percents = [Decimal(200000)], [Decimal(40)]
    for text in ("Der Rat stellt den Eigenanteil bereit, darunter 45 % aus dem Haushalt 2018.",
                 "Der Eigenanteil (davon entfallen 50.000 € auf 2018) wird bereitgestellt.",
                 "Der Eigenanteil (hiervon 12.000 € Sachleistungen) wird bereitgestellt."):
        assert another_own_share(text, amounts, percents) is None, text
    assert another_own_share("Der Eigenanteil beträgt 45 %, davon 20 % im Jahr 2018.", amounts, percents)[1:] == (Decimal(45), "percent")
    assert another_own_share("Der Eigenanteil von 150.000 € wird bereitgestellt.", amounts, percents)[1:] == (Decimal(150000), "amount")
    # „einschließlich“ names what the share holds, not a part of it (review of session 22)
    assert another_own_share("Der Eigenanteil einschließlich Personalkosten beträgt 900.000 €.", amounts, percents)[1:] == \
        (Decimal(900000), "amount")


def test_a_street_named_after_another_city_is_no_remnant():
    """„Braunschweiger Straße“, „Berliner Ring“, „Kasseler Str. 3“ lie in every town (rt4 minor); the
    city itself or its people are still remnants."""
    from bidkit.rules.cities import other_cities

    def named(text):
        return [name for _, name in other_cities(text, "Wolfsburg")]

    assert named("Rathaus, Porschestraße 49, am Berliner Ring und an der Braunschweiger Straße, "
                 "Kasseler Str. 3, am Kölner Platz, Hamburger Allee 2.") == []
    assert named("Die Berliner Straßenbahn und die Kölner Stadtverwaltung; Stadt Kassel Platz 1") == ["Berliner", "Kölner", "Kassel"]


def test_a_missing_section_silences_its_checks_only_when_req001_reports_it(bid):
    """With REQ001 not run (`--select REF`, `--ignore REQ001`), `measures: ~` gave „no errors“, exit 0
    (review of session 22): the checks reading the section stand in for it then."""
    from bidkit.check import CheckOptions

    (bid / "measures.yaml").write_text("measures: ~\n", encoding="utf-8")
    for options in (CheckOptions(select=["REF"]), CheckOptions(ignore=["REQ001"])):
        result, _ = check_bid(bid, options)
        assert "REF001" in {f.rule for f in result.findings}, options
    result, _ = check_bid(bid)
    assert result.not_run_reasons["REF001"] == "not run: measures is missing (REQ001)"
    assert "REF001" not in result.rules_run
