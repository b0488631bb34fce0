"""Staff: create a member with a generated password and an avatar, see and extend their rights,
then log in as them and open exactly what those rights allow."""
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tests.browser.conftest import (
    ARTIFACTS,
    create_department,
    htmx_settled,
    log_in,
    log_in_as_admin,
    log_out,
    nav,
    query,
    shot,
)
from webapp.cli import SEED_DEPARTMENTS
from webapp.extensions import db
from webapp.models import Account, StaffRight
from webapp.rights.catalog import ALL_IDS

pytestmark = pytest.mark.browser

DEPARTMENT = "Support L2"  # the module has its own fresh database, so plain names do not collide
DEPARTMENT_RIGHTS = ("departments.view", "clients.view", "tasks.view", "support.tickets")
SALES = "Sales department"  # seeded
SALES_RIGHTS = dict((name, rights) for name, _ru, _shown, rights in SEED_DEPARTMENTS)[SALES]
LOGIN = "jdoe"


@pytest.fixture
def avatar_file(tmp_path):
    """A small PNG, as a staff member's photo would be."""
    path = tmp_path / "avatar.png"
    image = Image.new("RGB", (120, 120), (32, 96, 192))
    for x in range(30, 90):
        for y in range(30, 90):
            image.putpixel((x, y), (250, 200, 40))
    image.save(path, "PNG")
    return path


def switch(page: Page, label: str):
    return page.get_by_role("switch", name=label, exact=True)


def grant_switch(page: Page, label: str):
    """On the rights page the switch is the individual grant of a function."""
    return switch(page, f"Individual grant: {label}")


def row_of(page: Page, label: str):
    return page.get_by_role("row").filter(has=grant_switch(page, label))


def load_account(live_server, login: str) -> Account:
    return query(live_server, lambda: db.session.scalar(
        select(Account).options(selectinload(Account.departments)).where(Account.login_key == login)))


