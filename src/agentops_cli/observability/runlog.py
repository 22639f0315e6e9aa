"""The local run log: one JSON line per agent run under ``AGENTOPS_HOME`` (user data dir).

Always on, LangSmith or not, so "what did the agent answer yesterday and what did it
cost" has an answer on the machine that ran it. Inputs are stored as a hash; secrets
are redacted before anything is written.
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


def runlog_path(settings: Settings) -> Path:
    return settings.resolved_home() / RUNLOG_NAME


def record_run(settings: Settings, result: dict[str, Any], input_text: str) -> None:
    """Append one run; an O_APPEND write of one line keeps concurrent processes from interleaving."""
    entry = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "input_sha256": hashlib.sha256(input_text.encode("utf-8")).hexdigest(),
        **result,
    }
    line = redact(json.dumps(entry, ensure_ascii=False, default=str)) + "\n"
    path = runlog_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)
