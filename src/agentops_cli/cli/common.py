"""What every command shares: global options, settings, and output helpers.

Commands stay thin: parse flags, call a service, render with these helpers.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from agentops_cli.config import LoadedSettings, Settings

JSON_OPTION = typer.Option(False, "--json", help="Print exactly one JSON document on stdout.")


@dataclass
class AppState:
    """Global options of the current invocation (set by the root callback)."""

    config: Path | None = None
    verbosity: int = 0
    log_json: bool = False
    _loaded: dict[tuple, LoadedSettings] = field(default_factory=dict)

    @property
    def quiet(self) -> bool:
        return self.verbosity < 0

    def load(self, overrides: dict[str, Any] | None = None) -> LoadedSettings:
        """Settings with this command's flags on top; cached per distinct set of flags."""
        from agentops_cli.config import load_settings, settings_secrets
        from agentops_cli.observability.redact import register_secrets

        key = tuple(sorted((k, repr(v)) for k, v in (overrides or {}).items()))
        if key not in self._loaded:
            loaded = load_settings(self.config, overrides)
            register_secrets(settings_secrets(loaded.settings))
            if loaded.settings.enable_verbose_logging and self.verbosity < 2:
                from agentops_cli.observability.logging import setup_logging

                setup_logging(2, self.log_json)
            self._loaded[key] = loaded
        return self._loaded[key]

    def settings(self, overrides: dict[str, Any] | None = None) -> Settings:
        return self.load(overrides).settings


STATE = AppState()


def state() -> AppState:
    return STATE


_stdout_console: Console | None = None
_stderr_console: Console | None = None


def console() -> Console:
    """Rich console on stdout, for the human-readable rendering of results."""
    global _stdout_console
    if _stdout_console is None:
        _stdout_console = _plain_when_colourless(stderr=False)
    return _stdout_console


def err_console() -> Console:
    """Rich console on stderr, for progress and notices (stdout stays clean for ``--json``)."""
    global _stderr_console
    if _stderr_console is None:
        _stderr_console = _plain_when_colourless(stderr=True)
    return _stderr_console


def _plain_when_colourless(*, stderr: bool) -> Console:
    """A console that highlights numbers and strings only where it can show colour.

    Highlighting adds colour spans and nothing else: without a colour system (a pipe, a file,
    a dumb terminal) rich writes no style at all, so it is invisible there, yet it compiles
    rich's repr regex and runs it over every printed line (about a tenth of what ``agentops
    cost`` spends rendering). The text written is the same.
    """
    from rich.console import Console

    out = Console(stderr=stderr)
    return out if out.color_system is not None else Console(stderr=stderr, highlight=False)


NARROW = 100  # terminal columns below which tables drop their least useful columns


def narrow_terminal() -> bool:
    """Tables keep their handles (ids) whole and drop secondary columns on narrow terminals,
    instead of cutting every column to ``a…`` (a table at 80 columns must stay readable)."""
    return console().width < NARROW


def show_progress() -> bool:
    """Progress bars only for a person: not with ``-q`` and not when stderr is not a terminal."""
    return not STATE.quiet and sys.stderr.isatty()


def to_jsonable(data: Any) -> Any:
    if hasattr(data, "model_dump"):
        return data.model_dump(mode="json")
    return data


def print_json(data: Any) -> None:
    """Write one JSON document on stdout (pydantic models are dumped in JSON mode)."""
    sys.stdout.write(json.dumps(to_jsonable(data), ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()
