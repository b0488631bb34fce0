"""The hardening issue: guards proven by the URL map, bad input and faults that never give a 500,
stored comparison keys under races, lost updates, ids never reused, delegation holes closed."""
import logging
import sqlite3
import threading
from datetime import date

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from tests.conftest import login
from tests.factories import (
    PASSWORD,
    make_customer_account,
    make_department,
    make_hours,
    make_service,
    make_staff,
    make_tariff,
)
from webapp.extensions import db
from webapp.models import (
    Account,
    AuditEntry,
    BusinessHoliday,
    BusinessHours,
    Charge,
    ClientGroup,
    Department,
    DepartmentRight,
    Service,
    ServiceEvent,
    StaffRight,
    Tariff,
)
from webapp.rights.catalog import ALL_IDS, CATALOG
from webapp.rights.guard import POST_REQUIRED, REQUIRED

ARGUMENT_VALUES = {"function_id": "clients.view", "section_id": "clients", "message_id": 1, "payment_id": 1,
                   "charge_id": 1}


def counts() -> tuple:
    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Account, Department, DepartmentRight, StaffRight, BusinessHours, BusinessHoliday,
                               ClientGroup, Tariff, Service, ServiceEvent, Charge, AuditEntry))


def url_for_rule(rule, ids) -> str:
    url = rule.rule
    for argument in rule.arguments:
        value = ids.get(argument, ARGUMENT_VALUES.get(argument))
        url = url.replace(f"<int:{argument}>", str(value)).replace(f"<{argument}>", str(value))
    return url


