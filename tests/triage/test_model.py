"""The category model, the taxonomy renames and the evaluation arithmetic."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from plaint.domain.triage.scoring import (
    precision_at_k,
    precision_recall,
    score_labels,
    stratified_split,
)
from plaint.domain.triage.taxonomy import (
    consumer_category,
    name_in_use,
    name_periods,
    product_family,
)
from plaint.triage.classifier import (
    Document,
    Example,
    ModelError,
    TriageModel,
    shipped_model,
    train,
)
from plaint.triage.similar import SimilarIndex, model_vectors

OLD = "Payday loan, title loan, or personal loan"
NEW = "Payday loan, title loan, personal loan, or advance loan"


def test_score_labels_by_hand() -> None:
    scores = score_labels(["a", "a", "b", "c"], ["a", "b", "b", "a"])
    assert scores.accuracy == 0.5
    # a: P 1/2 R 1/2 F 1/2; b: P 1/2 R 1 F 2/3; c: F 0
    assert scores.macro_f1 == pytest.approx((0.5 + 2 / 3 + 0) / 3)
    assert scores.confusions[0][2] == 1
    assert precision_recall([True, True, False], [True, False, True]) == (0.5, 0.5, 2)
    assert precision_at_k(["x", "y"], [["x", "x", "y"], ["x", "x", "x"]], 3) == pytest.approx(1 / 3)


def test_split_is_fixed_stratified_and_keeps_singletons_in_training() -> None:
    items = [(f"id{i}", "big") for i in range(40)] + [("lonely", "one")]
    train_a, test_a = stratified_split(items, label=lambda x: x[1], key=lambda x: x[0])
    train_b, test_b = stratified_split(
        list(reversed(items)), label=lambda x: x[1], key=lambda x: x[0]
    )
    assert len(test_a) == 10 and ("lonely", "one") in train_a
    assert sorted(test_a) == sorted(test_b) and sorted(train_a) == sorted(train_b)


def test_product_renames() -> None:
    assert product_family(OLD) == product_family(NEW)
    periods = name_periods(
        [(OLD, date(2019, 1, 1)), (OLD, date(2023, 8, 1)), (NEW, date(2025, 2, 1))]
    )
    family = product_family(OLD)
    assert name_in_use(family, date(2020, 5, 1), periods) == OLD
    assert name_in_use(family, date(2025, 3, 1), periods) == NEW
    assert name_in_use(family, date(2024, 6, 1), periods) == OLD  # the last name introduced
    assert name_in_use(family, None, periods) == NEW
    assert consumer_category(NEW) == "Credit, loans and borrowing"
    assert consumer_category("Something new") == "Other"


def _examples() -> list[Example]:
    texts = {
        "refund": ["they will not refund my money", "refund still missing after return"],
        "delivery": ["parcel never delivered to my door", "courier lost the delivery"],
        "billing": ["charged twice on my bill", "wrong amount on the monthly bill"],
    }
    out = []
    for label, samples in texts.items():
        for i in range(6):
            text = f"{samples[i % 2]} case {i}"
            out.append(Example(doc=Document(text=text), labels={"category": label}))
    return out


def test_train_save_load_predict_round_trip() -> None:
    model = train(_examples())
    again = TriageModel.from_bytes(model.to_bytes())
    docs = [Document(text="my parcel was never delivered"), Document(text="I was charged twice")]
    first, second = model.suggest(docs), again.suggest(docs)
    assert [s["category"].label for s in first] == ["delivery", "billing"]
    assert [s["category"].label for s in second] == ["delivery", "billing"]
    for s in second:
        assert 0 < s["category"].confidence <= 1
        assert s["category"].alternatives[0][1] <= s["category"].confidence


def test_training_needs_data() -> None:
    with pytest.raises(ModelError, match="at least 4"):
        train(_examples()[:2])
    same = [Example(doc=Document(text=f"text {i}"), labels={"category": "x"}) for i in range(6)]
    with pytest.raises(ModelError, match="two different labels"):
        train(same)


def test_a_damaged_model_file_is_refused() -> None:
    with pytest.raises(ModelError):
        TriageModel.from_bytes(b"not a model")


def test_shipped_model_loads_and_reads_cfpb_text() -> None:
    model = shipped_model()
    assert set(model.heads) == {"product", "issue"}
    doc = Document(
        text="Equifax keeps reporting a late payment that is not mine and will not correct "
        "my credit report after my dispute.",
        respondent="EQUIFAX, INC.",
        received_on=date(2023, 3, 1),
    )
    (suggestion,) = model.suggest([doc])
    assert suggestion["product"].label.startswith("Credit reporting")
    # the issue is one seen with that product
    family = product_family(suggestion["product"].label)
    assert suggestion["issue"].label in model.issues_by_product[family]


def test_similar_index_finds_the_nearest_and_excludes_itself() -> None:
    model = train(_examples())
    docs = [ex.doc for ex in _examples()]
    vectors = model_vectors(model, docs)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
    index = SimilarIndex(list(range(len(docs))), vectors)
    found = index.search(vectors[:1], k=3, exclude=[0])[0]
    assert 0 not in [case_id for case_id, _ in found]
    labels = [_examples()[case_id].labels["category"] for case_id, _ in found]
    assert labels.count("refund") >= 2
    assert SimilarIndex([], np.zeros((0, 0))).search(vectors[:2]) == [[], []]
