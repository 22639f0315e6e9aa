"""Train the document agent's clause model on the CUAD dev split (issue 17).

    .venv/bin/python bench/train_clause_model.py          # writes the shipped model file
    .venv/bin/python bench/train_clause_model.py --check  # exit 1 if the shipped file differs

Each contract is cut into the agent's own sentence units (``segment.sentences``); a sentence
is a positive example of a category when it overlaps one of the lawyers' clause texts for
that category (``labels.jsonl`` → ``clauses``). TF-IDF over word uni- and bigrams (sublinear
tf, l2, min_df 3, at most 30,000 n-grams) plus one cue feature per category (the sentence holds
one of ``clause_model.CUE_PHRASES``: general legal phrases, not contract text), and one logistic
regression per category (liblinear, balanced classes). A category is reported when its best
sentence reaches the category's threshold: the threshold that maximises the contract-level F1 on *held-out*
predictions of an inner 3-fold split of the training contracts, so the thresholds are never
set on sentences the model was trained on.

Only numbers and the n-gram vocabulary are saved (``models/clauses.npz``), never contract text.
Deterministic: the same split gives the same file. The file records this script's SHA-256 and
parameters (``provenance``); ``tests/unit/test_clause_model_training.py`` checks, in seconds,
that the record matches the script as it is now, that the script's featurisation of the whole
split reproduces the shipped vocabulary and idf, and that training is deterministic on a small
subset — ``--check`` is the full (minutes-long) retrain-and-compare.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from agentops_cli.agents.document.clause_model import (
    CUE_PHRASES,
    MIN_SENTENCE_CHARS,
    MIN_THRESHOLD,
    MODEL_PATH,
    ClauseModel,
    cue_columns,
    cue_index,
    shipped_cues,
    tokens,
)
from agentops_cli.agents.document.segment import sentences
from common import SHARED

CUAD = SHARED / "datasets" / "cuad"
TEXTS = CUAD / "texts"
CATEGORIES = (
    "Exclusivity",
    "Non-Compete",
    "Uncapped Liability",
    "Cap On Liability",
    "Termination For Convenience",
    "Liquidated Damages",
    "Change Of Control",
    "Anti-Assignment",
    "Audit Rights",
    "Most Favored Nation",
    "Minimum Commitment",
    "Ip Ownership Assignment",
)
assert tuple(CUE_PHRASES) == CATEGORIES, "one cue list per category, in the same order"
C_REGULARISATION = 4.0
MIN_DF = 3
MAX_FEATURES = 30000
INNER_FOLDS = 3


def rows() -> list[dict[str, Any]]:
    return [json.loads(line) for line in (CUAD / "labels.jsonl").read_text(encoding="utf-8").splitlines()]


def _clause_texts(raw: str) -> list[str]:
    try:
        value = ast.literal_eval(raw) if raw else []
    except (ValueError, SyntaxError):
        return []
    return [v for v in value if isinstance(v, str) and v.strip()] if isinstance(value, list) else []


def _find(text: str, clause: str) -> tuple[int, int] | None:
    start = text.find(clause)
    if start >= 0:
        return start, start + len(clause)
    words = re.findall(r"\S+", clause)[:60]
    if not words:
        return None
    m = re.search(r"\s+".join(re.escape(w) for w in words), text)
    return (m.start(), m.end()) if m else None


Example = tuple[list[str], list[list[str]], np.ndarray]  # sentences, their n-grams, labels


def contract_examples(row: dict[str, Any], texts: Path) -> Example:
    """The contract's sentences, their n-grams (tokenised once for every fold) and a
    (sentences × categories) 0/1 label matrix."""
    text = (texts / row["file"]).read_text(encoding="utf-8")
    units = [u for u in sentences(text) if u.end - u.start >= MIN_SENTENCE_CHARS]
    labels = np.zeros((len(units), len(CATEGORIES)), dtype=np.int8)
    for c, category in enumerate(CATEGORIES):
        for clause in _clause_texts(row["clauses"].get(category, "")):
            span = _find(text, clause)
            if span is None:
                continue
            for i, u in enumerate(units):
                overlap = min(u.end, span[1]) - max(u.start, span[0])
                if overlap >= min(30, (u.end - u.start) // 2):
                    labels[i, c] = 1
    sents = [text[u.start : u.end] for u in units]
    return sents, [tokens(s) for s in sents], labels


def _same(grams: list[str]) -> list[str]:
    return grams


def cue_matrix(grams: list[list[str]]):
    """(sentences × categories) 0/1: the cue features, as ``ClauseModel.features`` computes them."""
    from scipy.sparse import csr_matrix

    index, rows, cols = cue_index(shipped_cues()), [], []
    for i, sentence_grams in enumerate(grams):
        hit = cue_columns(set(sentence_grams), index)
        rows.extend([i] * len(hit))
        cols.extend(sorted(hit))
    return csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(grams), len(CATEGORIES)))


def vectorize(examples: list[Example]):
    """The TF-IDF vectoriser fitted on ``examples``' sentences, their matrix (TF-IDF, then the cue
    features) and label rows."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer

    grams = [g for _, doc_grams, _ in examples for g in doc_grams]
    labels = np.vstack([y for _, _, y in examples])
    vectorizer = TfidfVectorizer(
        analyzer=_same, sublinear_tf=True, min_df=MIN_DF, max_features=MAX_FEATURES, dtype=np.float64
    )
    matrix = hstack([vectorizer.fit_transform(grams), cue_matrix(grams)]).tocsr()
    return vectorizer, matrix, labels


