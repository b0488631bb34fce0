"""The models, one module per aggregate."""
from webapp.models.accounts import Account, AccountKind, AccountSession
from webapp.models.audit import AuditEntry
from webapp.models.billing import (
                                   BillingPeriod,
                                   Charge,
                                   Invoice,
                                   InvoiceCounter,
                                   InvoiceLine,
                                   InvoiceStatus,
                                   Payment,
                                   PaymentMethod,
                                   PaymentStatus,
                                   Provisioning,
                                   Service,
                                   ServiceEvent,
                                   ServiceOperation,
                                   ServiceStatus,
                                   Tariff,
)
from webapp.models.clients import ClientGroup
from webapp.models.departments import Department, department_client_groups, staff_departments
from webapp.models.hours import BusinessDay, BusinessHoliday, BusinessHours, BusinessInterval, DayMode
from webapp.models.outbox import OutboxAttachment, OutboxChannel, OutboxMessage, OutboxStatus
from webapp.models.rights import DepartmentRight, StaffRight
from webapp.models.settings import CompanySettings
from webapp.models.tasks import OPEN_TASK_STATUSES, Task, TaskEvent, TaskStatus
from webapp.models.tickets import (
                                   AssignmentMode,
                                   CannedReply,
                                   MessageKind,
                                   Ticket,
                                   TicketAttachment,
                                   TicketMessage,
                                   TicketStatus,
)

__all__ = [
    "Account", "AccountKind", "AccountSession", "AuditEntry", "BusinessDay", "ClientGroup", "BusinessHours",
    "DayMode", "Department", "department_client_groups", "DepartmentRight", "OutboxChannel", "OutboxMessage",
    "OutboxStatus", "StaffRight", "staff_departments",
    "AssignmentMode", "CannedReply", "MessageKind", "Ticket", "TicketAttachment", "TicketMessage", "TicketStatus",
    "BusinessHoliday", "BusinessInterval",
    "BillingPeriod", "Charge", "Invoice", "InvoiceCounter", "InvoiceLine", "InvoiceStatus", "Payment", "PaymentMethod",
    "PaymentStatus", "Provisioning", "Service", "ServiceEvent", "ServiceOperation", "ServiceStatus", "Tariff",
    "OutboxAttachment", "CompanySettings", "OPEN_TASK_STATUSES", "Task", "TaskEvent", "TaskStatus",
]
