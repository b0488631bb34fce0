"""accounts: an index on (kind, login_key) for the staff and client lists

Revision ID: e5f1a2b3c4d6
Revises: d4e7a1c9b3f2
Create Date: 2026-11-26 21:20:00

"""
from alembic import op

revision = 'e5f1a2b3c4d6'
down_revision = 'd4e7a1c9b3f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_accounts_kind_login_key', 'accounts', ['kind', 'login_key'], unique=False)


def downgrade():
    op.drop_index('ix_accounts_kind_login_key', table_name='accounts')
