"""Checker defects red team 4 found (/work/trial/rt4/REPORT.md D4, D5, D6, D7, D8, D21, D25, D27).

The corpus (tests/corpus/cases.yaml, section "rt4") has a case per trap; here are the messages,
the texts that must stay quiet, and the applicant's own places (TXT004).
"""

from __future__ import annotations

import pytest

from bidkit.check import check_bid

from conftest import edit, line_of, run_bidkit
from test_rules import apply_case


def findings(bid, rule):
    return [f for f in check_bid(bid)[0].findings if f.rule == rule]


# --- D21: TXT001 on ordinary German -----------------------------------------------------------

@pytest.mark.parametrize("sentence", [
    "Das Dashboard zeigt die Auslastung im XY-Diagramm.",
    "Die Dorfläden sind keine Platzhalter, sondern echte Bürgerbüros.",
    "Wer fährt den Rufbus??? Die Bürgerinnen und Bürger.",
    "Die ToDo-Liste der Verwaltung ist öffentlich.",
    "Die Höhe wird auf den NN-Wert bezogen.",
    "„Die Stadt […] fördert die Vernetzung“, heißt es im Beschluss.",
])
def test_ordinary_german_is_no_placeholder(bid, sentence):
    edit(bid / "bid.yaml", "  Digitale Angebote richten sich", f"  {sentence} Digitale Angebote richten sich")
    assert [f.message for f in findings(bid, "TXT001")] == []


@pytest.mark.parametrize(("sentence", "placeholder"), [
    ("Ansprechperson: TODO.", "TODO"),
    ("Die Kosten betragen ??? Euro.", "???"),
    ("Leitung: [Platzhalter].", "[Platzhalter]"),
    ("Leitung: Platzhalter", "Platzhalter"),
    ("Ansprechperson N. N. aus dem Referat.", "N. N."),
    ("Das XXX-Projekt startet.", "XXX"),
    ("Frau XY leitet das Projekt.", "XY"),
])
def test_real_placeholders_in_a_sentence_are_still_found(bid, sentence, placeholder):
    edit(bid / "bid.yaml", "  Digitale Angebote richten sich", f"  {sentence}\n  Digitale Angebote richten sich")
    [finding] = findings(bid, "TXT001")
    assert finding.message == f"placeholder '{placeholder}' in vision"
    assert finding.location.line == line_of(bid / "bid.yaml", sentence)


# --- D4: a Landkreis's own towns are its own places ---------------------------------------------

def test_a_landkreis_names_the_towns_its_name_names(bid):
    """„Landkreis Wolfsburg-Gifhorn“ speaks of Wolfsburg; „Stadt Wolfsburg-Gifhorn“ does not."""
    edit(bid / "bid.yaml", "\n  name: Wolfsburg\n", "\n  name: Wolfsburg-Gifhorn\n")
    assert findings(bid, "TXT004"), "a city named Wolfsburg-Gifhorn must not count Wolfsburg as its own"
    edit(bid / "bid.yaml", "\n  name: Wolfsburg-Gifhorn\n", "\n  name: Wolfsburg-Gifhorn\n  official_name: Landkreis Wolfsburg-Gifhorn\n")
    assert [f.message for f in findings(bid, "TXT004")] == []


SENTENCE = "  Die Kreisstadt Braunschweig ist Sitz der Verwaltung.\n  Digitale Angebote richten sich"


def test_another_city_is_still_reported(bid):
    edit(bid / "bid.yaml", "  Digitale Angebote richten sich", SENTENCE)
    [finding] = findings(bid, "TXT004")
    assert finding.location.line == line_of(bid / "bid.yaml", "Die Kreisstadt Braunschweig")


def test_a_municipality_among_the_partners_is_an_own_place(bid):
    edit(bid / "bid.yaml", "  Digitale Angebote richten sich", SENTENCE)
    edit(bid / "partners.yaml", "  - id: wobcom", "  - {id: braunschweig, name: Stadt Braunschweig, type: kommune, "
         "role: Mitantragstellerin, contribution: Personal.}\n  - id: wobcom")
    assert [f.message for f in findings(bid, "TXT004")] == []


def test_a_partner_of_another_kind_is_no_own_place(bid):
    edit(bid / "bid.yaml", "  Digitale Angebote richten sich", SENTENCE)
    edit(bid / "partners.yaml", "  - id: wobcom", "  - {id: braunschweig, name: Stadt Braunschweig, type: unternehmen, "
         "role: Mitantragstellerin, contribution: Personal.}\n  - id: wobcom")
    assert len(findings(bid, "TXT004")) == 1


def test_a_municipality_among_the_mou_parties_is_an_own_place(bid):
    edit(bid / "bid.yaml", "  Digitale Angebote richten sich", SENTENCE)
    edit(bid / "mou.yaml", "  parties:\n", "  parties:\n    - {id: bs, name: Gemeinde Braunschweig, "
         "signatories: [{name: A. B., role: Bürgermeister}]}\n")
    assert [f.message for f in findings(bid, "TXT004")] == []


# --- D5: dates compared with the submission -----------------------------------------------------

def test_mou_after_the_submission_says_so(bid):
    edit(bid / "mou.yaml", "signed_on: 2016-12-05", "signed_on: 2017-03-15")
    [finding] = findings(bid, "MOU002")
    assert finding.message == "Memorandum of Understanding signed on 2017-03-15, after the submission (2017-03-14)"


