"""Per-letter render time: HTML (target ≤ 5 ms) and PDF against WeasyPrint alone on the
same HTML (target at most 1.2 times). Medians; the record is the tests' full record.

    .venv/bin/python bench/letters_bench.py [--html-runs 50] [--pdf-runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from tests.letters.records import request
from weasyprint import HTML

from plaint.domain.letters import CATALOGUE, letter_make


def median_ms(fn, runs: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--html-runs", type=int, default=50)
    parser.add_argument("--pdf-runs", type=int, default=5)
    args = parser.parse_args()
    # warm up: imports, template compilation, fonts
    letter_make(request("escalation", ("html", "pdf")))
    print(f"{'letter':<30} {'HTML ms':>8} {'PDF ms':>8} {'WeasyPrint ms':>14} {'ratio':>6}")
    html_all, ratios = [], []
    for kind in CATALOGUE:
        html_req = request(kind, ("html",))
        pdf_req = replace(html_req, formats=("pdf",))
        html_ms = median_ms(lambda r=html_req: letter_make(r), args.html_runs)  # type: ignore[misc]
        html = letter_make(html_req).outputs["html"].decode()
        ours, alone = [], []
        for _ in range(args.pdf_runs):  # interleaved, so load on the machine hits both alike
            ours.append(median_ms(lambda r=pdf_req: letter_make(r), 1))  # type: ignore[misc]
            alone.append(median_ms(lambda h=html: HTML(string=h).write_pdf(), 1))  # type: ignore[misc]
        pdf_ms, alone_ms = statistics.median(ours), statistics.median(alone)
        html_all.append(html_ms)
        ratios.append(pdf_ms / alone_ms)
        print(f"{kind:<30} {html_ms:8.2f} {pdf_ms:8.1f} {alone_ms:14.1f} {pdf_ms / alone_ms:6.2f}")
    print(
        f"\nHTML: median {statistics.median(html_all):.2f} ms, max {max(html_all):.2f} ms "
        f"(target ≤ 5 ms); PDF/WeasyPrint-alone: median {statistics.median(ratios):.2f}, "
        f"max {max(ratios):.2f} (target ≤ 1.2)"
    )


if __name__ == "__main__":
    main()
