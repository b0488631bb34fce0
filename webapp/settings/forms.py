"""The settings forms: the company, outgoing mail (SMTP) with a test message, and the SMS gateway.

Secrets (the SMTP password, the gateway's Authorization header) are write-only: never rendered back; left empty
they keep the stored value; a "clear" box removes it.
"""
import json
from urllib.parse import urlsplit

from babel import Locale
from babel.numbers import list_currencies
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from webapp.forms import Form, VersionField
from webapp.hours.service import server_timezone, timezone_choices, timezone_names
from webapp.i18n import current_language
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l
from webapp.outbox.delivery import SECURITY
from webapp.outbox.sms import METHODS, PLACEHOLDERS, fill, is_json, json_escape, unknown_placeholders, unsafe_host

SMS_GATEWAYS = ("none", "http")


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _upper(value):
    return value.strip().upper() if isinstance(value, str) else value


def _email(field) -> None:
    """An email address (email-validator, no DNS lookup), stored normalized."""
    try:
        field.data = validate_email(field.data, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValidationError(_l("This is not a valid email address.")) from None


def currency_choices() -> list[SelectChoice]:
    """Every ISO 4217 code Babel knows, "EUR — Euro" in the viewer's language."""
    names = Locale.parse(current_language()).currencies
    return [SelectChoice(code, f"{code} — {names[code]}" if code in names else code)
            for code in sorted(list_currencies())]


class CompanyForm(Form):
    company_name = StringField(_l("Company name"), filters=[_strip],
                               validators=[Length(max=200, message=_l("At most 200 characters."))])
    company_address = TextAreaField(_l("Company address"), filters=[_strip],
                                    validators=[Length(max=2000, message=_l("At most 2000 characters."))])
    default_locale = SelectField(_l("Default language"))
    timezone = SelectField(_l("Time zone"), validate_choice=False)
    currency = SelectField(_l("Currency"), filters=[_upper], validate_choice=False)
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.default_locale.choices = [SelectChoice(code, name)
                                       for code, name in current_app.config["LANGUAGES"].items()]
        self.timezone.choices = [SelectChoice("", _("The server's time zone (%(zone)s)", zone=server_timezone()))] + [
            SelectChoice(zone, label) for zone, label in timezone_choices(self.timezone.data) if zone != ""]
        self.currency.choices = currency_choices()

    def validate_timezone(self, field):
        if field.data and field.data not in timezone_names():
            raise ValidationError(_("Choose a time zone from the list."))

    def validate_currency(self, field):
        if field.data not in list_currencies():
            raise ValidationError(_("Choose a currency from the list: an ISO 4217 code such as EUR."))

    def values(self) -> dict:
        return {"company_name": self.company_name.data or "", "company_address": self.company_address.data or "",
                "default_locale": self.default_locale.data, "timezone": self.timezone.data or None,
                "currency": self.currency.data}


class SmtpForm(Form):
    smtp_host = StringField(_l("SMTP host"), filters=[_strip], validators=[
        Length(max=255, message=_l("At most 255 characters."))], render_kw={"autocomplete": "off",
                                                                             "spellcheck": "false"})
    smtp_port = IntegerField(_l("Port"), validators=[
        Optional(), NumberRange(1, 65535, message=_l("A port is a number from 1 to 65535."))])
    smtp_user = StringField(_l("User"), filters=[_strip], validators=[
        Length(max=255, message=_l("At most 255 characters."))], render_kw={"autocomplete": "off"})
    smtp_password = PasswordField(_l("Password"), validators=[Length(max=255, message=_l("At most 255 characters."))],
                                  render_kw={"autocomplete": "new-password"})
    clear_smtp_password = BooleanField(_l("Clear the stored password"))
    smtp_security = SelectField(_l("Security"), choices=[SelectChoice("starttls", "STARTTLS"),
                                                         SelectChoice("ssl", _l("SSL/TLS")),
                                                         SelectChoice("none", _l("None (unencrypted)"))])
    mail_from = StringField(_l("From address"), filters=[_strip], validators=[
        Length(max=254, message=_l("The email address is too long."))], render_kw={"type": "email"})
    version = VersionField()

    def validate_smtp_host(self, field):
        if field.data and (any(ch.isspace() for ch in field.data) or any(ch in field.data for ch in "/@?#")):
            raise ValidationError(_("Enter the server's host name or IP address only, e.g. smtp.example.com."))
        if field.data and unsafe_host(field.data):
            raise ValidationError(_("This address is link-local or cloud metadata (such as 169.254.169.254): it "
                                    "cannot be the SMTP server."))

    def validate_mail_from(self, field):
        if field.data:
            _email(field)
        elif self.smtp_host.data:
            raise ValidationError(_("Enter the address messages are sent from."))

    def values(self) -> dict:
        values = {"smtp_host": self.smtp_host.data or None, "smtp_port": self.smtp_port.data,
                  "smtp_user": self.smtp_user.data or None, "smtp_security": self.smtp_security.data,
                  "mail_from": self.mail_from.data or None}
        if self.clear_smtp_password.data:
            values["smtp_password"] = None
        elif self.smtp_password.data:
            values["smtp_password"] = self.smtp_password.data
        return values


class TestEmailForm(Form):
    to = StringField(_l("Send to"), filters=[_strip], validators=[
        InputRequired(_l("Enter an email address.")), Length(max=254, message=_l("The email address is too long."))],
        render_kw={"type": "email", "autocomplete": "email"})

    def validate_to(self, field):
        _email(field)


class SmsForm(Form):
    sms_gateway = SelectField(_l("SMS gateway"), choices=[SelectChoice("none", _l("None: SMS stay in the outbox")),
                                                          SelectChoice("http", _l("HTTP gateway"))])
    sms_url = StringField(_l("URL"), filters=[_strip], validators=[
        Length(max=500, message=_l("At most 500 characters."))],
        render_kw={"type": "url", "autocomplete": "off", "spellcheck": "false"})
    sms_method = SelectField(_l("Method"), choices=[SelectChoice(method, method) for method in METHODS])
    sms_body_template = TextAreaField(_l("Body template"), filters=[_strip], validators=[
        Length(max=2000, message=_l("At most 2000 characters."))], render_kw={"spellcheck": "false"})
    sms_authorization = PasswordField(_l("Authorization header"), validators=[
        Length(max=500, message=_l("At most 500 characters."))], render_kw={"autocomplete": "off"})
    clear_sms_authorization = BooleanField(_l("Clear the stored Authorization header"))
    version = VersionField()

    @property
    def enabled(self) -> bool:
        return self.sms_gateway.data == "http"

    def validate_sms_url(self, field):
        if not field.data:
            if self.enabled:
                raise ValidationError(_("Enter the gateway's URL."))
            return
        try:
            parts = urlsplit(field.data)
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError:
            parts = None
        if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ValidationError(_("Enter an http:// or https:// address, e.g. https://sms.example.com/send."))
        if parts.username or parts.password:
            raise ValidationError(_("Put credentials in the Authorization header, not in the URL."))
        if parts.fragment or any(ch.isspace() for ch in field.data):
            raise ValidationError(_("The URL must not contain spaces or a #fragment."))
        if "{" in field.data or "}" in field.data:
            raise ValidationError(_("Placeholders go into the body template, not the URL."))
        if unsafe_host(parts.hostname):
            raise ValidationError(_("This address is link-local or cloud metadata (such as 169.254.169.254): it "
                                    "cannot be the SMS gateway. Use the gateway's own address."))

    def validate_sms_body_template(self, field):
        template = field.data or ""
        unknown = unknown_placeholders(template)
        if unknown:
            raise ValidationError(_("Unknown placeholders: %(names)s. Use only {phone} and {text}.",
                                    names=", ".join(f"{{{name}}}" for name in unknown)))
        if not template:
            if self.enabled:
                raise ValidationError(_("Enter the body template, with {phone} and {text}."))
            return
        missing = [name for name in PLACEHOLDERS if f"{{{name}}}" not in template]
        if missing:
            raise ValidationError(_("The template must contain %(names)s.",
                                    names=", ".join(f"{{{name}}}" for name in missing)))
        if self.sms_method.data == "POST" and is_json(template):
            try:
                json.loads(fill(template, "+10000000000", 'a "quoted"\ntext', json_escape))
            except ValueError:
                raise ValidationError(_("This template starts like JSON but is not valid JSON once filled in: "
                                        "put the placeholders inside quotes, e.g. "
                                        "{\"to\": \"{phone}\", \"text\": \"{text}\"}.")) from None
        if self.sms_method.data == "GET" and (is_json(template) or "\n" in template):
            raise ValidationError(_("For GET the template is a query string on one line, e.g. "
                                    "to={phone}&text={text}."))

    def values(self) -> dict:
        values = {"sms_enabled": self.enabled, "sms_url": self.sms_url.data or None,
                  "sms_method": self.sms_method.data, "sms_body_template": self.sms_body_template.data or None}
        if self.clear_sms_authorization.data:
            values["sms_authorization"] = None
        elif self.sms_authorization.data:
            values["sms_authorization"] = self.sms_authorization.data.strip()
        return values


def company_data(settings) -> dict:
    return {"company_name": settings.company_name, "company_address": settings.company_address,
            "default_locale": settings.default_locale, "timezone": settings.timezone or "",
            "currency": settings.currency, "version": settings.version}


def smtp_data(settings) -> dict:
    return {"smtp_host": settings.smtp_host, "smtp_port": settings.smtp_port, "smtp_user": settings.smtp_user,
            "smtp_security": settings.smtp_security if settings.smtp_security in SECURITY else "starttls",
            "mail_from": settings.mail_from, "version": settings.version}


def sms_data(settings) -> dict:
    return {"sms_gateway": "http" if settings.sms_enabled else "none", "sms_url": settings.sms_url,
            "sms_method": settings.sms_method or "POST", "sms_body_template": settings.sms_body_template,
            "version": settings.version}
