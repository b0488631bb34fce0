"""The application factory."""
import sqlite3

from flask import Flask, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

import config
from webapp.extensions import babel, csrf, db, limiter, login_manager, migrate
from webapp.i18n import lazy_gettext as _l
from webapp.ids import IdConverter
from webapp.session_cookie import KeptCookieSessions
from webapp.templating import ConsoleFlask

CSP = ("default-src 'self'; img-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def create_app(config_class=config.Config) -> Flask:
    app = ConsoleFlask(
        __name__,
        template_folder=str(config.TEMPLATES_DIR),
        static_folder=str(config.STATIC_DIR),
        instance_path=str(config.INSTANCE_DIR),
    )
    app.config.from_object(config_class)
    if not app.config.get("SQLALCHEMY_ENGINE_OPTIONS"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = config.engine_options(app.config["SQLALCHEMY_DATABASE_URI"])
    app.url_map.converters["int"] = IdConverter  # before any route is added
    app.session_interface = KeptCookieSessions()  # each session cookie checked once (webapp.session_cookie)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config_class.secret_key()

    db.init_app(app)
    migrate.init_app(app, db, directory=str(config.BASE_DIR / "migrations"))
    app.before_request(_upload_limit)  # before CSRFProtect's hook, which reads the form (and so the body)
    csrf.init_app(app)
    limiter.init_app(app)  # a fresh storage per app: each test app starts with no failures counted
    from webapp.auth.sessions import select_locale

    babel.init_app(app, locale_selector=select_locale)
    from webapp.i18n import install_template_gettext

    install_template_gettext(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to open this page.")
    login_manager.login_message_category = "info"

    from webapp import (
        auth,
        clients,
        departments,
        errors,
        finance,
        hours,
        invoices,
        main,
        my,
        outbox,
        profile,
        services,
        settings,
        staff,
        support,
        tariffs,
        tasks,
    )

    app.register_blueprint(auth.bp)
    app.register_blueprint(main.bp)
    app.register_blueprint(departments.bp)
    app.register_blueprint(staff.bp)
    app.register_blueprint(hours.bp)
    app.register_blueprint(clients.bp)
    app.register_blueprint(my.bp)
    app.register_blueprint(profile.bp)
    app.register_blueprint(support.bp)
    app.register_blueprint(outbox.bp)
    app.register_blueprint(tariffs.bp)
    app.register_blueprint(services.bp)
    app.register_blueprint(tasks.bp)
    app.register_blueprint(finance.payments_bp)
    app.register_blueprint(finance.expenses_bp)
    app.register_blueprint(finance.reports_bp)
    app.register_blueprint(invoices.bp)
    app.register_blueprint(settings.bp)
    errors.register(app)

    from webapp.cli import register as register_cli

    register_cli(app)
    _register_template_helpers(app)
    app.after_request(_security_headers)
    return app


def _register_template_helpers(app: Flask) -> None:
    from webapp.frame import assets, frame
    from webapp.kept import csrf_token
    from webapp.lists import pager
    from webapp.models.localized import current_language
    from webapp.moments import file_size, format_moment, is_overdue, time_left, viewer_timezone
    from webapp.money import format_money
    from webapp.navigation import visible_nav
    from webapp.rights.guard import has_right

    app.add_template_filter(format_moment, "moment")  # the viewer's zone: "2026-11-26 18:05 CET"
    app.add_template_filter(time_left, "time_left")
    app.add_template_filter(is_overdue, "overdue")
    app.add_template_filter(file_size, "file_size")
    app.add_template_filter(format_money, "money")  # {{ amount|money }}, or |money(invoice.currency)
    app.add_template_global(pager)
    # In place of Flask-WTF's generate_csrf (its global and its context processor): the signed token kept a minute.
    app.add_template_global(csrf_token)

    @app.context_processor
    def inject():
        return {"has_right": has_right, "languages": app.config["LANGUAGES"],
                "current_language": current_language(), "visible_nav": visible_nav, "frame": frame, "assets": assets, "viewer_timezone": viewer_timezone,
                "csrf_token": csrf_token}


UPLOAD_ENDPOINTS = frozenset({"my.new_ticket", "my.ticket", "support.ticket"})


def _upload_limit():
    """Ticket forms carry up to five 2 MB files; every other form keeps the small global limit."""
    if request.endpoint in UPLOAD_ENDPOINTS:
        from webapp.support.attachments import MAX_REQUEST_BYTES

        request.max_content_length = MAX_REQUEST_BYTES


def _security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, _record):
    """SQLite: foreign keys on, WAL, and transactions begun by us (see _sqlite_begin)."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    """SQLite: a request that may write takes the write lock at BEGIN, so it never fails half-way."""
    if conn.dialect.name != "sqlite":
        return
    from flask import has_request_context

    from webapp.transactions import deferred

    writing = (has_request_context() and request.method not in READ_METHODS and not deferred()) \
        or conn.get_execution_options().get("sqlite_immediate", False)  # a GET's own bookkeeping write
    if writing:
        conn.exec_driver_sql("BEGIN IMMEDIATE")  # may wait for the lock and fail: SQLAlchemy's errors, as anywhere
    else:
        # A read's BEGIN takes no lock: straight to the driver (through SQLAlchemy's statement machinery it was a
        # twentieth of a small page). Should the driver refuse it, again through SQLAlchemy, whose errors the
        # error pages read (503 for an unavailable database).
        try:
            conn.connection.dbapi_connection.execute("BEGIN")
        except sqlite3.Error:
            conn.exec_driver_sql("BEGIN")
