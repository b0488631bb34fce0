"""The business hours form: a name, a time zone and seven weekday rows."""
from datetime import time

from wtforms import FormField, SelectChoice, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import TextInput

from webapp.forms import Form, SubForm, VersionField
from webapp.hours.service import DayHours, timezone_choices, timezone_names
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l
from webapp.models import BusinessHours, DayMode
from webapp.models.hours import WEEKDAY_NAMES

MODE_CHOICES = [
    SelectChoice(DayMode.closed.value, _l("Closed")),
    SelectChoice(DayMode.all_day.value, _l("Open 24 hours")),
    SelectChoice(DayMode.hours.value, _l("Open from–to")),
]
MODES = frozenset(choice.value for choice in MODE_CHOICES)
TIME_FORMATS = ["%H:%M", "%H:%M:%S"]  # browsers send seconds when the input has a step under a minute
# A text box for HH:MM rather than <input type=time>, which shows 09:00 AM wherever the browser's locale is
# English: the schedule reads 24-hour in every language, as its summaries do.
TIME_INPUT = {"inputmode": "numeric", "autocomplete": "off", "maxlength": 8, "placeholder": _l("HH:MM"),
              "pattern": "([01]?[0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?", "data-time": True}
DAY_FIELDS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_OPENS, DEFAULT_CLOSES = time(9), time(18)


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class DayForm(SubForm):
    """One weekday; its messages name the weekday, and the times count only when open for set hours."""
    weekday = 0

    mode = SelectField(_l("Mode"), choices=MODE_CHOICES, validate_choice=False,
                       render_kw={"data-day-mode": True})
    opens = TimeField(_l("Opens"), format=TIME_FORMATS, widget=TextInput(), render_kw=TIME_INPUT)
    closes = TimeField(_l("Closes"), format=TIME_FORMATS, widget=TextInput(), render_kw=TIME_INPUT)

    @property
    def weekday_name(self) -> str:
        return str(WEEKDAY_NAMES[self.weekday])

    @property
    def open_for_hours(self) -> bool:
        return self.mode.data == DayMode.hours.value

    def validate(self, extra_validators=None):
        for time_field in (self.opens, self.closes):
            time_field.process_errors = []  # WTForms' "Not a valid time value." gives way to ours below
            if not self.open_for_hours:
                time_field.data = None
        return super().validate(extra_validators)

    def validate_mode(self, field):
        if field.data not in MODES:
            raise ValidationError(_("%(day)s: choose closed, open 24 hours or open from–to.",
                                    day=self.weekday_name))

    def validate_opens(self, field):
        if self.open_for_hours and field.data is None:
            raise ValidationError(_("%(day)s: enter the opening time (HH:MM).", day=self.weekday_name))

    def validate_closes(self, field):
        if not self.open_for_hours:
            return
        if field.data is None:
            raise ValidationError(_("%(day)s: enter the closing time (HH:MM).", day=self.weekday_name))
        if self.opens.data is not None and field.data <= self.opens.data:
            raise ValidationError(_("%(day)s: the closing time must be later than the opening time.",
                                    day=self.weekday_name))

    def day_hours(self) -> DayHours:
        return DayHours(DayMode(self.mode.data), self.opens.data, self.closes.data)


def _day(weekday: int) -> FormField:
    return FormField(type(f"Day{weekday}Form", (DayForm,), {"weekday": weekday}), label=WEEKDAY_NAMES[weekday])


class HoursForm(Form):
    name_en = StringField(_l("Name (English)"), filters=[_strip], validators=[
        DataRequired(_l("Enter a name for these business hours.")),
        Length(max=120, message=_l("At most 120 characters.")),
    ])
    name_ru = StringField(_l("Name (Русский)"), filters=[_strip], validators=[
        Length(max=120, message=_l("At most 120 characters.")),
    ])
    version = VersionField()
    timezone = SelectField(_l("Time zone"), validate_choice=False)
    monday = _day(0)
    tuesday = _day(1)
    wednesday = _day(2)
    thursday = _day(3)
    friday = _day(4)
    saturday = _day(5)
    sunday = _day(6)

    def __init__(self, *args, schedule: BusinessHours | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.schedule = schedule
        self.timezone.choices = timezone_choices(self.timezone.data)

    @property
    def days(self) -> list[FormField]:
        return [getattr(self, name) for name in DAY_FIELDS]

    def validate_name_en(self, field):
        if BusinessHours.name_taken(field.data, self.schedule.id if self.schedule else None):
            raise ValidationError(_("Business hours called “%(name)s” already exist.", name=field.data))

    def validate_name_ru(self, field):
        if BusinessHours.name_taken(field.data, self.schedule.id if self.schedule else None, russian=True):
            raise ValidationError(_("Business hours called “%(name)s” already exist.", name=field.data))

    def validate_timezone(self, field):
        if field.data not in timezone_names():
            raise ValidationError(_("Choose a time zone from the list."))

    def week(self) -> list[DayHours]:
        return [day.form.day_hours() for day in self.days]


def initial_data(hours: BusinessHours | None, default_timezone: str) -> dict:
    """What the form shows before a submit: the schedule, or Monday to Friday 09:00–18:00."""
    data: dict = {"name_en": hours.name_en if hours else "", "name_ru": hours.name_ru if hours else "",
                  "version": hours.version if hours else None,
                  "timezone": hours.timezone if hours else default_timezone}
    for weekday, day_field in enumerate(DAY_FIELDS):
        day = hours.day(weekday) if hours else None
        if day is not None:
            data[day_field] = {"mode": day.mode.value, "opens": day.opens, "closes": day.closes}
        elif hours is None and weekday < 5:
            data[day_field] = {"mode": DayMode.hours.value, "opens": DEFAULT_OPENS, "closes": DEFAULT_CLOSES}
        else:
            data[day_field] = {"mode": DayMode.closed.value}
    return data
