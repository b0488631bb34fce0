"""Tasks: manual work on a service for the plan's department, written in the department's task language."""
import enum
from datetime import datetime

from sqlalchemy import Boolean, DateTime, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.extensions import db
from webapp.models.accounts import utcnow
from webapp.models.billing import ServiceOperation


class TaskStatus(enum.Enum):
    open = "open"  # nobody has taken it (or it was released)
    taken = "taken"  # someone works on it
    done = "done"
    cancelled = "cancelled"  # the operation was no longer needed (e.g. the service was closed meanwhile)


OPEN_TASK_STATUSES = (TaskStatus.open, TaskStatus.taken)


class Task(db.Model):
    __tablename__ = "tasks"
    __table_args__ = (
        # The task list: a department's tasks, open ones first by deadline.
        Index("ix_tasks_department_status_due", "department_id", "status", "due_at"),
        Index("ix_tasks_status_due", "status", "due_at"),
        Index("ix_tasks_assignee_status", "assignee_id", "status"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id", ondelete="RESTRICT"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    operation: Mapped[ServiceOperation] = mapped_column(
        Enum(ServiceOperation, name="service_operation", native_enum=False, length=16))
    locale: Mapped[str] = mapped_column(String(8))  # the department's task language when it was written
    title: Mapped[str] = mapped_column(String(255))  # written in that language, stored as written
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[TaskStatus] = mapped_column(
        Enum(TaskStatus, name="task_status", native_enum=False, length=16), default=TaskStatus.open)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    overdue_notified: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))

    department = relationship("Department")
    service = relationship("Service")
    client = relationship("Account", foreign_keys=[client_id])
    assignee = relationship("Account", foreign_keys=[assignee_id])
    events = relationship("TaskEvent", order_by="TaskEvent.id", cascade="all, delete-orphan", passive_deletes=True)


class TaskEvent(db.Model):
    """A task's history: created, assigned, taken, released, done, cancelled — who and when."""

    __tablename__ = "task_events"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(String(255))  # e.g. "assigned:ID"
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    actor = relationship("Account")
