"""Localized names: English is required, Russian optional; show the current language, else English."""
from flask_babel import get_locale


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "en"


def localized(en: str, ru: str | None) -> str:
    """The Russian text when the UI is in Russian and it exists, else the English one."""
    if current_language() == "ru" and ru:
        return ru
    return en
