"""Defects a seventh red team (rt7) found with a bid written from scratch: the Bezirk Hamburg-Nord
with a call file of its own, seven budget years in cents, a 21-million plan."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from bidkit.rules.resolution import another_own_share

OWN = {Decimal("3464553.70")}
PERCENTS = {Decimal("3464553.70") * 100 / Decimal("21670000")}


@pytest.mark.parametrize("written", [
    "3 464 553,70 €", "3\u202f464\u202f553,70 €", "3\u00a0464\u00a0553,70 €",  # grouped by spaces (DIN 5008)
    "EUR 3.464.553,70", "€ 3.464.553,70", "3.464.553,70 Euro",  # the currency before or after
    "3,5 Mio. €", "3,46 Millionen Euro", "3.465 T€", "3.464,6 Tsd. €",  # rounded as written
])
def test_the_own_share_in_the_forms_german_texts_write_it(written):
    """D2: „3 464 553,70 €“ was read as 553,70 € (a false RES004), the other forms not at all."""
    assert another_own_share(f"Der Rat stellt den Eigenanteil von {written} bereit.", OWN, PERCENTS) is None


@pytest.mark.parametrize(("written", "read"), [
    ("EUR 2.464.553,70", Decimal("2464553.70")), ("2,1 Mio. €", Decimal("2100000")),
    ("2.164,6 Tsd. €", Decimal("2164600")), ("2.464.553,-- €", Decimal("2464553")),
    ("3 464 553,07 €", Decimal("3464553.07")), ("3,4 Mio. €", Decimal("3400000")),
])
def test_another_own_share_in_those_forms_is_found(written, read):
    named = another_own_share(f"Der Rat stellt den Eigenanteil von {written} bereit.", OWN, PERCENTS)
    assert named is not None and named[1] == read and named[2] == "amount"


def test_numbers_without_a_currency_and_years_are_no_amounts():
    assert another_own_share("Der Eigenanteil wird 2018 und 2019 in 2 Raten bereitgestellt.", OWN, PERCENTS) is None
    named = another_own_share("Der Eigenanteil 2018 beträgt 250.000 €.", OWN, PERCENTS)
    assert named[1:] == (Decimal(250000), "amount")


# --- D4: the public variant finds a removed person in the forms German texts write -------------

PEOPLE = """contact:
  name: Ånneliese Schröder-Nguyễn
  role: Projektleitung
  organisation: Bezirksamt
  email: anneliese.schroeder-nguyen@stadt.wolfsburg.example
deputy_contact:
  name: Kai-Uwe O'Sullivan
  role: Stellvertretung
  organisation: Bezirksamt
  email: k.osullivan@stadt.wolfsburg.example
