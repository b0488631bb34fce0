"""Canned replies: the scoping rules (checked in the service), the 404s, the pages, placeholders, the picker."""
import html
import re

import pytest
from sqlalchemy import func, select

from tests.conftest import login
from tests.factories import make_customer_account, make_department, make_hours, make_staff
from webapp.errors import Refused
from webapp.extensions import db
from webapp.models import AuditEntry, CannedReply
from webapp.support import canned, service
from webapp.support.canned import Scope


def signed_in(app, account):
    client = app.test_client()
    assert login(client, account).status_code == 302
    return client


def reply_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(CannedReply))


def add(title, body="Hello {client_name}", department=None, owner=None) -> CannedReply:
    reply = CannedReply(title=title, body=body, department_id=department.id if department else None,
                        owner_id=owner.id if owner else None)
    db.session.add(reply)
    db.session.flush()
    return reply


@pytest.fixture
def desk(app):
    """Two departments; an agent in Helpdesk, a colleague there, a billing agent, a manager with the global
    settings right, a full-access supervisor, and a client with a ticket to Helpdesk."""
    hours = make_hours("Office", timezone="UTC")
    helpdesk = make_department("Helpdesk", hours=hours, show_in_support=True)
    billing = make_department("Billing", hours=hours, show_in_support=True)
    people = {
        "agent": make_staff("agent", name="Ann Agent", name_ru="Анна Агент", departments=[helpdesk],
                            rights=["support.tickets"]),
        "colleague": make_staff("colleague", departments=[helpdesk], rights=["support.tickets"]),
        "biller": make_staff("biller", departments=[billing], rights=["support.tickets"]),
        "manager": make_staff("manager", departments=[helpdesk], rights=["support.tickets", "settings.edit"]),
        "boss": make_staff("boss", full_access=True),
    }
    customer = make_customer_account("acme", name="Acme Ltd", name_ru="ООО Акме")
    ticket = service.open_ticket(customer, helpdesk.id, "Server down", "It does not answer.", [])
    db.session.commit()
    return {"helpdesk": helpdesk, "billing": billing, "customer": customer, "ticket": ticket, **people}


@pytest.fixture
def replies(desk):
    """One reply of each kind: for everyone, for each department, and personal ones of the agent and colleague."""
    made = {
        "everyone": add("Greeting for all", "Hello {client_name}, this is {my_name}."),
        "helpdesk": add("Restart advice", "Ticket {ticket_number}: please restart the server.",
                        department=desk["helpdesk"]),
        "billing": add("Invoice copy", "Your invoice is attached.", department=desk["billing"]),
        "mine": add("My sign-off", "Best, {my_name}", owner=desk["agent"]),
        "theirs": add("Colleague's secret", "Their own words.", owner=desk["colleague"]),
    }
    db.session.commit()
    return made


# The rules, called directly ------------------------------------------------------------------------

def test_who_may_manage_which_scope(desk):
    helpdesk, billing = Scope(department_id=desk["helpdesk"].id), Scope(department_id=desk["billing"].id)
    everyone, personal = Scope(), Scope(personal=True)
    assert canned.may_manage(desk["agent"], personal)
    assert canned.may_manage(desk["agent"], helpdesk)
    assert not canned.may_manage(desk["agent"], billing)
    assert not canned.may_manage(desk["agent"], everyone)
    assert canned.may_manage(desk["manager"], everyone)
    assert canned.may_manage(desk["boss"], billing) and canned.may_manage(desk["boss"], everyone)


def test_the_service_creates_what_the_rules_allow(desk):
    agent = desk["agent"]
    mine = canned.create_reply(agent, "Mine", "Hi {client_name}", Scope(personal=True))
    ours = canned.create_reply(agent, "Ours", "Hi", Scope(department_id=desk["helpdesk"].id))
    assert (mine.owner_id, mine.department_id) == (agent.id, None)
    assert (ours.owner_id, ours.department_id) == (None, desk["helpdesk"].id)
    company = canned.create_reply(desk["manager"], "For all", "Hi", Scope())
    assert (company.owner_id, company.department_id) == (None, None)
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "canned_reply.create")) == 3


@pytest.mark.parametrize("scope,status,message", [
    ("everyone", 403, "add canned replies for everyone"),
    ("billing", 403, "only for the departments you belong to"),
    ("unknown", 422, "from the list"),
])
def test_the_service_refuses_other_scopes(desk, scope, status, message):
    wanted = {"everyone": Scope(), "billing": Scope(department_id=desk["billing"].id),
              "unknown": Scope(department_id=99999)}[scope]
    with pytest.raises(Refused, match=message) as refused:
        canned.create_reply(desk["agent"], "T", "Text", wanted)
    assert refused.value.status == status
    db.session.rollback()
    assert reply_count() == 0


