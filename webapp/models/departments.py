"""Departments and their members."""
from datetime import datetime

from sqlalchemy import Boolean, Column, DateTime, Enum, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.accounts import utcnow
from webapp.models.localized import NamedInTwoLanguages
from webapp.models.tickets import AssignmentMode
from webapp.models.versioned import Versioned

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


class Department(NamedInTwoLanguages, Versioned, db.Model):
    __tablename__ = "departments"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused after a delete

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    business_hours_id: Mapped[int] = mapped_column(ForeignKey("business_hours.id"), index=True)
    show_in_support: Mapped[bool] = mapped_column(Boolean, default=False)
    task_locale: Mapped[str] = mapped_column(String(8), default="en")
    # The support center: how many business hours a ticket may wait for an answer, and which client groups
    # see the department (none chosen: every client).
    response_target_hours: Mapped[int] = mapped_column(Integer, default=4, server_default="4")
    # Automatic assignment of new tickets among active members who are not away; round robin remembers whom
    # it chose last.
    assignment: Mapped[AssignmentMode] = mapped_column(
        Enum(AssignmentMode, name="assignment_mode", native_enum=False, length=16), default=AssignmentMode.off,
        server_default="off")
    last_assigned_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL", name="fk_departments_last_assigned"))
    # Tasks: how many business hours a task may take, and whom round robin gave a task to last.
    task_target_hours: Mapped[int] = mapped_column(Integer, default=8, server_default="8")
    last_task_assigned_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL", name="fk_departments_last_task_assigned"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    business_hours = relationship("BusinessHours", back_populates="departments")
    members = relationship(
        "Account", secondary=staff_departments, back_populates="departments", order_by="Account.login"
    )
    rights = relationship("DepartmentRight", cascade="all, delete-orphan", passive_deletes=True)
    client_groups = relationship("ClientGroup", secondary=department_client_groups, order_by="ClientGroup.name_key")

    def __repr__(self) -> str:
        return f"<Department {self.name_en}>"