def test_without_a_submission_date_the_deadline_counts(bid):
    edit(bid / "bid.yaml", "submission_date: 2017-03-14\n", "")
    edit(bid / "partners.yaml", "date: 2017-03-06", "date: 2017-03-15")
    assert findings(bid, "PAR003") == []
    edit(bid / "partners.yaml", "date: 2017-03-15", "date: 2017-03-16")
    [finding] = findings(bid, "PAR003")
    assert finding.message.endswith("is dated 2017-03-16, after the deadline (2017-03-15)")


def test_a_submission_after_the_deadline_still_counts_from_the_deadline(bid):
    edit(bid / "bid.yaml", "submission_date: 2017-03-14", "submission_date: 2017-03-20")
    edit(bid / "partners.yaml", "date: 2017-03-06", "date: 2017-03-16")
    [finding] = findings(bid, "PAR003")
    assert finding.message.endswith("after the deadline (2017-03-15)")


# --- D25, D6, D27: the plan against the measures and the call ----------------------------------

def test_measures_over_the_plan_say_by_how_much(bid):
    edit(bid / "budget.yaml", "          measure: digitalisierungsstrategie\n", "")
    for measure in ("egovernment", "datenplattform", "pilotprojekte"):
        edit(bid / "budget.yaml", f"          measure: {measure}\n", "")
    edit(bid / "measures.yaml", "cost: 150000", "cost: 2150000.25")
    [finding] = findings(bid, "BUD009")
    assert finding.message == ("the measures' costs add up to 2.500.000,25\u00a0€, 2.000.000,25\u00a0€ more than the "
                               "plan's costs of 500.000,00\u00a0€")


def test_measures_that_add_up_to_the_plan_are_quiet(bid):
    for measure in ("digitalisierungsstrategie", "egovernment", "datenplattform", "pilotprojekte"):
        edit(bid / "budget.yaml", f"          measure: {measure}\n", "")
    assert findings(bid, "BUD009") == []


def test_cost_item_outside_its_measure_names_the_measure_time(bid):
    edit(bid / "measures.yaml", "    start: 2017-04-01\n    end: 2017-12-31\n    cost: 130000",
         "    start: 2018-01-01\n    end: 2018-12-31\n    cost: 130000")
    [finding] = findings(bid, "BUD010")
    assert finding.message == ("cost item 'Personal Organisationsentwicklung (Schwerpunkt eGovernment)' of 2017 for "
                               "measure 'egovernment', which runs 2018-01-01 to 2018-12-31")


def test_budget_year_in_a_period_partly_covered_is_quiet(bid):
    apply_case(bid, {"call": {"funding_period": "{start: 2017-07-01, end: 2019-06-30}"}})
    assert findings(bid, "BUD011") == []


def test_years_in_order_are_quiet(bid):
    edit(bid / "budget.yaml", "  total: 500000\n  note:", "  total: 510000\n  note:")
    (bid / "budget.yaml").write_text((bid / "budget.yaml").read_text(encoding="utf-8") + (
        "    - year: 2018\n      costs: [{title: Betrieb, category: sachkosten, amount: 10000}]\n"
        "      funding: [{kind: eigenmittel, name: Haushalt 2018, amount: 10000}]\n"), encoding="utf-8")
    assert findings(bid, "BUD012") == []
    assert findings(bid, "BUD002") == []  # the edit itself is sound


# --- D7: KPI baseline, own share committed --------------------------------------------------------

def test_baseline_in_the_year_of_the_submission_is_quiet(bid):
    edit(bid / "goals.yaml", "baseline: {value: 15, year: 2016}", "baseline: {value: 15, year: 2017}")
    assert findings(bid, "GOL005") == []


@pytest.mark.parametrize(("committed", "reported"), [("500000", False), ("504999.99", False), ("505000.01", True)])
def test_committed_own_share_within_rounding_is_quiet(bid, committed, reported):
    edit(bid / "bid.yaml", "  reference: V 2017/0196\n", f"  reference: V 2017/0196\n  own_share_committed: {committed}\n")
    assert bool(findings(bid, "RES003")) is reported


# --- D8: RES002 names the applicant -----------------------------------------------------------

def test_res002_names_a_landkreis_as_the_applicant(bid):
    apply_case(bid, {"call": {"resolution_must_commit_own_share": "true"}})
    edit(bid / "bid.yaml", "\n  name: Wolfsburg\n", "\n  name: Wolfsburg\n  official_name: Landkreis Wolfsburg\n")
    [finding] = findings(bid, "RES002")
    assert finding.message == "the resolution does not commit Landkreis Wolfsburg to its own share"


def test_explain_res002_speaks_of_the_applicant():
    run = run_bidkit("explain", "RES002")
    assert run.code == 0
    assert "Landkreis" in run.stdout and "commits the city" not in run.stdout


def test_a_measure_without_cost_leaves_the_comparison_to_mea004(bid):
    """With one measure's cost unknown, 'the measures cost less than the plan' is no finding."""
    for measure in ("digitalisierungsstrategie", "egovernment", "datenplattform", "pilotprojekte"):
        edit(bid / "budget.yaml", f"          measure: {measure}\n", "")
    edit(bid / "measures.yaml", "    cost: 150000\n", "")
    assert [f.rule for f in check_bid(bid)[0].findings if f.severity.value != "info"] == ["MEA004"]
