"""Make src/plaint/demo/cfpb_demo.csv: a few hundred CFPB complaints for the demo desk.

The CFPB Consumer Complaint Database is a US government work in the public domain
(17 U.S.C. 105), so a sample of it ships inside the package. Run from the repository root:

    python scripts/make_demo_sample.py ../shared/data/cfpb_complaints_sample.csv

It takes up to 40 complaints per product (the most recent first, narratives under 3,000
characters) so the demo covers every product rather than mostly payday loans.
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from pathlib import Path

PER_PRODUCT = 40
OUT = Path("src/plaint/demo/cfpb_demo.csv")


def main(source: str) -> None:
    with open(source, encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        columns = [c for c in reader.fieldnames or [] if c != "sample_source"]
        rows = [r for r in reader if len(r["Consumer complaint narrative"]) < 3000]
    by_product: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in sorted(rows, key=lambda r: (r["Date received"], r["Complaint ID"]), reverse=True):
        by_product[row["Product"]].append(row)
    chosen = [row for group in by_product.values() for row in group[:PER_PRODUCT]]
    chosen.sort(key=lambda r: (r["Date received"], r["Complaint ID"]))
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(chosen)
    print(f"{len(chosen)} complaints from {len(by_product)} products -> {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
