"""Training for :mod:`agentops_cli.nlp.intent` (scikit-learn is imported only by training).

Steps, each for a reason:
1. TF-IDF over word 1–2-grams and character 2–5-grams (inside word boundaries), sublinear tf:
   words carry meaning, characters survive typos, inflection and EN/ES cognates. The
   vocabularies are capped (``max_*_features``) so a 100,000-row pack keeps a bounded model.
   Every text is tokenised and counted once; each fit picks its vocabulary from its own rows
   (:mod:`agentops_cli.nlp.intent_vectors`).
2. A linear SVM (liblinear, class-balanced weights): as accurate as the multinomial logistic
   regression it replaced on CLINC150 and a 77-intent pack (cross-validated), at about a third
   of its training time. Crammer–Singer's joint multi-class SVM rather than one SVM per intent
   since intent-v10 (+0.26 points in cross-validation, see :class:`TrainParams`), tolerance
   0.1. ``max_iter`` (5 passes) caps one-vs-rest fits only: liblinear's Crammer–Singer solver
   never receives it (scikit-learn passes it to the other solvers) and runs until the
   tolerance is met, so its pass count — most of the training time — moves with the data:
   one changed row of a 10,000-row pack took the calibration fit from 32 to 38 passes
   (:func:`fit_svm`; docs/benchmarks.md, "Intent training").
3. Calibration on held-out predictions: a stratified hold-out split of the pack (or a given
   validation set) is scored by a model trained without it; one temperature fitted there
   turns the SVM margins into calibrated probabilities — the ``confidence`` a support lead
   can put a threshold on. One hold-out fit, not k folds: the temperature and the threshold
   are two numbers, and a few thousand held-out rows pin them down.
4. The out-of-scope rule (:mod:`agentops_cli.nlp.intent_scope`) is fitted on the same
   held-out rows — joined by every out-of-scope example of the pack, which the calibration fit
   never trains on (``TrainParams.oos_rows``; packs small enough for k folds score them out of
   fold). Its threshold may cost at most
   ``max_accuracy_drop`` (1 point) of in-scope accuracy there — rejection must earn its
   cost. Within that budget: with out-of-scope examples held out, the threshold maximising
   in-scope accuracy + out-of-scope recall (``TrainParams.threshold_rule`` for another
   trade-off); without them, the highest. Typo'd copies of the held-out in-scope rows, scored
   by the calibration fit, join the rule's fit (never a classifier's: ``noisy_weight``).
5. The final model is refit on every row (hold-out included) with the same settings. Both
   fits run at once, each in a child process started before the texts are counted
   (:class:`BackgroundFit`): the fits are most of the training and each is single-threaded.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from agentops_cli.nlp import intent_scope as scope
from agentops_cli.nlp.intent import (
    ENGINE_VERSION,
    OOS_LABEL,
    IntentModel,
    scope_scores,
    softmax,
    stacked_vectors,
    word_tokens,
)
from agentops_cli.nlp.intent_vectors import (
    TermCounts,
    Vocabulary,
    count_char_terms,
    count_word_terms,
    fit_vocabulary,
    tfidf,
)

# SVM margins are small numbers (about -1.5 … 1.5), so calibrated temperatures are well under 1.
MIN_TEMPERATURE = 0.05
MAX_TEMPERATURE = 5.0
# Up to this many rows, calibration uses out-of-fold predictions of k folds (each fit is cheap
# and every row counts); above it, one stratified hold-out split.
CV_MAX_ROWS = 2000
CV_FOLDS = 5
# A fit runs in a worker process between these sizes (:class:`BackgroundFit`).
BACKGROUND_MIN_ROWS = 3000
BACKGROUND_MAX_ROWS = 40_000
# How long :meth:`BackgroundFit.result` waits for its child before fitting here instead: far
# above a healthy child (a 40,000-row fit measured ~7 s including its imports), so only a hung
# or starved one is given up on; the in-process fit gives the same model, only later.
CHILD_WAIT_S = 120.0
CHILD_WAIT_S_PER_ROW = 0.005


@dataclass(frozen=True)
class TrainParams:
    """Hyper-parameters (chosen by cross-validation, see docs/benchmarks.md); part of the
    cache key, so changing one retrains.

    ``C`` = 1 (0.5 until intent-v7): better on both checks made without the test split —
    CLINC150 validation accuracy 0.9307 vs 0.9287 (out-of-scope recall at the 1-point budget
    0.66 vs 0.63), and 5-fold CV on 77 CLINC150 intents 0.9684 vs 0.9674 (rejection cost
    0.67 vs 0.79 points).

    ``multi_class`` = Crammer–Singer (one-vs-rest until intent-v9, issue 21): one joint
    multi-class SVM instead of one SVM per intent — CLINC150 validation accuracy 0.933 vs
    0.9307 without rejection, and the one variant of ~30 that 5-fold cross-validation on
    CLINC150 ``train`` confirmed (0.9585 vs 0.9559). With ``tol`` 0.1 it fits in less CPU than
    the one-vs-rest SVM did at 0.01 (same validation accuracy as at 0.01, at ~⅓ of its CPU).
    ``loss`` applies to one-vs-rest only (liblinear's Crammer–Singer solver has its own).

    ``oos_rows`` = ``"rule"`` (since intent-v11; ``"class"`` before): on the hold-out and
    validation paths, *every* out-of-scope example of the pack is scored by the calibration
    fit, which never trains on them, and fits the scope rule; the final model still learns
    them as a class. ``"class"``: they train both fits like any intent, only the held-out ones
    reach the rule (a pack without a validation set: a fifth of them). ``"rule_only"``: as
    ``"rule"``, and the final model has no out-of-scope class. Measured on CLINC150 with the
    pack's out-of-scope examples from one pool and the recall read on the other
    (``bench/clinc150_oos_pack.py cross_pool``): 0.68 / 0.58 / 0.64 at equal accuracy.

    ``noisy_weight`` = 0.25 (intent-v14; 0 before): the weight of each typo'd copy of a held-out
    in-scope row in the scope rule's fit (:func:`agentops_cli.nlp.intent_scope.typo_copy`).
    Chosen among 0–1 on the cross-pool protocol by a criterion declared first (fewest noisy
    rejections with recall ≤ 0.02 and accuracy ≤ 0.1 point below no copies): 17.8 % → 4.8 % of
    noisy in-scope queries rejected, recall 0.76 → 0.745; 0.5 and 1 drop the recall to ~0.67.
    ``threshold_rule`` / ``target_oos_recall``: how the threshold spends ``max_accuracy_drop``
    (:func:`tune_threshold`); ``"sum"`` kept, no alternative better across pools.
    ``max_iter``: one-vs-rest fits only (the Crammer–Singer solver ignores it, see the module
    docstring); it stays a field, and its value, so that cached models keep their key.
    """

    C: float = 1.0
    multi_class: str = "crammer_singer"
    loss: str = "squared_hinge"
    tol: float = 0.1
    max_iter: int = 5
    char_min_df: int = 2
    max_word_features: int = 100_000
    max_char_features: int = 150_000
    max_accuracy_drop: float = 0.01
    holdout: float = 0.2
    max_holdout: int = 4000
    seed: int = 13
    oos_rows: str = "rule"
    noisy_weight: float = 0.25
    threshold_rule: str = "sum"
    target_oos_recall: float = 0.7


@dataclass
class Corpus:
    """The training texts tokenised and counted once (:mod:`agentops_cli.nlp.intent_vectors`);
    every fit selects its own vocabulary from the rows it may see."""

    word: TermCounts
    char: TermCounts

    @classmethod
    def of(cls, texts: Sequence[str]) -> Corpus:
        return cls(word=count_word_terms(texts), char=count_char_terms(texts))

    def vocabularies(self, rows: np.ndarray, params: TrainParams) -> tuple[Vocabulary, Vocabulary]:
        """Word and character vocabularies learnt from ``rows`` alone (capped, ``char_min_df``)."""
        word = fit_vocabulary(self.word, rows, 1, params.max_word_features)
        char = fit_vocabulary(self.char, rows, min(params.char_min_df, len(rows)), params.max_char_features)
        if not len(word.columns) and not len(char.columns):
            raise ValueError("the training texts contain no words to learn from")
        return word, char

    def features(self, rows: np.ndarray, vocabularies: tuple[Vocabulary, Vocabulary]):
        """Stacked word + character TF-IDF of ``rows`` (float64: liblinear's type, no converted copy)."""
        import scipy.sparse as sp

        word, char = vocabularies
        return sp.hstack([tfidf(self.word, rows, word), tfidf(self.char, rows, char)], format="csr")


@dataclass
class LinearFit:
    """A fitted linear model, in scikit-learn's layout (one coefficient row per class);
    ``classes`` are label names, or integer codes in :func:`fit_coded_svm`'s result."""

    classes: list
    coef: np.ndarray  # (n_classes, n_features), or (1, n_features) for a binary problem
    intercept: np.ndarray

    def decision_function(self, features) -> np.ndarray:
        scores = np.asarray(features @ self.coef.T) + self.intercept
        return scores.ravel() if self.coef.shape[0] == 1 else scores

    def named(self, names: Sequence[str]) -> LinearFit:
        """This fit with its integer class codes replaced by ``names[code]``."""
        return LinearFit(
            classes=[names[int(c)] for c in self.classes], coef=self.coef, intercept=self.intercept
        )


def label_codes(labels: Sequence[str]) -> tuple[list[str], np.ndarray]:
    """(the distinct labels sorted, each label's index among them).

    Why integer codes rather than a numpy array of the labels: a numpy string array is as wide
    as its longest label, so one pasted 50,000-character label among 2,000 rows made 400 MB
    copies (``np.unique``, ``astype(str)``). Sorted by code point, as ``np.unique`` sorted them,
    so the classes keep their order and liblinear fits the same numbers.
    """
    names = sorted(set(labels))
    index = {name: code for code, name in enumerate(names)}
    return names, np.fromiter((index[label] for label in labels), dtype=np.int64, count=len(labels))


def _fit_linear(
    corpus: Corpus, rows: np.ndarray, labels: Sequence[str], params: TrainParams
) -> tuple[tuple[Vocabulary, Vocabulary], LinearFit]:
    """Vocabularies from ``rows`` + one-vs-rest linear SVM on them; ``labels`` are the rows' labels."""
    vocabularies = corpus.vocabularies(rows, params)
    return vocabularies, fit_svm(corpus.features(rows, vocabularies), labels, params)


def _in_order(fit: LinearFit, features, classes: list[str]) -> np.ndarray:
    """``fit``'s scores in ``classes`` order (two columns for a binary fit, as exported); a class
    the fit never saw gets the lowest score of its row minus one."""
    scores = fit.decision_function(features)
    if scores.ndim == 1:
        scores = np.column_stack([-scores / 2, scores / 2])
    return _reordered(scores, fit.classes, classes)


def _reordered(scores: np.ndarray, fit_classes: list, classes: list[str]) -> np.ndarray:
    """Score columns in ``fit_classes`` order laid out in ``classes`` order (see :func:`_in_order`)."""
    out = np.repeat(scores.min(axis=1, keepdims=True) - 1.0, len(classes), axis=1)
    out[:, [classes.index(c) for c in fit_classes]] = scores
    return out


def fit_svm(features, labels: Sequence[str], params: TrainParams) -> LinearFit:
    """:func:`fit_coded_svm` on ``labels``' integer codes (:func:`label_codes`), classes named."""
    names, codes = label_codes(labels)
    return fit_coded_svm(features, codes, params).named(names)


def fit_coded_svm(features, codes: np.ndarray, params: TrainParams) -> LinearFit:
    """A linear SVM with class-balanced weights (Crammer–Singer multi-class unless ``params``
    say one-vs-rest, see :class:`TrainParams`), in one thread.

    Why not split the classes over threads (liblinear releases the GIL): every liblinear in the
    process shares one random generator, re-seeded by each fit and drawn from to shuffle the
    rows on every pass. Two fits at once race on it, and the result then depends on the
    interleaving — the same pack would train to different models.
    (Two fits in two *processes* do not share it: see :class:`BackgroundFit`.)
    Capped passes (one-vs-rest: ``max_iter``; the Crammer–Singer solver ignores it and stops at
    ``tol`` only) on noisy packs: liblinear then warns it "failed to converge", though accuracy
    had stopped moving long before (tol 1e-2 / 100 passes measured equal): silenced here, where
    it also runs in the worker processes.
    """
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.svm import LinearSVC
    from threadpoolctl import threadpool_limits

    svm = LinearSVC(
        C=params.C,
        multi_class=params.multi_class,
        loss=params.loss,
        tol=params.tol,
        max_iter=params.max_iter,
        class_weight="balanced",
        random_state=params.seed,
    )
    # One BLAS thread (here, where scikit-learn's BLAS is loaded, in this process or a worker):
    # these problems are small and multi-threaded BLAS thrashes on busy machines (measured
    # 0.25 s single-threaded vs 1.3-4.6 s with 2 threads under load); and the worker and this
    # process then sum in the same order, so they fit the same numbers.
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        svm.fit(features, codes)
    return LinearFit(classes=[int(c) for c in svm.classes_], coef=svm.coef_, intercept=svm.intercept_)


class BackgroundFit:
    """A linear-SVM fit that may run in a child process.

    Why: training a pack is two SVM fits (the calibration model and the final one), each
    single-threaded (see :func:`fit_svm`), and independent — on two cores they run at the same
    time, each in its own child, while this process counts, vectorises and calibrates without
    importing scikit-learn's SVM (~1 s of CPU that used to sit before the final fit). A separate process
    has its own liblinear random generator, so the result is bit-for-bit the in-process one (a
    test checks it). The child is started first (:meth:`start`, before the texts are even
    counted) so that its imports overlap the counting, and is handed the problem once it
    exists (:meth:`submit`). Small or huge fits (below ``BACKGROUND_MIN_ROWS`` the child's
    start-up costs more than it saves; above ``BACKGROUND_MAX_ROWS`` a second copy of the
    features would break the memory bound), one-CPU machines, no writable temporary folder, a
    child that has not finished within ``CHILD_WAIT_S`` (+ ``CHILD_WAIT_S_PER_ROW`` per row),
    and any other failure of the child all fall back to fitting in this process. A child whose
    parent dies removes its files and exits (:mod:`agentops_cli.nlp.intent_fit_worker`).
    """

    def __init__(self) -> None:
        self.child: Any = None  # subprocess.Popen of agentops_cli.nlp.intent_fit_worker
        self.folder: Any = None  # its tempfile.TemporaryDirectory (problem and result files)
        self.problem: tuple[Any, list[str], TrainParams] | None = None
        self.names: list[str] = []  # the class names behind the child's integer codes
        self.fitted: LinearFit | None = None

    def start(self, n_rows: int) -> BackgroundFit:
        """Start the child when a fit of ``n_rows`` rows is worth one (see the class docstring)."""
        if not (BACKGROUND_MIN_ROWS <= n_rows <= BACKGROUND_MAX_ROWS) or _usable_cpus() < 2:
            return self
        import subprocess  # nosec B404
        import sys
        import tempfile

        from agentops_cli.nlp import intent_fit_worker as worker
        from agentops_cli.observability.metrics_mode import child_environment

        python_path = os.pathsep.join(filter(None, [_package_root(), os.environ.get("PYTHONPATH")]))
        try:
            self.folder = tempfile.TemporaryDirectory(prefix="agentops-intent-")
            self.child = subprocess.Popen(  # nosec B603 - fixed argument list, no shell
                [sys.executable, "-m", worker.__name__, *self._paths(), str(os.getpid())],
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=child_environment(PYTHONPATH=python_path),  # not the serve's metrics directory
            )
        except OSError:  # no writable temporary folder, or no child process here: fit in this one
            self.cancel()
        return self

    def _paths(self) -> tuple[str, str]:
        return str(Path(self.folder.name) / "problem.npz"), str(Path(self.folder.name) / "result.npz")

    def submit(self, features, labels: list[str], params: TrainParams) -> None:
        """Hand the child its problem; without a child, fit it now — before the final fit, so the
        two fits' features are never held at once (the memory bound of large packs)."""
        self.problem = (features, labels, params)
        if self.child is not None:
            from agentops_cli.nlp.intent_fit_worker import save_problem

            try:
                self.names, codes = label_codes(labels)
                save_problem(Path(self._paths()[0]), features, codes, params)
                self.child.stdin.write(b"go\n")
                self.child.stdin.close()
                return
            except OSError:  # no room for the problem file, or the child is gone: fit here
                self.cancel()
        self.fitted, self.problem = fit_svm(features, labels, params), None

    def result(self) -> LinearFit:
        """The fit: the child's when it succeeded, else computed here (same numbers either way)."""
        if self.fitted is not None:
            return self.fitted
        if self.problem is None:
            raise RuntimeError("submit() a problem before asking for its result")
        import subprocess  # nosec B404

        timeout = CHILD_WAIT_S + CHILD_WAIT_S_PER_ROW * self.problem[0].shape[0]
        try:
            if self.child is not None and self.child.wait(timeout) == 0:
                with contextlib.suppress(OSError, ValueError, KeyError):
                    from agentops_cli.nlp.intent_fit_worker import load_fit

                    return load_fit(Path(self._paths()[1])).named(self.names)
        except subprocess.TimeoutExpired:  # a hung or starved child: fit here (cancelled below)
            pass
        finally:
            self.cancel()
        return fit_svm(*self.problem)

    def cancel(self) -> None:
        """Stop the child (if still running) and remove its files."""
        if self.child is not None and self.child.poll() is None:
            self.child.kill()
            self.child.wait()
        if self.child is not None and self.child.stdin and not self.child.stdin.closed:
            with contextlib.suppress(OSError):
                self.child.stdin.close()
        if self.folder is not None:
            with contextlib.suppress(OSError):  # the child may have removed it (its parent gone)
                self.folder.cleanup()
        self.child = self.folder = None


def _package_root() -> str:
    """The folder holding the ``agentops_cli`` package, so the child imports this same copy."""
    return str(Path(__file__).resolve().parents[2])


def _usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _export(corpus: Corpus, vocabularies: tuple[Vocabulary, Vocabulary], fit: LinearFit) -> IntentModel:
    word, char = vocabularies
    coef = np.ascontiguousarray(fit.coef.T.astype(np.float32))
    intercept = fit.intercept.astype(np.float64)
    if coef.shape[1] == 1:  # binary problem: scikit-learn keeps one column; make it two-class softmax
        coef = np.hstack([-coef / 2, coef / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
    return IntentModel(
        labels=list(fit.classes),
        word_vocab=word.mapping(corpus.word),
        word_idf=word.idf.astype(np.float32),
        char_vocab=char.mapping(corpus.char),
        char_idf=char.idf.astype(np.float32),
        coef=coef,
        intercept=intercept,
    )


def _noisy_rows(
    noisy: tuple[np.ndarray, np.ndarray] | None, temperature: float
) -> tuple[np.ndarray, np.ndarray] | None:
    """Typo'd copies' (calibrated probabilities, text signals), or ``None``."""
    return None if noisy is None else (softmax(noisy[0], temperature), noisy[1])


def fit_temperature(logits: np.ndarray, gold: np.ndarray) -> float:
    """Temperature minimising the negative log-likelihood of the gold labels (golden-section search)."""
    rows = np.arange(len(gold))
    work = np.empty(logits.shape, dtype=np.result_type(logits, 1.0))

    def nll(t: float) -> float:
        return gold_log_loss(logits, (rows, gold), t, work)

    # Bounded below: on tiny, perfectly separable packs the likelihood keeps improving as the
    # temperature shrinks, which would report certainty (1.00) the data cannot support.
    lo, hi = np.log(MIN_TEMPERATURE), np.log(MAX_TEMPERATURE)
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(60):
        a = hi - ratio * (hi - lo)
        b = lo + ratio * (hi - lo)
        if nll(float(np.exp(a))) < nll(float(np.exp(b))):
            hi = b
        else:
            lo = a
    return round(float(np.exp((lo + hi) / 2)), 4)


def gold_log_loss(
    logits: np.ndarray, gold: tuple[np.ndarray, np.ndarray], t: float, work: np.ndarray
) -> float:
    """Mean negative log of ``softmax(logits, t)`` at ``gold`` = (rows, their gold columns).

    :func:`~agentops_cli.nlp.intent.softmax`'s arithmetic in the buffer ``work`` (``logits``'
    shape), with only the gold entries divided by their row sums: the same operations on the
    same numbers, so the same bits (a test compares), at ~40 % of the CPU. :func:`fit_temperature`
    calls it 120 times after the last fit, on the training's critical path (0.27 s for 2,000
    held-out rows × 77 intents with the whole softmax)."""
    rows, columns = gold
    z = np.divide(logits, t, out=work)
    z -= z.max(axis=1, keepdims=True)
    np.exp(z, out=z)
    return float(-np.log(np.clip(z[rows, columns] / z.sum(axis=1), 1e-12, None)).mean())


THRESHOLD_RULES = ("sum", "count", "target")


def tune_threshold(
    in_conf: np.ndarray,
    in_correct: np.ndarray,
    oos_conf: np.ndarray,
    max_accuracy_drop: float,
    rule: str = "sum",
    target_recall: float = 0.7,
) -> tuple[float, dict[str, float]]:
    """The out-of-scope threshold, and the held-out figures at it.

    ``in_correct`` marks in-scope examples whose top label was right; ``oos_conf`` holds the
    top confidence of out-of-scope examples that were *not* already labelled out-of-scope.
    Rejection may cost at most ``max_accuracy_drop`` of in-scope accuracy. Without
    out-of-scope examples: the highest threshold within that budget. With them, within it, by
    ``rule`` (``TrainParams.threshold_rule``), the lowest such threshold on ties:

    - ``"sum"``: maximising in-scope accuracy + out-of-scope recall (each query kind counts
      equally, however many of each the pack has — one out-of-scope row then outweighs many
      in-scope ones, so the whole budget is usually spent);
    - ``"count"``: maximising the held-out rows answered right (correct in-scope rows kept +
      out-of-scope rows caught): the pack's own mix of queries decides;
    - ``"target"``: the least costly threshold whose recall reaches ``target_recall``; when none
      within the budget does, the one of highest recall.
    """
    if rule not in THRESHOLD_RULES:
        raise ValueError(f"threshold_rule must be one of {THRESHOLD_RULES}, not {rule!r}")
    base = float(in_correct.mean()) if len(in_correct) else 1.0
    has_oos = len(oos_conf) > 0
    best, stats, best_score = 0.0, {"accuracy": round(base, 4), "oos_recall": 0.0}, -np.inf
    for threshold in np.round(np.arange(0.0, 0.951, 0.005), 3):
        acc = float((in_correct & (in_conf >= threshold)).mean()) if len(in_conf) else 1.0
        if acc < base - max_accuracy_drop - 1e-9:
            break
        recall = float((oos_conf < threshold).mean()) if has_oos else 0.0
        score = threshold_score(acc, recall, (len(in_conf), len(oos_conf)), rule, target_recall)
        if not has_oos:
            score = float(threshold)
        if score > best_score + 1e-9:
            best, best_score = float(threshold), score
            stats = {"accuracy": round(acc, 4), "oos_recall": round(recall, 4)}
    return best, stats


def threshold_score(
    accuracy: float, recall: float, counts: tuple[int, int], rule: str, target_recall: float
) -> float:
    """What :func:`tune_threshold`'s ``rule`` maximises, for held-out (in-scope, out-of-scope) row
    ``counts``; also how :func:`agentops_cli.nlp.intent_scope.choose_rule` compares two scores."""
    if rule == "count":
        return (accuracy * counts[0] + recall * counts[1]) / max(1, sum(counts))
    if rule == "target":
        # reaching the target ranks above any miss; then the less costly, then the higher recall
        return 2.0 + accuracy if recall >= target_recall - 1e-9 else recall
    return accuracy + recall


def _oof_logits(
    corpus: Corpus,
    texts: list[str],
    labels: list[str],
    classes: list[str],
    oos_label: str,
    params: TrainParams,
) -> tuple[np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """Out-of-fold logits (stratified k-fold) in ``classes`` order, each row's text signals
    against its fold's words, and the typo'd copies' (logits, text signals) or ``None``
    (:func:`_heldout_signals`), for calibration on small packs."""
    from sklearn.model_selection import StratifiedKFold

    codes = label_codes(labels)[1]  # folds depend only on which rows share a label
    folds = int(min(CV_FOLDS, np.bincount(codes).min()))
    out = np.full((len(labels), len(classes)), np.nan)
    cover = np.zeros((len(labels), scope.signal_width()))
    copies: list[tuple[np.ndarray, np.ndarray]] = []
    if folds < 2:
        return out, cover, None
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=params.seed)
    for train_idx, test_idx in splitter.split(np.zeros(len(labels)), codes):
        vocabularies, fit = _fit_linear(corpus, train_idx, [labels[i] for i in train_idx], params)
        out[test_idx] = _in_order(fit, corpus.features(test_idx, vocabularies), classes)
        cover[test_idx], typo = _heldout_signals(
            (corpus, texts),
            (train_idx, test_idx),
            (vocabularies, fit),
            labels,
            (oos_label, classes),
            out[test_idx],
            params,
        )
        if typo is not None:
            copies.append(typo)
    noisy = (np.vstack([c[0] for c in copies]), np.vstack([c[1] for c in copies])) if copies else None
    return out, cover, noisy


def _in_scope_rows(rows: np.ndarray, labels: Sequence[str], oos_label: str) -> np.ndarray:
    return np.array([i for i in rows if labels[i] != oos_label], dtype=np.int64)


def _heldout_signals(
    texts: tuple[Corpus, Sequence[str]],
    rows: tuple[np.ndarray, np.ndarray],
    scorer: tuple[tuple[Vocabulary, Vocabulary], LinearFit],
    labels: Sequence[str],
    label_set: tuple[str, list[str]],
    logits: np.ndarray,
    params: TrainParams,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
    """Text signals (:func:`agentops_cli.nlp.intent_scope.text_signals`) of the held-out rows of
    ``rows`` = (fit rows, held-out rows), against the in-scope words of the fit that scored them
    — ``scorer`` = (its vocabularies, its fit), its in-scope rows — each row's predicted intent
    the argmax of its ``logits`` (in the ``classes`` order of ``label_set`` = (out-of-scope
    label, classes)); and, with ``params.noisy_weight``, the (logits, text signals) of typo'd
    copies of the held-out in-scope rows (:func:`agentops_cli.nlp.intent_scope.typo_copy`),
    scored by that same fit exactly as a query at run time is — they never train it.
    Zeros and ``None``, not computed, when no held-out row is out of scope: the rule then never
    uses them."""
    corpus, all_texts = texts
    fit_rows, held_rows = rows
    oos_label, classes = label_set
    if not any(labels[i] == oos_label for i in held_rows):
        return np.zeros((len(held_rows), scope.signal_width())), None
    words = _scope_words(corpus, scorer[0][0], fit_rows, labels, oos_label, classes)
    # the held-out rows' neighbours: the scoring fit's own in-scope rows, never a held-out one
    neighbours = _neighbours(corpus, scorer[0][0], fit_rows, labels, oos_label, classes)
    held_vectors = tfidf(corpus.word, held_rows, scorer[0][0], np.float32) if neighbours is not None else None
    predicted = np.nan_to_num(logits, nan=0.0).argmax(axis=1) if len(held_rows) else np.empty(0, int)
    tokens = [word_tokens(all_texts[i]) for i in held_rows]
    cover = scope.text_signals(tokens, predicted.tolist(), words, held_vectors, neighbours)
    sources = [int(i) for i in held_rows if labels[i] != oos_label]
    if params.noisy_weight <= 0 or not sources:
        return cover, None
    copies = [scope.typo_copy(all_texts[i], i) for i in sources]
    tokens = []
    vectors: list | None = [] if neighbours is not None else None
    scorer_model = _export(corpus, *scorer)  # the calibration fit as a saved model would score
    copy_logits = _reordered(scorer_model.logits(copies, tokens, vectors), scorer_model.labels, classes)
    copy_vectors = stacked_vectors(vectors, len(scorer_model.word_vocab))
    copy_cover = scope.text_signals(
        tokens, copy_logits.argmax(axis=1).tolist(), words, copy_vectors, neighbours
    )
    return cover, (copy_logits, copy_cover)


def _in_scope_intents(
    rows: np.ndarray, labels: Sequence[str], oos_label: str, classes: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    """``rows``' in-scope rows and each one's intent as an index into ``classes``."""
    in_scope = _in_scope_rows(rows, labels, oos_label)
    index = {label: i for i, label in enumerate(classes)}
    intents = np.fromiter((index[labels[i]] for i in in_scope), dtype=np.int64, count=len(in_scope))
    return in_scope, intents


def _neighbours(
    corpus: Corpus,
    vocabulary: Vocabulary,
    rows: np.ndarray,
    labels: Sequence[str],
    oos_label: str,
    classes: list[str],
) -> scope.Neighbours | None:
    """The :class:`~agentops_cli.nlp.intent_scope.Neighbours` of a fit on ``rows`` (its in-scope
    rows' word TF-IDF in its own vocabulary, as the exported model keeps them), or ``None`` when
    the rule does not use them (:func:`~agentops_cli.nlp.intent_scope.with_neighbours`)."""
    if not scope.with_neighbours():
        return None
    in_scope, intents = _in_scope_intents(rows, labels, oos_label, classes)
    return scope.Neighbours(
        rows=tfidf(corpus.word, in_scope, vocabulary, np.float32), intents=intents, n_intents=len(classes)
    )


def _scope_arrays(
    corpus: Corpus,
    vocabulary: Vocabulary,
    rows: np.ndarray,
    labels: Sequence[str],
    oos_label: str,
    classes: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`agentops_cli.nlp.intent_scope.vocabulary_scope` of a fit on ``rows``: its in-scope
    rows, each one's intent as an index into ``classes``."""
    in_scope, intents = _in_scope_intents(rows, labels, oos_label, classes)
    return scope.vocabulary_scope(corpus.word, vocabulary.columns, in_scope, intents)


def _scope_words(
    corpus: Corpus,
    vocabulary: Vocabulary,
    rows: np.ndarray,
    labels: Sequence[str],
    oos_label: str,
    classes: list[str],
) -> scope.ScopeWords:
    """The :class:`~agentops_cli.nlp.intent_scope.ScopeWords` of a fit on ``rows`` — built as the
    exported model builds its own (:meth:`IntentModel.scope`), idf in the model's float32."""
    in_scope, pairs = _scope_arrays(corpus, vocabulary, rows, labels, oos_label, classes)
    terms = corpus.word.terms[vocabulary.columns].tolist()
    return scope.ScopeWords.build(terms, vocabulary.idf.astype(np.float32), in_scope, pairs)


def _holdout_split(labels: list[str], params: TrainParams) -> tuple[np.ndarray, np.ndarray]:
    """Stratified split: (fit rows, held-out rows); classes too small to split stay in the fit rows."""
    rng = np.random.default_rng(params.seed)
    size = min(params.holdout, params.max_holdout / len(labels))
    by_label: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        by_label.setdefault(label, []).append(i)
    held: list[int] = []
    for rows in by_label.values():
        take = round(len(rows) * size)
        if len(rows) >= 2 and take >= 1:
            held.extend(rng.choice(rows, size=min(take, len(rows) - 1), replace=False).tolist())
    mask = np.zeros(len(labels), dtype=bool)
    mask[held] = True
    return np.flatnonzero(~mask), np.flatnonzero(mask)


def train_intent_model(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    val_texts: Sequence[str] | None = None,
    val_labels: Sequence[str] | None = None,
    oos_label: str = OOS_LABEL,
    params: TrainParams | None = None,
) -> IntentModel:
    """Train, calibrate and tune the out-of-scope threshold (steps in the module docstring).

    With ``val_*`` (a labelled validation set, out-of-scope rows labelled ``oos_label``) the
    temperature and threshold come from it and the final model is refit on training +
    validation rows; otherwise from held-out rows of the training data. Rows labelled
    ``oos_label`` become a class of their own (a pack may list out-of-scope examples) and
    tune the threshold when held out.
    """
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
    # The final model's classes: the validation rows are refit too (an out-of-scope class may
    # come from them alone), so held-out logits are laid out in this order from the start.
    classes = sorted(set(labels) | {str(x) for x in val_labels or ()})

    if val_texts is None or val_labels is None:
        all_texts, all_labels = texts, labels
        if len(texts) <= CV_MAX_ROWS:
            corpus = Corpus.of(texts)
            h_logits, h_cover, noisy = _oof_logits(corpus, texts, labels, classes, oos_label, params)
            vocabularies, fit = _fit_linear(corpus, np.arange(len(labels)), labels, params)
            model = _export(corpus, vocabularies, fit)
            calibrated = _calibrate((model.labels, oos_label), h_logits, h_cover, noisy, labels, params)
            _finish(model, calibrated, oos_label, params, f"{CV_FOLDS}-fold cross-validation", len(texts))
            _mark_scope_words(model, corpus, vocabularies, labels, oos_label)
            return model
        fit_rows, held_rows = _holdout_split(labels, params)
        source = f"hold-out ({len(held_rows)} rows)"
    else:
        all_texts, all_labels = texts + list(val_texts), labels + [str(x) for x in val_labels]
        fit_rows, held_rows = np.arange(len(texts)), np.arange(len(texts), len(all_labels))
        source = "validation"
    all_rows = np.arange(len(all_labels))
    if params.oos_rows != "class":
        fit_rows, held_rows, all_rows, classes = _oos_for_rule(
            fit_rows, held_rows, all_labels, oos_label, params
        )
    calibration, final = BackgroundFit(), BackgroundFit()
    try:
        # Both children start now: their imports (scikit-learn, ~1 s) overlap the counting below,
        # which this process never needs scikit-learn for. Inside the ``try``: if the second
        # start is interrupted, the first child is stopped too.
        calibration.start(len(fit_rows))
        final.start(len(all_labels))
        corpus = Corpus.of(all_texts)
        # The calibration model's vocabulary comes from its own fit rows only: held-out words
        # it never saw must stay out of it, or they would count in the held-out rows' TF-IDF
        # norms and make unfamiliar queries look less confident than they will at run time
        # (measured: CLINC150 validation OOS recall 0.73 but test 0.57 when vectorised together).
        first_vocabularies = corpus.vocabularies(fit_rows, params)
        vocabularies = corpus.vocabularies(all_rows, params)
        # The final fit (more rows) is handed over first when a child waits for it — though the
        # calibration fit, with fewer rows, often needs more liblinear passes and ends last (10,000
        # real rows: 38 passes against 23). A fit without a child runs on submit, so the one with
        # a child must not wait behind it.
        for fit, rows, vocabulary in sorted(
            [(final, all_rows, vocabularies), (calibration, fit_rows, first_vocabularies)],
            key=lambda job: job[0].child is None,
        ):
            fit.submit(corpus.features(rows, vocabulary), [all_labels[i] for i in rows], params)
        # Everything the held-out rows decide (their features, logits and text signals, the
        # temperature and the out-of-scope rule) needs the calibration fit only: done before the
        # final fit is collected, it overlaps that fit whenever the calibration fit ends first.
        # The final model's classes are ``classes`` (the sorted labels of its rows).
        h_features = corpus.features(held_rows, first_vocabularies)  # while the children fit
        calibration_fit = calibration.result()
        h_logits = _in_order(calibration_fit, h_features, classes)
        h_cover, noisy = _heldout_signals(
            (corpus, all_texts),
            (fit_rows, held_rows),
            (first_vocabularies, calibration_fit),
            all_labels,
            (oos_label, classes),
            h_logits,
            params,
        )
        h_labels = [all_labels[i] for i in held_rows]
        calibrated = _calibrate((classes, oos_label), h_logits, h_cover, noisy, h_labels, params)
        model = _export(corpus, vocabularies, final.result())
    except BaseException:  # an error or Ctrl-C: no orphaned child process
        calibration.cancel()
        final.cancel()
        raise
    _finish(model, calibrated, oos_label, params, source, len(all_labels))
    _mark_scope_words(model, corpus, vocabularies, all_labels, oos_label)
    return model


def _oos_for_rule(
    fit_rows: np.ndarray, held_rows: np.ndarray, labels: list[str], oos_label: str, params: TrainParams
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """``params.oos_rows`` (see :class:`TrainParams`) applied to the rows of the two fits:
    (calibration fit rows, held-out rows, final fit rows, the final model's classes).

    Why every out-of-scope example goes to the held-out side: the scope rule is fitted on
    out-of-scope queries the scoring model never saw, and a pack's few such examples are the
    only ones it has — a rule fitted on a fifth of them (or on a validation set's alone, which
    tend to resemble each other) does not carry over to new ones (CLINC150: 0.58 recall on
    the other pool with the class only, 0.68 with every example fitting the rule).
    """
    is_oos = np.array([label == oos_label for label in labels])
    fit_rows, held_rows = fit_rows[~is_oos[fit_rows]], np.concatenate([held_rows, fit_rows[is_oos[fit_rows]]])
    all_rows = np.arange(len(labels))
    classes = sorted(set(labels))
    if params.oos_rows == "rule_only":
        all_rows = all_rows[~is_oos]
        classes = [c for c in classes if c != oos_label]
    return fit_rows, np.sort(held_rows), all_rows, classes


def _mark_scope_words(
    model: IntentModel,
    corpus: Corpus,
    vocabularies: tuple[Vocabulary, Vocabulary],
    labels: Sequence[str],
    oos_label: str,
) -> None:
    """Record which of the final model's words come from in-scope examples, and of which
    intents (its coverage words), when its out-of-scope rule weighs them."""
    if not model.oos_weights and not scope.NEIGHBOURS:
        return
    rows = np.arange(len(labels))
    model.word_in_scope, model.word_intents = _scope_arrays(
        corpus, vocabularies[0], rows, labels, oos_label, model.labels
    )
    if model.weighs_neighbours() or scope.NEIGHBOURS:
        neighbours = _neighbours(corpus, vocabularies[0], rows, labels, oos_label, model.labels)
        if neighbours is not None:
            model.set_neighbours(neighbours.rows, neighbours.intents)


@dataclass
class Calibration:
    """What the held-out rows set in a model (:func:`_calibrate`): its temperature, out-of-scope
    rule and held-out figures (``meta``). Its own object, not the model's fields: it is computed
    from the calibration fit alone, before the final model exists (:func:`_train`)."""

    temperature: float = 1.0
    oos_weights: list[float] = field(default_factory=list)
    oos_threshold: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)


def _finish(
    model: IntentModel,
    calibrated: Calibration,
    oos_label: str,
    params: TrainParams,
    source: str,
    n_examples: int,
) -> None:
    """Give the final model its calibration (:func:`_calibrate`) and record how it was made."""
    model.oos_label = oos_label
    model.temperature = calibrated.temperature
    model.oos_weights, model.oos_threshold = calibrated.oos_weights, calibrated.oos_threshold
    model.meta = {
        "engine": ENGINE_VERSION,
        "n_examples": n_examples,
        "n_labels": len(model.labels),
        "n_features": int(model.coef.shape[0]),
        "calibrated_on": source,
        **calibrated.meta,
        "params": params.__dict__,
    }


def _calibrate(
    label_set: tuple[list[str], str],
    h_logits: np.ndarray,
    h_cover: np.ndarray,
    noisy: tuple[np.ndarray, np.ndarray] | None,
    h_labels: list[str],
    params: TrainParams,
) -> Calibration:
    """Fit the temperature (real held-out rows only) and the out-of-scope rule
    (:mod:`agentops_cli.nlp.intent_scope`, the typo'd copies ``noisy`` joining its weights' fit)
    on held-out logits (columns in ``label_set`` = (the final model's classes, the out-of-scope
    label) order) and text signals, with the figures to record."""
    classes, oos_label = label_set
    calibrated = Calibration()
    scored = ~np.isnan(h_logits).any(axis=1)
    h_logits, h_cover, gold = h_logits[scored], h_cover[scored], np.array(h_labels, dtype=object)[scored]
    index = {label: i for i, label in enumerate(classes)}
    gold_idx = np.array([index.get(g, -1) for g in gold], dtype=int)
    is_oos = gold == oos_label
    scorable = (gold_idx >= 0) & ~is_oos
    if scorable.any():
        calibrated.temperature = fit_temperature(h_logits[scorable], gold_idx[scorable])
    if not len(gold):
        calibrated.meta = {
            "heldout_accuracy": None,
            "heldout_accuracy_no_reject": None,
            "heldout_oos_recall": None,
            "heldout_oos_rows": 0,
        }
        return calibrated
    probs = softmax(h_logits, calibrated.temperature)
    top = probs.argmax(axis=1)
    predicted_oos = np.array([classes[i] == oos_label for i in top])
    in_correct = (top == gold_idx)[~is_oos]
    weights, threshold, stats = scope.choose_rule(
        probs,
        h_cover,
        is_oos,
        predicted_oos,
        in_correct,
        params.max_accuracy_drop,
        noisy=_noisy_rows(noisy, calibrated.temperature),
        noisy_weight=params.noisy_weight,
        rule=params.threshold_rule,
        target_recall=params.target_oos_recall,
    )
    calibrated.oos_weights, calibrated.oos_threshold = weights, threshold
    n_oos = int(is_oos.sum())
    caught = int((is_oos & (predicted_oos | (scope_scores(probs, h_cover, weights) < threshold))).sum())
    calibrated.meta = {
        "heldout_accuracy": stats["accuracy"],
        "heldout_accuracy_no_reject": round(float(in_correct.mean()), 4) if len(in_correct) else None,
        "heldout_oos_recall": round(caught / n_oos, 4) if n_oos else None,
        "heldout_oos_rows": n_oos,
    }
    return calibrated
