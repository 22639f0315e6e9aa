"""CLINC150 model variants for issue 21, scored on the VALIDATION split only (never on test).

Each variant trains on ``train`` (optionally + ``oos_train`` as an ``out_of_scope`` class), fits
the temperature on ``val`` and picks the out-of-scope threshold on ``val`` + ``oos_val`` with
the engine's own rule (:func:`tune_threshold`) at a 1-point and a 3-point accuracy budget. A
variant is adopted by the engine only if it beats the current one here; the test split is
read once, by ``bench_clinc150.py``, for the adopted engine.

    .venv/bin/python bench/clinc150_variants.py '{}' '{"char_weight": 0.7}' '{"C": 1.0}' \\
        '{"with_oos_train": true}' '{"lr_C": 10}' [--out bench/results/clinc150_variants.json] [--merge]
    .venv/bin/python bench/clinc150_variants.py --folds 5 '{}' …  # 5-fold CV on train instead

Keys (combinable):
- any :class:`TrainParams` field: ``C``, ``max_iter``, ``char_min_df``, ….
- ``char_weight``: scale of the character block against the word block.
- ``with_oos_train``: ``oos_train`` rows as an ``out_of_scope`` class.
- ``lr_C``: also fit a multinomial logistic regression and average its calibrated
  probabilities with the SVM's.
- ``train_per_class``: train on the first that-many rows of each intent only (a small pack).
- ``augment``: ``{"copies": k, "delete": p, "swap": n, "stopwords": bool, "seed": s,
  "max_per_class": m}`` — extra rows made from the training rows alone (random word deletion,
  word swaps, stop-word dropping), see ``bench/intent_augment.py``.
- ``blocks``: extra TF-IDF blocks appended to the engine's word + character ones:
  ``"raw_words"`` (unstemmed word 1–2-grams), ``"skipgrams"`` (word pairs one word apart),
  ``"trigrams"`` (stemmed word 3-grams, min_df 2), ``"edges"`` (first and last word marked as
  such: ``<s> what``, ``balance </s>``),
  ``"char"`` (character 2–5-grams across word boundaries), ``"char_1_6"`` (inside word
  boundaries, 1–6); weight of each ``block_weight`` (default 1).
- ``lsa``: that many TruncatedSVD components of the training features appended (×
  ``lsa_weight``).
- ``nb``: NB-SVM — each one-vs-rest SVM sees the features scaled by its class's naive-Bayes
  log-count ratio (``nb_alpha`` smoothing, ``nb_beta`` interpolation towards the mean weight);
  the product is still one linear model per class.
- ``svm``: other LinearSVC options, e.g. ``{"multi_class": "crammer_singer"}``, ``{"loss": "hinge"}``.
- ``tf``: term-frequency weighting instead of the engine's sublinear ``1 + ln tf``:
  ``"binary"`` (1 per term present) or ``"bm25"`` (saturation ``tf (k1 + 1) / (tf + k1)``,
  ``bm25_k1``, default 1.2; no length term: rows are L2-normalised anyway).
- ``char_range``: ``[low, high]`` character n-gram lengths instead of the engine's 2–5.
- ``word_min_df``: the word block's minimum document frequency (the engine's is 1).
- ``chi2_char``: keep only that many character n-gram columns, the highest chi² against the
  intents on the training rows (fewer features, faster fits).
- ``centroid``: ``{"weight": b}`` — a class-centroid (Rocchio) view: the cosine of the row with
  each intent's mean training row, ``b`` × it added to the SVM's scores before calibration
  (still one linear model, so inference would be unchanged).
- ``sgd``: ``{"loss": "modified_huber"|"log_loss"|"hinge", "alpha": a, "weight": b, "epochs": n}``
  — a second linear model (``SGDClassifier``, one-vs-rest, class-balanced) on the same features,
  ``b`` × its scores added to the SVM's before calibration (a log-linear ensemble: one linear
  model again).
- ``second_svm``: LinearSVC options of a second SVM on the same features (e.g.
  ``{"multi_class": "ovr"}``), its calibrated probabilities averaged with the engine's.
- ``pairwise``: ``{"gap": g}`` — where a row's two most probable intents differ by less than
  ``g`` in calibrated probability, a binary SVM fitted on those two intents' training rows
  alone decides their order (specialists for confusable pairs).
- ``knn``: ``{"k": k, "lambda": l, "power": p}`` — cosine k-nearest-neighbour vote over the
  training rows (each neighbour votes ``similarity ** p`` for its intent, normalised), mixed
  with the calibrated SVM probabilities: ``(1 - l) p_svm + l p_knn``.
  Variants of one invocation that differ only in ``centroid`` / ``knn`` / ``sgd`` share one SVM
  fit; its CPU is counted in each of them (``fit_cpu_s``), the extra view's in ``extra_cpu_s``.
- ``views``: list of views (``"word"``, ``"char"``, ``"all"``) each fitted by its own SVM,
  calibrated probabilities averaged.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

from common import RESULTS, load_clinc

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))


def _extra_block(name: str, train_texts: list[str], other_texts: list[str]):
    """An extra TF-IDF block (scikit-learn's vectoriser: exploration only, fitted on train)."""
    from itertools import pairwise

    from sklearn.feature_extraction.text import TfidfVectorizer

    from agentops_cli.nlp.intent import normalize, word_tokens
    from agentops_cli.nlp.text import words

    def raw_words(text: str) -> list[str]:
        tokens = [w for w in words(text) if len(w) > 1]
        return ["w:" + t for t in tokens] + [f"w:{a} {b}" for a, b in pairwise(tokens)]

    def trigrams(text: str) -> list[str]:
        tokens = word_tokens(text)
        return [f"{a} {b} {c}" for a, b, c in zip(tokens, tokens[1:], tokens[2:], strict=False)]

    def edges(text: str) -> list[str]:
        tokens = ["<s>", *word_tokens(text), "</s>"]
        return [f"{tokens[0]} {tokens[1]}", f"{tokens[-2]} {tokens[-1]}"] if len(tokens) > 2 else []

    def skipgrams(text: str) -> list[str]:
        tokens = [w for w in words(text) if len(w) > 1]
        return [f"{a} _ {b}" for a, b in zip(tokens, tokens[2:], strict=False)]

    vectorizers = {
        "raw_words": TfidfVectorizer(analyzer=raw_words, sublinear_tf=True),
        "skipgrams": TfidfVectorizer(analyzer=skipgrams, sublinear_tf=True, min_df=2),
        "trigrams": TfidfVectorizer(analyzer=trigrams, sublinear_tf=True, min_df=2),
        "edges": TfidfVectorizer(analyzer=edges, sublinear_tf=True, min_df=2),
        "char": TfidfVectorizer(
            analyzer="char", ngram_range=(2, 5), sublinear_tf=True, min_df=2, preprocessor=normalize
        ),
        "char_1_6": TfidfVectorizer(
            analyzer="char_wb", ngram_range=(1, 6), sublinear_tf=True, min_df=2, preprocessor=normalize
        ),
    }
    vec = vectorizers[name]
    return vec.fit_transform(train_texts), vec.transform(other_texts)


def _nb_svm(train_x, labels: list[str], params, alpha: float, beta: float = 1.0):
    """One-vs-rest linear SVMs on naive-Bayes-scaled features, folded back into one linear model."""
    import numpy as np
    from sklearn.svm import LinearSVC

    from agentops_cli.nlp.intent_train import LinearFit

    y = np.asarray(labels, dtype=object).astype(str)
    classes = sorted(set(y.tolist()))
    binary = train_x.copy()
    binary.data[:] = 1.0
    counts = {c: np.asarray(binary[y == c].sum(axis=0)).ravel() for c in classes}
    total = sum(counts.values())
    coef, intercept = [], []
    for c in classes:
        p, q = counts[c] + alpha, total - counts[c] + alpha
        r = np.log((p / p.sum()) / (q / q.sum()))
        weight = len(y) / (len(classes) * (y == c).sum())
        svm = LinearSVC(
            C=params.C,
            tol=params.tol,
            max_iter=params.max_iter,
            class_weight={1: weight, 0: 1.0},
            random_state=params.seed,
        )
        svm.fit(train_x.multiply(r).tocsr(), (y == c).astype(int))
        w = svm.coef_[0]
        coef.append(((1 - beta) * np.abs(w).mean() + beta * w) * r)  # Wang & Manning's interpolation
        intercept.append(svm.intercept_[0])
    return LinearFit(classes=classes, coef=np.vstack(coef), intercept=np.array(intercept))


def _svm_with(train_x, labels: list[str], params, options: dict):
    """The engine's SVM with other LinearSVC options (``loss``, ``multi_class``, ``penalty``)."""
    from sklearn.svm import LinearSVC

    from agentops_cli.nlp.intent_train import LinearFit

    svm = LinearSVC(
        C=params.C,
        tol=params.tol,
        max_iter=params.max_iter,
        class_weight="balanced",
        random_state=params.seed,
        **options,
    ).fit(train_x, labels)
    return LinearFit(classes=[str(c) for c in svm.classes_], coef=svm.coef_, intercept=svm.intercept_)


def _per_class(rows: list, limit: int) -> list:
    """The first ``limit`` training rows of each intent (all when 0): a small pack's budget."""
    if not limit:
        return rows
    taken: dict[str, int] = {}
    kept = []
    for text, label in rows:
        if taken.get(label, 0) < limit:
            taken[label] = taken.get(label, 0) + 1
            kept.append([text, label])
    return kept


# Keys applied after the SVM fit: variants differing only in these share one fit (``_FITS``).
POST_FIT_KEYS = ("centroid", "knn", "sgd", "second_svm", "pairwise")
_FITS: dict[str, tuple] = {}
MAX_FITS = 5  # one per cross-validation fold


def _tf_features(corpus, rows, vocabularies, tf: str, k1: float):
    """The engine's word + character TF-IDF with another term-frequency weighting (``tf``)."""
    import numpy as np
    import scipy.sparse as sp

    blocks = []
    for counts, vocabulary in zip((corpus.word, corpus.char), vocabularies, strict=True):
        sub = counts.matrix[rows][:, vocabulary.columns].tocsr()
        raw = sub.data.astype(np.float64)
        weight = np.ones_like(raw) if tf == "binary" else raw * (k1 + 1.0) / (raw + k1)
        data = weight * vocabulary.idf[sub.indices]
        row_of = np.repeat(np.arange(sub.shape[0]), np.diff(sub.indptr))
        norms = np.sqrt(np.bincount(row_of, weights=data * data, minlength=sub.shape[0]))
        blocks.append(sp.csr_matrix((data / norms[row_of], sub.indices, sub.indptr), shape=sub.shape))
    return sp.hstack(blocks, format="csr")


def _chi2_columns(train_x, labels: list[str], char_start: int, keep: int):
    """Every word column and the ``keep`` character columns of highest chi² on the training rows."""
    import numpy as np
    from sklearn.feature_selection import chi2

    scores, _ = chi2(train_x[:, char_start:], labels)
    scores = np.nan_to_num(scores, nan=0.0)
    best = np.sort(np.argsort(-scores, kind="stable")[:keep]) + char_start
    return np.concatenate([np.arange(char_start), best])


def _centroid_scores(train_x, labels: list[str], classes: list[str], other):
    """Cosine of each ``other`` row with each class's mean training row, in ``classes`` order."""
    import numpy as np
    import scipy.sparse as sp

    index = {c: i for i, c in enumerate(classes)}
    member = sp.csr_matrix(
        (np.ones(len(labels)), ([index[lab] for lab in labels], np.arange(len(labels)))),
        shape=(len(classes), len(labels)),
    )
    centroids = np.asarray((member @ train_x).todense())
    centroids /= np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-12)
    norms = np.sqrt(np.asarray(other.multiply(other).sum(axis=1))).ravel()
    return np.asarray(other @ centroids.T) / np.maximum(norms, 1e-12)[:, None]