"""


@pytest.fixture
def people(bid):
    text = (bid / "bid.yaml").read_text(encoding="utf-8")
    start, end = text.index("\ncontact:\n") + 1, text.index("vision: |")
    text = text[:start] + PEOPLE + "\n" + text[end:]
    if "public_contact" not in text:
        text = text.replace("city:\n", "city:\n  public_contact:\n    office: Stadt Wolfsburg\n"
                                       "    email: info@stadt.wolfsburg.example\n", 1)
    (bid / "bid.yaml").write_text(text, encoding="utf-8")
    return bid


@pytest.mark.parametrize("form", [
    "Frau Schröder-Nguyen", "Ånneliese Schröder-Nguyen", "Herr O’Sullivan", "K.-U. O'Sullivan",
    "Frau Schröder\u2011Nguyễn", "A. Schröder-Nguyen", "Anneliese Schroder-Nguyen",
    "anneliese.schroeder-nguyen(at)stadt.wolfsburg.example", "anneliese.schroeder-nguyen [at] stadt [dot] wolfsburg [dot] example",
    "Ånneliese Schröder", "Frau Nguyen",
])
def test_check_finds_a_removed_person_however_a_text_spells_the_name(people, form):
    from bidkit.check import check_bid

    text = (people / "bid.yaml").read_text(encoding="utf-8")
    (people / "bid.yaml").write_text(text.replace("vision: |\n", f"vision: |\n  Fragen beantwortet {form} gern.\n", 1),
                                     encoding="utf-8")
    result, _ = check_bid(people)
    assert [f for f in result.findings if f.rule == "VAR002" and f.path == ("vision",)], form


def test_the_final_search_takes_look_alike_apostrophes_and_stripped_marks_as_one():
    """bidkit prints „O'Sullivan“ as „O’Sullivan“: the search of the written PDF missed its own typesetting."""
    from bidkit.variants import Secret, _holds, squeezed, name_forms

    assert _holds(squeezed("Fragen beantwortet Herr O’Sullivan gern."), Secret("Herr O'Sullivan", "deputy_contact.name"))
    forms = name_forms("Ånneliese Schröder-Nguyễn")
    assert any(_holds(squeezed("Frau Schroder-Nguyen"), Secret(form, "contact.name")) for form in forms)
    # check's search is by whole words: a name that only begins alike is no removed person
    from bidkit.variants import _comparable, _find, _pattern

    assert not any(_find(_comparable("Frau Schrader und Herr Nguyenko"), _pattern(form)) is not None for form in forms)


# --- D1: an annex's layer that is switched off stays off ----------------------------------------

def _layered(config: str) -> bytes:
    """One page: a blue box shown, a red box in marked content of layer „Interne Notizen“, a green
    form XObject and a sticky-free square annotation in the same layer; ``config`` says how the
    default configuration switches the layer off."""
    import io

    import pikepdf
    from pikepdf import Array, Dictionary, Name

    pdf = pikepdf.new()
    hidden = pdf.make_indirect(Dictionary(Type=Name.OCG, Name=pikepdf.String("Interne Notizen")))
    shown = pdf.make_indirect(Dictionary(Type=Name.OCG, Name=pikepdf.String("Plan")))
    member = pdf.make_indirect(Dictionary(Type=Name.OCMD, OCGs=Array([hidden, shown]), P=Name.AllOn))
    form = pdf.make_stream(b"0 1 0 rg 0 0 50 50 re f", Type=Name.XObject, Subtype=Name.Form,
                           BBox=Array([0, 0, 50, 50]), OC=member)
    content = (b"0 0 1 rg 10 10 100 100 re f\n/OC /oc1 BDC 1 0 0 rg 200 200 100 100 re f EMC\n"
               b"q 1 0 0 1 300 300 cm /Fm0 Do Q\n")
    annotation = Dictionary(Type=Name.Annot, Subtype=Name.Square, Rect=Array([400, 400, 450, 450]), F=4, OC=hidden)
    page = pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=Array([0, 0, 595, 842]),
                                   Resources=Dictionary(Properties=Dictionary(oc1=hidden), XObject=Dictionary(Fm0=form)),
                                   Contents=pdf.make_stream(content), Annots=Array([annotation])))
    pdf.pages.append(page)
    default = {"off": Dictionary(Name=pikepdf.String("Standard"), OFF=Array([hidden])),
               "base-off": Dictionary(Name=pikepdf.String("Standard"), BaseState=Name.OFF, ON=Array([shown]))}[config]
    pdf.Root.OCProperties = Dictionary(OCGs=Array([hidden, shown]), D=default)
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


@pytest.mark.parametrize("config", ["off", "base-off"])
def test_content_of_a_layer_switched_off_is_removed_from_the_annex(config):
    """rt7 D1: the appended pages lost the file's /OCProperties, so a layer „Interne Notizen“ its
    author switched off printed in the submission."""
    import io

    import pikepdf

    from bidkit.render.final import repair_annex

    repaired, done = repair_annex(_layered(config))
    pdf = pikepdf.open(io.BytesIO(repaired))
    page = pdf.pages[0]
    content = page.obj.Contents.read_bytes()
    assert b"0 0 1 rg" in content and b"1 0 0 rg" not in content and b"/Fm0 Do" not in content
    assert "/Annots" not in page.obj or len(page.obj.Annots) == 0
    assert "/OCProperties" not in pdf.Root
    assert any("layers the file switches off removed (‘Interne Notizen’)" in item for item in done)


