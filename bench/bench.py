"""Benchmark, side by side in one run: the app and its reference twin (bench/reference.py, a minimal Flask app)
on the same data, 200 departments and 5,000 staff in 1–10 departments each (RECIPES.md), the support
center: 50,000 clients, 100,000 tickets in the 66 departments shown in support, 500,000 messages, and
billing: 42 tariff plans, 200,000 services, 200,000 charges, 100,000 payments, 50,000 invoices with their
lines, 20,000 tasks in the 6 departments that handle the manual plans, over two years.

Both are served by gunicorn with 2 sync workers; wrk (16 connections) loads each page of the app and the twin's
route it is compared with, alternately, for a few rounds. The table gives medians and the app's req/s as a
ratio to the twin’s, measured seconds apart on the same machine: absolute figures move by ±40 % from one hour to
the next on shared machines, ratios much less. The servers' CPU time per request (from /proc) is printed too:
it moves least when other processes compete for the CPU.

Targets: every list page at least 1.5× the twin's 50-row page, with p99 under 150 ms; the staff search at least
as fast as the staff list, and so the ticket queue's first pages (as a regular member and as the admin) and
its filtered pages, and the billing lists (tariffs, services, payments, expenses, invoices, tasks, a client's
services and invoices), each as its ratio to its own twin route. A miss is reported with its size; only non-2xx
responses fail the run (exit 1).

Usage: make bench   (or: python bench/bench.py --seconds 5 --rounds 3 [--only staff] [--markdown])
BENCH_DATABASE_URL points it at PostgreSQL (an empty database; the tables are created).
"""
import argparse
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADMIN_PASSWORD = "bench-admin-password"
CONNECTIONS = 16
WORKERS = 2
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The app's page sizes set to the twin's 50 rows (config.py reads {NAME}_PER_PAGE from the environment).
PER_PAGE_SETTINGS = ("STAFF", "TICKETS", "TARIFFS", "SERVICES", "PAYMENTS", "CHARGES", "INVOICES", "TASKS")


# The data -----------------------------------------------------------------------------------------------
# One function per table builds a row. A model that gains a NOT NULL column without a default needs the
# column added here, and nowhere else.

def department_row(i: int, hours_id: int) -> dict:
    """A bulk insert skips the ORM's flush events, so the folded keys are computed here."""
    from webapp.text import fold

    name_en, name_ru = f"Department {i:03d}", f"Отдел {i:03d}"
    return {"name_en": name_en, "name_ru": name_ru, "name_key": fold(name_en), "name_ru_key": fold(name_ru),
            "business_hours_id": hours_id, "show_in_support": i % 3 == 0, "task_locale": "en", "version": 1}


def staff_row(i: int, password_hash: str) -> dict:
    from webapp.models.accounts import account_search_key
    from webapp.text import fold

    login, name_en, name_ru, email = f"user{i:04d}", f"User {i:04d}", f"Сотрудник {i:04d}", f"user{i}@example.com"
    return {"kind": "staff", "login": login, "login_key": fold(login), "name_en": name_en, "name_ru": name_ru,
            "password_hash": password_hash, "email": email, "full_access": False, "active": True, "builtin": False,
            "avatar_version": 0, "version": 1, "search_key": account_search_key(login, name_en, name_ru, email)}


def client_row(i: int, password_hash: str) -> dict:
    from webapp.models.accounts import account_search_key
    from webapp.text import fold

    login, name_en, name_ru, email = f"client{i:05d}", f"Client {i:05d}", f"Клиент {i:05d}", f"client{i}@example.net"
    return {"kind": "client", "login": login, "login_key": fold(login), "name_en": name_en, "name_ru": name_ru,
            "password_hash": password_hash, "email": email, "full_access": False, "active": True, "builtin": False,
            "avatar_version": 0, "version": 1, "away": False, "ticket_emails": True,
            "search_key": account_search_key(login, name_en, name_ru, email)}


CLIENTS, TICKETS, MESSAGES = 50_000, 100_000, 500_000
MEMBER_SUPPORT_DEPARTMENTS = 4  # user0000 answers the tickets of this many support departments
CLIENT_TICKETS = 60  # client00000's tickets: more than a page
TICKET_PAGE_ID = 1  # a ticket of user0000's first support department with 5 messages
SUBJECTS = ("Invoice {n} is wrong", "Cannot log in to the panel", "Refund for order {n}", "Server {n} is down",
            "Change of tariff", "Domain {n} does not resolve", "Счёт {n} не оплачен", "Не приходит почта",
            "SSL certificate for site {n}", "Backup restore request")
STATUS_WEIGHTS = (("new", 8), ("waiting_staff", 17), ("waiting_client", 20), ("closed", 55))
CHUNK = 20_000


