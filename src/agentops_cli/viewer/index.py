"""A deletable SQLite index over one run's ``results.jsonl``, so the viewer pages on the server.

``results.jsonl`` stays the source of truth: the index holds one short row per result line
(status, agent, tags, a one-line "expected" and "got", latency, cost) plus the byte offset of
the line, so the Examples page is one indexed query and the Example page one ``seek``. A
100,000-example run is parsed once; after that its first page costs a few milliseconds.

The file is append-only while a run goes, so the index remembers how many bytes it has read
and only parses what was appended since (a live run refreshes cheaply). If the file shrank or
was rewritten (``--retry-errors``), the index is rebuilt. Deleting the cache loses nothing.

A big file is indexed in a background thread, into a separate file that replaces the index
when it is complete: the first request never waits for 100,000 lines to be parsed. Until then
:attr:`RunIndex.ready` is false, :attr:`RunIndex.progress` counts the rows indexed so far and
pages answer from the file itself (:func:`stream_page`, :func:`scan`). Only the indexed columns
are taken from each line (``orjson.loads`` plus a few lookups, not a full pydantic validation),
inserted in batches into a cache file written without a journal or fsync: it can always be
rebuilt from ``results.jsonl``, so durability would only cost time.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import orjson
from pydantic import ValidationError

from agentops_cli.evaluation.compare import Outcome
from agentops_cli.evaluation.models import ExampleResult
from agentops_cli.evaluation.store import RESULTS

SCHEMA_VERSION = (
    4  # 3: rows indexed from the line's columns, not its validated model; 4: "got" without bookkeeping
)
SORTABLE = {"key": "key", "agent": "agent", "status": "status", "latency": "latency_ms", "cost": "cost_usd"}
STATUSES = ("pass", "fail", "error")
_TEXT_CAP = 300
INLINE_BYTES = 4_000_000  # a backlog bigger than this (about 2,000 lines) is built in the background
BATCH = 5_000
_HEAD_BYTES = 256
_PRAGMAS = "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA temp_store=MEMORY;"

_TABLES = """
CREATE TABLE IF NOT EXISTS state (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS examples (
  seq INTEGER PRIMARY KEY, key TEXT NOT NULL, id TEXT NOT NULL, trial INTEGER NOT NULL,
  agent TEXT NOT NULL, status TEXT NOT NULL, tags TEXT NOT NULL, expected TEXT NOT NULL,
  got TEXT NOT NULL, input TEXT NOT NULL, reasons TEXT NOT NULL, latency_ms REAL NOT NULL,
  cost_usd REAL NOT NULL, offset INTEGER NOT NULL, length INTEGER NOT NULL);
"""
_INDEXES = """
CREATE INDEX IF NOT EXISTS ix_key ON examples(key);
CREATE INDEX IF NOT EXISTS ix_id ON examples(id);
CREATE INDEX IF NOT EXISTS ix_status ON examples(status, seq);
CREATE INDEX IF NOT EXISTS ix_agent ON examples(agent, seq);
CREATE INDEX IF NOT EXISTS ix_latency ON examples(latency_ms);
"""
_INSERT = (
    "INSERT INTO examples (key, id, trial, agent, status, tags, expected, got, input, reasons,"
    " latency_ms, cost_usd, offset, length) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


def status_of(result: ExampleResult) -> str:
    return "error" if result.error else ("pass" if result.passed else "fail")


def row_of(line: bytes, offset: int) -> tuple[Any, ...] | None:
    """The indexed columns of one result line, or ``None`` when it is not a result.

    Only what the Examples page shows, filters and sorts on is taken, straight from the parsed
    JSON: validating the whole line with pydantic costs 2-3x more, and is done anyway when an
    example is opened (:meth:`RunIndex.result`). A line without a key, id and agent is left out.
    """
    try:
        r = orjson.loads(line)
        key, example_id, agent = r["key"], r["id"], r["agent"]
        if not (isinstance(key, str) and isinstance(example_id, str) and isinstance(agent, str)):
            return None
        expected, error = r.get("expected") or {}, r.get("error")
        status = "error" if error else ("pass" if r.get("passed") is True else "fail")
        return (
            key, example_id, int(r.get("trial") or 0), agent, status,
            "," + ",".join(str(t) for t in r.get("tags") or []) + ",",
            summarise_output(expected.get("output", expected)), summarise_output(r.get("output")),
            str(r.get("input") or "")[:_TEXT_CAP],
            str(error or "; ".join(str(x) for x in r.get("reasons") or []))[:_TEXT_CAP],
            float(r.get("latency_ms") or 0.0), float(r.get("cost_usd") or 0.0), offset, len(line),
        )  # fmt: skip
    except (ValueError, TypeError, KeyError, AttributeError):
        return None


_COLUMNS = ("key", "id", "trial", "agent", "status", "tags", "expected", "got", "input", "reasons",
            "latency_ms", "cost_usd", "offset", "length")  # fmt: skip


def complete_lines(fh: Any, offset: int) -> Iterator[tuple[bytes, int]]:
    """``(line, its offset)`` for every whole line from ``offset``; a torn last line waits."""
    for line in fh:
        if not line.endswith(b"\n"):
            return  # being written, or cut by a kill: read it next time
        yield line, offset
        offset += len(line)


def stream_page(path: Path, page: int, per_page: int) -> tuple[list[dict[str, Any]], bool]:
    """One page of rows in file order, read from ``results.jsonl`` itself (no index needed).

    Memory is one line at a time plus the page; time grows with the page number (the lines
    before it are skipped, not parsed, so a rare invalid line can shift a page by one row).
    Returns the rows and whether more lines follow.
    """
    rows: list[dict[str, Any]] = []
    skip = (max(1, page) - 1) * per_page
    with path.open("rb") as fh:
        for line, offset in complete_lines(fh, 0):
            if skip:
                skip -= 1
                continue
            row = row_of(line, offset)
            if row is None:
                continue
            if len(rows) == per_page:
                return rows, True
            rows.append({"seq": None, **dict(zip(_COLUMNS, row, strict=True))})
    return rows, False


def scan(path: Path, key: str) -> list[ExampleResult]:
    """Every line of one example (by key, or by id for all its trials), found by reading the file.

    What the Example page uses before the index is ready: a line that does not contain the
    key as JSON text is skipped without being parsed.
    """
    needles = {json.dumps(key, ensure_ascii=escaped)[1:-1].encode() for escaped in (True, False)}
    found = []
    with path.open("rb") as fh:
        for line, _ in complete_lines(fh, 0):
            if not any(needle in line for needle in needles):
                continue
            try:
                result = ExampleResult.model_validate_json(line)
            except ValidationError:
                continue
            if key in (result.key, result.id):
                found.append(result)
    return found


_SCALARS = frozenset((str, int, float, bool))  # exact types: what JSON parsing makes
# Left out of the one-line "got": prose, and bookkeeping or echoes of the input that say nothing
# about what the agent decided. A document's path, size and chunk count differ between two runs
# only because the file lay elsewhere (another checkout, a copied dataset), and with them in the
# line Compare called every document "changed"; they also filled the line before the fields.
_LEFT_OUT = frozenset(
    ("answer", "draft_answer", "report", "text", "summary", "agent", "llm_calls", "query", "question", "path",
     "format", "chars", "pages", "chunks", "corpus", "corpus_index", "sources_considered",
     "thread_id", "pack")
)  # fmt: skip


def _field_value(value: Any) -> Any:
    """A document wraps each extracted field as ``{"value", "start", ...}``: the value is the decision."""
    return value.get("value") if type(value) is dict else value


def summarise_output(output: dict[str, Any] | None) -> str:
    """One line of the fields a reader scans for: what the agent decided, not its prose.

    It runs for every line of a run when the index is built, so it stops once the line is full.
    """
    if not output:
        return ""
    parts, size = [], 0
    for name, value in output.items():
        if name in _LEFT_OUT:
            continue
        kind = type(value)
        if kind in _SCALARS:
            part = f"{name}={value}"
        elif kind is list:
            part = f"{name}[{len(value)}]"
        elif kind is dict and name in ("fields", "output"):
            found = ((k, _field_value(v)) for k, v in value.items())
            part = ", ".join(f"{k}={v}" for k, v in found if type(v) in _SCALARS)
            if not part:
                continue
        else:
            continue
        parts.append(part)
        size += len(part) + 2
        if size > _TEXT_CAP:
            break
    return ", ".join(parts)[:_TEXT_CAP]


@dataclass(frozen=True)
class Query:
    """What the Examples page asks for; every value is bound as a SQL parameter, never pasted."""

    status: str = ""
    agent: str = ""
    tag: str = ""
    expected: str = ""
    got: str = ""
    text: str = ""
    sort: str = "key"
    desc: bool = False
    page: int = 1
    per_page: int = 50

    def is_plain(self) -> bool:
        """No filter and the default order: what a page read straight from the file can answer."""
        filters = (self.status, self.agent, self.tag, self.expected, self.got, self.text)
        return not any(filters) and self.sort == "key" and not self.desc


@dataclass
class Page:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int


_P = ParamSpec("_P")
_T = TypeVar("_T")


def _locked(method: Callable[Concatenate[RunIndex, _P], _T]) -> Callable[Concatenate[RunIndex, _P], _T]:
    """Run ``method`` holding the index's lock (see :class:`RunIndex`)."""

    @functools.wraps(method)
    def locked(self: RunIndex, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        with self._lock:
            return method(self, *args, **kwargs)

    return locked


class RunIndex:
    """The index of one run folder, kept under ``cache_dir`` (keyed by the folder's path).

    The server answers requests from a thread pool, so every method that touches the connection
    holds the index's lock: one SQLite connection is never used by two threads at once, and no
    query sees :meth:`refresh` half-way or the connection being swapped. Results are returned
    whole (lists, not cursors), so the lock is never held while a caller iterates. A background
    build writes its own file through its own connection, and is swapped in by :meth:`refresh`.
    """

    def __init__(self, run_dir: Path, cache_dir: Path, background: bool = True) -> None:
        self.run_dir = run_dir
        self.background = background
        digest = hashlib.sha256(str(run_dir.resolve()).encode()).hexdigest()[:20]
        cache_dir.mkdir(parents=True, exist_ok=True)
        self.path = cache_dir / f"{run_dir.name[:40]}-{digest}.sqlite"
        self.progress = 0  # rows the background build has indexed so far
        self.total_bytes = 0  # the size of results.jsonl when that build started
        self.done_bytes = 0  # how far into it the build has read
        self._builder: threading.Thread | None = None
        self._built = threading.Event()
        self._closing = threading.Event()
        self._failed: BaseException | None = None
        self._memo: dict[str, Any] = {}  # whole-run aggregates, dropped whenever lines are added
        self._lock = threading.RLock()
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        """The cache file, or a fresh one when it is unreadable (it is only a cache)."""
        try:
            return _connect(self.path)
        except sqlite3.DatabaseError:
            self.path.unlink(missing_ok=True)
            return _connect(self.path)

    # -- keeping up with results.jsonl -------------------------------------------------------------
    @property
    def ready(self) -> bool:
        """True when no background build is running: queries see every line read so far."""
        return self._builder is None

    def indexing(self) -> dict[str, Any] | None:
        """How far a background build has got (``None`` when the index is ready)."""
        if self.ready:
            return None
        share = self.done_bytes / self.total_bytes if self.total_bytes else 0.0
        return {"rows": self.progress, "percent": round(100 * share), "bytes": self.total_bytes}

    def wait(self, timeout: float) -> bool:
        """Wait at most ``timeout`` seconds for a background build, swap it in; True if ready."""
        if self._builder is not None:
            self._built.wait(timeout)
        self.refresh()
        return self.ready

    @_locked
    def refresh(self) -> int:
        """Index whatever was appended since the last call; returns how many lines were added.

        A big backlog from the start of the file (a first open, or a rewritten file) is built in
        the background; what a live run appends to an existing index is read right here.
        """
        if self._builder is not None:
            if not self._built.is_set():
                return 0
            self._swap()
        path = self.run_dir / RESULTS
        if not path.is_file():
            return 0
        size = path.stat().st_size
        read = int(_state(self._db, "read") or 0)
        with path.open("rb") as fh:
            head = fh.read(_HEAD_BYTES).hex()
            if size < read or (read and head != _state(self._db, "head")):
                self._reset()  # rewritten (--retry-errors) or replaced: start again
                read = 0
            if size == read:
                return 0
            if read == 0 and self.background and size > INLINE_BYTES:
                self._start_build(size)
                return 0
            fh.seek(read)
            added, read = _ingest(self._db, fh, read)
        self._memo.clear()
        _save_position(self._db, read, head)
        return added

    def _reset(self) -> None:
        self._memo = {}
        _reset(self._db)

    def _start_build(self, size: int) -> None:
        self.progress, self.done_bytes, self.total_bytes = 0, 0, size
        self._built.clear()
        self._failed = None
        self._builder = threading.Thread(
            target=self._build, name=f"view-index-{self.run_dir.name}", daemon=True
        )
        self._builder.start()

    def _building_path(self) -> Path:
        return self.path.with_name(f"{self.path.name}.building-{os.getpid()}")

    def _build(self) -> None:
        """The background build: a whole index in its own file, secondary indexes made last."""
        tmp = self._building_path()
        tmp.unlink(missing_ok=True)
        try:
            db = _connect(tmp, indexes=False)
            try:
                with (self.run_dir / RESULTS).open("rb") as fh:
                    head = fh.read(_HEAD_BYTES).hex()
                    fh.seek(0)
                    _, read = _ingest(db, fh, 0, self._progressed)
                db.executescript(_INDEXES)
                _save_position(db, read, head)
            finally:
                db.close()
        except BaseException as exc:  # re-raised by the next refresh, in a request
            self._failed = exc
        finally:
            self._built.set()

    def _progressed(self, rows: int, offset: int) -> None:
        if self._closing.is_set():
            raise InterruptedError("the viewer is stopping")  # Ctrl-C waits for one batch, not a whole run
        self.progress, self.done_bytes = rows, offset

    def _swap(self) -> None:
        """Put a finished build in place (on the serving thread, so no query sees it half-done)."""
        self._builder = None
        tmp = self._building_path()
        failed, self._failed = self._failed, None
        if failed is not None:
            tmp.unlink(missing_ok=True)
            raise RuntimeError(f"{self.run_dir / RESULTS}: could not be indexed ({failed})") from failed
        self._db.close()
        os.replace(tmp, self.path)
        self._db = self._open()
        self._memo.clear()

    @_locked
    def query(self, q: Query) -> Page:
        where, params = ["1=1"], []
        if q.status in STATUSES:
            where.append("status = ?")
            params.append(q.status)
        if q.agent:
            where.append("agent = ?")
            params.append(q.agent)
        if q.tag:
            where.append("tags LIKE ? ESCAPE '\\'")
            params.append(f"%,{_like(q.tag)},%")
        for column, value in (("expected", q.expected), ("got", q.got)):
            if value:
                where.append(f"{column} LIKE ? ESCAPE '\\'")
                params.append(f"%{_like(value)}%")
        if q.text:
            like = "LIKE ? ESCAPE '\\'"
            where.append(f"(key {like} OR input {like} OR reasons {like} OR got {like})")
            params += [f"%{_like(q.text)}%"] * 4
        clause = " AND ".join(where)
        total = self._db.execute(f"SELECT count(*) FROM examples WHERE {clause}", params).fetchone()[0]  # nosec B608
        per_page = max(1, min(q.per_page, 500))
        pages = max(1, -(-total // per_page))
        page = max(1, min(q.page, pages))
        order = SORTABLE.get(q.sort, "key")
        direction = "DESC" if q.desc else "ASC"
        rows = self._db.execute(
            f"SELECT * FROM examples WHERE {clause} ORDER BY {order} {direction}, seq "  # nosec B608
            "LIMIT ? OFFSET ?",
            [*params, per_page, (page - 1) * per_page],
        ).fetchall()
        return Page([dict(r) for r in rows], total, page, pages)

    @_locked
    def _memoised(self, name: str, compute: Any) -> Any:
        if name not in self._memo:
            self._memo[name] = compute()
        return self._memo[name]

    def counts(self) -> dict[str, int]:
        return self._memoised("counts", self._counts)

    def agents(self) -> list[dict[str, Any]]:
        return self._memoised("agents", self._agents)

    def tags(self) -> list[str]:
        return self._memoised("tags", self._tags)

    def _counts(self) -> dict[str, int]:
        rows = self._db.execute("SELECT status, count(*) FROM examples GROUP BY status").fetchall()
        return {status: n for status, n in rows}

    def _agents(self) -> list[dict[str, Any]]:
        rows = self._db.execute(
            "SELECT agent, count(*) AS n, sum(status='pass') AS passed, sum(status='fail') AS failed,"
            " sum(status='error') AS errors, avg(latency_ms) AS mean_ms, sum(cost_usd) AS cost"
            " FROM examples GROUP BY agent ORDER BY agent"
        ).fetchall()
        return [dict(r) for r in rows]

    def _tags(self, limit: int = 200) -> list[str]:
        found: set[str] = set()
        for (tags,) in self._db.execute("SELECT DISTINCT tags FROM examples LIMIT 5000"):
            found.update(t for t in tags.split(",") if t)
        return sorted(found)[:limit]

    @_locked
    def latencies(self) -> list[float]:
        return [row[0] for row in self._db.execute("SELECT latency_ms FROM examples")]

    @_locked
    def status_map(self) -> dict[str, tuple[str, str]]:
        """key → (status, got): what Compare and the provider matrix line up."""
        return {k: (s, g) for k, s, g in self._db.execute("SELECT key, status, got FROM examples")}

    @_locked
    def outcomes(self) -> list[Outcome]:
        """Every line's outcome for Compare, in file order (``reasons``: the indexed one-line why)."""
        rows = self._db.execute("SELECT key, status, agent, reasons FROM examples ORDER BY seq")
        return [
            Outcome(key, status == "pass", agent, [reasons] if reasons else [])
            for key, status, agent, reasons in rows
        ]

    def result(self, key: str) -> list[ExampleResult]:
        """Every stored line of one example (by key, or by id for all its trials), read by offset.

        Before the index is ready the file is scanned instead (:func:`scan`), outside the lock:
        reading a big run's whole file takes a second or more, and every other request for the
        run (each one calls :meth:`refresh`) would wait for it. The scan touches neither the
        connection nor any state here, only ``results.jsonl``, which is the source of truth
        whether or not the index becomes ready meanwhile.
        """
        with self._lock:
            if self.ready:
                return self._indexed_result(key)
        return scan(self.run_dir / RESULTS, key)

    @_locked
    def _indexed_result(self, key: str) -> list[ExampleResult]:
        rows = self._db.execute(
            "SELECT offset, length FROM examples WHERE key = ? OR id = ? ORDER BY seq", (key, key)
        ).fetchall()
        out = []
        with (self.run_dir / RESULTS).open("rb") as fh:
            for offset, length in rows:
                fh.seek(offset)
                try:
                    out.append(ExampleResult.model_validate_json(fh.read(length)))
                except ValidationError:
                    continue  # indexed from its columns, but not a valid result: left out here too
        return out

    @_locked
    def close(self) -> None:
        if self._builder is not None:
            self._closing.set()
            self._built.wait()
            self._builder = None
            self._building_path().unlink(missing_ok=True)
        self._db.close()


def _connect(path: Path, indexes: bool = True) -> sqlite3.Connection:
    db = sqlite3.connect(path, check_same_thread=False)
    try:
        db.row_factory = sqlite3.Row
        db.executescript(_PRAGMAS + _TABLES + (_INDEXES if indexes else ""))
        if _state(db, "schema") != str(SCHEMA_VERSION):
            _reset(db)
    except sqlite3.DatabaseError:
        db.close()
        raise
    return db


def _state(db: sqlite3.Connection, key: str) -> str | None:
    row = db.execute("SELECT v FROM state WHERE k = ?", (key,)).fetchone()
    return None if row is None else row[0]


def _reset(db: sqlite3.Connection) -> None:
    with db:
        db.execute("DELETE FROM examples")
        db.execute("DELETE FROM state")
        db.execute(
            "INSERT INTO state VALUES ('schema', ?), ('read', '0'), ('head', '')", (str(SCHEMA_VERSION),)
        )


def _save_position(db: sqlite3.Connection, read: int, head: str) -> None:
    with db:
        db.execute("UPDATE state SET v = ? WHERE k = 'read'", (str(read),))
        db.execute("UPDATE state SET v = ? WHERE k = 'head'", (head,))


def _ingest(
    db: sqlite3.Connection, fh: Any, offset: int, progressed: Callable[[int, int], None] | None = None
) -> tuple[int, int]:
    """Insert every complete line from ``offset``, in batches; returns (rows added, offset reached)."""
    added, batch = 0, []
    for line, start in complete_lines(fh, offset):
        offset = start + len(line)
        row = row_of(line, start)
        if row is not None:
            batch.append(row)
        if len(batch) >= BATCH:
            with db:
                db.executemany(_INSERT, batch)
            added += len(batch)
            batch.clear()
            if progressed is not None:
                progressed(added, offset)
    with db:
        db.executemany(_INSERT, batch)
    added += len(batch)
    if progressed is not None:
        progressed(added, offset)
    return added, offset


def _like(value: str) -> str:
    """A user's text matched literally: ``%`` and ``_`` are not wildcards to them."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
