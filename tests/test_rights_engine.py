"""Unit and property tests of the rights engine: effective = departments ∪ individual; full access = all."""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from tests.factories import make_department, make_staff
from webapp.errors import Refused
from webapp.extensions import db
from webapp.grants import individual_grants, set_department_function, set_staff_function
from webapp.models import DepartmentRight, StaffRight
from webapp.rights import CATALOG, SECTIONS, UnknownFunction, can, effective_rights, function, granted_rights
from webapp.rights.catalog import ALL_IDS
from webapp.rights.engine import compute

IDS = sorted(ALL_IDS)
rights_sets = st.sets(st.sampled_from(IDS), max_size=8)

REQUIRED = {
    "clients.view", "clients.edit", "services.view", "services.manage", "tariffs.view", "tariffs.edit",
    "payments.view", "payments.edit", "expenses.view", "expenses.edit", "invoices.view", "invoices.send",
    "reports.finance", "support.tickets", "tasks.view", "tasks.solve", "departments.view",
    "departments.edit", "staff.view", "staff.edit", "rights.edit", "settings.edit",
}


def test_catalog_holds_every_required_function_in_its_section():
    assert REQUIRED <= ALL_IDS
    sections = {s.id: {f.id for f in s.functions} for s in SECTIONS}
    assert {f for f in sections["clients"]} == {"clients.view", "clients.edit"}
    assert sections["services"] == {"services.view", "services.manage", "tariffs.view", "tariffs.edit",
                                    "tasks.view", "tasks.solve"}
    assert sections["finance"] == {"payments.view", "payments.edit", "expenses.view", "expenses.edit",
                                   "invoices.view", "invoices.send", "reports.finance"}
    assert sections["support"] == {"support.tickets"}
    assert sections["provider"] == {"departments.view", "departments.edit", "staff.view", "staff.edit",
                                    "rights.edit"}
    assert sections["settings"] == {"settings.edit"}
    assert len(IDS) == sum(len(s.functions) for s in SECTIONS)  # each id in one section only
    assert all(str(f.label) and str(f.description) for f in CATALOG.values())


def test_unknown_function_is_a_programming_error(app):
    with pytest.raises(UnknownFunction):
        function("no.such")
    staff = make_staff()
    with pytest.raises(UnknownFunction):
        can(staff, "no.such")


def test_new_department_and_staff_have_nothing(app):
    department = make_department()
    staff = make_staff(departments=[department])
    assert effective_rights(staff).ids == frozenset()


def test_sources_say_where_a_right_comes_from(app):
    sales = make_department("Sales", rights=["clients.view", "payments.view"])
    support = make_department("Support", rights=["clients.view", "support.tickets"])
    staff = make_staff(departments=[sales, support], rights=["invoices.send", "clients.view"])
    rights = compute(staff)
    assert rights.ids == {"clients.view", "payments.view", "support.tickets", "invoices.send"}
    assert rights.source("clients.view").department_ids == {sales.id, support.id}
    assert rights.source("clients.view").individual and rights.source("clients.view").inherited
    assert rights.source("invoices.send").individual and not rights.source("invoices.send").inherited
    assert rights.source("settings.edit").department_ids == set()


def test_full_access_covers_the_catalog_and_admin_has_it(app, admin):
    assert effective_rights(admin).ids == ALL_IDS
    assert all(effective_rights(admin).source(f).full_access for f in IDS)


def test_inactive_and_client_accounts_hold_nothing(app):
    department = make_department(rights=["clients.view"])
    inactive = make_staff(departments=[department], rights=["staff.view"], active=False)
    assert compute(inactive).ids == frozenset()
    assert granted_rights(inactive).ids == {"clients.view", "staff.view"}
    from tests.factories import make_customer_account

    client_account = make_customer_account(rights=["staff.view"], full_access=True)
    assert compute(client_account).ids == frozenset()


def test_grants_for_functions_that_left_the_catalog_are_ignored_and_kept(app):
    department = make_department(rights=["clients.view"])
    staff = make_staff(departments=[department])
    db.session.add(DepartmentRight(department_id=department.id, function_id="legacy.removed"))
    db.session.add(StaffRight(account_id=staff.id, function_id="another.gone"))
    db.session.flush()
    assert compute(staff).ids == {"clients.view"}
    assert db.session.scalar(select(StaffRight).where(StaffRight.function_id == "another.gone")) is not None


def test_rights_are_one_query_and_cached_per_request(app, count_queries):
    department = make_department(rights=["clients.view"])
    staff = make_staff(departments=[department], rights=["staff.view"])
    db.session.commit()
    assert staff.active  # loads the account, as the user loader does before any check
    with app.test_request_context("/"):
        with count_queries() as counter:
            for _ in range(5):
                assert can(staff, "clients.view") and can(staff, "staff.view")
                assert not can(staff, "settings.edit")
        assert counter.n == 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(department_rights=st.lists(rights_sets, min_size=0, max_size=3), individual=rights_sets,
       full_access=st.booleans())
def test_effective_is_the_union_of_departments_and_individual(app, department_rights, individual, full_access):
    departments = [make_department(rights=sorted(r)) for r in department_rights]
    staff = make_staff(departments=departments, rights=sorted(individual), full_access=full_access)
    expected = ALL_IDS if full_access else set(individual).union(*department_rights)
    assert compute(staff).ids == expected
    db.session.rollback()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(department_rights=rights_sets, individual=rights_sets,
       operations=st.lists(st.tuples(st.sampled_from(IDS), st.booleans()), max_size=12))
def test_individual_grants_are_a_layer_of_their_own(app, admin, department_rights, individual, operations):
    """Each operation sets only the individual grant; the inherited part is never removed on the person."""
    department = make_department(rights=sorted(department_rights))
    staff = make_staff(departments=[department], rights=sorted(individual))
    expected = set(individual)
    for function_id, on in operations:
        set_staff_function(admin, staff, function_id, on)
        (expected.add if on else expected.discard)(function_id)
        rights = compute(staff)
        assert individual_grants(staff) == expected
        assert rights.ids == set(department_rights) | expected
    db.session.rollback()


def test_individual_grant_outlives_the_department_dropping_it(app, admin):
    department = make_department(rights=[])
    staff = make_staff(departments=[department])
    set_staff_function(admin, staff, "invoices.send", True)
    set_department_function(admin, department, "invoices.send", True)
    assert compute(staff).source("invoices.send").department_ids == {department.id}
    set_department_function(admin, department, "invoices.send", False)
    rights = compute(staff)
    assert "invoices.send" in rights.ids and rights.source("invoices.send").individual


def test_toggles_set_a_state_and_are_idempotent(app, admin):
    department = make_department()
    assert set_department_function(admin, department, "clients.view", True) is True
    assert set_department_function(admin, department, "clients.view", True) is False
    assert set_department_function(admin, department, "clients.view", False) is True
    assert set_department_function(admin, department, "clients.view", False) is False


def test_delegation_refuses_what_the_actor_does_not_hold(app):
    department = make_department()
    actor = make_staff(rights=["rights.edit", "clients.view"])
    target = make_staff()
    set_department_function(actor, department, "clients.view", True)
    with pytest.raises(Refused):
        set_department_function(actor, department, "settings.edit", True)
    with pytest.raises(Refused):
        set_staff_function(actor, target, "settings.edit", True)
    with pytest.raises(Refused):
        set_staff_function(actor, actor, "clients.view", True)
    db.session.execute(delete(StaffRight).where(StaffRight.account_id == target.id))
    assert compute(target).ids == frozenset()
