"""Canned replies: prepared answers for everyone, for one department, or for one person, with placeholders.

Who sees what (the scope is in every query, so a forged id finds nothing and answers 404):
- replies for everyone: every staff member with support tickets;
- a department's replies: its members (full access: every department's);
- personal replies: their owner only, whoever else asks (full access included).

Who manages (adds, edits, deletes) what: personal replies, their owner; a department's, its members (full
access: any department); replies for everyone, those who also hold “Global settings” (settings.edit), since
they speak for the whole company. A reply one sees but may not manage is refused with 403.
"""
import re
from dataclasses import dataclass

from flask import abort
from sqlalchemy import and_, false, or_, select

from webapp.audit import record
from webapp.errors import Refused
from webapp.extensions import db
from webapp.i18n import gettext as _
from webapp.i18n import lazy_gettext as _l
from webapp.models import Account, CannedReply, Department, Ticket
from webapp.rights import can, function
from webapp.support.service import staff_department_ids

TITLE_MAX = 120
BODY_MAX = 5000
EVERYONE_RIGHT = "settings.edit"

# The tokens stay as they are in every language; their explanations are translated.
PLACEHOLDERS = {
    "client_name": _l("the client's name"),
    "ticket_number": _l("the ticket's number, such as #12"),
    "my_name": _l("your own name, as the client sees it"),
}
# Anything that looks like a placeholder: a word (letters, digits, _ - . or spaces) between single braces.
# `{"a": 1}` or a lone brace is ordinary text.
PLACEHOLDER_SHAPE = re.compile(r"\{([^\W\d][\w .-]{0,39})\}")


# The scope ----------------------------------------------------------------------------------------

EVERYONE = "everyone"
PERSONAL = "personal"


@dataclass(frozen=True)
class Scope:
    """Whom a reply is for: everyone, one department (its id), or its owner only."""

    department_id: int | None = None
    personal: bool = False

    @property
    def value(self) -> str:
        """The scope as a form value: "everyone", "personal", or the department's id."""
        if self.personal:
            return PERSONAL
        return EVERYONE if self.department_id is None else str(self.department_id)

    @classmethod
    def of(cls, reply: CannedReply) -> "Scope":
        return cls(department_id=reply.department_id, personal=reply.owner_id is not None)

    @classmethod
    def parse(cls, value: str | None) -> "Scope | None":
        """The scope a form or a filter names; None for anything else."""
        if value == EVERYONE:
            return cls()
        if value == PERSONAL:
            return cls(personal=True)
        if value and value.isascii() and value.isdigit() and len(value) < 10:
            return cls(department_id=int(value))
        return None


def _visible(staff: Account):
    """The replies the staff member sees: everyone's, their departments' (full access: all), their own."""
    ids = staff_department_ids(staff)
    everyone = and_(CannedReply.department_id.is_(None), CannedReply.owner_id.is_(None))
    own = CannedReply.owner_id == staff.id
    if ids is None:
        departments = and_(CannedReply.department_id.is_not(None), CannedReply.owner_id.is_(None))
    else:
        departments = CannedReply.department_id.in_(ids) if ids else false()
    return or_(everyone, departments, own)


def may_manage(staff: Account, scope: Scope) -> bool:
    """Whether the staff member may add replies with this scope, or change and delete those that have it."""
    if scope.personal:
        return True
    if scope.department_id is None:
        return can(staff, EVERYONE_RIGHT)
    ids = staff_department_ids(staff)
    return ids is None or scope.department_id in ids


def manages(staff: Account, reply: CannedReply) -> bool:
    if reply.owner_id is not None:
        return reply.owner_id == staff.id
    return may_manage(staff, Scope.of(reply))


def get_reply_or_404(staff: Account, reply_id: int) -> CannedReply:
    """A reply the staff member sees; another person's personal reply, or another department's, is a 404."""
    reply = db.session.scalar(select(CannedReply).where(CannedReply.id == reply_id, _visible(staff)))
    if reply is None:
        abort(404, _("There is no such canned reply."))
    return reply


