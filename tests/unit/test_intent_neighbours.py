"""Nearest-neighbour out-of-scope signals (issue 21 round 5): one function at training and at
inference, held-out rows never their own neighbours, kept in the model only when weighed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

from agentops_cli.nlp import intent_scope as scope
from agentops_cli.nlp import intent_train
from agentops_cli.nlp.intent import OOS_LABEL, IntentModel, scope_scores, softmax, word_tokens
from agentops_cli.nlp.intent_train import Corpus, TrainParams, train_intent_model
from agentops_cli.nlp.intent_vectors import tfidf
from tests.unit.test_intent_scope import _pack_with_oos

WITH_NEIGHBOURS = (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)


@pytest.fixture
def weighing_neighbours(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rule weighs the six neighbour signals (columns 6–11 of scope_signals)."""
    monkeypatch.setattr(scope, "SIGNALS", WITH_NEIGHBOURS)


def _rows(*rows: dict[int, float]) -> sp.csr_matrix:
    """L2-normalised sparse rows over 6 words from {column: weight} dicts."""
    dense = np.zeros((len(rows), 6), dtype=np.float32)
    for i, row in enumerate(rows):
        for column, weight in row.items():
            dense[i, column] = weight
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    return sp.csr_matrix(dense / np.where(norms == 0, 1, norms))


def test_neighbour_signals_are_the_cosines_to_the_nearest_rows_and_centroid() -> None:
    reference = _rows({0: 1}, {0: 1, 1: 1}, {2: 1}, {3: 1})
    neighbours = scope.Neighbours(rows=reference, intents=np.array([0, 0, 1, 1]), n_intents=3)
    queries = _rows({0: 1}, {2: 1, 0: 1}, {5: 1}, {})
    out = scope.neighbour_signals(queries, [0, 1, 0, 2], neighbours)
    knn_any, knn_class, gap, centroid, mean_any, mean_class = out.T
    half = 1 / np.sqrt(2)
    # 1: identical to row 0 (intent 0); its centroid is (1 + h, h) normalised
    assert knn_any[0] == pytest.approx(1.0) and knn_class[0] == pytest.approx(1.0)
    assert gap[0] == pytest.approx(1.0)  # intent 1's rows share no word with it
    c0 = np.array([1 + half, half]) / np.linalg.norm([1 + half, half])
    assert centroid[0] == pytest.approx(c0[0], rel=1e-5)
    # 2: predicted intent 1, as near to row 0 (intent 0) as to row 2
    assert knn_class[1] == pytest.approx(half) and knn_any[1] == pytest.approx(half)
    assert gap[1] == pytest.approx(0.0, abs=1e-6)
    # the mean of the 5 nearest cosines, the missing ones 0 (any intent's rows; the predicted one's)
    assert scope.NEIGHBOUR_K == 5
    assert mean_any[0] == pytest.approx((1 + half) / 5) and mean_class[0] == pytest.approx((1 + half) / 5)
    assert mean_any[1] == pytest.approx((half + 0.5 + half) / 5) and mean_class[1] == pytest.approx(half / 5)
    # 3: a word no row uses; 4: no word at all, predicted an intent without rows
    assert np.allclose(out[2:], 0.0)


def test_common_words_are_left_out_of_the_neighbour_cosines() -> None:
    """A word most rows use ("what") says nothing about which example a query is near, and its
    posting list is what made the product slow: it is dropped from the reference rows."""
    common = [{0: 1, i: 1} for i in (1, 2, 3, 4, 5)] * 10
    neighbours = scope.Neighbours(rows=_rows(*common), intents=np.arange(50) % 5, n_intents=5)
    reference, _ = neighbours.by_intent()
    assert reference[:, 0].nnz == 0 and reference.nnz == 50
    out = scope.neighbour_signals(_rows({0: 1}), [0], neighbours)
    assert np.allclose(out[0, [0, 1, 2, 4, 5]], 0.0)  # sharing only the common word: no neighbour
    assert out[0, 3] > 0.5  # the centroid (a product with one row per intent) keeps every word


