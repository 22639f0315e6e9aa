"""Cue features of the clause model: general legal phrases per CUAD category (issue 17).

Rare categories (liquidated damages, most favoured nation) have a handful of training contracts, too
few for their n-grams alone; a cue feature says "this sentence uses the category's vocabulary" and
the model learns its weight. The sentences below were written for these tests (not from CUAD).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from agentops_cli.agents.document import clause_model
from agentops_cli.agents.document.clause_model import (
    CUE_PHRASES,
    cue_columns,
    cue_grams,
    cue_index,
    shipped_cues,
    tokens,
)
from agentops_cli.agents.document.segment import sentences


def _cue_categories(sentence: str) -> set[str]:
    hits = cue_columns(set(tokens(sentence)), cue_index(shipped_cues()))
    return {list(CUE_PHRASES)[c] for c in hits}


def test_tokens_fold_spanish_letters_into_one_word() -> None:
    assert "clausula penal" in tokens("Se aplicará la cláusula penal pactada.")
    assert "cl" not in tokens("Se aplicará la cláusula penal pactada.")


def test_a_long_phrase_needs_every_word_pair() -> None:
    assert cue_grams("not as a penalty") == ("not as", "as a", "a penalty")
    assert cue_grams("merger") == ("merger",)
    assert "Liquidated Damages" in _cue_categories("The fee is agreed as damages and not as a penalty.")
    # the words of the phrase, but not together
    assert "Liquidated Damages" not in _cue_categories("Late payment is not treated as a breach or penalty.")


@pytest.mark.parametrize(
    ("sentence", "category"),
    [
        ("Customer shall pay these sums as liquidated damages for each day of delay.", "Liquidated Damages"),
        ("El incumplimiento dará lugar a la cláusula penal del apartado siguiente.", "Liquidated Damages"),
        ("Prices to Buyer shall be no less favorable than those offered to others.", "Most Favored Nation"),
        ("Buyer shall be treated as a most favored customer for pricing.", "Most Favored Nation"),
        ("Se aplicarán las condiciones más favorables que ofrezca a terceros.", "Most Favored Nation"),
        ("During the term Consultant shall not compete with the Company in the Territory.", "Non-Compete"),
        ("Either party may terminate for convenience on sixty days' notice.", "Termination For Convenience"),
        ("Upon a change of control of Supplier, Buyer may terminate this Agreement.", "Change Of Control"),
    ],
)  # fmt: skip
def test_cue_phrases_mark_their_category(sentence: str, category: str) -> None:
    assert category in _cue_categories(sentence)


def test_a_plain_sentence_has_no_cue() -> None:
    assert _cue_categories("The parties met in the offices of the Seller on a Tuesday.") == set()


def test_cues_travel_with_the_model_file(tmp_path: Path) -> None:
    """The file carries the cue phrases its weights were trained with (not the code's current list)."""
    shipped = clause_model.active()
    assert shipped is not None
    assert shipped.cues == shipped_cues(), "CUE_PHRASES changed: retrain and ship models/clauses.npz"
    assert shipped.coef.shape == (len(shipped.categories), len(shipped.idf) + len(shipped.cues))
    shipped.save(tmp_path / "m.npz")
    again = clause_model.ClauseModel.load(tmp_path / "m.npz")
    assert again.cues == shipped.cues


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "If Customer ends this Agreement before the end of the Initial Term, Customer shall pay "
            "Provider an early termination fee equal to the fees for the remaining months, which the "
            "parties agree is a reasonable estimate of Provider's loss and is liquidated damages, "
            "not a penalty.",
            "liquidated_damages",
        ),
        (
            "If Supplier offers any other customer lower prices or more favorable terms for similar "
            "quantities, Supplier shall offer the same lower prices and more favorable terms to Buyer, so "
            "that Buyer is always treated as its most favored customer.",
            "most_favored_nation",
        ),
    ],
)
def test_the_shipped_model_finds_rare_categories_in_written_clauses(text: str, kind: str) -> None:
    units = [(u.start, u.end) for u in sentences(text)]
    found = clause_model.find_clauses(text, units)
    assert kind in {k for k, *_ in found}


def test_cue_features_are_one_column_per_category() -> None:
    shipped = clause_model.active()
    assert shipped is not None
    matrix = shipped.features(["Buyer shall be treated as a most favored customer.", "Nothing here."])
    cue_part = matrix[:, len(shipped.idf) :].toarray()
    mfn = list(shipped.categories).index("Most Favored Nation")
    assert cue_part[0, mfn] == 1.0 and cue_part[1].sum() == 0.0
    assert np.isfinite(shipped.scores(["Nothing here."])).all()


def test_a_cue_that_counts_alone_scores_its_sentence_one() -> None:
    """Training may decide (on held-out inner folds) that a rare category's cue beats the model."""
    shipped = clause_model.active()
    assert shipped is not None
    mfn = list(shipped.categories).index("Most Favored Nation")
    alone = np.zeros(len(shipped.categories), dtype=bool)
    alone[mfn] = True
    silent = dataclasses.replace(
        shipped, coef=shipped.coef * 0, intercept=shipped.intercept * 0 - 50, cue_alone=np.zeros_like(alone)
    )
    texts = ["Buyer shall be treated as a most favored customer for pricing.", "Nothing here at all."]
    assert silent.scores(texts)[0, mfn] < 1e-6
    scores = dataclasses.replace(silent, cue_alone=alone).scores(texts)
    assert scores[0, mfn] == 1.0 and scores[1, mfn] < 1e-6
    assert (scores[:, np.arange(len(alone)) != mfn] < 1e-6).all()


def test_a_model_without_cues_still_scores(tmp_path: Path) -> None:
    shipped = clause_model.active()
    assert shipped is not None
    plain = dataclasses.replace(shipped, coef=shipped.coef[:, : len(shipped.idf)], cues=(), cue_alone=None)
    plain.save(tmp_path / "plain.npz")
    again = clause_model.ClauseModel.load(tmp_path / "plain.npz")
    assert again.cues == () and not again.cue_alone.any()
    assert again.scores(["Neither party may assign this Agreement."]).shape == (1, len(shipped.categories))
