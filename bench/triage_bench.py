"""Triage throughput: category + flags + sentiment, then the same with similar-case search
over an index of 100,000 past cases, then the whole `triage_run` service on SQLite.

    .venv/bin/python bench/triage_bench.py [--complaints 3700] [--index 100000] [--cases 200]

Complaints are the CFPB sample from ../shared/data, in the order of the file. One process,
one thread: the figures are what one worker does.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import SHARED_CFPB, fresh_database

BATCH = 64


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=3700)
    parser.add_argument("--index", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=200, help="cases for the service run")
    args = parser.parse_args()
    fresh_database("sqlite")

    import numpy as np

    from plaint.domain.triage.flags import detect_flags
    from plaint.triage.cfpb_data import read_cfpb
    from plaint.triage.classifier import shipped_model
    from plaint.triage.sentiment import sentiment_of
    from plaint.triage.similar import SimilarIndex, model_vectors

    complaints = read_cfpb(SHARED_CFPB).complaints
    examples = [c for _ in range(args.complaints // len(complaints) + 1) for c in complaints]
    examples = examples[: args.complaints]
    docs = [
        __import__("plaint.triage.cfpb_data", fromlist=["example_of"]).example_of(c).doc
        for c in examples
    ]
    model = shipped_model()
    model.suggest(docs[:8])  # warm up: lexicons and vectorizer
    sentiment_of("warm up")

    def core(batch: list) -> None:  # type: ignore[type-arg]
        model.suggest(batch)
        for doc in batch:
            detect_flags(doc.text)
            sentiment_of(doc.text)

    started = time.perf_counter()
    for i in range(0, len(docs), BATCH):
        core(docs[i : i + BATCH])
    core_rate = len(docs) / (time.perf_counter() - started)
    print(f"category + flags + sentiment: {core_rate:,.0f} complaints/s ({len(docs):,} complaints)")

    # An index of `--index` past cases: the sample's vectors, repeated with a little noise.
    base = model_vectors(model, docs[: min(len(docs), 3700)])
    rng = np.random.default_rng(7)
    reps = args.index // len(base) + 1
    matrix = np.vstack(
        [base + rng.normal(0, 0.01, base.shape).astype(base.dtype) for _ in range(reps)]
    )
    matrix = matrix[: args.index]
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    index = SimilarIndex(list(range(len(matrix))), matrix)
    started = time.perf_counter()
    for i in range(0, len(docs), BATCH):
        batch = docs[i : i + BATCH]
        core(batch)
        index.search(model_vectors(model, batch), k=5)
    full_rate = len(docs) / (time.perf_counter() - started)
    print(f"... with similar-case search over {len(matrix):,} cases: {full_rate:,.0f} complaints/s")

    # The service, one case at a time as intake would call it (SQLite, ledger events included).
    from plaint.accounts.services import organisation_create
    from plaint.cases.ledger import Actor
    from plaint.cases.services import CustomerDetails, case_open
    from plaint.triage.services import triage_run

    now = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
    org = organisation_create(slug="bench", name="Bench", now=now)
    cases = [
        case_open(
            organisation=org,
            customer=CustomerDetails(name="Bench"),
            channel="web",
            received_at=now,
            description=complaint.narrative,
            respondent=complaint.company,
            actor=Actor.system("bench"),
            now=now,
        )
        for complaint in examples[: args.cases]
    ]
    started = time.perf_counter()
    for case in cases:
        triage_run(case=case, now=now)
    elapsed = time.perf_counter() - started
    print(
        f"triage_run service on SQLite: {len(cases) / elapsed:,.0f} cases/s, "
        f"{1000 * elapsed / len(cases):.1f} ms per case ({len(cases)} cases)"
    )


if __name__ == "__main__":
    main()
