"""TF-IDF for intent training: every text tokenised and counted once, vocabularies chosen per fit.

Why not scikit-learn's ``TfidfVectorizer``: training needs two models over the same rows (a
calibration model on the fit rows, the final model on all of them) and the vectoriser would
tokenise and count every text twice, one Python dictionary operation per n-gram — about a
fifth of a 10,000-row pack's training time. Here the texts are counted once into one raw
count matrix (character n-grams word by word, each distinct word looked up once), and each
fit *selects* its vocabulary from the rows it may see: terms absent from them (or below
``min_df`` in them) are dropped and the idf comes from those rows only. So a held-out row's
unseen words stay out of the calibration model's vocabulary and its TF-IDF norm, exactly as
``TfidfVectorizer.fit`` on the fit rows followed by ``transform`` of the held-out rows (a test
checks the numbers against scikit-learn).

The maths is scikit-learn's (``sublinear_tf``, ``smooth_idf``, L2 norm), which is also what
:meth:`agentops_cli.nlp.intent.IntentModel.logits` re-implements at inference time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import numpy as np
import scipy.sparse as sp

from agentops_cli.nlp.intent import _word_grams, char_words, word_tokens


@dataclass
class TermCounts:
    """Raw term counts of a list of texts: ``matrix[row, column]`` counts ``terms[column]``.

    Columns are in alphabetical term order, so ties between equally frequent terms (when a
    vocabulary is capped) break the same way whichever rows are selected.
    """

    terms: np.ndarray  # (n_terms,) str, sorted
    matrix: sp.csr_matrix  # (n_texts, n_terms) int32 counts


@dataclass
class Vocabulary:
    """The columns of a :class:`TermCounts` one fit may use, and their idf weights."""

    columns: np.ndarray  # indices into TermCounts.terms, ascending
    idf: np.ndarray  # float64, one per column

    def mapping(self, counts: TermCounts) -> dict[str, int]:
        """Term → feature index, the layout :class:`~agentops_cli.nlp.intent.IntentModel` exports."""
        return {str(term): i for i, term in enumerate(counts.terms[self.columns].tolist())}


def _alphabetical(terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(terms sorted, rank of each original term id in that order).

    Sorted by Python, not through ``astype(str)``: a fixed-width copy is as wide as the longest
    term, so one pasted huge "word" would cost gigabytes."""
    array = np.array(terms, dtype=object)
    order = np.fromiter(sorted(range(len(terms)), key=terms.__getitem__), dtype=np.int64, count=len(terms))
    rank = np.empty(len(terms), dtype=np.int64)
    rank[order] = np.arange(len(terms))
    return array[order], rank


def _csr(rows: np.ndarray, columns: np.ndarray, shape: tuple[int, int]) -> sp.csr_matrix:
    """Counts of (row, column) pairs, in one go: each row's columns sorted, duplicates summed."""
    matrix = sp.csr_matrix((np.ones(len(rows), dtype=np.int32), (rows, columns)), shape=shape)
    matrix.sum_duplicates()
    return matrix


