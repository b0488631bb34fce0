"""The base of every form: Flask-WTF with WTForms' own messages translated, the catalog parsed once."""
from functools import cache

import wtforms
from babel import support
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path

from webapp.i18n import current_language


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


class Form(FlaskForm):
    """Flask-WTF re-reads WTForms' catalog from disk on every request; this reads it once per language."""

    class Meta:
        def get_translations(self, form):
            return MESSAGES


class SubForm(wtforms.Form):
    """A form nested in another with FormField (no CSRF of its own), with the same translated messages."""

    class Meta:
        def get_translations(self, form):
            return MESSAGES
