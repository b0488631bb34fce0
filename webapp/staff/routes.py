"""Staff pages: list, create, edit, disable/enable, delete, avatars and individual rights."""
from flask import abort, make_response
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import undefer

from webapp.extensions import db
from webapp.models import Account, AccountKind
from webapp.rights import can, requires
from webapp.staff import bp
from webapp.staff.avatars import initials_svg


@bp.route("/<int:staff_id>/avatar")
@requires()
def avatar(staff_id: int):
    """A staff member's avatar: one's own, or anyone's with the right to view staff."""
    if staff_id != current_user.id and not can(current_user, "staff.view"):
        abort(403)
    account = db.session.scalar(
        select(Account).options(undefer(Account.avatar))
        .where(Account.id == staff_id, Account.kind == AccountKind.staff)
    )
    if account is None:
        abort(404)
    if account.avatar:
        response = make_response(account.avatar)
        response.mimetype = "image/png"
    else:
        response = make_response(initials_svg(account.initials, account.login))
        response.mimetype = "image/svg+xml"
    response.headers["Cache-Control"] = "private, max-age=86400"
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
