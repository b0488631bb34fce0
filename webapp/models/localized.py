"""Localized names: English is required, Russian optional; show the current language, else English.

NamedInTwoLanguages gives a record (department, schedule, client group) both names and their comparison keys
(fold(), in unique indexes, set on every flush), so "Отдел Ё" and "отдел ё" are one name in every script.
"""
from sqlalchemy import String, event, select
from sqlalchemy.orm import Mapped, mapped_column

from webapp.i18n import current_language
from webapp.text import KEY_LENGTH, fold


def localized(en: str, ru: str | None) -> str:
    """The Russian text when the UI is in Russian and it exists, else the English one."""
    if current_language() == "ru" and ru:
        return ru
    return en


class NamedInTwoLanguages:
    name_en: Mapped[str] = mapped_column(String(120))
    name_ru: Mapped[str | None] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(KEY_LENGTH), unique=True, index=True)
    name_ru_key: Mapped[str | None] = mapped_column(String(KEY_LENGTH), unique=True, index=True)

    @property
    def name(self) -> str:
        return localized(self.name_en, self.name_ru)

    @classmethod
    def name_taken(cls, name: str | None, except_id: int | None = None, russian: bool = False) -> bool:
        """Whether another record already has this name (English, or Russian), compared by fold()."""
        from webapp.extensions import db

        key = fold(name)
        if not key:
            return False
        statement = select(cls.id).where((cls.name_ru_key if russian else cls.name_key) == key)
        if except_id is not None:
            statement = statement.where(cls.id != except_id)
        return db.session.scalar(statement) is not None


@event.listens_for(NamedInTwoLanguages, "before_insert", propagate=True)
@event.listens_for(NamedInTwoLanguages, "before_update", propagate=True)
def _name_keys(_mapper, _connection, record: NamedInTwoLanguages) -> None:
    record.name_key = fold(record.name_en)
    record.name_ru_key = fold(record.name_ru) or None
