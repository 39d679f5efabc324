"""Triage for businesses that are not US lenders: the figures `plaint triage evaluate`
prints from the third-party files in ../shared/data (read there, never copied: their
licences do not allow it; see ../shared/data/SOURCES.md).

- The default consumer taxonomy on retail, tech and software-support text: the shipped
  model's category (its CFPB product mapped to the consumer taxonomy, as an organisation
  without its own model gets it) against the files' own labels mapped to the taxonomy
  (the mappings below, also in docs/triage.md).
- The learning curve of an organisation's own model (`triage_train` trains the same
  `classifier.train`) from 25, 50, 100 and 200 confirmed cases, tested on a fixed
  held-out part of the same file.
- The language detector on the multilingual tickets, the Danish gym reviews and the
  English files, by true language (the files' labels corrected by reading).
- The legal-risk flags on the short, informal register (flagset/short_register.csv).
"""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from plaint.domain.triage.flags import Flag, detect_flags
from plaint.domain.triage.language import (
    SUPPORTED_LANGUAGES,
    UNDETERMINED,
    detect_language,
    language_name,
    language_supported,
)
from plaint.domain.triage.pii import mask_pii
from plaint.domain.triage.scoring import precision_recall
from plaint.domain.triage.taxonomy import Taxonomy
from plaint.triage.classifier import Document, Example, ModelError, shipped_model, train
from plaint.triage.services import _labels_for

SHORT_REGISTER = Path(__file__).resolve().parent / "flagset" / "short_register.csv"
TWCS = "twcs_inbound_topic_labeled.csv"
TICKETS = "support_tickets_multilang_synthetic.csv"
TRAVEL = "trustpilot_reviews_travel_en.csv"
GYMS = "trustpilot_reviews_gyms_dk.csv"
CURVE = (25, 50, 100, 200)
HELD_OUT = 0.3

# Topic labels of the Amazon, Apple and Spotify tweets -> the consumer taxonomy.
TWCS_TOPIC_TO_CONSUMER: dict[str, str] = {
    "Delivery": "Delivery and installation",
    "Packaging": "Delivery and installation",
    "Prime": "Contract, cancellation and renewal",
    "Premium": "Contract, cancellation and renewal",
    "Student Subscription": "Contract, cancellation and renewal",
    "Family Subscription": "Contract, cancellation and renewal",
    "Hulu": "Contract, cancellation and renewal",
    "Order Cancellation": "Contract, cancellation and renewal",
    "Billing/Payment": "Billing, fees and charges",
    "Refund": "Payments and refunds",
    "Return": "Payments and refunds",
    "Apple Pay": "Payments and refunds",
    "Account": "Account management and access",
    "Bad Support": "Customer service and communication",
    "Service Praise": "Other",
    "Replacement": "Product or service quality",
    "Advertisement": "Product or service quality",
    **dict.fromkeys(
        (
            "Alexa",
            "Kindle",
            "Echo",
            "Fire TV",
            "iPhone",
            "iPad",
            "Mac",
            "TV",
            "Watch",
            "iCloud",
            "iTunes",
            "Battery",
            "Update",
            "Unresponsive/Freezing Device",
            "App",
            "Song/Artist",
            "Playlist",
        ),
        "Product or service quality",
    ),
}

# Queues of the English support tickets -> the consumer taxonomy. (Their `type`,
# Incident / Request / Problem / Change, says what kind of ticket it is, not what it is
# about, and has no counterpart in the taxonomy.)
TICKET_QUEUE_TO_CONSUMER: dict[str, str] = {
    "Technical Support": "Product or service quality",
    "Product Support": "Product or service quality",
    "IT Support": "Product or service quality",
    "Service Outages and Maintenance": "Product or service quality",
    "Customer Service": "Customer service and communication",
    "Billing and Payments": "Billing, fees and charges",
    "Returns and Exchanges": "Payments and refunds",
    "Sales and Pre-Sales": "Other",
    "Human Resources": "Other",
    "General Inquiry": "Other",
}


@dataclass(frozen=True)
class Labelled:
    key: str
    text: str
    respondent: str
    categories: frozenset[str]  # every mapped label (a tweet may have several topics)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def twcs_labelled(shared: Path) -> list[Labelled]:
    out = []
    for row in _rows(shared / TWCS):
        topics = [t for t in row["topics"].split(";") if t]
        mapped = frozenset(TWCS_TOPIC_TO_CONSUMER.get(t, "Other") for t in topics)
        if mapped:
            out.append(Labelled(row["tweet_id"], row["text"], row["company"], mapped))
    return out


