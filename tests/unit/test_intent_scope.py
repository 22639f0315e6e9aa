"""Out-of-scope rejection: word coverage, the logistic scope score, and the rule chosen on held-out rows."""

from __future__ import annotations

import random
import string
from pathlib import Path

import numpy as np
import pytest

from agentops_cli.nlp import intent_scope as scope
from agentops_cli.nlp import intent_train
from agentops_cli.nlp.intent import (
    OOS_LABEL,
    IntentModel,
    scope_scores,
    scope_signals,
    softmax,
    word_ngrams,
    word_tokens,
)
from agentops_cli.nlp.intent_train import Corpus, train_intent_model
from tests.unit.test_support_nlp import clinc_subset_model, needs_clinc

N_WEIGHTS = (
    max(scope.SIGNALS) + 2
)  # the bias, then one weight per scope_signals column up to the last weighed


def _words(known: set[str], intents: dict[str, int] | None = None, idf: dict[str, float] | None = None):
    return scope.ScopeWords(known=frozenset(known), idf=idf or {}, unseen_idf=1.0, intents=intents or {})


def word_coverage(text: str, known: set[str]) -> float:
    return float(scope.text_signals([word_tokens(text)], [0], _words(known))[0, 0])


def test_word_coverage_counts_word_tokens_not_bigrams() -> None:
    assert len(word_ngrams("refund my parcel today")) == 7  # 4 tokens, 3 bigrams
    assert word_coverage("refund my parcel today", {"refund", "parcel"}) == 0.5
    assert word_coverage("refund my parcel today", {"refund my", "my parcel"}) == 0.0  # not words
    assert word_coverage("refund refund", {"refund"}) == 1.0
    assert word_coverage("?! a", {"a"}) == 0.0  # no word at all


def test_class_idf_and_typo_coverage() -> None:
    """Class coverage counts the predicted intent's words only; idf coverage weighs a word by its
    idf (unseen ones by the largest); typo coverage counts an unseen word one edit from a known one."""
    words = scope.ScopeWords(
        known=frozenset({"refund", "parcel", "the"}),
        idf={"refund": 3.0, "parcel": 3.0, "the": 1.0},
        unseen_idf=4.0,
        intents={"refund": 0b01, "parcel": 0b10, "the": 0b11},
    )
    tokens = [
        ["the", "refund", "weather"],
        ["the", "refund", "weather"],
        ["refnud", "parcl", "the", "zzzzzz"],
    ]
    out = scope.text_signals([*tokens, []], [0, 1, 1, 0], words)
    assert out[0].tolist() == pytest.approx([2 / 3, 2 / 3, 4 / 8, 2 / 3])
    assert out[1, 1] == pytest.approx(1 / 3)  # predicted intent 1: only "the" is one of its words
    assert out[2].tolist() == pytest.approx([1 / 4, 1 / 4, 1 / 13, 3 / 4])  # swap and drop: typos
    assert out[3].tolist() == [0.0, 0.0, 0.0, 0.0]
    assert not scope.is_typo_of_known("xyz", words.near())  # no known word one edit away
    assert not scope.is_typo_of_known("a", words.near())  # too short to match anything


def test_typo_matching_memory_does_not_grow_with_a_token_s_length() -> None:
    """Symmetric delete builds every deletion of a word as a string: quadratic in its length (one
    20,000-character token took 383 MB). Words past ``TYPO_MAX_CHARS`` are never tried, on the
    query side and the known side, so a pasted blob costs no more than a real word."""
    import tracemalloc

    blob = "a" * 50_000
    words = _words({"refund", "parcel", blob})
    tracemalloc.start()
    try:
        near = words.near()
        assert blob not in near and "refnd" in near  # real words still match
        assert not scope.is_typo_of_known(blob + "b", near)
        assert not scope.is_typo_of_known("b" + "a" * 100_000, near)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20  # 1 MB; before: gigabytes for these lengths
    long_real = "a" * scope.TYPO_MAX_CHARS
    assert scope.is_typo_of_known(long_real + "b", _words({long_real}).near())  # the longest still match


