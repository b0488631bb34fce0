"""Client groups ("Retail", "Business", "Partners"): named in English and Russian; a client belongs to one or none."""
from sqlalchemy import Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.localized import localized
from webapp.models.versioned import Versioned
from webapp.text import KEY_LENGTH, fold


class ClientGroup(Versioned, db.Model):
    __tablename__ = "client_groups"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused after a delete

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_ru: Mapped[str | None] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(KEY_LENGTH), unique=True, index=True)  # fold(name_en), on flush
    name_ru_key: Mapped[str | None] = mapped_column(String(KEY_LENGTH), unique=True, index=True)

    @property
    def name(self) -> str:
        return localized(self.name_en, self.name_ru)


@event.listens_for(ClientGroup, "before_insert")
@event.listens_for(ClientGroup, "before_update")
def _group_keys(_mapper, _connection, group: ClientGroup) -> None:
    group.name_key = fold(group.name_en)
    group.name_ru_key = fold(group.name_ru) or None
