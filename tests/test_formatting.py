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


def test_a_share_under_a_limit_is_never_rounded_up_to_it():
    """The document printed „35,0 %“ for an own share of 34,958 % under a minimum of 35 % (rt4 D23)."""
    from decimal import Decimal

    from bidkit.paths import templates_dir
    from bidkit.render.formatting import percent
    from bidkit.render.html import environment

    assert percent(Decimal("0.34958"), below=35) == "34,96\u00a0%"
    assert percent(Decimal("0.34999998"), below=35) == "34,999998\u00a0%"
    assert percent(Decimal("0.3499999999"), below=35) == "34,999999\u00a0%"  # cut, not rounded up
    assert percent(Decimal("0.35"), below=35) == percent(Decimal("0.35")) == "35,0\u00a0%"
    assert percent(Decimal("0.3504"), below=35) == "35,0\u00a0%"  # at or above the limit: as always
    template = environment(templates_dir()).from_string("{{ share | percent(below=minimum) }}")
    assert "34,96\u00a0%<" in template.render(share=Decimal("0.34958"), minimum=Decimal(35))
    budget = (templates_dir() / "sections" / "budget.html.j2").read_text(encoding="utf-8")
    assert "budget.own_share | percent(below=call.own_share_min_percent)" in budget
