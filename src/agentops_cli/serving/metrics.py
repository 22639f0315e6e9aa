"""The Prometheus metrics of ``agentops serve`` — the names the seeds' dashboard queries.

Counters are declared under the ``_total`` name they are exposed as (prometheus_client
accepts it), so a search for ``agent_errors_total`` finds the code that records it.

One process (the default): one :class:`ServeMetrics` per app, on its own registry (two apps
in one test process do not collide). Breaker states and response-cache hits are read when
scraped, from the one place each is kept (``llm/resilience.py``, ``llm/cache.py``), not copied.

``--workers N``: a scrape reaches one worker, so each worker's own figures would go up and
down between scrapes (Prometheus reads every drop of a counter as a reset). The parent makes
a private directory for the serve (:func:`workers_metrics_dir`) and names it in
``PROMETHEUS_MULTIPROC_DIR`` before the workers start: prometheus_client then keeps every
worker's values in memory-mapped files there, and any worker's ``/metrics`` merges them all
(:class:`_AllWorkers`), in the one-process order, with every family declared even before it
has a sample. Nothing a worker starts inherits the variable
(:mod:`agentops_cli.observability.metrics_mode`). Three values cannot simply be merged, so
each worker publishes them:

- ``support_automation_rate``: a ratio of two per-process counts is not the ratio of the sums,
  so workers count support queries by outcome and the scrape divides the sums;
- ``agent_llm_breaker_state``: each worker's breakers, as a gauge kept for live workers only
  (``livemax``: the worst state any live worker has; the parent drops an exited worker's with
  :func:`forget_worker`);
- ``agent_cache_requests_total``: each worker adds what its cache counted since it last did.

They are published after each run and every :data:`PUBLISH_INTERVAL_S` (a breaker turns from
open to half-open with time alone). The names, types and labels stay the one-process ones.

Recording is best-effort: a metrics failure (a full disk, a removed file) is logged, and
never turns a served run into an error nor stops the periodic publishing.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import stat
import struct
import tempfile
import threading
import time
from collections.abc import Iterator
from typing import Any, cast

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from agentops_cli.observability.logging import get_logger
from agentops_cli.observability.metrics_mode import MULTIPROC_ENV, keep_metrics_in_memory, metrics_in_files

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BREAKER_VALUES = {"closed": 0, "half_open": 1, "open": 2}
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
CONFIDENCE_BUCKETS = (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)  # the seed's buckets

# MULTIPROC_ENV (metrics_mode): set when prometheus_client is imported, every metric of the
# process lives in files there (its "multiprocess mode"). Only the parent of ``--workers N`` sets it.
PUBLISH_INTERVAL_S = 5.0
DIR_PREFIX = "agentops-metrics-"  # + the serve's pid + "-": a dead serve's directory is swept

BREAKER_HELP = "LLM circuit breaker per endpoint and model: 0 closed, 1 half-open, 2 open"
CACHE_HELP = "Response-cache lookups by backend and result"
AUTOMATION_HELP = "Share of support queries answered without a human"
SUPPORT_QUERIES = "agent_support_queries"  # workers' counts behind the rate; not exposed


_serve_dir: str | None = None  # the parent's: the directory of the serve it supervises


def shared_dir() -> str | None:
    """The directory the workers of this serve share, when this process is one of them: when
    prometheus_client chose files at import (the variable alone may have been set later)."""
    return (os.environ.get(MULTIPROC_ENV) or None) if metrics_in_files() else None


@contextlib.contextmanager
def workers_metrics_dir() -> Iterator[str]:
    """A fresh private directory for one ``serve --workers N``, named in the environment the
    workers inherit, removed when the serve ends (or, if the serve is killed, by the next one).

    Fresh, because files left by another serve would add its counts to this one's; private
    (mode 0700), because any process that can write there can forge the figures.
    """
    global _serve_dir
    sweep_orphaned_dirs()
    previous = os.environ.get(MULTIPROC_ENV)
    folder = tempfile.mkdtemp(prefix=f"{DIR_PREFIX}{os.getpid()}-")
    os.environ[MULTIPROC_ENV] = _serve_dir = folder
    try:
        yield folder
    finally:
        _serve_dir = None
        if previous is None:
            os.environ.pop(MULTIPROC_ENV, None)
        else:
            os.environ[MULTIPROC_ENV] = previous
        shutil.rmtree(folder, ignore_errors=True)


def sweep_orphaned_dirs(root: str | None = None) -> list[str]:
    """Remove the directories of serves that died without removing theirs (SIGKILL, power
    loss): only ours by name (``DIR_PREFIX`` + pid), owned by this user, whose pid is dead."""
    if os.name != "posix":  # os.kill(pid, 0) would end the process on Windows
        return []
    swept = []
    with os.scandir(root or tempfile.gettempdir()) as entries:
        for entry in entries:
            owner = entry.name.removeprefix(DIR_PREFIX).split("-", 1)[0]
            if not entry.name.startswith(DIR_PREFIX) or not owner.isdigit() or _alive(int(owner)):
                continue
            with contextlib.suppress(FileNotFoundError):  # another serve starting swept it first
                info = entry.stat(follow_symlinks=False)
                if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid():  # no symlink, ours
                    shutil.rmtree(entry.path, ignore_errors=True)
                    swept.append(entry.path)
    return swept


def _alive(pid: int) -> bool:
    try:
        with contextlib.suppress(PermissionError):  # another user's process: alive
            os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def forget_worker(pid: int | None, folder: str | None = None) -> None:
    """Drop an exited worker's live gauges (its breaker states), kept otherwise until the serve
    ends; its counters and histograms stay, so totals never go down. ``folder``: the serve's
    directory (default: the one :func:`workers_metrics_dir` made in this process)."""
    folder = folder or _serve_dir
    if folder and pid is not None:
        from prometheus_client.multiprocess import mark_process_dead

        mark_process_dead(pid, folder)


@contextlib.contextmanager
def _best_effort(what: str) -> Iterator[None]:
    """Log a metrics failure instead of raising it: metrics never fail a run or a publisher."""
    try:
        yield
    except Exception as exc:  # any failure of recording: the run's answer stands
        get_logger().warning(f"metrics: {what} failed: {type(exc).__name__}: {exc}")


class _Live:
    """One process: collector for values owned elsewhere, LLM breakers and response-cache counts."""

    def collect(self) -> Iterator[Any]:
        from agentops_cli.llm.cache import PROCESS_COUNTS
        from agentops_cli.llm.resilience import breaker_states

        breaker = GaugeMetricFamily("agent_llm_breaker_state", BREAKER_HELP, labels=["endpoint", "model"])
        for (endpoint, model), state in breaker_states().items():
            breaker.add_metric([endpoint, model], BREAKER_VALUES[state])
        yield breaker
        cache = CounterMetricFamily("agent_cache_requests", CACHE_HELP, labels=["backend", "result"])
        for (backend, result), count in sorted(PROCESS_COUNTS.snapshot().items()):
            cache.add_metric([backend, result], count)
        yield cache


class _AllWorkers:
    """``--workers N``: every worker's files merged, the automation rate computed from the sums.

    ``declared``: this worker's families, without samples, in declaration order. A scrape
    yields exactly these, in that order (the one-process order, the automation rate where its
    inputs are declared), each with HELP and TYPE even before any worker recorded a sample.
    """

    def __init__(self, folder: str, declared: list[Metric]) -> None:
        self._folder = folder
        self._declared = declared

    def collect(self) -> Iterator[Any]:
        merged = {family.name: family for family in self._merge()}
        for family in self._declared:
            if family.name == SUPPORT_QUERIES:
                yield _automation_rate(merged.get(SUPPORT_QUERIES))
            else:
                yield merged.get(family.name, family)

    def _merge(self) -> Any:
        """The files merged; one a worker is creating right now (still empty) is left out."""
        from prometheus_client.mmap_dict import MmapedDict
        from prometheus_client.multiprocess import MultiProcessCollector

        files = glob.glob(os.path.join(self._folder, "*.db"))
        try:
            return MultiProcessCollector.merge(files)
        except struct.error:  # a header not yet written: merge the files that have one
            readable = []
            for path in files:
                with contextlib.suppress(struct.error, FileNotFoundError):
                    MmapedDict.read_all_values_from_file(path)
                    readable.append(path)
            return MultiProcessCollector.merge(readable)


def _automation_rate(support_queries: Metric | None) -> GaugeMetricFamily:
    by_outcome = {"true": 0.0, "false": 0.0}
    for sample in support_queries.samples if support_queries else ():
        by_outcome[sample.labels["automated"]] += sample.value
    total = by_outcome["true"] + by_outcome["false"]
    return GaugeMetricFamily(
        "support_automation_rate", AUTOMATION_HELP, value=by_outcome["true"] / total if total else 0.0
    )


class _Publisher:
    """A worker's breaker states and cache counts, copied into the shared files."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.breakers = Gauge(
            "agent_llm_breaker_state",
            BREAKER_HELP,
            ["endpoint", "model"],
            multiprocess_mode="livemax",
            registry=registry,
        )
        self.cache = Counter(
            "agent_cache_requests_total", CACHE_HELP, ["backend", "result"], registry=registry
        )
        self._published: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def publish(self) -> None:
        from agentops_cli.llm.cache import PROCESS_COUNTS
        from agentops_cli.llm.resilience import breaker_states

        with self._lock:
            for (endpoint, model), state in breaker_states().items():
                self.breakers.labels(endpoint, model).set(BREAKER_VALUES[state])
            for key, count in PROCESS_COUNTS.snapshot().items():
                added = count - self._published.get(key, 0)
                if added > 0:
                    self.cache.labels(*key).inc(added)
                    self._published[key] = count

    def every(self, seconds: float) -> threading.Thread:
        """Publish every ``seconds`` in a daemon thread (it ends with the worker)."""

        def loop() -> None:
            while True:
                time.sleep(seconds)
                with _best_effort("periodic publishing"):
                    self.publish()

        thread = threading.Thread(target=loop, name="metrics-publisher", daemon=True)
        thread.start()
        return thread


