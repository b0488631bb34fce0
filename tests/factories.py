"""Plain factory functions for tests: accounts, departments, business hours, grants."""
import itertools
from datetime import time
from decimal import Decimal

from webapp.extensions import db
from webapp.models import (
    Account,
    AccountKind,
    BillingPeriod,
    BusinessDay,
    BusinessHoliday,
    BusinessHours,
    BusinessInterval,
    DayMode,
    Department,
    DepartmentRight,
    Provisioning,
    Service,
    ServiceStatus,
    StaffRight,
    Tariff,
)

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


def make_hours(name=None, timezone="UTC", open_days=range(5), opens=time(9), closes=time(18), intervals=None,
               holidays=()):
    """A schedule open on `open_days` from `opens` to `closes` (or in `intervals`: [(opens, closes), ...]),
    closed on `holidays` ([(date, name), ...])."""
    intervals = intervals or [(opens, closes)]
    hours = BusinessHours(name_en=name or f"Schedule {next(_seq)}", timezone=timezone)
    hours.days = [
        BusinessDay(weekday=d, mode=DayMode.hours,
                    intervals=[BusinessInterval(opens=o, closes=c) for o, c in intervals])
        if d in open_days
        else BusinessDay(weekday=d, mode=DayMode.closed)
        for d in range(7)
    ]
    hours.holidays = [BusinessHoliday(date=day, name=holiday_name) for day, holiday_name in holidays]
    db.session.add(hours)
    db.session.flush()
    return hours


def make_department(name=None, rights=(), name_ru=None, hours=None, show_in_support=False, task_locale="en"):
    hours = hours or db.session.scalars(db.select(BusinessHours).limit(1)).first() or make_hours()
    department = Department(name_en=name or f"Department {next(_seq)}", name_ru=name_ru,
                            business_hours=hours, show_in_support=show_in_support, task_locale=task_locale)
    department.rights = [DepartmentRight(function_id=f) for f in rights]
    db.session.add(department)
    db.session.flush()
    return department


def make_staff(login=None, departments=(), rights=(), full_access=False, active=True, password=PASSWORD,
               name=None, name_ru=None, email=None, kind=AccountKind.staff):
    login = login or f"staff{next(_seq)}"
    account = Account(kind=kind, login=login, name_en=name or login.title(),
                      name_ru=name_ru, email=email or f"{login}@example.com", full_access=full_access,
                      active=active)
    account.set_password(password)
    account.departments = list(departments)
    db.session.add(account)
    db.session.flush()
    for function_id in rights:
        db.session.add(StaffRight(account_id=account.id, function_id=function_id))
    db.session.flush()
    return account


def make_customer_account(login=None, **kwargs):
    """A client (customer) account: named so that it is never confused with the `client` test fixture."""
    return make_staff(login=login or f"client{next(_seq)}", kind=AccountKind.client, **kwargs)


def grant_department(department, *function_ids):
    for function_id in function_ids:
        db.session.add(DepartmentRight(department_id=department.id, function_id=function_id))
    db.session.flush()


def make_tariff(name=None, price="10.00", period=BillingPeriod.month, department=None, name_ru=None,
                archived=False):
    """A tariff plan: manual when a department handles it, else automatic."""
    n = next(_seq)
    tariff = Tariff(name_en=name or f"Plan {n}", name_ru=name_ru, price=Decimal(price), period=period,
                    provisioning=Provisioning.manual if department is not None else Provisioning.automatic,
                    department_id=department.id if department is not None else None, archived=archived)
    db.session.add(tariff)
    db.session.flush()
    return tariff


def make_service(customer, tariff, status=ServiceStatus.active):
    """A client's service on a plan, as it stands (no history, no charge)."""
    service = Service(client_id=customer.id, tariff_id=tariff.id, status=status)
    db.session.add(service)
    db.session.flush()
    return service
