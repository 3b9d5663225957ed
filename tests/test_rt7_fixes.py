"""Defects a seventh red team (rt7) found with a bid written from scratch: the Bezirk Hamburg-Nord
with a call file of its own, seven budget years in cents, a 21-million plan."""

from __future__ import annotations

from decimal import Decimal

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
    from bidkit.variants import Secret, _holds, _squeezed, name_forms

    assert _holds(_squeezed("Fragen beantwortet Herr O’Sullivan gern."), Secret("Herr O'Sullivan", "deputy_contact.name"))
    forms = name_forms("Ånneliese Schröder-Nguyễn")
    assert any(_holds(_squeezed("Frau Schroder-Nguyen"), Secret(form, "contact.name")) for form in forms)
    # check's search is by whole words: a name that only begins alike is no removed person
    from bidkit.variants import _comparable, _find, _pattern

    assert not any(_find(_comparable("Frau Schrader und Herr Nguyenko"), _pattern(form)) is not None for form in forms)
