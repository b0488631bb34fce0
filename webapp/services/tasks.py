"""Services' periodic work in the worker: renew the services whose paid period has ended."""
from webapp.services.renewal import renew_due_services
from webapp.worker import crontab, periodic_task


@periodic_task(crontab(minute="7"))
def renew_services() -> int:
    """Hourly (a day's renewals do not wait for midnight in every zone); idempotent, so a rerun charges nothing."""
    return renew_due_services()
