"""The reference twin: a minimal Flask app on the benchmark's database, served beside the app in the same run.

It does the least work a page of this kind can do, with the same stack (Flask, Flask-Login, Flask-SQLAlchemy):
  /session  the session load: Flask-Login's user_loader reads the account by the id in the signed cookie
  /guarded  the session load + ONE UNION query for the user's effective rights (department grants ∪
            individual grants), then 200 if the user holds FUNCTION (403 otherwise)
  /staff    the guarded route + a 50-row page of staff (accounts of kind staff: the clients are left out;
            db.paginate, selectinload of departments) as a
            bare HTML table: login, name, email, department names
  /login    POST login=...: logs that account in, with no password check (the benchmark's cookie only)

and the support center's counterparts, each the session load + the rights query (staff) + ONE query + a
bare table (the ticket page: two, the ticket and its messages):
  /tickets        a 50-row page of the queue (status, assignee, overdue and q filters as the app's), scoped to
                  the user's departments (full access: all), in the queue's order; the page's ids are chosen
                  in a subquery on tickets alone and joined to client, department and assignee (no count)
  /tickets/<id>   the ticket (scoped the same way) with client and department, then its messages with authors
  /my-tickets     a client's 50 most recent tickets with their departments (a client has no rights query)

and billing's and tasks', the same way; a staff list is counted as db.paginate counts (eager joins left out:
the count runs on the listed table alone, with the filters) and joins only to show names:
  /tariffs        the plans that are not archived, by name, with the department of a manual plan (counted)
  /services       newest first, with client and plan; ?status=, ?tariff= (an id), ?client= (an id; or a part
                  of the login, name or email: then not counted, as the app's search) (counted)
  /payments       the latest received first, with the client (counted)
  /expenses       the charges that are not cancelled, the latest first, with the client (counted)
  /invoices       newest first, with the client; ?status= (counted)
  /tasks          as /tickets: the user's departments' tasks (full access: all), ?status=active (open and
                  taken: the default) by deadline, or all (open ones first) or one status, ?department=,
                  ?assignee=me|unassigned; ids chosen on tasks alone, joined to client, department, assignee
  /my-services    a client's 50 most recent services with their plans
  /my-invoices    a client's 50 most recent issued invoices (not drafts)

Its own minimal models map the app's existing tables, only the columns it reads. bench/bench.py serves it
with gunicorn (2 sync workers), as `reference:app` from this folder, with DATABASE_URL pointing at the
app's database and REFERENCE_SECRET_KEY shared by its workers.
"""
import os
from datetime import UTC, date, datetime
from decimal import Decimal

from flask import Flask, abort, request
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    case,
    func,
    or_,
    select,
    union,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, aliased, mapped_column, relationship, selectinload

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
    search_key: Mapped[str] = mapped_column(String(800))

    departments = relationship(Department, secondary=staff_departments, order_by=Department.name_en,
                               viewonly=True)


class Ticket(db.Model):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    subject: Mapped[str] = mapped_column(String(200))
    subject_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_message_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TicketMessage(db.Model):
    __tablename__ = "ticket_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    kind: Mapped[str] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# The app's queue order (webapp.models.tickets.QUEUE_ORDER), which its indexes serve.
QUEUE_ORDER = (Ticket.due_at.is_(None), Ticket.due_at, Ticket.last_message_at.desc(), Ticket.id.desc())


# Billing and tasks: the columns the twin's pages read.
class Tariff(db.Model):
    __tablename__ = "tariffs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_en: Mapped[str] = mapped_column(String(120))
    name_key: Mapped[str] = mapped_column(String(200))
    price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    period: Mapped[str] = mapped_column(String(8))
    provisioning: Mapped[str] = mapped_column(String(16))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    archived: Mapped[bool] = mapped_column(Boolean)


class Service(db.Model):
    __tablename__ = "services"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    tariff_id: Mapped[int] = mapped_column(ForeignKey("tariffs.id"))
    status: Mapped[str] = mapped_column(String(16))
    paid_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Charge(db.Model):
    __tablename__ = "charges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    description: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Payment(db.Model):
    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    method: Mapped[str] = mapped_column(String(16))
    received_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))


