"""The support center from both sides, in both languages: a client opens a ticket to a visible department and
sees when to expect an answer; a member of that department sees it appear in the queue without reloading,
writes an internal note, inserts a canned reply and answers; the client reads the answer and never the note,
and the email with the answer arrives (a local aiosmtpd server), in the client's language."""
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, create_department, create_staff, log_in, query, shot, unique
from tests.factories import make_customer_account
from tests.mail import wait_until
from webapp.extensions import db
from webapp.models import CannedReply

pytestmark = pytest.mark.browser


def make_client(server, login, locale):
    def create():
        account = make_customer_account(login, name=f"Client {login}", email=f"{login}@client.example")
        account.locale = locale
        db.session.commit()
        return account.id
    return query(server, create)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_ticket_from_the_client_to_the_department_and_back(new_context, live_server, watch_page, smtp_server,
                                                          language):
    ru = language == "ru"
    department = unique("Helpdesk")
    department_id = create_department(live_server, department, rights=["support.tickets"], show_in_support=True,
                                      name_ru=f"Поддержка {department[-6:]}")
    agent = f"agent-{language}"
    create_staff(live_server, agent, department_ids=[department_id], name=f"Agent {language.upper()}")
    client_login = f"customer-{language}"
    make_client(live_server, client_login, language)

    def canned():
        db.session.add(CannedReply(title=f"Fixed {language}", department_id=department_id,
                                   body="Hello {client_name}, ticket {ticket_number} is solved. {my_name}"))
        db.session.commit()
    query(live_server, canned)

    staff_page = watch_page(new_context(base_url=live_server.url).new_page())
    log_in(staff_page, agent, PASSWORD)
    if ru:
        staff_page.get_by_role("button", name="RU").click()
    staff_page.goto("/support/tickets")
    expect(staff_page.locator("#queue-results")).to_be_visible()
    staff_page.get_by_label("Поиск запросов" if ru else "Search tickets").fill("draft")  # typed, not submitted

    client_page = watch_page(new_context(base_url=live_server.url).new_page())
    log_in(client_page, client_login, PASSWORD) if not ru else _log_in_ru(client_page, client_login)
    client_page.get_by_role("link", name="Запросы в поддержку" if ru else "Support tickets").click()
    client_page.get_by_role("link", name="Новый запрос" if ru else "New ticket").first.click()
    shown_name = f"Поддержка {department[-6:]}" if ru else department
    hours_box = client_page.locator(f"[data-department='{department_id}']")
    expect(hours_box).to_contain_text(shown_name)
    expect(hours_box).to_contain_text("Ответ ожидается до" if ru else "Expect an answer by")
    for width in (1366, 390):
        client_page.set_viewport_size({"width": width, "height": 900})
        shot(client_page, f"ticket-new-{language}-{width}")
        assert client_page.evaluate("document.documentElement.scrollWidth") <= width
    client_page.get_by_label("Отдел" if ru else "Department").select_option(label=shown_name)
    client_page.get_by_label("Тема" if ru else "Subject").fill(f"Mail is down {language}")
    client_page.get_by_label("Сообщение" if ru else "Message").fill("Since this morning no mail arrives.")
    client_page.get_by_label("Вложения" if ru else "Attachments").set_input_files(
        files=[{"name": "log.txt", "mimeType": "text/plain", "buffer": b"550 mailbox unavailable\n"}])
    client_page.get_by_role("button", name="Отправить" if ru else "Send", exact=True).click()
    expect(client_page.get_by_role("heading", name=f"Mail is down {language}")).to_be_visible()
    expect(client_page.get_by_role("link", name="log.txt")).to_be_visible()

    # The queue shows the ticket by itself; what was typed in the search box stays.
    row = staff_page.locator("#queue-results tr", has_text=f"Mail is down {language}")
    expect(row).to_be_visible(timeout=10_000)
    expect(staff_page.get_by_label("Поиск запросов" if ru else "Search tickets")).to_have_value("draft")
    for width in (1366, 390):
        staff_page.set_viewport_size({"width": width, "height": 900})
        shot(staff_page, f"queue-{language}-{width}")
        assert staff_page.evaluate("document.documentElement.scrollWidth") <= width
    staff_page.set_viewport_size({"width": 1366, "height": 900})
    row.get_by_role("link", name=f"Mail is down {language}").click()
    expect(staff_page.get_by_text("Since this morning no mail arrives.")).to_be_visible()
    box = staff_page.locator("#reply-form textarea")
    box.fill("Customer's MX record points to the old server.")
    staff_page.get_by_role("button", name="Внутренняя заметка" if ru else "Internal note").click()
    expect(staff_page.get_by_text("Внутренняя заметка добавлена." if ru else "Your internal note is added.")).to_be_visible()
    staff_page.locator("#reply-form textarea").fill("We fixed the MX record; mail arrives again.\n")
    staff_page.get_by_label("Шаблон ответа" if ru else "Canned reply").select_option(label=f"Fixed {language}")
    staff_page.get_by_role("button", name="Вставить" if ru else "Insert").click()
    expect(staff_page.locator("#reply-form textarea")).to_have_value(re.compile(
        rf"We fixed the MX record; mail arrives again\.\n.*Client {client_login}, ticket #\d+ is solved\. "
        rf"Agent {language.upper()}", re.S))
    staff_page.get_by_role("button", name="Ответить" if ru else "Reply", exact=True).click()
    expect(staff_page.get_by_text("Ответ отправлен клиенту." if ru else "Your reply is sent to the client.")).to_be_visible()
    for width in (1366, 390):
        staff_page.set_viewport_size({"width": width, "height": 900})
        shot(staff_page, f"ticket-staff-{language}-{width}")
        assert staff_page.evaluate("document.documentElement.scrollWidth") <= width

    # The answer arrives by email too, in the client's language, linking to the ticket.
    to_client = f"{client_login}@client.example"
    assert wait_until(lambda: any(m["To"] == to_client for m in smtp_server.messages))
    email = next(m for m in smtp_server.messages if m["To"] == to_client)
    assert email["Subject"].startswith("Ответ на ваш запрос" if ru else "Answer to your ticket")
    assert "We fixed the MX record" in email.get_body(("plain",)).get_content()
    assert "/my/tickets/" in email.get_body(("html",)).get_content()

    client_page.reload()
    expect(client_page.get_by_text("We fixed the MX record; mail arrives again.")).to_be_visible()
    expect(client_page.get_by_text("MX record points to the old server")).to_have_count(0)
    expect(client_page.get_by_text("Ждёт клиента" if ru else "Waiting for client").first).to_be_visible()
    for width in (1366, 390):
        client_page.set_viewport_size({"width": width, "height": 900})
        shot(client_page, f"ticket-client-{language}-{width}")
        assert client_page.evaluate("document.documentElement.scrollWidth") <= width

    # The client's list of tickets: the ticket with its new status, in the client's language.
    client_page.set_viewport_size({"width": 1366, "height": 900})
    client_page.goto("/my/tickets")
    listed = client_page.locator("tbody tr", has_text=f"Mail is down {language}")
    expect(listed.get_by_text("Ждёт клиента" if ru else "Waiting for client")).to_be_visible()
    for width in (1366, 390):
        client_page.set_viewport_size({"width": width, "height": 900})
        shot(client_page, f"my-tickets-{language}-{width}")
        assert client_page.evaluate("document.documentElement.scrollWidth") <= width


def _log_in_ru(page: Page, login: str) -> None:
    """The client's stored language is Russian: the area opens in Russian after logging in."""
    page.goto("/login")
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Выйти")).to_be_visible()
