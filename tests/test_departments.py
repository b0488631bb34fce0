"""Department pages and permission toggles: allowed, forbidden, anonymous, bad input, escalation."""
import re

import pytest
from sqlalchemy import func, select

from tests.conftest import login
from tests.factories import make_department, make_staff
from webapp.extensions import db
from webapp.models import AuditEntry, Department, DepartmentRight
from webapp.rights.catalog import ALL_IDS


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def rights_of(department) -> set[str]:
    return set(db.session.scalars(select(DepartmentRight.function_id)
                                  .where(DepartmentRight.department_id == department.id)))


def seeded(name) -> Department:
    return db.session.scalar(select(Department).where(Department.name_en == name))


def form(**overrides):
    data = {"name_en": "Billing", "name_ru": "Биллинг", "business_hours_id": "1", "task_locale": "ru",
            "show_in_support": "y", "version": "1"}
    data.update(overrides)
    return data


# The seed ---------------------------------------------------------------------------------------

def test_seeded_departments_and_rights(app):
    sales, support = seeded("Sales department"), seeded("Technical support")
    assert sales.name_ru == "Отдел продаж" and not sales.show_in_support
    assert support.name_ru == "Техническая поддержка" and support.show_in_support
    assert rights_of(support) == {"support.tickets", "services.view", "services.manage", "tariffs.view",
                                  "tariffs.edit", "tasks.view", "tasks.solve", "clients.view", "clients.edit"}
    assert {"clients.view", "services.view", "payments.view", "payments.edit", "expenses.view",
            "expenses.edit"} <= rights_of(sales)
    assert not {f for f in rights_of(sales) | rights_of(support) if f.startswith("invoices.")}
    assert sales.business_hours.name == "Weekdays 09:00–18:00"


def test_seed_is_idempotent(app):
    from webapp.cli import seed_defaults

    before = (count(Department), count(DepartmentRight))
    assert seed_defaults("another-password").created is False
    assert (count(Department), count(DepartmentRight)) == before


# Route × role matrix ----------------------------------------------------------------------------

PAGES = ["/provider/departments/", "/provider/departments/new", "/provider/departments/1",
         "/provider/departments/1/permissions", "/provider/departments/1/delete"]
NEEDS = {"/provider/departments/": "departments.view", "/provider/departments/new": "departments.edit",
         "/provider/departments/1": "departments.view", "/provider/departments/1/permissions": "departments.view",
         "/provider/departments/1/delete": "departments.edit"}


@pytest.mark.parametrize("url", PAGES)
def test_admin_opens_every_page(as_admin, url):
    assert as_admin.get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_pages_need_their_right(client, url):
    others = sorted(ALL_IDS - {NEEDS[url]} - ({"departments.view"} if "edit" in NEEDS[url] else set()))
    staff = make_staff(rights=others)
    login(client, staff)
    assert client.get(url).status_code == 403
    allowed = make_staff(rights=sorted({NEEDS[url], "departments.view"}))
    login(client, allowed)
    assert client.get(url).status_code == 200


def test_missing_department_is_404(as_admin):
    for url in ["/provider/departments/999", "/provider/departments/999/permissions",
                "/provider/departments/999/delete"]:
        assert as_admin.get(url).status_code == 404
    assert as_admin.post("/provider/departments/999/permissions/clients.view",
                         data={"state": "on"}).status_code == 404


def test_list_shows_localized_names_members_flag_and_hours(client, admin):
    make_staff(departments=[seeded("Technical support")])
    login(client, admin)
    page = client.get("/provider/departments/").text
    assert "Sales department" in page and "Technical support" in page
    assert "Mon–Fri 09:00–18:00" in page and "Shown" in page and "Hidden" in page
    client.post("/language", data={"lang": "ru"})
    page = client.get("/provider/departments/").text
    assert "Отдел продаж" in page and "Техническая поддержка" in page