# What each endpoint must require, written here independently of the code: (to GET, to POST).
# A new endpoint fails test_the_table_names_every_endpoint until it is added here.
VIEW_DEPARTMENTS, EDIT_DEPARTMENTS = {"departments.view"}, {"departments.view", "departments.edit"}
VIEW_STAFF, EDIT_STAFF = {"staff.view"}, {"staff.view", "staff.edit"}
SUPPORT = {"support.tickets"}
EDIT_PAYMENTS, EDIT_EXPENSES = {"payments.view", "payments.edit"}, {"expenses.view", "expenses.edit"}
SEND_INVOICES = {"invoices.view", "invoices.send"}
REQUIRED_RIGHTS = {
    "auth.logout": (None, set()),
    "main.dashboard": (set(), None),
    "staff.avatar": (set(), None),
    "profile.index": (set(), set()),
    "my.index": (set(), None),
    "my.profile": (set(), set()),
    "departments.index": (VIEW_DEPARTMENTS, None),
    "departments.new": (EDIT_DEPARTMENTS, EDIT_DEPARTMENTS),
    "departments.edit": (VIEW_DEPARTMENTS, EDIT_DEPARTMENTS),
    "departments.delete": (EDIT_DEPARTMENTS, EDIT_DEPARTMENTS),
    "departments.permissions": (VIEW_DEPARTMENTS, None),
    "departments.toggle_permission": (None, {"departments.view", "rights.edit"}),
    "departments.toggle_section": (None, {"departments.view", "rights.edit"}),
    "hours.index": ({"departments.edit"}, None),
    "hours.new": ({"departments.edit"}, {"departments.edit"}),
    "hours.edit": ({"departments.edit"}, {"departments.edit"}),
    "hours.delete": ({"departments.edit"}, {"departments.edit"}),
    "hours.day_row": ({"departments.edit"}, None),
    "hours.holidays": ({"departments.edit"}, {"departments.edit"}),
    "hours.load_holidays": (None, {"departments.edit"}),
    "hours.delete_holiday": ({"departments.edit"}, {"departments.edit"}),
    "staff.index": (VIEW_STAFF, None),
    "staff.new": (EDIT_STAFF, EDIT_STAFF),
    "staff.edit": (VIEW_STAFF, EDIT_STAFF),
    "staff.delete": (EDIT_STAFF, EDIT_STAFF),
    "staff.disable": (None, EDIT_STAFF),
    "staff.enable": (None, EDIT_STAFF),
    "staff.rights": (VIEW_STAFF, None),
    "staff.toggle_right": (None, {"staff.view", "rights.edit"}),
    "clients.index": ({"clients.view"}, None),
    "clients.new": ({"clients.view", "clients.edit"}, {"clients.view", "clients.edit"}),
    "clients.edit": ({"clients.view"}, {"clients.view", "clients.edit"}),
    "clients.groups": ({"clients.view", "clients.edit"}, {"clients.view", "clients.edit"}),
    "clients.edit_group": ({"clients.view", "clients.edit"}, {"clients.view", "clients.edit"}),
    "clients.delete_group": ({"clients.view", "clients.edit"}, {"clients.view", "clients.edit"}),
    "my.tickets": (set(), None),
    "my.new_ticket": (set(), set()),
    "my.ticket": (set(), set()),
    "my.close_ticket": (None, set()),
    "my.ticket_file": (set(), None),
    "support.queue": (SUPPORT, None),
    "support.ticket": (SUPPORT, SUPPORT),
    "support.assign": (None, SUPPORT),
    "support.move": (None, SUPPORT),
    "support.close": (None, SUPPORT),
    "support.reopen": (None, SUPPORT),
    "support.ticket_file": (SUPPORT, None),
    "outbox.index": ({"settings.edit"}, None),
    "outbox.retry": (None, {"settings.edit"}),
    "outbox.retry_failed": (None, {"settings.edit"}),
    "outbox.test_message": (None, {"settings.edit"}),
    "settings.edit": ({"settings.edit"}, {"settings.edit"}),
    "settings.email": ({"settings.edit"}, {"settings.edit"}),
    "settings.test_email": (None, {"settings.edit"}),
    "settings.sms": ({"settings.edit"}, {"settings.edit"}),
    "support.stats": (SUPPORT, None),
    "support.stats_chart": (SUPPORT, None),
    "support.stats_csv": (SUPPORT, None),
    "support.replies": (SUPPORT, None),
    "support.new_reply": (SUPPORT, SUPPORT),
    "support.edit_reply": (SUPPORT, SUPPORT),
    "support.delete_reply": (SUPPORT, SUPPORT),
    "tariffs.index": ({"tariffs.view"}, None),
    "tariffs.new": ({"tariffs.view", "tariffs.edit"}, {"tariffs.view", "tariffs.edit"}),
    "tariffs.edit": ({"tariffs.view"}, {"tariffs.view", "tariffs.edit"}),
    "tariffs.archive": ({"tariffs.view", "tariffs.edit"}, {"tariffs.view", "tariffs.edit"}),
    "tariffs.unarchive": (None, {"tariffs.view", "tariffs.edit"}),
    "services.index": ({"services.view"}, None),
    "services.detail": ({"services.view"}, None),
    "services.suspend": ({"services.view", "services.manage"}, {"services.view", "services.manage"}),
    "services.resume": ({"services.view", "services.manage"}, {"services.view", "services.manage"}),
    "services.close": ({"services.view", "services.manage"}, {"services.view", "services.manage"}),
    "my.services": (set(), None),
    "my.order_service": (set(), set()),
    "my.service": (set(), None),
    "tasks.index": ({"tasks.view"}, None),
    "tasks.detail": ({"tasks.view"}, None),
    "tasks.take": (None, {"tasks.view", "tasks.solve"}),
    "tasks.done": (None, {"tasks.view", "tasks.solve"}),
    "payments.index": ({"payments.view"}, None),
    "payments.new": (EDIT_PAYMENTS, EDIT_PAYMENTS),
    "payments.confirm": (None, EDIT_PAYMENTS),
    "payments.cancel": (EDIT_PAYMENTS, EDIT_PAYMENTS),
    "payments.client_options": (EDIT_PAYMENTS, None),
    "expenses.index": ({"expenses.view"}, None),
    "expenses.new": (EDIT_EXPENSES, EDIT_EXPENSES),
    "expenses.cancel": (EDIT_EXPENSES, EDIT_EXPENSES),
    "expenses.client_options": (EDIT_EXPENSES, None),
    "reports.index": ({"reports.finance"}, None),
    "reports.chart_svg": ({"reports.finance"}, None),
    "reports.csv_download": ({"reports.finance"}, None),
    "invoices.index": ({"invoices.view"}, None),
    "invoices.new": (SEND_INVOICES, SEND_INVOICES),
    "invoices.view": ({"invoices.view"}, None),
    "invoices.pdf": ({"invoices.view"}, None),
    "invoices.edit": (SEND_INVOICES, SEND_INVOICES),
    "invoices.delete": (SEND_INVOICES, SEND_INVOICES),
    "invoices.issue": (None, SEND_INVOICES),
    "invoices.paid": (None, SEND_INVOICES),
    "invoices.cancel": (SEND_INVOICES, SEND_INVOICES),
    "my.invoices": (set(), None),
    "my.invoice": (set(), None),
    "my.invoice_pdf": (set(), None),
}


