"""Records edited through forms carry a version, who changed them last and when.

A form sends back the version it showed; a save from an older version is refused (a lost update), and the
version in the UPDATE's WHERE clause catches two saves racing each other (StaleDataError, answered 409).
"""
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


class Versioned:
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @declared_attr
    def updated_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("accounts.id", ondelete="SET NULL", name=f"fk_{cls.__tablename__}_updated_by"),
                             nullable=True)

    @declared_attr.directive
    def __mapper_args__(cls):
        # The application bumps the version (touch()); SQLAlchemy checks it in every UPDATE's WHERE clause.
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}

    def touch(self, actor, at: datetime) -> None:
        """Mark a change by a person: a new version, who and when."""
        self.version = (self.version or 1) + 1
        self.updated_at = at
        self.updated_by_id = actor.id if actor is not None else None
