"""The language switch in the header: RU turns the interface Russian, EN turns it back."""
import pytest
from babel.messages.mofile import read_mo
from playwright.sync_api import Page, expect

from tests.browser.conftest import RU_CATALOG, log_in_as_admin, nav, shot

pytestmark = pytest.mark.browser


def russian(msgid: str) -> str:
    """The compiled Russian translation of msgid, or skip: the catalog is built separately."""
    if not RU_CATALOG.exists():
        pytest.skip(f"{RU_CATALOG.relative_to(RU_CATALOG.parents[3])} is missing: "
                    "run `flask translate compile` to check the Russian interface")
    with RU_CATALOG.open("rb") as handle:
        message = read_mo(handle).get(msgid)
    if message is None or not message.string:
        pytest.skip(f"the compiled Russian catalog has no translation of {msgid!r} yet")
    return message.string


def test_language_switch(page: Page):
    log_in_as_admin(page)
    page.get_by_role("link", name="Departments", exact=True).first.click()
    page.get_by_role("link", name="Permissions").first.click()
    expect(page.get_by_role("switch").first).to_be_visible()
    path = page.url

    page.get_by_role("button", name="RU", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("button", name="RU", exact=True)).to_have_attribute("aria-current", "true")
    assert page.url == path, "the switch should come back to the same page"
    shot(page, "permissions-ru")

    departments_ru = russian("Departments")
    expect(nav(page, russian("Main")).get_by_role("link", name=departments_ru, exact=True)).to_be_visible()
    expect(page.get_by_role("switch", name=russian("View clients"), exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=russian("Log out"))).to_be_visible()

    page.get_by_role("button", name="EN", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(nav(page).get_by_role("link", name="Departments", exact=True)).to_be_visible()
