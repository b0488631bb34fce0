"""Accounts: one model for both types, clients and staff, and their login sessions."""
import enum
import hashlib
from datetime import date, datetime, timezone

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import Boolean, Date, DateTime, Enum, ForeignKey, Index, Integer, LargeBinary, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.extensions import db
from webapp.models.localized import localized
from webapp.models.versioned import Versioned
from webapp.text import fold


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class AccountKind(enum.Enum):
    staff = "staff"
    client = "client"


def password_hash_method() -> str:
    """scrypt in production; TestConfig names a cheap method so the suite does not spend its time hashing."""
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"


class Account(Versioned, UserMixin, db.Model):
    __tablename__ = "accounts"
    __table_args__ = (
        # Staff and client lists read one kind in login order: with 50,000 clients, the staff list no longer
        # walks every client's login.
        Index("ix_accounts_kind_login_key", "kind", "login_key"),
        {"sqlite_autoincrement": True},  # ids are never reused after a delete
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[AccountKind] = mapped_column(
        Enum(AccountKind, name="account_kind", native_enum=False, length=10), default=AccountKind.staff
    )
    login: Mapped[str] = mapped_column(String(64))
    login_key: Mapped[str] = mapped_column(String(64), unique=True, index=True)  # fold(login), set on flush
    name_en: Mapped[str] = mapped_column(String(200))
    name_ru: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(20))  # E.164
    full_access: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    builtin: Mapped[bool] = mapped_column(Boolean, default=False)  # the built-in admin
    locale: Mapped[str | None] = mapped_column(String(8))
    avatar: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)  # 80x80 PNG
    avatar_version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    timezone: Mapped[str | None] = mapped_column(String(64))  # IANA; a client's, shown in their area
    client_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("client_groups.id", ondelete="SET NULL", name="fk_accounts_client_group", use_alter=True),
        index=True)  # use_alter: client_groups points back at accounts (who changed it last)
    # Staff in the support center: away (optionally until a date) takes them out of automatic assignment;
    # ticket emails can be turned off.
    away: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    away_until: Mapped[date | None] = mapped_column(Date)
    ticket_emails: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    # fold() of login, names and email: staff search is one LIKE on one column, in every script.
    search_key: Mapped[str] = mapped_column(String(800), default="")

    client_group = relationship("ClientGroup", foreign_keys=[client_group_id])
    departments = relationship(
        "Department", secondary="staff_departments", back_populates="members", order_by="Department.name_en"
    )

    # Set at login and by the user loader: the session this request authenticated with.
    session_token = None  # type: str | None

    @property
    def is_staff(self) -> bool:
        return self.kind is AccountKind.staff

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts at login
        return bool(self.active)

    @property
    def name(self) -> str:
        return localized(self.name_en, self.name_ru)

    @property
    def initials(self) -> str:
        parts = [p for p in self.name_en.split() if p[:1].isalnum()]
        letters = "".join(p[0] for p in parts[:2]) or self.login[:1]
        return letters.upper()

    def get_id(self) -> str | None:
        return self.session_token

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=password_hash_method())

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<Account {self.login}>"


def account_search_key(login: str, name_en: str, name_ru: str | None, email: str | None) -> str:
    return "\n".join(fold(part) for part in (login, name_en, name_ru, email) if part)[:800]


@event.listens_for(Account, "before_insert")
@event.listens_for(Account, "before_update")
def _account_keys(_mapper, _connection, account: Account) -> None:
    """The stored comparison keys follow the values they are made of, whoever changes them."""
    account.login_key = fold(account.login)[:64]
    account.search_key = account_search_key(account.login, account.name_en, account.name_ru, account.email)


class AccountSession(db.Model):
    """A login session held on the server: logout deletes it, so a copied cookie stops working."""

    __tablename__ = "account_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