class Invoice(db.Model):
    __tablename__ = "invoices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    status: Mapped[str] = mapped_column(String(16))
    year: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    total: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    issued_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Task(db.Model):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("accounts.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    title: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


OPEN_TASKS = ("open", "taken")
# Open tasks by deadline (none last); with closed ones listed too, those after them, the latest first.
OPEN_TASK_ORDER = (Task.due_at.is_(None), Task.due_at, Task.id.desc())
_OPEN_DUE = case((Task.status.in_(OPEN_TASKS), Task.due_at))
TASK_ORDER = (case((Task.status.in_(OPEN_TASKS), 0), else_=1), _OPEN_DUE.is_(None), _OPEN_DUE,
              func.coalesce(Task.done_at, Task.created_at).desc(), Task.id.desc())


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


def guard(function: str = FUNCTION) -> None:
    held = rights(current_user)
    if not (current_user.active and current_user.kind == "staff" and (current_user.full_access or function in held)):
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
QUEUE = app.jinja_env.from_string(
    "<!doctype html><title>Tickets</title><table>"
    "{% for t in rows %}<tr><td><a href='/tickets/{{ t.id }}'>#{{ t.id }}</a><td>{{ t.subject }}<td>{{ t.client }}"
    "<td>{{ t.department }}<td>{{ t.status }}<td>{{ t.assignee or '' }}<td>{{ t.due_at or '' }}{% endfor %}</table>"
    "{% if more %}<a href='?page=2'>Next</a>{% endif %}"
)
THREAD = app.jinja_env.from_string(
    "<!doctype html><title>{{ ticket.subject }}</title><h1>{{ ticket.subject }}</h1>"
    "<p>{{ ticket.client }} · {{ ticket.department }} · {{ ticket.status }} · {{ ticket.due_at or '' }}</p><ol>"
    "{% for m in messages %}<li>{{ m.author or '' }} ({{ m.kind }}, {{ m.created_at }}): {{ m.body }}{% endfor %}</ol>"
)
MINE = app.jinja_env.from_string(
    "<!doctype html><title>Tickets</title><table>"
    "{% for t in rows %}<tr><td><a href='/my-tickets/{{ t.id }}'>#{{ t.id }}</a><td>{{ t.subject }}"
    "<td>{{ t.department }}<td>{{ t.status }}<td>{{ t.due_at or '' }}<td>{{ t.last_message_at }}{% endfor %}</table>"
)

# The billing pages' bare tables: one template, the row's columns in order.
ROWS = app.jinja_env.from_string(
    "<!doctype html><title>{{ title }}</title><table>"
    "{% for row in rows %}<tr>{% for cell in row %}<td>{{ '' if cell is none else cell }}{% endfor %}{% endfor %}"
    "</table>{% if total is not none %}<p>{{ total }} in all, page {{ page }}</p>{% endif %}"
    "{% if more %}<a href='?page={{ page + 1 }}'>Next</a>{% endif %}"
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
        select(Account).where(Account.kind == "staff").order_by(Account.login)
        .options(selectinload(Account.departments)),
        per_page=PER_PAGE, error_out=False,
    )
    return TABLE.render(page=page)


def scoped(statement):
    """Tickets of the user's departments (full access: all), in the same query."""
    if current_user.full_access:
        return statement
    return statement.where(Ticket.department_id.in_(
        select(staff_departments.c.department_id).where(staff_departments.c.account_id == current_user.id)))


@app.get("/tickets")
@login_required
def tickets():
    guard("support.tickets")
    args = request.args
    ids = scoped(select(Ticket.id))
    status = args.get("status", "open")
    ids = ids.where(Ticket.status != "closed") if status == "open" else ids.where(Ticket.status == status)
    if args.get("assignee") == "unassigned":
        ids = ids.where(Ticket.assignee_id.is_(None))
    elif args.get("assignee") == "me":
        ids = ids.where(Ticket.assignee_id == current_user.id)
    if args.get("overdue") == "1":
        ids = ids.where(Ticket.due_at <= datetime.now(UTC))
    if q := args.get("q", "").strip().casefold():
        ids = ids.join(Account, Account.id == Ticket.client_id).where(
            or_(Ticket.subject_key.contains(q), Account.search_key.contains(q)))
    page = int(args.get("page", 1))
    ids = ids.order_by(*QUEUE_ORDER).limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)
    client, assignee = aliased(Account), aliased(Account)
    rows = db.session.execute(
        select(Ticket.id, Ticket.subject, Ticket.status, Ticket.due_at, client.name_en.label("client"),
               Department.name_en.label("department"), assignee.name_en.label("assignee"))
        .join(client, client.id == Ticket.client_id).join(Department, Department.id == Ticket.department_id)
        .outerjoin(assignee, assignee.id == Ticket.assignee_id)
        .where(Ticket.id.in_(ids)).order_by(*QUEUE_ORDER)).all()
    return QUEUE.render(rows=rows[:PER_PAGE], more=len(rows) > PER_PAGE)


