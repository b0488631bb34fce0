"""The staff rights page: effective state with sources, locked inherited rights, individual toggles."""
import pytest
from sqlalchemy import select

from tests.conftest import login
from tests.factories import make_customer_account, make_department, make_staff
from webapp.extensions import db
from webapp.models import StaffRight
from webapp.rights.catalog import ALL_IDS
from webapp.rights.engine import compute


def individual(staff) -> set[str]:
    return set(db.session.scalars(select(StaffRight.function_id).where(StaffRight.account_id == staff.id)))


def toggle(client, staff, function_id, state):
    return client.post(f"/provider/staff/{staff.id}/rights/{function_id}", data={"state": state},
                       headers={"HX-Request": "true"})


def row(html: str, function_id: str) -> str:
    start = html.index(f'<tr id="row-{function_id.replace(".", "-")}"')
    return html[start:html.index("</tr>", start)]


@pytest.fixture
def john(app):
    sales = make_department("Sales", rights=["clients.view", "payments.view"])
    return make_staff("john", departments=[sales])


def test_page_shows_inherited_sources_apart_from_the_individual_switch(as_admin, john):
    page = as_admin.get(f"/provider/staff/{john.id}/rights")
    assert page.status_code == 200
    inherited = row(page.text, "clients.view")
    # Held through Sales (locked badge), and the individual grant has its own switch, off.
    assert 'class="badge badge-dept"' in inherited and "Sales" in inherited and 'class="lock"' in inherited
    assert 'aria-checked="false"' in inherited
    assert f'hx-post="/provider/staff/{john.id}/rights/clients.view"' in inherited
    free = row(page.text, "invoices.send")
    assert 'aria-checked="false"' in free and "Not held" in free
    assert f'hx-post="/provider/staff/{john.id}/rights/invoices.send"' in free


def test_grant_an_individual_right_in_place(as_admin, john):
    response = toggle(as_admin, john, "invoices.send", "on")
    assert response.status_code == 200 and "<html" not in response.text
    assert 'aria-checked="true"' in response.text and "Individual" in response.text
    assert individual(john) == {"invoices.send"}
    assert toggle(as_admin, john, "invoices.send", "on").status_code == 200
    assert individual(john) == {"invoices.send"}
    assert toggle(as_admin, john, "invoices.send", "off").status_code == 200
    assert individual(john) == set()


def test_the_individual_grant_of_an_inherited_function_can_be_added_and_removed(as_admin, john):
    """Only the individual layer changes: the inherited part stays, and the answer shows why it is held."""
    response = toggle(as_admin, john, "clients.view", "on")
    assert response.status_code == 200 and individual(john) == {"clients.view"}
    assert 'aria-checked="true"' in response.text and "Sales" in response.text and "Individual" in response.text
    response = toggle(as_admin, john, "clients.view", "off")
    assert response.status_code == 200 and individual(john) == set()
    assert 'aria-checked="false"' in response.text and "Sales" in response.text
    assert "clients.view" in compute(john).ids  # still inherited
    response = toggle(as_admin, john, "clients.view", "off")  # nothing individual left: still held, still 200
    assert response.status_code == 200 and "clients.view" in compute(john).ids


def test_full_access_rows_are_locked_with_the_full_access_badge(as_admin):
    boss = make_staff(full_access=True)
    page = as_admin.get(f"/provider/staff/{boss.id}/rights").text
    assert page.count("Full access</span>") == len(ALL_IDS) + 1  # every row, and the heading's badge
    assert toggle(as_admin, boss, "clients.view", "off").status_code == 200
    assert "clients.view" in compute(boss).ids


def test_nobody_changes_their_own_rights(client, admin):
    login(client, admin)
    page = client.get(f"/provider/staff/{admin.id}/rights").text
    assert "You cannot change your own rights." in page
    refused = toggle(client, admin, "settings.edit", "on")
    assert refused.status_code == 403 and "own rights" in refused.text
    editor = make_staff(rights=["staff.view", "rights.edit", "clients.view", "payments.view"])
    login(client, editor)
    assert toggle(client, editor, "payments.view", "on").status_code == 403
    assert individual(editor) == {"staff.view", "rights.edit", "clients.view", "payments.view"}


def test_cannot_grant_what_one_does_not_hold(client, john):
    login(client, make_staff(rights=["staff.view", "rights.edit", "invoices.view", "clients.view",
                                     "payments.view"]))
    assert toggle(client, john, "invoices.view", "on").status_code == 200
    refused = toggle(client, john, "invoices.send", "on")
    assert refused.status_code == 403 and "do not hold it yourself" in refused.text
    assert individual(john) == {"invoices.view"}


def test_cannot_manage_someone_more_privileged(client):
    target = make_staff(rights=["settings.edit"])
    login(client, make_staff(rights=["staff.view", "rights.edit", "clients.view"]))
    refused = toggle(client, target, "clients.view", "on")
    assert refused.status_code == 403 and target.name in refused.text and "“Global settings”" in refused.text
    assert individual(target) == {"settings.edit"}


def test_needs_staff_view_to_see_and_rights_edit_to_toggle(client, john):
    login(client, make_staff(rights=sorted(ALL_IDS - {"staff.view"})))
    assert client.get(f"/provider/staff/{john.id}/rights").status_code == 403
    login(client, make_staff(rights=sorted(ALL_IDS - {"rights.edit"})))
    assert client.get(f"/provider/staff/{john.id}/rights").status_code == 200
    assert toggle(client, john, "invoices.send", "on").status_code == 403
    assert individual(john) == set()


def test_missing_unknown_and_client_ids_are_404(as_admin, john):
    customer = make_customer_account()
    assert as_admin.get("/provider/staff/999/rights").status_code == 404
    assert as_admin.get(f"/provider/staff/{customer.id}/rights").status_code == 404
    assert toggle(as_admin, customer, "clients.view", "on").status_code == 404
    assert toggle(as_admin, john, "no.such", "on").status_code == 404
    assert toggle(as_admin, john, "clients.edit", "maybe").status_code == 400
    assert individual(john) == set() and individual(customer) == set()


def test_individual_grant_holds_after_the_department_drops_it(client, admin):
    sales = make_department("Sales", rights=["invoices.send"])
    john = make_staff("john", departments=[sales])
    login(client, admin)
    toggle(client, john, "invoices.send", "on")
    client.post(f"/provider/departments/{sales.id}/permissions/invoices.send", data={"state": "off"})
    page = client.get(f"/provider/staff/{john.id}/rights").text
    assert 'aria-checked="true"' in row(page, "invoices.send") and "Individual" in row(page, "invoices.send")
    assert "invoices.send" in compute(john).ids


def test_rights_page_queries_are_constant(as_admin, count_queries):
    departments = [make_department(rights=["clients.view"])]
    staff = make_staff(departments=departments)
    url = f"/provider/staff/{staff.id}/rights"
    with count_queries() as few:
        as_admin.get(url)
    more = [make_department(rights=["payments.view", "support.tickets"]) for _ in range(8)]
    staff.departments = departments + more
    db.session.commit()
    with count_queries() as many:
        as_admin.get(url)
    assert many.n == few.n, (few.statements, many.statements)
