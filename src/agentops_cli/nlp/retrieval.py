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
from collections.abc import Callable, Iterable, Sequence
from typing import NamedTuple

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
        self._lengths: list[int] = []
        self._postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for doc, (pid, text) in enumerate(passages):
            tokens = tokenizer(text)
            self.ids.append(pid)
            self._lengths.append(len(tokens))
            for term, tf in Counter(tokens).items():
                self._postings[term].append((doc, tf))
        if len(set(self.ids)) != len(self.ids):
            dupes = sorted({i for i in self.ids if self.ids.count(i) > 1})
            raise ValueError(f"duplicate passage ids: {', '.join(dupes[:5])}")
        n = len(self.ids)
        self._avg_len = (sum(self._lengths) / n) if n else 0.0
        # BM25+-style non-negative idf: a term in every passage still counts a little.
        self._idf = {
            term: math.log(1.0 + (n - len(post) + 0.5) / (len(post) + 0.5))
            for term, post in self._postings.items()
        }

    def __len__(self) -> int:
        return len(self.ids)

    def vocabulary(self) -> list[str]:
        """Every indexed term (for query expansion by word form)."""
        return list(self._postings)

    def scores(self, query: str) -> dict[int, float]:
        """BM25 score of every passage sharing at least one term with ``query`` (by position)."""
        acc: dict[int, float] = defaultdict(float)
        avg = self._avg_len or 1.0
        for term in set(self.tokenizer(query)):
            postings = self._postings.get(term)
            if not postings:
                continue
            idf = self._idf[term]
            for doc, tf in postings:
                norm = self.k1 * (1.0 - self.b + self.b * self._lengths[doc] / avg)
                acc[doc] += idf * tf * (self.k1 + 1.0) / (tf + norm)
        return acc

    def search(self, query: str, k: int = 5, *, min_score: float = 0.0) -> list[Hit]:
        """Top ``k`` passages by score (ties broken by insertion order); only scores > ``min_score``."""
        ranked = sorted(self.scores(query).items(), key=lambda item: (-item[1], item[0]))
        return [Hit(self.ids[doc], round(score, 4)) for doc, score in ranked[:k] if score > min_score]

    def search_many(self, queries: Sequence[str], k: int = 5, *, min_score: float = 0.0) -> list[list[Hit]]:
        return [self.search(q, k, min_score=min_score) for q in queries]
