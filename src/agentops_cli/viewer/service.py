"""What the viewer's pages show, read from the one results store (no HTML here).

Every run id a page names is looked up among the folders :meth:`RunStore.list_ids` finds,
never joined onto a path as given, so ``../`` (plain or URL-encoded) cannot leave the runs
folder: an id that is not in that list is simply "not found".
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentops_cli.evaluation.models import ExampleResult, RunSummary
from agentops_cli.evaluation.store import RESULTS, RunStore
from agentops_cli.run_ids import started_epoch
from agentops_cli.viewer.index import Page, Query, RunIndex, status_of, stream_page

LIVE_SECONDS = 30  # a run without a final summary whose results changed this recently is "running"
DOCUMENT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
MAX_DOCUMENT_BYTES = 2_000_000


class NotFound(LookupError):
    """A run or example the runs folder does not hold (a 404, never a path outside it)."""


@dataclass
class RunRow:
    run_id: str
    dataset: str
    agents: list[str]
    provider: str
    model: str
    n: int
    errors: int
    passed_examples: int
    failed_examples: int
    verdict: str  # pass | fail | running | incomplete
    cost_usd: float
    duration_s: float
    created_at: str
    pass_rate: float | None = None
    started: float = 0.0  # UTC epoch seconds (:func:`started_epoch`): Compare's "older" is A


@dataclass
class Viewer:
    """The runs under ``root``; indexes are cached under ``cache_dir`` and can be deleted.

    ``background``: build a big run's index in a thread and answer from ``results.jsonl``
    meanwhile (the server); off for ``--export``, which wants every page complete.
    """

    root: Path
    cache_dir: Path
    background: bool = True
    _indexes: dict[str, RunIndex] = field(default_factory=dict)
    _folded: dict[str, tuple[tuple[int, int], RunSummary]] = field(default_factory=dict)
    _fold_locks: dict[str, threading.Lock] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- finding runs -----------------------------------------------------------------------------
    def run_ids(self) -> list[str]:
        return RunStore.list_ids(self.root)

    def store(self, run_id: str) -> RunStore:
        if run_id not in self.run_ids():
            raise NotFound(f"no run {run_id!r}")
        return RunStore(self.root, run_id)

    def index(self, run_id: str) -> RunIndex:
        """The run's index, brought up to date (the viewer's lock only guards the lookup, so one
        run's refresh never holds up another run's pages)."""
        store = self.store(run_id)
        with self._lock:
            idx = self._indexes.get(run_id)
            if idx is None:
                idx = self._indexes[run_id] = RunIndex(store.dir, self.cache_dir, self.background)
        idx.refresh()
        return idx

    def ready(self, run_id: str) -> bool:
        """Whether the run's index answers every query (starts building it when it does not exist)."""
        return self.index(run_id).ready

    def settled(self, run_ids: list[str], timeout: float) -> bool:
        """Wait at most ``timeout`` seconds in all until every named run's index is ready.

        It blocks the calling thread (a request's worker thread, never the event loop) on the
        builds' own events, so it returns as soon as the last one is done. False when one is
        still building.
        """
        deadline = time.monotonic() + timeout
        indexes = [self.index(run_id) for run_id in run_ids]  # starts every missing build first
        return all([idx.wait(max(0.0, deadline - time.monotonic())) for idx in indexes])

    def summary(self, run_id: str) -> RunSummary:
        """The saved summary, or one folded now from what a running (or killed) run holds."""
        store = self.store(run_id)
        saved = store.summary()
        if saved is not None:
            return saved
        from agentops_cli.evaluation.service import summarise_store

        # folding reads every line: done again only when results.jsonl changed (a killed 100k run
        # is folded once, a live one once per batch of new lines, not once per page reload). Pages
        # are served by several threads: the run's lock makes a second request for the same run
        # wait for the fold in progress instead of starting its own (two tabs, a reload).
        with self._lock:
            fold_lock = self._fold_locks.setdefault(run_id, threading.Lock())
        with fold_lock:
            results = store.dir / RESULTS
            stat = results.stat() if results.is_file() else None
            version = (stat.st_size, stat.st_mtime_ns) if stat else (0, 0)
            folded = self._folded.get(run_id)
            if folded is None or folded[0] != version:
                folded = self._folded[run_id] = (version, summarise_store(store))
        return folded[1]

    def live(self, run_id: str) -> str | None:
        """``running`` / ``incomplete`` while a run has no final summary, else ``None``."""
        store = self.store(run_id)
        saved = store.summary()
        if saved is not None and saved.complete:
            return None
        results = store.dir / RESULTS
        changed = results.stat().st_mtime if results.is_file() else (store.dir / "meta.json").stat().st_mtime
        return "running" if time.time() - changed < LIVE_SECONDS else "incomplete"

    # -- pages ------------------------------------------------------------------------------------
    def runs(self) -> list[RunRow]:
        rows = []
        for run_id in reversed(self.run_ids()):
            store = RunStore(self.root, run_id)
            meta = store.meta()
            saved = store.summary()
            live = self.live(run_id)
            if saved is None:
                idx = self.index(run_id)
                counts = idx.counts() if idx.ready else {"pass": 0, "fail": 0, "error": 0}
                agents = [a["agent"] for a in idx.agents()] if idx.ready else [meta.agent or "…"]
                n, errors, cost, duration, rate = sum(counts.values()), counts.get("error", 0), 0.0, 0.0, None
                n = n if idx.ready else idx.progress  # rows indexed so far
                passed, failed = counts.get("pass", 0), counts.get("fail", 0)
            else:
                agents, n, errors = saved.agents, saved.n, saved.errors
                cost, duration, rate = saved.cost_usd, saved.duration_s, saved.metrics.get("pass_rate")
                passed = round((rate or 0.0) * n) if rate is not None else 0
                failed = n - errors - passed
            verdict = live or ("pass" if saved is not None and saved.passed else "fail")
            rows.append(
                RunRow(run_id, meta.dataset_label, agents, meta.provider, meta.model, n, errors, passed,
                       max(0, failed), verdict, cost, duration, meta.created_at, rate,
                       started_epoch(run_id, meta.created_at))
            )  # fmt: skip
        return rows

    def run(self, run_id: str) -> dict[str, Any]:
        """The run page: the summary at once; per-agent rows and latencies once the index is ready."""
        idx = self.index(run_id)
        summary = self.summary(run_id)
        ready = idx.ready
        return {
            "summary": summary,
            "live": self.live(run_id),
            "agents": idx.agents() if ready else [],
            "counts": idx.counts() if ready else {},
            "latencies": idx.latencies() if ready else [],
            "indexing": idx.indexing(),
        }

    def examples(self, run_id: str, query: Query) -> dict[str, Any]:
        """A page of examples from the index; before it is ready, the first pages in file order.

        Filters and sorting need the index: until then they get an empty page and the notice
        (``indexing``), never rows that only look filtered.
        """
        idx = self.index(run_id)
        if idx.ready:
            agents = [a["agent"] for a in idx.agents()]
            page = idx.query(query)
            return {"page": page, "agents": agents, "tags": idx.tags(), "indexing": None, "streamed": False}
        streamed = query.is_plain()
        if streamed:
            per_page = max(1, min(query.per_page, 500))
            rows, more = stream_page(self.store(run_id).results_path, query.page, per_page)
            page = Page(rows, total=-1, page=max(1, query.page), pages=query.page + 1 if more else query.page)
        else:
            page = Page([], total=-1, page=1, pages=1)
        return {"page": page, "agents": [], "tags": [], "indexing": idx.indexing(), "streamed": streamed}

    def example(self, run_id: str, key: str) -> dict[str, Any]:
        store = self.store(run_id)
        attempts = self.index(run_id).result(key)
        if not attempts:
            raise NotFound(f"run {run_id}: no example {key!r}")
        return {
            "attempts": [
                {
                    "result": r,
                    "status": status_of(r),
                    "fields": field_diff(r),
                    "transcript": store.transcript(r.key),
                    "document": document_view(r),
                    "report": research_view(r),
                }
                for r in attempts
            ]
        }

    def compare(self, run_a: str, run_b: str) -> dict[str, Any]:
        from agentops_cli.evaluation.compare import compare_outcomes

        sa, sb = self.summary(run_a), self.summary(run_b)
        idx_a, idx_b = self.index(run_a), self.index(run_b)
        # from the indexes, not by validating every line of both runs again (30 s for 100k examples)
        comparison = compare_outcomes(run_a, run_b, sa, sb, idx_a.outcomes(), idx_b.outcomes())
        significance = {
            d.metric: rate_difference_p(d.a, sa.metrics_interval_n.get(d.metric), d.b,
                                        sb.metrics_interval_n.get(d.metric))
            for d in comparison.metrics
        }  # fmt: skip
        map_a, map_b = idx_a.status_map(), idx_b.status_map()
        changed = [
            {"key": k, "a": map_a[k], "b": map_b[k]}
            for k in sorted(set(map_a) & set(map_b))
            if map_a[k] != map_b[k]
        ]
        return {
            "comparison": comparison,
            "significance": significance,
            "changed": changed[:500],
            "changed_total": len(changed),
            "missing": sorted(set(map_a) - set(map_b))[:200],
            "new": sorted(set(map_b) - set(map_a))[:200],
            "summary_a": sa,
            "summary_b": sb,
        }

    def matrix(self, run_ids: list[str], limit: int = 1000) -> dict[str, Any]:
        """Examples × runs (one per provider of a multi-provider eval): who got what."""
        maps = {run_id: self.index(run_id).status_map() for run_id in run_ids}
        labels = {}
        for run_id in run_ids:
            meta = self.store(run_id).meta()
            labels[run_id] = f"{meta.provider} · {meta.model}"
        keys = sorted(set().union(*maps.values())) if maps else []
        rows = [{"key": k, "cells": [maps[r].get(k) for r in run_ids]} for k in keys[:limit]]
        disagree = sum(1 for row in rows if len({c[0] if c else None for c in row["cells"]}) > 1)
        return {"runs": run_ids, "labels": labels, "rows": rows, "total": len(keys), "disagree": disagree}

    def close(self) -> None:
        for idx in self._indexes.values():
            idx.close()
        self._indexes.clear()


