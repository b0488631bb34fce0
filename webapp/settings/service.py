"""The global settings: one row, read once a request."""
from flask import g, has_app_context

from webapp.extensions import db
from webapp.models import CompanySettings

SETTINGS_ID = 1


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