def test_training_and_inference_compute_the_same_neighbour_signals(
    weighing_neighbours: None, tmp_path: Path
) -> None:
    """The rule is fitted on signals of the trainer's reference rows and applied to those of the
    saved model's: for the same texts, the same numbers (float32 storage aside)."""
    texts, labels = _pack_with_oos()
    trained = train_intent_model(texts, labels)
    assert trained.weighs_neighbours(), trained.oos_weights
    trained.save(tmp_path / "m.npz")
    model = IntentModel.load(tmp_path / "m.npz")
    corpus = Corpus.of(texts)
    rows = np.arange(len(texts))
    vocabulary = corpus.vocabularies(rows, TrainParams())[0]
    reference = intent_train._neighbours(corpus, vocabulary, rows, labels, OOS_LABEL, model.labels)
    served = model.neighbours()
    assert reference is not None and served is not None
    assert np.array_equal(reference.intents, served.intents)
    assert abs(reference.rows - served.rows).max() < 1e-6
    words = intent_train._scope_words(corpus, vocabulary, rows, labels, OOS_LABEL, model.labels)
    sample = rows[::7]
    tokens, vectors = [], []
    probs = softmax(model.logits([texts[i] for i in sample], tokens, vectors), model.temperature)
    predicted = probs.argmax(axis=1).tolist()
    at_training = scope.text_signals(
        [word_tokens(texts[i]) for i in sample],
        predicted,
        words,
        tfidf(corpus.word, sample, vocabulary, np.float32),
        reference,
    )
    at_inference = scope.text_signals(tokens, predicted, model.scope(), sp.vstack(vectors).tocsr(), served)
    assert at_training.shape == (len(sample), len(scope.TEXT_SIGNALS) + len(scope.NEIGHBOUR_SIGNALS))
    assert np.allclose(at_training, at_inference, atol=1e-5)
    assert at_training[:, 4:].max() > 0.5  # training rows are near their own examples
    _, scores = model.scored([texts[i] for i in sample])  # what predict decides on
    assert np.allclose(scores, scope_scores(probs, at_training, model.oos_weights), atol=1e-6)
    queries = ["refund my money back please", "qwhzkpr volcano"]
    assert [p.label for p in model.predict(queries)] == [p.label for p in trained.predict(queries)]


def test_held_out_rows_never_see_themselves_or_each_other_as_neighbours(
    weighing_neighbours: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each scoring fit's reference rows are its own training rows: never a held-out row (it
    would be its own nearest neighbour, cosine 1) nor an out-of-scope example."""
    texts, labels = _pack_with_oos()
    helper, signals = intent_train._neighbours, intent_train._heldout_signals
    # (reference rows, held-out rows) of each scoring fit, paired as they happen: the reference
    # rows are recorded inside the held-out signals call that asked for them
    folds: list[tuple[np.ndarray, np.ndarray]] = []
    scoring: list[np.ndarray] = []  # the held-out rows of the call in progress

    def recording(corpus, vocabulary, rows, *args):
        if scoring:
            folds.append((np.asarray(rows), scoring[-1]))
        return helper(corpus, vocabulary, rows, *args)

    def recording_held(texts_, rows, *args):
        scoring.append(np.asarray(rows[1]))
        try:
            return signals(texts_, rows, *args)
        finally:
            scoring.pop()

    monkeypatch.setattr(intent_train, "_neighbours", recording)
    monkeypatch.setattr(intent_train, "_heldout_signals", recording_held)
    train_intent_model(texts, labels)
    assert len(folds) == intent_train.CV_FOLDS
    for fit, held in folds:
        assert not set(fit.tolist()) & set(held.tolist())
    # and the final model's reference rows are in-scope rows only
    model = train_intent_model(texts, labels)
    n_in_scope = sum(label != OOS_LABEL for label in labels)
    assert model.neighbours().rows.shape[0] == n_in_scope


def test_a_held_out_row_is_not_its_own_neighbour_by_value(weighing_neighbours: None) -> None:
    """With a validation set of texts found nowhere in the training rows, no held-out row reaches
    cosine 1 to any reference row: it never met itself."""
    texts, labels = _pack_with_oos()
    captured: dict = {}
    engine = scope.choose_rule

    def capture(*args, **kwargs):
        captured["text"] = args[1]
        return engine(*args, **kwargs)

    val = [
        ("refund return money back now", "refund"),
        ("track delivery parcel package today", "shipping"),
        ("password login profile email reset", "account"),
        ("zorblat quintessence marmalade", OOS_LABEL),
    ] * 3
    val = [(f"{t} {i}", lab) for i, (t, lab) in enumerate(val)]
    try:
        scope.choose_rule = capture
        train_intent_model(texts, labels, val_texts=[t for t, _ in val], val_labels=[lab for _, lab in val])
    finally:
        scope.choose_rule = engine
    knn_any = captured["text"][:, len(scope.TEXT_SIGNALS)]
    val_rows = knn_any[-len(val) :]  # held-out rows in row order: the pack's out-of-scope ones first
    assert val_rows.max() < 0.999 and val_rows.max() > 0


def test_the_default_stores_no_neighbours_and_trains_deterministically(tmp_path: Path) -> None:
    texts, labels = _pack_with_oos()
    model = train_intent_model(texts, labels)
    assert not model.weighs_neighbours() and model.neighbours() is None
    again = train_intent_model(texts, labels)
    assert (model.oos_weights, model.oos_threshold) == (again.oos_weights, again.oos_threshold)
    model.save(tmp_path / "m.npz")
    assert IntentModel.load(tmp_path / "m.npz").neighbours() is None


def test_reference_rows_a_rule_does_not_weigh_are_not_loaded(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A bench may keep the rows with a rule that does not weigh them (``scope.NEIGHBOURS``); a
    loaded model reads them only when its rule does, and stores int32 row pointers."""
    monkeypatch.setattr(scope, "NEIGHBOURS", True)
    texts, labels = _pack_with_oos()
    model = train_intent_model(texts, labels)
    assert not model.weighs_neighbours() and model.neighbours() is not None
    assert model.knn_indptr is not None and model.knn_indptr.dtype == np.int32
    model.save(tmp_path / "m.npz")
    loaded = IntentModel.load(tmp_path / "m.npz")
    assert loaded.knn_data is None and loaded.knn_indptr is None and loaded.neighbours() is None


