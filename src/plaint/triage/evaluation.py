"""`plaint triage evaluate`: the figures that say how good triage is.

- Categories: the shipped model on every row of a CFPB-format file, or (`split=True`) a
  model trained and tested on a fixed stratified split of the file.
- Legal-risk flags: precision and recall per flag on the labelled narratives shipped in
  `flagset/` (labelled by reading; see flagset/LABELLING.md), for the part the rules were
  tuned on and for the held-out part separately.
- Similar cases (with `split`): precision@5 of "same Issue" for each representation.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from plaint.domain.triage.flags import Flag, detect_flags
from plaint.domain.triage.scoring import (
    precision_at_k,
    precision_recall,
    score_labels,
    stratified_split,
)
from plaint.domain.triage.taxonomy import product_family
from plaint.triage import business_eval
from plaint.triage.cfpb_data import read_cfpb
from plaint.triage.classifier import Example, TriageModel, shipped_model, train
from plaint.triage.similar import SimilarIndex, TfidfRepresentation, model_vectors

FLAGSET = Path(__file__).resolve().parent / "flagset" / "legal_flags.csv"
LABEL_SETS = (("product", "Product"), ("issue", "Issue"))
THRESHOLD = 0.5
CONFUSIONS_SHOWN = 5


def _short(label: str, width: int = 48) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"


def category_lines(model: TriageModel, examples: Sequence[Example]) -> list[str]:
    """One line per label set, then a confusion summary and the confidence threshold."""
    suggestions = model.suggest([ex.doc for ex in examples])
    lines: list[str] = []
    details: list[str] = []
    for name, title in LABEL_SETS:
        if name not in model.heads:
            continue
        truth = [ex.labels.get(name, "") for ex in examples]
        predicted = [s[name].label for s in suggestions]
        scores = score_labels(truth, predicted)
        lines.append(
            f"{title}: accuracy {scores.accuracy:.3f} macro-F1 {scores.macro_f1:.3f} (n={scores.n})"
        )
        known = set(model.heads[name].classes)
        unknown = sum(
            1
            for label in truth
            if (product_family(label) if name == "product" else label) not in known
        )
        if unknown:
            details.append(
                f"  {title}: {unknown} row(s) carry a label the model never saw (counted as errors)"
            )
        if scores.confusions:
            top = "; ".join(
                f"{_short(t)} → {_short(p)} x{c}"
                for t, p, c in scores.confusions[:CONFUSIONS_SHOWN]
            )
            details.append(f"  {title} most frequent confusions: {top}")
        if name == "product":
            confident = [s[name].confidence >= THRESHOLD for s in suggestions]
            right = [t == p for t, p in zip(truth, predicted, strict=True)]
            kept = [r for r, c in zip(right, confident, strict=True) if c]
            share = len(kept) / len(right) if right else 0.0
            accuracy = sum(kept) / len(kept) if kept else 0.0
            details.append(
                f"  {title} confidence ≥ {THRESHOLD}: {share:.1%} of rows, accuracy there "
                f"{accuracy:.3f}; the rest would go to human triage"
            )
    return lines + details


def flag_lines(path: Path = FLAGSET) -> list[str]:
    """Precision and recall per flag on the labelled narratives: the held-out `test` part
    (both rounds), round 1's `test` rows alone (the figures published before issue 19),
    and the `dev` part the rules were tuned on."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    lines = [f"Legal-risk flags on {len(rows)} labelled CFPB narratives ({path.name}):"]
    found = [{hit.flag.value for hit in detect_flags(row["narrative"])} for row in rows]
    truth = [set(filter(None, row["flags"].split(";"))) for row in rows]
    parts = [
        ("test", [i for i, row in enumerate(rows) if row["part"] == "test"]),
        (
            "test, round 1",
            [i for i, row in enumerate(rows) if row["part"] == "test" and row.get("round") == "1"],
        ),
        ("dev", [i for i, row in enumerate(rows) if row["part"] == "dev"]),
    ]
    for part, idx in parts:
        lines.append(f"  [{part}, n={len(idx)}]")
        lines += _flag_figures([truth[i] for i in idx], [found[i] for i in idx])
    lines += _confidence_lines([rows[i] for i in parts[0][1]], [truth[i] for i in parts[0][1]])
    return lines


FLAG_MODEL_MIN_POSITIVES = 5


def flag_model_lines(path: Path = FLAGSET) -> list[str]:
    """Would a trained classifier per flag help the rules? TF-IDF (word 1-2-grams) and a
    class-balanced logistic regression per flag, trained on the `dev` rows only, with a
    fixed configuration (C=4, threshold 0.5) chosen before it was measured; scored on the
    `test` rows alone and combined with the rules (a flag when either raises it)."""
    from sklearn.feature_extraction.text import (  # type: ignore[import-untyped]
        TfidfVectorizer,
    )
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    dev = [row for row in rows if row["part"] == "dev"]
    test = [row for row in rows if row["part"] == "test"]
    if not dev or not test:
        return []
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    x_dev = vectorizer.fit_transform([row["narrative"] for row in dev])
    x_test = vectorizer.transform([row["narrative"] for row in test])
    rules = [{hit.flag.value for hit in detect_flags(row["narrative"])} for row in test]
    lines = [
        f"  [test, n={len(test)}] a classifier per flag trained on the {len(dev)} dev rows "
        "(P / R: model alone; rules; rules or model):"
    ]
    for flag in Flag:
        y_dev = np.array([flag.value in row["flags"].split(";") for row in dev])
        truth = [flag.value in row["flags"].split(";") for row in test]
        if int(y_dev.sum()) < FLAG_MODEL_MIN_POSITIVES:
            lines.append(f"    {flag.value}: {int(y_dev.sum())} dev positives, too few to train")
            continue
        model = LogisticRegression(class_weight="balanced", C=4.0, max_iter=2000)
        model.fit(x_dev, y_dev)
        by_model = [bool(p >= 0.5) for p in model.predict_proba(x_test)[:, 1]]
        by_rules = [flag.value in found for found in rules]
        either = [a or b for a, b in zip(by_model, by_rules, strict=True)]
        shown = "; ".join(
            "{:.3f} / {:.3f}".format(*precision_recall(truth, predicted)[:2])
            for predicted in (by_model, by_rules, either)
        )
        lines.append(f"    {flag.value}: {shown}")
    return lines


