"""A deletable SQLite index over one run's ``results.jsonl``, so the viewer pages on the server.

``results.jsonl`` stays the source of truth: the index holds one short row per result line
(status, agent, tags, a one-line "expected" and "got", latency, cost) plus the byte offset of
the line, so the Examples page is one indexed query and the Example page one ``seek``. A
100,000-example run is parsed once; after that its first page costs a few milliseconds.

The file is append-only while a run goes, so the index remembers how many bytes it has read
and only parses what was appended since (a live run refreshes cheaply). If the file shrank or
was rewritten (``--retry-errors``), the index is rebuilt. Deleting the cache loses nothing.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from agentops_cli.evaluation.models import ExampleResult
from agentops_cli.evaluation.store import RESULTS

SCHEMA_VERSION = 2
SORTABLE = {"key": "key", "agent": "agent", "status": "status", "latency": "latency_ms", "cost": "cost_usd"}
STATUSES = ("pass", "fail", "error")
_TEXT_CAP = 300

_DDL = """
CREATE TABLE IF NOT EXISTS state (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS examples (
  seq INTEGER PRIMARY KEY, key TEXT NOT NULL, id TEXT NOT NULL, trial INTEGER NOT NULL,
  agent TEXT NOT NULL, status TEXT NOT NULL, tags TEXT NOT NULL, expected TEXT NOT NULL,
  got TEXT NOT NULL, input TEXT NOT NULL, reasons TEXT NOT NULL, latency_ms REAL NOT NULL,
  cost_usd REAL NOT NULL, offset INTEGER NOT NULL, length INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS ix_key ON examples(key);
CREATE INDEX IF NOT EXISTS ix_id ON examples(id);
CREATE INDEX IF NOT EXISTS ix_status ON examples(status, seq);
CREATE INDEX IF NOT EXISTS ix_agent ON examples(agent, seq);
CREATE INDEX IF NOT EXISTS ix_latency ON examples(latency_ms);
"""


def status_of(result: ExampleResult) -> str:
    return "error" if result.error else ("pass" if result.passed else "fail")


def summarise_output(output: dict[str, Any] | None) -> str:
    """One line of the fields a reader scans for: what the agent decided, not its prose."""
    if not output:
        return ""
    parts = []
    for name, value in output.items():
        if isinstance(value, str | int | float | bool) and name not in ("answer", "report", "text"):
            parts.append(f"{name}={value}")
        elif isinstance(value, list):
            parts.append(f"{name}[{len(value)}]")
        elif isinstance(value, dict) and name in ("fields", "output"):
            parts.extend(f"{k}={v}" for k, v in value.items() if isinstance(v, str | int | float | bool))
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


@dataclass
class Page:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int


class RunIndex:
    """The index of one run folder, kept under ``cache_dir`` (keyed by the folder's path)."""

    def __init__(self, run_dir: Path, cache_dir: Path) -> None:
        self.run_dir = run_dir
        digest = hashlib.sha256(str(run_dir.resolve()).encode()).hexdigest()[:20]
        cache_dir.mkdir(parents=True, exist_ok=True)
        self.path = cache_dir / f"{run_dir.name[:40]}-{digest}.sqlite"
        self._db = sqlite3.connect(self.path, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.executescript(_DDL)
        self._memo: dict[str, Any] = {}  # whole-run aggregates, dropped whenever lines are added
        if self._state("schema") != str(SCHEMA_VERSION):
            self._reset()

    # -- keeping up with results.jsonl -------------------------------------------------------------
    def _state(self, key: str) -> str | None:
        row = self._db.execute("SELECT v FROM state WHERE k = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def _reset(self) -> None:
        self._memo = {}
        with self._db:
            self._db.execute("DELETE FROM examples")
            self._db.execute("DELETE FROM state")
            self._db.execute("INSERT INTO state VALUES ('schema', ?), ('read', '0'), ('head', '')",
                             (str(SCHEMA_VERSION),))  # fmt: skip

    def refresh(self) -> int:
        """Index whatever was appended since the last call; returns how many lines were added."""
        path = self.run_dir / RESULTS
        if not path.is_file():
            return 0
        size = path.stat().st_size
        read = int(self._state("read") or 0)
        with path.open("rb") as fh:
            head = fh.read(256).hex()
            if size < read or (read and head != self._state("head")):
                self._reset()  # rewritten (--retry-errors) or replaced: start again
                read = 0
            if size == read:
                return 0
            fh.seek(read)
            added, read = self._ingest(fh, read)
        self._memo.clear()
        with self._db:
            self._db.execute("UPDATE state SET v = ? WHERE k = 'read'", (str(read),))
            self._db.execute("UPDATE state SET v = ? WHERE k = 'head'", (head,))
        return added

    def _ingest(self, fh: Any, offset: int) -> tuple[int, int]:
        rows = []
        for line in fh:
            if not line.endswith(b"\n"):
                break  # torn (being written, or cut by a kill): read it next time
            start, offset = offset, offset + len(line)
            try:
                r = ExampleResult.model_validate_json(line)
            except ValidationError:
                continue  # the store reports invalid lines; the viewer just leaves them out
            rows.append(
                (r.key, r.id, r.trial, r.agent, status_of(r), "," + ",".join(r.tags) + ",",
                 summarise_output(r.expected.get("output", r.expected)), summarise_output(r.output),
                 r.input[:_TEXT_CAP], (r.error or "; ".join(r.reasons))[:_TEXT_CAP], r.latency_ms,
                 r.cost_usd, start, len(line))
            )  # fmt: skip
        with self._db:
            self._db.executemany(
                "INSERT INTO examples (key, id, trial, agent, status, tags, expected, got, input, reasons,"
                " latency_ms, cost_usd, offset, length) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )
        return len(rows), offset

    # -- reading ----------------------------------------------------------------------------------
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

    def latencies(self) -> list[float]:
        return [row[0] for row in self._db.execute("SELECT latency_ms FROM examples")]

    def status_map(self) -> dict[str, tuple[str, str]]:
        """key → (status, got): what Compare and the provider matrix line up."""
        return {k: (s, g) for k, s, g in self._db.execute("SELECT key, status, got FROM examples")}

    def result(self, key: str) -> list[ExampleResult]:
        """Every stored line of one example (by key, or by id for all its trials), read by offset."""
        rows = self._db.execute(
            "SELECT offset, length FROM examples WHERE key = ? OR id = ? ORDER BY seq", (key, key)
        ).fetchall()
        out = []
        with (self.run_dir / RESULTS).open("rb") as fh:
            for offset, length in rows:
                fh.seek(offset)
                out.append(ExampleResult.model_validate_json(fh.read(length)))
        return out

    def close(self) -> None:
        self._db.close()


def _like(value: str) -> str:
    """A user's text matched literally: ``%`` and ``_`` are not wildcards to them."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