def test_the_table_names_every_endpoint_and_the_guards_declare_at_least_it(app):
    from tests.test_guard import PUBLIC_ENDPOINTS

    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - PUBLIC_ENDPOINTS
    assert endpoints == set(REQUIRED_RIGHTS)
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        view = app.view_functions[rule.endpoint]
        get_needs, post_needs = REQUIRED_RIGHTS[rule.endpoint]
        declared_get = set(getattr(view, REQUIRED))
        declared_post = declared_get | set(getattr(view, POST_REQUIRED, ()))
        assert ("GET" in rule.methods) == (get_needs is not None), rule.endpoint
        assert ("POST" in rule.methods) == (post_needs is not None), rule.endpoint
        if get_needs is not None:
            assert declared_get >= get_needs, (rule.endpoint, "GET", get_needs - declared_get)
        if post_needs is not None:
            assert declared_post >= post_needs, (rule.endpoint, "POST", post_needs - declared_post)


def guarded_cases(app):
    """(rule, method, required functions) for every endpoint whose table entry names functions."""
    cases = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in REQUIRED_RIGHTS:
            continue
        for method, needed in zip(("GET", "POST"), REQUIRED_RIGHTS[rule.endpoint]):
            if needed:
                cases.append((rule, method, needed))
    return cases


def test_every_function_an_endpoint_requires_is_checked(app):
    """Everything the endpoint requires except one function: 403 and nothing changes. Fails if any
    @requires (or its post=) is weakened, e.g. departments.new asking only for departments.view."""
    target_department = make_department("Matrix", rights=["clients.view"])
    target_staff = make_staff("matrix-target")
    target_client = make_customer_account("matrix-client")
    group = ClientGroup(name_en="Matrix group")
    db.session.add(group)
    db.session.flush()
    tariff = make_tariff("Matrix plan")
    service = make_service(target_client, tariff)
    holiday = BusinessHoliday(schedule_id=1, date=date(2027, 1, 1), name="Matrix day")
    db.session.add(holiday)
    db.session.flush()
    ids = {"department_id": target_department.id, "staff_id": target_staff.id, "hours_id": 1,
           "client_id": target_client.id, "group_id": group.id, "holiday_id": holiday.id, "ticket_id": 1,
           "file_id": 1, "reply_id": 1, "tariff_id": tariff.id, "service_id": service.id, "task_id": 1,
           "invoice_id": 1}
    cases = guarded_cases(app)
    assert len(cases) >= 20
    checked = 0
    for rule, method, needed in cases:
        for missing in sorted(needed):
            actor = make_staff(rights=sorted(ALL_IDS - {missing}))
            db.session.commit()
            client = app.test_client()
            assert login(client, actor).status_code == 302
            before = counts()
            response = client.open(url_for_rule(rule, ids), method=method,
                                   data={"state": "on", "name_en": "Changed", "version": "1"})
            assert response.status_code == 403, (rule.rule, method, missing, response.status_code)
            assert "<strong>Access denied" in response.text or "Access denied" in response.text
            assert counts()[:-1] == before[:-1], (rule.rule, method, missing)  # the login's audit aside
            checked += 1
    assert checked >= 30


OUT_OF_RANGE = ["2147483648", "9223372036854775808", "99999999999999999999999", "١", "0x1"]


@pytest.mark.parametrize("bad_id", OUT_OF_RANGE)
def test_ids_out_of_range_answer_404_on_every_route(app, as_admin, bad_id):
    for rule in app.url_map.iter_rules():
        int_arguments = [a for a in rule.arguments if f"<int:{a}>" in rule.rule]
        if not int_arguments:
            continue
        url = url_for_rule(rule, {a: bad_id for a in int_arguments})
        for method in sorted(rule.methods & {"GET", "POST"}):
            for headers in ({}, {"HX-Request": "true"}):
                response = as_admin.open(url, method=method, headers=headers, data={"state": "on"})
                assert response.status_code == 404, (url, method, headers, response.status_code)


