"""The document is right for bids nobody here wrote: a Landkreis, 79-letter compounds, amounts
with cents, a numbered supporters' register (red-team trial, Landkreis Märkisch-Oderland).

The probe is the example turned into a Landkreis with words longer than any line; the PDF is
read back as a reader sees it (``pdftotext -bbox-layout``, tests/pdflayout.py).
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

import pdflayout
from bidkit.applicant import Applicant, funding_titles, is_own_funds_title
from bidkit.loader import load_bid
from bidkit.render.context import SupporterList
from bidkit.render.formatting import any_cents
from bidkit.supporters import Register, Supporter
from conftest import EXAMPLE, build_once, check_here, edit
from pdflayout import MARGIN_LEFT, MARGIN_RIGHT

#: 79 letters, as in the trial: wider than the content box at the body's 10 pt.
LONG = "Gemeindenotfallsanitäterinnenweiterbildungsprogrammkoordinierungsstellenleitung"
TITLE = "MOL vernetzt – Daseinsvorsorgeinfrastrukturmodernisierung im Oderbruch"
PARTNER = f"{LONG}sgesellschaft mbH"


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    """The example as a Landkreis, a long title, partner, role and measure title, and amounts
    with cents in one sentence with whole ones: (folder, document pages, the pages' text)."""
    folder = tmp_path_factory.mktemp("anybid") / "bid"
    shutil.copytree(EXAMPLE, folder)
    edit(folder / "bid.yaml", 'title: "#WolfsburgDigital"', f'title: "{TITLE}"')
    edit(folder / "bid.yaml", "  name: Wolfsburg\n", "  name: Wolfsburg\n  official_name: Landkreis Wolfsburg\n")
    edit(folder / "bid.yaml", "  role: Oberbürgermeister", f"  role: {LONG}")
    edit(folder / "partners.yaml", "    name: Volkswagen AG", f"    name: {PARTNER}")
    edit(folder / "partners.yaml", "    name: Ostfalia Hochschule für angewandte Wissenschaften",
          "    name: Ostfalia Hochschule Braunschweig Wolfenbüttel Salzgitter Suderburg Wolfsburg Gifhorn Helmstedt"
          " Goslar Hochschulverbund Südostniedersachsen")  # wraps in the directory at a word of the name
    edit(folder / "measures.yaml", 'title: "Digitalisierungsstrategie und Aktionsprogramm #WolfsburgDigital"', f"title: {LONG}")
    budget = folder / "budget.yaml"
    edit(budget, "          amount: 150000\n", "          amount: 149999.60\n")
    edit(budget, "          amount: 130000\n", "          amount: 130000.40\n")
    edit(budget, "          amount: 500000\n          secured: false", "          amount: 499999.60\n          secured: false\n"
          "        - kind: eigenmittel\n          name: Rücklage\n          amount: 0.40\n          secured: true")
    pdf, run = build_once(folder, tmp_path_factory, "anybid")
    assert run.code == 0, run.stdout + run.stderr
    pages = pdflayout.document_pages(pdf)
    return folder, pages, "\n".join(row for page in pages for row in page.rows)


@pytest.mark.slow
@pytest.mark.skipif(not pdflayout.available(), reason="needs pdftotext (poppler-utils)")
class TestLongWords:
    def test_no_text_outside_the_content_box(self, probe):
        """The title on the cover, the role, the partner in a measure's facts and the directory's
        heading break inside the word rather than run off the page."""
        _, pages, _ = probe
        for page in pages:
            for line in page.lines:
                assert line.x0 >= MARGIN_LEFT - 1 and line.x1 <= page.width - MARGIN_RIGHT + 1, (
                    f"page {page.number}: '{line.text}' runs outside the content box ({line.x0:.0f}–{line.x1:.0f} pt)")

    def test_no_letter_is_lost(self, probe):
        """Broken, not clipped: every letter of the long words is on the page, in order."""
        _, _, text = probe
        letters = re.sub(r"[\s\u00ad\u2010]", "", text)
        for word in ("Daseinsvorsorgeinfrastrukturmodernisierung", LONG, PARTNER.replace(" ", "")):
            assert word in letters, f"'{word}' is not on the pages whole"


    def test_words_that_fit_a_line_are_not_broken(self, probe):
        """overflow-wrap breaks only a word no line holds: every word of the bid's names that fits
        stands whole on the page (WeasyPrint broke „Modellvorhabe|n“ in a funding source's name)."""
        folder, _, text = probe
        tokens = {token.strip("„“\"(),.:;*") for token in text.split()}
        loaded = load_bid(folder)
        names = [p.name for p in loaded.bid.partners] + [s.name for y in loaded.bid.budget.years for s in y.funding]
        words = {word.strip("(),") for name in names for word in name.split() if len(word) <= 30}
        assert sorted(words - tokens) == []


@pytest.mark.slow
@pytest.mark.skipif(not pdflayout.available(), reason="needs pdftotext (poppler-utils)")
class TestLandkreis:
    def test_the_document_names_a_landkreis_as_one(self, probe):
        _, _, text = probe
        for wanted in ("Für den Landkreis Wolfsburg", "Eigenanteil des Landkreises:", "Eigenmittel des Landkreises",
                       "Landkreis Landkreis Wolfsburg (Niedersachsen)"):
            assert wanted in text
        for wrong in ("die Landkreis", "Eigenanteil der Stadt", "Eigenmittel der Stadt", "Stadt Landkreis"):
            assert wrong not in text

    def test_amounts_in_one_sentence_show_cents_alike(self, probe):
        _, _, text = probe
        sentence = re.search(r"bewilligt \(([\d.,]+) € von ([\d.,]+) €\)", text)
        assert sentence, "the sentence on promised funding is missing"
        assert sentence.groups() == ("499.999,60", "500.000,00")

    def test_a_years_cost_items_show_cents_alike(self, probe):
        _, _, text = probe
        assert "Personal städtische IT * Personalkosten 120.000,00 €" in text  # beside 149.999,60 €
        assert "Summe 2017 500.000,00 €" in text


def test_the_example_still_names_a_city(example_pdf):
    text = "\n".join(row for page in pdflayout.document_pages(example_pdf) for row in page.rows)
    for wanted in ("Für die Stadt Wolfsburg", "Eigenanteil der Stadt:", "Eigenmittel der Stadt", "Stadt Wolfsburg in Zahlen"):
        assert wanted in text


@pytest.mark.parametrize(("name", "official", "forms"), [
    ("Paderborn", None, ("Stadt", "die Stadt Paderborn", "der Stadt Paderborn", "der Stadt Paderborn", "die Stadt Paderborn")),
    ("Märkisch-Oderland", "Landkreis Märkisch-Oderland", ("Landkreis", "der Landkreis Märkisch-Oderland",
     "des Landkreises Märkisch-Oderland", "dem Landkreis Märkisch-Oderland", "den Landkreis Märkisch-Oderland")),
    ("Landkreis Oder-Spree", None, ("Landkreis", "der Landkreis Oder-Spree", "des Landkreises Oder-Spree",
                                    "dem Landkreis Oder-Spree", "den Landkreis Oder-Spree")),
    ("Indersdorf", "Markt Indersdorf", ("Markt", "der Markt Indersdorf", "des Marktes Indersdorf", "dem Markt Indersdorf",
                                        "den Markt Indersdorf")),
    ("Barnim-Oderbruch", "Amt Barnim-Oderbruch", ("Amt", "das Amt Barnim-Oderbruch", "des Amtes Barnim-Oderbruch",
                                                  "dem Amt Barnim-Oderbruch", "das Amt Barnim-Oderbruch")),
    ("Darmstadt", "Wissenschaftsstadt Darmstadt", ("Stadt", "die Wissenschaftsstadt Darmstadt", "der Wissenschaftsstadt Darmstadt",
                                                   "der Wissenschaftsstadt Darmstadt", "die Wissenschaftsstadt Darmstadt")),
    ("Xy", "Große Kreisstadt Xy", ("Stadt", "die Große Kreisstadt Xy", "der Großen Kreisstadt Xy", "der Großen Kreisstadt Xy",
                                   "die Große Kreisstadt Xy")),
    ("Oderbruch", "Oderbruch-Verbund", ("Kommune", "die Kommune Oderbruch-Verbund", "der Kommune Oderbruch-Verbund",
                                       "der Kommune Oderbruch-Verbund", "die Kommune Oderbruch-Verbund")),
])
def test_the_applicants_kind_and_cases(name, official, forms):
    a = Applicant.of(name, official)
    assert (a.kind, a.full_nominative, a.full_genitive, a.full_dative, a.full_accusative) == forms


def test_own_funds_are_named_by_the_kind_and_read_back():
    kreis = funding_titles(Applicant.of("MOL", "Landkreis Märkisch-Oderland"))["eigenmittel"]
    assert kreis == "Eigenmittel des Landkreises"
    # the document names the applicant one way: „Eigenanteil der Landeshauptstadt“, „Eigenmittel der Landeshauptstadt“
    assert funding_titles(Applicant.of("Lübeck", "Hansestadt Lübeck"))["eigenmittel"] == "Eigenmittel der Hansestadt"
    assert funding_titles(Applicant.of("Xy", "Große Kreisstadt Xy"))["eigenmittel"] == "Eigenmittel der Großen Kreisstadt"
    assert funding_titles(Applicant.of("Paderborn"))["eigenmittel"] == "Eigenmittel der Stadt"
    # bidkit import reads an export of any applicant back
    for title in (kreis, "Eigenmittel der Hansestadt", "EIGENMITTEL DER Großen KREISSTADT",
                  "Eigenmittel der Freien und Hansestadt", "Eigenmittel des Amtes", "Eigenmittel der Kommune"):
        assert is_own_funds_title(title), title
    for title in ("Eigenmittel des Landes", "Eigenmittel der Partner", "Eigenmittel"):
        assert not is_own_funds_title(title), title


@pytest.mark.parametrize(("args", "wanted", "unwanted"), [
    (["--city", "Märkisch-Oderland", "--official-name", "Landkreis Märkisch-Oderland"],
     ["Bewerbung des Landkreises Märkisch-Oderland", "body: Kreistag des Landkreises Märkisch-Oderland",
      "Haushalt des Landkreises Märkisch-Oderland", "Der Kreistag beschließt die Bewerbung des Landkreises"],
     ["Bewerbung der Landkreis", "Rat der Landkreis", "Haushalt der Landkreis", "Oberbürgermeister"]),
    (["--city", "Landkreis Oder-Spree"],
     ["  name: Landkreis Oder-Spree\n  official_name: Landkreis Oder-Spree\n", "Bewerbung des Landkreises Oder-Spree"],
     ["Stadt Landkreis"]),
])
def test_the_skeleton_of_a_landkreis(tmp_path, args, wanted, unwanted):
    from conftest import run_bidkit

    run = run_bidkit("init", str(tmp_path / "bid"), *args, "--call", "modellprojekte-smart-cities")
    assert run.code == 0, run.stderr
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted((tmp_path / "bid").glob("*.yaml")))
    for phrase in wanted:
        assert phrase in text
    for phrase in unwanted:
        assert phrase not in text


