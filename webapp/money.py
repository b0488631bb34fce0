"""Money: Decimal amounts with two places, parsed strictly and shown with Babel in the viewer's language."""
import re
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, get_currency_symbol

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


def format_money(amount, currency: str | None = None, locale: str | None = None) -> str:
    """'€1,234.50' in English, '1 234,50 €' in Russian: Babel's currency format for the language."""
    return format_currency(cents(amount), currency or company_currency(), locale=locale or current_language())


def currency_symbol(currency: str | None = None, locale: str | None = None) -> str:
    return get_currency_symbol(currency or company_currency(), locale=locale or current_language())
