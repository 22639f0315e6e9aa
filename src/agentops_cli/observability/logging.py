"""Logging with loguru: readable on stderr, JSON lines with ``--log-json``, secrets redacted.

stdout is reserved for command output (one JSON document with ``--json``), so every
log line goes to stderr.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from loguru import logger

from agentops_cli.observability.redact import redact

LEVELS = {-1: "ERROR", 0: "WARNING", 1: "INFO", 2: "DEBUG"}


def _patch(record: dict[str, Any]) -> None:
    record["message"] = redact(record["message"])
    if record["extra"]:
        record["extra"] = {k: redact(v) if isinstance(v, str) else v for k, v in record["extra"].items()}


def _json_sink(message: Any) -> None:
    record = message.record
    payload = {
        "time": record["time"].isoformat(),
        "level": record["level"].name,
        "message": record["message"],
        "module": record["name"],
        **{k: v for k, v in record["extra"].items() if _is_jsonable(v)},
    }
    if record["exception"]:
        payload["exception"] = redact(str(record["exception"].value))
    sys.stderr.write(json.dumps(payload, ensure_ascii=False) + "\n")


def _is_jsonable(value: Any) -> bool:
    return isinstance(value, str | int | float | bool | type(None) | list | dict)


def setup_logging(verbosity: int = 0, log_json: bool = False) -> None:
    """Configure loguru once per process. ``verbosity``: -1 quiet, 0 default, 1 ``-v``, 2 ``-vv``."""
    level = LEVELS[max(-1, min(2, verbosity))]
    logger.remove()
    logger.configure(patcher=_patch)
    if log_json:
        logger.add(_json_sink, level=level)
    else:
        logger.add(
            sys.stderr,
            level=level,
            format="<dim>{time:HH:mm:ss}</dim> <level>{level: <7}</level> {message}",
            colorize=None,
        )
