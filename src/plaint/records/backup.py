"""Backup and restore of a whole installation: the database, every file store, the kept
secret key, in one `.tar.gz` with a manifest of hashes (`plaint backup`, `plaint restore`).

The database is copied while the desk runs: SQLite through its online backup API (a
consistent copy of the committed state, WAL included), PostgreSQL with `pg_dump
--format=custom` inside a REPEATABLE READ snapshot whose ledger fingerprint goes in the
manifest. A restore reads and hashes the whole archive into a staging folder before it
writes anything to the installation, refuses an installation that is not empty, and
compares the restored ledger's fingerprint with the manifest's.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction

import plaint
from plaint.accounts.models import Organisation
from plaint.cases import evidence_store
from plaint.cases.models import Case, CaseEvent
from plaint.config.appsettings import APP
from plaint.config.secret_key import KEY_FILE
from plaint.domain.backup import (
    DATABASE_MEMBERS,
    KEY_MEMBER,
    MANIFEST,
    BackupError,
    Entry,
    Manifest,
    archive_problems,
    ledger_fingerprint,
    manifest_dump,
    manifest_load,
    member_name_check,
)
from plaint.letters import store as letter_store
from plaint.messaging import rawstore
from plaint.records.anchoring import records_root
from plaint.records.models import Checkpoint

CHUNK = 1 << 20
_MANIFEST_LIMIT = 64 << 20


def store_roots() -> dict[str, Path]:
    """Where each file store keeps its files, by its name in the archive."""
    return {
        "evidence": evidence_store.root(),
        "letters": letter_store.root(),
        "mail": rawstore.root(),
        "records": records_root(),
        "media": Path(settings.MEDIA_ROOT),
    }


def engine() -> str:
    vendor = connection.vendor
    if vendor not in DATABASE_MEMBERS:
        raise BackupError(f"backups of a {vendor} database are not supported")
    return vendor


@dataclass(frozen=True, slots=True)
class BackupSummary:
    path: Path
    manifest: Manifest
    bytes: int


@dataclass(slots=True)
class ArchiveCheck:
    manifest: Manifest | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.manifest is not None and not self.problems


# ---------------------------------------------------------------------- backup


def backup_write(*, output: Path, created_at: datetime) -> BackupSummary:
    """Write the archive to `output` (atomically: a partial archive never has its name)."""
    if created_at.tzinfo is None:
        raise ValueError("created_at must be timezone-aware")
    kind = engine()
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".plaint-backup-") as work:
        dump = Path(work) / Path(DATABASE_MEMBERS[kind]).name
        if kind == "sqlite":
            _sqlite_snapshot(dump)
            snapshot = sqlite3.connect(dump)
            try:
                ledger, checkpoints = _ledger_state(snapshot.cursor())
            finally:
                snapshot.close()
        else:
            ledger, checkpoints = _postgres_dump(dump)
        partial = Path(work) / "archive.tar.gz"
        entries: list[Entry] = []
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            entries.append(_add_file(tar, DATABASE_MEMBERS[kind], dump))
            for store, root in store_roots().items():
                for path in _files(root):
                    name = f"files/{store}/{path.relative_to(root).as_posix()}"
                    if (why := member_name_check(name)) is not None:
                        raise BackupError(f"{path} cannot be backed up: {why}")
                    entries.append(_add_file(tar, name, path))
            source = "environment" if APP.secret_key else "absent"
            key_file = APP.data_dir / KEY_FILE
            if not APP.secret_key and key_file.is_file():
                entries.append(_add_file(tar, KEY_MEMBER, key_file))
                source = "archive"
            manifest = Manifest(
                plaint_version=plaint.__version__,
                engine=kind,
                created_at=created_at.isoformat(),
                entries=tuple(entries),
                ledger=ledger,
                checkpoints=checkpoints,
                key_source=source,
            )
            data = manifest_dump(manifest)
            info = _info(MANIFEST, len(data))
            tar.addfile(info, io.BytesIO(data))
        _fsync(partial)
        os.replace(partial, output)
        _fsync_dir(output.parent)
    return BackupSummary(path=output, manifest=manifest, bytes=output.stat().st_size)


def _sqlite_snapshot(target: Path) -> None:
    """Copy the live database with SQLite's online backup API (readers and writers of
    the desk carry on; the copy is the committed state at one moment)."""
    connection.ensure_connection()
    source = connection.connection
    if connection.in_atomic_block:
        raise BackupError("a backup cannot be taken inside a transaction")
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        destination.close()


def _postgres_dump(target: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """pg_dump in a snapshot exported from a REPEATABLE READ transaction, whose ledger
    state is read in the same snapshot (so the manifest describes the dump exactly)."""
    pg_dump = _tool("pg_dump")
    if connection.in_atomic_block:
        raise BackupError("a backup cannot be taken inside a transaction")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        with connection.cursor() as cursor:
            ledger, checkpoints = _ledger_state(cursor)
        _run(
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-acl",
                f"--snapshot={snapshot}",
                f"--file={target}",
            ],
            "pg_dump",
        )
    return ledger, checkpoints


def _ledger_state(cursor: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """Each organisation's ledger fingerprint and latest checkpoint, read through a DB-API
    `cursor` (Django's, or sqlite3's on a snapshot copy): plain SQL both engines speak."""
    case, event = Case._meta.db_table, CaseEvent._meta.db_table
    org, checkpoint = Organisation._meta.db_table, Checkpoint._meta.db_table
    heads: dict[str, list[tuple[str, str, int]]] = {}
    cursor.execute(
        f"SELECT o.slug, c.reference, c.ledger_head, c.ledger_length FROM {case} c "  # noqa: S608 (table names from the models)
        f"JOIN {org} o ON o.id = c.organisation_id"
    )
    for slug, reference, head, length in cursor.fetchall():
        heads.setdefault(slug, []).append((reference, head, int(length)))
    cursor.execute(
        f"SELECT o.slug, count(*) FROM {event} e JOIN {case} c ON c.id = e.case_id "  # noqa: S608
        f"JOIN {org} o ON o.id = c.organisation_id GROUP BY o.slug"
    )
    events = {slug: int(n) for slug, n in cursor.fetchall()}
    ledger: dict[str, Any] = {}
    for slug, rows in heads.items():
        fingerprint = ledger_fingerprint(rows)
        fingerprint["events_stored"] = events.get(slug, 0)
        ledger[slug] = fingerprint
    cursor.execute(
        f"SELECT o.slug, k.tree_size, k.root, k.line FROM {checkpoint} k "  # noqa: S608
        f"JOIN {org} o ON o.id = k.organisation_id ORDER BY o.slug, k.tree_size, k.id"
    )
    checkpoints: dict[str, Any] = {}
    for slug, tree_size, root, line in cursor.fetchall():
        checkpoints[slug] = {
            "tree_size": int(tree_size),
            "root": root,
            "signed_at": json.loads(line).get("signed_at", ""),
            "line_sha256": hashlib.sha256(line.encode()).hexdigest(),
        }
    return ledger, checkpoints


def _files(root: Path) -> Iterator[Path]:
    """Every regular file below `root`, sorted, without unfinished uploads (`.name`)."""
    if not root.is_dir():
        return
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            path = Path(folder) / name
            if not name.startswith(".") and path.is_file() and not path.is_symlink():
                yield path


def _info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = 315532800  # 1980-01-01: members carry no time of their own
    return info


class _Hashing:
    """A file reader that hashes what it reads."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.digest.update(data)
        return data


