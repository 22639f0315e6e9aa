"""``agentops eval`` as a service: dataset → plan → run → summary → gates → reports.

The CLI parses flags into an :class:`EvalRequest` and renders the :class:`EvalReport`;
everything else happens here. Several ``--provider`` values run the same selection once
per provider (each its own resumable run) for a side-by-side table.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from agentops_cli.config import Settings
from agentops_cli.errors import BadInput, RuntimeFailure
from agentops_cli.evaluation import datasets, gates
from agentops_cli.evaluation import metrics as catalogue
from agentops_cli.evaluation.compare import (
    against_baseline,
    compare_stores,
    regression_under,
    resolve_baseline,
)
from agentops_cli.evaluation.limiter import AdaptiveLimiter
from agentops_cli.evaluation.models import ExampleResult, RunMeta, RunSummary
from agentops_cli.evaluation.runner import RunOptions, RunOutcome, execute, make_tasks
from agentops_cli.evaluation.scorers import SCORERS, resolve_scorers
from agentops_cli.evaluation.store import RunStore
from agentops_cli.evaluation.summary import fold
from agentops_cli.run_ids import new_run_id

PROVIDERS = ("auto", "offline", "openai")


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
    fail_on_regression: bool = False
    regression_tolerance: float | None = None
    junit: Path | None = None
    html: Path | None = None
    metrics_file: Path | None = None
    no_cache: bool = False
    target: str | None = None
    shard: str | None = None


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
            (f"{s.provider}: " if len(self.summaries) > 1 else "") + _failures(s)
            for s in self.summaries
            if not s.passed and _failures(s)
        )


def _failures(summary: RunSummary) -> str:
    """Failed gates and, with ``--fail-on-regression``, why the run counts as a regression."""
    parts = [gates.describe_failures(summary.gates)]
    verdict = summary.regression
    if verdict and not verdict["passed"]:
        parts.append(f"regression vs {verdict['baseline']}: " + "; ".join(verdict["reasons"]))
    return "; ".join(p for p in parts if p)


SettingsLoader = Callable[[dict[str, Any]], Settings]
StartHook = Callable[[RunHandle], Callable[[ExampleResult], None] | None]


def parse_provider(spec: str) -> tuple[str, str | None]:
    """``offline`` | ``openai`` | ``openai:MODEL`` (side by side over models)."""
    provider, _, model = spec.partition(":")
    if provider not in PROVIDERS:
        raise BadInput(f"--provider {spec}: choose from {', '.join(PROVIDERS)} (optionally PROVIDER:MODEL)")
    return provider, model or None


def known_metrics(scorers: list[str], agents: list[str], trials: int) -> set[str]:
    produced = {metric for name in scorers for metric in SCORERS[name].aggregate().values()}
    return catalogue.known_for(produced, agents, trials)


def _overrides(req: EvalRequest, provider: str | None, model: str | None) -> dict[str, Any]:
    return {
        "llm.provider": provider,
        "llm.model": model or req.model,
        "llm.base_url": req.base_url,
        "eval.concurrency": req.concurrency,
        "eval.max_errors": req.max_errors,
        "eval.regression_tolerance": req.regression_tolerance,
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
    if req.fail_on_regression and not req.baseline:
        raise BadInput("--fail-on-regression needs --baseline RUN_ID|last")
    if req.shard is not None:
        datasets.parse_shard(req.shard)
        if req.resume:
            raise BadInput("--resume continues a run with its own shard; drop --shard")
        gated = [flag for flag, value in SHARD_UNGATED.items() if getattr(req, value)]
        if gated:
            raise BadInput(
                f"--shard runs are not gated ({', '.join(gated)}): give them to agentops eval merge RUN..."
            )


# A shard holds part of the rows, so its metrics are no verdict: gates belong to the merged run.
SHARD_UNGATED = {
    "--fail-under": "fail_under",
    "--baseline": "baseline",
    "--fail-on-regression": "fail_on_regression",
}


def _resolve_baseline(req: EvalRequest, load: SettingsLoader) -> EvalRequest:
    """Pin ``--baseline last`` to a run id before any run starts (so it is never the new run)."""
    if not req.baseline:
        return req
    root = load(_overrides(req, None, None)).runs_dir
    if req.resume:
        resumed = RunStore.open(root, req.resume)
        dataset, exclude = resumed.meta().dataset, resumed.run_id
    else:
        dataset, exclude = str(datasets.resolve_dataset(req.dataset)[0]), None
    return replace(req, baseline=resolve_baseline(root, req.baseline, dataset=dataset, exclude=exclude))


def run_eval(req: EvalRequest, load: SettingsLoader, on_start: StartHook | None = None) -> EvalReport:
    """Run the evaluation the request describes; one run per provider."""
    _validate(req)
    req = _resolve_baseline(req, load)
    flag_gates = gates.parse_fail_under(req.fail_under)
    specs = [parse_provider(p) for p in req.providers] or [(None, None)]
    summaries: list[RunSummary] = []
    for provider, model in specs:
        summary, interrupted = _run_one(req, load, provider, model, flag_gates, on_start)
        summaries.append(summary)
        if interrupted:
            return EvalReport(summaries, interrupted=True)
    if len(summaries) > 1:
        _write_side_by_side(req, summaries)
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
    target = req.target
    if req.resume:
        store = RunStore.open(root, req.resume)
        meta = store.meta()
        target = target or meta.target
        if provider is None and meta.provider_spec:
            provider, model = parse_provider(meta.provider_spec)
        settings = load(
            {
                **_overrides(req, provider, model or (meta.model if meta.provider != "offline" else None)),
                "llm.base_url": req.base_url or meta.base_url,
            }
        )
        settings = with_target(settings, meta.agent, target)
        spec = datasets.DatasetSpec(
            Path(meta.dataset),
            datasets.parse_mapping(list(_pairs(meta.mapping))),
            default_agent=meta.agent or (TARGET_NAME if target else None),
            pack=meta.pack,
            user_agents=user_agent_names(settings),
        )
        selection = datasets.Selection(
            meta.agent,
            tuple(meta.tags),
            meta.limit,
            meta.sample,
            meta.seed,
            datasets.parse_shard(meta.shard) if meta.shard else None,
        )
        trials = meta.trials
    else:
        settings = with_target(root_settings, req.agent, target)
        path, label = datasets.resolve_dataset(req.dataset)
        pack = str(Path(req.pack).resolve()) if req.pack else None
        spec = datasets.DatasetSpec(
            path,
            datasets.parse_mapping(req.mapping),
            default_agent=req.agent or (TARGET_NAME if target else None),
            pack=pack,
            user_agents=user_agent_names(settings),
        )
        tags = tuple(t for raw in req.tags for t in raw.split(",") if t.strip())
        shard = datasets.parse_shard(req.shard) if req.shard else None
        selection = datasets.Selection(req.agent, tags, req.limit, req.sample, req.seed, shard)
        trials = req.trials
        meta = None
    planned = datasets.plan(spec, selection)  # every row validated before any work
    from agentops_cli.agents.runner import resolve

    for name in planned.agents:  # a bad target spec fails here, before any example runs
        resolve(name, settings)
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
    from agentops_cli.evaluation.plugin_scorers import ensure

    ensure(scorers)  # plugin scorers a resumed run names
    if any(name == "judge" or name.startswith("rubric:") for name in scorers):
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
            rows_fingerprint=planned.rows_fingerprint,
            target=target,
            shard=req.shard and "{}/{}".format(*selection.shard),
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
            batch_cache[agent] = (
                trials == 1 and not any(SCORERS[n].needs_llm for n in scorers) and can_batch(agent, settings)
            )
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
        same_error_stop=settings.eval.same_error_stop,
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
    _finish(req, root, req.baseline, store, settings, summary)
    if outcome.same_error is not None:
        raise RuntimeFailure(
            f"stopped early: the first {settings.eval.same_error_stop} examples all failed with "
            f"'{outcome.same_error}'; {summary.n} results saved; fix it, then "
            f"agentops eval --resume {meta.run_id} --retry-errors (eval.same_error_stop: 0 never stops)"
        )
    return summary, outcome.interrupted


def merge_eval(runs: list[str], req: EvalRequest, load: SettingsLoader) -> RunSummary:
    """``agentops eval merge RUN...``: one new run from the shards, gated and reported as eval does."""
    from agentops_cli.evaluation import merge

    if req.fail_on_regression and not req.baseline:
        raise BadInput("--fail-on-regression needs --baseline RUN_ID|last")
    flag_gates = gates.parse_fail_under(req.fail_under)
    settings = load(_overrides(req, None, None))
    root = settings.runs_dir
    shards = merge.load_shards(root, runs)
    meta = shards[0].meta
    unknown = sorted(set(flag_gates) - known_metrics(meta.scorers, merge.agents(shards), meta.trials))
    if unknown:
        raise BadInput(f"--fail-under: unknown metric {', '.join(unknown)} for this run")
    baseline = (
        resolve_baseline(root, req.baseline, dataset=meta.dataset, exclude=None) if req.baseline else None
    )
    store = merge.write_merged(root, shards, new_run_id())
    outcome = RunOutcome(duration_s=merge.longest_duration(shards))
    summary = summarise_store(store, settings=settings, flag_gates=flag_gates, outcome=outcome)
    summary.examples_per_s = round(summary.n / outcome.duration_s, 2) if outcome.duration_s > 0 else 0.0
    _finish(req, root, baseline, store, settings, summary)
    return summary


def _finish(
    req: EvalRequest,
    root: Path,
    baseline: str | None,
    store: RunStore,
    settings: Settings,
    summary: RunSummary,
) -> None:
    """Baseline and regression verdict, reports, then the summary: the same for eval and merge."""
    if baseline:
        summary.baseline, verdict = against_baseline(
            root, baseline, store, settings, gate=req.fail_on_regression
        )
        if verdict is not None:
            summary.regression = verdict.model_dump()
            summary.passed = summary.passed and verdict.passed
    _write_reports(req, store, summary)
    store.save_summary(summary)


TARGET_NAME = "target"


def with_target(settings: Settings, agent: str | None, target: str | None) -> Settings:
    """``--target SPEC`` registers SPEC for this run as ``--agent`` (or ``target``), above agentops.yaml."""
    if not target:
        return settings
    from agentops_cli.config import AgentEntry

    name = agent or TARGET_NAME
    entry = settings.agents[name].model_copy(update={"target": target}) if name in settings.agents else None
    agents = {**settings.agents, name: entry or AgentEntry(target=target)}
    return settings.model_copy(update={"agents": agents})


def user_agent_names(settings: Settings) -> tuple[str, ...]:
    """Names rows may use besides the built-ins (config, plugins, registered user agents)."""
    from agentops_cli.agents.registry import user_agent_names as names

    return tuple(names(settings))


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
    from agentops_cli.evaluation.plugin_scorers import ensure

    ensure(meta.scorers)
    acc = fold(store.results(), meta.scorers, meta.trials)
    metrics, cis = acc.metrics()
    intervals, interval_n = acc.intervals()
    # A shard is part of a run: no metric gates (the merge applies them), and it may be empty.
    config_gates = settings.eval.gates if settings and not meta.shard else {}
    max_errors = settings.eval.max_errors if settings else None
    checked = gates.check(metrics, flag_gates or {}, config_gates, errors=acc.errors, max_errors=max_errors)
    complete = expected_total is None or acc.n >= expected_total
    stopped = outcome.stopped_reason if outcome else None
    passed = all(g.passed for g in checked) and stopped != "max_errors" and (acc.n > 0 or bool(meta.shard))
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
        metrics_interval=intervals,
        metrics_interval_n=interval_n,
        confusion=acc.confusion_matrix(),
        counterfactual=acc.counterfactual(),
        degraded=acc.degraded,
        complete=complete,
        stopped_reason=stopped,
        started_at=meta.created_at,
        duration_s=round(duration, 3),
        examples_per_s=round(outcome.finished / duration, 2) if outcome and duration > 0 else 0.0,
        run_dir=str(store.dir),
        shard=meta.shard,
        merged_from=meta.merged_from,
    )


REPORTS = {"junit": "junit.xml", "html": "report.html", "metrics_file": "metrics.prom"}


def _report_writers() -> dict[str, Any]:
    from agentops_cli.evaluation.reports import html, junit, prometheus

    return {"junit": junit, "html": html, "metrics_file": prometheus}


def _write_reports(req: EvalRequest, store: RunStore, summary: RunSummary) -> None:
    """Reports go into the run folder (so the run keeps them) and, for one provider, to the
    path asked for; several providers share that path through :func:`_write_side_by_side`."""
    writers = _report_writers()
    for flag, name in REPORTS.items():
        target = getattr(req, flag)
        if target is None:
            continue
        own = store.dir / name
        writers[flag].write(store, summary, own)
        if len(req.providers) > 1:
            continue
        if Path(target).resolve() != own.resolve():
            Path(target).parent.mkdir(parents=True, exist_ok=True)
            Path(target).write_bytes(own.read_bytes())
        summary.reports[name.split(".")[0]] = str(target)


def _write_side_by_side(req: EvalRequest, summaries: list[RunSummary]) -> None:
    """``--provider A --provider B --html X``: ONE report at X holding every run, side by side."""
    writers = _report_writers()
    runs = [(RunStore(Path(s.run_dir).parent, s.run_id), s) for s in summaries]
    for flag, name in REPORTS.items():
        target = getattr(req, flag)
        if target is None:
            continue
        writers[flag].write_many(runs, Path(target))
        for summary in summaries:
            summary.reports[name.split(".")[0]] = str(target)
    for store, summary in runs:
        store.save_summary(summary)


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


def show_example(settings: Settings, run_id: str, example_id: str) -> dict[str, Any]:
    """One example of a run (every trial): its result line and its transcript."""
    store = RunStore.open(settings.runs_dir, run_id)
    found = [r for r in store.results() if r.id == example_id or r.key == example_id]
    if not found:
        raise BadInput(f"run {store.run_id}: no example '{example_id}'")
    return {
        "run_id": store.run_id,
        "id": found[0].id,
        "attempts": [{**r.model_dump(mode="json"), "transcript": store.transcript(r.key)} for r in found],
    }


def compare_runs(settings: Settings, run_a: str, run_b: str, *, fail_on_regression: bool = False):
    """B against A; ``last`` as A is the newest other completed run of B's dataset."""
    root = settings.runs_dir
    b = RunStore.open(root, run_b)
    a = resolve_baseline(root, run_a, dataset=b.meta().dataset, exclude=b.run_id)
    comparison = compare_stores(RunStore.open(root, a), b)
    if fail_on_regression:
        comparison.regression = regression_under(comparison, settings)
    return comparison
