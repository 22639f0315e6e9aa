"""Gates on lower-is-better metrics are maxima; every other gate is a minimum."""

from __future__ import annotations

from agentops_cli.evaluation.gates import check, describe_failures


def test_lower_is_better_metrics_are_maxima() -> None:
    metrics = {"error_rate": 0.0, "latency_p95_ms": 950.0, "cost_usd": 0.02, "intent_accuracy": 0.9}
    gates = check(
        metrics,
        {"error_rate": 0.05, "latency_p95_ms": 800, "cost_usd": 1.0, "intent_accuracy": 0.95},
        {},
    )
    by_metric = {g.metric: g for g in gates}
    assert by_metric["error_rate"].passed and by_metric["error_rate"].bound == "max"
    assert by_metric["cost_usd"].passed
    assert not by_metric["latency_p95_ms"].passed
    assert not by_metric["intent_accuracy"].passed and by_metric["intent_accuracy"].bound == "min"
    assert describe_failures(gates) == "intent_accuracy 0.9 < 0.95; latency_p95_ms 950 > 800"
