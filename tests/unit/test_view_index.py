"""The viewer's index over ``results.jsonl``: what it keeps from a line, what it leaves out, and
reading the file directly (first pages, one example) while a background build runs.

Result lines are written by the real store (``RunStore.append`` of ``ExampleResult``); the
broken ones a crash or a hand edit could leave are appended as raw bytes on purpose.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from agentops_cli.evaluation.models import ExampleResult, RunMeta
from agentops_cli.evaluation.store import RunStore
from agentops_cli.viewer import index as index_module
from agentops_cli.viewer.index import Query, RunIndex, row_of, scan, stream_page, summarise_output

BROKEN = [
    b"{not json\n",
    b"[1, 2]\n",
    b'{"key": "k", "id": "i"}\n',  # no agent
    b'{"key": 1, "id": "i", "agent": "support"}\n',
    b'{"key": "bad-latency", "id": "x", "agent": "support", "latency_ms": "slow"}\n',
]
# indexed (its columns are fine) but not a valid result: the Example page must leave it out
UNVALIDATED = b'{"key": "odd#0", "id": "odd", "agent": "support", "usage": "lots"}\n'


def _run(tmp_path: Path, n: int = 7) -> RunStore:
    store = RunStore.create(tmp_path / "runs", RunMeta(run_id="r1", dataset="d", dataset_label="d"))
    store.open_for_append()
    for i in range(n):
        passed = bool(i % 2)
        store.append(
            ExampleResult(
                key=f"ex-{i}#0", id=f"ex-{i}", agent="support", tags=["t", f"n{i}"], input=f"question {i}",
                expected={"intent": "billing"},
                output={"intent": "billing" if passed else "shipping", "answer": "x"},
                passed=passed, latency_ms=float(i), reasons=[] if passed else ["intent: shipping ≠ billing"],
            )
        )  # fmt: skip
    store.close()
    return store


def test_row_of_keeps_the_indexed_columns_and_rejects_what_is_not_a_result(tmp_path: Path) -> None:
    store = _run(tmp_path, 2)
    first = store.results_path.read_bytes().splitlines(keepends=True)[0]
    row = row_of(first, 0)
    assert row is not None
    assert row[:5] == ("ex-0#0", "ex-0", 0, "support", "fail") and row[5] == ",t,n0,"
    assert row[6] == "intent=billing" and row[7] == "intent=shipping"  # prose ("answer") is left out
    assert row[-2:] == (0, len(first))
    assert [row_of(line, 0) for line in BROKEN] == [None] * len(BROKEN)


def test_summary_of_an_output_stops_at_its_cap() -> None:
    assert summarise_output(None) == "" and summarise_output({}) == ""
    long = {f"field{i}": "v" * 40 for i in range(50)}
    assert len(summarise_output(long)) == 300
    assert summarise_output({"fields": {"a": 1, "b": [1]}, "output": {"x": {}}, "n": None}) == "a=1"


def test_summary_shows_a_documents_fields_not_where_the_file_lay() -> None:
    """A document's extracted values are the decision; its path, size and chunk count are not,
    and two runs of the same file from two folders must not look "changed" in Compare."""

    def document(path: str, chars: int) -> dict:
        return {
            "agent": "document", "llm_calls": 0, "flags": [], "path": path, "format": "txt",
            "chars": chars, "chunks": 1, "doc_type": "contract", "summary": "A contract between...",
            "fields": {"term": {"value": "P12M", "start": 10, "end": 14}, "parties": {"value": ["A", "B"]}},
            "risks": ["auto_renewal"],
        }  # fmt: skip

    here = summarise_output(document("/ci/checkout/documents/saas.txt", 2475))
    assert here == "flags[0], doc_type=contract, term=P12M, risks[1]"  # a list value is not one-line text
    assert summarise_output(document("/home/me/copy/saas.txt", 2476)) == here
    support = {"agent": "support", "query": "charged twice", "intent": "billing", "draft_answer": "Sorry"}
    assert summarise_output(support) == "intent=billing"  # the input's echo is the input column's job


def test_stream_page_and_scan_read_the_file_and_skip_broken_lines(tmp_path: Path) -> None:
    store = _run(tmp_path)
    with store.results_path.open("ab") as fh:
        fh.write(b"".join(BROKEN) + UNVALIDATED + b'{"key": "torn')
    rows, more = stream_page(store.results_path, 1, 3)
    assert [r["key"] for r in rows] == ["ex-0#0", "ex-1#0", "ex-2#0"] and more
    rows, more = stream_page(store.results_path, 3, 3)
    assert [r["key"] for r in rows] == ["ex-6#0", "odd#0"] and not more
    assert [r.key for r in scan(store.results_path, "ex-3")] == ["ex-3#0"]
    assert scan(store.results_path, "odd#0") == []  # the line mentions it but is not a valid result
    assert scan(store.results_path, "bad-latency") == []


def test_index_batches_leaves_out_invalid_lines_and_waits_for_a_torn_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "BATCH", 2)
    store = _run(tmp_path)
    with store.results_path.open("ab") as fh:
        fh.write(b"".join(BROKEN) + UNVALIDATED + b'{"key": "torn')
    idx = RunIndex(store.dir, tmp_path / "cache", background=False)
    assert idx.refresh() == 8 and idx.wait(0) and idx.indexing() is None
    assert idx.query(Query()).total == 8
    assert idx.result("odd#0") == []  # indexed from its columns, but the Example page leaves it out
    assert [r.key for r in idx.result("ex-4")] == ["ex-4#0"]
    assert idx.query(Query(status="fail", sort="latency", desc=True)).rows[0]["key"] == "ex-6#0"
    idx.close()
    (store.results_path).unlink()
    again = RunIndex(store.dir, tmp_path / "cache", background=False)
    assert again.refresh() == 0  # no results yet: nothing to read, not an error
    again.close()


def test_a_background_build_reports_progress_then_replaces_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "INLINE_BYTES", 0)
    monkeypatch.setattr(index_module, "BATCH", 3)
    store = _run(tmp_path)
    gate, real_build = threading.Event(), RunIndex._build
    monkeypatch.setattr(RunIndex, "_build", lambda self: (gate.wait(30), real_build(self)))
    idx = RunIndex(store.dir, tmp_path / "cache")
    assert idx.refresh() == 0 and not idx.ready
    assert idx.indexing() == {"rows": 0, "percent": 0, "bytes": store.results_path.stat().st_size}
    assert not idx.wait(0.01)
    assert [r.key for r in idx.result("ex-5#0")] == ["ex-5#0"]  # read from the file meanwhile
    gate.set()
    assert idx.wait(30) and idx.progress == 7 and idx.query(Query()).total == 7
    assert not list((tmp_path / "cache").glob("*.building-*"))  # the build file became the index
    idx.close()


def test_closing_stops_a_background_build_at_the_next_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(index_module, "INLINE_BYTES", 0)
    monkeypatch.setattr(index_module, "BATCH", 1)
    store = _run(tmp_path)
    first_batch, resume = threading.Event(), threading.Event()
    real_progressed = RunIndex._progressed

    def slow(self: RunIndex, rows: int, offset: int) -> None:
        first_batch.set()
        resume.wait(30)
        real_progressed(self, rows, offset)

    monkeypatch.setattr(RunIndex, "_progressed", slow)
    idx = RunIndex(store.dir, tmp_path / "cache")
    idx.refresh()
    assert first_batch.wait(30)
    threading.Timer(0.05, resume.set).start()
    idx.close()
    assert idx.progress == 0  # stopped at its first batch instead of indexing all 7 lines
    assert not list((tmp_path / "cache").glob("*.building-*"))


def test_reading_an_example_from_the_file_does_not_hold_the_index_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before the index is ready an example is found by scanning the whole file; every other
    request for the run calls ``refresh()``, which must not wait behind that scan."""
    monkeypatch.setattr(index_module, "INLINE_BYTES", 0)
    store = _run(tmp_path)
    gate, real_build = threading.Event(), RunIndex._build
    monkeypatch.setattr(RunIndex, "_build", lambda self: (gate.wait(30), real_build(self)))
    scanning, finish_scan = threading.Event(), threading.Event()

    def slow_scan(path: Path, key: str) -> list[ExampleResult]:
        scanning.set()
        finish_scan.wait(30)
        return scan(path, key)

    monkeypatch.setattr(index_module, "scan", slow_scan)
    idx = RunIndex(store.dir, tmp_path / "cache")
    idx.refresh()
    assert not idx.ready
    found: list[ExampleResult] = []
    reader = threading.Thread(target=lambda: found.extend(idx.result("ex-3#0")))
    reader.start()
    try:
        assert scanning.wait(30)  # the reader is inside the scan now
        assert idx._lock.acquire(blocking=False), "the scan holds the index lock"
        idx._lock.release()
        assert idx.refresh() == 0 and not idx.ready  # answered while the scan is still going
    finally:
        finish_scan.set()
        reader.join(30)
        gate.set()
    assert [r.key for r in found] == ["ex-3#0"]
    assert idx.wait(30) and [r.key for r in idx.result("ex-3#0")] == ["ex-3#0"]  # then by offset
    idx.close()
