"""The runner, store, summary, gates and reports with a tiny fake support agent.

The fake is a real module registered as the ``support`` agent (it is also used by the
subprocess tests through :func:`launcher`), so the real ``run_agent`` wrapping, the real
store and the real scorers run.
"""

from __future__ import annotations

import itertools
import json
import sys
import textwrap
import threading
import time
from pathlib import Path
from xml.etree import ElementTree

import pytest

from agentops_cli.config import load_settings
from agentops_cli.errors import BadInput
from agentops_cli.evaluation import gates
from agentops_cli.evaluation.compare import compare_stores
from agentops_cli.evaluation.limiter import AdaptiveLimiter, is_rate_limited
from agentops_cli.evaluation.models import RunMeta
from agentops_cli.evaluation.service import EvalRequest, run_eval, summarise_store
from agentops_cli.evaluation.store import RunStore
from agentops_cli.evaluation.summary import mean_ci95, pass_at_k, percentile

FAKE_AGENT = textwrap.dedent(
    '''
    """Fake support agent: the first word of the query is the intent; 'human' escalates.

    Env knobs (read per call): FAKE_DELAY seconds per example; 'boom' in a query raises
    unless the file named by FAKE_FIXED exists; 'hang' sleeps 30 s; 'costly' costs $0.01.
    """
    import os
    import threading
    import time

    from pydantic import BaseModel

    ACTIVE = {"now": 0, "peak": 0}
    LOCK = threading.Lock()


    class Pick(BaseModel):
        intent: str


    class Out(BaseModel):
        intent: str
        confidence: float = 0.9
        escalate: bool = False
        escalation_reason: str | None = None
        answer: str = ""
        flags: list[str] = []


    def _answer(text):
        if "boom" in text and not os.path.exists(os.environ.get("FAKE_FIXED", "/nonexistent")):
            raise RuntimeError("boom: the agent failed")
        if "hang" in text:
            time.sleep(30)
        words = text.split()
        esc = "human" in words
        return Out(intent=words[0], escalate=esc, escalation_reason="human_requested" if esc else None,
                   answer="echo " + text)


    PREPARED = []


    def prepare(settings, options):
        PREPARED.append((threading.current_thread().name, ACTIVE["peak"], dict(options)))
        if os.environ.get("FAKE_PREPARE_FAILS"):
            raise RuntimeError("the pack is missing")


    def run(input, *, llm, settings, options):
        with LOCK:
            ACTIVE["now"] += 1
            ACTIVE["peak"] = max(ACTIVE["peak"], ACTIVE["now"])
        try:
            time.sleep(float(os.environ.get("FAKE_DELAY", "0")))
            out = _answer(input)
            if llm.provider != "offline":  # one structured call per example
                variables = {"agent": "support", "rubric": "r", "input": input, "expected": "{}",
                             "output": ""}
                pick = llm.structured(Pick, prompt="eval/judge", variables=variables,
                                      offline=lambda: Pick(intent=out.intent))
                out.intent = pick.intent
            if "costly" in input:
                from agentops_cli.llm.base import CallRecord
                llm.calls.append(CallRecord(name="x", provider="openai", model="m", cost_usd=0.01))
            return out
        finally:
            with LOCK:
                ACTIVE["now"] -= 1
    '''
)
BATCH = textwrap.dedent(
    """

    BATCHES = []


    def run_batch(inputs, *, settings, options, llms, timings_ms):
        BATCHES.append(len(inputs))
        timings_ms.extend(float(i + 1) for i in range(len(inputs)))
        return [_answer(t) for t in inputs]
    """
)
_names = itertools.count()


