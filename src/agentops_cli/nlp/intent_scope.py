"""Out-of-scope rejection for :mod:`agentops_cli.nlp.intent_train`: the score a query's scope is
judged by, and the rule chosen on held-out rows.

Three signals, all available on top of any calibrated classifier
(:func:`agentops_cli.nlp.intent.scope_signals`):

- the top-1 calibrated probability (how sure the classifier is between the intents it knows);
- the query's *word coverage*: the share of its words seen in in-scope training examples
  (:func:`agentops_cli.nlp.intent.word_coverage`). An out-of-scope query often shares one or
  two words with some intent — enough for a confident top-1 — while the rest of it is words
  no intent ever used;
- the entropy of the probabilities (how spread the doubt is over the other intents).

Chosen on CLINC150 validation among 18 rules — margins, raw scores, nearest-neighbour cosine
to the training rows, per-intent thresholds… (``bench/clinc150_rejection.py``, table in
docs/benchmarks.md). With out-of-scope examples among the held-out rows, a logistic model of "in scope"
is fitted on them (in-scope held-out rows against out-of-scope ones) and the threshold is tuned
on its score by the same rule as before (:func:`~agentops_cli.nlp.intent_train.tune_threshold`:
at most ``max_accuracy_drop`` of in-scope accuracy); it is kept only if it beats the top-1
probability on those rows. Without them there is nothing to fit the weights on: the threshold
applies to the top-1 probability, as before. (Weights fitted on pseudo out-of-scope rows —
intents left out of a fit — were measured and not adopted: +0.04 recall on CLINC150
validation, at one more SVM fit, or at 1.14 points of accuracy without it.)

The coverage of a held-out row is measured against the words of the model that scored it —
the calibration fit's own rows, in-scope ones only — never against the final model's: words
the calibration fit never saw must count as unseen, exactly as they will for a new query at
run time (the same reason its TF-IDF vocabulary excludes them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from agentops_cli.nlp.intent_vectors import TermCounts

# Fewer held-out out-of-scope examples than this cannot pin down two weights: top-1 rule only.
MIN_OOS_EXAMPLES = 10
# Inverse regularisation of the logistic model (validation recall equal at 0.1 and 1).
SCOPE_C = 1.0
# Columns of :func:`agentops_cli.nlp.intent.scope_signals` the score weighs: top-1 logit, word
# coverage, negative entropy (chosen on CLINC150 validation, bench/clinc150_rejection.py).
SIGNALS = (0, 1, 2)


def is_unigram(counts: TermCounts) -> np.ndarray:
    """Per term column of ``counts``: a single word (word bigrams hold a space).

    Term by term, not through ``astype(str)``: a fixed-width copy is as wide as the longest
    term times their number, and one pasted 10,000-character "word" would make it gigabytes.
    """
    terms = counts.terms
    return np.fromiter((" " not in term for term in terms), dtype=bool, count=len(terms))


def scope_mask(counts: TermCounts, columns: np.ndarray, in_scope_rows: np.ndarray) -> np.ndarray:
    """Per term column: a unigram of the model's vocabulary (``columns``) that occurs in at least
    one of ``in_scope_rows`` — the words :func:`coverage` counts as seen."""
    mask = np.zeros(counts.matrix.shape[1], dtype=bool)
    mask[columns] = True
    seen = np.zeros_like(mask)
    if len(in_scope_rows):
        seen[np.unique(counts.matrix[in_scope_rows].indices)] = True
    return mask & seen & is_unigram(counts)


def coverage(counts: TermCounts, rows: np.ndarray, known: np.ndarray) -> np.ndarray:
    """Word coverage of ``rows``: word tokens whose column is ``known``, over all word tokens
    (0 for a row without any), as :func:`agentops_cli.nlp.intent.word_coverage` computes it at
    run time."""
    matrix = counts.matrix[rows].astype(np.float64)
    total = matrix @ is_unigram(counts).astype(np.float64)
    seen = matrix @ known.astype(np.float64)
    return np.divide(seen, total, out=np.zeros(len(total)), where=total > 0)


def fit_scope_weights(signals: np.ndarray, in_scope: np.ndarray) -> list[float]:
    """``[bias, *weights]`` of a class-balanced logistic regression of ``in_scope`` on the
    ``SIGNALS`` columns of ``signals`` (:func:`agentops_cli.nlp.intent.scope_signals`); the
    other columns weigh 0.

    Features are standardised for the fit (their scales differ by ~10×) and the weights
    mapped back, so inference applies them to the raw values.
    """
    from sklearn.linear_model import LogisticRegression

    features = signals[:, list(SIGNALS)]
    mean, scale = features.mean(axis=0), features.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=SCOPE_C, class_weight="balanced", max_iter=1000)
    model.fit((features - mean) / scale, in_scope.astype(int))
    weights = np.zeros(signals.shape[1])
    weights[list(SIGNALS)] = model.coef_[0] / scale
    bias = float(model.intercept_[0] - weights[list(SIGNALS)] @ mean)
    return [round(bias, 6), *(round(float(w), 6) for w in weights)]


def choose_rule(
    probs: np.ndarray,
    word_cover: np.ndarray,
    is_oos: np.ndarray,
    predicted_oos: np.ndarray,
    correct: np.ndarray,
    max_accuracy_drop: float,
) -> tuple[list[float], float, dict[str, float]]:
    """The out-of-scope rule for held-out rows (calibrated ``probs``): ``(weights, threshold, figures)``.

    ``correct`` marks in-scope rows whose top label was right; out-of-scope rows the classifier
    already labelled out of scope (``predicted_oos``) are caught whatever the threshold, so
    they neither fit the weights nor count for the threshold. Weights are ``[]`` when the top-1
    probability alone does as well on these rows (accuracy + out-of-scope recall).
    """
    from agentops_cli.nlp.intent import scope_scores, scope_signals
    from agentops_cli.nlp.intent_train import tune_threshold

    undecided = is_oos & ~predicted_oos
    top = probs.max(axis=1)
    threshold, stats = tune_threshold(top[~is_oos], correct, top[undecided], max_accuracy_drop)
    if int(undecided.sum()) < MIN_OOS_EXAMPLES or int((~is_oos).sum()) < MIN_OOS_EXAMPLES:
        return [], threshold, stats
    rows = ~is_oos | undecided
    weights = fit_scope_weights(scope_signals(probs[rows], word_cover[rows]), ~is_oos[rows])
    score = scope_scores(probs, word_cover, weights)
    combined, combined_stats = tune_threshold(score[~is_oos], correct, score[undecided], max_accuracy_drop)
    gain = combined_stats["accuracy"] + combined_stats["oos_recall"] - stats["accuracy"] - stats["oos_recall"]
    if gain > 1e-9:
        return weights, combined, combined_stats
    return [], threshold, stats
