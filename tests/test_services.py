"""Services for staff: the list and its filters, a service's page and history, suspend / resume / close with a
reason (at once on an automatic plan, a task on a manual one), the refusals, the race, and the renewal."""
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests.conftest import login
from tests.factories import make_customer_account, make_department, make_service, make_staff, make_tariff
from webapp.errors import Refused
from webapp.extensions import db
from webapp.models import (
    BillingPeriod,
    Charge,
    Service,
    ServiceEvent,
    ServiceOperation,
    ServiceStatus,
    Task,
    TaskStatus,
)
from webapp.services import operations, renewal
from webapp.services import service as services


def signed_in(app, account):
    client = app.test_client()
    assert login(client, account).status_code == 302
    return client


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def events(service_id):
    db.session.expire_all()
    return list(db.session.scalars(select(ServiceEvent).where(ServiceEvent.service_id == service_id)
                                   .order_by(ServiceEvent.id)))


def charges(service_id=None):
    db.session.expire_all()
    statement = select(Charge).order_by(Charge.id)
    if service_id is not None:
        statement = statement.where(Charge.service_id == service_id)
    return list(db.session.scalars(statement))


def tasks(service_id):
    db.session.expire_all()
    return list(db.session.scalars(select(Task).where(Task.service_id == service_id).order_by(Task.id)))


@pytest.fixture
def world(app):
    desk = make_department("Provisioning", name_ru="Подключение")
    manager = make_staff("manager", name="Mia Manager", rights=["services.view", "services.manage"])
    viewer = make_staff("viewer", rights=["services.view"])
    customer = make_customer_account("acme", name="Acme Ltd")
    other = make_customer_account("globex", name="Globex")
    auto = make_tariff("Hosting S", price="9.90")
    manual = make_tariff("Dedicated", price="120.00", department=desk)
    db.session.commit()
    return {"desk": desk, "manager": manager, "viewer": viewer, "customer": customer, "other": other,
            "auto": auto, "manual": manual}


def ordered(world, tariff, customer=None):
    service = services.order(customer or world["customer"], tariff.id)
    db.session.commit()
    return service


# Operations -----------------------------------------------------------------------------------------------

def test_an_automatic_order_is_active_at_once_with_its_first_period_charged(app, world):
    service = ordered(world, world["auto"])
    assert service.status is ServiceStatus.active and service.pending_operation is None
    [charge] = charges(service.id)
    assert charge.amount == Decimal("9.90") and charge.client_id == world["customer"].id
    assert charge.period_start == service.activated_at.date() and service.paid_until == charge.period_end
    assert [e.action for e in events(service.id)] == ["ordered", "activated"]
    assert tasks(service.id) == []


def test_a_manual_order_waits_for_its_task(app, world):
    service = ordered(world, world["manual"])
    assert service.status is ServiceStatus.pending and service.pending_operation is ServiceOperation.order
    assert charges(service.id) == []
    [task] = tasks(service.id)
    assert task.department_id == world["desk"].id and task.operation is ServiceOperation.order
    # The task's "Done" applies it.
    operations.apply(fresh(Service, service.id), ServiceOperation.order, world["manager"])
    db.session.commit()
    service = fresh(Service, service.id)
    assert service.status is ServiceStatus.active and len(charges(service.id)) == 1


def test_apply_refuses_a_service_closed_meanwhile(app, world):
    service = ordered(world, world["manual"])
    services.change(world["manager"], service, ServiceOperation.close, "Client changed their mind")
    db.session.commit()
    assert fresh(Service, service.id).status is ServiceStatus.closed
    assert [t.status for t in tasks(service.id)] == [TaskStatus.cancelled]
    with pytest.raises(Refused) as refusal:
        operations.apply(fresh(Service, service.id), ServiceOperation.order, world["manager"])
    assert refusal.value.status == 409 and "no longer waits for setup" in str(refusal.value)
    db.session.rollback()
    assert charges(service.id) == [] and fresh(Service, service.id).status is ServiceStatus.closed


def test_period_ends_keep_the_day_the_service_started():
    ends, start = [], date(2026, 1, 31)
    for _ in range(3):
        start = operations.period_end(start, BillingPeriod.month, 31)
        ends.append(start)
    assert ends == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    assert operations.period_end(date(2026, 5, 1), BillingPeriod.year) == date(2027, 5, 1)


# Staff actions --------------------------------------------------------------------------------------------

