"""``agentops eval``: evaluate agents against golden sets; ``eval list | show | compare``.

Parses flags, calls :mod:`agentops_cli.evaluation.service`, renders. The service (and
the agents behind it) are imported inside the commands, so ``agentops --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from agentops_cli.cli.common import (
    JSON_OPTION,
    console,
    err_console,
    narrow_terminal,
    print_json,
    show_progress,
    state,
)

if TYPE_CHECKING:
    from agentops_cli.evaluation.models import RunSummary
    from agentops_cli.evaluation.service import EvalReport, RunHandle

app = typer.Typer(help="Evaluate agents against golden sets; gate CI; compare runs.")

HEADLINE = (
    "pass_rate",
    "intent_accuracy",
    "intent_accuracy_no_reject",
    "intent_macro_f1",
    "escalation_f1",
    "out_of_scope_recall",
    "doc_type_accuracy",
    "field_f1",
    "citation_validity",
    "must_cite_recall",
    "must_include_recall",
)


# The gate and report options, shared by `eval` and `eval merge` (one definition each).
FAIL_UNDER_OPTION = typer.Option([], "--fail-under", help="Gate METRIC=VALUE (exit 1 below); repeatable.")
BASELINE_OPTION = typer.Option(
    None, "--baseline", help="Compare with RUN_ID or 'last' (newest other completed run of the dataset)."
)
FAIL_ON_REGRESSION_OPTION = typer.Option(
    False, "--fail-on-regression", help="With --baseline: exit 1 when examples or metrics regress."
)
REGRESSION_TOLERANCE_OPTION = typer.Option(
    None, "--regression-tolerance", min=0, max=1, help="Allowed drop of a rate/score (0.01)."
)
JUNIT_OPTION = typer.Option(None, "--junit", help="Write JUnit XML here.")
HTML_OPTION = typer.Option(None, "--html", help="Write a self-contained HTML report here.")
METRICS_FILE_OPTION = typer.Option(None, "--metrics-file", help="Write a Prometheus textfile here.")


@app.callback(invoke_without_command=True)
def eval_(
    ctx: typer.Context,
    dataset: str = typer.Option(
        "golden", "--dataset", "-d", help="'golden' or a JSONL/CSV/YAML file or folder."
    ),
    agent: str | None = typer.Option(
        None, "--agent", help="Only rows of this agent (or the agent of rows without one)."
    ),
    target: str | None = typer.Option(
        None, "--target", help="Evaluate a user agent: python:MODULE:ATTR, http(s)://URL or exec:COMMAND."
    ),
    pack: str | None = typer.Option(None, "--pack", help="Support pack folder for every support row."),
    provider: list[str] = typer.Option(
        [], "--provider", help="offline|openai|openai:MODEL; repeat to compare."
    ),
    model: str | None = typer.Option(None, "--model", help="Model for the LLM provider."),
    base_url: str | None = typer.Option(None, "--base-url", help="OpenAI-compatible server URL."),
    concurrency: int | None = typer.Option(
        None, "--concurrency", min=1, max=512, help="Examples in flight (8)."
    ),
    trials: int = typer.Option(1, "--trials", min=1, help="Runs per example: pass@k and 95 % CIs."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the first N selected rows."),
    tags: list[str] = typer.Option([], "--tags", help="Only rows with any of these tags (comma-separated)."),
    sample: int | None = typer.Option(
        None, "--sample", min=1, help="A random sample of N rows (see --seed)."
    ),
    seed: int = typer.Option(0, "--seed", help="Seed of --sample."),
    mapping: list[str] = typer.Option(
        [], "--map", help="Column mapping TARGET=SOURCE, e.g. expected.intent=label."
    ),
    scorer: list[str] = typer.Option(
        [], "--scorer", help="Pick scorers (NAME) or add to the defaults (+NAME)."
    ),
    resume: str | None = typer.Option(
        None, "--resume", help="Continue RUN_ID (or 'last'): only what is missing."
    ),
    retry_errors: bool = typer.Option(False, "--retry-errors", help="With --resume: rerun errored examples."),
    max_errors: int | None = typer.Option(None, "--max-errors", min=0, help="Stop (and fail) past N errors."),
    max_cost: float | None = typer.Option(
        None, "--max-cost", min=0, help="Stop before spend would pass USD."
    ),
    fail_under: list[str] = FAIL_UNDER_OPTION,
    baseline: str | None = BASELINE_OPTION,
    fail_on_regression: bool = FAIL_ON_REGRESSION_OPTION,
    regression_tolerance: float | None = REGRESSION_TOLERANCE_OPTION,
    junit: Path | None = JUNIT_OPTION,
    html_out: Path | None = HTML_OPTION,
    metrics_file: Path | None = METRICS_FILE_OPTION,
    no_cache: bool = typer.Option(False, "--no-cache", help="Do not use the LLM response cache."),
    shard: str | None = typer.Option(
        None, "--shard", help="Run only shard I/N of the selected rows (CI matrix); join with eval merge."
    ),
    json_output: bool = JSON_OPTION,
) -> None:
    """Run an evaluation (or use a sub-command: list, show, compare)."""
    if ctx.invoked_subcommand is not None:
        return
    from agentops_cli.errors import GateFailed, Interrupted
    from agentops_cli.evaluation.service import EvalRequest, run_eval

    request = EvalRequest(
        dataset=dataset,
        agent=agent,
        pack=pack,
        providers=provider,
        model=model,
        base_url=base_url,
        concurrency=concurrency,
        trials=trials,
        limit=limit,
        tags=tags,
        sample=sample,
        seed=seed,
        mapping=mapping,
        scorers=scorer,
        resume=resume,
        retry_errors=retry_errors,
        max_errors=max_errors,
        max_cost=max_cost,
        fail_under=fail_under,
        baseline=baseline,
        fail_on_regression=fail_on_regression,
        regression_tolerance=regression_tolerance,
        junit=junit,
        html=html_out,
        metrics_file=metrics_file,
        no_cache=no_cache,
        target=target,
        shard=shard,
    )
    progress = _ProgressView() if show_progress() else None
    try:
        report = run_eval(request, state().settings, on_start=progress.start if progress else _notice_start)
    finally:
        if progress:
            progress.stop()
    _render(report, json_output)
    if report.interrupted:
        run = report.summaries[-1]
        raise Interrupted(
            f"interrupted: {run.n} results saved in {run.run_dir}; "
            f"continue with: agentops eval --resume {run.run_id}"
        )
    if not report.passed:
        raise GateFailed(f"gates failed: {report.failed_gates() or 'run stopped or produced no results'}")


def _notice_start(handle: RunHandle) -> None:
    if not state().quiet:
        done = f", {handle.already_done} already done" if handle.already_done else ""
        err_console().print(
            f"[dim]eval {handle.run_id}: {handle.total} examples on {handle.provider}{done}[/dim]"
        )
    return None


class _ProgressView:
    """A rich progress bar on stderr, one task per run (several with side-by-side providers)."""

    def __init__(self) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[status]}"),
            TimeRemainingColumn(),
            console=err_console(),
            transient=False,
        )
        self.progress.start()

    def start(self, handle: RunHandle):
        task = self.progress.add_task(
            f"eval {handle.provider}", total=handle.total, completed=handle.already_done, status=""
        )
        counts = {"fail": 0, "error": 0}

        def on_result(result) -> None:
            if result.error:
                counts["error"] += 1
            elif not result.passed:
                counts["fail"] += 1
            self.progress.update(task, advance=1, status=f"fail {counts['fail']} · err {counts['error']}")

        return on_result

    def stop(self) -> None:
        self.progress.stop()


def _fmt(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) < 10 else f"{value:,.1f}"
    return str(value)


def _render(report: EvalReport, json_output: bool) -> None:
    if json_output:
        if len(report.summaries) == 1:
            print_json(report.summaries[0])
        else:
            print_json(report.side_by_side())
        return
    if len(report.summaries) > 1:
        _render_side_by_side(report)
    for summary in report.summaries:
        _render_summary(summary, verbose_metrics=len(report.summaries) == 1)


def _render_side_by_side(report: EvalReport) -> None:
    from rich.table import Table

    names = [m for m in HEADLINE if any(s.metrics.get(m) is not None for s in report.summaries)]
    table = Table(title="side by side: quality × cost × latency", title_justify="left")
    for col in (
        "provider",
        "model",
        "n",
        "errors",
        *names,
        "cost $",
        "$/example",
        "p50 ms",
        "p95 ms",
        "gates",
    ):
        table.add_column(col, justify="left" if col in ("provider", "model") else "right")
    for s in report.summaries:
        table.add_row(
            s.provider,
            s.model,
            str(s.n),
            str(s.errors),
            *[_fmt(s.metrics.get(m)) for m in names],
            f"{s.cost_usd:.4f}",
            f"{s.metrics.get('cost_per_example_usd') or 0:.6f}",
            f"{s.latency_ms['p50']:.1f}",
            f"{s.latency_ms['p95']:.1f}",
            "[green]pass[/green]" if s.passed else "[red]FAIL[/red]",
        )
    console().print(table)


def _render_summary(s: RunSummary, *, verbose_metrics: bool) -> None:
    from rich.table import Table

    out = console()
    verdict = "[green]PASS[/green]" if s.passed else "[red]FAIL[/red]"
    status = "" if s.complete else f" [yellow](incomplete: {s.stopped_reason or 'stopped'})[/yellow]"
    out.print(f"[bold]eval {s.run_id}[/bold] {verdict}{status}")
    out.print(
        f"dataset {s.dataset} · agents {', '.join(s.agents)} · provider {s.provider} · model {s.model} · "
        f"n {s.n} · errors {s.errors} · degraded {s.degraded}"
    )
    if s.shard:
        out.print(f"shard {s.shard} · not gated: join the shards with agentops eval merge RUN...")
    if s.merged_from:
        out.print(f"merged from {', '.join(s.merged_from)}")
    if verbose_metrics:
        from agentops_cli.evaluation.metrics import lookup

        table = Table(show_header=True, header_style="bold")
        table.add_column("metric")
        table.add_column("value", justify="right")
        table.add_column("95 % CI", justify="right")
        table.add_column("n", justify="right")
        for name, value in s.metrics.items():
            arrow = "↓" if lookup(name).lower_is_better else "↑"
            ci = s.metrics_interval.get(name) or s.metrics_ci.get(name)
            n = s.metrics_interval_n.get(name)
            table.add_row(
                f"{name} {arrow}",
                _fmt(value),
                f"{ci[0]:.4f} – {ci[1]:.4f}" if ci else "",
                str(n) if n is not None else "",
            )
        out.print(table)
        out.print("[dim]↑/↓ higher/lower is better · CI 95 %: Wilson over n, + trial spread[/dim]")
    out.print(
        f"latency p50 {s.latency_ms['p50']:.1f} ms · p95 {s.latency_ms['p95']:.1f} ms · "
        f"tokens in {s.usage.input_tokens} out {s.usage.output_tokens} cached {s.usage.cached_tokens} · "
        f"cost ${s.cost_usd:.4f} · {s.examples_per_s:g} examples/s"
    )
    for g in s.gates:
        mark = "[green]✓[/green]" if g.passed else "[red]✗[/red]"
        out.print(f"  {mark} gate {g.metric} = {_fmt(g.value)} ({g.bound} {g.threshold:g}, {g.source})")
    _render_counterfactual(s.counterfactual)
    if s.baseline:
        b = s.baseline
        out.print(f"vs baseline {b['run_id']}: {b['regressed']} regressed, {b['improved']} improved")
        for name, delta in b["metric_deltas"].items():
            out.print(f"  {name} {delta:+.4f}")
    if s.regression:
        mark = "[green]✓[/green]" if s.regression["passed"] else "[red]✗[/red]"
        reasons = "; ".join(s.regression["reasons"]) or "none"
        out.print(f"  {mark} fail-on-regression (tolerance {s.regression['tolerance']:g}): {reasons}")
    for name, path in s.reports.items():
        out.print(f"[dim]{name}: {path}[/dim]")
    out.print(f"[dim]results: {s.run_dir}[/dim]")


def _render_counterfactual(cf: dict[str, Any] | None) -> None:
    """One line for the groups, one per group whose variants differ (the dataset's words: escaped)."""
    if not cf:
        return
    from rich.markup import escape

    from agentops_cli.evaluation.summary import what_differs

    out = console()
    errored = cf.get("errored") or []  # absent from runs stored before it existed
    note = f" ({len(errored)} errored in every variant: {escape(', '.join(errored))})" if errored else ""
    out.print(f"counterfactual groups consistent: {cf['consistent']}/{cf['groups']}{note}")
    for group in cf["inconsistent"]:
        differs = what_differs(group, separator=" ")
        trial = f" trial {group['trial']}" if "trial" in group else ""
        name = escape(f"{group['group']} ({group['attribute']}){trial}: {differs}")
        out.print(f"  [red]✗[/red] {name}")


# -- sub-commands ---------------------------------------------------------------------------------------
@app.command("list")
def list_(json_output: bool = JSON_OPTION) -> None:
    """List stored runs, newest first."""
    from rich.table import Table

    from agentops_cli.evaluation.service import list_runs

    rows = list_runs(state().settings())
    if json_output:
        print_json({"runs": rows})
        return
    if not rows:
        console().print("no runs yet — try: agentops eval --dataset golden")
        return
    narrow = narrow_terminal()  # the run id carries the date; model and date go first
    columns = ["dataset", "provider", "model", "n", "errors", "pass_rate", "passed"]
    if narrow:
        columns.remove("model")
    else:
        columns.insert(0, "created_at")
    table = Table(pad_edge=not narrow, collapse_padding=narrow)
    table.add_column("run_id", no_wrap=True)  # the handle for show/compare/--resume: never cut
    for col in columns:
        table.add_column(
            {"errors": "err", "pass_rate": "pass", "passed": "gates"}.get(col, col) if narrow else col,
            overflow="fold",
            no_wrap=col not in ("dataset", "model"),
            min_width=10 if col == "dataset" else None,
            justify="right" if col in ("n", "errors", "pass_rate") else "left",
        )
    for r in rows:
        passed = "–" if r["passed"] is None else ("pass" if r["passed"] else "FAIL")
        cells = {
            **{k: str(r[k]) for k in ("created_at", "dataset", "provider", "model")},
            "dataset": Path(r["dataset"]).name if narrow else r["dataset"],  # the path is in `show`
            "n": _fmt(r["n"]),
            "errors": _fmt(r["errors"]),
            "pass_rate": _fmt(r["pass_rate"]),
            "passed": passed + ("" if r["complete"] else (" part" if narrow else " (partial)")),
        }
        table.add_row(r["run_id"], *[cells[c] for c in columns])
    console().print(table)


@app.command("show")
def show(
    run_id: str = typer.Argument(..., help="Run id or 'last'."),
    example: str | None = typer.Option(None, "--example", help="Show one example with its transcript."),
    json_output: bool = JSON_OPTION,
) -> None:
    """Show a run's summary (or one example with its transcript)."""
    from agentops_cli.evaluation.service import show_example, show_run

    if example is not None:
        _render_example(show_example(state().settings(), run_id, example), json_output)
        return
    summary = show_run(state().settings(), run_id)
    if json_output:
        print_json(summary)
    else:
        _render_summary(summary, verbose_metrics=True)


def _render_example(found: dict[str, Any], json_output: bool) -> None:
    if json_output:
        print_json(found)
        return
    import json

    out = console()
    for attempt in found["attempts"]:
        verdict = "error" if attempt["error"] else ("pass" if attempt["passed"] else "FAIL")
        out.print(
            f"[bold]{attempt['key']}[/bold] ({attempt['agent']}) {verdict} · {attempt['latency_ms']:.0f} ms"
        )
        out.print(f"input: {attempt['input']}", markup=False, highlight=False)
        shown = (
            json.dumps(attempt["output"], ensure_ascii=False)[:2000]
            if attempt["output"]
            else attempt["error"]
        )
        out.print(f"output: {shown}", markup=False, highlight=False)
        for reason in attempt["reasons"]:
            out.print(f"  ✗ {reason}", markup=False, highlight=False)
        transcript = attempt.get("transcript") or {"steps": []}
        for n, step in enumerate(transcript["steps"], start=1):
            tokens = step.get("usage") or {}
            out.print(
                f"  {n}. {step['kind']} {step.get('name', '')} {step.get('model') or ''} "
                f"{tokens.get('input_tokens', 0)}+{tokens.get('output_tokens', 0)} tok "
                f"{step.get('latency_ms') or 0:.0f} ms {step.get('error') or ''}",
                markup=False,
                highlight=False,
            )
        if transcript.get("truncated"):
            out.print("  [dim](transcript truncated)[/dim]")


@app.command("merge")
def merge(
    runs: list[str] = typer.Argument(..., help="The shard runs: run ids or run folders."),
    fail_under: list[str] = FAIL_UNDER_OPTION,
    baseline: str | None = BASELINE_OPTION,
    fail_on_regression: bool = FAIL_ON_REGRESSION_OPTION,
    regression_tolerance: float | None = REGRESSION_TOLERANCE_OPTION,
    junit: Path | None = JUNIT_OPTION,
    html_out: Path | None = HTML_OPTION,
    metrics_file: Path | None = METRICS_FILE_OPTION,
    json_output: bool = JSON_OPTION,
) -> None:
    """Join the shard runs of one eval (--shard I/N) into a new run, then gate and report it."""
    from agentops_cli.errors import GateFailed
    from agentops_cli.evaluation.service import EvalReport, EvalRequest, merge_eval

    request = EvalRequest(
        fail_under=fail_under,
        baseline=baseline,
        fail_on_regression=fail_on_regression,
        regression_tolerance=regression_tolerance,
        junit=junit,
        html=html_out,
        metrics_file=metrics_file,
    )
    report = EvalReport([merge_eval(runs, request, state().settings)])
    _render(report, json_output)
    if not report.passed:
        raise GateFailed(f"gates failed: {report.failed_gates() or 'run stopped or produced no results'}")


@app.command("compare")
def compare(
    run_a: str = typer.Argument(..., help="Base run id ('last' works)."),
    run_b: str = typer.Argument(..., help="New run id."),
    fail_on_regression: bool = typer.Option(
        False, "--fail-on-regression", help="Exit 1 when B regressed on A (examples or metrics)."
    ),
    regression_tolerance: float | None = REGRESSION_TOLERANCE_OPTION,
    json_output: bool = JSON_OPTION,
) -> None:
    """Metric deltas (B − A) and the examples that regressed or improved."""
    from agentops_cli.errors import GateFailed
    from agentops_cli.evaluation.service import compare_runs

    settings = state().settings({"eval.regression_tolerance": regression_tolerance})
    result = compare_runs(settings, run_a, run_b, fail_on_regression=fail_on_regression)
    if json_output:
        print_json(result)
    else:
        _render_comparison(result)
    if result.regression and not result.regression.passed:
        raise GateFailed(f"regression vs {result.run_a}: {'; '.join(result.regression.reasons)}")


def _render_comparison(result) -> None:
    from rich.table import Table

    out = console()
    table = Table(title=f"{result.run_a} → {result.run_b}", title_justify="left")
    for col in ("metric", "A", "B", "Δ"):
        table.add_column(col, justify="left" if col == "metric" else "right")
    for d in result.metrics:
        colour = "" if d.better is None else ("green" if d.better else "red")
        delta = "–" if d.delta is None else f"{d.delta:+.4f}"
        table.add_row(d.metric, _fmt(d.a), _fmt(d.b), f"[{colour}]{delta}[/{colour}]" if colour else delta)
    out.print(table)
    out.print(
        f"regressed {result.regressed_count} · improved {result.improved_count} · "
        f"only in A {result.only_in_a} · only in B {result.only_in_b}"
    )
    for change in result.regressed[:20]:
        out.print(f"  [red]↓[/red] {change.key} ({change.agent}) {'; '.join(change.reasons)}")
    for change in result.improved[:20]:
        out.print(f"  [green]↑[/green] {change.key} ({change.agent})")
    if result.regression:
        verdict = "[green]no regression[/green]" if result.regression.passed else "[red]REGRESSION[/red]"
        out.print(f"{verdict} (tolerance {result.regression.tolerance:g})")
        for reason in result.regression.reasons:
            out.print(f"  [red]✗[/red] {reason}")
