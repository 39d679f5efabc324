"""The category model's own TF-IDF transforms give exactly the matrices scikit-learn's
TfidfVectorizer gives for the same vocabulary and idf (they exist for speed: see
classifier.CharNgrams), on real narratives and on awkward text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plaint.triage import classifier
from plaint.triage.cfpb_data import read_cfpb

DEMO = Path(__file__).resolve().parents[2] / "src" / "plaint" / "demo" / "cfpb_demo.csv"
AWKWARD = [
    "",
    "a",
    "XXXX XX/XX/XXXX {$650.00}",
    "I  was\tcharged\r\ntwice   for my order",
    "Überweisung für Gebühren — naïve café ñ 😡😡 I'm\u00a0upset",
    "ok " * 400,
    "charged charged charged chargd charging",
]


@pytest.fixture(scope="module")
def fitted() -> tuple[list[str], object, object]:
    texts = [ex.doc.text for ex in read_cfpb(DEMO).examples()]
    words = classifier._text_vectorizer().fit(texts[:500])
    chars = classifier._char_vectorizer().fit(texts[:500])
    return texts[500:] + AWKWARD, words, chars


def _vocabulary(vectorizer: object) -> dict[str, int]:
    return {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}  # type: ignore[attr-defined]


def _same(a: object, b: object) -> None:
    assert a.shape == b.shape  # type: ignore[attr-defined]
    assert abs(a - b).max() < 1e-6  # type: ignore[operator]


def test_word_ngrams_equal_scikit_learn(fitted: tuple[list[str], object, object]) -> None:
    texts, words, _ = fitted
    ours = classifier.WordNgrams(_vocabulary(words), words.idf_)  # type: ignore[attr-defined]
    _same(ours.transform(texts), words.transform(texts))  # type: ignore[attr-defined]


def test_char_ngrams_equal_scikit_learn(fitted: tuple[list[str], object, object]) -> None:
    texts, _, chars = fitted
    ours = classifier.CharNgrams(_vocabulary(chars), chars.idf_)  # type: ignore[attr-defined]
    _same(ours.transform(texts), chars.transform(texts))  # type: ignore[attr-defined]
    _same(ours.transform(texts), chars.transform(texts))  # type: ignore[attr-defined]  # cached


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=300), min_size=1, max_size=5))
def test_any_text_gives_the_same_matrix(texts: list[str]) -> None:
    corpus = [ex.doc.text for ex in read_cfpb(DEMO).examples()[:80]]
    words = classifier._text_vectorizer().set_params(min_df=1, max_df=1.0).fit(corpus)
    chars = classifier._char_vectorizer().set_params(min_df=1, max_df=1.0).fit(corpus)
    _same(
        classifier.WordNgrams(_vocabulary(words), words.idf_).transform(texts),
        words.transform(texts),
    )
    _same(
        classifier.CharNgrams(_vocabulary(chars), chars.idf_).transform(texts),
        chars.transform(texts),
    )
    assert np.isfinite(chars.transform(texts).data).all()


def test_a_words_only_model_of_format_1_still_loads_and_predicts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import dataclasses

    examples = read_cfpb(DEMO).examples()[:300]
    full = classifier.train(examples)
    n_words, n_chars = len(full.vocabulary), len(full.char_vocabulary)
    keep = np.r_[0:n_words, n_words + n_chars : n_words + n_chars + len(full.context)]
    heads = {  # the same heads without the character columns: a model as /1 made them
        name: dataclasses.replace(head, coef=head.coef[:, keep])
        for name, head in full.heads.items()
    }
    words_only = dataclasses.replace(full, heads=heads, char_vocabulary={}, char_idf=None)
    monkeypatch.setattr(classifier, "FORMAT", "plaint-triage-model/1")
    blob = words_only.to_bytes()
    monkeypatch.undo()
    loaded = classifier.TriageModel.from_bytes(blob)
    assert loaded._char_ngrams is None
    docs = [ex.doc for ex in examples[:20]]
    assert [s["product"].label for s in loaded.suggest(docs)] == [
        s["product"].label for s in words_only.suggest(docs)
    ]


def test_the_shipped_model_is_words_only() -> None:
    # with character n-grams it is overconfident on other trades' text (docs/triage.md)
    assert classifier.shipped_model().char_vocabulary == {}
    assert classifier.shipped_model()._char_ngrams is None
