"""The evidence pack: one ZIP holding a case's record, checkable by anyone.

Entries (sorted, each dated 1980-01-01 so the same record gives the same bytes):

    manifest.json     format, case, organisation, ledger length and head, export time,
                      and every other entry's path, SHA-256 and size
    ledger.jsonl      one event per line, exactly as hashed (a customer's pack withholds
                      the content of internal events and keeps their seq and hashes)
    personal.jsonl    the events' personal values with their salts (absent when there are
                      none): each gives the commitment its event's payload holds
    case.json         the case's facts (the fold of its events) and its customer
    timeline.pdf      every event in words, internal ones marked, times in the org's zone
    evidence/SHA256   each evidence file under its SHA-256
    letters/SHA256.F  each kept letter file in each format F it was generated in
    proof.json        the inclusion proof of the case's chain head in the latest checkpoint
    verify_pack.py    a verifier needing only Python's standard library
    README.txt        what this is and how to check it

`pack_verify` is Plaint's own verifier (`plaint verify-pack`); the shipped script is an
independent one.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from plaint.domain.checkpoint import checkpoint_parse, head_leaf, signature_valid
from plaint.domain.fold import case_fold
from plaint.domain.ledger import GENESIS, LedgerEntry, chain_hash
from plaint.domain.merkle import inclusion_verify
from plaint.domain.personal import commitment_problems, rehydrate

FORMAT = "plaint-evidence-pack/1"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
LEDGER_FIELDS = (
    "actor_id",
    "actor_kind",
    "actor_label",
    "hash",
    "kind",
    "occurred_at",
    "payload",
    "prev_hash",
    "recorded_at",
    "seq",
    "visibility",
)


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def pretty(value: Any) -> bytes:
    return (json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def zip_build(entries: Mapping[str, bytes]) -> bytes:
    """A ZIP of `entries`, sorted by name, with fixed dates and modes: the same entries
    always give the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, entries[name], compresslevel=6)
    return out.getvalue()