def test_suspend_resume_close_on_an_automatic_plan_with_reasons_in_the_history(app, world):
    service = ordered(world, world["auto"])
    web = signed_in(app, world["manager"])
    response = web.post(f"/services/{service.id}/suspend", data={"reason": "Unpaid invoice 2026-00012"})
    assert response.status_code == 302
    assert fresh(Service, service.id).status is ServiceStatus.suspended
    suspended = events(service.id)[-1]
    assert suspended.action == "suspended" and suspended.reason == "Unpaid invoice 2026-00012"
    assert suspended.actor_id == world["manager"].id and suspended.created_at is not None
    page = web.get(f"/services/{service.id}").text
    assert "Unpaid invoice 2026-00012" in page and "by Mia Manager" in page and "Suspended" in page
    assert "Resume" in page and 'action="/services/%d/suspend"' % service.id not in page
    assert web.post(f"/services/{service.id}/resume", data={"reason": "Paid"}).status_code == 302
    assert fresh(Service, service.id).status is ServiceStatus.active
    # Closing asks first: the GET is the confirmation, and changes nothing.
    confirm = web.get(f"/services/{service.id}/close")
    assert confirm.status_code == 200 and f"Close service #{service.id}?" in confirm.text
    assert "It closes at once and is no longer renewed." in confirm.text
    assert fresh(Service, service.id).status is ServiceStatus.active
    assert web.post(f"/services/{service.id}/close", data={"reason": "Contract ended"}).status_code == 302
    service = fresh(Service, service.id)
    assert service.status is ServiceStatus.closed and service.closed_at is not None
    assert [(e.action, e.reason) for e in events(service.id)] == [
        ("ordered", None), ("activated", None), ("suspended", "Unpaid invoice 2026-00012"), ("resumed", "Paid"),
        ("closed", "Contract ended")]


def test_on_a_manual_plan_the_operation_is_a_task(app, world):
    service = ordered(world, world["manual"])
    operations.apply(fresh(Service, service.id), ServiceOperation.order, None)
    db.session.commit()
    web = signed_in(app, world["manager"])
    response = web.post(f"/services/{service.id}/suspend", data={"reason": "Abuse report"})
    assert response.status_code == 302
    page = web.get(f"/services/{service.id}").text
    assert "waiting for: suspension" in page and "a task was sent to Provisioning" in page
    service = fresh(Service, service.id)
    assert service.status is ServiceStatus.active and service.pending_operation is ServiceOperation.suspend
    assert [t.operation for t in tasks(service.id)] == [ServiceOperation.order, ServiceOperation.suspend]
    assert events(service.id)[-1].action == "suspend_requested" and events(service.id)[-1].reason == "Abuse report"
    # Nothing else while the suspension waits: a clear refusal, nothing changed.
    for name in ("suspend", "resume", "close"):
        response = web.post(f"/services/{service.id}/{name}", data={"reason": "again"})
        assert response.status_code == 409, name
        assert "is waiting for suspension: nothing else can be done to it until that task is done" in response.text
    assert len(tasks(service.id)) == 2
    operations.apply(fresh(Service, service.id), ServiceOperation.suspend, world["manager"])
    db.session.commit()
    assert fresh(Service, service.id).status is ServiceStatus.suspended


def test_closing_a_service_whose_setup_waits_withdraws_the_order(app, world):
    service = ordered(world, world["manual"])
    web = signed_in(app, world["manager"])
    confirm = web.get(f"/services/{service.id}/close").text
    assert "the order is withdrawn and the setup task cancelled" in confirm
    assert web.post(f"/services/{service.id}/close", data={"reason": "Duplicate order"}).status_code == 302
    service = fresh(Service, service.id)
    assert service.status is ServiceStatus.closed and service.pending_operation is None
    assert [t.status for t in tasks(service.id)] == [TaskStatus.cancelled]
    assert charges(service.id) == []


@pytest.mark.parametrize("status,name,message", [
    (ServiceStatus.suspended, "suspend", "Only an active service can be suspended"),
    (ServiceStatus.pending, "suspend", "Only an active service can be suspended"),
    (ServiceStatus.active, "resume", "Only a suspended service can be resumed"),
    (ServiceStatus.closed, "resume", "Only a suspended service can be resumed"),
    (ServiceStatus.closed, "close", "is already closed"),
    (ServiceStatus.closed, "suspend", "Only an active service can be suspended"),
])
def test_operations_only_from_sensible_states(app, world, status, name, message):
    service = make_service(world["customer"], world["auto"], status=status)
    db.session.commit()
    web = signed_in(app, world["manager"])
    page = web.get(f"/services/{service.id}/{name}")
    assert page.status_code == 200 and message in page.text and 'name="reason"' not in page.text
    response = web.post(f"/services/{service.id}/{name}", data={"reason": "Because"})
    assert response.status_code == 409 and message in response.text
    assert fresh(Service, service.id).status is status and events(service.id) == []


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001, "bad\x00reason"])
def test_a_reason_is_required(app, world, reason):
    service = make_service(world["customer"], world["auto"])
    db.session.commit()
    response = signed_in(app, world["manager"]).post(f"/services/{service.id}/suspend", data={"reason": reason})
    assert response.status_code == 422
    assert "Reason" in response.text
    assert fresh(Service, service.id).status is ServiceStatus.active and events(service.id) == []


