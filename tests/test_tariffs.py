"""Tariff plans: the list and its filters, the form's rules (names, price, period, provisioning, department),
stale saves, archiving with its confirmation, and the rights on every route."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import login
from tests.factories import make_customer_account, make_department, make_service, make_staff, make_tariff
from webapp.extensions import db
from webapp.models import BillingPeriod, Provisioning, ServiceStatus, Tariff


def signed_in(app, account):
    client = app.test_client()
    assert login(client, account).status_code == 302
    return client


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def tariff_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Tariff))


def form(**values):
    data = {"name_en": "Hosting S", "name_ru": "Хостинг S", "price": "9.90", "period": "month",
            "provisioning": "automatic", "department_id": ""}
    data.update(values)
    return data


@pytest.fixture
def editor(app):
    return make_staff("editor", rights=["tariffs.view", "tariffs.edit"])


@pytest.fixture
def viewer(app):
    return make_staff("viewer", rights=["tariffs.view"])


def test_create_an_automatic_plan(app, editor):
    web = signed_in(app, editor)
    response = web.post("/tariffs/new", data=form(price="1 234,50", department_id="999"))
    assert response.status_code == 302
    tariff = db.session.scalar(select(Tariff).where(Tariff.name_en == "Hosting S"))
    assert tariff.price == Decimal("1234.50") and isinstance(tariff.price, Decimal)
    assert tariff.period is BillingPeriod.month and tariff.provisioning is Provisioning.automatic
    assert tariff.department_id is None  # ignored for an automatic plan
    assert tariff.name_ru == "Хостинг S" and not tariff.archived
    page = web.get("/tariffs").text
    assert "Hosting S" in page and "€1,234.50" in page and "per month" in page


def test_create_a_manual_plan_needs_a_department(app, editor):
    department = make_department("Provisioning desk")
    web = signed_in(app, editor)
    response = web.post("/tariffs/new", data=form(provisioning="manual"))
    assert response.status_code == 422
    assert "Choose the department that handles this manual plan." in response.text
    assert tariff_count() == 0
    response = web.post("/tariffs/new", data=form(provisioning="manual", department_id="424242"))
    assert response.status_code == 422 and "Choose one of the departments." in response.text
    response = web.post("/tariffs/new", data=form(provisioning="manual", department_id=str(department.id),
                                                  period="year"))
    assert response.status_code == 302
    tariff = db.session.scalar(select(Tariff))
    assert tariff.provisioning is Provisioning.manual and tariff.department_id == department.id
    assert tariff.period is BillingPeriod.year
    assert "Provisioning desk" in web.get("/tariffs").text


def test_the_form_has_the_labels_of_the_issue(app, editor):
    page = signed_in(app, editor).get("/tariffs/new").text
    for label in ("Name (English)", "Name (Русский)", "Price", "Billing period", "Provisioning", "Department"):
        assert f">{label}</label>" in page, label
    for option in ("Month", "Year", "Automatic", "Manual"):
        assert f">{option}</option>" in page, option


@pytest.mark.parametrize("price,message", [
    ("", "Enter the price."), ("0", "The price must be more than zero."), ("0.00", "The price must be more than zero."),
    ("-5", "The price must be more than zero."), ("abc", "Enter an amount such as 12.50."),
    ("1e3", "Enter an amount such as 12.50."), ("1.234", "Enter an amount such as 12.50."),
    ("NaN", "Enter an amount such as 12.50."), ("1234567890123", "Enter an amount such as 12.50."),
])
def test_bad_prices_are_refused(app, editor, price, message):
    response = signed_in(app, editor).post("/tariffs/new", data=form(price=price))
    assert response.status_code == 422 and message in response.text
    assert tariff_count() == 0


@pytest.mark.parametrize("values,message", [
    ({"name_en": ""}, "Enter the plan"),
    ({"name_en": "x" * 121}, "At most 120 characters."),
    ({"period": "week"}, "Choose month or year."),
    ({"provisioning": "magic"}, "Choose automatic or manual."),
    ({"name_en": "Evil\u202ename"}, "contains control characters"),
])
def test_bad_input_is_refused(app, editor, values, message):
    response = signed_in(app, editor).post("/tariffs/new", data=form(**values))
    assert response.status_code == 422 and message in response.text
    assert tariff_count() == 0


def test_names_are_unique_in_both_languages(app, editor):
    make_tariff("Hosting S", name_ru="Хостинг S")
    web = signed_in(app, editor)
    for values in ({"name_en": "HOSTING s"}, {"name_en": "Other", "name_ru": "хостинг s"}):
        response = web.post("/tariffs/new", data=form(**values))
        assert response.status_code == 422 and "A tariff plan with this name already exists." in response.text
    assert tariff_count() == 1


def test_edit_keeps_its_own_name_and_refuses_a_stale_save(app, editor):
    tariff = make_tariff("Hosting S")
    other = make_staff("other", rights=["tariffs.view", "tariffs.edit"], name="Olga Other")
    db.session.commit()
    mine, theirs = signed_in(app, editor), signed_in(app, other)
    page = mine.get(f"/tariffs/{tariff.id}").text
    assert 'value="10.00"' in page and 'name="version" type="hidden" value="1"' in page
    assert theirs.post(f"/tariffs/{tariff.id}", data=form(name_en="Hosting S", price="12", version="1")
                       ).status_code == 302
    assert fresh(Tariff, tariff.id).price == Decimal("12.00") and fresh(Tariff, tariff.id).version == 2
    response = mine.post(f"/tariffs/{tariff.id}", data=form(name_en="Hosting S", price="15", version="1"))
    assert response.status_code == 409 and "Olga Other changed this record" in response.text
    assert fresh(Tariff, tariff.id).price == Decimal("12.00")


def test_archive_needs_a_confirmation_and_hides_the_plan(app, editor):
    tariff = make_tariff("Old plan")
    customer = make_customer_account()
    make_service(customer, tariff)
    db.session.commit()
    web = signed_in(app, editor)
    page = web.get(f"/tariffs/{tariff.id}/archive")
    assert page.status_code == 200 and "Archive the tariff plan “Old plan”?" in page.text
    assert "1 service that is not closed is on this plan; it keeps running and renewing." in page.text
    assert not fresh(Tariff, tariff.id).archived  # the GET only asks
    assert web.post(f"/tariffs/{tariff.id}/archive", data={"version": "1"}).status_code == 302
    assert fresh(Tariff, tariff.id).archived
    assert ">Old plan</a>" not in web.get("/tariffs").text
    assert ">Old plan</a>" in web.get("/tariffs?show=archived").text
    assert ">Old plan</a>" in web.get("/tariffs?show=all").text
    assert web.post(f"/tariffs/{tariff.id}/unarchive", data={"version": "2"}).status_code == 302
    assert not fresh(Tariff, tariff.id).archived


def test_archive_from_a_stale_page_is_refused(app, editor):
    tariff = make_tariff("Plan")
    db.session.commit()
    response = signed_in(app, editor).post(f"/tariffs/{tariff.id}/archive", data={"version": "0"})
    assert response.status_code == 409 and not fresh(Tariff, tariff.id).archived


def test_list_active_first_search_and_pages(app, viewer):
    for i in range(7):
        make_tariff(f"Plan {i:02d}", name_ru=f"Тариф {i:02d}")
    make_tariff("Zeta archived", archived=True)
    db.session.commit()
    web = signed_in(app, viewer)
    page = web.get("/tariffs").text
    assert "Page 1 of 2" in page and "Plan 00" in page and "Plan 05" not in page
    assert "Add tariff plan" not in page  # no tariffs.edit
    assert "Plan 06" in web.get("/tariffs?page=2").text
    everything = web.get("/tariffs?show=all&page=2").text
    assert "Zeta archived" in everything and "Archived" in everything
    assert "Plan 03" in web.get("/tariffs?q=тариф 03").text and "Plan 04" not in web.get("/tariffs?q=03").text
    assert "No tariff plan matches" in web.get("/tariffs?q=nothing").text
    for bad in ("\x00", "%", "_", "'"):
        assert web.get("/tariffs", query_string={"q": bad, "show": bad, "page": bad}).status_code == 200


def test_a_viewer_sees_the_form_read_only(app, viewer):
    tariff = make_tariff("Plan")
    db.session.commit()
    web = signed_in(app, viewer)
    page = web.get(f"/tariffs/{tariff.id}").text
    assert "You can view this plan but not change it" in page and 'name="price"' not in page
    assert web.post(f"/tariffs/{tariff.id}", data=form(version="1")).status_code == 403
    assert web.get(f"/tariffs/{tariff.id}/archive").status_code == 403
    assert web.post(f"/tariffs/{tariff.id}/unarchive", data={"version": "1"}).status_code == 403
    assert fresh(Tariff, tariff.id).name_en == "Plan"


def test_empty_state(app, editor):
    page = signed_in(app, editor).get("/tariffs").text
    assert "There are no tariff plans yet." in page


def test_unknown_plans_are_404(app, editor):
    web = signed_in(app, editor)
    for url in ("/tariffs/999", "/tariffs/999/archive"):
        assert web.get(url).status_code == 404
    assert web.post("/tariffs/999/unarchive", data={"version": "1"}).status_code == 404


@pytest.mark.parametrize("rights,expected", [
    ((), 403), (("tariffs.edit",), 403), (("services.view",), 403), (("tariffs.view",), 200),
])
def test_every_route_by_right(app, rights, expected):
    tariff = make_tariff("Plan")
    person = make_staff(rights=list(rights))
    db.session.commit()
    web = signed_in(app, person)
    assert web.get("/tariffs").status_code == expected
    assert web.get(f"/tariffs/{tariff.id}").status_code == expected
    # Creating and archiving need both rights.
    assert web.get("/tariffs/new").status_code == 403
    assert web.post("/tariffs/new", data=form()).status_code == 403
    assert web.get(f"/tariffs/{tariff.id}/archive").status_code == 403
    assert tariff_count() == 1


def test_a_client_gets_403_everywhere(app):
    tariff = make_tariff("Plan")
    customer = make_customer_account()
    db.session.commit()
    web = signed_in(app, customer)
    for url in ("/tariffs", "/tariffs/new", f"/tariffs/{tariff.id}", f"/tariffs/{tariff.id}/archive"):
        assert web.get(url).status_code == 403, url
    for url in ("/tariffs/new", f"/tariffs/{tariff.id}", f"/tariffs/{tariff.id}/archive",
                f"/tariffs/{tariff.id}/unarchive"):
        assert web.post(url, data=form(version="1")).status_code == 403, url
    assert not fresh(Tariff, tariff.id).archived and tariff_count() == 1


def test_the_list_runs_a_constant_number_of_queries(app, viewer, count_queries):
    web = signed_in(app, viewer)
    department = make_department("Desk")
    customer = make_customer_account()

    def measure():
        db.session.commit()
        counts = []
        for url in ("/tariffs", "/tariffs?show=all", "/tariffs?q=plan"):
            with count_queries() as counter:
                assert web.get(url).status_code == 200
            counts.append(counter.n)
        return counts

    for i in range(2):
        make_service(customer, make_tariff(f"Plan a{i}", department=department if i % 2 else None))
    small = measure()
    for i in range(20):
        tariff = make_tariff(f"Plan b{i}", department=department if i % 2 else None, archived=i % 3 == 0)
        make_service(customer, tariff, status=ServiceStatus.active if i % 2 else ServiceStatus.closed)
    assert measure() == small


def test_a_department_that_provisions_plans_cannot_be_deleted(app, as_admin):
    department = make_department("Provisioning desk")
    tariff = make_tariff("Dedicated", department=department)
    db.session.commit()
    response = as_admin.post(f"/provider/departments/{department.id}/delete")
    assert response.status_code == 409 and "(“Dedicated”): give them another department first." in response.text
    assert fresh(Tariff, tariff.id).department_id == department.id
    tariff.provisioning, tariff.department_id = Provisioning.automatic, None
    db.session.commit()
    assert as_admin.post(f"/provider/departments/{department.id}/delete").status_code == 302