class ServeMetrics:
    def __init__(self, folder: str | None = None) -> None:
        """``folder``: the workers' shared directory (``--workers N``), or None for one process."""
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
        self.automation: Gauge | None = None
        self.support_queries: Counter | None = None
        if folder is None:
            self.automation = Gauge("support_automation_rate", AUTOMATION_HELP, registry=r)
        else:
            self.support_queries = Counter(
                f"{SUPPORT_QUERIES}_total", "Support queries by outcome", ["automated"], registry=r
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
        self._publisher: _Publisher | None = None
        if folder is None:
            r.register(_Live())
            self._scraped = r
        else:
            self._publisher = _Publisher(r)
            self._scraped = CollectorRegistry()
            self._scraped.register(_AllWorkers(folder, declared=list(r.collect())))
        self._lock = threading.Lock()
        self._support_total = 0
        self._support_automated = 0

    @classmethod
    def for_this_process(cls) -> ServeMetrics:
        """Shared with the other workers when the parent made a directory for them; in memory
        otherwise, even if prometheus_client chose files for a variable since removed."""
        folder = shared_dir()
        if folder is None:
            keep_metrics_in_memory()
        return cls(folder)

    def start_publishing(self) -> None:
        """``--workers N``: publish this worker's breakers and cache counts periodically too."""
        if self._publisher is not None:
            self._publisher.every(PUBLISH_INTERVAL_S)

    def observe_run(self, agent: str, run: dict[str, Any], seconds: float) -> None:
        with _best_effort(f"recording a run of {agent}"):
            self._record_run(agent, run, seconds)

    def _record_run(self, agent: str, run: dict[str, Any], seconds: float) -> None:
        self.requests.labels(agent, "200").inc()
        self.duration.labels(agent).observe(seconds)
        self.cost.labels(agent).inc(float(run.get("cost_usd") or 0.0))
        if run.get("degraded"):
            self.degraded.labels(agent).inc()
        confidence = run.get("confidence")
        if isinstance(confidence, int | float):
            self.confidence.labels(agent).observe(float(confidence))
        if agent == "support" and "escalate" in run:
            self._count_support(automated=not run["escalate"])
        if self._publisher is not None:
            self._publisher.publish()

    def _count_support(self, automated: bool) -> None:
        if self.automation is None:  # --workers N: the scrape divides the workers' sums
            cast(Counter, self.support_queries).labels("true" if automated else "false").inc()
            return
        with self._lock:
            self._support_total += 1
            self._support_automated += 1 if automated else 0
            self.automation.set(self._support_automated / self._support_total)

    def observe_failure(self, agent: str, status: int, error_type: str, seconds: float) -> None:
        with _best_effort(f"recording a failed run of {agent}"):
            self.requests.labels(agent, str(status)).inc()
            self.duration.labels(agent).observe(seconds)
            self.errors.labels(agent, error_type).inc()
            if self._publisher is not None:
                self._publisher.publish()

    def observe_limited(self, reason: str) -> None:
        with _best_effort("recording a refusal"):
            self.limited.labels(reason).inc()

    def exposition(self) -> bytes:
        if self._publisher is not None:
            with _best_effort("publishing before a scrape"):
                self._publisher.publish()  # this worker's part current; the others' as of their last
        return generate_latest(self._scraped)