def _add_file(tar: tarfile.TarFile, name: str, path: Path) -> Entry:
    with path.open("rb") as raw:
        size = os.fstat(raw.fileno()).st_size
        reader = _Hashing(raw)
        tar.addfile(_info(name, size), reader)
    return Entry(name=name, sha256=reader.digest.hexdigest(), size=size)


# ---------------------------------------------------------------------- check


def archive_check(path: Path, *, staging: Path | None = None) -> ArchiveCheck:
    """Read the whole archive, hash every member and compare with its manifest. With
    `staging`, each member's bytes are also written below that folder (under its name)."""
    result = ArchiveCheck()
    found: dict[str, tuple[str, int]] = {}
    manifest_data: bytes | None = None
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar:
                name = member.name
                if not member.isreg():
                    result.problems.append(f"{name!r}: not a regular file")
                    continue
                if (why := member_name_check(name)) is not None:
                    result.problems.append(why)
                    continue
                if name in found or (name == MANIFEST and manifest_data is not None):
                    result.problems.append(f"{name}: in the archive twice")
                    continue
                stream = tar.extractfile(member)
                assert stream is not None  # a regular file
                if name == MANIFEST:
                    if member.size > _MANIFEST_LIMIT:
                        result.problems.append("manifest.json is too large")
                        continue
                    manifest_data = stream.read()
                    continue
                found[name] = _copy(stream, staging / name if staging else None)
    except (tarfile.TarError, OSError, EOFError) as exc:
        result.problems.append(f"the archive is damaged or not a .tar.gz: {exc}")
        return result
    if manifest_data is None:
        result.problems.append("the archive has no manifest.json")
        return result
    try:
        result.manifest = manifest_load(manifest_data)
    except BackupError as exc:
        result.problems.append(str(exc))
        return result
    result.problems += archive_problems(result.manifest, found)
    return result


def _copy(stream: IO[bytes], target: Path | None) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    out = None
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        out = target.open("wb")
    try:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            if out is not None:
                out.write(chunk)
        if out is not None:
            out.flush()
            os.fsync(out.fileno())
    finally:
        if out is not None:
            out.close()
    return digest.hexdigest(), size


# ---------------------------------------------------------------------- restore


