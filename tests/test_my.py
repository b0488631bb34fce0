"""The client area: a client lands on /my; /my/profile changes password, language and time zone."""
from datetime import date

from sqlalchemy import func, select

from tests.conftest import login
from tests.factories import PASSWORD, make_customer_account
from webapp.extensions import db
from webapp.models import Account, AccountSession, AuditEntry

NEW_PASSWORD = "a-brand-new-password"


def fresh(account_id):
    db.session.expire_all()
    return db.session.get(Account, account_id)


def test_a_client_logs_in_and_lands_on_my(app, client):
    acme = make_customer_account("acme", name="Acme Ltd")
    db.session.commit()
    response = login(client, acme)
    assert response.status_code == 302 and response.location == "/my"
    page = client.get("/my").text
    assert "Welcome, Acme Ltd" in page and "acme@example.com" in page
    assert 'href="/my/profile"' in page and 'href="/my/tickets"' in page and 'href="/clients"' not in page


def test_the_home_shows_services_balance_open_tickets_and_unpaid_invoices(app, client, count_queries):
    from decimal import Decimal

    from tests.factories import make_department, make_service, make_tariff
    from webapp.finance.ledger import add_charge
    from webapp.models import Invoice, InvoiceStatus, Payment, PaymentMethod, PaymentStatus, ServiceStatus
    from webapp.support import service as support

    acme = make_customer_account("acme", name="Acme Ltd")
    other = make_customer_account("other")
    plan = make_tariff("Hosting S", price="7.50")
    mine = make_service(acme, plan)
    make_service(other, make_tariff("Theirs only"))
    add_charge(acme.id, "7.50", "Hosting S")
    db.session.add(Payment(client_id=acme.id, amount=Decimal("5.00"), method=PaymentMethod.card,
                           received_on=date(2026, 1, 1),
                           status=PaymentStatus.confirmed))
    db.session.add(Invoice(client_id=acme.id, status=InvoiceStatus.sent, year=2026, number=1, currency="EUR",
                           total=Decimal("7.50")))
    db.session.add(Invoice(client_id=other.id, status=InvoiceStatus.sent, year=2026, number=2, currency="EUR",
                           total=Decimal("99.00")))
    support.open_ticket(acme, make_department("Help", show_in_support=True).id, "Question", "x", [])
    db.session.commit()
    login(client, acme)
    page = client.get("/my").text
    assert "Hosting S" in page and "Theirs only" not in page and f'href="/my/services/{mine.id}"' in page
    assert "-€2.50" in page  # 5.00 paid less 7.50 charged
    assert "You have 1 open ticket." in page and "€7.50" in page and "€99.00" not in page
    with count_queries() as small:
        client.get("/my")
    for _ in range(8):
        make_service(acme, plan, status=ServiceStatus.suspended)
    db.session.commit()
    with count_queries() as large:
        assert "All my services" in client.get("/my").text
    assert small.n == large.n


def test_staff_opening_my_are_sent_to_the_console(as_admin):
    for path in ("/my", "/my/profile"):
        response = as_admin.get(path)
        assert response.status_code == 302 and response.location == "/"
    assert as_admin.post("/my/profile", data={"locale": "en", "timezone": "UTC"}).location == "/"


def test_anonymous_visitors_log_in_first(client):
    response = client.get("/my")
    assert response.status_code == 302 and response.location.startswith("/login?next=/my")


def test_the_client_changes_language_time_zone_and_password(app, client):
    acme = make_customer_account("acme")
    db.session.commit()
    elsewhere = app.test_client()
    login(elsewhere, acme)
    login(client, acme)
    page = client.get("/my/profile").text
    for label in ("Current password", "New password", "Language", "Time zone"):
        assert f">{label}</label>" in page, label
    response = client.post("/my/profile", data={"locale": "ru", "timezone": "Asia/Tokyo", "version": "1",
                                                "current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert response.status_code == 302
    account = fresh(acme.id)
    assert account.locale == "ru" and account.timezone == "Asia/Tokyo" and account.check_password(NEW_PASSWORD)
    page = client.get("/my")
    assert page.status_code == 200  # this session goes on
    assert "Профиль сохранён. Пароль изменён" in page.text  # the message in the language just chosen
    assert elsewhere.get("/my").status_code == 302  # the other one ended
    assert db.session.scalar(select(func.count()).select_from(AccountSession)
                             .where(AccountSession.account_id == acme.id)) == 1
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.actor_id == acme.id)))
    assert {"my.password", "my.language", "my.timezone"} <= actions


def test_wrong_current_password_or_bad_values_save_nothing(client):
    acme = make_customer_account("acme")
    db.session.commit()
    login(client, acme)
    for data, message in [
        ({"current_password": "wrong-password!", "new_password": NEW_PASSWORD}, "This is not your current password."),
        ({"current_password": "", "new_password": NEW_PASSWORD}, "Enter your current password"),
        ({"current_password": PASSWORD, "new_password": "short"}, "10 to 128"),
        ({"timezone": "Nowhere/Else"}, "Choose a time zone from the list."),
        ({"locale": "xx"}, "Choose one of the languages."),
    ]:
        response = client.post("/my/profile", data={"locale": "en", "timezone": "UTC", "version": "1", **data})
        assert response.status_code == 422 and message in response.text, data
    account = fresh(acme.id)
    assert account.check_password(PASSWORD) and account.timezone is None


def test_a_stale_profile_form_is_refused(client):
    acme = make_customer_account("acme")
    db.session.commit()
    login(client, acme)
    assert client.post("/my/profile", data={"locale": "ru", "timezone": "UTC", "version": "1"}).status_code == 302
    assert client.post("/my/profile", data={"locale": "en", "timezone": "UTC", "version": "1"}).status_code == 409


def test_unpaid_invoices_beyond_what_one_amount_holds_are_summed(app, client):
    """Two invoices at the largest amount: their sum exceeds Numeric(14, 2), and the home still answers
    (PostgreSQL refused the CAST with 'numeric field overflow')."""
    from webapp.models import Invoice, InvoiceStatus
    from webapp.money import MAX_AMOUNT

    acme = make_customer_account("acme", name="Acme Ltd")
    for number in (1, 2):
        db.session.add(Invoice(client_id=acme.id, status=InvoiceStatus.sent, year=2026, number=number,
                               currency="EUR", total=MAX_AMOUNT))
    db.session.commit()
    login(client, acme)
    response = client.get("/my")
    assert response.status_code == 200
    assert "€1,999,999,999,999.98" in response.text
