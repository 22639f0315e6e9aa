"""Intent training internals: counting once / vocabularies per fit, and the calibration fit in a
child process (same model as in-process, every failure falls back)."""

from __future__ import annotations

import io
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from agentops_cli.nlp import intent_fit_worker, intent_train
from agentops_cli.nlp.intent import char_ngrams, softmax, word_ngrams
from agentops_cli.nlp.intent_fit_worker import load_fit, main, save_problem
from agentops_cli.nlp.intent_train import (
    BackgroundFit,
    Corpus,
    TrainParams,
    fit_svm,
    gold_log_loss,
    label_codes,
    train_intent_model,
)
from agentops_cli.nlp.intent_vectors import (
    TermCounts,
    count_char_terms,
    count_word_terms,
    fit_vocabulary,
    tfidf,
)

TEXTS = [
    "refund my money please",
    "I want a refund for the broken blender",
    "where is my parcel",
    "track the parcel sent on monday",
    "devolución del dinero, por favor",
    "cancel my order",
]


def test_a_fit_on_some_rows_matches_scikit_learn_fitted_on_those_rows_alone() -> None:
    """The held-out rows' own words never enter the vocabulary, its idf or the held-out norms."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    fit_rows, held_rows = np.arange(4), np.arange(4, 6)
    counts = count_char_terms(TEXTS)
    vocabulary = fit_vocabulary(counts, fit_rows, min_df=2, max_features=None)
    reference = TfidfVectorizer(analyzer=char_ngrams, lowercase=False, sublinear_tf=True, min_df=2)
    reference.fit(TEXTS[:4])
    assert vocabulary.mapping(counts) == reference.vocabulary_
    assert np.allclose(vocabulary.idf, reference.idf_)
    for rows, texts in ((fit_rows, TEXTS[:4]), (held_rows, TEXTS[4:])):
        assert abs(tfidf(counts, rows, vocabulary) - reference.transform(texts)).max() < 1e-12
    assert "ción" not in vocabulary.mapping(counts)  # only in a held-out row


def reference_counts(texts: list[str], analyzer) -> TermCounts:
    """The obvious way: one dictionary count per n-gram the analyzer (inference's own) yields."""
    import scipy.sparse as sp

    per_text = [Counter(analyzer(text)) for text in texts]
    terms = sorted(set().union(*per_text))
    column = {term: i for i, term in enumerate(terms)}
    rows, cols, data = [], [], []
    for row, counts in enumerate(per_text):
        for term in sorted(counts, key=column.__getitem__):
            rows.append(row)
            cols.append(column[term])
            data.append(counts[term])
    matrix = sp.csr_matrix((np.array(data, dtype=np.int32), (rows, cols)), shape=(len(texts), len(terms)))
    return TermCounts(terms=np.array(terms, dtype=object), matrix=matrix)


ODD_TEXTS = [
    *TEXTS,
    "",
    "!!",
    "a b",
    "Devolución  del\tdinero\nDEVOLUCION",
    "x" * 60,
    "ab ab ab ab",
    "aaaaa aaa",  # one word holding the same n-gram several times
    "ñandú Ñandú",
    "the refund, the refund; the REFUND",
    "order #12345 — 2fa código",
]


@pytest.mark.parametrize(
    ("count", "analyzer"), [(count_word_terms, word_ngrams), (count_char_terms, char_ngrams)]
)
def test_counting_in_numpy_gives_exactly_the_analyzers_counts(count, analyzer) -> None:
    """Word ids paired up / words × n-grams products must count what inference's analyzers cut
    (the guard if either tokeniser changes on one side only)."""
    counts, expected = count(ODD_TEXTS), reference_counts(ODD_TEXTS, analyzer)
    assert counts.terms.tolist() == expected.terms.tolist()
    assert counts.matrix.dtype == np.int32 and counts.matrix.has_sorted_indices
    for part in ("indptr", "indices", "data"):
        assert np.array_equal(getattr(counts.matrix, part), getattr(expected.matrix, part)), part


def test_a_capped_vocabulary_keeps_the_most_frequent_terms_ties_alphabetical() -> None:
    counts = reference_counts(["b a", "b c", "b d", "c"], str.split)
    vocabulary = fit_vocabulary(counts, np.arange(4), min_df=1, max_features=2)
    assert vocabulary.mapping(counts) == {"b": 0, "c": 1}  # b: 3, c: 2 occurrences
    vocabulary = fit_vocabulary(counts, np.arange(3), min_df=1, max_features=2)
    assert vocabulary.mapping(counts) == {"a": 0, "b": 1}  # a, c, d tie once: "a" first
    empty = tfidf(counts, np.arange(4), fit_vocabulary(counts, np.arange(4), min_df=9, max_features=None))
    assert empty.shape == (4, 0)


def test_texts_without_any_word_are_refused() -> None:
    assert count_word_terms(["!!", "a b"]).matrix.nnz == 0  # one-letter words are not words here
    with pytest.raises(ValueError, match="no words to learn from"):
        train_intent_model(["!!", "?"], ["a", "b"])


def _pack(n: int) -> tuple[list[str], list[str]]:
    topics = {"refund": "money back refund return", "shipping": "parcel package delivery track"}
    texts, labels = [], []
    for label, vocab in topics.items():
        parts = vocab.split()
        for i in range(n):
            texts.append(f"{parts[i % 4]} {parts[(i * 3 + 1) % 4]} {i % 7} please")
            labels.append(label)
    return texts, labels


def _background(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any hold-out fit goes to a child process, as on a 2-core machine."""
    monkeypatch.setattr(intent_train, "CV_MAX_ROWS", 20)
    monkeypatch.setattr(intent_train, "BACKGROUND_MIN_ROWS", 1)
    monkeypatch.setattr(intent_train, "_usable_cpus", lambda: 2)


def test_the_calibration_fit_in_a_child_process_gives_the_in_process_model(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    texts, labels = _pack(30)
    monkeypatch.setattr(intent_train, "CV_MAX_ROWS", 20)
    serial = train_intent_model(texts, labels)
    _background(monkeypatch)
    started: list[BackgroundFit] = []
    original_start = BackgroundFit.start

    def spy(self: BackgroundFit, n_rows: int) -> BackgroundFit:
        started.append(original_start(self, n_rows))
        assert self.child is not None  # a real child process is running
        return self

    monkeypatch.setattr(BackgroundFit, "start", spy)
    for module in [name for name in sys.modules if name.split(".")[0] == "sklearn"]:
        monkeypatch.setitem(sys.modules, module, None)  # this process must not need scikit-learn
    with pytest.raises(ImportError):
        fit_svm(None, [], TrainParams())
    parallel = train_intent_model(texts, labels)
    assert len(started) == 2  # the calibration fit and the final fit, each in a child
    assert all(fit.child is None and fit.folder is None for fit in started)  # cleaned up
    assert np.array_equal(serial.coef, parallel.coef)
    assert np.array_equal(serial.intercept, parallel.intercept)
    assert serial.word_vocab == parallel.word_vocab and serial.char_vocab == parallel.char_vocab
    assert np.array_equal(serial.predict_proba(texts), parallel.predict_proba(texts))
    assert (serial.temperature, serial.oos_threshold) == (parallel.temperature, parallel.oos_threshold)
    assert serial.meta == parallel.meta


def test_a_fit_with_a_child_is_handed_over_before_one_fitted_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """Final fit too big for a child, calibration fit not: the child gets its problem first,
    so it fits while this process does the final fit (not after it)."""
    texts, labels = _pack(30)
    monkeypatch.setattr(intent_train, "CV_MAX_ROWS", 20)
    serial = train_intent_model(texts, labels)
    _background(monkeypatch)
    monkeypatch.setattr(intent_train, "BACKGROUND_MAX_ROWS", len(texts) - 1)  # the hold-out fit only
    order: list[bool] = []
    original_submit = BackgroundFit.submit

    def submit(self: BackgroundFit, *args: object) -> None:
        order.append(self.child is not None)
        original_submit(self, *args)

    monkeypatch.setattr(BackgroundFit, "submit", submit)
    assert np.array_equal(train_intent_model(texts, labels).coef, serial.coef)
    assert order == [True, False]


@pytest.mark.parametrize("executable", ["/bin/false", "/nonexistent/python"])
def test_a_child_that_fails_or_cannot_start_falls_back_to_fitting_here(
    monkeypatch: pytest.MonkeyPatch, executable: str
) -> None:
    texts, labels = _pack(30)
    monkeypatch.setattr(intent_train, "CV_MAX_ROWS", 20)
    expected = train_intent_model(texts, labels)
    _background(monkeypatch)
    monkeypatch.setattr(sys, "executable", executable)
    assert np.array_equal(train_intent_model(texts, labels).coef, expected.coef)


def test_an_unreadable_result_or_a_dead_child_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    texts, labels = _pack(30)
    corpus, rows = Corpus.of(texts), np.arange(len(texts))
    features, params = corpus.features(rows, corpus.vocabularies(rows, TrainParams())), TrainParams()
    expected = fit_svm(features, labels, params)
    monkeypatch.setattr(intent_train, "BACKGROUND_MIN_ROWS", 1)
    monkeypatch.setattr(intent_train, "_usable_cpus", lambda: 2)
    # A child that exits 0 without writing a result (``true`` ignores its arguments).
    monkeypatch.setattr(sys, "executable", "/bin/true")
    fit = BackgroundFit().start(len(texts))
    fit.child.wait()
    fit.submit(features, labels, params)  # the child is gone: writing to it fails → fit here
    assert fit.child is None
    assert np.array_equal(fit.result().coef, expected.coef)
    fit = BackgroundFit().start(len(texts))
    fit.problem = (features, labels, params)
    assert np.array_equal(fit.result().coef, expected.coef)  # exit 0, no result file


def test_a_cancelled_child_is_stopped_and_its_files_removed(monkeypatch: pytest.MonkeyPatch) -> None:
    assert intent_train._usable_cpus() >= 1
    monkeypatch.setattr(intent_train, "BACKGROUND_MIN_ROWS", 1)
    monkeypatch.setattr(intent_train, "_usable_cpus", lambda: 2)
    fit = BackgroundFit().start(10)
    child, folder = fit.child, Path(fit.folder.name)
    assert child.poll() is None and folder.is_dir()  # waiting for its problem
    fit.cancel()
    assert child.returncode is not None and not folder.exists()
    with pytest.raises(RuntimeError, match="submit"):
        BackgroundFit().result()
    started = BackgroundFit().start(10)
    assert started.child is not None
    started.cancel()
    monkeypatch.setattr(intent_train, "_usable_cpus", lambda: 1)
    assert BackgroundFit().start(10).child is None  # one CPU: nothing to overlap


def test_an_error_while_the_children_fit_stops_them(monkeypatch: pytest.MonkeyPatch) -> None:
    texts, labels = _pack(30)
    _background(monkeypatch)
    started: list[BackgroundFit] = []
    original_submit = BackgroundFit.submit

    def submit(self: BackgroundFit, *args: object) -> None:
        started.append(self)
        original_submit(self, *args)

    def broken(*_: object) -> None:
        assert started[0].child is not None  # the final fit (handed over first) is still in its child
        raise MemoryError("no room for the held-out logits")

    monkeypatch.setattr(BackgroundFit, "submit", submit)
    monkeypatch.setattr(intent_train, "_in_order", broken)
    with pytest.raises(MemoryError):
        train_intent_model(texts, labels)
    assert len(started) == 2 and all(fit.child is None and fit.folder is None for fit in started)


def test_the_worker_fits_the_problem_it_is_handed(tmp_path: Path) -> None:
    """``main`` in-process (the child runs the same function); labels travel as codes."""
    texts, labels = _pack(10)
    corpus, rows, params = Corpus.of(texts), np.arange(len(texts)), TrainParams()
    features = corpus.features(rows, corpus.vocabularies(rows, params))
    problem, result = tmp_path / "problem.npz", tmp_path / "result.npz"
    assert main([str(problem), str(result)], ready=io.StringIO("")) == 1  # never handed a problem
    names, codes = label_codes(labels)
    save_problem(problem, features, codes, params)
    assert main([str(problem), str(result)], ready=io.StringIO("go\n")) == 0
    fitted, expected = load_fit(result), fit_svm(features, labels, params)
    assert fitted.classes == [0, 1] and fitted.named(names).classes == expected.classes == [
        "refund",
        "shipping",
    ]
    assert np.array_equal(fitted.coef, expected.coef) and np.array_equal(fitted.intercept, expected.intercept)


def _peak_bytes(run) -> int:
    """Peak bytes traced (numpy's buffers included) while ``run()`` runs."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_terms_sort_without_a_fixed_width_copy():
    """One pasted huge word among many terms: a fixed-width string copy would take
    200,000 characters × 4 bytes × 603 terms (480 MB per copy, a size that cannot exhaust the
    machine under a regression); the sort must not make one."""
    from agentops_cli.nlp.intent_vectors import _alphabetical

    terms = [f"t{i:05d}" for i in range(600, 0, -1)] + ["b", "x" * 200_000, "a"]
    result: list[tuple[np.ndarray, np.ndarray]] = []
    peak = _peak_bytes(lambda: result.append(_alphabetical(terms)))
    assert peak < 50e6, f"{peak / 1e6:.0f} MB: a fixed-width copy of the terms"
    ordered, rank = result[0]
    assert ordered.tolist() == sorted(terms)
    assert [ordered[r] for r in rank] == terms


def _long_label_pack() -> tuple[list[str], list[str], str]:
    """300 rows, three labelled with a 100,000-character label: a fixed-width copy of the labels
    is 300 × 100,000 × 4 bytes = 120 MB (the string-label code peaked at 366 MB cross-validated,
    137 MB with the fits in children; the integer codes at 1.2 MB)."""
    texts, labels = _pack(150)
    long_label = "refund-" + "x" * 100_000
    labels = [long_label if i % 50 == 0 and label == "refund" else label for i, label in enumerate(labels)]
    return texts, labels, long_label


@pytest.mark.parametrize("children", [False, True], ids=["cross-validated", "hold-out-in-children"])
def test_a_long_label_costs_no_fixed_width_copy_and_round_trips(
    monkeypatch: pytest.MonkeyPatch, children: bool
) -> None:
    """Labels are integer codes inside training (folds, fits, the worker's files): a huge label
    is kept as it is, without copies as wide as it for every row."""
    import sklearn.linear_model
    import sklearn.model_selection
    import sklearn.svm  # noqa: F401 - imported before tracing: their import is not training's memory

    texts, labels, long_label = _long_label_pack()
    if children:
        _background(monkeypatch)
    models: list = []
    peak = _peak_bytes(lambda: models.append(train_intent_model(texts, labels)))
    assert peak < 20e6, f"{peak / 1e6:.0f} MB: a fixed-width copy of the labels"
    assert sorted(models[0].labels) == sorted(set(labels)) and long_label in models[0].labels
    assert models[0].predict([texts[0]])[0].top[0][0] == long_label


def test_integer_codes_fit_what_the_labels_fitted() -> None:
    """Same classes, coefficients and folds as liblinear / StratifiedKFold given the strings
    (how training called them before the codes): the change alters no model."""
    from sklearn.model_selection import StratifiedKFold
    from sklearn.svm import LinearSVC

    texts, labels = _pack(40)
    labels = [f"{label}-{i % 3}" if i % 2 else label for i, label in enumerate(labels)]
    corpus, rows, params = Corpus.of(texts), np.arange(len(texts)), TrainParams()
    features = corpus.features(rows, corpus.vocabularies(rows, params))
    svm = LinearSVC(
        C=params.C,
        multi_class=params.multi_class,
        tol=params.tol,
        max_iter=params.max_iter,
        class_weight="balanced",
        random_state=params.seed,
    )
    with pytest.warns(Warning):  # liblinear's capped passes ("failed to converge")
        svm.fit(features, np.asarray(labels, dtype=object).astype(str))
    fit = fit_svm(features, labels, params)
    assert fit.classes == svm.classes_.tolist()
    assert np.array_equal(fit.coef, svm.coef_) and np.array_equal(fit.intercept, svm.intercept_)
    names, codes = label_codes(labels)
    assert [names[c] for c in codes] == labels
    splitter = StratifiedKFold(n_splits=5, shuffle=True, random_state=params.seed)
    by_string = [test.tolist() for _, test in splitter.split(np.zeros(len(labels)), labels)]
    assert by_string == [test.tolist() for _, test in splitter.split(np.zeros(len(labels)), codes)]


# Printed by the string-label code (main at 6ac6d42d) for the pack below; unchanged since.
GOLDEN = {
    "labels": [
        "refund",
        "refund-0",
        "refund-1",
        "refund-2",
        "shipping",
        "shipping-0",
        "shipping-1",
        "shipping-2",
    ],
    "temperature": 0.2228,
    "threshold": 0.215,
    "coef_abs_sum": 34.405357360839844,
    "probs_moment": 227.26279305176013,
}


def test_training_gives_the_model_it_gave_before_the_codes() -> None:
    """A fixed pack's model, fingerprinted with the string-label code (main at 6ac6d42d):
    integer codes change no coefficient or probability."""
    texts, labels = _pack(30)
    labels = [f"{label}-{i % 3}" if i % 2 else label for i, label in enumerate(labels)]
    model = train_intent_model(texts, labels)
    probs = model.predict_proba(texts)
    assert model.labels == GOLDEN["labels"]
    assert (model.temperature, model.oos_threshold) == (GOLDEN["temperature"], GOLDEN["threshold"])
    assert float(np.abs(model.coef).sum()) == pytest.approx(GOLDEN["coef_abs_sum"], rel=1e-6)
    assert float((probs * np.arange(1, probs.shape[1] + 1)).sum()) == pytest.approx(
        GOLDEN["probs_moment"], rel=1e-9
    )


def test_the_svm_kind_and_loss_are_parameters_the_worker_passes_on(tmp_path: Path) -> None:
    """``TrainParams.multi_class``/``loss`` reach liblinear in this process and in the worker."""
    texts, labels = _pack(10)
    corpus, rows = Corpus.of(texts), np.arange(len(texts))
    hinge = TrainParams(multi_class="ovr", loss="hinge")
    features = corpus.features(rows, corpus.vocabularies(rows, hinge))
    squared = fit_svm(features, labels, TrainParams(multi_class="ovr"))
    joint = fit_svm(features, labels, TrainParams())  # Crammer–Singer, the default
    first, again = fit_svm(features, labels, hinge), fit_svm(features, labels, hinge)
    assert np.array_equal(first.coef, again.coef)
    assert not np.allclose(first.coef, squared.coef) and not np.allclose(joint.coef, squared.coef)
    problem, result = tmp_path / "problem.npz", tmp_path / "result.npz"
    save_problem(problem, features, label_codes(labels)[1], hinge)
    assert main([str(problem), str(result)], ready=io.StringIO("go\n")) == 0
    assert np.array_equal(load_fit(result).coef, first.coef)


def test_no_writable_temporary_folder_fits_here_with_the_same_model(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import tempfile

    texts, labels = _pack(30)
    monkeypatch.setattr(intent_train, "CV_MAX_ROWS", 20)
    expected = train_intent_model(texts, labels)
    _background(monkeypatch)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))  # TMPDIR gone / unwritable
    started: list[BackgroundFit] = []
    original_start = BackgroundFit.start

    def spy(self: BackgroundFit, n_rows: int) -> BackgroundFit:
        started.append(original_start(self, n_rows))
        return self

    monkeypatch.setattr(BackgroundFit, "start", spy)
    model = train_intent_model(texts, labels)
    assert len(started) == 2 and all(fit.child is None and fit.folder is None for fit in started)
    assert np.array_equal(model.coef, expected.coef) and model.meta == expected.meta


def test_an_interrupted_second_start_stops_the_first_child(monkeypatch: pytest.MonkeyPatch) -> None:
    texts, labels = _pack(30)
    _background(monkeypatch)
    first: list[tuple[object, Path]] = []
    original_start = BackgroundFit.start

    def start(self: BackgroundFit, n_rows: int) -> BackgroundFit:
        if first:
            raise KeyboardInterrupt  # Ctrl-C while the second child starts
        original_start(self, n_rows)
        first.append((self.child, Path(self.folder.name)))
        return self

    monkeypatch.setattr(BackgroundFit, "start", start)
    with pytest.raises(KeyboardInterrupt):
        train_intent_model(texts, labels)
    child, folder = first[0]
    assert child.returncode is not None and not folder.exists()  # stopped, files removed


def test_a_hung_child_is_given_up_on_and_fitted_here(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    texts, labels = _pack(30)
    corpus, rows, params = Corpus.of(texts), np.arange(len(texts)), TrainParams()
    features = corpus.features(rows, corpus.vocabularies(rows, params))
    hung = tmp_path / "hung-python"
    hung.write_text("#!/bin/sh\nexec sleep 60\n")
    hung.chmod(0o755)
    monkeypatch.setattr(sys, "executable", str(hung))
    monkeypatch.setattr(intent_train, "BACKGROUND_MIN_ROWS", 1)
    monkeypatch.setattr(intent_train, "_usable_cpus", lambda: 2)
    monkeypatch.setattr(intent_train, "CHILD_WAIT_S", 0.2)
    monkeypatch.setattr(intent_train, "CHILD_WAIT_S_PER_ROW", 0.0)
    fit = BackgroundFit().start(len(texts))
    child = fit.child
    fit.submit(features, labels, params)
    assert fit.child is not None  # handed over: the child "fits" (sleeps)
    assert np.array_equal(fit.result().coef, fit_svm(features, labels, params).coef)
    assert child.returncode is not None and fit.child is None  # killed, not waited on for 60 s


_ORPHANED_PARENT = """
import sys, time
import numpy as np
from agentops_cli.nlp import intent_train
from agentops_cli.nlp.intent_train import BackgroundFit, Corpus, TrainParams

intent_train.BACKGROUND_MIN_ROWS = 1
intent_train._usable_cpus = lambda: 2
texts = [f"refund {i} money" if i % 2 else f"parcel {i} track" for i in range(400)]
labels = ["refund" if i % 2 else "shipping" for i in range(400)]
fit = BackgroundFit().start(len(texts))
print(fit.folder.name, fit.child.pid, flush=True)
if sys.argv[1] == "go":
    corpus, rows, params = Corpus.of(texts), np.arange(len(texts)), TrainParams()
    fit.submit(corpus.features(rows, corpus.vocabularies(rows, params)), labels, params)
print("ready", flush=True)
time.sleep(120)
"""


def _gone(pid: int) -> bool:
    """The process has exited (an exited child of a non-reaping init stays a zombie)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc (Linux)")
@pytest.mark.parametrize("stage", ["waiting", "go"])
def test_a_child_whose_parent_is_killed_removes_its_files_and_exits(stage: str) -> None:
    """A real parent process SIGKILLed while its child waits for a problem, or after handing it
    one: the child exits and its temporary folder (problem, result) is gone."""
    import signal
    import subprocess
    import time

    parent = subprocess.Popen(
        [sys.executable, "-c", _ORPHANED_PARENT, stage], stdout=subprocess.PIPE, text=True
    )
    try:
        folder, child_pid = parent.stdout.readline().split()
        assert parent.stdout.readline().strip() == "ready"
        assert Path(folder).is_dir() and not _gone(int(child_pid))
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        parent.stdout.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (_gone(int(child_pid)) and not Path(folder).exists()):
        time.sleep(0.1)
    assert _gone(int(child_pid)), "the orphaned child is still running"
    assert not Path(folder).exists(), f"the orphaned child left {sorted(Path(folder).iterdir())}"


def test_the_parent_watch_cleans_up_in_process(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """What the orphaned child does, run here: its watch (without the thread, and ``os._exit``
    caught) and ``main``'s parent checks around the fit."""
    import os

    from agentops_cli.nlp import intent_fit_worker as worker

    texts, labels = _pack(10)
    corpus, rows, params = Corpus.of(texts), np.arange(len(texts)), TrainParams()
    features = corpus.features(rows, corpus.vocabularies(rows, params))
    folder = tmp_path / "agentops-intent-x"

    def handed_over() -> list[str]:
        folder.mkdir(exist_ok=True)
        save_problem(folder / "problem.npz", features, label_codes(labels)[1], params)
        return [str(folder / "problem.npz"), str(folder / "result.npz")]

    monkeypatch.setattr(worker.ParentWatch, "start", lambda self: self)  # no thread in pytest
    alive, gone = str(os.getppid()), str(os.getppid() + 1)
    argv = handed_over()
    assert main([*argv, alive], ready=io.StringIO("go\n")) == 0  # parent alive: result written
    assert sorted(p.name for p in folder.iterdir()) == ["result.npz"]  # the problem was read and removed
    assert main([*handed_over(), gone], ready=io.StringIO("go\n")) == 1  # parent gone during the fit
    assert not folder.exists()
    assert main([*handed_over(), gone], ready=io.StringIO("")) == 1  # stdin closed before the problem
    assert not folder.exists()

    class Exited(Exception):
        pass

    def exit_(code: int) -> None:
        raise Exited(code)

    monkeypatch.setattr(worker.os, "_exit", exit_)
    monkeypatch.setattr(worker, "PARENT_POLL_S", 0.0)
    watch = worker.ParentWatch(*map(Path, handed_over()), parent=os.getppid())
    polls = iter([False, True])  # alive at the first poll, gone at the second
    monkeypatch.setattr(watch, "orphaned", lambda: next(polls))
    with pytest.raises(Exited):
        watch._watch()
    assert not folder.exists() and not watch.lock.locked()


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="reads the child environment in /proc")
def test_the_fit_child_does_not_inherit_the_serves_metrics_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A serve worker trains in a child: the workers' metrics directory stays the workers'."""
    monkeypatch.setattr(intent_train, "BACKGROUND_MIN_ROWS", 1)
    monkeypatch.setattr(intent_train, "_usable_cpus", lambda: 2)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    monkeypatch.setenv("AGENTOPS_MARKER_FOR_THE_CHILD", "kept")
    fit = BackgroundFit().start(10)
    try:
        # Until the child has exec'd the worker, /proc shows the environment it was forked with.
        proc, deadline = Path(f"/proc/{fit.child.pid}"), time.monotonic() + 30
        while intent_fit_worker.__name__.encode() not in (proc / "cmdline").read_bytes().split(b"\0")[:3]:
            assert time.monotonic() < deadline, "the fit child never started the worker"
            time.sleep(0.01)
        environ = (proc / "environ").read_bytes().split(b"\0")
    finally:
        fit.cancel()
    names = {entry.split(b"=", 1)[0] for entry in environ}
    assert b"AGENTOPS_MARKER_FOR_THE_CHILD" in names and b"PYTHONPATH" in names
    assert b"PROMETHEUS_MULTIPROC_DIR" not in names


def test_the_children_are_handed_canonical_float64_csr(monkeypatch: pytest.MonkeyPatch) -> None:
    """What liblinear reads as it comes: float64 values, int32 column indices sorted and without
    duplicates per row — nothing for scikit-learn to convert or sort in the child."""
    texts, labels = _pack(30)
    _background(monkeypatch)
    handed: list = []
    original = intent_fit_worker.save_problem

    def spy(path: Path, features, codes: np.ndarray, params: TrainParams) -> None:
        handed.append(features)
        original(path, features, codes, params)

    monkeypatch.setattr(intent_fit_worker, "save_problem", spy)
    train_intent_model(texts, labels)
    assert len(handed) == 2  # the calibration fit's problem and the final fit's
    for features in handed:
        assert features.format == "csr" and features.has_canonical_format and features.has_sorted_indices
        assert features.dtype == np.float64
        assert features.indices.dtype == np.int32 and features.indptr.dtype == np.int32


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_the_temperatures_likelihood_is_the_softmax_one_bit_for_bit(dtype: type) -> None:
    """``gold_log_loss`` (one reused buffer, gold entries only) gives exactly the likelihood of
    the whole :func:`softmax`, so the golden-section search takes the same steps and every
    model keeps the temperature it had."""
    rng = np.random.default_rng(5)
    rows = np.arange(300)
    for scale in (0.05, 1.0, 40.0):  # 40: most probabilities underflow to 0 and are clipped
        logits = (rng.normal(size=(300, 12)) * scale).astype(dtype)
        gold = rng.integers(0, 12, 300)
        work = np.empty(logits.shape, dtype=np.result_type(logits, 1.0))
        for t in np.exp(np.linspace(np.log(0.05), np.log(5.0), 40)).tolist():
            probs = softmax(logits, t)
            expected = float(-np.log(np.clip(probs[rows, gold], 1e-12, None)).mean())
            assert gold_log_loss(logits, (rows, gold), t, work) == expected
