"""Issue 9, the format: approximate eligibility, partners that fund, computed totals, the
resolution's scan as an annex."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from bidkit.annexes import annexes
from bidkit.check import check_bid
from bidkit.loader import load_bid
from bidkit.paths import templates_dir
from bidkit.render.context import build_context
from bidkit.render.html import render_html
from bidkit.render.theme import ThemeContext

from conftest import edit, line_of


def findings(bid: Path, rule: str):
    result, _ = check_bid(bid)
    return [f for f in result.findings if f.rule == rule]


def html_of(bid: Path) -> str:
    loaded = load_bid(bid)
    theme = ThemeContext.of(loaded.bid.theme, bid, loaded.bid.city.name)
    context = build_context(loaded.bid, loaded.call, theme=theme, annexes=[], draft=True, stamp=None,
                            open_points=[], build_date=dt.date(2017, 3, 14))
    return render_html(context, templates_dir())


def test_population_in_the_tolerance_is_a_warning_that_says_so(bid):
    edit(bid / "bid.yaml", "population: 124000", "population: 155000")
    [warning] = findings(bid, "ELI002")
    assert warning.severity.value == "warning"
    assert warning.location.line == line_of(bid / "bid.yaml", "population: 155000")
    assert warning.message == (
        "population 155.000 is outside the nominal range 100.000–150.000 but within the tolerance "
        "86.000–156.000 the call accepts (die 14 Bewerberstädte hatten 86.000 bis 156.000 Einwohner, "
        "it-times.de, 3. April 2017)")
    assert findings(bid, "ELI001") == []


def test_population_outside_the_tolerance_is_an_error_only(bid):
    edit(bid / "bid.yaml", "population: 124000", "population: 85999")
    [error] = findings(bid, "ELI001")
    assert error.message == "population 85.999 is outside the range the call accepts 86.000–156.000"
    assert error.location.line == line_of(bid / "bid.yaml", "population: 85999")
    assert findings(bid, "ELI002") == []


def test_call_without_tolerance_keeps_the_nominal_range_strict(bid):
    from bidkit.loader import shipped_calls

    text = shipped_calls()["bitkom-digitale-stadt-2017"].read_text(encoding="utf-8")
    start = text.index("  tolerance:")
    end = text.index("  note:", start)
    (bid / "call.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    edit(bid / "bid.yaml", "call: bitkom-digitale-stadt-2017", "call: call.yaml")
    edit(bid / "bid.yaml", "population: 124000", "population: 155000")
    [error] = findings(bid, "ELI001")
    assert error.message == "population 155.000 is outside the eligible range 100.000–150.000"
    assert findings(bid, "ELI002") == []


def test_tolerance_must_contain_the_nominal_range(bid):
    from bidkit.loader import shipped_calls

    text = shipped_calls()["bitkom-digitale-stadt-2017"].read_text(encoding="utf-8")
    (bid / "call.yaml").write_text(text.replace("    population_max: 156000", "    population_max: 140000"), encoding="utf-8")
    edit(bid / "bid.yaml", "call: bitkom-digitale-stadt-2017", "call: call.yaml")
    result, _ = check_bid(bid)
    [error] = [f for f in result.findings if f.rule == "SCH001"]
    assert error.location.file == bid / "call.yaml"
    assert "tolerance range must contain the nominal range" in error.message


def test_mou_party_by_partner_id_takes_the_partners_name(bid):
    edit(bid / "mou.yaml", "      name: Volkswagen AG\n", "      partner: volkswagen\n")
    loaded = load_bid(bid)
    party = loaded.bid.mou.parties[1]
    assert (party.partner, party.name, loaded.bid.party_name(party)) == ("volkswagen", None, "Volkswagen AG")
    assert '<p class="party-name">Volkswagen AG</p>' in html_of(bid)


def test_unknown_partner_of_a_mou_party_is_located_and_still_renders_as_draft(bid):
    edit(bid / "mou.yaml", "      name: Volkswagen AG\n", "      partner: vw\n")
    [finding] = findings(bid, "REF003")
    assert finding.location.line == line_of(bid / "mou.yaml", "partner: vw")
    assert finding.message.startswith("unknown partner 'vw'; known: allianz-region, ostfalia,")
    assert '<p class="party-name">vw</p>' in html_of(bid)


def test_omitted_totals_and_measure_cost_are_computed_and_shown(bid):
    edit(bid / "budget.yaml", "\n  total: 500000\n", "\n")
    edit(bid / "budget.yaml", "      total: 500000\n", "")
    edit(bid / "measures.yaml", "    cost: 130000\n", "")
    loaded = load_bid(bid)
    assert loaded.bid.budget.total == Decimal(500000)
    assert loaded.bid.budget.years[0].total == Decimal(500000)
    [measure] = [m for m in loaded.bid.measures if m.id == "egovernment"]
    assert measure.cost == Decimal(130000)
    html = html_of(bid)
    assert "<dt>Kosten</dt><dd><span class=\"nobreak\">130.000\u00a0€</span></dd>" in html
    assert '<span class="c-title">Summe 2017</span><span class="c-cat"></span><span class="c-num"><span class="nobreak">500.000\u00a0€</span></span>' in html


def test_a_stated_year_total_is_still_checked(bid):
    edit(bid / "budget.yaml", "\n  total: 500000\n", "\n")
    edit(bid / "budget.yaml", "      total: 500000", "      total: 400000")
    [error] = findings(bid, "BUD001")
    assert error.location.line == line_of(bid / "budget.yaml", "      total: 400000")
    assert findings(bid, "BUD002") == []  # the grand total is computed from the stated year totals


def test_measure_without_any_cost_is_an_error_and_renders_without_cost(bid):
    edit(bid / "measures.yaml", "    cost: 130000\n", "")
    edit(bid / "budget.yaml", "          measure: egovernment\n", "")
    [error] = findings(bid, "MEA004")
    assert error.location.line == line_of(bid / "measures.yaml", "- id: egovernment")
    assert findings(bid, "BUD008") == []
    html = html_of(bid)
    assert html.count("<dt>Kosten</dt>") == 3


def test_broken_budget_leaves_measure_cost_unknown_without_false_alarms(bid):
    edit(bid / "measures.yaml", "    cost: 130000\n", "")
    edit(bid / "budget.yaml", "          amount: 500000", "          amount: fünfhunderttausend")
    result, loaded = check_bid(bid)
    assert "budget" in loaded.broken
    assert {f.rule for f in result.findings} >= {"SCH001"}
    assert not [f for f in result.findings if f.rule in ("MEA004", "BUD008")]


def test_council_resolution_scan_is_an_annex_after_the_mou(bid):
    (bid / "anlagen" / "ratsbeschluss.pdf").write_bytes((bid / "anlagen" / "mou-wolfsburgdigital.pdf").read_bytes())
    edit(bid / "bid.yaml", "  vote: einstimmig\n", "  vote: einstimmig\n  file: anlagen/ratsbeschluss.pdf\n")
    loaded = load_bid(bid)
    listed = annexes(loaded.bid)
    assert [(a.number, a.file) for a in listed][:2] == [
        (1, "anlagen/mou-wolfsburgdigital.pdf"), (2, "anlagen/ratsbeschluss.pdf")]
    assert listed[1].title == "Ratsbeschluss vom 22.02.2017, Vorlage V 2017/0196"
    assert listed[1].field == ("council_resolution", "file")
    result, _ = check_bid(bid)
    assert not [f for f in result.findings if f.rule.startswith("ANX")]


def test_council_resolution_scan_that_is_not_a_pdf(bid):
    (bid / "anlagen" / "ratsbeschluss.pdf").write_text("<html>Fehler</html>", encoding="utf-8")
    edit(bid / "bid.yaml", "  vote: einstimmig\n", "  vote: einstimmig\n  file: anlagen/ratsbeschluss.pdf\n")
    [finding] = findings(bid, "ANX003")
    assert finding.location.line == line_of(bid / "bid.yaml", "file: anlagen/ratsbeschluss.pdf")
