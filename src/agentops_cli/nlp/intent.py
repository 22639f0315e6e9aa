"""Offline intent classifier: TF-IDF word + character n-grams, logistic regression,
temperature-calibrated probabilities and an out-of-scope threshold tuned on data.

Why split training from inference: scikit-learn costs ~1 s to import and the CLI must
answer a query cold in about a second. Training (rare: first use, or the pack changed)
uses scikit-learn; the trained model is exported as plain vocabularies and numpy arrays,
and inference re-implements the few lines of TF-IDF maths in numpy. The analyzers below
are handed to scikit-learn at training time, so both sides tokenise identically by
construction (a test checks the numbers match scikit-learn's own ``transform``).
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agentops_cli.nlp.text import fold, stem, words

if TYPE_CHECKING:
    import numpy as np

ENGINE_VERSION = "intent-v6"  # bump when features or training change: invalidates cached models
OOS_LABEL = "out_of_scope"

_SPACES = re.compile(r"\s\s+")


def normalize(text: str) -> str:
    """Lower-case and strip accents (customers often skip them: "devolucion")."""
    return fold(text)


def word_ngrams(text: str) -> list[str]:
    """Word unigrams and bigrams over accent-folded, lightly stemmed tokens (stopwords kept).

    Stemming merges inflections small packs rarely see ("charged"/"charge",
    "pedidos"/"pedido"); keeping stopwords keeps "not", "my", "what is" — together this
    measured better than raw tokens on CLINC150 (+1.1 pt accuracy with the same OOS recall
    target) and on the bundled pack's cross-validation.
    """
    tokens = [stem(w) for w in words(text) if len(w) > 1]
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


def char_ngrams(text: str, low: int = 2, high: int = 5) -> list[str]:
    """Character n-grams inside word boundaries, padded with a space (scikit-learn ``char_wb``).

    They make the model robust to typos, inflections and EN/ES cognates ("refund" /
    "reembolso" share little, but "cancel" / "cancelar" share a lot).
    """
    grams: list[str] = []
    append = grams.append
    for word in _SPACES.sub(" ", normalize(text)).split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            if size <= n:
                append(padded)
                break
            for start in range(size - n + 1):
                append(padded[start : start + n])
    return grams


@dataclass
class Prediction:
    """The model's answer for one text: best label, its calibrated probability, runners-up."""

    label: str
    confidence: float
    top: list[tuple[str, float]] = field(default_factory=list)
    in_scope: bool = True


@dataclass
class IntentModel:
    """A trained, exported classifier: everything inference needs, nothing from scikit-learn."""

    labels: list[str]
    word_vocab: dict[str, int]
    word_idf: np.ndarray
    char_vocab: dict[str, int]
    char_idf: np.ndarray
    coef: np.ndarray  # (n_word + n_char, n_labels), float32
    intercept: np.ndarray  # (n_labels,)
    temperature: float = 1.0
    oos_threshold: float = 0.0
    oos_label: str = OOS_LABEL
    meta: dict[str, Any] = field(default_factory=dict)

    # -- inference --------------------------------------------------------------------------------
    def _rows(self, texts: Sequence[str]) -> tuple[list[int], list[float], list[int]]:
        """Sparse TF-IDF rows as flat (column, value) lists plus row offsets (CSR without scipy)."""
        cols: list[int] = []
        vals: list[float] = []
        offsets = [0]
        n_word = len(self.word_vocab)
        for text in texts:
            for grams, vocab, idf, base in (
                (word_ngrams(text), self.word_vocab, self.word_idf, 0),
                (char_ngrams(text), self.char_vocab, self.char_idf, n_word),
            ):
                counts = Counter(vocab[g] for g in grams if g in vocab)
                if not counts:
                    continue
                weights = {c: (1.0 + math.log(tf)) * float(idf[c]) for c, tf in counts.items()}
                norm = math.sqrt(sum(w * w for w in weights.values()))
                for c, w in weights.items():
                    cols.append(base + c)
                    vals.append(w / norm)
            offsets.append(len(cols))
        return cols, vals, offsets

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """Raw linear scores, one row per text (vectorised over the whole batch)."""
        import numpy as np

        cols, vals, offsets = self._rows(texts)
        out = np.tile(self.intercept.astype(np.float64), (len(texts), 1))
        if cols:
            contrib = self.coef[np.asarray(cols)] * np.asarray(vals, dtype=np.float32)[:, None]
            starts = np.asarray(offsets[:-1])
            nonempty = starts < np.asarray(offsets[1:])
            sums = np.add.reduceat(contrib, starts[nonempty], axis=0)
            out[nonempty] += sums
        return out

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated class probabilities (softmax of logits / temperature)."""
        return softmax(self.logits(texts), self.temperature)

    def predict(self, texts: Sequence[str], top_k: int = 3) -> list[Prediction]:
        """Best label per text; below ``oos_threshold`` (or the OOS class itself) → out of scope."""
        probs = self.predict_proba(texts)
        results: list[Prediction] = []
        for row in probs:
            order = row.argsort()[::-1][:top_k]
            top = [(self.labels[i], round(float(row[i]), 4)) for i in order]
            label, confidence = self.labels[order[0]], float(row[order[0]])
            in_scope = label != self.oos_label and confidence >= self.oos_threshold
            results.append(
                Prediction(
                    label=label if in_scope else self.oos_label,
                    confidence=round(confidence, 4),
                    top=top,
                    in_scope=in_scope,
                )
            )
        return results

    # -- persistence --------------------------------------------------------------------------------
    _ARRAYS = ("word_idf", "char_idf", "coef", "intercept")

    def save(self, path: Path) -> None:
        """Write an ``.npz``: numpy arrays plus a JSON header, never pickle.

        The cache dir is user-writable, so loading must not be able to run code; and the
        write is atomic (temp file + rename) so a crash never leaves a torn model behind.
        """
        import numpy as np

        header = {k: v for k, v in self.__dict__.items() if k not in self._ARRAYS}
        arrays = {k: getattr(self, k) for k in self._ARRAYS}
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, header=np.array(json.dumps(header, ensure_ascii=False)), **arrays)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path) -> IntentModel:
        """Load a model written by :meth:`save` (``allow_pickle=False``: data only)."""
        import numpy as np

        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data["header"]))
            arrays = {k: data[k] for k in cls._ARRAYS}
        return cls(**header, **arrays)


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    import numpy as np

    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)
