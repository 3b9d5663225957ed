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


def test_the_export_names_the_sum_of_both_own_funds(bid, tmp_path):
    joint(bid)
    run = run_bidkit("export", str(bid), "--format", "csv", "-o", str(tmp_path / "kfp"))
    assert run.code == 0, run.stderr
    overview = next(tmp_path.glob("kfp/*bersicht*.csv")).read_text(encoding="utf-8")
    assert "Eigenmittel der Stadt und ihrer Partnerkommunen" in overview
