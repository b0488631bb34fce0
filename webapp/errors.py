"""One answer per failure, as a page or (for HTMX) a fragment: refusals, 400–422, 503 and 500.

A change the rules refuse raises Refused (a status and a message) from a service or a route; the handler
here rolls back and answers it. Nothing else in the app turns refusals into responses.
"""
from flask import current_app, g, has_app_context
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError

from webapp.extensions import db
from webapp.htmx import hx_redirect, is_htmx, render
from webapp.i18n import gettext as _


class Refused(Exception):
    """A change that the rules refuse, with the status and the message the person sees; nothing is kept."""

    status = 403

    def __init__(self, message: str, status: int | None = None, retry_after: int | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status
        self.retry_after = retry_after  # seconds, sent as Retry-After (a 429 for too many failed logins)


TITLES = {
    400: lambda: _("Bad request"),
    403: lambda: _("Access denied"),
    404: lambda: _("Not found"),
    405: lambda: _("Method not allowed"),
    409: lambda: _("Refused"),
    413: lambda: _("Too large"),
    422: lambda: _("Invalid input"),
    429: lambda: _("Too many attempts"),
    500: lambda: _("Something went wrong"),
    503: lambda: _("Temporarily unavailable"),
}
MESSAGES = {
    400: lambda: _("The request could not be understood."),
    403: lambda: _("You do not have the right to open this."),
    404: lambda: _("There is nothing at this address, or it is not yours to see."),
    405: lambda: _("This address does not accept that kind of request."),
    409: lambda: _("The change conflicts with the current state and was not made."),
    413: lambda: _("The upload is too large."),
    422: lambda: _("The input is not valid."),
    429: lambda: _("Too many attempts. Please wait and try again."),
    500: lambda: _("The error has been logged and nothing was saved. Please try again."),
    503: lambda: _("The database is not answering at the moment; nothing was changed. "
                   "Please try again in a few seconds."),
}
# Unique indexes a race can hit after the form's own check passed, and what to tell the person.
CONFLICTS = {
    "login_key": lambda: _("This login was taken at the same moment by someone else; nothing was saved."),
    "departments.name_key": lambda: _("A department with this name was created at the same moment; "
                                      "nothing was saved."),
    "departments_name_key": lambda: _("A department with this name was created at the same moment; "
                                      "nothing was saved."),
    "business_hours.name_key": lambda: _("Business hours with this name were created at the same moment; "
                                         "nothing was saved."),
    "business_hours_name_key": lambda: _("Business hours with this name were created at the same moment; "
                                         "nothing was saved."),
}


def error_response(code: int, message: str | None = None):
    code = code if code in TITLES else 500
    title = TITLES[code]()
    message = message or MESSAGES[code]()
    return render("errors/error.html", "errors/_error.html", status=code,
                  code=code, title=title, message=message)


def _committed() -> bool:
    return bool(g.get("_committed"))


@event.listens_for(Session, "after_commit")
def _remember_commit(_session):
    """An error after a commit must not claim that nothing was saved."""
    if has_app_context():
        g._committed = True


def register(app) -> None:
    @app.errorhandler(Refused)
    def refused(error):
        db.session.rollback()
        response = error_response(error.status, str(error))
        if error.retry_after is not None:
            response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        db.session.rollback()
        from flask_login import current_user

        if not current_user.is_authenticated:
            # The session ran out (or the person logged out in another tab): log in again, then come back.
            from webapp.rights.guard import login_url

            if is_htmx():
                return hx_redirect(login_url(for_htmx=True))
            return error_response(400, _("Your session has expired. Log in again and retry."))
        return error_response(400, _("Your session has expired or the form is stale. "
                                     "Reload the page and try again."))

    @app.errorhandler(IntegrityError)
    def integrity_error(error):
        # A race the form's checks could not see (two people saving the same login at once): nothing saved.
        db.session.rollback()
        text = str(getattr(error, "orig", error))
        for key, message in CONFLICTS.items():
            if key in text:
                return error_response(409, message())
        return error_response(409, _("Someone else changed the same data at the same moment; nothing was "
                                     "saved. Reload the page and try again."))

    @app.errorhandler(StaleDataError)
    def stale_data(error):
        # Two saves of one record raced (the version in the UPDATE's WHERE matched nothing) or it was deleted.
        db.session.rollback()
        return error_response(409, _("Someone else changed or deleted this record at the same moment; "
                                     "your change was not saved. Reload the page and try again."))

    @app.errorhandler(ObjectDeletedError)
    def deleted_meanwhile(error):
        db.session.rollback()
        return error_response(404, _("This record was deleted by someone else in the meantime."))

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        if not _is_unavailable(error):
            return server_error(error)  # e.g. SQLite reports a bad statement as an OperationalError too
        return unavailable(error)

    @app.errorhandler(HTTPException)
    def http_error(error):
        db.session.rollback()
        description = error.description if error.description != type(error).description else None
        return error_response(error.code or 500, description)

    @app.errorhandler(InternalServerError)
    @app.errorhandler(Exception)
    def server_error(error):
        original = getattr(error, "original_exception", None) or error
        if isinstance(original, DBAPIError) and original.connection_invalidated:
            return unavailable(original)
        _safe_rollback()
        if isinstance(error, HTTPException) and not isinstance(error, InternalServerError):
            return http_error(error)
        app.logger.exception("Unhandled error", exc_info=original)
        if _committed():
            return error_response(500, _("The error has been logged. Your change was saved, but the page "
                                         "could not be shown: reload it to see the result."))
        return error_response(500)

    def unavailable(error):
        """The database is locked, read-only or unreachable: 503 with Retry-After; the pool recovers."""
        _safe_rollback()
        g._database_down = True
        g._login_user = app.login_manager.anonymous_user()  # the error page must not ask the database
        app.logger.warning("Database unavailable: %s", type(getattr(error, "orig", error)).__name__)
        response = error_response(503, None if not _committed() else _(
            "Your change was saved, but the database stopped answering before the page could be shown. "
            "Reload it in a few seconds."))
        response.headers["Retry-After"] = str(current_app.config.get("DATABASE_RETRY_AFTER", 5))
        return response


# SQLite's OperationalError covers both a database that cannot be used now and a bad statement.
_SQLITE_UNAVAILABLE = ("locked", "readonly", "read-only", "unable to open", "disk i/o", "disk is full", "busy")


def _is_unavailable(error: OperationalError) -> bool:
    if error.connection_invalidated:
        return True
    original = getattr(error, "orig", None)
    module = type(original).__module__ if original is not None else ""
    if module.startswith("sqlite3"):
        return any(marker in str(original).lower() for marker in _SQLITE_UNAVAILABLE)
    return True  # psycopg: OperationalError means the server or the connection failed


def _safe_rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection is gone: drop the session, the pool reconnects on the next request
        db.session.remove()


def database_down() -> bool:
    """Whether this request found the database unavailable (the error page then stays off the database)."""
    return bool(g.get("_database_down"))
