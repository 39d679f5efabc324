"""The model's head scores computed once serve both the suggestion and the similar-case
vector, with the same results as computing them twice."""

from __future__ import annotations

import numpy as np

from plaint.triage.classifier import Document, shipped_model
from plaint.triage.similar import model_vectors

DOCS = [
    Document(text="They keep charging me late fees on my payday loan.", respondent="ACME LOANS"),
    Document(text="Wrong address on my credit report, Equifax will not fix it.", respondent=""),
]


def test_scores_once_give_the_same_suggestions_and_vectors() -> None:
    model = shipped_model()
    scores = model.head_scores(DOCS)
    assert set(scores) == set(model.heads)
    assert model.suggest(DOCS, alternatives=4, scores=scores) == model.suggest(DOCS, alternatives=4)
    assert np.array_equal(model_vectors(model, DOCS, scores=scores), model_vectors(model, DOCS))
    assert model.suggest([], scores={}) == []
