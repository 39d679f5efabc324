"""The secret key kept in the data folder when PLAINT_SECRET_KEY is not set.

Several processes may start at once on a fresh data folder (gunicorn's workers, the task
worker, a `plaint` command). Each writes a candidate key to a private temporary file,
flushes it to disk, and links it to `secret_key` with a call that fails if the name already
exists: exactly one candidate wins, and every process reads the winner's key back. A file
that is never half-written cannot be read half-written.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

KEY_FILE = "secret_key"


class SecretKeyError(RuntimeError):
    """The kept key cannot be used; the message says what to do."""


def secret_key_kept(data_dir: Path) -> str:
    """The key in DATA_DIR/secret_key, created (mode 0600) by the first process to ask."""
    data_dir.mkdir(parents=True, exist_ok=True)
    key_file = data_dir / KEY_FILE
    if not key_file.exists():
        _create(key_file)
    key = key_file.read_text().strip()
    if not key:
        raise SecretKeyError(
            f"{key_file} is empty: delete it to have a new key made (signed-in sessions and "
            "signed links made with the old key stop working), or set PLAINT_SECRET_KEY."
        )
    return key


def _create(key_file: Path) -> None:
    candidate = key_file.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_urlsafe(50))
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # another process won: use its key
            os.link(candidate, key_file)
    finally:
        candidate.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # the folder's entry for the new name, on disk
        dir_fd = os.open(key_file.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
