"""The German number formats and numeric dates come from Babel, its de_DE data kept in the cache folder (issue 12).

``bidkit.render.formatting`` keeps the few entries of Babel's locale data that number formatting
reads (the decimal pattern, the Latin digits' symbols) in the user's cache folder, so that `check`
does not load and merge Babel's whole CLDR data for one amount in a message. These tests hold the
output to Babel's own formatting with its full data, whether the entries were just written, read
back, or the kept file was damaged.
"""

import datetime as dt
import json
import random
from decimal import Decimal

import pytest
from babel.dates import format_date
from babel.numbers import format_decimal

from bidkit.render import formatting
from bidkit.render.formatting import long_date, money, number, percent, percent_figure, short_date


def _values() -> list[Decimal]:
    rng = random.Random(12)
    fixed = ["0", "0.005", "0.01", "0.5", "1", "12.5", "999", "1000", "1000.5", "999999.99", "1234567.891",
             "100000000000000.01", "-0.4", "-1234.5", "-1000000", "12.3456789", "0.000001"]
    drawn = [Decimal(rng.randrange(-10**12, 10**12)).scaleb(-rng.randrange(0, 7)) for _ in range(400)]
    return [Decimal(v) for v in fixed] + drawn


def _days() -> list[dt.date]:
    return [dt.date(1, 1, 1), dt.date(999, 12, 31), dt.date(2016, 12, 5), dt.date(9999, 12, 31)] + [
        dt.date(1900, 1, 1) + dt.timedelta(days=n) for n in range(0, 100_000, 97)]


def _babel(value: Decimal, pattern: str | None = None, **options) -> str:
    """Babel's own formatting with its full de_DE data."""
    return format_decimal(value, format=pattern, locale="de_DE", **options)


@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("BIDKIT_CACHE_DIR", str(tmp_path))
    formatting._kept_locale.cache_clear()
    yield tmp_path
    formatting._kept_locale.cache_clear()


def _assert_like_babel() -> None:
    for value in _values():
        whole = value.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        assert money(value, cents=True) == f"{_babel(whole, '#,##0.00', decimal_quantization=False)}\u00a0€"
        if whole == whole.to_integral_value():
            assert money(whole) == f"{_babel(whole, '#,##0', decimal_quantization=False)}\u00a0€"
        assert number(value) == _babel(value, '#,##0.###', decimal_quantization=False)
        assert percent_figure(value) == f"{_babel(value, '#,##0.#', decimal_quantization=False)}\u00a0%"
        for digits in (0, 1, 2):
            scaled = (value * 100).quantize(Decimal(1).scaleb(-digits), rounding="ROUND_HALF_UP")
            assert percent(value, digits) == f"{_babel(scaled, '#,##0.' + '0' * digits)}\u00a0%"
    for day in _days():
        assert short_date(day) == format_date(day, format="dd.MM.y", locale="de_DE")
        assert long_date(day) == format_date(day, format="d. MMMM y", locale="de_DE")


def test_kept_locale_equal_babels_own_when_written_and_when_read_back(fresh_cache):
    _assert_like_babel()  # the entries taken from Babel's data, and written
    kept = list((fresh_cache / "babel").glob("numbers-de_DE-*.json"))
    assert len(kept) == 1
    assert json.loads(kept[0].read_text(encoding="utf-8"))["latn"]["decimal"] == ","
    formatting._kept_locale.cache_clear()
    _assert_like_babel()  # read back from the file


def test_kept_entries_need_no_locale_data(fresh_cache, monkeypatch):
    import babel.localedata

    assert money(Decimal("1250.5")) == "1.250,50\u00a0€"  # writes the entries
    formatting._kept_locale.cache_clear()

    def refused(*args, **kwargs):
        raise AssertionError("Babel's locale data loaded")

    monkeypatch.setattr(babel.localedata, "load", refused)
    assert money(Decimal("1250.5")) == "1.250,50\u00a0€"
    assert number(Decimal("-124045.5")) == "-124.045,5"
    assert percent(Decimal("0.34958"), below=35) == "34,96\u00a0%"
    assert short_date(dt.date(2017, 3, 5)) == "05.03.2017"  # a supporter's date in SUP messages


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"latn": {"decimal": 1}, "decimal": "#"}', b"[]",
                                    b'{"latn": [], "decimal": "#,##0.###"}'])
def test_a_damaged_file_is_rewritten_from_babels_data(fresh_cache, damage):
    money(Decimal("1"))
    (kept,) = (fresh_cache / "babel").glob("numbers-de_DE-*.json")
    written = kept.read_bytes()
    kept.write_bytes(damage)
    formatting._kept_locale.cache_clear()
    assert money(Decimal("1234567.8")) == "1.234.567,80\u00a0€"
    assert number(Decimal("12.50")) == "12,5"
    assert kept.read_bytes() == written


def test_an_entry_not_kept_comes_from_babels_full_data(fresh_cache):
    locale = formatting._kept_locale()
    assert locale.percent_formats[None].pattern == "#,##0\u00a0%"  # not kept: Babel's full data
    assert format_decimal(Decimal("1234.5"), locale=locale) == "1.234,5"
