"""Fold ``results.jsonl`` into run metrics: per-scorer aggregates, latency, cost, pass@k, CIs.

Two kinds of interval: ``metrics_ci`` is the t-interval across trials (``--trials K``), and
``metrics_interval`` covers every *rate* of the metric catalogue with a Wilson score interval
over the examples (or items) the rate is a share of — so a 0.9 accuracy over 20 examples
reads as 0.70–0.97, not as 0.9 — widened by the trial spread when there are several trials.

The fold reads the store line by line and keeps only small state (aggregates, one
latency array, per-id pass counts), so a 100,000-row run summarises in flat memory. Because
the summary is derived from the stored lines alone, a resumed run, ``eval show`` and
``eval compare`` all see exactly the numbers the original run would have printed.
"""

from __future__ import annotations

import math
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from agentops_cli.evaluation.metrics import lookup
from agentops_cli.evaluation.models import ExampleResult
from agentops_cli.evaluation.scorers import (
    SCORERS,
    Aggregate,
    Confusion,
    CounterfactualGroups,
    errored_counterfactual,
)
from agentops_cli.llm.usage import Usage

# two-sided 95 % Student-t critical values by degrees of freedom (1..30); beyond: normal 1.96
_T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145,
        2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048,
        2.045, 2.042]  # fmt: skip


def percentile(values: list[float] | array, q: float) -> float:
    """Linear-interpolated percentile (numpy's default), without importing numpy."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def mean_ci95(values: list[float]) -> tuple[float, float, float]:
    """Mean and 95 % t-interval over per-trial metric values."""
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return mean, mean, mean
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    t = _T95[n - 2] if n - 1 <= len(_T95) else 1.96
    half = t * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def wilson(p: float, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion ``p`` over ``n`` trials (95 % by default).

    Unlike the normal approximation it stays inside [0, 1] and is not zero-width at p = 0 or 1,
    which is exactly where a deterministic engine on a small golden set sits.
    """
    if n <= 0:
        return 0.0, 1.0
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def rate_interval(per_trial: list[float], per_trial_n: list[int]) -> tuple[float, float]:
    """Wilson over the examples, widened by the t-spread across trials (added in quadrature)."""
    p = sum(per_trial) / len(per_trial)
    n = round(sum(per_trial_n) / len(per_trial_n))
    lo, hi = wilson(p, n)
    if len(per_trial) > 1:
        _, t_lo, t_hi = mean_ci95(per_trial)
        spread = (t_hi - t_lo) / 2
        lo, hi = p - math.hypot(p - lo, spread), p + math.hypot(hi - p, spread)
    return max(0.0, lo), min(1.0, hi)


def pass_at_k(n: int, c: int, k: int) -> float:
    """Unbiased pass@k (Chen et al. 2021): 1 - C(n-c, k) / C(n, k)."""
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)