def test_the_service_refuses_unknown_placeholders_and_bad_sizes(desk):
    agent, personal = desk["agent"], Scope(personal=True)
    with pytest.raises(Refused, match=re.escape("Unknown placeholders: {client}, {Name}.")):
        canned.create_reply(agent, "T", "Dear {client}, {Name} here, {client}.", personal)
    for title, body in (("", "Text"), ("T", ""), ("x" * 121, "Text"), ("T", "x" * 5001)):
        with pytest.raises(Refused):
            canned.create_reply(agent, title, body, personal)
    db.session.rollback()
    assert reply_count() == 0


def test_editing_and_deleting_follow_the_same_rules(desk, replies):
    agent, manager = desk["agent"], desk["manager"]
    with pytest.raises(Refused):
        canned.update_reply(agent, replies["everyone"], "Changed", "Text", Scope())
    with pytest.raises(Refused):
        canned.delete_reply(agent, replies["everyone"])
    with pytest.raises(Refused):  # moving one's own reply where one may not write
        canned.update_reply(agent, replies["mine"], "Mine", "Text", Scope(department_id=desk["billing"].id))
    with pytest.raises(Refused):  # nobody manages another person's personal reply, full access included
        canned.delete_reply(desk["boss"], replies["theirs"])
    db.session.rollback()
    canned.update_reply(manager, db.session.get(CannedReply, replies["everyone"].id), "Welcome", "Hi", Scope())
    canned.update_reply(agent, db.session.get(CannedReply, replies["mine"].id), "Shared", "Hi",
                        Scope(department_id=desk["helpdesk"].id))
    db.session.commit()
    shared = db.session.get(CannedReply, replies["mine"].id)
    assert (shared.title, shared.owner_id, shared.department_id) == ("Shared", None, desk["helpdesk"].id)
    canned.delete_reply(desk["colleague"], shared)  # now a Helpdesk reply: any member manages it
    db.session.commit()
    assert reply_count() == 4


def test_visibility_in_the_query(desk, replies):
    def visible(person):
        rows = db.session.execute(canned.list_replies(person, canned.ReplyFilter())).all()
        return {row.title for row in rows}

    assert visible(desk["agent"]) == {"Greeting for all", "Restart advice", "My sign-off"}
    assert visible(desk["biller"]) == {"Greeting for all", "Invoice copy"}
    assert visible(desk["boss"]) == {"Greeting for all", "Restart advice", "Invoice copy"}
    with pytest.raises(Exception) as missing:
        canned.get_reply_or_404(desk["boss"], replies["theirs"].id)
    assert missing.value.code == 404


# Placeholders -------------------------------------------------------------------------------------

def test_unknown_placeholders_are_named_and_other_braces_are_text():
    assert canned.unknown_placeholders("Hi {client_name} {cilent_name} {x} {client_name}") == [
        "{cilent_name}", "{x}"]
    assert canned.unknown_placeholders('JSON {"a": 1}, {}, { }, {1}, a lone { brace }') == []
    assert canned.unknown_placeholders("{имя клиента}") == ["{имя клиента}"]


def test_placeholders_are_filled_in_the_client_language(desk):
    ticket, agent = desk["ticket"], desk["agent"]
    body = "Dear {client_name}, ticket {ticket_number}. {my_name} {other} {{client_name}}"
    values = canned.placeholder_values(ticket, agent)
    assert canned.fill(body, values) == (
        f"Dear Acme Ltd, ticket #{ticket.id}. Ann Agent {{other}} {{Acme Ltd}}")
    desk["customer"].locale = "ru"
    assert canned.fill(body, canned.placeholder_values(ticket, agent)).startswith(
        f"Dear ООО Акме, ticket #{ticket.id}. Анна Агент")
    assert canned.fill("{my_name}", canned.placeholder_values(ticket, desk["colleague"])) == "Colleague"


# Pages --------------------------------------------------------------------------------------------

def test_the_list_shows_what_the_person_can_use_with_actions_where_they_manage(app, desk, replies):
    page = signed_in(app, desk["agent"]).get("/support/replies").text
    for title in ("Greeting for all", "Restart advice", "My sign-off"):
        assert title in page
    assert "Invoice copy" not in page and "Colleague&#39;s secret" not in page and "Their own words" not in page
    assert f'/support/replies/{replies["mine"].id}/delete' in page
    assert f'/support/replies/{replies["helpdesk"].id}/delete' in page
    assert f'/support/replies/{replies["everyone"].id}' not in page  # seen, not managed: no links
    assert 'href="/support/replies" aria-current="page">Canned replies' in page
    manager_page = signed_in(app, desk["manager"]).get("/support/replies").text
    assert f'/support/replies/{replies["everyone"].id}/delete' in manager_page


