"""The public variant (issue 14): `bidkit build --variant public` leaves out the personal data of
staff and private supporters, and no removed value is anywhere in the file — page text (pdftotext
and pypdf), bookmarks, metadata, attachments, strings of any object, any decompressed stream.

The removed values are collected here from the bid's files themselves (YAML and the register),
not from bidkit.variants, and the same search finds them in the full bid: so it can fail."""

from __future__ import annotations

import csv
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest
import yaml
from pypdf import PdfReader

from conftest import EXAMPLE, PADERBORN, check_here, edit, line_of, outline, run_bidkit
from test_pdf_validation import qpdf_warnings, validation_failures

OSTFALIA_LETTER = "anlagen/unterstuetzung-ostfalia.pdf"


def squeezed(text: str) -> str:
    """Case folded, without white space and soft hyphens: a value broken over lines is found too."""
    return re.sub(r"\s+", "", text.replace("\u00ad", "").replace("\u2010", "")).casefold()


def removed_values(folder: Path) -> dict[str, str]:
    """value → what it is: the contacts' names, e-mails and phones, private supporters' names, the
    private annexes' titles, files and headings; minus what the city's public address shows."""
    bid = yaml.safe_load((folder / "bid.yaml").read_text(encoding="utf-8"))
    public = {str(v) for v in bid["city"]["public_contact"].values()}
    values = {}
    for key in ("contact", "deputy_contact"):
        for field in ("name", "email", "phone"):
            value = bid[key].get(field)
            if value and value not in public:  # Paderborn's contacts give the switchboard: public
                values[value] = f"{key}.{field}"
    if "supporters" in bid:
        with (folder / bid["supporters"]["file"]).open(encoding="utf-8", newline="") as register:
            for row in csv.DictReader(register, delimiter=";"):
                if row["Art"] in ("citizen", "Bürger"):
                    values[row["Name"]] = "private supporter"
    partners = yaml.safe_load((folder / "partners.yaml").read_text(encoding="utf-8"))["partners"]
    for partner in partners:
        letter = partner.get("letter") or {}
        if letter.get("public") is False:
            values[letter["file"]] = "private annex's file"
            values[f"Unterstützungsschreiben: {partner['name']}"] = "private annex's title"
    if (folder / OSTFALIA_LETTER).exists() and OSTFALIA_LETTER in values:
        values["Unterstützungsschreiben der Ostfalia"] = "private annex's content"  # its heading
    return values


def places(path: Path) -> dict[str, str]:
    """Where a PDF holds text, each squeezed: found by other means than bidkit's own search."""
    found = {"pdftotext": squeezed(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                                  check=True).stdout)}
    found["pypdf page text"] = squeezed(" ".join(page.extract_text() or "" for page in PdfReader(path).pages))
    found["bookmarks"] = squeezed(" ".join(title for title, _ in outline(path)))
    with pikepdf.open(path) as pdf:
        found["XMP"] = squeezed(pdf.Root.Metadata.read_bytes().decode("utf-8"))
        found["Info"] = squeezed(" ".join(str(v) for v in pdf.trailer.Info.values()))
        found["attachments"] = squeezed(" ".join(
            f"{name} {spec.description} " + spec.get_file().read_bytes().decode("utf-8", "replace")
            for name, spec in pdf.attachments.items()))
        strings, streams = [], []

        def walk(value, seen):
            if isinstance(value, pikepdf.Object) and value.is_indirect:
                if value.objgen in seen:
                    return
                seen.add(value.objgen)
            if isinstance(value, pikepdf.String):
                strings.append(str(value))
            elif isinstance(value, (pikepdf.Dictionary, pikepdf.Stream)):
                for item in value.values():
                    walk(item, seen)
            elif isinstance(value, pikepdf.Array):
                for item in value:
                    walk(item, seen)

        seen: set = set()
        for obj in pdf.objects:
            walk(obj, seen)
            if isinstance(obj, pikepdf.Stream):
                data = obj.read_bytes()
                streams.append(data.decode("utf-8", "replace") + data.decode("latin-1"))
        found["strings of all objects"] = squeezed(" ".join(strings))
        found["decompressed streams"] = squeezed(" ".join(streams))
    return found


