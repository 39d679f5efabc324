"""`plaint worker --processes N`: real worker processes side by side on one queue.

On PostgreSQL two processes drain one queue of tasks, each task writing a row under a
unique key: every task ran exactly once (no duplicate key, none missing, each task claimed
by one worker), both processes took a share, and SIGTERM lets the running task finish
before the processes exit 0. On SQLite more than one process is refused with the reason.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django_tasks_db.models import DBTaskResult

from plaint.worker.management.commands.worker import SQLITE_ONE_WRITER
from tests.scaleout.probe_tasks import PROBE_TABLE, probe_write

REPO = Path(__file__).resolve().parents[2]
postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="several worker processes need PostgreSQL: this is a SQLite run",
)


class Pool:
    """`plaint worker --processes N` in a process of its own, its output collected."""

    def __init__(self, processes: int, data_dir: Path) -> None:
        db = connection.settings_dict
        url = (
            f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}"
        )
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "plaint.config.settings",
            "DATABASE_URL": url,
            "PLAINT_DATA_DIR": str(data_dir),
            "PYTHONPATH": str(REPO),  # the probe task lives in tests/
        }
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "plaint", "worker", "--processes", str(processes)),
                *("--interval", "3600", "--poll", "0.1"),
            ],
            env=env,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, count: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while sum(text in line for line in self.lines) < count:
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"waited for {count} x {text!r}; output: {self.lines}")
            time.sleep(0.05)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=30)


@pytest.fixture
def probe(transactional_db: None) -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {PROBE_TABLE} (key text PRIMARY KEY, pid integer)")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {PROBE_TABLE}")


def _probe_results() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(task_path__endswith="probe_write"))


def _wait_finished(count: int, timeout: float = 90) -> list[DBTaskResult]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        results = _probe_results()
        if sum(r.status in ("SUCCESSFUL", "FAILED") for r in results) >= count:
            return results
        time.sleep(0.1)
    pytest.fail(f"only {[r.status for r in _probe_results()]} after {timeout} s")


@postgres_only
def test_two_worker_processes_run_every_task_exactly_once(probe: None, tmp_path: Path) -> None:
    pool = Pool(2, tmp_path)
    try:
        pool.wait_for("ready", 2)
        keys = [f"task-{n:03d}" for n in range(60)]
        for key in keys:
            probe_write.enqueue(key=key, pause=0.03)
        results = _wait_finished(len(keys))
    finally:
        status = pool.stop()
    assert status == 0, pool.lines
    assert {r.status for r in results} == {"SUCCESSFUL"}, [r.traceback for r in results]
    assert all(len(r.worker_ids) == 1 for r in results)  # each claimed once, by one worker
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key, pid FROM {PROBE_TABLE}")
        rows = cursor.fetchall()
    assert sorted(key for key, _ in rows) == keys  # none lost, none twice (unique key)
    pids = {pid for _, pid in rows}
    assert len(pids) == 2, pool.lines  # both processes took a share of the queue
    assert {r.return_value for r in results} == pids
    assert {pid for _, pid in rows} != {pool.process.pid}  # the parent runs no task


@postgres_only
def test_sigterm_finishes_the_running_task_then_every_process_exits(
    probe: None, tmp_path: Path
) -> None:
    pool = Pool(2, tmp_path)
    try:
        pool.wait_for("ready", 2)
        probe_write.enqueue(key="slow", pause=2.0)
        deadline = time.monotonic() + 30
        while not DBTaskResult.objects.filter(status="RUNNING").exists():
            assert time.monotonic() < deadline, pool.lines
            time.sleep(0.05)
        stopped_at = time.monotonic()
        pool.process.send_signal(signal.SIGTERM)
        status = pool.process.wait(timeout=30)
    finally:
        pool.stop()
    assert status == 0, pool.lines
    assert time.monotonic() - stopped_at < 15
    (result,) = _probe_results()
    assert result.status == "SUCCESSFUL"  # the task was finished, not cut off
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key FROM {PROBE_TABLE}")
        assert cursor.fetchall() == [("slow",)]
    assert sum("stopped" in line for line in pool.lines) == 2, pool.lines


def test_more_processes_than_one_are_refused_on_sqlite(db: None) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the refusal is SQLite's; PostgreSQL runs the pool (tests above)")
    with pytest.raises(CommandError) as refused:
        call_command("worker", "--processes", "2", "--once")
    assert str(refused.value) == SQLITE_ONE_WRITER
    assert not DBTaskResult.objects.exists()  # nothing was queued or run


@pytest.mark.parametrize("value", ["0", "65", "-1"])
def test_a_process_count_out_of_bounds_is_refused(db: None, value: str) -> None:
    with pytest.raises(CommandError, match="--processes must be between 1 and 64"):
        call_command("worker", "--processes", value, "--once")