def test_the_list_filters_by_scope_searches_and_pages(app, desk, replies):
    client = signed_in(app, desk["agent"])

    def titles(**args):
        page = client.get("/support/replies", query_string=args).text
        return set(re.findall(r'<tr data-reply="\d+">\s*<td class="wrap">(?:<a [^>]+>)?([^<]+)<', page))

    assert titles(scope="everyone") == {"Greeting for all"}
    assert titles(scope="personal") == {"My sign-off"}
    assert titles(scope=str(desk["helpdesk"].id)) == {"Restart advice"}
    assert titles(scope=str(desk["billing"].id)) == set()  # not theirs: nothing, not an error
    assert titles(q="RESTART") == {"Restart advice"}
    assert titles(scope="bogus") == {"Greeting for all", "Restart advice", "My sign-off"}
    assert "No canned reply matches these filters." in client.get("/support/replies?q=zzz").text
    for i in range(6):
        add(f"Zeta {i}", owner=desk["agent"])
    db.session.commit()
    first = client.get("/support/replies").text
    assert "Page 1 of 2" in first
    assert "Page 2 of 2" in client.get("/support/replies?page=2").text


def test_the_empty_state(app, desk):
    page = signed_in(app, desk["agent"]).get("/support/replies").text
    assert "No canned replies yet." in page and 'href="/support/replies/new"' in page


def test_add_edit_delete_through_the_pages(app, desk):
    client = signed_in(app, desk["agent"])
    form = client.get("/support/replies/new").text
    assert "{client_name}" in form and "{ticket_number}" in form and "{my_name}" in form
    assert '<option value="everyone"' not in form and "Global settings" in form
    assert f'<option value="{desk["helpdesk"].id}"' in form and f'<option value="{desk["billing"].id}"' not in form
    response = client.post("/support/replies/new", data={
        "title": " Restart ", "body": "Hi {client_name}", "scope": str(desk["helpdesk"].id)})
    assert response.status_code == 302 and response.location == "/support/replies"
    reply = db.session.scalar(select(CannedReply))
    assert (reply.title, reply.department_id, reply.owner_id) == ("Restart", desk["helpdesk"].id, None)
    assert "Canned reply “Restart” added." in client.get("/support/replies").text

    edit = client.get(f"/support/replies/{reply.id}").text
    assert 'value="Restart"' in edit and "Hi {client_name}" in edit
    response = client.post(f"/support/replies/{reply.id}", data={
        "title": "Restart please", "body": "Bye {my_name}", "scope": "personal"})
    assert response.status_code == 302
    reply = db.session.get(CannedReply, reply.id)
    assert (reply.title, reply.body, reply.owner_id, reply.department_id) == (
        "Restart please", "Bye {my_name}", desk["agent"].id, None)

    confirm = client.get(f"/support/replies/{reply.id}/delete")
    assert confirm.status_code == 200 and "Delete canned reply “Restart please”?" in confirm.text
    assert reply_count() == 1
    assert client.post(f"/support/replies/{reply.id}/delete").status_code == 302
    assert reply_count() == 0


def test_bad_input_is_explained_and_nothing_is_saved(app, desk):
    client = signed_in(app, desk["agent"])
    response = client.post("/support/replies/new", data={"title": "", "body": "", "scope": "personal"})
    assert response.status_code == 422
    assert "Enter a title." in response.text and "Write the text of the reply." in response.text
    response = client.post("/support/replies/new", data={
        "title": "T", "body": "Dear {client}, see {ticket}.", "scope": "personal"})
    assert response.status_code == 422
    assert html.escape("Unknown placeholders: {client}, {ticket}. Use only {client_name}, {ticket_number}, "
                       "{my_name}.") in response.text
    response = client.post("/support/replies/new", data={"title": "x" * 121, "body": "y" * 5001,
                                                          "scope": "personal"})
    assert response.status_code == 422 and response.text.count("At most") >= 2
    for forged in ("everyone", str(desk["billing"].id), "99999", "personal-ish"):
        response = client.post("/support/replies/new", data={"title": "T", "body": "B", "scope": forged})
        assert response.status_code == 422 and "from the list" in response.text, forged
    assert reply_count() == 0


@pytest.mark.parametrize("which,person", [("theirs", "agent"), ("theirs", "boss"), ("billing", "agent"),
                                          ("mine", "colleague"), ("helpdesk", "biller")])
