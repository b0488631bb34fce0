"""The worker's queue in Redis (REDIS_URL, as with several hosts): enqueued through RedisHuey after the commit,
delivered by a real consumer to the local SMTP server. `make test` runs this under scripts/with-redis."""
import pytest
from huey import RedisHuey
from huey.storage import MemoryStorage
from sqlalchemy import select

import config
from tests.mail import wait_until
from tests.worker import queue_in, running_consumer
from webapp.extensions import db
from webapp.models import OutboxMessage, OutboxStatus
from webapp.outbox import queue_email
from webapp.outbox.tasks import sweep_outbox
from webapp.worker import huey

pytestmark = [pytest.mark.redis,
              pytest.mark.skipif(not config.REDIS_URL, reason="needs REDIS_URL: run under scripts/with-redis")]


def queue(to):
    return queue_email(to=to, subject=f"For {to}", text="Text", html="<p>HTML</p>", topic="test.redis")


def statuses() -> set:
    db.session.commit()
    return set(db.session.scalars(select(OutboxMessage.status)))


@pytest.fixture
def redis_queue():
    """The storage REDIS_URL names, as the worker uses it (emptied before and after)."""
    assert isinstance(huey, RedisHuey)
    storage = huey.get_storage(**huey.storage_kwargs)
    storage.flush_all()
    with queue_in(storage):
        yield huey
    storage.flush_all()


def test_enqueued_in_redis_after_the_commit_and_delivered_by_a_consumer(mail_app, smtp_server, redis_queue):
    queue("rolled-back@example.com")
    db.session.rollback()
    for i in range(3):
        queue(f"r{i}@example.com")
    assert redis_queue.pending_count() == 0  # not before the commit
    db.session.commit()
    assert redis_queue.pending_count() == 3
    with running_consumer(mail_app, workers=2):
        received = smtp_server.inbox.wait_for(3)
        assert wait_until(lambda: statuses() == {OutboxStatus.sent})
    assert sorted(m["To"] for m in received) == ["r0@example.com", "r1@example.com", "r2@example.com"]
    assert len(smtp_server.messages) == 3 and redis_queue.pending_count() == 0


def test_the_sweep_through_redis_sends_what_was_never_enqueued(mail_app, smtp_server, redis_queue):
    with queue_in(MemoryStorage("lost")):  # the enqueue went nowhere
        queue("lost@example.com")
        db.session.commit()
    assert redis_queue.pending_count() == 0
    sweep_outbox()  # the periodic task, enqueued as the consumer's scheduler does every minute
    with running_consumer(mail_app, workers=1):
        [received] = smtp_server.inbox.wait_for(1)
        assert wait_until(lambda: statuses() == {OutboxStatus.sent})
    assert received["To"] == "lost@example.com"
