"""billing: tariffs, services, charges, payments, invoices, tasks, settings; sms and attachments in the outbox

Revision ID: ee1725940bb4
Revises: f6a2b3c4d5e7
Create Date: 2026-11-26 22:27:24.275108

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ee1725940bb4'
down_revision = 'f6a2b3c4d5e7'
branch_labels = None
depends_on = None


def _keep():
    """SQLite rebuilds the table: keep AUTOINCREMENT (ids never reused)."""
    return {"table_kwargs": {"sqlite_autoincrement": True}} if op.get_bind().dialect.name == "sqlite" else {}


def upgrade():
    op.create_table('invoice_counters',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year')
    )
    op.create_table('company_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_name', sa.String(length=200), nullable=False),
    sa.Column('company_address', sa.Text(), nullable=False),
    sa.Column('default_locale', sa.String(length=8), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('smtp_host', sa.String(length=255), nullable=True),
    sa.Column('smtp_port', sa.Integer(), nullable=True),
    sa.Column('smtp_user', sa.String(length=255), nullable=True),
    sa.Column('smtp_password', sa.String(length=255), nullable=True),
    sa.Column('smtp_security', sa.String(length=16), nullable=True),
    sa.Column('mail_from', sa.String(length=254), nullable=True),
    sa.Column('sms_enabled', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('sms_url', sa.String(length=500), nullable=True),
    sa.Column('sms_method', sa.String(length=8), nullable=True),
    sa.Column('sms_body_template', sa.Text(), nullable=True),
    sa.Column('sms_authorization', sa.String(length=500), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['accounts.id'], name='fk_company_settings_updated_by', ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('invoices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'sent', 'paid', 'cancelled', name='invoice_status', native_enum=False, length=16), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('number', sa.Integer(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('total', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_to', sa.String(length=254), nullable=True),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['accounts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['accounts.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['sent_by_id'], ['accounts.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('year', 'number', name='uq_invoices_year_number'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index('ix_invoices_client_id', ['client_id', 'id'], unique=False)
        batch_op.create_index('ix_invoices_status_id', ['status', 'id'], unique=False)

    op.create_table('invoice_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.String(length=255), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_lines_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('outbox_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['outbox_messages.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_attachments_message_id'), ['message_id'], unique=False)

    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('method', sa.Enum('bank_transfer', 'card', 'cash', 'other', name='payment_method', native_enum=False, length=16), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'confirmed', 'cancelled', name='payment_status', native_enum=False, length=16), nullable=False),
    sa.Column('note', sa.String(length=255), nullable=True),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['accounts.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['accounts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['accounts.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['accounts.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index('ix_payments_client_id', ['client_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_invoice_id'), ['invoice_id'], unique=False)
        batch_op.create_index('ix_payments_received_on', ['received_on'], unique=False)
        batch_op.create_index('ix_payments_status_id', ['status', 'id'], unique=False)

    op.create_table('tariffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('price', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('period', sa.Enum('month', 'year', name='billing_period', native_enum=False, length=8), nullable=False),
    sa.Column('provisioning', sa.Enum('automatic', 'manual', name='provisioning', native_enum=False, length=16), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('archived', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('name_ru', sa.String(length=120), nullable=True),
    sa.Column('name_key', sa.String(length=360), nullable=False),
    sa.Column('name_ru_key', sa.String(length=360), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['accounts.id'], name='fk_tariffs_updated_by', ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('tariffs', schema=None) as batch_op:
        batch_op.create_index('ix_tariffs_archived_name', ['archived', 'name_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_tariffs_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_tariffs_name_key'), ['name_key'], unique=True)
        batch_op.create_index(batch_op.f('ix_tariffs_name_ru_key'), ['name_ru_key'], unique=True)

    op.create_table('services',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('tariff_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'active', 'suspended', 'closed', name='service_status', native_enum=False, length=16), nullable=False),
    sa.Column('pending_operation', sa.Enum('order', 'suspend', 'resume', 'close', name='service_operation', native_enum=False, length=16), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('activated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('paid_until', sa.Date(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['client_id'], ['accounts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tariff_id'], ['tariffs.id'], ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.create_index('ix_services_client_id', ['client_id', 'id'], unique=False)
        batch_op.create_index('ix_services_status_id', ['status', 'id'], unique=False)
        batch_op.create_index('ix_services_status_paid_until', ['status', 'paid_until'], unique=False)
        batch_op.create_index('ix_services_tariff_id', ['tariff_id', 'id'], unique=False)

    op.create_table('charges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=True),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('description', sa.String(length=255), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=True),
    sa.Column('period_end', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled_by_id', sa.Integer(), nullable=True),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cancelled_by_id'], ['accounts.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['accounts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['accounts.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('charges', schema=None) as batch_op:
        batch_op.create_index('ix_charges_client_id', ['client_id', 'id'], unique=False)
        batch_op.create_index('ix_charges_client_invoice', ['client_id', 'invoice_id'], unique=False)
        batch_op.create_index('ix_charges_created_at', ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_charges_service_id'), ['service_id'], unique=False)

    op.create_table('service_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['accounts.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('service_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_events_service_id'), ['service_id'], unique=False)

    op.create_table('tasks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('service_id', sa.Integer(), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=False),
    sa.Column('operation', sa.Enum('order', 'suspend', 'resume', 'close', name='service_operation', native_enum=False, length=16), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('open', 'taken', 'done', 'cancelled', name='task_status', native_enum=False, length=16), nullable=False),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('overdue_notified', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['accounts.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['client_id'], ['accounts.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['done_by_id'], ['accounts.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['service_id'], ['services.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.create_index('ix_tasks_assignee_status', ['assignee_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_client_id'), ['client_id'], unique=False)
        batch_op.create_index('ix_tasks_department_status_due', ['department_id', 'status', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tasks_service_id'), ['service_id'], unique=False)
        batch_op.create_index('ix_tasks_status_due', ['status', 'due_at'], unique=False)

    op.create_table('task_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('detail', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['accounts.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('task_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_events_task_id'), ['task_id'], unique=False)

    with op.batch_alter_table('departments', schema=None, **_keep()) as batch_op:
        batch_op.add_column(sa.Column('task_target_hours', sa.Integer(), server_default='8', nullable=False))
        batch_op.add_column(sa.Column('last_task_assigned_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_departments_last_task_assigned', 'accounts', ['last_task_assigned_id'], ['id'], ondelete='SET NULL')



def downgrade():
    with op.batch_alter_table('departments', schema=None, **_keep()) as batch_op:
        batch_op.drop_constraint('fk_departments_last_task_assigned', type_='foreignkey')
        batch_op.drop_column('last_task_assigned_id')
        batch_op.drop_column('task_target_hours')

    with op.batch_alter_table('task_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_events_task_id'))

    op.drop_table('task_events')
    with op.batch_alter_table('tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_tasks_status_due')
        batch_op.drop_index(batch_op.f('ix_tasks_service_id'))
        batch_op.drop_index('ix_tasks_department_status_due')
        batch_op.drop_index(batch_op.f('ix_tasks_client_id'))
        batch_op.drop_index('ix_tasks_assignee_status')

    op.drop_table('tasks')
    with op.batch_alter_table('service_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_events_service_id'))

    op.drop_table('service_events')
    with op.batch_alter_table('charges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_charges_service_id'))
        batch_op.drop_index('ix_charges_created_at')
        batch_op.drop_index('ix_charges_client_invoice')
        batch_op.drop_index('ix_charges_client_id')

    op.drop_table('charges')
    with op.batch_alter_table('services', schema=None) as batch_op:
        batch_op.drop_index('ix_services_tariff_id')
        batch_op.drop_index('ix_services_status_paid_until')
        batch_op.drop_index('ix_services_status_id')
        batch_op.drop_index('ix_services_client_id')

    op.drop_table('services')
    with op.batch_alter_table('tariffs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tariffs_name_ru_key'))
        batch_op.drop_index(batch_op.f('ix_tariffs_name_key'))
        batch_op.drop_index(batch_op.f('ix_tariffs_department_id'))
        batch_op.drop_index('ix_tariffs_archived_name')

    op.drop_table('tariffs')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index('ix_payments_status_id')
        batch_op.drop_index('ix_payments_received_on')
        batch_op.drop_index(batch_op.f('ix_payments_invoice_id'))
        batch_op.drop_index('ix_payments_client_id')

    op.drop_table('payments')
    with op.batch_alter_table('outbox_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_attachments_message_id'))

    op.drop_table('outbox_attachments')
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoice_lines_invoice_id'))

    op.drop_table('invoice_lines')
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index('ix_invoices_status_id')
        batch_op.drop_index('ix_invoices_client_id')

    op.drop_table('invoices')
    op.drop_table('company_settings')
    op.drop_table('invoice_counters')
