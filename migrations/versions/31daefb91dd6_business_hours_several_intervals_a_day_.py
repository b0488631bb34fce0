"""business hours: several open intervals a day (business_intervals) and holidays (business_holidays)

Each day open for set hours keeps its opens–closes as its one interval. On SQLite, business_days is rebuilt
(batch mode) before business_intervals exists: with foreign keys on, dropping the old table would otherwise
cascade into the new one. The downgrade keeps a day's span, from its first opening to its last closing.

Revision ID: 31daefb91dd6
Revises: 835e34a32549
Create Date: 2026-11-26 20:01:47.228962

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '31daefb91dd6'
down_revision = '835e34a32549'
branch_labels = None
depends_on = None

days = sa.table('business_days', sa.column('schedule_id', sa.Integer()), sa.column('weekday', sa.SmallInteger()),
                sa.column('mode', sa.String()), sa.column('opens', sa.Time()), sa.column('closes', sa.Time()))
intervals = sa.table('business_intervals', sa.column('schedule_id', sa.Integer()),
                     sa.column('weekday', sa.SmallInteger()), sa.column('opens', sa.Time()),
                     sa.column('closes', sa.Time()))


def upgrade():
    connection = op.get_bind()
    kept = [dict(row._mapping) for row in connection.execute(
        sa.select(days.c.schedule_id, days.c.weekday, days.c.opens, days.c.closes)
        .where(days.c.mode == 'hours', days.c.opens.is_not(None), days.c.closes.is_not(None)))]

    with op.batch_alter_table('business_days', schema=None) as batch_op:
        batch_op.drop_column('opens')
        batch_op.drop_column('closes')

    op.create_table('business_holidays',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['schedule_id'], ['business_hours.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('schedule_id', 'date', name='uq_business_holidays_schedule_date')
    )
    op.create_table('business_intervals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.SmallInteger(), nullable=False),
    sa.Column('opens', sa.Time(), nullable=False),
    sa.Column('closes', sa.Time(), nullable=False),
    sa.ForeignKeyConstraint(['schedule_id', 'weekday'], ['business_days.schedule_id', 'business_days.weekday'], name='fk_business_intervals_day', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('business_intervals', schema=None) as batch_op:
        batch_op.create_index('ix_business_intervals_day', ['schedule_id', 'weekday'], unique=False)

    if kept:
        op.bulk_insert(intervals, kept)


def downgrade():
    connection = op.get_bind()
    spans: dict[tuple[int, int], list] = {}
    for row in connection.execute(sa.select(intervals.c.schedule_id, intervals.c.weekday, intervals.c.opens,
                                            intervals.c.closes)):
        span = spans.setdefault((row.schedule_id, row.weekday), [row.opens, row.closes])
        span[0], span[1] = min(span[0], row.opens), max(span[1], row.closes)

    with op.batch_alter_table('business_intervals', schema=None) as batch_op:
        batch_op.drop_index('ix_business_intervals_day')

    op.drop_table('business_intervals')
    op.drop_table('business_holidays')

    with op.batch_alter_table('business_days', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opens', sa.Time(), nullable=True))
        batch_op.add_column(sa.Column('closes', sa.Time(), nullable=True))

    for (schedule_id, weekday), (opens, closes) in spans.items():
        connection.execute(days.update().where(days.c.schedule_id == schedule_id, days.c.weekday == weekday)
                           .values(opens=opens, closes=closes))
