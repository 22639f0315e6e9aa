"""bench/intent_augment.py (issue 21's augmentation variants, measured and not adopted): edited
copies of a pack's own rows, deterministic per row — so the measured figures are reproducible."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from intent_augment import AugmentParams, augment, augment_text

sys.path.pop(0)

ROWS = [
    ("please cancel my order today", "cancel"),
    ("I want to cancel the subscription", "cancel"),
    ("cancel", "cancel"),
    ("where is my parcel right now", "track"),
    ("track the parcel sent on monday", "track"),
    ("track it", "track"),
    ("the parcel arrived broken and I want a refund", "refund"),
]


def test_copies_use_only_the_rows_own_words_and_never_repeat_the_row() -> None:
    params = AugmentParams(copies=3, delete=0.3, swap=1, stopwords=True)
    for text, _ in ROWS:
        copies = augment_text(text, params)
        assert text not in copies
        assert len(copies) == len(set(copies))
        for copy in copies:
            assert copy.split() and set(copy.split()) <= set(text.split())


def test_short_rows_are_left_alone() -> None:
    assert augment_text("cancel", AugmentParams(copies=3)) == []
    assert augment_text("track it", AugmentParams(copies=3)) == []
    assert augment_text("track it", AugmentParams(copies=3, min_words=2)) != []


def test_the_same_row_gets_the_same_copies_whatever_rows_come_with_it() -> None:
    """Calibration fit and final fit share rows: their copies must be identical."""
    params = AugmentParams(copies=2, delete=0.2, swap=1)
    texts, labels = [t for t, _ in ROWS], [lab for _, lab in ROWS]
    whole = augment(texts, labels, params)
    part = augment(texts[3:], labels[3:], params)
    assert augment(texts, labels, params) == whole  # deterministic
    assert set(zip(*part, strict=True)) <= set(zip(*whole, strict=True))
    other_seed = augment(texts, labels, AugmentParams(copies=2, delete=0.2, swap=1, seed=14))
    assert other_seed != whole


def test_copies_keep_their_rows_label_and_follow_the_original_rows() -> None:
    texts, labels = [t for t, _ in ROWS], [lab for _, lab in ROWS]
    out_texts, out_labels = augment(texts, labels, AugmentParams(copies=1, delete=0.0, swap=1))
    assert out_texts[: len(texts)] == texts and out_labels[: len(labels)] == labels
    origin = {t: lab for t, lab in ROWS}
    for copy, label in zip(out_texts[len(texts) :], out_labels[len(texts) :], strict=True):
        sources = [t for t in origin if sorted(t.split()) == sorted(copy.split())]
        assert sources and origin[sources[0]] == label


def test_stop_words_only_copy_drops_stop_words() -> None:
    copies = augment_text("please cancel my order today", AugmentParams(copies=0, stopwords=True))
    assert copies == ["cancel order today"]


def test_only_small_intents_are_augmented_when_asked() -> None:
    texts = ["a b c d"] * 1 + [f"x y z {i}" for i in range(5)]
    labels = ["small"] + ["big"] * 5
    _, out_labels = augment(texts, labels, AugmentParams(copies=2, max_per_class=2))
    added = out_labels[len(labels) :]
    assert added and set(added) == {"small"}


def test_no_copies_no_change() -> None:
    texts, labels = [t for t, _ in ROWS], [lab for _, lab in ROWS]
    assert augment(texts, labels, AugmentParams(copies=0)) == (texts, labels)