def message_counts(rng: random.Random) -> list[int]:
    """1–9 messages a ticket, MESSAGES in all; ticket TICKET_PAGE_ID has exactly 5."""
    counts = [MESSAGES // TICKETS] * TICKETS
    for i in range(2, TICKETS - 1, 2):
        shift = rng.randint(-4, 4)
        counts[i] += shift
        counts[i + 1] -= shift
    return counts


def message_kinds(rng: random.Random, n: int, status: str) -> tuple[str, list[str]]:
    """A thread that fits the status (changed to new where n is too short for it): new has no reply yet,
    waiting_staff ends with the client's message after a reply, waiting_client ends with a reply; internal
    notes in between."""
    if n < (3 if status == "waiting_staff" else 2) and status != "closed":
        status = "new"
    kinds = ["client"]
    for _ in range(1, n):
        if status == "new" or rng.random() < 0.15:
            kinds.append(rng.choice(("client", "note")) if status == "new" else "note")
        else:
            kinds.append("client" if kinds[-1] == "reply" else "reply")
    if status == "waiting_staff":
        kinds[-2:] = ["reply", "client"]
    elif status == "waiting_client":
        kinds[-1] = "reply"
    return status, kinds


def populate_support(rng: random.Random, support_ids: list[int],
                     members: dict[int, list[int]], member_id: int, password_hash: str) -> None:
    """CLIENTS clients, TICKETS tickets over the support departments and MESSAGES messages, inserted in chunks
    with executemany (the ORM's flush events are skipped: subject_key and the last message are set here)."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import insert

    from webapp.extensions import db
    from webapp.models import Account, Ticket, TicketMessage
    from webapp.text import fold

    for start in range(0, CLIENTS, CHUNK):
        db.session.execute(insert(Account), [client_row(i, password_hash)
                                             for i in range(start, min(start + CHUNK, CLIENTS))])
    client_ids = list(db.session.scalars(db.select(Account.id).where(Account.login.like("client%"))
                                         .order_by(Account.login)))
    now = datetime.now(UTC).replace(microsecond=0)
    counts = message_counts(rng)
    statuses, weights = zip(*STATUS_WEIGHTS)
    member_departments = [d for d in support_ids if member_id in members.get(d, ())]
    tickets, messages = [], []
    message_id = 0
    for n in range(TICKETS):
        ticket_id = n + 1
        status = rng.choices(statuses, weights)[0]
        department = rng.choice(support_ids)
        client = client_ids[0] if n < CLIENT_TICKETS else rng.choice(client_ids)
        if ticket_id == TICKET_PAGE_ID:
            status, department = "waiting_staff", member_departments[0]
        staff = members.get(department) or [None]
        assignee = rng.choice(staff) if rng.random() < (0.9 if status == "closed" else 0.5) else None
        status, kinds = message_kinds(rng, counts[n], status)
        awaiting = status in ("new", "waiting_staff")
        # Open tickets are recent; the awaited message of one waiting for staff arrived up to 2 days ago.
        end = now - timedelta(minutes=rng.randint(1, 2 * 24 * 60 if awaiting else 30 * 24 * 60))
        if status == "closed":
            end -= timedelta(days=rng.randint(0, 365))
        step = timedelta(minutes=rng.randint(5, 600))
        created = end - step * (len(kinds) - 1)
        first_reply = None
        for k, kind in enumerate(kinds):
            message_id += 1
            at = created + step * k
            if kind == "reply" and first_reply is None:
                first_reply = at
            messages.append({"id": message_id, "ticket_id": ticket_id, "kind": kind, "created_at": at,
                             "author_id": client if kind == "client" else (assignee or staff[0]),
                             "body": f"Message {k + 1} of ticket {ticket_id}: {SUBJECTS[k % 10].format(n=k)}."})
        subject = SUBJECTS[n % len(SUBJECTS)].format(n=rng.randint(1000, 99999))
        due = end + timedelta(hours=rng.randint(4, 48)) if awaiting else None  # some past: overdue
        spent = int((first_reply - created).total_seconds() // 60) if first_reply else None
        tickets.append({
            "id": ticket_id, "client_id": client, "department_id": department, "assignee_id": assignee,
            "subject": subject, "subject_key": fold(subject)[:200], "status": status, "created_at": created,
            "last_message_at": end, "last_message_id": message_id, "awaiting_since": end if awaiting else None,
            "due_at": due, "overdue_notified": bool(due and due < now), "first_response_at": first_reply,
            "first_response_minutes": spent, "first_response_in_target": None if spent is None else spent <= 240,
            "closed_at": end if status == "closed" else None})
    for start in range(0, TICKETS, CHUNK):
        db.session.execute(insert(Ticket.__table__), tickets[start:start + CHUNK])
    for start in range(0, len(messages), CHUNK):
        db.session.execute(insert(TicketMessage.__table__), messages[start:start + CHUNK])
    if db.engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
        for table in ("tickets", "ticket_messages"):
            db.session.execute(db.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                       f"(SELECT max(id) FROM {table}))"))


SERVICES, CHARGES, PAYMENTS, INVOICES, TASKS = 200_000, 200_000, 100_000, 50_000, 20_000
BILLING_VIEWING = {"services.view", "tariffs.view", "tasks.view", "payments.view", "expenses.view", "invoices.view"}
CLIENT_SERVICES, CLIENT_INVOICES = 60, 60  # client00000's: more than a page of each
TASK_DEPARTMENT_ID = 3  # the first bench department ("Department 000"): user0000's, and it handles manual plans
FILTER_PLAN_ID = 28  # "Dedicated server E5", a manual plan: some 5,000 services, most of them active
TASK_DEPARTMENTS = 6  # departments handling manual plans: TASK_DEPARTMENT_ID, one more of user0000's, 4 others
# (English, Russian, price, period, provisioning) of the 42 plans, 13 of them manual; the last four are archived.
PLANS = [
    *((f"Shared hosting {s}", f"Виртуальный хостинг {s}", p, "month", "automatic")
      for s, p in (("S", "3.99"), ("M", "6.99"), ("L", "11.99"), ("XL", "19.99"))),
    *((f"VPS {n} GB", f"VPS {n} ГБ", p, "month", "automatic")
      for n, p in ((1, "4.50"), (2, "8.00"), (4, "15.00"), (8, "29.00"), (16, "55.00"), (32, "105.00"))),
    *((f"Domain .{z}", f"Домен .{z}", p, "year", "automatic")
      for z, p in (("com", "12.00"), ("net", "14.00"), ("org", "13.00"), ("ru", "5.00"), ("io", "39.00"))),
    *((f"Backup {n} GB", f"Резервные копии {n} ГБ", p, "month", "automatic")
      for n, p in ((50, "2.00"), (200, "6.00"), (1000, "20.00"))),
    ("SSL certificate DV", "SSL-сертификат DV", "9.00", "year", "automatic"),
    ("Email Pro", "Почта Pro", "2.50", "month", "automatic"),
    ("Website builder", "Конструктор сайтов", "5.00", "month", "automatic"),
    ("Object storage 1 TB", "Объектное хранилище 1 ТБ", "18.00", "month", "automatic"),
    ("CDN 10 TB", "CDN 10 ТБ", "25.00", "month", "automatic"),
    ("Load balancer", "Балансировщик нагрузки", "12.00", "month", "automatic"),
    ("Anti-DDoS Basic", "Защита от DDoS Basic", "15.00", "month", "automatic"),
    ("Monitoring", "Мониторинг", "3.00", "month", "automatic"),
    *((f"Dedicated server {s}", f"Выделенный сервер {s}", p, "month", "manual")
      for s, p in (("E3", "79.00"), ("E5", "149.00"), ("EPYC", "289.00"))),
    *((f"Colocation {u}U", f"Размещение {u}U", p, "month", "manual") for u, p in ((1, "45.00"), (2, "80.00"))),
    ("SSL certificate OV", "SSL-сертификат OV", "69.00", "year", "manual"),
    ("SSL certificate EV", "SSL-сертификат EV", "199.00", "year", "manual"),
    ("Managed Kubernetes", "Управляемый Kubernetes", "120.00", "month", "manual"),
    ("Private network", "Частная сеть", "20.00", "month", "manual"),
    ("Server administration", "Администрирование сервера", "60.00", "month", "manual"),
    ("Site migration", "Перенос сайта", "35.00", "year", "manual"),
    ("1C hosting", "Хостинг 1С", "40.00", "month", "manual"),
    ("Shared hosting Classic", "Виртуальный хостинг Classic", "2.99", "month", "automatic"),
    ("VPS Legacy", "VPS Legacy", "3.50", "month", "automatic"),
    ("Dedicated server Atom", "Выделенный сервер Atom", "29.00", "month", "manual"),
    ("Domain .su", "Домен .su", "9.00", "year", "automatic"),
]
ARCHIVED_PLANS = 4
SERVICE_STATUS_WEIGHTS = (("active", 74), ("suspended", 7), ("closed", 19))
INVOICE_STATUS_WEIGHTS = (("draft", 4), ("sent", 20), ("paid", 70), ("cancelled", 6))
PAYMENT_STATUS_WEIGHTS = (("confirmed", 85), ("pending", 10), ("cancelled", 5))
PAYMENT_METHOD_WEIGHTS = (("bank_transfer", 50), ("card", 40), ("cash", 5), ("other", 5))
TYPED_LINES = (("Setup fee", "25.00"), ("Consulting, one hour", "40.00"), ("Domain transfer", "10.00"),
               ("Additional IP address", "3.00"), ("Data recovery", "50.00"))
TASK_TITLES = {
    "order": "Set up service #{number} ({plan}) for {client}",
    "suspend": "Suspend service #{number} ({plan}) of {client}",
    "resume": "Resume service #{number} ({plan}) of {client}",
    "close": "Close service #{number} ({plan}) of {client}",
}


class Inserter:
    """Rows of one table, inserted with executemany every CHUNK rows."""

    def __init__(self, table):
        self.table, self.rows, self.count = table, [], 0

    def add(self, row: dict) -> None:
        self.rows.append(row)
        if len(self.rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        from sqlalchemy import insert

        from webapp.extensions import db

        if self.rows:
            db.session.execute(insert(self.table), self.rows)
            self.count += len(self.rows)
            self.rows = []


def populate_billing(rng: random.Random, department_ids: list[int], members: dict[int, list[int]],
                     member_id: int) -> dict[str, int]:
    """The billing data, over 2 years, inserted in chunks with executemany: 42 plans (13 manual, handled by
    TASK_DEPARTMENTS departments, two of them user0000's), SERVICES services over the clients (client00000 has
    some CLIENT_SERVICES; a manual order of the last days waits for its task), a charge for each service's
    first period (a few renewals make up the rest of CHARGES; 1 % cancelled), INVOICES invoices of 1–5 lines (the client's charges, else typed lines; numbered per year
    without gaps, with their invoice_counters rows; client00000 has CLIENT_INVOICES), PAYMENTS payments (one
    for each paid invoice, the rest on account), and TASKS tasks in the plans' departments, each with its
    created event: the open and taken ones for the services waiting for an operation (some overdue), the done
    ones for the latest manual orders. Returns the row counts."""
    from datetime import UTC, datetime, timedelta
    from decimal import Decimal

    from webapp.extensions import db
    from webapp.models import (
        Account,
        Charge,
        Invoice,
        InvoiceCounter,
        InvoiceLine,
        Payment,
        Service,
        Tariff,
        Task,
        TaskEvent,
    )
    from webapp.text import fold

    assert department_ids[0] == TASK_DEPARTMENT_ID, department_ids[:3]  # PAGES filter on these ids
    assert PLANS[FILTER_PLAN_ID - 1][0] == "Dedicated server E5" and FILTER_PLAN_ID <= len(PLANS) - ARCHIVED_PLANS
    now = datetime.now(UTC).replace(microsecond=0)
    two_years = 2 * 365 * 24 * 60  # minutes
    clients = db.session.execute(db.select(Account.id, Account.name_en, Account.email)
                                 .where(Account.kind == "client").order_by(Account.login)).all()
    staff = list(db.session.scalars(db.select(Account.id).where(Account.kind == "staff")))

    # The plans and the departments that handle the manual ones.
    mine = sorted(d for d in department_ids if member_id in members.get(d, ()))
    others = [d for d in department_ids if member_id not in members.get(d, ()) and members.get(d)]
    task_departments = [TASK_DEPARTMENT_ID, next(d for d in mine if d != TASK_DEPARTMENT_ID),
                        *rng.sample(others, TASK_DEPARTMENTS - 2)]
    tariffs, manual = [], 0
    for n, (name_en, name_ru, price, period, provisioning) in enumerate(PLANS):
        department = None
        if provisioning == "manual":
            department, manual = task_departments[manual % TASK_DEPARTMENTS], manual + 1
        tariffs.append({"id": n + 1, "name_en": name_en, "name_ru": name_ru, "name_key": fold(name_en),
                        "name_ru_key": fold(name_ru), "version": 1, "price": Decimal(price), "period": period,
                        "provisioning": provisioning, "department_id": department,
                        "archived": n >= len(PLANS) - ARCHIVED_PLANS,
                        "created_at": now - timedelta(days=800 - n)})
    db.session.execute(db.insert(Tariff.__table__), tariffs)

    # Services, and the first period's charge of each one that started.
    services = Inserter(Service.__table__)
    charges = []  # kept until the invoices have picked theirs
    by_client: dict[int, list[dict]] = {}  # the client's charges that no invoice bills yet, oldest first
    # Services waiting for a manual operation; manual ones that started; those that lasted over a period.
    waiting, started, renewable = [], [], []
    statuses, weights = zip(*SERVICE_STATUS_WEIGHTS)

    def period_days(tariff) -> int:
        return 30 if tariff["period"] == "month" else 365

    def charge(service_id: int, client_id: int, tariff: dict, start: datetime) -> None:
        end = start.date() + timedelta(days=period_days(tariff))
        row = {"id": len(charges) + 1, "client_id": client_id, "service_id": service_id, "amount": tariff["price"],
               "description": f"{tariff['name_en']}, service #{service_id}, {start.date()} – "
                              f"{end - timedelta(days=1)}",
               "period_start": start.date(), "period_end": end, "created_at": start, "created_by_id": None,
               "cancelled_at": None, "cancelled_by_id": None, "invoice_id": None}
        if rng.random() < 0.01:
            row["cancelled_at"], row["cancelled_by_id"] = start + timedelta(hours=rng.randint(1, 72)), staff[0]
        else:
            by_client.setdefault(client_id, []).append(row)
        charges.append(row)

    # Ids in the order of creation, as the app gives them.
    moments = sorted(now - timedelta(minutes=rng.randint(10, two_years)) for _ in range(SERVICES))
    theirs = set(rng.sample(range(SERVICES), CLIENT_SERVICES))
    for n, created in enumerate(moments):
        service_id = n + 1
        client = clients[0].id if n in theirs else rng.choice(clients).id
        tariff = rng.choice(tariffs[:-ARCHIVED_PLANS] if created > now - timedelta(days=300) else tariffs)
        is_manual = tariff["provisioning"] == "manual"
        status, pending = rng.choices(statuses, weights)[0], None
        if is_manual:
            if created > now - timedelta(days=5) and rng.random() < 0.7:  # ordered lately, waiting for its task
                status, pending = "pending", "order"
            elif rng.random() < 0.02 and status != "closed":
                pending = "resume" if status == "suspended" else rng.choice(("suspend", "close"))
        activated = None
        if status != "pending":
            activated = created + (timedelta(hours=rng.randint(1, 30)) if is_manual else timedelta(seconds=2))
            if activated > now:  # its task is not done yet
                status, pending, activated = "pending", "order", None
        paid_until = closed = None
        if status == "active":
            paid_until = now.date() + timedelta(days=rng.randint(1, period_days(tariff)))
        elif status == "suspended":
            paid_until = now.date() - timedelta(days=rng.randint(1, 60))
        elif status == "closed":
            closed = activated + (now - activated) * rng.random()
            paid_until = closed.date() + timedelta(days=rng.randint(0, 29))
        services.add({"id": service_id, "client_id": client, "tariff_id": tariff["id"], "status": status,
                      "pending_operation": pending, "created_at": created, "activated_at": activated,
                      "paid_until": paid_until, "closed_at": closed})
        if activated is not None:
            charge(service_id, client, tariff, activated)
            end = closed or (now if status == "active" else datetime.combine(paid_until, datetime.min.time(), UTC))
            if activated + timedelta(days=period_days(tariff)) < end:
                renewable.append((service_id, client, tariff, activated, end))
        if pending is not None:
            waiting.append((service_id, client, tariff, pending, created))
        elif is_manual:
            started.append((service_id, client, tariff, status, created, activated, closed))
    services.flush()
    renewed = set()
    while len(charges) < CHARGES:  # renewals: a later period of a service that lasted longer than one
        service_id, client, tariff, activated, end = rng.choice(renewable)
        k = rng.randint(1, 24)
        start = activated + timedelta(days=period_days(tariff) * k)
        if start < end and (service_id, k) not in renewed:
            renewed.add((service_id, k))
            charge(service_id, client, tariff, start)
    for pending_charges in by_client.values():
        pending_charges.sort(key=lambda row: row["created_at"])

    # Invoices: the client's charges that no invoice bills yet, else typed lines; numbered in the order issued.
    invoice_rows, lines = [], []
    invoice_statuses, invoice_weights = zip(*INVOICE_STATUS_WEIGHTS)
    moments = sorted(now - timedelta(minutes=rng.randint(60, two_years)) for _ in range(INVOICES))
    theirs = set(rng.sample(range(INVOICES), CLIENT_INVOICES))
    for n, created in enumerate(moments):
        client = clients[0] if n in theirs else rng.choice(clients)
        status = rng.choices(invoice_statuses, invoice_weights)[0]
        if status == "draft" and (n in theirs or created < now - timedelta(days=30)):
            status = "sent" if created > now - timedelta(days=60) else "paid"  # old drafts get issued
        elif status == "sent" and created < now - timedelta(days=90) and rng.random() < 0.8:
            status = "paid"  # most old invoices are paid
        invoice_id, total = n + 1, Decimal("0.00")
        pending_charges = by_client.get(client.id, [])
        for position in range(rng.randint(1, 5)):
            line = {"invoice_id": invoice_id, "position": position, "charge_id": None}
            if pending_charges and pending_charges[0]["created_at"] < created:  # a charge made before
                billed = pending_charges.pop(0)
                billed["invoice_id"] = invoice_id
                line |= {"description": billed["description"], "quantity": 1, "unit_price": billed["amount"],
                         "amount": billed["amount"]}
                line["charge_id"] = billed["id"]
            else:
                description, price = rng.choice(TYPED_LINES)
                quantity = rng.randint(1, 3)
                line |= {"description": description, "quantity": quantity, "unit_price": Decimal(price),
                         "amount": Decimal(price) * quantity}
            total += line["amount"]
            lines.append(line)
        issued = None if status == "draft" else created + timedelta(minutes=rng.randint(5, 600))
        issued = issued and min(issued, now - timedelta(minutes=1))
        invoice_rows.append({
            "id": invoice_id, "client_id": client.id, "status": status, "year": None, "number": None,
            "currency": "EUR", "total": total, "created_at": created, "created_by_id": rng.choice(staff),
            "issued_at": issued, "sent_at": issued, "sent_by_id": rng.choice(staff) if issued else None,
            "sent_to": client.email if issued else None,
            "paid_at": issued + timedelta(days=rng.randint(0, 20)) if status == "paid" else None,
            "cancelled_at": issued + timedelta(days=rng.randint(1, 30)) if status == "cancelled" else None})
        row = invoice_rows[-1]
        for moment in ("paid_at", "cancelled_at"):
            if row[moment] is not None:
                row[moment] = min(row[moment], now)
    counters: dict[int, int] = {}
    for row in sorted((r for r in invoice_rows if r["issued_at"]), key=lambda r: (r["issued_at"], r["id"])):
        row["year"] = row["issued_at"].year
        row["number"] = counters[row["year"]] = counters.get(row["year"], 0) + 1
    for start in range(0, INVOICES, CHUNK):
        db.session.execute(db.insert(Invoice.__table__), invoice_rows[start:start + CHUNK])
    db.session.execute(db.insert(InvoiceCounter.__table__),
                       [{"year": year, "last_number": last} for year, last in sorted(counters.items())])
    for start in range(0, len(charges), CHUNK):
        db.session.execute(db.insert(Charge.__table__), charges[start:start + CHUNK])
    for n, line in enumerate(lines):
        line["id"] = n + 1
    for start in range(0, len(lines), CHUNK):
        db.session.execute(db.insert(InvoiceLine.__table__), lines[start:start + CHUNK])

    # Payments: each paid invoice's, then payments on account.
    payments = Inserter(Payment.__table__)
    payment_statuses, payment_weights = zip(*PAYMENT_STATUS_WEIGHTS)
    methods, method_weights = zip(*PAYMENT_METHOD_WEIGHTS)

    def pay(client_id, amount, received, status, invoice_id=None):
        at = datetime(received.year, received.month, received.day, 9, tzinfo=UTC) + timedelta(
            minutes=rng.randint(0, 600))
        at = min(at, now)
        payments.add({"id": payments.count + len(payments.rows) + 1, "client_id": client_id, "amount": amount,
                      "method": rng.choices(methods, method_weights)[0], "received_on": received,
                      "status": status, "note": None if rng.random() < 0.8 else f"Bank reference {rng.randint(10**7, 10**8)}",
                      "invoice_id": invoice_id, "created_at": at, "created_by_id": rng.choice(staff),
                      "confirmed_at": at if status == "confirmed" else None,
                      "confirmed_by_id": rng.choice(staff) if status == "confirmed" else None,
                      "cancelled_at": at if status == "cancelled" else None,
                      "cancelled_by_id": rng.choice(staff) if status == "cancelled" else None})

    for row in invoice_rows:
        if row["status"] == "paid":
            pay(row["client_id"], row["total"], row["paid_at"].date(), "confirmed", row["id"])
    amounts = [Decimal(a) for a in ("10.00", "20.00", "25.00", "50.00", "100.00", "150.00", "250.00", "500.00",
                                    "12.99", "47.50", "89.90")]
    while payments.count + len(payments.rows) < PAYMENTS:
        status = rng.choices(payment_statuses, payment_weights)[0]
        days = rng.randint(0, 14) if status == "pending" else rng.randint(0, 730)
        pay(rng.choice(clients).id if rng.random() < 0.99 else clients[0].id, rng.choice(amounts),
            now.date() - timedelta(days=days), status)
    payments.flush()

    # Tasks: open and taken ones for the services waiting for an operation, done ones for the latest manual
    # orders (and cancelled for a few), each with its created event.
    task_rows = []
    names = {c.id: c.name_en for c in clients}

    def task(service_id, client_id, tariff, operation, status, created, done_at=None):
        department = tariff["department_id"]
        staff_there = members[department]
        assignee = (rng.choice(staff_there) if status in ("taken", "done") or rng.random() < 0.4
                    else None) if status != "cancelled" else None
        due = created + timedelta(hours=rng.randint(8, 72))  # 8 business hours, nights and weekends included
        title = TASK_TITLES[operation].format(number=service_id, plan=tariff["name_en"], client=names[client_id])
        task_rows.append({"department_id": department, "service_id": service_id, "client_id": client_id,
                   "operation": operation, "locale": "en", "title": title,
                   "text": f"Client: {names[client_id]}. Service #{service_id} on the plan {tariff['name_en']}.",
                   "status": status, "assignee_id": assignee, "created_at": created, "due_at": due,
                   "overdue_notified": status in ("open", "taken") and due < now, "done_at": done_at,
                   "done_by_id": assignee if status == "done" else None})

    for service_id, client_id, tariff, operation, ordered in waiting:
        created = ordered if operation == "order" else now - timedelta(minutes=rng.randint(10, 48 * 60))
        task(service_id, client_id, tariff, operation, "open" if rng.random() < 0.6 else "taken", created)
    started.sort(key=lambda s: s[4], reverse=True)
    for service_id, client_id, tariff, status, created, activated, closed in started:
        if len(task_rows) >= TASKS:
            break
        if status == "closed" and rng.random() < 0.5:  # the closing's task
            task(service_id, client_id, tariff, "close", "done", closed - timedelta(hours=rng.randint(1, 20)),
                 closed)
        else:
            task(service_id, client_id, tariff, "order", "cancelled" if rng.random() < 0.03 else "done", created,
                 activated)
    task_rows.sort(key=lambda row: row["created_at"])
    tasks, events = Inserter(Task.__table__), Inserter(TaskEvent.__table__)
    for n, row in enumerate(task_rows):
        tasks.add(row | {"id": n + 1})
        events.add({"id": n + 1, "task_id": n + 1, "actor_id": None if row["operation"] == "order" else staff[0],
                    "action": "created", "detail": None, "created_at": row["created_at"]})
    tasks.flush()
    events.flush()
    if db.engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
        for table in ("tariffs", "services", "charges", "invoices", "invoice_lines", "payments", "tasks",
                      "task_events"):
            db.session.execute(db.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                       f"(SELECT max(id) FROM {table}))"))
    return {"tariffs": len(tariffs), "services": services.count, "charges": len(charges),
            "invoices": len(invoice_rows), "invoice_lines": len(lines), "payments": payments.count,
            "tasks": tasks.count, "task_events": events.count}

def populate(database_url: str) -> dict[str, int]:
    """The defaults (admin, two departments, business hours), then 198 more departments with 6 rights each,
    5,000 staff in 1–10 departments each, and 2 individual rights for every fifth one. user0000 (password
    ADMIN_PASSWORD, like everyone) views staff and departments and answers tickets through the first bench
    department, and is a member of MEMBER_SUPPORT_DEPARTMENTS of the 66 departments shown in support. Then
    the support center: 50,000 clients (client00000 has 60 tickets), 100,000 tickets, 500,000 messages; then
    billing (populate_billing): user0000's first department also views services, tariffs, tasks, payments,
    expenses and invoices, and two of user0000's departments handle manual plans. Returns the billing's
    row counts."""
    from sqlalchemy import insert

    from config import Config
    from webapp import create_app
    from webapp.cli import seed_defaults
    from webapp.extensions import db
    from webapp.models import Account, Department, DepartmentRight, StaffRight, staff_departments
    from webapp.rights.catalog import ALL_IDS

    config = type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    app = create_app(config)
    rng = random.Random(7)
    ids = sorted(ALL_IDS)
    with app.app_context():
        db.create_all()
        seed_defaults(ADMIN_PASSWORD)
        db.session.flush()
        hours_id = db.session.scalar(db.select(Department.business_hours_id).limit(1))
        db.session.execute(insert(Department), [department_row(i, hours_id) for i in range(198)])
        department_ids = list(db.session.scalars(db.select(Department.id).where(Department.name_en.like("Department %"))))
        viewing = {"staff.view", "departments.view"}
        grants = {d: set(rng.sample([f for f in ids if f not in viewing], 6)) for d in department_ids}
        # user0000's rights come from this one: the staff and support pages, and the billing lists.
        grants[department_ids[0]] |= viewing | {"support.tickets"} | BILLING_VIEWING
        db.session.execute(insert(DepartmentRight), [
            {"department_id": d, "function_id": f} for d, functions in grants.items() for f in sorted(functions)])
        password_hash = db.session.scalar(db.select(Account.password_hash).where(Account.login == "admin"))
        db.session.execute(insert(Account), [staff_row(i, password_hash) for i in range(5000)])
        staff_ids = list(db.session.scalars(db.select(Account.id).where(Account.login.like("user%"))
                                            .order_by(Account.login)))
        memberships = {s: set(rng.sample(department_ids, rng.randint(1, 10))) for s in staff_ids}
        memberships[staff_ids[0]].add(department_ids[0])
        support_ids = sorted(set(db.session.scalars(db.select(Department.id).where(
            Department.show_in_support.is_(True), Department.name_en.like("Department %")))))
        member = memberships[staff_ids[0]]
        member -= set(support_ids[MEMBER_SUPPORT_DEPARTMENTS:])  # a few support departments, the rest not
        member |= set(support_ids[:MEMBER_SUPPORT_DEPARTMENTS])
        db.session.execute(insert(staff_departments), [
            {"account_id": s, "department_id": d} for s, departments in memberships.items() for d in departments])
        db.session.execute(insert(StaffRight), [
            {"account_id": s, "function_id": f} for s in staff_ids[::5] for f in rng.sample(ids, 2)])
        members = {}
        for s, departments in memberships.items():
            for d in departments:
                members.setdefault(d, []).append(s)
        populate_support(random.Random(11), support_ids, members, staff_ids[0], password_hash)
        counts = populate_billing(random.Random(13), department_ids, members, staff_ids[0])
        db.session.commit()
    return counts


# The pages and their targets -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Target:
    ratio: float  # app req/s ÷ twin req/s, at least
    p99_ms: float  # below


LIST_PAGE = Target(ratio=1.5, p99_ms=150)


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    user: str | None  # "admin", "member" (user0000, a regular staff member), "client" (client00000) or None
    reference: str  # the twin's route it is compared with
    target: Target | None = None
    twin_user: str = "member"  # whom the twin's route is loaded as


PAGES = [
    Page("login page", "/login", None, "/session"),
    Page("dashboard", "/", "admin", "/guarded"),
    Page("staff list, 50 rows", "/provider/staff/", "admin", "/staff", LIST_PAGE),
    Page("staff list, page 50, regular staff", "/provider/staff/?page=50", "member", "/staff", LIST_PAGE),
    Page("staff search (5,000 staff)", "/provider/staff/?q=User%2012", "admin", "/staff", LIST_PAGE),
    Page("departments list", "/provider/departments/", "admin", "/staff", LIST_PAGE),
    Page("business hours list", "/provider/business-hours/", "admin", "/staff", LIST_PAGE),
    Page("department permissions", "/provider/departments/5/permissions", "admin", "/staff", LIST_PAGE),
    Page("staff rights", "/provider/staff/50/rights", "admin", "/staff", LIST_PAGE),
    # The support center: 100,000 tickets; the twin's counterparts run the same queue query.
    Page("ticket queue, regular staff (4 departments)", "/support/tickets", "member", "/tickets", LIST_PAGE),
    Page("ticket queue, admin (all 100,000 tickets)", "/support/tickets", "admin", "/tickets", LIST_PAGE,
         twin_user="admin"),
    Page("ticket queue filtered: waiting for staff, unassigned",
         "/support/tickets?status=waiting_staff&assignee=unassigned", "member",
         "/tickets?status=waiting_staff&assignee=unassigned", LIST_PAGE),
    Page("ticket queue filtered: overdue, admin", "/support/tickets?overdue=1", "admin", "/tickets?overdue=1",
         LIST_PAGE, twin_user="admin"),
    Page("ticket search (subject or client)", "/support/tickets?q=refund", "member", "/tickets?q=refund",
         LIST_PAGE),
    Page("ticket page, 5 messages", f"/support/tickets/{TICKET_PAGE_ID}", "member",
         f"/tickets/{TICKET_PAGE_ID}", LIST_PAGE),
    Page("client's tickets, 50 rows", "/my/tickets", "client", "/my-tickets", LIST_PAGE, twin_user="client"),
]
# Billing and tasks: 200,000 services, 200,000 charges, 100,000 payments, 50,000 invoices, 20,000 tasks.
BILLING_PAGES = [
    Page("tariff plans", "/tariffs", "admin", "/tariffs", LIST_PAGE),
    Page("services, 50 rows (200,000)", "/services", "admin", "/services", LIST_PAGE),
    Page("services filtered: status and plan, regular staff", f"/services?status=active&tariff={FILTER_PLAN_ID}",
         "member", f"/services?status=active&tariff={FILTER_PLAN_ID}", LIST_PAGE),
    Page("payments, 50 rows (100,000), regular staff", "/payments", "member", "/payments", LIST_PAGE),
    Page("expenses, 50 rows (200,000 charges), regular staff", "/expenses", "member", "/expenses", LIST_PAGE),
    Page("invoices, 50 rows (50,000)", "/invoices", "admin", "/invoices", LIST_PAGE),
    Page("tasks, regular staff (2 of the 6 task departments)", "/tasks", "member", "/tasks", LIST_PAGE),
    Page("tasks filtered: one department, every status", f"/tasks?department={TASK_DEPARTMENT_ID}&status=all",
         "member", f"/tasks?department={TASK_DEPARTMENT_ID}&status=all", LIST_PAGE),
    Page("client's services, 50 rows", "/my/services", "client", "/my-services", LIST_PAGE, twin_user="client"),
    Page("client's invoices, 50 rows", "/my/invoices", "client", "/my-invoices", LIST_PAGE, twin_user="client"),
]
PAGES += BILLING_PAGES
STAFF_LIST, STAFF_SEARCH = PAGES[2].name, PAGES[4].name
# Pages that must be at least as fast as the staff list, each as its ratio to its own twin route: the staff
# search, the ticket queue's first and filtered pages, and the billing lists.
AS_FAST_AS_THE_STAFF_LIST = (STAFF_SEARCH, PAGES[9].name, PAGES[10].name, PAGES[11].name, PAGES[12].name,
                             *(page.name for page in BILLING_PAGES))
LOGINS = {"admin": "admin", "member": "user0000", "client": "client00000"}


# Serving, logging in, loading --------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_cpu(pid: int) -> float:
    """CPU seconds used so far by a gunicorn master and its workers (Linux /proc)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if stat.parent.name == str(pid) or fields[1] == str(pid):
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    return total


def serve(target: str, cwd: Path, env: dict) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--bind", f"127.0.0.1:{port}", "--workers",
         str(WORKERS), "--log-level", "warning", target], cwd=cwd, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn {target} exited with {process.returncode}")
        try:
            urllib.request.urlopen(base + "/", timeout=1)
            break
        except urllib.error.HTTPError:  # any answer means it is up
            break
        except OSError:
            time.sleep(0.1)
    else:
        raise RuntimeError(f"gunicorn {target} did not answer on {base}")
    return process, base


