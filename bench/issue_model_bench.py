"""What limits Issue accuracy (issue 19): variants of the category model on the `--split`
of the CFPB sample (the same fixed split `plaint triage evaluate --split` uses), with the
cost of their features, and upper bounds that use what a case does not have.

    .venv/bin/python bench/issue_model_bench.py [VARIANT ...]

Prints, per variant: Product accuracy, Issue accuracy and macro-F1, and the time to
compute the features of one complaint (the part that changes between variants; the
linear scores are a sparse product and cost little). Variants (all LinearSVC, the
product chosen first and the issue among those seen with it, as shipped):

  shipped      word 1-2-grams (20,000) + company + year, balanced weights (as shipped)
  unweighted   the same, issue head without class weights, C=0.5
  lr           logistic regression, balanced, C=30
  perproduct   one issue model per product family
  char700      + character 3-5-grams (30,000) of the first 700 characters
  charall      + character 3-5-grams of the whole narrative
  oracle       issue among those seen with the TRUE product / sub-product (bounds)
  renames      the shipped variant scored with the CFPB's own renames merged
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _setup import SHARED_CFPB

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plaint.config.settings")

# Issue names the CFPB itself renamed (the complaint-form option documents of April 2017
# and August 2023; the old name is kept on complaints received before the change).
CFPB_RENAMES = {
    "Cont'd attempts collect debt not owed": "Attempts to collect debt not owed",
    "Charged fees or interest I didn't expect": "Charged fees or interest you didn't expect",
    "Was approved for a loan, but didn't receive money": (
        "Was approved for a loan, but didn't receive the money"
    ),
    "Problem with a credit reporting company's investigation into an existing problem": (
        "Problem with a company's investigation into an existing problem"
    ),
    "Problem with a company's investigation into an existing issue": (
        "Problem with a company's investigation into an existing problem"
    ),
}


def main() -> None:
    import django

    django.setup()
    import csv

    import numpy as np
    from scipy import sparse  # type: ignore[import-untyped]
    from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]
    from sklearn.metrics import f1_score  # type: ignore[import-untyped]
    from sklearn.svm import LinearSVC  # type: ignore[import-untyped]

    from plaint.domain.triage.scoring import stratified_split
    from plaint.domain.triage.taxonomy import product_family
    from plaint.triage import classifier
    from plaint.triage.cfpb_data import read_cfpb

    wanted = sys.argv[1:] or [
        "shipped",
        "unweighted",
        "perproduct",
        "char700",
        "oracle",
        "renames",
    ]
    examples = read_cfpb(SHARED_CFPB).examples()
    train_set, test_set = stratified_split(
        examples, label=lambda ex: ex.labels["issue"], key=lambda ex: ex.doc.text
    )
    with SHARED_CFPB.open(newline="", encoding="utf-8") as handle:
        sub_product = {
            r["Consumer complaint narrative"]: r["Sub-product"] for r in csv.DictReader(handle)
        }
    yi_tr = np.array([ex.labels["issue"] for ex in train_set])
    yi_te = np.array([ex.labels["issue"] for ex in test_set])
    yp_tr = np.array([product_family(ex.labels["product"]) for ex in train_set])
    yp_te = np.array([product_family(ex.labels["product"]) for ex in test_set])
    print(f"split: {len(train_set)} train, {len(test_set)} test, {len(set(yi_tr))} issues")

    context = sorted({t for ex in train_set for t in classifier._context_tokens(ex.doc)})
    column = {t: i for i, t in enumerate(context)}

    def context_block(docs: Sequence[Any]) -> Any:
        rows, cols = [], []
        for i, ex in enumerate(docs):
            for token in classifier._context_tokens(ex.doc):
                if token in column:
                    rows.append(i)
                    cols.append(column[token])
        values = np.full(len(rows), classifier.CONTEXT_WEIGHT, dtype=np.float32)
        return sparse.csr_matrix((values, (rows, cols)), shape=(len(docs), len(column)))

    def clean(text: str) -> str:
        return classifier._clean(text).lower()

    def char_vectorizer(window: int | None) -> Any:
        return TfidfVectorizer(
            preprocessor=lambda t: clean(t[:window] if window else t),
            analyzer="char_wb",
            ngram_range=(3, 5),
            min_df=3,
            max_df=0.9,
            sublinear_tf=True,
            max_features=30_000,
            dtype=np.float32,
        )

    def features(char_window: int) -> tuple[Any, Any, float]:
        """`char_window` -1: no character n-grams, 0: of the whole text, N: of N chars."""
        vectorizers = [classifier._text_vectorizer()]
        if char_window >= 0:
            vectorizers.append(char_vectorizer(char_window or None))
        train_text = [ex.doc.text for ex in train_set]
        test_text = [ex.doc.text for ex in test_set]
        blocks_tr, blocks_te, cost = [], [], 0.0
        for v in vectorizers:
            blocks_tr.append(v.fit_transform(train_text))
            started = time.perf_counter()
            blocks_te.append(v.transform(test_text))
            cost += time.perf_counter() - started
        x_tr = sparse.hstack([*blocks_tr, context_block(train_set)], format="csr")
        x_te = sparse.hstack([*blocks_te, context_block(test_set)], format="csr")
        return x_tr, x_te, 1000 * cost / len(test_set)

    allowed_by = defaultdict(set)
    for fam, issue in zip(yp_tr, yi_tr, strict=True):
        allowed_by[fam].add(issue)

    def within(scores: Any, classes: Any, keys: Sequence[str], allowed: dict[str, set[str]]) -> Any:
        out = []
        for row, key in zip(scores, keys, strict=True):
            ok = allowed.get(key)
            mask = np.array([c in ok for c in classes]) if ok else np.ones(len(classes), bool)
            out.append(classes[int(np.argmax(np.where(mask, row, -np.inf)))])
        return np.array(out)

    def show(name: str, pp: Any, pi: Any, cost: float) -> None:
        macro = f1_score(yi_te, pi, average="macro")
        print(
            f"{name}: Product {np.mean(pp == yp_te):.3f}  Issue {np.mean(pi == yi_te):.3f} "
            f"(macro-F1 {macro:.3f})  features {cost:.3f} ms per complaint",
            flush=True,
        )

    cache: dict[int, tuple[Any, Any, float]] = {}

    def run(name: str, char_window: int, issue_model: Any, per_product: bool) -> Any:
        if char_window not in cache:
            cache[char_window] = features(char_window)
        x_tr, x_te, cost = cache[char_window]
        product = LinearSVC(C=1.0, class_weight="balanced").fit(x_tr, yp_tr)
        pp = product.predict(x_te)
        if per_product:
            pi = np.empty(len(test_set), dtype=object)
            for fam in set(pp):
                rows, idx = yp_tr == fam, np.where(pp == fam)[0]
                if len(set(yi_tr[rows])) == 1:
                    pi[idx] = yi_tr[rows][0]
                    continue
                pi[idx] = issue_model().fit(x_tr[rows], yi_tr[rows]).predict(x_te[idx])
            show(name, pp, pi, cost)
            return None
        model = issue_model().fit(x_tr, yi_tr)
        scores = model.decision_function(x_te)
        pi = within(scores, model.classes_, list(pp), allowed_by)
        show(name, pp, pi, cost)
        return model, scores, pp, pi

    balanced = lambda: LinearSVC(C=1.0, class_weight="balanced")  # noqa: E731
    for name in wanted:
        if name in ("shipped", "oracle", "renames"):
            model, scores, _, pi = run("shipped", -1, balanced, False)
            if name == "oracle":
                true = within(scores, model.classes_, list(yp_te), allowed_by)
                print(f"  issue among those of the TRUE product: {np.mean(true == yi_te):.3f}")
                subs_tr = [
                    f"{p}|{sub_product.get(ex.doc.text, '')}"
                    for p, ex in zip(yp_tr, train_set, strict=True)
                ]
                subs_te = [
                    f"{p}|{sub_product.get(ex.doc.text, '')}"
                    for p, ex in zip(yp_te, test_set, strict=True)
                ]
                by_sub = defaultdict(set)
                for key, issue in zip(subs_tr, yi_tr, strict=True):
                    by_sub[key].add(issue)
                true_sub = within(scores, model.classes_, subs_te, by_sub)
                print(
                    f"  issue among those of the TRUE sub-product: {np.mean(true_sub == yi_te):.3f}"
                )
                top2 = np.argsort(-scores, axis=1)[:, :2]
                hit = np.mean([yi_te[j] in model.classes_[top2[j]] for j in range(len(yi_te))])
                print(f"  right issue among the first two: {hit:.3f}")
            if name == "renames":
                merge = np.vectorize(lambda label: CFPB_RENAMES.get(label, label))
                merged = np.mean(merge(pi) == merge(yi_te))
                print(f"  with the CFPB's renames merged: Issue {merged:.3f}")
        elif name == "unweighted":
            run(name, -1, lambda: LinearSVC(C=0.5), False)
        elif name == "lr":
            run(
                name,
                -1,
                lambda: LogisticRegression(C=30, max_iter=2000, class_weight="balanced"),
                False,
            )
        elif name == "perproduct":
            run(name, -1, balanced, True)
        elif name == "char700":
            run(name, 700, balanced, False)
        elif name == "charall":
            run(name, 0, balanced, False)
        else:
            raise SystemExit(f"unknown variant {name!r}; see --help")


if __name__ == "__main__":
    if "--help" in sys.argv:
        print(__doc__)
    else:
        main()