def test_an_annex_whose_layers_are_all_on_keeps_its_content():
    import io

    import pikepdf
    from pikepdf import Array, Dictionary

    from bidkit.render.final import repair_annex

    source = pikepdf.open(io.BytesIO(_layered("off")))
    source.Root.OCProperties.D = Dictionary(Name=pikepdf.String("Standard"), OFF=Array())
    out = io.BytesIO()
    source.save(out)
    repaired, done = repair_annex(out.getvalue())
    pdf = pikepdf.open(io.BytesIO(repaired))
    content = pdf.pages[0].obj.Contents.read_bytes()
    assert b"1 0 0 rg" in content and b"/Fm0 Do" in content and not [d for d in done if "layers" in d]


# --- D5, D6: Markdown that German texts hold -------------------------------------------------------

def test_a_star_inside_a_word_or_a_number_is_written_not_emphasis():
    """„Bürger*innen und Nutzer*innen“ printed as „Bürger<em>innen und Nutzer</em>innen“, „2*3 und 4*5“ as „23 und 45“."""
    from bidkit.render.markdown import markdown

    html = str(markdown("Bürger*innen und Nutzer*innen; Senior*innen; 2*3 und 4*5; *betont* und **stark**."))
    assert "Bürger*innen und Nutzer*innen; Senior*innen; 2*3 und 4*5;" in html
    assert "<em>betont</em> und <strong>stark</strong>" in html and html.count("<em>") == 1


def test_a_numbered_list_starts_at_its_first_number():
    """WeasyPrint 70 ignores `<ol start>`: a list starting „3.“ printed „1.“ (D6)."""
    from bidkit.render.markdown import markdown

    assert '<ol start="3" style="counter-reset: list-item 2">' in str(markdown("3. drittens\n4. viertens"))
    assert "<ol>" in str(markdown("1. erstens\n2. zweitens"))


# --- D13: a call that does not load stops only the checks that read it -----------------------------

@pytest.mark.parametrize("call", ["modellprojekte-smart-citys", "./calls/missing.yaml"])
def test_a_call_that_does_not_load_hides_no_other_finding(bid, call):
    """A typo in `call:` reported only CAL001/FIL001 and „92,9 % of 14 checks pass“: the other 79
    checks were neither run nor counted."""
    from bidkit.check import check_bid
    from conftest import edit

    edit(bid / "goals.yaml", "target: {value: 60, year: 2019}", "target: {value: 60, year: 2015}")  # GOL003: reads no call
    edit(bid / "bid.yaml", "call: bitkom-digitale-stadt-2017", f"call: {call}")
    result, _ = check_bid(bid)
    rules = {f.rule for f in result.findings}
    assert "GOL003" in rules and rules & {"CAL001", "FIL001"}
    assert result.not_run_reasons["ELI001"] == "not run: the call did not load"  # reads the call's population range
    assert "GOL003" in result.rules_run and "ELI001" not in result.rules_run
    assert len(result.rules_run) + len(result.rules_not_run) > 80


# --- D7: a number with a leading zero is no guess ---------------------------------------------------

