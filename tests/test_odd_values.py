"""Odd values get bidkit's own located message with a hint, never raw library text (red-team trial).

Numbers in exponent form or with a leading dot, huge numbers, values of the wrong kind, a NUL
byte or UTF-16 in a YAML file, odd rows in the supporters' register, long source lines in the
text report, a bad Content-Length at the preview, the export's refusal hint.
"""

from __future__ import annotations

import http.client
import threading
from pathlib import Path

import pytest

from bidkit.check import CheckOptions, check_bid
from bidkit.findings import Severity

from conftest import EXAMPLE, check_here, edit, line_of, run_bidkit

#: Words of pydantic's own messages that must never reach a user.
RAW = ("Input should", "Decimal input", "finite number", "unicode string", "position ")


def problems(bid: Path):
    return [f for f in check_bid(bid, CheckOptions())[0].findings if f.severity is not Severity.INFO]


def only(bid: Path, file: str, text: str):
    """The one problem of ``bid``, asserted at the line of ``file`` holding ``text``."""
    found = problems(bid)
    assert len(found) == 1, [(f.rule, f.message) for f in found]
    finding = found[0]
    assert finding.location.file == bid / file and finding.location.line == line_of(bid / file, text), finding.location
    assert not any(raw in finding.message for raw in RAW), finding.message
    assert finding.hint and not any(raw in finding.hint for raw in RAW), finding.hint
    return finding


# --- 1 and 3: one rule for exponent form and a leading dot, in every numeric field ---------------


@pytest.mark.parametrize(("file", "old", "new", "written", "plain"), [
    ("bid.yaml", "population: 124000", "population: 1e5", "1e5", "100000"),
    ("budget.yaml", "amount: 150000", "amount: 1.5e5", "1.5e5", "150000"),
    ("budget.yaml", "amount: 150000", "amount: .5", ".5", "0.5"),
    ("goals.yaml", "baseline: {value: 15,", "baseline: {value: 1.5E1,", "1.5E1", "15"),
    ("goals.yaml", "baseline: {value: 15,", "baseline: {value: '.5',", ".5", "0.5"),
])
def test_exponent_form_and_leading_dot_are_refused_alike_with_the_written_out_number(bid, file, old, new, written, plain):
    edit(bid / file, old, new)
    finding = only(bid, file, new)
    assert finding.rule == "SCH001"
    assert written in finding.message and "the dot is read" not in finding.message, finding.message
    assert f"`{plain}`" in finding.hint, finding.hint


def test_whole_number_message_describes_the_text_written(bid):
    edit(bid / "bid.yaml", "population_year: 2016", "population_year: 2016.5")
    finding = only(bid, "bid.yaml", "population_year: 2016.5")
    assert "2016.5" in finding.message and "thousands separator" not in finding.message, finding.message


@pytest.mark.parametrize(("written", "says"), [
    ("true", "true"),
    ("2017-02-03", "2017-02-03"),
    ("~", "empty"),
    ("[150000]", "list"),
])
def test_an_amount_of_another_kind_says_what_was_found_and_what_belongs_there(bid, written, says):
    edit(bid / "budget.yaml", "amount: 150000", f"amount: {written}")
    finding = only(bid, "budget.yaml", f"amount: {written}")
    assert says in finding.message and "amount" in finding.message, finding.message
    assert "500000" in finding.hint, finding.hint


def test_a_negative_amount_is_refused_in_bidkits_words(bid):
    edit(bid / "budget.yaml", "amount: 150000", "amount: -96000")
    finding = only(bid, "budget.yaml", "amount: -96000")
    assert "-96000" in finding.message and "negative" in finding.message, finding.message


@pytest.mark.parametrize("written", ["9" * 5000, "9" * 5000 + ".5", "1" + "0" * 40, "1e999999", ".inf", ".nan"])
def test_a_huge_or_infinite_amount_is_refused_without_echoing_it(bid, written):
    edit(bid / "budget.yaml", "amount: 150000", f"amount: {written}")
    finding = only(bid, "budget.yaml", "amount: " + written[:20])
    assert len(finding.message) < 200 and len(finding.hint) < 300, finding.message
    if len(written) > 30:
        assert "digits" in finding.message, finding.message


@pytest.mark.parametrize(("file", "old", "new", "says"), [
    ("bid.yaml", "population: 124000", "population: 0", "must be more than 0"),
    ("bid.yaml", "population_year: 2016", "population_year: 1800", "1800 is less than 1900"),
    ("bid.yaml", "  decisions:\n", "  decisions: []\n  old_decisions:\n", "the list is empty"),
    ("budget.yaml", "amount: 150000", "amount: " + "7" * 30, "30 digits"),
    ("budget.yaml", "amount: 150000", "amount: " + "7" * 18, "too many digits for an amount in EUR: at most 17"),
    ("budget.yaml", "amount: 150000", "amount: " + "7" * 16 + ".5", "at most 15 before the point"),
    ("bid.yaml", "title: \"#WolfsburgDigital\"", "title: 1.5", "1.5 (a number) is not text"),
])
def test_bounds_lists_and_kinds_are_said_in_bidkits_words(bid, file, old, new, says):
    edit(bid / file, old, new)
    found = [f for f in problems(bid) if f.rule == "SCH001"]
    assert len(found) == 1, [(f.rule, f.message) for f in found]
    assert says in found[0].message and not any(raw in found[0].message for raw in RAW), found[0].message


# --- 4: source lines in the text report are cut around the column ---------------------------------