def _fit(examples: list[Example]):
    from sklearn.linear_model import LogisticRegression

    vectorizer, matrix, labels = vectorize(examples)
    coef = np.zeros((len(CATEGORIES), matrix.shape[1]))
    intercept = np.zeros(len(CATEGORIES))
    for c in range(len(CATEGORIES)):
        y = labels[:, c]
        if y.min() == y.max():
            intercept[c] = -20.0
            continue
        clf = LogisticRegression(
            C=C_REGULARISATION, class_weight="balanced", solver="liblinear", random_state=0
        )
        clf.fit(matrix, y)
        coef[c] = clf.coef_[0]
        intercept[c] = clf.intercept_[0]
    return vectorizer, coef, intercept


def _model(vectorizer, coef, intercept, thresholds) -> ClauseModel:
    return ClauseModel(
        categories=CATEGORIES,
        vocabulary={term: int(i) for term, i in vectorizer.vocabulary_.items()},
        idf=vectorizer.idf_.astype(np.float32).astype(np.float64),
        coef=coef.astype(np.float16).astype(np.float32),
        intercept=intercept.astype(np.float32).astype(np.float64),
        thresholds=np.asarray(thresholds, dtype=np.float32).astype(np.float64),
        cues=shipped_cues(),
    )


def doc_max(model: ClauseModel, examples: list[Example]) -> np.ndarray:
    """(contracts × categories): the best sentence score the agent would compare with the threshold
    (``admissible_scores``: the learned-clause filters applied, as ``find_clauses`` does)."""
    return np.vstack(
        [
            model.admissible_scores(texts).max(axis=0) if texts else np.zeros(len(CATEGORIES))
            for texts, _, _ in examples
        ]
    )


def _best_thresholds(scores: np.ndarray, gold: np.ndarray) -> tuple[list[float], list[float]]:
    """Per category, the threshold maximising contract-level F1 (ties → the higher threshold), and
    that F1."""
    out, f1s = [], []
    for c in range(scores.shape[1]):
        best, best_f1 = 0.5, -1.0
        for t in np.arange(MIN_THRESHOLD, 0.996, 0.01):
            pred = scores[:, c] >= t
            tp = int((pred & (gold[:, c] == 1)).sum())
            fp, fn = int((pred & (gold[:, c] == 0)).sum()), int((~pred & (gold[:, c] == 1)).sum())
            f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
            if f1 >= best_f1:
                best, best_f1 = float(round(t, 2)), f1
        out.append(best)
        f1s.append(best_f1)
    return out, f1s


