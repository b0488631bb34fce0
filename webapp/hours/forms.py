"""The business hours form (a name, a time zone and seven weekday rows of intervals) and the holidays' forms."""
from datetime import time

from flask_babel import format_date
from wtforms import DateField, FieldList, FormField, IntegerField, SelectChoice, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import TextInput

from webapp.forms import Form, SubForm, VersionField
from webapp.hours.service import (
    HOLIDAY_NAME_LENGTH,
    HOLIDAY_YEARS,
    DayHours,
    country_choices,
    holiday_on,
    supported_countries,
    timezone_choices,
    timezone_names,
)
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l
from webapp.i18n import ngettext
from webapp.models import BusinessHours, DayMode
from webapp.models.hours import MAX_INTERVALS, WEEKDAY_NAMES

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


def _entered(field) -> bool:
    return bool(field.raw_data and str(field.raw_data[0]).strip())


class IntervalForm(SubForm):
    """One open interval of a day: from–to. Its messages come from the day, which knows its name."""
    opens = TimeField(_l("Opens"), format=TIME_FORMATS, widget=TextInput(), render_kw=TIME_INPUT)
    closes = TimeField(_l("Closes"), format=TIME_FORMATS, widget=TextInput(), render_kw=TIME_INPUT)


class DayForm(SubForm):
    """One weekday: a mode and, when open for set hours, one to MAX_INTERVALS intervals. Its messages name
    the weekday; a row left blank is ignored, and times count only when the day is open for set hours."""
    weekday = 0

    mode = SelectField(_l("Mode"), choices=MODE_CHOICES, validate_choice=False,
                       render_kw={"data-day-mode": True})
    # One more than allowed is read, so that a fifth interval is refused with a message, not dropped.
    intervals = FieldList(FormField(IntervalForm), min_entries=1, max_entries=MAX_INTERVALS + 1)

    focus_id: str | None = None  # the input to focus after "Add interval" or "Remove" (the row's re-render)

    @property
    def weekday_name(self) -> str:
        return str(WEEKDAY_NAMES[self.weekday])

    @property
    def open_for_hours(self) -> bool:
        return self.mode.data == DayMode.hours.value

    @property
    def field_name(self) -> str:
        return DAY_FIELDS[self.weekday]

    @property
    def can_add_interval(self) -> bool:
        return len(self.intervals) < MAX_INTERVALS

    def validate(self, extra_validators=None):
        for entry in self.intervals:
            for time_field in (entry.opens, entry.closes):
                time_field.process_errors = []  # WTForms' "Not a valid time value." gives way to ours below
                if not self.open_for_hours:
                    time_field.data = None
        valid = super().validate(extra_validators)
        if not self._check_intervals():
            valid = False
            # FieldList gathered its rows' errors while validating; ours came after.
            self.intervals.errors = [entry.errors for entry in self.intervals]
        return valid

    def validate_mode(self, field):
        if field.data not in MODES:
            raise ValidationError(_("%(day)s: choose closed, open 24 hours or open from–to.",
                                    day=self.weekday_name))

    def _filled(self) -> list:
        """The interval rows with anything typed in; the first row stands for a day left all blank."""
        filled = [e for e in self.intervals if _entered(e.opens) or _entered(e.closes) or
                  e.opens.data is not None or e.closes.data is not None]
        return filled or self.intervals.entries[:1]

    def _check_intervals(self) -> bool:
        if not self.open_for_hours:
            return True
        day, valid, complete = self.weekday_name, True, []
        for number, entry in enumerate(self._filled(), start=1):
            if number > MAX_INTERVALS:
                entry.opens.errors.append(ngettext("%(day)s: at most %(num)d interval a day.",
                                                   "%(day)s: at most %(num)d intervals a day.",
                                                   MAX_INTERVALS, day=day))
                return False
            if entry.opens.data is None:
                entry.opens.errors.append(_("%(day)s: enter the opening time (HH:MM).", day=day))
                valid = False
            if entry.closes.data is None:
                entry.closes.errors.append(_("%(day)s: enter the closing time (HH:MM).", day=day))
                valid = False
            elif entry.opens.data is not None and entry.closes.data <= entry.opens.data:
                entry.closes.errors.append(_("%(day)s: the closing time must be later than the opening time.",
                                             day=day))
                valid = False
            else:
                complete.append(entry)
        if not valid:
            return False
        complete.sort(key=lambda e: e.opens.data)
        for earlier, later in zip(complete, complete[1:]):
            if later.opens.data <= earlier.closes.data:
                later.opens.errors.append(_(
                    "%(day)s: the intervals %(first)s and %(second)s overlap; join them into one or leave a gap "
                    "between them.", day=day, first=_span(earlier), second=_span(later)))
                return False
        return True

    def day_hours(self) -> DayHours:
        mode = DayMode(self.mode.data)
        if mode is not DayMode.hours:
            return DayHours(mode)
        return DayHours(mode, tuple((e.opens.data, e.closes.data) for e in self._filled()))

    def add_interval(self) -> None:
        """One more blank interval row (up to the limit), focused."""
        if len(self.intervals) < MAX_INTERVALS:
            self.focus_id = self.intervals.append_entry().opens.id

    def remove_interval(self, entry_name: str) -> None:
        """Take out the interval row of that name; the last one stays (close the day with its mode instead)."""
        kept = [e for e in self.intervals if e.name != entry_name]
        if kept and len(kept) < len(self.intervals):
            self.intervals.entries = kept
            # Rows numbered 0..n-1 again, as WTForms numbers them when it reads a submit (WTForms 3.3), so
            # that each "Remove" names its own row in the next request too.
            self.intervals._compact_indices()
        self.focus_id = f"{self.field_name}-add-interval"


