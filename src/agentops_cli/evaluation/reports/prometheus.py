"""Prometheus textfile (node_exporter's textfile collector) for batch-job dashboards.

Metric names follow the seeds' dashboard (``agent_requests_total``,
``agent_request_duration_seconds``, ``agent_errors_total``, ``agent_cost_usd``,
``support_automation_rate``) plus ``agentops_eval_metric`` for every eval metric. The file
is written to a temp name and renamed, as the collector requires.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from pathlib import Path

from agentops_cli.evaluation.metrics import lookup
from agentops_cli.evaluation.models import RunSummary
from agentops_cli.evaluation.store import RunStore
from agentops_cli.observability.redact import redact

BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def _labels(**labels: str) -> str:
    inner = ",".join(
        f'{k}="{str(v).replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
        for k, v in labels.items()
    )
    return "{" + inner + "}"


def render(store: RunStore, summary: RunSummary) -> str:
    requests: Counter = Counter()
    errors: Counter = Counter()
    cost: Counter = Counter()
    hist: dict[str, list[int]] = defaultdict(lambda: [0] * len(BUCKETS_S))
    sums: Counter = Counter()
    for r in store.results():
        status = "error" if r.error else ("pass" if r.passed else "fail")
        requests[(r.agent, status)] += 1
        if r.error:
            kind = "timeout" if r.error.startswith("timeout") else r.error.split(":")[0]
            errors[(r.agent, kind)] += 1
        cost[r.agent] += r.cost_usd
        seconds = r.latency_ms / 1000
        sums[r.agent] += seconds
        for i, bound in enumerate(BUCKETS_S):
            if seconds <= bound:
                hist[r.agent][i] += 1
    run = {"run_id": summary.run_id, "dataset": summary.dataset, "provider": summary.provider}
    lines = [
        "# HELP agentops_eval_metric Eval metric of the run (0-1 unless the name says otherwise).",
        "# TYPE agentops_eval_metric gauge",
    ]
    for name, value in summary.metrics.items():
        if value is not None:
            lines.append(f"agentops_eval_metric{_labels(metric=name, **run)} {value}")
    lines += [
        "# HELP agentops_eval_metric_info The metric catalogue: which way is better, and the kind.",
        "# TYPE agentops_eval_metric_info gauge",
    ]
    for name in summary.metrics:
        entry = lookup(name)
        labels = _labels(metric=name, direction=entry.direction, kind=entry.kind, **run)
        lines.append(f"agentops_eval_metric_info{labels} 1")
    lines += [
        "# HELP agentops_eval_metric_interval 95 % Wilson interval of a rate over its examples.",
        "# TYPE agentops_eval_metric_interval gauge",
    ]
    for name, (low, high) in summary.metrics_interval.items():
        lines.append(f"agentops_eval_metric_interval{_labels(metric=name, bound='low', **run)} {low}")
        lines.append(f"agentops_eval_metric_interval{_labels(metric=name, bound='high', **run)} {high}")
    lines += [
        "# HELP agentops_eval_passed 1 when every gate passed.",
        "# TYPE agentops_eval_passed gauge",
        f"agentops_eval_passed{_labels(**run)} {int(summary.passed)}",
        "# HELP agentops_eval_examples Results stored for the run.",
        "# TYPE agentops_eval_examples gauge",
        f"agentops_eval_examples{_labels(**run)} {summary.n}",
        "# HELP agent_requests_total Agent requests in the eval run by status.",
        "# TYPE agent_requests_total counter",
    ]
    for (agent, status), n in sorted(requests.items()):
        lines.append(f"agent_requests_total{_labels(agent_type=agent, status=status, **run)} {n}")
    lines += ["# HELP agent_errors_total Agent errors in the eval run.", "# TYPE agent_errors_total counter"]
    for (agent, kind), n in sorted(errors.items()):
        lines.append(f"agent_errors_total{_labels(agent_type=agent, error_type=kind, **run)} {n}")
    lines += ["# HELP agent_cost_usd LLM cost of the eval run in USD.", "# TYPE agent_cost_usd gauge"]
    for agent, usd in sorted(cost.items()):
        lines.append(f"agent_cost_usd{_labels(agent_type=agent, **run)} {usd:.8f}")
    lines += [
        "# HELP agent_request_duration_seconds Agent latency per example.",
        "# TYPE agent_request_duration_seconds histogram",
    ]
    for agent in sorted(hist):
        total = sum(n for (a, _), n in requests.items() if a == agent)
        for bound, n in zip(BUCKETS_S, hist[agent], strict=True):
            lines.append(
                f"agent_request_duration_seconds_bucket{_labels(agent_type=agent, le=f'{bound:g}', **run)} "
                f"{n}"
            )
        lines.append(
            f"agent_request_duration_seconds_bucket{_labels(agent_type=agent, le='+Inf', **run)} {total}"
        )
        lines.append(
            f"agent_request_duration_seconds_sum{_labels(agent_type=agent, **run)} {sums[agent]:.6f}"
        )
        lines.append(f"agent_request_duration_seconds_count{_labels(agent_type=agent, **run)} {total}")
    automation = summary.metrics.get("automation_rate")
    if automation is not None:
        lines += [
            "# HELP support_automation_rate Share of support queries answered without a human.",
            "# TYPE support_automation_rate gauge",
            f"support_automation_rate{_labels(**run)} {automation}",
        ]
    return "\n".join(lines) + "\n"


def render_many(runs: list[tuple[RunStore, RunSummary]]) -> str:
    """Several runs in one textfile: each family's samples together, under one HELP/TYPE
    (the format forbids a family appearing twice); the ``run_id`` label tells runs apart."""
    families: dict[str, list[str]] = {}
    for store, summary in runs:
        family = ""
        for line in render(store, summary).splitlines():
            if line.startswith("# "):
                family = line.split()[2]
                if len(families.setdefault(family, [])) < 2:
                    families[family].append(line)
                continue
            families[family].append(line)
    return "\n".join(line for lines in families.values() for line in lines) + "\n"


def write(store: RunStore, summary: RunSummary, path: Path) -> None:
    write_many([(store, summary)], path)


def write_many(runs: list[tuple[RunStore, RunSummary]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(redact(render_many(runs)), encoding="utf-8")
    os.replace(tmp, path)