def _knn_probs(train_x, labels: list[str], classes: list[str], other, k: int, power: float):
    """Each ``other`` row's k nearest training rows (cosine) voting ``similarity ** power`` for
    their intents, normalised to a distribution (uniform when no neighbour is similar at all)."""
    import numpy as np

    index = {c: i for i, c in enumerate(classes)}
    codes = np.array([index[lab] for lab in labels])
    train_norm = np.sqrt(np.asarray(train_x.multiply(train_x).sum(axis=1))).ravel()
    other_norm = np.sqrt(np.asarray(other.multiply(other).sum(axis=1))).ravel()
    out = np.zeros((other.shape[0], len(classes)))
    for first in range(0, other.shape[0], 500):
        sims = (other[first : first + 500] @ train_x.T).toarray()
        sims /= np.maximum(other_norm[first : first + 500, None] * train_norm[None, :], 1e-12)
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        votes = np.take_along_axis(sims, top, axis=1).clip(0.0, None) ** power
        block = out[first : first + 500]
        np.add.at(block, (np.repeat(np.arange(len(top)), k), codes[top].ravel()), votes.ravel())
    totals = out.sum(axis=1, keepdims=True)
    return np.where(totals > 0, out / np.where(totals > 0, totals, 1.0), 1.0 / len(classes))