def test_supporters_sort_by_number_not_as_text():
    day = dt.date(2026, 11, 1)
    names = ["Nr. 10", "Nr. 2", "Nr. 1", "Nr. 11", "nr. 3"]
    register = Register("u.csv", None, [Supporter(n, name, "citizen", "Seelow", day, None) for n, name in enumerate(names, 2)], [])
    (group,) = SupporterList.of(register).groups
    assert [s["name"] for s in group.supporters] == ["Nr. 1", "Nr. 2", "nr. 3", "Nr. 10", "Nr. 11"]


def test_any_cents():
    assert any_cents([Decimal("2151467"), Decimal("2477967.40")])
    assert not any_cents([Decimal("2151467"), Decimal(5)])
    assert not any_cents([Decimal("0.001")])  # shown as 0 €


def test_long_runs():
    from bidkit.rules.words import MAX_RUN, long_runs

    assert list(long_runs(LONG * 2)) == []  # 158 letters: broken inside, laid out fast
    assert list(long_runs("Text " + "**a" * 100 + " und mehr")) == [(5, 300)]
    assert list(long_runs("x" * 200 + "-" + "y" * 200)) == []  # a line breaks after a hyphen
    assert list(long_runs("[Portal](https://example.org/" + "p" * 400 + ") ok")) == []  # a link's address is not printed
    assert list(long_runs("a" * (MAX_RUN + 1))) == [(0, MAX_RUN + 1)]