def rate_difference_p(a: float | None, n_a: int | None, b: float | None, n_b: int | None) -> float | None:
    """Two-sided p-value of a two-proportion z-test (pooled); ``None`` when it does not apply.

    Only rates with a known denominator get one: the catalogue's Wilson ``n``. A p below 0.05
    says the difference is unlikely to be noise at that sample size.
    """
    if None in (a, b, n_a, n_b) or not n_a or not n_b or not (0 <= a <= 1 and 0 <= b <= 1):  # type: ignore[operator]
        return None
    pooled = (a * n_a + b * n_b) / (n_a + n_b)  # type: ignore[operator]
    spread = math.sqrt(pooled * (1 - pooled) * (1 / n_a + 1 / n_b))
    if spread == 0:
        return 1.0 if a == b else 0.0
    z = abs(a - b) / spread  # type: ignore[operator]
    return math.erfc(z / math.sqrt(2))


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: value}


def _got_value(output: dict[str, Any], name: str) -> Any:
    """A field's value in the output: documents wrap each one as ``{"value", "start", ...}``."""
    node: Any = output
    for part in name.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
        if isinstance(node, dict) and "value" in node and "start" in node:
            node = node["value"]
    return node


def field_diff(result: ExampleResult) -> list[dict[str, Any]]:
    """Expected vs got, one row per expected field (``fields.parties``, ``intent``...)."""
    output = result.output or {}
    rows = []
    for name, want in _flatten(result.expected).items():
        if name.split(".")[0] in ("must_include", "must_cite", "regex", "schema"):
            rows.append({"field": name, "expected": want, "got": None, "same": None})
            continue
        got = _got_value(output, name)
        parent = _got_value(output, name.rsplit(".", 1)[0]) if "." in name else None
        if got is None and isinstance(parent, dict):
            got = parent.get(name.rsplit(".", 1)[1])
        rows.append({"field": name, "expected": want, "got": got, "same": _same(want, got)})
    return rows