def session_cookie(jar: CookieJar) -> str:
    return "session=" + next(c for c in jar if c.name == "session").value


# Every request says it comes from the same browser, the login's and wrk's alike: Flask-Login ties a session to
# the address and user agent it logged in from, and on any other marks it not fresh, writing the cookie again on
# each request (a browser keeps the new cookie; wrk would send the old one every time).
USER_AGENT = "bench"


def opener_with(jar: CookieJar) -> urllib.request.OpenerDirector:
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    return opener


def app_login(base: str, user: str, password: str) -> str:
    jar = CookieJar()
    opener = opener_with(jar)
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"login": user, "password": password, "csrf_token": token}).encode()
    opener.open(base + "/login", data)
    return session_cookie(jar)


def twin_login(base: str, user: str) -> str:
    jar = CookieJar()
    opener = opener_with(jar)
    opener.open(base + "/login", urllib.parse.urlencode({"login": user}).encode())
    return session_cookie(jar)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def status(url: str, cookie: str | None) -> int:
    """The status of one GET, redirects not followed: wrk counts a 3xx (a lost session) as a success."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **({"Cookie": cookie} if cookie else {})})
    try:
        return urllib.request.build_opener(_NoRedirect).open(request, timeout=30).status
    except urllib.error.HTTPError as error:
        return error.code


def wrk(url: str, seconds: int, cookie: str | None) -> dict:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-H", f"User-Agent: {USER_AGENT}", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))

    def latency(pct):
        match = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {"rps": rps, "requests": requests, "p50": latency(50), "p99": latency(99), "errors": int(non_2xx.group(1)) if non_2xx else 0,
            "timeouts": int(sockets.group(4)) if sockets else 0}


# Judging and printing ---------------------------------------------------------------------------------------

@dataclass
class Result:
    page: Page
    rps: float
    p50: float
    p99: float
    ref_rps: float
    errors: int
    timeouts: int
    cpu_ms: float  # the server's CPU time per request (master and workers; not a separate database server)
    ref_cpu_ms: float

    @property
    def cpu_ratio(self) -> float:
        """The twin's CPU per request over the app's: what the ratio would be with the CPU to themselves."""
        return self.ref_cpu_ms / self.cpu_ms if self.cpu_ms else 0.0

    @property
    def ratio(self) -> float:
        return self.rps / self.ref_rps

    def misses(self) -> list[str]:
        """How far the page is from its target, one phrase per miss; empty if it meets it."""
        target = self.page.target
        if target is None:
            return []
        out = []
        if self.ratio < target.ratio:
            out.append(f"{1 - self.ratio / target.ratio:.0%} (req/s: {self.ratio:.2f}× of the twin, target "
                       f"{target.ratio:g}×, needs +{target.ratio / self.ratio - 1:.0%})")
        if self.p99 >= target.p99_ms:
            out.append(f"{self.p99 / target.p99_ms - 1:.0%} (p99: {self.p99:.0f} ms, target under "
                       f"{target.p99_ms:g} ms)")
        return out

    @property
    def target_text(self) -> str:
        target = self.page.target
        return "—" if target is None else f"≥{target.ratio:g}×, p99<{target.p99_ms:g}"

    @property
    def verdict(self) -> str:
        if self.page.target is None:
            return "(no target)"
        misses = self.misses()
        return "meets" if not misses else "MISSES by " + ", by ".join(
            m.split(" ")[0] + (" (req/s)" if "(req/s" in m else " (p99)") for m in misses)


COLUMNS = ("page", "app req/s", "p50 ms", "p99 ms", "twin route", "twin req/s", "ratio", "target", "verdict",
           "CPU ms/req app:twin")


def rows(results: list[Result]) -> list[tuple[str, ...]]:
    return [(r.page.name, f"{r.rps:.0f}", f"{r.p50:.1f}", f"{r.p99:.1f}", r.page.reference, f"{r.ref_rps:.0f}",
             f"{r.ratio:.2f}×", r.target_text, r.verdict, f"{r.cpu_ms:.1f}:{r.ref_cpu_ms:.1f} ({r.cpu_ratio:.2f}×)")
            for r in results]


def print_table(results: list[Result]) -> None:
    table = [COLUMNS, *rows(results)]
    widths = [max(len(row[i]) for row in table) for i in range(len(COLUMNS))]
    for n, row in enumerate(table):
        cells = [cell.ljust(w) if i in (0, 4, 7, 8) else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths))]
        print("  ".join(cells).rstrip())
        if n == 0:
            print("  ".join("-" * w for w in widths))


def print_markdown(results: list[Result]) -> None:
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for row in rows(results):
        print("| " + " | ".join(row) + " |")


def relative_checks(results: list[Result]) -> list[str]:
    """The staff search, the ticket queue's pages and the billing lists against the staff list, each as its
    ratio to the twin route run beside it (so a machine that slowed down between two pages does not decide the verdict)."""
    by_name = {r.page.name: r for r in results}
    if STAFF_LIST not in by_name:
        return []
    listing = by_name[STAFF_LIST]
    out = []
    for name in AS_FAST_AS_THE_STAFF_LIST:
        if name not in by_name:
            continue
        page = by_name[name]
        relative = page.ratio / listing.ratio
        verdict = "meets" if relative >= 1 else f"MISSES by {1 - relative:.0%} (needs +{1 / relative - 1:.0%})"
        out.append(f"{name} vs staff list (target: at least as fast): {relative:.2f}× ({page.ratio:.2f}× of "
                   f"its twin, {page.rps:.0f} req/s; list {listing.ratio:.2f}×, {listing.rps:.0f} req/s): {verdict}")
    return out


# The run ----------------------------------------------------------------------------------------------------

def measure(page: Page, app: tuple[int, str, str | None], twin: tuple[int, str, str | None],
            seconds: int, rounds: int) -> Result:
    """Alternate wrk runs on the app's page and the twin's route; app and twin are (server pid, url, cookie)."""
    runs = {"app": [], "twin": []}
    for n in range(rounds):
        # Alternate which goes first, so a drift in the machine's speed falls on both sides.
        order = [("app", *app), ("twin", *twin)]
        for side, pid, url, cookie in order if n % 2 == 0 else order[::-1]:
            cpu = server_cpu(pid)
            run = wrk(url, seconds, cookie)
            run["cpu_ms"] = 1000 * (server_cpu(pid) - cpu) / max(run["requests"], 1)
            runs[side].append(run)
            # The requests still queued when wrk stops are served after it: let them drain before the next run.
            time.sleep(min(3.0, 0.25 + CONNECTIONS / max(run["rps"], 1)))

    def median(side, key):
        return statistics.median(run[key] for run in runs[side])

    every = runs["app"] + runs["twin"]
    return Result(page, median("app", "rps"), median("app", "p50"), median("app", "p99"), median("twin", "rps"),
                  errors=sum(r["errors"] for r in every), timeouts=sum(r["timeouts"] for r in every),
                  cpu_ms=median("app", "cpu_ms"), ref_cpu_ms=median("twin", "cpu_ms"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="each wrk run (default 5)")
    parser.add_argument("--rounds", type=int, default=3, help="wrk runs per page and side (default 3)")
    parser.add_argument("--only", help="only the pages whose name contains this (several: comma-separated)")
    parser.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: make bench installs it from Debian's packages", file=sys.stderr)
        return 2
    wanted = [part.strip().lower() for part in (args.only or "").split(",") if part.strip()]
    pages = [p for p in PAGES if not wanted or any(part in p.name.lower() for part in wanted)]
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    print(f"Populating {database_url} with 200 departments, 5,000 staff, {CLIENTS:,} clients, {TICKETS:,} tickets,"
          f" {MESSAGES:,} messages, {SERVICES:,} services, {CHARGES:,} charges, {PAYMENTS:,} payments,"
          f" {INVOICES:,} invoices and {TASKS:,} tasks...", flush=True)
    started = time.perf_counter()
    populate(database_url)
    print(f"  done in {time.perf_counter() - started:.1f} s")
    env = {**os.environ, "DATABASE_URL": database_url}
    servers = []
    try:
        app, app_base = serve("wsgi:app", ROOT, {**env, "SECRET_KEY": "bench", "INSTANCE_PATH": str(workdir),
                                                 **{f"{name}_PER_PAGE": "50" for name in PER_PAGE_SETTINGS}})
        servers.append(app)
        twin, twin_base = serve("reference:app", ROOT / "bench", {**env, "REFERENCE_SECRET_KEY": secrets.token_hex()})
        servers.append(twin)
        users = {p.user for p in pages} | {"admin", "member"}
        cookies = {None: None} | {user: app_login(app_base, LOGINS[user], ADMIN_PASSWORD) for user in users if user}
        # The twin: as a regular member (the rights query returns rows) unless a page names another user.
        twin_cookies = {user: twin_login(twin_base, LOGINS[user]) for user in {p.twin_user for p in pages}}

        failed = False
        urls = {(p.path, p.user): (app_base + p.path, cookies[p.user]) for p in pages}
        urls |= {(p.reference, p.twin_user): (twin_base + p.reference, twin_cookies[p.twin_user]) for p in pages}
        for url, cookie in urls.values():
            code = status(url, cookie)
            if not 200 <= code < 300:
                print(f"{url} answers {code}, not 2xx", file=sys.stderr)
                failed = True
        if failed:
            return 1
        for url, cookie in urls.values():  # warm both workers up: imports, template compilation, caches
            wrk(url, 1, cookie)

        print(f"\n{len(pages)} pages, {args.rounds} rounds of {args.seconds} s per side, wrk {CONNECTIONS} connections,"
              f" gunicorn {WORKERS} sync workers each; medians. req/s are from this run only: compare the ratios.",
              flush=True)
        results = []
        for page in pages:
            result = measure(page, (app.pid, app_base + page.path, cookies[page.user]),
                             (twin.pid, twin_base + page.reference, twin_cookies[page.twin_user]), args.seconds,
                             args.rounds)
            results.append(result)
            print(f"  {page.name}: {result.rps:.0f} req/s, twin {page.reference} {result.ref_rps:.0f} req/s, "
                  f"{result.ratio:.2f}×", flush=True)
            if result.errors:
                print(f"  {page.name}: {result.errors} non-2xx responses", file=sys.stderr)
                failed = True
            if result.timeouts:
                print(f"  {page.name}: {result.timeouts} requests timed out (over 2 s)", file=sys.stderr)

        print()
        print_table(results)
        print(f"CPU ms/req: the gunicorn processes' CPU time per request (a database server's not included); in"
              f" brackets the twin's over the app's, the ratio with the CPU to themselves.\n"
              f"Load average over the last minute: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
              f" (this benchmark's servers and wrk included).")
        if args.markdown:
            print()
            print_markdown(results)
        checks = relative_checks(results)
        missed = [r for r in results if r.misses()]
        if checks or missed:
            print()
        for check in checks:
            print(check)
        for r in missed:
            print(f"{r.page.name} MISSES by " + "; by ".join(r.misses()))
        if failed:
            print("\nFAILED: non-2xx responses (above)", file=sys.stderr)
        return 1 if failed else 0
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
        for server in servers:
            server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