def leaks(path: Path, values: dict[str, str]) -> list[str]:
    haystacks = places(path)
    return [f"{what} {value!r} in {where}" for value, what in values.items()
            for where, text in haystacks.items() if squeezed(value) in text]


@pytest.fixture(scope="module")
def public_pdfs(tmp_path_factory) -> dict[str, Path]:
    """Both examples built with --variant public; Wolfsburg without -o, for the default name."""
    folder = tmp_path_factory.mktemp("public")
    run = run_bidkit("build", str(EXAMPLE), "--variant", "public", cwd=folder)
    assert run.code == 0, run.stderr
    example = folder / "build" / "wolfsburg-bitkom-digitale-stadt-2017-public.pdf"
    assert f"PDF written: build/{example.name} (13 pages, pdf/a-3a+ua-1, variant public, 1 PDF annex(es) appended" in run.stdout
    paderborn = folder / "paderborn-public.pdf"
    run = run_bidkit("build", str(PADERBORN), "--variant", "public", "-o", str(paderborn))
    assert run.code == 0, run.stderr
    return {"example": example, "paderborn": paderborn}


@pytest.mark.slow
@pytest.mark.parametrize("bid", ["example", "paderborn"])
def test_no_removed_value_is_anywhere_in_the_public_pdf(public_pdfs, bid):
    folder = {"example": EXAMPLE, "paderborn": PADERBORN}[bid]
    values = removed_values(folder)
    assert len(values) >= (6 if bid == "example" else 300)  # 350 citizens, some of the same name
    assert leaks(public_pdfs[bid], values) == []


def test_the_same_search_finds_the_values_in_the_full_bid(example_pdf, paderborn_pdf):
    """The full build shows them all: the search above can fail."""
    for folder, pdf in ((EXAMPLE, example_pdf), (PADERBORN, paderborn_pdf)):
        text = places(pdf)
        missing = [value for value in removed_values(folder) if squeezed(value) not in text["pdftotext"] + text["bookmarks"]]
        assert missing == []


@pytest.mark.slow
@pytest.mark.parametrize("bid", ["example", "paderborn"])
def test_public_address_counts_and_metadata(public_pdfs, bid):
    folder = {"example": EXAMPLE, "paderborn": PADERBORN}[bid]
    path = public_pdfs[bid]
    text = squeezed(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout)
    public = yaml.safe_load((folder / "bid.yaml").read_text(encoding="utf-8"))["city"]["public_contact"]
    for value in public.values():
        assert squeezed(value) in text
    assert squeezed("Öffentliche Fassung") in text
    with pikepdf.open(path) as pdf:
        xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
        assert 'bidkit:variant="public"' in xmp and "<pdfaSchema:prefix>bidkit</pdfaSchema:prefix>" in xmp
        assert "Öffentliche Fassung" in str(pdf.trailer.Info.Subject)
        assert re.search(r"<dc:description>.*Öffentliche Fassung.*</dc:description>", xmp)
    for profile in ("3a", "ua1"):
        assert validation_failures(path, profile) == [], profile
    assert qpdf_warnings(path) == []


def test_private_supporters_are_counted_not_named(public_pdfs):
    with (PADERBORN / "unterstuetzer.csv").open(encoding="utf-8", newline="") as register:
        rows = list(csv.DictReader(register, delimiter=";"))
    citizens = [row for row in rows if row["Art"] == "citizen"]
    others = [row for row in rows if row["Art"] != "citizen"]
    text = subprocess.run(["pdftotext", str(public_pdfs["paderborn"]), "-"], capture_output=True, text=True, check=True).stdout
    assert f"Bürgerinnen und Bürger ({len(citizens)})" in text
    assert f"{len(citizens)} ohne Namen: die Öffentliche Fassung nennt keine Privatpersonen." in text
    assert f"Zusammen\n\n{len(rows)}" in text
    # Associations, companies, research and public bodies are named as before.
    assert squeezed(others[0]["Name"]) in squeezed(text)


