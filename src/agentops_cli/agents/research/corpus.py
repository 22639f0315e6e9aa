"""The local corpus: read md/txt/html/pdf files, split them into passages, index them.

Why a cache: reading PDFs and splitting a large folder costs seconds, and a research
question is usually asked many times over the same folder. The parsed documents and
passages are stored in diskcache under ``<cache dir>/corpus``, keyed by a hash of every
file's relative path and bytes, so editing, adding or removing a file yields a new key
(the old entry simply ages out). The search indexes built over the passages (BM25 postings,
the outline index, the idf table) are cached next to them as plain numpy arrays (``np.savez``
bytes, loaded with ``allow_pickle=False``): re-tokenising 30,000 passages in every new
process took ~40 s, loading the arrays takes well under a second.

The document ``text`` kept here is what citations are verified against.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pydantic import BaseModel, PrivateAttr

from agentops_cli.agents.document.loaders import read_file, safe_files
from agentops_cli.errors import BadInput
from agentops_cli.nlp.retrieval import BM25Index, Hit

SUPPORTED_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm", ".pdf")
INDEX_VERSION = "research-corpus-v4"  # bump when reading or splitting changes the text
PASSAGE_CHARS = 900
_BLOCK_BREAK = re.compile(r"\n[ \t]*\n")
_MD_HEADING = re.compile(r"^#{1,6}[ \t]")


class Document(BaseModel):
    """One source file as plain text."""

    source: str
    title: str
    text: str


class Passage(BaseModel):
    """A contiguous span ``text == document.text[start:end]`` under one heading."""

    id: str
    source: str
    title: str
    heading: str
    text: str
    start: int
    end: int

    @classmethod
    def of_span(cls, doc: Document, number: int, heading: str, start: int, end: int) -> Passage:
        """Passage ``number`` of ``doc``: the text between ``start`` and ``end``, under ``heading``."""
        return cls(
            id=f"{doc.source}#{number}",
            source=doc.source,
            title=doc.title,
            heading=heading,
            text=doc.text[start:end],
            start=start,
            end=end,
        )


# A passage as cached: (document index, number in its document, heading, start, end). Its text
# is ``document.text[start:end]``, so it is not stored twice.
PassageRow = tuple[int, int, str, int, int]


class CorpusData(BaseModel):
    """What is cached for one version of a corpus folder.

    Why rows and not passage objects: a 10,000-document corpus has ~30,000 passages, and
    validating (or even constructing) that many models on every load cost most of a query's
    second. Rows validate as plain tuples; a :class:`Passage` is made when it is asked for.
    """

    key: str
    documents: list[Document]
    rows: list[PassageRow]
    skipped: list[str] = []
    _made: dict[int, Passage] = PrivateAttr(default_factory=dict)

    @classmethod
    def of(
        cls, key: str, documents: list[Document], passages: list[Passage], skipped: list[str]
    ) -> CorpusData:
        """From freshly split passages (whose ids run ``source#1``, ``source#2``, … per document)."""
        position = {d.source: i for i, d in enumerate(documents)}
        rows = [
            (position[p.source], int(p.id.rpartition("#")[2]), p.heading, p.start, p.end) for p in passages
        ]
        data = cls(key=key, documents=documents, rows=rows, skipped=skipped)
        data._made = dict(enumerate(passages))
        return data

    def __eq__(self, other: object) -> bool:
        """Equal when the cached content is (the passages made so far do not count)."""
        if not isinstance(other, CorpusData):
            return NotImplemented
        mine, theirs = (
            (self.key, self.documents, self.rows, self.skipped),
            (
                other.key,
                other.documents,
                other.rows,
                other.skipped,
            ),
        )
        return mine == theirs

    __hash__ = None  # type: ignore[assignment]  # mutable, as pydantic models are

    def passage_at(self, row: int) -> Passage:
        made = self._made.get(row)
        if made is None:
            doc_index, number, heading, start, end = self.rows[row]
            made = self._made[row] = Passage.of_span(self.documents[doc_index], number, heading, start, end)
        return made

    @property
    def passages(self) -> list[Passage]:
        """Every passage, in order (building the indexes reads them all)."""
        return [self.passage_at(i) for i in range(len(self.rows))]

    def passage_ids(self) -> list[str]:
        return [f"{self.documents[d].source}#{n}" for d, n, *_ in self.rows]


@dataclass
class CorpusIndex:
    """A searchable corpus: passages, their documents and a BM25 index over them."""

    root: Path
    data: CorpusData
    from_cache: bool = False
    refused: list[str] = field(default_factory=list)  # "path: why" of files the root rule skipped
    _bm25: BM25Index = field(init=False, repr=False)
    _rows: dict[str, int] = field(init=False, repr=False)  # passage id -> row in ``data.rows``
    _documents: dict[str, Document] = field(init=False, repr=False)
    _idf: dict[str, float] = field(init=False, repr=False)
    _outline: BM25Index = field(init=False, repr=False)

    arrays: dict[str, np.ndarray] | None = field(default=None, repr=False)  # from the cache

    def __post_init__(self) -> None:
        self._rows = {pid: row for row, pid in enumerate(self.data.passage_ids())}
        self._documents = {d.source: d for d in self.data.documents}
        if self.arrays is not None and _arrays_fit(self.arrays, self.data):
            self._load_arrays(self.arrays)
        else:
            self._build_indexes()
        self.arrays = None

    def _build_indexes(self) -> None:
        from agentops_cli.agents.research.offline import idf_table

        self._idf = idf_table(self.data.passages)
        self._bm25 = BM25Index((p.id, f"{p.title}\n{p.heading}\n{p.text}") for p in self.data.passages)
        outline: dict[str, list[str]] = {}
        for p in self.data.passages:
            parts = outline.setdefault(p.source, [p.title])
            if p.heading != parts[-1]:
                parts.append(p.heading)
        self._outline = BM25Index((source, "\n".join(parts)) for source, parts in outline.items())

    def _load_arrays(self, arrays: dict[str, np.ndarray]) -> None:
        self._idf = dict(zip(arrays["idf_keys"].tolist(), arrays["idf_values"].tolist(), strict=True))
        self._bm25 = BM25Index.from_arrays({k[5:]: v for k, v in arrays.items() if k.startswith("bm25_")})
        self._outline = BM25Index.from_arrays(
            {k[8:]: v for k, v in arrays.items() if k.startswith("outline_")}
        )

    def index_arrays(self) -> dict[str, np.ndarray]:
        """Everything :meth:`_build_indexes` computes, as numpy arrays (for the on-disk cache)."""
        arrays = {f"bm25_{k}": v for k, v in self._bm25.to_arrays().items()}
        arrays.update({f"outline_{k}": v for k, v in self._outline.to_arrays().items()})
        arrays["idf_keys"] = np.array(list(self._idf), dtype=str)
        arrays["idf_values"] = np.array(list(self._idf.values()), dtype=np.float64)
        return arrays

    @property
    def key(self) -> str:
        return self.data.key

    @property
    def documents(self) -> list[Document]:
        return self.data.documents

    def passage(self, passage_id: str) -> Passage | None:
        row = self._rows.get(passage_id)
        return None if row is None else self.data.passage_at(row)

    def document(self, source: str) -> Document | None:
        return self._documents.get(source)

    def idf_prefix(self, key: str) -> float:
        """How rare a matching key (see ``offline.match_keys``) is across passages; 0 if unseen."""
        return self._idf.get(key, 0.0)

    def variants(self, term: str, prefix: int = 6) -> list[str]:
        """Index terms sharing ``term``'s first ``prefix`` letters ("reimburs" → "reimbursement"):
        query expansion for word forms the light stemmer keeps apart."""
        if len(term) < prefix:
            return []
        if not hasattr(self, "_by_prefix"):
            table: dict[str, list[str]] = {}
            for known in self._bm25.vocabulary():
                if len(known) >= prefix:
                    table.setdefault(known[:prefix], []).append(known)
            self._by_prefix = table
        return [t for t in self._by_prefix.get(term[:prefix], []) if t != term]

    def outline_scores(self, query: str) -> dict[str, float]:
        """BM25 of ``query`` against each document's outline (title and headings), by source.

        Why: a document titled "Going out of office" is about the question "before going on
        leave" even when one of its passages shares more words with a distractor."""
        return {h.id: h.score for h in self._outline.search(query, 50)}

    def search(self, query: str, k: int) -> list[tuple[Passage, float]]:
        hits: list[Hit] = self._bm25.search(query, k)
        return [(self.data.passage_at(self._rows[h.id]), h.score) for h in hits]

    def search_within(self, must: str, query: str, k: int, pool: int = 12) -> list[tuple[Passage, float]]:
        """Best passages for ``query`` among the ``pool`` passages that match ``must`` best."""
        allowed = {h.id for h in self._bm25.search(must, pool)}
        if not allowed:
            return []
        ranked = [h for h in self._bm25.search(f"{must} {query}", len(self._rows)) if h.id in allowed]
        return [(self.data.passage_at(self._rows[h.id]), h.score) for h in ranked[:k]]


# -- reading files -------------------------------------------------------------------------------


def _title_from_text(text: str, fallback: str) -> str:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("# "):
            return stripped[2:].strip()
        if stripped:
            break
    return fallback


def read_document(path: Path, root: Path) -> Document:
    """Read one file into a :class:`Document` (source = path relative to the corpus root).

    The text comes from the document agent's reader (``read_file``), so a file yields the
    same text whether it is analysed alone or cited from a corpus; only the title is ours.
    """
    source = path.relative_to(root).as_posix()
    fallback = path.stem.replace("_", " ").replace("-", " ").strip().capitalize()
    loaded = read_file(path, source)
    text = loaded.text.strip()
    if loaded.format == "html":
        title = loaded.title or _title_from_text(text, fallback)
    elif loaded.format == "pdf":
        title = fallback
    elif loaded.format == "txt":
        first = next((line.strip() for line in text.splitlines() if line.strip()), "")
        title = first if 0 < len(first) <= 120 else fallback
    else:
        title = _title_from_text(text, fallback)
    return Document(source=source, title=title, text=text)


# -- passages ------------------------------------------------------------------------------------


def is_heading(block: str) -> bool:
    """Markdown ``#`` lines, or a short line without final punctuation (txt section titles)."""
    line = block.strip()
    if line.startswith("#"):
        return True
    return "\n" not in line and len(line) <= 80 and not line.endswith((".", ":", ";", "!", "?", ")"))


def _blocks(text: str) -> list[tuple[int, int]]:
    """Paragraph spans; a Markdown heading line is a block of its own (heading-aware passages:
    "##### Gliding" directly followed by its list must not hide that list inside a heading)."""
    spans, pos = [], 0
    for match in _BLOCK_BREAK.finditer(text):
        if text[pos : match.start()].strip():
            spans.append((pos, match.start()))
        pos = match.end()
    if text[pos:].strip():
        spans.append((pos, len(text)))
    out: list[tuple[int, int]] = []
    for start, end in spans:
        segment, offset = start, start
        for line in text[start:end].split("\n"):
            line_end = offset + len(line)
            if _MD_HEADING.match(line):
                if text[segment : max(segment, offset - 1)].strip():
                    out.append((segment, offset - 1))
                out.append((offset, line_end))
                segment = line_end + 1
            offset = line_end + 1
        if segment < end and text[segment:end].strip():
            out.append((segment, end))
    return out


def split_passages(doc: Document, max_chars: int = PASSAGE_CHARS) -> list[Passage]:
    """Group paragraphs into passages of at most ``max_chars``; a heading starts a new passage."""
    passages: list[Passage] = []
    heading = doc.title
    current: list[tuple[int, int]] = []

    def flush() -> None:
        if not current:
            return
        start, end = current[0][0], current[-1][1]
        passages.append(Passage.of_span(doc, len(passages) + 1, heading, start, end))
        current.clear()

    for start, end in _blocks(doc.text):
        block = doc.text[start:end]
        if is_heading(block):
            if not all(is_heading(doc.text[s:e]) for s, e in current):  # stacked headings stay together
                flush()
            heading = block.strip().lstrip("#").strip() or heading
            current.append((start, end))
            continue
        if (
            current
            and end - current[0][0] > max_chars
            and not all(is_heading(doc.text[s:e]) for s, e in current)
        ):
            flush()
        current.append((start, end))
    flush()
    return passages


# -- loading with the cache ----------------------------------------------------------------------


def corpus_files(root: Path) -> list[str]:
    """Supported files under ``root`` (recursive, hidden files skipped), in a stable order.

    ``os.scandir`` (symlinked folders listed, not entered, as ``rglob`` does): the directory
    entry already says whether a name is a regular file, so no ``stat`` per file here (the
    root rule's ``lstat`` in ``safe_files`` is the only one), and paths stay strings (a
    ``Path`` per file cost more than the walk) — on a 10,000-file corpus every per-file call
    shows in the query time."""
    found: list[tuple[tuple[str, ...], str]] = []
    pending: list[tuple[tuple[str, ...], str]] = [((), str(root))]
    while pending:
        rel, folder = pending.pop()
        try:
            entries = os.scandir(folder)
        except PermissionError:
            if not rel:
                raise
            continue  # an unreadable sub-folder is skipped, as ``rglob`` did
        with entries:
            for entry in entries:
                name = entry.name
                if name.startswith("."):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    pending.append(((*rel, name), entry.path))
                elif os.path.splitext(name)[1].lower() in SUPPORTED_SUFFIXES and entry.is_file():
                    found.append(((*rel, name), entry.path))
    found.sort(key=lambda item: item[0])
    return [path for _, path in found]


def content_key(root: Path, files: list[str]) -> str:
    """sha256 over the index version and every file's relative path and bytes."""
    digest = hashlib.sha256(INDEX_VERSION.encode())
    prefix = os.path.join(str(root), "")  # "root/"
    for path in files:
        text = str(path)
        rel = text[len(prefix) :] if text.startswith(prefix) else os.path.relpath(text, root)
        digest.update(rel.replace(os.sep, "/").encode())
        digest.update(b"\0")
        digest.update(_sha256_of_file(text))
    return digest.hexdigest()


def _sha256_of_file(path: str) -> bytes:
    """The file's sha256, read with ``os.read`` (no buffered file object: on 10,000 files the
    object's set-up cost more CPU than the hashing)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        hasher = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            hasher.update(chunk)
    finally:
        os.close(fd)
    return hasher.digest()


def build_corpus(root: Path, files: list[str], key: str) -> CorpusData:
    documents: list[Document] = []
    passages: list[Passage] = []
    skipped: list[str] = []
    for name in files:
        path = Path(name)
        try:
            doc = read_document(path, root)
        except Exception:  # an unreadable file (broken PDF): skip it, say so in flags
            skipped.append(path.relative_to(root).as_posix())
            continue
        if not doc.text.strip():
            skipped.append(doc.source)
            continue
        documents.append(doc)
        passages.extend(split_passages(doc))
    return CorpusData.of(key, documents, passages, skipped)


def load_corpus(root: Path, *, cache_dir: Path | None, allow_hard_links: bool = False) -> CorpusIndex:
    """Load (from the cache when the content is unchanged) and index the corpus at ``root``.

    ``cache_dir`` None disables the on-disk cache (``--no-cache``). Files a symlink takes out
    of the folder, and hard links (unless allowed), are never read, not even to hash them.
    """
    if not root.exists():
        raise BadInput(f"{root}: corpus folder not found")
    if not root.is_dir():
        raise BadInput(f"{root}: corpus must be a folder")
    files, refused = safe_files(root, corpus_files(root), allow_hard_links=allow_hard_links)
    if refused:
        from agentops_cli.observability.logging import get_logger

        for line in refused:
            get_logger().warning("corpus file skipped: {}", line)
    if not files:
        why = f"; skipped {'; '.join(refused)}" if refused else ""
        raise BadInput(f"{root}: corpus is empty (no {', '.join(SUPPORTED_SUFFIXES)} files{why})")
    key = content_key(root, files)
    if (root, key) in _INDEXES:  # asked again in this process: the built index is reused
        return _INDEXES[(root, key)]
    cached = _cache_get(cache_dir, key)
    if cached is not None:
        data, arrays = cached
        index = CorpusIndex(root=root, data=data, from_cache=True, refused=refused, arrays=arrays)
        if arrays is None:  # an entry written before the arrays were cached
            _cache_put_arrays(cache_dir, key, index)
        return _remember(index)
    data = build_corpus(root, files, key)
    if not data.rows:
        raise BadInput(f"{root}: corpus is empty (no readable text in {len(files)} file(s))")
    _cache_put(cache_dir, key, data)
    index = CorpusIndex(root=root, data=data, refused=refused)
    _cache_put_arrays(cache_dir, key, index)
    return index


_INDEXES: dict[tuple[Path, str], CorpusIndex] = {}


def _remember(index: CorpusIndex) -> CorpusIndex:
    """Keep the last built index per process (an eval or a bench asks many questions)."""
    _INDEXES.clear()
    _INDEXES[(index.root, index.key)] = index
    return index


_ARRAYS_SUFFIX = ":index-arrays-v1"


def _arrays_fit(arrays: dict[str, np.ndarray], data: CorpusData) -> bool:
    """A cached index is used only if it indexes exactly these passages, in this order."""
    ids = arrays.get("bm25_ids")
    return ids is not None and ids.tolist() == data.passage_ids()


def _cache_get(cache_dir: Path | None, key: str) -> tuple[CorpusData, dict[str, np.ndarray] | None] | None:
    if cache_dir is None:
        return None
    import diskcache

    with diskcache.Cache(str(cache_dir)) as cache:
        raw = cache.get(key)
        packed = cache.get(key + _ARRAYS_SUFFIX) if raw is not None else None
    if raw is None:
        return None
    arrays = None
    if isinstance(packed, bytes):
        try:
            with np.load(io.BytesIO(packed), allow_pickle=False) as npz:
                arrays = {name: npz[name] for name in npz.files}
        except (OSError, ValueError):  # a damaged entry: rebuild the index from the passages
            arrays = None
    if isinstance(raw, bytes):
        return CorpusData.model_validate_json(raw), arrays
    return CorpusData.model_validate(raw), arrays  # an entry written as a dict by an older version


def _cache_put_arrays(cache_dir: Path | None, key: str, index: CorpusIndex) -> None:
    if cache_dir is None:
        return
    import diskcache

    buffer = io.BytesIO()
    np.savez(buffer, **index.index_arrays())
    with diskcache.Cache(str(cache_dir)) as cache:
        cache.set(key + _ARRAYS_SUFFIX, buffer.getvalue())


def _cache_put(cache_dir: Path | None, key: str, data: CorpusData) -> None:
    if cache_dir is None:
        return
    import diskcache

    with diskcache.Cache(str(cache_dir)) as cache:
        cache.set(key, data.model_dump_json().encode())  # JSON bytes: parsed in Rust, no pickle
