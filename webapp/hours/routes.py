"""Business hours pages: list, create, edit, delete with confirmation; a weekday's row of intervals for HTMX;
a schedule's holidays: list by year, add one, remove one with confirmation, load a country's public holidays."""
from datetime import UTC, datetime

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import format_date
from flask_login import current_user

from webapp.extensions import db
from webapp.forms import Form, form_status
from webapp.hours import bp
from webapp.hours.forms import HolidayForm, HoursForm, LoadHolidaysForm, edited_day, initial_data
from webapp.hours.service import (
    add_holiday,
    country_of_zone,
    create_schedule,
    delete_schedule,
    departments_using,
    get_holiday_or_404,
    get_schedule_or_404,
    holiday_year_shown,
    holiday_years,
    holidays_in,
    list_schedules,
    load_public_holidays,
    loaded_message,
    remove_holiday,
    update_schedule,
    usage_counts,
)
from webapp.htmx import render
from webapp.i18n import current_language
from webapp.i18n import gettext as _
from webapp.ids import parse_id
from webapp.lists import paginate, search_text
from webapp.rights import requires
from webapp.settings.service import default_timezone


@bp.route("/")
@requires("departments.edit")
def index():
    q = search_text()
    pagination = paginate(list_schedules(q), current_app.config["DEPARTMENTS_PER_PAGE"])
    return render("hours/index.html", pagination=pagination, q=q, now=datetime.now(UTC),
                  usage=usage_counts(pagination.items))


@bp.route("/new", methods=["GET", "POST"])
@requires("departments.edit")
def new():
    form = HoursForm(data=None if request.method == "POST" else initial_data(None, default_timezone()))
    if request.method == "POST" and form.edit_rows(request.form):  # "Add interval" / "Remove" without JS
        return render("hours/form.html", form=form, hours=None, departments=[])
    if form.validate_on_submit():
        hours = create_schedule(current_user, form.name_en.data, form.name_ru.data, form.timezone.data, form.week())
        db.session.commit()
        flash(_("Business hours “%(name)s” created.", name=hours.name), "success")
        return redirect(url_for("hours.index"))
    return render("hours/form.html", form=form, hours=None, departments=[], status=form_status(form))


@bp.route("/<int:hours_id>", methods=["GET", "POST"])
@requires("departments.edit")
def edit(hours_id: int):
    hours = get_schedule_or_404(hours_id)
    # On a submit only the request counts: an input left out (disabled) must not fall back to stored times.
    form = HoursForm(data=None if request.method == "POST" else initial_data(hours, hours.timezone),
                     schedule=hours)
    if request.method == "POST" and form.edit_rows(request.form):  # "Add interval" / "Remove" without JS
        return render("hours/form.html", form=form, hours=hours, departments=departments_using(hours))
    if form.validate_on_submit():
        update_schedule(current_user, hours, form.name_en.data, form.name_ru.data, form.timezone.data,
                        form.week(), form.version.data)
        db.session.commit()
        flash(_("Business hours “%(name)s” saved.", name=hours.name), "success")
        return redirect(url_for("hours.index"))
    return render("hours/form.html", form=form, hours=hours, departments=departments_using(hours),
                  status=form_status(form))


@bp.route("/day-row")
@requires("departments.edit")
def day_row():
    """A weekday's row again with an interval more or less, keeping what was typed (HTMX "Add interval",
    "Remove"); it reads and writes nothing stored."""
    day = edited_day(request.args)
    if day is None:
        abort(400, _("Say which weekday’s interval to add or remove."))
    return render("hours/_day_row.html", sub=day)


@bp.route("/<int:hours_id>/delete", methods=["GET", "POST"])
@requires("departments.edit")
def delete(hours_id: int):
    hours = get_schedule_or_404(hours_id)
    form = Form()
    if form.validate_on_submit():
        name = hours.name
        delete_schedule(current_user, hours)
        db.session.commit()
        flash(_("Business hours “%(name)s” deleted.", name=name), "success")
        return redirect(url_for("hours.index"))
    return render("hours/delete.html", form=form, hours=hours, departments=departments_using(hours))


# --- holidays ------------------------------------------------------------------------------------------

def _holidays_page(hours, form: HolidayForm, load_form: LoadHolidaysForm | None = None, status: int = 200):
    """The holidays of the year asked for (or the nearest one that has some), with both forms."""
    years = holiday_years(hours)
    year = holiday_year_shown(hours, years, parse_id(request.args.get("year")))
    if load_form is None:  # the schedule's country when its zone tells, and the year shown
        load_form = LoadHolidaysForm(formdata=None, data={"country": country_of_zone(hours.timezone) or "",
                                                          "year": year})
    return render("hours/holidays.html", hours=hours, form=form, load_form=load_form, years=years, year=year,
                  holidays=holidays_in(hours, year), status=status)


@bp.route("/<int:hours_id>/holidays", methods=["GET", "POST"])
@requires("departments.edit")
def holidays(hours_id: int):
    hours = get_schedule_or_404(hours_id)
    form = HolidayForm(schedule=hours)
    if form.validate_on_submit():
        day, name = form.date.data, form.name.data
        if add_holiday(current_user, hours, day, name):
            flash(_("Holiday “%(name)s” on %(date)s added.", name=name, date=format_date(day, "long")), "success")
        else:  # added by someone else a moment ago
            flash(_("%(date)s is a holiday already; nothing was added.", date=format_date(day, "long")), "info")
        db.session.commit()
        return redirect(url_for("hours.holidays", hours_id=hours.id, year=day.year))
    return _holidays_page(hours, form, status=form_status(form))


@bp.route("/<int:hours_id>/holidays/load", methods=["POST"])
@requires("departments.edit")
def load_holidays(hours_id: int):
    hours = get_schedule_or_404(hours_id)
    form = LoadHolidaysForm()
    if form.validate_on_submit():
        country, year = form.country.data, form.year.data
        added, skipped = load_public_holidays(current_user, hours, country, year, current_language())
        db.session.commit()
        flash(loaded_message(country, year, added, skipped), "success" if added else "info")
        return redirect(url_for("hours.holidays", hours_id=hours.id, year=year))
    return _holidays_page(hours, HolidayForm(formdata=None, schedule=hours), form, status=422)


@bp.route("/<int:hours_id>/holidays/<int:holiday_id>/delete", methods=["GET", "POST"])
@requires("departments.edit")
def delete_holiday(hours_id: int, holiday_id: int):
    hours = get_schedule_or_404(hours_id)
    holiday = get_holiday_or_404(hours, holiday_id)
    form = Form()
    if form.validate_on_submit():
        day, name = holiday.date, holiday.name
        remove_holiday(current_user, hours, holiday)
        db.session.commit()
        flash(_("Holiday “%(name)s” on %(date)s removed.", name=name, date=format_date(day, "long")), "success")
        return redirect(url_for("hours.holidays", hours_id=hours.id, year=day.year))
    return render("hours/delete_holiday.html", form=form, hours=hours, holiday=holiday)