def test_replies_out_of_reach_are_404_and_unchanged(app, desk, replies, which, person):
    client = signed_in(app, desk[person])
    reply_id = replies[which].id
    before = db.session.get(CannedReply, reply_id).title
    assert client.get(f"/support/replies/{reply_id}").status_code == 404
    assert client.post(f"/support/replies/{reply_id}", data={
        "title": "Hacked", "body": "Hacked", "scope": "personal"}).status_code == 404
    assert client.get(f"/support/replies/{reply_id}/delete").status_code == 404
    assert client.post(f"/support/replies/{reply_id}/delete").status_code == 404
    assert db.session.get(CannedReply, reply_id).title == before and reply_count() == 5


def test_a_reply_for_everyone_is_seen_but_not_changed_without_the_right(app, desk, replies):
    client = signed_in(app, desk["agent"])
    reply_id = replies["everyone"].id
    for method, url in (("GET", f"/support/replies/{reply_id}"), ("POST", f"/support/replies/{reply_id}"),
                        ("GET", f"/support/replies/{reply_id}/delete"),
                        ("POST", f"/support/replies/{reply_id}/delete")):
        response = client.open(url, method=method, data={"title": "Hacked", "body": "Hacked", "scope": "personal"})
        assert response.status_code == 403 and "Global settings" in response.text, (method, url)
    assert db.session.get(CannedReply, reply_id).title == "Greeting for all" and reply_count() == 5


# The picker on the ticket page --------------------------------------------------------------------

def picker_options(page: str) -> dict[str, str]:
    """Title → the filled text in data-text, from the ticket page's picker."""
    return {html.unescape(title): html.unescape(text) for text, title in
            re.findall(r'<option value="\d+" data-text="([^"]*)">([^<]+)</option>', page)}


def test_the_ticket_page_offers_only_usable_replies_filled_for_the_ticket(app, desk, replies):
    ticket = desk["ticket"]
    also_billing = make_staff("both", name="Bo Both", departments=[desk["helpdesk"], desk["billing"]],
                              rights=["support.tickets"])
    add("Both's own", "Regards, {my_name}", owner=also_billing)
    db.session.commit()
    page = signed_in(app, also_billing).get(f"/support/tickets/{ticket.id}").text
    assert picker_options(page) == {
        "Greeting for all": "Hello Acme Ltd, this is Bo Both.",
        "Restart advice": f"Ticket #{ticket.id}: please restart the server.",
        "Both's own": "Regards, Bo Both",
    }  # not Billing's (another department than the ticket's), not anybody else's personal ones
    assert 'data-insert-canned="#canned-reply" aria-controls="message"' in page
    assert 'id="message"' in page
    agent_page = signed_in(app, desk["agent"]).get(f"/support/tickets/{ticket.id}").text
    assert set(picker_options(agent_page)) == {"Greeting for all", "Restart advice", "My sign-off"}
    boss_page = signed_in(app, desk["boss"]).get(f"/support/tickets/{ticket.id}").text
    assert set(picker_options(boss_page)) == {"Greeting for all", "Restart advice"}


def test_the_ticket_page_names_in_the_client_language_and_escapes_the_text(app, desk):
    desk["customer"].locale = "ru"
    add("Quote", 'He said "<b>hi</b>" & left, {client_name}', owner=desk["agent"])
    db.session.commit()
    page = signed_in(app, desk["agent"]).get(f"/support/tickets/{desk['ticket'].id}").text
    assert "<b>hi</b>" not in page
    assert picker_options(page) == {"Quote": 'He said "<b>hi</b>" & left, ООО Акме'}


def test_no_picker_without_replies(app, desk):
    page = signed_in(app, desk["agent"]).get(f"/support/tickets/{desk['ticket'].id}").text
    assert 'id="canned-reply"' not in page


def test_the_navigation_entry(app, desk):
    client = signed_in(app, desk["agent"])
    page = client.get("/support/tickets").text
    assert page.index(">Tickets</a>") < page.index('href="/support/replies"')
    assert 'href="/support/tickets" aria-current="page"' in page
    assert 'href="/support/replies" aria-current="page"' not in page
    new = client.get("/support/replies/new").text
    assert 'href="/support/replies" aria-current="page"' in new
    assert 'href="/support/tickets" aria-current="page"' not in new
    ticket_page = client.get(f"/support/tickets/{desk['ticket'].id}").text
    assert ticket_page.count('aria-current="page"') == 1 and 'href="/support/tickets" aria-current' in ticket_page
    plain = signed_in(app, make_staff("nobody", departments=[desk["helpdesk"]]))
    db.session.commit()
    assert 'href="/support/replies"' not in plain.get("/").text
    assert plain.get("/support/replies").status_code == 403