@pytest.mark.parametrize(("file", "old", "new", "octal"), [
    ("budget.yaml", "  total: 500000", "  total: 0500000", "as the octal number 163840"),
    ("bid.yaml", "population: 124000", "population: 0124000", "as the octal number 43008"),
    ("budget.yaml", "- year: 2017", "- year: 02017", "as the octal number 1039"),
    ("bid.yaml", "population: 124000", "population: 0124089", "as text"),
])
def test_a_number_with_a_leading_zero_is_an_error_naming_how_yaml_1_1_reads_it(bid, file, old, new, octal):
    """`amount: 0700` was read as 700; PyYAML and many editors read 448 (rt7 D7)."""
    from bidkit.check import check_bid
    from conftest import edit, line_of

    edit(bid / file, old, new)
    result, _ = check_bid(bid)
    [finding] = [f for f in result.findings if f.rule == "SCH001"]
    assert f"is written with a leading zero (unquoted, YAML 1.1 tools such as PyYAML and many editors read it {octal})" in finding.message
    assert finding.location.line == line_of(bid / file, new.strip())
    assert finding.hint.startswith(f"Write `{int(new.split(': ')[1])}`")


def test_zero_and_amounts_below_one_euro_are_plain_numbers(bid):
    from bidkit.yamlio import load_document

    path = bid / "x.yaml"
    path.write_text("a: 0\nb: 0.5\nc: -0\nd: 0700\ne: '0700'\nf: 01067\n", encoding="utf-8")
    data = load_document(path).data
    assert data == {"a": 0, "b": __import__("decimal").Decimal("0.5"), "c": 0, "d": "0700", "e": "0700", "f": "01067"}


# --- D9: a call file of one's own whose dates contradict themselves --------------------------------

@pytest.mark.parametrize(("change", "message"), [
    ({"start: 2021-07-01": "start: 2029-07-01"}, "the funding period ends (2028-12-31) before it starts (2029-07-01)"),
    ({"deadline: 2021-04-16": "deadline: 2029-03-15"}, "the deadline (2029-03-15) lies after the end of the funding period (2028-12-31)"),
])
def test_a_call_whose_dates_contradict_themselves_is_one_error_at_the_call(tmp_path, change, message):
    from bidkit.check import check_bid
    from bidkit.scaffold import init_skeleton

    shipped = (Path(__file__).parent.parent / "bidkit" / "calls" / "modellprojekte-smart-cities.yaml").read_text(encoding="utf-8")
    own = shipped.replace("id: modellprojekte-smart-cities", "id: eigene", 1)
    (tmp_path / "call.yaml").write_text(own, encoding="utf-8")
    init_skeleton(tmp_path / "bid", city="Ulm", call_id=str(tmp_path / "call.yaml"))
    for old, new in change.items():
        assert old in own
        own = own.replace(old, new, 1)
    (tmp_path / "bid" / "calls" / "call.yaml").write_text(own, encoding="utf-8")
    result, _ = check_bid(tmp_path / "bid")
    [finding] = [f for f in result.findings if f.rule == "CAL002"]
    assert finding.message.startswith(message) and finding.location.file.name == "call.yaml"
    assert not [f for f in result.findings if f.rule in ("BUD011", "MEA003")]


# --- D10: Kreise whose official name is the noun itself -------------------------------------------

@pytest.mark.parametrize(("name", "nominative", "genitive", "accusative"), [
    ("Rhein-Sieg-Kreis", "der Rhein-Sieg-Kreis", "des Rhein-Sieg-Kreises", "den Rhein-Sieg-Kreis"),
    ("Hochsauerlandkreis", "der Hochsauerlandkreis", "des Hochsauerlandkreises", "den Hochsauerlandkreis"),
    ("Märkischer Kreis", "der Märkische Kreis", "des Märkischen Kreises", "den Märkischen Kreis"),
    ("Rheinisch-Bergischer Kreis", "der Rheinisch-Bergische Kreis", "des Rheinisch-Bergischen Kreises", "den Rheinisch-Bergischen Kreis"),
    ("Kreisfreie Stadt Cottbus", "die Kreisfreie Stadt Cottbus", "der Kreisfreien Stadt Cottbus", "die Kreisfreie Stadt Cottbus"),
    ("Rhein-Kreis Neuss", "der Rhein-Kreis Neuss", "des Rhein-Kreises Neuss", "den Rhein-Kreis Neuss"),
])
def test_a_kreis_named_by_its_noun_is_no_kommune(name, nominative, genitive, accusative):
    """„Für die Kommune Rhein-Sieg-Kreis“, „Eigenmittel der Kommune“ (rt7 D10)."""
    from bidkit.applicant import Applicant, funding_titles, leading_kind

    applicant = Applicant.of(name.split()[-1], name)
    assert (applicant.full_nominative, applicant.full_genitive, applicant.full_accusative) == (nominative, genitive, accusative)
    assert applicant.kind != "Kommune" and leading_kind(name) is not None
    assert "Kommune" not in funding_titles(applicant)["eigenmittel"]


