"""Profile one page of the app in-process, on the benchmark's data (bench.populate), through Flask's test client.

Usage: python bench/profile_page.py [PATH] [--requests 200] [--user admin|member|client] [--sort cumulative|tottime]
Uses pyinstrument when it is installed (pip install pyinstrument; not a requirement), else cProfile.
"""
import argparse
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (bench puts the project on sys.path)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path", nargs="?", default="/provider/staff/")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--user", choices=tuple(bench.LOGINS), default="admin")
    parser.add_argument("--sort", default="cumulative", help="cProfile's sort key")
    parser.add_argument("--cprofile", action="store_true", help="cProfile even if pyinstrument is installed")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="profile-"))
    try:
        profile(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def profile(args, workdir: Path) -> None:
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'bench.sqlite3'}"
    bench.populate(database_url)
    sizes = {f"{name}_PER_PAGE": 50 for name in bench.PER_PAGE_SETTINGS}  # the twin's 50 rows, as bench.py
    os.environ.update({name: str(size) for name, size in sizes.items()})
    from config import Config
    from webapp import create_app

    config = type("ProfileConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench",
                                               **sizes})
    client = create_app(config).test_client()
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/login").text).group(1)
    login = bench.LOGINS[args.user]
    client.post("/login", data={"login": login, "password": bench.ADMIN_PASSWORD, "csrf_token": token})
    for _ in range(20):  # warm up: template compilation, first connections
        assert client.get(args.path).status_code == 200, args.path

    def run():
        for _ in range(args.requests):
            client.get(args.path)

    started = time.perf_counter()
    run()
    elapsed = time.perf_counter() - started
    print(f"{args.path}: {1000 * elapsed / args.requests:.2f} ms a request in-process, unprofiled")
    try:
        if args.cprofile:
            raise ImportError
        from pyinstrument import Profiler
    except ImportError:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(run)
        pstats.Stats(profiler).strip_dirs().sort_stats(args.sort).print_stats(40)
    else:
        profiler = Profiler(interval=0.0005)
        profiler.start()
        run()
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
