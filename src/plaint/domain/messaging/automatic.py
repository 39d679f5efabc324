"""Recognising mail that no automatic reply may answer (RFC 3834 section 2 and 5).

A message is automatic when it says so (`Auto-Submitted` other than `no`), when it is bulk
or list mail (`Precedence: bulk|list|junk`, `List-Id`, `List-Unsubscribe`), when it carries
our own `X-Loop` marker or comes from our own address, or when it is a delivery report
(`multipart/report`, a mailer-daemon sender, an empty return path). Such mail is still
recorded; it just never gets an automatic answer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Automatic:
    """Why a message must get no automatic reply."""

    reason: str


def _value(headers: Mapping[str, str], name: str) -> str:
    return str(headers.get(name.lower(), "") or "").strip()


def automatic_classify(
    headers: Mapping[str, str],
    *,
    sender: str,
    content_type: str,
    our_addresses: frozenset[str],
    loop_marker: str,
) -> Automatic | None:
    """Why no automatic reply may answer this message, or None when one may. `headers`
    maps lower-case header names to their values."""
    auto = _value(headers, "auto-submitted").lower()
    if auto and auto.split(";")[0].strip() != "no":
        return Automatic(f"Auto-Submitted: {auto}")
    precedence = _value(headers, "precedence").lower()
    if precedence in {"bulk", "list", "junk"}:
        return Automatic(f"Precedence: {precedence}")
    for name in ("list-id", "list-unsubscribe"):
        if _value(headers, name):
            return Automatic(f"mailing-list mail ({name})")
    loop = _value(headers, "x-loop").lower()
    if loop and loop_marker and loop_marker.lower() in loop:
        return Automatic("X-Loop: our own mail came back")
    if sender.strip().lower() in our_addresses:
        return Automatic("sent from our own address")
    if content_type.lower() == "multipart/report":
        return Automatic("a delivery or read report")
    local = sender.split("@")[0].lower()
    if local in {"mailer-daemon", "postmaster"} or local.startswith(("noreply", "no-reply")):
        return Automatic(f"sent by {local}")
    if "return-path" in headers and _value(headers, "return-path") in {"<>", ""}:
        return Automatic("empty return path (a bounce)")
    if _value(headers, "x-autoreply") or _value(headers, "x-autorespond"):
        return Automatic("an auto-responder's reply")
    return None
