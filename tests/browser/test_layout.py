"""Layout: no page scrolls sideways at 1366 px or 390 px, tables keep their actions in view with very long
logins, emails and names, and screenshots of the main pages in English and Russian for a look."""
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    PASSWORD,
    create_department,
    create_staff,
    log_in,
    log_in_as_admin,
    shot,
)
from webapp.models import AccountKind

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1366, 800), "phone": (390, 844)}
LONG_LOGIN = "a.very.long.login.without.any.spaces.at_all_" + "x" * 18  # 62 characters, the limit is 64
LONG_EMAIL = "someone.with.an.extraordinarily.long.address." + "y" * 60 + "@subdomain.example.com"
LONG_DEPARTMENT = "Interdepartmentalcoordinationandescalationmanagementgroup" + " of the northern region"


@pytest.fixture(scope="module")
def records(live_server):
    """A department and a staff member with names long enough to break a careless layout."""
    department_id = create_department(live_server, LONG_DEPARTMENT, rights=["clients.view"])
    staff_id = create_staff(live_server, LONG_LOGIN, department_ids=[department_id], email=LONG_EMAIL,
                            name="Maximiliana Alexandrovna Konstantinopolskaya-Vasilyevskaya")
    russian_admin = create_staff(live_server, "ru.admin", full_access=True, name="Russian Admin",
                                 name_ru="Администратор")
    client_id = create_staff(live_server, "client." + LONG_LOGIN[:50], email="client." + LONG_EMAIL,
                             name="Общество с ограниченной ответственностью «Очень длинное название»",
                             kind=AccountKind.client)
    return {"department": department_id, "staff": staff_id, "russian_admin": russian_admin, "client": client_id}


def pages(records) -> dict[str, str]:
    return {
        "dashboard": "/",
        "departments-list": "/provider/departments/",
        "department-form": f"/provider/departments/{records['department']}",
        "department-permissions": f"/provider/departments/{records['department']}/permissions",
        "department-delete": f"/provider/departments/{records['department']}/delete",
        "staff-list": "/provider/staff",
        "staff-new": "/provider/staff/new",
        "staff-form": f"/provider/staff/{records['staff']}",
        "staff-rights": f"/provider/staff/{records['staff']}/rights",
        "staff-delete": f"/provider/staff/{records['staff']}/delete",
        "hours-list": "/provider/business-hours/",
        "hours-new": "/provider/business-hours/new",
        "hours-form": "/provider/business-hours/1",
        "hours-holidays": "/provider/business-hours/1/holidays",
        "clients-list": "/clients",
        "clients-new": "/clients/new",
        "client-form": f"/clients/{records['client']}",
        "client-groups": "/clients/groups",
    }


def assert_fits(page: Page, where: str) -> None:
    """Nothing scrolls sideways: not the page, not a table's scroll box; row actions are within the viewport."""
    overflow = page.evaluate("""() => {
        const width = window.innerWidth;
        const page = document.documentElement.scrollWidth;
        const tables = [...document.querySelectorAll('.table-wrap')]
            .filter(box => box.scrollWidth > box.clientWidth + 1).map(box => box.querySelector('table').className);
        const actions = [...document.querySelectorAll('.row-actions a, .row-actions button, .section-actions button')]
            .filter(el => el.getClientRects().length && el.getBoundingClientRect().right > width + 0.5)
            .map(el => el.textContent.trim());
        return {width, page, tables, actions};
    }""")
    assert overflow["page"] <= overflow["width"], f"{where}: the page scrolls sideways ({overflow})"
    assert not overflow["tables"], f"{where}: a table scrolls sideways ({overflow})"
    assert not overflow["actions"], f"{where}: actions out of view ({overflow})"


@pytest.mark.parametrize("size", WIDTHS)
def test_no_page_scrolls_sideways(page: Page, records, size):
    width, height = WIDTHS[size]
    page.set_viewport_size({"width": width, "height": height})
    log_in_as_admin(page)
    for name, path in pages(records).items():
        response = page.goto(path)
        assert response.status == 200, path
        shot(page, f"layout-{name}-{size}")
        assert_fits(page, f"{name} at {width} px")

    # The long login and email wrap inside the staff list, and the row keeps its actions.
    page.goto("/provider/staff")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=LONG_LOGIN, exact=True))
    expect(row.get_by_role("link", name="Rights")).to_be_in_viewport()
    expect(row.get_by_text(LONG_EMAIL)).to_be_visible()

    # Filtering the permissions does not make the columns jump.
    page.goto(pages(records)["department-permissions"])
    widths = "() => [...document.querySelectorAll('#permission-table thead th')].map(th => th.offsetWidth)"
    before = page.evaluate(widths)
    page.get_by_placeholder("Filter functions…").fill("invoice")
    expect(page.locator('[role="switch"]:visible')).to_have_count(2)
    assert page.evaluate(widths) == before
    assert_fits(page, f"filtered permissions at {width} px")


@pytest.mark.parametrize("size", WIDTHS)
def test_the_narrow_navigation_is_a_compact_bar(page: Page, records, size):
    width, height = WIDTHS[size]
    page.set_viewport_size({"width": width, "height": height})
    log_in_as_admin(page)
    page.goto("/provider/departments/")
    box = page.get_by_role("navigation", name="Main", exact=True).bounding_box()
    if size == "phone":
        assert box["height"] <= 60, f"the navigation takes {box['height']} px of a phone's height"
    else:
        assert box["width"] <= 220
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_russian_pages(page: Page, records):
    """Screenshots of the main pages in Russian (longer words) at both widths, and no sideways scroll."""
    log_in(page, "ru.admin", PASSWORD)
    page.get_by_role("button", name="RU", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    for size, (width, height) in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        for name, path in pages(records).items():
            page.goto(path)
            shot(page, f"layout-{name}-{size}-ru")
            assert_fits(page, f"{name} in Russian at {width} px")
