"""ticket queue indexes: the queue's order (deadline first, no deadline last, then the latest activity), for
all departments and per department, so a page of the queue is read in order instead of sorting every open ticket

Revision ID: d4e7a1c9b3f2
Revises: cb8042eeb869
Create Date: 2026-11-27 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4e7a1c9b3f2'
down_revision = 'cb8042eeb869'
branch_labels = None
depends_on = None

# The same expressions as webapp.models.tickets.QUEUE_ORDER: the queries' ORDER BY must match them exactly.
QUEUE_ORDER = (sa.text('(due_at IS NULL)'), sa.text('due_at'), sa.text('last_message_at DESC'),
               sa.text('id DESC'))


def upgrade():
    op.create_index('ix_tickets_queue', 'tickets', list(QUEUE_ORDER), unique=False)
    op.create_index('ix_tickets_department_queue', 'tickets', [sa.text('department_id'), *QUEUE_ORDER],
                    unique=False)


def downgrade():
    op.drop_index('ix_tickets_department_queue', table_name='tickets')
    op.drop_index('ix_tickets_queue', table_name='tickets')
