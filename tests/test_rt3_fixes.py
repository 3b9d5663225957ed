"""Defects the red team found in round 3 (/work/trial/rt3), each fixed as a class: keys that are
not text, ignored rules that looked like passing ones, report injection, bidi controls, call files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bidkit.check import CheckOptions, check_bid
from bidkit.findings import Severity

from conftest import check_here, edit, line_of, run_bidkit


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


# --- row 2: ignored checks are named in every report and never pass -----------------------

IGNORE_BUD006 = ("call: bitkom-digitale-stadt-2017", "call: bitkom-digitale-stadt-2017\nchecks:\n  ignore:\n    - BUD006")


@pytest.fixture
def ignoring(bid):
    """The example with BUD006 (the own share check) ignored in bid.yaml."""
    edit(bid / "bid.yaml", *IGNORE_BUD006)
    return bid


def test_the_matrix_shows_a_requirement_with_an_ignored_rule_as_not_checked(ignoring, tmp_path):
    import csv
    import io

    run = check_here("bid", "--matrix", "-f", "csv", cwd=ignoring.parent)
    budget = next(row for row in csv.DictReader(io.StringIO(run.stdout)) if row["id"] == "DS-9")
    line = line_of(ignoring / "bid.yaml", "- BUD006")
    assert budget["status"] == "not checked" and f"BUD006 ignored by bid/bid.yaml:{line}" in budget["findings"]


def test_the_text_report_names_the_ignored_checks_and_does_not_count_them_as_passing(ignoring):
    run = check_here("bid", cwd=ignoring.parent)
    line = line_of(ignoring / "bid.yaml", "- BUD006")
    assert f"ignored by bid/bid.yaml:{line}: BUD006" in run.stdout
    assert "Kosten- und Finanzierungsplan: 20/21 checks pass (1 ignored)" in run.stdout
    assert "overall: 100,0 %" not in run.stdout


def test_json_junit_github_and_sarif_name_the_ignored_checks(ignoring):
    line = line_of(ignoring / "bid.yaml", "- BUD006")
    document = check_here("bid", "-f", "json", cwd=ignoring.parent).json()
    assert document["ignored"] == [{"rule": "BUD006", "file": "bid/bid.yaml", "line": line}]
    assert document["completeness"]["percent"] < 100
    github = check_here("bid", "-f", "github", cwd=ignoring.parent).stdout
    assert f"::notice file=bid/bid.yaml,line={line},title=ignored checks::BUD006 ignored by bid/bid.yaml:{line}" in github
    junit = check_here("bid", "-f", "junit", cwd=ignoring.parent).stdout
    assert f'<skipped message="ignored by bid/bid.yaml:{line}: not checked" />' in junit
    import json

    log = json.loads(check_here("bid", "-f", "sarif", cwd=ignoring.parent).stdout)
    [invocation] = log["runs"][0]["invocations"]
    assert [o["descriptor"]["id"] for o in invocation["ruleConfigurationOverrides"]] == ["BUD006"]
    assert invocation["ruleConfigurationOverrides"][0]["configuration"] == {"enabled": False}
    [note] = invocation["toolConfigurationNotifications"]
    assert note["locations"][0]["physicalLocation"]["region"] == {"startLine": line}
    schema = Path(__file__).resolve().parents[2] / "shared" / "standards" / "sarif-2.1.0-rtm.5.json"
    if schema.exists():
        import jsonschema

        jsonschema.validate(log, json.loads(schema.read_text(encoding="utf-8")))


def test_checks_ignored_on_the_command_line_are_named_too(bid):
    run = check_here("bid", "--ignore", "BUD006", cwd=bid.parent)
    assert "ignored by --ignore: BUD006" in run.stdout


def test_a_requirement_whose_rules_did_not_run_is_not_pass(bid):
    from bidkit.matrix import compliance_matrix

    edit(bid / "budget.yaml", "          amount: 150000", "          amount: viel")  # budget loses an item: sums do not run
    result, _ = check_bid(bid)
    [budget] = [row for row in compliance_matrix(result) if row.id == "DS-9"]
    assert budget.status != "pass" and any("not run" in note for note in budget.unchecked)


# --- row 23: which files are read ---------------------------------------------------------


def test_a_hidden_yaml_file_is_not_read_and_named(bid):
    (bid / ".editorconfig.yaml").write_text("checks:\n  ignore: [PAR004]\n", encoding="utf-8")
    found = check_bid(bid)[0].findings
    assert "PAR004" in {f.rule for f in found}  # the hidden ignore does not apply
    [hidden] = [f for f in found if f.rule == "FIL004"]
    assert hidden.severity is Severity.INFO and ".editorconfig.yaml" in hidden.message
    assert hidden.location.file == bid / ".editorconfig.yaml"


def test_yaml_files_with_an_upper_case_extension_are_named_not_silently_skipped(bid):
    (bid / "EXTRA.YAML").write_text("subtitle: Aus der Großschreibung\n", encoding="utf-8")
    (bid / "extra.yml").write_text("theme_note: x\n", encoding="utf-8")  # a .yml file is read: its unknown key is reported
    found = check_bid(bid)[0].findings
    [case] = [f for f in found if f.rule == "FIL005"]
    assert case.severity is Severity.WARNING and "EXTRA.YAML" in case.message
    assert any(f.rule == "SCH002" and f.location.file == bid / "extra.yml" for f in found)


# --- row 7: text from the bid never makes lines of its own in a report ---------------------

INJECTED = "::error file=README.md,line=1,title=FAKE::Injected"
CONTROLS = "\r\t\x1b\x85\u2028\u2029\u202e\u2066\u200f"


@pytest.mark.parametrize("fmt", ["text", "github", "junit", "json", "sarif", "gitlab"])
def test_a_file_name_with_line_breaks_and_controls_stays_on_its_line(bid, fmt):
    (bid / f"x\n{INJECTED}\n✓ fake: no errors{CONTROLS}.yaml").write_text("[broken\n", encoding="utf-8")
    run = check_here("bid", "-f", fmt, cwd=bid.parent)
    assert run.code == 1 and "Traceback" not in run.stderr
    lines = run.stdout.splitlines()
    assert not any(line.startswith(("::error file=README.md", "✓ fake")) for line in lines)
    assert not any(c in run.stdout for c in CONTROLS)  # escaped, or encoded by JSON
    if fmt == "github":
        assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    if fmt == "text":
        assert f"x\\n{INJECTED}\\n✓ fake" in run.stdout


def test_keys_titles_and_call_texts_with_line_breaks_are_escaped(bid):
    edit(bid / "bid.yaml", "\ntitle:", '\n"neu\\n✓ fake": 1\ntitle:')  # an unknown key: its path is printed
    run = check_here("bid", cwd=bid.parent)
    assert "neu\\n✓ fake" in run.stdout and not any(line.startswith("✓ fake") for line in run.stdout.splitlines())


def test_the_matrix_escapes_a_call_file_s_requirement_text(bid):
    from bidkit.loader import shipped_calls

    call = shipped_calls()["bitkom-digitale-stadt-2017"].read_text(encoding="utf-8").replace("id: bitkom-digitale-stadt-2017", "id: bitkom-eigene")
    call = call.replace("text: Abgabe bis zum 15. März 2017.", 'text: "Abgabe\\n::error file=x::Injected [red]rot[/]"')
    (bid / "call.yaml").write_text(call, encoding="utf-8")
    edit(bid / "bid.yaml", "call: bitkom-digitale-stadt-2017", "call: call.yaml")
    for fmt in ("text", "csv"):
        out = check_here("bid", "--matrix", "-f", fmt, cwd=bid.parent).stdout
        assert not any(line.lstrip("│ ").startswith("::error") for line in out.splitlines()), out
        assert "[red]rot[/]" in out.replace("\n", "") or "Injected [red]" in out


# --- row 6: bidirectional controls ----------------------------------------------------------


def test_bidi_controls_are_named_with_their_place(bid):
    edit(bid / "partners.yaml", "name: Volkswagen AG", 'name: "Volkswagen \\u202eGA"')
    [finding] = problems(bid)
    assert finding.rule == "TXT005" and finding.message == "U+202E RIGHT-TO-LEFT OVERRIDE in partners[0].name"


def test_the_document_never_lets_a_value_reorder_itself_or_the_text_around_it(bid):
    from bidkit.loader import load_bid
    from bidkit.render.build import document_html

    edit(bid / "partners.yaml", "name: Volkswagen AG", 'name: "Volkswagen \\u202eGA"')
    html = document_html(load_bid(bid), draft=True, annex_list=[])
    assert "Volkswagen GA" in re.sub("<[^>]+>", "", html) and not any(c in html for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


# --- rows 5, 25: a call file that limits nothing or contradicts itself ----------------------


def test_shipped_calls_have_no_problems():
    from bidkit.call_profiles import call_problems, shipped_call, shipped_calls

    assert {name: call_problems(shipped_call(name)) for name in shipped_calls()} == {name: [] for name in shipped_calls()}


@pytest.mark.parametrize(("field", "meant"), [
    ("visoin", "did you mean 'vision'?"),
    ("measures.description", "write 'measures[]' for every item ('measures[].description')"),
    ("measures[].descripton", "did you mean 'measures[].description'?"),
    ("measures[].cost", "'measures[].cost' is no text"),
    ("council_resolution.decisions", "write 'council_resolution.decisions[]' for every item"),
])
def test_a_text_limit_on_no_text_says_what_it_means(field, meant):
    from bidkit.call_profiles import call_problems, shipped_call

    call = shipped_call("bitkom-digitale-stadt-2017").model_copy(update={"text_limits": []})
    call.text_limits.append(type(shipped_call("bitkom-digitale-stadt-2017").text_limits[0])(field=field, max_chars=10))
    [(path, message, _)] = call_problems(call)
    assert path == ("text_limits", 0, "field") and message.endswith(meant)


@pytest.mark.parametrize("field", ["council_resolution.decisions[]", "goals[].kpis[].source", "partners[].letter.file"])
def test_text_limits_and_variants_reach_required_lists_inside_items(field):
    from bidkit.variants import field_problem

    assert field_problem(field, text=True) is None and field_problem(field) is None  # '[]' on a list that is no option


# --- row 28: `bidkit calls show` takes a call file's path ---------------------------------


def test_calls_show_prints_a_call_file_of_ones_own(tmp_path):
    from bidkit.loader import shipped_calls

    own = tmp_path / "calls" / "meine.yaml"
    own.parent.mkdir()
    text = shipped_calls()["bitkom-digitale-stadt-2017"].read_text(encoding="utf-8").replace("id: bitkom-digitale-stadt-2017", "id: meine")
    own.write_text(text, encoding="utf-8")
    run = run_bidkit("calls", "show", "./calls/meine.yaml", cwd=tmp_path)
    assert run.code == 0 and "(meine)" in run.stdout and "datenplattform" in run.stdout
    assert run_bidkit("calls", "show", "calls/meine.yaml", "-f", "json", cwd=tmp_path).json()["id"] == "meine"
    own.write_text(text.replace("text_limits:", "text_limits:\n  - {field: visoin, max_chars: 10}"), encoding="utf-8")
    run = run_bidkit("calls", "show", "./calls/meine.yaml", cwd=tmp_path)
    assert run.code == 1 and "(meine)" in run.stdout and "CAL002" in run.stderr and "did you mean 'vision'" in run.stderr
    own.write_text(text.replace("rules: [ELI]", "rules: [ELX]", 1), encoding="utf-8")
    run = run_bidkit("calls", "show", "./calls/meine.yaml", cwd=tmp_path)  # as `check` reads the call file
    assert run.code == 1 and "names no known rule 'ELX'" in run.stderr and "hint: None" not in run.stderr
    missing = run_bidkit("calls", "show", "./calls/fehlt.yaml", cwd=tmp_path)
    assert missing.code == 2 and "no call file './calls/fehlt.yaml'" in missing.stderr


# --- row 22: the JSON Schema uses JSON Schema's keywords for bounds ------------------------


@pytest.mark.parametrize("kind", ["bid", "call"])
def test_the_schema_bounds_are_json_schema_keywords(kind):
    import json

    import jsonschema

    from bidkit.schema import bid_schema, call_schema

    schema = bid_schema() if kind == "bid" else call_schema()
    text = json.dumps(schema)
    assert '"ge":' not in text and '"le":' not in text and '"gt":' not in text and '"lt":' not in text
    jsonschema.Draft202012Validator.check_schema(schema)
    if kind == "call":
        assert schema["properties"]["page_limit"]["anyOf"][0]["minimum"] == 1
    else:
        year = schema["$defs"]["BudgetYear"]["properties"]["year"]
        assert (year["minimum"], year["maximum"]) == (1900, 2200)


# --- row 15: a whole number in quotes -----------------------------------------------------


@pytest.mark.parametrize(("old", "new", "file"), [
    ("population: 124000", 'population: "124000"', "bid.yaml"),
    ("- year: 2017", '- year: "2017"', "budget.yaml"),
])
def test_a_quoted_whole_number_says_remove_the_quotes(bid, old, new, file):
    edit(bid / file, old, new)
    [finding] = problems(bid)
    assert finding.rule == "SCH001" and "a number in quotes" in finding.message
    assert finding.hint == f"Remove the quotes: write `{new.split(': ')[1].strip(chr(34))}`."
    assert finding.location.line == line_of(bid / file, new)


# --- row 14: an amount with a unit word ("Mio.") ------------------------------------------


def test_a_csv_amount_in_millions_names_the_word_and_the_amount_to_write(bid):
    (bid / "kosten.csv").write_text("Kostenposition;Kategorie;Maßnahme;Betrag (€)\nPersonal;Personalkosten;egovernment;"
                                    "0,4 Mio. €\nSachmittel;Sachkosten;pilotprojekte;100.000,00\n", encoding="utf-8")
    text = (bid / "budget.yaml").read_text(encoding="utf-8")
    (bid / "budget.yaml").write_text(re.sub(r"      costs:\n(        .*\n)+", "      costs_file: kosten.csv\n", text, count=1),
                                     encoding="utf-8")
    [finding] = [f for f in problems(bid) if f.rule == "SCH001"]
    assert finding.message == "'amount': '0,4 Mio. €' is not an amount: 'Mio.' is not read"
    assert finding.hint == "Write the amount in euros, e.g. 400.000,00."
    assert finding.location.line == line_of(bid / "kosten.csv", "0,4 Mio. €")


def test_a_yaml_amount_in_millions_names_the_word_and_the_amount_to_write(bid):
    edit(bid / "budget.yaml", "          amount: 150000", '          amount: "0,15 Mio. €"')
    [finding] = problems(bid)
    assert finding.message == "'amount': '0,15 Mio. €' is not an amount: 'Mio.' is not read"
    assert finding.hint.startswith("Write `150000`:")


# --- row 16: a long value never fills a report ----------------------------------------------


def test_a_megabyte_run_is_one_txt006_and_no_message_quotes_it_whole(bid):
    edit(bid / "bid.yaml", "vision: |\n", "vision: |\n  " + "x" * 1_000_000 + "\n")
    found = problems(bid)
    assert "TXT001" not in {f.rule for f in found} and "TXT006" in {f.rule for f in found}
    assert all(len(f.message) <= 1000 and len(f.hint) <= 1000 for f in found)


def test_a_message_quoting_a_long_value_is_cut_in_the_middle():
    from bidkit.findings import Finding, Location

    finding = Finding("TXT001", Severity.ERROR, "placeholder 'TODO" + "y" * 5000 + "' in vision", "hint", Location(None))
    assert len(finding.message) <= 1000 and finding.message.startswith("placeholder 'TODO")
    assert finding.message.endswith("' in vision") and "characters left out" in finding.message


def test_a_placeholder_after_a_long_run_is_still_found():
    from bidkit.rules.structure import find_placeholder

    assert find_placeholder("x" * 1000 + " TODO").group(0) == "TODO"


# --- rows 12, 20: VAR002 compares as the final search does, and not in file names ---------


def test_var002_offset_points_into_the_original_text():
    from bidkit.variants import _comparable, _find, _pattern

    text = "Kontakt: Gescha\u0308fts\u200bstelle"
    assert _find(_comparable(text), _pattern("Geschäftsstelle")) == text.index("G")


def test_a_file_field_naming_a_private_scan_is_no_quote(bid):
    (bid / "unterstuetzer.csv").write_text("Name;Art;Ort;Datum;Scan\nAnna Koch;Bürger;Wolfsburg;01.03.2017;unterstuetzer.csv\n",
                                           encoding="utf-8")
    edit(bid / "bid.yaml", "\ntheme:", "\nsupporters: {file: unterstuetzer.csv}\ntheme:")
    assert "VAR002" not in {f.rule for f in problems(bid)}


def test_a_leak_in_the_pdf_is_named_on_its_page(monkeypatch):
    from bidkit import variants
    from bidkit.errors import BuildRefused
    from bidkit.variants import DocumentVariant, Secret, refuse_leaks

    secret = Secret("digital@stadt.wolfsburg.example", "contact.email")
    monkeypatch.setattr(variants, "leaks", lambda data, removed: [(secret, "page 1"), (secret, "bookmarks")])
    with pytest.raises(BuildRefused, match="contact.email on page 1; contact.email in the bookmarks"):
        refuse_leaks(b"", [secret], DocumentVariant("public", "Öffentliche Fassung", frozenset()))


# --- row 26: the summary names the agreement by its kind ----------------------------------


def test_the_summary_names_the_agreement_by_its_kind(bid):
    edit(bid / "mou.yaml", "mou:\n", "mou:\n  kind: cooperation_agreement\n")
    run = check_here("bid", cwd=bid.parent)
    assert "Kooperationsvereinbarung: 3/3 checks pass" in run.stdout and "Memorandum of Understanding:" not in run.stdout


# --- row 17: one error for a file that is not read, with a hint that fits the reason --------


def test_a_yaml_file_that_is_a_fifo_is_one_error_without_a_cascade(bid):
    import os

    (bid / "goals.yaml").unlink()
    os.mkfifo(bid / "goals.yaml")
    [finding] = problems(bid)
    assert finding.rule == "FIL002" and "FIFO" in finding.message and "link" not in finding.hint


def test_a_yaml_file_too_large_gets_a_hint_about_its_size(bid):
    with open(bid / "goals.yaml", "r+b") as file:
        file.truncate(17_000_000)  # sparse: larger than any bid file may be
    [finding] = problems(bid)
    assert finding.rule == "FIL002" and "larger than" in finding.message and "smaller" in finding.hint