def test_scope_score_is_the_top_probability_without_weights_and_logistic_with_them() -> None:
    probs = softmax(np.array([[2.0, 0.0, 0.0], [0.1, 0.0, 0.0]]))
    assert scope_scores(probs, None, []).tolist() == probs.max(axis=1).tolist()
    signals = scope_signals(probs, [1.0, 0.0])
    assert signals[:, 1].tolist() == [1.0, 0.0]
    assert signals[0, 0] > signals[1, 0] and signals[0, 2] > signals[1, 2]  # surer, lower entropy
    only_coverage = scope_scores(probs, [1.0, 0.0], [-1.0, 0.0, 2.0, 0.0])
    assert only_coverage == pytest.approx([1 / (1 + np.exp(-1.0)), 1 / (1 + np.exp(1.0))])
    assert scope_scores(np.empty((0, 3)), [], []).shape == (0,)


def _heldout(rng: np.random.Generator):
    """Held-out rows whose top-1 probability separates in-scope from out-of-scope badly."""
    n_in, n_oos, k = 400, 100, 5
    logits = np.vstack([rng.normal(0, 1, (n_in, k)), rng.normal(0, 1, (n_oos, k))])
    logits[:n_in, 0] += 1.5  # in-scope rows lean to class 0 a little more
    probs = softmax(logits)
    is_oos = np.r_[np.zeros(n_in, bool), np.ones(n_oos, bool)]
    cover = np.r_[rng.uniform(0.6, 1.0, n_in), rng.uniform(0.0, 0.5, n_oos)]  # coverage tells them apart
    correct = probs[:n_in].argmax(axis=1) == 0
    return probs, cover, is_oos, np.zeros(n_in + n_oos, bool), correct


def test_the_logistic_rule_is_kept_only_when_it_beats_the_top_probability() -> None:
    rng = np.random.default_rng(0)
    probs, cover, is_oos, predicted_oos, correct = _heldout(rng)
    plain = intent_train.tune_threshold(probs.max(1)[~is_oos], correct, probs.max(1)[is_oos], 0.01)[1]
    weights, threshold, stats = scope.choose_rule(probs, cover, is_oos, predicted_oos, correct, 0.01)
    assert len(weights) == N_WEIGHTS and weights[2] > 0  # more seen words → more in scope
    assert stats["oos_recall"] > plain["oos_recall"] + 0.3
    score = scope_scores(probs, cover, weights)
    assert stats["oos_recall"] == pytest.approx(float((score[is_oos] < threshold).mean()))
    assert stats["accuracy"] >= correct.mean() - 0.01 - 1e-9  # within the 1-point budget

    # Too few out-of-scope rows to fit weights on: the top-1 rule stays.
    few = is_oos.copy()
    few[np.flatnonzero(is_oos)[scope.MIN_OOS_EXAMPLES - 1 :]] = False
    keep = ~is_oos | few
    assert scope.choose_rule(probs[keep], cover[keep], few[keep], predicted_oos[keep], correct, 0.01)[0] == []


