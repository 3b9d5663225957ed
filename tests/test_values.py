"""Values bidkit must not misread or crash on, and messages that name the right place (issue 9).

Amounts with German separators, impossible dates, ids with umlauts, German top-level keys,
comma lists on the command line, German numbers in messages, BUD006 and RES002 places.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path

import pytest

from bidkit.check import CheckOptions, check_bid
from bidkit.findings import Severity
from bidkit.loader import shipped_calls, transliterate

from conftest import check_here, edit, line_of, run_bidkit


def findings(bid: Path, **options):
    return check_bid(bid, CheckOptions(**options))[0].findings


def problems(bid: Path):
    """Errors and warnings (infos report facts)."""
    return [f for f in findings(bid) if f.severity is not Severity.INFO]


def located(bid: Path, finding, file: str, text: str, nth: int = 1) -> bool:
    return finding.location.file == bid / file and finding.location.line == line_of(bid / file, text, nth)


def own_call(bid: Path, **keys: str) -> None:
    """The Bitkom profile with ``keys`` replaced, as the bid's own call file."""
    call = shipped_calls()["bitkom-digitale-stadt-2017"].read_text(encoding="utf-8").replace("id: bitkom-digitale-stadt-2017", "id: bitkom-eigene")
    for key, value in keys.items():
        call, count = re.subn(rf"^{key}:.*(\n[ #].*)*", f"{key}: {value}", call, flags=re.M)
        call += "" if count else f"\n{key}: {value}\n"
    (bid / "call.yaml").write_text(call, encoding="utf-8")
    edit(bid / "bid.yaml", "call: bitkom-digitale-stadt-2017", "call: call.yaml")


# --- 1. amounts: German separators are refused, never read as another number ----------------


@pytest.mark.parametrize(("written", "plain"), [
    ("150.000", "150000"),          # YAML reads a decimal 150.000 = 150
    ("1.500.000", "1500000"),       # a YAML string
    ("1.500,00", "1500.00"),
    ('"1.500,00"', "1500.00"),
    ("12.345", "12345"),            # three decimals, or a thousands separator: both refused
    ('"150.000 €"', "150000"),
])
def test_amount_with_separators_is_refused_with_the_plain_form(bid, written, plain):
    edit(bid / "budget.yaml", "          amount: 150000", f"          amount: {written}")
    [finding] = problems(bid)
    assert finding.rule == "SCH001" and finding.severity is Severity.ERROR
    assert located(bid, finding, "budget.yaml", f"amount: {written}")
    assert finding.path == ("budget", "years", 0, "costs", 0, "amount")
    assert f"Write `{plain}`" in finding.hint


def test_three_decimals_say_how_yaml_reads_them(bid):
    edit(bid / "budget.yaml", "      total: 500000", "      total: 500.000")
    [finding] = problems(bid)
    assert finding.message == ("'total': 500.000 has three decimals: the dot is read as a decimal point "
                               "(500.000 = 500), not as a thousands separator")
    assert located(bid, finding, "budget.yaml", "total: 500.000")


def test_every_money_field_refuses_separators(bid):
    edit(bid / "measures.yaml", "cost: 130000", "cost: 130.000")
    edit(bid / "budget.yaml", "  total: 500000\n  note", "  total: 500.000\n  note")
    edit(bid / "budget.yaml", "          amount: 500000", "          amount: 500.000,00")
    edit(bid / "bid.yaml", "  vote: einstimmig", "  vote: einstimmig\n  own_share_committed: 1.000.000")
    found = {(f.location.file.name, f.location.line) for f in problems(bid) if f.rule == "SCH001"}
    assert found == {
        ("measures.yaml", line_of(bid / "measures.yaml", "cost: 130.000")),
        ("budget.yaml", line_of(bid / "budget.yaml", "total: 500.000")),
        ("budget.yaml", line_of(bid / "budget.yaml", "amount: 500.000,00")),
        ("bid.yaml", line_of(bid / "bid.yaml", "own_share_committed: 1.000.000")),
    }


