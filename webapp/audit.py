"""The audit trail: one entry per change, written in the same transaction as the change."""
from webapp.extensions import db
from webapp.models import Account, AuditEntry, BusinessHours, ClientGroup, Department


def _describe(target) -> str:
    if isinstance(target, str):  # a target that is not a record, e.g. "login:<the login tried>"
        return target
    if isinstance(target, Account):
        return f"account:{target.id}:{target.login}"
    if isinstance(target, Department):
        return f"department:{target.id}:{target.name_en}"
    if isinstance(target, BusinessHours):
        return f"business_hours:{target.id}:{target.name_en}"  # English whatever the actor's language
    if isinstance(target, ClientGroup):
        return f"client_group:{target.id}:{target.name_en}"
    return f"{type(target).__name__.lower()}:{getattr(target, 'id', '')}"


def record(actor: Account | None, action: str, target, detail: str | None = None,
           address: str | None = None) -> None:
    """One entry; `address` is the client's IP address, for logins and logouts."""
    db.session.add(AuditEntry(actor_id=actor.id if actor else None, action=action,
                              target=_describe(target)[:200], detail=detail,
                              address=address[:64] if address else None))