@app.get("/tickets/<int:ticket_id>")
@login_required
def ticket(ticket_id: int):
    guard("support.tickets")
    client = aliased(Account)
    found = db.session.execute(scoped(
        select(Ticket.id, Ticket.subject, Ticket.status, Ticket.due_at, client.name_en.label("client"),
               Department.name_en.label("department"))
        .join(client, client.id == Ticket.client_id).join(Department, Department.id == Ticket.department_id)
        .where(Ticket.id == ticket_id))).first()
    if found is None:
        abort(404)
    messages = db.session.execute(
        select(TicketMessage.kind, TicketMessage.body, TicketMessage.created_at, Account.name_en.label("author"))
        .outerjoin(Account, Account.id == TicketMessage.author_id)
        .where(TicketMessage.ticket_id == ticket_id).order_by(TicketMessage.id)).all()
    return THREAD.render(ticket=found, messages=messages)


@app.get("/my-tickets")
@login_required
def my_tickets():
    if current_user.kind != "client":
        abort(403)
    rows = db.session.execute(
        select(Ticket.id, Ticket.subject, Ticket.status, Ticket.due_at, Ticket.last_message_at,
               Department.name_en.label("department"))
        .join(Department, Department.id == Ticket.department_id).where(Ticket.client_id == current_user.id)
        .order_by(Ticket.last_message_at.desc(), Ticket.id.desc()).limit(PER_PAGE + 1)).all()
    return MINE.render(rows=rows[:PER_PAGE])


# Billing and tasks ------------------------------------------------------------------------------------------

def page_number() -> int:
    page = request.args.get("page", "1")
    return int(page) if page.isdigit() and 0 < int(page) < 10**6 else 1


def counted(statement, model, *conditions):
    """A counted 50-row page, as db.paginate counts one (eager-loaded joins left out): the model's rows under the
    conditions, counted on its table alone (the page's joins follow foreign keys and drop no row), then the page's
    rows, joined."""
    page = page_number()
    total = db.session.scalar(select(func.count()).select_from(model).where(*conditions))
    rows = db.session.execute(statement.where(*conditions).limit(PER_PAGE).offset((page - 1) * PER_PAGE)).all()
    return {"rows": rows, "total": total, "page": page, "more": page * PER_PAGE < total}


def uncounted(statement):
    """A 50-row page without a count: one extra row tells whether another page follows."""
    page = page_number()
    rows = db.session.execute(statement.limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)).all()
    return {"rows": rows[:PER_PAGE], "total": None, "page": page, "more": len(rows) > PER_PAGE}


@app.get("/tariffs")
@login_required
def tariffs():
    guard("tariffs.view")
    statement = (select(Tariff.id, Tariff.name_en, Tariff.price, Tariff.period, Tariff.provisioning,
                        Department.name_en.label("department"))
                 .outerjoin(Department, Department.id == Tariff.department_id).order_by(Tariff.name_key, Tariff.id))
    return ROWS.render(title="Tariff plans", **counted(statement, Tariff, Tariff.archived.is_(False)))


@app.get("/services")
@login_required
def services():
    """Newest first; ?status=, ?client= (an id, or a part of the login, name or email: not counted) and ?tariff=
    (an id), as the app's filters."""
    guard("services.view")
    args = request.args
    statement = (select(Service.id, Account.name_en.label("client"), Tariff.name_en.label("tariff"), Tariff.price,
                        Service.status, Service.paid_until, Service.created_at)
                 .join(Account, Account.id == Service.client_id).join(Tariff, Tariff.id == Service.tariff_id)
                 .order_by(Service.id.desc()))
    conditions = []
    if args.get("status", "all") != "all":
        conditions.append(Service.status == args["status"])
    if args.get("tariff", "").isdigit():
        conditions.append(Service.tariff_id == int(args["tariff"]))
    client = args.get("client", "").strip()
    if client.isdigit():
        conditions.append(Service.client_id == int(client))
    elif client:
        return ROWS.render(title="Services", **uncounted(statement.where(*conditions, Service.client_id.in_(
            select(Account.id).where(Account.kind == "client", Account.search_key.contains(client.casefold()))))))
    return ROWS.render(title="Services", **counted(statement, Service, *conditions))