def _sgd_scores(train_x, labels: list[str], classes: list[str], others: list, options: dict, seed: int):
    """A one-vs-rest SGDClassifier's scores of ``others``, in ``classes`` order."""
    from sklearn.linear_model import SGDClassifier

    sgd = SGDClassifier(
        loss=options.get("loss", "modified_huber"),
        alpha=options.get("alpha", 1e-5),
        max_iter=options.get("epochs", 10),
        tol=None,
        class_weight="balanced",
        random_state=seed,
    ).fit(train_x, labels)
    order = [list(sgd.classes_).index(c) for c in classes]
    return [sgd.decision_function(x)[:, order] for x in others]


def _pairwise(train_x, labels: list[str], classes: list[str], probs, other, gap: float, params):
    """``probs`` with each row's top two intents re-decided by a binary SVM trained on those two
    intents' rows alone, where their calibrated probabilities differ by less than ``gap`` (the
    specialist's choice takes the top probability, the other the second)."""
    import numpy as np

    from agentops_cli.nlp import intent_train as it

    rows_of = {c: [i for i, lab in enumerate(labels) if lab == c] for c in classes}
    order = np.argsort(-probs, axis=1, kind="stable")[:, :2]
    top = np.take_along_axis(probs, order, axis=1)
    out = probs.copy()
    specialists: dict[tuple[int, int], object] = {}
    for row in np.flatnonzero(top[:, 0] - top[:, 1] < gap):
        a, b = sorted(order[row].tolist())
        if (a, b) not in specialists:
            rows = rows_of[classes[a]] + rows_of[classes[b]]
            specialists[a, b] = it.fit_svm(train_x[rows], [labels[i] for i in rows], params)
        fit = specialists[a, b]
        margin = float(fit.decision_function(other[row])[0])  # > 0: the second class (b)
        winner, loser = (b, a) if margin > 0 else (a, b)
        out[row, winner], out[row, loser] = top[row, 0], top[row, 1]
    return out


