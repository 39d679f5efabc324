"""Files are on disk before the event that names them commits: each store fsyncs the file
before renaming it into place and then the folder that holds the new name."""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from plaint.accounts.models import Organisation
from plaint.cases import evidence_store
from plaint.letters.store import letter_path, letter_put
from plaint.messaging.rawstore import raw_path, raw_put
from plaint.records.anchoring import checkpoint_path, checkpoint_write, key_path
from tests.conftest import NOW


@pytest.fixture
def synced(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The path behind every descriptor passed to os.fsync, in order."""
    seen: list[Path] = []
    real: Callable[[int], None] = os.fsync

    def fsync(fd: int) -> None:
        seen.append(Path(os.readlink(f"/proc/self/fd/{fd}")))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    return seen


def _durable(final: Path, synced: list[Path]) -> None:
    """The file's bytes were fsynced (under its own name or a temporary `.name` beside it
    or in the store's root), then its folder, and the folder above it, which gained the
    folder (every test starts from empty stores, so the folder is new)."""
    files = [
        i
        for i, p in enumerate(synced)
        if p == final
        or (p.name.startswith(".") and p.parent in (final.parent, final.parent.parent))
    ]
    assert files, f"{final.name} was never fsynced: {synced}"
    for folder in (final.parent, final.parent.parent):
        after = [i for i, p in enumerate(synced) if p == folder and i > min(files)]
        assert after, f"{folder} was not fsynced after {final.name}: {synced}"


def test_a_letter_file_is_fsynced_with_its_folder(synced: list[Path]) -> None:
    sha = letter_put(b"# A letter\n")
    _durable(letter_path(sha), synced)


def test_a_received_mail_is_fsynced_with_its_folder(synced: list[Path]) -> None:
    sha = raw_put(b"From: a@example.org\r\n\r\nhello\r\n")
    _durable(raw_path(sha), synced)


def test_an_evidence_file_is_fsynced_with_its_folder(synced: list[Path]) -> None:
    blob = evidence_store.blob_put(
        stream=io.BytesIO(b"%PDF-1.4 x"), filename="x.pdf", content_type="application/pdf"
    )
    _durable(evidence_store.blob_path(blob.sha256), synced)


def test_a_new_checkpoint_file_and_key_are_fsynced_with_their_folders(
    org: Organisation, synced: list[Path]
) -> None:
    checkpoint_write(organisation=org, now=NOW)
    _durable(checkpoint_path(org), synced)
    _durable(key_path(org), synced)