@pytest.fixture
def fake_agent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Register a fresh fake support module; returns it (its ACTIVE counters, BATCHES)."""

    def install(batch: bool = False):
        name = f"fake_eval_agent_{next(_names)}"
        (tmp_path / f"{name}.py").write_text(FAKE_AGENT + (BATCH if batch else ""), encoding="utf-8")
        monkeypatch.syspath_prepend(str(tmp_path))
        __import__(name)
        from tests.unit.test_runner import register_service

        register_service(monkeypatch, "support", sys.modules[name])
        return sys.modules[name]

    return install


def dataset(tmp_path: Path, rows: list[tuple[str, str, bool]], name: str = "d.jsonl") -> Path:
    """rows: (input, expected intent, expected escalate)."""
    path = tmp_path / name
    path.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"e{i}",
                    "agent": "support",
                    "input": text,
                    "expected": {"intent": intent, "escalate": esc},
                }
            )
            + "\n"
            for i, (text, intent, esc) in enumerate(rows)
        ),
        encoding="utf-8",
    )
    return path


def loader(**fixed):
    """Settings as the CLI builds them; no default gates unless a test sets some."""

    def load(overrides: dict) -> object:
        merged = {"eval.gates": {}, **{k: v for k, v in overrides.items() if v is not None}, **fixed}
        return load_settings(None, merged, dotenv_path=None).settings

    return load


ROWS = [
    ("billing a", "billing", False),
    ("refund b", "refund", False),
    ("human c", "human", True),
    ("billing d", "refund", False),  # wrong intent
    ("shipping e", "shipping", True),  # missed escalation
]


def test_run_scores_stores_and_summarises(tmp_path: Path, fake_agent) -> None:
    fake_agent()
    report = run_eval(EvalRequest(dataset=str(dataset(tmp_path, ROWS)), concurrency=2), loader())
    (s,) = report.summaries
    assert (s.n, s.errors, s.examples) == (5, 0, 5)
    assert s.metrics["intent_accuracy"] == pytest.approx(4 / 5)
    # escalation: TP (human c), FN (shipping e), TN ×3 → P=1, R=1/2, F1=2/3
    assert s.metrics["escalation_precision"] == 1.0
    assert s.metrics["escalation_recall"] == 0.5
    assert s.metrics["escalation_f1"] == pytest.approx(2 / 3, abs=1e-6)
    assert s.metrics["pass_rate"] == pytest.approx(3 / 5)
    assert s.metrics["avg_confidence"] == pytest.approx(0.9)
    assert s.passed  # no gates
    store = RunStore.open(Path(s.run_dir).parent, s.run_id)
    lines = store.results_path.read_text().splitlines()
    assert sorted(json.loads(x)["key"] for x in lines) == [f"e{i}#0" for i in range(5)]
    assert json.loads((Path(s.run_dir) / "summary.json").read_text())["n"] == 5
    failing = {r.id: r.reasons for r in store.results() if not r.passed}
    assert failing == {
        "e3": ["intent: intent billing != refund"],
        "e4": ["escalation: not escalated, expected to"],
    }


def test_shared_state_is_prepared_once_before_the_pool_starts(
    tmp_path: Path, fake_agent, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An agent's pack and models load once, in the dispatcher, before any example runs."""
    agent = fake_agent()
    (s,) = run_eval(EvalRequest(dataset=str(dataset(tmp_path, ROWS)), concurrency=4), loader()).summaries
    assert s.n == 5 and s.errors == 0
    assert agent.PREPARED == [("MainThread", 0, {"pack": None})]  # peak 0: no example had started

    monkeypatch.setenv("FAKE_PREPARE_FAILS", "1")  # best effort: the examples still run (and say why)
    (s,) = run_eval(EvalRequest(dataset=str(dataset(tmp_path, ROWS)), concurrency=4), loader()).summaries
    assert (s.n, s.errors) == (5, 0) and len(agent.PREPARED) == 2


def test_errors_are_recorded_and_max_errors_stops(tmp_path: Path, fake_agent) -> None:
    fake_agent()
    rows = [
        ("boom 1", "x", False),
        ("billing", "billing", False),
        ("boom 2", "x", False),
        ("boom 3", "x", False),
        ("billing z", "billing", False),
    ]
    path = dataset(tmp_path, rows)
    (s,) = run_eval(EvalRequest(dataset=str(path), concurrency=1), loader()).summaries
    assert (s.n, s.errors) == (5, 3)
    assert s.metrics["error_rate"] == 0.6 and s.metrics["success_rate"] == 0.4
    assert s.passed  # errors alone fail nothing without a gate ...
    (s,) = run_eval(EvalRequest(dataset=str(path), concurrency=1, max_errors=1), loader()).summaries
    assert s.stopped_reason == "max_errors" and not s.complete and not s.passed
    assert s.errors == 2  # stopped dispatching after the second error (concurrency 1)
    assert gates.describe_failures(s.gates) == "errors 2 > max 1"