def _fitted(variant: dict, data: dict) -> tuple:
    """(train_x, val_x, oos_x, labels, fit, cpu seconds) of a variant's SVM, fitted once per
    invocation for every variant that shares its keys apart from ``POST_FIT_KEYS``."""
    key = json.dumps(
        [{k: v for k, v in variant.items() if k not in POST_FIT_KEYS}, len(data["train"]), data["val"][:3]],
        sort_keys=True,
    )
    if key not in _FITS:
        if len(_FITS) >= MAX_FITS:  # the oldest goes: memory stays that of a few fits
            del _FITS[next(iter(_FITS))]
        _FITS[key] = _fit_variant(variant, data)
    return _FITS[key]


def _fit_variant(variant: dict, data: dict) -> tuple:
    import numpy as np
    import scipy.sparse as sp

    from agentops_cli.nlp import intent_train as it
    from agentops_cli.nlp.intent import OOS_LABEL

    fields = it.TrainParams.__dataclass_fields__
    params = it.TrainParams(**{k: v for k, v in variant.items() if k in fields})
    rows = _per_class(data["train"], variant.get("train_per_class", 0)) + (
        [[t, OOS_LABEL] for t, _ in data["oos_train"]] if variant.get("with_oos_train") else []
    )
    cpu = time.process_time()
    if "augment" in variant:
        from intent_augment import AugmentParams, augment

        texts, labels = augment(
            [t for t, _ in rows], [lab for _, lab in rows], AugmentParams(**variant["augment"])
        )
        rows = [list(pair) for pair in zip(texts, labels, strict=True)]
    val_texts = [t for t, _ in data["val"]]
    oos_texts = [t for t, _ in data["oos_val"]]
    n, n_val = len(rows), len(val_texts)
    all_texts = [t for t, _ in rows] + val_texts + oos_texts
    if "char_range" in variant:
        from agentops_cli.nlp.intent_vectors import count_char_terms, count_word_terms

        low, high = variant["char_range"]
        corpus = it.Corpus(word=count_word_terms(all_texts), char=count_char_terms(all_texts, low, high))
    else:
        corpus = it.Corpus.of(all_texts)
    vocabularies = corpus.vocabularies(np.arange(n), params)
    if "word_min_df" in variant:
        from agentops_cli.nlp.intent_vectors import fit_vocabulary

        words = fit_vocabulary(corpus.word, np.arange(n), variant["word_min_df"], params.max_word_features)
        vocabularies = (words, vocabularies[1])
    char_start = len(vocabularies[0].columns)

    def features(selected):
        if "tf" in variant:
            matrix = _tf_features(corpus, selected, vocabularies, variant["tf"], variant.get("bm25_k1", 1.2))
        else:
            matrix = corpus.features(selected, vocabularies)
        weight = variant.get("char_weight", 1.0)
        if weight != 1.0:
            scale = np.ones(matrix.shape[1])
            scale[char_start:] = weight
            matrix = (matrix @ sp.diags(scale)).tocsr()
        return matrix

    train_x, labels = features(np.arange(n)), [lab for _, lab in rows]
    val_x, oos_x = (
        features(np.arange(n, n + n_val)),
        features(np.arange(n + n_val, n + n_val + len(oos_texts))),
    )
    if "chi2_char" in variant:
        kept = _chi2_columns(train_x, labels, char_start, variant["chi2_char"])
        train_x, val_x, oos_x = (x[:, kept].tocsr() for x in (train_x, val_x, oos_x))
    word_cols = slice(0, char_start)
    char_cols = slice(char_start, train_x.shape[1])
    for name in variant.get("blocks", []):
        tr, other = _extra_block(name, [t for t, _ in rows], val_texts + oos_texts)
        w = variant.get("block_weight", 1.0)
        train_x = sp.hstack([train_x, tr * w], format="csr")
        val_x = sp.hstack([val_x, other[:n_val] * w], format="csr")
        oos_x = sp.hstack([oos_x, other[n_val:] * w], format="csr")
    if "lsa" in variant:
        from sklearn.decomposition import TruncatedSVD

        svd = TruncatedSVD(variant["lsa"], random_state=params.seed, algorithm="randomized", n_iter=4)
        w = variant.get("lsa_weight", 1.0)

        def dense(x):
            z = svd.transform(x)
            return z / np.maximum(np.linalg.norm(z, axis=1, keepdims=True), 1e-12) * w

        svd.fit(train_x)
        train_x, val_x, oos_x = (
            sp.hstack([x, sp.csr_matrix(dense(x))], format="csr") for x in (train_x, val_x, oos_x)
        )
    if variant.get("nb"):
        fit = _nb_svm(train_x, labels, params, variant.get("nb_alpha", 1.0), variant.get("nb_beta", 1.0))
    elif "svm" in variant:
        fit = _svm_with(train_x, labels, params, variant["svm"])
    else:
        fit = it.fit_svm(train_x, labels, params)
    views = {"word": word_cols, "char": char_cols, "all": slice(0, train_x.shape[1])}
    return train_x, val_x, oos_x, labels, fit, views, params, time.process_time() - cpu


