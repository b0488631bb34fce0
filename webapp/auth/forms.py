"""The login and language forms."""
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from webapp.forms import Form
from webapp.i18n import lazy_gettext as _l


class LoginForm(Form):
    login = StringField(_l("Login"), validators=[DataRequired(_l("Enter your login.")), Length(max=64)],
                        render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password.")),
                                                         Length(max=256)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class LanguageForm(Form):
    lang = HiddenField(validators=[DataRequired()])
    next = HiddenField()