def test_list_pages_with_constant_queries(app, as_admin, count_queries):
    app.config["DEPARTMENTS_PER_PAGE"] = 10
    for _ in range(3):
        make_department(rights=["clients.view"])
    with count_queries() as few:
        assert as_admin.get("/provider/departments/").status_code == 200
    for _ in range(30):
        make_staff(departments=[make_department(rights=["clients.view"])])
    with count_queries() as many:
        page = as_admin.get("/provider/departments/")
    assert page.status_code == 200 and 'rel="next"' in page.text
    assert many.n == few.n
    assert as_admin.get("/provider/departments/?page=4").status_code == 200
    assert as_admin.get("/provider/departments/?page=abc").status_code == 200


# Create, edit, delete ------------------------------------------------------------------------------

def test_form_labels_are_bound_to_inputs(as_admin):
    page = as_admin.get("/provider/departments/new").text
    for field_id, label in [("name_en", "Name (English)"), ("name_ru", "Name (Русский)"),
                            ("business_hours_id", "Business hours"), ("show_in_support", "Show in Support center"),
                            ("task_locale", "Task localization")]:
        assert f'for="{field_id}">{label}</label>' in page
        assert f'id="{field_id}"' in page


def test_create_department_has_no_rights(as_admin):
    response = as_admin.post("/provider/departments/new", data=form())
    department = db.session.scalar(select(Department).where(Department.name_en == "Billing"))
    assert response.status_code == 302
    assert response.location == f"/provider/departments/{department.id}/permissions"
    assert department.name_ru == "Биллинг" and department.show_in_support and department.task_locale == "ru"
    assert rights_of(department) == set()
    page = as_admin.get(response.location).text
    assert page.count('aria-checked="false"') == len(ALL_IDS) and 'aria-checked="true"' not in page
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "department.create"))


@pytest.mark.parametrize("overrides,message", [
    ({"name_en": ""}, "Name (English)</a>: Enter the department"),
    ({"name_en": "   "}, "Name (English)</a>: Enter the department"),
    ({"name_en": "x" * 121}, "Name (English)</a>: At most 120 characters."),
    ({"name_en": "sales DEPARTMENT"}, "Name (English)</a>: A department with this name already exists."),
    ({"name_ru": "я" * 121}, "Name (Русский)</a>: At most 120 characters."),
    ({"business_hours_id": "999"}, "Business hours</a>: Choose one of the schedules."),
    ({"business_hours_id": "abc"}, "Business hours</a>: "),
    ({"task_locale": "de"}, "Task localization</a>: Choose one of the languages."),
])
def test_bad_input_is_refused_and_saves_nothing(as_admin, overrides, message):
    before = count(Department)
    response = as_admin.post("/provider/departments/new", data=form(**overrides))
    assert response.status_code == 422
    assert message in response.text
    assert count(Department) == before


def test_edit_department(as_admin):
    support = seeded("Technical support")
    response = as_admin.post(f"/provider/departments/{support.id}",
                             data=form(name_en="Support", name_ru="", show_in_support=""))
    assert response.status_code == 302
    db.session.refresh(support)
    assert support.name_en == "Support" and support.name_ru is None and not support.show_in_support
    assert len(rights_of(support)) == 9  # editing the form leaves permissions alone


def test_edit_keeps_own_name_unique_check(as_admin):
    support = seeded("Technical support")
    assert as_admin.post(f"/provider/departments/{support.id}",
                         data=form(name_en="Technical Support")).status_code == 302


def test_viewer_without_edit_right_sees_read_only_form_and_cannot_post(client):
    support = seeded("Technical support")
    login(client, make_staff(rights=["departments.view"]))
    page = client.get(f"/provider/departments/{support.id}").text
    assert 'class="readonly-value"' in page and 'name="name_en"' not in page
    response = client.post(f"/provider/departments/{support.id}", data=form(name_en="Hacked"))
    assert response.status_code == 403
    db.session.refresh(support)
    assert support.name_en == "Technical support"


def test_delete_asks_first_then_deletes(client, admin):
    support = seeded("Technical support")
    member = make_staff(departments=[support])
    login(client, admin)
    confirm = client.get(f"/provider/departments/{support.id}/delete")
    assert confirm.status_code == 200 and member.login in confirm.text and "cannot be undone" in confirm.text
    assert count(Department) == 2
    assert client.post(f"/provider/departments/{support.id}/delete").status_code == 302
    assert count(Department) == 1
    assert db.session.get(type(member), member.id).departments == []


