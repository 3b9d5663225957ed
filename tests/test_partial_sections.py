"""One invalid item does not silence the checks of the rest of its list.

An item of a list section (a measure, a partner, a goal or one of its KPIs, an annex, an MoU
party, a budget line or funding source) that fails validation is reported and left out; the
checks that judge items one by one (`partial_ok` in their `@rule`) run on the others, the checks
whose answer depends on every item (sums, counts, references, uniqueness) do not run and say why.
"""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET

import pytest

from bidkit.annexes import annexes
from bidkit.check import check_bid
from bidkit.loader import ITEM_LISTS, load_bid
from bidkit.rules import RULES
from bidkit.rules.registry import rule
from conftest import EXAMPLE, REPO, check_here, edit, line_of

PADERBORN = REPO / "examples" / "paderborn"


def located(result, rule_code: str) -> list[tuple[str, int]]:
    return [(f.location.file.name, f.location.line) for f in result.findings if f.rule == rule_code]


def test_one_bad_measure_leaves_the_per_measure_checks_of_the_others(bid):
    edit(bid / "measures.yaml", "    cost: 130000\n", "    cost: viel\n")  # egovernment, the second measure
    edit(bid / "measures.yaml", "    field: datenplattform\n", "    field: weltraum\n")  # the third
    result, loaded = check_bid(bid)
    assert loaded.partial == {"measures"} and [m.id for m in loaded.checked.measures] == [
        "digitalisierungsstrategie", "datenplattform", "pilotprojekte"]
    assert located(result, "SCH001") == [("measures.yaml", line_of(bid / "measures.yaml", "cost: viel"))]
    # MEA001 judges the measure after the bad one, at its own line (the index is the YAML's).
    [field] = [f for f in result.findings if f.rule == "MEA001"]
    assert (field.location.line, field.path) == (line_of(bid / "measures.yaml", "field: weltraum"), ("measures", 2, "field"))
    assert "MEA001" in result.rules_run and "DAT001" in result.rules_run
    # The cross-references could name the left-out measure: not run, with the reason.
    for code in ("REF001", "REF002", "GOL002", "PAR001"):
        assert code in result.rules_not_run
        assert "measures had invalid items" in result.not_run_reasons[code]
    assert {f.rule for f in result.findings} <= {"SCH001", "MEA001", "BUD007", "PAR004"}


def test_a_bad_budget_line_keeps_the_sums_not_run_with_the_reason(bid):
    edit(bid / "budget.yaml", "          amount: 130000\n", "          amount: hundertdreißigtausend\n")
    edit(bid / "budget.yaml", "          amount: 120000\n", "          amount: 0\n")  # the line after the bad one
    result, loaded = check_bid(bid)
    assert loaded.partial == {"budget"}
    # The year's items no longer add up to its total: a wrong sum is worse than none.
    sums = ("BUD001", "BUD002", "BUD003", "BUD004", "BUD006", "BUD007", "BUD008", "MEA004", "REF001", "RES002")
    assert not [f for f in result.findings if f.rule in sums]
    assert {code for code in sums if code in RULES} <= set(result.rules_not_run)
    assert "budget had invalid items" in result.not_run_reasons["BUD001"]
    # A line judged on its own is still judged, at its own line.
    assert located(result, "BUD005") == [("budget.yaml", line_of(bid / "budget.yaml", "amount: 0"))]
    assert located(result, "SCH001") == [("budget.yaml", line_of(bid / "budget.yaml", "hundertdreißigtausend"))]

    document = check_here(str(bid), "--format", "json").json()
    budget = {s["section"]: s for s in document["completeness"]["sections"]}["Kosten- und Finanzierungsplan"]
    assert budget["not_run"] == sum(code.startswith("BUD") and code != "BUD005" for code in RULES) and budget["passed"] == 0

    suite = ET.fromstring(check_here(str(bid), "--format", "junit").stdout).find("testsuite")
    skipped = {case.get("name").split()[0]: case.find("skipped").get("message")
               for case in suite.iter("testcase") if case.find("skipped") is not None}
    assert set(skipped) == set(result.rules_not_run) and int(suite.get("skipped")) == len(skipped)
    assert "budget had invalid items" in skipped["BUD001"]
    assert "BUD005" not in skipped

    text = check_here(str(bid)).stdout
    assert "not run: what they read did not load, had invalid items or is missing" in text


