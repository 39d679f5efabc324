#!/usr/bin/env python3
"""Check a Plaint evidence pack with nothing but Python's standard library (3.11+).

    python3 verify_pack.py PACK.zip

It checks, and names each file that fails:
  1. every file against the SHA-256 and size in manifest.json, and that no file is extra;
  2. the ledger: each event's SHA-256 over the previous hash and the event's canonical
     JSON, each link to the event before, and the head and length the manifest states
     (a customer's copy withholds internal events' content but keeps their hashes);
  3. every evidence and letter file an event names is in the pack with that SHA-256;
  4. proof.json: the checkpoint's Ed25519 signature (RFC 8032, computed here), that the
     anchored head is the ledger's event at that length, and the RFC 6962 inclusion proof
     of that head in the checkpoint's Merkle root.
Exit status 0 when everything holds, 1 otherwise. Compare the printed key with the one the
organisation publishes: the signature proves who signed, not who the signer is.

This file is part of Plaint (AGPL-3.0-or-later) and is shipped inside every pack.
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
import zipfile

FORMAT = "plaint-evidence-pack/1"
GENESIS = "0" * 64


# ------------------------------------------------------------- Ed25519 (RFC 8032 5.1.7)

_P = 2**255 - 19
_L = 2**252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _add(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    x1, y1, z1, t1 = a
    x2, y2, z2, t2 = b
    aa = (y1 - x1) * (y2 - x2) % _P
    bb = (y1 + x1) * (y2 + x2) % _P
    cc = 2 * t1 * t2 * _D % _P
    dd = 2 * z1 * z2 % _P
    e, f, g, h = bb - aa, dd - cc, dd + cc, bb + aa
    return (e * f % _P, g * h % _P, f * g % _P, e * h % _P)


def _mul(scalar: int, point: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
    result = (0, 1, 1, 0)
    while scalar:
        if scalar & 1:
            result = _add(result, point)
        point = _add(point, point)
        scalar >>= 1
    return result


def _x(y: int, sign: int) -> int | None:
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P:
        return None
    return _P - x if (x & 1) != sign else x


def _point(data: bytes) -> tuple[int, int, int, int] | None:
    if len(data) != 32:
        return None
    y = int.from_bytes(data, "little")
    sign, y = y >> 255, y & ((1 << 255) - 1)
    x = _x(y, sign)
    return None if x is None else (x, y, 1, x * y % _P)


_GY = 4 * pow(5, _P - 2, _P) % _P
_G = (_x(_GY, 0) or 0, _GY, 1, (_x(_GY, 0) or 0) * _GY % _P)


def _same(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return (a[0] * b[2] - b[0] * a[2]) % _P == 0 and (a[1] * b[2] - b[1] * a[2]) % _P == 0


def ed25519_verify(public: bytes, message: bytes, signature: bytes) -> bool:
    if len(public) != 32 or len(signature) != 64:
        return False
    a, r = _point(public), _point(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if a is None or r is None or s >= _L:
        return False
    h = int.from_bytes(hashlib.sha512(signature[:32] + public + message).digest(), "little")
    return _same(_mul(s, _G), _add(r, _mul(h % _L, a)))


# ------------------------------------------------------------- RFC 6962 / RFC 9162


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def inclusion_ok(index: int, size: int, leaf: bytes, path: list[bytes], root: bytes) -> bool:
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return False
        if fn % 2 == 1 or fn == sn:
            r = _node(p, r)
            while fn % 2 == 0 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = _node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


# ------------------------------------------------------------- the pack


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _event_hash(reference: str, prev: str, line: dict) -> str:  # type: ignore[type-arg]
    payload = json.loads(line["payload"])
    if _canonical(payload) != line["payload"]:
        return ""  # the payload is not in canonical form, so it is not what was hashed
    entry = {
        "actor_id": line["actor_id"],
        "actor_kind": line["actor_kind"],
        "actor_label": line["actor_label"],
        "case": reference,
        "kind": line["kind"],
        "occurred_at": line["occurred_at"],
        "payload": payload,
        "recorded_at": line["recorded_at"],
        "seq": line["seq"],
        "visibility": line["visibility"],
    }
    return hashlib.sha256((prev + _canonical(entry)).encode("utf-8")).hexdigest()


def _personal(raw: bytes, lines: list[dict], problems: list[str]) -> None:  # type: ignore[type-arg]
    """Each personal value against the commitment its event's hashed payload holds."""
    by_seq = {line["seq"]: line for line in lines if not line.get("withheld")}
    for number, text in enumerate(raw.decode("utf-8").splitlines(), 1):
        try:
            datum = json.loads(text)
            line = by_seq[datum["seq"]]
            holder = json.loads(line["payload"])
            head, _, key = datum["path"].partition(".")
            held = holder[head][key] if key else holder[head]
            digest = hashlib.sha256(
                bytes.fromhex(datum["salt"]) + datum["value"].encode("utf-8")
            ).hexdigest()
            if held != {"commit": digest}:
                problems.append(f"personal.jsonl: line {number} does not match its commitment")
        except (ValueError, KeyError, TypeError):
            problems.append(f"personal.jsonl: line {number} belongs to no commitment")


