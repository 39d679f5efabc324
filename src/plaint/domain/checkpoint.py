"""Checkpoints: the chain heads of an organisation's cases, anchored outside the database.

The anchor log is an append-only list of leaves, one appended whenever a case's chain head
moved since the last checkpoint: ``{"case":REF,"head":HASH,"length":N}`` (canonical JSON).
A checkpoint is the RFC 6962 root of the first `tree_size` leaves, signed with the
organisation's Ed25519 key. Because the log only grows, two checkpoints are linked by an
RFC 6962 consistency proof; because each leaf names a chain's length and head, a chain
rewritten from an earlier event on (even with a matching head stored on the case) no longer
has that head at that length, and is caught.

A checkpoint line (one JSON object per line of the checkpoint file)::

    {"key":HEX,"org":SLUG,"root":HEX,"signature":HEX,"signed_at":ISO,"tree_size":N,
     "version":"plaint-checkpoint/1"}

The signature is over the canonical JSON of every field but `signature`.
"""

from __future__ import annotations

import hashlib
import json
import json.encoder
from dataclasses import dataclass
from typing import Any

VERSION = "plaint-checkpoint/1"
_quote = json.encoder.encode_basestring  # the C quoter json.dumps(ensure_ascii=False) uses
_sha256 = hashlib.sha256


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def leaf_data(reference: str, length: int, head: str) -> bytes:
    """The canonical JSON of one chain head (the same text as `_canonical` of the dict,
    spelt directly: a checkpoint builds a million of them)."""
    return (f'{{"case":{_quote(reference)},"head":{_quote(head)},"length":{int(length)}}}').encode()


def head_leaf(reference: str, length: int, head: str) -> bytes:
    """The leaf hash of one chain head."""
    return _sha256(b"\x00" + leaf_data(reference, length, head)).digest()


@dataclass(frozen=True, slots=True)
class Checkpoint:
    org: str
    tree_size: int
    root: str
    signed_at: str
    key: str
    signature: str = ""

    def body(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "org": self.org,
            "root": self.root,
            "signed_at": self.signed_at,
            "tree_size": self.tree_size,
            "version": VERSION,
        }

    def message(self) -> bytes:
        """The bytes the organisation signs."""
        return _canonical(self.body()).encode("utf-8")

    def line(self) -> str:
        return _canonical({**self.body(), "signature": self.signature})


class CheckpointError(ValueError):
    """A checkpoint line that cannot be read."""


def checkpoint_parse(line: str) -> Checkpoint:
    try:
        data = json.loads(line)
        if data.get("version") != VERSION:
            raise CheckpointError(f"not a {VERSION} line")
        checkpoint = Checkpoint(
            org=str(data["org"]),
            tree_size=int(data["tree_size"]),
            root=str(data["root"]),
            signed_at=str(data["signed_at"]),
            key=str(data["key"]),
            signature=str(data["signature"]),
        )
        bytes.fromhex(checkpoint.root)
        bytes.fromhex(checkpoint.key)
        bytes.fromhex(checkpoint.signature)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        if isinstance(exc, CheckpointError):
            raise
        raise CheckpointError(f"unreadable checkpoint line: {exc}") from None
    return checkpoint


def signature_valid(checkpoint: Checkpoint) -> bool:
    """Whether the checkpoint's signature is the key's over its body."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(checkpoint.key))
        key.verify(bytes.fromhex(checkpoint.signature), checkpoint.message())
    except (InvalidSignature, ValueError):
        return False
    return True
