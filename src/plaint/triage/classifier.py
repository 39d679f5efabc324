"""The category model: TF-IDF features, one linear classifier per label set, confidences.

Features are the narrative's word unigrams and bigrams and the character 3-5-grams of
its first `CHAR_WINDOW` characters (TF-IDF, word-bounded: they see "charg" in "charged",
"charges" and misspelt "chargd") plus two *context* features: the business complained
about (`respondent`, the CFPB's "Company") and the year the complaint was received.
The year lets the model use the taxonomy of its day (the CFPB renames issues); the
company says much about the product (a credit bureau, a payday lender).

Each label set ("product", "issue", "category") has its own linear SVM (scikit-learn's
`LinearSVC`, balanced class weights). Confidence is a softmax of its scores with a
temperature fitted on out-of-fold scores during training, so "0.8" means about 80%
correct on data the model had not seen. An issue is chosen among the issues seen with
the predicted product.

A trained model is saved as one `.npz` file (numpy arrays and a JSON header; no pickle)
and loaded with `allow_pickle=False`: vocabulary, IDF weights, float16 coefficients.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # scikit-learn and SciPy take seconds to import: only when a model is used
    from scipy import sparse  # type: ignore[import-untyped]
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
    from sklearn.svm import LinearSVC  # type: ignore[import-untyped]

from plaint.domain.triage.taxonomy import NameUse, name_in_use, name_periods, product_family

FORMAT = "plaint-triage-model/2"  # /2 adds the character n-grams
READABLE_FORMATS = ("plaint-triage-model/1", FORMAT)  # /1: organisations' older models
SHIPPED_MODEL = Path(__file__).resolve().parent / "shipped" / "cfpb_default.npz"
SHIPPED_SHA256 = Path(__file__).resolve().parent / "shipped" / "cfpb_default.sha256"

MAX_FEATURES = 20_000
MAX_CHAR_FEATURES = 30_000
CHAR_WINDOW = 700  # characters the n-grams are read from: they cost more than words
CONTEXT_WEIGHT = 0.7
TEMPERATURES = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0)

_REDACTED = re.compile(r"\bX{2,}(?:/X{2,})*\b|\{\$[\d,.]+\}|\$[\d,.]+")
_SLUG = re.compile(r"[^a-z0-9]+")


class ModelError(Exception):
    """A model file cannot be read, or a model cannot be trained from the data given."""


@dataclass(frozen=True, slots=True)
class Document:
    """What the model reads about one complaint."""

    text: str
    respondent: str = ""
    received_on: date | None = None


@dataclass(frozen=True, slots=True)
class Suggestion:
    label: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...] = ()  # the next best labels


def _clean(text: str) -> str:
    """Drop the CFPB's redaction marks (XXXX, XX/XX/XXXX) and spell amounts as one token."""
    return _REDACTED.sub(lambda m: " amount " if "$" in m.group() else " ", text)


def _context_tokens(doc: Document) -> list[str]:
    tokens = []
    if doc.respondent:
        tokens.append("co:" + _SLUG.sub("_", doc.respondent.lower()).strip("_"))
    if doc.received_on is not None:
        tokens.append(f"yr:{doc.received_on.year}")
    return tokens


def _text_vectorizer(vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        preprocessor=lambda text: _clean(text).lower(),
        ngram_range=(1, 2),
        min_df=2,
        max_df=0.9,
        sublinear_tf=True,
        max_features=MAX_FEATURES,
        dtype=np.float32,
        vocabulary=vocabulary,
    )


def _char_vectorizer(vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        preprocessor=lambda text: _clean(text[:CHAR_WINDOW]).lower(),
        analyzer="char_wb",
        ngram_range=(3, 5),
        min_df=3,
        max_df=0.9,
        sublinear_tf=True,
        max_features=MAX_CHAR_FEATURES,
        dtype=np.float32,
        vocabulary=vocabulary,
    )


CHAR_SIZES = (3, 4, 5)
WORD_CACHE = 200_000  # distinct words whose n-gram columns are kept


