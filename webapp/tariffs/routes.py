"""Tariff plan pages: the list, a plan's form, archiving and bringing back."""
from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from webapp.extensions import db
from webapp.forms import form_status
from webapp.htmx import render
from webapp.i18n import gettext as _
from webapp.lists import kept, paginate_rows, search_text
from webapp.models import Tariff
from webapp.money import company_currency
from webapp.rights import requires
from webapp.tariffs import bp, service
from webapp.tariffs.forms import ArchiveForm, TariffForm
from webapp.tariffs.rows import tariff_rows


@bp.route("", strict_slashes=False)
@requires("tariffs.view")
def index():
    q = search_text()
    show = request.args.get("show", "active")
    show = show if show in service.SHOW_FILTERS else "active"
    statement = kept(("tariffs", q, show), lambda: service.list_tariffs(q, show))
    pagination = paginate_rows(statement, current_app.config["TARIFFS_PER_PAGE"], Tariff.id,
                               count=not q)
    return render("tariffs/index.html", pagination=pagination, q=q, show=show, rows=tariff_rows(pagination.items),
                  status=404 if pagination.page > 1 and not pagination.items else 200)


@bp.route("/new", methods=["GET", "POST"])
@requires("tariffs.view", "tariffs.edit")
def new():
    form = TariffForm()
    if form.validate_on_submit():
        tariff = service.create_tariff(current_user, form.values())
        db.session.commit()
        flash(_("Tariff plan “%(name)s” created.", name=tariff.name), "success")
        return redirect(url_for(".index"))
    return render("tariffs/form.html", form=form, tariff=None, currency=company_currency(), status=form_status(form))


@bp.route("/<int:tariff_id>", methods=["GET", "POST"])
@requires("tariffs.view", post=("tariffs.edit",))
def edit(tariff_id: int):
    tariff = service.get_tariff_or_404(tariff_id)
    form = TariffForm(tariff=tariff, data=None if request.method == "POST" else {
        "name_en": tariff.name_en, "name_ru": tariff.name_ru, "price": f"{tariff.price:.2f}",
        "period": tariff.period.value, "provisioning": tariff.provisioning.value,
        "department_id": tariff.department_id, "version": tariff.version})
    if form.validate_on_submit():
        service.update_tariff(current_user, tariff, form.values(), form.version.data)
        db.session.commit()
        flash(_("Tariff plan “%(name)s” saved.", name=tariff.name), "success")
        return redirect(url_for(".index"))
    return render("tariffs/form.html", form=form, tariff=tariff, currency=company_currency(), services=service.live_service_counts([tariff.id]),
                  archive_form=ArchiveForm(data={"version": tariff.version}), status=form_status(form))


@bp.route("/<int:tariff_id>/archive", methods=["GET", "POST"])
@requires("tariffs.view", "tariffs.edit")
def archive(tariff_id: int):
    tariff = service.get_tariff_or_404(tariff_id)
    form = ArchiveForm(data=None if request.method == "POST" else {"version": tariff.version})
    if form.validate_on_submit():
        service.set_archived(current_user, tariff, True, form.version.data)
        db.session.commit()
        flash(_("Tariff plan “%(name)s” archived: clients can no longer order it.", name=tariff.name), "success")
        return redirect(url_for(".index"))
    return render("tariffs/archive.html", form=form, tariff=tariff,
                  services=service.live_service_counts([tariff.id]).get(tariff.id, 0), status=form_status(form))


@bp.route("/<int:tariff_id>/unarchive", methods=["POST"])
@requires("tariffs.view", "tariffs.edit")
def unarchive(tariff_id: int):
    tariff = service.get_tariff_or_404(tariff_id)
    form = ArchiveForm()
    if form.validate_on_submit():
        service.set_archived(current_user, tariff, False, form.version.data)
        db.session.commit()
        flash(_("Tariff plan “%(name)s” is active again: clients can order it.", name=tariff.name), "success")
    return redirect(url_for(".edit", tariff_id=tariff.id))