@pytest.mark.parametrize("page", ["2147483648", "99999999999999999999999", "١", "-1", "abc", "0"])
@pytest.mark.parametrize("path", ["/provider/staff", "/provider/departments/", "/provider/business-hours/", "/clients"])
def test_bad_page_numbers_show_a_page(as_admin, path, page):
    response = as_admin.get(path, query_string={"page": page})
    assert response.status_code == 200


def test_a_page_beyond_the_end_shows_the_last_page(app, as_admin):
    for i in range(12):
        make_staff(f"pager{i:02d}")
    db.session.commit()
    response = as_admin.get("/provider/staff", query_string={"page": 999})
    assert response.status_code == 200 and "Page 3 of 3" in response.text


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b[31m", "\u202e", "\u2066", "\u0085"])
def test_text_fields_refuse_control_and_bidi_characters(as_admin, bad):
    before = counts()
    response = as_admin.post("/provider/departments/new", data={
        "name_en": f"Evil{bad}name", "business_hours_id": "1", "task_locale": "en"})
    assert response.status_code == 422
    assert "Name (English)</a>: Name (English) contains control characters" in response.text
    response = as_admin.post("/provider/staff/new", data={
        "login": "evil", "name_en": f"Eve{bad}", "password": PASSWORD, "email": "eve@example.com"})
    assert response.status_code == 422 and "Full name (English) contains control characters" in response.text
    assert counts() == before


@pytest.mark.parametrize("path", ["/provider/staff", "/provider/departments/", "/provider/business-hours/", "/clients"])
def test_a_search_with_control_characters_answers_normally(as_admin, path):
    for query in ("\x00", "a\x00b", "\u202eadmin", "%", "_", "'; drop table accounts; --"):
        assert as_admin.get(path, query_string={"q": query}).status_code == 200


@pytest.mark.parametrize("first,second", [("Отдел Ё", "отдел ё"), ("Ärzte", "ärzte"), ("Straße", "STRASSE"),
                                          ("Ｓales", "sales")])
def test_names_collide_by_their_folded_key(as_admin, first, second):
    def department(name):
        return as_admin.post("/provider/departments/new", data={
            "name_en": name, "business_hours_id": "1", "task_locale": "en"})

    assert department(first).status_code == 302
    response = department(second)
    assert response.status_code == 422 and "already exists" in response.text
    week = {f"{d}-mode": "closed" for d in ("monday", "tuesday", "wednesday", "thursday", "friday",
                                             "saturday", "sunday")}
    assert as_admin.post("/provider/business-hours/new",
                         data={"name_en": first, "timezone": "UTC", **week}).status_code == 302
    response = as_admin.post("/provider/business-hours/new", data={"name_en": second, "timezone": "UTC", **week})
    assert response.status_code == 422 and "already exist" in response.text


def test_logins_collide_whatever_the_case(as_admin):
    make_staff("JDoe")
    db.session.commit()
    for login_name in ("jdoe", "JDOE", " jDoe "):
        response = as_admin.post("/provider/staff/new", data={
            "login": login_name, "name_en": "Clash", "password": PASSWORD, "email": "clash@example.com"})
        assert response.status_code == 422 and "already taken" in response.text


def test_ten_parallel_creates_of_one_name_give_one_row(app, admin):
    clients = []
    for _ in range(10):
        client = app.test_client()  # each request in a context of its own, as in a worker
        assert login(client, admin).status_code == 302
        clients.append(client)
    barrier = threading.Barrier(10)
    statuses = []

    def create(client):
        barrier.wait()  # a thread has no app context of its own: FlaskClient.open pushes a fresh one
        response = FlaskClient.open(client, "/provider/departments/new", method="POST", data={
            "name_en": "Racing team", "business_hours_id": "1", "task_locale": "en"})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=create, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(Department.name_key == "racing team")) == 1
    assert sorted(statuses).count(302) == 1 and set(statuses) <= {302, 409, 422}, statuses


def test_login_rules_apply_after_trimming(as_admin):
    response = as_admin.post("/provider/staff/new", data={
        "login": "  x  ", "name_en": "X", "password": PASSWORD, "email": "x@example.com"})
    assert response.status_code == 422 and "2 to 64 characters" in response.text


