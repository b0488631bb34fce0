"""The invoice form: the client (by login), the charges to bill and lines typed by hand; the list's filter."""
from wtforms import FieldList, FormField, StringField, ValidationError
from wtforms.validators import Length

from webapp.forms import Form, SubForm
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l
from webapp.invoices.service import MAX_LINES, MAX_QUANTITY, LineValues, find_client
from webapp.money import currency_symbol, parse_amount
from webapp.staff.forms import MultiCheckboxField

BLANK_LINES = 3  # empty rows offered for lines typed by hand


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ClientLoginField(StringField):
    """A client chosen by login (case does not matter); `account` is the client found."""

    account = None


def check_client_login(field: ClientLoginField) -> None:
    if not field.data:
        raise ValidationError(_("Enter the client's login."))
    field.account = find_client(field.data)
    if field.account is None:
        raise ValidationError(_("There is no client with the login “%(login)s”.", login=field.data))


class LineForm(SubForm):
    """A line typed by hand; a row left blank is ignored. Its messages come from the invoice form (numbered)."""

    description = StringField(_l("Description"), filters=[_strip])
    quantity = StringField(_l("Quantity"), filters=[_strip], render_kw={"inputmode": "numeric"})
    unit_price = StringField(_l("Unit price"), filters=[_strip], render_kw={"inputmode": "decimal"})

    @property
    def blank(self) -> bool:
        return not (self.description.data or self.quantity.data or self.unit_price.data)


class InvoiceForm(Form):
    client = ClientLoginField(_l("Client"), filters=[_strip], validators=[Length(max=64)],
                              render_kw={"autocomplete": "off", "spellcheck": "false"})
    charges = MultiCheckboxField(_l("Charges to bill"), coerce=int, validate_choice=False)
    # One more row than allowed is read, so that too many lines are refused with a message, not dropped.
    lines = FieldList(FormField(LineForm), min_entries=BLANK_LINES, max_entries=MAX_LINES + BLANK_LINES + 1)

    def __init__(self, *args, charges=(), client_fixed=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.offered = {charge.id: charge for charge in charges}
        self.charges.choices = [(charge.id, charge.description) for charge in charges]
        self.client_fixed = client_fixed  # editing a draft: the client is not asked
        self.values: list[LineValues] = []

    @property
    def client_account(self):
        return self.client_fixed or self.client.account

    @property
    def chosen_charges(self) -> list:
        return [self.offered[charge_id] for charge_id in (self.charges.data or []) if charge_id in self.offered]

    def validate_client(self, field):
        if self.client_fixed is None:
            check_client_login(field)

    def validate_charges(self, field):
        unknown = [charge_id for charge_id in (field.data or []) if charge_id not in self.offered]
        if unknown:
            raise ValidationError(_("A chosen charge can no longer be billed (it was cancelled, billed or put on "
                                    "another draft in the meantime). Check the list and save again."))

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        values, typed = [], 0
        for number, entry in enumerate((row.form for row in self.lines), start=1):
            if entry.blank:
                continue
            typed += 1
            line = self._check_line(number, entry)
            if line is None:
                valid = False
            else:
                values.append(line)
        if typed > MAX_LINES:
            self.form_errors.append(_("An invoice may have at most %(num)d lines typed by hand.", num=MAX_LINES))
            valid = False
        if valid and not values and not self.chosen_charges:
            self.form_errors.append(_("An invoice needs at least one line: choose a charge or type a line."))
            valid = False
        if not valid:
            self.lines.errors = [row.errors for row in self.lines]
        self.values = values
        return valid

    def _check_line(self, number: int, entry) -> LineValues | None:
        ok = True
        description = entry.description.data or ""
        if not description:
            entry.description.errors.append(_("Line %(number)d: enter a description.", number=number))
            ok = False
        elif len(description) > 255:
            entry.description.errors.append(_("Line %(number)d: the description may have at most 255 characters.",
                                              number=number))
            ok = False
        text = entry.quantity.data or ""
        quantity = int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else None
        if quantity is None or not 1 <= quantity <= MAX_QUANTITY:
            entry.quantity.errors.append(_("Line %(number)d: the quantity must be a whole number from 1 to "
                                           "%(max)d.", number=number, max=MAX_QUANTITY))
            ok = False
        price = parse_amount(entry.unit_price.data)
        if price is None or price < 0:
            entry.unit_price.errors.append(_("Line %(number)d: enter the unit price as an amount such as 120.50.",
                                             number=number))
            ok = False
        return LineValues(description, quantity, price) if ok else None


def currency_hint(currency: str) -> str:
    return _("Amounts in %(currency)s (%(symbol)s).", currency=currency, symbol=currency_symbol(currency))
