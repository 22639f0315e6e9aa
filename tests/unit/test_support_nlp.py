"""Shared offline NLP: tokenisation, language detection, BM25 retrieval, the intent engine."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest

from agentops_cli.nlp.intent import OOS_LABEL, IntentModel, char_ngrams, softmax, word_ngrams
from agentops_cli.nlp.intent_train import TrainParams, fit_temperature, train_intent_model, tune_threshold
from agentops_cli.nlp.language import detect_language
from agentops_cli.nlp.retrieval import BM25Index, Hit
from agentops_cli.nlp.text import fold, stem, terms
from tests.conftest import SHARED, needs_shared

CLINC = SHARED / "datasets" / "clinc150" / "data_full.json"
needs_clinc = needs_shared("datasets/clinc150/data_full.json")


# -- text ---------------------------------------------------------------------------------------
def test_fold_strips_accents_and_lowercases() -> None:
    assert fold("Devolución ÁRBOL") == "devolucion arbol"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("package", "packages"),
        ("charge", "charged"),
        ("pedido", "pedidos"),
        ("factura", "facturación"),
        ("cancelar", "cancelación"),
        ("devolución", "devoluciones"),
        ("refund", "refunds"),
    ],
)
def test_stemmer_merges_inflections(a: str, b: str) -> None:
    assert terms(a) == terms(b)


def test_terms_drop_stopwords_in_both_languages_but_keep_digits() -> None:
    assert terms("Where is my order 5521?") == ["order", "5521"]
    assert terms("¿Dónde está mi pedido?") == ["pedid"]
    assert stem("abc") == "abc"


# -- language -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("I was charged twice for my order", "en"),
        ("Me cobraron dos veces el mismo pedido", "es"),
        ("¿Dónde está mi paquete?", "es"),
        ("la app no funciona", "es"),
        ("my package never arrived", "en"),
        ("Cancelar suscripción", "es"),
    ],
)
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_detect_language_falls_back_to_default_without_evidence() -> None:
    assert detect_language("ok 123", default="es") == "es"
    assert detect_language("", default="en") == "en"


# -- retrieval ----------------------------------------------------------------------------------
PASSAGES = [
    ("refunds#times", "Refunds reach your card in 5 to 10 business days after we receive the return."),
    ("shipping#late", "If your package is late or lost, tell us within 14 days and we send a replacement."),
    ("billing#duplicate", "A duplicate charge is usually a hold that your bank releases in 3 to 5 days."),
    ("es#reembolso", "El reembolso llega a tu tarjeta en 5 a 10 días hábiles."),
]


def test_bm25_ranks_the_matching_passage_first_with_scores() -> None:
    index = BM25Index(PASSAGES)
    hits = index.search("my package is lost", k=2)
    assert hits[0].id == "shipping#late"
    assert hits[0].score > 0
    assert all(isinstance(h, Hit) for h in hits)
    assert index.search("¿cuándo llega mi reembolso?", k=1)[0].id == "es#reembolso"
    assert len(index) == 4


def test_bm25_no_match_min_score_and_batch() -> None:
    index = BM25Index(PASSAGES)
    assert index.search("quantum chromodynamics") == []
    assert index.search("charge", min_score=100.0) == []
    many = index.search_many(["duplicate charge", "refund card"], k=1)
    assert [h[0].id for h in many] == ["billing#duplicate", "refunds#times"]
    assert BM25Index([]).search("anything") == []


def test_bm25_rejects_duplicate_ids() -> None:
    with pytest.raises(ValueError, match="duplicate passage ids: a"):
        BM25Index([("a", "x"), ("a", "y")])


# -- intent engine ------------------------------------------------------------------------------
def test_char_ngrams_match_scikit_learn_char_wb() -> None:
    from sklearn.feature_extraction.text import CountVectorizer

    text = "Hi  a refund, por favor: devolución!"
    vec = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=True, strip_accents="unicode")
    assert sorted(char_ngrams(text)) == sorted(vec.build_analyzer()(text))
    assert word_ngrams("my refunds arrived") == ["my", "refund", "arriv", "my refund", "refund arriv"]


@functools.cache
def _clinc() -> dict[str, list[list[str]]]:
    return json.loads(CLINC.read_text(encoding="utf-8"))


def _clinc_subset(n_intents: int = 12) -> dict[str, list[list[str]]]:
    data = _clinc()
    keep = sorted({label for _, label in data["train"]})[:n_intents]
    return {split: [row for row in data[split] if row[1] in keep] for split in ("train", "val", "test")} | {
        "oos_val": data["oos_val"],
        "oos_test": data["oos_test"][:200],
    }


@functools.cache
def clinc_subset_model() -> tuple[IntentModel, dict]:
    """A real model on real data: 12 CLINC150 intents, calibrated on val + oos_val (trained once
    per process: the scope tests read the same model)."""
    data = _clinc_subset()
    val = data["val"] + [[t, OOS_LABEL] for t, _ in data["oos_val"]]
    model = train_intent_model(
        [t for t, _ in data["train"]],
        [lab for _, lab in data["train"]],
        val_texts=[t for t, _ in val],
        val_labels=[lab for _, lab in val],
    )
    return model, data


@pytest.fixture(scope="module")
def clinc_model() -> tuple[IntentModel, dict]:
    return clinc_subset_model()


@needs_clinc
def test_engine_on_real_clinc_subset(clinc_model: tuple[IntentModel, dict]) -> None:
    model, data = clinc_model
    preds = model.predict([t for t, _ in data["test"]])
    accuracy = np.mean([p.label == gold for p, (_, gold) in zip(preds, data["test"], strict=True)])
    oos = model.predict([t for t, _ in data["oos_test"]])
    recall = np.mean([p.label == OOS_LABEL and not p.in_scope for p in oos])
    assert accuracy >= 0.9
    assert recall >= 0.6
    assert 0.0 < model.oos_threshold < 1.0
    assert model.meta["calibrated_on"] == "validation"
    assert all(0.0 <= p.confidence <= 1.0 for p in preds)


@needs_clinc
def test_engine_inference_matches_scikit_learn(clinc_model: tuple[IntentModel, dict]) -> None:
    """Training's own TF-IDF and the numpy inference both equal scikit-learn's ``TfidfVectorizer``
    fitted on the training rows (held-out words included in the probe), and the exported model
    scores exactly as the fitted SVM does on those features."""
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer

    from agentops_cli.nlp.intent_train import Corpus, _export, _fit_linear

    data = _clinc_subset(4)
    texts, labels = [t for t, _ in data["train"]], [lab for _, lab in data["train"]]
    probe = [t for t, _ in data["test"][:50]] + ["", "!!!", "Devolución rápida"]
    corpus = Corpus.of(texts + probe)
    rows, probe_rows = np.arange(len(texts)), np.arange(len(texts), len(texts) + len(probe))
    vocabularies, fit = _fit_linear(corpus, rows, labels, TrainParams())
    model = _export(corpus, vocabularies, fit)
    common = {"lowercase": False, "sublinear_tf": True}
    word = TfidfVectorizer(analyzer=word_ngrams, **common).fit(texts)
    char = TfidfVectorizer(analyzer=char_ngrams, min_df=2, **common).fit(texts)
    reference = sp.hstack([word.transform(probe), char.transform(probe)]).tocsr()
    ours = corpus.features(probe_rows, vocabularies)
    assert model.word_vocab == word.vocabulary_ and model.char_vocab == char.vocabulary_
    assert abs(ours - reference).max() < 1e-12
    assert np.allclose(model.logits(probe), fit.decision_function(reference), atol=1e-4)
    assert np.allclose(softmax(model.logits(probe)).sum(axis=1), 1.0)


@needs_clinc
def test_model_save_load_roundtrip(tmp_path: Path, clinc_model: tuple[IntentModel, dict]) -> None:
    model, data = clinc_model
    path = tmp_path / "m" / "model.npz"
    model.save(path)
    loaded = IntentModel.load(path)
    probe = [t for t, _ in data["test"][:20]]
    assert np.allclose(loaded.predict_proba(probe), model.predict_proba(probe))
    assert loaded.oos_threshold == model.oos_threshold
    assert [p.name for p in path.parent.iterdir()] == ["model.npz"]  # no temp file left behind


def test_small_training_uses_cross_validation_and_binary_problems_work() -> None:
    texts = [
        "refund my money",
        "give me my money back",
        "I want a refund",
        "refund please now",
        "money back for my order",
        "where is my parcel",
        "track my package",
        "my order is late",
        "parcel not delivered",
        "package tracking number",
    ]
    labels = ["refund"] * 5 + ["shipping"] * 5
    model = train_intent_model(texts, labels)
    assert model.labels == ["refund", "shipping"]
    assert model.coef.shape[1] == 2
    assert model.meta["calibrated_on"] == "5-fold cross-validation"
    assert model.predict(["I want my money back"])[0].label == "refund"
    with pytest.raises(ValueError, match="at least two labels"):
        train_intent_model(["a", "b"], ["x", "x"])


def test_fit_temperature_and_tune_threshold() -> None:
    rng = np.random.default_rng(0)
    gold = rng.integers(0, 3, 300)
    logits = rng.normal(0, 1, (300, 3))
    logits[np.arange(300), gold] += 2.0
    sharp = fit_temperature(logits * 5, gold)
    assert sharp > 1.0  # over-confident scores are flattened
    conf = np.array([0.9, 0.8, 0.3, 0.95])
    correct = np.array([True, True, True, False])
    threshold, stats = tune_threshold(conf, correct, np.array([0.2, 0.25, 0.7]), max_accuracy_drop=0.0)
    assert threshold == 0.255  # the lowest threshold reaching the best accuracy + recall
    assert stats == {"accuracy": 0.75, "oos_recall": 0.6667}
    # Without out-of-scope examples the threshold may cost at most max_accuracy_drop.
    in_conf = np.linspace(0.2, 0.99, 100)
    in_correct = np.arange(100) >= 5  # the five least confident answers are the wrong ones
    threshold, stats = tune_threshold(in_conf, in_correct, np.array([]), max_accuracy_drop=0.01)
    assert stats["accuracy"] >= 0.95 - 0.01
    assert threshold > 0.2
    assert stats["oos_recall"] == 0.0


def test_large_packs_calibrate_on_one_stratified_holdout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above CV_MAX_ROWS one hold-out fit replaces k folds; the final model still sees every row."""
    from agentops_cli.nlp import intent_train

    monkeypatch.setattr(intent_train, "CV_MAX_ROWS", 20)
    words = {"refund": "money back refund return", "shipping": "parcel package delivery track"}
    texts, labels = [], []
    for label, vocab in words.items():
        for i in range(30):
            parts = vocab.split()
            texts.append(f"{parts[i % 4]} {parts[(i + 1) % 4]} please {i}")
            labels.append(label)
    texts.append("unrelated weather question")
    labels.append("solo")  # a one-row class cannot be held out: it stays in the fit rows
    model = train_intent_model(texts, labels)
    assert model.meta["calibrated_on"] == "hold-out (12 rows)"
    assert model.meta["n_examples"] == 61
    assert model.labels == ["refund", "shipping", "solo"]
    assert model.predict(["where is my parcel"])[0].top[0][0] == "shipping"
    assert model.meta["heldout_accuracy_no_reject"] == 1.0


