"""The learned clause finder: which sentences of a contract are a CUAD clause category.

Rules are brittle for clause categories (exclusivity, change of control, audit rights …):
lawyers write them in too many ways. A linear model over TF-IDF word uni- and bigrams,
one-vs-rest per category, scores every sentence; a category is present when its best
sentence passes the category's threshold, and those sentences become ``clauses`` entries
with their spans.

The shipped file (``models/clauses.npz``, made by ``bench/train_clause_model.py`` from the
CUAD dev split) holds numbers and a vocabulary of n-grams only — no contract text. Inference
is plain numpy/scipy, so no scikit-learn import at run time.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path

import numpy as np

from agentops_cli.agents.document.configuration import EXCLUSIVITY_BOILERPLATE

MODEL_PATH = Path(__file__).resolve().parent / "models" / "clauses.npz"
# Sentences shorter than this are headings: they name a clause, they are not one.
MIN_SENTENCE_CHARS = 40
# At most this many sentences per category become clauses (the reviewer wants the place, not a list).
MAX_CLAUSES_PER_TYPE = 3

_TOKEN = re.compile(r"[a-z]+|\d+")


def tokens(text: str) -> list[str]:
    """Lower-case words and bigrams; digits collapse to ``0`` so amounts and dates generalise."""
    words = ["0" if t[0].isdigit() else t for t in _TOKEN.findall(text.lower())]
    return words + [f"{a} {b}" for a, b in pairwise(words)]


@dataclass(frozen=True)
class ClauseModel:
    categories: tuple[str, ...]
    vocabulary: dict[str, int]
    idf: np.ndarray  # (V,)
    coef: np.ndarray  # (C, V)
    intercept: np.ndarray  # (C,)
    thresholds: np.ndarray  # (C,)
    # How the file was made (JSON: the training script's SHA-256, its parameters, the split's size),
    # so a cheap test can tell whether the shipped file still comes from the script as it is now.
    provenance: str = ""

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """Probability per (sentence, category), the same TF-IDF (sublinear tf, l2) as training."""
        from scipy.sparse import csr_matrix

        rows, cols, vals = [], [], []
        for i, text in enumerate(texts):
            counts = Counter(j for t in tokens(text) if (j := self.vocabulary.get(t)) is not None)
            if not counts:
                continue
            idx = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
            weights = tf * self.idf[idx]
            weights /= np.linalg.norm(weights)
            rows.extend([i] * len(idx))
            cols.extend(idx.tolist())
            vals.extend(weights.tolist())
        matrix = csr_matrix((vals, (rows, cols)), shape=(len(texts), len(self.idf)))
        logits = matrix @ self.coef.T.astype(np.float64) + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        vocab = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        np.savez_compressed(
            path,
            categories=np.array("\n".join(self.categories)),
            vocabulary=np.array("\n".join(vocab)),
            idf=self.idf.astype(np.float32),
            coef=self.coef.astype(np.float16),
            intercept=self.intercept.astype(np.float32),
            thresholds=self.thresholds.astype(np.float32),
            provenance=np.array(self.provenance),
        )

    @classmethod
    def load(cls, path: Path) -> ClauseModel:
        with np.load(path, allow_pickle=False) as data:
            vocab = str(data["vocabulary"]).split("\n")
            return cls(
                categories=tuple(str(data["categories"]).split("\n")),
                vocabulary={term: i for i, term in enumerate(vocab)},
                idf=data["idf"].astype(np.float64),
                coef=data["coef"].astype(np.float32),
                intercept=data["intercept"].astype(np.float64),
                thresholds=data["thresholds"].astype(np.float64),
                provenance=str(data["provenance"]) if "provenance" in data.files else "",
            )


_override: list[ClauseModel] = []


@cache
def _shipped() -> ClauseModel | None:
    return ClauseModel.load(MODEL_PATH) if MODEL_PATH.is_file() else None


def active() -> ClauseModel | None:
    """The model in use: one set by :func:`using` (cross-validation), else the shipped one."""
    return _override[-1] if _override else _shipped()


@contextmanager
def using(model: ClauseModel) -> Iterator[None]:
    """Run the agent with another model (the benchmark's folds score unseen contracts)."""
    _override.append(model)
    try:
        yield
    finally:
        _override.pop()


def slug(category: str) -> str:
    """``"Ip Ownership Assignment"`` → ``ip_ownership_assignment``: the clause type reported."""
    return re.sub(r"[^a-z0-9]+", "_", category.lower()).strip("_")


# A learned category must also be *said* in the sentence. The classifier scores words it saw near
# real clauses, so boilerplate with the same words passes it: "sole and exclusive remedy",
# "non-exclusive licence", "exclusively governed by the laws of", "exclusive jurisdiction".
_MUST_SAY: dict[str, tuple[re.Pattern[str], re.Pattern[str] | None]] = {
    "exclusivity": (
        re.compile(r"exclusiv|\bsole(?:ly)?\b|\bonly\b|\ball\s+(?:of\s+)?(?:its|their)\s+requirements", re.I),
        re.compile(EXCLUSIVITY_BOILERPLATE, re.I),
    ),
}


def admissible(clause_type: str, sentence: str) -> bool:
    """Whether a sentence the model scored for ``clause_type`` says it in words (see ``_MUST_SAY``)."""
    rule = _MUST_SAY.get(clause_type)
    if rule is None:
        return True
    needed, boilerplate = rule
    return bool(needed.search(sentence)) and not (boilerplate and boilerplate.search(sentence))


def find_clauses(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[str, int, int, float]]:
    """``(clause type, start, end, probability)`` for the sentences that pass their category's
    threshold, best first within a category, at most :data:`MAX_CLAUSES_PER_TYPE` each."""
    model = active()
    units = [(s, e) for s, e in spans if e - s >= MIN_SENTENCE_CHARS]
    if model is None or not units:
        return []
    probs = model.scores([text[s:e] for s, e in units])
    found: list[tuple[str, int, int, float]] = []
    for c, category in enumerate(model.categories):
        column, kind = probs[:, c], slug(category)
        passing = [i for i in np.argsort(-column) if column[i] >= model.thresholds[c]]
        kept = [i for i in passing if admissible(kind, text[units[i][0] : units[i][1]])]
        for i in kept[:MAX_CLAUSES_PER_TYPE]:
            found.append((kind, units[i][0], units[i][1], float(column[i])))
    return found
