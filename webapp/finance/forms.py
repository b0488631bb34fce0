"""The payment and charge forms: the client by login, an amount parsed strictly (never a float), a date."""
from datetime import date

from wtforms import BooleanField, DateField, SelectChoice, SelectField, StringField, ValidationError
from wtforms.validators import InputRequired, Length, Optional

from webapp.finance.clients import client_by_login
from webapp.finance.filters import FIRST_DAY
from webapp.finance.payments import METHOD_LABELS
from webapp.forms import Form, SubmissionField
from webapp.i18n import lazy_gettext as _l
from webapp.models import PaymentMethod
from webapp.money import MAX_AMOUNT, parse_amount


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ClientAmountForm(Form):
    """The client (an existing client's login) and an amount above zero; `account` and `value` once valid."""

    client = StringField(_l("Client"), filters=[_strip], validators=[
        InputRequired(_l("Enter the client's login.")), Length(max=64, message=_l("At most 64 characters."))],
        render_kw={"autocomplete": "off", "spellcheck": "false", "list": "client-suggestions"})
    amount = StringField(_l("Amount"), filters=[_strip], validators=[InputRequired(_l("Enter the amount."))],
                         render_kw={"inputmode": "decimal", "autocomplete": "off"})

    submission = SubmissionField()

    account = None
    value = None

    def validate_client(self, field):
        self.account = client_by_login(field.data)
        if self.account is None:
            raise ValidationError(_l("There is no client with this login. Type the client's login (suggestions "
                                     "appear as you type)."))

    def validate_amount(self, field):
        amount = parse_amount(field.data)
        if amount is None:
            raise ValidationError(_l("Enter the amount as a number with at most two decimals, such as 1234.50."))
        if amount <= 0:
            raise ValidationError(_l("The amount must be more than zero."))
        if amount > MAX_AMOUNT:
            raise ValidationError(_l("The amount is too large."))
        self.value = amount


class PaymentForm(ClientAmountForm):
    method = SelectField(_l("Method"), choices=[SelectChoice(m.value, label) for m, label in METHOD_LABELS.items()],
                         default=PaymentMethod.bank_transfer.value)
    received_on = DateField(_l("Date"), validators=[InputRequired(_l("Enter the date the money was received."))])
    note = StringField(_l("Note"), filters=[_strip], validators=[
        Optional(), Length(max=255, message=_l("At most 255 characters."))])
    confirmed = BooleanField(_l("Confirmed"))

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.received_on.render_kw = {"min": FIRST_DAY.isoformat(), "max": today.isoformat()}

    def validate_received_on(self, field):
        if field.data is None:  # not a date: DateField said so
            return
        if field.data < FIRST_DAY:
            raise ValidationError(_l("The date cannot be before 1 January 2000."))
        if field.data > self.today:
            raise ValidationError(_l("The date cannot be in the future."))

    @property
    def payment_method(self) -> PaymentMethod:
        return PaymentMethod(self.method.data)


class ChargeForm(ClientAmountForm):
    description = StringField(_l("Description"), filters=[_strip], validators=[
        InputRequired(_l("Describe what the charge is for.")), Length(max=255, message=_l("At most 255 characters."))])
