"""Compare two runs: metric deltas, and the examples that regressed or improved.

Examples are matched by their store key (id and trial), so two runs over the same
dataset line up even if they ran in a different order or one was resumed.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from agentops_cli.evaluation.metrics import lower_is_better
from agentops_cli.evaluation.store import RunStore

MAX_LISTED = 200


class MetricDelta(BaseModel):
    metric: str
    a: float | None
    b: float | None
    delta: float | None
    better: bool | None = Field(None, description="True when b improves on a")


class ExampleChange(BaseModel):
    key: str
    agent: str
    reasons: list[str] = Field(default_factory=list)


class Comparison(BaseModel):
    run_a: str
    run_b: str
    metrics: list[MetricDelta]
    regressed: list[ExampleChange]
    improved: list[ExampleChange]
    regressed_count: int
    improved_count: int
    only_in_a: int = 0
    only_in_b: int = 0


def _pass_map(store: RunStore) -> dict[str, tuple[bool, str]]:
    return {r.key: (r.passed and r.error is None, r.agent) for r in store.results()}


def compare_stores(a: RunStore, b: RunStore) -> Comparison:
    from agentops_cli.evaluation.service import summarise_store

    sa, sb = a.summary() or summarise_store(a), b.summary() or summarise_store(b)
    deltas = []
    for name in sorted(set(sa.metrics) | set(sb.metrics)):
        va, vb = sa.metrics.get(name), sb.metrics.get(name)
        delta = None if va is None or vb is None else round(vb - va, 6)
        better = None
        if delta:
            better = (delta < 0) if lower_is_better(name) else (delta > 0)
        deltas.append(MetricDelta(metric=name, a=va, b=vb, delta=delta, better=better))
    before = _pass_map(a)
    regressed: list[ExampleChange] = []
    improved: list[ExampleChange] = []
    seen = 0
    reg_n = imp_n = 0
    for r in b.results():
        if r.key not in before:
            continue
        seen += 1
        was, _ = before[r.key]
        now = r.passed and r.error is None
        if was and not now:
            reg_n += 1
            if len(regressed) < MAX_LISTED:
                regressed.append(ExampleChange(key=r.key, agent=r.agent, reasons=r.reasons))
        elif now and not was:
            imp_n += 1
            if len(improved) < MAX_LISTED:
                improved.append(ExampleChange(key=r.key, agent=r.agent))
    count_b = sum(1 for _ in b.results())
    return Comparison(
        run_a=a.run_id,
        run_b=b.run_id,
        metrics=deltas,
        regressed=regressed,
        improved=improved,
        regressed_count=reg_n,
        improved_count=imp_n,
        only_in_a=len(before) - seen,
        only_in_b=count_b - seen,
    )


def brief(comparison: Comparison) -> dict[str, Any]:
    """What ``--baseline`` adds to the eval JSON: deltas of changed metrics and the counts."""
    return {
        "run_id": comparison.run_a,
        "metric_deltas": {d.metric: d.delta for d in comparison.metrics if d.delta},
        "regressed": comparison.regressed_count,
        "improved": comparison.improved_count,
        "regressed_examples": [c.key for c in comparison.regressed[:50]],
        "improved_examples": [c.key for c in comparison.improved[:50]],
    }
