"""The reference twin: a minimal Flask app on the benchmark's database, served beside the app in the same run.

It does the least work a page of this kind can do, with the same stack (Flask, Flask-Login, Flask-SQLAlchemy):
  /session  the session load: Flask-Login's user_loader reads the account by the id in the signed cookie
  /guarded  the session load + ONE UNION query for the user's effective rights (department grants ∪
            individual grants), then 200 if the user holds FUNCTION (403 otherwise)
  /staff    the guarded route + a 50-row page of staff (db.paginate, selectinload of departments) as a
            bare HTML table: login, name, email, department names
  /login    POST login=...: logs that account in, with no password check (the benchmark's cookie only)

Its own minimal models map the app's existing tables, only the columns it reads. bench/bench.py serves it
with gunicorn (2 sync workers), as `reference:app` from this folder, with DATABASE_URL pointing at the
app's database and REFERENCE_SECRET_KEY shared by its workers.
"""
import os

from flask import Flask, abort, request
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, select, union
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, selectinload

FUNCTION = os.environ.get("REFERENCE_FUNCTION", "staff.view")  # what /guarded and /staff require
PER_PAGE = 50


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()

staff_departments = Table(
    "staff_departments", db.metadata,
    Column("account_id", ForeignKey("accounts.id"), primary_key=True),
    Column("department_id", ForeignKey("departments.id"), primary_key=True),
)


class Department(db.Model):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_en: Mapped[str] = mapped_column(String(120))


class Account(UserMixin, db.Model):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    login: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    full_access: Mapped[bool] = mapped_column(Boolean)
    active: Mapped[bool] = mapped_column(Boolean)

    departments = relationship(Department, secondary=staff_departments, order_by=Department.name_en,
                               viewonly=True)


class DepartmentRight(db.Model):
    __tablename__ = "department_rights"

    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), primary_key=True)
    function_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class StaffRight(db.Model):
    __tablename__ = "staff_rights"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    function_id: Mapped[str] = mapped_column(String(64), primary_key=True)


@login_manager.user_loader
def load_user(user_id: str) -> Account | None:
    return db.session.get(Account, int(user_id))


def rights(account: Account) -> set[str]:
    """The account's effective functions: one UNION query, always run (also for full access)."""
    from_departments = (
        select(DepartmentRight.function_id)
        .join(staff_departments, staff_departments.c.department_id == DepartmentRight.department_id)
        .where(staff_departments.c.account_id == account.id)
    )
    individual = select(StaffRight.function_id).where(StaffRight.account_id == account.id)
    return set(db.session.scalars(union(from_departments, individual)))


def guard() -> None:
    held = rights(current_user)
    if not (current_user.active and (current_user.full_access or FUNCTION in held)):
        abort(403)


app = Flask(__name__)
app.config.update(
    SECRET_KEY=os.environ.get("REFERENCE_SECRET_KEY", "reference-twin-benchmark-only"),
    SQLALCHEMY_DATABASE_URI=os.environ["DATABASE_URL"],
)
db.init_app(app)
login_manager.init_app(app)

# The bare table, compiled once (render_template_string would compile it on every request).
TABLE = app.jinja_env.from_string(
    "<!doctype html><title>Staff</title><table>"
    "{% for a in page.items %}<tr><td>{{ a.login }}<td>{{ a.name_en }}<td>{{ a.email }}"
    "<td>{{ a.departments|map(attribute='name_en')|join(', ') }}{% endfor %}</table>"
)


@app.post("/login")
def login():
    account = db.session.scalar(select(Account).where(Account.login == request.form["login"]))
    if account is None:
        abort(403)
    login_user(account)
    return "logged in\n"


@app.get("/session")
@login_required
def session_load():
    return f"{current_user.login}\n"


@app.get("/guarded")
@login_required
def guarded():
    guard()
    return "allowed\n"


@app.get("/staff")
@login_required
def staff():
    guard()
    page = db.paginate(
        select(Account).order_by(Account.login).options(selectinload(Account.departments)),
        per_page=PER_PAGE, error_out=False,
    )
    return TABLE.render(page=page)
