"""Stored grants of catalog functions, to departments and to staff individually."""
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db


class DepartmentRight(db.Model):
    __tablename__ = "department_rights"

    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True
    )
    function_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class StaffRight(db.Model):
    __tablename__ = "staff_rights"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    function_id: Mapped[str] = mapped_column(String(64), primary_key=True)