def test_german_amount_in_a_flow_mapping_explains_the_stray_key(bid):
    item = ("        - title: Personal städtische IT\n          category: personalkosten\n          amount: 120000\n"
            "          measure: datenplattform\n          budget_reservation: true\n")
    edit(bid / "budget.yaml", item, "        - {title: Personal städtische IT, category: personalkosten, amount: 1.500,00, "
         "measure: datenplattform, budget_reservation: true}\n")
    amount, key = sorted((f for f in problems(bid) if f.rule in ("SCH001", "SCH002")), key=lambda f: f.location.column)
    assert amount.path[-1] == "amount" and "three decimals" in amount.message
    # `00` is no number (a leading zero), so a key of text: the comma that cut the amount is named
    assert key.message == "'00' is no key: a comma inside {…} ends a value, so 'amount' was cut to '1.500'"
    assert key.path == ("budget", "years", 0, "costs", 2, "00") and key.hint.startswith("Write amounts without separators (1500.00)")
    assert located(bid, key, "budget.yaml", "amount: 1.500,00")


def test_text_that_is_no_amount_is_refused_clearly(bid):
    edit(bid / "budget.yaml", "          amount: 150000", "          amount: viel")
    [finding] = problems(bid)
    assert finding.message == "'amount': 'viel' is not an amount"
    assert "plain number" in finding.hint


@pytest.mark.parametrize(("written", "value"), [
    ('"150000"', Decimal("150000")),  # a quoted plain number is read like an unquoted one
    ("1250.5", Decimal("1250.5")),
    ("150000.00", Decimal("150000.00")),
])
def test_plain_amounts_are_read_exactly(bid, written, value):
    edit(bid / "budget.yaml", "          amount: 150000", f"          amount: {written}")
    edit(bid / "budget.yaml", "      total: 500000", f"      total: {Decimal(350000) + value}")
    edit(bid / "budget.yaml", "  total: 500000\n", f"  total: {Decimal(350000) + value}\n")
    result, loaded = check_bid(bid)
    amount = loaded.bid.budget.years[0].costs[0].amount
    assert amount == value and isinstance(amount, Decimal)
    assert not [f for f in result.findings if f.rule.startswith("SCH")]


# --- 2. impossible dates are a located SCH001, not a traceback ------------------------------


@pytest.mark.parametrize("day", ["2017-02-30", "2017-13-01"])
def test_impossible_unquoted_date_is_a_located_finding(bid, day):
    edit(bid / "mou.yaml", "signed_on: 2016-12-05", f"signed_on: {day}")
    [finding] = problems(bid)
    assert finding.rule == "SCH001" and finding.path == ("mou", "signed_on")
    assert located(bid, finding, "mou.yaml", f"signed_on: {day}")
    assert finding.location.column == len("  signed_on: ") + 1
    assert finding.message == f"'signed_on': {day} is not a day of the calendar"
    assert "YYYY-MM-DD" in finding.hint


def test_impossible_date_neither_check_nor_build_crash(bid, tmp_path):
    edit(bid / "bid.yaml", "submission_date: 2017-03-14", "submission_date: 2017-02-30")
    for command in ("check", "build"):
        run = run_bidkit(command, "bid", cwd=tmp_path)
        assert run.code == 1, (command, run.stderr)
        assert "Traceback" not in run.stderr + run.stdout
    assert "SCH001" in check_here("bid", cwd=tmp_path).stdout


# --- 5. ids: which characters, and the transliteration --------------------------------------


def test_id_with_umlaut_in_a_list_names_the_item_and_suggests_the_spelling(bid):
    edit(bid / "measures.yaml", "goals: [lebensqualitaet]", "goals: [bürger]")
    [finding] = problems(bid)
    assert finding.rule == "SCH001"
    assert finding.message == "goal id 'bürger' (measures[1].goals[0]) may use only a-z, 0-9 and '-'"
    assert "write 'buerger'" in finding.hint and "ß → ss" in finding.hint
    assert "pattern" not in finding.message + finding.hint and "'0'" not in finding.message
    assert located(bid, finding, "measures.yaml", "goals: [bürger]")


