"""bench/clinc150_variants.py's round-3 views (issue 21 part A: measured, not adopted): the
numbers they add to the SVM's must be the ones their docstrings promise, or the recorded
figures would measure something else."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import clinc150_variants as variants

sys.path.pop(0)

from agentops_cli.nlp import intent_train as it

TRAIN = sp.csr_matrix(
    np.array(
        [
            [1.0, 0.0, 0.0],
            [0.8, 0.6, 0.0],
            [0.0, 0.0, 1.0],
            [0.0, 0.6, 0.8],
        ]
    )
)
LABELS = ["a", "a", "b", "b"]


def test_knn_vote_weights_each_neighbour_by_its_cosine_to_the_power() -> None:
    query = sp.csr_matrix(np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 0.0]]))
    probs = variants._knn_probs(TRAIN, LABELS, ["a", "b"], query, k=2, power=1.0)
    # Row 0: nearest are rows 0 (cos 1) and 1 (cos 0.8), both "a".
    np.testing.assert_allclose(probs[0], [1.0, 0.0])
    # Row 1: cosines 0, 0.6, 0, 0.6 — the two 0.6 neighbours, one per intent.
    np.testing.assert_allclose(probs[1], [0.5, 0.5])
    # An empty row is similar to nothing: uniform, not a division by zero.
    np.testing.assert_allclose(probs[2], [0.5, 0.5])
    sharp = variants._knn_probs(TRAIN, LABELS, ["a", "b"], query[:1], k=3, power=2.0)
    # k = 3 adds a row of cosine 0: "a" gets 1 + 0.64, "b" nothing.
    np.testing.assert_allclose(sharp[0], [1.0, 0.0])
    mixed = variants._knn_probs(TRAIN, LABELS, ["a", "b"], sp.csr_matrix([[0.6, 0.0, 0.8]]), k=2, power=2.0)
    # Cosines: row 0 0.6, row 1 0.48, row 2 0.8, row 3 0.64 → neighbours 2 and 3, both "b".
    np.testing.assert_allclose(mixed[0], [0.0, 1.0])


def test_centroid_scores_are_cosines_with_each_intents_mean_row() -> None:
    query = sp.csr_matrix(np.array([[3.0, 0.0, 0.0]]))
    scores = variants._centroid_scores(TRAIN, LABELS, ["b", "a"], query)
    mean_a, mean_b = np.array([0.9, 0.3, 0.0]), np.array([0.0, 0.3, 0.9])
    expected = [mean_b[0] / np.linalg.norm(mean_b), mean_a[0] / np.linalg.norm(mean_a)]
    np.testing.assert_allclose(scores[0], expected)


@pytest.mark.parametrize(
    ("tf", "weight"), [("binary", lambda n: 1.0), ("bm25", lambda n: n * 2.2 / (n + 1.2))]
)
def test_tf_variants_reweight_counts_and_keep_rows_l2_normalised(tf: str, weight) -> None:
    texts = ["card card card lost", "card lost", "new card"]
    corpus = it.Corpus.of(texts)
    rows = np.arange(len(texts))
    vocabularies = corpus.vocabularies(rows, it.TrainParams(char_min_df=1))
    features = variants._tf_features(corpus, rows, vocabularies, tf, 1.2)
    engine = corpus.features(rows, vocabularies)
    assert features.shape == engine.shape
    words = vocabularies[0].mapping(corpus.word)
    n_words = len(words)
    first = features[0].toarray().ravel()
    # Each block is L2-normalised on its own, as the engine's.
    assert np.linalg.norm(first[:n_words]) == pytest.approx(1.0)
    assert np.linalg.norm(first[n_words:]) == pytest.approx(1.0)
    idf = vocabularies[0].idf
    card, lost = words["card"], words["lost"]
    ratio = (weight(3) * idf[card]) / (weight(1) * idf[lost])
    assert first[card] / first[lost] == pytest.approx(ratio)
    # Texts whose words all occur once weigh them as the engine does (1 + ln 1 = 1 = binary).
    if tf == "binary":
        np.testing.assert_allclose(features[1].toarray(), engine[1].toarray())


def test_chi2_keeps_every_word_column_and_the_most_class_specific_characters() -> None:
    train = sp.csr_matrix(
        np.array(
            [
                [1.0, 1.0, 0.0, 1.0],
                [1.0, 1.0, 0.0, 1.0],
                [0.0, 0.0, 1.0, 1.0],
                [0.0, 0.0, 1.0, 1.0],
            ]
        )
    )
    kept = variants._chi2_columns(train, LABELS, char_start=1, keep=2)
    # Column 3 is in every row (chi² 0): dropped; columns 1 and 2 each mark one intent.
    assert kept.tolist() == [0, 1, 2]


def _tiny_data() -> dict:
    train = [
        [f"{verb} my {thing} {n}", intent]
        for n in range(6)
        for verb, thing, intent in (
            ("cancel", "order", "cancel"),
            ("track", "parcel", "track"),
            ("refund", "payment", "refund"),
        )
    ]
    val = [["please cancel the order", "cancel"], ["where is my parcel", "track"], ["refund it", "refund"]]
    return {"train": train, "val": val, "oos_val": [["weather in lyon", "oos"]], "oos_train": []}


def test_variants_differing_only_in_post_fit_views_share_one_fit() -> None:
    variants._FITS.clear()
    data = _tiny_data()
    base = variants.run({"char_min_df": 1}, data)
    assert len(variants._FITS) == 1
    mixed = variants.run({"char_min_df": 1, "knn": {"k": 3, "lambda": 0.0}}, data)
    centroid = variants.run({"char_min_df": 1, "centroid": {"weight": 0.0}}, data)
    assert len(variants._FITS) == 1  # one SVM fit served all three
    # With weight 0 the extra views change nothing: the figures are the engine's.
    for other in (mixed, centroid):
        assert other["val_accuracy_no_reject"] == base["val_accuracy_no_reject"]
        assert other["budget_1pt"] == base["budget_1pt"]
    variants.run({"char_min_df": 1, "tf": "binary"}, data)
    assert len(variants._FITS) == 2
    variants._FITS.clear()


def test_pairwise_specialist_reorders_only_close_top_two_intents() -> None:
    train = sp.csr_matrix(np.array([[1.0, 0.0, 0.0], [0.9, 0.1, 0.0], [0.0, 1.0, 0.0], [0.1, 0.9, 0.0]]))
    labels = ["a", "a", "b", "b"]
    other = sp.csr_matrix(np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]))
    # Both rows look like "a" to the specialist; the scores put "b" first, closely then far.
    probs = np.array([[0.4, 0.45, 0.15], [0.05, 0.9, 0.05]])
    params = it.TrainParams()
    out = variants._pairwise(train, labels, ["a", "b", "c"], probs, other, 0.2, params)
    np.testing.assert_allclose(out[0], [0.45, 0.4, 0.15])  # close: swapped, probabilities kept
    np.testing.assert_allclose(out[1], probs[1])  # a 0.85 gap: the main model's order stands
    untouched = variants._pairwise(train, labels, ["a", "b", "c"], probs, other, 0.0, params)
    np.testing.assert_allclose(untouched, probs)