@dataclass(frozen=True, slots=True)
class RestoreSummary:
    manifest: Manifest
    files: int
    #: Organisations whose restored ledger differs from the manifest's fingerprint.
    ledger_mismatches: tuple[str, ...]
    notes: tuple[str, ...]


def installation_contents() -> list[str]:
    """What makes this installation not empty: database tables, files in the stores."""
    found: list[str] = []
    tables = connection.introspection.table_names()
    if tables:
        found.append(
            f"the database {connection.settings_dict['NAME']} has {len(tables)} table(s) "
            f"(such as {sorted(tables)[0]})"
        )
    for store, root in store_roots().items():
        first = next(iter(_files(root)), None)
        if first is not None:
            found.append(f"the {store} store {root} holds files (such as {first.name})")
    return found


def restore(*, archive: Path) -> RestoreSummary:
    """Restore `archive` into this installation, which must be empty. Nothing is written
    to the installation unless every member of the archive has its manifest's hash."""
    kind = engine()
    contents = installation_contents()
    if contents:
        raise BackupError(
            "Restore needs an empty installation (a new data folder and a new, empty "
            "database), but " + "; ".join(contents) + ". Nothing was restored."
        )
    if not archive.is_file():
        raise BackupError(f"No archive {archive}.")
    APP.data_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=APP.data_dir, prefix=".restore-"))
    try:
        check = archive_check(archive, staging=staging)
        if not check.ok or check.manifest is None:
            raise BackupError(
                f"{archive} is not a good backup, nothing was restored: "
                + "; ".join(check.problems)
            )
        manifest = check.manifest
        if manifest.engine != kind:
            raise BackupError(
                f"{archive} is a backup of a {manifest.engine} database; this installation "
                f"uses {kind}. Nothing was restored."
            )
        notes: list[str] = []
        if manifest.plaint_version != plaint.__version__:
            notes.append(
                f"the backup was made by Plaint {manifest.plaint_version}, this is "
                f"{plaint.__version__}: run `plaint migrate` before serving"
            )
        dump = staging / manifest.database_member()
        if kind == "sqlite":
            _sqlite_restore(dump)
        else:
            _postgres_restore(dump)
        files = 0
        roots = store_roots()
        for entry in manifest.entries:
            if not entry.name.startswith("files/"):
                continue
            _, store, rest = entry.name.split("/", 2)
            _place(staging / entry.name, roots[store] / rest)
            files += 1
        if manifest.key_source == "archive":
            _place(staging / KEY_MEMBER, APP.data_dir / KEY_FILE, replace=True)
            if APP.secret_key:
                notes.append(
                    "the archive's secret key was restored to the data folder, but "
                    "PLAINT_SECRET_KEY is set and wins: unset it to use the restored key"
                )
        elif manifest.key_source == "environment":
            notes.append(
                "the backed-up installation took its secret key from PLAINT_SECRET_KEY, "
                "which is not in the archive: set the same value here"
            )
        with connection.cursor() as cursor:
            ledger, _ = _ledger_state(cursor)
        mismatches = tuple(
            slug
            for slug in sorted(set(ledger) | set(manifest.ledger))
            if _comparable(ledger.get(slug)) != _comparable(manifest.ledger.get(slug))
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RestoreSummary(
        manifest=manifest, files=files, ledger_mismatches=mismatches, notes=tuple(notes)
    )


def _comparable(value: Any) -> Any:
    return None if value is None else dict(value)


def _sqlite_restore(dump: Path) -> None:
    """Copy the archived database into the configured one through the backup API, so
    the target's own journal (WAL) is written the way SQLite writes it."""
    target = Path(str(connection.settings_dict["NAME"]))
    connection.close()
    source = sqlite3.connect(dump)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
        destination.execute("PRAGMA journal_mode=WAL")
        destination.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        destination.close()
        source.close()
    connection.close()


def _postgres_restore(dump: Path) -> None:
    pg_restore = _tool("pg_restore")
    connection.close()
    _run(
        [
            pg_restore,
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        "pg_restore",
    )


def _place(source: Path, target: Path, *, replace: bool = False) -> None:
    """Move a checked file into place, durably (file and folder fsynced)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists() and not replace:
        raise BackupError(f"{target} appeared during the restore; restore stopped")
    shutil.move(source, target)
    target.chmod(0o600 if target.name == KEY_FILE or target.suffix == ".ed25519" else 0o640)
    _fsync(target)
    _fsync_dir(target.parent)


# ---------------------------------------------------------------------- tools


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} is not on PATH: install the PostgreSQL client tools of the server's "
            f"major version (Debian: apt-get install postgresql-client) and try again"
        )
    return found


def _pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[var] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    env["PGDATABASE"] = str(db["NAME"])
    if sslmode := (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = str(sslmode)
    return env


def _run(command: list[str], what: str) -> None:
    done = subprocess.run(  # noqa: S603 (a fixed tool found on PATH, no shell)
        command, env=_pg_env(), capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BackupError(f"{what} failed (exit {done.returncode}): {done.stderr.strip()}")


def _fsync(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
