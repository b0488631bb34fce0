"""The client and client group forms."""
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from wtforms import BooleanField, PasswordField, SelectChoice, SelectField, StringField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import PasswordInput

from webapp.clients.service import ClientValues, group_choices
from webapp.forms import Form, VersionField
from webapp.hours.service import timezone_choices, timezone_names
from webapp.i18n import lazy_gettext as _l
from webapp.ids import parse_id
from webapp.models import ClientGroup
from webapp.staff.forms import LOGIN_PATTERN, check_new_password
from webapp.staff.service import login_taken


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class ClientForm(Form):
    name = StringField(_l("Name"), filters=[_strip], validators=[
        InputRequired(_l("Enter the client's name.")), Length(max=200, message=_l("At most 200 characters."))])
    email = StringField(_l("Email"), filters=[_strip], validators=[
        InputRequired(_l("Enter an email address.")),
        Length(max=254, message=_l("The email address is too long."))], render_kw={"type": "email"})
    login = StringField(_l("Login"), filters=[_strip], validators=[
        InputRequired(_l("Enter a login.")),
        Length(min=2, max=64, message=_l("The login must be 2 to 64 characters long."))],
        render_kw={"autocomplete": "off", "spellcheck": "false"})
    password = PasswordField(_l("Password"), widget=PasswordInput(hide_value=False),
                             render_kw={"autocomplete": "new-password"})
    locale = SelectField(_l("Language"), validate_choice=False)
    timezone = SelectField(_l("Time zone"), validate_choice=False)
    client_group_id = SelectField(_l("Client group"), coerce=lambda v: parse_id(v) if v not in (None, "") else None,
                                  validate_choice=False)
    active = BooleanField(_l("Enabled"), default=True)
    version = VersionField()

    def __init__(self, *args, client=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        self.locale.choices = list(current_app.config["LANGUAGES"].items())
        self.timezone.choices = timezone_choices(self.timezone.data)
        self.client_group_id.choices = [SelectChoice("", _l("No group"))] + [
            SelectChoice(group.id, group.name) for group in group_choices()]

    def validate_login(self, field):
        if not LOGIN_PATTERN.fullmatch(field.data or ""):
            raise ValidationError(_l("The login may contain only Latin letters, digits, dots, underscores and "
                                     "hyphens, and must start with a letter or digit."))
        if login_taken(field.data, self.client.id if self.client else None):
            raise ValidationError(_l("This login is already taken."))

    def validate_email(self, field):
        try:
            field.data = validate_email(field.data, check_deliverability=False).normalized
        except EmailNotValidError:
            raise ValidationError(_l("This is not a valid email address.")) from None

    def validate_password(self, field):
        if not field.data:
            if self.client is None:
                raise ValidationError(_l("Enter a password, or generate one."))
            return
        check_new_password(field.data, self.login.data or "")

    def validate_locale(self, field):
        if field.data not in current_app.config["LANGUAGES"]:
            raise ValidationError(_l("Choose one of the languages."))

    def validate_timezone(self, field):
        if field.data not in timezone_names():
            raise ValidationError(_l("Choose a time zone from the list."))

    def validate_client_group_id(self, field):
        raw = (field.raw_data or [""])[0] if field.raw_data is not None else ""
        if raw and field.data not in {choice.value for choice in self.client_group_id.choices}:
            raise ValidationError(_l("Choose one of the client groups."))

    def values(self) -> ClientValues:
        return ClientValues(name=self.name.data, email=self.email.data, login=self.login.data,
                            locale=self.locale.data, timezone=self.timezone.data,
                            client_group_id=self.client_group_id.data, active=bool(self.active.data),
                            password=self.password.data or None)


class GroupForm(Form):
    name_en = StringField(_l("Name (English)"), filters=[_strip], validators=[
        DataRequired(_l("Enter the group's name.")), Length(max=120, message=_l("At most 120 characters."))])
    name_ru = StringField(_l("Name (Русский)"), filters=[_strip], validators=[
        Length(max=120, message=_l("At most 120 characters."))])
    version = VersionField()

    def __init__(self, *args, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group

    def validate_name_en(self, field):
        if ClientGroup.name_taken(field.data, self.group.id if self.group else None):
            raise ValidationError(_l("A client group with this name already exists."))

    def validate_name_ru(self, field):
        if ClientGroup.name_taken(field.data, self.group.id if self.group else None, russian=True):
            raise ValidationError(_l("A client group with this name already exists."))