def test_delete_is_forbidden_without_right(client):
    login(client, make_staff(rights=["departments.view"]))
    assert client.post("/provider/departments/1/delete").status_code == 403
    assert count(Department) == 2


# Permission toggles ----------------------------------------------------------------------------------

def toggle(client, department, function_id, state, htmx=True):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/provider/departments/{department.id}/permissions/{function_id}",
                       data={"state": state}, headers=headers)


def test_toggle_sets_state_and_answers_the_row(as_admin):
    department = make_department()
    response = toggle(as_admin, department, "invoices.send", "on")
    assert response.status_code == 200
    assert response.text.strip().startswith('<tr id="row-invoices-send"')
    assert 'aria-checked="true"' in response.text and '"state": "off"' in response.text
    assert "<html" not in response.text and "HX-Request" in response.headers["Vary"]
    assert toggle(as_admin, department, "invoices.send", "on").status_code == 200  # idempotent, not a flip
    assert rights_of(department) == {"invoices.send"}
    assert toggle(as_admin, department, "invoices.send", "off").status_code == 200
    assert toggle(as_admin, department, "invoices.send", "off").status_code == 200
    assert rights_of(department) == set()


def test_page_toggles_carry_their_urls(as_admin):
    department = make_department()
    page = as_admin.get(f"/provider/departments/{department.id}/permissions").text
    for function_id in ALL_IDS:
        assert f'hx-post="/provider/departments/{department.id}/permissions/{function_id}"' in page


def test_toggle_without_htmx_redirects_back(as_admin):
    department = make_department()
    response = toggle(as_admin, department, "clients.view", "on", htmx=False)
    assert response.status_code == 302 and response.location.endswith("/permissions")


@pytest.mark.parametrize("state", ["", "flip", "ON", "1"])
def test_toggle_bad_state_is_400_and_changes_nothing(as_admin, state):
    department = make_department()
    assert toggle(as_admin, department, "clients.view", state).status_code == 400
    assert rights_of(department) == set()


def test_toggle_unknown_function_is_404(as_admin):
    department = make_department()
    assert toggle(as_admin, department, "no.such", "on").status_code == 404
    assert as_admin.post(f"/provider/departments/{department.id}/permissions/section/nope",
                         data={"state": "on"}).status_code == 404


def test_toggle_is_get_proof(as_admin):
    department = make_department()
    assert as_admin.get(f"/provider/departments/{department.id}/permissions/clients.view").status_code == 405


