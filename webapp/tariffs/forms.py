"""The tariff plan form."""
from wtforms import SelectChoice, SelectField, StringField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from webapp.departments.service import all_departments
from webapp.forms import Form, VersionField
from webapp.i18n import lazy_gettext as _l
from webapp.ids import parse_id
from webapp.models import BillingPeriod, Provisioning, Tariff
from webapp.money import MAX_AMOUNT, parse_amount
from webapp.tariffs.service import TariffValues

PERIOD_LABELS = {BillingPeriod.month: _l("Month"), BillingPeriod.year: _l("Year")}
PER_PERIOD = {BillingPeriod.month: _l("per month"), BillingPeriod.year: _l("per year")}
PROVISIONING_LABELS = {Provisioning.automatic: _l("Automatic"), Provisioning.manual: _l("Manual")}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _optional_id(value):
    return parse_id(value) if value not in (None, "") else None


class ArchiveForm(Form):
    """Archive or bring back a plan, from the version the page showed."""

    version = VersionField()


class TariffForm(Form):
    name_en = StringField(_l("Name (English)"), filters=[_strip], validators=[
        DataRequired(_l("Enter the plan's name.")), Length(max=120, message=_l("At most 120 characters."))])
    name_ru = StringField(_l("Name (Русский)"), filters=[_strip], validators=[
        Optional(), Length(max=120, message=_l("At most 120 characters."))])
    price = StringField(_l("Price"), filters=[_strip], validators=[DataRequired(_l("Enter the price."))],
                        render_kw={"inputmode": "decimal", "autocomplete": "off"})
    period = SelectField(_l("Billing period"), validate_choice=False,
                         choices=[SelectChoice(p.value, label) for p, label in PERIOD_LABELS.items()])
    provisioning = SelectField(_l("Provisioning"), validate_choice=False,
                               choices=[SelectChoice(p.value, label) for p, label in PROVISIONING_LABELS.items()])
    department_id = SelectField(_l("Department"), coerce=_optional_id, validate_choice=False)
    version = VersionField()

    def __init__(self, *args, tariff: Tariff | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tariff = tariff
        self.department_id.choices = [SelectChoice("", _l("None (automatic plan)"))] + [
            SelectChoice(d.id, d.name) for d in all_departments()]
        self.amount = None

    def validate_name_en(self, field):
        if Tariff.name_taken(field.data, self.tariff.id if self.tariff else None):
            raise ValidationError(_l("A tariff plan with this name already exists."))

    def validate_name_ru(self, field):
        if Tariff.name_taken(field.data, self.tariff.id if self.tariff else None, russian=True):
            raise ValidationError(_l("A tariff plan with this name already exists."))

    def validate_price(self, field):
        amount = parse_amount(field.data)
        if amount is None:
            raise ValidationError(_l("Enter an amount such as 12.50."))
        if amount <= 0:
            raise ValidationError(_l("The price must be more than zero."))
        if amount > MAX_AMOUNT:
            raise ValidationError(_l("The price is too large."))
        self.amount = amount

    def validate_period(self, field):
        if field.data not in {p.value for p in BillingPeriod}:
            raise ValidationError(_l("Choose month or year."))

    def validate_provisioning(self, field):
        if field.data not in {p.value for p in Provisioning}:
            raise ValidationError(_l("Choose automatic or manual."))

    def validate_department_id(self, field):
        raw = (field.raw_data or [""])[0] if field.raw_data else ""
        if self.provisioning.data != Provisioning.manual.value:
            field.data = None  # an automatic plan has no department: whatever was sent is ignored
            return
        if not raw:
            raise ValidationError(_l("Choose the department that handles this manual plan."))
        if field.data not in {choice.value for choice in field.choices if choice.value != ""}:
            raise ValidationError(_l("Choose one of the departments."))

    def values(self) -> TariffValues:
        provisioning = Provisioning(self.provisioning.data)
        return TariffValues(name_en=self.name_en.data, name_ru=self.name_ru.data or None, price=self.amount,
                            period=BillingPeriod(self.period.data), provisioning=provisioning,
                            department_id=self.department_id.data if provisioning is Provisioning.manual else None)
