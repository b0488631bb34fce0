"""`make run`'s processes: honcho starts the Procfile's web server and worker together, the worker delivers
what the app queued, and an interrupt (Ctrl-C) stops both."""
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from huey.storage import SqliteStorage
from sqlalchemy import select

import config
from tests.mail import free_port, wait_until
from tests.worker import queue_in
from webapp.extensions import db
from webapp.models import OutboxMessage, OutboxStatus
from webapp.outbox import queue_email

BIN = Path(sys.executable).parent


def worker_environment(app, smtp_server, tmp_path) -> dict:
    """What a developer's shell has under `make run`: the venv's bin on PATH, the database, SMTP from the
    environment, the queue in its SQLite file (no REDIS_URL)."""
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "HUEY_IMMEDIATE")}
    env.update(PATH=f"{BIN}:{env.get('PATH', '')}", DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
               INSTANCE_PATH=str(tmp_path / "instance"), HUEY_FILE=str(tmp_path / "huey.sqlite3"),
               SECRET_KEY="worker-test", SMTP_HOST=smtp_server.host, SMTP_PORT=str(smtp_server.port),
               SMTP_SECURITY="none", PYTHONUNBUFFERED="1")
    return env


def descendants(pid: int) -> set[int]:
    """Every process started under `pid` (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.mark.skipif(not (BIN / "honcho").exists(), reason="honcho is not installed in this environment")
def test_make_runs_procfile_starts_web_and_worker_and_ctrl_c_stops_both(mail_app, smtp_server, tmp_path):
    port = free_port()
    log = open(tmp_path / "honcho.log", "w+")
    honcho = subprocess.Popen([str(BIN / "honcho"), "start", "--procfile", "Procfile", "--port", str(port)],
                              cwd=config.BASE_DIR, env=worker_environment(mail_app, smtp_server, tmp_path),
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        assert wait_until(lambda: answers(f"http://127.0.0.1:{port}/login"), timeout=30), _tail(log)
        with queue_in(SqliteStorage("console", filename=str(tmp_path / "huey.sqlite3"))):
            queue_email(to="procfile@example.com", subject="From the worker", text="Text", html="<p>HTML</p>",
                        topic="test.procfile")
            db.session.commit()  # enqueued into the worker's SQLite queue
        [received] = smtp_server.inbox.wait_for(1, timeout=30) or [None]
        assert received is not None and received["To"] == "procfile@example.com", _tail(log)

        def sent():
            db.session.commit()
            return db.session.scalar(select(OutboxMessage.status)) is OutboxStatus.sent

        assert wait_until(sent, timeout=10)
        processes = descendants(honcho.pid)
        assert len(processes) >= 2  # gunicorn (and its worker) and huey_consumer
    finally:
        os.killpg(honcho.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends to the foreground group
        try:
            honcho.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(honcho.pid, signal.SIGKILL)
            raise
    assert wait_until(lambda: not any(alive(pid) for pid in processes), timeout=15), _tail(log)
    assert not answers(f"http://127.0.0.1:{port}/login")


def _tail(log) -> str:
    log.flush()
    log.seek(0)
    return log.read()[-3000:]
