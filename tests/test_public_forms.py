"""The public variant finds a removed person however a text names them (rt5 D9): without the
degree, by the family name after „Frau“/„Dr.“/the role, family name first, without accents; and a
removed phone number in any writing of its digits. Both in `check` (VAR002) and in the final search
of the built file."""

from __future__ import annotations

import pytest

from conftest import check_here, edit, run_bidkit

from bidkit.variants import Secret, leaks, name_forms, phone_digits


def test_the_forms_of_a_name():
    forms = name_forms("Dr. Hüseyin Çelik", "Amtsleiter")
    for form in ("Hüseyin Çelik", "Çelik, Hüseyin", "Herr Çelik", "Frau Çelik", "Dr. Çelik", "Amtsleiter Çelik",
                 "Hueseyin Celik", "Frau Celik"):
        assert form in forms, form
    assert "Frau von der Leyen" in name_forms("Ursula von der Leyen")
    assert "Lukasz Wrobel" in name_forms("Prof. Dr.-Ing. Łukasz Wróbel")
    assert name_forms("Kämmerei") == []  # one word: no family name to search alone


@pytest.mark.parametrize("written", ["+49 221 221-31415", "0221 221-31415", "+49 (0)221 221 31415",
                                     "0049 221 22131415", "0221/221 31415", "(0221) 221 314 15"])
def test_a_phone_number_by_its_digits(written):
    assert phone_digits(written) == "022122131415"


PEOPLE = """contact:
  name: Dr. Hüseyin Çelik
  role: Programmleitung
  organisation: Stadt Wolfsburg
  email: h.celik@stadt.wolfsburg.example
  phone: +49 5361 28-31415
deputy_contact:
  name: Anne-Sophie Dubois
  role: Stellvertretung
  organisation: Stadt Wolfsburg
  email: a.dubois@stadt.wolfsburg.example
"""


@pytest.mark.parametrize("sentence", [
    "Hüseyin Çelik leitet das Programm.",
    "Das Programm leitet Herr Çelik.",
    "Dr. Çelik leitet das Programm.",
    "Çelik, Hüseyin (Dr.) leitet das Programm.",
    "Hueseyin Celik leitet das Programm.",
    "Frau Dubois vertritt die Programmleitung.",
    "Auskunft unter Telefon 05361 28-31415.",
    "Auskunft unter +49 (5361) 28 31415.",
])
def test_check_finds_a_removed_person_in_any_form(bid, sentence):
    text = (bid / "bid.yaml").read_text(encoding="utf-8")
    start, end = text.index("\ncontact:\n") + 1, text.index("vision: |")
    (bid / "bid.yaml").write_text(text[:start] + PEOPLE + "\n" + text[end:], encoding="utf-8")
    edit(bid / "bid.yaml", "vision: |\n", f"vision: |\n  {sentence}\n")
    found = [f for f in check_here(str(bid), "--format", "json").json()["findings"]
             if f["rule"] == "VAR002" and f["path"] == "vision"]
    assert found, sentence


def test_check_keeps_quiet_on_other_people_and_numbers(bid):
    text = (bid / "bid.yaml").read_text(encoding="utf-8")
    start, end = text.index("\ncontact:\n") + 1, text.index("vision: |")
    (bid / "bid.yaml").write_text(text[:start] + PEOPLE + "\n" + text[end:], encoding="utf-8")
    edit(bid / "bid.yaml", "vision: |\n", "vision: |\n  Frau Dubrovnik und Herr Celikoglu rufen 05361 28-3141 an; Çelikstraße 5.\n")
    found = [f for f in check_here(str(bid), "--format", "json").json()["findings"] if f["rule"] == "VAR002"]
    assert found == []


def test_the_final_search_finds_the_forms_in_the_pdf(tmp_path):
    from weasyprint import HTML

    pdf = HTML(string="<p>Frau Dubois vertritt die Leitung; Telefon 05361 28-31415.</p>").write_pdf()
    removed = [Secret(form, "deputy_contact.name") for form in ["Anne-Sophie Dubois", *name_forms("Anne-Sophie Dubois")]]
    removed += [Secret(phone_digits("+49 5361 28-31415"), "contact.phone", digits=True)]
    assert {secret.what for secret, _ in leaks(pdf, removed)} == {"deputy_contact.name", "contact.phone"}
    clean = HTML(string="<p>Die Leitung vertritt das Referat; Telefon 05361 28-0.</p>").write_pdf()
    assert leaks(clean, removed) == []