def test_staff_member_opens_exactly_what_the_rights_allow(page: Page, live_server, avatar_file):
    department, login = DEPARTMENT, LOGIN
    create_department(live_server, department, rights=DEPARTMENT_RIGHTS)
    inherited_ids = set(DEPARTMENT_RIGHTS) | set(SALES_RIGHTS)

    # The form: every field of the spec, a generated password and an avatar.
    log_in_as_admin(page)
    nav(page).get_by_role("link", name="Staff", exact=True).click()
    expect(page.get_by_role("heading", name="Staff", exact=True)).to_be_visible()
    page.get_by_role("link", name="Add staff member").click()
    page.get_by_label("Login").fill(login)
    page.get_by_label("Full name (English)").fill("John Doe")
    page.get_by_label("Full name (Русский)").fill("Джон Доу")
    password_input = page.get_by_label("Password", exact=True)
    expect(password_input).to_have_value("")
    page.get_by_role("button", name="Generate").click()
    expect(password_input).not_to_have_value("")
    password = password_input.input_value()
    assert len(password) >= 10
    expect(page.get_by_text("Generated password, copy it now:")).to_be_visible()
    expect(page.get_by_text(password, exact=True)).to_be_visible()
    page.get_by_label(department, exact=True).check()
    page.get_by_label(SALES, exact=True).check()
    page.get_by_label("Email").fill(f"{login}@example.com")
    page.get_by_label("Phone number").fill("+44 20 7946 0958")
    expect(page.get_by_label("Full access privileges")).not_to_be_checked()
    page.get_by_label("Avatar").set_input_files(avatar_file)
    shot(page, "staff-form")
    page.get_by_role("button", name="Add staff member").click()

    expect(page.get_by_text("Staff member John Doe created.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/provider/staff/\d+$"))
    account = load_account(live_server, login)
    assert account.check_password(password)
    assert sorted(d.name_en for d in account.departments) == [SALES, department]
    assert (account.name_en, account.name_ru, account.phone, account.full_access) == (
        "John Doe", "Джон Доу", "+442079460958", False)
    stored = query(live_server, lambda: db.session.scalar(select(Account.avatar).where(Account.id == account.id)))
    assert Image.open(io.BytesIO(stored)).size == (80, 80)

    # The list shows the new member, the avatar decoded by the browser.
    nav(page).get_by_role("link", name="Staff", exact=True).click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=login, exact=True))
    expect(row).to_contain_text("John Doe")
    expect(row).to_contain_text(department)
    avatar = row.locator("img.avatar")
    expect(avatar).to_be_visible()
    assert avatar.evaluate("img => img.complete && img.naturalWidth") == 80
    shot(page, "staff-list")

    # The rights page: inherited rights are locked badges naming the department; the switch is the
    # individual grant only, separate from what is inherited.
    page.goto(f"/provider/staff/{account.id}/rights")
    expect(page.get_by_role("heading", name="Rights: John Doe")).to_be_visible()
    page.evaluate("window.__marker = 42")
    expect(page.get_by_role("switch")).to_have_count(len(ALL_IDS))
    expect(page.locator('[role="switch"][aria-checked="true"]')).to_have_count(0)
    for function_label in ("View departments", "View clients", "View tasks", "Support tickets"):
        inherited = row_of(page, function_label).locator(".badge-dept").filter(has_text=department)
        expect(inherited).to_be_visible()
        expect(inherited).to_have_attribute("title", "Inherited: it cannot be removed here.")
        expect(inherited.locator("svg.lock")).to_have_count(1)
        expect(grant_switch(page, function_label)).to_have_attribute("aria-checked", "false")
    both = row_of(page, "View clients")  # granted by both departments: both are named
    expect(both.get_by_text(SALES, exact=True)).to_be_visible()
    expect(row_of(page, "View payments").get_by_text(department, exact=True)).to_have_count(0)
    expect(page.locator("tr[data-function] .badge-dept")).to_have_count(
        len(DEPARTMENT_RIGHTS) + len(SALES_RIGHTS))
    expect(page.locator("tr[data-function]:has(.badge-dept)")).to_have_count(len(inherited_ids))

    view_staff = grant_switch(page, "View staff")
    expect(view_staff).to_be_enabled()
    expect(view_staff).to_have_attribute("aria-checked", "false")
    expect(row_of(page, "View staff").get_by_text("Not held", exact=True)).to_be_visible()
    view_staff.click()
    expect(view_staff).to_have_attribute("aria-checked", "true")
    expect(row_of(page, "View staff").get_by_text("Individual", exact=True)).to_be_visible()
    expect(row_of(page, "View staff").get_by_text("Not held", exact=True)).to_have_count(0)
    expect(view_staff).to_be_enabled()  # an individual right can be taken back here
    assert page.evaluate("window.__marker") == 42, "the toggle reloaded the page"

    # An individual grant on top of an inherited right: taking it back leaves the inherited badge.
    htmx_settled(page)
    view_tasks = grant_switch(page, "View tasks")
    view_tasks.click()
    expect(view_tasks).to_have_attribute("aria-checked", "true")
    expect(row_of(page, "View tasks").get_by_text("Individual", exact=True)).to_be_visible()
    htmx_settled(page)
    view_tasks.click()
    expect(view_tasks).to_have_attribute("aria-checked", "false")
    expect(row_of(page, "View tasks").get_by_text("Individual", exact=True)).to_have_count(0)
    expect(row_of(page, "View tasks").get_by_text(department, exact=True)).to_be_visible()
    individual = query(live_server, lambda: set(db.session.scalars(
        select(StaffRight.function_id).where(StaffRight.account_id == account.id))))
    assert individual == {"staff.view"}
    htmx_settled(page)
    page.mouse.move(0, 0)
    shot(page, "staff-rights")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / "readme-staff-rights.png"))  # the viewport, for docs/screenshot.png

    # As the new member: the nav, the pages held and the pages refused.
    log_out(page)
    log_in(page, login, password)
    expect(page.get_by_role("heading", name="Welcome, John Doe")).to_be_visible()
    expect(nav(page).get_by_role("link")).to_have_text(
        ["Dashboard", "Tickets", "Canned replies", "Statistics", "Clients", "Tariff plans", "Services", "Tasks",
         "Payments", "Expenses", "Departments", "Staff"])
    expect(page.locator("[data-section]")).to_have_count(5)  # all but Settings

    response = page.goto("/provider/business-hours/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Access denied")).to_be_visible()
    expect(page.get_by_text("Edit departments")).to_be_visible()  # names the missing right
    response = page.goto("/provider/staff/new")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Access denied")).to_be_visible()

    nav(page).get_by_role("link", name="Departments", exact=True).click()
    expect(page.get_by_role("heading", name="Departments", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Add department")).to_have_count(0)
    page.get_by_role("row").filter(has_text=department).get_by_role("link", name="Permissions").click()
    expect(page.get_by_text("You can view these permissions but not change them.")).to_be_visible()
    expect(page.get_by_role("switch")).to_have_count(len(ALL_IDS))
    expect(page.locator('[role="switch"]:enabled')).to_have_count(0)
    expect(page.get_by_role("button", name="Grant all")).to_have_count(0)

    nav(page).get_by_role("link", name="Staff", exact=True).click()
    expect(page.get_by_role("link", name="Add staff member")).to_have_count(0)
    expect(page.get_by_role("link", name=login, exact=True)).to_be_visible()


def test_staff_form_errors_are_shown_at_their_fields(page: Page, live_server, tmp_path):
    not_an_image = tmp_path / "photo.png"
    not_an_image.write_bytes(b"this is not a picture")
    log_in_as_admin(page)
    page.goto("/provider/staff/new")
    page.get_by_label("Login").fill("admin")
    page.get_by_label("Full name (English)").fill("Second Admin")
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Phone number").fill("12345")
    page.get_by_label("Avatar").set_input_files(not_an_image)
    page.get_by_role("button", name="Add staff member").click()

    for field_id, message in [("login", "This login is already taken."),
                              ("password", "Enter a password, or generate one."),
                              ("email", "This is not a valid email address."),
                              ("avatar", "The file is not a PNG, JPEG or GIF image, or it is damaged.")]:
        expect(page.locator(f"#{field_id}-errors").get_by_text(message)).to_be_visible()
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Login: This login is already taken.")
    expect(summary).to_contain_text("Email: This is not a valid email address.")
    summary.get_by_role("link", name="Email").click()
    expect(page.get_by_label("Email", exact=True)).to_be_focused()
    for label in ("Login", "Email", "Phone number", "Avatar"):
        expect(page.get_by_label(label, exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Password", exact=True)).to_have_accessible_description(
        re.compile("Enter a password, or generate one"))
    expect(page.get_by_label("Full name (English)")).to_have_value("Second Admin")
    assert query(live_server, lambda: db.session.scalar(
        select(Account.id).where(Account.name_en == "Second Admin"))) is None
    shot(page, "staff-form-errors")
