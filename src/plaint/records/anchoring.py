"""Anchoring the ledger outside the database: the anchor log, signed checkpoints, the
checkpoint file, and checks against it (`plaint checkpoint`, `plaint verify --against`).

Each organisation has an Ed25519 key in `RECORDS_ROOT/keys/SLUG.ed25519` (created on first
use, readable by Plaint alone) and an append-only checkpoint file
`RECORDS_ROOT/checkpoints/SLUG.jsonl`, one signed line per checkpoint, meant to be copied
somewhere the database's administrators cannot write.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import urllib.error
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import transaction

from plaint.accounts.models import Organisation
from plaint.cases.content_store import folder_make, folders_sync
from plaint.cases.models import Case, CaseEvent
from plaint.domain.checkpoint import (
    Checkpoint as SignedCheckpoint,
)
from plaint.domain.checkpoint import (
    CheckpointError,
    checkpoint_parse,
    head_leaf,
    signature_valid,
)
from plaint.domain.ledger import canonical_time
from plaint.domain.merkle import (
    consistency_proof,
    consistency_verify,
    inclusion_proof,
    tree_root,
)
from plaint.domain.timestamp import (
    TimestampError,
    certificate_der,
    is_timestamp_line,
    timestamp_line,
    timestamp_line_parse,
    timestamp_request,
    timestamp_token,
    timestamp_verify,
)
from plaint.records.models import AnchorLeaf, Checkpoint

#: Seconds to wait for the time-stamp authority.
TSA_TIMEOUT = 15


def records_root() -> Path:
    return Path(settings.RECORDS_ROOT)


def key_path(organisation: Organisation) -> Path:
    return records_root() / "keys" / f"{organisation.slug}.ed25519"


def checkpoint_path(organisation: Organisation) -> Path:
    return records_root() / "checkpoints" / f"{organisation.slug}.jsonl"


def signing_key(organisation: Organisation) -> Ed25519PrivateKey:
    """The organisation's key, created (exclusively, so two processes agree) on first use."""
    path = key_path(organisation)
    created = folder_make(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        raw = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
            out.flush()
            os.fsync(out.fileno())
        folders_sync([path.parent, *created])
    raw = path.read_bytes()
    if len(raw) != 32:
        raise RuntimeError(f"{path} is not an Ed25519 key (32 bytes); restore it from backup")
    return Ed25519PrivateKey.from_private_bytes(raw)


def public_key_hex(organisation: Organisation) -> str:
    return (
        signing_key(organisation)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        .hex()
    )


def _leaves(organisation: Organisation, size: int | None = None) -> list[bytes]:
    rows = AnchorLeaf.objects.filter(organisation=organisation).order_by("index")
    if size is not None:
        rows = rows.filter(index__lt=size)
    return [bytes.fromhex(h) for h in rows.values_list("leaf_hash", flat=True).iterator(10_000)]


def _append(path: Path, line: str) -> None:
    """Append `line` durably (the file, and its folder when the file is new)."""
    created = folder_make(path.parent)
    new = not path.exists()
    with path.open("a", encoding="utf-8") as out:
        out.write(line + "\n")
        out.flush()
        os.fsync(out.fileno())
    if new:
        folders_sync([path.parent, *created])


def checkpoint_write(*, organisation: Organisation, now: datetime) -> SignedCheckpoint:
    """Append a leaf for every case whose chain head moved since the last checkpoint, sign
    the root of the whole log, and append the signed line to the checkpoint file; then,
    when a time-stamp authority is configured, time-stamp that line (after the transaction:
    the checkpoint stands even when the authority cannot be reached)."""
    checkpoint, row = _checkpoint_sign(organisation=organisation, now=now)
    if settings.RECORDS_TSA_URL:
        checkpoint_timestamp(organisation, row)
    return checkpoint


@transaction.atomic
def _checkpoint_sign(
    *, organisation: Organisation, now: datetime
) -> tuple[SignedCheckpoint, Checkpoint]:
    Organisation.objects.select_for_update().get(pk=organisation.pk)
    known: dict[str, tuple[int, str]] = {}
    for reference, length, head in (
        AnchorLeaf.objects.filter(organisation=organisation)
        .order_by("index")
        .values_list("reference", "length", "head")
        .iterator(10_000)
    ):
        known[reference] = (length, head)
    index = AnchorLeaf.objects.filter(organisation=organisation).count()
    new: list[AnchorLeaf] = []
    for reference, length, head in (
        Case.objects.filter(organisation=organisation, ledger_length__gt=0)
        .order_by("pk")
        .values_list("reference", "ledger_length", "ledger_head")
        .iterator(10_000)
    ):
        if known.get(reference) != (length, head):
            new.append(
                AnchorLeaf(
                    organisation=organisation,
                    index=index,
                    reference=reference,
                    length=length,
                    head=head,
                    leaf_hash=head_leaf(reference, length, head).hex(),
                )
            )
            index += 1
    AnchorLeaf.objects.bulk_create(new, batch_size=5_000)
    leaves = _leaves(organisation)
    checkpoint = sign(organisation, tree_size=len(leaves), root=tree_root(leaves), now=now)
    row = Checkpoint.objects.create(
        organisation=organisation,
        tree_size=checkpoint.tree_size,
        root=checkpoint.root,
        signed_at=now,
        line=checkpoint.line(),
    )
    _append(checkpoint_path(organisation), checkpoint.line())
    return checkpoint, row


def tsa_certificate() -> bytes | None:
    """The trusted time-stamp authority's certificate (DER), if one is configured."""
    name = settings.RECORDS_TSA_CERT
    return certificate_der(Path(name).read_bytes()) if name else None


def tsa_fetch(url: str, data: bytes, *, nonce: int) -> bytes:
    """Ask the authority at `url` to time-stamp `data` (RFC 3161 over HTTP, RFC 3161 §3.4);
    return the DER token, or raise `TimestampError` saying what went wrong."""
    if not url.startswith(("http://", "https://")):
        raise TimestampError(f"PLAINT_TSA_URL must be an http:// or https:// address, not {url!r}")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url,
        data=timestamp_request(data, nonce=nonce),
        headers={"Content-Type": "application/timestamp-query"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TSA_TIMEOUT) as answer:  # noqa: S310 - checked above
            body = answer.read(1_000_000)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise TimestampError(f"the authority at {url} could not be reached ({exc})") from None
    return timestamp_token(body)


def checkpoint_timestamp(organisation: Organisation, row: Checkpoint) -> str:
    """Time-stamp a checkpoint's line: check the token against the trusted certificate,
    keep it on the row and append its line to the checkpoint file after the checkpoint.
    Returns "" or the problem (also kept on the row); never raises for the authority."""
    data = row.line.encode()
    nonce = secrets.randbits(63)
    try:
        cert = tsa_certificate()
        if cert is None:
            raise TimestampError("PLAINT_TSA_CERT is not set: no authority is trusted")
        token = tsa_fetch(settings.RECORDS_TSA_URL, data, nonce=nonce)
        timestamp_verify(token, data, tsa_cert=cert, nonce=nonce)
    except (TimestampError, OSError) as exc:
        row.timestamp_problem = str(exc)
        row.save(update_fields=["timestamp_problem"])
        return row.timestamp_problem
    row.timestamp = base64.b64encode(token).decode("ascii")
    row.timestamp_problem = ""
    row.save(update_fields=["timestamp", "timestamp_problem"])
    _append(checkpoint_path(organisation), timestamp_line(row.line, token))
    return ""


def sign(
    organisation: Organisation, *, tree_size: int, root: bytes, now: datetime
) -> SignedCheckpoint:
    unsigned = SignedCheckpoint(
        org=organisation.slug,
        tree_size=tree_size,
        root=root.hex(),
        signed_at=canonical_time(now),
        key=public_key_hex(organisation),
    )
    signature = signing_key(organisation).sign(unsigned.message())
    return SignedCheckpoint(**{**_fields(unsigned), "signature": signature.hex()})


def _fields(checkpoint: SignedCheckpoint) -> dict[str, Any]:
    return {
        "org": checkpoint.org,
        "tree_size": checkpoint.tree_size,
        "root": checkpoint.root,
        "signed_at": checkpoint.signed_at,
        "key": checkpoint.key,
    }


def checkpoint_latest(organisation: Organisation) -> SignedCheckpoint | None:
    row = Checkpoint.objects.filter(organisation=organisation).order_by("-tree_size", "-id").first()
    return None if row is None else checkpoint_parse(row.line)


def case_proof(case: Case, *, length: int | None = None) -> dict[str, Any]:
    """The inclusion proof, in the latest checkpoint, of the case's last anchored head (at
    most `length` events long), as the pack's proof.json holds it."""
    latest = checkpoint_latest(case.organisation)
    empty: dict[str, Any] = {"checkpoint": None}
    if latest is None:
        return empty
    leaf = (
        AnchorLeaf.objects.filter(
            organisation_id=case.organisation_id,
            reference=case.reference,
            index__lt=latest.tree_size,
            length__lte=length if length is not None else case.ledger_length,
        )
        .order_by("-index")
        .first()
    )
    if leaf is None:
        return empty
    leaves = _leaves(case.organisation, latest.tree_size)
    return {
        "checkpoint": {**latest.body(), "signature": latest.signature},
        "leaf": {"case": leaf.reference, "head": leaf.head, "length": leaf.length},
        "leaf_index": leaf.index,
        "path": [p.hex() for p in inclusion_proof(leaf.index, leaves)],
    }


@dataclass(slots=True)
class AnchorReport:
    checkpoints: int = 0
    leaves: int = 0
    timestamps: int = 0
    timestamps_unchecked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def checkpoints_verify(lines: Iterable[str]) -> AnchorReport:
    """Check the database against checkpoint lines (a copy of a checkpoint file): each
    signature, that the anchor log still has each checkpoint's root, that each checkpoint
    is consistent with the one before it (RFC 6962), and that every chain still holds, at
    each anchored length, the head the log recorded."""
    report = AnchorReport()
    by_org: dict[str, list[SignedCheckpoint]] = {}
    seen: dict[str, tuple[int, str, SignedCheckpoint | None]] = {}
    cert = tsa_certificate()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if is_timestamp_line(line):
            _timestamp_check(number, line, seen, cert, report)
            continue
        seen[sha256_hex(line)] = (number, line, None)
        try:
            checkpoint = checkpoint_parse(line)
        except CheckpointError as exc:
            report.problems.append(f"line {number}: {exc}")
            continue
        report.checkpoints += 1
        seen[sha256_hex(line)] = (number, line, checkpoint)
        if not signature_valid(checkpoint):
            report.problems.append(f"line {number}: the signature does not verify")
            continue
        by_org.setdefault(checkpoint.org, []).append(checkpoint)
    for slug, checkpoints in by_org.items():
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            report.problems.append(f"{slug}: no such organisation in this database")
            continue
        _org_verify(organisation, checkpoints, report)
    return report


def sha256_hex(line: str) -> str:
    return hashlib.sha256(line.encode()).hexdigest()


def _timestamp_check(
    number: int,
    line: str,
    seen: dict[str, tuple[int, str, SignedCheckpoint | None]],
    cert: bytes | None,
    report: AnchorReport,
) -> None:
    """A time-stamp line: its token must time-stamp a checkpoint line before it, be signed
    by the trusted authority, and not be older than the time the checkpoint says it was
    signed (a checkpoint cannot be signed after it was stamped)."""
    try:
        digest, token = timestamp_line_parse(line)
    except TimestampError as exc:
        report.problems.append(f"line {number}: {exc}")
        return
    stamped = seen.get(digest)
    if stamped is None:
        report.problems.append(
            f"line {number}: time-stamps no checkpoint line before it (that line was changed)"
        )
        return
    report.timestamps += 1
    if cert is None:
        report.timestamps_unchecked += 1
        return
    at, original, checkpoint = stamped
    try:
        stamp = timestamp_verify(token, original.encode(), tsa_cert=cert)
    except TimestampError as exc:
        report.problems.append(f"line {number} (time-stamp of line {at}): {exc}")
        return
    if checkpoint is not None and stamp.gen_time < datetime.fromisoformat(checkpoint.signed_at):
        report.problems.append(
            f"line {number}: the authority stamped line {at} at {stamp.gen_time.isoformat()}, "
            f"before the time it says it was signed ({checkpoint.signed_at})"
        )


def _org_verify(
    organisation: Organisation, checkpoints: list[SignedCheckpoint], report: AnchorReport
) -> None:
    slug = organisation.slug
    leaves = _leaves(organisation)
    previous: SignedCheckpoint | None = None
    for checkpoint in sorted(checkpoints, key=lambda c: c.tree_size):
        size = checkpoint.tree_size
        if size > len(leaves):
            report.problems.append(
                f"{slug}: checkpoint {size} has more leaves than the anchor log ({len(leaves)})"
            )
            continue
        if tree_root(leaves[:size]).hex() != checkpoint.root:
            report.problems.append(
                f"{slug}: the anchor log no longer has the root of checkpoint {size}: "
                "anchored heads were rewritten"
            )
        if previous is not None and 0 < previous.tree_size < size:
            proof = consistency_proof(previous.tree_size, leaves[:size])
            if not consistency_verify(
                previous.tree_size,
                size,
                bytes.fromhex(previous.root),
                bytes.fromhex(checkpoint.root),
                proof,
            ):
                report.problems.append(
                    f"{slug}: checkpoint {size} is not consistent with checkpoint "
                    f"{previous.tree_size}: history was rewritten between them"
                )
        previous = checkpoint
    if previous is None:
        return
    _chains_verify(organisation, previous.tree_size, report)


def _chains_verify(organisation: Organisation, size: int, report: AnchorReport) -> None:
    """Every anchored (case, length, head) still holds: event #length has that hash."""
    wanted: dict[tuple[str, int], str] = {}
    for reference, length, head in (
        AnchorLeaf.objects.filter(organisation=organisation, index__lt=size)
        .values_list("reference", "length", "head")
        .iterator(10_000)
    ):
        wanted[(reference, length)] = head
    report.leaves += len(wanted)
    references = dict(Case.objects.filter(organisation=organisation).values_list("pk", "reference"))
    found: set[tuple[str, int]] = set()
    for case_id, seq, digest in (
        CaseEvent.objects.filter(organisation=organisation)
        .values_list("case_id", "seq", "hash")
        .iterator(10_000)
    ):
        key = (str(references.get(case_id, "")), seq)
        anchored = wanted.get(key)
        if anchored is None:
            continue
        found.add(key)
        if digest != anchored:
            report.problems.append(
                f"{organisation.slug}/{key[0]} event #{seq}: its hash is {digest[:12]}..., "
                f"the checkpoint anchored {anchored[:12]}...: the chain was rewritten"
            )
    for reference, length in sorted(set(wanted) - found):
        report.problems.append(
            f"{organisation.slug}/{reference} event #{length}: anchored, now missing"
        )
