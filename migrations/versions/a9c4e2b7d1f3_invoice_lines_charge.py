"""invoice lines: the charge a line bills (invoice_lines.charge_id), so that issuing marks exactly those charges
invoiced and a draft's lines typed by hand stay apart from its charges' lines

Revision ID: a9c4e2b7d1f3
Revises: ee1725940bb4
Create Date: 2026-11-26 22:50:00

"""
from alembic import op
import sqlalchemy as sa

revision = 'a9c4e2b7d1f3'
down_revision = 'ee1725940bb4'
branch_labels = None
depends_on = None


def _keep():
    """SQLite rebuilds the table: keep AUTOINCREMENT (ids never reused)."""
    return {"table_kwargs": {"sqlite_autoincrement": True}} if op.get_bind().dialect.name == "sqlite" else {}


def upgrade():
    with op.batch_alter_table('invoice_lines', schema=None, **_keep()) as batch_op:
        batch_op.add_column(sa.Column('charge_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_invoice_lines_charge_id'), ['charge_id'], unique=False)
        batch_op.create_foreign_key('fk_invoice_lines_charge_id_charges', 'charges', ['charge_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('invoice_lines', schema=None, **_keep()) as batch_op:
        batch_op.drop_constraint('fk_invoice_lines_charge_id_charges', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_invoice_lines_charge_id'))
        batch_op.drop_column('charge_id')
