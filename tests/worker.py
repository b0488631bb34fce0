"""Running the worker for real in tests: the queue in a storage of its own, and a Huey consumer in threads."""
import signal
from contextlib import contextmanager

from webapp.worker import huey, use_app

SIGNALS = [s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]


@contextmanager
def queue_in(storage):
    """Tasks are enqueued into `storage` (a SQLite file, Redis) instead of running in-process at once."""
    saved = huey.storage, huey.immediate, huey.immediate_use_memory
    huey.immediate_use_memory = False  # switching immediate off must not create the default storage
    huey.immediate = False
    huey.storage = storage
    try:
        yield huey
    finally:
        huey.storage, huey.immediate, huey.immediate_use_memory = saved


@contextmanager
def running_consumer(app, workers: int = 2, periodic: bool = False):
    """A real Huey consumer (threads) running the tasks in `app`, stopped at the end of the block."""
    use_app(app)
    handlers = {s: signal.getsignal(s) for s in SIGNALS}  # Consumer.start() installs its own
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=periodic, initial_delay=0.05,
                                    max_delay=0.2, check_worker_health=False)
    consumer.start()
    try:
        yield consumer
    finally:
        consumer.stop(graceful=True)
        for s, handler in handlers.items():
            signal.signal(s, handler)
        use_app(None)
