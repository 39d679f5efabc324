"""The backup archive's manifest: what it lists, how it is written and read, and how an
archive's members are checked against it (`plaint backup`, `plaint restore`).

Pure: no Django, no files, no clock. The archive is read by the caller, which passes in
what it found (each member's name, SHA-256 and size); this module says what is wrong.

An archive holds `manifest.json` and, besides it:

- `database/plaint.sqlite3` (an SQLite online-backup copy) or `database/plaint.pgdump`
  (`pg_dump --format=custom`);
- `files/STORE/PATH` for every file of each store (evidence, letters, mail, records,
  media), `PATH` relative to the store's root;
- `secret_key`, the key kept in the data folder, when the installation uses one.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

FORMAT = "plaint-backup/1"
MANIFEST = "manifest.json"
KEY_MEMBER = "secret_key"
#: The database member of each engine (`Manifest.engine`).
DATABASE_MEMBERS = {"sqlite": "database/plaint.sqlite3", "postgresql": "database/plaint.pgdump"}
#: The file stores an archive may hold, by the name used under `files/`.
STORES = ("evidence", "letters", "mail", "records", "media")

_PART = re.compile(r"^[^\x00-\x1f\x7f\\/]{1,255}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class BackupError(ValueError):
    """An archive or its manifest cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One member of the archive: its name, SHA-256 (hex) and size in bytes."""

    name: str
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class Manifest:
    plaint_version: str
    engine: str  # "sqlite" or "postgresql"
    created_at: str  # ISO 8601 with its offset, given by the caller
    entries: tuple[Entry, ...]
    #: Per organisation slug: cases, events, and the SHA-256 of its sorted case heads.
    ledger: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    #: Per organisation slug: the latest line of its checkpoint file (or absent).
    checkpoints: Mapping[str, Mapping[str, object]] = field(default_factory=dict)
    #: "archive" (the kept key is a member), "environment" (PLAINT_SECRET_KEY: not here).
    key_source: str = "archive"
    format: str = FORMAT

    def database_member(self) -> str:
        return DATABASE_MEMBERS[self.engine]


def member_name_check(name: str) -> str | None:
    """Why `name` may not be a member of a backup archive, or None if it may.

    Only the members this format defines are allowed, and a file store's path is made of
    plain parts (no `..`, no absolute path, no empty part), so extracting a member can
    never write outside the place it is meant for."""
    if name in (MANIFEST, KEY_MEMBER) or name in DATABASE_MEMBERS.values():
        return None
    parts = name.split("/")
    if len(parts) < 3 or parts[0] != "files" or parts[1] not in STORES:
        return f"{name!r} is not a member of a Plaint backup"
    for part in parts[2:]:
        if part in ("", ".", "..") or not _PART.match(part):
            return f"{name!r} has an unsafe or unexpected path"
    return None


def ledger_fingerprint(heads: list[tuple[str, str, int]]) -> dict[str, object]:
    """The ledger of one organisation in a few values: `heads` holds each case's
    (reference, head hash, number of events). Two databases with the same fingerprint
    hold the same chains, as far as their heads can tell (and each head hashes its chain)."""
    lines = sorted(f"{ref} {head} {length}" for ref, head, length in heads)
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
    return {"cases": len(heads), "events": sum(n for _, _, n in heads), "heads_sha256": digest}


def manifest_dump(manifest: Manifest) -> bytes:
    """The manifest as canonical JSON (sorted keys, UTF-8, a final newline)."""
    document = {
        "format": manifest.format,
        "plaint_version": manifest.plaint_version,
        "engine": manifest.engine,
        "created_at": manifest.created_at,
        "secret_key": manifest.key_source,
        "ledger": {slug: dict(v) for slug, v in sorted(manifest.ledger.items())},
        "checkpoints": {slug: dict(v) for slug, v in sorted(manifest.checkpoints.items())},
        "entries": [
            {"name": e.name, "sha256": e.sha256, "size": e.size}
            for e in sorted(manifest.entries, key=lambda e: e.name)
        ],
    }
    return (json.dumps(document, sort_keys=True, indent=1, ensure_ascii=False) + "\n").encode()


def manifest_load(data: bytes) -> Manifest:
    """Read a manifest, or raise `BackupError` naming what is wrong with it."""
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"manifest.json is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise BackupError("manifest.json is not a JSON object")
    if document.get("format") != FORMAT:
        raise BackupError(
            f"manifest.json is of format {document.get('format')!r}; this Plaint reads {FORMAT}"
        )
    engine = document.get("engine")
    if engine not in DATABASE_MEMBERS:
        raise BackupError(f"manifest.json names an unknown database engine {engine!r}")
    entries: list[Entry] = []
    seen: set[str] = set()
    raw_entries = document.get("entries")
    if not isinstance(raw_entries, list):
        raise BackupError("manifest.json has no list of entries")
    for raw in raw_entries:
        if not isinstance(raw, dict):
            raise BackupError("manifest.json has an entry that is not an object")
        name, sha, size = raw.get("name"), raw.get("sha256"), raw.get("size")
        if not isinstance(name, str) or (why := member_name_check(name)) is not None:
            raise BackupError(f"manifest.json: {why or 'an entry has no name'}")
        if name == MANIFEST:
            raise BackupError("manifest.json lists itself")
        if name in seen:
            raise BackupError(f"manifest.json lists {name!r} twice")
        if not isinstance(sha, str) or not _SHA256.match(sha):
            raise BackupError(f"manifest.json: {name!r} has no SHA-256")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise BackupError(f"manifest.json: {name!r} has no size")
        seen.add(name)
        entries.append(Entry(name=name, sha256=sha, size=size))
    source = document.get("secret_key", "archive")
    if source not in ("archive", "environment", "absent"):
        raise BackupError(f"manifest.json: secret_key is {source!r}")
    manifest = Manifest(
        plaint_version=str(document.get("plaint_version", "")),
        engine=engine,
        created_at=str(document.get("created_at", "")),
        entries=tuple(entries),
        ledger=_mapping(document, "ledger"),
        checkpoints=_mapping(document, "checkpoints"),
        key_source=source,
    )
    if manifest.database_member() not in seen:
        raise BackupError(
            f"manifest.json does not list the database ({manifest.database_member()})"
        )
    return manifest


def _mapping(document: dict[str, object], key: str) -> dict[str, dict[str, object]]:
    value = document.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise BackupError(f"manifest.json: {key} is not an object of objects")
    return {str(k): dict(v) for k, v in value.items()}


def archive_problems(manifest: Manifest, found: Mapping[str, tuple[str, int]]) -> list[str]:
    """Every way the members `found` (name → (SHA-256, size), the manifest left out)
    differ from what `manifest` lists: missing, extra, another size, another hash."""
    problems: list[str] = []
    listed = {e.name: e for e in manifest.entries}
    for name in sorted(listed):
        entry = listed[name]
        if name not in found:
            problems.append(f"{name}: listed in the manifest but missing from the archive")
            continue
        sha, size = found[name]
        if size != entry.size:
            problems.append(f"{name}: {size:,} bytes, the manifest says {entry.size:,}")
        elif sha != entry.sha256:
            problems.append(f"{name}: its SHA-256 is {sha}, the manifest says {entry.sha256}")
    for name in sorted(set(found) - set(listed)):
        problems.append(f"{name}: in the archive but not listed in the manifest")
    return problems