def test_id_of_an_entry_suggests_the_transliteration(bid):
    edit(bid / "partners.yaml", "  - id: ostfalia", "  - id: Hochschule Straße")
    [finding] = [f for f in problems(bid) if f.rule == "SCH001"]
    assert finding.message.startswith("partner id 'Hochschule Straße' (partners[")
    assert "write 'hochschule-strasse'" in finding.hint
    assert located(bid, finding, "partners.yaml", "id: Hochschule Straße")


@pytest.mark.parametrize(("text", "id_"), [
    ("bürgerdienste", "buergerdienste"), ("Öffentlicher Raum", "oeffentlicher-raum"),
    ("Straße_2", "strasse-2"), ("Café", "cafe"), ("-x-", "x"),
])
def test_transliteration(text, id_):
    assert transliterate(text) == id_


# --- 6. German top-level keys: suggested by meaning, one error per cause ---------------------


def test_german_section_key_suggests_its_meaning_and_hides_the_cascade(bid):
    edit(bid / "goals.yaml", "\ngoals:", "\nziele:")
    found = problems(bid)
    assert [f.rule for f in found] == ["SCH002"], [f"{f.rule} {f.message}" for f in found]
    assert found[0].hint.startswith("Did you mean 'goals'?")
    assert located(bid, found[0], "goals.yaml", "ziele:")


@pytest.mark.parametrize(("file", "key", "german", "meant"), [
    ("measures.yaml", "measures", "maßnahmen", "measures"),
    ("measures.yaml", "measures", "Massnahmen", "measures"),
    ("budget.yaml", "budget", "haushalt", "budget"),
    ("budget.yaml", "budget", "finanzen", "budget"),
    ("budget.yaml", "budget", "kosten", "budget"),
    ("partners.yaml", "partners", "partner", "partners"),
    ("mou.yaml", "mou", "absichtserklärung", "mou"),
])
def test_german_section_keys(bid, file, key, german, meant):
    edit(bid / file, f"\n{key}:", f"\n{german}:")
    found = problems(bid)
    # One error for the cause; no REQ/REF/GOL/PAR/BUD finding because the section "is missing".
    assert [f.rule for f in found] == ["SCH002"], [f"{f.rule} {f.message}" for f in found]
    assert found[0].hint.startswith(f"Did you mean '{meant}'?")
    assert located(bid, found[0], file, f"{german}:")


@pytest.mark.parametrize(("old", "german", "meant"), [
    ("vision: |", "leitbild: |", "vision"),
    ("starting_situation: |", "ausgangslage: |", "starting_situation"),
    ("council_resolution:", "ratsbeschluss:", "council_resolution"),
    ("annexes:", "anlagen:", "annexes"),
])
def test_german_keys_in_bid_yaml(bid, old, german, meant):
    edit(bid / "bid.yaml", f"\n{old}", f"\n{german}")
    found = problems(bid)
    assert [f.rule for f in found] == ["SCH002"], [f"{f.rule} {f.message}" for f in found]
    assert found[0].hint.startswith(f"Did you mean '{meant}'?")
    assert located(bid, found[0], "bid.yaml", german)


def test_required_field_under_a_german_key_is_one_error(bid):
    edit(bid / "bid.yaml", "\ncontact:", "\nkontakt:")
    edit(bid / "bid.yaml", "\ncity:", "\nstadt:")
    found = problems(bid)
    # not also "required field 'contact' is missing" (SCH003)
    assert sorted(f.rule for f in found) == ["SCH002", "SCH002"], [f"{f.rule} {f.message}" for f in found]
    assert {f.hint.split("?")[0] for f in found} == {"Did you mean 'contact'", "Did you mean 'city'"}


def test_misspelt_nested_key_is_one_error(bid):
    edit(bid / "partners.yaml", "    role: Regionaler Partner", "    rolle: Regionaler Partner")
    found = problems(bid)
    assert [f.rule for f in found] == ["SCH002"], [f"{f.rule} {f.message}" for f in found]
    assert found[0].hint.startswith("Did you mean 'role'?")