# --- D8: a source named per year is one line of the plan -------------------------------------------

def test_a_funding_source_named_with_each_year_is_one_line():
    """„Haushalt des Bezirks 2025“, „… 2026“, …: a line per year with one amount and six „–“ took
    3½ of an 18-page call's pages."""
    from bidkit.models import Budget
    from bidkit.render.context import funding_lines

    def year(number, sources):
        return {"year": number, "total": sum(a for _, a in sources),
                "costs": [{"title": "Personal", "category": "personalkosten", "amount": sum(a for _, a in sources)}],
                "funding": [{"kind": "eigenmittel", "name": name, "amount": amount} for name, amount in sources]}

    budget = Budget.model_validate({"years": [
        year(2025, [("Haushalt des Bezirks 2025", 100), ("Förderprogramm 2030", 5)]),
        year(2026, [("Haushalt des Bezirks (2026)", 200)]),
        year(2027, [("Haushalt des Bezirks – 2027", 300), ("Haushalt des Bezirks 2026", 7)]),
    ]})
    lines = {line.name: line.per_year for line in funding_lines(budget)}
    assert lines == {"Haushalt des Bezirks (2025–2027)": {2025: 100, 2026: 200, 2027: 300},
                     "Förderprogramm 2030": {2025: 5}, "Haushalt des Bezirks 2026": {2027: 7}}
    # a year that is part of the name („Agenda 2030“, funded 2029–2031) is no year of the plan;
    # „Haushalt 2029“ beside „Haushalt“ in one year are two sources (review of session 22)
    budget = Budget.model_validate({"years": [
        year(2029, [("Landesprogramm Agenda 2030", 100), ("Haushalt 2029", 1), ("Haushalt", 2)]),
        year(2030, [("Landesprogramm Agenda 2030", 200)]),
        year(2031, [("Landesprogramm Agenda 2030", 300)]),
    ]})
    assert [(line.name, line.per_year) for line in funding_lines(budget)] == [
        ("Landesprogramm Agenda 2030", {2029: 100, 2030: 200, 2031: 300}), ("Haushalt 2029", {2029: 1}), ("Haushalt", {2029: 2})]


# --- D14: a key or an id with a character one cannot see ------------------------------------------

@pytest.mark.parametrize(("old", "new", "message", "hint"), [
    ("    role: ", "    ro\u200ble: ", "unknown key 'ro\\u200ble' (with U+200B ZERO WIDTH SPACE)", "Write `role:` anew"),
    ("    role: ", "    role\u00a0: ", "unknown key 'role\\u00a0' (with U+00A0 NO-BREAK SPACE)", "Write `role:` anew"),
    ("partners: [volkswagen, ostfalia, allianz-region]", "partners: [volkswаgen, ostfalia, allianz-region]",
     "partner id 'volkswаgen' (U+0430 CYRILLIC SMALL LETTER A is no Latin letter)", "write 'volkswagen'"),
])
def test_a_character_one_cannot_see_is_named_and_the_hint_can_be_followed(bid, old, new, message, hint):
    """„unknown key 'contribution' — Did you mean 'contribution'?“ and „write 'hochbhn'“ (rt7 D14)."""
    from bidkit.check import check_bid
    from conftest import edit

    edit(bid / ("partners.yaml" if "role" in old else "measures.yaml"), old, new)
    result, _ = check_bid(bid)
    [finding] = [f for f in result.findings if f.rule in ("SCH001", "SCH002")]
    assert finding.message.startswith(message) and hint in finding.hint


