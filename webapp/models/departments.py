"""Departments and their members."""
from datetime import datetime

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Table, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.accounts import utcnow
from webapp.models.localized import localized
from webapp.models.versioned import Versioned
from webapp.text import KEY_LENGTH, fold

staff_departments = Table(
    "staff_departments",
    db.metadata,
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True, index=True),
)


department_client_groups = Table(
    "department_client_groups",
    db.metadata,
    Column("department_id", ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True),
    Column("client_group_id", ForeignKey("client_groups.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Department(Versioned, db.Model):
    __tablename__ = "departments"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused after a delete

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_ru: Mapped[str | None] = mapped_column(String(120))
    # fold() of each name, set on flush: "Отдел Ё" and "отдел ё" collide in the unique index.
    name_key: Mapped[str] = mapped_column(String(KEY_LENGTH), unique=True, index=True)
    name_ru_key: Mapped[str | None] = mapped_column(String(KEY_LENGTH), unique=True, index=True)
    business_hours_id: Mapped[int] = mapped_column(ForeignKey("business_hours.id"), index=True)
    show_in_support: Mapped[bool] = mapped_column(Boolean, default=False)
    task_locale: Mapped[str] = mapped_column(String(8), default="en")
    # The support center: how many business hours a ticket may wait for an answer, and which client groups
    # see the department (none chosen: every client).
    response_target_hours: Mapped[int] = mapped_column(Integer, default=4, server_default="4")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    business_hours = relationship("BusinessHours", back_populates="departments")
    members = relationship(
        "Account", secondary=staff_departments, back_populates="departments", order_by="Account.login"
    )
    rights = relationship("DepartmentRight", cascade="all, delete-orphan", passive_deletes=True)
    client_groups = relationship("ClientGroup", secondary=department_client_groups, order_by="ClientGroup.name_key")

    @property
    def name(self) -> str:
        return localized(self.name_en, self.name_ru)

    def __repr__(self) -> str:
        return f"<Department {self.name_en}>"


@event.listens_for(Department, "before_insert")
@event.listens_for(Department, "before_update")
def _department_keys(_mapper, _connection, department: Department) -> None:
    department.name_key = fold(department.name_en)
    department.name_ru_key = fold(department.name_ru) or None
