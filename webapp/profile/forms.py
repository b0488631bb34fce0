"""The profile form: only what a person may change about themselves (no departments, rights or full access)."""
from flask import current_app
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, PasswordField, SelectField, StringField, ValidationError
from wtforms.validators import Length, Optional

from webapp.forms import Form, VersionField
from webapp.hours.service import server_timezone, timezone_choices, timezone_names
from webapp.i18n import current_language
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l
from webapp.models.accounts import utcnow
from webapp.profile.service import ProfileValues
from webapp.settings.service import company_settings, default_timezone
from webapp.staff.forms import check_current_password, check_new_password, read_avatar, validate_phone_number


class ProfileForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[Length(max=256)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), render_kw={"autocomplete": "new-password"})
    locale = SelectField(_l("Language"))
    phone = StringField(_l("Phone number"), validators=[Optional()], render_kw={"type": "tel", "autocomplete": "tel"})
    avatar = FileField(_l("Avatar"), render_kw={"accept": "image/png,image/jpeg,image/gif,.png,.jpg,.jpeg,.gif"})
    remove_avatar = BooleanField(_l("Remove avatar"))
    timezone = SelectField(_l("Time zone"), validate_choice=False)
    away = BooleanField(_l("Away"))
    away_until = DateField(_l("Away until"), validators=[Optional()], render_kw={"type": "date"})
    ticket_emails = BooleanField(_l("Email me about tickets"))
    version = VersionField()

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        self.locale.choices = list(current_app.config["LANGUAGES"].items())
        self.avatar_png: bytes | None = None
        if company_settings().timezone:
            default = _("The company's time zone (%(zone)s)", zone=default_timezone())
        else:
            default = _("The server's time zone (%(zone)s)", zone=server_timezone())
        self.timezone.choices = [("", default)] + [
            choice for choice in timezone_choices(self.timezone.data) if choice[0] != ""]

    def validate_timezone(self, field):
        if field.data and field.data not in timezone_names():
            raise ValidationError(_("Choose a time zone from the list."))

    def validate_away_until(self, field):
        if field.data is not None and field.data < utcnow().date():
            raise ValidationError(_("The date the absence ends cannot be in the past."))

    def validate_current_password(self, field):
        if self.new_password.data:
            check_current_password(self.account, field.data)

    def validate_new_password(self, field):
        if field.data:
            check_new_password(field.data, self.account.login)

    def validate_phone(self, field):
        validate_phone_number(field)

    def validate_avatar(self, field):
        self.avatar_png = read_avatar(field)

    def values(self) -> ProfileValues:
        # Without a stored language the page is in the browser's; keeping that one is no change.
        keeps_language = self.account.locale is None and self.locale.data == current_language()
        return ProfileValues(
            locale=None if keeps_language else self.locale.data, phone=(self.phone.data or "").strip() or None,
            new_password=self.new_password.data or None, avatar=self.avatar_png,
            remove_avatar=bool(self.remove_avatar.data), timezone=self.timezone.data or None,
            away=bool(self.away.data), away_until=self.away_until.data if self.away.data else None,
            ticket_emails=bool(self.ticket_emails.data),
        )


def initial_data(account) -> dict:
    return {"locale": account.locale or current_language(), "phone": account.phone, "version": account.version,
            "timezone": account.timezone or "", "away": account.away, "away_until": account.away_until,
            "ticket_emails": account.ticket_emails}
