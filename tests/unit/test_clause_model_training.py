"""The shipped clause model is what ``bench/train_clause_model.py`` makes from the CUAD dev split.

A full retrain takes CPU-minutes (``.venv/bin/python bench/train_clause_model.py --check`` does
it), too slow for the suite. These checks take seconds and still fail when the file and the
script drift apart:

* the file records the SHA-256 and parameters of the script that made it, and they are the
  script's as it is now (any edit of the script means retraining and shipping a new file);
* the script's featurisation (sentence split, n-grams, TF-IDF) of the whole split reproduces the
  shipped vocabulary and idf exactly — this catches changes in the code the script imports
  (``segment.sentences``, ``clause_model.tokens``), which the hash does not cover;
* training is deterministic: the same code path on a small fixed subset gives the same weights
  and thresholds twice, so script + data determine the file.

The CUAD checks skip on a clone without ``../shared`` (the split is read in place, never copied).
"""

from __future__ import annotations

import json
import sys
from types import ModuleType

import numpy as np
import pytest

from agentops_cli.agents.document.clause_model import MODEL_PATH, ClauseModel
from tests.conftest import REPO, SHARED, needs_shared

CUAD = SHARED / "datasets" / "cuad"
needs_cuad = needs_shared("datasets/cuad/labels.jsonl")


@pytest.fixture(scope="module")
def script() -> ModuleType:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import train_clause_model
    finally:
        sys.path.remove(str(REPO / "bench"))
    return train_clause_model


def test_shipped_model_records_the_training_script_as_it_is(script: ModuleType) -> None:
    shipped = json.loads(ClauseModel.load(MODEL_PATH).provenance)
    current = json.loads(script.provenance(shipped["contracts"]))
    assert shipped == current, "bench/train_clause_model.py changed: retrain and ship models/clauses.npz"


@needs_cuad
def test_script_featurisation_reproduces_the_shipped_vocabulary(script: ModuleType) -> None:
    data = script.rows()
    vectorizer, _, _ = script.vectorize([script.contract_examples(row, script.TEXTS) for row in data])
    shipped = ClauseModel.load(MODEL_PATH)
    assert {t: int(i) for t, i in vectorizer.vocabulary_.items()} == shipped.vocabulary
    assert np.allclose(vectorizer.idf_, shipped.idf, atol=1e-5)


@needs_cuad
def test_training_is_deterministic_on_a_small_subset(script: ModuleType) -> None:
    data = script.rows()[:6]
    examples = [script.contract_examples(row, script.TEXTS) for row in data]
    first = script.train_examples(examples, script.gold_matrix(data))
    second = script.train_examples(examples, script.gold_matrix(data))
    assert first.vocabulary and np.abs(first.coef).max() > 0  # a real model, not an empty one
    assert script.same_model(first, second)
    assert np.array_equal(first.coef, second.coef) and np.array_equal(first.thresholds, second.thresholds)


def test_shipped_model_holds_no_contract_text() -> None:
    """Only n-grams of at most two words and numbers: no sentence of a contract can be rebuilt."""
    model = ClauseModel.load(MODEL_PATH)
    assert all(len(term.split()) <= 2 for term in model.vocabulary)
    assert MODEL_PATH.stat().st_size < 2 * 1024 * 1024
