"""Client pages for staff: the list, a client's form, and client groups."""
from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user

from webapp.clients import bp, service
from webapp.clients.forms import ClientForm, GroupForm
from webapp.clients.overview import invoice_status_labels, overview, service_status_labels
from webapp.extensions import db
from webapp.finance import payments
from webapp.forms import Form, form_status
from webapp.htmx import render
from webapp.i18n import current_language
from webapp.i18n import gettext as _
from webapp.lists import paginate_rows, search_text
from webapp.models import Account
from webapp.rights import requires
from webapp.settings.service import default_language, default_timezone
from webapp.urls import RowUrl


@bp.route("", strict_slashes=False)
@requires("clients.view")
def index():
    q = search_text()
    pagination = paginate_rows(service.list_clients(q), current_app.config["CLIENTS_PER_PAGE"], Account.id,
                               count=not q)
    return render("clients/index.html", pagination=pagination, q=q, edit_url=RowUrl("clients.edit", "client_id"),
                  russian=current_language() == "ru", status=404 if pagination.page > 1 and not pagination.items
                  else 200)


@bp.route("/new", methods=["GET", "POST"])
@requires("clients.view", "clients.edit")
def new():
    form = ClientForm(data=None if request.method == "POST" else {
        "locale": current_language(), "timezone": default_timezone(), "active": True})
    if form.validate_on_submit():
        client = service.create_client(current_user, form.values())
        db.session.commit()
        flash(_("Client %(name)s created.", name=client.name_en), "success")
        return redirect(url_for("clients.edit", client_id=client.id))
    return render("clients/form.html", form=form, client=None, status=form_status(form))


@bp.route("/<int:client_id>", methods=["GET", "POST"])
@requires("clients.view", post=("clients.edit",))
def edit(client_id: int):
    client = service.get_client_or_404(client_id)
    form = ClientForm(client=client, data=None if request.method == "POST" else {
        "name": client.name_en, "email": client.email, "login": client.login, "locale": client.locale or default_language(),
        "timezone": client.timezone or default_timezone(), "client_group_id": client.client_group_id,
        "active": client.active, "version": client.version})
    if form.validate_on_submit():
        service.update_client(current_user, client, form.values(), form.version.data)
        db.session.commit()
        flash(_("Client %(name)s saved.", name=client.name_en), "success")
        return redirect(url_for("clients.edit", client_id=client.id))
    return render("clients/form.html", form=form, client=client, account=overview(current_user, client),
                  service_statuses=service_status_labels(), invoice_statuses=invoice_status_labels(),
                  payment_statuses=payments.STATUS_LABELS, methods=payments.METHOD_LABELS,
                  russian=current_language() == "ru", status=form_status(form))


@bp.route("/groups", methods=["GET", "POST"])
@requires("clients.view", "clients.edit")
def groups():
    """The groups, and the form that adds one."""
    form = GroupForm()
    if form.validate_on_submit():
        group = service.create_group(current_user, form.name_en.data, form.name_ru.data)
        db.session.commit()
        flash(_("Client group “%(name)s” created.", name=group.name), "success")
        return redirect(url_for("clients.groups"))
    return render("clients/groups.html", form=form, groups=service.groups_with_counts(), status=form_status(form))


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
@requires("clients.view", "clients.edit")
def edit_group(group_id: int):
    group = service.get_group_or_404(group_id)
    form = GroupForm(obj=group, group=group)
    if form.validate_on_submit():
        service.update_group(current_user, group, form.name_en.data, form.name_ru.data, form.version.data)
        db.session.commit()
        flash(_("Client group “%(name)s” saved.", name=group.name), "success")
        return redirect(url_for("clients.groups"))
    return render("clients/group_form.html", form=form, group=group, status=form_status(form))


@bp.route("/groups/<int:group_id>/delete", methods=["GET", "POST"])
@requires("clients.view", "clients.edit")
def delete_group(group_id: int):
    group = service.get_group_or_404(group_id)
    form = Form()
    if form.validate_on_submit():
        name = group.name
        service.delete_group(current_user, group)
        db.session.commit()
        flash(_("Client group “%(name)s” deleted.", name=name), "success")
        return redirect(url_for("clients.groups"))
    return render("clients/group_delete.html", form=form, group=group, members=service.group_members(group),
                  hidden=service.departments_only_for(group))
