"""Departments: create, change, delete; each flushes and writes an audit entry, never commits."""
from webapp.audit import record
from webapp.extensions import db
from webapp.models import Account, Department
from webapp.rights import forget_rights


def create_department(actor: Account, values: dict) -> Department:
    """A new department, with no rights: they are granted on its permissions page."""
    department = Department(**values)
    db.session.add(department)
    db.session.flush()
    record(actor, "department.create", department)
    return department


def update_department(actor: Account, department: Department, values: dict) -> None:
    changed = sorted(k for k, v in values.items() if getattr(department, k) != v)
    for key, value in values.items():
        setattr(department, key, value)
    db.session.flush()
    if changed:
        record(actor, "department.update", department, ", ".join(changed))


def delete_department(actor: Account, department: Department) -> None:
    """Delete a department: its members lose the rights it gave, on their next request."""
    record(actor, "department.delete", department,
           f"members: {', '.join(m.login for m in department.members) or '-'}")
    db.session.delete(department)
    db.session.flush()
    forget_rights()
