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