@pytest.mark.slow
def test_an_embedded_workbook_that_names_a_removed_person_is_found(bid, tmp_path):
    """rt5 D10: a spreadsheet annex (embedded, public) with the contact in a column bidkit does not
    read: `check` names the annex (VAR002), and the final search looks inside the archive."""
    from openpyxl import Workbook

    text = (bid / "bid.yaml").read_text(encoding="utf-8")
    start, end = text.index("\ncontact:\n") + 1, text.index("vision: |")
    (bid / "bid.yaml").write_text(text[:start] + PEOPLE + "\n" + text[end:], encoding="utf-8")
    book = Workbook()
    book.active.append(["Kostenposition", "Betrag", "Ansprechpartner"])
    book.active.append(["Plattform", 1000, "Dr. Hüseyin Çelik, Tel. 05361 28-31415"])
    book.save(bid / "anlagen" / "kosten.xlsx")
    edit(bid / "bid.yaml", "\nannexes:\n", "\nannexes:\n  - {title: Kostenplan der Kämmerei, file: anlagen/kosten.xlsx}\n")
    found = [f for f in check_here(str(bid), "--format", "json").json()["findings"] if f["rule"] == "VAR002"]
    assert {f["path"] for f in found} == {"annexes[0].file"}, found
    assert {"contact.name", "contact.phone"} <= {w for f in found for w in ("contact.name", "contact.phone") if w in f["message"]}
    run = run_bidkit("build", str(bid), "--variant", "public", "--draft", "-o", str(tmp_path / "public.pdf"))
    assert run.code == 1 and "contact.name in the embedded file kosten.xlsx" in run.stderr, run.stderr
    assert not (tmp_path / "public.pdf").exists()


def test_an_archive_that_cannot_be_searched_is_reported():
    import io
    import zipfile

    from bidkit.variants import file_text

    plain, locked = io.BytesIO(), io.BytesIO()
    with zipfile.ZipFile(plain, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", "<si><t>Hüseyin</t></si><si><t> &#199;elik</t></si>")
    assert "Hüseyin Çelik" in file_text(plain.getvalue())
    with zipfile.ZipFile(locked, "w") as archive:
        archive.writestr("secret.xml", b"\x93\x17garbage")
    data = bytearray(locked.getvalue())  # mark the member encrypted (bit 0 of its flags): its bytes say nothing
    central = data.index(b"PK\x01\x02")
    data[6] |= 0x1
    data[central + 8] |= 0x1
    assert file_text(bytes(data)) is None


def test_an_annex_file_name_that_names_a_removed_person_is_found_by_check(bid):
    """rt5 D18: the list of annexes prints the file's name; `check` said nothing and the public
    build refused, sending the user to `check`."""
    text = (bid / "bid.yaml").read_text(encoding="utf-8")
    start, end = text.index("\ncontact:\n") + 1, text.index("vision: |")
    (bid / "bid.yaml").write_text(text[:start] + PEOPLE + "\n" + text[end:], encoding="utf-8")
    (bid / "anlagen" / "Gutachten Hüseyin Çelik.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    edit(bid / "bid.yaml", "\nannexes:\n", '\nannexes:\n  - {title: Gutachten, file: "anlagen/Gutachten Hüseyin Çelik.csv"}\n')
    found = [f for f in check_here(str(bid), "--format", "json").json()["findings"] if f["rule"] == "VAR002"]
    assert [f["path"] for f in found] == ["annexes[0].file"], found
    assert "rename the file" in found[0]["hint"]


def test_an_official_who_is_also_a_contact_keeps_the_name_not_the_phone(bid):
    """rt5 D21: in a small municipality the mayor is the deputy contact; the public variant removed
    his name, which the cover and the resolution show as the legal representative, so it could never
    be built. An official shown in office is public; the contact's e-mail and phone are still removed."""
    edit(bid / "bid.yaml", "  name: Referat Organisationsentwicklung", "  name: Klaus Mohrs\n  phone: +49 5361 28-2222")
    edit(bid / "bid.yaml", "vision: |\n", "vision: |\n  Oberbürgermeister Klaus Mohrs leitet die Lenkungsgruppe.\n")
    found = [f for f in check_here(str(bid), "--format", "json").json()["findings"] if f["rule"] == "VAR002"]
    assert found == [], found
    edit(bid / "bid.yaml", "vision: |\n", "vision: |\n  Rückfragen unter 05361 28-2222.\n")
    found = [f for f in check_here(str(bid), "--format", "json").json()["findings"] if f["rule"] == "VAR002"]
    assert {f["message"].split(",")[0] for f in found} == {"this text quotes deputy_contact.phone"}, found


def test_a_refused_variant_writes_no_html_either(bid, tmp_path):
    """rt5 D22: `--draft --variant public --html FILE` refused the PDF but left the HTML with the
    removed e-mail; the HTML is searched before it is written (and before the slow layout)."""
    edit(bid / "bid.yaml", "vision: |\n", "vision: |\n  Rückfragen an digital@stadt.wolfsburg.example.\n")
    html, pdf = tmp_path / "public.html", tmp_path / "public.pdf"
    run = run_bidkit("build", str(bid), "--variant", "public", "--draft", "--html", str(html), "-o", str(pdf))
    assert run.code == 1 and "contact.email in the HTML" in run.stderr, run.stderr
    assert not html.exists() and not pdf.exists()
    assert "Laying out" not in run.stderr
