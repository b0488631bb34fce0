"""The billing system's global settings: one row, edited on /settings; empty SMTP fields defer to the environment."""
from sqlalchemy import Boolean, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from webapp.extensions import db
from webapp.models.versioned import Versioned


class CompanySettings(Versioned, db.Model):
    __tablename__ = "company_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    company_name: Mapped[str] = mapped_column(String(200), default="")
    company_address: Mapped[str] = mapped_column(Text, default="")
    default_locale: Mapped[str] = mapped_column(String(8), default="en")
    timezone: Mapped[str | None] = mapped_column(String(64))  # None: the server's zone
    currency: Mapped[str] = mapped_column(String(3), default="EUR")  # ISO 4217
    # SMTP: a host set here overrides SMTP_* from the environment.
    smtp_host: Mapped[str | None] = mapped_column(String(255))
    smtp_port: Mapped[int | None] = mapped_column(Integer)
    smtp_user: Mapped[str | None] = mapped_column(String(255))
    smtp_password: Mapped[str | None] = mapped_column(String(255))
    smtp_security: Mapped[str | None] = mapped_column(String(16))  # none, starttls, ssl
    mail_from: Mapped[str | None] = mapped_column(String(254))
    # SMS through an HTTP gateway; disabled: SMS stay in the outbox, readable there.
    sms_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    sms_url: Mapped[str | None] = mapped_column(String(500))
    sms_method: Mapped[str | None] = mapped_column(String(8))  # GET or POST
    sms_body_template: Mapped[str | None] = mapped_column(Text)  # with {phone} and {text}
    sms_authorization: Mapped[str | None] = mapped_column(String(500))  # the Authorization header's value