def test_check_reports_a_run_no_line_holds_at_its_line(tmp_path):
    """The red team's vision, "**a" × 20,000 without a space: 5 minutes in the layout, then exit 3.
    Now the check reports it (TXT006, an error), so a final build refuses it at once."""
    import json

    from conftest import run_bidkit

    folder = tmp_path / "bid"
    shutil.copytree(EXAMPLE, folder)
    manifest = folder / "bid.yaml"
    text = manifest.read_text(encoding="utf-8")
    start = text.index("vision: |\n")
    end = text.index("\n\n", text.index("\n\n", start) + 2)
    manifest.write_text(text[:start] + "vision: |\n  Unsere Vision:\n  " + "**a" * 2000 + text[end:], encoding="utf-8")
    run = check_here(str(folder), "-f", "json")
    findings = [f for f in json.loads(run.stdout)["findings"] if f["rule"] == "TXT006"]
    line = text[:start].count("\n") + 3
    assert [(f["severity"], Path(f["file"]).name, f["line"], f["path"]) for f in findings] == [("error", "bid.yaml", line, "vision")]
    assert "6.000 characters" in findings[0]["message"]
    build = run_bidkit("build", str(folder), "-o", str(tmp_path / "out.pdf"))
    assert build.code == 1 and "TXT006" in build.stdout + build.stderr


