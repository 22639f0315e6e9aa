"""BM25 retrieval over small passage collections (knowledge bases, local corpora).

Why BM25 in pure Python: a support KB or a research corpus holds hundreds to a few
thousand passages; an inverted index answers a query in well under a millisecond with
no heavy imports, and the scores are explainable (shown as ``sources[].score``).

Usage::

    index = BM25Index([("kb/refunds#1", "How refunds work ..."), ...])
    index.search("when do I get my money back", k=3)   # -> [Hit(id=..., score=...), ...]
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import NamedTuple

import numpy as np

from agentops_cli.nlp.text import terms


class Hit(NamedTuple):
    """One search result: the passage id and its BM25 score (higher is better, not bounded)."""

    id: str
    score: float


class BM25Index:
    """Okapi BM25 over ``(id, text)`` passages.

    ``tokenizer`` defaults to :func:`agentops_cli.nlp.text.terms` (accent folding,
    EN+ES stopwords, light stemming). ``k1`` and ``b`` are the usual BM25 knobs.
    """

    def __init__(
        self,
        passages: Iterable[tuple[str, str]],
        *,
        k1: float = 1.5,
        b: float = 0.75,
        tokenizer: Callable[[str], list[str]] = terms,
    ) -> None:
        self.k1 = k1
        self.b = b
        self.tokenizer = tokenizer
        self.ids: list[str] = []
        lengths: list[int] = []
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for doc, (pid, text) in enumerate(passages):
            tokens = tokenizer(text)
            self.ids.append(pid)
            lengths.append(len(tokens))
            for term, tf in Counter(tokens).items():
                postings[term].append((doc, tf))
        if len(set(self.ids)) != len(self.ids):
            dupes = sorted({i for i in self.ids if self.ids.count(i) > 1})
            raise ValueError(f"duplicate passage ids: {', '.join(dupes[:5])}")
        vocabulary = list(postings)
        counts = [len(postings[t]) for t in vocabulary]
        flat = [pair for t in vocabulary for pair in postings[t]]
        self._set_arrays(
            vocabulary,
            np.concatenate(([0], np.cumsum(counts, dtype=np.int64))).astype(np.int64),
            np.array([d for d, _ in flat], dtype=np.int32),
            np.array([tf for _, tf in flat], dtype=np.float64),
            np.array(lengths, dtype=np.float64),
        )

    def _set_arrays(
        self,
        vocabulary: list[str],
        offsets: np.ndarray,
        docs: np.ndarray,
        tfs: np.ndarray,
        lengths: np.ndarray,
    ) -> None:
        """Postings in CSR form: term i's (doc, tf) pairs are ``docs/tfs[offsets[i]:offsets[i+1]]``.

        Why arrays: scoring is vectorised, and the index can be saved and loaded as plain
        numpy arrays (no pickle), so a new process does not re-tokenise a large corpus."""
        self._vocabulary = vocabulary
        self._term_row = {t: i for i, t in enumerate(vocabulary)}
        self._offsets, self._docs, self._tfs, self._lengths = offsets, docs, tfs, lengths
        n = len(self.ids)
        self._avg_len = float(lengths.sum() / n) if n else 0.0
        # BM25+-style non-negative idf: a term in every passage still counts a little.
        # math.log, not np.log: the two may differ in the last bit, and rankings must not move.
        self._idf = np.array(
            [math.log(1.0 + (n - df + 0.5) / (df + 0.5)) for df in np.diff(offsets).tolist()]
        )

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The index as numpy arrays (ids and terms as unicode arrays): cacheable without pickle."""
        return {
            "ids": np.array(self.ids, dtype=str),
            "vocabulary": np.array(self._vocabulary, dtype=str),
            "offsets": self._offsets,
            "docs": self._docs,
            "tfs": self._tfs,
            "lengths": self._lengths,
            "params": np.array([self.k1, self.b]),
        }

    @classmethod
    def from_arrays(
        cls, arrays: Mapping[str, np.ndarray], *, tokenizer: Callable[[str], list[str]] = terms
    ) -> BM25Index:
        """Rebuild an index saved by :meth:`to_arrays` (same ``tokenizer`` as when it was built)."""
        index = cls.__new__(cls)
        index.k1, index.b = (float(x) for x in arrays["params"])
        index.tokenizer = tokenizer
        index.ids = arrays["ids"].tolist()
        index._set_arrays(
            arrays["vocabulary"].tolist(),
            arrays["offsets"].astype(np.int64),
            arrays["docs"].astype(np.int32),
            arrays["tfs"].astype(np.float64),
            arrays["lengths"].astype(np.float64),
        )
        return index

    def __len__(self) -> int:
        return len(self.ids)

    def vocabulary(self) -> list[str]:
        """Every indexed term (for query expansion by word form)."""
        return list(self._vocabulary)

    def _score_array(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """(scores of every passage, mask of passages sharing at least one term with ``query``)."""
        n = len(self.ids)
        acc = np.zeros(n)
        hit = np.zeros(n, dtype=bool)
        avg = self._avg_len or 1.0
        for term in set(self.tokenizer(query)):
            row = self._term_row.get(term)
            if row is None:
                continue
            lo, hi = self._offsets[row], self._offsets[row + 1]
            docs, tf = self._docs[lo:hi], self._tfs[lo:hi]
            norm = self.k1 * (1.0 - self.b + self.b * self._lengths[docs] / avg)
            acc[docs] += self._idf[row] * tf * (self.k1 + 1.0) / (tf + norm)
            hit[docs] = True
        return acc, hit

    def scores(self, query: str) -> dict[int, float]:
        """BM25 score of every passage sharing at least one term with ``query`` (by position)."""
        acc, hit = self._score_array(query)
        found = np.flatnonzero(hit)
        return dict(zip(found.tolist(), acc[found].tolist(), strict=True))

    def search(self, query: str, k: int = 5, *, min_score: float = 0.0) -> list[Hit]:
        """Top ``k`` passages by score (ties broken by insertion order); only scores > ``min_score``."""
        acc, hit = self._score_array(query)
        found = np.flatnonzero(hit & (acc > min_score))
        order = found[np.lexsort((found, -acc[found]))][:k]
        return [Hit(self.ids[doc], round(float(acc[doc]), 4)) for doc in order.tolist()]

    def search_many(self, queries: Sequence[str], k: int = 5, *, min_score: float = 0.0) -> list[list[Hit]]:
        return [self.search(q, k, min_score=min_score) for q in queries]
