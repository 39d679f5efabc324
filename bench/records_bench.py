"""Records figures: checkpoint time over many chain heads, evidence-pack export and
verification for a large case.

    python bench/records_bench.py [--heads 1000000] [--events 200] [--files 50] [--runs 3]

1. Checkpoint, in memory: the RFC 6962 leaf hash of each of `heads` chain heads, the
   Merkle root over them and its Ed25519 signature (what `plaint checkpoint` computes once
   it has read the heads), plus one inclusion and one consistency proof.
2. Checkpoint through the database: `checkpoint_write` for 20,000 cases on SQLite (first
   checkpoint, then a second with 1% of the heads moved).
3. Pack: a case with `events` events, `files` of them evidence files (20 KiB each), on
   SQLite: `case_pack_build` and `pack_verify` (median of `runs`).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _median(times: list[float]) -> str:
    return f"median {statistics.median(times):.2f} s (runs: {', '.join(f'{t:.2f}' for t in times)})"


def checkpoint_in_memory(heads: int, runs: int) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from plaint.domain.checkpoint import Checkpoint, head_leaf
    from plaint.domain.merkle import consistency_proof, inclusion_proof, tree_root

    rows = [
        (f"PL-2026-{n:07d}", 10, hashlib.sha256(n.to_bytes(8, "big")).hexdigest())
        for n in range(heads)
    ]
    key = Ed25519PrivateKey.generate()
    times, leaf_times = [], []
    leaves: list[bytes] = []
    for _ in range(runs):
        started = time.perf_counter()
        leaves = [head_leaf(ref, length, head) for ref, length, head in rows]
        leaf_times.append(time.perf_counter() - started)
        root = tree_root(leaves)
        key.sign(Checkpoint("bench", heads, root.hex(), "t", "k").message())
        times.append(time.perf_counter() - started)
    print(f"checkpoint of {heads:,} heads (leaf hashes + root + signature): {_median(times)}")
    print(f"  of which leaf hashes: {_median(leaf_times)}")
    started = time.perf_counter()
    inclusion_proof(heads // 3, leaves)
    print(f"  one inclusion proof: {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    consistency_proof(heads // 2, leaves)
    elapsed = time.perf_counter() - started
    print(f"  one consistency proof ({heads // 2:,} -> {heads:,}): {elapsed:.2f} s")


def database_part(events: int, files: int, runs: int) -> None:
    from _setup import fresh_database

    fresh_database("sqlite")
    from django.conf import settings
    from django.db import transaction
    from tests.records.test_fold_bulk import _csv

    from plaint.accounts.roles import Role
    from plaint.accounts.services import organisation_create, staff_create
    from plaint.cases import services
    from plaint.cases.importing import cfpb_import_text
    from plaint.cases.ledger import Actor
    from plaint.cases.models import Case
    from plaint.domain.pack import pack_verify
    from plaint.records.anchoring import checkpoint_write
    from plaint.records.packs import case_pack_build

    now = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    org = organisation_create(slug="bench", name="Bench Ltd", now=now, reference_prefix="BE")
    cfpb_import_text(organisation=org, text=_csv(20_000), now=now)
    started = time.perf_counter()
    first = checkpoint_write(organisation=org, now=now + timedelta(hours=1))
    print(
        f"checkpoint_write, 20,000 cases (first): {time.perf_counter() - started:.2f} s, "
        f"{first.tree_size:,} leaves"
    )
    agent = staff_create(organisation=org, username="a", password="pw-a-123456", roles=[Role.AGENT])
    actor = Actor.staff(agent)
    with transaction.atomic():
        for case in Case.objects.filter(organisation=org).order_by("pk")[::100]:
            services.case_note_add(
                case=case, text="moved", actor=actor, now=now + timedelta(hours=2)
            )
    started = time.perf_counter()
    second = checkpoint_write(organisation=org, now=now + timedelta(hours=3))
    print(
        f"checkpoint_write, 20,000 cases, 200 heads moved: {time.perf_counter() - started:.2f} s, "
        f"{second.tree_size:,} leaves"
    )

    case = services.case_open(
        organisation=org,
        customer=services.CustomerDetails(name="Dana Whitfield", email="dana@example.org"),
        channel="email",
        received_at=now,
        description="Charged twice.",
        actor=actor,
        now=now,
    )
    at = now + timedelta(hours=4)
    for n in range(files):
        body = (f"evidence file {n}\n".encode() * 1200)[: 20 * 1024]
        services.case_evidence_attach(
            case=case, stream=io.BytesIO(body), filename=f"file{n}.txt",
            content_type="text/plain", actor=actor, now=at,
        )  # fmt: skip
    for n in range(events - files - 1):
        services.case_note_add(case=case, text=f"Note {n}: " + "words " * 30, actor=actor, now=at)
    case.refresh_from_db()
    checkpoint_write(organisation=org, now=at + timedelta(minutes=1))
    builds, checks = [], []
    size = 0
    for _ in range(runs):
        started = time.perf_counter()
        pack = case_pack_build(case=case, exported_at=at + timedelta(hours=1))
        builds.append(time.perf_counter() - started)
        size = len(pack.data)
        started = time.perf_counter()
        assert pack_verify(pack.data).ok
        checks.append(time.perf_counter() - started)
    print(
        f"pack of a case with {case.ledger_length} events and {files} files "
        f"({size:,} bytes): build {_median(builds)}"
    )
    print(f"  verify-pack: {_median(checks)}")
    del settings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--heads", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-database", action="store_true")
    args = parser.parse_args()
    checkpoint_in_memory(args.heads, args.runs)
    if not args.skip_database:
        database_part(args.events, args.files, args.runs)


if __name__ == "__main__":
    main()