# --- D12: a word in a folded, plain or quoted text over several lines is found at its line ---------

@pytest.mark.parametrize("style", ["folded", "plain", "quoted", "literal"])
def test_a_placeholder_in_a_text_over_several_lines_is_reported_at_its_word(bid, style):
    """A TODO on the third line of a `>-` description was reported at the key's line (rt7 D12)."""
    from bidkit.check import check_bid
    from conftest import line_of

    lines = ["Die Strategische Planung erarbeitet mit Bürgerschaft,", "Wirtschaft und Wissenschaft die Strategie,",
             "dazu TODO das Aktionsprogramm und noch ein TODO."]
    head, body = {
        "folded": ("    description: >-\n", "".join(f"      {line}\n" for line in lines)),
        "plain": ("    description: " + lines[0] + "\n", "".join(f"      {line}\n" for line in lines[1:])),
        "quoted": ('    description: "' + lines[0] + "\n", "".join(f"      {line}\n" for line in lines[1:-1]) + f'      {lines[-1]}"\n'),
        "literal": ("    description: |\n", "".join(f"      {line}\n" for line in lines)),
    }[style]
    text = (bid / "measures.yaml").read_text(encoding="utf-8")
    start = text.index("    description: >-\n")
    end = text.index("    lead:", start)
    (bid / "measures.yaml").write_text(text[:start] + head + body + text[end:], encoding="utf-8")
    result, _ = check_bid(bid)
    [finding] = [f for f in result.findings if f.rule == "TXT001"]
    line = line_of(bid / "measures.yaml", "dazu TODO")
    assert (finding.location.line, finding.location.column) == (line, len("      dazu ") + 1)


# --- D15: a box shown on screen but not printed stays, as the annex's reader saw it ----------------

def test_a_covering_annotation_that_does_not_print_is_drawn_not_removed():
    """A black /Square over an IBAN, /F 0 (screen only): removed, the IBAN showed in the submission."""
    import io

    import pikepdf
    from pikepdf import Array, Dictionary, Name

    from bidkit.render.final import repair_annex

    pdf = pikepdf.new()
    box = pdf.make_stream(b"0 0 0 rg 0 0 300 40 re f", Type=Name.XObject, Subtype=Name.Form, BBox=Array([0, 0, 300, 40]))
    covering = Dictionary(Type=Name.Annot, Subtype=Name.Square, Rect=Array([50, 700, 350, 740]), F=0, AP=Dictionary(N=box))
    note = Dictionary(Type=Name.Annot, Subtype=Name.Line, Rect=Array([50, 600, 350, 640]), F=0, L=Array([50, 600, 350, 640]),
                      AP=Dictionary(N=pdf.make_stream(b"0 0 m 300 40 l S", Type=Name.XObject, Subtype=Name.Form,
                                                      BBox=Array([0, 0, 300, 40]))))
    page = pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=Array([0, 0, 595, 842]), Resources=Dictionary(),
                                   Contents=pdf.make_stream(b"0 0 1 rg 10 10 50 50 re f"), Annots=Array([covering, note])))
    pdf.pages.append(page)
    out = io.BytesIO()
    pdf.save(out)
    repaired, done = repair_annex(out.getvalue())
    result = pikepdf.open(io.BytesIO(repaired))
    drawn = b"".join(part.read_bytes() for part in result.pages[0].obj.Contents) \
        if isinstance(result.pages[0].obj.Contents, Array) else result.pages[0].obj.Contents.read_bytes()
    assert "/Annots" not in result.pages[0].obj or len(result.pages[0].obj.Annots) == 0
    assert b"Do" in drawn or b"re f" in drawn.replace(b"0 0 1 rg 10 10 50 50 re f", b"")
    assert any("Square annotation shown on screen but not printed drawn into the page" in item for item in done)
    assert "Line annotation that does not print removed" in done