def test_text_report_shows_a_long_line_cut_around_the_column(bid):
    item = ("        - title: Personal Strategische Planung (Digitalisierungsstrategie)\n          category: personalkosten\n"
            "          amount: 150000\n          measure: digitalisierungsstrategie\n          budget_reservation: true\n")
    edit(bid / "budget.yaml", item, "        - {title: " + "x" * 300 + ", category: personalkosten, amount: {a: 1}, "
                                      "measure: digitalisierungsstrategie, budget_reservation: true}\n")
    edit(bid / "budget.yaml", "amount: 130000", "amount: " + "9" * 5000)
    run = check_here(str(bid))
    assert run.code == 1, run.stderr
    lines = run.stdout.splitlines()
    assert max(len(line) for line in lines) < 200, max(lines, key=len)[:300]
    shown = [line for line in lines if "| " in line and "…" in line]
    assert shown, run.stdout
    caret = next(i for i, line in enumerate(lines) if line.strip().startswith("|") and "^" in line
                 and "{a: 1}" in lines[i - 1])
    # the caret still points at the value it names, in the cut line
    assert lines[caret - 1][lines[caret].index("^")] == "{"


# --- 5: a NUL byte and a UTF-16 file ---------------------------------------------------------------


def test_nul_byte_in_yaml_is_located_with_a_hint(bid):
    text = (bid / "goals.yaml").read_text(encoding="utf-8")
    (bid / "goals.yaml").write_text(text.replace("Lebensqualität durch", "Lebens\x00qualität durch", 1), encoding="utf-8")
    found = [f for f in problems(bid) if f.rule == "YML001"]
    [finding] = found
    line = line_of(bid / "goals.yaml", "qualität durch")
    assert finding.location.line == line and finding.location.column == len("    title: Lebens") + 1
    assert "NUL" in finding.message and not any(raw in finding.message for raw in RAW), finding.message
    assert "Fix the YAML syntax." != finding.hint


def test_a_utf16_file_is_one_finding_without_nul_bytes_nor_knock_on_findings(bid):
    text = (bid / "partners.yaml").read_text(encoding="utf-8")
    (bid / "partners.yaml").write_bytes(text.encode("utf-16"))
    found = problems(bid)
    assert [f.rule for f in found] == ["FIL001"], [(f.rule, f.message) for f in found]
    assert "UTF-16" in found[0].message, found[0].message
    run = check_here(str(bid))
    assert "\x00" not in run.stdout and "PAR004" not in run.stdout, run.stdout


# --- 6: the supporters' register -------------------------------------------------------------------


def _register(bid: Path, rows: str) -> None:
    (bid / "unterstuetzer.csv").write_text("Name;Art;Ort;Datum;Scan\n" + rows, encoding="utf-8")
    edit(bid / "bid.yaml", "\ntheme:", "\nsupporters: {file: unterstuetzer.csv}\ntheme:")


def _sup001(bid: Path) -> list[str]:
    return [f.message for f in problems(bid) if f.rule == "SUP001"]


def test_register_refuses_control_characters_in_a_cell(bid):
    _register(bid, "Nul\x00Byte;Bürger;Seelow;01.03.2017;\nEsc\x1b[31mRot;Bürger;Seelow;01.03.2017;\n")
    messages = _sup001(bid)
    assert len(messages) == 2, messages
    assert all("control character" in m and "\x00" not in m and "\x1b" not in m for m in messages), messages


def test_register_rows_with_too_few_or_too_many_columns_say_so(bid):
    _register(bid, "Kurz;Bürger\nZu;Verein;Seelow;01.03.2017;;;x;y\n")
    messages = _sup001(bid)
    assert any("line 2" in m and "2 of 5 columns" in m for m in messages), messages
    assert any("line 3" in m and "8 columns" in m and "5" in m for m in messages), messages
    assert not any("date ''" in m for m in messages), messages


def test_register_kind_hint_lists_the_german_kinds(bid):
    _register(bid, "Anna;Alien;Seelow;01.03.2017;\n")
    [finding] = [f for f in problems(bid) if f.rule == "SUP001"]
    assert "Bürger" in finding.message and "Verein" in finding.message and "citizen" not in finding.message, finding.message
    assert "Behörde" in finding.hint and "Firma" in finding.hint, finding.hint


# --- 7: the preview refuses a bad Content-Length with 400, no traceback ----------------------------


@pytest.mark.parametrize("length", ["abc", "-5", "1_0", "+12", "99999999999999999999"])
def test_preview_answers_a_bad_content_length_with_400(tmp_path, length):
    from bidkit.preview.server import Editor, PreviewServer
    from bidkit.preview.state import Preview

    log: list[str] = []
    server = PreviewServer(0, tmp_path, Preview(), Editor("true {file}"), log.append)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
        connection.putrequest("POST", "/oeffnen", skip_host=True)
        connection.putheader("Host", f"127.0.0.1:{server.server_port}")
        connection.putheader("Content-Length", length)
        connection.endheaders()
        assert connection.getresponse().status == 400
        connection.close()
        for form in ("token=%C3%A4&datei=a&zeile=1", f"token={server.token}&datei=bid.yaml&zeile=x"):
            connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
            connection.request("POST", "/oeffnen", body=form.encode(), headers={"Host": f"127.0.0.1:{server.server_port}"})
            assert connection.getresponse().status in (400, 403, 404), form
            connection.close()
    finally:
        server.shutdown()
        server.server_close()
    assert log == [], log


# --- 8: the export's refusal hint fits the command -------------------------------------------------


def test_export_refusal_hint_names_an_export_file(tmp_path):
    bid = tmp_path / "bid"
    import shutil

    shutil.copytree(EXAMPLE, bid)
    run = run_bidkit("export", "bid", "-o", "bid/budget.yaml", "--format", "xlsx", cwd=tmp_path)
    assert run.code == 2 and "is an input of the bid" in run.stderr
    assert ".pdf" not in run.stderr and ".xlsx" in run.stderr, run.stderr
