"""The base of every form, and the idioms every route shares.

- Form / SubForm: Flask-WTF with WTForms' own messages translated (the catalog parsed once per language),
  and no text field accepts control characters or bidirectional overrides.
- wanted_state(): the state a toggle asks for. form_status(): 422 for a rejected submit, else 200.
- VersionField / check_version(): a form saved from an older version of its record is refused (409).
- SubmissionField: one filling of a form creates one record, however often it is sent.
- FilterForm: the GET form of a list page (no CSRF), whose bad values fall back to "no filter".
"""
import secrets
from datetime import datetime
from functools import cache

import wtforms
from babel import support
from flask import abort, request
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import HiddenField, SelectChoice, SelectField
from wtforms.fields.core import Field
from wtforms.i18n import messages_path

from webapp.i18n import current_language
from webapp.i18n import gettext as _
from webapp.text import has_forbidden, without_forbidden


@cache
def _wtforms_catalog(language: str) -> support.Translations:
    return support.Translations.load(messages_path(), [language], domain="wtforms")


class WtformsMessages:
    """WTForms' built-in messages ("Not a valid integer value.") in the request's language."""

    def gettext(self, string):
        return _wtforms_catalog(current_language()).ugettext(string)

    def ngettext(self, singular, plural, n):
        return _wtforms_catalog(current_language()).ungettext(singular, plural, n)


MESSAGES = WtformsMessages()


def _label(field: Field) -> str:
    return str(field.label.text) if field.label and field.label.text else field.name


class CleanText:
    """Every text field refuses control characters and bidirectional overrides, naming the field."""

    def validate(self, extra_validators=None):
        offending = []
        for field in self:
            submitted = field.raw_data[0] if getattr(field, "raw_data", None) else field.data  # before any strip
            if isinstance(submitted, str) and has_forbidden(submitted, multiline=field.type == "TextAreaField"):
                offending.append(field)
                if isinstance(field.data, str):  # the field's own checks (and their queries) see clean text
                    field.data = without_forbidden(field.data)
        valid = super().validate(extra_validators)
        for field in offending:
            field.errors = [*field.errors, _(
                "%(field)s contains control characters or text-direction overrides; remove them.",
                field=_label(field))]
        return valid and not offending


class Form(CleanText, FlaskForm):
    """Flask-WTF re-reads WTForms' catalog from disk on every request; this reads it once per language."""

    class Meta:
        def get_translations(self, form):
            return MESSAGES


class SubForm(CleanText, wtforms.Form):
    """A form nested in another with FormField (no CSRF of its own), with the same translated messages."""

    class Meta:
        def get_translations(self, form):
            return MESSAGES


class StateForm(Form):
    """The wanted state of a toggle: on or off."""

    state = SelectField(choices=[SelectChoice("on"), SelectChoice("off")])


def wanted_state() -> bool:
    """The state a toggle asks for (True for on); a request without a valid one is a 400."""
    form = StateForm()
    if not form.validate_on_submit():
        abort(400, _("The state must be “on” or “off”."))
    return form.state.data == "on"


def select_options(choices, selected) -> Markup:
    """`<option>`s for a GET filter's select, built in one pass (a Jinja loop over 200 departments cost ~1 ms)."""
    # escape() + an f-string: Markup.format goes through string.Formatter, ten times slower.
    return Markup("".join(f'<option value="{escape(value)}"{" selected" if value == selected else ""}>'
                          f'{escape(label)}</option>' for value, label in choices))


def form_status(form) -> int:
    """422 when a submitted form was rejected, 200 for a form shown for the first time."""
    return 422 if request.method == "POST" and form.is_submitted() else 200


class SubmissionField(HiddenField):
    """A key for one filling of a form, made when the form is shown: the record the form creates stores it
    (unique), so that the same form sent twice (a double click, a POST resent from the browser's history)
    creates one record. Only 32 hexadecimal digits are taken; anything else counts as no key."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, default=lambda: secrets.token_hex(16), **kwargs)

    def process_formdata(self, valuelist):
        text = valuelist[0] if valuelist else ""
        self.data = text if len(text) == 32 and all(ch in "0123456789abcdef" for ch in text) else None

    def _value(self):
        if not self.data:  # a form shown again after it came with no valid key: this filling gets one
            self.data = secrets.token_hex(16)
        return self.data


class VersionField(HiddenField):
    """The version of the record the form was filled from; sent back with the save."""

    def process_formdata(self, valuelist):
        text = (valuelist[0] if valuelist else "").strip()
        self.data = int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def check_version(record, submitted: int | None) -> None:
    """Refuse (409) a save made from an older version of the record, naming who changed it and when."""
    from webapp.errors import Refused
    from webapp.extensions import db
    from webapp.models import Account

    if submitted is not None and submitted == record.version:
        return
    editor = db.session.get(Account, record.updated_by_id) if record.updated_by_id else None
    changed_by_name = editor.name if editor is not None else None
    when = _format_moment(record.updated_at)
    if changed_by_name and when:
        message = _("%(name)s changed this record at %(when)s, after you opened the form. Your changes were "
                    "not saved: reload the page to see theirs, then make yours again.",
                    name=changed_by_name, when=when)
    else:
        message = _("This record was changed by someone else after you opened the form. Your changes were not "
                    "saved: reload the page to see the current version, then make yours again.")
    raise Refused(message, 409)


def _format_moment(moment: datetime | None) -> str | None:
    from webapp.moments import format_moment

    return format_moment(moment) if moment is not None else None
