"""The models, one module per aggregate."""
from webapp.models.accounts import Account, AccountKind, AccountSession
from webapp.models.audit import AuditEntry
from webapp.models.clients import ClientGroup
from webapp.models.departments import Department, department_client_groups, staff_departments
from webapp.models.hours import BusinessDay, BusinessHoliday, BusinessHours, BusinessInterval, DayMode
from webapp.models.rights import DepartmentRight, StaffRight

__all__ = [
    "Account", "AccountKind", "AccountSession", "AuditEntry", "BusinessDay", "BusinessHoliday", "BusinessHours",
    "BusinessInterval", "ClientGroup",
    "DayMode", "Department", "department_client_groups", "DepartmentRight", "StaffRight", "staff_departments",
]
