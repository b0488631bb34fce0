"""A client's own changes: each audited; a new password ends the client's other sessions. Flushes only."""
from webapp.audit import record
from webapp.auth.sessions import end_other_sessions
from webapp.errors import Refused
from webapp.extensions import db
from webapp.forms import check_version
from webapp.i18n import gettext as _
from webapp.models import Account, AccountKind
from webapp.models.accounts import utcnow


def update_client_profile(client: Account, locale: str, timezone: str, new_password: str | None,
                          version: int | None, session_token: str | None) -> list[str]:
    """Apply the client's own changes (409 if the form showed an older version); the audit actions written."""
    if client.kind is not AccountKind.client:
        raise Refused(_("This page is for clients."))
    check_version(client, version)
    changes = []
    if new_password:
        client.set_password(new_password)
        end_other_sessions(client.id, session_token)
        changes.append(("my.password", None))
    if locale != client.locale:
        client.locale = locale
        changes.append(("my.language", locale))
    if timezone != client.timezone:
        client.timezone = timezone
        changes.append(("my.timezone", timezone))
    if changes:
        client.touch(client, utcnow())
        db.session.flush()
    for action, detail in changes:
        record(client, action, client, detail)
    return [action for action, _detail in changes]
