"""Logging with loguru: readable on stderr, JSON lines with ``--log-json``, secrets redacted.

stdout is reserved for command output (one JSON document with ``--json``), so every
log line goes to stderr.

loguru is configured lazily: importing it costs ~15 ms plus asyncio, and adding a handler
~7 ms, which commands that never log (``cost``, ``checklist``, ``config``) should not pay.
:func:`setup_logging` applies the configuration at once when loguru is already imported;
otherwise it keeps it and applies it the moment anything imports loguru (an import hook
that runs right after ``loguru`` is executed), so no record can be emitted before the
handlers, levels and redaction are in place.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from agentops_cli.observability.redact import redact

LEVELS = {-1: "ERROR", 0: "WARNING", 1: "INFO", 2: "DEBUG"}

# The configuration to apply when loguru is imported: (verbosity, log_json).
_pending: tuple[int, bool] | None = None


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
    """Configure loguru for this process. ``verbosity``: -1 quiet, 0 default, 1 ``-v``, 2 ``-vv``.

    Calling it again replaces the configuration. When loguru is not imported yet, the
    configuration is applied as soon as it is.
    """
    global _pending
    loguru = sys.modules.get("loguru")
    if loguru is not None and hasattr(loguru, "logger"):
        _pending = None
        _configure(loguru.logger, verbosity, log_json)
        return
    if _pending is None:
        sys.meta_path.insert(0, _ConfigureOnImport())
    _pending = (verbosity, log_json)


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


class _ConfigureOnImport:
    """Meta-path finder that lets the normal finders load ``loguru``, then configures it."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "loguru":
            return None
        if self in sys.meta_path:
            sys.meta_path.remove(self)
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(name, path, target) if find else None
            if spec is not None:
                break
        else:
            return None
        loader = spec.loader
        exec_module = getattr(loader, "exec_module", None)
        if exec_module is None:
            return spec

        def exec_then_configure(module: Any) -> None:
            # Our handlers replace loguru's default one; skip adding it (~7 ms).
            previous = os.environ.get("LOGURU_AUTOINIT")
            os.environ["LOGURU_AUTOINIT"] = "False"
            try:
                exec_module(module)
            finally:
                if previous is None:
                    os.environ.pop("LOGURU_AUTOINIT", None)
                else:
                    os.environ["LOGURU_AUTOINIT"] = previous
            _apply_pending(module.logger)

        loader.exec_module = exec_then_configure
        return spec


def _apply_pending(logger: Any) -> None:
    global _pending
    if _pending is not None:
        verbosity, log_json = _pending
        _pending = None
        _configure(logger, verbosity, log_json)
