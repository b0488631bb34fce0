"""Money: strict parsing, and the fast currency format that must say exactly what Babel says."""
from decimal import Decimal

from babel.numbers import format_currency
from hypothesis import given, settings
from hypothesis import strategies as st

from webapp.money import format_money, parse_amount

CURRENCIES = ("EUR", "RUB", "USD", "JPY", "KWD", "CHF", "GBP", "INR", "BHD", "ISK")


@settings(max_examples=500, deadline=None)
@given(cents=st.integers(min_value=-10**14 + 1, max_value=10**14 - 1), currency=st.sampled_from(CURRENCIES),
       locale=st.sampled_from(("en", "ru")))
def test_format_money_says_what_babel_says(cents, currency, locale):
    amount = Decimal(cents) / 100
    assert format_money(amount, currency, locale) == format_currency(amount, currency, locale=locale)


def test_format_money_examples():
    assert format_money(Decimal("-1234567.5"), "RUB", "ru") == "-1\xa0234\xa0567,50\xa0₽"
    assert format_money(Decimal("1234.5"), "EUR", "en") == "€1,234.50"
    assert format_money(Decimal("-0.33"), "JPY", "en") == "-¥0"  # Babel keeps the sign, rounds half to even


def test_parse_amount_is_strict():
    assert parse_amount("1 234,50") == Decimal("1234.50") and parse_amount("12.3") == Decimal("12.30")
    for text in ("1e3", "NaN", "١٢", "1.005", "9999999999999", "", "abc", "--1"):
        assert parse_amount(text) is None, text
