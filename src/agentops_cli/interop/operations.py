"""The operations agentops exposes to MCP and A2A clients, on top of the CLI's own services.

Each one takes plain JSON arguments (what a protocol client sends), validates them with the
same pydantic models / requests the CLI builds from flags, calls the service and returns
plain JSON. Errors stay :class:`~agentops_cli.errors.AgentOpsError`; :func:`error_text`
turns any failure into the one redacted line a protocol error carries.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agentops_cli.config import Settings
from agentops_cli.errors import AgentOpsError, BadInput

SettingsLoader = Callable[[dict[str, Any]], Settings]
Progress = Callable[[int, int], None]


class EvalArgs(BaseModel):
    """The ``eval`` tool: the flags an MCP client most needs (the CLI has them all)."""

    model_config = ConfigDict(extra="forbid")

    dataset: str = Field("golden", description="'golden' or a JSONL/CSV/YAML file or folder.")
    agent: str | None = Field(None, description="Only rows of this agent.")
    limit: int | None = Field(None, ge=1, description="Only the first N selected rows.")
    provider: str | None = Field(None, description="offline | openai | openai:MODEL.")
    max_cost: float | None = Field(None, ge=0, description="Stop before spend would pass USD.")


class ChecklistArgs(BaseModel):
    """The ``checklist`` tool."""

    model_config = ConfigDict(extra="forbid")

    path: str = Field(".", description="Code base to check.")
    section: list[str] = Field(default_factory=list, description="Only these sections (id or prefix).")
    lang: str = Field("en", pattern="^(en|es)$", description="Language of titles and remediations.")


class CostArgs(BaseModel):
    """The ``cost`` tool: the forecast of ``agentops cost --rpd N --model M``."""

    model_config = ConfigDict(extra="forbid")

    rpd: int = Field(..., ge=1, description="Requests per day.")
    models: list[str] = Field(default_factory=list, description="Models to price (default: llm.model).")
    input_tokens: int | None = Field(None, ge=0, description="Input tokens per request (400).")
    output_tokens: int | None = Field(None, ge=0, description="Output tokens per request (100).")
    cache_hit_rate: float | None = Field(None, ge=0, le=1, description="Share answered by the cache.")


def parse(model: type[BaseModel], arguments: dict[str, Any] | None, what: str) -> Any:
    """Arguments → model; a bad argument is one :class:`BadInput` line naming the field."""
    try:
        return model.model_validate(arguments or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "arguments"
        raise BadInput(f"{what}: {field}: {first['msg']}") from None


def error_text(exc: BaseException) -> str:
    """One redacted line: a protocol error must not leak a key any more than the CLI may."""
    from agentops_cli.observability.redact import redact

    if isinstance(exc, AgentOpsError):
        return redact(str(exc))
    return redact(f"unexpected error: {type(exc).__name__}: {exc}")


def agents(settings: Settings) -> list[dict[str, Any]]:
    """Every registered agent with its input JSON schema (one MCP tool / A2A skill each)."""
    from agentops_cli.agents.registry import get_agent, list_agents

    rows = []
    for row in list_agents(settings):
        try:
            agent = get_agent(row["name"], settings)
        except AgentOpsError:
            continue  # a broken user agent is not published; `agents show` explains it
        schema = agent.input_model.model_json_schema()
        rows.append({**row, "input_schema": schema, "primary": getattr(agent.input_model, "primary", None)})
    return rows


def run(name: str, arguments: Any, settings: Settings) -> dict[str, Any]:
    """One agent run: exactly the run JSON of ``agentops run NAME --json``."""
    from agentops_cli.agents.runner import run_agent

    return run_agent(name, arguments, settings, {}).model_dump(mode="json")


def evaluate(args: EvalArgs, load: SettingsLoader, progress: Progress | None = None) -> dict[str, Any]:
    """Run an evaluation; ``progress(done, total)`` after every finished example."""
    from agentops_cli.evaluation.service import EvalRequest, RunHandle, run_eval

    request = EvalRequest(
        dataset=args.dataset,
        agent=args.agent,
        limit=args.limit,
        providers=[args.provider] if args.provider else [],
        max_cost=args.max_cost,
    )

    def on_start(handle: RunHandle) -> Callable[[Any], None] | None:
        if progress is None:
            return None
        done = [handle.already_done]
        progress(done[0], handle.total)

        def on_result(_result: Any) -> None:
            done[0] += 1
            progress(done[0], handle.total)

        return on_result

    report = run_eval(request, load, on_start=on_start)
    summary = report.summaries[-1].model_dump(mode="json")
    return {"run_id": summary["run_id"], "interrupted": report.interrupted, "summary": summary}


def checklist(args: ChecklistArgs) -> dict[str, Any]:
    """Score and the items that did not pass (what a client acts on), with their remediation."""
    from agentops_cli.readiness.service import run_checklist

    root = Path(args.path)
    if not root.is_dir():
        raise BadInput(f"path: not a folder: {args.path}")
    report = run_checklist(root, sections=args.section or None, lang=args.lang)  # type: ignore[arg-type]
    failing = [
        {
            "id": i.id,
            "title": i.title,
            "status": i.status,
            "severity": i.severity,
            "remediation": i.remediation,
        }
        for i in report.items
        if i.status in ("fail", "partial")
    ]
    return {"path": report.path, "score_pct": report.score_pct, "counts": report.counts, "failing": failing}


def cost(args: CostArgs, settings: Settings) -> dict[str, Any]:
    """The forecast of ``agentops cost --json``."""
    from agentops_cli.costs.estimator import CostQuery, forecast

    query = CostQuery(
        rpd=args.rpd,
        models=args.models,
        input_tokens=args.input_tokens,
        output_tokens=args.output_tokens,
        cache_hit_rate=args.cache_hit_rate,
    )
    return forecast(query, settings).model_dump(mode="json")


def prices(settings: Settings) -> dict[str, Any]:
    """The price table of ``agentops cost models --json``."""
    from agentops_cli.costs.estimator import price_list

    return price_list(settings)


def run_summary(run_id: str, settings: Settings) -> dict[str, Any]:
    """An eval run's summary from the one results store (``agentops eval show RUN --json``)."""
    from agentops_cli.evaluation.service import show_run

    return show_run(settings, run_id).model_dump(mode="json")


def eval_runs(settings: Settings) -> list[dict[str, Any]]:
    """The stored eval runs, newest first (``agentops eval list --json``)."""
    from agentops_cli.evaluation.service import list_runs

    return list_runs(settings)