def test_a_stale_department_form_is_refused_naming_who_changed_it(app, as_admin, admin):
    support = db.session.scalar(select(Department).where(Department.name_en == "Technical support"))
    editor = make_staff("editor", name="Erin Editor", rights=["departments.view", "departments.edit"])
    db.session.commit()
    other = app.test_client()
    login(other, editor)
    data = {"name_en": "Support", "business_hours_id": "1", "task_locale": "en", "version": str(support.version)}
    assert other.post(f"/provider/departments/{support.id}", data=data).status_code == 302
    response = as_admin.post(f"/provider/departments/{support.id}", data={**data, "name_en": "Mine"})
    assert response.status_code == 409
    assert "Erin Editor changed this record at" in response.text and "UTC" in response.text
    db.session.expire_all()
    assert db.session.get(Department, support.id).name_en == "Support"


def test_a_stale_staff_form_and_schedule_form_are_refused(app, as_admin):
    bob = make_staff("bob")
    db.session.commit()
    data = {"login": "bob", "name_en": "Bob", "email": "bob@example.com", "version": "1"}
    assert as_admin.post(f"/provider/staff/{bob.id}", data=data).status_code == 302
    response = as_admin.post(f"/provider/staff/{bob.id}", data={**data, "name_en": "Bobby"})
    assert response.status_code == 409 and "Administrator changed this record" in response.text
    db.session.expire_all()
    assert db.session.get(Account, bob.id).name_en == "Bob"
    hours = make_hours("Shift")
    db.session.commit()
    week = {f"{d}-mode": "closed" for d in ("monday", "tuesday", "wednesday", "thursday", "friday",
                                             "saturday", "sunday")}
    form = {"name_en": "Shift 2", "timezone": "UTC", "version": "1", **week}
    assert as_admin.post(f"/provider/business-hours/{hours.id}", data=form).status_code == 302
    assert as_admin.post(f"/provider/business-hours/{hours.id}", data={**form, "name_en": "X"}).status_code == 409


def test_disabling_makes_an_open_form_stale(app, as_admin):
    bob = make_staff("bob")
    db.session.commit()
    assert as_admin.post(f"/provider/staff/{bob.id}/disable").status_code == 302
    response = as_admin.post(f"/provider/staff/{bob.id}", data={
        "login": "bob", "name_en": "Bob", "email": "bob@example.com", "version": "1"})
    assert response.status_code == 409


def test_acting_on_a_record_deleted_meanwhile_says_so(as_admin):
    department_id = make_department("Gone soon").id
    db.session.commit()
    assert as_admin.post(f"/provider/departments/{department_id}/delete").status_code == 302
    for response in (as_admin.post(f"/provider/departments/{department_id}/permissions/clients.view",
                                   data={"state": "on"}, headers={"HX-Request": "true"}),
                     as_admin.post(f"/provider/departments/{department_id}", data={"name_en": "Back"})):
        assert response.status_code == 404 and "deleted in the meantime" in response.text


def test_races_the_database_reports_are_409_or_404_never_500(app, as_admin, monkeypatch):
    from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError

    from webapp.departments import routes

    app.config["PROPAGATE_EXCEPTIONS"] = False
    monkeypatch.setattr(routes, "update_department", lambda *a, **k: (_ for _ in ()).throw(StaleDataError("x")))
    data = {"name_en": "Support", "business_hours_id": "1", "task_locale": "en", "version": "1"}
    response = as_admin.post("/provider/departments/2", data=data)
    assert response.status_code == 409 and "at the same moment" in response.text

    def deleted(*args, **kwargs):
        raise ObjectDeletedError(db.inspect(db.session.get(Department, 2)), None)

    monkeypatch.setattr(routes, "update_department", deleted)
    assert as_admin.post("/provider/departments/2", data=data).status_code == 404


def test_ids_are_never_reused(as_admin):
    def create(name):
        as_admin.post("/provider/departments/new", data={"name_en": name, "business_hours_id": "1",
                                                         "task_locale": "en"})
        return db.session.scalar(select(Department.id).where(Department.name_en == name))

    first = create("Temporary")
    assert as_admin.post(f"/provider/departments/{first}/delete").status_code == 302
    assert create("Next") > first


