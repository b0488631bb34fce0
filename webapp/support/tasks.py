"""The support center's periodic work in the worker: overdue tickets tell their department once."""
from webapp.support.notify import overdue_tickets
from webapp.worker import crontab, periodic_task


@periodic_task(crontab(minute="*"))
def notify_overdue_tickets() -> int:
    return overdue_tickets()