def test_two_people_suspending_at_once_one_wins(app, world):
    people = [world["manager"]] + [make_staff(f"peer{i}", rights=["services.view", "services.manage"])
                                   for i in range(3)]
    service = make_service(world["customer"], world["auto"])
    db.session.commit()
    clients = [signed_in(app, person) for person in people]
    url = f"/services/{service.id}/suspend"
    service_id = service.id
    db.session.commit()
    barrier = threading.Barrier(len(clients))
    answers = []

    def suspend(client):
        barrier.wait()
        response = FlaskClient.open(client, url, method="POST", data={"reason": "Abuse"})
        answers.append((response.status_code, response.text))

    threads = [threading.Thread(target=suspend, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(status for status, _text in answers)
    assert statuses == [302] + [409] * (len(clients) - 1), statuses
    assert all("Only an active service can be suspended" in text for status, text in answers if status == 409)
    assert fresh(Service, service_id).status is ServiceStatus.suspended
    assert [e.action for e in events(service_id)] == ["suspended"]


def test_the_claim_refuses_what_changed_after_the_service_was_read(app, world):
    """The conditional UPDATE, not the check before it, decides: a service read as active but suspended by
    someone else meanwhile is refused."""
    service = make_service(world["customer"], world["auto"])
    db.session.commit()
    stale = db.session.get(Service, service.id)
    db.session.execute(Service.__table__.update().where(Service.id == service.id)
                       .values(status=ServiceStatus.suspended.name))
    with pytest.raises(Refused) as refusal:
        operations.request(stale, ServiceOperation.suspend, world["manager"], "Abuse")
    assert refusal.value.status == 409 and "is suspended" in str(refusal.value)
    db.session.rollback()


# Pages and rights -----------------------------------------------------------------------------------------

def test_list_filters_and_pages(app, world):
    auto_services = [make_service(world["customer"], world["auto"]) for _ in range(6)]
    make_service(world["other"], world["manual"], status=ServiceStatus.suspended)
    make_service(world["other"], world["auto"], status=ServiceStatus.closed)
    db.session.commit()
    web = signed_in(app, world["viewer"])
    page = web.get("/services").text
    assert "Page 1<" in page and 'rel="next"' in page and "acme" in page and "€9.90" in page  # not counted
    page = web.get("/services?status=suspended").text
    assert "globex" in page and "acme" not in page and "Dedicated" in page
    page = web.get(f"/services?tariff={world['manual'].id}").text
    assert "globex" in page and "acme" not in page
    page = web.get("/services?client=glob").text
    assert "globex" in page and "acme" not in page
    page = web.get(f"/services?client={world['customer'].id}").text
    assert f"#{auto_services[-1].id}<" in page and "globex" not in page
    assert "No service matches the filter." in web.get("/services?client=nobody").text
    for bad in ("\x00", "%", "_", "'", "١", "99999999999999"):
        response = web.get("/services", query_string={"client": bad, "status": bad, "tariff": bad, "page": bad})
        assert response.status_code == 200


def test_empty_list(app, world):
    assert "No client has ordered a service yet." in signed_in(app, world["viewer"]).get("/services").text


def test_a_viewer_sees_the_service_but_cannot_change_it(app, world):
    service = ordered(world, world["auto"])
    web = signed_in(app, world["viewer"])
    page = web.get(f"/services/{service.id}")
    assert page.status_code == 200 and "acme" in page.text and "Hosting S" in page.text
    assert "Change the service" not in page.text
    for name in ("suspend", "resume", "close"):
        assert web.get(f"/services/{service.id}/{name}").status_code == 403
        assert web.post(f"/services/{service.id}/{name}", data={"reason": "x"}).status_code == 403
    assert fresh(Service, service.id).status is ServiceStatus.active and len(events(service.id)) == 2


@pytest.mark.parametrize("rights", [(), ("services.manage",), ("tariffs.view", "tariffs.edit")])
def test_without_services_view_403(app, world, rights):
    service = make_service(world["customer"], world["auto"])
    person = make_staff(rights=list(rights))
    db.session.commit()
    web = signed_in(app, person)
    for url in ("/services", f"/services/{service.id}", f"/services/{service.id}/suspend"):
        assert web.get(url).status_code == 403, url
    assert web.post(f"/services/{service.id}/suspend", data={"reason": "x"}).status_code == 403
    assert fresh(Service, service.id).status is ServiceStatus.active


def test_a_client_gets_403(app, world):
    service = make_service(world["customer"], world["auto"])
    db.session.commit()
    web = signed_in(app, world["customer"])
    for url in ("/services", f"/services/{service.id}", f"/services/{service.id}/close"):
        assert web.get(url).status_code == 403, url
    for name in ("suspend", "resume", "close"):
        assert web.post(f"/services/{service.id}/{name}", data={"reason": "x"}).status_code == 403
    assert fresh(Service, service.id).status is ServiceStatus.active


def test_unknown_services_are_404(app, world):
    web = signed_in(app, world["manager"])
    for url in ("/services/4242", "/services/4242/suspend", "/services/4242/close"):
        assert web.get(url).status_code == 404
        if url != "/services/4242":
            assert web.post(url, data={"reason": "x"}).status_code == 404


def test_the_list_and_a_service_run_a_constant_number_of_queries(app, world, count_queries):
    web = signed_in(app, world["manager"])

    def measure():
        db.session.commit()
        counts = []
        service_id = db.session.scalar(select(func.max(Service.id)))
        for url in ("/services", "/services?status=active", "/services?client=acme",
                    f"/services?tariff={world['auto'].id}", f"/services/{service_id}"):
            with count_queries() as counter:
                assert web.get(url).status_code == 200
            counts.append(counter.n)
        return counts

    for tariff in (world["auto"], world["manual"]):
        services.order(world["customer"], tariff.id)
    small = measure()
    for i in range(12):
        tariff = make_tariff(f"More {i}", department=world["desk"] if i % 2 else None)
        service = services.order(world["customer"] if i % 3 else world["other"], tariff.id)
        if i % 2 == 0:
            services.change(world["manager"], service, ServiceOperation.suspend, f"Reason {i}")
    services.change(world["manager"], service, ServiceOperation.close, "Last one")
    assert measure() == small


# Renewal --------------------------------------------------------------------------------------------------

def test_renewal_charges_each_due_period_once(app, world):
    service = ordered(world, world["auto"])
    first_end = service.paid_until
    assert renewal.renew_due_services(first_end - timedelta(days=1)) == 0
    assert renewal.renew_due_services(first_end) == 1
    assert renewal.renew_due_services(first_end) == 0  # idempotent: a rerun charges nothing
    [first, second] = charges(service.id)
    assert second.period_start == first_end and second.amount == Decimal("9.90")
    assert fresh(Service, service.id).paid_until == second.period_end
    assert events(service.id)[-1].action == "renewed" and events(service.id)[-1].actor_id is None


def test_renewal_catches_up_and_skips_what_is_not_active(app, world):
    active = make_service(world["customer"], world["auto"])
    suspended = make_service(world["customer"], world["auto"], status=ServiceStatus.suspended)
    closed = make_service(world["customer"], world["auto"], status=ServiceStatus.closed)
    for service in (active, suspended, closed):
        service.paid_until = date(2026, 1, 15)
        service.activated_at = datetime(2025, 12, 15, 12, tzinfo=UTC)
    db.session.commit()
    assert renewal.renew_due_services(date(2026, 3, 20)) == 3  # 15 Jan, 15 Feb, 15 Mar
    assert [c.period_start for c in charges(active.id)] == [date(2026, 1, 15), date(2026, 2, 15), date(2026, 3, 15)]
    assert fresh(Service, active.id).paid_until == date(2026, 4, 15)
    assert charges(suspended.id) == [] and charges(closed.id) == []


def test_resuming_after_the_paid_period_charges_a_new_one(app, world):
    service = make_service(world["customer"], world["auto"], status=ServiceStatus.suspended)
    service.paid_until = date(2020, 1, 1)
    db.session.commit()
    services.change(world["manager"], service, ServiceOperation.resume, "Paid")
    db.session.commit()
    [charge] = charges(service.id)
    assert charge.period_start == operations.billing_date() and fresh(Service, service.id).paid_until > date.today()


def test_two_workers_renewing_at_once_charge_once(app, world, tmp_path):
    service = ordered(world, world["auto"])
    due = service.paid_until
    service_id = service.id
    db.session.commit()
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            with app.app_context():
                barrier.wait()
                results.append(renewal.renew_due_services(due))
                db.session.remove()
        except Exception as error:  # pragma: no cover - shown by the assert below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert sorted(results) == [0, 1]
    assert len(charges(service_id)) == 2  # the first period and one renewal


def test_the_periodic_task_is_registered(app):
    from webapp.services.tasks import renew_services
    from webapp.worker import huey

    at_seven = datetime(2026, 11, 26, 14, 7)  # hourly, at minute 7
    assert any(task.name == "renew_services" for task in huey.read_periodic(at_seven))
    assert not any(task.name == "renew_services" for task in huey.read_periodic(at_seven + timedelta(minutes=1)))
    assert renew_services.call_local() == 0
