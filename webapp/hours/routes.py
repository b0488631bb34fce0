"""Business hours pages: list, create, edit, and delete with confirmation."""
from datetime import UTC, datetime

from flask import flash, redirect, request, url_for
from flask_login import current_user

from webapp.extensions import db
from webapp.forms import Form
from webapp.hours import bp
from webapp.hours.forms import HoursForm, initial_data
from webapp.hours.service import (
    ScheduleInUse,
    create_schedule,
    delete_schedule,
    departments_using,
    schedules_with_usage,
    server_timezone,
    update_schedule,
)
from webapp.htmx import render
from webapp.i18n import gettext as _
from webapp.models import BusinessHours
from webapp.rights import requires


@bp.route("/")
@requires("departments.edit")
def index():
    return render("hours/index.html", schedules=schedules_with_usage(), now=datetime.now(UTC))


@bp.route("/new", methods=["GET", "POST"])
@requires("departments.edit")
def new():
    form = HoursForm(data=None if request.method == "POST" else initial_data(None, server_timezone()))
    if form.validate_on_submit():
        hours = create_schedule(current_user, form.name.data, form.timezone.data, form.week())
        db.session.commit()
        flash(_("Business hours “%(name)s” created.", name=hours.name), "success")
        return redirect(url_for("hours.index"))
    return render("hours/form.html", form=form, hours=None, departments=[],
                  status=422 if form.is_submitted() else 200)


@bp.route("/<int:hours_id>", methods=["GET", "POST"])
@requires("departments.edit")
def edit(hours_id: int):
    hours = db.get_or_404(BusinessHours, hours_id)
    # On a submit only the request counts: an input left out (disabled) must not fall back to stored times.
    form = HoursForm(data=None if request.method == "POST" else initial_data(hours, hours.timezone),
                     schedule=hours)
    if form.validate_on_submit():
        update_schedule(current_user, hours, form.name.data, form.timezone.data, form.week())
        db.session.commit()
        flash(_("Business hours “%(name)s” saved.", name=hours.name), "success")
        return redirect(url_for("hours.index"))
    return render("hours/form.html", form=form, hours=hours, departments=departments_using(hours),
                  status=422 if form.is_submitted() else 200)


@bp.route("/<int:hours_id>/delete", methods=["GET", "POST"])
@requires("departments.edit")
def delete(hours_id: int):
    hours = db.get_or_404(BusinessHours, hours_id)
    form = Form()
    if form.validate_on_submit():
        name = hours.name
        try:
            delete_schedule(current_user, hours)
        except ScheduleInUse as refusal:
            flash(str(refusal), "error")
            return render("hours/delete.html", form=form, hours=hours, departments=refusal.departments,
                          status=409)
        db.session.commit()
        flash(_("Business hours “%(name)s” deleted.", name=name), "success")
        return redirect(url_for("hours.index"))
    return render("hours/delete.html", form=form, hours=hours, departments=departments_using(hours))