def test_section_grants_and_revokes_the_whole_section(as_admin):
    department = make_department()
    url = f"/provider/departments/{department.id}/permissions/section/finance"
    response = as_admin.post(url, data={"state": "on"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.text.strip().startswith("<tbody")
    assert rights_of(department) == {"payments.view", "payments.edit", "expenses.view", "expenses.edit",
                                     "invoices.view", "invoices.send", "reports.finance"}
    as_admin.post(url, data={"state": "off"}, headers={"HX-Request": "true"})
    assert rights_of(department) == set()


def test_toggle_needs_rights_edit(client):
    department = make_department()
    login(client, make_staff(rights=sorted(ALL_IDS - {"rights.edit"})))
    assert toggle(client, department, "clients.view", "on").status_code == 403
    assert rights_of(department) == set()
    page = client.get(f"/provider/departments/{department.id}/permissions").text
    assert "hx-post" not in page and "not change them" in page


def test_cannot_grant_a_right_one_does_not_hold(client):
    department = make_department()
    login(client, make_staff(rights=["departments.view", "rights.edit", "clients.view"]))
    assert toggle(client, department, "clients.view", "on").status_code == 200
    refused = toggle(client, department, "settings.edit", "on")
    assert refused.status_code == 403 and "do not hold it yourself" in refused.text
    section = client.post(f"/provider/departments/{department.id}/permissions/section/clients",
                          data={"state": "on"}, headers={"HX-Request": "true"})
    assert section.status_code == 403
    assert rights_of(department) == {"clients.view"}


def test_cannot_change_own_department(client):
    department = make_department(rights=["departments.view", "rights.edit", "clients.view"])
    login(client, make_staff(departments=[department], rights=["payments.view"]))
    refused = toggle(client, department, "payments.view", "on")
    assert refused.status_code == 403 and "your own department" in refused.text
    assert toggle(client, department, "clients.view", "off").status_code == 403
    assert rights_of(department) == {"departments.view", "rights.edit", "clients.view"}


def test_rights_change_applies_on_the_next_request(client, admin):
    department = make_department(rights=["departments.view"])
    staff = make_staff(departments=[department])
    staff_client = client.application.test_client()
    login(staff_client, staff)
    assert staff_client.get("/provider/departments/").status_code == 200
    login(client, admin)
    toggle(client, department, "departments.view", "off")
    assert staff_client.get("/provider/departments/").status_code == 403
    toggle(client, department, "departments.view", "on")
    assert staff_client.get("/provider/departments/").status_code == 200


def test_permissions_page_queries_are_constant(as_admin, count_queries):
    department = make_department(rights=["clients.view"])
    with count_queries() as few:
        as_admin.get(f"/provider/departments/{department.id}/permissions")
    for _ in range(20):
        make_staff(departments=[department])
    with count_queries() as many:
        as_admin.get(f"/provider/departments/{department.id}/permissions")
    assert many.n == few.n


def test_toggle_answer_updates_the_section_count_out_of_band(as_admin):
    department = make_department(rights=["clients.view"])
    response = toggle(as_admin, department, "clients.edit", "on")
    assert '<span class="badge" id="count-clients" hx-swap-oob="true">2 / 2</span>' in response.text
    page = as_admin.get(f"/provider/departments/{department.id}/permissions").text
    assert '<span class="badge" id="count-clients">2 / 2</span>' in page and "hx-swap-oob" not in page


def test_support_center_settings_client_groups_and_response_target(as_admin):
    from webapp.models import ClientGroup

    retail, business = ClientGroup(name_en="Retail"), ClientGroup(name_en="Business")
    db.session.add_all([retail, business])
    db.session.commit()
    page = as_admin.get("/provider/departments/new").text
    assert re.search(r'<label[^>]*for="response_target_hours"[^>]*>Response target \(business hours\)</label>', page)
    assert 'value="4"' in page and "<legend>Visible to client groups</legend>" in page
    assert "None ticked: every client sees the department." in page
    response = as_admin.post("/provider/departments/new", data=form(
        name_en="Business desk", response_target_hours="8", client_group_ids=[str(business.id)]))
    assert response.status_code == 302
    desk = db.session.scalar(select(Department).where(Department.name_en == "Business desk"))
    assert desk.response_target_hours == 8 and [g.name_en for g in desk.client_groups] == ["Business"]
    response = as_admin.post(f"/provider/departments/{desk.id}", data=form(
        name_en="Business desk", response_target_hours="", version=str(desk.version)))
    assert response.status_code == 302
    db.session.expire_all()
    desk = db.session.get(Department, desk.id)
    assert desk.response_target_hours == 4 and desk.client_groups == []  # empty: the default; none: everyone
    for bad, message in [({"response_target_hours": "0"}, "Between 1 and 720"),
                         ({"response_target_hours": "x"}, "Response target (business hours)</a>"),
                         ({"client_group_ids": ["999"]}, "Visible to client groups</a>")]:
        response = as_admin.post("/provider/departments/new", data=form(name_en="Bad desk", **bad))
        assert response.status_code == 422 and message in response.text, bad


def test_a_department_without_open_hours_is_not_shown_in_the_support_center(as_admin):
    from tests.factories import make_hours

    closed = make_hours("Never open", open_days=())
    db.session.commit()
    response = as_admin.post("/provider/departments/new", data=form(
        name_en="Ghost desk", business_hours_id=str(closed.id), show_in_support="y"))
    assert response.status_code == 422 and "have no open hours at all" in response.text
    response = as_admin.post("/provider/departments/new", data={
        **form(name_en="Back office", business_hours_id=str(closed.id)), "show_in_support": ""})
    assert response.status_code == 302
