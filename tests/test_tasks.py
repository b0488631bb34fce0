"""Tasks: written in the department's task language, the manual flow (order → task → take → done → the service
active and charged), the take race, scoping 404s, the rights, automatic assignment and its release,
notifications (email, SMS, overdue once), the department's task target, and constant query counts."""
import re
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.conftest import login
from tests.factories import (
    make_customer_account,
    make_department,
    make_hours,
    make_service,
    make_staff,
    make_tariff,
)
from webapp.extensions import db
from webapp.finance.ledger import balance
from webapp.models import (
    AssignmentMode,
    Charge,
    Department,
    OutboxChannel,
    OutboxMessage,
    Service,
    ServiceOperation,
    ServiceStatus,
    Task,
    TaskEvent,
    TaskStatus,
)
from webapp.services import operations
from webapp.tasks import service
from webapp.tasks.notify import overdue_tasks

SOLVE = ["tasks.view", "tasks.solve"]


def signed_in(app, account):
    client = app.test_client()
    assert login(client, account).status_code == 302
    return client


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


@pytest.fixture
def desk(app):
    """A provisioning department writing its tasks in Russian (Mon–Fri 09:00–18:00 UTC) with one member who solves
    tasks, another department with its own member, an English-speaking client and a manual plan."""
    hours = make_hours("Office", timezone="UTC")
    provisioning = make_department("Provisioning", name_ru="Подключение", hours=hours, task_locale="ru",
                                   rights=SOLVE)
    other = make_department("Back office", hours=hours, rights=SOLVE)
    ann = make_staff("ann", name="Ann Admin", departments=[provisioning], email="ann@example.com")
    outsider = make_staff("outsider", name="Oscar Outsider", departments=[other])
    customer = make_customer_account("acme", name="Acme Ltd", email="it@acme.example")
    customer.locale = "en"
    plan = make_tariff("Rack unit", name_ru="Стойка", price="25.00", department=provisioning)
    db.session.commit()
    return {"desk": provisioning, "other": other, "ann": ann, "outsider": outsider, "customer": customer,
            "plan": plan, "hours": hours}


def order(customer, plan, now=None) -> tuple[Service, Task]:
    """A client orders a service on the plan, as /my/services does: the Service, then operations.request()."""
    ordered = make_service(customer, plan, status=ServiceStatus.pending)
    operations.request(ordered, ServiceOperation.order, customer, now=now)
    db.session.commit()
    task = db.session.scalar(select(Task).where(Task.service_id == ordered.id).order_by(Task.id.desc()))
    return ordered, task


def actions(task_id) -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(select(TaskEvent.action).where(TaskEvent.task_id == task_id)
                                   .order_by(TaskEvent.id)))


# The task language --------------------------------------------------------------------------------

def test_an_english_clients_order_gives_a_russian_task_to_a_russian_department(app, desk):
    ordered, task = order(desk["customer"], desk["plan"])
    assert task.locale == "ru" and task.department_id == desk["desk"].id and task.operation is ServiceOperation.order
    assert task.title == f"Подключить услугу №{ordered.id} (Стойка) для Acme Ltd"
    assert task.text == (f"Клиент: Acme Ltd (acme, it@acme.example). Услуга №{ordered.id} по тарифному плану "
                         f"Стойка.")
    assert (task.title, task.text) == service.write_task_text(ordered, ServiceOperation.order, "ru")
    # The viewer's language does not matter: an English-speaking member reads it as it was written.
    ann = signed_in(app, desk["ann"])
    page = ann.get(f"/tasks/{task.id}").text
    assert task.title in page and "по тарифному плану Стойка." in page and 'lang="ru"' in page
    assert "Written in the department's task language (Русский)." in page
    assert task.title in ann.get("/tasks").text
    # An English department writes in English, whatever the client's language.
    english = make_department("Hosting", rights=SOLVE, hours=desk["hours"], task_locale="en")
    desk["customer"].locale = "ru"
    _, english_task = order(desk["customer"], make_tariff("VPS", name_ru="ВДС", department=english))
    assert english_task.locale == "en" and english_task.title.startswith("Set up service #")
    assert "(VPS) for Acme Ltd" in english_task.title