def test_private_annex_is_left_out_and_the_others_renumbered(public_pdfs):
    path = public_pdfs["example"]
    assert [title for title, _ in outline(path) if title.startswith("Anlage ")] == [
        "Anlage 1: Memorandum of Understanding #WolfsburgDigital (unterzeichnet)"]
    with pikepdf.open(path) as pdf:
        assert list(pdf.attachments) == ["kennzahlen.csv"]
        assert str(pdf.attachments["kennzahlen.csv"].description) == "Anlage 2: Kennzahlen der Ziele als Tabelle"
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Unterstützungsschreiben vom 27.02.2017\n" in text  # the letter is named, without its annex


def test_the_default_build_ignores_the_variant_fields(bid, tmp_path):
    """The full bid's HTML is the same with and without public_contact and `public: false`, and it
    shows the contacts and every annex (the PDF of main and this branch were byte-identical)."""
    from bidkit.loader import load_bid
    from bidkit.render.build import _annexes, document_html

    def html(folder: Path) -> str:
        loaded = load_bid(folder)
        entries = _annexes(loaded, draft=False)[2]
        return document_html(loaded, draft=False, annex_list=entries)

    with_fields = html(bid)
    edit(bid / "partners.yaml", ", public: false}", "}")
    bid_yaml = bid / "bid.yaml"
    bid_yaml.write_text(re.sub(r"  # The city's public address.*?\n(?=\nlegal_representative)", "",
                               bid_yaml.read_text(encoding="utf-8"), flags=re.S), encoding="utf-8")
    assert "public_contact" not in bid_yaml.read_text(encoding="utf-8")
    assert html(bid) == with_fields
    assert "digital@stadt.wolfsburg.example" in with_fields and "Referat Organisationsentwicklung" in with_fields
    assert "Unterstützungsschreiben: Ostfalia" in re.sub(r"<[^>]+>", "", with_fields) and "Porschestraße" not in with_fields


def test_a_text_quoting_a_removed_value_refuses_the_public_build(bid, tmp_path):
    edit(bid / "bid.yaml", "Wolfsburg will digitale Modellstadt werden.",
         "Wolfsburg will digitale Modellstadt werden (Fragen an digital@stadt.wolfsburg.example).")
    check = check_here(str(bid), "--format", "json")
    [finding] = [f for f in check.json()["findings"] if f["rule"] == "VAR002"]
    assert finding["severity"] == "warning" and finding["path"] == "vision"
    assert finding["line"] == line_of(bid / "bid.yaml", "Fragen an digital@")
    assert "contact.email" in finding["message"] and "digital@" not in finding["message"]
    out = tmp_path / "public.pdf"
    run = run_bidkit("build", str(bid), "--variant", "public", "-o", str(out))
    assert run.code == 1 and not out.exists()
    assert re.search(rf"\b{finding['line']}(:\d+)?\s+error\s+VAR002", run.stderr) and "Build refused" in run.stderr


@pytest.mark.slow
def test_a_value_the_texts_do_not_show_is_caught_in_the_final_file(bid, tmp_path):
    """The contact's e-mail in an embedded annex: VAR002 names the annex (a final build refuses),
    and the last wall, the search of the finished file, refuses a draft too."""
    with (bid / "anlagen" / "kennzahlen.csv").open("a", encoding="utf-8") as annex:
        annex.write("Rückfragen;digital@stadt.wolfsburg.example\n")
    out = tmp_path / "public.pdf"
    run = run_bidkit("build", str(bid), "--variant", "public", "-o", str(out))
    assert run.code == 1 and not out.exists(), run.stderr
    assert "VAR002  the file 'anlagen/kennzahlen.csv', embedded in the variant 'public', holds contact.email" in run.stderr
    run = run_bidkit("build", str(bid), "--variant", "public", "--draft", "-o", str(out))
    assert run.code == 1 and not out.exists(), run.stderr
    assert "would still show what it removes: contact.email in the embedded file kennzahlen.csv" in run.stderr
    assert "digital@" not in run.stderr


