"""A joint bid (interkommunale Kooperation, rt5 D6): a partner municipality pays part of the own
share. Its money is titled as its own in every table and the chart, counts towards the own share,
and the applicant's council commits only the applicant's part."""

from __future__ import annotations

import re

from conftest import edit, run_bidkit


def joint(bid):
    edit(bid / "budget.yaml", "          amount: 500000\n          secured: false",
         "          amount: 400000\n          secured: false\n"
         "        - {kind: eigenmittel, name: Haushalt Sassenburg 2017, partner: sassenburg, amount: 100000, secured: false}")
    (bid / "partners.yaml").write_text((bid / "partners.yaml").read_text(encoding="utf-8")
                                       + "  - {id: sassenburg, name: Gemeinde Sassenburg, type: kommune, role: Partnerkommune, "
                                         "contribution: Anteil am Eigenanteil, letter: {kind: letter_of_intent, date: 2017-02-01}}\n",
                                       encoding="utf-8")
    edit(bid / "bid.yaml", "  vote: einstimmig", "  vote: einstimmig\n  own_share_committed: 400000")


def test_a_partner_municipalitys_own_funds_are_its_own_in_the_document(edited_build):
    # The build of conftest.py's `edited_build` (--html beside the PDF): this joint bid and the other edits it names.
    run = edited_build.run
    assert run.code == 0, run.stderr
    html = edited_build.pdf.with_suffix(".html").read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", "", html).replace("\u00a0", " ")
    # the funding by kind: the applicant's own funds and the partner's, each in a row of its own
    assert re.search(r"Eigenmittel der Stadt\s*400\.000 €", text), text
    assert re.search(r"Eigenmittel der Gemeinde Sassenburg\s*100\.000 €", text)
    # the source's line says whose money it is, and the chart's text alternative too
    assert "Eigenmittel der Gemeinde Sassenburg · " in text
    assert "Eigenmittel der Gemeinde Sassenburg 100.000\u00a0€" in html  # the chart's alt attribute
    # the own share is both municipalities' (500.000 of 2 Mio. as before), the resolution the city's part
    assert "Eigenanteil der Stadt und ihrer Partnerkommunen:" in text
    assert re.search(r"zugesagter Eigenanteil der Stadt: 400\.000 € \(Eigenmittel der Stadt im Finanzierungsplan: "
                     r"400\.000 €; die Eigenmittel der Partnerkommunen sagen deren Räte zu\)", text), text


def test_the_export_names_each_municipalitys_own_funds_as_the_document_does(bid, tmp_path):
    """rt8 D1: the year sheets and finanzierung.csv gave the partner's own funds the applicant's kind
    („Eigenmittel der Stadt“), and that kind's sum included them; the own share is both."""
    import csv

    import openpyxl
    from test_export import recalculated

    joint(bid)
    run = run_bidkit("export", str(bid), "--format", "csv", "-o", str(tmp_path / "kfp"))
    assert run.code == 0, run.stderr
    overview = {row[0]: row[1:] for row in csv.reader(next(tmp_path.glob("kfp/*bersicht*.csv")).open(encoding="utf-8"))}
    assert overview["Eigenmittel der Stadt"][-1] == "400000" and overview["Eigenmittel der Gemeinde Sassenburg"][-1] == "100000"
    assert overview["Eigenanteil (Eigenmittel / Kosten) in %"][-1] == "100.00"  # 500.000 € of 500.000 €: both own funds
    sources = list(csv.reader((tmp_path / "kfp" / "finanzierung.csv").open(encoding="utf-8")))
    [partner] = [row for row in sources if row[2] == "Haushalt Sassenburg 2017"]
    assert partner[3] == "Eigenmittel der Gemeinde Sassenburg" and partner[4] == "Gemeinde Sassenburg"
    out = tmp_path / "kfp.xlsx"
    assert run_bidkit("export", str(bid), "-o", str(out)).code == 0
    values, book = recalculated(out), openpyxl.load_workbook(out)
    sheet = book["2017"]
    by_label = {sheet.cell(row, 2).value: values[("2017", f"F{row}")] for row in range(1, sheet.max_row + 1)
                if isinstance(sheet.cell(row, 6).value, str) and sheet.cell(row, 6).value.startswith("=SUMIF")}
    assert by_label["Eigenmittel der Stadt"] == 400000 and by_label["Eigenmittel der Gemeinde Sassenburg"] == 100000
    [share] = [row for row in range(1, sheet.max_row + 1) if sheet.cell(row, 2).value == "Eigenanteil (Eigenmittel / Kosten)"]
    assert abs(values[("2017", f"F{share}")] - 1) < 1e-12
