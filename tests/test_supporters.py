"""Issue 10: supporters in bulk (CSV/XLSX register), and the document showing what the bid holds."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from bidkit.check import check_bid
from bidkit.loader import load_bid
from bidkit.matrix import compliance_matrix
from bidkit.render.build import document_html
from bidkit.supporters import parse_date

from conftest import PADERBORN, check_here, edit, unmarked

HEADER = "Name;Art;Ort;Datum;Scan\n"


@pytest.fixture
def paderborn(tmp_path: Path) -> Path:
    target = tmp_path / "paderborn"
    shutil.copytree(PADERBORN, target)
    return target


def sup_findings(bid: Path) -> list:
    result, _ = check_bid(bid)
    return [f for f in result.findings if f.rule.startswith("SUP")]


def write_register(bid: Path, rows: str) -> Path:
    path = bid / "unterstuetzer.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return path


def test_paderborn_register_is_read_whole_and_clean():
    from bidkit.supporters import read_register

    loaded = load_bid(PADERBORN)
    register = read_register(PADERBORN, loaded.bid.supporters)
    assert register.problems == [] and len(register.supporters) == 497
    assert {s.kind for s in register.supporters} == {"citizen", "association", "company", "research", "public_body"}
    assert sup_findings(PADERBORN) == []


def test_each_bad_row_is_a_finding_at_its_file_and_line(paderborn):
    path = write_register(paderborn, (
        "Anna Koch;Bürger;Paderborn;01.03.2017;\n"          # line 2
        "anna  KOCH;citizen;Paderborn;02.03.2017;\n"        # line 3: the same supporter again
        "Verein X;Alien;Paderborn;1.3.17;\n"                 # line 4: unknown kind, two-digit year
        "Bäckerei Y;Unternehmen;Paderborn;20.03.2017;\n"    # line 5: after the deadline (15.03.2017)
        "Institut Z;research;Paderborn;2017-03-01;scans/z.pdf\n"  # line 6: declared scan missing
        "Amt W;public_body;Paderborn;31.02.2017;\n"          # line 7: no day of the calendar
    ))
    found = sorted((f.rule, f.location.line) for f in sup_findings(paderborn))
    assert found == [("SUP001", 4), ("SUP001", 4), ("SUP001", 7), ("SUP002", 3), ("SUP003", 6), ("SUP004", 5)]
    for f in sup_findings(paderborn):
        assert f.location.file == path.resolve() and f.dotted_path == "supporters.file"
        assert f"'unterstuetzer.csv' line {f.location.line}:" in f.message
    # The command line shows the row itself under the finding.
    run = check_here(str(paderborn))
    assert run.code == 1
    assert "Verein X;Alien;Paderborn;1.3.17;" in run.stdout and "is already listed in line 2" in run.stdout


def test_a_missing_register_is_reported_at_the_bid_yaml_field(paderborn):
    (paderborn / "unterstuetzer.csv").unlink()
    [finding] = sup_findings(paderborn)
    assert finding.rule == "SUP001" and finding.location.file.name == "bid.yaml"
    assert "does not exist" in finding.message


def test_a_register_outside_the_bid_folder_is_refused(paderborn, tmp_path):
    (tmp_path / "secret.csv").write_text(HEADER + "A;citizen;B;01.03.2017;\n", encoding="utf-8")
    edit(paderborn / "bid.yaml", "file: unterstuetzer.csv", "file: ../secret.csv")
    [finding] = sup_findings(paderborn)
    assert finding.rule == "SUP001" and "outside the bid folder" in finding.message


def test_a_register_not_in_utf8_is_refused_not_guessed(paderborn):
    (paderborn / "unterstuetzer.csv").write_bytes((HEADER + "Jürgen Müller;citizen;Paderborn;01.03.2017;\n").encode("cp1252"))
    [finding] = sup_findings(paderborn)
    assert "not UTF-8" in finding.message and "CSV UTF-8" in finding.hint


def test_xlsx_register_reads_date_cells_and_refuses_numbers(paderborn):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Art", "Ort", "Datum", "Scan"])
    sheet.append(["Anna Koch", "Bürger", "Paderborn", dt.datetime(2017, 3, 1), None])  # row 2: a date cell
    sheet.append(["Verein X", "Verein", "Paderborn", "02.03.2017", None])            # row 3: German text date
    sheet.append(["Firma Y", "Unternehmen", "Paderborn", 42795, None])              # row 4: a serial number
    sheet.append([])                                                                 # row 5: empty, skipped
    sheet.append([None, "Bürger", "Paderborn", "03.03.2017", None])                 # row 6: no name
    book.save(paderborn / "unterstuetzer.xlsx")
    edit(paderborn / "bid.yaml", "file: unterstuetzer.csv", "file: unterstuetzer.xlsx")
    serial, nameless = sup_findings(paderborn)
    assert (serial.rule, serial.location.line) == ("SUP001", 4)
    assert serial.message.startswith("'unterstuetzer.xlsx' row 4: date '42795' is no exact date")
    assert (nameless.rule, nameless.location.line) == ("SUP001", 6) and "has no name" in nameless.message
    html = document_html(load_bid(paderborn), draft=False, annex_list=[])
    assert "Anna Koch" in html and "Verein X" in html and "Firma Y" not in html


@pytest.mark.parametrize(("cell", "day"), [
    ("01.03.2017", dt.date(2017, 3, 1)), ("1.3.2017", dt.date(2017, 3, 1)), ("2017-03-01", dt.date(2017, 3, 1)),
    ("1.3.17", None), ("März 2017", None), ("03/01/2017", None), ("31.02.2017", None), (42795, None),
    (dt.datetime(2017, 3, 1, 12, 30), None),
])
def test_dates_are_read_exactly_or_refused(cell, day):
    assert parse_date(cell) == day


def test_supporters_count_in_the_compliance_matrix(paderborn):
    write_register(paderborn, "A;citizen;Paderborn;20.03.2017;\n")
    result, _ = check_bid(paderborn)
    [row] = [r for r in compliance_matrix(result) if r.id == "DS-6"]
    assert row.status == "fail" and [f.rule for f in row.findings if f.rule.startswith("SUP")] == ["SUP004"]


def test_every_rule_has_a_german_title():
    from bidkit.rules import RULES
    from bidkit.rules.german import german_titles

    assert set(RULES) == set(german_titles())


def test_document_lists_supporters_by_kind_with_counts():
    html = document_html(load_bid(PADERBORN), draft=False, annex_list=[])
    assert '<section class="section" id="supporters">' in html and "<h2>Unterstützerliste</h2>" in html
    assert "<th scope=\"row\">Zusammen</th><th class=\"num\">497</th>" in html


def test_document_names_the_city_officially_and_adds_nothing_to_its_text(paderborn):
    edit(paderborn / "bid.yaml", "  name: Paderborn\n", "  name: Paderborn\n  official_name: Hochstiftstadt Paderborn\n")
    html = unmarked(document_html(load_bid(paderborn), draft=False, annex_list=[]))
    assert '<meta name="author" content="Hochstiftstadt Paderborn">' in html
    assert "Für die Hochstiftstadt Paderborn" in html and "<dd>Hochstiftstadt Paderborn (Nordrhein-Westfalen)</dd>" in html
    # The starting situation is the city's text only; the facts stand in a box of their own.
    text = html.split('id="starting_situation"', 1)[1].split('<aside class="facts-box">', 1)[0]
    assert "Einwohnerinnen und Einwohner (2016" not in text and "Hochschule am Ort" not in text


def test_section_title_follows_the_kind_of_agreement(paderborn):
    html = document_html(load_bid(paderborn), draft=False, annex_list=[])
    assert "<h2>Letter of Intent</h2>" in html and "Memorandum of Understanding</h2>" not in html
    edit(paderborn / "mou.yaml", "kind: letter_of_intent", "kind: cooperation_agreement")
    html = document_html(load_bid(paderborn), draft=False, annex_list=[])
    assert "<h2>Kooperationsvereinbarung</h2>" in html


def test_measure_order_is_the_calls_by_default_or_the_bids(paderborn):
    loaded = load_bid(paderborn)
    ids = [m.id for m in loaded.bid.measures]

    def order(html: str) -> list[str]:
        return sorted(ids, key=lambda i: html.index(f'id="measure-{i}"'))

    by_call = order(document_html(loaded, draft=False, annex_list=[]))
    field_rank = {f.id: n for n, f in enumerate(loaded.call.thematic_fields)}
    assert by_call == sorted(ids, key=lambda i: (field_rank[next(m.field for m in loaded.bid.measures if m.id == i)], ids.index(i)))
    edit(paderborn / "bid.yaml", "\nsupporters:", "\nmeasure_order: bid\nsupporters:")
    assert order(document_html(load_bid(paderborn), draft=False, annex_list=[])) == ids
    assert by_call != ids  # Paderborn's own order differs from the call's, so the test can tell


def test_funding_sources_by_name_status_and_committed_own_share(paderborn):
    edit(paderborn / "bid.yaml", "  vote: mit großer Mehrheit\n", "  vote: mit großer Mehrheit\n  own_share_committed: 2510000\n")
    html = unmarked(document_html(load_bid(paderborn), draft=False, annex_list=[]))
    assert '<span class="source-name">Land Nordrhein-Westfalen</span><br><span class="source-meta">Land · <em>in Aussicht gestellt</em>' in html
    assert '<span class="source-name">PaderSprinter</span><br><span class="source-meta">Dritte · gesichert' in html
    assert 'zugesagter Eigenanteil der Stadt: <strong><span class="nobreak">2.510.000\u00a0€</span></strong>' in html