def _ids(items_per_text: Sequence[list[str]], index: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Every text's items as ids (assigned in first-seen order into ``index``) flattened, and the
    row each id comes from: one dictionary look-up per item, the rest in numpy."""
    lengths = np.fromiter(map(len, items_per_text), dtype=np.int64, count=len(items_per_text))
    ids = np.fromiter(
        (index.setdefault(item, len(index)) for item in chain.from_iterable(items_per_text)),
        dtype=np.int64,
        count=int(lengths.sum()),
    )
    return ids, np.repeat(np.arange(len(items_per_text)), lengths)


def count_word_terms(texts: Sequence[str]) -> TermCounts:
    """Word uni- and bigrams (:func:`~agentops_cli.nlp.intent.word_ngrams`) of every text.

    Why not one look-up per n-gram: a text of k words has 2k - 1 of them. Here each word is
    looked up once; a bigram is a pair of neighbouring word ids in the same text, numbered with
    ``np.unique``, and only the distinct pairs (a few per cent of all) are spelt as strings."""
    index: dict[str, int] = {}
    ids, row_of = _ids([word_tokens(text) for text in texts], index)
    pairs = np.flatnonzero(row_of[:-1] == row_of[1:])  # position of a bigram's first word
    keys, pair_ids = np.unique(ids[pairs] * max(len(index), 1) + ids[pairs + 1], return_inverse=True)
    words = list(index)
    bigrams = [f"{words[a]} {words[b]}" for a, b in zip(*np.divmod(keys, max(len(index), 1)), strict=True)]
    terms, rank = _alphabetical(words + bigrams)
    columns = rank[np.concatenate([ids, len(words) + pair_ids.ravel()])]
    rows = np.concatenate([row_of, row_of[pairs]])
    return TermCounts(terms=terms, matrix=_csr(rows, columns, (len(texts), len(terms))))


def count_char_terms(texts: Sequence[str], low: int = 2, high: int = 5) -> TermCounts:
    """Character n-grams inside word boundaries (:func:`~agentops_cli.nlp.intent.char_ngrams`).

    Texts repeat a few thousand distinct words, not their n-grams: the counts are (text × word
    counts) @ (word × n-gram counts), each distinct word cut into n-grams once, and the per-text
    sums done by the sparse product rather than one Python operation per n-gram."""
    word_index: dict[str, int] = {}
    word_ids, row_of = _ids([char_words(text) for text in texts], word_index)
    gram_index: dict[str, int] = {}
    gram_ids, word_of = _ids([_word_grams(word, low, high) for word in word_index], gram_index)
    terms, rank = _alphabetical(list(gram_index))
    per_text = _csr(row_of, word_ids, (len(texts), len(word_index)))
    per_word = _csr(word_of, rank[gram_ids], (len(word_index), len(terms)))
    matrix = (per_text @ per_word).tocsr()
    matrix.sort_indices()
    return TermCounts(terms=terms, matrix=matrix.astype(np.int32, copy=False))


def fit_vocabulary(counts: TermCounts, rows: np.ndarray, min_df: int, max_features: int | None) -> Vocabulary:
    """The vocabulary ``TfidfVectorizer(min_df, max_features, smooth_idf=True).fit`` would learn
    from ``rows`` alone: terms in at least ``min_df`` of them, the ``max_features`` most
    frequent (ties: alphabetical), idf = ln((1 + n) / (1 + df)) + 1."""
    sub = counts.matrix[rows]
    df = np.bincount(sub.indices, minlength=sub.shape[1])
    keep = np.flatnonzero(df >= max(min_df, 1))
    if max_features is not None and len(keep) > max_features:
        frequency = np.asarray(sub.sum(axis=0)).ravel()[keep]
        keep = np.sort(keep[np.argsort(-frequency, kind="stable")[:max_features]])
    idf = np.log((1.0 + len(rows)) / (1.0 + df[keep])) + 1.0
    return Vocabulary(columns=keep, idf=idf)


def tfidf(counts: TermCounts, rows: np.ndarray, vocabulary: Vocabulary, dtype=np.float64) -> sp.csr_matrix:
    """TF-IDF of ``rows`` over ``vocabulary``: (1 + ln tf) × idf, each row L2-normalised over the
    vocabulary's terms only (as ``TfidfVectorizer.transform``)."""
    sub = counts.matrix[rows][:, vocabulary.columns].tocsr()
    data = (1.0 + np.log(sub.data.astype(np.float64))) * vocabulary.idf[sub.indices]
    row_of = np.repeat(np.arange(sub.shape[0]), np.diff(sub.indptr))
    norms = np.sqrt(np.bincount(row_of, weights=data * data, minlength=sub.shape[0]))
    data /= norms[row_of]
    return sp.csr_matrix((data.astype(dtype), sub.indices, sub.indptr), shape=sub.shape)
