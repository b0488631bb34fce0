"""The client area: the client's home and profile. Staff opening it are sent to the console."""
from flask import flash, redirect, url_for
from flask_login import current_user

from webapp.extensions import db
from webapp.finance.ledger import balance
from webapp.forms import form_status
from webapp.htmx import render
from webapp.i18n import current_language, language_changed
from webapp.i18n import gettext as _
from webapp.invoices.service import unpaid_invoices
from webapp.my import bp
from webapp.my.forms import ClientProfileForm
from webapp.my.service import update_client_profile
from webapp.rights import client_area
from webapp.services import operations
from webapp.services.service import client_service_count, client_services
from webapp.settings.service import default_language, default_timezone
from webapp.support.service import open_ticket_count

HOME_ROWS = 5  # the latest services on the client's home; the rest on /my/services


@bp.route("", strict_slashes=False)
@client_area
def index():
    """The client's home: services, balance, open tickets and unpaid invoices at a glance."""
    client = current_user._get_current_object()
    services = db.session.execute(client_services(client).limit(HOME_ROWS)).all()
    return render("my/index.html", client=client, open_tickets=open_ticket_count(client), services=services,
                  service_count=client_service_count(client), balance=balance(client.id),
                  unpaid=unpaid_invoices(client), russian=current_language() == "ru",
                  status_labels=operations.status_labels(), waiting=operations.waiting_labels())


@bp.route("/profile", methods=["GET", "POST"])
@client_area
def profile():
    client = current_user._get_current_object()
    form = ClientProfileForm(account=client, data={"locale": client.locale or default_language(),
                                                   "timezone": client.timezone or default_timezone(),
                                                   "version": client.version})
    if form.validate_on_submit():
        changes = update_client_profile(client, form.locale.data, form.timezone.data, form.new_password.data or None,
                                        form.version.data, client.session_token)
        db.session.commit()
        if "my.language" in changes:
            language_changed()  # the message below in the language just chosen
        if "my.password" in changes:
            flash(_("Your profile is saved. Your password has changed: your other sessions have ended."), "success")
        else:
            flash(_("Your profile is saved.") if changes else _("Nothing has changed."), "success")
        return redirect(url_for("my.profile"))
    return render("my/profile.html", form=form, status=form_status(form))