def test_unknown_key_next_to_the_real_one_still_reports_both(bid):
    """`ziele:` beside `goals:` is an unknown key; the goals are there and are still checked."""
    edit(bid / "goals.yaml", "\ngoals:", "\nziele: []\ngoals:")
    edit(bid / "measures.yaml", "goals: [lebensqualitaet]", "goals: [lebensqualitat]")
    assert sorted(f.rule for f in problems(bid)) == ["REF001", "SCH002"]


# --- 7. --select and --ignore take comma lists ----------------------------------------------


def test_select_and_ignore_take_comma_lists(bid, tmp_path):
    edit(bid / "budget.yaml", "          amount: 500000", "          amount: 550000")
    listed = check_here("bid", "--select", "BUD,RES", "-f", "json", cwd=tmp_path)
    assert listed.code == 0, listed.stderr
    assert {f["rule"] for f in listed.json()["findings"]} == {"BUD004", "BUD007"}
    ignored = check_here("bid", "--ignore", "BUD004, PAR", "-f", "json", cwd=tmp_path)
    assert {f["rule"] for f in ignored.json()["findings"]} == {"BUD007"}
    unknown = run_bidkit("check", "bid", "--select", "BUD,XYZ", cwd=tmp_path)
    assert unknown.code == 2 and "no rule matches XYZ" in unknown.stderr


# --- 8./9. German numbers in messages; BUD006 and RES002 at the right place -----------------


def short_own_share(bid: Path, own: int) -> None:
    """The 2017 funding: ``own`` euros of eigenmittel, the rest of the 500.000 € from the Land."""
    edit(bid / "budget.yaml", "          amount: 500000\n          secured: false\n",
         f"          amount: {own}\n        - kind: land\n          name: Land Niedersachsen\n          amount: {500000 - own}\n")


def test_own_share_just_below_the_minimum_shows_why(bid):
    own_call(bid, own_share_min_percent="35")
    short_own_share(bid, 174950)
    [finding] = problems(bid)
    assert finding.rule == "BUD006"
    assert finding.message == ("own share is 34,99\u00a0% (174.950\u00a0€ of 500.000\u00a0€ costs); "
                               "the call requires at least 35\u00a0% (175.000\u00a0€)")
    assert "by 50\u00a0€" in finding.hint
    assert located(bid, finding, "budget.yaml", "- kind: eigenmittel")


@pytest.mark.parametrize(("own", "shown"), [
    (69000, "13,8"), (174999, "34,9998"), (174000, "34,8"), (174995, "34,999"),
])
def test_own_share_is_german_and_never_rounds_up_to_the_limit(bid, own, shown):
    own_call(bid, own_share_min_percent="35")
    short_own_share(bid, own)
    [finding] = problems(bid)
    assert finding.message.startswith(f"own share is {shown}\u00a0% ")


def test_own_share_without_own_funds_points_at_the_years(bid):
    own_call(bid, own_share_min_percent="35")
    edit(bid / "budget.yaml", "        - kind: eigenmittel", "        - kind: land")
    [finding] = problems(bid)
    assert finding.rule == "BUD006" and finding.path == ("budget", "years")
    assert located(bid, finding, "budget.yaml", "- year: 2017")
    assert "at least 175.000\u00a0€" in finding.hint


def test_resolution_committing_too_little_says_by_how_much(bid):
    own_call(bid, resolution_must_commit_own_share="true")
    edit(bid / "bid.yaml", "  vote: einstimmig", "  vote: einstimmig\n  own_share_committed: 400000")
    [finding] = problems(bid)
    assert finding.rule == "RES002"
    assert finding.message == ("the committed own share of 400.000\u00a0€ is 100.000\u00a0€ too low: "
                               "the budget has 500.000\u00a0€ of own funds (`eigenmittel`)")
    assert "Add" not in finding.hint and "at least 500.000\u00a0€" in finding.hint
    assert located(bid, finding, "bid.yaml", "own_share_committed: 400000")


