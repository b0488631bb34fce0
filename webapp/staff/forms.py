"""The staff member form: each field validated with a message naming it and the reason."""
import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_wtf.file import FileField
from wtforms import BooleanField, PasswordField, SelectMultipleField, StringField, ValidationError
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget, PasswordInput

from webapp.forms import Form, VersionField
from webapp.i18n import lazy_gettext as _l
from webapp.staff.avatars import AvatarError, process_avatar
from webapp.staff.service import StaffValues, login_taken

LOGIN_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
PASSWORD_MIN, PASSWORD_MAX = 10, 128


class MultiCheckboxField(SelectMultipleField):
    """A checkbox per choice, each with its own label."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def validate_phone_number(field) -> None:
    """A valid phone number, stored in E.164 (+442079460958); the default region from the configuration."""
    region = current_app.config.get("PHONE_DEFAULT_REGION")
    try:
        number = phonenumbers.parse(field.data.strip(), region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        if region is None and not field.data.strip().startswith("+"):
            raise ValidationError(_l("Enter the phone number in international form, starting with + "
                                     "and the country code."))
        raise ValidationError(_l("This is not a valid phone number."))
    field.data = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_current_password(account, password: str | None) -> None:
    """The current password, asked before a new one is set on a profile; guesses count like failed logins
    (the same limit for this login from this address)."""
    from flask import request

    from webapp.auth import throttle

    if not password:
        raise ValidationError(_l("Enter your current password to set a new one."))
    address = request.remote_addr
    with throttle.attempt(address):
        throttle.check_login_allowed(account.login, address)
        if not account.check_password(password):
            throttle.count_failure(account.login, address)
            raise ValidationError(_l("This is not your current password."))


def check_new_password(password: str, login: str | None) -> None:
    """The rules of a new password: its length, and not the login."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise ValidationError(_l("The password must be %(min)s to %(max)s characters long.",
                                 min=PASSWORD_MIN, max=PASSWORD_MAX))
    if password.lower() == (login or "").strip().lower():
        raise ValidationError(_l("The password must not be the same as the login."))


def read_avatar(field) -> bytes | None:
    """The uploaded avatar as an 80×80 PNG, None when nothing was uploaded; a field error when it is refused."""
    upload = field.data
    if not upload or not getattr(upload, "filename", None):
        return None
    try:
        return process_avatar(upload.read())
    except AvatarError as error:
        raise ValidationError(str(error)) from None


class StaffForm(Form):
    login = StringField(
        _l("Login"), filters=[_strip],  # the length and character rules apply to what is saved
        validators=[InputRequired(_l("Enter a login.")),
                    Length(min=2, max=64, message=_l("The login must be 2 to 64 characters long."))],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    name_en = StringField(
        _l("Full name (English)"),
        validators=[InputRequired(_l("Enter the full name in English.")),
                    Length(max=200, message=_l("The full name must be at most 200 characters long."))],
    )
    name_ru = StringField(
        _l("Full name (Русский)"),
        validators=[Optional(), Length(max=200, message=_l("The full name must be at most 200 characters long."))],
    )
    # The value typed or generated comes back on a failed submit (pages are no-store), so it is not lost.
    password = PasswordField(_l("Password"), widget=PasswordInput(hide_value=False),
                             render_kw={"autocomplete": "new-password"})
    departments = MultiCheckboxField(_l("Departments"), coerce=int)
    email = StringField(
        _l("Email"), filters=[_strip],
        validators=[Length(max=254, message=_l("The email address is too long."))],
        render_kw={"type": "email", "autocomplete": "off"},
    )
    phone = StringField(_l("Phone number"), validators=[Optional()],
                        render_kw={"type": "tel", "autocomplete": "off"})
    full_access = BooleanField(_l("Full access privileges"))
    avatar = FileField(_l("Avatar"), render_kw={"accept": "image/png,image/jpeg,image/gif,.png,.jpg,.jpeg,.gif"})
    remove_avatar = BooleanField(_l("Remove avatar"))
    version = VersionField()

    def __init__(self, *args, target=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        self.avatar_png: bytes | None = None

    @property
    def creating(self) -> bool:
        return self.target is None

    def validate_login(self, field):
        if not LOGIN_PATTERN.fullmatch(field.data):
            raise ValidationError(_l("The login may contain only Latin letters, digits, dots, underscores and "
                                     "hyphens, and must start with a letter or digit."))
        if login_taken(field.data, None if self.creating else self.target.id):
            raise ValidationError(_l("This login is already taken."))

    def validate_name_en(self, field):
        field.data = field.data.strip()
        if not field.data:
            raise ValidationError(_l("Enter the full name in English."))

    def validate_email(self, field):
        if not field.data:
            if self.target is not None and self.target.builtin:
                field.data = None  # the seeded admin may have none
                return
            raise ValidationError(_l("Enter an email address."))
        try:
            field.data = validate_email(field.data, check_deliverability=False).normalized
        except EmailNotValidError:
            raise ValidationError(_l("This is not a valid email address.")) from None

    def validate_phone(self, field):
        validate_phone_number(field)

    def validate_password(self, field):
        password = field.data or ""
        if not password:
            if self.creating:
                raise ValidationError(_l("Enter a password, or generate one."))
            return
        check_new_password(password, self.login.data)

    def validate_avatar(self, field):
        self.avatar_png = read_avatar(field)

    def values(self) -> StaffValues:
        """The submitted values, as plain data for the service."""
        return StaffValues(
            login=self.login.data, name_en=self.name_en.data, name_ru=(self.name_ru.data or "").strip() or None,
            email=self.email.data, phone=(self.phone.data or "").strip() or None, full_access=bool(self.full_access.data),
            department_ids=set(self.departments.data or ()), password=self.password.data or None,
            avatar=self.avatar_png, remove_avatar=bool(self.remove_avatar.data),
        )


def initial_data(target) -> dict:
    """The form's values for an existing staff member."""
    return {
        "login": target.login, "name_en": target.name_en, "name_ru": target.name_ru, "email": target.email,
        "phone": target.phone, "full_access": target.full_access,
        "departments": [d.id for d in target.departments], "version": target.version,
    }