def test_a_reference_to_a_left_out_item_is_no_unknown_id(bid):
    edit(bid / "goals.yaml", "  - id: lebensqualitaet\n    title: Lebensqualität durch digitale Angebote\n",
         "  - id: lebensqualitaet\n    title: [Lebensqualität]\n")
    edit(bid / "partners.yaml", "  - id: wobcom\n", "  - id: wobcom\n    seit: 2010\n")
    result, loaded = check_bid(bid)
    assert loaded.partial == {"goals", "partners"}
    assert not [f for f in result.findings if f.rule in ("REF001", "REF003", "GOL002", "PAR001")]
    assert {"REF001", "REF003", "REF002"} <= set(result.rules_not_run)
    assert {f.rule for f in result.findings} <= {"SCH001", "SCH002", "BUD007"}
    assert "PAR004" in result.rules_not_run  # a count of letters needs every partner
    assert {"GOL001", "GOL002", "GOL003", "PAR001", "PAR002", "PAR003"} <= set(result.rules_run)


def test_a_bad_kpi_leaves_its_goal_and_the_other_kpis(bid):
    edit(bid / "goals.yaml", "        target: {value: 60, year: 2019}\n", "        target: {value: 60, year: 2015}\n")
    edit(bid / "goals.yaml", "        baseline: {value: 52, year: 2016}\n", "        baseline: {value: 52.000, year: 2016}\n")
    result, loaded = check_bid(bid)
    assert loaded.kept == {("goals", 0, "kpis"): [0]} and len(loaded.checked.goals) == 2
    # The KPI before the bad one is still judged; its goal keeps a KPI, so GOL001 has no false alarm.
    assert located(result, "GOL003") == [("goals.yaml", line_of(bid / "goals.yaml", "year: 2015"))]
    assert not [f for f in result.findings if f.rule == "GOL001"]


def test_a_goal_whose_kpis_are_all_invalid_is_left_out_not_reported_without_kpis(bid):
    edit(bid / "goals.yaml", "        unit: Anzahl\n", "        unit: [Anzahl]\n")  # lebensqualitaet's first KPI
    edit(bid / "goals.yaml", "        unit: Prozent\n", "        unit: [Prozent]\n")  # and its second
    result, loaded = check_bid(bid)
    assert loaded.kept == {("goals",): [1]}
    assert not [f for f in result.findings if f.rule in ("GOL001", "REF001")]
    assert len(located(result, "SCH001")) == 2


def test_a_list_without_a_sound_item_stays_broken_and_is_not_empty(bid):
    text = (bid / "mou.yaml").read_text(encoding="utf-8")
    (bid / "mou.yaml").write_text(text.replace("    - id: ", "    - name: 1\n      id: "), encoding="utf-8")
    text = (bid / "partners.yaml").read_text(encoding="utf-8")
    (bid / "partners.yaml").write_text(text.replace("    role: ", "    role: [x]\n    was: "), encoding="utf-8")
    result, loaded = check_bid(bid)
    assert {"mou", "partners"} <= loaded.broken and not loaded.partial & {"mou", "partners"}
    assert not [f for f in result.findings if f.rule == "REQ001"]  # no "partners is empty"
    assert "not run: partners did not load" == result.not_run_reasons["PAR002"]


def test_partial_ok_names_only_sections_the_check_reads():
    with pytest.raises(RuntimeError, match="partial_ok"):
        rule("ZZZ999", RULES["MEA001"].severity, "t", hint="h", explanation="e", reads=("measures",), partial_ok=("budget",))


def _items(loaded) -> list[tuple]:
    """The first and the last item of every list of ITEM_LISTS in the bid (None: any index)."""
    found = []

    def walk(path: tuple, pattern_rest: tuple, node) -> None:
        if not pattern_rest:
            if isinstance(node, list) and node:
                found.extend({(*path, 0), (*path, len(node) - 1)})
            return
        head, *rest = pattern_rest
        if head is None:
            for index, item in enumerate(node if isinstance(node, list) else []):
                walk((*path, index), tuple(rest), item)
        elif isinstance(node, dict) and head in node:
            walk((*path, head), tuple(rest), node[head])

    for pattern in ITEM_LISTS:
        walk((), pattern, loaded.raw)
    return sorted(found, key=str)


def _signature(result) -> set[tuple]:
    out = set()
    for f in result.findings:
        lines = f.location.file.read_text(encoding="utf-8").splitlines() if f.location.file and f.location.file.suffix in (".yaml", ".csv") else []
        text = lines[f.location.line - 1].strip() if f.location.line and f.location.line <= len(lines) else None
        out.add((f.rule, f.location.file.name if f.location.file else None, text, f.message))
    return out