def test_the_deadline_counts_the_departments_task_target_in_its_business_hours(app, desk):
    desk["desk"].task_target_hours = 3
    db.session.commit()
    monday_5pm = datetime(2026, 11, 23, 17, tzinfo=UTC)
    _, task = order(desk["customer"], desk["plan"], now=monday_5pm)
    assert task.due_at.replace(tzinfo=UTC) == datetime(2026, 11, 24, 11, tzinfo=UTC)  # 1 h Monday, 2 h Tuesday


# The manual flow ----------------------------------------------------------------------------------

def test_order_take_done_activates_the_service_and_charges_its_first_period(app, desk):
    ordered, task = order(desk["customer"], desk["plan"])
    service_id, task_id = ordered.id, task.id
    assert ordered.status is ServiceStatus.pending and ordered.pending_operation is ServiceOperation.order
    assert task.status is TaskStatus.open and task.assignee_id is None
    assert balance(desk["customer"].id) == Decimal("0.00")
    ann = signed_in(app, desk["ann"])
    page = ann.get(f"/tasks/{task_id}").text
    assert ">Take</button>" in page and ">Done</button>" in page
    assert "activates the service and charges its first period" in page
    assert ann.post(f"/tasks/{task_id}/take").status_code == 302
    taken = fresh(Task, task_id)
    assert taken.status is TaskStatus.taken and taken.assignee_id == desk["ann"].id
    assert ann.post(f"/tasks/{task_id}/done").status_code == 302
    done = fresh(Task, task_id)
    assert done.status is TaskStatus.done and done.done_by_id == desk["ann"].id and done.done_at is not None
    active = fresh(Service, service_id)
    assert active.status is ServiceStatus.active and active.pending_operation is None
    assert active.activated_at is not None and active.paid_until is not None
    assert balance(desk["customer"].id) == Decimal("-25.00")
    assert actions(task_id) == ["created", "taken", "done"]
    page = ann.get(f"/tasks/{task_id}").text
    assert "Created." in page and "Taken." in page and "Done." in page and ">Done</button>" not in page
    # Done twice applies once: the second is told who did it.
    response = ann.post(f"/tasks/{task_id}/done")
    assert response.status_code == 409 and "Ann Admin has done this task already." in response.text
    assert db.session.scalar(select(func.count()).select_from(Charge)) == 1


def test_anyone_who_solves_the_departments_tasks_may_mark_it_done(app, desk):
    """Done by a member who had not taken it: an unassigned task is taken on the way; one assigned to someone
    else stays theirs (their work, finished by a colleague), done by the colleague."""
    carl = make_staff("carl", name="Carl Colleague", departments=[desk["desk"]])
    db.session.commit()
    _, task = order(desk["customer"], desk["plan"])
    assert signed_in(app, carl).post(f"/tasks/{task.id}/done").status_code == 302
    done = fresh(Task, task.id)
    assert done.assignee_id == carl.id and done.done_by_id == carl.id
    assert actions(task.id) == ["created", "taken", "done"]
    _, second = order(desk["customer"], desk["plan"])
    assert signed_in(app, desk["ann"]).post(f"/tasks/{second.id}/take").status_code == 302
    carl_client = signed_in(app, carl)
    page = carl_client.get(f"/tasks/{second.id}").text
    assert ">Take</button>" not in page and ">Done</button>" in page  # Ann's: Carl cannot take it from her
    response = carl_client.post(f"/tasks/{second.id}/take")
    assert response.status_code == 409 and "Ann Admin has this task now" in response.text
    assert carl_client.post(f"/tasks/{second.id}/done").status_code == 302
    done = fresh(Task, second.id)
    assert done.assignee_id == desk["ann"].id and done.done_by_id == carl.id


def test_suspend_and_resume_tasks_apply_their_operation(app, desk):
    running = make_service(desk["customer"], desk["plan"], status=ServiceStatus.active)
    running.paid_until = date.today() + timedelta(days=20)  # resumed within its paid period: nothing to charge
    operations.request(running, ServiceOperation.suspend, desk["ann"], reason="Unpaid")
    db.session.commit()
    task = db.session.scalar(select(Task).where(Task.service_id == running.id))
    assert task.operation is ServiceOperation.suspend and task.title.startswith("Приостановить услугу")
    assert fresh(Service, running.id).status is ServiceStatus.active  # not before the task is done
    ann = signed_in(app, desk["ann"])
    assert "“Done” suspends the service." in ann.get(f"/tasks/{task.id}").text
    assert ann.post(f"/tasks/{task.id}/done").status_code == 302
    assert fresh(Service, running.id).status is ServiceStatus.suspended
    operations.request(fresh(Service, running.id), ServiceOperation.resume, desk["ann"])
    db.session.commit()
    resume = db.session.scalar(select(Task).where(Task.operation == ServiceOperation.resume))
    assert ann.post(f"/tasks/{resume.id}/done").status_code == 302
    assert fresh(Service, running.id).status is ServiceStatus.active
    assert db.session.scalar(select(func.count()).select_from(Charge)) == 0  # resume charges nothing here


