"""The client's own profile: password (with the current one), language and time zone."""
from flask import current_app
from wtforms import PasswordField, SelectField, ValidationError
from wtforms.validators import Length

from webapp.forms import Form, VersionField
from webapp.hours.service import timezone_choices, timezone_names
from webapp.i18n import lazy_gettext as _l
from webapp.staff.forms import check_current_password, check_new_password


class ClientProfileForm(Form):
    current_password = PasswordField(_l("Current password"), validators=[Length(max=256)],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), render_kw={"autocomplete": "new-password"})
    locale = SelectField(_l("Language"), validate_choice=False)
    timezone = SelectField(_l("Time zone"), validate_choice=False)
    version = VersionField()

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        self.locale.choices = list(current_app.config["LANGUAGES"].items())
        self.timezone.choices = timezone_choices(self.timezone.data)

    def validate_current_password(self, field):
        if self.new_password.data:
            check_current_password(self.account, field.data)

    def validate_new_password(self, field):
        if field.data:
            check_new_password(field.data, self.account.login)

    def validate_locale(self, field):
        if field.data not in current_app.config["LANGUAGES"]:
            raise ValidationError(_l("Choose one of the languages."))

    def validate_timezone(self, field):
        if field.data not in timezone_names():
            raise ValidationError(_l("Choose a time zone from the list."))
