"""/settings: the company (/settings), outgoing mail with a test message (/settings/email), the SMS gateway
(/settings/sms); each its own form and version check."""
from flask import flash, redirect, url_for
from flask_login import current_user

from webapp.extensions import db
from webapp.forms import form_status
from webapp.htmx import render
from webapp.i18n import gettext as _
from webapp.outbox.delivery import smtp_settings
from webapp.outbox.service import queue_test_message
from webapp.rights import requires
from webapp.settings import bp
from webapp.settings.forms import (
    CompanyForm,
    SmsForm,
    SmtpForm,
    TestEmailForm,
    company_data,
    sms_data,
    smtp_data,
)
from webapp.settings.service import company_settings, save_settings


def _saved(section: str, form, endpoint: str):
    changes = save_settings(current_user, section, form.values(), form.version.data)
    db.session.commit()
    flash(_("The settings are saved.") if changes else _("Nothing has changed."), "success")
    return redirect(url_for(endpoint))


@bp.route("", methods=["GET", "POST"], strict_slashes=False)
@requires("settings.edit")
def edit():
    form = CompanyForm(data=company_data(company_settings()))
    if form.validate_on_submit():
        return _saved("company", form, "settings.edit")
    return render("settings/company.html", form=form, status=form_status(form))


@bp.route("/email", methods=["GET", "POST"])
@requires("settings.edit")
def email():
    form = SmtpForm(data=smtp_data(company_settings()))
    if form.validate_on_submit():
        return _saved("email", form, "settings.email")
    return _email_page(form, TestEmailForm(formdata=None, data={"to": current_user.email}), form_status(form))


@bp.route("/email/test", methods=["POST"])
@requires("settings.edit")
def test_email():
    form = TestEmailForm()
    if not form.validate_on_submit():
        return _email_page(SmtpForm(formdata=None, data=smtp_data(company_settings())), form, 422)
    queue_test_message(current_user, to=form.to.data)
    db.session.commit()
    if smtp_settings() is None:
        flash(_("A test message to %(email)s is in the outbox, held until an SMTP server is configured.",
                email=form.to.data), "info")
    else:
        flash(_("A test message to %(email)s is in the outbox.", email=form.to.data), "success")
    return redirect(url_for("settings.email"))


@bp.route("/sms", methods=["GET", "POST"])
@requires("settings.edit")
def sms():
    settings = company_settings()
    form = SmsForm(data=sms_data(settings))
    if form.validate_on_submit():
        return _saved("sms", form, "settings.sms")
    return render("settings/sms.html", form=form, status=form_status(form),
                  stored_authorization=bool(settings.sms_authorization))


def _email_page(form, test_form, status: int):
    settings = company_settings()
    return render("settings/email.html", form=form, test_form=test_form, status=status,
                  stored_password=bool(settings.smtp_password), smtp=smtp_settings())
