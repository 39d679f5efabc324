"""`plaint consumer`: start the local single-user workspace in the browser.

It serves on 127.0.0.1 only, keeps its own SQLite file in the user's data folder
(`$XDG_DATA_HOME/plaint-consumer`, `~/.local/share/plaint-consumer` by default, or
`--data-dir`), needs no account and sends nothing anywhere.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


def default_data_dir() -> Path:
    """The user's data folder for the workspace, as the platform names it."""
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "Plaint Consumer"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "Plaint Consumer"
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "plaint-consumer"


class Command(BaseCommand):
    help = "Start your own consumer workspace in the browser (127.0.0.1, no account)."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (8765)")
        parser.add_argument("--data-dir", help="folder for the workspace's database")
        parser.add_argument(
            "--no-serve", action="store_true", help="only create or update the database"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["data_dir"] or default_data_dir()).expanduser().resolve()
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        port = options["port"]
        if not 1 <= port <= 65535:
            raise CommandError("--port must be between 1 and 65535")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "plaint.config.consumer_settings",
            "PLAINT_DATA_DIR": str(folder),
            "DATABASE_URL": f"sqlite:///{folder / 'workspace.sqlite3'}",
            "PLAINT_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "PLAINT_SMTP_URL": "",
        }
        plaint = [sys.executable, "-m", "plaint"]
        done = subprocess.run(  # noqa: S603 (our own interpreter and arguments)
            [*plaint, "migrate", "--no-input", "-v", "0"], env=env, check=False
        )
        if done.returncode:
            raise CommandError("The workspace's database could not be created or updated.")
        self.stdout.write(f"Workspace data: {folder}")
        if options["no_serve"]:
            return
        self.stdout.write(f"Open http://127.0.0.1:{port}/ in your browser (Ctrl-C to stop).")
        try:
            subprocess.run(  # noqa: S603 (our own interpreter and arguments)
                [*plaint, "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
                env=env,
                check=False,
            )
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")