def get_managed_reply_or_404(staff: Account, reply_id: int) -> CannedReply:
    """A reply the staff member may change: 404 if they do not see it, 403 if they see it only."""
    reply = get_reply_or_404(staff, reply_id)
    if not manages(staff, reply):
        raise Refused(_("Only those with the right “%(right)s” change canned replies for everyone.",
                        right=function(EVERYONE_RIGHT).label), 403)
    return reply


def scope_choices(staff: Account) -> list[tuple[str, str]]:
    """The “Available to” options the staff member may choose: everyone (with the right), each department
    they belong to (full access: every department), only me."""
    choices = []
    if may_manage(staff, Scope()):
        choices.append((EVERYONE, _("Everyone")))
    choices += [(str(d.id), d.name) for d in department_options(staff)]
    choices.append((PERSONAL, _("Only me")))
    return choices


def department_options(staff: Account) -> list[Department]:
    """The departments whose replies the staff member sees and manages (full access: all)."""
    ids = staff_department_ids(staff)
    statement = select(Department)
    if ids is not None:
        statement = statement.where(Department.id.in_(ids)) if ids else statement.where(false())
    return sorted(db.session.scalars(statement), key=lambda d: d.name.casefold())


# Lists --------------------------------------------------------------------------------------------

@dataclass
class ReplyFilter:
    scope: Scope | None = None  # None: every reply the person sees
    q: str = ""

    @property
    def active(self) -> bool:
        return self.scope is not None or bool(self.q)

    def args(self) -> dict:
        args = {}
        if self.scope is not None:
            args["scope"] = self.scope.value
        if self.q:
            args["q"] = self.q
        return args


LIST_COLUMNS = (CannedReply.id, CannedReply.title, CannedReply.body, CannedReply.department_id,
                CannedReply.owner_id, Department.name_en.label("department_en"),
                Department.name_ru.label("department_ru"))


def list_replies(staff: Account, wanted: ReplyFilter):
    """The replies the staff member sees, as plain rows, by title."""
    statement = (select(*LIST_COLUMNS).outerjoin(Department, Department.id == CannedReply.department_id)
                 .where(_visible(staff)))
    scope = wanted.scope
    if scope is not None:
        if scope.personal:
            statement = statement.where(CannedReply.owner_id == staff.id)
        elif scope.department_id is None:
            statement = statement.where(CannedReply.department_id.is_(None), CannedReply.owner_id.is_(None))
        else:
            statement = statement.where(CannedReply.department_id == scope.department_id,
                                        CannedReply.owner_id.is_(None))
    if wanted.q:
        # LIKE: case-insensitive for Latin letters on SQLite, for every script on PostgreSQL (ILIKE).
        statement = statement.where(CannedReply.title.icontains(wanted.q, autoescape=True))
    return statement.order_by(CannedReply.title, CannedReply.id)


def usable_on(staff: Account, ticket: Ticket) -> list[CannedReply]:
    """The replies the staff member may use on the ticket: everyone's, its department's, their own; by title."""
    everyone = and_(CannedReply.department_id.is_(None), CannedReply.owner_id.is_(None))
    department = and_(CannedReply.department_id == ticket.department_id, CannedReply.owner_id.is_(None))
    statement = (select(CannedReply).where(or_(everyone, department, CannedReply.owner_id == staff.id))
                 .order_by(CannedReply.title, CannedReply.id))
    return list(db.session.scalars(statement))


# Placeholders -------------------------------------------------------------------------------------

def unknown_placeholders(body: str) -> list[str]:
    """The `{...}` words in the text that are not placeholders, each once, in the order written."""
    found = []
    for match in PLACEHOLDER_SHAPE.finditer(body or ""):
        token = match.group(0)
        if match.group(1) not in PLACEHOLDERS and token not in found:
            found.append(token)
    return found


def _in_language(en: str, ru: str | None, language: str | None) -> str:
    return ru if language == "ru" and ru else en


