"""Tasks' periodic work in the worker: a task past its deadline tells its department once."""
from webapp.tasks.notify import overdue_tasks
from webapp.worker import crontab, periodic_task


@periodic_task(crontab(minute="*"))
def notify_overdue_tasks() -> int:
    return overdue_tasks()
