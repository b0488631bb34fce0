"""Clients and client groups on the staff side: list, search, create, edit, groups, and the rules."""
import re

from sqlalchemy import func, select

from tests.conftest import login
from tests.factories import PASSWORD, make_customer_account, make_staff
from webapp.extensions import db
from webapp.models import Account, AccountKind, AccountSession, ClientGroup

NEW_PASSWORD = "a-new-client-password"


def client_form(**overrides):
    data = {"name": "Acme Hosting Ltd", "email": "Ops@Acme.Example", "login": "acme", "password": PASSWORD,
            "locale": "ru", "timezone": "Europe/Moscow", "client_group_id": "", "active": "y"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def clients_count():
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Account).where(Account.kind == AccountKind.client))


def by_login(login_name):
    db.session.expire_all()
    return db.session.scalar(select(Account).where(Account.login == login_name))


def test_the_form_has_the_labels_of_the_issue(as_admin):
    page = as_admin.get("/clients/new").text
    for field_id, label in [("name", "Name"), ("email", "Email"), ("login", "Login"), ("password", "Password"),
                            ("locale", "Language"), ("timezone", "Time zone"), ("client_group_id", "Client group"),
                            ("active", "Enabled")]:
        assert re.search(rf'<label[^>]*for="{field_id}"[^>]*>{label}</label>', page), label


def test_create_a_client_who_then_logs_in(app, as_admin):
    retail = ClientGroup(name_en="Retail", name_ru="Розница")
    db.session.add(retail)
    db.session.commit()
    response = as_admin.post("/clients/new", data=client_form(client_group_id=str(retail.id)))
    assert response.status_code == 302
    acme = by_login("acme")
    assert acme.kind is AccountKind.client and acme.email == "Ops@acme.example" and acme.locale == "ru"
    assert acme.timezone == "Europe/Moscow" and acme.client_group_id == retail.id and acme.active
    assert acme.check_password(PASSWORD) and not acme.full_access
    assert login(app.test_client(), "acme").status_code == 302
    page = as_admin.get("/clients").text
    assert ">acme</a>" in page and "Retail" in page


def test_bad_input_is_refused_and_saves_nothing(as_admin):
    make_staff("taken")
    db.session.commit()
    before = clients_count()
    for overrides, message in [
        ({"login": "TAKEN"}, "This login is already taken."),
        ({"login": " x "}, "2 to 64 characters"),
        ({"email": "not-an-email"}, "not a valid email address"),
        ({"password": ""}, "Enter a password"),
        ({"timezone": "Mars/Olympus"}, "Choose a time zone from the list."),
        ({"locale": "de"}, "Choose one of the languages."),
        ({"client_group_id": "999"}, "Choose one of the client groups."),
        ({"client_group_id": "١"}, "Choose one of the client groups."),
        ({"name": "Evil\u202ename"}, "contains control characters"),
    ]:
        response = as_admin.post("/clients/new", data=client_form(**overrides))
        assert response.status_code == 422 and message in response.text, overrides
    assert clients_count() == before


def test_logins_are_unique_across_staff_and_clients(as_admin):
    make_customer_account("shared")
    db.session.commit()
    response = as_admin.post("/provider/staff/new", data={
        "login": "Shared", "name_en": "Staff", "email": "s@example.com", "password": PASSWORD})
    assert response.status_code == 422 and "already taken" in response.text


def test_search_and_pagination(app, as_admin):
    for i in range(12):
        make_customer_account(f"pager{i:02d}", name=f"Pager Client {i}", email=f"p{i}@shop.example")
    make_customer_account("other", name="Другой клиент", email="other@else.example")
    db.session.commit()
    first = as_admin.get("/clients").text
    assert first.count("<tr") == 1 + app.config["CLIENTS_PER_PAGE"] and "Page 1 of 3" in first
    assert ">other</a>" in as_admin.get("/clients", query_string={"q": "ДРУГОЙ"}).text
    assert ">pager03</a>" in as_admin.get("/clients", query_string={"q": "p3@shop"}).text
    found = as_admin.get("/clients", query_string={"q": "pager", "page": 3}).text
    assert ">pager10</a>" in found and ">other</a>" not in found
    assert as_admin.get("/clients", query_string={"q": "pager", "page": 9}).status_code == 404
    assert "No client matches" in as_admin.get("/clients", query_string={"q": "nobody"}).text


