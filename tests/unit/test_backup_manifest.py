"""The backup manifest (plaint.domain.backup): member names, reading and checking."""

from __future__ import annotations

import json

import pytest

from plaint.domain.backup import (
    BackupError,
    Entry,
    Manifest,
    archive_problems,
    ledger_fingerprint,
    manifest_dump,
    manifest_load,
    member_name_check,
)

A, B = "a" * 64, "b" * 64


def manifest(*entries: Entry) -> Manifest:
    return Manifest(
        plaint_version="0.1.0",
        engine="sqlite",
        created_at="2026-03-02T10:30:00+00:00",
        entries=(Entry("database/plaint.sqlite3", A, 10), *entries),
        ledger={"acme": ledger_fingerprint([("AC-1", B, 3)])},
    )


@pytest.mark.parametrize(
    "name",
    [
        "manifest.json",
        "secret_key",
        "database/plaint.sqlite3",
        "database/plaint.pgdump",
        "files/evidence/ab/" + A,
        "files/records/checkpoints/acme.jsonl",
    ],
)
def test_the_format_s_members_are_allowed(name: str) -> None:
    assert member_name_check(name) is None


@pytest.mark.parametrize(
    "name",
    [
        "/etc/passwd",
        "files/evidence/../../x",
        "files/evidence/./x",
        "files/evidence//x",
        "files/elsewhere/x",
        "files/evidence",
        "database/other.sqlite3",
        "files/evidence/a\\b",
        "files/evidence/a\nb",
        "files/evidence/x\x00",
    ],
)
def test_other_names_are_refused(name: str) -> None:
    assert member_name_check(name) is not None


def test_a_manifest_reads_back_what_was_written() -> None:
    written = manifest(Entry("files/letters/ab/" + B, B, 5))
    assert manifest_load(manifest_dump(written)) == written


def test_problems_name_each_missing_extra_resized_and_altered_member() -> None:
    listed = manifest(Entry("files/letters/ab/x", B, 5), Entry("files/letters/ab/y", B, 5))
    found = {
        "database/plaint.sqlite3": (B, 10),  # altered
        "files/letters/ab/x": (B, 6),  # another size
        "files/letters/ab/z": (B, 5),  # not listed
    }
    assert archive_problems(listed, found) == [
        f"database/plaint.sqlite3: its SHA-256 is {B}, the manifest says {A}",
        "files/letters/ab/x: 6 bytes, the manifest says 5",
        "files/letters/ab/y: listed in the manifest but missing from the archive",
        "files/letters/ab/z: in the archive but not listed in the manifest",
    ]
    assert archive_problems(listed, {e.name: (e.sha256, e.size) for e in listed.entries}) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"format": "plaint-backup/9"}, "this Plaint reads plaint-backup/1"),
        ({"engine": "oracle"}, "unknown database engine"),
        ({"entries": [{"name": "../x", "sha256": A, "size": 1}]}, "not a member"),
        ({"entries": [{"name": "secret_key", "sha256": "zz", "size": 1}]}, "has no SHA-256"),
        ({"entries": [{"name": "secret_key", "sha256": A, "size": -1}]}, "has no size"),
        ({"entries": []}, "does not list the database"),
    ],
)
def test_a_bad_manifest_is_refused_with_the_reason(change: dict[str, object], message: str) -> None:
    document = json.loads(manifest_dump(manifest()))
    document.update(change)
    with pytest.raises(BackupError, match=message):
        manifest_load(json.dumps(document).encode())


def test_not_json_is_refused() -> None:
    with pytest.raises(BackupError, match="not JSON"):
        manifest_load(b"\xff{")


def test_the_fingerprint_does_not_depend_on_order() -> None:
    heads = [("AC-1", A, 3), ("AC-2", B, 1)]
    assert ledger_fingerprint(heads) == ledger_fingerprint(heads[::-1])
    assert ledger_fingerprint(heads)["events"] == 4
    assert ledger_fingerprint(heads) != ledger_fingerprint([("AC-1", A, 3), ("AC-2", A, 1)])
