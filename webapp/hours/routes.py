"""Business hours pages: list, create, edit, and delete with confirmation."""
from datetime import UTC, datetime

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from webapp.extensions import db
from webapp.forms import Form, form_status
from webapp.hours import bp
from webapp.hours.forms import HoursForm, initial_data
from webapp.hours.service import (
    create_schedule,
    delete_schedule,
    departments_using,
    get_schedule_or_404,
    list_schedules,
    server_timezone,
    update_schedule,
    usage_counts,
)
from webapp.htmx import render
from webapp.i18n import gettext as _
from webapp.lists import paginate, search_text
from webapp.rights import requires


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
    form = HoursForm(data=None if request.method == "POST" else initial_data(None, server_timezone()))
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
    if form.validate_on_submit():
        update_schedule(current_user, hours, form.name_en.data, form.name_ru.data, form.timezone.data,
                        form.week(), form.version.data)
        db.session.commit()
        flash(_("Business hours “%(name)s” saved.", name=hours.name), "success")
        return redirect(url_for("hours.index"))
    return render("hours/form.html", form=form, hours=hours, departments=departments_using(hours),
                  status=form_status(form))


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
