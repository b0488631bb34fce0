"""The outbox's worker tasks: deliver one message (enqueued after the commit that wrote it), and the sweep
every minute that sends whatever is due (retries after a backoff, a lost enqueue, messages held until SMTP was
configured, a claim whose worker died)."""
from webapp.outbox.delivery import deliver_message, due_ids
from webapp.worker import crontab, periodic_task, task


@task()
def deliver(message_id: int) -> str:
    """Send one message if it is due; failures are recorded on it, not raised (the sweep retries)."""
    return deliver_message(message_id)


@periodic_task(crontab(minute="*"))
def sweep_outbox() -> int:
    """Enqueue every due message (or mark them held without an SMTP server); returns how many."""
    ids = due_ids()
    for message_id in ids:
        deliver(message_id)
    return len(ids)
