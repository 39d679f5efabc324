"""Evidence packs of a case (see `plaint.domain.pack` for the format), built from the
ledger, the evidence store and the letter store, and recorded on the ledger when exported.

`case_pack_build` is a pure read: the same case at the same ledger length gives the same
bytes, but for the manifest's export time (and `proof.json`, if a newer checkpoint was
signed in between). `case_pack_export` builds one and appends `case_exported`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.template.loader import render_to_string

from plaint.cases import evidence_store
from plaint.cases.ledger import Actor, event_append, personal_prefetch
from plaint.cases.models import Case, CaseEvent, Customer
from plaint.cases.services import case_lock, require_aware
from plaint.domain import timeline
from plaint.domain.errors import DomainError
from plaint.domain.events import EventKind, payload_from_json
from plaint.domain.events_records import CaseExported
from plaint.domain.fold import case_fold
from plaint.domain.ledger import canonical_time
from plaint.domain.letters.formats import pdf_from_html
from plaint.domain.pack import LEDGER_FIELDS, canonical, manifest_build, pretty, zip_build
from plaint.domain.vocabulary import Visibility
from plaint.letters import store as letter_store
from plaint.records.anchoring import case_proof

VERIFIER = Path(__file__).with_name("verify_pack.py")
AUDIENCES = ("staff", "customer")

#: The facts a customer's pack states (not the assignee, nor staff's coding).
CUSTOMER_FACTS = (
    "reference",
    "channel",
    "received_at",
    "product",
    "issue",
    "respondent",
    "order_number",
    "account_number",
    "amount_in_dispute",
    "currency",
    "occurred_on",
    "description",
    "desired_resolution",
    "status",
    "closed_at",
)

README = """Evidence pack of case {reference} ({organisation})
================================================

This ZIP is the record of one complaint as Plaint holds it, made so that anyone can check
it without trusting Plaint.

