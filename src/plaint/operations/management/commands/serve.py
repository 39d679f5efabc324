"""`plaint serve [--check] [--bind ADDRESS] [--workers N]`: the production server
(gunicorn), started only when `plaint.operations.readiness` finds nothing to fix."""

from __future__ import annotations

import os
import shutil
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from plaint.operations.readiness import readiness_problems


def default_workers() -> int:
    """Gunicorn's rule of thumb: two per CPU this process may use, plus one."""
    return 2 * len(os.sched_getaffinity(0)) + 1


class Command(BaseCommand):
    help = (
        "Run the production server (gunicorn) once the installation is ready to serve. "
        "The check: DEBUG off, secret key set, allowed hosts, database reachable, migrations "
        "applied, no demo passwords. --check only checks."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="Check, print, exit.")
        parser.add_argument("--bind", default="127.0.0.1:8000", help="Address (127.0.0.1:8000).")
        parser.add_argument(
            "--workers", type=int, default=0, help="Worker processes (default: 2 per CPU + 1)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = readiness_problems()
        for problem in problems:
            self.stderr.write(f"not ready: {problem}")
        if problems:
            raise CommandError(f"{len(problems)} problem(s): not starting.")
        if options["check"]:
            self.stdout.write("Ready: every production check passed.")
            return
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable))
        gunicorn = gunicorn or shutil.which("gunicorn")
        if gunicorn is None:
            raise CommandError("gunicorn is not installed (pip install gunicorn).")
        workers = options["workers"] or default_workers()
        os.execv(  # noqa: S606 - replaces this process with the server
            gunicorn,
            [gunicorn, "plaint.config.wsgi:application", "--bind", options["bind"],
             "--workers", str(workers)],
        )  # fmt: skip