def test_a_cross_fitted_threshold_is_tuned_on_out_of_fold_scores(monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``CROSS_FIT_FOLDS`` the weights are still fitted on every row, but the threshold and
    the figures come from scores of weights that never saw the row (the same on every run)."""
    probs, cover, is_oos, predicted_oos, correct = _heldout(np.random.default_rng(0))
    in_sample = scope.choose_rule(probs, cover, is_oos, predicted_oos, correct, 0.01)
    monkeypatch.setattr(scope, "CROSS_FIT_FOLDS", 5)
    weights, threshold, stats = scope.choose_rule(probs, cover, is_oos, predicted_oos, correct, 0.01)
    assert weights == in_sample[0]
    oof = scope.cross_fitted_scores(scope_signals(probs, cover), ~is_oos, 5)
    assert np.array_equal(oof, scope.cross_fitted_scores(scope_signals(probs, cover), ~is_oos, 5))
    assert not np.allclose(oof, scope_scores(probs, cover, weights))  # not the in-sample scores
    assert (threshold, stats) == intent_train.tune_threshold(oof[~is_oos], correct, oof[is_oos], 0.01)


def test_the_top_rule_stays_when_the_combined_score_does_not_gain() -> None:
    """A top-1 probability that already separates perfectly leaves nothing to gain."""
    rng = np.random.default_rng(2)
    n_in, n_oos = 200, 50
    logits = np.vstack([np.tile([8.0, 0, 0], (n_in, 1)), np.tile([0.1, 0, 0], (n_oos, 1))])
    probs = softmax(logits + rng.normal(0, 0.01, logits.shape))
    is_oos = np.r_[np.zeros(n_in, bool), np.ones(n_oos, bool)]
    cover = rng.uniform(0, 1, n_in + n_oos)
    weights, _, stats = scope.choose_rule(
        probs, cover, is_oos, np.zeros_like(is_oos), np.ones(n_in, bool), 0.01
    )
    assert weights == [] and stats == {"accuracy": 1.0, "oos_recall": 1.0}


def test_the_coverage_words_are_the_in_scope_unigrams_of_the_vocabulary() -> None:
    texts = ["refund my money", "money back please", "track my parcel", "weather in lyon", "lyon weather"]
    corpus = Corpus.of(texts)
    vocabulary = corpus.vocabularies(np.arange(5), intent_train.TrainParams(char_min_df=1))[0]
    labels = ["refund", "refund", "shipping", OOS_LABEL, OOS_LABEL]
    words = intent_train._scope_words(
        corpus, vocabulary, np.arange(5), labels, OOS_LABEL, ["refund", "shipping"]
    )
    (weather,) = word_tokens("weather")  # as stemmed
    assert weather not in words.known and "refund" in words.known and "my parcel" not in words.known
    assert weather in words.idf  # in the vocabulary (the classifier uses it), not a coverage word
    assert words.intents["my"] == 0b11 and words.intents["money"] == 0b01
    queries = ["refund weather in paris", "my parcel", "zzz qqq", "!!"]
    signals = scope.text_signals([word_tokens(q) for q in queries], [0, 1, 0, 0], words)
    assert signals[:, 0].tolist() == [0.25, 1.0, 0.0, 0.0]
    assert signals[1, 1] == 1.0  # "my" and "parcel" are both shipping words


def test_training_and_inference_compute_the_same_text_signals(tmp_path: Path) -> None:
    """The rule is fitted on signals computed by the trainer's ScopeWords and applied to those of
    the exported model's: for the same rows they must be the same words, weights and numbers."""
    texts, labels = _pack_with_oos()
    model = IntentModel.load(_saved(train_intent_model(texts, labels), tmp_path))
    corpus = Corpus.of(texts)
    vocabulary = corpus.vocabularies(np.arange(len(texts)), intent_train.TrainParams())[0]
    trained = intent_train._scope_words(
        corpus, vocabulary, np.arange(len(texts)), labels, OOS_LABEL, model.labels
    )
    served = model.scope()
    assert (trained.known, trained.idf, trained.intents) == (served.known, served.idf, served.intents)
    assert trained.unseen_idf == served.unseen_idf
    assert served.intents[word_ngrams("refund")[0]] == 1 << model.labels.index("refund")
    queries = ["refund my money back", "refnud my mony", "track the parcel please", "qwhzkpr money", "!!"]
    tokens = [word_tokens(q) for q in queries]
    run_time: list[list[str]] = []
    probs = softmax(model.logits(queries, run_time), model.temperature)
    assert run_time == tokens  # the tokens inference collects are the trainer's
    predicted = probs.argmax(axis=1).tolist()
    assert np.array_equal(
        scope.text_signals(tokens, predicted, trained), scope.text_signals(run_time, predicted, served)
    )


def _saved(model: IntentModel, folder: Path) -> Path:
    model.save(folder / "m.npz")
    return folder / "m.npz"


def _pack_with_oos() -> tuple[list[str], list[str]]:
    """Three intents, and out-of-scope examples: one unknown word among an intent's and fillers."""
    rng = random.Random(5)
    topics = {
        "refund": "money back refund return",
        "shipping": "parcel package delivery track",
        "account": "login password email profile",
    }
    filler = [
        "i",
        "want",
        "to",
        "my",
        "the",
        "a",
        "please",
        "now",
        "can",
        "you",
        "help",
        "with",
        "about",
        "this",
        "order",
        "today",
        "need",
    ]
    texts, labels = [], []
    for label, vocab in topics.items():
        for _ in range(60):
            texts.append(" ".join([rng.choice(filler), rng.choice(vocab.split()), *rng.sample(filler, 2)]))
            labels.append(label)
    topic_words = " ".join(topics.values()).split()
    for _ in range(40):
        unknown = "".join(rng.choice(string.ascii_lowercase) for _ in range(7))
        texts.append(f"{rng.choice(filler)} {unknown} {rng.choice(topic_words)} {rng.choice(filler)}")
        labels.append(OOS_LABEL)
    texts.append("tell me about the volcano")  # a word only an out-of-scope example uses
    labels.append(OOS_LABEL)
    return texts, labels


def test_a_pack_with_out_of_scope_examples_trains_the_same_rule_twice(tmp_path: Path) -> None:
    texts, labels = _pack_with_oos()
    model = train_intent_model(texts, labels)
    again = train_intent_model(texts, labels)
    assert len(model.oos_weights) == N_WEIGHTS
    assert sum(model.oos_weights[i] for i in (2, 4, 5, 6)) > 0  # the coverages: the telling signals
    assert (model.oos_weights, model.oos_threshold) == (again.oos_weights, again.oos_threshold)
    assert np.array_equal(model.word_in_scope, again.word_in_scope)
    assert np.array_equal(model.word_intents, again.word_intents) and len(model.word_intents)
    in_scope_words = model.scope_words()
    volcano = word_ngrams("volcano")[0]  # as stemmed
    assert "refund" in in_scope_words and volcano not in in_scope_words  # OOS-only words excluded
    assert volcano in model.word_vocab  # … though the classifier uses them
    queries = ["refund my money back please", "track my parcel delivery", "qwhzkpr money"]
    predictions = model.predict(queries)
    model.save(tmp_path / "m.npz")
    loaded = IntentModel.load(tmp_path / "m.npz")
    assert loaded.oos_weights == model.oos_weights
    assert [p.label for p in loaded.predict(queries)] == [p.label for p in predictions]
    assert [p.label for p in predictions[:2]] == ["refund", "shipping"]
    assert predictions[2].label == OOS_LABEL


def test_a_typo_in_an_in_scope_query_keeps_its_label_where_an_unknown_word_is_rejected() -> None:
    """The pack's out-of-scope examples are an unknown word among an intent's words: with the
    typo coverage, a misspelt intent word ("parcle") is not mistaken for one of them."""
    texts, labels = _pack_with_oos()
    model = train_intent_model(texts, labels)
    typo_weight = 6  # [bias, *one weight per scope_signals column]: its column 5 is the typo coverage
    assert len(model.oos_weights) > typo_weight and model.oos_weights[typo_weight] > 0
    queries = ["track my parcle delivery", "track my parcel delivery", "qwhzkpr money"]
    assert [p.label for p in model.predict(queries)] == ["shipping", "shipping", OOS_LABEL]
    model.oos_weights = [*model.oos_weights[:typo_weight], 0.0]  # the same rule without it
    assert model.predict(queries[:1])[0].label == OOS_LABEL


def test_a_pack_without_out_of_scope_examples_keeps_the_top_probability_rule(tmp_path: Path) -> None:
    from tests.unit.test_intent_training import _pack

    texts, labels = _pack(40)
    model = train_intent_model(texts, labels)
    assert model.oos_weights == []
    predictions = model.predict(["money back please", "qwerty zxcv"])
    assert all(p.in_scope == (p.confidence >= model.oos_threshold) for p in predictions)
    model.save(tmp_path / "m.npz")
    assert IntentModel.load(tmp_path / "m.npz").oos_weights == []


def test_a_model_file_without_the_scope_words_still_loads(tmp_path: Path) -> None:
    texts, labels = _pack_with_oos()
    model = train_intent_model(texts, labels)
    model.oos_weights, model.word_in_scope = [], None
    model.save(tmp_path / "old.npz")
    with np.load(tmp_path / "old.npz") as data:
        assert data["word_in_scope"].shape == (0,)
        arrays = {k: data[k] for k in data.files if k != "word_in_scope"}
    np.savez(tmp_path / "older.npz", **arrays)
    loaded = IntentModel.load(tmp_path / "older.npz")
    assert loaded.word_in_scope is None and word_ngrams("volcano")[0] in loaded.scope_words()  # all count


def test_a_model_file_whose_rule_needs_the_class_words_but_lacks_them_is_refused(tmp_path: Path) -> None:
    """Without ``word_intents`` the class coverage is 0 for every query: an in-scope query would be
    rejected silently. load() refuses the file, and the support engine retrains on a refused file."""
    texts, labels = _pack_with_oos()
    model = train_intent_model(texts, labels)
    assert len(model.oos_weights) > 4  # [bias, top-1, coverage, entropy, class coverage, ...]
    model.save(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz") as data:
        arrays = {k: data[k] for k in data.files if k != "word_intents"}
    np.savez(tmp_path / "no_word_intents.npz", **arrays)
    with pytest.raises(ValueError, match="word_intents"):
        IntentModel.load(tmp_path / "no_word_intents.npz")
    model.oos_weights = model.oos_weights[:4]  # a rule without the class coverage needs none
    model.word_intents = None
    model.save(tmp_path / "older_rule.npz")
    assert IntentModel.load(tmp_path / "older_rule.npz").oos_weights == model.oos_weights


@needs_clinc
def test_real_out_of_scope_queries_fit_a_rule_that_catches_more_of_them() -> None:
    """12 CLINC150 intents calibrated on val + oos_val (real out-of-scope queries)."""
    model, _ = clinc_subset_model()
    # the four coverages (columns 1, 3, 4, 5) weigh for "in scope" together; one alone may not,
    # they are correlated (with typo'd copies in the fit, plain coverage measured -0.7)
    assert len(model.oos_weights) == N_WEIGHTS and sum(model.oos_weights[i] for i in (2, 4, 5, 6)) > 0
    assert model.meta["heldout_accuracy"] >= model.meta["heldout_accuracy_no_reject"] - 0.01 - 1e-9
    assert (
        model.meta["heldout_oos_recall"] >= 0.8
    )  # measured 0.9 (the top-1 rule alone: lower, or no weights)


@pytest.mark.parametrize(
    ("oos_rows", "reach_the_rule", "final_has_the_class"),
    [("rule", 41, True), ("rule_only", 41, False), ("class", 8, True)],
)
def test_every_out_of_scope_example_fits_the_rule_and_none_trains_the_calibration_fit(
    monkeypatch: pytest.MonkeyPatch, oos_rows: str, reach_the_rule: int, final_has_the_class: bool
) -> None:
    """The hold-out path (a pack too large for k folds): with ``oos_rows="rule"`` (the default)
    all 41 out-of-scope examples are scored by a calibration fit that never trained on them;
    with ``"class"`` only the fifth held out with the other intents' rows."""
    from agentops_cli.nlp import intent_train

    monkeypatch.setattr(intent_train, "CV_MAX_ROWS", 20)
    fitted: list[list[str]] = []
    fit_svm = intent_train.fit_svm

    def spy(features, labels, params):
        fitted.append(list(labels))
        return fit_svm(features, labels, params)

    monkeypatch.setattr(intent_train, "fit_svm", spy)
    texts, labels = _pack_with_oos()
    assert labels.count(OOS_LABEL) == 41
    model = train_intent_model(texts, labels, params=intent_train.TrainParams(oos_rows=oos_rows))
    assert model.meta["heldout_oos_rows"] == reach_the_rule
    final, calibration = sorted(fitted, key=len, reverse=True)
    assert (OOS_LABEL in calibration) == (oos_rows == "class")
    assert (OOS_LABEL in final) == (OOS_LABEL in model.labels) == final_has_the_class
    # 41 out-of-scope rows fit the logistic rule; the 8 held out with "class" are too few for it
    assert (len(model.oos_weights) == N_WEIGHTS) == (oos_rows != "class")
    if oos_rows != "class":  # an unknown word next to an intent's: caught by the fitted rule
        assert model.predict(["qwhzkpr money"])[0].label == OOS_LABEL
    assert [p.label for p in model.predict(["refund my money back please"])] == ["refund"]


def test_a_pack_without_out_of_scope_examples_trains_the_same_model_either_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``oos_rows`` only moves out-of-scope rows: without any, the hold-out path is unchanged
    (so the no-OOS rejection cost of docs/benchmarks.md still holds for intent-v11)."""
    from agentops_cli.nlp import intent_train
    from tests.unit.test_intent_training import _pack

    monkeypatch.setattr(intent_train, "CV_MAX_ROWS", 20)
    texts, labels = _pack(30)
    rule = train_intent_model(texts, labels)
    klass = train_intent_model(texts, labels, params=intent_train.TrainParams(oos_rows="class"))
    assert rule.meta["calibrated_on"].startswith("hold-out") and rule.meta["heldout_oos_rows"] == 0
    assert np.array_equal(rule.coef, klass.coef) and rule.labels == klass.labels
    assert (rule.temperature, rule.oos_threshold) == (klass.temperature, klass.oos_threshold)
    # nor do typo'd copies change anything there: without out-of-scope rows none are made
    plain = train_intent_model(texts, labels, params=intent_train.TrainParams(noisy_weight=0.0))
    assert np.array_equal(rule.coef, plain.coef) and rule.oos_weights == plain.oos_weights == []
    assert (rule.temperature, rule.oos_threshold) == (plain.temperature, plain.oos_threshold)


def test_typo_copies_are_deterministic_one_or_two_edited_words() -> None:
    text = "please track my parcel delivery today"
    copies = [scope.typo_copy(text, row) for row in range(40)]
    assert copies == [scope.typo_copy(text, row) for row in range(40)]  # same row, same copy
    assert len(set(copies)) > 10  # rows differ
    for copy in copies:
        changed = [(a, b) for a, b in zip(text.split(), copy.split(), strict=True) if a != b]
        assert 1 <= len(changed) <= 2
        assert all(abs(len(a) - len(b)) <= 1 for a, b in changed)  # one swap, drop or insert each
    assert scope.typo_copy("ok hi", 3) == "ok hi"  # no word of 3+ letters: nothing to misspell


@pytest.mark.parametrize("small", [True, False])
def test_typo_copies_fit_the_rule_only_never_a_classifier(
    monkeypatch: pytest.MonkeyPatch, small: bool
) -> None:
    """With or without copies (``noisy_weight``), the classifiers fit the same rows — same final
    model, same temperature; only the scope weights differ. ``small``: the k-fold path; else the
    hold-out path, where every fit's labels are checked too."""
    from agentops_cli.nlp.intent_train import TrainParams

    if not small:
        monkeypatch.setattr(intent_train, "CV_MAX_ROWS", 20)
    fitted: list[list[str]] = []
    fit_svm = intent_train.fit_svm

    def spy(features, labels, params):
        fitted.append([*labels, str(features.shape[0])])
        return fit_svm(features, labels, params)

    monkeypatch.setattr(intent_train, "fit_svm", spy)
    texts, labels = _pack_with_oos()
    plain = train_intent_model(texts, labels, params=TrainParams(noisy_weight=0.0))
    fits_plain, fitted[:] = list(fitted), []
    noisy = train_intent_model(texts, labels, params=TrainParams(noisy_weight=0.1))
    assert fitted == fits_plain  # the same rows and labels reach every SVM fit
    assert np.array_equal(plain.coef, noisy.coef) and plain.temperature == noisy.temperature
    assert plain.oos_weights and noisy.oos_weights and plain.oos_weights != noisy.oos_weights
    default = train_intent_model(texts, labels)  # the default weight (0.25), deterministic
    assert default.oos_weights == train_intent_model(texts, labels).oos_weights
    assert default.oos_weights not in (plain.oos_weights, noisy.oos_weights)


def test_a_typo_d_in_scope_query_keeps_its_label_with_the_default_params() -> None:
    """The rule fitted without copies rejects the misspelt "pasword" (an unknown word next to an
    intent's looks like the pack's out-of-scope examples); with the engine's default copies it
    keeps its intent, while a truly unknown word is still rejected."""
    from agentops_cli.nlp.intent_train import TrainParams

    texts, labels = _pack_with_oos()
    queries = ["i want my pasword", "i want my password", "qwhzkpr money"]
    model = train_intent_model(texts, labels)
    assert [p.label for p in model.predict(queries)] == ["account", "account", OOS_LABEL]
    without = train_intent_model(texts, labels, params=TrainParams(noisy_weight=0.0))
    assert without.predict(queries[:1])[0].label == OOS_LABEL


def test_threshold_rules_pick_different_points_of_the_same_trade_off() -> None:
    """60 in-scope rows (all right) and 20 out-of-scope ones; the budget allows 10 points."""
    in_conf = np.linspace(0.3, 0.9, 60)
    correct = np.ones(60, dtype=bool)
    oos_conf = np.linspace(0.1, 0.5, 20)
    tune = intent_train.tune_threshold
    whole, stats = tune(in_conf, correct, oos_conf, 0.1)
    assert stats == {"accuracy": 0.9, "oos_recall": 0.65}  # sum: the whole budget spent
    # count: past 0.3 each step loses more in-scope rows (60 over 0.6) than it catches (20 over 0.4)
    count, count_stats = tune(in_conf, correct, oos_conf, 0.1, rule="count")
    assert count < whole and count_stats == {"accuracy": 1.0, "oos_recall": 0.5}
    target, target_stats = tune(in_conf, correct, oos_conf, 0.1, rule="target", target_recall=0.6)
    assert count < target < whole and target_stats["oos_recall"] == 0.6  # least cost reaching 0.6
    assert stats["accuracy"] < target_stats["accuracy"] < 1.0
    assert tune(in_conf, correct, oos_conf, 0.1, rule="target", target_recall=0.99) == (whole, stats)
    with pytest.raises(ValueError, match="threshold_rule"):
        tune(in_conf, correct, oos_conf, 0.1, rule="best")
