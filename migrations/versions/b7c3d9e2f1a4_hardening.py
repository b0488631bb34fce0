"""hardening: comparison keys, versions, ids never reused, schedule names in two languages, activity

Revision ID: b7c3d9e2f1a4
Revises: e1a0a78f67e7
Create Date: 2026-11-26 18:50:00

- accounts, departments, business_hours: a version counter with who changed the record last and when;
  departments and schedules get folded name keys (unique), accounts a folded login key and search key.
- business_hours.name becomes name_en, with an optional name_ru.
- SQLite tables with integer ids are rebuilt with AUTOINCREMENT, so an id is never given out twice.
- account_sessions.last_seen_at (idle timeout), accounts.last_login_at, audit_entries.address.
"""
import unicodedata
import re

import sqlalchemy as sa
from alembic import op

revision = "b7c3d9e2f1a4"
down_revision = "e1a0a78f67e7"
branch_labels = None
depends_on = None

_SPACES = re.compile(r"\s+")


def fold(text):
    """webapp.text.fold as of this revision (a migration must not change when the code does)."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return _SPACES.sub(" ", folded).strip()[:360]


def _versioned_columns(batch, table):
    batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
    batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    batch.add_column(sa.Column("updated_by_id", sa.Integer(), nullable=True))
    batch.create_foreign_key(f"fk_{table}_updated_by", "accounts", ["updated_by_id"], ["id"], ondelete="SET NULL")


def _autoincrement(table):
    return {"table_kwargs": {"sqlite_autoincrement": True}, "recreate": "always"} \
        if op.get_bind().dialect.name == "sqlite" else {}


def upgrade():
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"

    with op.batch_alter_table("account_sessions") as batch:
        batch.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE account_sessions SET last_seen_at = created_at")
    with op.batch_alter_table("account_sessions") as batch:
        batch.alter_column("last_seen_at", existing_type=sa.DateTime(timezone=True), nullable=False)

    with op.batch_alter_table("accounts", **_autoincrement("accounts")) as batch:
        batch.add_column(sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("search_key", sa.String(length=800), server_default="", nullable=False))
        _versioned_columns(batch, "accounts")
    accounts = sa.table("accounts", sa.column("id", sa.Integer), sa.column("login", sa.String),
                        sa.column("login_key", sa.String), sa.column("name_en", sa.String),
                        sa.column("name_ru", sa.String), sa.column("email", sa.String),
                        sa.column("search_key", sa.String))
    for row in bind.execute(sa.select(accounts)).all():
        search = "\n".join(fold(p) for p in (row.login, row.name_en, row.name_ru, row.email) if p)[:800]
        bind.execute(accounts.update().where(accounts.c.id == row.id)
                     .values(login_key=fold(row.login)[:64], search_key=search))

    with op.batch_alter_table("audit_entries", **_autoincrement("audit_entries")) as batch:
        batch.add_column(sa.Column("address", sa.String(length=64), nullable=True))

    if postgres:  # the unique constraint of the old name column would follow it to name_en
        op.execute("ALTER TABLE business_hours DROP CONSTRAINT IF EXISTS business_hours_name_key")
    with op.batch_alter_table("business_hours", **_autoincrement("business_hours")) as batch:
        batch.alter_column("name", new_column_name="name_en", existing_type=sa.String(length=120),
                           existing_nullable=False)
        batch.add_column(sa.Column("name_ru", sa.String(length=120), nullable=True))
        batch.add_column(sa.Column("name_key", sa.String(length=360), nullable=True))
        batch.add_column(sa.Column("name_ru_key", sa.String(length=360), nullable=True))
        _versioned_columns(batch, "business_hours")
    _fill_name_keys("business_hours")
    with op.batch_alter_table("business_hours", **_autoincrement("business_hours")) as batch:
        batch.alter_column("name_key", existing_type=sa.String(length=360), nullable=False)
        batch.create_index("ix_business_hours_name_key", ["name_key"], unique=True)
        batch.create_index("ix_business_hours_name_ru_key", ["name_ru_key"], unique=True)

    with op.batch_alter_table("departments", **_autoincrement("departments")) as batch:
        batch.add_column(sa.Column("name_key", sa.String(length=360), nullable=True))
        batch.add_column(sa.Column("name_ru_key", sa.String(length=360), nullable=True))
        _versioned_columns(batch, "departments")
    _fill_name_keys("departments")
    with op.batch_alter_table("departments", **_autoincrement("departments")) as batch:
        batch.alter_column("name_key", existing_type=sa.String(length=360), nullable=False)
        batch.create_index("ix_departments_name_key", ["name_key"], unique=True)
        batch.create_index("ix_departments_name_ru_key", ["name_ru_key"], unique=True)


def _fill_name_keys(table_name):
    """Folded keys for existing names; a second record whose name folds the same gets " (id)" appended."""
    bind = op.get_bind()
    table = sa.table(table_name, sa.column("id", sa.Integer), sa.column("name_en", sa.String),
                     sa.column("name_ru", sa.String), sa.column("name_key", sa.String),
                     sa.column("name_ru_key", sa.String))
    seen_en, seen_ru = set(), set()
    for row in bind.execute(sa.select(table).order_by(table.c.id)).all():
        name_en, name_ru = row.name_en, row.name_ru
        if fold(name_en) in seen_en:
            name_en = f"{name_en} ({row.id})"
        if name_ru and fold(name_ru) in seen_ru:
            name_ru = f"{name_ru} ({row.id})"
        seen_en.add(fold(name_en))
        if name_ru:
            seen_ru.add(fold(name_ru))
        bind.execute(table.update().where(table.c.id == row.id).values(
            name_en=name_en, name_ru=name_ru, name_key=fold(name_en), name_ru_key=fold(name_ru) or None))


def downgrade():
    with op.batch_alter_table("departments") as batch:
        batch.drop_index("ix_departments_name_ru_key")
        batch.drop_index("ix_departments_name_key")
        batch.drop_constraint("fk_departments_updated_by", type_="foreignkey")
        for column in ("updated_by_id", "updated_at", "version", "name_ru_key", "name_key"):
            batch.drop_column(column)
    with op.batch_alter_table("business_hours") as batch:
        batch.drop_index("ix_business_hours_name_ru_key")
        batch.drop_index("ix_business_hours_name_key")
        batch.drop_constraint("fk_business_hours_updated_by", type_="foreignkey")
        for column in ("updated_by_id", "updated_at", "version", "name_ru_key", "name_key", "name_ru"):
            batch.drop_column(column)
        batch.alter_column("name_en", new_column_name="name", existing_type=sa.String(length=120),
                           existing_nullable=False)
        batch.create_unique_constraint("business_hours_name_key", ["name"])
    with op.batch_alter_table("audit_entries") as batch:
        batch.drop_column("address")
    with op.batch_alter_table("accounts") as batch:
        batch.drop_constraint("fk_accounts_updated_by", type_="foreignkey")
        for column in ("updated_by_id", "updated_at", "version", "search_key", "last_login_at"):
            batch.drop_column(column)
    with op.batch_alter_table("account_sessions") as batch:
        batch.drop_column("last_seen_at")
