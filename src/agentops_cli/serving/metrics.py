"""The Prometheus metrics of ``agentops serve`` — the names the seeds' dashboard queries.

Counters are declared under the ``_total`` name they are exposed as (prometheus_client
accepts it), so a search for ``agent_errors_total`` finds the code that records it.

One :class:`ServeMetrics` per app, on its own registry (two apps in one test process do not
collide). Breaker states and response-cache hits are read when scraped, from the one place
each is kept (``llm/resilience.py``, ``llm/cache.py``), not copied.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BREAKER_VALUES = {"closed": 0, "half_open": 1, "open": 2}
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
CONFIDENCE_BUCKETS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)  # the seed's buckets


class _Live:
    """Collector for values owned elsewhere: LLM breakers and response-cache counts."""

    def collect(self) -> Iterator[Any]:
        from agentops_cli.llm.cache import PROCESS_COUNTS
        from agentops_cli.llm.resilience import breaker_states

        breaker = GaugeMetricFamily(
            "agent_llm_breaker_state",
            "LLM circuit breaker per endpoint and model: 0 closed, 1 half-open, 2 open",
            labels=["endpoint", "model"],
        )
        for (endpoint, model), state in breaker_states().items():
            breaker.add_metric([endpoint, model], BREAKER_VALUES[state])
        yield breaker
        cache = CounterMetricFamily(
            "agent_cache_requests",
            "Response-cache lookups by backend and result",
            labels=["backend", "result"],
        )
        for (backend, result), count in sorted(PROCESS_COUNTS.snapshot().items()):
            cache.add_metric([backend, result], count)
        yield cache


class ServeMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "agent_requests_total",
            "Agent run requests by agent and HTTP status",
            ["agent", "status"],
            registry=r,
        )
        self.duration = Histogram(
            "agent_request_duration_seconds",
            "Agent run request duration",
            ["agent"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.cost = Counter("agent_cost_usd_total", "Model cost of agent runs in USD", ["agent"], registry=r)
        self.errors = Counter(
            "agent_errors_total", "Agent run errors by type", ["agent", "error_type"], registry=r
        )
        self.degraded = Counter(
            "agent_degraded_runs_total",
            "Runs answered by the offline engine after an LLM failure",
            ["agent"],
            registry=r,
        )
        self.automation = Gauge(
            "support_automation_rate", "Share of support queries answered without a human", registry=r
        )
        self.confidence = Histogram(
            "agent_confidence_score",
            "Confidence of answers",
            ["agent"],
            buckets=CONFIDENCE_BUCKETS,
            registry=r,
        )
        self.limited = Counter(
            "agent_rate_limited_total", "Requests refused by rate limit or quota", ["reason"], registry=r
        )
        r.register(_Live())
        self._lock = threading.Lock()
        self._support_total = 0
        self._support_automated = 0

    def observe_run(self, agent: str, run: dict[str, Any], seconds: float) -> None:
        self.requests.labels(agent, "200").inc()
        self.duration.labels(agent).observe(seconds)
        self.cost.labels(agent).inc(float(run.get("cost_usd") or 0.0))
        if run.get("degraded"):
            self.degraded.labels(agent).inc()
        confidence = run.get("confidence")
        if isinstance(confidence, int | float):
            self.confidence.labels(agent).observe(float(confidence))
        if agent == "support" and "escalate" in run:
            with self._lock:
                self._support_total += 1
                self._support_automated += 0 if run["escalate"] else 1
                self.automation.set(self._support_automated / self._support_total)

    def observe_failure(self, agent: str, status: int, error_type: str, seconds: float) -> None:
        self.requests.labels(agent, str(status)).inc()
        self.duration.labels(agent).observe(seconds)
        self.errors.labels(agent, error_type).inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