def _span(entry) -> str:
    return f"{entry.opens.data:%H:%M}–{entry.closes.data:%H:%M}"


DAY_FORMS = tuple(type(f"Day{weekday}Form", (DayForm,), {"weekday": weekday}) for weekday in range(7))


def _day(weekday: int) -> FormField:
    return FormField(DAY_FORMS[weekday], label=WEEKDAY_NAMES[weekday])


def edit_rows(formdata, day_of) -> DayForm | None:
    """ "Add interval" (add_interval=monday) or "Remove" (remove_interval=monday-intervals-1) as its button
    sent it: that day's form (day_of(name)) changed accordingly, or None when neither was asked for."""
    add, remove = formdata.get("add_interval"), formdata.get("remove_interval")
    name = add or (remove or "").split("-", 1)[0]
    day = day_of(name) if name in DAY_FIELDS else None
    if day is None:
        return None
    if add:
        day.add_interval()
    else:
        day.remove_interval(remove)
    return day


def edited_day(formdata) -> DayForm | None:
    """One weekday's form on its own, read from the row's inputs and changed as its button asked: the row
    that the HTMX "Add interval" and "Remove" swap in. None when the request names no day."""
    return edit_rows(formdata, lambda name: DAY_FORMS[DAY_FIELDS.index(name)](formdata=formdata,
                                                                             prefix=f"{name}-"))


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
    max_intervals = MAX_INTERVALS
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

    def edit_rows(self, formdata) -> DayForm | None:
        """ "Add interval" or "Remove" pressed without JavaScript: the form changed, to be shown again."""
        return edit_rows(formdata, lambda name: getattr(self, name).form)


def initial_data(hours: BusinessHours | None, default_timezone: str) -> dict:
    """What the form shows before a submit: the schedule, or Monday to Friday 09:00–18:00."""
    data: dict = {"name_en": hours.name_en if hours else "", "name_ru": hours.name_ru if hours else "",
                  "version": hours.version if hours else None,
                  "timezone": hours.timezone if hours else default_timezone}
    for weekday, day_field in enumerate(DAY_FIELDS):
        day = hours.day(weekday) if hours else None
        if day is not None:
            data[day_field] = {"mode": day.mode.value,
                               "intervals": [{"opens": i.opens, "closes": i.closes} for i in day.intervals]}
        elif hours is None and weekday < 5:
            data[day_field] = {"mode": DayMode.hours.value,
                               "intervals": [{"opens": DEFAULT_OPENS, "closes": DEFAULT_CLOSES}]}
        else:
            data[day_field] = {"mode": DayMode.closed.value}
    return data


# --- holidays ------------------------------------------------------------------------------------------

def _years_message() -> str:
    return _("Enter a year from %(first)d to %(last)d.", first=HOLIDAY_YEARS[0], last=HOLIDAY_YEARS[-1])


class HolidayForm(Form):
    """One holiday added by hand: a date the schedule is closed, and its name."""
    date = DateField(_l("Date"))
    name = StringField(_l("Name"), filters=[_strip], validators=[
        DataRequired(_l("Enter the holiday’s name.")),
        Length(max=HOLIDAY_NAME_LENGTH, message=_l("At most 120 characters.")),
    ])

    def __init__(self, *args, schedule: BusinessHours, **kwargs):
        super().__init__(*args, **kwargs)
        self.schedule = schedule

    def validate_date(self, field):
        if field.data is None:
            raise ValidationError(_("Enter the date as YYYY-MM-DD, for example 2027-01-01."))
        if field.data.year not in HOLIDAY_YEARS:
            raise ValidationError(_years_message())
        existing = holiday_on(self.schedule, field.data)
        if existing is not None:
            raise ValidationError(_("%(date)s is a holiday already: “%(name)s”.",
                                    date=format_date(field.data, "long"), name=existing.name))

    def validate(self, extra_validators=None):
        self.date.process_errors = []  # "Not a valid date value." gives way to a message that says what to do
        return super().validate(extra_validators)


class LoadHolidaysForm(Form):
    """A country's public holidays for a year, from the `holidays` package."""
    country = SelectField(_l("Country"), validate_choice=False)
    year = IntegerField(_l("Year"))
    first_year, last_year = HOLIDAY_YEARS[0], HOLIDAY_YEARS[-1]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = [("", _("Choose a country…")), *country_choices()]

    def validate(self, extra_validators=None):
        self.year.process_errors = []  # "Not a valid integer value." gives way to ours
        return super().validate(extra_validators)

    def validate_country(self, field):
        if field.data not in supported_countries():
            raise ValidationError(_("Choose a country from the list."))

    def validate_year(self, field):
        if field.data is None or field.data not in HOLIDAY_YEARS:
            raise ValidationError(_years_message())