def _confidence_lines(rows: Sequence[dict[str, str]], truth: Sequence[set[str]]) -> list[str]:
    """How the shown flag confidence holds up on held-out rows: the share of raised flags
    that were right, by confidence band."""
    bands: dict[str, list[bool]] = {"< 0.80": [], "0.80-0.89": [], ">= 0.90": []}
    for row, labels in zip(rows, truth, strict=True):
        for hit in detect_flags(row["narrative"]):
            c = hit.confidence
            band = "< 0.80" if c < 0.8 else "0.80-0.89" if c < 0.9 else ">= 0.90"
            bands[band].append(hit.flag.value in labels)
    shown = "; ".join(
        f"{band}: {sum(v) / len(v):.3f} right of {len(v)}" if v else f"{band}: none"
        for band, v in bands.items()
    )
    return [f"  flag confidence on test, share right by band: {shown}"]


def _flag_figures(truth: Sequence[set[str]], found: Sequence[set[str]]) -> list[str]:
    lines = []
    for flag in Flag:
        t = [flag.value in labels for labels in truth]
        p = [flag.value in labels for labels in found]
        precision, recall, support = precision_recall(t, p)
        lines.append(
            f"    {flag.value}: precision {precision:.3f} recall {recall:.3f} "
            f"(labelled {support}, flagged {sum(p)})"
        )
    return lines


def similar_lines(
    model: TriageModel, train_set: Sequence[Example], test_set: Sequence[Example]
) -> list[str]:
    """Precision@5 of "same Issue" for each representation: test cases query train cases."""
    truth = [ex.labels.get("issue", "") for ex in test_set]
    ids = list(range(len(train_set)))

    def p_at_5(index: SimilarIndex, queries: Any) -> float:
        found = index.search(queries, k=5)
        return precision_at_k(
            truth, [[train_set[i].labels.get("issue", "") for i, _ in row] for row in found], 5
        )

    from sklearn.preprocessing import normalize  # type: ignore[import-untyped]

    tfidf = TfidfRepresentation([ex.doc.text for ex in train_set])
    tf_train, tf_test = tfidf.matrix, tfidf.transform([ex.doc.text for ex in test_set])
    m_train = model_vectors(model, [ex.doc for ex in train_set])
    m_test = model_vectors(model, [ex.doc for ex in test_set])
    hybrid: Callable[[object, np.ndarray], np.ndarray] = lambda tf, mv: normalize(  # noqa: E731
        np.hstack([tf.toarray(), mv])  # type: ignore[attr-defined]
    )
    figures = {
        "tfidf": p_at_5(SimilarIndex(ids, tf_train), tf_test),
        "model": p_at_5(SimilarIndex(ids, m_train), m_test),
        "tfidf+model": p_at_5(
            SimilarIndex(ids, hybrid(tf_train, m_train)), hybrid(tf_test, m_test)
        ),
    }
    shown = ", ".join(f"{name} {value:.3f}" for name, value in figures.items())
    return [f"Similar cases, precision@5 of same Issue (n={len(test_set)} queries): {shown}"]


def evaluate(
    path: Path, *, split: bool, flags: bool = True, shared: Path | None = None
) -> list[str]:
    """The figures, as printed lines. `shared` is the folder of the third-party files
    (../shared/data); by default the folder `path` is in."""
    shared = path.parent if shared is None else shared
    data = read_cfpb(path)
    examples = data.examples()
    lines: list[str] = []
    if data.malformed:
        lines.append(f"{path.name}: {len(data.malformed)} malformed row(s) left out")
    if not examples:
        lines.append(f"{path.name}: no readable complaints.")
        return lines
    if split:
        train_set, test_set = stratified_split(
            examples, label=lambda ex: ex.labels["issue"], key=lambda ex: ex.doc.text
        )
        if not test_set:
            lines.append(f"{path.name}: too few rows to split.")
            return lines
        model = train(train_set, char_ngrams=False)  # as the shipped model is trained
        lines.append(
            f"Split of {path.name}: trained on {len(train_set)}, tested on {len(test_set)} "
            "(stratified by Issue, fixed); words only, as the shipped model"
        )
        lines += category_lines(model, test_set)
        own = category_lines(train(train_set), test_set)[:2]
        lines += [f"  with character n-grams (an organisation's own model): {x}" for x in own]
        lines += similar_lines(model, train_set, test_set)
    else:
        lines.append(f"Shipped default model on every row of {path.name}")
        lines += category_lines(shipped_model(), examples)
    if flags:
        lines += flag_lines()
        lines += flag_model_lines()
        lines += business_eval.short_register_lines(shared)
    if split:
        lines += business_eval.business_lines(shared)
    lines += business_eval.language_lines(shared)
    return lines