def test_closing_a_service_whose_setup_waits_withdraws_the_order_and_cancels_its_task(app, desk):
    ordered, order_task = order(desk["customer"], desk["plan"])
    operations.request(ordered, ServiceOperation.close, desk["ann"], reason="Changed their mind")
    db.session.commit()
    assert fresh(Service, ordered.id).status is ServiceStatus.closed
    cancelled = fresh(Task, order_task.id)
    assert cancelled.status is TaskStatus.cancelled and actions(order_task.id)[-1] == "cancelled"
    assert db.session.scalar(select(Task).where(Task.operation == ServiceOperation.close)) is None
    assert signed_in(app, desk["ann"]).post(f"/tasks/{order_task.id}/done").status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Charge)) == 0


def test_two_people_taking_at_once_one_wins_and_the_others_are_told_who(app, desk):
    people = [desk["ann"]] + [make_staff(f"peer{i}", name=f"Peer {i}", departments=[desk["desk"]])
                              for i in range(3)]
    _, task = order(desk["customer"], desk["plan"])
    clients = [signed_in(app, person) for person in people]
    url, task_id = f"/tasks/{task.id}/take", task.id
    db.session.commit()
    barrier = threading.Barrier(len(clients))
    answers = []

    def grab(client):
        barrier.wait()
        response = FlaskClient.open(client, url, method="POST")
        answers.append((response.status_code, response.get_data(as_text=True)))

    threads = [threading.Thread(target=grab, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(status for status, _text in answers) == [302, 409, 409, 409], answers
    holder = fresh(Task, task_id).assignee
    assert holder in people
    assert all(f"{holder.name} has this task now" in text for status, text in answers if status == 409)
    assert actions(task_id) == ["created", "taken"]


# Scoping and rights -------------------------------------------------------------------------------

def test_staff_outside_the_department_get_404_on_get_and_post(app, as_admin, desk):
    _, task = order(desk["customer"], desk["plan"])
    outsider = signed_in(app, desk["outsider"])
    assert outsider.get(f"/tasks/{task.id}").status_code == 404
    for action in ("take", "done"):
        assert outsider.post(f"/tasks/{task.id}/{action}").status_code == 404
    unchanged = fresh(Task, task.id)
    assert unchanged.status is TaskStatus.open and unchanged.assignee_id is None
    assert "Acme Ltd" not in outsider.get("/tasks").text
    assert outsider.get("/tasks", query_string={"department": desk["desk"].id}).status_code == 200
    assert "Acme Ltd" not in outsider.get("/tasks", query_string={"department": desk["desk"].id}).text
    assert outsider.get("/tasks/999999").status_code == 404
    # Full access sees every department's tasks.
    assert as_admin.get(f"/tasks/{task.id}").status_code == 200 and "Acme Ltd" in as_admin.get("/tasks").text


def test_rights_view_to_read_solve_to_act_clients_never(app, desk):
    viewers = make_department("Sales", rights=["tasks.view"], hours=desk["hours"])
    desk["desk"].rights = []  # the department grants nothing now: each person's own rights decide
    viewer = make_staff("viewer", departments=[desk["desk"], viewers])
    solver_without_view = make_staff("solver", departments=[desk["desk"]], rights=["tasks.solve"])
    nobody = make_staff("nobody", departments=[desk["desk"]])
    db.session.commit()
    _, task = order(desk["customer"], desk["plan"])
    viewing = signed_in(app, viewer)
    list_page = viewing.get("/tasks")
    assert list_page.status_code == 200 and task.title in list_page.text
    assert re.search(r'Products/services.*href="/tasks"', list_page.text, re.S)
    page = viewing.get(f"/tasks/{task.id}")
    assert page.status_code == 200 and ">Take</button>" not in page.text and ">Done</button>" not in page.text
    for action in ("take", "done"):
        assert viewing.post(f"/tasks/{task.id}/{action}").status_code == 403
    for person in (solver_without_view, nobody):
        other = signed_in(app, person)
        assert other.get("/tasks").status_code == 403 and other.get(f"/tasks/{task.id}").status_code == 403
        assert other.post(f"/tasks/{task.id}/take").status_code == 403
        assert 'href="/tasks"' not in other.get("/").text
    customer = signed_in(app, desk["customer"])
    for path in ("/tasks", f"/tasks/{task.id}"):
        assert customer.get(path).status_code == 403
    for action in ("take", "done"):
        assert customer.post(f"/tasks/{task.id}/{action}").status_code == 403
    assert fresh(Task, task.id).status is TaskStatus.open
    grant = make_staff("granted", departments=[desk["desk"]], rights=SOLVE)
    db.session.commit()
    assert signed_in(app, grant).post(f"/tasks/{task.id}/take").status_code == 302


# The list -----------------------------------------------------------------------------------------

def test_open_first_by_deadline_overdue_marked_then_done_newest_first_and_filters(app, desk):
    ahead = datetime.now(UTC) + timedelta(days=7)  # a Monday ahead: the deadlines are ahead, but the late one's
    monday = datetime(ahead.year, ahead.month, ahead.day, 9, tzinfo=UTC) - timedelta(days=ahead.weekday())
    late_service, late = order(desk["customer"], desk["plan"], now=monday - timedelta(days=17))
    _, soon = order(desk["customer"], desk["plan"], now=monday)
    _, later = order(desk["customer"], desk["plan"], now=monday + timedelta(days=1))
    _, first_done = order(desk["customer"], desk["plan"], now=monday)
    _, second_done = order(desk["customer"], desk["plan"], now=monday)
    service.complete(desk["ann"], first_done, now=monday + timedelta(hours=1))
    service.complete(desk["ann"], second_done, now=monday + timedelta(hours=2))
    service.take(desk["ann"], later)
    other_plan = make_tariff("Other plan", department=desk["other"])
    desk["ann"].departments.append(desk["other"])
    _, elsewhere = order(desk["customer"], other_plan, now=monday + timedelta(days=2))
    db.session.commit()
    ann = signed_in(app, desk["ann"])

    def ids(**args):
        page = ann.get("/tasks", query_string={**args}).text
        return [int(i) for i in re.findall(r'data-task="(\d+)"', page)]

    assert ids() == [late.id, soon.id, later.id, elsewhere.id]
    assert ids(status="all") == [late.id, soon.id, later.id, elsewhere.id, second_done.id]  # 5 a page
    assert ids(status="all", page=2) == [first_done.id]
    assert ids(status="done") == [second_done.id, first_done.id]
    assert ids(status="taken") == [later.id] and ids(status="open") == [late.id, soon.id, elsewhere.id]
    assert ids(assignee="me") == [later.id]
    assert ids(assignee="unassigned") == [late.id, soon.id, elsewhere.id]
    assert ids(department=desk["other"].id) == [elsewhere.id]
    assert ids(status="bogus", assignee="bogus", department="x") == ids()
    page = ann.get("/tasks").text
    row = re.search(rf'<tr class="row-overdue" data-task="{late.id}">.*?</tr>', page, re.S)
    assert row and "Overdue" in row.group(0) and "overdue by" in row.group(0)
    assert f'<tr class="" data-task="{later.id}">' in page
    assert "No task matches these filters." in ann.get("/tasks", query_string={"status": "cancelled"}).text
    assert late_service.id  # (the late one is the oldest order)
    fragment = ann.get("/tasks", query_string={"status": "done"}, headers={"HX-Request": "true",
                                                                            "HX-Target": "task-results"})
    assert fragment.text.lstrip().startswith('<div id="task-results"') and "<html" not in fragment.text


def test_empty_states(app, desk):
    ann = signed_in(app, desk["ann"])
    assert "No open tasks in your departments." in ann.get("/tasks").text
    assert ann.get("/tasks", query_string={"page": 3}).status_code == 404


def test_list_and_task_pages_run_constant_queries(app, desk, count_queries):
    ann = signed_in(app, desk["ann"])
    colleague = make_staff("colleague", departments=[desk["desk"]])
    db.session.commit()

    def measure(task_id):
        with count_queries() as list_count:
            assert ann.get("/tasks").status_code == 200
        with count_queries() as all_count:
            assert ann.get("/tasks", query_string={"status": "all", "assignee": "anyone"}).status_code == 200
        with count_queries() as task_count:
            assert ann.get(f"/tasks/{task_id}").status_code == 200
        return list_count.n, all_count.n, task_count.n

    _, first = order(desk["customer"], desk["plan"])
    service.take(colleague, first)
    service.release_tasks(colleague)  # an event naming someone: the names are read in one query
    db.session.commit()
    small = measure(first.id)
    for index in range(12):
        _, task = order(make_customer_account(f"buyer{index}"), desk["plan"])
        if index % 3 == 0:
            service.complete(colleague, task)
        elif index % 3 == 1:
            service.take(colleague, task)
    _, busy = order(desk["customer"], desk["plan"])
    service.take(colleague, busy)
    service.release_tasks(colleague)
    service.complete(desk["ann"], busy)
    db.session.commit()
    assert len(actions(busy.id)) >= 4
    assert measure(busy.id) == small


# Automatic assignment -----------------------------------------------------------------------------

def test_round_robin_and_fewest_open_among_those_who_solve_tasks(app, desk):
    provisioning = desk["desk"]
    provisioning.assignment = AssignmentMode.round_robin
    second = make_staff("second", departments=[provisioning])
    away = make_staff("away", departments=[provisioning])
    away.away = True
    make_staff("disabled", departments=[provisioning], active=False)
    viewers = make_department("Viewers", rights=["tasks.view"], hours=desk["hours"])
    make_staff("viewer-only", departments=[viewers])
    db.session.commit()
    got = [order(desk["customer"], desk["plan"])[1].assignee_id for _ in range(4)]
    assert got == [desk["ann"].id, second.id, desk["ann"].id, second.id]
    last = db.session.scalar(select(Task).order_by(Task.id.desc()))
    assert actions(last.id) == ["created", "assigned"]
    assert "Assigned to Second." in signed_in(app, desk["ann"]).get(f"/tasks/{last.id}").text
    assert fresh(Department, provisioning.id).last_task_assigned_id == second.id
    provisioning = fresh(Department, provisioning.id)
    provisioning.assignment = AssignmentMode.fewest_open
    for task in db.session.scalars(select(Task).where(Task.assignee_id == second.id)):
        service.complete(second, task)
    db.session.commit()
    assert order(desk["customer"], desk["plan"])[1].assignee_id == second.id
    away = fresh(type(away), away.id)
    away.away_until = datetime.now(UTC).date() - timedelta(days=1)  # the away period is over
    db.session.commit()
    assert order(desk["customer"], desk["plan"])[1].assignee_id == away.id


def test_nobody_eligible_leaves_the_task_unassigned(app, desk):
    empty = make_department("Empty", rights=SOLVE, hours=desk["hours"])
    empty.assignment = AssignmentMode.round_robin
    db.session.commit()
    _, task = order(desk["customer"], make_tariff("Lonely", department=empty))
    assert task.assignee_id is None and actions(task.id) == ["created"]


@pytest.mark.parametrize("mode", [AssignmentMode.round_robin, AssignmentMode.fewest_open])
def test_automatic_assignment_is_fair_under_concurrent_orders(app, desk, mode):
    provisioning = desk["desk"]
    provisioning.assignment = mode
    second = make_staff("second", departments=[provisioning])
    customers = [make_customer_account(f"buyer{i}") for i in range(8)]
    services = [make_service(customer, desk["plan"], status=ServiceStatus.pending) for customer in customers]
    service_ids = [s.id for s in services]
    db.session.commit()  # no snapshot of the test's own held open while the threads write
    barrier = threading.Barrier(len(service_ids))
    errors = []

    def place(service_id):
        # Each order in a request of its own (a POST: SQLite's write lock taken at BEGIN), as /my/services does.
        with app.test_request_context("/my/services", method="POST"):
            try:
                barrier.wait()
                ordered = db.session.get(Service, service_id)
                operations.request(ordered, ServiceOperation.order, ordered.client)
                db.session.commit()
            except Exception as error:  # pragma: no cover - reported below
                errors.append(repr(error))
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=place, args=(i,)) for i in service_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.rollback()
    counts = dict(db.session.execute(select(Task.assignee_id, func.count()).group_by(Task.assignee_id)).all())
    assert counts == {desk["ann"].id: 4, second.id: 4}


def test_disabling_deleting_or_going_away_gives_open_tasks_back(app, as_admin, desk):
    provisioning = desk["desk"]
    provisioning.assignment = AssignmentMode.round_robin
    helper = make_staff("helper", name="Hal Helper", departments=[provisioning])
    db.session.commit()
    tasks = [order(desk["customer"], desk["plan"])[1] for _ in range(2)]
    assert {t.assignee_id for t in tasks} == {desk["ann"].id, helper.id}
    helpers = next(t.id for t in tasks if t.assignee_id == helper.id)
    service.take(helper, fresh(Task, helpers))
    db.session.commit()
    assert as_admin.post(f"/provider/staff/{helper.id}/disable").status_code in (200, 302)
    released = fresh(Task, helpers)
    assert released.assignee_id == desk["ann"].id and released.status is TaskStatus.open  # the one left
    assert actions(helpers)[-2:] == ["released", "assigned"]
    assert "Released from Hal Helper: back to the department." in as_admin.get(f"/tasks/{helpers}").text
    done = order(desk["customer"], desk["plan"])[1]
    service.complete(desk["ann"], fresh(Task, done.id))
    db.session.commit()
    # Ann goes away on her profile: her open tasks go back (nobody else is left to take them); a done one stays.
    ann = signed_in(app, desk["ann"])
    profile = ann.get("/profile").text
    version = re.search(r'name="version"[^>]*value="(\d+)"', profile) or re.search(
        r'value="(\d+)"[^>]*name="version"', profile)
    response = ann.post("/profile", data={"away": "y", "timezone": "", "locale": "en",
                                          "version": version.group(1) if version else "", "ticket_emails": "y"})
    assert response.status_code in (200, 302), response.text
    assert fresh(Task, helpers).assignee_id is None
    assert fresh(Task, done.id).assignee_id == desk["ann"].id
    assert as_admin.post(f"/provider/staff/{desk['ann'].id}/delete").status_code in (200, 302)
    assert db.session.scalar(select(func.count()).select_from(Task).where(Task.assignee_id.is_not(None),
                                                                          Task.status != TaskStatus.done)) == 0


# Notifications ------------------------------------------------------------------------------------

def test_a_new_task_emails_the_departments_members_in_their_language(mail_app, smtp_server, desk):
    boris = make_staff("boris", name="Boris", departments=[desk["desk"]], email="boris@example.com")
    boris.locale = "ru"
    make_staff("gone", departments=[desk["desk"]], email="gone@example.com", active=False)
    make_staff("elsewhere", departments=[desk["other"]], email="elsewhere@example.com")
    db.session.commit()
    _, task = order(desk["customer"], desk["plan"])
    received = {m["To"]: m for m in smtp_server.inbox.wait_for(2)}
    assert set(received) == {"ann@example.com", "boris@example.com"}
    english, russian = received["ann@example.com"], received["boris@example.com"]
    subjects = dict(db.session.execute(select(OutboxMessage.recipient, OutboxMessage.subject)).all())
    assert subjects["ann@example.com"] == f"New task #{task.id}: {task.title}"
    # (Python's email parser drops the space between two encoded words: compare without spaces.)
    assert english["Subject"].replace(" ", "") == subjects["ann@example.com"].replace(" ", "")
    text = english.get_body(("plain",)).get_content()
    html = english.get_body(("html",)).get_content()
    assert "Provisioning has a new task" in text and task.text in text and f"/tasks/{task.id}" in text
    assert f'href="http://console.example.test/tasks/{task.id}"' in html
    assert subjects["boris@example.com"] in (f"Новая задача №{task.id}: {task.title}",  # once translated
                                             f"New task #{task.id}: {task.title}")
    assert task.title in russian.get_body(("plain",)).get_content()


def test_sms_to_members_with_a_phone_number_in_their_language(app, desk):
    desk["ann"].phone = "+79161234567"
    boris = make_staff("boris", departments=[desk["desk"]], email="boris@example.com")
    boris.phone = "+441632960123"
    boris.locale = "ru"
    make_staff("nophone", departments=[desk["desk"]])
    db.session.commit()
    _, task = order(desk["customer"], desk["plan"])
    sms = {m.recipient: m for m in db.session.scalars(select(OutboxMessage)
                                                       .where(OutboxMessage.channel == OutboxChannel.sms))}
    assert set(sms) == {"+79161234567", "+441632960123"}
    assert sms["+79161234567"].text_body == (f"New task #{task.id} for Provisioning: "
                                             f"http://console.example.test/tasks/{task.id}")
    assert sms["+79161234567"].topic == "task.new" and sms["+79161234567"].account_id == desk["ann"].id
    assert len(sms["+441632960123"].text_body) <= 160
    emails = db.session.scalar(select(func.count()).select_from(OutboxMessage)
                               .where(OutboxMessage.channel == OutboxChannel.email))
    assert emails == 3


def test_notifications_never_fail_the_order(app, desk, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("template exploded")

    monkeypatch.setattr("webapp.outbox.service.render_email", broken)
    ordered, task = order(desk["customer"], desk["plan"])
    assert task is not None and fresh(Service, ordered.id).pending_operation is ServiceOperation.order
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    # A department without members: a task nobody is told about is fine too.
    lonely = make_department("Lonely", rights=SOLVE, hours=desk["hours"])
    monkeypatch.undo()
    _, alone = order(desk["customer"], make_tariff("Alone", department=lonely))
    assert alone.id and alone.assignee_id is None


def test_an_overdue_task_tells_its_department_once(mail_app, smtp_server, desk):
    long_ago = datetime.now(UTC) - timedelta(days=10)
    _, late = order(desk["customer"], desk["plan"], now=long_ago)
    _, done = order(desk["customer"], desk["plan"], now=long_ago)
    service.complete(desk["ann"], done)
    _, fresh_task = order(desk["customer"], desk["plan"])
    db.session.commit()
    smtp_server.inbox.wait_for(3)
    before = len(smtp_server.messages)
    assert overdue_tasks() == 1
    assert overdue_tasks() == 0
    received = smtp_server.inbox.wait_for(before + 1)
    assert len(received) == before + 1
    assert received[-1]["Subject"] == f"Overdue: task #{late.id}: {late.title}"
    assert "still open past its deadline" in received[-1].get_body(("plain",)).get_content()
    assert fresh(Task, late.id).overdue_notified and not fresh(Task, fresh_task.id).overdue_notified
    assert not fresh(Task, done.id).overdue_notified


# The department form ------------------------------------------------------------------------------

def form(**values):
    return {"name_en": "Desk", "business_hours_id": "1", "task_locale": "en", **values}


def test_the_departments_task_target(as_admin):
    page = as_admin.get("/provider/departments/new").text
    assert re.search(r'<label[^>]*for="task_target_hours"[^>]*>Task target \(business hours\)</label>', page)
    assert re.search(r'id="task_target_hours"[^>]*value="8"|value="8"[^>]*id="task_target_hours"', page)
    assert as_admin.post("/provider/departments/new", data=form(task_target_hours="12")).status_code == 302
    desk = db.session.scalar(select(Department).where(Department.name_en == "Desk"))
    assert desk.task_target_hours == 12
    response = as_admin.post(f"/provider/departments/{desk.id}", data=form(task_target_hours="",
                                                                          version=str(desk.version)))
    assert response.status_code == 302 and fresh(Department, desk.id).task_target_hours == 8  # empty: default
    for bad, message in [("0", "Between 1 and 1000"), ("1001", "Between 1 and 1000"),
                         ("x", "Task target (business hours)</a>")]:
        response = as_admin.post("/provider/departments/new", data=form(name_en="Bad", task_target_hours=bad))
        assert response.status_code == 422 and message in response.text, bad
    assert db.session.scalar(select(func.count()).where(Department.name_en == "Bad")) == 0


def test_a_department_with_tasks_is_not_deleted(app, as_admin, desk):
    lonely = make_department("Short-lived", hours=desk["hours"])
    _, task = order(desk["customer"], make_tariff("Temp", department=lonely))
    db.session.commit()
    response = as_admin.post(f"/provider/departments/{lonely.id}/delete", data={})
    assert response.status_code == 409 and "The department has tasks" in response.text
    assert fresh(Department, lonely.id) is not None and fresh(Task, task.id) is not None
