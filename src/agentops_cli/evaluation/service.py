"""``agentops eval`` as a service: dataset → plan → run → summary → gates → reports.

The CLI parses flags into an :class:`EvalRequest` and renders the :class:`EvalReport`;
everything else happens here. Several ``--provider`` values run the same selection once
per provider (each its own resumable run) for a side-by-side table.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agentops_cli.config import Settings
from agentops_cli.errors import BadInput
from agentops_cli.evaluation import datasets, gates
from agentops_cli.evaluation.compare import brief, compare_stores
from agentops_cli.evaluation.limiter import AdaptiveLimiter
from agentops_cli.evaluation.models import ExampleResult, RunMeta, RunSummary
from agentops_cli.evaluation.runner import RunOptions, RunOutcome, execute, make_tasks
from agentops_cli.evaluation.scorers import SCORERS, resolve_scorers
from agentops_cli.evaluation.store import RunStore
from agentops_cli.evaluation.summary import fold
from agentops_cli.run_ids import new_run_id

PROVIDERS = ("auto", "offline", "openai")
RUN_METRICS = ("pass_rate", "error_rate", "success_rate", "latency_p50_ms", "latency_p95_ms", "cost_usd",
               "cost_per_example_usd")  # fmt: skip


@dataclass
class EvalRequest:
    """Every ``agentops eval`` flag, already parsed into Python values."""

    dataset: str | None = None
    agent: str | None = None
    pack: str | None = None
    providers: list[str] = field(default_factory=list)
    model: str | None = None
    base_url: str | None = None
    concurrency: int | None = None
    trials: int = 1
    limit: int | None = None
    tags: list[str] = field(default_factory=list)
    sample: int | None = None
    seed: int = 0
    mapping: list[str] = field(default_factory=list)
    scorers: list[str] = field(default_factory=list)
    resume: str | None = None
    retry_errors: bool = False
    max_errors: int | None = None
    max_cost: float | None = None
    fail_under: list[str] = field(default_factory=list)
    baseline: str | None = None
    junit: Path | None = None
    html: Path | None = None
    metrics_file: Path | None = None
    no_cache: bool = False


@dataclass
class RunHandle:
    """What a renderer needs while one run goes: its id, size and a per-result callback."""

    run_id: str
    provider: str
    total: int
    already_done: int


@dataclass
class EvalReport:
    summaries: list[RunSummary]
    interrupted: bool = False

    @property
    def passed(self) -> bool:
        return all(s.passed for s in self.summaries)

    def side_by_side(self) -> dict[str, Any]:
        """One JSON document for several providers: totals, per-provider metrics, every run."""
        runs = [s.model_dump(mode="json") for s in self.summaries]
        first = self.summaries[0]
        return {
            "run_id": [s.run_id for s in self.summaries],
            "dataset": first.dataset,
            "agents": first.agents,
            "provider": [
                f"{s.provider}:{s.model}" if s.provider != "offline" else "offline" for s in self.summaries
            ],
            "n": sum(s.n for s in self.summaries),
            "errors": sum(s.errors for s in self.summaries),
            "metrics": {r["provider"] + ":" + r["model"]: r["metrics"] for r in runs},
            "latency_ms": {r["provider"] + ":" + r["model"]: r["latency_ms"] for r in runs},
            "usage": {
                k: sum(s.usage.model_dump()[k] for s in self.summaries) for k in first.usage.model_dump()
            },
            "cost_usd": round(sum(s.cost_usd for s in self.summaries), 8),
            "passed": self.passed,
            "gates": [{"run_id": s.run_id, **g.model_dump()} for s in self.summaries for g in s.gates],
            "runs": runs,
        }

    def failed_gates(self) -> str:
        return " | ".join(
            (f"{s.provider}: " if len(self.summaries) > 1 else "") + gates.describe_failures(s.gates)
            for s in self.summaries
            if not s.passed and gates.describe_failures(s.gates)
        )


SettingsLoader = Callable[[dict[str, Any]], Settings]
StartHook = Callable[[RunHandle], Callable[[ExampleResult], None] | None]


def parse_provider(spec: str) -> tuple[str, str | None]:
    """``offline`` | ``openai`` | ``openai:MODEL`` (side by side over models)."""
    provider, _, model = spec.partition(":")
    if provider not in PROVIDERS:
        raise BadInput(f"--provider {spec}: choose from {', '.join(PROVIDERS)} (optionally PROVIDER:MODEL)")
    return provider, model or None


def known_metrics(scorers: list[str], agents: list[str], trials: int) -> set[str]:
    names = set(RUN_METRICS) | {f"{a}.pass_rate" for a in agents}
    if trials > 1:
        names |= {"pass@1", f"pass@{trials}"}
    for name in scorers:
        names |= set(SCORERS[name].aggregate().values())
    return names


def _overrides(req: EvalRequest, provider: str | None, model: str | None) -> dict[str, Any]:
    return {
        "llm.provider": provider,
        "llm.model": model or req.model,
        "llm.base_url": req.base_url,
        "eval.concurrency": req.concurrency,
        "eval.max_errors": req.max_errors,
        "cache.enabled": False if req.no_cache else None,
        "support.pack": req.pack,
    }


def _validate(req: EvalRequest) -> None:
    if req.trials < 1:
        raise BadInput("--trials must be at least 1")
    if req.limit is not None and req.limit < 1:
        raise BadInput("--limit must be at least 1")
    if req.sample is not None and req.sample < 1:
        raise BadInput("--sample must be at least 1")
    if req.max_cost is not None and req.max_cost < 0:
        raise BadInput("--max-cost must be ≥ 0")
    if req.pack and not Path(req.pack).exists():
        raise BadInput(f"--pack {req.pack}: not found")
    if req.resume and len(req.providers) > 1:
        raise BadInput("--resume continues one run; give at most one --provider")
    if req.retry_errors and not req.resume:
        raise BadInput("--retry-errors needs --resume RUN_ID|last")


def run_eval(req: EvalRequest, load: SettingsLoader, on_start: StartHook | None = None) -> EvalReport:
    """Run the evaluation the request describes; one run per provider."""
    _validate(req)
    flag_gates = gates.parse_fail_under(req.fail_under)
    specs = [parse_provider(p) for p in req.providers] or [(None, None)]
    summaries: list[RunSummary] = []
    for provider, model in specs:
        summary, interrupted = _run_one(req, load, provider, model, flag_gates, on_start)
        summaries.append(summary)
        if interrupted:
            return EvalReport(summaries, interrupted=True)
    return EvalReport(summaries)


def _run_one(
    req: EvalRequest,
    load: SettingsLoader,
    provider: str | None,
    model: str | None,
    flag_gates: dict[str, float],
    on_start: StartHook | None,
) -> tuple[RunSummary, bool]:
    root_settings = load(_overrides(req, provider, model))
    root = root_settings.runs_dir
    if req.resume:
        store = RunStore.open(root, req.resume)
        meta = store.meta()
        if provider is None and meta.provider_spec:
            provider, model = parse_provider(meta.provider_spec)
        settings = load(
            {
                **_overrides(req, provider, model or (meta.model if meta.provider != "offline" else None)),
                "llm.base_url": req.base_url or meta.base_url,
            }
        )
        spec = datasets.DatasetSpec(
            Path(meta.dataset),
            datasets.parse_mapping(list(_pairs(meta.mapping))),
            default_agent=meta.agent,
            pack=meta.pack,
        )
        selection = datasets.Selection(meta.agent, tuple(meta.tags), meta.limit, meta.sample, meta.seed)
        trials = meta.trials
    else:
        settings = root_settings
        path, label = datasets.resolve_dataset(req.dataset)
        pack = str(Path(req.pack).resolve()) if req.pack else None
        spec = datasets.DatasetSpec(
            path, datasets.parse_mapping(req.mapping), default_agent=req.agent, pack=pack
        )
        tags = tuple(t for raw in req.tags for t in raw.split(",") if t.strip())
        selection = datasets.Selection(req.agent, tags, req.limit, req.sample, req.seed)
        trials = req.trials
        meta = None
    planned = datasets.plan(spec, selection)  # every row validated before any work
    if "support" in planned.agents:
        from agentops_cli.agents.support.configuration import resolve_pack

        # A pack that cannot load is one exit-2 line now, not the same error on every example.
        resolve_pack(settings, {"pack": spec.pack})
    active = settings.provider()
    scorers = (
        meta.scorers
        if meta
        else resolve_scorers(req.scorers, planned.agents, llm_configured=active != "offline")
    )
    unknown = sorted(set(flag_gates) - known_metrics(scorers, planned.agents, trials))
    if unknown:
        raise BadInput(
            f"--fail-under: unknown metric {', '.join(unknown)} for this run "
            f"(known: {', '.join(sorted(known_metrics(scorers, planned.agents, trials)))})"
        )
    if "judge" in scorers:
        from agentops_cli.evaluation import judge

        judge.configure(settings)

    if meta is None:
        model_label = (
            "offline"
            if active == "offline"
            else ",".join(sorted({settings.model_for(a) for a in planned.agents}))
        )
        meta = RunMeta(
            run_id=new_run_id(),
            dataset=str(spec.path),
            dataset_label=label,
            agent=req.agent,
            pack=spec.pack,
            tags=list(selection.tags),
            limit=req.limit,
            sample=req.sample,
            seed=req.seed,
            mapping=spec.mapping,
            scorers=scorers,
            trials=trials,
            provider=active,
            model=model_label,
            provider_spec=(f"{provider}:{model}" if model else provider),
            base_url=settings.llm.base_url,
            created_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            fingerprint=planned.fingerprint,
        )
        store = RunStore.create(root, meta)
    elif meta.fingerprint and meta.fingerprint != planned.fingerprint:
        from agentops_cli.observability.logging import get_logger

        logger = get_logger()

        logger.warning(
            "dataset {} changed since run {} started; resuming with the current rows",
            meta.dataset,
            meta.run_id,
        )
    if req.retry_errors:
        store.drop_errors()
    done = store.done_keys()
    total = planned.selected * trials
    on_result = on_start(RunHandle(meta.run_id, active, total, len(done))) if on_start else None

    from agentops_cli.agents.runner import can_batch

    batch_cache: dict[str, bool] = {}

    def batchable(agent: str) -> bool:
        if agent not in batch_cache:
            batch_cache[agent] = trials == 1 and "judge" not in scorers and can_batch(agent, settings)
        return batch_cache[agent]

    concurrency = settings.eval.concurrency
    opts = RunOptions(
        settings=settings,
        scorers=scorers,
        run_id=meta.run_id,
        trials=trials,
        concurrency=concurrency,
        timeout_s=settings.eval.timeout_s,
        max_errors=settings.eval.max_errors,
        max_cost=req.max_cost,
        on_result=on_result,
    )
    tasks = make_tasks(
        datasets.selected_examples(spec, selection, planned), set(done), opts, batchable=batchable
    )
    limiter = AdaptiveLimiter(maximum=concurrency, adaptive=active != "offline")
    outcome = execute(tasks, store, opts, limiter=limiter)
    summary = summarise_store(
        store, settings=settings, flag_gates=flag_gates, outcome=outcome, expected_total=total
    )
    if req.baseline:
        summary.baseline = brief(compare_stores(RunStore.open(root, req.baseline), store))
    _write_reports(req, store, summary)
    store.save_summary(summary)
    return summary, outcome.interrupted


def _pairs(mapping: dict[str, str]):
    for target, source in mapping.items():
        yield f"{target}={source}"


def summarise_store(
    store: RunStore,
    *,
    settings: Settings | None = None,
    flag_gates: dict[str, float] | None = None,
    outcome: RunOutcome | None = None,
    expected_total: int | None = None,
) -> RunSummary:
    """The summary of whatever the store holds (also for ``eval show`` of an unfinished run)."""
    meta = store.meta()
    acc = fold(store.results(), meta.scorers, meta.trials)
    metrics, cis = acc.metrics()
    config_gates = settings.eval.gates if settings else {}
    max_errors = settings.eval.max_errors if settings else None
    checked = gates.check(metrics, flag_gates or {}, config_gates, errors=acc.errors, max_errors=max_errors)
    complete = expected_total is None or acc.n >= expected_total
    stopped = outcome.stopped_reason if outcome else None
    passed = all(g.passed for g in checked) and stopped != "max_errors" and acc.n > 0
    duration = outcome.duration_s if outcome else 0.0
    models = sorted(acc.models - {"offline"})
    return RunSummary(
        run_id=meta.run_id,
        dataset=meta.dataset_label,
        agents=sorted(acc.agents),
        provider=meta.provider,
        model=",".join(models) if models else meta.model,
        n=acc.n,
        errors=acc.errors,
        metrics=metrics,
        latency_ms=acc.latency(),
        usage=acc.usage,
        cost_usd=round(acc.cost_usd, 8),
        passed=passed,
        gates=checked,
        examples=len(acc.per_id),
        trials=meta.trials,
        metrics_ci=cis,
        confusion=acc.confusion_matrix(),
        degraded=acc.degraded,
        complete=complete,
        stopped_reason=stopped,
        started_at=meta.created_at,
        duration_s=round(duration, 3),
        examples_per_s=round(outcome.finished / duration, 2) if outcome and duration > 0 else 0.0,
        run_dir=str(store.dir),
    )


def _write_reports(req: EvalRequest, store: RunStore, summary: RunSummary) -> None:
    """Reports go to the path asked for and into the run folder (so the run keeps them)."""
    from agentops_cli.evaluation.reports import html, junit, prometheus

    jobs = [(req.junit, "junit.xml", junit.write), (req.html, "report.html", html.write),
            (req.metrics_file, "metrics.prom", prometheus.write)]  # fmt: skip
    for target, name, writer in jobs:
        if target is None:
            continue
        own = store.dir / name
        writer(store, summary, own)
        if Path(target).resolve() != own.resolve():
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            Path(target).write_bytes(own.read_bytes())
        summary.reports[name.split(".")[0]] = str(target)


# -- list / show / compare ----------------------------------------------------------------------------
def list_runs(settings: Settings) -> list[dict[str, Any]]:
    rows = []
    for run_id in reversed(RunStore.list_ids(settings.runs_dir)):
        store = RunStore(settings.runs_dir, run_id)
        meta = store.meta()
        summary = store.summary()
        rows.append(
            {
                "run_id": run_id,
                "created_at": meta.created_at,
                "dataset": meta.dataset_label,
                "provider": meta.provider,
                "model": meta.model,
                "n": summary.n if summary else None,
                "errors": summary.errors if summary else None,
                "pass_rate": summary.metrics.get("pass_rate") if summary else None,
                "passed": summary.passed if summary else None,
                "complete": summary.complete if summary else False,
            }
        )
    return rows


def show_run(settings: Settings, run_id: str) -> RunSummary:
    store = RunStore.open(settings.runs_dir, run_id)
    return store.summary() or summarise_store(store, settings=settings)


def compare_runs(settings: Settings, run_a: str, run_b: str):
    return compare_stores(RunStore.open(settings.runs_dir, run_a), RunStore.open(settings.runs_dir, run_b))
