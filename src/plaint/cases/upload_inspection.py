"""Reading an uploaded file to see what is inside it, before it is kept as evidence.

`upload_inspect` is called by `evidence_store.blob_put`, which every upload passes
through (desk, portal, complaint form, API, e-mail attachments, cease-and-desist letters
received), on the temporary file the upload was streamed to. It reads; the rules live in
`plaint.domain.upload_content`. A refusal raises `FieldErrors({"file": sentence})`, and
`blob_put` then removes the temporary file, so nothing of a refused file is kept.

- Every file that is not text is scanned for HTML that would make it a web page too.
- A PDF is parsed with pikepdf (qpdf), object streams and all, and every dictionary is
  walked for JavaScript, Launch and other active actions, embedded files, XFA and rich
  media; its raw bytes are searched for the same names as well. A PDF qpdf cannot parse
  at all is kept only if the raw bytes show no active name and it has no object streams
  (where a name could hide compressed).
- A zip-based office file is opened with zipfile: the central directory's sizes and
  member count are checked before anything is inflated, then every member is read in
  chunks, counting the bytes, and the read stops the moment a bound is passed. Archives
  inside it are opened in turn, to a depth limit, against the same budget.
"""

from __future__ import annotations

import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import IO, Any

import pikepdf

from plaint.config.appsettings import APP
from plaint.domain import upload_content as rules
from plaint.domain.errors import FieldErrors

CHUNK = 1 << 16
_SPOOL_IN_MEMORY = 1 << 20  # a nested archive larger than this is spooled to disk


def limits() -> rules.Limits:
    return rules.Limits(
        max_expanded_bytes=APP.upload_max_expanded_bytes,
        max_members=APP.upload_max_archive_members,
        max_ratio=APP.upload_max_compression_ratio,
    )


def upload_inspect(*, path: Path, name: str, ctype: str, head: bytes) -> None:
    """Refuse (FieldErrors on "file") what the upload content rules do not accept."""
    _refuse(rules.type_refusal(name, ctype, head))
    if ctype in rules.TEXT_TYPES:
        with path.open("rb") as fh:
            _refuse(rules.binary_in_text_refusal(name, fh.read(CHUNK)))
        return
    _refuse(_html_scan(path, name, ctype))
    if ctype == rules.PDF:
        _pdf_check(path, name)
    elif ctype in rules.ARCHIVE_TYPES:
        _archive_check(path, name, ctype)


def _refuse(reason: str | None) -> None:
    if reason is not None:
        raise FieldErrors({"file": reason})


def _html_scan(path: Path, name: str, ctype: str) -> str | None:
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            marker = rules.html_marker(tail + chunk)
            if marker is not None:
                return rules.polyglot_refusal(name, ctype, marker)
            tail = chunk[-rules.HTML_OVERLAP :]
    return None


# ----------------------------------------------------------------------------- PDF


def _pdf_check(path: Path, name: str) -> None:
    data = path.read_bytes()  # at most the evidence size limit
    findings = rules.pdf_raw_findings(data)
    try:
        with pikepdf.open(path) as pdf:
            findings |= _pdf_walk(pdf)
    except pikepdf.PasswordError:
        raise FieldErrors({"file": rules.pdf_unreadable_refusal(name, password=True)}) from None
    except pikepdf.PdfError:
        # qpdf could not rebuild it; a viewer may still show it. Without object streams
        # every dictionary is in the bytes just searched, so nothing active can hide.
        if not findings and b"/ObjStm" in data:
            raise FieldErrors(
                {"file": rules.pdf_unreadable_refusal(name, password=False)}
            ) from None
    _refuse(rules.pdf_refusal(name, findings))


