"""Issue 9, the format: approximate eligibility, partners that fund, computed totals, the
resolution's scan as an annex."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

from bidkit.annexes import annexes
from bidkit.check import check_bid
from bidkit.loader import load_bid
from bidkit.paths import templates_dir
from bidkit.render.context import build_context
from bidkit.render.html import render_html
from bidkit.render.theme import ThemeContext

from conftest import edit, line_of, unmarked


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

    text = shipped_calls()["bitkom-digitale-stadt-2017"].read_text(encoding="utf-8").replace("id: bitkom-digitale-stadt-2017", "id: bitkom-eigene")
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

    text = shipped_calls()["bitkom-digitale-stadt-2017"].read_text(encoding="utf-8").replace("id: bitkom-digitale-stadt-2017", "id: bitkom-eigene")
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
    assert re.search(r'<p class="party-name[^"]*">Volkswagen AG</p>', unmarked(html_of(bid)))


def test_unknown_partner_of_a_mou_party_is_located_and_still_renders_as_draft(bid):
    edit(bid / "mou.yaml", "      name: Volkswagen AG\n", "      partner: vw\n")
    [finding] = findings(bid, "REF003")
    assert finding.location.line == line_of(bid / "mou.yaml", "partner: vw")
    assert finding.message.startswith("unknown partner 'vw'; known: allianz-region, ostfalia,")
    assert re.search(r'<p class="party-name[^"]*">vw</p>', unmarked(html_of(bid)))


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
    assert '<th scope="row">Summe 2017</th><td></td><td class="num"><span class="nobreak">500.000\u00a0€</span></td>' in html


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
    # A draft still renders: the measure without a known cost shows no cost line.
    html = html_of(bid)
    block = html[html.index('id="measure-egovernment"'):]
    assert "<dt>Kosten</dt>" not in block[:block.index("</dl>")]


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


# --- TXT004: another city named where the bid speaks of itself ---------------------------

from bidkit.rules.cities import german_cities, other_cities  # noqa: E402


def test_city_list_holds_the_cities_with_50000_inhabitants():
    names = {c.name for c in german_cities()}
    assert len(names) == 193
    assert {"Wolfsburg", "Darmstadt", "Paderborn", "Heidelberg", "Braunschweig", "Hannover", "Berlin",
            "Frankfurt am Main", "Mülheim an der Ruhr", "Halle (Saale)"} <= names
    assert "Kaiserslautern" in names  # 99,662: just under 100,000, a Bitkom finalist


def test_darmstadt_bid_copied_from_wolfsburg_warns_at_each_remnant(bid):
    edit(bid / "bid.yaml", "\n  name: Wolfsburg\n", "\n  name: Darmstadt\n")
    found = findings(bid, "TXT004")
    assert all(f.severity.value == "warning" for f in found)
    vision = [f for f in found if f.path == ("vision",)]
    assert [f.location.line for f in vision] == [
        line_of(bid / "bid.yaml", "  Wolfsburg will digitale Modellstadt werden."),
        line_of(bid / "bid.yaml", "Lebensqualität in Wolfsburg nachhaltig."),
        line_of(bid / "bid.yaml", "  in Wolfsburg entstehen"),
    ]
    assert vision[0].message == "'Wolfsburg' in vision, but this is the bid of Darmstadt"
    assert "checks: ignore" in vision[0].hint
    # Partner names, MoU parties and KPI sources may name other cities.
    assert not [f for f in found if f.location.file.name in ("partners.yaml", "goals.yaml") and "source" in str(f.path)]
    assert not [f for f in found if f.path[:2] == ("mou", "parties")]


def test_wolfsburg_example_names_no_other_city():
    from conftest import EXAMPLE

    assert findings(EXAMPLE, "TXT004") == []


def test_other_city_warning_can_be_ignored_in_bid_yaml(bid):
    edit(bid / "bid.yaml", "\n  name: Wolfsburg\n", "\n  name: Darmstadt\n")
    edit(bid / "bid.yaml", "call: bitkom-digitale-stadt-2017", "call: bitkom-digitale-stadt-2017\nchecks:\n  ignore: [TXT004]")
    assert findings(bid, "TXT004") == []


def test_other_city_in_a_measure_title_is_located(bid):
    edit(bid / "measures.yaml", "title: Städtische Datenplattform", "title: Städtische Datenplattform nach dem Vorbild Heidelbergs")
    edit(bid / "measures.yaml", "title: Digitales Rathaus (eGovernment)", "title: Digitales Rathaus Braunschweig")
    [finding] = findings(bid, "TXT004")
    assert finding.location.line == line_of(bid / "measures.yaml", "title: Digitales Rathaus Braunschweig")
    assert finding.message == "'Braunschweig' in measures[1].title, but this is the bid of Wolfsburg"


def test_city_names_word_boundaries_and_own_longer_names():
    def named(text, city):
        return [name for _, name in other_cities(text, city)]

    assert named("Wolfsburg will digitale Modellstadt werden.", "Darmstadt") == ["Wolfsburg"]
    assert named("Die Wolfsburger Bürgerinnen und Bürger", "Darmstadt") == ["Wolfsburger"]
    assert named("#WolfsburgDigital, Wolfsburgs, Region Braunschweig-Wolfsburg", "Darmstadt") == []
    # The city's own name, also in its short form, and names inside it.
    assert named("Mülheim an der Ruhr und Mülheim", "Mülheim an der Ruhr") == []
    assert named("Neu-Ulm", "Neu-Ulm") == []
    assert named("Neu-Ulm und Ulm", "Neu-Ulm") == ["Ulm"]
    assert named("Frankfurt am Main, nicht Frankfurt", "Frankfurt (Oder)") == ["Frankfurt am Main"]
    assert named("Halle (Saale) und die Halle", "Leipzig") == ["Halle (Saale)"]
    assert named("Land Brandenburg", "Potsdam") == []
    # "Essen" is also the word for a meal.
    assert named("Das Essen in der Mensa", "Bochum") == []
    assert named("die Stadt Essen und Essener Firmen", "Bochum") == ["Essen", "Essener"]


def test_a_city_named_as_the_surroundings_of_a_place_is_no_remnant():
    # A county beside Berlin writes "im Berliner Umland" (red team rt2, a Landkreis bid).
    def named(text, city):
        return [name for _, name in other_cities(text, city)]

    assert named("Der Landkreis liegt im Berliner Umland, im Raum Frankfurt (Oder).", "Strausberg") == []
    assert named("Metropolregion Hamburg, Großraum Stuttgart, Region Hannover", "Lüneburg") == []
    # Still remnants: the city itself, its administration, a word merely starting with "Raum".
    assert named("Stadt Berlin im Raum", "Potsdam") == ["Berlin"]
    assert named("Die Berliner Verwaltung und Berliner Raumfahrt", "Potsdam") == ["Berliner", "Berliner"]


def test_text_pasted_in_decomposed_form_reaches_the_document_composed():
    """o + U+0308 from a Mac stayed decomposed in the PDF's text layer: a search for „Dörfer“ missed it (rt4 D35)."""
    from markupsafe import Markup

    from bidkit.render.context import plain

    assert plain({"title": "Digitale Do\u0308rfer"}) == {"title": "Digitale Dörfer"}
    assert isinstance(plain(Markup("<b>x</b>")), Markup)
