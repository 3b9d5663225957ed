"""German money, number and date formats (Babel), exact with Decimal."""

import datetime as dt
from decimal import Decimal

from bidkit.render.formatting import FILTERS, long_date, money, number, percent, short_date

NBSP = "\u00a0"


def test_money():
    assert money(Decimal("500000")) == f"500.000{NBSP}€"
    assert money(Decimal("1250.5")) == f"1.250,50{NBSP}€"
    assert money(Decimal("0.005")) == f"0,01{NBSP}€"  # round half up, never banker's rounding
    assert money(Decimal("0.015")) == f"0,02{NBSP}€"
    assert money(Decimal("1234567.80"), cents=True) == f"1.234.567,80{NBSP}€"
    assert money(Decimal("12"), cents=True) == f"12,00{NBSP}€"


def test_numbers_and_percent():
    assert number(124045) == "124.045"
    assert number(Decimal("12.50")) == "12,5"
    assert percent(Decimal("0.35")) == f"35,0{NBSP}%"
    assert percent(Decimal("1")) == f"100,0{NBSP}%"


def test_dates():
    assert long_date(dt.date(2016, 12, 5)) == "5. Dezember 2016"
    assert short_date(dt.date(2016, 12, 5)) == "05.12.2016"
    assert long_date(dt.date(2017, 3, 1)) == "1. März 2017"


def test_template_filters_keep_dates_and_amounts_unbroken():
    assert str(FILTERS["long_date"](dt.date(2016, 12, 5))) == '<span class="nobreak">5. Dezember 2016</span>'
    assert str(FILTERS["money"](Decimal("500000"))) == f'<span class="nobreak">500.000{NBSP}€</span>'