@pytest.mark.skipif(not pdflayout.available(), reason="needs pdftotext (poppler-utils)")
def test_a_name_that_starts_a_line_wraps_at_its_spaces(tmp_path):
    """WeasyPrint 70 broke „Modellvorhabe|n“ in a funding source's name under overflow-wrap (a word
    nested twice, its outer element at the line's start); bidkit nests no proper-name span in the
    names that start a line (bidkit/render/names.py), so they wrap at their spaces and only a word
    no line holds is broken."""
    import subprocess

    from weasyprint import CSS, HTML

    from bidkit.paths import templates_dir
    from bidkit.render.names import keep_whole

    name = "Bundesmittel Modellvorhaben"
    html = keep_whole(
        f'<table><colgroup><col style="width: 32mm"><col></colgroup><tr><th><span class="source-name">{name}</span>'
        f'<br>Bund</th><td>x</td></tr></table><div class="directory" style="width: 45mm"><p class="entry-head">'
        f'<span class="entry-name">{name}</span></p></div><p class="signatory" style="width: 32mm"><span class="name">'
        f'{name}</span><br>Rolle</p><ul class="supporter-list" style="width: 64mm"><li>{name}, Ort, 01.02.2017</li></ul>',
        {"Bundesmittel", "Modellvorhaben"})
    assert "proper-name" not in html
    pdf = tmp_path / "names.pdf"
    HTML(string=html).write_pdf(pdf, stylesheets=[CSS(filename=str(templates_dir() / "style.css"))])
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split()
    assert text.count("Modellvorhaben") + text.count("Modellvorhaben,") == 4, text


def test_default_output_name_spells_out_umlauts():
    from dataclasses import replace

    from bidkit.loader import load_bid
    from bidkit.render.build import default_output
    from conftest import EXAMPLE

    loaded = load_bid(EXAMPLE)
    city = loaded.bid.city.model_copy(update={"name": "Märkisch-Oderland"})
    renamed = replace(loaded, bid=loaded.bid.model_copy(update={"city": city}))
    assert default_output(renamed) == Path("build") / "maerkisch-oderland-bitkom-digitale-stadt-2017.pdf"
    assert default_output(renamed, "öffentlich") == Path("build") / "maerkisch-oderland-bitkom-digitale-stadt-2017-oeffentlich.pdf"