def tickets_labelled(shared: Path) -> list[Labelled]:
    out = []
    for i, row in enumerate(_rows(shared / TICKETS)):
        if row["language"] != "en" or row["queue"] not in TICKET_QUEUE_TO_CONSUMER:
            continue
        text = f"{row['subject']}\n{row['body']}".replace("\\n", "\n").strip()
        out.append(Labelled(str(i), text, "", frozenset({TICKET_QUEUE_TO_CONSUMER[row["queue"]]})))
    return out


def _document(item: Labelled) -> Document:
    return Document(text=mask_pii(item.text).text, respondent=item.respondent, received_on=None)


def _order(items: Sequence[Labelled], salt: str) -> list[Labelled]:
    return sorted(items, key=lambda item: hashlib.sha256(f"{salt}:{item.key}".encode()).hexdigest())


def shipped_accuracy(items: Sequence[Labelled]) -> tuple[float, Counter[str]]:
    """Share of items whose shipped-model consumer category is one of their labels, and
    what the model said."""
    model = shipped_model()
    said: Counter[str] = Counter()
    right = 0
    for item, raw in zip(items, model.suggest([_document(i) for i in items]), strict=True):
        category = _labels_for(Taxonomy.CONSUMER.value, raw)["category"].label
        said[category] += 1
        right += category in item.categories
    return (right / len(items) if items else 0.0), said


def learning_curve(
    items: Sequence[Labelled], salt: str
) -> tuple[int, list[tuple[int, float]], float]:
    """(held-out n, [(confirmed cases, accuracy)], majority-class accuracy): an own model
    trained on the first N of a fixed order, tested on a fixed held-out part."""
    ordered = _order(items, salt)
    n_test = round(len(ordered) * HELD_OUT)
    test, pool = ordered[:n_test], ordered[n_test:]
    first = {item.key: sorted(item.categories)[0] for item in ordered}
    points = []
    for size in CURVE:
        chosen = pool[:size]
        if len(chosen) < size:
            break
        examples = [Example(_document(i), {"category": first[i.key]}) for i in chosen]
        try:
            model = train(examples)
        except ModelError:
            continue
        predicted = [s["category"].label for s in model.suggest([_document(i) for i in test])]
        right = sum(p in item.categories for p, item in zip(predicted, test, strict=True))
        points.append((size, right / len(test)))
    majority = Counter(first[i.key] for i in pool).most_common(1)[0][0]
    baseline = sum(majority in item.categories for item in test) / len(test)
    return len(test), points, baseline


def business_lines(shared: Path) -> list[str]:
    if not (shared / TWCS).is_file() or not (shared / TICKETS).is_file():
        return [f"Cross-business figures: {shared} lacks {TWCS} or {TICKETS}; skipped."]
    lines = ["Cross-business: the default consumer taxonomy (mappings in docs/triage.md)"]
    for name, items in (
        ("twcs tweets (Amazon, Apple, Spotify)", twcs_labelled(shared)),
        ("support tickets, English", tickets_labelled(shared)),
    ):
        accuracy, said = shipped_accuracy(items)
        top = ", ".join(f"{label} x{n}" for label, n in said.most_common(2))
        lines.append(
            f"  {name}: shipped model accuracy {accuracy:.3f} (n={len(items)}); it said {top}"
        )
        n_test, points, baseline = learning_curve(items, salt=name)
        curve = ", ".join(f"{size}: {acc:.3f}" for size, acc in points)
        lines.append(
            f"    own model from N confirmed cases (held-out n={n_test}): {curve}; "
            f"majority class {baseline:.3f}"
        )
    return lines


LANGUAGE_TRUTH = Path(__file__).resolve().parent / "flagset" / "language_truth.csv"
CFPB = "cfpb_complaints_sample.csv"