def test_no_public_contact_and_unknown_variants(bid, tmp_path):
    bid_yaml = bid / "bid.yaml"
    bid_yaml.write_text(re.sub(r"  public_contact:\n(    .*\n)+", "", bid_yaml.read_text(encoding="utf-8")), encoding="utf-8")
    out = tmp_path / "public.pdf"
    run = run_bidkit("build", str(bid), "--variant", "public", "-o", str(out))
    assert run.code == 1 and not out.exists()
    assert re.search(rf"\b{line_of(bid_yaml, 'city:')}(:\d+)?\s+error\s+VAR003", run.stderr), run.stderr
    run = run_bidkit("build", str(bid), "--variant", "presse", "-o", str(out))
    assert run.code == 2 and "no variant 'presse'" in run.stderr and "public" in run.stderr


def test_a_variant_of_the_bids_own_removes_what_it_names(bid):
    """`variants:` in bid.yaml: a press variant without the contact and the budget note, keeping the deputy."""
    from bidkit.check import check_bid
    from bidkit.loader import load_bid
    from bidkit.render.build import _annexes, document_html
    from bidkit.variants import resolve

    edit(bid / "bid.yaml", "\ntheme:", "\nvariants:\n  press:\n    label: Pressefassung\n    remove: [contact, legal_representative]\n"
                                       "    fields: [budget.note, \"measures[].lead\"]\ntheme:")
    # The mayor also signed the MoU: removing the representative alone would leave his name there.
    result, _ = check_bid(bid)
    [finding] = [f for f in result.findings if f.rule == "VAR002"]
    assert finding.location.file.name == "mou.yaml" and finding.location.line == line_of(bid / "mou.yaml", "Klaus Mohrs")
    assert "legal_representative.name" in finding.message and "'press'" in finding.message
    edit(bid / "bid.yaml", "remove: [contact, legal_representative]", "remove: [contact, legal_representative, signatories]")
    loaded = load_bid(bid)
    assert not loaded.findings and not [f for f in check_bid(bid)[0].findings if f.rule.startswith("VAR")]
    press = resolve(loaded.bid, "press")
    html = document_html(loaded, draft=False, annex_list=_annexes(loaded, False, press)[2], document_variant=press)
    assert "Pressefassung" in html and "Referat Organisationsentwicklung" in html  # the deputy stays
    assert "Geschäftsstelle #WolfsburgDigital" not in html and "Klaus Mohrs" not in html
    assert "Aufteilung der rund 500.000" in loaded.bid.budget.note and "Aufteilung der rund" not in html
    assert "<dt>Verantwortlich</dt>" not in html  # an emptied fact leaves with its label (rt8 D8)
    # public keeps its own removals when the bid names it: a `public` of the bid's own only adds.
    edit(bid / "bid.yaml", "\nvariants:\n", "\nvariants:\n  public:\n    label: Veröffentlichung\n    remove: [signatories]\n")
    public = resolve(load_bid(bid).bid, "public")
    assert public.label == "Veröffentlichung"
    assert {r.value for r in public.removes} == {"contact", "deputy_contact", "private_supporters", "private_annexes", "signatories"}


@pytest.mark.slow
def test_public_draft_keeps_personal_data_out_of_stamp_and_open_points(bid, tmp_path):
    """A draft with findings (open points) in the public variant: still nothing removed in it."""
    edit(bid / "bid.yaml", "  reference: V 2017/0196", "  reference: TODO")
    out = tmp_path / "draft.pdf"
    run = run_bidkit("build", str(bid), "--variant", "public", "--draft", "-o", str(out))
    assert run.code == 0, run.stderr
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    assert "Offene Punkte" in text and "TXT001" in text
    assert leaks(out, removed_values(bid)) == []


