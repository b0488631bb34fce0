"""tickets: ix_tickets_status_department_due, so the dashboard counts the tickets waiting for staff (and the
overdue ones) of a person's departments from the index alone

Revision ID: c3d5e7f9a1b2
Revises: a9c4e2b7d1f3
Create Date: 2026-11-26 23:20:00

"""
from alembic import op

revision = 'c3d5e7f9a1b2'
down_revision = 'a9c4e2b7d1f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_tickets_status_department_due', 'tickets', ['status', 'department_id', 'due_at'],
                    unique=False)


def downgrade():
    op.drop_index('ix_tickets_status_department_due', table_name='tickets')