class CharNgrams:
    """`_char_vectorizer(vocabulary).transform` with idf set, computed the same way (a test
    checks the matrices are equal) but each distinct word's n-gram columns are found once
    and kept: scikit-learn builds every n-gram of every word in Python, which made the
    character features cost 2.6 times the rest of the model; words repeat, so looking
    them up is cheap."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.idf = idf.astype(np.float32)
        self._columns: dict[str, list[int]] = {}

    def _word_columns(self, word: str) -> list[int]:
        columns = self._columns.get(word)
        if columns is None:
            padded = f" {word} "
            grams: list[str] = []
            for n in CHAR_SIZES:  # as scikit-learn's char_wb: a short word counts once
                if len(padded) <= n:
                    grams.append(padded)
                    break
                grams.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
            get = self.vocabulary.get
            columns = [c for c in map(get, grams) if c is not None]
            if len(self._columns) >= WORD_CACHE:
                self._columns.clear()
            self._columns[word] = columns
        return columns

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        columns: list[int] = []
        lengths: list[int] = []
        cached, lookup = self._columns, self._word_columns
        for text in texts:
            start = len(columns)
            for word in _clean(text[:CHAR_WINDOW]).lower().split():
                found = cached.get(word)
                columns += found if found is not None else lookup(word)
            lengths.append(len(columns) - start)
        return _tfidf(columns, lengths, self.idf)


_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token_pattern


class WordNgrams:
    """`_text_vectorizer(vocabulary).transform` with idf set, computed the same way (a
    test checks the matrices are equal) without scikit-learn's per-term bookkeeping."""

    def __init__(self, vocabulary: dict[str, int], idf: np.ndarray) -> None:
        self.vocabulary = vocabulary
        self.idf = idf.astype(np.float32)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        columns: list[int] = []
        lengths: list[int] = []
        get = self.vocabulary.get
        for text in texts:
            tokens = _TOKEN.findall(_clean(text).lower())
            found = [c for c in map(get, tokens) if c is not None]
            found += [
                c
                for c in map(get, [f"{a} {b}" for a, b in itertools.pairwise(tokens)])
                if c is not None
            ]
            columns += found
            lengths.append(len(found))
        return _tfidf(columns, lengths, self.idf)


def _tfidf(columns: list[int], lengths: list[int], idf: np.ndarray) -> sparse.csr_matrix:
    """Rows of term columns (`lengths[i]` of them for row i, repeats counted) as
    scikit-learn's TfidfVectorizer(sublinear_tf=True, norm="l2") makes them."""
    from scipy import sparse
    from sklearn.preprocessing import normalize  # type: ignore[import-untyped]

    rows = np.repeat(np.arange(len(lengths), dtype=np.int32), lengths)
    matrix = sparse.csr_matrix(  # duplicates are summed: the counts
        (np.ones(len(columns), dtype=np.float32), (rows, np.asarray(columns, dtype=np.int32))),
        shape=(len(lengths), len(idf)),
    )
    matrix.sum_duplicates()
    matrix.data = np.log(matrix.data) + 1  # sublinear tf
    matrix = matrix @ sparse.diags(idf)
    result: sparse.csr_matrix = normalize(matrix).astype(np.float32)
    return result


@dataclass
class _Head:
    """One label set's classifier: rows of `coef` score `classes`."""

    classes: list[str]
    coef: np.ndarray  # (n_classes, n_features) float32
    intercept: np.ndarray  # (n_classes,)
    temperature: float

    def scores(self, features: sparse.csr_matrix) -> np.ndarray:
        scores: np.ndarray = np.asarray(features @ self.coef.T) + self.intercept
        return scores


