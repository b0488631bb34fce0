"""The background worker: one Huey instance, and the decorators that run its tasks inside the Flask app.

Run it with `huey_consumer webapp.worker.huey` (`make run` starts it beside the web server). The queue is a
SQLite file of its own under instance/ by default, Redis when REDIS_URL is set (several hosts). A module with
tasks declares them with `@task(...)` or `@periodic_task(crontab(...))` from here and is imported at the
bottom of this file, so that the consumer knows every task:

    from webapp.worker import crontab, periodic_task

    @periodic_task(crontab(minute="*/5"))
    def mark_overdue_tickets(): ...   # runs in an app context: db.session, current_app, templates
"""
import functools
import threading

from flask import Flask, current_app, has_app_context
from huey import RedisHuey, SqliteHuey, crontab

import config

__all__ = ["crontab", "huey", "periodic_task", "task", "use_app"]


def make_huey():
    """RedisHuey when REDIS_URL is set, else SqliteHuey in its own file (its tables would clash with ours)."""
    if config.REDIS_URL:
        return RedisHuey("console", url=config.REDIS_URL, immediate=config.HUEY_IMMEDIATE, results=False)
    if not config.HUEY_IMMEDIATE:  # immediate mode keeps its queue in memory: no file
        config.HUEY_FILE.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("console", filename=str(config.HUEY_FILE), immediate=config.HUEY_IMMEDIATE,
                      results=False)  # nobody reads return values: they would pile up


huey = make_huey()

_app: Flask | None = None
_app_lock = threading.Lock()


def use_app(app: Flask | None) -> None:
    """Run tasks in this app (tests bind theirs); None: the worker creates its own on the first task."""
    global _app
    _app = app


def _task_app() -> Flask:
    """The app a task runs in: the one in use here (immediate mode, tests), the bound one, or a new one."""
    global _app
    if has_app_context():
        return current_app._get_current_object()
    with _app_lock:
        if _app is None:
            from webapp import create_app

            _app = create_app()
        return _app


def _in_app_context(func):
    @functools.wraps(func)
    def run(*args, **kwargs):
        # A fresh app context each time: its own database session (and `g`), even when called in-process
        # from another session's after_commit hook.
        with _task_app().app_context():
            return func(*args, **kwargs)

    return run


def task(**options):
    """huey.task, running the function inside the Flask app."""
    def decorate(func):
        return huey.task(**options)(_in_app_context(func))

    return decorate


def periodic_task(validate_datetime, **options):
    """huey.periodic_task (e.g. crontab(minute="*")), running the function inside the Flask app."""
    def decorate(func):
        return huey.periodic_task(validate_datetime, **options)(_in_app_context(func))

    return decorate


# Every module with tasks, so that the consumer registers them (add yours here).
from webapp.outbox import tasks as _outbox_tasks  # noqa: E402,F401
from webapp.services import tasks as _services_tasks  # noqa: E402,F401
from webapp.support import tasks as _support_tasks  # noqa: E402,F401
from webapp.tasks import jobs as _task_jobs  # noqa: E402,F401
