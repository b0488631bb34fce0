"""Localized names: English is required, Russian optional; show the current language, else English."""
from webapp.i18n import current_language


def localized(en: str, ru: str | None) -> str:
    """The Russian text when the UI is in Russian and it exists, else the English one."""
    if current_language() == "ru" and ru:
        return ru
    return en
