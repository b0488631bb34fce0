"""The global settings: one row, read once a request; saved from /settings (flushes and audits, never commits)."""
import time

from flask import current_app, g, has_app_context

from webapp.audit import record
from webapp.extensions import db
from webapp.forms import check_version
from webapp.models import CompanySettings
from webapp.models.accounts import utcnow

SETTINGS_ID = 1
SECRETS = frozenset({"smtp_password", "sms_authorization"})  # written, never shown or audited by value


def company_settings() -> CompanySettings:
    """The settings row (unsaved defaults until someone saves /settings), read once a request."""
    if has_app_context():
        cached = g.get("_company_settings")
        if cached is not None:
            return cached
    settings = db.session.get(CompanySettings, SETTINGS_ID)
    if settings is None:
        settings = CompanySettings(id=SETTINGS_ID, company_name="", company_address="", default_locale="en",
                                   currency="EUR", sms_enabled=False, version=1)
    if has_app_context():
        g._company_settings = settings
    return settings


_DEFAULTS: dict[int, tuple[float, tuple]] = {}  # per app: (valid until, (language, time zone, currency))


def _defaults() -> tuple:
    """(default language, time zone, currency). Every page that shows a date or an amount asks, so each worker
    keeps them for SETTINGS_CACHE_SECONDS (0 under TestConfig): a save clears its own worker's copy at once, the
    other workers follow within that time."""
    loaded = g.get("_company_settings") if has_app_context() else None
    ttl = current_app.config.get("SETTINGS_CACHE_SECONDS", 0) if has_app_context() else 0
    key = id(current_app._get_current_object()) if has_app_context() else 0
    now = time.monotonic()
    if loaded is None and ttl and key in _DEFAULTS and now < _DEFAULTS[key][0]:
        return _DEFAULTS[key][1]
    settings = loaded or company_settings()
    values = (settings.default_locale, settings.timezone, settings.currency)
    if ttl:
        _DEFAULTS[key] = (now + ttl, values)
    return values


def forget_defaults() -> None:
    """This worker reads the settings again on its next request (after a save)."""
    _DEFAULTS.clear()


def default_currency() -> str:
    return _defaults()[2]


def default_language() -> str:
    """The language of people and emails without one of their own (and of a browser that asks for none of
    ours): the settings' default language."""
    languages = current_app.config["LANGUAGES"]
    locale = _defaults()[0]
    return locale if locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def default_timezone() -> str:
    """The zone of viewers and recipients without one of their own: the settings' time zone, else the server's."""
    from webapp.hours.service import server_timezone, timezone_names

    zone = _defaults()[1]
    return zone if zone and zone in timezone_names() else server_timezone()


def save_settings(actor, section: str, values: dict, version: int | None) -> list[str]:
    """Apply one section's values (refused with 409 if its form showed an older version); the names of the
    fields that changed. The first save writes the row."""
    settings = company_settings()
    check_version(settings, version)
    changed = [name for name, value in values.items() if getattr(settings, name) != value]
    if not changed:
        return []
    for name in changed:
        setattr(settings, name, values[name])
    if settings not in db.session:
        db.session.add(settings)
    settings.touch(actor, utcnow())
    db.session.flush()
    forget_defaults()
    record(actor, f"settings.{section}", "settings", ", ".join(changed))  # names only: no secret by value
    return changed
