"""Effective rights of an account and where each comes from: one query, cached on the request."""
from dataclasses import dataclass, field
from functools import cache

from flask import g, has_request_context
from sqlalchemy import bindparam, literal, select, union_all

from webapp.extensions import db
from webapp.models import Account, DepartmentRight, StaffRight, staff_departments
from webapp.rights.catalog import ALL_IDS, function


@dataclass
class Source:
    """Why a function is held: full access, individually, and/or through departments (their ids)."""

    full_access: bool = False
    individual: bool = False
    department_ids: set[int] = field(default_factory=set)

    @property
    def inherited(self) -> bool:
        return self.full_access or bool(self.department_ids)


class EffectiveRights:
    """The functions an account holds (`ids`: one query, for every guard) and, read only where a page shows it
    (the rights pages), where each comes from (`sources`: a second query, run when first asked)."""

    __slots__ = ("ids", "full_access", "_sources", "_account_id")

    def __init__(self, ids: frozenset[str], sources: dict[str, Source] | None = None, full_access: bool = False,
                 account_id: int | None = None):
        self.ids, self.full_access = ids, full_access
        self._sources, self._account_id = sources, account_id

    def __contains__(self, function_id: str) -> bool:
        function(function_id)  # raises for an id outside the catalog
        return function_id in self.ids

    @property
    def sources(self) -> dict[str, Source]:
        if self._sources is None:
            if self.full_access:
                self._sources = {fid: Source(full_access=True) for fid in ALL_IDS}
            else:
                self._sources = _sources(self._account_id) if self._account_id is not None else {}
        return self._sources

    def source(self, function_id: str) -> Source:
        return self.sources.get(function_id, Source())


NOTHING = EffectiveRights(frozenset(), {})


@cache
def _grants_statement():
    """Every stored grant reaching an account, with the department it comes through (None: individual)."""
    account_id = bindparam("account_id")
    from_departments = (
        select(DepartmentRight.function_id, DepartmentRight.department_id)
        .join(staff_departments, staff_departments.c.department_id == DepartmentRight.department_id)
        .where(staff_departments.c.account_id == account_id)
    )
    individual = select(StaffRight.function_id, literal(None).label("department_id")).where(
        StaffRight.account_id == account_id
    )
    return union_all(from_departments, individual)


@cache
def _ids_statement():
    """The functions reaching an account, each once (built once: every staff request runs it)."""
    grants = _grants_statement().subquery()
    return select(grants.c.function_id).distinct()


def _sources(account_id: int) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    for function_id, department_id in db.session.execute(_grants_statement(), {"account_id": account_id}):
        if function_id not in ALL_IDS:
            continue  # a stored grant for a function that left the catalog: ignored, kept
        source = sources.setdefault(function_id, Source())
        if department_id is None:
            source.individual = True
        else:
            source.department_ids.add(department_id)
    return sources


def compute(account: Account | None, *, ignore_active: bool = False) -> EffectiveRights:
    """Inactive or non-staff: nothing; full access: the catalog; else individual ∪ departments."""
    if account is None or not account.is_staff or not (account.active or ignore_active):
        return NOTHING
    if account.full_access:
        return EffectiveRights(ALL_IDS, full_access=True)
    held = db.session.connection().execute(_ids_statement(), {"account_id": account.id}).scalars()
    return EffectiveRights(ALL_IDS.intersection(held), account_id=account.id)  # a grant outside the catalog: kept, ignored


def _cached(account: Account | None, ignore_active: bool) -> EffectiveRights:
    if account is None or getattr(account, "id", None) is None:
        return NOTHING
    if not has_request_context():
        return compute(account, ignore_active=ignore_active)
    cache = g.setdefault("_effective_rights", {})
    key = (account.id, ignore_active or account.active)
    if key not in cache:
        cache[key] = compute(account, ignore_active=ignore_active)
    return cache[key]


def effective_rights(account: Account | None) -> EffectiveRights:
    """What the account may do now, computed once per request and account."""
    return _cached(account, False)


def granted_rights(account: Account | None) -> EffectiveRights:
    """What the account holds, as if it were active: for showing and protecting a disabled account."""
    return _cached(account, True)


def forget_rights(account_id: int | None = None) -> None:
    """Drop the request's cached answers after a change, so the rest of the request sees it."""
    if has_request_context() and "_effective_rights" in g:
        for key in [k for k in g._effective_rights if account_id is None or k[0] == account_id]:
            del g._effective_rights[key]


def can(account: Account | None, function_id: str) -> bool:
    """Whether the account holds the function now."""
    return function_id in effective_rights(account)