def verify(data: bytes) -> tuple[list[str], list[str]]:
    """(problems, notes) of the pack `data`."""
    problems: list[str] = []
    notes: list[str] = []
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(archive.read("manifest.json"))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        return [f"manifest.json: not a readable evidence pack ({exc})"], notes
    if manifest.get("format") != FORMAT:
        return [f"manifest.json: format {manifest.get('format')!r} is not {FORMAT}"], notes
    listed = {f["path"]: f for f in manifest.get("files", [])}
    present = set(archive.namelist()) - {"manifest.json"}
    problems += [f"{n}: in the pack but not in the manifest" for n in sorted(present - set(listed))]
    files: dict[str, bytes] = {}
    for name, entry in sorted(listed.items()):
        if name not in present:
            problems.append(f"{name}: in the manifest but missing from the pack")
            continue
        files[name] = body = archive.read(name)
        if hashlib.sha256(body).hexdigest() != entry["sha256"] or len(body) != entry["size"]:
            problems.append(f"{name}: does not match its SHA-256 and size in the manifest")
    reference = manifest.get("case", "")
    lines: list[dict] = []  # type: ignore[type-arg]
    prev = GENESIS
    for number, raw in enumerate(files.get("ledger.jsonl", b"").decode("utf-8").splitlines(), 1):
        try:
            line = json.loads(raw)
            if line["seq"] != number:
                problems.append(f"ledger.jsonl: event #{line['seq']} where #{number} belongs")
            elif line["prev_hash"] != prev:
                problems.append(f"ledger.jsonl: event #{number} does not link to the one before")
            elif not line.get("withheld") and _event_hash(reference, prev, line) != line["hash"]:
                problems.append(f"ledger.jsonl: event #{number} does not match its hash")
            prev = line["hash"]
            lines.append(line)
        except (ValueError, KeyError, TypeError):
            problems.append(f"ledger.jsonl: line {number} is not an event")
            break
    ledger = manifest.get("ledger", {})
    if (ledger.get("length"), ledger.get("head")) != (len(lines), prev):
        problems.append("ledger.jsonl: its last event is not the head the manifest states")
    _personal(files.get("personal.jsonl", b""), lines, problems)
    erased = any(line.get("kind") == "case_erased" for line in lines)
    if erased:
        notes.append("The case was erased: its personal values and files are gone.")
    for line in lines:
        if line.get("withheld"):
            continue
        payload = json.loads(line["payload"])
        named = []
        if line["kind"] == "evidence_attached":
            named.append((f"evidence/{payload['sha256']}", payload["sha256"]))
        elif line["kind"] == "letter_generated":
            named += [(f"letters/{sha}.{fmt}", sha) for fmt, sha in payload["files"].items()]
        for name, sha in named:
            if name not in files and erased:
                continue
            if name not in files:
                problems.append(f"{name}: named by event #{line['seq']} but not in the pack")
            elif hashlib.sha256(files[name]).hexdigest() != sha:
                problems.append(f"{name}: not the file event #{line['seq']} names")
    _proof(reference, lines, files.get("proof.json"), problems, notes)
    return problems, notes


def _proof(
    reference: str,
    lines: list[dict],  # type: ignore[type-arg]
    text: bytes | None,
    problems: list[str],
    notes: list[str],
) -> None:
    if text is None:
        problems.append("proof.json: missing")
        return
    try:
        proof = json.loads(text)
        checkpoint = proof["checkpoint"]
        if checkpoint is None:
            notes.append("No checkpoint covered this case when the pack was made.")
            return
        body = {k: v for k, v in checkpoint.items() if k != "signature"}
        signed = ed25519_verify(
            bytes.fromhex(checkpoint["key"]),
            _canonical(body).encode("utf-8"),
            bytes.fromhex(checkpoint["signature"]),
        )
        leaf = proof["leaf"]
        length = int(leaf["length"])
        leaf_bytes = _canonical(
            {"case": leaf["case"], "head": leaf["head"], "length": length}
        ).encode("utf-8")
        included = inclusion_ok(
            int(proof["leaf_index"]),
            int(checkpoint["tree_size"]),
            hashlib.sha256(b"\x00" + leaf_bytes).digest(),
            [bytes.fromhex(p) for p in proof["path"]],
            bytes.fromhex(checkpoint["root"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        problems.append(f"proof.json: not readable ({exc})")
        return
    if not signed:
        problems.append("proof.json: the checkpoint's signature does not verify")
    if leaf["case"] != reference:
        problems.append("proof.json: the anchored head is another case's")
    if not 0 < length <= len(lines) or lines[length - 1]["hash"] != leaf["head"]:
        problems.append(f"proof.json: the ledger's event #{length} is not the anchored head")
    if not included:
        problems.append("proof.json: the inclusion proof does not reach the checkpoint's root")
    notes.append(
        f"Events 1 to {length} are anchored in checkpoint {checkpoint['tree_size']} of "
        f"{checkpoint['org']}, signed {checkpoint['signed_at']} by Ed25519 key "
        f"{checkpoint['key']}."
    )
    if length < len(lines):
        notes.append(f"Events {length + 1} to {len(lines)} are newer than that checkpoint.")


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python3 verify_pack.py PACK.zip", file=sys.stderr)
        return 2
    with open(argv[1], "rb") as fh:
        problems, notes = verify(fh.read())
    for note in notes:
        print(f"NOTE {note}")
    for problem in problems:
        print(f"FAIL {problem}")
    print(
        "Pack verified: every file, the chain and the proof hold."
        if not problems
        else f"Pack FAILED: {len(problems)} problem(s)."
    )
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
