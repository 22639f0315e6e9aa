"""The local run log: one JSON line per agent run under ``AGENTOPS_HOME`` (user data dir).

Always on, LangSmith or not, so "what did the agent answer yesterday and what did it
cost" has an answer on the machine that ran it. The input (a customer's query, a
question, a path) is stored only as a hash — also where the agent's output echoes it
(``query``, ``question``) — and secrets are redacted before anything is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from agentops_cli.config import Settings
from agentops_cli.observability.redact import redact

RUNLOG_NAME = "runs.jsonl"
FORMAT_VERSION = 1  # of each run-log line


def runlog_path(settings: Settings) -> Path:
    return settings.resolved_home() / RUNLOG_NAME


def record_run(
    settings: Settings, result: dict[str, Any], input_text: str, *, error: str | None = None
) -> None:
    """Append one run; an O_APPEND write of one line keeps concurrent processes from interleaving.

    ``error`` records a run that failed (e.g. LLM down with failover off); ``result`` then
    holds what is known (agent, provider, model, run_id).
    """
    # Agents echo the query trimmed: compare trimmed, or " secret " would be stored verbatim.
    given = input_text.strip()
    echoed = {key for key, value in result.items() if isinstance(value, str) and value.strip() == given}
    entry = {
        "format_version": FORMAT_VERSION,
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "input_sha256": hashlib.sha256(input_text.encode("utf-8")).hexdigest(),
        **{key: value for key, value in result.items() if key not in echoed},
        "error": error if error is not None else result.get("error"),
    }
    line = redact(json.dumps(entry, ensure_ascii=False, default=str)) + "\n"
    path = runlog_path(settings)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    except FileNotFoundError:  # first run in a fresh home (a mkdir on every run costs a syscall)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def read_runs(settings: Settings, limit: int | None = None) -> list[dict[str, Any]]:
    """The logged runs, newest last; a torn or foreign line is reported (a warning) and left out."""
    path = runlog_path(settings)
    if not path.is_file():
        return []
    runs: list[dict[str, Any]] = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                entry = None
            if isinstance(entry, dict):
                runs.append(entry)
            elif line.strip():
                from agentops_cli.observability.logging import get_logger

                get_logger().warning("{}:{}: invalid run-log line left out", path, number)
    return runs[-limit:] if limit else runs


def find_run(settings: Settings, run_id: str) -> dict[str, Any] | None:
    """The last logged run with this id (``last`` = the newest run), or None."""
    runs = read_runs(settings)
    if run_id == "last":
        return runs[-1] if runs else None
    return next((r for r in reversed(runs) if r.get("run_id") == run_id), None)
