"""Compare two runs: metric deltas, the examples that regressed or improved, and the
``--fail-on-regression`` verdict.

Examples are matched by their store key (id and trial), so two runs over the same
dataset line up even if they ran in a different order or one was resumed. ``last`` as a
baseline means the newest *other* completed run of the same dataset, never the run itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from pydantic import BaseModel, Field

from agentops_cli.errors import BadInput
from agentops_cli.evaluation.metrics import lookup, lower_is_better, worsening
from agentops_cli.evaluation.store import RunStore

if TYPE_CHECKING:
    from agentops_cli.config import Settings
    from agentops_cli.evaluation.models import RunSummary

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


class Regression(BaseModel):
    """Did run B regress on run A? Examples that went from pass to fail, and quality metrics
    (rates and scores of the catalogue) that got worse by more than ``tolerance``. Latency
    and cost are left to ``--fail-under`` gates: they move with the machine, not the agent."""

    passed: bool
    baseline: str
    tolerance: float
    max_regressed: int
    regressed_examples: int
    worse_metrics: dict[str, float] = Field(default_factory=dict, description="metric → how much worse")
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
    regression: Regression | None = None


def check_regression(comparison: Comparison, *, tolerance: float, max_regressed: int = 0) -> Regression:
    worse: dict[str, float] = {}
    for d in comparison.metrics:
        entry = lookup(d.metric)
        if d.a is None or d.b is None or entry.kind not in ("rate", "score") or entry.informational:
            continue
        by = worsening(d.metric, d.a, d.b)
        if by > tolerance + 1e-12:
            worse[d.metric] = round(by, 6)
    reasons = [f"{name} worse by {by:.4g} (> {tolerance:g})" for name, by in worse.items()]
    if comparison.regressed_count > max_regressed:
        reasons.insert(0, f"{comparison.regressed_count} examples regressed (allowed {max_regressed})")
    return Regression(
        passed=not reasons,
        baseline=comparison.run_a,
        tolerance=tolerance,
        max_regressed=max_regressed,
        regressed_examples=comparison.regressed_count,
        worse_metrics=worse,
        reasons=reasons,
    )


def resolve_baseline(root: Path, requested: str, *, dataset: str, exclude: str | None = None) -> str:
    """``last`` → the newest completed run of ``dataset`` other than ``exclude``; ids pass through.

    Resolved before the new run starts, so ``--baseline last`` can never name the run itself.
    """
    if requested != "last":
        return RunStore.open(root, requested).run_id
    for run_id in reversed(RunStore.list_ids(root)):
        if run_id == exclude:
            continue
        store = RunStore(root, run_id)
        try:
            meta = store.meta()
            same = meta.dataset == dataset and not meta.shard  # a shard is part of a run, no baseline
            summary = store.summary() if same else None
        except (BadInput, ValueError):
            continue  # an unreadable run is no baseline
        if summary is not None and summary.complete and summary.n > 0:
            return run_id
    raise BadInput(f"--baseline last: no other completed run of {dataset} in {root}")


class Outcome(NamedTuple):
    """What a comparison needs of one result line (the viewer reads these from its index)."""

    key: str
    passed: bool  # passed and no error
    agent: str
    reasons: list[str]


def outcomes(store: RunStore) -> Iterator[Outcome]:
    for r in store.results():
        yield Outcome(r.key, r.passed and r.error is None, r.agent, r.reasons)


def compare_stores(a: RunStore, b: RunStore) -> Comparison:
    from agentops_cli.evaluation.service import summarise_store

    sa, sb = a.summary() or summarise_store(a), b.summary() or summarise_store(b)
    return compare_outcomes(a.run_id, b.run_id, sa, sb, outcomes(a), outcomes(b))


def compare_outcomes(
    run_a: str, run_b: str, sa: RunSummary, sb: RunSummary, in_a: Iterable[Outcome], in_b: Iterable[Outcome]
) -> Comparison:
    """Metric deltas from the two summaries; examples matched by key, each side read once."""
    deltas = []
    for name in sorted(set(sa.metrics) | set(sb.metrics)):
        va, vb = sa.metrics.get(name), sb.metrics.get(name)
        delta = None if va is None or vb is None else round(vb - va, 6)
        better = None
        if delta:
            better = (delta < 0) if lower_is_better(name) else (delta > 0)
        deltas.append(MetricDelta(metric=name, a=va, b=vb, delta=delta, better=better))
    before = {o.key: o.passed for o in in_a}
    regressed: list[ExampleChange] = []
    improved: list[ExampleChange] = []
    seen = reg_n = imp_n = count_b = 0
    for o in in_b:
        count_b += 1
        if o.key not in before:
            continue
        seen += 1
        was = before[o.key]
        if was and not o.passed:
            reg_n += 1
            if len(regressed) < MAX_LISTED:
                regressed.append(ExampleChange(key=o.key, agent=o.agent, reasons=o.reasons))
        elif o.passed and not was:
            imp_n += 1
            if len(improved) < MAX_LISTED:
                improved.append(ExampleChange(key=o.key, agent=o.agent))
    return Comparison(
        run_a=run_a,
        run_b=run_b,
        metrics=deltas,
        regressed=regressed,
        improved=improved,
        regressed_count=reg_n,
        improved_count=imp_n,
        only_in_a=len(before) - seen,
        only_in_b=count_b - seen,
    )


def regression_under(comparison: Comparison, settings: Settings) -> Regression:
    """:func:`check_regression` with the tolerances of ``eval.*`` (flags land there too)."""
    return check_regression(
        comparison, tolerance=settings.eval.regression_tolerance, max_regressed=settings.eval.max_regressed
    )


def against_baseline(
    root: Path, baseline: str, store: RunStore, settings: Settings, *, gate: bool
) -> tuple[dict[str, Any], Regression | None]:
    """What ``eval --baseline`` adds to a run: the brief, and the regression verdict when gated."""
    comparison = compare_stores(RunStore.open(root, baseline), store)
    return brief(comparison), regression_under(comparison, settings) if gate else None


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