@pytest.mark.parametrize("form", [
    "Frau Kowalczyk", "Mehmet Yildirim", "Herrn Yıldırım", "K.-D. Nowak", "Frau Kowalczyks Idee",
    "[Team](https://example.org/team/julia-kowalczyk)",
])
def test_check_finds_a_private_supporter_in_the_forms_letters_use(people, form):
    """rt7 D4: a private supporter's name was searched only as written in the register."""
    from bidkit.check import check_bid

    (people / "unterstuetzer.csv").write_text(
        "Name;Art;Ort;Datum;Scan\nJulia Kowalczyk;Bürger;Wolfsburg;01.03.2017;\nMehmet Yıldırım;Bürger;Wolfsburg;01.03.2017;\n"
        "Klaus-Dieter Nowak;Bürger;Wolfsburg;02.03.2017;\n", encoding="utf-8")
    text = (people / "bid.yaml").read_text(encoding="utf-8")
    text = text.replace("\ntheme:", "\nsupporters: {file: unterstuetzer.csv}\ntheme:", 1)
    (people / "bid.yaml").write_text(text.replace("vision: |\n", f"vision: |\n  Die Idee stammt von {form} aus Barmbek.\n", 1),
                                     encoding="utf-8")
    result, _ = check_bid(people)
    assert [f for f in result.findings if f.rule == "VAR002" and f.path == ("vision",)], \
        (form, [str(f) for f in result.findings if f.severity.value != "info"])


def test_a_switched_off_layer_is_removed_from_annotations_and_patterns_too():
    """Layer content inside an annotation's appearance (drawn into the page by the repair) or a
    tiling pattern printed once /OCProperties was gone (review of session 22)."""
    import io

    import pikepdf
    from pikepdf import Array, Dictionary, Name

    from bidkit.render.final import repair_annex

    pdf = pikepdf.new()
    hidden = pdf.make_indirect(Dictionary(Type=Name.OCG, Name=pikepdf.String("Interne Notizen")))
    marked = b"0 0 1 rg 0 0 5 5 re f /OC /L1 BDC 1 0 0 rg 0 0 10 10 re f EMC"
    resources = Dictionary(Properties=Dictionary(L1=hidden))
    appearance = pdf.make_stream(marked, Type=Name.XObject, Subtype=Name.Form, BBox=Array([0, 0, 20, 20]), Resources=resources)
    pattern = pdf.make_stream(marked, Type=Name.Pattern, PatternType=1, PaintType=1, TilingType=1, BBox=Array([0, 0, 20, 20]),
                              XStep=20, YStep=20, Resources=resources)
    annotation = Dictionary(Type=Name.Annot, Subtype=Name.FreeText, Rect=Array([100, 100, 120, 120]), F=4,
                            DA=pikepdf.String("/Helv 0 Tf 0 g"), AP=Dictionary(N=appearance))
    page = pikepdf.Page(Dictionary(Type=Name.Page, MediaBox=Array([0, 0, 595, 842]),
                                   Resources=Dictionary(Pattern=Dictionary(P0=pattern)),
                                   Contents=pdf.make_stream(b"/Pattern cs /P0 scn 0 0 595 842 re f"), Annots=Array([annotation])))
    pdf.pages.append(page)
    pdf.Root.OCProperties = Dictionary(OCGs=Array([hidden]), D=Dictionary(Name=pikepdf.String("Standard"), OFF=Array([hidden])))
    out = io.BytesIO()
    pdf.save(out)
    repaired, _ = repair_annex(out.getvalue())
    result = pikepdf.open(io.BytesIO(repaired))
    streams = [obj.read_bytes() for obj in result.objects if isinstance(obj, pikepdf.Stream)]
    assert any(b"0 0 1 rg" in data for data in streams)
    assert not any(b"1 0 0 rg" in data for data in streams)