def run(variant: dict, data: dict) -> dict:
    import numpy as np

    from agentops_cli.nlp import intent_train as it
    from agentops_cli.nlp.intent import OOS_LABEL, softmax

    train_x, val_x, oos_x, labels, fit, views, params, fit_cpu = _fitted(variant, data)
    cpu = time.process_time()
    classes = fit.classes
    gold = np.array([classes.index(g) for _, g in data["val"]])

    def calibrated(val_logits, oos_logits):
        temperature = it.fit_temperature(val_logits, gold)
        return softmax(val_logits, temperature), softmax(oos_logits, temperature)

    val_z, oos_z = it._in_order(fit, val_x, classes), it._in_order(fit, oos_x, classes)
    if "centroid" in variant:
        weight = variant["centroid"]["weight"]
        val_z = val_z + weight * _centroid_scores(train_x, labels, classes, val_x)
        oos_z = oos_z + weight * _centroid_scores(train_x, labels, classes, oos_x)
    if "sgd" in variant:
        sgd_val, sgd_oos = _sgd_scores(train_x, labels, classes, [val_x, oos_x], variant["sgd"], params.seed)
        val_z, oos_z = val_z + variant["sgd"]["weight"] * sgd_val, oos_z + variant["sgd"]["weight"] * sgd_oos
    val_p, oos_p = calibrated(val_z, oos_z)
    if variant.get("views"):
        probs = [(val_p, oos_p)]
        for view in variant["views"]:
            cols = views[view]
            vfit = it.fit_svm(train_x[:, cols], labels, params)
            view_val, view_oos = val_x[:, cols], oos_x[:, cols]
            view_logits = it._in_order(vfit, view_val, classes), it._in_order(vfit, view_oos, classes)
            probs.append(calibrated(*view_logits))
        val_p, oos_p = sum(p for p, _ in probs) / len(probs), sum(p for _, p in probs) / len(probs)
    if "lr_C" in variant:
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=variant["lr_C"], max_iter=200).fit(train_x, labels)
        order = [list(lr.classes_).index(c) for c in classes]
        lr_val, lr_oos = calibrated(
            lr.decision_function(val_x)[:, order], lr.decision_function(oos_x)[:, order]
        )
        val_p, oos_p = (val_p + lr_val) / 2, (oos_p + lr_oos) / 2
    if "second_svm" in variant:  # another LinearSVC on the same rows, calibrated probabilities averaged
        other = _svm_with(train_x, labels, params, variant["second_svm"])
        second = calibrated(it._in_order(other, val_x, classes), it._in_order(other, oos_x, classes))
        val_p, oos_p = (val_p + second[0]) / 2, (oos_p + second[1]) / 2
    if "pairwise" in variant:
        gap = variant["pairwise"]["gap"]
        val_p = _pairwise(train_x, labels, classes, val_p, val_x, gap, params)
        oos_p = _pairwise(train_x, labels, classes, oos_p, oos_x, gap, params)
    if "knn" in variant:
        knn = variant["knn"]
        k, mix, power = knn.get("k", 10), knn.get("lambda", 0.3), knn.get("power", 1.0)
        val_p = (1 - mix) * val_p + mix * _knn_probs(train_x, labels, classes, val_x, k, power)
        oos_p = (1 - mix) * oos_p + mix * _knn_probs(train_x, labels, classes, oos_x, k, power)
    extra_cpu = time.process_time() - cpu
    correct = val_p.argmax(axis=1) == gold
    oos_conf = oos_p.max(axis=1)
    if OOS_LABEL in classes:  # rows already labelled out of scope by the class are caught
        oos_conf[oos_p.argmax(axis=1) == classes.index(OOS_LABEL)] = -1.0
    result = {
        "variant": variant,
        "fit_cpu_s": round(fit_cpu + extra_cpu, 1),
        "extra_cpu_s": round(extra_cpu, 2),
        "train_rows": train_x.shape[0],
        "val_accuracy_no_reject": round(float(correct.mean()), 4),
    }
    for budget in (0.01, 0.03):
        threshold, stats = it.tune_threshold(val_p.max(axis=1), correct, oos_conf, budget)
        result[f"budget_{round(budget * 100)}pt"] = {"threshold": threshold, **stats}
    return result