@dataclass
class TriageModel:
    """A trained model: the features and one head per label set."""

    vocabulary: dict[str, int]
    idf: np.ndarray
    context: dict[str, int]
    heads: dict[str, _Head]
    #: per product family, which names it went by and when (see taxonomy.name_in_use)
    product_names: dict[str, list[NameUse]] = field(default_factory=dict)
    #: per product family, the issues seen with it
    issues_by_product: dict[str, list[str]] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)
    #: character n-grams (empty in a model of format /1, which has none)
    char_vocabulary: dict[str, int] = field(default_factory=dict)
    char_idf: np.ndarray | None = None

    def __post_init__(self) -> None:
        self._words = WordNgrams(self.vocabulary, self.idf)
        self._char_ngrams = None
        if self.char_vocabulary and self.char_idf is not None:
            self._char_ngrams = CharNgrams(self.char_vocabulary, self.char_idf)

    @property
    def label_sets(self) -> list[str]:
        return list(self.heads)

    def features(self, docs: Sequence[Document]) -> sparse.csr_matrix:
        from scipy import sparse

        texts = [doc.text for doc in docs]
        blocks = [self._words.transform(texts)]
        if self._char_ngrams is not None:
            blocks.append(self._char_ngrams.transform(texts))
        rows, cols = [], []
        for i, doc in enumerate(docs):
            for token in _context_tokens(doc):
                col = self.context.get(token)
                if col is not None:
                    rows.append(i)
                    cols.append(col)
        context = sparse.csr_matrix(
            (np.full(len(rows), CONTEXT_WEIGHT, dtype=np.float32), (rows, cols)),
            shape=(len(docs), len(self.context)),
        )
        return sparse.hstack([*blocks, context], format="csr")

    def head_scores(self, docs: Sequence[Document]) -> dict[str, np.ndarray]:
        """Every head's raw scores for the documents (rows) and its classes (columns). Pass
        them to `suggest` and `similar.model_vectors` to compute the features once."""
        features = self.features(docs)
        return {name: head.scores(features) for name, head in self.heads.items()}

    def suggest(
        self,
        docs: Sequence[Document],
        *,
        alternatives: int = 2,
        scores: Mapping[str, np.ndarray] | None = None,
    ) -> list[dict[str, Suggestion]]:
        """For each document, the suggested label of every label set, with confidence.
        `scores` are `head_scores(docs)` when the caller has them already."""
        if not docs:
            return []
        all_scores = self.head_scores(docs) if scores is None else scores
        out: list[dict[str, Suggestion]] = [{} for _ in docs]
        families: list[str | None] = [None] * len(docs)
        for name in ("product", *[n for n in self.heads if n != "product"]):
            head = self.heads.get(name)
            if head is None:
                continue
            for i, row in enumerate(all_scores[name]):
                allowed = self._allowed(name, families[i], head)
                masked = np.where(allowed, row, -np.inf) if allowed is not None else row
                probs = _softmax(masked * head.temperature)
                order = np.argsort(-probs)[: alternatives + 1]
                label = head.classes[order[0]]
                if name == "product":
                    families[i] = label
                    shown = name_in_use(label, docs[i].received_on, self.product_names)
                else:
                    shown = label
                alts = tuple(
                    (self._shown(name, head.classes[j], docs[i]), float(probs[j]))
                    for j in order[1:]
                    if probs[j] > 0
                )
                out[i][name] = Suggestion(shown, float(probs[order[0]]), alts)
        return out

    def _shown(self, head: str, label: str, doc: Document) -> str:
        if head == "product":
            return name_in_use(label, doc.received_on, self.product_names)
        return label

    def _allowed(self, head_name: str, family: str | None, head: _Head) -> np.ndarray | None:
        if head_name != "issue" or family is None:
            return None
        issues = set(self.issues_by_product.get(family, ()))
        if not issues:
            return None
        return np.array([label in issues for label in head.classes])

    # -------------------------------------------------------------- saving and loading
    def to_bytes(self) -> bytes:
        header = {
            "format": FORMAT,
            "vocabulary": sorted(self.vocabulary, key=self.vocabulary.__getitem__),
            "context": sorted(self.context, key=self.context.__getitem__),
            "heads": {
                name: {"classes": head.classes, "temperature": head.temperature}
                for name, head in self.heads.items()
            },
            "product_names": {
                family: [[u.name, u.first.isoformat(), u.last.isoformat()] for u in uses]
                for family, uses in self.product_names.items()
            },
            "issues_by_product": self.issues_by_product,
            "info": self.info,
            "char_vocabulary": sorted(self.char_vocabulary, key=self.char_vocabulary.__getitem__),
        }
        arrays: dict[str, np.ndarray] = {
            "header": np.frombuffer(json.dumps(header).encode(), dtype=np.uint8),
            "idf": self.idf.astype(np.float32),
        }
        if self.char_idf is not None:
            arrays["char_idf"] = self.char_idf.astype(np.float32)
        for name, head in self.heads.items():
            arrays[f"coef_{name}"] = head.coef.astype(np.float16)
            arrays[f"intercept_{name}"] = head.intercept.astype(np.float32)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)  # type: ignore[arg-type]
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TriageModel:
        try:
            with np.load(io.BytesIO(data), allow_pickle=False) as npz:
                header = json.loads(npz["header"].tobytes().decode())
                if header.get("format") not in READABLE_FORMATS:
                    raise ModelError(f"not a {FORMAT} file (format {header.get('format')!r})")
                heads = {
                    name: _Head(
                        classes=list(spec["classes"]),
                        coef=npz[f"coef_{name}"].astype(np.float32),
                        intercept=npz[f"intercept_{name}"].astype(np.float32),
                        temperature=float(spec["temperature"]),
                    )
                    for name, spec in header["heads"].items()
                }
                idf = npz["idf"].astype(np.float32)
                char_idf = npz["char_idf"].astype(np.float32) if "char_idf" in npz else None
        except (OSError, ValueError, KeyError) as exc:
            raise ModelError(f"the model file cannot be read: {exc}") from None
        return cls(
            vocabulary={term: i for i, term in enumerate(header["vocabulary"])},
            idf=idf,
            context={token: i for i, token in enumerate(header["context"])},
            heads=heads,
            product_names={
                family: [
                    NameUse(name, date.fromisoformat(first), date.fromisoformat(last))
                    for name, first, last in uses
                ]
                for family, uses in header["product_names"].items()
            },
            issues_by_product={k: list(v) for k, v in header["issues_by_product"].items()},
            info=header.get("info", {}),
            char_vocabulary={term: i for i, term in enumerate(header.get("char_vocabulary", []))},
            char_idf=char_idf,
        )


