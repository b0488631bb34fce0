"""Error pages, or fragments for HTMX: 400 (and a stale CSRF token), 403, 404, 405, 413, 500."""
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, InternalServerError

from webapp.extensions import db
from webapp.htmx import render
from webapp.i18n import gettext as _

TITLES = {
    400: lambda: _("Bad request"),
    403: lambda: _("Access denied"),
    404: lambda: _("Not found"),
    405: lambda: _("Method not allowed"),
    409: lambda: _("Refused"),
    413: lambda: _("Too large"),
    422: lambda: _("Invalid input"),
    500: lambda: _("Something went wrong"),
}
MESSAGES = {
    400: lambda: _("The request could not be understood."),
    403: lambda: _("You do not have the right to open this."),
    404: lambda: _("There is nothing at this address, or it is not yours to see."),
    405: lambda: _("This address does not accept that kind of request."),
    409: lambda: _("The change conflicts with the current state and was not made."),
    413: lambda: _("The upload is too large."),
    422: lambda: _("The input is not valid."),
    500: lambda: _("The error has been logged and nothing was saved. Please try again."),
}


def error_response(code: int, message: str | None = None):
    code = code if code in TITLES else 500
    title = TITLES[code]()
    message = message or MESSAGES[code]()
    return render("errors/error.html", "errors/_error.html", status=code,
                  code=code, title=title, message=message)


def refused(error):
    """The answer to a change the rules refused (GrantRefused): its status and message; nothing kept."""
    db.session.rollback()
    return error_response(error.status, str(error))


def register(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        db.session.rollback()
        return error_response(400, _("Your session has expired or the form is stale. "
                                     "Reload the page and try again."))

    @app.errorhandler(IntegrityError)
    def integrity_error(error):
        # A race the form's checks could not see (two people saving the same login at once): nothing saved.
        db.session.rollback()
        return error_response(409, _("Someone else changed the same data at the same moment; nothing was "
                                     "saved. Reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error):
        db.session.rollback()
        description = error.description if error.description != type(error).description else None
        return error_response(error.code or 500, description)

    @app.errorhandler(InternalServerError)
    @app.errorhandler(Exception)
    def server_error(error):
        db.session.rollback()
        if isinstance(error, HTTPException) and not isinstance(error, InternalServerError):
            return http_error(error)
        app.logger.exception("Unhandled error", exc_info=getattr(error, "original_exception", error))
        return error_response(500)