def test_resolution_without_commitment_hint_gives_the_amount(bid):
    own_call(bid, resolution_must_commit_own_share="true")
    [finding] = problems(bid)
    assert finding.rule == "RES002" and "Add `own_share_committed: 500000`" in finding.hint


def test_text_limit_counts_are_german(bid):
    own_call(bid, text_limits="[{field: vision, max_chars: 1000}]")
    edit(bid / "bid.yaml", "  Wolfsburg will digitale Modellstadt werden.", "  Wolfsburg will digitale Modellstadt werden. " + "Mehr Text. " * 100)
    [finding] = problems(bid)
    assert finding.rule == "TXT003" and re.search(r"has \d\.\d{3} characters; the call allows 1\.000$", finding.message)


def test_overall_percentage_is_german(bid, tmp_path):
    edit(bid / "budget.yaml", "          amount: 500000", "          amount: 450000")
    run = check_here("bid", cwd=tmp_path)
    assert re.search(r"overall: \d+,\d % of \d+ checks pass", run.stdout), run.stdout


def test_a_file_named_as_annex_and_as_letter_is_one_annex(bid):
    from bidkit.annexes import annexes

    edit(bid / "bid.yaml", "annexes:\n", "annexes:\n  - title: Stellungnahme der Ostfalia\n"
         "    file: ./anlagen/unterstuetzung-ostfalia.pdf\n")
    edit(bid / "bid.yaml", "  reference: V 2017/0196", "  reference: Vorlage V 2017/0196\n  file: anlagen/beschluss.pdf")
    (bid / "anlagen" / "beschluss.pdf").write_bytes((bid / "anlagen" / "mou-wolfsburgdigital.pdf").read_bytes())
    loaded = check_bid(bid)[1]
    files = [os.path.normpath(annex.file) for annex in annexes(loaded.bid)]
    assert files.count("anlagen/unterstuetzung-ostfalia.pdf") == 1 and len(files) == len(set(files))
    assert [annex.number for annex in annexes(loaded.bid)] == list(range(1, len(files) + 1))
    assert any(a.title.endswith(", Vorlage V 2017/0196") and "Vorlage Vorlage" not in a.title for a in annexes(loaded.bid))


def test_mistakes_a_german_team_makes_get_their_own_hint(bid):
    """German dates, capitalised ids, a tab, a file saved as Latin-1, a grouped population."""
    edit(bid / "mou.yaml", "  signed_on: 2016-12-05", "  signed_on: 5.12.2016")
    edit(bid / "budget.yaml", "category: personalkosten", "category: Personalkosten")
    edit(bid / "bid.yaml", "  population: 124000", "  population: 124.353")
    edit(bid / "goals.yaml", "goals:\n  - ", "goals:\n\t- ")
    partners = bid / "partners.yaml"
    partners.write_bytes(partners.read_text(encoding="utf-8").encode("latin-1"))
    found = {f.location.file.name: f for f in findings(bid) if f.severity is Severity.ERROR}
    date, enum, population = found["mou.yaml"], found["budget.yaml"], found["bid.yaml"]
    assert "written the German way" in date.message and date.hint.startswith("Write 2016-12-05 ")
    assert located(bid, date, "mou.yaml", "signed_on: 5.12.2016")
    assert enum.hint.startswith("Write `personalkosten`") and located(bid, enum, "budget.yaml", "category: Personalkosten")
    assert population.message == ("'population': 124.353 is not a whole number: the dot is read as a decimal point, "
                                  "not as a thousands separator") and "`124353`" in population.hint
    tab = found["goals.yaml"]
    assert "tab character" in tab.message and tab.location.line == line_of(bid / "goals.yaml", "\t- ")
    latin = found["partners.yaml"]
    assert "not UTF-8" in latin.message and "Save the file as UTF-8" in latin.hint
    assert latin.location.line == next(n for n, line in enumerate(partners.read_bytes().split(b"\n"), 1) if b"\xfc" in line)
