"""Content-addressed storage for generated letters: each output file is kept once, under
its SHA-256, like evidence. The ledger event names the hashes; this holds the bytes."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings

from plaint.config.appsettings import APP


def root() -> Path:
    return Path(getattr(settings, "LETTER_ROOT", APP.data_dir / "letters"))


def letter_path(sha256: str) -> Path:
    return root() / sha256[:2] / sha256


def letter_put(data: bytes) -> str:
    """Store `data` (once) and return its SHA-256. Written to a temporary file and renamed,
    so a crash never leaves a partial file under a hash."""
    sha = hashlib.sha256(data).hexdigest()
    final = letter_path(sha)
    if final.exists():
        return sha
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=final.parent, prefix=".letter-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp_name, 0o640)
        os.replace(tmp_name, final)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return sha


def letter_read(sha256: str) -> bytes:
    return letter_path(sha256).read_bytes()