def test_a_word_after_decomposed_umlauts_is_found_at_its_place_and_a_changed_file_read_anew(bid):
    """Offsets are the composed text's; a text pasted from a Mac is decomposed (NFD) in the file:
    the word at the offset was another one, on the line before (review of session 22). A file
    changed since (the preview, --watch) is read again."""
    import unicodedata

    from bidkit.check import check_bid
    from conftest import line_of

    decomposed = unicodedata.normalize("NFD", "Übergänge öffnen Äcker für Bürgerinnen und Bürger, Größe")
    text = (bid / "bid.yaml").read_text(encoding="utf-8")
    block = "vision: >-\n" + "".join(f"  {decomposed} {n}\n" for n in range(6)) + "  Wir planen TODO hier.\n"
    start = text.index("vision: |")
    end = text.index("\nstarting_situation:", start) + 1
    (bid / "bid.yaml").write_text(text[:start] + block + text[end:], encoding="utf-8")
    [finding] = [f for f in check_bid(bid)[0].findings if f.rule == "TXT001"]
    assert (finding.location.line, finding.location.column) == (line_of(bid / "bid.yaml", "Wir planen TODO"), 14)
    (bid / "bid.yaml").write_text("# a\n# b\n" + (bid / "bid.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    [finding] = [f for f in check_bid(bid)[0].findings if f.rule == "TXT001"]
    assert finding.location.line == line_of(bid / "bid.yaml", "Wir planen TODO")


def test_a_wrapped_sentence_that_starts_a_line_with_a_dash_is_no_list(bid):
    """A Gedankenstrich at the start of a wrapped line was taken for a pasted list item (review of session 22)."""
    from bidkit.check import check_bid
    from conftest import edit

    edit(bid / "bid.yaml", "  die Herausforderungen der digitalen Transformation an, gestaltet den digitalen Wandel aktiv\n",
         "  die Herausforderungen der digitalen Transformation an, gestaltet den digitalen Wandel\n"
         "  – gemeinsam mit Bürgerinnen und Bürgern – aktiv\n")
    assert not [f for f in check_bid(bid)[0].findings if f.rule == "TXT007"]
    edit(bid / "bid.yaml", "  – gemeinsam mit Bürgerinnen und Bürgern – aktiv\n",
         "  – gemeinsam mit Bürgerinnen und Bürgern\n  – mit der Wirtschaft\n")
    assert [f.rule for f in check_bid(bid)[0].findings if f.rule == "TXT007"] == ["TXT007"]


def test_a_partner_named_with_a_legal_form_in_brackets_and_kreis_adjectives():
    from bidkit.applicant import Applicant
    from bidkit.rules.partners import _has_legal_form

    assert _has_legal_form("Nord Digital UG (haftungsbeschränkt)") and _has_legal_form("Förderverein Barmbek e. V.")
    assert not _has_legal_form("Landesprogramm Digitalisierung")
    assert Applicant.of("x", "Hamburger Kreis").kind == "Kommune"  # no „der Hamburge Kreis“


@pytest.mark.parametrize("command", [["check", "bid_data"], ["calls"]])
def test_a_closed_standard_output_is_no_traceback(command):
    """`bidkit check bid >&-`: Python's sys.stdout is None (review of session 22)."""
    import os
    import subprocess
    import sys

    from conftest import REPO

    def close_output():
        os.close(1)

    run = subprocess.run([sys.executable, "-m", "bidkit", *command], cwd=REPO, preexec_fn=close_output,  # noqa: PLW1509
                         stderr=subprocess.PIPE, text=True, timeout=120)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr
