"""Files kept once under their SHA-256 (letters, received mail): the one way such a file
is written. Written to a temporary file, fsynced, renamed into place and the folder
fsynced (and the folders above it that were created for it), so a crash never leaves a
partial file under a hash and a committed event never names a file a power cut took
away. (Evidence has its own store, `evidence_store`, because an upload is checked and
streamed while it is written; it uses the same folder functions.)"""

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
    created = folder_make(final.parent)
    fd, tmp_name = tempfile.mkstemp(dir=final.parent, prefix=prefix)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp_name, 0o640)
        os.replace(tmp_name, final)
        folders_sync([final.parent, *created])
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return sha


def folder_make(folder: Path) -> list[Path]:
    """Create `folder` and its missing parents; return the folders that gained an entry
    (the parent of each folder created), which must be fsynced for the new folders to
    survive a power cut."""
    missing: list[Path] = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    folder.mkdir(parents=True, exist_ok=True)
    return [path.parent for path in missing]


def folders_sync(folders: list[Path]) -> None:
    """fsync each folder, so the names just created in it are durable."""
    for folder in dict.fromkeys(folders):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