def gold_matrix(data: list[dict[str, Any]]) -> np.ndarray:
    """(contracts × categories) 0/1: the lawyers' yes/no answer per category."""
    return np.array(
        [[row["answers"].get(f"{c}-Answer") == "Yes" for c in CATEGORIES] for row in data], dtype=np.int8
    )


def train_examples(examples: list[Example], gold: np.ndarray) -> ClauseModel:
    """Fit on ``examples``; thresholds, and whether a category's cue counts on its own, from
    held-out predictions of an inner split of them only."""
    model_only, with_cue = np.zeros(gold.shape), np.zeros(gold.shape)
    everything = np.ones(len(CATEGORIES), dtype=bool)
    for k in range(INNER_FOLDS):
        inner_train = [ex for i, ex in enumerate(examples) if i % INNER_FOLDS != k]
        held = [examples[i] for i in range(len(examples)) if i % INNER_FOLDS == k]
        partial = _model(*_fit(inner_train), np.full(len(CATEGORIES), 0.5))
        model_only[k::INNER_FOLDS] = doc_max(partial, held)
        with_cue[k::INNER_FOLDS] = doc_max(dataclasses.replace(partial, cue_alone=everything), held)
    plain, plain_f1 = _best_thresholds(model_only, gold)
    cued, cued_f1 = _best_thresholds(with_cue, gold)
    cue_alone = np.array([c > p for c, p in zip(cued_f1, plain_f1, strict=True)])
    thresholds = np.where(cue_alone, cued, plain)
    return dataclasses.replace(_model(*_fit(examples), thresholds), cue_alone=cue_alone)


def train(data: list[dict[str, Any]], texts: Path = TEXTS) -> ClauseModel:
    """The model for ``data``: fit on all of it, thresholds from inner held-out folds."""
    return train_examples([contract_examples(row, texts) for row in data], gold_matrix(data))


def provenance(contracts: int) -> str:
    """What the shipped file records about its making: this script's bytes and parameters."""
    return json.dumps(
        {
            "script_sha256": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
            "C": C_REGULARISATION,
            "min_df": MIN_DF,
            "max_features": MAX_FEATURES,
            "inner_folds": INNER_FOLDS,
            "categories": list(CATEGORIES),
            "contracts": contracts,
            "cues": [list(map(list, phrases)) for phrases in shipped_cues()],
        },
        sort_keys=True,
    )


def same_model(a: ClauseModel, b: ClauseModel) -> bool:
    return (
        a.categories == b.categories
        and a.vocabulary == b.vocabulary
        and np.allclose(a.idf, b.idf, atol=1e-5)
        and np.allclose(a.coef, b.coef, atol=1e-2)
        and np.allclose(a.intercept, b.intercept, atol=1e-4)
        and np.allclose(a.thresholds, b.thresholds)
        and a.cues == b.cues
        and np.array_equal(a.cue_alone, b.cue_alone)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped file, write nothing")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    data = rows()
    model = dataclasses.replace(train(data), provenance=provenance(len(data)))
    if args.check:
        shipped = ClauseModel.load(args.out)
        ok = same_model(model, shipped) and shipped.provenance == model.provenance
        print("shipped model matches the training script" if ok else "shipped model differs")
        return 0 if ok else 1
    model.save(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KB, {len(model.vocabulary)} n-grams)")
    print("thresholds:", dict(zip(CATEGORIES, model.thresholds.round(2).tolist(), strict=True)))
    print("cue alone:", [c for c, alone in zip(CATEGORIES, model.cue_alone, strict=True) if alone])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