manifest.json   every file in this pack with its SHA-256 and size
ledger.jsonl    the case's events, one per line, each chained to the one before by SHA-256
case.json       the case's facts, which are the fold of its events
timeline.pdf    the events in words; times in {zone}
evidence/       each evidence file, named by its SHA-256
letters/        each kept letter, named by its SHA-256 and format
personal.jsonl  the personal values of the events (customer's name, free text...), each
                with the salt of the commitment its event's hash covers in its place
proof.json      proof that the case's chain head is in a checkpoint the organisation signed
verify_pack.py  a verifier that needs only Python 3.11 or later and nothing else

To check it:    python3 verify_pack.py THIS-FILE.zip

It recomputes every hash and the chain, checks every file its events name, and checks the
proof against the checkpoint's Ed25519 signature. Compare the key it prints with the key
the organisation publishes. {audience_note}
"""


@dataclass(frozen=True)
class Pack:
    data: bytes
    filename: str
    manifest_sha256: str
    files: int
    ledger_length: int


def _ledger_line(event: dict[str, Any], withheld: bool) -> str:
    event = {name: event[name] for name in LEDGER_FIELDS}
    if withheld:
        return canonical(
            {
                "hash": event["hash"],
                "prev_hash": event["prev_hash"],
                "seq": event["seq"],
                "withheld": True,
            }
        )
    return canonical(event)


def _events(case: Case, length: int) -> list[dict[str, Any]]:
    """The events as hashed (`LEDGER_FIELDS`), each with its `clear` payload (personal values
    put back) and its `personal` data (path -> (salt, value JSON))."""
    rows = personal_prefetch(CaseEvent.objects.filter(case=case, seq__lte=length).order_by("seq"))
    return [
        {
            "actor_id": e.actor_id,
            "actor_kind": e.actor_kind,
            "actor_label": e.actor_label,
            "hash": e.hash,
            "kind": e.kind,
            "occurred_at": canonical_time(e.occurred_at),
            "payload": e.payload,
            "prev_hash": e.prev_hash,
            "recorded_at": canonical_time(e.recorded_at),
            "seq": e.seq,
            "visibility": e.visibility,
            "clear": e.clear_payload,
            "personal": e.__dict__.get("_plaint_personal", {}),
        }
        for e in rows
    ]


def _local(text: str, zone: ZoneInfo) -> str:
    return datetime.fromisoformat(text).astimezone(zone).strftime("%d %b %Y %H:%M %Z")


def _timeline_pdf(case: Case, events: list[dict[str, Any]], zone: ZoneInfo, audience: str) -> bytes:
    rows = []
    for e in events:
        payload = payload_from_json(e["kind"], e["clear"])
        detail = timeline.detail(payload)
        if audience == "customer" and getattr(payload, "summary_internal", False):
            detail = ""
        rows.append(
            {
                "seq": e["seq"],
                "when": _local(e["occurred_at"], zone),
                "recorded": _local(e["recorded_at"], zone),
                "visibility": e["visibility"],
                "what": timeline.describe(payload),
                "detail": detail,
                "actor": e["actor_label"],
                "hash": e["hash"],
            }
        )
    html = render_to_string(
        "records/timeline_pdf.html",
        {
            "reference": case.reference,
            "organisation": case.organisation.name,
            "zone": zone.key,
            "rows": rows,
            "count": len(rows),
            "audience": audience,
        },
    )
    return pdf_from_html(html, (Path(__file__).parent / "templates" / "records",))


def case_pack_build(
    *, case: Case, exported_at: datetime, length: int | None = None, audience: str = "staff"
) -> Pack:
    """The evidence pack of `case` as its ledger stood after `length` events (default:
    all), for staff (everything) or the customer (customer-visible events and files; the
    internal events' content withheld, their hashes kept so the chain still checks)."""
    if audience not in AUDIENCES:
        raise DomainError(f"audience must be one of {', '.join(AUDIENCES)}")
    length = case.ledger_length if length is None else length
    if not 0 < length <= case.ledger_length:
        raise DomainError(f"{case.reference} has events 1 to {case.ledger_length}, not {length}.")
    zone = ZoneInfo(case.organisation.time_zone)
    events = _events(case, length)
    customer = audience == "customer"
    shown = [e for e in events if not customer or e["visibility"] == Visibility.CUSTOMER.value]
    entries: dict[str, bytes] = {
        "ledger.jsonl": "".join(
            _ledger_line(e, customer and e["visibility"] != Visibility.CUSTOMER.value) + "\n"
            for e in events
        ).encode("utf-8"),
        "timeline.pdf": _timeline_pdf(case, shown, zone, audience),
        "proof.json": pretty(case_proof(case, length=length)),
        "verify_pack.py": VERIFIER.read_bytes(),
    }
    personal = [
        canonical({"path": path, "salt": salt, "seq": e["seq"], "value": value})
        for e in shown
        for path, (salt, value) in sorted(e["personal"].items())
    ]
    if personal:
        entries["personal.jsonl"] = "".join(line + "\n" for line in personal).encode("utf-8")
    erased = any(e["kind"] == EventKind.CASE_ERASED.value for e in events)
    facts = case_fold((e["kind"], e["clear"], e["recorded_at"]) for e in events)
    if customer:
        facts = {name: facts.get(name) for name in CUSTOMER_FACTS}
    person = Customer.objects.get(pk=case.customer_id)
    entries["case.json"] = pretty(
        {
            "facts": facts,
            "customer": {
                "name": person.name,
                "email": person.email,
                "phone": person.phone,
                "postal_address": person.postal_address,
            },
            "evidence": [],
            "letters": [],
        }
    )
    index: dict[str, list[dict[str, Any]]] = {"evidence": [], "letters": []}
    for e in shown:
        payload = json.loads(e["clear"])
        if e["kind"] == "evidence_attached":
            sha = payload["sha256"]
            blob = evidence_store.blob_path(sha)
            if erased and not blob.exists():
                continue  # deleted by the erasure
            entries[f"evidence/{sha}"] = blob.read_bytes()
            index["evidence"].append(
                {
                    "seq": e["seq"],
                    "path": f"evidence/{sha}",
                    "filename": payload["filename"],
                    "content_type": payload["content_type"],
                }
            )
        elif e["kind"] == "letter_generated":
            for fmt, sha in sorted(payload["files"].items()):
                if erased and not letter_store.letter_exists(sha):
                    continue  # deleted by the erasure
                entries[f"letters/{sha}.{fmt}"] = letter_store.letter_read(sha)
                index["letters"].append(
                    {"seq": e["seq"], "path": f"letters/{sha}.{fmt}", "title": payload["title"]}
                )
    case_json = json.loads(entries["case.json"])
    case_json.update(index)
    entries["case.json"] = pretty(case_json)
    note = (
        "This is the customer's copy: internal events are listed by their hashes only, so "
        "the chain still checks without showing what they say."
        if customer
        else "This is the full record, internal events included."
    )
    entries["README.txt"] = README.format(
        reference=case.reference,
        organisation=case.organisation.name,
        zone=zone.key,
        audience_note=note,
    ).encode("utf-8")
    manifest = manifest_build(
        entries,
        {
            "audience": audience,
            "case": case.reference,
            "exported_at": canonical_time(exported_at),
            "ledger": {"head": events[-1]["hash"], "length": length},
            "organisation": {
                "name": case.organisation.name,
                "slug": case.organisation.slug,
                "time_zone": zone.key,
            },
        },
    )
    entries["manifest.json"] = manifest
    suffix = "-customer" if customer else ""
    return Pack(
        data=zip_build(entries),
        filename=f"{case.reference}-{length}{suffix}.zip",
        manifest_sha256=hashlib.sha256(manifest).hexdigest(),
        files=len(entries),
        ledger_length=length,
    )


@transaction.atomic
def case_pack_export(
    *,
    case: Case,
    actor: Actor,
    now: datetime,
    length: int | None = None,
    audience: str = "staff",
) -> Pack:
    """Build the pack and record its export (`case_exported`) on the case's ledger."""
    require_aware(now=now)
    case = case_lock(case)
    pack = case_pack_build(case=case, exported_at=now, length=length, audience=audience)
    event_append(
        case=case,
        payload=CaseExported(
            audience=audience,
            ledger_length=pack.ledger_length,
            manifest_sha256=pack.manifest_sha256,
            files=pack.files,
        ),
        actor=actor,
        now=now,
        visibility=Visibility.CUSTOMER if audience == "customer" else Visibility.INTERNAL,
    )
    return pack