def _softmax(scores: np.ndarray) -> np.ndarray:
    finite = np.isfinite(scores)
    shifted = np.where(finite, scores - np.max(scores[finite]), -np.inf)
    exp = np.exp(shifted)
    probs: np.ndarray = exp / exp.sum()
    return probs


def _fit_temperature(scores: np.ndarray, truth: np.ndarray) -> float:
    """The softmax temperature that best predicts the out-of-fold truth (log loss)."""
    best, best_loss = 1.0, np.inf
    rows = np.arange(len(truth))
    for t in TEMPERATURES:
        z = scores * t
        z = z - z.max(axis=1, keepdims=True)
        log_probs = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        loss = -log_probs[rows, truth].mean()
        if loss < best_loss:
            best, best_loss = t, loss
    return best


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled complaint: its document and its labels by label set."""

    doc: Document
    labels: dict[str, str]


def train(
    examples: Sequence[Example],
    *,
    info: dict[str, Any] | None = None,
    char_ngrams: bool = True,
) -> TriageModel:
    """Train a model with one head per label set found in the examples. Products are
    learnt by family (see taxonomy); at least two labels per head are needed.

    `char_ngrams=False` leaves the character n-grams out: the shipped CFPB model is
    trained so, because with them it is sure of itself on text from other trades
    (tweets to Amazon, software tickets) and would send 18-22% of it, wrongly
    categorised, past the confidence threshold instead of about 4% (docs/triage.md)."""
    if len(examples) < 4:
        raise ModelError(f"at least 4 labelled cases are needed to train, got {len(examples)}")
    vectorizer = _text_vectorizer()
    small = len(examples) < 50  # too few documents to prune rare or common words
    vectorizer.set_params(min_df=1 if small else 2, max_df=1.0 if small else 0.9)
    try:
        text = vectorizer.fit_transform([ex.doc.text for ex in examples])
    except ValueError as exc:  # e.g. every document empty after cleaning
        raise ModelError(f"no usable words in the training text ({exc})") from None
    char_vocabulary: dict[str, int] = {}
    char_idf: np.ndarray | None = None
    if char_ngrams:
        chars = _char_vectorizer()
        chars.set_params(min_df=1 if small else 3, max_df=1.0 if small else 0.9)
        try:
            chars.fit([ex.doc.text for ex in examples])
        except ValueError as exc:
            raise ModelError(f"no usable characters in the training text ({exc})") from None
        char_vocabulary = {str(k): int(v) for k, v in chars.vocabulary_.items()}
        char_idf = chars.idf_.astype(np.float32)
    context_tokens = sorted({t for ex in examples for t in _context_tokens(ex.doc)})
    model = TriageModel(
        vocabulary={str(k): int(v) for k, v in vectorizer.vocabulary_.items()},
        idf=vectorizer.idf_.astype(np.float32),
        context={token: i for i, token in enumerate(context_tokens)},
        heads={},
        info=dict(info or {}),
        char_vocabulary=char_vocabulary,
        char_idf=char_idf,
    )
    features = model.features([ex.doc for ex in examples])
    del text
    label_sets = sorted({name for ex in examples for name in ex.labels})
    for name in label_sets:
        rows = [i for i, ex in enumerate(examples) if ex.labels.get(name)]
        labels = [examples[i].labels[name] for i in rows]
        if name == "product":
            model.product_names = name_periods(
                (label, examples[i].doc.received_on or date.min)
                for i, label in zip(rows, labels, strict=True)
            )
            labels = [product_family(label) for label in labels]
        classes = sorted(set(labels))
        if len(classes) < 2:
            raise ModelError(
                f"{name!r} needs at least two different labels to learn, got {classes}"
            )
        model.heads[name] = _fit_head(features[rows], labels, classes)
    if "product" in model.heads and "issue" in model.heads:
        pairs: dict[str, set[str]] = {}
        for ex in examples:
            product, issue = ex.labels.get("product"), ex.labels.get("issue")
            if product and issue:
                pairs.setdefault(product_family(product), set()).add(issue)
        model.issues_by_product = {k: sorted(v) for k, v in sorted(pairs.items())}
    model.info.setdefault("examples", len(examples))
    return model


def _fit_head(features: sparse.csr_matrix, labels: list[str], classes: list[str]) -> _Head:
    from sklearn.svm import LinearSVC

    index = {label: i for i, label in enumerate(classes)}
    y = np.array([index[label] for label in labels])
    # Out-of-fold scores for the temperature: three folds, fixed assignment.
    folds = np.arange(len(y)) % 3
    oof = np.zeros((len(y), len(classes)), dtype=np.float64)
    usable = True
    for fold in range(3):
        train_rows = folds != fold
        if len(set(y[train_rows])) < len(classes):
            usable = False
            break
        clf = LinearSVC(C=1.0, class_weight="balanced").fit(features[train_rows], y[train_rows])
        oof[~train_rows] = _decision(clf, features[~train_rows], len(classes))
    temperature = _fit_temperature(oof, y) if usable else 2.0
    clf = LinearSVC(C=1.0, class_weight="balanced").fit(features, y)
    coef = clf.coef_ if len(classes) > 2 else np.vstack([-clf.coef_[0], clf.coef_[0]]) / 2
    intercept = clf.intercept_ if len(classes) > 2 else np.array([-1, 1]) * clf.intercept_[0] / 2
    return _Head(
        classes=classes,
        coef=np.asarray(coef, dtype=np.float32),
        intercept=np.asarray(intercept, dtype=np.float32),
        temperature=temperature,
    )


def _decision(clf: LinearSVC, features: sparse.csr_matrix, n_classes: int) -> np.ndarray:
    scores = clf.decision_function(features)
    if n_classes == 2:
        return np.column_stack([-scores / 2, scores / 2])
    return np.asarray(scores)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@cache
def shipped_model() -> TriageModel:
    """The default model trained on the public-domain CFPB sample, as shipped. Its SHA-256
    is checked against the digest shipped beside it."""
    try:
        data = SHIPPED_MODEL.read_bytes()
        expected = SHIPPED_SHA256.read_text().split()[0]
    except OSError as exc:
        raise ModelError(f"the shipped model is missing: {exc}") from None
    if sha256_of(data) != expected:
        raise ModelError(f"{SHIPPED_MODEL.name} does not match its SHA-256; reinstall Plaint")
    return TriageModel.from_bytes(data)


@cache
def shipped_model_name() -> str:
    """How suggestions name the shipped model: its file's SHA-256, shortened."""
    try:
        return "cfpb-default@" + SHIPPED_SHA256.read_text().split()[0][:12]
    except (OSError, IndexError) as exc:
        raise ModelError(f"the shipped model's digest is missing: {exc}") from None


def examples_labels(examples: Iterable[Example], name: str) -> list[str]:
    return [ex.labels.get(name, "") for ex in examples]
