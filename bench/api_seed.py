"""Seed for bench/api_bench.sh: an organisation with N cases (the first N complaints of the
shared CFPB sample, through `plaint import`), an admin, an API token, the JSON bodies the
POST scenario sends and the references the read scenario reads. Writes `seed.json`."""

from __future__ import annotations

import csv
import json
import random
import sys
import time
from pathlib import Path

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from plaint.accounts.roles import Role  # noqa: E402
from plaint.accounts.services import organisation_create, staff_create  # noqa: E402
from plaint.api import tokens  # noqa: E402
from plaint.cases.models import Case  # noqa: E402


def main(csv_path: Path, n: int, out: Path) -> None:
    now = timezone.now()
    org = organisation_create(slug="bench", name="Bench Ltd", now=now, country="US")
    admin = staff_create(
        organisation=org, username="admin", password="pw-admin-12345", roles=[Role.ADMIN]
    )
    csv.field_size_limit(1 << 26)
    with csv_path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = [row for row, _ in zip(reader, range(n), strict=False)]
        fields = reader.fieldnames or []
    part = out / "cases.csv"
    with part.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    started = time.perf_counter()
    call_command("import", "cfpb", str(part), "--org", "bench", verbosity=0)
    seeded = time.perf_counter() - started
    made = tokens.token_create(
        organisation=org, owner=admin, name="bench", actor=admin, now=now,
        scopes=["read", "write"],
    )  # fmt: skip
    rng = random.Random(42)
    narratives = [r.get("Consumer complaint narrative", "").strip() for r in rows]
    narratives = [t for t in narratives if t] or ["I was charged twice for my bill."]
    with (out / "post_bodies.jsonl").open("w") as fh:
        for k in range(500):
            fh.write(json.dumps({
                "customer": {"name": f"Customer {k}", "email": f"api{k}@example.org"},
                "description": rng.choice(narratives)[:4000],
                "channel": "web",
                "product": "Credit card",
                "regime": "US-CFPB" if k % 2 else "",
            }) + "\n")  # fmt: skip
    refs = list(Case.objects.filter(organisation=org).values_list("reference", flat=True))
    (out / "refs.txt").write_text("\n".join(refs) + "\n")
    info = {"token": made.secret, "cases": len(refs), "seed_s": round(seeded, 1)}
    (out / "seed.json").write_text(json.dumps(info))
    print(json.dumps({"cases": len(refs), "seed_s": round(seeded, 1)}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
