"""Training for :mod:`agentops_cli.nlp.intent` (the only place that imports scikit-learn).

Steps, each for a reason:
1. TF-IDF over word 1–2-grams and character 2–5-grams (inside word boundaries), sublinear tf:
   words carry meaning, characters survive typos, inflection and EN/ES cognates.
2. Multinomial logistic regression: fast, linear, and its scores are log-odds, so
3. a single temperature fitted on held-out predictions (validation set, or out-of-fold
   predictions on small packs) turns them into calibrated probabilities — the
   ``confidence`` a support lead can put a threshold on.
4. The out-of-scope threshold is tuned on held-out data too: the highest threshold whose
   in-scope accuracy stays within ``max_accuracy_drop`` of the un-thresholded accuracy.
   It trades a little accuracy (a few in-scope queries go to a human) for catching
   queries the pack knows nothing about.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from agentops_cli.nlp.intent import (
    ENGINE_VERSION,
    OOS_LABEL,
    IntentModel,
    char_ngrams,
    softmax,
    word_ngrams,
)

MIN_TEMPERATURE = 0.3


@dataclass(frozen=True)
class TrainParams:
    """Hyper-parameters; part of the cache key, so changing one retrains."""

    C: float = 20.0
    char_min_df: int = 2
    max_iter: int = 3000
    max_accuracy_drop: float = 0.015
    cv_folds: int = 5
    seed: int = 13


def _vectorizers(params: TrainParams, n_docs: int):
    from sklearn.feature_extraction.text import TfidfVectorizer

    common = {"lowercase": False, "sublinear_tf": True, "dtype": np.float32}
    word = TfidfVectorizer(analyzer=word_ngrams, **common)
    char = TfidfVectorizer(analyzer=char_ngrams, min_df=min(params.char_min_df, n_docs), **common)
    return word, char


def _fit_linear(texts: Sequence[str], labels: Sequence[str], params: TrainParams):
    """Fit vectorisers + logistic regression; return (word, char, clf)."""
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    word, char = _vectorizers(params, len(texts))
    features = sp.hstack([word.fit_transform(texts), char.fit_transform(texts)]).tocsr()
    clf = LogisticRegression(C=params.C, max_iter=params.max_iter)
    clf.fit(features, list(labels))
    return word, char, clf


def _export(word, char, clf, meta: dict) -> IntentModel:
    coef = np.ascontiguousarray(clf.coef_.T.astype(np.float32))
    intercept = clf.intercept_.astype(np.float64)
    if coef.shape[1] == 1:  # binary problem: scikit-learn keeps one column; make it two-class softmax
        coef = np.hstack([-coef / 2, coef / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    return IntentModel(
        labels=[str(c) for c in clf.classes_],
        word_vocab={str(k): int(v) for k, v in word.vocabulary_.items()},
        word_idf=word.idf_.astype(np.float32),
        char_vocab={str(k): int(v) for k, v in char.vocabulary_.items()},
        char_idf=char.idf_.astype(np.float32),
        coef=coef,
        intercept=intercept,
        meta=meta,
    )


def fit_temperature(logits: np.ndarray, gold: np.ndarray) -> float:
    """Temperature minimising the negative log-likelihood of the gold labels (golden-section search)."""

    def nll(t: float) -> float:
        probs = softmax(logits, t)
        return float(-np.log(np.clip(probs[np.arange(len(gold)), gold], 1e-12, None)).mean())

    # Bounded below: on tiny, perfectly separable packs the likelihood keeps improving as the
    # temperature shrinks, which would report certainty (1.00) the data cannot support.
    lo, hi = np.log(MIN_TEMPERATURE), np.log(20.0)
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(60):
        a = hi - ratio * (hi - lo)
        b = lo + ratio * (hi - lo)
        if nll(float(np.exp(a))) < nll(float(np.exp(b))):
            hi = b
        else:
            lo = a
    return round(float(np.exp((lo + hi) / 2)), 4)


def tune_threshold(
    in_conf: np.ndarray, in_correct: np.ndarray, oos_conf: np.ndarray, max_accuracy_drop: float
) -> tuple[float, dict[str, float]]:
    """Highest threshold keeping in-scope accuracy within ``max_accuracy_drop`` of the best.

    ``in_correct`` marks in-scope examples whose top label was right; ``oos_conf`` holds the
    top confidence of out-of-scope examples that were *not* already labelled out-of-scope.
    Returns the threshold and the held-out figures at it.
    """
    base = float(in_correct.mean()) if len(in_correct) else 1.0
    best, stats = 0.0, {"accuracy": base, "oos_recall": 0.0}
    for threshold in np.round(np.arange(0.0, 0.951, 0.005), 3):
        acc = float((in_correct & (in_conf >= threshold)).mean()) if len(in_conf) else 1.0
        if acc < base - max_accuracy_drop:
            break
        recall = float((oos_conf < threshold).mean()) if len(oos_conf) else 0.0
        best, stats = float(threshold), {"accuracy": round(acc, 4), "oos_recall": round(recall, 4)}
    return best, stats


def _heldout_logits(
    texts: list[str], labels: list[str], classes: list[str], params: TrainParams
) -> np.ndarray:
    """Out-of-fold logits (stratified k-fold) in ``classes`` order, for calibration on small data."""
    from sklearn.model_selection import StratifiedKFold

    counts = np.unique(labels, return_counts=True)[1]
    folds = int(min(params.cv_folds, counts.min()))
    out = np.full((len(texts), len(classes)), -30.0)
    if folds < 2:
        return out
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=params.seed)
    for train_idx, test_idx in splitter.split(texts, labels):
        sub = [texts[i] for i in train_idx]
        word, char, clf = _fit_linear(sub, [labels[i] for i in train_idx], params)
        model = _export(word, char, clf, {})
        fold_logits = model.logits([texts[i] for i in test_idx])
        for j, label in enumerate(model.labels):
            out[test_idx, classes.index(label)] = fold_logits[:, j]
    return out


def train_intent_model(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    val_texts: Sequence[str] | None = None,
    val_labels: Sequence[str] | None = None,
    oos_label: str = OOS_LABEL,
    params: TrainParams | None = None,
) -> IntentModel:
    """Train, calibrate and tune the out-of-scope threshold.

    With ``val_*`` (a labelled validation set, out-of-scope rows labelled ``oos_label``) the
    temperature and threshold come from it; otherwise from out-of-fold predictions on the
    training data. Rows labelled ``oos_label`` in the training data become a class of their
    own (a pack may list out-of-scope examples).
    """
    import scipy.sparse  # noqa: F401 - load the BLAS libraries before limiting their threads
    import sklearn.linear_model  # noqa: F401
    from threadpoolctl import threadpool_limits

    # One BLAS thread: these problems are small and multi-threaded BLAS thrashes on busy
    # machines (measured 0.25 s single-threaded vs 1.3-4.6 s with 2 threads under load).
    with threadpool_limits(1):
        return _train(texts, labels, val_texts, val_labels, oos_label, params or TrainParams())


def _train(
    texts: Sequence[str],
    labels: Sequence[str],
    val_texts: Sequence[str] | None,
    val_labels: Sequence[str] | None,
    oos_label: str,
    params: TrainParams,
) -> IntentModel:
    texts, labels = list(texts), [str(x) for x in labels]
    if len(set(labels)) < 2:
        raise ValueError("an intent model needs at least two labels")
    word, char, clf = _fit_linear(texts, labels, params)
    model = _export(word, char, clf, {})
    classes = model.labels

    if val_texts is not None and val_labels is not None:
        h_texts, h_labels = list(val_texts), [str(x) for x in val_labels]
        h_logits = model.logits(h_texts)
        source = "validation"
    else:
        h_texts, h_labels = texts, labels
        h_logits = _heldout_logits(texts, labels, classes, params)
        source = f"{params.cv_folds}-fold cross-validation"

    gold_known = np.array([lab in classes for lab in h_labels])
    gold_idx = np.array([classes.index(lab) if lab in classes else 0 for lab in h_labels])
    scorable = gold_known & (np.array(h_labels) != oos_label)
    model.temperature = fit_temperature(h_logits[scorable], gold_idx[scorable]) if scorable.any() else 1.0

    probs = softmax(h_logits, model.temperature)
    top = probs.argmax(axis=1)
    conf = probs.max(axis=1)
    is_oos = np.array(h_labels) == oos_label
    predicted_oos = np.array([classes[i] == oos_label for i in top])
    in_correct = np.array([classes[t] == g for t, g in zip(top, h_labels, strict=True)])[~is_oos]
    threshold, stats = tune_threshold(
        conf[~is_oos], in_correct, conf[is_oos & ~predicted_oos], params.max_accuracy_drop
    )
    model.oos_threshold = threshold
    model.oos_label = oos_label
    n_oos = int(is_oos.sum())
    caught = int((is_oos & (predicted_oos | (conf < threshold))).sum())
    model.meta = {
        "engine": ENGINE_VERSION,
        "n_examples": len(texts),
        "n_labels": len(classes),
        "n_features": int(model.coef.shape[0]),
        "calibrated_on": source,
        "heldout_accuracy": stats["accuracy"],
        "heldout_oos_recall": round(caught / n_oos, 4) if n_oos else None,
        "params": params.__dict__,
    }
    return model
