"""Money: Decimal amounts with two places, parsed strictly and shown with Babel in the viewer's language."""
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from functools import cache, lru_cache

from babel import Locale
from babel.numbers import (
    format_currency,
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
)

from webapp.i18n import current_language

CENT = Decimal("0.01")
_AMOUNT = re.compile(r"-?[0-9]{1,12}(\.[0-9]{1,2})?")
MAX_AMOUNT = Decimal("999999999999.99")  # what Numeric(14, 2) holds


def cents(amount) -> Decimal:
    """An amount rounded to cents (half up), as a Decimal; None and '' are zero."""
    if amount is None or amount == "":
        return Decimal("0.00")
    if isinstance(amount, float):  # never arithmetic on floats: go through their shortest repr
        amount = repr(amount)
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


def parse_amount(text: str | None) -> Decimal | None:
    """A typed amount ("1 234,50", "1234.5") as a Decimal with two places; None when it is not an amount."""
    if text is None:
        return None
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace("\u202f", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    if not _AMOUNT.fullmatch(cleaned):  # plain digits with at most two decimals: no exponents, NaN or "١٢"
        return None
    return Decimal(cleaned).quantize(CENT)


def company_currency() -> str:
    """The currency of the settings (ISO 4217)."""
    from webapp.settings.service import default_currency

    return default_currency()


@dataclass(frozen=True)
class _Format:
    """Babel's standard currency pattern for a language and currency, taken apart once."""

    prefixes: tuple[str, str]  # positive, negative (with the symbol in place of ¤)
    suffixes: tuple[str, str]
    digits: int
    decimal: str
    group: str
    grouping: int


@cache
def _money_format(currency: str, locale: str) -> _Format | None:
    """None when the pattern is not the common shape (#,##0.00 with one grouping size): Babel formats those."""
    pattern = Locale.parse(locale).currency_formats["standard"]
    if pattern.grouping[0] != pattern.grouping[1] or pattern.scale:
        return None
    symbol = get_currency_symbol(currency, locale=locale)
    return _Format(tuple(p.replace("¤", symbol) for p in pattern.prefix),
                   tuple(p.replace("¤", symbol) for p in pattern.suffix),
                   get_currency_precision(currency), get_decimal_symbol(locale), get_group_symbol(locale),
                   pattern.grouping[0])


def format_money(amount, currency: str | None = None, locale: str | None = None) -> str:
    """'€1,234.50' in English, '1 234,50 €' in Russian: Babel's currency format for the language (its pattern
    read once per language and currency: a list page shows a hundred amounts, and Babel parses the pattern
    and looks the symbols up on every call). Tested equal to Babel's format_currency."""
    return _formatted(cents(amount), currency or company_currency(), locale or current_language())


@lru_cache(maxsize=8192)
def _formatted(value: Decimal, currency: str, locale: str) -> str:
    """One amount's text, kept: a console shows the same prices, totals and balances again and again."""
    shape = _money_format(currency, locale)
    if shape is None:
        return format_currency(value, currency, locale=locale)
    negative = value < 0  # as Babel: the sign of the amount, rounded half to even to the currency's digits
    rounded = abs(value).quantize(Decimal(1).scaleb(-shape.digits), rounding=ROUND_HALF_EVEN)
    whole, _, fraction = f"{rounded:f}".partition(".")
    size = shape.grouping
    groups = [whole[max(0, end - size):end] for end in range(len(whole), 0, -size)][::-1]
    number = shape.group.join(groups) + (shape.decimal + fraction if shape.digits else "")
    return f"{shape.prefixes[negative]}{number}{shape.suffixes[negative]}"


def currency_symbol(currency: str | None = None, locale: str | None = None) -> str:
    return get_currency_symbol(currency or company_currency(), locale=locale or current_language())
