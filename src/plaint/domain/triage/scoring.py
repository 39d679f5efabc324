"""The arithmetic of evaluation: accuracy, macro-F1, per-label precision and recall,
a confusion summary, precision@k, and a fixed stratified split. Pure Python, so the
figures printed by `plaint triage evaluate` do not depend on any library's defaults."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class LabelScores:
    accuracy: float
    macro_f1: float
    n: int
    per_label: dict[str, tuple[float, float, float, int]]  # precision, recall, F1, support
    confusions: list[tuple[str, str, int]]  # (true, predicted, count), most frequent first


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def score_labels(truth: Sequence[str], predicted: Sequence[str]) -> LabelScores:
    """Accuracy and macro-F1 over every label that is true or predicted at least once
    (a label the model never saw still counts, with F1 0)."""
    if len(truth) != len(predicted):
        raise ValueError("truth and predictions differ in length")
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    confusions: Counter[tuple[str, str]] = Counter()
    for t, p in zip(truth, predicted, strict=True):
        if t == p:
            tp[t] += 1
        else:
            fp[p] += 1
            fn[t] += 1
            confusions[(t, p)] += 1
    labels = sorted(set(truth) | set(predicted))
    per_label: dict[str, tuple[float, float, float, int]] = {}
    for label in labels:
        precision = _ratio(tp[label], tp[label] + fp[label])
        recall = _ratio(tp[label], tp[label] + fn[label])
        f1 = _ratio(2 * precision * recall, precision + recall)
        per_label[label] = (precision, recall, f1, tp[label] + fn[label])
    n = len(truth)
    return LabelScores(
        accuracy=_ratio(sum(tp.values()), n),
        macro_f1=_ratio(sum(v[2] for v in per_label.values()), len(labels)),
        n=n,
        per_label=per_label,
        confusions=[(t, p, c) for (t, p), c in confusions.most_common()],
    )


def precision_recall(truth: Sequence[bool], predicted: Sequence[bool]) -> tuple[float, float, int]:
    """Precision, recall and the number of true positives' support for one binary flag."""
    tp = sum(1 for t, p in zip(truth, predicted, strict=True) if t and p)
    fp = sum(1 for t, p in zip(truth, predicted, strict=True) if p and not t)
    fn = sum(1 for t, p in zip(truth, predicted, strict=True) if t and not p)
    return _ratio(tp, tp + fp), _ratio(tp, tp + fn), tp + fn


def precision_at_k(
    query_labels: Sequence[Hashable], neighbour_labels: Sequence[Sequence[Hashable]], k: int
) -> float:
    """Mean share of each query's first `k` neighbours that share its label."""
    if not query_labels:
        return 0.0
    total = 0.0
    for label, neighbours in zip(query_labels, neighbour_labels, strict=True):
        top = list(neighbours)[:k]
        total += sum(1 for other in top if other == label) / k
    return total / len(query_labels)


def stratified_split(
    items: Sequence[T],
    *,
    label: Callable[[T], str],
    key: Callable[[T], str],
    test_share: float = 0.25,
) -> tuple[list[T], list[T]]:
    """A fixed split: within each label, items ordered by the SHA-256 of their key and the
    first `test_share` of them (rounded) go to the test side. A label seen once stays in
    training. The same file always splits the same way, on any machine."""
    if not 0 < test_share < 1:
        raise ValueError("test_share must be between 0 and 1")
    groups: dict[str, list[T]] = defaultdict(list)
    for item in items:
        groups[label(item)].append(item)
    train: list[T] = []
    test: list[T] = []
    for members in groups.values():
        members.sort(key=lambda item: hashlib.sha256(key(item).encode()).hexdigest())
        n_test = round(len(members) * test_share) if len(members) > 1 else 0
        test.extend(members[:n_test])
        train.extend(members[n_test:])
    order = {id(item): i for i, item in enumerate(items)}
    train.sort(key=lambda item: order[id(item)])
    test.sort(key=lambda item: order[id(item)])
    return train, test
