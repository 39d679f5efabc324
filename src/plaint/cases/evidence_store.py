"""Content-addressed storage for evidence files: each file is kept once, under its SHA-256.

Uploads are streamed to a temporary file while hashed, checked against the size limit and
the accepted types, inspected for what is inside them (`upload_inspection`: the type the
content's first bytes say, active content in PDFs and office files, archive bounds; every
interface's upload passes through here, so every interface gets the check), fsynced (file
and folder) and renamed into place before the event that names them commits, so a
committed row never names a missing file, even after a power cut.
A refused file leaves nothing behind, and neither does a transaction that rolls back after
a file was stored (a later file of the same submission refused, say): a file this
transaction created is removed again unless a committed row names it (`_on_rollback`).
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.db import connection, transaction

from plaint.cases import upload_inspection
from plaint.cases.content_store import folder_make, folders_sync
from plaint.config.appsettings import APP
from plaint.domain.errors import DomainError, FieldErrors

CHUNK = 1 << 16
HEAD = 16  # the first bytes kept for the type check


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    filename: str
    content_type: str


def root() -> Path:
    return Path(settings.EVIDENCE_ROOT)


def blob_path(sha256: str) -> Path:
    return root() / sha256[:2] / sha256


def blob_delete(sha256: str) -> None:
    """Delete an evidence file (erasure); nothing if it is already gone."""
    blob_path(sha256).unlink(missing_ok=True)


def _clean_name(filename: str) -> str:
    name = os.path.basename(filename.replace("\\", "/")).strip().replace("\x00", "")
    return name[:255] or "unnamed"


def blob_put(
    *,
    stream: BinaryIO,
    filename: str,
    content_type: str = "",
    max_bytes: int | None = None,
    allowed_types: tuple[str, ...] | None = None,
) -> StoredBlob:
    limit = APP.evidence_max_bytes if max_bytes is None else max_bytes
    allowed = APP.evidence_types if allowed_types is None else allowed_types
    name = _clean_name(filename)
    ctype = (content_type or mimetypes.guess_type(name)[0] or "").split(";")[0].strip().lower()
    if ctype not in allowed:
        raise FieldErrors(
            {
                "file": f"{name}: files of type {ctype or 'unknown'!s} are not accepted "
                f"(accepted: {', '.join(sorted(allowed))})"
            }
        )
    named = (mimetypes.guess_type(name)[0] or "").lower()
    if named and named != ctype:
        # The file is kept and later downloaded under its name, so the name must say
        # what was checked: "invoice.pdf" sent as text/plain could be anything.
        raise FieldErrors({"file": f"{name}: its name says {named} but it was sent as {ctype}"})
    root_created = folder_make(root())
    digest = hashlib.sha256()
    size = 0
    head = b""
    fd, tmp_name = tempfile.mkstemp(dir=root(), prefix=".upload-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise FieldErrors(
                        {"file": f"{name} is larger than the limit of {limit:,} bytes"}
                    )
                if len(head) < HEAD:
                    head += chunk[: HEAD - len(head)]
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise FieldErrors({"file": f"{name} is empty"})
        # What is inside: the type its first bytes say, active content, archive bounds.
        upload_inspection.upload_inspect(path=tmp, name=name, ctype=ctype, head=head)
        sha = digest.hexdigest()
        final = blob_path(sha)
        created = folder_make(final.parent)
        # The file is renamed into place even when one is there already: another upload
        # of the same content, still uncommitted, may roll back and remove its own copy.
        existed = final.exists()
        tmp.chmod(0o640)
        os.replace(tmp, final)
        # the new name, the shard folder if it is new, and the old name's removal
        folders_sync([final.parent, *created, *root_created, root()])
        if not existed:
            _on_rollback(final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return StoredBlob(sha256=sha, size=size, filename=name, content_type=ctype)


class _Kept:
    """An on-commit callback that only marks its file as kept. Django drops the callbacks
    of a transaction that rolls back; the finaliser then removes the file."""

    def __init__(self) -> None:
        self.state = {"committed": False}

    def __call__(self) -> None:
        self.state["committed"] = True


def _on_rollback(path: Path) -> None:
    """Remove `path` (just created by this upload) if the transaction in progress rolls
    back. Only the very file this upload created goes (the same inode): an upload of the
    same content by another transaction renames its own copy into place, which is then
    left alone."""
    if not connection.in_atomic_block:
        return  # autocommit: nothing to roll back
    kept = _Kept()
    weakref.finalize(kept, _discard, kept.state, path, path.stat().st_ino)
    transaction.on_commit(kept)


def _discard(state: dict[str, bool], path: Path, inode: int) -> None:
    if state["committed"]:
        return
    try:
        if path.stat().st_ino == inode:
            path.unlink()
    except OSError:
        pass  # gone already, or cannot be removed: `plaint verify --files` names it


def blob_open(sha256: str) -> BinaryIO:
    return blob_path(sha256).open("rb")


class BlobAltered(DomainError):
    """A stored file is missing, or no longer has the SHA-256 it was stored under."""


def blob_open_checked(sha256: str) -> BinaryIO:
    """The stored file, opened only once its bytes are read and still match `sha256`:
    a file altered or removed on disk is never handed out (downloads, attachments)."""
    try:
        fh = blob_path(sha256).open("rb")
    except FileNotFoundError:
        raise BlobAltered(
            f"The stored file {sha256[:12]} is missing from the file store: it is not served. "
            "Restore it from a backup (plaint verify --files lists every such file)."
        ) from None
    digest = hashlib.sha256()
    for chunk in iter(lambda: fh.read(CHUNK), b""):
        digest.update(chunk)
    if digest.hexdigest() != sha256:
        fh.close()
        raise BlobAltered(
            f"The stored file {sha256[:12]} no longer matches the SHA-256 it was kept under: "
            "it was altered on disk and is not served. Restore it from a backup "
            "(plaint verify --files lists every such file)."
        )
    fh.seek(0)
    return fh
