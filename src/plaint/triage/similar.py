"""Similar past cases: nearest neighbours by cosine similarity.

Three representations were measured on the CFPB sample (precision@5 of "same Issue",
see docs/triage.md): TF-IDF of the narrative, the category model's scores, and the two
together. The model's scores won clearly, and cost nothing extra (they are computed for
the category suggestion anyway), so Plaint stores one short vector per triaged case:
the L2-normalised scores of every head of the model that triaged it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from plaint.triage.classifier import Document, TriageModel, _clean

if TYPE_CHECKING:  # SciPy takes seconds to import; only the comparison representation needs it
    from scipy import sparse  # type: ignore[import-untyped]

DTYPE = np.float32


def model_vectors(
    model: TriageModel,
    docs: Sequence[Document],
    *,
    scores: Mapping[str, np.ndarray] | None = None,
) -> np.ndarray:
    """The representation Plaint uses: each document's scores from every head (`scores`:
    the model's `head_scores(docs)`, when the caller has them already)."""
    if not docs:
        return np.zeros((0, 0), dtype=DTYPE)
    by_head = model.head_scores(docs) if scores is None else scores
    stacked = np.hstack([by_head[name] for name in model.heads])
    # Imported here, with the model already loaded (it imports scikit-learn), not at start-up.
    from sklearn.preprocessing import normalize  # type: ignore[import-untyped]

    vectors: np.ndarray = normalize(stacked).astype(DTYPE)
    return vectors


def vector_to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=DTYPE).tobytes()


def vector_from_bytes(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype=DTYPE)


class TfidfRepresentation:
    """Word TF-IDF of the narrative, fitted on the cases searched (for comparison)."""

    def __init__(self, texts: Sequence[str]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

        self.vectorizer = TfidfVectorizer(
            preprocessor=lambda text: _clean(text).lower(),
            min_df=2 if len(texts) >= 50 else 1,
            max_df=0.5,
            sublinear_tf=True,
            stop_words="english",
        )
        self.matrix = self.vectorizer.fit_transform(texts)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return self.vectorizer.transform(texts)


@dataclass
class SimilarIndex:
    """Vectors of past cases (one row each, unit length) and the ids they belong to."""

    ids: list[int]
    matrix: np.ndarray | sparse.csr_matrix

    def search(
        self, queries: np.ndarray | sparse.csr_matrix, *, k: int = 5, exclude: Sequence[int] = ()
    ) -> list[list[tuple[int, float]]]:
        """The `k` most similar past cases for each query row, best first, with cosine
        similarity; `exclude[i]` (an id) is never returned for query i."""
        if not self.ids:
            return [[] for _ in range(queries.shape[0])]
        from scipy import sparse  # loaded already by whatever made the vectors

        sims = queries @ self.matrix.T
        if sparse.issparse(sims):
            sims = sims.toarray()
        sims = np.asarray(sims)
        take = min(k + 1, len(self.ids))
        # The best `take` of every row at once, then each row's few sorted.
        if take < sims.shape[1]:
            top = np.argpartition(-sims, take - 1, axis=1)[:, :take]
        else:
            top = np.tile(np.arange(sims.shape[1]), (sims.shape[0], 1))
        results = []
        for row_number, (row, candidates) in enumerate(zip(sims, top, strict=True)):
            ordered = candidates[np.argsort(-row[candidates])]
            skip = exclude[row_number] if row_number < len(exclude) else None
            found = [(self.ids[j], float(row[j])) for j in ordered if self.ids[j] != skip]
            results.append(found[:k])
        return results
