"""Configuration: environment variables with defaults, and the test configuration."""
import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_PATH", BASE_DIR / "instance"))
TEMPLATES_DIR = BASE_DIR / "templates"
STATIC_DIR = BASE_DIR / "static"
TRANSLATIONS_DIR = BASE_DIR / "translations"


def _secret_key() -> str:
    """SECRET_KEY from the environment, or one generated once and kept under instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def engine_options(url: str) -> dict:
    """Parameters never reach the logs (they hold password hashes, emails, phones); a database server that does
    not answer fails within seconds (then the app answers 503) and is found again by pool_pre_ping. A SQLite
    file has no connection to lose: no ping (a query per request)."""
    options = {"hide_parameters": True}
    if url.startswith("postgresql"):
        options["pool_pre_ping"] = True
        options["connect_args"] = {"connect_timeout": DATABASE_TIMEOUT}
    elif url.startswith("sqlite"):
        options["connect_args"] = {"timeout": DATABASE_TIMEOUT}  # how long a write waits for the lock
    return options


DATABASE_TIMEOUT = 5  # seconds: a locked or unreachable database is answered with 503 after this

# The worker's queue (Huey), chosen when webapp.worker is imported, before any app exists: Redis when several
# hosts serve the app, else a SQLite file of its own (never the app's database). HUEY_IMMEDIATE=1 runs tasks
# in-process at once (the test suite sets it).
REDIS_URL = os.environ.get("REDIS_URL") or None
HUEY_FILE = Path(os.environ.get("HUEY_FILE") or INSTANCE_DIR / "huey.sqlite3")
HUEY_IMMEDIATE = os.environ.get("HUEY_IMMEDIATE", "0") == "1"


class Config:
    SECRET_KEY = None  # resolved lazily in create_app, so importing config writes nothing
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'console.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS = None  # engine_options(SQLALCHEMY_DATABASE_URI), set in create_app
    PASSWORD_HASH_METHOD = "scrypt"
    DATABASE_RETRY_AFTER = 5  # seconds, in the Retry-After of a 503 when the database is unavailable
    MAX_CONTENT_LENGTH = 1024 * 1024  # the form with an avatar; the avatar itself is limited to 64 KB
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    # A login session ends after this long without a request, and in any case this long after login.
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
    SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "12"))
    PERMANENT_SESSION_LIFETIME = 60 * 60 * SESSION_MAX_HOURS  # the cookie lives no longer than the session
    # The cookie is signed once at login, not again on every page: its lifetime is the session's longest, and the
    # server-side session (idle limit, logout) decides whether it still counts.
    SESSION_REFRESH_EACH_REQUEST = False
    WTF_CSRF_TIME_LIMIT = None  # tied to the session, which expires on its own
    # Failed logins are counted here (memory:// is per process: use redis://... with several workers).
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_STRATEGY = "moving-window"  # "5 failures within 15 minutes" means any 15 minutes
    LOGIN_FAILURES_PER_LOGIN = 5  # per login name and address
    LOGIN_FAILURES_PER_ADDRESS = 50  # per address, whatever the login names
    LOGIN_FAILURE_MINUTES = 15
    LANGUAGES = {"en": "English", "ru": "Русский"}
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    BABEL_TRANSLATION_DIRECTORIES = str(TRANSLATIONS_DIR)
    STAFF_PER_PAGE = int(os.environ.get("STAFF_PER_PAGE", "25"))
    DEPARTMENTS_PER_PAGE = 50
    CLIENTS_PER_PAGE = int(os.environ.get("CLIENTS_PER_PAGE", "25"))
    TARIFFS_PER_PAGE = int(os.environ.get("TARIFFS_PER_PAGE", "25"))
    SERVICES_PER_PAGE = int(os.environ.get("SERVICES_PER_PAGE", "25"))
    TICKETS_PER_PAGE = int(os.environ.get("TICKETS_PER_PAGE", "25"))
    TASKS_PER_PAGE = int(os.environ.get("TASKS_PER_PAGE", "25"))
    CANNED_REPLIES_PER_PAGE = int(os.environ.get("CANNED_REPLIES_PER_PAGE", "25"))
    PAYMENTS_PER_PAGE = int(os.environ.get("PAYMENTS_PER_PAGE", "25"))
    CHARGES_PER_PAGE = int(os.environ.get("CHARGES_PER_PAGE", "25"))
    INVOICES_PER_PAGE = int(os.environ.get("INVOICES_PER_PAGE", "25"))
    SETTINGS_CACHE_SECONDS = 5  # the settings' language, zone and currency, kept per worker this long
    QUEUE_REFRESH_SECONDS = 15  # the ticket queue refreshes itself in place this often
    DASHBOARD_CACHE_SECONDS = 30  # the dashboard's counts are kept per worker and viewer this long
    PHONE_DEFAULT_REGION = os.environ.get("PHONE_DEFAULT_REGION") or None
    # Links in emails are absolute, built on this, so the worker needs no request.
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    # Outgoing mail: without SMTP_HOST messages stay in the outbox, held, until it is set.
    SMTP_HOST = os.environ.get("SMTP_HOST") or None
    SMTP_PORT = int(os.environ["SMTP_PORT"]) if os.environ.get("SMTP_PORT") else None  # by SMTP_SECURITY
    SMTP_USER = os.environ.get("SMTP_USER") or None
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD") or None
    SMTP_SECURITY = os.environ.get("SMTP_SECURITY", "starttls").strip().lower()  # none, starttls or ssl
    SMTP_TIMEOUT = int(os.environ.get("SMTP_TIMEOUT", "30"))  # seconds, per connection and command
    MAIL_FROM = os.environ.get("MAIL_FROM", "Provider console <noreply@localhost>")
    OUTBOX_MAX_ATTEMPTS = int(os.environ.get("OUTBOX_MAX_ATTEMPTS", "10"))  # then the message is failed
    OUTBOX_PER_PAGE = 25
    TESTING = False

    @staticmethod
    def secret_key() -> str:
        return _secret_key()


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"
    SETTINGS_CACHE_SECONDS = 0  # tests write the settings straight to the database and read them back at once
    DASHBOARD_CACHE_SECONDS = 0
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    STAFF_PER_PAGE = 5
    CLIENTS_PER_PAGE = 5
    TARIFFS_PER_PAGE = 5
    SERVICES_PER_PAGE = 5
    TICKETS_PER_PAGE = 5
    TASKS_PER_PAGE = 5
    OUTBOX_PER_PAGE = 5
    SMTP_HOST = None  # a test that sends points it at its own local server
    SMTP_PORT = None
    SMTP_USER = None
    SMTP_PASSWORD = None
    SMTP_SECURITY = "none"
    SMTP_TIMEOUT = 5
    MAIL_FROM = "Provider console <noreply@example.test>"
    BASE_URL = "http://console.example.test"
    CANNED_REPLIES_PER_PAGE = 5
    PAYMENTS_PER_PAGE = 5
    CHARGES_PER_PAGE = 5
    INVOICES_PER_PAGE = 5
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1"  # scrypt took three quarters of the suite's time
