"""Files kept once under their SHA-256 (letters, received mail): the one way such a file
is written. Written to a temporary file and renamed into place, so a crash never leaves a
partial file under a hash. (Evidence has its own store, `evidence_store`, because an
upload is checked and streamed while it is written.)"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


def content_path(root: Path, sha256: str) -> Path:
    """Where the file with this hash lives below `root`."""
    return root / sha256[:2] / sha256


def content_put(root: Path, data: bytes, *, prefix: str) -> str:
    """Store `data` below `root` (once) and return its SHA-256; `prefix` names the
    temporary file while it is written."""
    sha = hashlib.sha256(data).hexdigest()
    final = content_path(root, sha)
    if final.exists():
        return sha
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=final.parent, prefix=prefix)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp_name, 0o640)
        os.replace(tmp_name, final)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return sha
