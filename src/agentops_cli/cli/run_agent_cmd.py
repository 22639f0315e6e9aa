"""``agentops run NAME INPUT`` and ``agentops run --target SPEC INPUT``: any registered or user agent.

INPUT is text, or a JSON object when it parses as one. The answer prints as the run JSON
(``--json``) or as the mapped ``output`` with one line of run facts.
"""

from __future__ import annotations

import json
from typing import Any

import typer

from agentops_cli.cli.common import JSON_OPTION, console, print_json
from agentops_cli.cli.run_flags import (
    BASE_URL_OPTION,
    MODEL_OPTION,
    NO_CACHE_OPTION,
    NO_FAILOVER_OPTION,
    PROVIDER_OPTION,
    run_settings,
)
from agentops_cli.errors import BadInput


def parse_input(text: str) -> Any:
    """A JSON object or list on the command line is passed as one; anything else as text."""
    if text.lstrip()[:1] in ("{", "["):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    return text


def agent(
    ctx: typer.Context,
    name: str | None = typer.Argument(None, help="Agent name (or, with --target, the INPUT)."),
    input: str | None = typer.Argument(None, help="The input: text or a JSON object."),
    provider: str | None = PROVIDER_OPTION,
    model: str | None = MODEL_OPTION,
    base_url: str | None = BASE_URL_OPTION,
    no_cache: bool = NO_CACHE_OPTION,
    no_failover: bool = NO_FAILOVER_OPTION,
    json_output: bool = JSON_OPTION,
) -> None:
    """Run a registered or user agent on one input."""
    from agentops_cli.cli.run import TARGET_KEY

    target = ctx.meta.get(TARGET_KEY)
    if target:
        if input is not None:
            raise BadInput("--target: give only INPUT (the agent is the target)")
        name, input = "target", name
    if not name:
        raise BadInput("NAME: missing (agentops run NAME INPUT, or --target SPEC INPUT)")
    if input is None:
        raise BadInput("INPUT: missing")
    settings = run_settings(provider, model, base_url, no_cache, no_failover)
    from agentops_cli.agents.protocol import COMMON_KEYS
    from agentops_cli.agents.runner import run_agent

    result = run_agent(name, parse_input(input), settings, {}, target=target).model_dump(mode="json")
    if json_output:
        print_json(result)
        return
    output = result.get("output", {k: v for k, v in result.items() if k not in COMMON_KEYS})
    text = output if isinstance(output, str) else json.dumps(output, ensure_ascii=False, indent=2)
    console().print(text, markup=False, highlight=False)
    usage = result["usage"]
    console().print(
        f"[dim]{result['agent']} · {result['provider']}/{result['model']} · {result['latency_ms']:.0f} ms · "
        f"${result['cost_usd']:.6f} · {usage['input_tokens']}+{usage['output_tokens']} tokens · "
        f"run {result['run_id']}[/dim]"
    )
