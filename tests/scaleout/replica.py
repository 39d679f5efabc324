"""A real streaming replica of the test server, for the read-replica tests.

`StreamingReplica.start()` makes a second PostgreSQL cluster on loopback with
`pg_basebackup -R` from the server the tests run on, and starts it as a hot standby on a
free port, in a folder of its own under /tmp. The primary must accept the standby's
replication connection: a replication role of the test's own is created, and one line
for it (and only it, from 127.0.0.1) is added to the primary's pg_hba.conf and the
configuration reloaded. `stop()` stops the standby, removes that line (and nothing else),
reloads, drops the role and removes the folder: the machine's other roles and settings
are left as they were.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

#: Settings a hot standby must have at least as high as its primary.
_AT_LEAST_PRIMARY = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


class ReplicaUnavailable(RuntimeError):
    """A replica cannot be made on this machine (the reason is the message)."""


class BinariesMissing(ReplicaUnavailable):
    """The PostgreSQL programs a replica needs are not installed."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(command: list[str]) -> list[str]:
    """The command run as the `postgres` OS user when we are root (PostgreSQL refuses to
    run as root), as it is otherwise."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class StreamingReplica:
    def __init__(self, *, host: str, port: int, database: str) -> None:
        self.primary_host, self.primary_port, self.database = host, port, database
        self.port = free_port()
        self.role = f"plaint_replica_{os.getpid()}"
        self.marker = f"# plaint test replica {os.getpid()}-{secrets.token_hex(4)}"
        self.password = secrets.token_urlsafe(16)
        self.folder: Path | None = None
        self.hba_file: Path | None = None
        self.role_made = False
        self.started = False
        self.major = ""

    # ---------------------------------------------------------------- the primary
    def _psql(
        self, sql: str, *, port: int | None = None, socket_dir: str = "", database: str = ""
    ) -> str:
        """Run `sql` as the superuser of the primary (or of the standby on `port`)."""
        target = ["-p", str(port or self.primary_port)]
        if socket_dir:
            target += ["-h", socket_dir]
        elif os.geteuid() != 0:
            target += ["-h", self.primary_host]
        command = ["psql", "-X", "-q", "-w", "-tA", "-v", "ON_ERROR_STOP=1", "-U", "postgres"]
        run = subprocess.run(
            _as_postgres([*command, *target, "-d", database or "postgres", "-c", sql]),
            capture_output=True,
            text=True,
            timeout=60,
            cwd="/",
            check=False,
        )
        if run.returncode != 0:
            raise ReplicaUnavailable(f"psql as the superuser failed: {run.stderr.strip()}")
        return run.stdout.strip()

    # ---------------------------------------------------------------- start / stop
    def start(self) -> None:
        if shutil.which("psql") is None:
            raise BinariesMissing("psql is not installed")
        if os.geteuid() == 0 and shutil.which("runuser") is None:
            raise ReplicaUnavailable("runuser is missing (needed to run PostgreSQL as root)")
        self.major = str(int(self._psql("SHOW server_version_num")) // 10000)
        for tool in ("psql", "pg_basebackup", "pg_ctl"):
            if self._binary(tool) is None:
                raise BinariesMissing(f"{tool} (PostgreSQL {self.major}) is not installed")
        self.hba_file = Path(self._psql("SHOW hba_file"))
        if not os.access(self.hba_file, os.W_OK):
            raise ReplicaUnavailable(f"{self.hba_file} is not writable by this user")
        self._psql(f"CREATE ROLE {self.role} WITH REPLICATION LOGIN PASSWORD '{self.password}'")
        self.role_made = True
        line = f"host replication {self.role} 127.0.0.1/32 scram-sha-256 {self.marker}\n"
        self.hba_file.write_text(line + self.hba_file.read_text())
        self._psql("SELECT pg_reload_conf()")
        limits = {name: self._psql(f"SHOW {name}") for name in _AT_LEAST_PRIMARY}

        self.folder = Path(tempfile.mkdtemp(prefix="plaint-replica-"))
        if os.geteuid() == 0:
            shutil.chown(self.folder, user="postgres")
        data = self.folder / "data"
        backup = subprocess.run(
            _as_postgres(
                [
                    str(self._binary("pg_basebackup")),
                    *("-h", self.primary_host, "-p", str(self.primary_port)),
                    *("-U", self.role, "-D", str(data), "-R", "-X", "stream", "-c", "fast"),
                    "-w",
                ]
            ),
            env={**os.environ, "PGPASSWORD": self.password},
            capture_output=True,
            text=True,
            timeout=300,
            cwd="/",
            check=False,
        )
        if backup.returncode != 0:
            raise RuntimeError(f"pg_basebackup failed: {backup.stderr}")
        # Debian keeps the configuration outside the data folder: give the standby its own.
        config = {
            "port": str(self.port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.folder}'",
            "hot_standby": "on",
            "shared_buffers": "16MB",
            "logging_collector": "off",
            **limits,
        }
        self._write(data / "postgresql.conf", "".join(f"{k} = {v}\n" for k, v in config.items()))
        self._write(
            data / "pg_hba.conf",
            "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n",
        )
        self._write(data / "pg_ident.conf", "")
        start = subprocess.run(
            _as_postgres(
                [
                    *(str(self._binary("pg_ctl")), "-D", str(data)),
                    *("-l", str(self.folder / "log"), "-w", "-t", "120", "start"),
                ]
            ),
            capture_output=True,
            text=True,
            timeout=180,
            cwd="/",
            check=False,
        )
        self.started = True
        if start.returncode != 0:
            log = self.folder / "log"
            raise RuntimeError(
                f"the standby did not start: {start.stderr} "
                f"{log.read_text() if log.exists() else ''}"
            )

    def stop(self) -> None:
        if self.folder is not None and self.started:
            subprocess.run(
                _as_postgres(
                    [
                        *(str(self._binary("pg_ctl")), "-D", str(self.folder / "data")),
                        *("-m", "fast", "-w", "stop"),
                    ]
                ),
                capture_output=True,
                timeout=120,
                cwd="/",
                check=False,
            )
        if self.hba_file is not None and self.hba_file.exists():
            kept = [
                line
                for line in self.hba_file.read_text().splitlines(keepends=True)
                if self.marker not in line
            ]
            self.hba_file.write_text("".join(kept))
            self._psql("SELECT pg_reload_conf()")
        if self.role_made:
            self._psql(f"DROP ROLE IF EXISTS {self.role}")
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    # ---------------------------------------------------------------- on the standby
    def sql(self, sql: str) -> str:
        """Run `sql` in the test database as the standby's superuser (its own socket)."""
        assert self.folder is not None
        return self._psql(sql, port=self.port, socket_dir=str(self.folder), database=self.database)

    def wait_for(self, sql: str, expected: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while (got := self.sql(sql)) != expected:
            if time.monotonic() > deadline:
                raise AssertionError(f"{sql!r} gave {got!r}, not {expected!r}, on the standby")
            time.sleep(0.1)

    # ---------------------------------------------------------------- helpers
    def _binary(self, name: str) -> Path | None:
        """`name` from the server's own major version (Debian keeps it out of PATH)."""
        own = Path(f"/usr/lib/postgresql/{self.major}/bin/{name}")
        if own.exists():
            return own
        found = shutil.which(name)
        return Path(found) if found else None

    def _write(self, path: Path, text: str) -> None:
        if os.geteuid() == 0:
            path.write_text(text)
            shutil.chown(path, user="postgres", group="postgres")
        else:
            path.write_text(text)