def test_a_rule_weighing_neighbours_trains_deterministically(weighing_neighbours: None) -> None:
    texts, labels = _pack_with_oos()
    model, again = train_intent_model(texts, labels), train_intent_model(texts, labels)
    assert (model.oos_weights, model.oos_threshold) == (again.oos_weights, again.oos_threshold)
    assert np.array_equal(model.knn_data, again.knn_data) and np.array_equal(
        model.knn_indptr, again.knn_indptr
    )


def test_a_model_file_whose_rule_weighs_neighbours_but_lacks_them_is_refused(
    weighing_neighbours: None, tmp_path: Path
) -> None:
    texts, labels = _pack_with_oos()
    model = train_intent_model(texts, labels)
    assert model.weighs_neighbours()
    model.knn_data = model.knn_indices = model.knn_indptr = model.knn_intents = None
    model.save(tmp_path / "m.npz")
    with pytest.raises(ValueError, match="neighbour"):
        IntentModel.load(tmp_path / "m.npz")


def test_a_pack_without_out_of_scope_rows_keeps_no_neighbours(weighing_neighbours: None) -> None:
    """Packs without out-of-scope examples keep the top-1 rule: nothing to weigh, nothing kept."""
    texts, labels = _pack_with_oos()
    kept = [(t, lab) for t, lab in zip(texts, labels, strict=True) if lab != OOS_LABEL]
    model = train_intent_model([t for t, _ in kept], [lab for _, lab in kept])
    assert model.oos_weights == [] and model.neighbours() is None


def test_no_queries_or_no_reference_rows_give_zero_signals_and_empty_batches_score() -> None:
    empty = scope.Neighbours(
        rows=sp.csr_matrix((0, 6), dtype=np.float32), intents=np.zeros(0, int), n_intents=2
    )
    width = len(scope.NEIGHBOUR_SIGNALS)
    assert np.array_equal(scope.neighbour_signals(_rows({0: 1}), [0], empty), np.zeros((1, width)))
    full = scope.Neighbours(rows=_rows({0: 1}), intents=np.array([0]), n_intents=2)
    assert scope.neighbour_signals(_rows({0: 1})[:0], [], full).shape == (0, width)


def test_a_model_weighing_neighbours_scores_an_empty_batch(weighing_neighbours: None) -> None:
    texts, labels = _pack_with_oos()
    model = train_intent_model(texts, labels)
    probs, scores = model.scored([])
    assert probs.shape == (0, len(model.labels)) and scores.shape == (0,)
    assert model.predict([]) == []
