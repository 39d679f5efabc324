"""Triage throughput: category + flags + sentiment + language, then the same with
similar-case search over an index of 100,000 past cases, then the whole `triage_run`
service on SQLite. The parts are also timed alone, with the flags' RE2 prefilter and the
VADER shortcut off (as before issue 19) and on, in the same run.

    .venv/bin/python bench/triage_bench.py [--complaints 3700] [--index 100000] [--cases 200]

Complaints are the CFPB sample from ../shared/data, in the order of the file. One process,
one thread: the figures are what one worker does.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import SHARED_CFPB, fresh_database

BATCH = 64


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) + f" ({os.cpu_count()} CPUs)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--complaints", type=int, default=3700)
    parser.add_argument("--index", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=200, help="cases for the service run")
    args = parser.parse_args()
    fresh_database("sqlite")

    import numpy as np

    from plaint.domain.triage.flags import detect_flags
    from plaint.domain.triage.language import detect_language
    from plaint.triage.cfpb_data import read_cfpb
    from plaint.triage.classifier import Document, shipped_model
    from plaint.triage.sentiment import _SENTENCE_END, MAX_CHARS, _analyzer, sentiment_of
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
    detect_language("warm up: py3langid loads its model on first use")
    for doc in docs[:8]:
        detect_flags(doc.text)
    analyzer = _analyzer()

    def vader_as_shipped(text: str) -> float:
        """Sentiment the way it was before issue 19: VADER's own `polarity_scores`."""
        scores = [
            float(analyzer.polarity_scores(s)["compound"])
            for s in _SENTENCE_END.split(text[:MAX_CHARS])
            if s.strip()
        ]
        return sum(scores) / len(scores) if scores else 0.0

    def timed(what: str, run: Callable[[list[Document]], object]) -> float:
        started = time.perf_counter()
        for i in range(0, len(docs), BATCH):
            run(docs[i : i + BATCH])
        elapsed = time.perf_counter() - started
        print(f"  {what}: {1000 * elapsed / len(docs):.3f} ms per complaint")
        return elapsed

    print(f"load average before: {_load()}; {len(docs):,} complaints, batches of {BATCH}")
    print("parts, the same complaints:")
    t_model = timed("category model (suggest)", model.suggest)
    t_flags_re = timed(
        "flags, every cue with re (no RE2 prefilter)",
        lambda b: [detect_flags(d.text, prefilter=False) for d in b],
    )
    t_flags = timed("flags, RE2 prefilter (shipped)", lambda b: [detect_flags(d.text) for d in b])
    t_vader = timed(
        "sentiment, VADER polarity_scores", lambda b: [vader_as_shipped(d.text) for d in b]
    )
    t_sent = timed("sentiment, sentiment_of (shipped)", lambda b: [sentiment_of(d.text) for d in b])
    t_lang = timed("language (py3langid)", lambda b: [detect_language(d.text) for d in b])
    before = len(docs) / (t_model + t_flags_re + t_vader)
    after = len(docs) / (t_model + t_flags + t_sent)
    with_language = len(docs) / (t_model + t_flags + t_sent + t_lang)
    print(
        f"parts summed: {before:,.0f}/s without the RE2 prefilter and the VADER shortcut, "
        f"{after:,.0f}/s with them, {with_language:,.0f}/s with language detection too"
    )

    def core(batch: list[Document]) -> None:
        model.suggest(batch)
        for doc in batch:
            detect_flags(doc.text)
            sentiment_of(doc.text)
            detect_language(doc.text)

    started = time.perf_counter()
    for i in range(0, len(docs), BATCH):
        core(docs[i : i + BATCH])
    core_rate = len(docs) / (time.perf_counter() - started)
    print(
        f"category + flags + sentiment + language: {core_rate:,.0f} complaints/s "
        f"({len(docs):,} complaints)"
    )
    print(f"load average after: {_load()}")

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
