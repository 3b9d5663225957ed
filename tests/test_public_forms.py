"""The public variant finds a removed person however a text names them (rt5 D9): without the
degree, by the family name after „Frau“/„Dr.“/the role, family name first, without accents; and a
removed phone number in any writing of its digits. Both in `check` (VAR002) and in the final search
of the built file."""

from __future__ import annotations

import pytest

from conftest import edit, run_bidkit

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
    found = [f for f in run_bidkit("check", str(bid), "--format", "json").json()["findings"]
             if f["rule"] == "VAR002" and f["path"] == "vision"]
    assert found, sentence


def test_check_keeps_quiet_on_other_people_and_numbers(bid):
    text = (bid / "bid.yaml").read_text(encoding="utf-8")
    start, end = text.index("\ncontact:\n") + 1, text.index("vision: |")
    (bid / "bid.yaml").write_text(text[:start] + PEOPLE + "\n" + text[end:], encoding="utf-8")
    edit(bid / "bid.yaml", "vision: |\n", "vision: |\n  Frau Dubrovnik und Herr Celikoglu rufen 05361 28-3141 an; Çelikstraße 5.\n")
    found = [f for f in run_bidkit("check", str(bid), "--format", "json").json()["findings"] if f["rule"] == "VAR002"]
    assert found == []


def test_the_final_search_finds_the_forms_in_the_pdf(tmp_path):
    from weasyprint import HTML

    pdf = HTML(string="<p>Frau Dubois vertritt die Leitung; Telefon 05361 28-31415.</p>").write_pdf()
    removed = [Secret(form, "deputy_contact.name") for form in ["Anne-Sophie Dubois", *name_forms("Anne-Sophie Dubois")]]
    removed += [Secret(phone_digits("+49 5361 28-31415"), "contact.phone", digits=True)]
    assert {secret.what for secret, _ in leaks(pdf, removed)} == {"deputy_contact.name", "contact.phone"}
    clean = HTML(string="<p>Die Leitung vertritt das Referat; Telefon 05361 28-0.</p>").write_pdf()
    assert leaks(clean, removed) == []