def _pdf_walk(pdf: pikepdf.Pdf) -> set[rules.PdfFinding]:
    """Every dictionary of the document: each indirect object in turn (object streams
    included), and the direct dictionaries and arrays nested in it, without recursion."""
    found: set[rules.PdfFinding] = set()
    for obj in pdf.objects:
        stack: list[Any] = [obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj]
        while stack:
            item = stack.pop()
            if isinstance(item, pikepdf.Dictionary):
                for key, value in item.items():
                    named = str(value) if isinstance(value, pikepdf.Name) else None
                    finding = rules.pdf_entry_finding(key, named)
                    if finding is not None:
                        found.add(finding)
                    if _direct_container(value):
                        stack.append(value)
            elif isinstance(item, pikepdf.Array):
                stack.extend(v for v in item if _direct_container(v))
    return found


def _direct_container(value: Any) -> bool:
    """A dictionary or array written inside its parent (an indirect one is an object of
    its own, walked in its turn)."""
    return isinstance(value, (pikepdf.Dictionary, pikepdf.Array)) and not value.is_indirect


# ----------------------------------------------------------------------------- archives


def _archive_check(path: Path, name: str, ctype: str) -> None:
    bounds = limits()
    tally = rules.ArchiveTally(size=path.stat().st_size)
    with path.open("rb") as fh:
        try:
            _archive_read(fh, name=name, ctype=ctype, tally=tally, bounds=bounds)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError):
            raise FieldErrors({"file": rules.archive_damaged_refusal(name)}) from None
        except RuntimeError as exc:  # zipfile: "... is encrypted, password required"
            if "password" not in str(exc).lower() and "encrypted" not in str(exc).lower():
                raise
            raise FieldErrors(
                {"file": rules.archive_damaged_refusal(name, password=True)}
            ) from None


def _archive_read(
    fh: IO[bytes], *, name: str, ctype: str, tally: rules.ArchiveTally, bounds: rules.Limits
) -> None:
    with zipfile.ZipFile(fh) as archive:
        members = archive.infolist()
        tally.members += len(members)
        tally.declared += sum(m.file_size for m in members)
        _refuse(rules.archive_refusal(name, tally, bounds))
        names = [m.filename for m in members]
        mimetype = None
        if "mimetype" in names:
            with archive.open("mimetype") as fh_type:
                mimetype = fh_type.read(200)
        _refuse(rules.office_refusal(name, ctype, names, mimetype))
        for member in members:
            if member.is_dir():
                continue
            _member_read(archive, member, name=name, tally=tally, bounds=bounds)


def _member_read(
    archive: zipfile.ZipFile,
    member: zipfile.ZipInfo,
    *,
    name: str,
    tally: rules.ArchiveTally,
    bounds: rules.Limits,
) -> None:
    """Read one member through, counting what it gives (zipfile checks its CRC at the
    end); an archive inside is kept aside and opened in turn, one level deeper."""
    with archive.open(member) as data:
        first = data.read(CHUNK)
        if not rules.looks_like_archive(member.filename, first):
            _count(data, first, name=name, tally=tally, bounds=bounds)
            return
        with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
            _count(data, first, name=name, tally=tally, bounds=bounds, copy=spool)
            spool.seek(0)
            if not zipfile.is_zipfile(spool):
                return  # named like an archive but not one: inert bytes like any other
            spool.seek(0)
            tally.depth += 1
            _refuse(rules.archive_refusal(name, tally, bounds))
            _archive_read(spool, name=name, ctype=rules.ZIP, tally=tally, bounds=bounds)
            tally.depth -= 1


def _count(
    data: IO[bytes],
    chunk: bytes,
    *,
    name: str,
    tally: rules.ArchiveTally,
    bounds: rules.Limits,
    copy: IO[bytes] | None = None,
) -> None:
    """Read a member to its end from `chunk` on, stopping as soon as a bound is passed."""
    while chunk:
        tally.inflated += len(chunk)
        _refuse(rules.archive_refusal(name, tally, bounds))
        if copy is not None:
            copy.write(chunk)
        chunk = data.read(CHUNK)