def _key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def language_samples(shared: Path, truth: Path = LANGUAGE_TRUTH) -> list[tuple[str, str, str]]:
    """(source, true language, text) for every text of known language in `shared`: the
    tickets' own `language` label and "da" for the gym reviews, corrected where reading
    showed the label wrong (`truth`: 166 "de" tickets are English, 11 gym reviews are
    English, 7 have no language at all and are left out); the CFPB narratives, tweets
    and travel reviews are English."""
    with truth.open(newline="", encoding="utf-8") as handle:
        corrected = {(r["source"], r["key"]): r["language"] for r in csv.DictReader(handle)}
    out: list[tuple[str, str, str]] = []

    def add(source: str, label: str, key: str, text: str) -> None:
        language = corrected.get((source, key), label)
        if language:
            out.append((source, language, text))

    if (shared / TICKETS).is_file():
        for row in _rows(shared / TICKETS):
            raw = f"{row['subject']}\n{row['body']}"
            add(TICKETS, row["language"], _key(raw), raw.replace("\\n", "\n"))
    if (shared / GYMS).is_file():
        for row in _rows(shared / GYMS):
            raw = f"{row['title']}\n{row['review']}"
            add(GYMS, "da", _key(raw), raw)
    for name, column in ((TWCS, "text"), (TRAVEL, "text"), (CFPB, "Consumer complaint narrative")):
        if (shared / name).is_file():
            out += [(name, "en", row[column]) for row in _rows(shared / name)]
    return out


@dataclass(frozen=True)
class LanguageFigures:
    """What the detector said for the texts of one true language."""

    language: str
    detected: Counter[str]  # detected code ("" undetermined) -> texts

    @property
    def n(self) -> int:
        return sum(self.detected.values())

    @property
    def accuracy(self) -> float:
        """Share detected as their language (for English: read as English, which an
        undetermined text also is)."""
        right = self.detected[self.language]
        if self.language in SUPPORTED_LANGUAGES:
            right += self.detected[UNDETERMINED]
        return right / self.n if self.n else 0.0

    @property
    def read_as_english(self) -> int:
        """Texts triage reads (English or undetermined): for another language, the ones
        whose categories and flags would silently miss."""
        return sum(n for code, n in self.detected.items() if language_supported(code))


def language_figures(shared: Path) -> dict[str, LanguageFigures]:
    detected: dict[str, Counter[str]] = {}
    for _, language, text in language_samples(shared):
        detected.setdefault(language, Counter())[detect_language(text).code] += 1
    return {lang: LanguageFigures(lang, got) for lang, got in sorted(detected.items())}


def language_lines(shared: Path) -> list[str]:
    figures = language_figures(shared)
    if not figures:
        return [f"Language detection: {shared} has none of the labelled files; skipped."]
    lines = [
        "Language detection by true language (English is read; others go to human triage; "
        f"labels corrected by reading, {LANGUAGE_TRUTH.name}):"
    ]
    for lang, fig in figures.items():
        others = ", ".join(
            f"{code or 'undetermined'} {n}"
            for code, n in fig.detected.most_common()
            if code != lang
        )
        if lang in SUPPORTED_LANGUAGES:
            lines.append(
                f"  {language_name(lang)} ({lang}, n={fig.n}): read as English {fig.accuracy:.3f} "
                f"(undetermined {fig.detected[UNDETERMINED]}); sent to human triage "
                f"{fig.n - fig.read_as_english}" + (f" [{others}]" if others else "")
            )
        else:
            lines.append(
                f"  {language_name(lang)} ({lang}, n={fig.n}): detected {fig.accuracy:.3f}; "
                f"sent to human triage {fig.n - fig.read_as_english}, read as English "
                f"{fig.read_as_english} (undetermined {fig.detected[UNDETERMINED]})"
                + (f" [{others}]" if others else "")
            )
    return lines


def short_register_lines(shared: Path, path: Path = SHORT_REGISTER) -> list[str]:
    """The flags on the labelled tweets and reviews whose text is in `shared`."""
    texts: dict[tuple[str, str], str] = {}
    if (shared / TWCS).is_file():
        texts |= {(TWCS, r["tweet_id"]): r["text"] for r in _rows(shared / TWCS)}
    if (shared / TRAVEL).is_file():
        texts |= {
            (TRAVEL, hashlib.sha256(r["text"].encode()).hexdigest()[:12]): r["text"]
            for r in _rows(shared / TRAVEL)
        }
    rows = [r for r in _rows(path) if (r["source"], r["key"]) in texts]
    if not rows:
        return []
    found = [{h.flag.value for h in detect_flags(texts[(r["source"], r["key"])])} for r in rows]
    truth = [set(filter(None, r["flags"].split(";"))) for r in rows]
    lines = [f"Legal-risk flags on {len(rows)} short texts (tweets, reviews; {path.name}):"]
    for flag in Flag:
        t = [flag.value in x for x in truth]
        p = [flag.value in x for x in found]
        if not any(t) and not any(p):
            continue
        precision, recall, support = precision_recall(t, p)
        lines.append(
            f"    {flag.value}: precision {precision:.3f} recall {recall:.3f} "
            f"(labelled {support}, flagged {sum(p)})"
        )
    return lines