@dataclass
class Fold:
    """Accumulates results one at a time; :meth:`finish` gives metrics."""

    scorers: list[str]
    trials: int = 1
    n: int = 0
    errors: int = 0
    degraded: int = 0
    passed: int = 0
    cost_usd: float = 0.0
    usage: Usage = field(default_factory=Usage)
    latencies: array = field(default_factory=lambda: array("d"))
    agents: set[str] = field(default_factory=set)
    per_agent: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    per_trial: dict[int, dict[str, Aggregate]] = field(default_factory=dict)
    per_trial_pass: dict[int, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    per_trial_bad: dict[int, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    per_id: dict[str, list[int]] = field(default_factory=dict)
    confusion: dict[str, Confusion] = field(default_factory=dict)
    models: set[str] = field(default_factory=set)
    providers: set[str] = field(default_factory=set)

    def add(self, r: ExampleResult) -> None:
        self.n += 1
        self.agents.add(r.agent)
        self.latencies.append(r.latency_ms)
        self.cost_usd += r.cost_usd
        self.usage = self.usage + r.usage
        self.per_agent[r.agent][0] += 1
        self.per_trial_pass[r.trial][0] += 1
        if r.provider:
            self.providers.add(r.provider)
        if r.model:
            self.models.add(r.model)
        ok = r.passed and r.error is None
        if ok:
            self.passed += 1
            self.per_agent[r.agent][1] += 1
            self.per_trial_pass[r.trial][1] += 1
        counts = self.per_id.setdefault(r.id, [0, 0])
        counts[0] += 1
        counts[1] += int(ok)
        self.degraded += int(r.degraded)
        bad = self.per_trial_bad[r.trial]
        bad[1] += int(r.degraded)
        aggs = self.per_trial.setdefault(r.trial, {})
        if r.error is not None:
            self.errors += 1
            bad[0] += 1
            self._errored_variant(r, aggs)
            return
        for name, record in r.scores.items():
            if name not in SCORERS:
                continue
            if name not in aggs:
                aggs[name] = SCORERS[name].aggregate()
            aggs[name].update(record)
            if name in ("intent", "doc_type"):
                self.confusion.setdefault(name, Confusion(name)).update(record)

    def _errored_variant(self, r: ExampleResult, aggs: dict[str, Aggregate]) -> None:
        """An errored counterfactual variant still belongs to its group (see
        :func:`errored_counterfactual`); other scorers skip errored rows (they count in error_rate)."""
        if "counterfactual" not in self.scorers:
            return
        record = errored_counterfactual(r.id, r.expected, r.error or "error")
        if record is not None:
            aggs.setdefault("counterfactual", SCORERS["counterfactual"].aggregate()).update(record)

    def metrics(self) -> tuple[dict[str, float | None], dict[str, list[float]]]:
        """Scorer metrics (mean over trials, with a 95 % CI when there are several) + run metrics."""
        per_trial_values: dict[str, list[float]] = defaultdict(list)
        undefined: set[str] = set()
        for trial in sorted(self.per_trial):
            for agg in self.per_trial[trial].values():
                for name, value in agg.values().items():
                    if value is None:
                        undefined.add(name)
                    else:
                        per_trial_values[name].append(value)
        metrics: dict[str, float | None] = {name: None for name in sorted(undefined)}
        cis: dict[str, list[float]] = {}
        for name, values in per_trial_values.items():
            mean, lo, hi = mean_ci95(values)
            metrics[name] = round(mean, 6)
            if len(values) > 1:
                cis[name] = [round(lo, 6), round(hi, 6)]
        if self.n:
            pass_rates = [p / t for t, p in self.per_trial_pass.values() if t]
            mean, lo, hi = mean_ci95(pass_rates)
            metrics["pass_rate"] = round(mean, 6)
            if len(pass_rates) > 1:
                cis["pass_rate"] = [round(lo, 6), round(hi, 6)]
            if len(self.per_agent) > 1:
                for agent, (total, ok) in sorted(self.per_agent.items()):
                    metrics[f"{agent}.pass_rate"] = round(ok / total, 6)
            metrics["error_rate"] = round(self.errors / self.n, 6)
            metrics["degraded_rate"] = round(self.degraded / self.n, 6)
            metrics["success_rate"] = round(1 - self.errors / self.n, 6)
            metrics["latency_p50_ms"] = round(percentile(self.latencies, 50), 3)
            metrics["latency_p95_ms"] = round(percentile(self.latencies, 95), 3)
            metrics["cost_usd"] = round(self.cost_usd, 8)
            metrics["cost_per_example_usd"] = round(self.cost_usd / self.n, 8)
            if self.trials > 1:
                k = self.trials
                metrics["pass@1"] = round(
                    sum(pass_at_k(n, c, 1) for n, c in self.per_id.values()) / len(self.per_id), 6
                )
                metrics[f"pass@{k}"] = round(
                    sum(pass_at_k(n, c, min(k, n)) for n, c in self.per_id.values()) / len(self.per_id), 6
                )
        return dict(sorted(metrics.items())), cis

    def intervals(self) -> tuple[dict[str, list[float]], dict[str, int]]:
        """95 % interval and denominator of every rate metric (see the module docstring)."""
        values: dict[str, list[float]] = defaultdict(list)
        sizes: dict[str, list[int]] = defaultdict(list)

        def add(name: str, hits: float, n: int) -> None:
            if n:
                values[name].append(hits / n)
                sizes[name].append(n)

        for trial, (total, ok) in self.per_trial_pass.items():
            errors, degraded = self.per_trial_bad[trial]
            add("pass_rate", ok, total)
            add("error_rate", errors, total)
            add("success_rate", total - errors, total)
            add("degraded_rate", degraded, total)
        for aggs in self.per_trial.values():
            for agg in aggs.values():
                counts = agg.denominators()
                for name, value in agg.values().items():
                    if value is not None and counts.get(name) and lookup(name).kind == "rate":
                        add(name, value * counts[name], counts[name])
        if len(self.per_agent) > 1:
            for agent, (total, ok) in self.per_agent.items():
                add(f"{agent}.pass_rate", ok / self.trials, max(1, round(total / self.trials)))
        if self.trials > 1 and self.per_id:
            ids = len(self.per_id)
            add("pass@1", sum(pass_at_k(n, c, 1) for n, c in self.per_id.values()), ids)
            k = self.trials
            add(f"pass@{k}", sum(pass_at_k(n, c, min(k, n)) for n, c in self.per_id.values()), ids)
        out: dict[str, list[float]] = {}
        for name in sorted(values):
            lo, hi = rate_interval(values[name], sizes[name])
            out[name] = [round(lo, 6), round(hi, 6)]
        return out, {name: round(sum(sizes[name]) / len(sizes[name])) for name in out}

    def latency(self) -> dict[str, float]:
        return {
            "p50": round(percentile(self.latencies, 50), 3),
            "p95": round(percentile(self.latencies, 95), 3),
            "mean": round(sum(self.latencies) / len(self.latencies), 3) if self.latencies else 0.0,
        }

    def counterfactual(self) -> dict[str, Any] | None:
        """Which counterfactual groups were consistent, and what differs in the others (the
        rows of a group that differ are named, so a reviewer can open them with ``eval show``)."""
        verdicts = []
        for trial in sorted(self.per_trial):
            agg = self.per_trial[trial].get("counterfactual")
            if isinstance(agg, CounterfactualGroups):
                verdicts += [{**v, "trial": trial} if self.trials > 1 else v for v in agg.verdicts()]
        if not verdicts:
            return None
        return {
            "groups": len(verdicts),
            "consistent": sum(not v["differs"] for v in verdicts),
            "inconsistent": [v for v in verdicts if v["differs"]],
            # every variant errored alike: counted consistent (no difference seen), named here
            "errored": [v["group"] for v in verdicts if v.get("errored")],
        }

    def confusion_matrix(self) -> dict[str, Any] | None:
        conf = self.confusion.get("intent") or self.confusion.get("doc_type")
        if conf is None:
            return None
        return {"name": conf.prefix, **conf.matrix()}


def what_differs(group: dict[str, Any], separator: str = ": ") -> str:
    """One line for an inconsistent counterfactual group (a verdict of :meth:`Fold.counterfactual`):
    each decision's value per variant, or how little the answers overlapped.

    The terminal and the HTML report say the same thing, so it is written once; ``separator``
    goes between a decision's name and its values (the terminal line is already "name: ...").
    """
    return "; ".join(
        f"{key}{separator}min overlap {values['min_overlap']}"
        if key == "answer"
        else f"{key}{separator}" + ", ".join(f"{i}={v}" for i, v in values.items())
        for key, values in group["differs"].items()
    )


def fold(results: Iterable[ExampleResult], scorers: list[str], trials: int = 1) -> Fold:
    acc = Fold(scorers=scorers, trials=trials)
    for result in results:
        acc.add(result)
    return acc