@app.get("/payments")
@login_required
def payments():
    guard("payments.view")
    statement = (select(Payment.id, Account.name_en.label("client"), Payment.amount, Payment.method,
                        Payment.received_on, Payment.status)
                 .join(Account, Account.id == Payment.client_id)
                 .order_by(Payment.received_on.desc(), Payment.id.desc()))
    return ROWS.render(title="Payments", **counted(statement, Payment))


@app.get("/expenses")
@login_required
def expenses():
    guard("expenses.view")
    statement = (select(Charge.id, Account.name_en.label("client"), Charge.amount, Charge.description,
                        Charge.created_at)
                 .join(Account, Account.id == Charge.client_id).order_by(Charge.created_at.desc(), Charge.id.desc()))
    return ROWS.render(title="Expenses", **counted(statement, Charge, Charge.cancelled_at.is_(None)))


@app.get("/invoices")
@login_required
def invoices():
    guard("invoices.view")
    statement = (select(Invoice.id, Invoice.year, Invoice.number, Account.name_en.label("client"), Invoice.status,
                        Invoice.total, Invoice.currency, Invoice.created_at)
                 .join(Account, Account.id == Invoice.client_id).order_by(Invoice.id.desc()))
    status = request.args.get("status")
    return ROWS.render(title="Invoices", **counted(statement, Invoice, *([Invoice.status == status] if status else [])))


@app.get("/tasks")
@login_required
def tasks():
    """The user's departments' tasks (full access: all), ?status=active (open and taken, the default), all or
    one status, ?department= (an id), ?assignee=me|unassigned; open ones first by deadline. The page's ids are
    chosen on tasks alone, then joined to client, department and assignee (no count), as /tickets."""
    guard("tasks.view")
    args = request.args
    ids = select(Task.id)
    if not current_user.full_access:
        ids = ids.where(Task.department_id.in_(
            select(staff_departments.c.department_id).where(staff_departments.c.account_id == current_user.id)))
    if args.get("department", "").isdigit():
        ids = ids.where(Task.department_id == int(args["department"]))
    status = args.get("status", "active")
    order = OPEN_TASK_ORDER
    if status == "active":
        ids = ids.where(Task.status.in_(OPEN_TASKS))
    elif status == "all":
        order = TASK_ORDER
    else:
        ids = ids.where(Task.status == status)
    if args.get("assignee") == "me":
        ids = ids.where(Task.assignee_id == current_user.id)
    elif args.get("assignee") == "unassigned":
        ids = ids.where(Task.assignee_id.is_(None))
    page = page_number()
    ids = ids.order_by(*order).limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)
    client, assignee = aliased(Account), aliased(Account)
    rows = db.session.execute(
        select(Task.id, Task.title, client.name_en.label("client"), Department.name_en.label("department"),
               Task.status, assignee.name_en.label("assignee"), Task.due_at)
        .join(client, client.id == Task.client_id).join(Department, Department.id == Task.department_id)
        .outerjoin(assignee, assignee.id == Task.assignee_id)
        .where(Task.id.in_(ids)).order_by(*order)).all()
    return ROWS.render(title="Tasks", rows=rows[:PER_PAGE], total=None, page=page, more=len(rows) > PER_PAGE)


def client_only() -> None:
    if current_user.kind != "client":
        abort(403)


@app.get("/my-services")
@login_required
def my_services():
    """A client's 50 most recent services with their plans (a client has no rights query)."""
    client_only()
    rows = db.session.execute(
        select(Service.id, Tariff.name_en.label("tariff"), Tariff.price, Tariff.period, Service.status,
               Service.paid_until, Service.created_at)
        .join(Tariff, Tariff.id == Service.tariff_id).where(Service.client_id == current_user.id)
        .order_by(Service.id.desc()).limit(PER_PAGE + 1)).all()
    return ROWS.render(title="Services", rows=rows[:PER_PAGE], total=None, page=1, more=len(rows) > PER_PAGE)


@app.get("/my-invoices")
@login_required
def my_invoices():
    """A client's 50 most recent issued invoices (drafts are not shown to clients)."""
    client_only()
    rows = db.session.execute(
        select(Invoice.id, Invoice.year, Invoice.number, Invoice.status, Invoice.total, Invoice.currency,
               Invoice.issued_at)
        .where(Invoice.client_id == current_user.id, Invoice.status != "draft")
        .order_by(Invoice.id.desc()).limit(PER_PAGE + 1)).all()
    return ROWS.render(title="Invoices", rows=rows[:PER_PAGE], total=None, page=1, more=len(rows) > PER_PAGE)