def manifest_build(entries: Mapping[str, bytes], header: Mapping[str, Any]) -> bytes:
    files = [
        {"path": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for name, data in sorted(entries.items())
    ]
    return pretty({**header, "format": FORMAT, "files": files})


@dataclass(slots=True)
class PackReport:
    problems: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    events: int = 0
    files: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def fail(self, path: str, reason: str) -> None:
        self.problems.append((path, reason))


def _entry(reference: str, line: Mapping[str, Any]) -> LedgerEntry:
    return LedgerEntry(
        case=reference,
        seq=int(line["seq"]),
        kind=str(line["kind"]),
        occurred_at=str(line["occurred_at"]),
        recorded_at=str(line["recorded_at"]),
        actor_kind=str(line["actor_kind"]),
        actor_id=line["actor_id"],
        actor_label=str(line["actor_label"]),
        visibility=str(line["visibility"]),
        payload_json=str(line["payload"]),
    )


def pack_verify(data: bytes) -> PackReport:
    """Check a pack: every file against the manifest, the chain event by event, the files
    its events name, the facts against the fold, and the proof against its checkpoint."""
    report = PackReport()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(archive.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        report.fail("manifest.json", f"not a readable evidence pack ({exc})")
        return report
    if manifest.get("format") != FORMAT:
        report.fail("manifest.json", f"format is {manifest.get('format')!r}, not {FORMAT}")
        return report
    listed = {f["path"]: f for f in manifest.get("files", [])}
    present = set(archive.namelist()) - {"manifest.json"}
    for name in sorted(present - set(listed)):
        report.fail(name, "is in the pack but not in the manifest")
    contents: dict[str, bytes] = {}
    for name, entry in sorted(listed.items()):
        if name not in present:
            report.fail(name, "is in the manifest but missing from the pack")
            continue
        body = archive.read(name)
        contents[name] = body
        report.files += 1
        if hashlib.sha256(body).hexdigest() != entry["sha256"] or len(body) != entry["size"]:
            report.fail(name, "does not match its SHA-256 and size in the manifest: altered")
    lines = _ledger_verify(manifest, contents.get("ledger.jsonl", b""), report)
    _personal_verify(lines, contents.get("personal.jsonl", b""), report)
    _named_files_verify(lines, contents, report)
    _facts_verify(manifest, lines, contents.get("case.json"), report)
    _proof_verify(manifest, lines, contents.get("proof.json"), report)
    return report


def _ledger_verify(
    manifest: Mapping[str, Any], text: bytes, report: PackReport
) -> list[dict[str, Any]]:
    reference = str(manifest.get("case", ""))
    lines: list[dict[str, Any]] = []
    prev = GENESIS
    for number, raw in enumerate(text.decode("utf-8", "replace").splitlines(), start=1):
        try:
            line = json.loads(raw)
        except ValueError:
            report.fail("ledger.jsonl", f"line {number} is not JSON")
            return lines
        lines.append(line)
        report.events += 1
        where = f"event #{line.get('seq')}"
        if line.get("seq") != number:
            report.fail("ledger.jsonl", f"{where}: expected event #{number}")
        elif line.get("prev_hash") != prev:
            report.fail("ledger.jsonl", f"{where}: prev_hash does not match the event before")
        elif not line.get("withheld"):
            try:
                digest = chain_hash(prev, _entry(reference, line))
            except (KeyError, TypeError, ValueError):
                digest = ""
            if digest != line.get("hash"):
                report.fail("ledger.jsonl", f"{where}: content does not match its hash")
        prev = str(line.get("hash", ""))
    ledger = manifest.get("ledger", {})
    if (ledger.get("length"), ledger.get("head")) != (len(lines), prev):
        report.fail(
            "ledger.jsonl",
            f"holds {len(lines)} events ending in {prev[:12]}..., the manifest says "
            f"{ledger.get('length')} ending in {str(ledger.get('head'))[:12]}...",
        )
    return lines


def _personal_verify(lines: list[dict[str, Any]], text: bytes, report: PackReport) -> None:
    """Check each personal value against its event's commitment and put the values back
    into each line's `clear` payload (the one the facts are folded from)."""
    data: dict[int, dict[str, tuple[str, str]]] = {}
    for number, raw in enumerate(text.decode("utf-8", "replace").splitlines(), start=1):
        try:
            datum = json.loads(raw)
            seq, path = int(datum["seq"]), str(datum["path"])
            data.setdefault(seq, {})[path] = (str(datum["salt"]), str(datum["value"]))
        except (ValueError, KeyError, TypeError):
            report.fail("personal.jsonl", f"line {number} is not a personal datum")
    by_seq = {line.get("seq"): line for line in lines if not line.get("withheld")}
    for seq, values in sorted(data.items()):
        line = by_seq.get(seq)
        if line is None:
            report.fail("personal.jsonl", f"event #{seq} is not in the ledger")
            continue
        for problem in commitment_problems(str(line["kind"]), str(line["payload"]), values):
            report.fail("personal.jsonl", f"event #{seq}: {problem}")
    for line in by_seq.values():
        try:
            line["clear"] = rehydrate(
                str(line["kind"]), str(line["payload"]), data.get(int(line["seq"]), {})
            ).payload_json
        except (KeyError, TypeError, ValueError):
            line["clear"] = line.get("payload", "{}")
    if any(line.get("kind") == "case_erased" for line in lines):
        report.notes.append("The case was erased: its personal values and files are gone.")


def _named_files_verify(
    lines: list[dict[str, Any]], contents: Mapping[str, bytes], report: PackReport
) -> None:
    erased = any(line.get("kind") == "case_erased" for line in lines)
    for line in lines:
        if line.get("withheld"):
            continue
        payload = json.loads(line.get("payload", "{}"))
        wanted: list[str] = []
        if line.get("kind") == "evidence_attached":
            wanted.append(f"evidence/{payload['sha256']}")
        elif line.get("kind") == "letter_generated":
            wanted += [f"letters/{sha}.{fmt}" for fmt, sha in payload.get("files", {}).items()]
        for name in wanted:
            sha = name.split("/", 1)[1].split(".", 1)[0]
            body = contents.get(name)
            if body is None and erased:
                continue  # deleted by the erasure
            if body is None:
                report.fail(name, f"event #{line['seq']} names this file; it is not in the pack")
            elif hashlib.sha256(body).hexdigest() != sha:
                report.fail(name, "content does not match the SHA-256 its event names")


def _facts_verify(
    manifest: Mapping[str, Any],
    lines: list[dict[str, Any]],
    text: bytes | None,
    report: PackReport,
) -> None:
    if text is None:
        return
    try:
        facts = json.loads(text)["facts"]
    except (ValueError, KeyError):
        report.fail("case.json", "is not readable")
        return
    if manifest.get("audience") != "staff" or any(line.get("withheld") for line in lines):
        return  # a customer's pack withholds events, so its facts cannot be refolded
    try:
        folded = case_fold(
            (str(line["kind"]), str(line.get("clear", line["payload"])), str(line["recorded_at"]))
            for line in lines
        )
    except (KeyError, ValueError):
        report.fail("ledger.jsonl", "its events cannot be folded into facts")
        return
    for name, value in folded.items():
        if facts.get(name) != value:
            report.fail("case.json", f"{name} is {facts.get(name)!r}; the events say {value!r}")


def _proof_verify(
    manifest: Mapping[str, Any],
    lines: list[dict[str, Any]],
    text: bytes | None,
    report: PackReport,
) -> None:
    if text is None:
        report.fail("proof.json", "is missing")
        return
    try:
        proof = json.loads(text)
    except ValueError:
        report.fail("proof.json", "is not JSON")
        return
    if proof.get("checkpoint") is None:
        report.notes.append("No checkpoint covered this case when the pack was made.")
        return
    try:
        checkpoint = checkpoint_parse(canonical(proof["checkpoint"]))
        leaf = proof["leaf"]
        index, path = int(proof["leaf_index"]), [bytes.fromhex(p) for p in proof["path"]]
    except (KeyError, TypeError, ValueError) as exc:
        report.fail("proof.json", f"is not readable ({exc})")
        return
    if not signature_valid(checkpoint):
        report.fail("proof.json", "the checkpoint's signature does not verify")
    if leaf.get("case") != manifest.get("case"):
        report.fail("proof.json", "its leaf is another case's")
    length = int(leaf.get("length", 0))
    if not 0 < length <= len(lines) or lines[length - 1].get("hash") != leaf.get("head"):
        report.fail(
            "proof.json",
            f"the checkpoint anchored event #{length} as {str(leaf.get('head'))[:12]}...; "
            "the pack's ledger differs: the chain was rewritten",
        )
    hashed = head_leaf(str(leaf.get("case")), length, str(leaf.get("head")))
    if not inclusion_verify(
        index, checkpoint.tree_size, hashed, path, bytes.fromhex(checkpoint.root)
    ):
        report.fail("proof.json", "the inclusion proof does not lead to the checkpoint's root")
    report.notes.append(
        f"Anchored: events 1 to {length} are in checkpoint {checkpoint.tree_size} of "
        f"{checkpoint.org} signed at {checkpoint.signed_at} by key {checkpoint.key[:16]}... "
        "(compare the key with the one the organisation publishes)."
    )
    if length < len(lines):
        report.notes.append(
            f"Events {length + 1} to {len(lines)} came after that checkpoint: not yet anchored."
        )
