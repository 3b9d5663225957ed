"""German formatting of money, numbers and dates (Babel, imported when first needed); the template filters live here."""

from __future__ import annotations

import datetime as dt
import functools
import json
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markupsafe import Markup

LOCALE = "de_DE"
_CENT = Decimal("0.01")


@functools.cache
def _kept_locale():
    """``LOCALE`` for Babel's number formatting and numeric dates, its data kept in the user's cache folder.

    Babel formats every number and date; what it reads of the locale for numbers is the decimal
    pattern and the symbols of the Latin digits (``,`` ``.`` ``-`` …), for ``dd.MM.y`` nothing.
    Loading the locale merges Babel's whole CLDR data of root, de and de_DE (~85 M instructions,
    a tenth of `check`, which shows one amount in an info message): these few entries are kept
    instead in a small file keyed by Babel's version, written from Babel's data on first use. Any
    other entry Babel asks for comes from its full data. A Locale reads its data through its
    ``_data`` property (Babel 2.x); ``tests/test_formatting_cache.py`` holds the output equal to
    Babel's own and fails if the kept entries stop being used.
    """
    from babel import __version__ as babel_version
    from babel.core import Locale
    from babel.localedata import LocaleDataDict, load
    from babel.numbers import parse_pattern

    from bidkit.paths import cache_dir

    path = cache_dir() / "babel" / f"numbers-{LOCALE}-{babel_version}.json"
    try:
        kept = json.loads(path.read_bytes())
        symbols, decimal = kept["latn"], kept["decimal"]
        if not (isinstance(decimal, str) and isinstance(symbols, dict)
                and all(isinstance(k, str) and isinstance(v, str) for k, v in symbols.items())):
            raise ValueError("not the kept number data")
    except (OSError, ValueError, KeyError, TypeError):  # not yet kept, or damaged: from Babel's data
        from bidkit.fileio import cache_write  # only to write (tempfile, shutil: ~10 M instructions)

        full = Locale.parse(LOCALE)
        symbols, decimal = dict(full.number_symbols["latn"]), full.decimal_formats[None].pattern
        cache_write(path, json.dumps({"latn": symbols, "decimal": decimal}, ensure_ascii=False).encode())

    class Data(dict):
        def __missing__(self, key):  # an entry not kept: Babel's full data of the locale
            return load(LOCALE)[key]

    class Numbers(Locale):
        @property
        def _data(self) -> LocaleDataDict:
            return self._kept

    locale = Numbers.parse(LOCALE)
    locale._kept = LocaleDataDict(Data(number_symbols={"latn": symbols}, decimal_formats={None: parse_pattern(decimal)}))
    return locale


def money(amount: Decimal | int, *, cents: bool | None = None) -> str:
    """``500.000 €`` for whole euros, ``1.250,50 €`` otherwise; a no-break space before €."""
    from babel.numbers import format_decimal

    value = Decimal(amount).quantize(_CENT, rounding=ROUND_HALF_UP)
    if cents is None:
        cents = value != value.to_integral_value()
    pattern = "#,##0.00" if cents else "#,##0"
    return f"{format_decimal(value, format=pattern, locale=_kept_locale(), decimal_quantization=False)}\u00a0€"


def any_cents(amounts) -> bool:
    """True when one of ``amounts`` has cents: amounts that stand together (a sentence, a table's
    column) then all show cents, „1.250,00 € von 2.477.967,40 €“, never one with and one without."""
    return any(Decimal(a).quantize(_CENT, rounding=ROUND_HALF_UP) % 1 for a in amounts)


def number(value: Decimal | int) -> str:
    """``124.045``, ``12,5``, ``0,00049``: German grouping and decimal comma, every decimal the value
    has (Babel's default pattern rounds to three: a KPI target of 0.00049 printed as „0“), no
    trailing zeros added."""
    from babel.numbers import format_decimal

    return format_decimal(value, format="#,##0.###", locale=_kept_locale(), decimal_quantization=False)


def shown_below(exact: Decimal, limit: Decimal | int, digits: int = 1) -> Decimal:
    """``exact`` (a percentage under ``limit``) rounded to the fewest decimals from ``digits`` on
    that still show it under the limit (34,958 under 35: 34,96); six decimals at most, then cut,
    never rounded up to the limit. The messages (BUD006) and the document (``percent``) use it."""
    for places in range(digits, 7):
        shown = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if shown < Decimal(limit):
            return shown
    return exact.quantize(Decimal(1).scaleb(-6), rounding=ROUND_DOWN)


def percent(value: Decimal, digits: int = 1, below: Decimal | int | None = None) -> str:
    """``35,0 %`` from a fraction such as 0.35. With ``below`` (a limit in percent, e.g. the call's
    minimum own share), a share under the limit gets as many decimals as it takes to show it under
    it: 34,958 % is „34,96 %“, never „35,0 %“ (``shown_below``)."""
    from babel.numbers import format_decimal

    exact = Decimal(value) * 100
    if below is not None and exact < Decimal(below):
        scaled = shown_below(exact, below, digits)
        digits = max(digits, -int(scaled.as_tuple().exponent))
    else:
        scaled = exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return f"{format_decimal(scaled, format='#,##0.' + '0' * digits, locale=_kept_locale())}\u00a0%"


def percent_figure(value: Decimal | int) -> str:
    """``13,8 %``, ``34,99 %``, ``35 %`` from a percentage (not a fraction), all its digits kept.

    For messages, which round (or not) before: ``percent`` rounds to a fixed number of digits.
    """
    from babel.numbers import format_decimal

    return f"{format_decimal(value, format='#,##0.#', locale=_kept_locale(), decimal_quantization=False)}\u00a0%"


def long_date(day: dt.date) -> str:
    """``5. Dezember 2016``."""
    from babel.dates import format_date

    return format_date(day, format="d. MMMM y", locale=LOCALE)


def short_date(day: dt.date) -> str:
    """``05.12.2016``."""
    from babel.dates import format_date

    return format_date(day, format="dd.MM.y", locale=_kept_locale())


def _unbroken(text: str) -> Markup:
    """Text kept on one line and never hyphenated in the document (dates, amounts)."""
    from markupsafe import Markup

    return Markup('<span class="nobreak">{}</span>').format(text)


#: Template filters. Dates and amounts come wrapped so that no line break or hyphen splits them.
FILTERS = {
    "money": lambda amount, cents=None: _unbroken(money(amount, cents=cents)),
    "any_cents": any_cents,  # {% set cents = [a, b] | any_cents %} … {{ a | money(cents) }}
    "number": number,
    "percent": lambda value, digits=1, below=None: _unbroken(percent(value, digits, below)),
    "long_date": lambda day: _unbroken(long_date(day)),
    "short_date": lambda day: _unbroken(short_date(day)),
}

