"""Logging with loguru: readable on stderr, JSON lines with ``--log-json``, secrets redacted.

stdout is reserved for command output (one JSON document with ``--json``), so every
log line goes to stderr.

Every module logs through :func:`get_logger`, never ``from loguru import logger``: importing
loguru costs ~15 ms plus asyncio, which commands that never log (``cost``, ``checklist``,
``config``) should not pay, and the first ``get_logger()`` call is where the configuration
recorded by :func:`setup_logging` is applied, so no record is emitted before our handlers,
levels and redaction are in place. (A test checks that no other module imports loguru.)
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from agentops_cli.observability.redact import redact

LEVELS = {-1: "ERROR", 0: "WARNING", 1: "INFO", 2: "DEBUG"}

# The configuration recorded by setup_logging: (verbosity, log_json), and whether it is applied.
_config: tuple[int, bool] = (0, False)
_applied = False


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
    """Record the logging configuration. ``verbosity``: -1 quiet, 0 default, 1 ``-v``, 2 ``-vv``.

    Applied at the next :func:`get_logger` call (at once when loguru is already in use);
    calling it again replaces the configuration.
    """
    global _config, _applied
    _config = (verbosity, log_json)
    _applied = False
    if "loguru" in sys.modules:
        get_logger()


def get_logger() -> Any:
    """loguru's logger, configured for this process (see the module docstring for why here)."""
    global _applied
    # Our handlers replace loguru's default one: don't let it add that one at import (~7 ms).
    os.environ.setdefault("LOGURU_AUTOINIT", "False")
    from loguru import logger

    if not _applied:
        _configure(logger, *_config)
        _applied = True
    return logger


def _configure(logger: Any, verbosity: int, log_json: bool) -> None:
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