def test_training_the_same_pack_twice_gives_the_same_model() -> None:
    """One liblinear at a time: its shared random generator makes capped fits depend on nothing
    but the data and the seed, so a pack's cached model is reproducible."""
    from agentops_cli.nlp.intent_train import Corpus, fit_svm

    texts = [f"{verb} my {thing} please" for verb in ("cancel", "track", "refund", "change") for thing in
             ("order", "parcel", "payment", "invoice", "account", "plan")]  # fmt: skip
    labels = [text.split()[0] for text in texts]
    params = TrainParams()
    corpus, rows = Corpus.of(texts), np.arange(len(texts))
    features = corpus.features(rows, corpus.vocabularies(rows, params))
    first, second = fit_svm(features, labels, params), fit_svm(features, labels, params)
    assert first.classes == ["cancel", "change", "refund", "track"]
    assert np.array_equal(first.coef, second.coef) and np.array_equal(first.intercept, second.intercept)


def test_batch_inference_handles_empty_batches_long_batches_and_a_bounded_word_cache(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Batches larger than one chunk score like one text at a time; the word cache stays bounded."""
    from agentops_cli.nlp import intent

    texts = [f"refund {i} money back" if i % 2 else f"track parcel {i} package" for i in range(40)]
    labels = ["refund" if i % 2 else "shipping" for i in range(40)]
    model = train_intent_model(texts, labels)
    assert model.predict([]) == []
    monkeypatch.setattr(intent, "CHUNK", 7)
    monkeypatch.setattr(intent, "MAX_CACHED_WORDS", 5)
    probe = [*texts, "", "¿Dónde está mi paquete?", "zzz qqq"]
    batch = model.logits(probe)
    one_by_one = np.vstack([model.logits([t]) for t in probe])
    assert np.allclose(batch, one_by_one)
    assert np.allclose(batch[-3], model.intercept)  # nothing in the vocabulary: the intercept only
    assert len(model._char_cache) <= 5 + len(probe[-1].split())
    assert [p.label for p in model.predict(["refund 3 money back", "track parcel 8 package"])] == [
        "refund",
        "shipping",
    ]


def test_binary_pack_calibrated_on_a_validation_set() -> None:
    """Two intents + a validation set: the held-out scores take the exported two-column form."""
    texts = [f"refund my money {i}" for i in range(10)] + [f"track my parcel {i}" for i in range(10)]
    labels = ["refund"] * 10 + ["shipping"] * 10
    model = train_intent_model(
        texts,
        labels,
        val_texts=["money back please", "where is the parcel", "weather today"],
        val_labels=["refund", "shipping", OOS_LABEL],
    )
    assert model.meta["calibrated_on"] == "validation"
    assert model.labels == [OOS_LABEL, "refund", "shipping"]  # the OOS row was refit as a class
    assert model.meta["heldout_accuracy_no_reject"] == 1.0
    assert model.predict(["refund my money"])[0].top[0][0] == "refund"


def test_long_words_are_scored_but_never_cached() -> None:
    """The word caches count entries, not bytes: a pasted 5,000-character token must not stay."""
    from agentops_cli.nlp import intent

    texts = [f"refund {i} money back" if i % 2 else f"track parcel {i} package" for i in range(20)]
    model = train_intent_model(texts, ["refund" if i % 2 else "shipping" for i in range(20)])
    long_word = "refund" + "x" * 5000
    before = intent._word_char_ngrams.cache_info().currsize
    logits = model.logits([f"refund {long_word}"])
    assert np.allclose(logits, model.logits([f"refund {long_word}"]))
    assert long_word not in model._char_cache
    assert intent._word_char_ngrams.cache_info().currsize - before <= 1  # "refund" at most, not the long word
    assert len(intent.char_ngrams(long_word)) > 10_000  # still read in full
