"""Translations resolved once per request: templates call _() hundreds of times on a list page."""
from contextlib import contextmanager
from functools import wraps

from flask import g, has_app_context
from flask_babel import force_locale as babel_force_locale
from flask_babel import get_locale, get_translations
from flask_babel.speaklater import LazyString


def request_translations():
    """The request's catalog, looked up once and kept on `g` (Flask-Babel resolves it on every call)."""
    if not has_app_context():
        return get_translations()
    translations = g.get("_translations")
    if translations is None:
        translations = g._translations = get_translations()
    return translations


def current_language() -> str:
    if not has_app_context():
        return "en"
    language = g.get("_language")
    if language is None:
        locale = get_locale()
        language = g._language = locale.language if locale else "en"
    return language


def per_language(function):
    """The function's result per language (and arguments), computed once and kept: for labels, whose
    translations do not change while the process runs (a lazy label costs a catalog lookup each time it is
    read). The result is shared: never change it."""
    results = {}

    @wraps(function)
    def wrapper(*args, **kwargs):
        key = (current_language(), args, tuple(sorted(kwargs.items())))
        result = results.get(key)
        if result is None:
            result = results[key] = function(*args, **kwargs)
        return result

    return wrapper


def install_template_gettext(app) -> None:
    """Jinja's _(), ngettext() and friends through the per-request catalog."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True,
    )


def gettext(string: str, **variables) -> str:
    """Flask-Babel's gettext, through the per-request catalog."""
    translated = request_translations().ugettext(string)
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, num: int, **variables) -> str:
    """The singular or the plural form (as the language counts), with `num` among the variables."""
    translated = request_translations().ungettext(singular, plural, num)
    return translated % {"num": num, **variables}


def lazy_gettext(string: str, **variables) -> LazyString:
    """A label translated when it is shown, in the language of the request showing it."""
    return LazyString(gettext, string, **variables)


def language_changed() -> None:
    """The person chose another language in this request: messages from here on use it."""
    from flask_babel import refresh

    refresh()
    for key in ("_translations", "_language"):
        g.pop(key, None)


@contextmanager
def force_locale(locale: str):
    """Render in another language for a moment (e.g. the audit trail in English)."""
    saved = {key: g.pop(key, None) for key in ("_translations", "_language")}
    try:
        with babel_force_locale(locale):
            yield
    finally:
        for key in ("_translations", "_language"):
            g.pop(key, None)
            if saved[key] is not None:
                setattr(g, key, saved[key])
