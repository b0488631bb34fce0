"""Client groups ("Retail", "Business", "Partners"): named in English and Russian; a client belongs to one or none."""
from sqlalchemy import Integer
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.localized import NamedInTwoLanguages
from webapp.models.versioned import Versioned


class ClientGroup(NamedInTwoLanguages, Versioned, db.Model):
    __tablename__ = "client_groups"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused after a delete

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