def test_migrated_sqlite_tables_use_autoincrement(tmp_path):
    from flask_migrate import upgrade

    from config import TestConfig
    from webapp import create_app

    path = tmp_path / "m.sqlite3"
    app = create_app(type("C", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}))
    with app.app_context():
        upgrade()
    schema = dict(sqlite3.connect(path).execute("SELECT name, sql FROM sqlite_master WHERE type='table'"))
    for table in ("accounts", "departments", "business_hours", "audit_entries", "client_groups"):
        assert "AUTOINCREMENT" in schema[table], table


# --- the database unavailable -----------------------------------------------------------------------

def sqlite_only(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("locks and read-only files are SQLite's")


def test_a_locked_database_answers_503_with_retry_after_and_recovers(app, as_admin):
    sqlite_only(app)
    db.session.commit()
    db.engine.dispose()
    app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["timeout"] = 0.3
    path = db.engine.url.database
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        for headers in ({}, {"HX-Request": "true"}):
            response = as_admin.post("/provider/departments/2/permissions/clients.view",
                                     data={"state": "off"}, headers=headers)
            assert response.status_code == 503, response.text
            assert response.headers["Retry-After"] == "5" and "try again" in response.text
        assert as_admin.get("/provider/departments/").status_code == 200  # reading still works
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    response = as_admin.post("/provider/departments/2/permissions/clients.view", data={"state": "off"})
    assert response.status_code == 302  # recovered by itself


def test_a_read_only_database_answers_503(tmp_path, app):
    sqlite_only(app)
    from config import TestConfig
    from webapp import create_app

    path = db.engine.url.database
    db.session.commit()
    readonly = create_app(type("ReadOnly", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///file:{path}?mode=ro&uri=true"}))
    client = readonly.test_client()
    response = client.post("/login", data={"login": "admin", "password": "admin-password-123"})
    assert response.status_code == 503 and response.headers["Retry-After"]


def test_an_unreachable_database_answers_503_within_seconds():
    import time

    from config import TestConfig
    from webapp import create_app

    app = create_app(type("Down", (TestConfig,), {
        "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/none"}))
    client = app.test_client()
    started = time.monotonic()
    response = client.post("/login", data={"login": "admin", "password": "whatever-password"})
    assert response.status_code == 503 and time.monotonic() - started < 6
    assert "try again" in response.text


def test_sql_parameters_never_reach_the_logs(app, as_admin, monkeypatch, caplog):
    from webapp.departments import routes

    app.config["PROPAGATE_EXCEPTIONS"] = False

    def failing(*args, **kwargs):
        db.session.execute(text("SELECT * FROM no_such_table WHERE secret = :secret"),
                           {"secret": "hunter2-password-hash"})

    monkeypatch.setattr(routes, "create_department", failing)
    with caplog.at_level(logging.DEBUG):
        response = as_admin.post("/provider/departments/new", data={
            "name_en": "Logged", "business_hours_id": "1", "task_locale": "en"})
    assert response.status_code == 500
    assert "hunter2" not in caplog.text and "hunter2" not in response.text
    assert "Unhandled error" in caplog.text


def test_an_htmx_action_after_the_session_ended_goes_to_login(app, admin):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post("/provider/departments/2/permissions/clients.view", data={"state": "on"},
                           headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/provider/departments/2/permissions"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"].startswith("/login?next=/provider/departments/2/permissions")


# --- delegation holes -------------------------------------------------------------------------------

def test_deleting_a_department_needs_the_rights_to_revoke_what_it_carries(app, client):
    carrying = make_department("Settings team", rights=["settings.edit"])
    member = make_staff("member", departments=[carrying])
    manager = make_staff("manager", rights=["departments.view", "departments.edit"])
    db.session.commit()
    login(client, manager)
    page = client.get(f"/provider/departments/{carrying.id}/delete")
    assert "“Edit permissions”" in page.text and "<form" not in page.text.split('id="content"')[1]
    assert "Member" in page.text and "Global settings" in page.text
    response = client.post(f"/provider/departments/{carrying.id}/delete")
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Department, carrying.id) is not None
    assert "settings.edit" in {f for f, in db.session.execute(
        select(DepartmentRight.function_id).where(DepartmentRight.department_id == carrying.id))}
    del member


def test_deleting_needs_each_function_held_and_not_ones_own_department(app, client):
    carrying = make_department("Finance", rights=["payments.view", "settings.edit"])
    mine = make_department("Mine", rights=["clients.view"])
    manager = make_staff("manager", departments=[mine],
                         rights=["departments.view", "departments.edit", "rights.edit", "payments.view",
                                 "clients.view"])
    db.session.commit()
    login(client, manager)
    response = client.post(f"/provider/departments/{carrying.id}/delete")
    assert response.status_code == 403 and "“Global settings”" in response.text
    response = client.post(f"/provider/departments/{mine.id}/delete")
    assert response.status_code == 403 and "your own department" in response.text
    empty = make_department("Empty")
    db.session.commit()
    assert client.post(f"/provider/departments/{empty.id}/delete").status_code == 302


def test_the_delete_confirmation_lists_who_loses_what(as_admin):
    sales = make_department("Sales team", rights=["clients.view", "payments.view"])
    other = make_department("Other", rights=["clients.view"])
    make_staff("ann", name="Ann Loser", departments=[sales])
    make_staff("ben", name="Ben Keeper", departments=[sales, other], rights=["payments.view"])
    db.session.commit()
    page = as_admin.get(f"/provider/departments/{sales.id}/delete").text
    assert "<strong>Ann Loser</strong>" in page and "View clients, View payments" in page
    assert "Ben Keeper" not in page and "1 member keeps every function" in page


def test_only_the_builtin_admin_changes_their_password_email_and_login(app, admin):
    other = make_staff("root2", full_access=True)
    db.session.commit()
    client = app.test_client()
    login(client, other)
    base = {"login": "admin", "name_en": "Administrator", "email": "", "version": str(admin.version)}
    for change in ({"password": "taken-over-password"}, {"email": "mine@example.com"}, {"login": "boss"}):
        response = client.post(f"/provider/staff/{admin.id}", data={**base, **change})
        assert response.status_code == 403 and "Only the built-in administrator" in response.text
    db.session.expire_all()
    account = db.session.get(Account, admin.id)
    assert account.check_password("admin-password-123") and account.email is None and account.login == "admin"
    page = client.get(f"/provider/staff/{admin.id}").text
    assert 'name="password"' not in page and "Generate" not in page


def test_the_seeded_admin_saves_without_an_email(as_admin, admin):
    response = as_admin.post(f"/provider/staff/{admin.id}", data={
        "login": "admin", "name_en": "Chief", "email": "", "version": str(admin.version), "full_access": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Account, admin.id).name_en == "Chief"


def test_section_grant_acts_only_on_the_functions_shown(as_admin):
    department = make_department("Filtered")
    db.session.commit()
    url = f"/provider/departments/{department.id}/permissions/section/services"
    response = as_admin.post(url, data={"state": "on", "functions": "services.view,tariffs.view,tasks.view"},
                             headers={"HX-Request": "true"})
    assert response.status_code == 200
    granted = set(db.session.scalars(select(DepartmentRight.function_id)
                                     .where(DepartmentRight.department_id == department.id)))
    assert granted == {"services.view", "tariffs.view", "tasks.view"}
    for forged in ("", "clients.view", "services.view,settings.edit"):
        assert as_admin.post(url, data={"state": "on", "functions": forged}).status_code == 400
    assert 'data-label-shown="Grant {n} shown"' in as_admin.get(f"/provider/departments/{department.id}/permissions").text


def test_manage_refusal_names_the_functions(app, client):
    target = make_staff("strong", name="Strong One", rights=["settings.edit", "invoices.send"])
    actor = make_staff("weak", rights=["staff.view", "staff.edit", "rights.edit"])
    db.session.commit()
    login(client, actor)
    page = client.get(f"/provider/staff/{target.id}").text
    assert "You cannot manage Strong One: they hold rights that you do not: “Send invoices”, “Global settings”." in page


def test_avatar_processing_is_bounded(app):
    import io
    import time

    from PIL import Image

    from webapp.staff.avatars import AvatarError, process_avatar

    with app.test_request_context():
        for size in ((1400, 1400), (2000, 1000)):
            out = io.BytesIO()
            Image.effect_noise(size, 60).convert("RGB").save(out, "JPEG", quality=5)
            data = out.getvalue()
            if len(data) > 64 * 1024:
                out = io.BytesIO()
                Image.new("RGB", size, (10, 120, 200)).save(out, "PNG")
                data = out.getvalue()
            started = time.process_time()
            assert process_avatar(data).startswith(b"\x89PNG")
            assert time.process_time() - started < 0.2
        out = io.BytesIO()
        Image.new("1", (3000, 3000)).save(out, "PNG")
        with pytest.raises(AvatarError, match="too large"):
            process_avatar(out.getvalue())


def test_catalog_labels_in_messages_are_quoted_once(app):
    from webapp.grants import labels

    with app.test_request_context():
        assert labels(["settings.edit", "clients.view"]) == "“View clients”, “Global settings”"
    assert set(CATALOG) == ALL_IDS


def test_services_check_their_own_rules(app):
    """A future API calling the services is held to the same rules as the pages."""
    from webapp.departments.service import create_department, delete_department
    from webapp.errors import Refused
    from webapp.hours.service import create_schedule, delete_schedule
    from webapp.staff.service import StaffValues, create_staff

    nobody = make_staff("nobody", rights=["departments.view", "staff.view"])
    department = make_department("Target", rights=["settings.edit"])
    with app.test_request_context():
        with pytest.raises(Refused):
            create_department(nobody, {"name_en": "X", "business_hours_id": 1, "show_in_support": False,
                                       "task_locale": "en"})
        with pytest.raises(Refused):
            delete_department(nobody, department)
        with pytest.raises(Refused):
            create_schedule(nobody, "Night", None, "UTC", [])
        with pytest.raises(Refused):
            delete_schedule(nobody, db.session.get(BusinessHours, 1))
        with pytest.raises(Refused):
            create_staff(nobody, StaffValues(login="x2", name_en="X", name_ru=None, email="x@example.com",
                                             phone=None, full_access=False, department_ids=set(),
                                             password="long-enough-password"))


def test_changing_department_members_needs_the_rights_to_grant_what_it_carries(app, client):
    """Adding someone to a department grants its functions, removing them revokes them: the same rules."""
    settings_team = make_department("Settings team", rights=["settings.edit"])
    plain = make_department("Plain")
    actor = make_staff("actor", rights=["staff.view", "staff.edit", "settings.edit"])  # no rights.edit
    victim = make_staff("victim")
    member = make_staff("member", departments=[settings_team])
    db.session.commit()
    login(client, actor)
    base = {"login": "victim", "name_en": "Victim", "email": "victim@example.com", "version": "1"}
    response = client.post(f"/provider/staff/{victim.id}", data={**base, "departments": str(settings_team.id)})
    assert response.status_code == 403 and "“Edit permissions”" in response.text
    response = client.post(f"/provider/staff/{member.id}", data={
        "login": "member", "name_en": "Member", "email": "member@example.com", "version": "1"})
    assert response.status_code == 403
    response = client.post("/provider/staff/new", data={
        "login": "newbie", "name_en": "Newbie", "email": "newbie@example.com", "password": PASSWORD,
        "departments": str(settings_team.id)})
    assert response.status_code == 403
    db.session.expire_all()
    assert [d.id for d in db.session.get(Account, victim.id).departments] == []
    assert [d.id for d in db.session.get(Account, member.id).departments] == [settings_team.id]
    # A department that carries nothing changes nobody's rights.
    assert client.post(f"/provider/staff/{victim.id}", data={**base, "departments": str(plain.id)}).status_code == 302


def test_a_bad_htmx_current_url_header_is_not_a_500(client):
    response = client.get("/provider/staff", headers={"HX-Request": "true", "HX-Current-URL": "http://[bad"})
    assert response.status_code == 200 and response.headers["HX-Redirect"] == "/login"


def test_names_that_grow_when_folded_are_stored(as_admin):
    """"ß" folds to "ss": a 100-character name has a 200-character key (PostgreSQL refused it with a 500)."""
    response = as_admin.post("/provider/departments/new", data={
        "name_en": "ß" * 100, "name_ru": "ﬃ" * 120, "business_hours_id": "1", "task_locale": "en"})
    assert response.status_code == 302
    week = {f"{d}-mode": "closed" for d in ("monday", "tuesday", "wednesday", "thursday", "friday",
                                             "saturday", "sunday")}
    assert as_admin.post("/provider/business-hours/new",
                         data={"name_en": "ß" * 120, "timezone": "UTC", **week}).status_code == 302
    assert as_admin.post("/provider/departments/new", data={
        "name_en": "\ufdfa" * 120, "business_hours_id": "1", "task_locale": "en"}).status_code == 302
