"""The metric catalogue covers every metric a scorer produces; intervals behave at the edges."""

from __future__ import annotations

import pytest

from agentops_cli.evaluation import metrics
from agentops_cli.evaluation.compare import Comparison, MetricDelta, check_regression
from agentops_cli.evaluation.gates import check
from agentops_cli.evaluation.judge import JUDGE
from agentops_cli.evaluation.scorers import SCORERS, Mean
from agentops_cli.evaluation.summary import rate_interval, wilson


def test_every_scorer_metric_is_in_the_catalogue_with_its_scorer() -> None:
    # plugin scorers (python:…, rubric:…) other tests in this process registered are the user's: their
    # metrics are outside the catalogue by design (metrics.lookup describes them generically)
    builtin = [s for s in SCORERS.values() if ":" not in s.name]
    for scorer in [*builtin, JUDGE]:
        for name in scorer.aggregate().values():
            entry = metrics.CATALOGUE.get(name)
            assert entry is not None, f"{name} ({scorer.name}) missing from the catalogue"
            assert entry.scorer == scorer.name


def test_every_proportion_an_aggregate_reports_is_a_rate() -> None:
    """Counted ratios are rates; a Mean may average graded values, so the catalogue decides."""
    for scorer in SCORERS.values():
        aggregate = scorer.aggregate()
        if isinstance(aggregate, Mean):
            continue
        for name in aggregate.denominators():
            assert metrics.lookup(name).kind == "rate", name
    assert metrics.lookup("avg_confidence").kind == "score"  # a Mean that is no proportion


def test_lookup_patterns_aliases_and_unknowns() -> None:
    assert metrics.lookup("pass@3").kind == "rate" and not metrics.lower_is_better("pass@3")
    assert metrics.lookup("support.pass_rate").direction == "higher"
    assert metrics.lookup("accuracy").name == "intent_accuracy"
    assert metrics.lower_is_better("degraded_rate") and metrics.lower_is_better("latency_p95_ms")
    assert metrics.lookup("plugin_thing").kind == "score"
    assert "degraded_rate" in metrics.run_metrics() and "errors" not in metrics.run_metrics()


def test_worsening_is_absolute_for_rates_and_relative_for_latency() -> None:
    assert metrics.worsening("pass_rate", 0.9, 0.8) == pytest.approx(0.1)
    assert metrics.worsening("degraded_rate", 0.0, 0.2) == pytest.approx(0.2)
    assert metrics.worsening("latency_p95_ms", 100.0, 150.0) == pytest.approx(0.5)
    assert metrics.worsening("error_rate", 0.2, 0.1) == pytest.approx(-0.1)  # improved


def test_gates_read_direction_from_the_catalogue() -> None:
    results = {g.metric: g for g in check({"degraded_rate": 0.5, "automation_rate": 0.5}, {
        "degraded_rate": 0.1, "automation_rate": 0.4}, {})}  # fmt: skip
    assert results["degraded_rate"].bound == "max" and not results["degraded_rate"].passed
    assert results["automation_rate"].bound == "min" and results["automation_rate"].passed


def test_regression_ignores_latency_and_honours_tolerance() -> None:
    comparison = Comparison(
        run_a="a",
        run_b="b",
        metrics=[
            MetricDelta(metric="latency_p95_ms", a=10.0, b=500.0, delta=490.0),
            MetricDelta(metric="intent_accuracy", a=0.90, b=0.885, delta=-0.015),
            MetricDelta(metric="degraded_rate", a=0.0, b=0.005, delta=0.005),
        ],
        regressed=[],
        improved=[],
        regressed_count=0,
        improved_count=0,
    )
    strict = check_regression(comparison, tolerance=0.01)
    assert not strict.passed and strict.worse_metrics == {"intent_accuracy": 0.015}
    assert check_regression(comparison, tolerance=0.02).passed


def test_informational_metrics_never_fail_a_regression_check() -> None:
    # documented as informational: a name moving confidence without moving a decision, or the
    # classifier's mean confidence, must not fail --fail-on-regression (the decisions do that)
    comparison = Comparison(
        run_a="a",
        run_b="b",
        metrics=[
            MetricDelta(metric="counterfactual_confidence_gap", a=0.006, b=0.2, delta=0.194),
            MetricDelta(metric="avg_confidence", a=0.9, b=0.6, delta=-0.3),
            MetricDelta(metric="counterfactual_consistency", a=1.0, b=0.9, delta=-0.1),
        ],
        regressed=[],
        improved=[],
        regressed_count=0,
        improved_count=0,
    )
    verdict = check_regression(comparison, tolerance=0.01)
    assert verdict.worse_metrics == {"counterfactual_consistency": 0.1}
    informational = {m.name for m in metrics.CATALOGUE.values() if m.informational}
    assert informational == {"avg_confidence", "counterfactual_confidence_gap"}


def test_wilson_edges_and_trial_spread() -> None:
    lo, hi = wilson(1.0, 10)
    assert lo == pytest.approx(0.7225, abs=1e-4) and hi == 1.0  # not zero-width at p = 1
    lo, hi = wilson(0.0, 10)
    assert lo == 0.0 and hi == pytest.approx(0.2775, abs=1e-4)
    assert wilson(0.5, 0) == (0.0, 1.0)
    alone = wilson(0.8, 50)
    spread = rate_interval([0.7, 0.9], [50, 50])
    assert spread[0] < alone[0] and spread[1] > alone[1]  # trials add their own spread
    assert rate_interval([0.8, 0.8], [50, 50]) == pytest.approx(alone)
