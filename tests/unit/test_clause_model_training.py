"""The shipped clause model is what ``bench/train_clause_model.py`` makes from the CUAD dev split.

Skipped on a clone without ``../shared`` (the split is read in place, never copied here).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from agentops_cli.agents.document.clause_model import MODEL_PATH, ClauseModel

REPO = Path(__file__).resolve().parents[2]
CUAD = REPO.parent / "shared" / "datasets" / "cuad"


@pytest.mark.skipif(
    not (CUAD / "labels.jsonl").is_file(), reason="CUAD dev split not found at ../shared/datasets/cuad"
)
def test_shipped_model_matches_the_training_script() -> None:
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import train_clause_model
    finally:
        sys.path.remove(str(REPO / "bench"))
    retrained = train_clause_model.train(train_clause_model.rows())
    assert train_clause_model.same_model(retrained, ClauseModel.load(MODEL_PATH))


def test_shipped_model_holds_no_contract_text() -> None:
    """Only n-grams of at most two words and numbers: no sentence of a contract can be rebuilt."""
    model = ClauseModel.load(MODEL_PATH)
    assert all(len(term.split()) <= 2 for term in model.vocabulary)
    assert MODEL_PATH.stat().st_size < 2 * 1024 * 1024
