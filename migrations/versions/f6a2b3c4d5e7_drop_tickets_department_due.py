"""tickets: drop ix_tickets_department_due, which SQLite preferred to the department's queue order for a
staff member's queue (reading every ticket of their departments to sort them: 10 ms instead of 1); the
department in ix_tickets_assignee_status, so "unassigned" in one's departments is read from the index (11 ms to 1)

Revision ID: f6a2b3c4d5e7
Revises: e5f1a2b3c4d6
Create Date: 2026-11-26 21:30:00

"""
from alembic import op

revision = 'f6a2b3c4d5e7'
down_revision = 'e5f1a2b3c4d6'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index('ix_tickets_department_due', table_name='tickets')
    op.drop_index('ix_tickets_assignee_status', table_name='tickets')
    op.create_index('ix_tickets_assignee_status', 'tickets', ['assignee_id', 'status', 'department_id'], unique=False)


def downgrade():
    op.drop_index('ix_tickets_assignee_status', table_name='tickets')
    op.create_index('ix_tickets_assignee_status', 'tickets', ['assignee_id', 'status'], unique=False)
    op.create_index('ix_tickets_department_due', 'tickets', ['department_id', 'status', 'due_at'], unique=False)