def test_edit_disable_and_password_end_the_clients_sessions(app, as_admin):
    acme = make_customer_account("acme", name="Acme")
    db.session.commit()
    theirs = app.test_client()
    assert login(theirs, "acme").status_code == 302
    data = client_form(login="acme", name="Acme Renamed", password="", version=str(acme.version))
    assert as_admin.post(f"/clients/{acme.id}", data=data).status_code == 302
    assert by_login("acme").name_en == "Acme Renamed"
    assert db.session.scalar(select(func.count()).select_from(AccountSession)
                             .where(AccountSession.account_id == acme.id)) == 1
    response = as_admin.post(f"/clients/{acme.id}", data={**data, "version": str(by_login("acme").version),
                                                          "password": NEW_PASSWORD})
    assert response.status_code == 302 and by_login("acme").check_password(NEW_PASSWORD)
    assert db.session.scalar(select(func.count()).select_from(AccountSession)
                             .where(AccountSession.account_id == acme.id)) == 0
    stale = as_admin.post(f"/clients/{acme.id}", data={**data, "name": "Lost update"})
    assert stale.status_code == 409 and "Administrator changed this record" in stale.text
    data = {k: v for k, v in data.items() if k != "active"}
    assert as_admin.post(f"/clients/{acme.id}", data={**data, "version": str(by_login("acme").version)}).status_code == 302
    assert not by_login("acme").active
    assert login(app.test_client(), "acme", NEW_PASSWORD).status_code == 422


def test_staff_ids_are_404_on_client_urls_and_back(as_admin, admin):
    client = make_customer_account("acme")
    db.session.commit()
    assert as_admin.get(f"/clients/{admin.id}").status_code == 404
    assert as_admin.post(f"/clients/{admin.id}", data=client_form()).status_code == 404
    assert as_admin.get(f"/provider/staff/{client.id}").status_code == 404


def test_view_only_staff_sees_a_read_only_client(app, client):
    acme = make_customer_account("acme", name="Acme")
    viewer = make_staff("viewer", rights=["clients.view"])
    db.session.commit()
    login(client, viewer)
    page = client.get(f"/clients/{acme.id}").text
    assert 'class="readonly-value"' in page and 'name="login"' not in page and "Add client" not in page
    assert client.post(f"/clients/{acme.id}", data=client_form(name="Hacked")).status_code == 403
    assert by_login("acme").name_en == "Acme"


def test_a_client_account_gets_403_on_staff_pages(app):
    make_customer_account("acme")
    db.session.commit()
    theirs = app.test_client()
    login(theirs, "acme")
    for path in ("/clients", "/provider/staff", "/provider/departments/", "/profile",
                 "/provider/staff/1/avatar"):
        assert theirs.get(path).status_code == 403, path
    assert theirs.get("/").location == "/my"  # the site's root sends a client to the client area


def test_client_groups(as_admin):
    assert as_admin.post("/clients/groups", data={"name_en": "Retail", "name_ru": "Розница"}).status_code == 302
    for clash in ({"name_en": "RETAIL"}, {"name_en": "Other", "name_ru": "РОЗНИЦА"}):
        response = as_admin.post("/clients/groups", data=clash)
        assert response.status_code == 422 and "already exists" in response.text
    retail = db.session.scalar(select(ClientGroup).where(ClientGroup.name_en == "Retail"))
    acme = make_customer_account("acme")
    acme.client_group_id = retail.id
    db.session.commit()
    page = as_admin.get("/clients/groups").text
    assert "Retail" in page and '<td class="num" data-label="Clients">1</td>' in page
    assert as_admin.post(f"/clients/groups/{retail.id}", data={"name_en": "Retail shop", "name_ru": "",
                                                               "version": "1"}).status_code == 302
    group_id = retail.id
    confirm = as_admin.get(f"/clients/groups/{group_id}/delete").text
    assert "1 client is in this group; they stay, in no group." in confirm
    assert as_admin.post(f"/clients/groups/{group_id}/delete").status_code == 302
    assert by_login("acme").client_group_id is None and by_login("acme") is not None
    assert as_admin.get(f"/clients/groups/{group_id}").status_code == 404


def test_the_client_page_shows_each_invoice_in_its_own_currency(app, as_admin):
    """An invoice keeps the currency it was issued in, whatever the company's currency is now."""
    from decimal import Decimal

    from webapp.models import Invoice, InvoiceStatus

    customer = make_customer_account("dollars", name="Dollar Payer")
    db.session.add(Invoice(client_id=customer.id, status=InvoiceStatus.sent, year=2026, number=1, currency="USD",
                           total=Decimal("12.34")))
    db.session.commit()
    page = as_admin.get(f"/clients/{customer.id}").text
    assert "$12.34" in page and "€12.34" not in page
