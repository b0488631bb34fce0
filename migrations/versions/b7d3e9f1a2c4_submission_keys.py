"""payments and charges: the key of the form that recorded them (submission_key, unique when set), so that a
form sent twice (a double click, a resent POST) records one payment or charge

Revision ID: b7d3e9f1a2c4
Revises: a9c4e2b7d1f3
Create Date: 2026-11-27 05:30:00

"""
from alembic import op
import sqlalchemy as sa

revision = 'b7d3e9f1a2c4'
down_revision = 'a9c4e2b7d1f3'
branch_labels = None
depends_on = None


def upgrade():
    for table in ("payments", "charges"):
        op.add_column(table, sa.Column('submission_key', sa.String(length=32), nullable=True))
        op.create_index(f'ux_{table}_submission_key', table, ['submission_key'], unique=True)


def downgrade():
    for table in ("payments", "charges"):
        op.drop_index(f'ux_{table}_submission_key', table_name=table)
        with op.batch_alter_table(table, schema=None, **_keep()) as batch_op:
            batch_op.drop_column('submission_key')


def _keep():
    """SQLite rebuilds the table: keep AUTOINCREMENT (ids never reused)."""
    return {"table_kwargs": {"sqlite_autoincrement": True}} if op.get_bind().dialect.name == "sqlite" else {}
