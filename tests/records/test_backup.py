"""`plaint backup` and `plaint restore`: a real installation built through the services,
backed up, restored by a real `plaint restore` process into a new data folder and a new
empty database (SQLite file or PostgreSQL database), verified, and compared."""

from __future__ import annotations

import hashlib
import io
import os
import sqlite3
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from plaint.accounts.models import Organisation, User
from plaint.cases import services
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.config.appsettings import APP
from plaint.domain.backup import MANIFEST, manifest_load
from plaint.domain.vocabulary import Visibility
from plaint.letters.services import letter_generate
from plaint.messaging.inbound import message_receive
from plaint.records.anchoring import checkpoint_write
from plaint.records.backup import archive_check, backup_write, store_roots
from tests.conftest import NOW, open_case
from tests.messaging.mail import raw_mail
from tests.records.conftest import ADDRESS

pytestmark = pytest.mark.django_db(transaction=True)
LATER = NOW + timedelta(hours=2)

# What the comparison reads from each database, as plain SQL both engines speak.
QUERIES = {
    "cases": "SELECT reference, ledger_head, ledger_length, status, description, product "
    "FROM cases_case ORDER BY reference",
    "events": "SELECT c.reference, e.seq, e.kind, e.hash, e.prev_hash, e.payload "
    "FROM cases_caseevent e JOIN cases_case c ON c.id = e.case_id ORDER BY 1, 2",
    "evidence": "SELECT sha256, filename, size FROM cases_evidence ORDER BY 1, 2",
    "personal": "SELECT case_id, seq, path, salt, value FROM cases_personaldatum ORDER BY 1, 2, 3",
    "checkpoints": "SELECT tree_size, root, line FROM records_checkpoint ORDER BY 1",
    "users": "SELECT username, password FROM accounts_user ORDER BY 1",
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"


def _build(org: Organisation, user: User) -> list[Case]:
    """Three cases with evidence, letters, a received e-mail and a signed checkpoint."""
    actor = Actor.staff(user)
    cases = [open_case(org, user, description=f"Complaint number {n}.") for n in range(3)]
    for n, case in enumerate(cases):
        services.case_evidence_attach(
            case=case,
            stream=io.BytesIO(b"%PDF-1.4 bill " + str(n).encode() * 2000),
            filename=f"bill-{n}.pdf",
            content_type="application/pdf",
            actor=actor,
            now=LATER,
            visibility=Visibility.CUSTOMER,
        )
        services.case_note_add(case=case, text=f"Called back ({n})", actor=actor, now=LATER)
        letter_generate(
            case=case,
            kind="acknowledgement",
            actor=actor,
            now=LATER,
            fields=ADDRESS,
            formats=("md", "html"),
        )
    message_receive(
        raw_mail(subject="Another thing", message_id="<backup-1@mail.example.org>"),
        organisation=org,
        source="test",
        now=LATER,
    )
    checkpoint_write(organisation=org, now=LATER)
    return cases


def _rows(cursor: Any) -> dict[str, list[tuple[Any, ...]]]:
    found = {}
    for name, sql in QUERIES.items():
        cursor.execute(sql)
        found[name] = [tuple(row) for row in cursor.fetchall()]
    return found


def _tree(roots: dict[str, Path]) -> dict[str, str]:
    files = {}
    for store, root in roots.items():
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    rel = f"{store}/{path.relative_to(root).as_posix()}"
                    files[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


class Target:
    """A fresh, empty installation: a new data folder and a new empty database."""

    def __init__(self, folder: Path, url: str, query: Any) -> None:
        self.folder = folder
        self.url = url
        self.query = query  # SQL -> rows, on the target database

    def roots(self) -> dict[str, Path]:
        return {store: self.folder / store for store in store_roots()}

    def plaint(self, *args: str) -> subprocess.CompletedProcess[str]:
        env = dict(os.environ, PLAINT_DATA_DIR=str(self.folder), DATABASE_URL=self.url)
        return subprocess.run(
            [sys.executable, "-m", "plaint", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    def tables(self) -> int:
        if connection.vendor == "sqlite":
            sql = "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        else:
            sql = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"
        return int(self.query(sql)[0][0])

    def rows(self) -> dict[str, list[tuple[Any, ...]]]:
        return {name: [tuple(r) for r in self.query(sql)] for name, sql in QUERIES.items()}


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Target]:
    folder = tmp_path / "restored"
    if connection.vendor == "sqlite":
        path = folder / "plaint.sqlite3"

        def query(sql: str) -> list[tuple[Any, ...]]:
            if not path.exists():
                return [(0,)] if "count(*)" in sql else []
            with sqlite3.connect(path) as db:
                return db.execute(sql).fetchall()

        yield Target(folder, f"sqlite:///{path}", query)
        return
    import psycopg

    db = connection.settings_dict
    name = f"{db['NAME']}_restore"[:63]
    params = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"],
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')

    def pg_query(sql: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(dbname=name, **params) as conn:
            return conn.execute(sql).fetchall()

    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{params['host']}:{params['port']}/{name}"
    yield Target(folder, url, pg_query)
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def archive(org: Organisation, agent: User, tmp_path: Path) -> Path:
    _build(org, agent)
    path = tmp_path / "out" / "plaint.tar.gz"
    backup_write(output=path, created_at=LATER)
    return path


def test_backup_restores_into_an_empty_installation_and_verifies(
    archive: Path, target: Target
) -> None:
    done = target.plaint("restore", str(archive))
    assert done.returncode == 0, done.stderr + done.stdout
    assert "every member matched its manifest" in done.stdout
    assert "Ledger verified: 4 case(s)" in done.stdout  # 3 + one opened by the e-mail
    assert "Rows verified: 4 case(s)" in done.stdout
    assert "Files verified: 9 file(s)" in done.stdout  # 3 bills, 6 letter files
    # the same cases, events, evidence, personal data, checkpoints and users
    with connection.cursor() as cursor:
        source = _rows(cursor)
    assert len(source["events"]) > 12
    assert target.rows() == source
    # every file of every store, byte for byte (evidence, letters, mail, keys, checkpoints)
    restored = _tree(target.roots())
    assert restored == _tree(store_roots())
    assert any(name.startswith("mail/") for name in restored)
    assert any(name.startswith("records/checkpoints/acme.jsonl") for name in restored)
    assert any(name.startswith("records/keys/acme.ed25519") for name in restored)
    manifest = archive_check(archive).manifest
    assert manifest is not None
    if manifest.key_source == "archive":
        assert (target.folder / "secret_key").read_bytes() == (
            APP.data_dir / "secret_key"
        ).read_bytes()
    # the restored installation's own verify, and its checkpoint file against the copy
    check = target.plaint(
        "verify", "--files", "--against", str(target.folder / "records/checkpoints/acme.jsonl")
    )
    assert check.returncode == 0, check.stderr
    assert "Anchors verified: 1 checkpoint(s)" in check.stdout


def test_the_manifest_lists_every_member_with_its_hash(archive: Path) -> None:
    with tarfile.open(archive, "r:gz") as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar}  # type: ignore[union-attr]
    manifest = manifest_load(members.pop(MANIFEST))
    assert manifest.engine == connection.vendor
    assert manifest.created_at == LATER.isoformat()
    assert {e.name: e.sha256 for e in manifest.entries} == {
        name: hashlib.sha256(data).hexdigest() for name, data in members.items()
    }
    assert manifest.ledger["acme"]["cases"] == 4
    assert manifest.checkpoints["acme"]["tree_size"] == 4
    assert manifest.database_member() in members
    call_command("backup", check=str(archive), stdout=io.StringIO())


def _retar(archive: Path, out: Path, change: Any) -> Path:
    """Copy `archive` to `out`, passing each member's bytes through `change(name, data)`."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(out, "w:gz") as dst:
        for member in src:
            data = change(member.name, src.extractfile(member).read())  # type: ignore[union-attr]
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return out


def _flip_one_byte(name: str, data: bytes) -> bytes:
    if name.startswith("files/evidence/"):
        return data[:100] + bytes([data[100] ^ 1]) + data[101:]
    return data


def _nothing_written(target: Target) -> None:
    assert target.tables() == 0
    assert _tree(target.roots()) == {}
    assert not list(target.folder.glob(".restore-*"))
    assert not (target.folder / "secret_key").exists() or not APP.secret_key


def test_a_member_changed_by_one_byte_is_refused_before_anything_is_written(
    archive: Path, target: Target, tmp_path: Path
) -> None:
    tampered = _retar(archive, tmp_path / "tampered.tar.gz", _flip_one_byte)
    done = target.plaint("restore", str(tampered))
    assert done.returncode != 0
    assert "is not a good backup, nothing was restored" in done.stderr
    assert "files/evidence/" in done.stderr and "its SHA-256 is" in done.stderr
    _nothing_written(target)
    with pytest.raises(CommandError, match="FAILED its check"):
        call_command("backup", check=str(tampered), stdout=io.StringIO(), stderr=io.StringIO())


def test_a_damaged_archive_and_an_unlisted_member_are_refused(
    archive: Path, target: Target, tmp_path: Path
) -> None:
    raw = bytearray(archive.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes(bytes(raw))
    done = target.plaint("restore", str(damaged))
    assert done.returncode != 0 and "nothing was restored" in done.stderr
    _nothing_written(target)
    # a member the manifest does not list (a planted file) is refused too
    planted = tmp_path / "planted.tar.gz"
    with tarfile.open(archive, "r:gz") as src, tarfile.open(planted, "w:gz") as dst:
        for member in src:
            dst.addfile(member, src.extractfile(member))
        extra = tarfile.TarInfo("files/evidence/ab/planted")
        extra.size = 3
        dst.addfile(extra, io.BytesIO(b"bad"))
    done = target.plaint("restore", str(planted))
    assert "files/evidence/ab/planted: in the archive but not listed" in done.stderr
    _nothing_written(target)


def test_a_path_outside_the_stores_is_refused(
    archive: Path, target: Target, tmp_path: Path
) -> None:
    evil = tmp_path / "evil.tar.gz"
    with tarfile.open(archive, "r:gz") as src, tarfile.open(evil, "w:gz") as dst:
        for member in src:
            dst.addfile(member, src.extractfile(member))
        extra = tarfile.TarInfo("files/evidence/../../escaped")
        extra.size = 3
        dst.addfile(extra, io.BytesIO(b"bad"))
    done = target.plaint("restore", str(evil))
    assert "unsafe or unexpected path" in done.stderr
    assert not (tmp_path / "escaped").exists() and not (target.folder / "escaped").exists()
    _nothing_written(target)


def test_restore_into_a_non_empty_installation_is_refused(archive: Path) -> None:
    before = _tree(store_roots())
    with connection.cursor() as cursor:
        rows = _rows(cursor)
    with pytest.raises(CommandError, match="Restore needs an empty installation") as raised:
        call_command("restore", str(archive), stdout=io.StringIO())
    assert "table(s)" in str(raised.value) and "Nothing was restored" in str(raised.value)
    assert _tree(store_roots()) == before
    with connection.cursor() as cursor:
        assert _rows(cursor) == rows


def test_restore_refuses_files_in_a_store_of_an_empty_database(
    archive: Path, target: Target
) -> None:
    stray = target.folder / "evidence" / "ab" / "stray"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"left over")
    done = target.plaint("restore", str(archive))
    assert done.returncode != 0
    assert "the evidence store" in done.stderr and "holds files (such as stray)" in done.stderr
    assert target.tables() == 0


def test_backup_without_pg_dump_says_what_to_install(
    org: Organisation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("pg_dump is for PostgreSQL")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(CommandError, match="pg_dump is not on PATH: install the PostgreSQL"):
        call_command("backup", output=str(tmp_path / "x.tar.gz"), stdout=io.StringIO())
    assert not (tmp_path / "x.tar.gz").exists()


def test_settings_use_synchronous_full_on_sqlite() -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's setting")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous")
        assert cursor.fetchone()[0] == 2  # FULL
    assert "synchronous=FULL" in settings.DATABASES["default"]["OPTIONS"]["init_command"]
