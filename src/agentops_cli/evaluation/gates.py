"""Quality gates: ``--fail-under METRIC=VALUE`` and ``eval.gates`` from the config.

A gate is a minimum a metric must reach — or, for metrics the catalogue
(:mod:`agentops_cli.evaluation.metrics`) marks lower-is-better (error and degraded rates,
latency, cost), a maximum it must not exceed: ``--fail-under latency_p95_ms=800`` fails a run
whose p95 is above 800 ms. Flags override the config for the same metric.
Config gates about metrics a run cannot produce (say, document metrics in a
``--agent support`` run) are skipped, so one config serves every run; a flag naming a
metric the run cannot produce is a typo until proven otherwise, and fails (exit 2 before
any work when the metric is unknown to every scorer, exit 1 when it had no data).
"""

from __future__ import annotations

from agentops_cli.errors import BadInput
from agentops_cli.evaluation.metrics import canonical, lower_is_better
from agentops_cli.evaluation.models import GateResult


def parse_fail_under(pairs: list[str]) -> dict[str, float]:
    gates: dict[str, float] = {}
    for pair in pairs:
        metric, sep, raw = pair.partition("=")
        metric = metric.strip()
        try:
            value = float(raw)
        except ValueError:
            value = float("nan")
        if not sep or not metric or value != value:
            raise BadInput(f"--fail-under {pair}: expected METRIC=NUMBER, e.g. intent_accuracy=0.9")
        gates[canonical(metric)] = value
    return gates


def check(
    metrics: dict[str, float | None],
    flag_gates: dict[str, float],
    config_gates: dict[str, float],
    *,
    errors: int = 0,
    max_errors: int | None = None,
) -> list[GateResult]:
    """Evaluate every gate; a metric that is missing or undefined fails a flag gate only."""
    results: list[GateResult] = []
    merged = {canonical(k): ("config", v) for k, v in config_gates.items()}
    merged.update({k: ("flag", v) for k, v in flag_gates.items()})
    for metric, (source, threshold) in sorted(merged.items()):
        value = metrics.get(metric)
        if value is None:
            if source == "config":
                continue
            results.append(
                GateResult(metric=metric, threshold=threshold, value=None, passed=False, source=source)
            )
            continue
        maximum = lower_is_better(metric)
        results.append(
            GateResult(
                metric=metric,
                threshold=threshold,
                value=value,
                passed=value <= threshold + 1e-12 if maximum else value >= threshold - 1e-12,
                source=source,
                bound="max" if maximum else "min",
            )
        )
    if max_errors is not None:
        results.append(
            GateResult(
                metric="errors",
                threshold=float(max_errors),
                value=float(errors),
                passed=errors <= max_errors,
                source="max_errors",
                bound="max",
            )
        )
    return results


def describe_failures(gates: list[GateResult]) -> str:
    parts = []
    for g in gates:
        if g.passed:
            continue
        if g.source == "max_errors":
            parts.append(f"errors {g.value:g} > max {g.threshold:g}")
        elif g.value is None:
            needed = "≤" if g.bound == "max" else "≥"
            parts.append(f"{g.metric} has no value in this run (needed {needed} {g.threshold:g})")
        else:
            parts.append(f"{g.metric} {g.value:.4g} {'>' if g.bound == 'max' else '<'} {g.threshold:g}")
    return "; ".join(parts)
