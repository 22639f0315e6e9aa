"""The LLM flags every ``agentops run`` command shares, and the one mapping to settings.

``--provider/--model/--base-url/--no-cache/--no-failover`` mean the same for support,
document and research; the options and their settings overrides live here once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from agentops_cli.cli.common import state
from agentops_cli.errors import BadInput

if TYPE_CHECKING:
    from agentops_cli.config import Settings

PROVIDERS = ("offline", "openai")

PROVIDER_OPTION = typer.Option(None, "--provider", help="offline or openai.")
MODEL_OPTION = typer.Option(None, "--model", help="Model name for the openai provider.")
BASE_URL_OPTION = typer.Option(None, "--base-url", help="OpenAI-compatible endpoint.")
NO_CACHE_OPTION = typer.Option(False, "--no-cache", help="Bypass the LLM response cache.")
NO_FAILOVER_OPTION = typer.Option(False, "--no-failover", help="Fail (exit 3) instead of going offline.")


def run_settings(
    provider: str | None,
    model: str | None,
    base_url: str | None,
    no_cache: bool,
    no_failover: bool,
    extra: dict[str, Any] | None = None,
) -> Settings:
    """Settings for one run: the shared LLM flags (plus ``extra`` dotted keys) on top."""
    if provider is not None and provider not in PROVIDERS:
        raise BadInput(f"--provider: must be {' or '.join(PROVIDERS)}, got '{provider}'")
    overrides: dict[str, Any] = {
        "llm.provider": provider,
        "llm.model": model,
        "llm.base_url": base_url,
        "cache.enabled": False if no_cache else None,
        "resilience.failover": False if no_failover else None,
        **(extra or {}),
    }
    return state().settings(overrides)


def check_out(path: Path | None) -> None:
    """Fail before the run (not after it) when ``--out`` points into a missing folder."""
    if path is not None and not path.parent.is_dir():
        raise BadInput(f"{path}: folder {path.parent} does not exist")


def write_report(path: Path, text: str) -> None:
    """Write ``--out`` via a temporary file so an interrupted run never leaves half a report;
    secrets redacted, as in every file agentops writes."""
    from agentops_cli.observability.redact import redact

    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(redact(text), encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise BadInput(f"{path}: cannot write report ({exc.strerror})") from exc
