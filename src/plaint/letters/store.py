"""Content-addressed storage for generated letters: each output file is kept once, under
its SHA-256, like evidence. The ledger event names the hashes; this holds the bytes."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from plaint.cases.content_store import content_path, content_put
from plaint.config.appsettings import APP


def root() -> Path:
    return Path(getattr(settings, "LETTER_ROOT", APP.data_dir / "letters"))


def letter_path(sha256: str) -> Path:
    return content_path(root(), sha256)


def letter_put(data: bytes) -> str:
    """Store `data` (once) and return its SHA-256."""
    return content_put(root(), data, prefix=".letter-")


def letter_read(sha256: str) -> bytes:
    return letter_path(sha256).read_bytes()


def letter_exists(sha256: str) -> bool:
    return letter_path(sha256).is_file()


def letter_delete(sha256: str) -> None:
    """Delete a kept letter's file (erasure); nothing if it is already gone."""
    letter_path(sha256).unlink(missing_ok=True)
