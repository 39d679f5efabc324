"""The deadline-dependent tests pass whatever day they run on.

For each fixed instant below, pytest runs the deadline-dependent modules in a child
process whose clock (and that of every Python process it starts) has been moved to that
instant: tests/clock/sitecustomize.py does it with time-machine when PLAINT_TEST_CLOCK is
set. A test that decides what it expects from the real clock fails on some of these days.

It runs once, on SQLite (the child runs on its own SQLite file). Deselect it with
`-m "not fixed_days"` for a quicker run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
LONDON = ZoneInfo("Europe/London")  # the organisations' time zone in the tests

# Instants chosen to catch counting that quietly depends on the day of the week or year.
DAYS = {
    "a Monday morning": datetime(2026, 12, 7, 9, 15, tzinfo=LONDON),
    "a Friday evening": datetime(2026, 12, 4, 18, 45, tzinfo=LONDON),
    "the day before a bank holiday (Good Friday)": datetime(2027, 3, 25, 16, 0, tzinfo=LONDON),
    "31 December, late": datetime(2026, 12, 31, 23, 30, tzinfo=LONDON),
}

# The modules whose results depend on "today": deadline counting and the watch, the
# worker in its own process, and the desk and portal pages that show or act on deadlines.
MODULES = [
    "tests/deadlines",
    "tests/desk/test_queues.py",
    "tests/desk/test_case_actions.py",
    "tests/portal/test_escalation.py",
    "tests/letters/test_fields_and_dates.py",
]

pytestmark = [
    pytest.mark.fixed_days,
    pytest.mark.skipif("PLAINT_TEST_CLOCK" in os.environ, reason="already inside a fixed-day run"),
]


def test_deadline_tests_pass_on_fixed_days(db: None, tmp_path: Path) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the fixed-day runs happen once, on SQLite")
    # The four runs go side by side: most of their time is spent starting processes.
    runs = {
        name: _start(instant, tmp_path / f"day{i}")
        for i, (name, instant) in enumerate(DAYS.items())
    }
    failures = []
    for name, child in runs.items():
        output, _ = child.communicate(timeout=900)
        moved = f"plaint clock: moved to {DAYS[name].isoformat()}"
        # A run whose clock did not move would prove nothing.
        if moved not in output or child.returncode != 0:
            failures.append(f"--- on {name} ({DAYS[name].isoformat()}):\n{output[-4000:]}")
    assert not failures, "\n".join(failures)


def _start(instant: datetime, folder: Path) -> subprocess.Popen[str]:
    folder.mkdir()
    env = {
        **os.environ,
        "PLAINT_TEST_CLOCK": instant.isoformat(),
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT / "tests" / "clock"), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
        "PLAINT_DATA_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'fixed-day.sqlite3'}",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:time_machine",
            *MODULES,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
