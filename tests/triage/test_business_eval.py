"""`plaint triage evaluate` on businesses that are not lenders: the label mappings, the
learning curve of an organisation's own model, language detection and the short-register
flags, computed from files in a folder like ../shared/data."""

from __future__ import annotations

import csv
import hashlib
import re
from pathlib import Path

import pytest

from plaint.domain.triage.taxonomy import CONSUMER_CATEGORIES
from plaint.triage import business_eval
from plaint.triage.evaluation import evaluate

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
DEMO = Path(__file__).resolve().parents[2] / "src" / "plaint" / "demo" / "cfpb_demo.csv"

TOPICS = {
    "Delivery": "my parcel was never delivered and the courier left no note",
    "Refund": "still waiting for my refund for the returned order",
    "iPhone": "my iphone screen freezes after the update and the battery drains",
    "Billing/Payment": "I was billed twice this month for my subscription payment",
}


def write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    tweets = []
    for i in range(320):
        topic = list(TOPICS)[i % 4]
        tweets.append(
            {
                "company": "AmazonHelp",
                "tweet_id": str(i),
                "text": f"@help {TOPICS[topic]} #{i}",
                "topics": topic,
            }
        )
    write(tmp_path / business_eval.TWCS, tweets)
    tickets = []
    for i in range(330):
        queue, body = [
            ("Billing and Payments", "The invoice charged our card twice for the licence."),
            ("Technical Support", "The server crashes when we open the dashboard."),
            ("Customer Service", "Nobody answered our emails about the account manager."),
        ][i % 3]
        tickets.append(
            {
                "subject": f"Ticket {i}",
                "body": body,
                "queue": queue,
                "language": "en",
                "type": "Incident",
            }
        )
    tickets.append(
        {
            "subject": "Rechnung",
            "body": "Sehr geehrte Damen und Herren, die Rechnung "
            "ist falsch und ich bitte um eine Korrektur. Mit freundlichen Grüßen",
            "queue": "Billing and Payments",
            "language": "de",
            "type": "Incident",
        }
    )
    write(tmp_path / business_eval.TICKETS, tickets)
    review = "This company is a scam, they stole my money and I want it back now."
    write(tmp_path / business_eval.TRAVEL, [{"text": review, "label": "0"}])
    return tmp_path


def test_every_mapped_label_is_a_consumer_category() -> None:
    mapped = {**business_eval.TWCS_TOPIC_TO_CONSUMER, **business_eval.TICKET_QUEUE_TO_CONSUMER}
    assert set(mapped.values()) <= set(CONSUMER_CATEGORIES)


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not beside the checkout")
def test_the_mappings_cover_the_real_files() -> None:
    with (SHARED / business_eval.TWCS).open(encoding="utf-8") as handle:
        topics = {t for row in csv.DictReader(handle) for t in row["label_set"].split(";") if t}
    assert topics <= set(business_eval.TWCS_TOPIC_TO_CONSUMER)
    with (SHARED / business_eval.TICKETS).open(encoding="utf-8") as handle:
        queues = {row["queue"] for row in csv.DictReader(handle) if row["language"] == "en"}
    assert queues <= set(business_eval.TICKET_QUEUE_TO_CONSUMER)


def test_the_learning_curve_learns_a_separable_business(shared: Path) -> None:
    items = business_eval.twcs_labelled(shared)
    n_test, points, baseline = business_eval.learning_curve(items, salt="t")
    assert n_test == 96 and [size for size, _ in points] == [25, 50, 100, 200]
    assert baseline == pytest.approx(0.25, abs=0.1)
    assert points[-1][1] >= 0.9  # four topics in distinct words are learnt


def test_evaluate_prints_the_cross_business_figures(shared: Path) -> None:
    lines = evaluate(DEMO, split=True, shared=shared)
    text = "\n".join(lines)
    assert re.search(r"twcs tweets .*: shipped model accuracy \d\.\d{3} \(n=320\)", text)
    assert re.search(
        r"own model from N confirmed cases \(held-out n=96\): 25: \d\.\d{3}, "
        r"50: \d\.\d{3}, 100: \d\.\d{3}, 200: \d\.\d{3}; majority class",
        text,
    )
    assert "support tickets, English: shipped model accuracy" in text
    assert "German (de, n=1): detected 1.000; sent to human triage 1, read as English 0" in text
    key = hashlib.sha256(b"This company is a scam, they stole my money and I want it back now.")
    assert key.hexdigest()[:12]  # the review is keyed by its text's digest
    assert "flag confidence on test, share right by band" in text


def test_short_register_flags_are_scored_on_the_texts_found(shared: Path, tmp_path: Path) -> None:
    labels = tmp_path / "short.csv"
    review = "This company is a scam, they stole my money and I want it back now."
    key = hashlib.sha256(review.encode()).hexdigest()[:12]
    write(
        labels,
        [
            {"source": business_eval.TRAVEL, "key": key, "flags": "fraud", "why": "scam"},
            {"source": business_eval.TWCS, "key": "0", "flags": "", "why": ""},
            {"source": business_eval.TWCS, "key": "missing", "flags": "fraud", "why": ""},
        ],
    )
    lines = business_eval.short_register_lines(shared, labels)
    assert lines[0].startswith("Legal-risk flags on 2 short texts")
    assert "fraud: precision 1.000 recall 1.000 (labelled 1, flagged 1)" in "\n".join(lines)


def test_missing_files_are_said_not_crashed(tmp_path: Path) -> None:
    assert "skipped" in business_eval.business_lines(tmp_path)[0]
    assert "skipped" in business_eval.language_lines(tmp_path)[0]
    assert business_eval.short_register_lines(tmp_path) == []
