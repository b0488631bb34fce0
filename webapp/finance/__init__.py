"""Finance: payments received from clients, charges to their accounts (expenses), the ledger of balances, and
the financial report. Three blueprints, one per page and function: /payments, /expenses, /reports."""
from flask import Blueprint

payments_bp = Blueprint("payments", __name__, url_prefix="/payments")
expenses_bp = Blueprint("expenses", __name__, url_prefix="/expenses")
reports_bp = Blueprint("reports", __name__, url_prefix="/reports")

from webapp.finance import expense_routes, payment_routes, report_routes  # noqa: E402,F401
