"""Benchmark: the data shape of RECIPES.md (200 departments, 5,000 staff in 1–10 departments each),
served by gunicorn with 2 sync workers, loaded by wrk (16 connections) on loopback.

Usage: make bench   (or: python bench/bench.py --seconds 10)
"""
import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADMIN_PASSWORD = "bench-admin-password"
# Reference figures of a minimal Flask app on this kind of machine (RECIPES.md), req/s, and what they measured.
# The login page loads a session and renders a form with a CSRF token: the closest figure is the session load.
REFERENCE = {"login page": (1600, "session load"), "dashboard": (1150, "session + rights query"),
             "staff list": (355, "50-row staff list")}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def populate(database_url: str) -> None:
    from sqlalchemy import insert

    from config import Config
    from webapp import create_app
    from webapp.cli import seed_defaults
    from webapp.extensions import db
    from webapp.models import Account, Department, DepartmentRight, StaffRight, staff_departments
    from webapp.rights.catalog import ALL_IDS

    config = type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    app = create_app(config)
    rng = random.Random(7)
    ids = sorted(ALL_IDS)
    with app.app_context():
        db.create_all()
        seed_defaults(ADMIN_PASSWORD)
        db.session.flush()
        hours_id = db.session.scalar(db.select(Department.business_hours_id).limit(1))
        db.session.execute(insert(Department), [
            {"name_en": f"Department {i:03d}", "name_ru": f"Отдел {i:03d}", "business_hours_id": hours_id,
             "show_in_support": i % 3 == 0, "task_locale": "en"} for i in range(198)])
        department_ids = list(db.session.scalars(db.select(Department.id).where(Department.name_en.like("Department %"))))
        viewing = {"staff.view", "departments.view"}
        grants = {d: set(rng.sample([f for f in ids if f not in viewing], 6)) for d in department_ids}
        grants[department_ids[0]] |= viewing  # user0000 views staff and departments through this one
        db.session.execute(insert(DepartmentRight), [
            {"department_id": d, "function_id": f} for d, functions in grants.items() for f in sorted(functions)])
        password_hash = db.session.scalar(db.select(Account.password_hash).where(Account.login == "admin"))
        db.session.execute(insert(Account), [
            {"kind": "staff", "login": f"user{i:04d}", "login_key": f"user{i:04d}", "name_en": f"User {i:04d}",
             "name_ru": f"Сотрудник {i:04d}", "password_hash": password_hash, "email": f"user{i}@example.com",
             "full_access": False, "active": True, "builtin": False, "avatar_version": 0}
            for i in range(5000)])
        staff_ids = list(db.session.scalars(db.select(Account.id).where(Account.login.like("user%"))
                                            .order_by(Account.login)))
        memberships = {s: set(rng.sample(department_ids, rng.randint(1, 10))) for s in staff_ids}
        memberships[staff_ids[0]].add(department_ids[0])
        db.session.execute(insert(staff_departments), [
            {"account_id": s, "department_id": d} for s, departments in memberships.items() for d in departments])
        db.session.execute(insert(StaffRight), [
            {"account_id": s, "function_id": f} for s in staff_ids[::5] for f in rng.sample(ids, 2)])
        db.session.commit()


def login(base: str, user: str, password: str) -> str:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    data = urllib.parse.urlencode({"login": user, "password": password, "csrf_token": token}).encode()
    opener.open(base + "/login", data)
    cookie = next(c for c in jar if c.name == "session")
    return f"session={cookie.value}"


def wrk(url: str, seconds: int, cookie: str | None) -> dict:
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def latency(pct):
        match = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": latency(50), "p99": latency(99), "errors": int(non_2xx.group(1)) if non_2xx else 0}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=8)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: make bench installs it from Debian's packages", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="bench-"))
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    print(f"Populating {database_url} with 200 departments and 5,000 staff...", flush=True)
    started = time.perf_counter()
    populate(database_url)
    print(f"  done in {time.perf_counter() - started:.1f} s")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "bench", "INSTANCE_PATH": str(workdir),
           "STAFF_PER_PAGE": "50"}  # as the reference's 50-row list
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "--bind", f"127.0.0.1:{port}", "--workers", "2",
         "--log-level", "warning", "wsgi:app"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/login", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        admin = login(base, "admin", ADMIN_PASSWORD)
        member = login(base, "user0000", ADMIN_PASSWORD)
        pages = [
            ("login page", "/login", None),
            ("dashboard", "/", admin),
            ("staff list", "/provider/staff/", admin),
            ("staff list, page 50, regular staff", "/provider/staff/?page=50", member),
            ("staff search", "/provider/staff/?q=User%2012", admin),
            ("departments list", "/provider/departments/", admin),
            ("department permissions", "/provider/departments/5/permissions", admin),
            ("staff rights", "/provider/staff/50/rights", admin),
        ]
        print(f"\n{'page':40} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}  reference req/s")
        failed = False
        for name, path, cookie in pages:
            result = wrk(base + path, args.seconds, cookie)
            reference, measured = REFERENCE.get(name, (None, ""))
            verdict = "" if reference is None else (
                f"{reference:>6}  {'beats' if result['rps'] > reference else 'TRAILS'} ({measured})")
            print(f"{name:40} {result['rps']:8.0f} {result['p50']:8.1f} {result['p99']:8.1f} {result['errors']:8d}  {verdict}",
                  flush=True)
            failed |= result["errors"] > 0
        return 1 if failed else 0
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