@pytest.mark.parametrize("source", [EXAMPLE, PADERBORN], ids=["bid_data", "paderborn"])
def test_one_bad_item_in_any_list_adds_no_finding_but_its_own(source, tmp_path):
    """Read every finding: an item left out can only take findings away, so whatever is new besides
    the item's own schema error would be false."""
    sound = check_bid(source)[0]
    before = _signature(sound)
    loaded = load_bid(source)
    items = _items(loaded)
    assert {path[0] for path in items} >= {"goals", "measures", "partners", "mou", "budget"}
    for path in items:
        bid = tmp_path / "-".join(map(str, path))
        shutil.copytree(source, bid)
        where = loaded.sources.locate(path)
        lines = where.file.read_text(encoding="utf-8").splitlines(keepends=True)
        line = lines[where.line - 1]
        if line[where.column - 1] == "{":  # a flow mapping: the unknown key goes first in it
            lines[where.line - 1] = line[:where.column] + "bogus_key: 1, " + line[where.column:]
        else:
            lines.insert(where.line, " " * (where.column - 1) + "bogus_key: 1\n")
        (bid / where.file.name).write_text("".join(lines), encoding="utf-8")
        result, broken = check_bid(bid)
        new = {s for s in _signature(result) - before if not (s[0] == "SCH002" and "bogus_key: 1" in s[2])}
        assert not new, (path, new)
        assert [f.rule for f in result.findings if f.rule.startswith("SCH")] == ["SCH002"], path
        assert broken.partial == {path[0]} or path[0] in broken.broken - broken.partial, path
        ran = set(result.rules_run)
        for code in result.rules_not_run:  # what did not run, did so for the section of the bad item
            assert str(path[0]) in result.not_run_reasons[code], (path, code)
        assert ran | set(result.rules_not_run) == set(sound.rules_run) | set(sound.rules_not_run)


def test_a_table_row_with_an_unreadable_cell_is_left_out_alone(bid):
    (bid / "kosten.csv").write_text(
        "Kostenposition;Kategorie;Maßnahme;Betrag\n"
        "Strategie;Personalkosten;digitalisierungsstrategie;150000\n"
        "Rathaus;Personalkosten;egovernment;130.000,001\n"  # not an amount to the cent
        "Plattform;Sachkosten;datenplattform;0\n"
        "Projekte;Sachkosten;pilotprojekte;220000\n", encoding="utf-8")
    text = (bid / "budget.yaml").read_text(encoding="utf-8")
    start, end = text.index("      costs:\n"), text.index("      funding:\n")
    (bid / "budget.yaml").write_text(text[:start] + "      costs_file: kosten.csv\n" + text[end:], encoding="utf-8")
    result, loaded = check_bid(bid)
    assert loaded.kept == {("budget", "years", 0, "costs"): [0, 2, 3]}
    assert [(f.rule, f.location.file.name, f.location.cell) for f in result.findings if f.severity.value != "info"] == [
        ("SCH001", "kosten.csv", "D3"), ("BUD005", "kosten.csv", "D4")]
    assert "BUD001" in result.rules_not_run and "MEA001" in result.rules_run


def test_annex_messages_leave_out_numbers_a_left_out_annex_would_shift(bid):
    """With an invalid annex left out, the annexes after it would be numbered one too low: their
    findings name them by title only, at their own line."""
    edit(bid / "bid.yaml", "annexes:\n", "annexes:\n  - title: Kaputt\n    file: [keine, datei]\n"
                                          "  - title: Fehlt\n    file: anlagen/fehlt.pdf\n")
    result, loaded = check_bid(bid)
    assert "annexes" in loaded.partial
    [missing] = [f for f in result.findings if f.rule == "ANX001"]
    assert missing.message.startswith("annex (Fehlt)"), missing.message
    assert missing.location.line == line_of(bid / "bid.yaml", "file: anlagen/fehlt.pdf")
    (bid / "anlagen" / "neu.csv").write_text("a;b\n", encoding="utf-8")
    edit(bid / "bid.yaml", "    file: [keine, datei]\n", "    file: anlagen/neu.csv\n")  # all sound again
    result, loaded = check_bid(bid)
    [missing] = [f for f in result.findings if f.rule == "ANX001"]
    [number] = [a.number for a in annexes(loaded.bid) if a.title == "Fehlt"]
    assert number == [a.title for a in annexes(loaded.bid)].index("Kaputt") + 2
    assert missing.message.startswith(f"annex {number} (Fehlt)"), missing.message
