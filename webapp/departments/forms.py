"""The department form."""
from flask import current_app
from sqlalchemy import select
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from webapp.extensions import db
from webapp.forms import Form, VersionField
from webapp.i18n import lazy_gettext as _l
from webapp.ids import parse_id
from webapp.models import AssignmentMode, BusinessHours, ClientGroup, DayMode, Department
from webapp.models.tickets import ASSIGNMENT_LABELS
from webapp.staff.forms import MultiCheckboxField

DEFAULT_TARGET = 4  # business hours, as the issue asks
DEFAULT_TASK_TARGET = 8  # business hours a task may take (the billing issue)


def _assignment(value) -> str:
    return value.value if isinstance(value, AssignmentMode) else str(value or AssignmentMode.off.value)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class DepartmentForm(Form):
    name_en = StringField(_l("Name (English)"), filters=[_strip], validators=[
        DataRequired(_l("Enter the department's name.")),
        Length(max=120, message=_l("At most 120 characters."))])
    name_ru = StringField(_l("Name (Русский)"), filters=[_strip], validators=[
        Optional(), Length(max=120, message=_l("At most 120 characters."))])
    business_hours_id = SelectField(_l("Business hours"), coerce=parse_id, validate_choice=False)
    show_in_support = BooleanField(_l("Show in Support center"))
    task_locale = SelectField(_l("Task localization"), validate_choice=False)
    client_group_ids = MultiCheckboxField(_l("Visible to client groups"), coerce=int)
    response_target_hours = IntegerField(_l("Response target (business hours)"), default=DEFAULT_TARGET, validators=[
        Optional(), NumberRange(min=1, max=720, message=_l("Between 1 and 720 business hours."))])
    task_target_hours = IntegerField(_l("Task target (business hours)"), default=DEFAULT_TASK_TARGET, validators=[
        Optional(), NumberRange(min=1, max=1000, message=_l("Between 1 and 1000 business hours."))])
    assignment = SelectField(_l("Automatic assignment"), coerce=_assignment, default=AssignmentMode.off.value,
                             choices=[SelectChoice(mode.value, label) for mode, label in ASSIGNMENT_LABELS.items()],
                             validate_choice=False)
    version = VersionField()

    def __init__(self, *args, department: Department | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.department = department
        self.business_hours_id.choices = [
            SelectChoice(h.id, h.name) for h in db.session.scalars(select(BusinessHours).order_by(BusinessHours.name_key))
        ]
        self.task_locale.choices = [SelectChoice(code, name) for code, name in current_app.config["LANGUAGES"].items()]
        self.client_group_ids.choices = [
            SelectChoice(g.id, g.name) for g in db.session.scalars(select(ClientGroup).order_by(ClientGroup.name_key))]

    def validate_name_en(self, field):
        if Department.name_taken(field.data, self.department.id if self.department else None):
            raise ValidationError(_l("A department with this name already exists."))

    def validate_name_ru(self, field):
        if Department.name_taken(field.data, self.department.id if self.department else None, russian=True):
            raise ValidationError(_l("A department with this name already exists."))

    def validate_business_hours_id(self, field):
        if field.data not in {choice.value for choice in field.choices}:
            raise ValidationError(_l("Choose one of the schedules."))

    def validate_show_in_support(self, field):
        if not field.data or self.business_hours_id.data is None:
            return
        hours = db.session.get(BusinessHours, self.business_hours_id.data)
        if hours is not None and all(day.mode is DayMode.closed for day in hours.days):
            raise ValidationError(_l("The chosen business hours have no open hours at all: clients could not "
                                     "expect an answer. Choose business hours that open, or do not show the "
                                     "department in the support center."))

    def validate_assignment(self, field):
        if field.data not in {mode.value for mode in AssignmentMode}:
            raise ValidationError(_l("Choose off, round robin or fewest open tickets."))

    def validate_task_locale(self, field):
        if field.data not in current_app.config["LANGUAGES"]:
            raise ValidationError(_l("Choose one of the languages."))

    def values(self) -> dict:
        """The fields the form declares, and nothing else (no mass assignment)."""
        return {
            "name_en": self.name_en.data,
            "name_ru": self.name_ru.data or None,
            "business_hours_id": self.business_hours_id.data,
            "show_in_support": bool(self.show_in_support.data),
            "task_locale": self.task_locale.data,
            "response_target_hours": self.response_target_hours.data or DEFAULT_TARGET,  # left empty: the default
            "task_target_hours": self.task_target_hours.data or DEFAULT_TASK_TARGET,
            "assignment": AssignmentMode(self.assignment.data),
        }

    def group_ids(self) -> set[int]:
        return set(self.client_group_ids.data or ())