def _same(want: Any, got: Any) -> bool:
    if isinstance(want, int | float) and isinstance(got, int | float):
        return math.isclose(float(want), float(got))
    if isinstance(want, list) and isinstance(got, list):
        return sorted(map(str, want)) == sorted(map(str, got))
    return want == got or str(want).strip().lower() == str(got).strip().lower()


def document_view(result: ExampleResult) -> dict[str, Any] | None:
    """The document's text cut into plain and highlighted pieces, one mark per extracted span."""
    output = result.output or {}
    fields = output.get("fields")
    if result.agent != "document" or not isinstance(fields, dict):
        return None
    spans = []
    for name, found in fields.items():
        if not isinstance(found, dict) or found.get("start") is None:
            continue
        for start, end in found.get("spans") or [[found["start"], found["end"]]]:
            spans.append((int(start), int(end), name))
    text = _document_text(output.get("path") or result.input)
    return {"pieces": _cut(text, spans) if text else [], "fields": fields, "has_text": bool(text)}


def _document_text(path_text: str) -> str:
    """The document's text when it is a plain-text file the run pointed at (PDF/DOCX: spans only)."""
    from agentops_cli.observability.redact import redact

    path = Path(path_text)
    try:
        if path.suffix.lower() not in DOCUMENT_SUFFIXES or not path.is_file():
            return ""
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            return ""
        return redact(path.read_text(encoding="utf-8", errors="replace"))
    except (OSError, ValueError):
        return ""


def _cut(text: str, spans: list[tuple[int, int, str]]) -> list[dict[str, Any]]:
    pieces, at = [], 0
    for start, end, name in sorted(spans):
        start, end = max(start, at), min(end, len(text))
        if start >= end:
            continue
        if start > at:
            pieces.append({"text": text[at:start], "field": None})
        pieces.append({"text": text[start:end], "field": name})
        at = end
    if at < len(text):
        pieces.append({"text": text[at:], "field": None})
    return pieces


def research_view(result: ExampleResult) -> dict[str, Any] | None:
    """The report split around ``[n]`` markers, so each citation links to its quote."""
    import re

    output = result.output or {}
    report = output.get("report")
    if not isinstance(report, str):
        return None
    citations = {c.get("n"): c for c in output.get("citations") or [] if isinstance(c, dict)}
    pieces = []
    at = 0
    for match in re.finditer(r"\[(\d{1,4})\]", report):
        n = int(match.group(1))
        if n not in citations:
            continue
        pieces.append({"text": report[at : match.start()], "cite": None})
        pieces.append({"text": match.group(0), "cite": n})
        at = match.end()
    pieces.append({"text": report[at:], "cite": None})
    return {"pieces": pieces, "citations": list(citations.values())}
