"""Received mail kept byte for byte, content-addressed by SHA-256 like evidence: the same
message stored twice is one file. Written to a temporary file and renamed into place, so
a crash never leaves a partial file under a hash."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings


def root() -> Path:
    configured = getattr(settings, "MAIL_ROOT", None)
    return Path(configured) if configured else Path(settings.EVIDENCE_ROOT).parent / "mail"


def raw_path(sha256: str) -> Path:
    return root() / sha256[:2] / sha256


def raw_put(data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    final = raw_path(sha)
    if final.exists():
        return sha
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=final.parent, prefix=".mail-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp_name, 0o640)
        os.replace(tmp_name, final)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return sha


def raw_read(sha256: str) -> bytes:
    return raw_path(sha256).read_bytes()
