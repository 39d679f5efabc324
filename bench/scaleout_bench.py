"""Write throughput on one PostgreSQL (issue 17, "Figures"): two app processes filing
complaints while `plaint worker --processes 2` triages them, straight to PostgreSQL and
then through PgBouncer in transaction mode (PLAINT_DATABASE_POOLED=1).

    .venv/bin/python bench/scaleout_bench.py [--cases 150] [--modes direct,pgbouncer]

Each app process is a separate Python that files complaints one after another through
`complaint_receive_queued`, the service behind `POST /api/cases` (the case, its ledger
event, search entry and deadlines in one transaction, triage queued as a task); HTTP is
left out, so the figure is the database's share of a filing. The two worker processes
claim the triage tasks with SKIP LOCKED as they arrive. Printed: complaints filed per
second (both app processes together, while the workers run), filing p50/p95, and
complaints filed *and* triaged per second (until the queue is empty).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import fresh_database

ORG = "scaleout"


def app_process(cases: int, start_at: float, index: int) -> None:
    """One app process: file `cases` complaints from `start_at`, print their timings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plaint.config.settings")
    import django

    django.setup()
    from datetime import timedelta

    from django.utils import timezone

    from plaint.accounts.models import Organisation
    from plaint.cases.ledger import Actor
    from plaint.cases.services import CustomerDetails
    from plaint.intake.services import complaint_receive_queued

    org = Organisation.objects.get(slug=ORG)

    def file(n: int) -> None:
        now = timezone.now()
        complaint_receive_queued(
            organisation=org,
            customer=CustomerDetails(name=f"App {index} customer {n}", email=f"a{index}.{n}@x.org"),
            channel="web",
            received_at=now - timedelta(hours=1),
            description=f"Complaint {n} from app process {index}: I was charged twice.",
            regime="UK-FCA-DISP",
            actor=Actor.system("bench"),
            now=now,
        )

    file(-1)  # warm-up, not timed: the first filing loads the regimes and calendars
    while time.time() < start_at:
        time.sleep(0.005)
    timings = []
    for n in range(cases):
        began = time.perf_counter()
        file(n)
        timings.append(time.perf_counter() - began)
    print(json.dumps(timings))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pgbouncer(url: str, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """PgBouncer in transaction mode in front of `url`'s database; its process and URL."""
    parts = urlsplit(url)
    user, password, name = parts.username, parts.password, parts.path.lstrip("/")
    port = _free_port()
    (folder / "users.txt").write_text(f'"{user}" "{password}"\n')
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"{name} = host={parts.hostname} port={parts.port or 5432} dbname={name} "
        f"user={user} password={password}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir = \n"
        f"auth_type = plain\nauth_file = {folder / 'users.txt'}\n"
        "pool_mode = transaction\ndefault_pool_size = 4\nmax_client_conn = 50\n"
        f"logfile = {folder / 'pgbouncer.log'}\npidfile = {folder / 'pgbouncer.pid'}\n"
        "log_connections = 0\nlog_disconnections = 0\n"
    )
    command = [shutil.which("pgbouncer") or "/usr/sbin/pgbouncer", str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:  # pgbouncer refuses to run as root
        for path in [folder, *folder.iterdir()]:
            shutil.chown(path, user="postgres")
        command = ["runuser", "-u", "postgres", "--", *command]
    process = subprocess.Popen(command)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, f"postgres://{user}:{password}@127.0.0.1:{port}/{name}"
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("pgbouncer did not start") from None
            time.sleep(0.1)


def _untriaged() -> int:
    from plaint.cases.models import Case

    return Case.objects.filter(organisation__slug=ORG, triage__isnull=True).count()


def run(mode: str, url: str, cases: int) -> str:
    env = {**os.environ, "DATABASE_URL": url}
    if mode == "pgbouncer":
        env["PLAINT_DATABASE_POOLED"] = "1"
    workers = subprocess.Popen(
        [
            *(sys.executable, "-m", "plaint", "worker", "--processes", "2"),
            *("--interval", "3600", "--poll", "0.1", "--verbosity", "0"),
        ],
        env=env,
    )
    start_at = time.time() + 4.0  # every process imported and connected first
    apps = [
        subprocess.Popen(
            [sys.executable, __file__, "--cases", str(cases), "--app", str(start_at), str(i)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    timings: list[float] = []
    for app in apps:
        out, _ = app.communicate()
        if app.returncode:
            raise SystemExit(f"an app process failed (exit {app.returncode})")
        timings += json.loads(out.strip().splitlines()[-1])
    filed = time.time() - start_at
    while _untriaged():
        if workers.poll() is not None or time.time() - start_at > 600:
            raise SystemExit("the workers stopped or took over 10 minutes")
        time.sleep(0.1)
    done = time.time() - start_at
    workers.send_signal(signal.SIGTERM)
    workers.wait(timeout=60)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))] * 1e3
    return (
        f"{mode:>10} {len(timings) / filed:>9.1f} {statistics.median(timings) * 1e3:>8.1f} "
        f"{p95:>8.1f} {len(timings) / done:>13.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=150, help="per app process")
    parser.add_argument("--modes", default="direct,pgbouncer")
    parser.add_argument("--app", nargs=2, type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.app:
        app_process(args.cases, args.app[0], int(args.app[1]))
        return
    print(f"PostgreSQL, 2 app processes x {args.cases} complaints, plaint worker --processes 2")
    print(f"{'':>10} {'filed/s':>9} {'p50 ms':>8} {'p95 ms':>8} {'filed+triaged/s':>13}")
    for mode in args.modes.split(","):
        url = fresh_database("postgres", "plaint_scaleout_bench")
        from django.db import connections
        from django.utils import timezone

        from plaint.accounts.services import organisation_create

        organisation_create(slug=ORG, name="Scale-out Ltd", now=timezone.now())
        connections.close_all()
        folder = Path(tempfile.mkdtemp(prefix="plaint-bench-pgbouncer-"))
        bouncer = None
        try:
            if mode == "pgbouncer":
                bouncer, target = pgbouncer(url, folder)
            else:
                target = url
            print(run(mode, target, args.cases), flush=True)
        finally:
            if bouncer is not None:
                bouncer.terminate()
                bouncer.wait(timeout=10)
            shutil.rmtree(folder, ignore_errors=True)
            connections.close_all()


if __name__ == "__main__":
    main()
