"""The department form."""
from flask import abort, current_app
from sqlalchemy import func, select
from wtforms import BooleanField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from webapp.extensions import db
from webapp.forms import Form
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l
from webapp.models import BusinessHours, Department


class DepartmentForm(Form):
    name_en = StringField(_l("Name (English)"), validators=[
        DataRequired(_l("Enter the department's name.")),
        Length(max=120, message=_l("At most 120 characters."))])
    name_ru = StringField(_l("Name (Русский)"), validators=[
        Optional(), Length(max=120, message=_l("At most 120 characters."))])
    business_hours_id = SelectField(_l("Business hours"), coerce=lambda value: int(value) if str(value).isdigit() else None,
                                    validate_choice=False)
    show_in_support = BooleanField(_l("Show in Support center"))
    task_locale = SelectField(_l("Task localization"), validate_choice=False)

    def __init__(self, *args, department: Department | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.department = department
        self.business_hours_id.choices = [
            SelectChoice(h.id, h.name) for h in db.session.scalars(select(BusinessHours).order_by(BusinessHours.name))
        ]
        self.task_locale.choices = [SelectChoice(code, name) for code, name in current_app.config["LANGUAGES"].items()]

    def validate_name_en(self, field):
        name = field.data.strip()
        query = select(Department.id).where(func.lower(Department.name_en) == name.lower())
        if self.department is not None:
            query = query.where(Department.id != self.department.id)
        if db.session.scalar(query) is not None:
            raise ValidationError(_l("A department with this name already exists."))

    def validate_business_hours_id(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choose one of the schedules."))

    def validate_task_locale(self, field):
        if field.data not in current_app.config["LANGUAGES"]:
            raise ValidationError(_l("Choose one of the languages."))

    def values(self) -> dict:
        """The fields the form declares, and nothing else (no mass assignment)."""
        return {
            "name_en": self.name_en.data.strip(),
            "name_ru": (self.name_ru.data or "").strip() or None,
            "business_hours_id": self.business_hours_id.data,
            "show_in_support": bool(self.show_in_support.data),
            "task_locale": self.task_locale.data,
        }


class StateForm(Form):
    """The wanted state of a toggle: on or off."""

    state = SelectField(choices=[SelectChoice("on"), SelectChoice("off")])


def wanted_state() -> bool:
    """The state a toggle asks for (True for on); a request without a valid one is a 400."""
    form = StateForm()
    if not form.validate_on_submit():
        abort(400, _("The state must be “on” or “off”."))
    return form.state.data == "on"
