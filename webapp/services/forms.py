"""The reason staff give to suspend, resume or close a service, and a client's order."""
from wtforms import SelectChoice, SelectField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length

from webapp.forms import Form
from webapp.i18n import lazy_gettext as _l
from webapp.ids import parse_id

REASON_MAX = 1000


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _optional_id(value):
    return parse_id(value) if value not in (None, "") else None


class ReasonForm(Form):
    reason = TextAreaField(_l("Reason"), filters=[_strip], validators=[
        DataRequired(_l("Write the reason: it is kept in the service's history.")),
        Length(max=REASON_MAX, message=_l("At most %(max)d characters."))], render_kw={"rows": 3})


class OrderForm(Form):
    tariff = SelectField(_l("Tariff plan"), coerce=_optional_id, validate_choice=False)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.tariff.choices = [SelectChoice("", _l("Choose a plan"))] + [
            SelectChoice(value, label) for value, label in choices]
        self._allowed = {value for value, _label in choices}

    def validate_tariff(self, field):
        if field.data is None:
            raise ValidationError(_l("Choose a tariff plan."))
        if field.data not in self._allowed:
            raise ValidationError(_l("This tariff plan cannot be ordered: choose one of the plans offered."))
