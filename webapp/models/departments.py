"""Departments and their members."""
from datetime import datetime

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.accounts import utcnow
from webapp.models.localized import localized

staff_departments = Table(
    "staff_departments",
    db.metadata,
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True),
    Column("department_id", ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Department(db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_ru: Mapped[str | None] = mapped_column(String(120))
    business_hours_id: Mapped[int] = mapped_column(ForeignKey("business_hours.id"), index=True)
    show_in_support: Mapped[bool] = mapped_column(Boolean, default=False)
    task_locale: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    business_hours = relationship("BusinessHours", back_populates="departments")
    members = relationship(
        "Account", secondary=staff_departments, back_populates="departments", order_by="Account.login"
    )
    rights = relationship("DepartmentRight", cascade="all, delete-orphan", passive_deletes=True)

    @property
    def name(self) -> str:
        return localized(self.name_en, self.name_ru)

    def __repr__(self) -> str:
        return f"<Department {self.name_en}>"
