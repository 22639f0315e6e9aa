"""The ``agentops`` command tree and the one place exit codes are decided.

Sub-command modules are imported by :func:`build`, so they must stay light: heavy libraries
(langgraph, langchain, sklearn) are imported inside the functions that need them.

Typer builds the parameters of every registered command on each invocation (signatures,
type hints, click objects), so :func:`main` registers only the sub-command being run when
the command line names one; ``--help``, completion and anything unrecognised get the
whole tree, so help and "No such command" errors are unchanged.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import typer

from agentops_cli import __version__
from agentops_cli.cli.common import STATE


def _flags_take_no_value() -> None:
    """Help shows no ``<bool>`` after a flag: ``--json <bool>`` reads as if it took a value.

    Typer 0.29's rich help prints every option's type, flags included (its plain-text help
    already skips flags); one override here covers every command, present and future.
    """
    from typer.core import TyperOption

    original = TyperOption.display_type_rich
    if getattr(original, "_agentops", False):
        return

    def display_type_rich(self: TyperOption, ctx: typer.Context) -> str | None:
        if self.is_flag or self.count:
            return None
        return original(self, ctx)

    display_type_rich._agentops = True  # type: ignore[attr-defined]
    TyperOption.display_type_rich = display_type_rich  # type: ignore[method-assign]


_flags_take_no_value()
try:
    from agentops_cli.cli import lazy_coercion
except Exception:  # pragma: no cover - a typer whose private names moved or changed shape
    pass  # typer parses as it always did, only slower
else:
    lazy_coercion.install()

app = typer.Typer(
    name="agentops",
    help="Run, evaluate, cost and production-check business LLM agents.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

# Sub-commands in help order: name -> (module, attribute, whether it is a group of commands).
COMMANDS: dict[str, tuple[str, str, bool]] = {
    "run": ("agentops_cli.cli.run", "app", True),
    "eval": ("agentops_cli.cli.eval", "app", True),
    "checklist": ("agentops_cli.cli.checklist", "checklist", False),
    "cost": ("agentops_cli.cli.cost", "app", True),
    "cache": ("agentops_cli.cli.cache", "app", True),
    "runs": ("agentops_cli.cli.runs", "app", True),
    "agents": ("agentops_cli.cli.agents", "app", True),
    "config": ("agentops_cli.cli.config_cmd", "app", True),
    "graph": ("agentops_cli.cli.graph", "graph", False),
    "view": ("agentops_cli.cli.view", "view", False),
    "mcp": ("agentops_cli.cli.mcp_cmd", "mcp", False),
    "serve": ("agentops_cli.cli.serve", "serve", False),
}
_registered: set[str] = set()

# Root options that take a value (every other root option is a flag).
_VALUE_OPTIONS = {"--config"}
# Global flags the contract accepts before or after the command (``run support hi -v``).
_GLOBAL_FLAGS = {"-v", "-vv", "-vvv", "--verbose", "-q", "--quiet", "--log-json"}


def build(names: list[str] | None = None) -> typer.Typer:
    """Register sub-commands on :data:`app` (all of them by default) and return it."""
    for name in COMMANDS if names is None else names:
        if name in _registered:
            continue
        module, attribute, group = COMMANDS[name]
        target = getattr(importlib.import_module(module), attribute)
        if group:
            app.add_typer(target, name=name)
        else:
            app.command(name)(target)
        _registered.add(name)
    # Help lists commands in registration order: keep it whatever was registered first.
    order = list(COMMANDS)
    app.registered_groups.sort(key=lambda info: order.index(info.name))
    app.registered_commands.sort(key=lambda info: order.index(info.name))
    return app


def invoked_command(args: list[str]) -> str | None:
    """The sub-command ``args`` run, or ``None`` when they do not name a known one."""
    if any(key.startswith("_AGENTOPS_COMPLETE") for key in os.environ):
        return None  # shell completion walks the whole tree
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _VALUE_OPTIONS:
            skip = True
        elif arg == "--":
            return None
        elif not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def hoist_global_flags(args: list[str]) -> list[str]:
    """Move global flags written after the command in front of it, where the parser wants them.

    Click only accepts a group's options before its sub-command; the contract promises
    ``-v``/``-q``/``--log-json`` anywhere. Nothing after ``--`` is touched, so a query that
    really is ``-v`` can still be passed as ``agentops run support -- -v``.
    """
    hoisted: list[str] = []
    rest: list[str] = []
    command_seen = skip = False
    for i, arg in enumerate(args):
        if arg == "--":
            return hoisted + rest + args[i:]
        if command_seen and arg in _GLOBAL_FLAGS:
            hoisted.append(arg)
            continue
        rest.append(arg)
        if skip:
            skip = False
        elif arg in _VALUE_OPTIONS:
            skip = True
        elif not arg.startswith("-"):
            command_seen = True
    return hoisted + rest


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"agentops {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    config: Path | None = typer.Option(
        None,
        "--config",
        envvar="AGENTOPS_CONFIG",
        help="Config file (default ./agentops.yaml).",
        show_envvar=True,
    ),
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, help="More logs (-vv for debug)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only errors; no progress bars."),
    log_json: bool = typer.Option(False, "--log-json", help="Logs as JSON lines on stderr."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Run, evaluate, cost and production-check business LLM agents."""
    from agentops_cli import heap
    from agentops_cli.observability.logging import setup_logging

    heap.resume()  # the command body starts here: long runs need the collector

    STATE.config = config
    STATE.verbosity = -1 if quiet else verbose
    STATE.log_json = log_json
    setup_logging(STATE.verbosity, log_json)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and map every outcome to the contract's exit codes."""
    from typer.exceptions import Abort, TyperException

    from agentops_cli.errors import AgentOpsError

    args = hoist_global_flags(sys.argv[1:] if argv is None else list(argv))
    command = invoked_command(args)
    build(None if command is None else [command])
    try:
        result = app(args=args, prog_name="agentops", standalone_mode=False)
    except (KeyboardInterrupt, Abort):
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except TyperException as exc:  # usage errors from the parser
        _usage_error(exc)
    except AgentOpsError as exc:
        _fail(str(exc), exc.exit_code)
    except Exception as exc:  # a bug or an unexpected failure: one line, traceback with -v
        _fail(f"unexpected error: {type(exc).__name__}: {exc}", 3)
    sys.exit(result if isinstance(result, int) else 0)


def _usage_error(exc: Exception) -> None:
    """Bad usage: one line naming the problem and where to look (exit 2); bare groups show help."""
    from typer._click.exceptions import NoArgsIsHelpError

    if isinstance(exc, NoArgsIsHelpError):
        exc.show()
        sys.exit(2)
    ctx = getattr(exc, "ctx", None)
    where = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    message = " ".join(exc.format_message().split())  # type: ignore[attr-defined]
    sys.stderr.write(f"error: {message}{where}\n")
    sys.exit(2)


def _fail(message: str, code: int) -> None:
    from agentops_cli.observability.redact import redact

    if STATE.verbosity > 0:
        import traceback

        sys.stderr.write(redact(traceback.format_exc()))
    sys.stderr.write(f"error: {redact(message)}\n")
    sys.exit(code)
