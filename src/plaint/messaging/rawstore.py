"""Received mail kept byte for byte, content-addressed by SHA-256 like evidence: the same
message stored twice is one file. Written to a temporary file and renamed into place, so
a crash never leaves a partial file under a hash."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from plaint.cases.content_store import content_path, content_put


def root() -> Path:
    configured = getattr(settings, "MAIL_ROOT", None)
    return Path(configured) if configured else Path(settings.EVIDENCE_ROOT).parent / "mail"


def raw_path(sha256: str) -> Path:
    return content_path(root(), sha256)


def raw_put(data: bytes) -> str:
    """Store `data` (once) and return its SHA-256."""
    return content_put(root(), data, prefix=".mail-")


def raw_read(sha256: str) -> bytes:
    return raw_path(sha256).read_bytes()