def test_gates_from_flags_and_config(tmp_path: Path, fake_agent) -> None:
    fake_agent()
    path = str(dataset(tmp_path, ROWS))
    report = run_eval(
        EvalRequest(dataset=path, fail_under=["accuracy=0.9", "escalation_precision=1"]),
        loader(**{"eval.gates": {"pass_rate": 0.5, "field_f1": 0.9}}),
    )
    (s,) = report.summaries
    by_metric = {g.metric: (g.passed, g.source) for g in s.gates}
    # field_f1 is a document metric: a config gate about it is skipped in a support-only run
    assert by_metric == {
        "intent_accuracy": (False, "flag"),
        "escalation_precision": (True, "flag"),
        "pass_rate": (True, "config"),
    }
    assert not report.passed
    assert report.failed_gates() == "intent_accuracy 0.8 < 0.9"
    with pytest.raises(BadInput, match="unknown metric field_f1"):
        run_eval(EvalRequest(dataset=path, fail_under=["field_f1=0.5"]), loader())
    with pytest.raises(BadInput, match="expected METRIC=NUMBER"):
        run_eval(EvalRequest(dataset=path, fail_under=["pass_rate=high"]), loader())


def test_trials_pass_at_k_and_ci(tmp_path: Path, fake_agent) -> None:
    fake_agent()
    (s,) = run_eval(EvalRequest(dataset=str(dataset(tmp_path, ROWS)), trials=3), loader()).summaries
    assert s.n == 15 and s.examples == 5 and s.trials == 3
    assert s.metrics["pass@1"] == pytest.approx(0.6) and s.metrics["pass@3"] == pytest.approx(0.6)
    assert s.metrics_ci["intent_accuracy"] == [0.8, 0.8]  # deterministic agent: zero width


def test_summary_math() -> None:
    assert pass_at_k(5, 2, 1) == pytest.approx(0.4)
    assert pass_at_k(5, 2, 2) == pytest.approx(1 - 3 / 10)  # 1 - C(3,2)/C(5,2)
    assert pass_at_k(3, 0, 3) == 0.0 and pass_at_k(3, 1, 3) == 1.0
    mean, lo, hi = mean_ci95([0.8, 0.9, 1.0])
    # sd = 0.1, t(2) = 4.303, half = 4.303 * 0.1 / sqrt(3) = 0.24843
    assert mean == pytest.approx(0.9) and hi - mean == pytest.approx(0.248434, abs=1e-5) and lo < mean
    assert percentile([1, 2, 3, 4], 50) == 2.5 and percentile([10], 95) == 10 and percentile([], 50) == 0.0


def test_batch_path_is_used_offline(tmp_path: Path, fake_agent) -> None:
    module = fake_agent(batch=True)
    rows = [(f"billing {i}", "billing", False) for i in range(300)]
    (s,) = run_eval(EvalRequest(dataset=str(dataset(tmp_path, rows))), loader()).summaries
    assert sorted(module.BATCHES, reverse=True) == [256, 44]  # two batches run at once: any order
    assert s.n == 300 and s.metrics["intent_accuracy"] == 1.0
    assert module.ACTIVE["peak"] == 0  # run() never called


def test_batch_failure_falls_back_to_single_runs(tmp_path: Path, fake_agent) -> None:
    fake_agent(batch=True)
    rows = [("billing a", "billing", False), ("boom", "x", False), ("refund b", "refund", False)]
    (s,) = run_eval(EvalRequest(dataset=str(dataset(tmp_path, rows))), loader()).summaries
    assert (s.n, s.errors) == (3, 1)  # only the bad row errored


def test_timeout_records_error_and_moves_on(tmp_path: Path, fake_agent) -> None:
    fake_agent()
    rows = [("hang", "x", False), ("billing", "billing", False)]
    started = time.monotonic()
    (s,) = run_eval(
        EvalRequest(dataset=str(dataset(tmp_path, rows)), concurrency=1), loader(**{"eval.timeout_s": 0.3})
    ).summaries
    assert time.monotonic() - started < 5
    store = RunStore.open(Path(s.run_dir).parent, s.run_id)
    errors = {r.id: r.error for r in store.results()}
    assert errors == {"e0": "timeout after 0.3s", "e1": None}