def placeholder_values(ticket: Ticket, staff: Account) -> dict[str, str]:
    """What each placeholder stands for on this ticket: the names as the client reads them (in the client's
    language), the number as “#12”."""
    client = ticket.client
    return {"client_name": _in_language(client.name_en, client.name_ru, client.locale),
            "ticket_number": ticket.number,
            "my_name": _in_language(staff.name_en, staff.name_ru, client.locale)}


def fill(body: str, values: dict[str, str]) -> str:
    """The text with its placeholders replaced; anything else between braces is left as written."""
    return PLACEHOLDER_SHAPE.sub(lambda m: values.get(m.group(1), m.group(0)), body)


# Changes ------------------------------------------------------------------------------------------

def _check(staff: Account, title: str, body: str, scope: Scope) -> None:
    if scope.department_id is not None and db.session.get(Department, scope.department_id) is None:
        raise Refused(_("Choose whom the reply is available to from the list."), 422)
    if not may_manage(staff, scope):
        if scope.department_id is None:
            raise Refused(_("Only those with the right “%(right)s” add canned replies for everyone.",
                            right=function(EVERYONE_RIGHT).label), 403)
        raise Refused(_("You can add canned replies only for the departments you belong to."), 403)
    if not title or len(title) > TITLE_MAX or not body or len(body) > BODY_MAX:
        raise Refused(_("A canned reply needs a title and a text."), 422)
    unknown = unknown_placeholders(body)
    if unknown:
        raise Refused(unknown_message(unknown), 422)


def unknown_message(unknown: list[str]) -> str:
    return _("Unknown placeholders: %(unknown)s. Use only %(known)s.", unknown=", ".join(unknown),
             known=", ".join(f"{{{name}}}" for name in PLACEHOLDERS))


def _apply(reply: CannedReply, staff: Account, title: str, body: str, scope: Scope) -> None:
    reply.title = title
    reply.body = body
    reply.department_id = None if scope.personal else scope.department_id
    reply.owner_id = staff.id if scope.personal else None


def create_reply(staff: Account, title: str, body: str, scope: Scope) -> CannedReply:
    _check(staff, title, body, scope)
    reply = CannedReply()
    _apply(reply, staff, title, body, scope)
    db.session.add(reply)
    db.session.flush()
    record(staff, "canned_reply.create", f"canned_reply:{reply.id}", f"{scope.value}: {title}"[:500])
    return reply


def update_reply(staff: Account, reply: CannedReply, title: str, body: str, scope: Scope) -> None:
    """Change a reply the staff member manages; its new scope must be one they manage too. A personal reply
    made available to others stops being theirs alone."""
    if not manages(staff, reply):
        raise Refused(_("You may not change this canned reply."), 403)
    _check(staff, title, body, scope)
    _apply(reply, staff, title, body, scope)
    db.session.flush()
    record(staff, "canned_reply.update", f"canned_reply:{reply.id}", f"{scope.value}: {title}"[:500])


def delete_reply(staff: Account, reply: CannedReply) -> None:
    if not manages(staff, reply):
        raise Refused(_("You may not delete this canned reply."), 403)
    record(staff, "canned_reply.delete", f"canned_reply:{reply.id}", reply.title)
    db.session.delete(reply)
    db.session.flush()


# The picker on a ticket's page --------------------------------------------------------------------

@dataclass
class PickerGroup:
    """Replies of one scope, each as (id, title, text filled for the ticket)."""

    label: str
    replies: list[tuple[int, str, str]]


def picker(staff: Account, ticket: Ticket) -> list[PickerGroup]:
    """The replies usable on the ticket, grouped: the viewer's own, the ticket's department's, everyone's;
    their texts already filled for this ticket. Groups without replies are left out."""
    values = placeholder_values(ticket, staff)
    groups = {"personal": PickerGroup(_("Only mine"), []),
              "department": PickerGroup(ticket.department.name, []),
              "everyone": PickerGroup(_("Everyone"), [])}
    for reply in usable_on(staff, ticket):
        key = "personal" if reply.owner_id is not None else "everyone" if reply.department_id is None \
            else "department"
        groups[key].replies.append((reply.id, reply.title, fill(reply.body, values)))
    return [group for group in groups.values() if group.replies]
