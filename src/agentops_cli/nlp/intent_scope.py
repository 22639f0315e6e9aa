"""Out-of-scope rejection for :mod:`agentops_cli.nlp.intent_train`: the score a query's scope is
judged by, and the rule chosen on held-out rows.

The signals, all available on top of any calibrated classifier
(:func:`agentops_cli.nlp.intent.scope_signals`):

- the top-1 calibrated probability (how sure the classifier is between the intents it knows);
- the entropy of the probabilities (how spread the doubt is over the other intents);
- four *coverages* of the query's words (:func:`text_signals`, one function for held-out rows
  at training and for queries at run time): the share seen in in-scope training examples — an
  out-of-scope query often shares one or two words with some intent, enough for a confident
  top-1, while the rest of it is words no intent ever used; the share used by examples *of the
  predicted intent*; the idf-weighted share (an unseen rare word weighs more than a seen
  "the"); and the share seen or one typo away from a seen word (a misspelt in-scope word is
  not an out-of-scope one).

Chosen on CLINC150 validation among 18 rules — margins, raw scores, nearest-neighbour cosine
to the training rows, per-intent thresholds… — and since intent-v13 on the cross-pool protocol
(``bench/clinc150_rejection.py``, ``bench/clinc150_oos_pack.py rules``, tables in
docs/benchmarks.md). With out-of-scope examples among the held-out rows, a logistic model of
"in scope" is fitted on them (in-scope held-out rows against out-of-scope ones) and the
threshold is tuned on its score by the same rule as before
(:func:`~agentops_cli.nlp.intent_train.tune_threshold`: at most ``max_accuracy_drop`` of
in-scope accuracy); it is kept only if it beats the top-1 probability on those rows. Without
them there is nothing to fit the weights on: the threshold applies to the top-1 probability,
as before. (Weights fitted on pseudo out-of-scope rows — intents left out of a fit — were
measured and not adopted: +0.04 recall on CLINC150 validation, at one more SVM fit, or at 1.14
points of accuracy without it.)

Since intent-v14 typo'd copies of the held-out in-scope rows (:func:`typo_copy`) join the
logistic fit as in-scope rows weighing ``TrainParams.noisy_weight`` (0.25): without them a
misspelt in-scope query looked like the out-of-scope ones (CLINC150 cross-pool: 17.8 % of noisy
in-scope queries rejected → 4.8 %, out-of-scope recall 0.76 → 0.745). The threshold stays chosen
on the real rows, by ``TrainParams.threshold_rule`` (accuracy + recall by default; count-weighted
accuracy and least cost reaching a target recall measured no better across pools).

Issue 21 round 5 measured the nearest-neighbour signals of the out-of-distribution literature
(:func:`neighbour_signals`: best cosine to any in-scope training row, to one of the predicted
intent, their gap, the predicted intent's centroid, the mean of the 5 nearest) added to these
six: on the cross-pool protocol none beat the six by the criterion declared first (the best,
centroid, ±0 accuracy + recall; the others lose up to 0.05 of recall; docs/benchmarks.md, round
5), so ``SIGNALS`` does not weigh them and no model keeps their rows; they stay computable
(``NEIGHBOURS``) for the bench that measured them.

The coverages of a held-out row are measured against the words of the model that scored it —
the calibration fit's own rows, in-scope ones only — never against the final model's: words
the calibration fit never saw must count as unseen, exactly as they will for a new query at
run time (the same reason its TF-IDF vocabulary excludes them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from agentops_cli.nlp.intent_vectors import TermCounts

# Fewer held-out out-of-scope examples than this cannot pin down two weights: top-1 rule only.
MIN_OOS_EXAMPLES = 10
# Inverse regularisation of the logistic model (validation recall equal at 0.1 and 1).
SCOPE_C = 1.0
# Columns of :func:`agentops_cli.nlp.intent.scope_signals` the score weighs: top-1 logit, word
# coverage, negative entropy (intent-v9, chosen on CLINC150 validation), and since intent-v13 the
# class, idf and typo coverages (CLINC150 cross-pool protocol: out-of-scope recall 0.68 → 0.76 at
# 0.9497 → 0.9473 accuracy; validation 0.9243 / 0.77 → 0.9233 / 0.78; docs/benchmarks.md).
SIGNALS = (0, 1, 2, 3, 4, 5)


# Folds of the out-of-fold scores the threshold is tuned on (:func:`choose_rule`); 0: in-sample.
# 0: five folds lost 2.5 points of out-of-scope recall for +0.14 of accuracy on the cross-pool
# protocol with the intent-v13 signals (±0 with intent-v11's three).
CROSS_FIT_FOLDS = 0
# Known words shorter than this are never matched to an unseen word one edit away (too many
# neighbours). 3, not 5: most typos in CLINC150-like queries hit short words ("hte", "oyu", "hw");
# measured on a typo'd copy of val, 92 % of its unseen words match at 3, 77 % at 4 (and 36 % /
# 34 % of out-of-scope queries' unseen words).
TYPO_MIN_CHARS = 3
# Known words longer than this are never typo-matched, and an unseen word more than one
# character longer never is: symmetric-delete matching builds every deletion of a word as a
# string (quadratic in its length), and one pasted 20,000-character token cost 1.5 s and
# 383 MB at predict. Real words are shorter; a longer "word" is a hash, a URL or garbage.
TYPO_MAX_CHARS = 30
# The text-side signals :func:`text_signals` computes, in its column order (they follow the top-1
# logit and the negative entropy in :func:`agentops_cli.nlp.intent.scope_signals`).
TEXT_SIGNALS = ("coverage", "class_coverage", "idf_coverage", "typo_coverage")
# The nearest-neighbour signals (issue 21 round 5) :func:`text_signals` appends when it is handed
# a fit's :class:`Neighbours`, in column order after ``TEXT_SIGNALS``: the best cosine of the
# query's word TF-IDF to any in-scope training row (kNN out-of-distribution detection, Sun et al.
# 2022), to a row of the predicted intent, that minus the best to any other intent's rows, and the
# cosine to the predicted intent's centroid (the TF-IDF analogue of Podolskiy et al. 2021).
NEIGHBOUR_SIGNALS = ("knn_any", "knn_class", "knn_gap", "centroid", "knn_any_mean_k", "knn_class_mean_k")
# The last two: the mean cosine of the ``NEIGHBOUR_K`` nearest rows (any intent's; the predicted
# intent's), missing ones counting 0 — Sun et al.'s k-th-neighbour distance is steadier than the
# nearest one alone.
NEIGHBOUR_K = 5
# Compute the neighbour signals (held-out rows, saved model) even when ``SIGNALS`` does not weigh
# them: the round-5 bench turns it on to re-choose rules over them on captured rows.
NEIGHBOURS = False
# Words in more than this share of the reference rows (and more than ``NEIGHBOUR_MIN_INTENTS``
# intents' share) are left out of the neighbour cosines (:meth:`Neighbours.by_intent`).
NEIGHBOUR_MAX_DF = 0.02
NEIGHBOUR_MIN_INTENTS = 3
# Queries scored against the training rows at once (the similarity block stays a few MB).
NEIGHBOUR_CHUNK = 256
# Seed of :func:`typo_copy` (the round-3 benches' ``with_typos`` used the same, so their noisy
# copies are the engine's).
TYPO_SEED = 21


def typo_copy(text: str, row: int) -> str:
    """``text`` with one or two of its words (3+ letters) misspelt — an adjacent swap, a dropped
    or an inserted letter — deterministically per ``row``: the typo'd copy of an in-scope query.

    Why in the engine: the scope rule is fitted on held-out in-scope rows typed cleanly, so a
    customer's misspelt in-scope query looked out of scope (17.8 % of them rejected against
    1.7 % of clean ones on CLINC150, intent-v13). Typo'd copies of the held-out rows, scored by
    the calibration fit like the rows themselves, join the rule's fit as in-scope examples
    (``TrainParams.noisy_weight``); they never reach a classifier's training rows.
    """
    import random
    import string

    rng = random.Random(TYPO_SEED * 100_003 + row)  # nosec B311 - reproducible noise, not security
    tokens = text.split()
    candidates = [i for i, t in enumerate(tokens) if len(t) >= 3 and t.isalpha()]
    for i in rng.sample(candidates, min(len(candidates), rng.choice((1, 2)))):
        word, at = tokens[i], rng.randrange(1, len(tokens[i]) - 1)
        kind = rng.choice(("swap", "drop", "insert"))
        if kind == "swap":
            word = word[: at - 1] + word[at] + word[at - 1] + word[at + 1 :]
        elif kind == "drop":
            word = word[:at] + word[at + 1 :]
        else:
            word = word[:at] + rng.choice(string.ascii_lowercase) + word[at:]
        tokens[i] = word
    return " ".join(tokens)


@dataclass
class ScopeWords:
    """The in-scope words a query's words are compared with, for the coverage signals.

    Built the same way for the calibration fit (its own rows, at training) and for the final
    model (at inference) by :meth:`build`, so a text gets the same signals on both sides.

    - ``known``: unigrams seen in in-scope examples (the word coverage's words);
    - ``idf``: each vocabulary unigram's idf; words outside the vocabulary weigh ``unseen_idf``
      (the idf of a word no row used): an unseen rare word weighs more than a seen "the";
    - ``intents``: per known word, a bit mask of the intents (by index) whose examples used it —
      the *class coverage* of a query predicted intent *k* counts only words bit *k* marks;
    - ``near``: known words of ``TYPO_MIN_CHARS`` to ``TYPO_MAX_CHARS`` characters and every
      one-character deletion of them (symmetric-delete matching): an unseen word that shares an
      entry with them is one edit (drop, insert, substitution) from a known word, or two
      adjacent characters swapped (a transposition also shares a deletion) — a typo.
    """

    known: frozenset[str]
    idf: dict[str, float]
    unseen_idf: float
    intents: dict[str, int]
    _near: frozenset[str] | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls, terms: Sequence[str], idf: np.ndarray, in_scope: np.ndarray, word_intents: np.ndarray
    ) -> ScopeWords:
        """From a word vocabulary (its ``terms`` and their ``idf``), the ``in_scope`` mask of its
        columns (:func:`scope_mask`) and the (column, intent index) rows of ``word_intents``
        (:func:`vocabulary_scope`). Unseen words weigh the largest idf of the vocabulary: the
        rarest seen word's, on both sides."""
        masks: dict[str, int] = {}
        for column, intent in word_intents.tolist():
            term = terms[column]
            masks[term] = masks.get(term, 0) | (1 << intent)
        return cls(
            known=frozenset(t for t, keep in zip(terms, in_scope.tolist(), strict=True) if keep),
            idf=dict(zip(terms, idf.astype(float).tolist(), strict=True)),
            unseen_idf=float(idf.max()) if len(idf) else 1.0,
            intents=masks,
        )

    def near(self) -> frozenset[str]:
        """Known words of typo-matching length, and their one-character deletions (built once)."""
        if self._near is None:
            entries: set[str] = set()
            for word in self.known:
                if TYPO_MIN_CHARS <= len(word) <= TYPO_MAX_CHARS:
                    entries.add(word)
                    entries.update(_deletions(word))
            self._near = frozenset(entries)
        return self._near


def _deletions(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


def is_typo_of_known(word: str, near: frozenset[str]) -> bool:
    """``word`` (unseen) is one edit or one adjacent swap from a known word: it, or one of its
    one-character deletions, is a known word or one of theirs (see :class:`ScopeWords`). A word
    longer than any entry can reach (``TYPO_MAX_CHARS`` + 1) is not tried: linear cost."""
    if not TYPO_MIN_CHARS - 1 <= len(word) <= TYPO_MAX_CHARS + 1:
        return False
    return word in near or any(d in near for d in _deletions(word))


def with_neighbours() -> bool:
    """Whether training computes the neighbour signals and the model keeps its rows: when the
    rule weighs them (``SIGNALS``), or a bench asks (``NEIGHBOURS``)."""
    return NEIGHBOURS or max(SIGNALS) >= 2 + len(TEXT_SIGNALS)


def signal_width() -> int:
    """Columns of :func:`text_signals` rows as training computes them."""
    return len(TEXT_SIGNALS) + (len(NEIGHBOUR_SIGNALS) if with_neighbours() else 0)


@dataclass
class Neighbours:
    """The in-scope training rows a query is compared with, for the neighbour signals.

    ``rows``: their word TF-IDF (the scoring fit's word vocabulary and idf, sublinear tf, L2 per
    row), CSR float32; ``intents``: each row's intent index. The calibration fit's own in-scope
    rows for held-out rows at training (never a held-out row: it would be its own neighbour), the
    final model's for queries. Word block only: a query's character n-grams touch most training
    rows, so a character similarity would cost a dense product per query; its words touch few.
    """

    rows: Any  # scipy.sparse.csr_matrix (n_rows, n_words) float32
    intents: np.ndarray  # (n_rows,) int64
    n_intents: int
    _centroids: Any = field(default=None, repr=False)
    _by_intent: Any = field(default=None, repr=False)

    def by_intent(self) -> tuple[Any, np.ndarray]:
        """(the rows ordered by intent, without their common words; their intents), built once.

        Ordered by intent: a query's similarities (one CSC column, row indices ascending) then
        come out grouped by intent, so the best per intent is one ``np.maximum.reduceat``
        (``np.maximum.at`` cost 4× the product itself). Without the words more than
        ``NEIGHBOUR_MAX_DF`` of the rows use (and at least ``NEIGHBOUR_MIN_INTENTS`` intents'
        share of them): "what", "my", "is" reach thousands of rows, which made the product cost
        ~0.5 ms per query on CLINC150, and a word every intent uses says nothing about which
        example a query is near."""
        if self._by_intent is None:
            import scipy.sparse as sp

            order = np.argsort(self.intents, kind="stable")
            rows = self.rows[order].tocsr()
            n, present = rows.shape[0], max(1, len(np.unique(self.intents)))
            df = np.bincount(rows.indices, minlength=rows.shape[1])
            limit = max(NEIGHBOUR_MAX_DF * n, NEIGHBOUR_MIN_INTENTS * n / present)
            rows = (rows @ sp.diags((df <= limit).astype(np.float32))).tocsr()
            rows.eliminate_zeros()
            self._by_intent = (rows, self.intents[order])
        return self._by_intent

    def centroids(self) -> Any:
        """Per intent, the L2-normalised mean of its rows (CSR, n_intents × n_words), built once."""
        if self._centroids is None:
            import scipy.sparse as sp

            n = self.rows.shape[0]
            member = sp.csr_matrix(
                (np.ones(n, dtype=np.float32), (self.intents, np.arange(n))), shape=(self.n_intents, n)
            )
            sums = (member @ self.rows).tocsr()
            norms = np.sqrt(np.asarray(sums.multiply(sums).sum(axis=1)).ravel())
            norms[norms == 0] = 1.0
            self._centroids = sp.csr_matrix(sp.diags(1.0 / norms) @ sums, dtype=np.float32)
        return self._centroids


def neighbour_signals(vectors: Any, predicted: Sequence[int], neighbours: Neighbours) -> np.ndarray:
    """Per query (a row of ``vectors``: word TF-IDF in the neighbours' space, L2-normalised; its
    predicted intent index): the ``NEIGHBOUR_SIGNALS``. All cosines (TF-IDF is non-negative,
    so 0 … 1); 0 for a query without any known word or an intent without rows."""
    predicted = np.asarray(predicted, dtype=np.int64)
    n = vectors.shape[0]
    out = np.zeros((n, len(NEIGHBOUR_SIGNALS)))
    if not n or not neighbours.rows.shape[0]:
        return out
    reference, intents = neighbours.by_intent()
    centroids = neighbours.centroids().T.tocsr()
    width = neighbours.n_intents + 1  # the last column: intents without rows
    for first in range(0, n, NEIGHBOUR_CHUNK):
        block = vectors[first : first + NEIGHBOUR_CHUNK]
        size, pred = block.shape[0], predicted[first : first + NEIGHBOUR_CHUNK]
        sims = (reference @ block.T).tocsc()  # per query a column, its row indices ascending
        best = np.zeros((size, width))
        query_of = np.repeat(np.arange(size), np.diff(sims.indptr))
        if sims.nnz:
            key = query_of * width + intents[sims.indices]
            starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
            best.flat[key[starts]] = np.maximum.reduceat(sims.data, starts)
        pred_col = np.where(pred < neighbours.n_intents, pred, neighbours.n_intents)
        in_class = intents[sims.indices] == pred_col[query_of]
        mean_k = (
            _mean_of_k_largest(sims.data, query_of, size),
            _mean_of_k_largest(sims.data[in_class], query_of[in_class], size),
        )
        own = best[np.arange(size), pred_col]
        best[np.arange(size), pred_col] = 0.0
        to_centroid = (
            np.asarray((block @ centroids).todense()) if neighbours.n_intents else np.zeros((size, 0))
        )
        to_centroid = np.c_[to_centroid, np.zeros(size)]
        out[first : first + size] = np.column_stack(
            [
                np.maximum(own, best.max(axis=1)),
                own,
                own - best.max(axis=1),
                to_centroid[np.arange(size), pred_col],
                *mean_k,
            ]
        )
    return out


def _mean_of_k_largest(values: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
    """Per group (0 … ``n_groups`` − 1), the mean of its ``NEIGHBOUR_K`` largest ``values``, a
    group with fewer counting 0 for each missing one."""
    out = np.zeros(n_groups)
    if not len(values):
        return out
    order = np.lexsort((-values, group))  # by group, then the largest first
    group, values = group[order], values[order]
    first = np.searchsorted(group, group, side="left")  # where each one's group starts
    keep = np.arange(len(group)) - first < NEIGHBOUR_K
    np.add.at(out, group[keep], values[keep])
    return out / NEIGHBOUR_K


def text_signals(
    tokens: Sequence[Sequence[str]],
    predicted: Sequence[int],
    words: ScopeWords,
    vectors: Any = None,
    neighbours: Neighbours | None = None,
) -> np.ndarray:
    """Per text (its word tokens, the index of its predicted intent): the ``TEXT_SIGNALS``, and
    with ``neighbours`` (and ``vectors``, the texts' word TF-IDF rows) the ``NEIGHBOUR_SIGNALS``
    after them (:func:`neighbour_signals`).

    - coverage: share of its word tokens in ``words.known``;
    - class coverage: share used by examples of the predicted intent;
    - idf coverage: idf-weighted share of known tokens;
    - typo coverage: as coverage, an unseen token one edit from a known word counting as seen.

    0 for a text without any word. One pass of dictionary look-ups per token: the same
    function scores held-out rows at training and queries at inference.
    """
    known, idf, unseen, intents = words.known, words.idf, words.unseen_idf, words.intents
    near = words.near()
    out = np.zeros((len(tokens), len(TEXT_SIGNALS)))
    for row, (text_tokens, intent) in enumerate(zip(tokens, predicted, strict=True)):
        if not text_tokens:
            continue
        seen = in_class = typo = 0
        weight_seen = weight_all = 0.0
        for token in text_tokens:
            weight = idf.get(token, unseen)
            weight_all += weight
            if token in known:
                seen += 1
                weight_seen += weight
                in_class += (intents.get(token, 0) >> intent) & 1
            elif is_typo_of_known(token, near):
                typo += 1
        n = len(text_tokens)
        out[row] = (seen / n, in_class / n, weight_seen / weight_all, (seen + typo) / n)
    if neighbours is None:
        return out
    return np.hstack([out, neighbour_signals(vectors, predicted, neighbours)])


def vocabulary_scope(
    counts: TermCounts, columns: np.ndarray, in_scope_rows: np.ndarray, intents: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For a fit's word vocabulary (``columns`` of ``counts``) and its in-scope example rows
    (``intents``: each row's intent index): per vocabulary column, whether it is a word an
    in-scope example used (:func:`scope_mask`), and the distinct (column, intent index) pairs
    of those words — shape (n, 2) — that :class:`ScopeWords` turns into class coverage."""
    in_scope = scope_mask(counts, columns, in_scope_rows)[columns]
    if not len(in_scope_rows):
        return in_scope, np.empty((0, 2), dtype=np.int64)
    words = np.flatnonzero(in_scope)
    sub = counts.matrix[in_scope_rows][:, columns[words]].tocoo()
    n_intents = int(intents.max()) + 1
    keys = np.unique(words[sub.col].astype(np.int64) * n_intents + intents[sub.row])
    return in_scope, np.column_stack([keys // n_intents, keys % n_intents])


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


def fit_scope_weights(
    signals: np.ndarray,
    in_scope: np.ndarray,
    extra: np.ndarray | None = None,
    extra_weight: float = 0.0,
) -> list[float]:
    """``[bias, *weights]`` of a class-balanced logistic regression of ``in_scope`` on the
    ``SIGNALS`` columns of ``signals`` (:func:`agentops_cli.nlp.intent.scope_signals`); the
    other columns weigh 0. ``extra`` rows (signals of typo'd in-scope copies, :func:`typo_copy`)
    join the fit as in-scope rows weighing ``extra_weight`` each (a real row weighs 1).

    Features are standardised for the fit (their scales differ by ~10×) on the real rows, and
    the weights mapped back, so inference applies them to the raw values.
    """
    from sklearn.linear_model import LogisticRegression

    features = signals[:, list(SIGNALS)]
    mean, scale = features.mean(axis=0), features.std(axis=0)
    scale[scale == 0] = 1.0
    target, sample_weight = in_scope.astype(int), np.ones(len(features))
    if extra is not None and len(extra) and extra_weight > 0:
        features = np.vstack([features, extra[:, list(SIGNALS)]])
        target = np.r_[target, np.ones(len(extra), dtype=int)]
        sample_weight = np.r_[sample_weight, np.full(len(extra), extra_weight)]
    model = LogisticRegression(C=SCOPE_C, class_weight="balanced", max_iter=1000)
    model.fit((features - mean) / scale, target, sample_weight=sample_weight)
    weights = np.zeros(max(SIGNALS) + 1)  # up to the last weighed column (scope_scores reads those)
    weights[list(SIGNALS)] = model.coef_[0] / scale
    bias = float(model.intercept_[0] - weights[list(SIGNALS)] @ mean)
    return [round(bias, 6), *(round(float(w), 6) for w in weights)]


def cross_fitted_scores(signals: np.ndarray, in_scope: np.ndarray, folds: int, seed: int = 13) -> np.ndarray:
    """Out-of-fold scope scores of every row of ``signals``: each scored by the weights
    (:func:`fit_scope_weights`) of a fit on the other folds — stratified, seeded folds, so the
    same rows always give the same scores."""
    from agentops_cli.nlp.intent import scope_scores_of_signals

    fold = np.zeros(len(in_scope), dtype=np.int64)
    rng = np.random.default_rng(seed)
    for kind in (in_scope, ~in_scope):
        rows = np.flatnonzero(kind)
        fold[rng.permutation(rows)] = np.arange(len(rows)) % folds
    out = np.zeros(len(in_scope))
    for k in range(folds):
        fit, held = fold != k, fold == k
        out[held] = scope_scores_of_signals(signals[held], fit_scope_weights(signals[fit], in_scope[fit]))
    return out


def choose_rule(
    probs: np.ndarray,
    text: np.ndarray,
    is_oos: np.ndarray,
    predicted_oos: np.ndarray,
    correct: np.ndarray,
    max_accuracy_drop: float,
    *,
    noisy: tuple[np.ndarray, np.ndarray] | None = None,
    noisy_weight: float = 0.0,
    rule: str = "sum",
    target_recall: float = 0.7,
) -> tuple[list[float], float, dict[str, float]]:
    """The out-of-scope rule for held-out rows (calibrated ``probs``, :func:`text_signals` rows
    ``text``): ``(weights, threshold, figures)``.

    ``correct`` marks in-scope rows whose top label was right; out-of-scope rows the classifier
    already labelled out of scope (``predicted_oos``) are caught whatever the threshold, so
    they neither fit the weights nor count for the threshold. ``noisy`` = (probs, text
    signals) of typo'd copies of the in-scope rows (:func:`typo_copy`), scored like them: they
    join the weights' fit as in-scope rows weighing ``noisy_weight``, never the threshold's
    choice (that stays on the real rows). The threshold follows ``rule`` / ``target_recall``
    (:func:`~agentops_cli.nlp.intent_train.tune_threshold`). Weights are ``[]`` when the top-1
    probability alone does as well on these rows by that rule's measure.

    With ``CROSS_FIT_FOLDS``, the threshold and that comparison use out-of-fold scores
    (:func:`cross_fitted_scores`): weights fitted on the very rows they then score look better
    there than on new queries, so the threshold and the reported figures are those of rows the
    weights never saw; the weights applied at run time are fitted on all of them.
    """
    from agentops_cli.nlp.intent import scope_scores, scope_signals
    from agentops_cli.nlp.intent_train import threshold_score, tune_threshold

    undecided = is_oos & ~predicted_oos
    top = probs.max(axis=1)
    # the target counts every out-of-scope row; those the classifier labelled so are caught already
    n_class, n_undecided = int((is_oos & predicted_oos).sum()), int(undecided.sum())
    target = (target_recall * (n_class + n_undecided) - n_class) / max(1, n_undecided)
    operating = {"rule": rule, "target_recall": target}
    threshold, stats = tune_threshold(top[~is_oos], correct, top[undecided], max_accuracy_drop, **operating)
    if int(undecided.sum()) < MIN_OOS_EXAMPLES or int((~is_oos).sum()) < MIN_OOS_EXAMPLES:
        return [], threshold, stats
    rows = ~is_oos | undecided
    signals = scope_signals(probs[rows], text[rows])
    extra = scope_signals(*noisy) if noisy is not None and noisy_weight > 0 else None
    weights = fit_scope_weights(signals, ~is_oos[rows], extra, noisy_weight)
    if CROSS_FIT_FOLDS:
        score = np.zeros(len(is_oos))
        score[rows] = cross_fitted_scores(signals, ~is_oos[rows], CROSS_FIT_FOLDS)
    else:
        score = scope_scores(probs, text, weights)
    combined, combined_stats = tune_threshold(
        score[~is_oos], correct, score[undecided], max_accuracy_drop, **operating
    )
    counts = (int((~is_oos).sum()), n_undecided)

    def measure(figures: dict[str, float]) -> float:
        return threshold_score(figures["accuracy"], figures["oos_recall"], counts, rule, target)

    if measure(combined_stats) - measure(stats) > 1e-9:
        return weights, combined, combined_stats
    return [], threshold, stats
