"""The client's services: the list, ordering on an active plan (automatic: active at once and charged; manual:
pending with a task), forged and archived plans refused, another client's service a 404, the history."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import login
from tests.factories import make_customer_account, make_department, make_service, make_staff, make_tariff
from webapp.extensions import db
from webapp.models import Charge, Service, ServiceOperation, ServiceStatus, Task
from webapp.services import service as services


def signed_in(app, account):
    client = app.test_client()
    assert login(client, account).status_code == 302
    return client


def counts() -> tuple:
    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Service, Charge, Task))


@pytest.fixture
def shop(app):
    desk = make_department("Provisioning", task_locale="ru")
    customer = make_customer_account("acme", name="Acme Ltd")
    other = make_customer_account("globex", name="Globex")
    auto = make_tariff("Hosting S", name_ru="Хостинг S", price="9.90")
    manual = make_tariff("Dedicated", price="120.00", department=desk)
    yearly = make_tariff("Domain", price="15.00")
    yearly.period = yearly.period.__class__.year
    old = make_tariff("Legacy", archived=True)
    manager = make_staff("manager", name="Mia Manager", rights=["services.view", "services.manage"])
    db.session.commit()
    return {"desk": desk, "customer": customer, "other": other, "auto": auto, "manual": manual, "old": old,
            "yearly": yearly, "manager": manager}


def test_the_order_form_offers_active_plans_with_their_price(app, shop):
    page = signed_in(app, shop["customer"]).get("/my/services/order").text
    assert ">Tariff plan</label>" in page
    assert "Hosting S — €9.90 per month" in page and "Dedicated — €120.00 per month (set up by our staff)" in page
    assert "Domain — €15.00 per year" in page and "Legacy" not in page


def test_the_order_form_in_russian(app, shop):
    web = signed_in(app, shop["customer"])
    web.post("/language", data={"lang": "ru"})
    page = web.get("/my/services/order").text
    assert "Хостинг S — 9,90\xa0€" in page


def test_an_automatic_plan_is_active_at_once_and_charged(app, shop):
    web = signed_in(app, shop["customer"])
    response = web.post("/my/services/order", data={"tariff": str(shop["auto"].id)})
    assert response.status_code == 302
    service = db.session.scalar(select(Service))
    assert response.headers["Location"].endswith(f"/my/services/{service.id}")
    assert service.status is ServiceStatus.active and service.client_id == shop["customer"].id
    [charge] = db.session.scalars(select(Charge)).all()
    assert charge.amount == Decimal("9.90") and charge.client_id == shop["customer"].id
    page = web.get(f"/my/services/{service.id}").text
    assert "is active" in page and "Hosting S" in page and "Active" in page
    assert "Ordered" in page and "Activated" in page and "by you" in page
    listing = web.get("/my/services").text
    assert f"#{service.id}" in listing and "Active" in listing and "€9.90" in listing


def test_a_manual_plan_waits_for_its_task(app, shop):
    web = signed_in(app, shop["customer"])
    assert web.post("/my/services/order", data={"tariff": str(shop["manual"].id)}).status_code == 302
    service = db.session.scalar(select(Service))
    assert service.status is ServiceStatus.pending and service.pending_operation is ServiceOperation.order
    [task] = db.session.scalars(select(Task)).all()
    assert task.department_id == shop["desk"].id and task.locale == "ru"  # the department's task language
    assert db.session.scalar(select(func.count()).select_from(Charge)) == 0
    page = web.get(f"/my/services/{service.id}").text
    assert "Pending" in page and "waiting for: setup" in page and "we will set it up" in page


@pytest.mark.parametrize("plan", ["auto", "manual"])
def test_a_double_click_on_order_orders_once(app, shop, plan):
    """The second POST of a double click (the first one committed) answers the service just ordered: one
    service, one charge or one task."""
    web = signed_in(app, shop["customer"])
    first = web.post("/my/services/order", data={"tariff": str(shop[plan].id)})
    second = web.post("/my/services/order", data={"tariff": str(shop[plan].id)})
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert counts() == ((1, 1, 0) if plan == "auto" else (1, 0, 1))
    assert "a moment ago" in web.get(second.headers["Location"]).text
    # Another plan, or the same plan by another client, is another order.
    assert web.post("/my/services/order", data={"tariff": str(shop["yearly"].id)}).status_code == 302
    assert signed_in(app, shop["other"]).post("/my/services/order",
                                              data={"tariff": str(shop[plan].id)}).status_code == 302
    assert counts()[0] == 3


def test_parallel_orders_of_one_plan_by_one_client_give_one_service(app, shop):
    import threading

    from flask.testing import FlaskClient

    webs = [signed_in(app, shop["customer"]) for _ in range(4)]
    barrier, statuses, plan = threading.Barrier(4), [], str(shop["auto"].id)
    db.session.commit()  # the test's read transaction ends: it sees what the threads write

    def order(web):
        barrier.wait()
        statuses.append(FlaskClient.open(web, "/my/services/order", method="POST",
                                         data={"tariff": plan}).status_code)

    threads = [threading.Thread(target=order, args=(web,)) for web in webs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert counts() == (1, 1, 0) and set(statuses) <= {302, 409, 503}, statuses


def test_orders_waiting_for_staff_are_capped_per_client(app, shop):
    """Each manual order emails (and texts) the department: a client cannot flood it with orders. Once the cap of
    orders waiting for setup is reached, another manual order is refused until staff set them up."""
    from datetime import timedelta

    for _ in range(services.MAX_WAITING_ORDERS):
        services.order(shop["customer"], shop["manual"].id).created_at -= timedelta(minutes=1)  # no double click
    db.session.commit()
    before = counts()
    web = signed_in(app, shop["customer"])
    refused = web.post("/my/services/order", data={"tariff": str(shop["manual"].id)})
    assert refused.status_code == 409 and "waiting for our staff" in refused.text
    assert counts() == before
    # An automatic plan needs nobody; another client is not affected.
    assert web.post("/my/services/order", data={"tariff": str(shop["auto"].id)}).status_code == 302
    assert signed_in(app, shop["other"]).post("/my/services/order",
                                              data={"tariff": str(shop["manual"].id)}).status_code == 302


def test_the_same_plan_can_be_ordered_again_later(app, shop):
    from datetime import timedelta

    web = signed_in(app, shop["customer"])
    assert web.post("/my/services/order", data={"tariff": str(shop["auto"].id)}).status_code == 302
    first = db.session.scalar(select(Service))
    first.created_at -= timedelta(minutes=1)
    db.session.commit()
    assert web.post("/my/services/order", data={"tariff": str(shop["auto"].id)}).status_code == 302
    assert counts() == (2, 2, 0)


@pytest.mark.parametrize("value", ["", "999999", "abc", "-1", "١", "0"])
def test_forged_plan_ids_are_refused(app, shop, value):
    before = counts()
    response = signed_in(app, shop["customer"]).post("/my/services/order", data={"tariff": value})
    assert response.status_code == 422
    assert "Choose a tariff plan." in response.text or "This tariff plan cannot be ordered" in response.text
    assert counts() == before


def test_an_archived_plan_cannot_be_ordered(app, shop):
    before = counts()
    response = signed_in(app, shop["customer"]).post("/my/services/order", data={"tariff": str(shop["old"].id)})
    assert response.status_code == 422 and "This tariff plan cannot be ordered" in response.text
    assert counts() == before


def test_a_plan_archived_after_the_form_was_checked_is_refused_by_the_service(app, shop):
    from webapp.errors import Refused

    shop["auto"].archived = True
    db.session.flush()
    with pytest.raises(Refused) as refusal:
        services.order(shop["customer"], shop["auto"].id)
    assert refusal.value.status == 422
    db.session.rollback()


def test_another_clients_service_is_404(app, shop):
    theirs = make_service(shop["other"], shop["auto"])
    db.session.commit()
    web = signed_in(app, shop["customer"])
    assert web.get(f"/my/services/{theirs.id}").status_code == 404
    assert web.get("/my/services/424242").status_code == 404
    assert "globex" not in web.get("/my/services").text and f"#{theirs.id}<" not in web.get("/my/services").text


def test_the_client_sees_a_suspension_with_its_reason(app, shop):
    service = services.order(shop["customer"], shop["auto"].id)
    services.change(shop["manager"], service, ServiceOperation.suspend, "Unpaid invoice")
    db.session.commit()
    page = signed_in(app, shop["customer"]).get(f"/my/services/{service.id}").text
    assert "Suspended" in page and "Unpaid invoice" in page and "by our staff" in page
    assert "Mia Manager" not in page


def test_staff_are_sent_to_the_console_and_anonymous_visitors_to_login(app, shop):
    staff = signed_in(app, shop["manager"])
    for url in ("/my/services", "/my/services/order", "/my/services/1"):
        response = staff.get(url)
        assert response.status_code == 302 and response.headers["Location"].endswith("/"), url
    assert staff.post("/my/services/order", data={"tariff": str(shop["auto"].id)}).status_code == 302
    assert counts() == (0, 0, 0)
    anonymous = app.test_client()
    response = anonymous.get("/my/services")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_empty_states_and_the_sidebar(app, shop):
    web = signed_in(app, shop["customer"])
    page = web.get("/my/services").text
    assert "You have no services yet." in page
    assert '<a href="/my/services" aria-current="page">My services</a>' in page
    shop["auto"].archived = shop["manual"].archived = shop["yearly"].archived = True
    db.session.commit()
    assert "No tariff plan can be ordered at the moment." in web.get("/my/services/order").text


def test_the_list_runs_a_constant_number_of_queries(app, shop, count_queries):
    web = signed_in(app, shop["customer"])

    def measure():
        db.session.commit()
        with count_queries() as listing:
            assert web.get("/my/services").status_code == 200
        with count_queries() as order_form:
            assert web.get("/my/services/order").status_code == 200
        return listing.n, order_form.n

    services.order(shop["customer"], shop["auto"].id)
    small = measure()
    for i in range(12):
        tariff = make_tariff(f"More {i}", department=shop["desk"] if i % 2 else None)
        services.order(shop["customer"], tariff.id)
        services.order(shop["other"], tariff.id)
    assert measure() == small
