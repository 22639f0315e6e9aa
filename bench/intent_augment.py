"""Light data augmentation for intent training: extra rows made from a pack's own examples.

Measured by ``clinc150_variants.py`` (key ``augment``) for issue 21 and NOT adopted by the
engine: every setting lowered CLINC150 validation accuracy, on the full training set and on
10- and 30-example-per-intent subsets (docs/benchmarks.md). Kept here so the measurement can be
re-run, not imported by ``agentops_cli``.

Why it was worth trying: short-text intent classifiers over n-grams overfit the exact word sequences of a few
examples per intent; copies of each example with a word dropped or two words swapped (EDA,
Wei & Zou 2019, without its synonym steps: no thesaurus offline) teach the model that an
intent survives small edits — a customer who writes "cancel order" instead of "please cancel
my order". Only the training rows' own words are used, so no word enters the vocabulary that
the pack does not have, and nothing about held-out rows leaks in.

Determinism: each row is edited by a generator seeded from the seed and the row's text (CRC32,
not Python's per-process ``hash``), so the same row gets the same copies whichever other rows
are trained with it — a calibration fit and a final fit would see identical copies of the rows
they share, and the same pack always trains to the same model.
"""

from __future__ import annotations

import random
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from agentops_cli.nlp.text import STOPWORDS, fold


@dataclass(frozen=True)
class AugmentParams:
    """How many copies of each row, and which edits make them.

    ``copies``: edited copies per row (0 turns augmentation off). ``delete``: probability of
    dropping each word of a copy. ``swap``: word swaps per copy. ``stopwords``: one more copy
    without stop words. ``max_per_class``: augment only intents with at most this many
    examples (0: all) — the small ones, which need it most, at a fraction of the cost.
    ``min_words``: rows shorter than this are not edited (a one-word example has nothing to drop).
    """

    copies: int = 1
    delete: float = 0.1
    swap: int = 1
    stopwords: bool = False
    max_per_class: int = 0
    min_words: int = 3
    seed: int = 13


def _edited(tokens: list[str], rng: random.Random, params: AugmentParams) -> list[str]:
    kept = [t for t in tokens if rng.random() >= params.delete] or [rng.choice(tokens)]
    for _ in range(params.swap if len(kept) > 1 else 0):
        i, j = rng.sample(range(len(kept)), 2)
        kept[i], kept[j] = kept[j], kept[i]
    return kept


def augment_text(text: str, params: AugmentParams) -> list[str]:
    """The distinct edited copies of one text (never the text itself), deterministic per text."""
    tokens = text.split()
    if len(tokens) < params.min_words:
        return []
    rng = random.Random(zlib.crc32(f"{params.seed}\x00{text}".encode()))
    copies = [" ".join(_edited(tokens, rng, params)) for _ in range(params.copies)]
    if params.stopwords:
        content = [t for t in tokens if fold(t).strip(".,;:!?¿¡'\"") not in STOPWORDS]
        if content:
            copies.append(" ".join(content))
    distinct: list[str] = []
    for copy in copies:
        if copy != text and copy not in distinct:
            distinct.append(copy)
    return distinct


def copies_of(
    texts: Sequence[str], labels: Sequence[str], params: AugmentParams
) -> tuple[list[str], list[int]]:
    """The edited copies of every row of an augmented intent, and the row each one came from.

    The source rows let a trainer give a fit exactly the copies of the rows it may see (the
    calibration fit must not learn from copies of its held-out rows).
    """
    copies: list[str] = []
    sources: list[int] = []
    if params.copies <= 0 and not params.stopwords:
        return copies, sources
    sizes = Counter(labels)
    for row, (text, label) in enumerate(zip(texts, labels, strict=True)):
        if params.max_per_class and sizes[label] > params.max_per_class:
            continue
        extra = augment_text(text, params)
        copies += extra
        sources += [row] * len(extra)
    return copies, sources


def augment(
    texts: Sequence[str], labels: Sequence[str], params: AugmentParams
) -> tuple[list[str], list[str]]:
    """``texts``/``labels`` followed by their edited copies (:func:`copies_of`), labelled as their rows."""
    copies, sources = copies_of(texts, labels, params)
    return [*texts, *copies], [*labels, *(labels[row] for row in sources)]
