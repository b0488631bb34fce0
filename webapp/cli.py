"""Command-line commands: `flask seed` (the defaults, once), `flask admin-password`, `flask purge-sessions`
and `flask translate ...`."""
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass
from datetime import time
from pathlib import Path

import click
from sqlalchemy import select

import config
from webapp.audit import record
from webapp.auth.sessions import end_all_sessions, purge_expired_sessions
from webapp.extensions import db
from webapp.hours.service import server_timezone
from webapp.models import (
    Account,
    AccountKind,
    BusinessDay,
    BusinessHours,
    BusinessInterval,
    DayMode,
    Department,
    DepartmentRight,
)
from webapp.models.accounts import utcnow
from webapp.staff.forms import PASSWORD_MAX, PASSWORD_MIN

SEED_DEPARTMENTS = (
    # English name, Russian name, shown in the support center, sections granted
    ("Sales department", "Отдел продаж", False,
     ("clients.view", "clients.edit", "services.view", "services.manage", "tariffs.view", "tariffs.edit",
      "tasks.view", "tasks.solve", "payments.view", "payments.edit", "expenses.view", "expenses.edit")),
    ("Technical support", "Техническая поддержка", True,
     ("support.tickets", "services.view", "services.manage", "tariffs.view", "tariffs.edit",
      "tasks.view", "tasks.solve", "clients.view", "clients.edit")),
)
SEED_HOURS_NAME = ("Weekdays 09:00–18:00", "Будни 09:00–18:00")


@dataclass(frozen=True)
class Seeded:
    created: bool
    generated_password: str | None = None


def seed_defaults(admin_password: str | None = None) -> Seeded:
    """Create the defaults once: business hours, the two departments and their rights, the admin."""
    if db.session.scalar(select(Account.id).where(Account.builtin.is_(True))) is not None:
        return Seeded(created=False)
    hours = BusinessHours(name_en=SEED_HOURS_NAME[0], name_ru=SEED_HOURS_NAME[1], timezone=server_timezone())
    hours.days = [
        BusinessDay(weekday=d, mode=DayMode.hours, intervals=[BusinessInterval(opens=time(9), closes=time(18))])
        if d < 5
        else BusinessDay(weekday=d, mode=DayMode.closed)
        for d in range(7)
    ]
    db.session.add(hours)
    for name_en, name_ru, in_support, rights in SEED_DEPARTMENTS:
        department = Department(name_en=name_en, name_ru=name_ru, business_hours=hours,
                                show_in_support=in_support, task_locale="en")
        department.rights = [DepartmentRight(function_id=f) for f in rights]
        db.session.add(department)
    generated = None
    if not admin_password:
        admin_password = generated = secrets.token_urlsafe(12)
    admin = Account(kind=AccountKind.staff, login="admin", name_en="Administrator",
                    name_ru="Администратор", full_access=True, builtin=True, active=True)
    admin.set_password(admin_password)
    db.session.add(admin)
    db.session.flush()
    return Seeded(created=True, generated_password=generated)


def set_admin_password(password: str) -> Account:
    """The built-in admin's new password (from the server's shell): all their sessions end; audited."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise click.ClickException(f"The password must be {PASSWORD_MIN} to {PASSWORD_MAX} characters long.")
    admin = db.session.scalar(select(Account).where(Account.builtin.is_(True)))
    if admin is None:
        raise click.ClickException("There is no built-in admin yet: run `flask seed` first.")
    admin.set_password(password)
    admin.touch(None, utcnow())
    end_all_sessions(admin.id)
    db.session.flush()
    record(None, "admin.password", admin, "set from the command line")
    return admin


def register(app) -> None:
    @app.cli.command("seed")
    def seed():
        """Create the default departments, business hours and the built-in admin, once."""
        seeded = seed_defaults(os.environ.get("ADMIN_PASSWORD"))
        db.session.commit()
        if not seeded.created:
            click.echo("Defaults are in place; nothing to seed.")
        elif seeded.generated_password:
            click.echo(f"Seeded the defaults. Log in as: admin / {seeded.generated_password}")
            click.echo("This password is shown once; change it on the staff page.")
        else:
            click.echo("Seeded the defaults. Log in as: admin, with the password from ADMIN_PASSWORD.")

    @app.cli.command("admin-password")
    def admin_password():
        """Set the built-in admin's password: ADMIN_PASSWORD, or typed twice. Ends all the admin's sessions."""
        password = os.environ.get("ADMIN_PASSWORD") or click.prompt(
            "New password for the built-in admin", hide_input=True, confirmation_prompt=True)
        admin = set_admin_password(password)
        db.session.commit()
        click.echo(f"The password of {admin.login} is set; their sessions have ended.")

    @app.cli.command("purge-sessions")
    def purge_sessions():
        """Delete the expired login sessions (idle or too old)."""
        count = purge_expired_sessions()
        db.session.commit()
        click.echo(f"Deleted {count} expired session(s).")

    @app.cli.group()
    def translate():
        """Extract, update and compile the translations."""

    def pybabel(*args):
        pybabel_bin = Path(sys.executable).with_name("pybabel")
        subprocess.run([str(pybabel_bin), *args], check=True, cwd=config.BASE_DIR)

    @translate.command()
    def update():
        """Extract the messages and merge them into every language's catalog."""
        # Lines up to 120 characters, as the catalogs are kept (76, pybabel's default, rewraps every message).
        pybabel("extract", "-F", "babel.cfg", "-k", "_l", "--no-location", "--sort-output", "-w", "120",
                "-o", "translations/messages.pot", ".")
        pybabel("update", "-i", "translations/messages.pot", "-d", "translations", "--no-fuzzy-matching",
                "--ignore-obsolete", "-w", "120")

    @translate.command()
    def compile():
        """Compile the catalogs to .mo files."""
        pybabel("compile", "-d", "translations", "--statistics")