def cross_validate(variant: dict, data: dict, folds: int) -> dict:
    """``run`` on ``folds`` stratified folds of ``train`` alone (each fold in turn is the "val"
    split; ``oos_val`` stays the out-of-scope set): five times the validation rows of one
    split, so differences a single 3,000-row split cannot resolve become visible."""
    fold_of: dict[str, int] = {}
    split: list[list] = [[] for _ in range(folds)]
    for text, label in sorted(data["train"], key=lambda row: row[1]):
        fold_of[label] = fold_of.get(label, -1) + 1
        split[fold_of[label] % folds].append([text, label])
    per_fold = []
    for k in range(folds):
        train = [row for j in range(folds) if j != k for row in split[j]]
        per_fold.append(run(variant, {**data, "train": train, "val": split[k]}))
    mean = lambda key: round(sum(f[key] for f in per_fold) / folds, 4)  # noqa: E731
    return {
        "variant": variant,
        "cv_folds": folds,
        "fit_cpu_s": round(sum(f["fit_cpu_s"] for f in per_fold), 1),
        "cv_accuracy_no_reject": mean("val_accuracy_no_reject"),
        "fold_accuracy_no_reject": [f["val_accuracy_no_reject"] for f in per_fold],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("variants", nargs="*", default=["{}"])
    parser.add_argument("--out", type=Path, default=RESULTS / "clinc150_variants.json")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the results already in --out (a re-measured variant replaces its old entry)",
    )
    parser.add_argument(
        "--folds",
        type=int,
        default=0,
        help="score by K-fold cross-validation on train (key cross_validation)",
    )
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    if args.folds:
        return _main_cv(args)

    data = load_clinc()
    results = []
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for variant in args.variants:
            results.append({**run(json.loads(variant), data), "date": time.strftime("%Y-%m-%d")})
            print(json.dumps(results[-1]), flush=True)
    command = ".venv/bin/python bench/clinc150_variants.py " + " ".join(f"'{v}'" for v in args.variants)
    commands = [command]
    previous: dict = {}
    if args.merge and args.out.is_file():
        previous = json.loads(args.out.read_text(encoding="utf-8"))
        measured = {json.dumps(r["variant"], sort_keys=True) for r in results}
        kept = [r for r in previous["results"] if json.dumps(r["variant"], sort_keys=True) not in measured]
        results = kept + results
        commands = previous.get("commands", [previous.get("command")]) + commands
    out = {
        **previous,  # e.g. the cross-validation figures recorded beside the variants
        "benchmark": "clinc150_variants",
        "date": time.strftime("%Y-%m-%d"),
        "commands": [c for c in commands if c],
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0


def _main_cv(args: argparse.Namespace) -> int:
    """``--folds K``: cross-validated figures, stored under ``cross_validation`` in ``--out``."""
    from threadpoolctl import threadpool_limits

    data = load_clinc()
    out = json.loads(args.out.read_text(encoding="utf-8")) if args.out.is_file() else {}
    rows = out.setdefault("cross_validation", {}).setdefault("results", [])
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for variant in args.variants:
            result = {
                **cross_validate(json.loads(variant), data, args.folds),
                "date": time.strftime("%Y-%m-%d"),
            }
            rows[:] = [r for r in rows if (r["variant"], r["cv_folds"]) != (result["variant"], args.folds)]
            rows.append(result)
            print(json.dumps(result), flush=True)
    out["cross_validation"]["commands"] = [
        *out["cross_validation"].get("commands", []),
        ".venv/bin/python bench/clinc150_variants.py --folds "
        + f"{args.folds} "
        + " ".join(f"'{v}'" for v in args.variants),
    ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