def test_max_cost_stops_before_projected_spend(tmp_path: Path, fake_agent) -> None:
    fake_agent()
    rows = [(f"costly {i}", "costly", False) for i in range(10)]
    (s,) = run_eval(
        EvalRequest(dataset=str(dataset(tmp_path, rows)), concurrency=1, max_cost=0.035), loader()
    ).summaries
    # $0.01 each: after 3 ($0.03) the 4th would project $0.04 > $0.035
    assert s.n == 3 and s.cost_usd == pytest.approx(0.03)
    assert s.stopped_reason == "max_cost" and not s.complete


def test_resume_runs_only_missing_and_retry_errors(tmp_path: Path, fake_agent, monkeypatch) -> None:
    fake_agent()
    rows = [("billing a", "billing", False), ("boom", "boom", False), ("refund c", "refund", False)]
    path = str(dataset(tmp_path, rows))
    (first,) = run_eval(EvalRequest(dataset=path), loader()).summaries
    store = RunStore.open(Path(first.run_dir).parent, first.run_id)
    # simulate a kill: drop the last line and tear the one before it
    lines = store.results_path.read_text().splitlines(keepends=True)
    store.results_path.write_text(lines[0] + lines[1][: len(lines[1]) // 2])
    assert len(store.done_keys()) == 1
    (resumed,) = run_eval(EvalRequest(resume="last"), loader()).summaries
    assert resumed.run_id == first.run_id and resumed.n == 3 and resumed.errors == 1
    keys = [json.loads(x)["key"] for x in store.results_path.read_text().splitlines()]
    assert sorted(keys) == ["e0#0", "e1#0", "e2#0"]
    fixed = tmp_path / "fixed"
    fixed.touch()
    monkeypatch.setenv("FAKE_FIXED", str(fixed))
    (retried,) = run_eval(EvalRequest(resume=first.run_id, retry_errors=True), loader()).summaries
    assert (retried.n, retried.errors) == (3, 0)
    assert len(store.results_path.read_text().splitlines()) == 3
    with pytest.raises(BadInput, match="run 'nope' not found"):
        run_eval(EvalRequest(resume="nope"), loader())
    with pytest.raises(BadInput, match="--retry-errors needs --resume"):
        run_eval(EvalRequest(dataset=path, retry_errors=True), loader())


def test_store_lock_and_repair(tmp_path: Path) -> None:
    meta = RunMeta(run_id="r1", dataset="d", dataset_label="d")
    store = RunStore.create(tmp_path, meta)
    store.results_path.write_bytes(b'{"a": 1}\n{"torn')
    assert store.repair() == len(b'{"torn')
    assert store.results_path.read_bytes() == b'{"a": 1}\n'
    store.results_path.write_bytes(b"no newline at all")
    assert store.repair() == 17 and store.results_path.read_bytes() == b""
    store.open_for_append()
    other = RunStore.open(tmp_path, "r1")
    with pytest.raises(BadInput, match="being written by another process"):
        other.open_for_append()
    store.close()
    with pytest.raises(BadInput, match="no runs"):
        RunStore.open(tmp_path / "empty", "last")


def test_reports_junit_html_prometheus_and_compare(tmp_path: Path, fake_agent) -> None:
    fake_agent()
    path = str(dataset(tmp_path, ROWS))
    (a,) = run_eval(EvalRequest(dataset=path), loader()).summaries
    better = [(t, i if t != "billing d" else "billing", e) for t, i, e in ROWS]
    better[0] = ("refund a", "billing", False)  # now fails
    path_b = str(dataset(tmp_path, better, "b.jsonl"))
    out = tmp_path / "out"
    (b,) = run_eval(
        EvalRequest(
            dataset=path_b,
            baseline=a.run_id,
            junit=out / "j.xml",
            html=out / "r.html",
            metrics_file=out / "m.prom",
        ),
        loader(),
    ).summaries
    tree = ElementTree.parse(out / "j.xml").getroot()
    # examples + each gate + "run completed"; failed examples are not gated here, so they are
    # skipped (with their reasons) and JUnit fails exactly when the run does
    assert tree.tag == "testsuites" and tree.get("tests") == str(5 + len(b.gates) + 1)
    assert b.passed and tree.get("failures") == "0"
    skipped = sorted(tc.get("name") for tc in tree.iter("testcase") if tc.find("skipped") is not None)
    assert skipped == ["e0", "e4"]
    page = (out / "r.html").read_text()
    assert "<script" in page and "http://" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "Confusion matrix" in page and 'id="filter"' in page and "<svg" in page
    prom = (out / "m.prom").read_text()
    assert f'agentops_eval_metric{{metric="intent_accuracy",run_id="{b.run_id}"' in prom
    assert 'agent_requests_total{agent_type="support",status="pass"' in prom
    assert "support_automation_rate" in prom
    assert (Path(b.run_dir) / "junit.xml").is_file()
    assert b.baseline is not None
    assert (b.baseline["run_id"], b.baseline["regressed"], b.baseline["improved"]) == (a.run_id, 1, 1)
    assert (b.baseline["regressed_examples"], b.baseline["improved_examples"]) == (["e0#0"], ["e3#0"])
    assert "intent_accuracy" not in b.baseline["metric_deltas"]  # 4/5 in both runs
    cmp = compare_stores(
        RunStore.open(Path(a.run_dir).parent, a.run_id), RunStore.open(Path(b.run_dir).parent, b.run_id)
    )
    assert (cmp.regressed_count, cmp.improved_count) == (1, 1)
    assert [c.key for c in cmp.regressed] == ["e0#0"]
    summary = summarise_store(RunStore.open(Path(a.run_dir).parent, a.run_id))
    assert summary.n == 5 and summary.metrics == a.metrics


def test_limiter_backs_off_and_recovers() -> None:
    lim = AdaptiveLimiter(maximum=8, cooldown_s=1.0)
    assert lim.limit == 8
    lim.record(100, rate_limited=True, now=10.0)
    assert lim.limit == 4
    lim.record(100, rate_limited=True, now=10.5)  # inside the cool-down: no second cut
    assert lim.limit == 4
    for _ in range(4):
        lim.record(100, now=20.0)
    assert lim.limit == 5  # one healthy window → +1
    for _ in range(30):
        lim.record(1000, now=30.0)  # latency 10× the best → -1 (once per cool-down)
    assert lim.limit == 4 and lim.backoffs == 2
    off = AdaptiveLimiter(maximum=3, adaptive=False)
    off.record(1, rate_limited=True)
    assert off.limit == 3
    assert is_rate_limited("HTTP 429 Too Many Requests") and not is_rate_limited("timeout")


def test_concurrency_overlaps_slow_examples(tmp_path: Path, fake_agent, monkeypatch) -> None:
    module = fake_agent()
    monkeypatch.setenv("FAKE_DELAY", "0.2")
    rows = [(f"billing {i}", "billing", False) for i in range(16)]
    run_eval(EvalRequest(dataset=str(dataset(tmp_path, rows)), concurrency=8), loader())
    assert module.ACTIVE["peak"] == 8  # eight examples ran at once, never more
    assert threading.active_count() < 40


def test_loopback_llm_requests_overlap(tmp_path: Path, fake_agent, fake_openai) -> None:
    from tests.fakes.fixtures import openai_settings

    module = fake_agent()
    fake_openai.latency_s = 0.3
    fake_openai.responder = lambda body: {"intent": "billing"}
    rows = [(f"refund {i}", "billing", False) for i in range(16)]

    def load(overrides: dict) -> object:
        return openai_settings(
            fake_openai,
            overrides={
                "eval.gates": {},
                "cache.enabled": False,
                **{k: v for k, v in overrides.items() if v is not None},
            },
        )

    run_eval(EvalRequest(dataset=str(dataset(tmp_path, rows[:1], "warm.jsonl"))), load)  # imports, clients
    fake_openai.reset()
    fake_openai.gather = 8  # the server holds each request until eight are in flight together
    fake_openai.responder = lambda body: {"intent": "billing"}
    (s,) = run_eval(EvalRequest(dataset=str(dataset(tmp_path, rows)), concurrency=8), load).summaries
    assert fake_openai.request_count == 16
    assert module.ACTIVE["peak"] == 8
    assert fake_openai.peak_in_flight == 8  # the requests overlapped, not just the examples
    assert s.provider == "openai" and s.metrics["intent_accuracy"] == 1.0  # the LLM's answer was used
    assert s.usage.input_tokens > 0