def test_register_column_privat_keeps_a_name_out(tmp_path):
    """Any supporter marked `Privat: ja` is counted, not named; a cell neither ja nor nein is SUP001."""
    from bidkit.models import SupporterRegister
    from bidkit.supporters import read_register
    from bidkit.variants import is_private_supporter

    (tmp_path / "u.csv").write_text("Name;Art;Ort;Datum;Privat\nHof Meier;Unternehmen;Lage;01.03.2017;ja\n"
                                    "Verein Y;Verein;Lage;01.03.2017;\nVerein Z;Verein;Lage;01.03.2017;vielleicht\n",
                                    encoding="utf-8")
    register = read_register(tmp_path, SupporterRegister(file="u.csv"))
    assert [(s.name, is_private_supporter(s)) for s in register.supporters] == [("Hof Meier", True), ("Verein Y", False)]
    [problem] = register.problems
    assert problem.line == 4 and "vielleicht" in problem.message


def test_schema_documents_variants():
    schema = (EXAMPLE / "bid.schema.json").read_text(encoding="utf-8")
    for word in ('"variants"', '"public_contact"', '"private_supporters"', '"private_annexes"', '"deputy_contact"'):
        assert word in schema


@pytest.mark.parametrize(("path", "problem"), [
    ("budget.note", None), ("measures[].lead", None), ("city.university", None), ("partners[].letter.file", None),
    ("budget.notes", "'notes' is no field of budget"), ("measures.lead", "write 'measures[]'"),
    ("vision[]", "'[]' marks a list"), ("city", "cannot be removed"), ("city.population", "required by the document"),
])
def test_which_fields_a_variant_can_remove(path, problem):
    from bidkit.variants import field_problem

    found = field_problem(path)
    assert found == problem if problem is None else problem in found


def test_open_points_of_a_variant_carry_no_messages():
    """A finding's message may quote a removed value (SUP002 names a supporter): a variant's context
    keeps rule, title, file and line only, so not even a theme's template can print it."""
    from bidkit.loader import load_bid
    from bidkit.render.context import OpenPoint, build_context
    from bidkit.render.theme import ThemeContext
    from bidkit.variants import resolve

    loaded = load_bid(PADERBORN)
    point = OpenPoint("SUP002", "warning", "unterstuetzer.csv:7", "'Julia Koch' is listed twice", "Delete the row.",
                      file="unterstuetzer.csv", line=7)
    theme = ThemeContext.of(loaded.bid.theme, loaded.bid_dir, loaded.bid.city.name)

    def context(variant):
        return build_context(loaded.bid, loaded.call, theme=theme, annexes=[], draft=True, stamp="bidkit", open_points=[point],
                             build_date=loaded.bid.submission_date, variant=variant)

    assert context(None)["open_points"][0].message == point.message
    [public] = context(resolve(loaded.bid, "public"))["open_points"]
    assert (public.rule, public.file, public.line, public.message, public.hint) == ("SUP002", "unterstuetzer.csv", 7, "", "")
    assert context(resolve(loaded.bid, "public"))["bid"].contact is None


def test_a_file_one_mention_marks_private_is_left_out_of_the_public_variant(bid):
    """The MoU scan's file listed again under `annexes:` with `public: false` is one annex, and
    private: the mention that marks it wins (rt4 D24)."""
    from bidkit.loader import load_bid
    from bidkit.variants import defined, kept_annexes

    edit(bid / "bid.yaml", "    file: anlagen/kennzahlen.csv", "    file: anlagen/kennzahlen.csv\n"
         "  - title: Stellungnahme des Beirats\n    file: anlagen/mou-wolfsburgdigital.pdf\n    public: false")
    loaded = load_bid(bid)
    public = [annex.file for annex in kept_annexes(loaded.bid, defined(loaded.bid)["public"])]
    assert "anlagen/mou-wolfsburgdigital.pdf" not in public
    assert "anlagen/mou-wolfsburgdigital.pdf" in [annex.file for annex in kept_annexes(loaded.bid, None)]
