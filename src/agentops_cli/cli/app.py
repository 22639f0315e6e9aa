"""The ``agentops`` command tree and the one place exit codes are decided.

Sub-command modules are imported here, so they must stay light: heavy libraries
(langgraph, langchain, sklearn) are imported inside the functions that need them.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import typer

from agentops_cli import __version__
from agentops_cli.cli import cache, checklist, config_cmd, cost, eval, graph, run
from agentops_cli.cli.common import STATE

app = typer.Typer(
    name="agentops",
    help="Run, evaluate, cost and production-check business LLM agents.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(run.app, name="run")
app.add_typer(eval.app, name="eval")
app.command("checklist")(checklist.checklist)
app.add_typer(cost.app, name="cost")
app.add_typer(cache.app, name="cache")
app.add_typer(config_cmd.app, name="config")
app.command("graph")(graph.graph)


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
    from agentops_cli.observability.logging import setup_logging

    STATE.config = config
    STATE.verbosity = -1 if quiet else verbose
    STATE.log_json = log_json
    setup_logging(STATE.verbosity, log_json)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI and map every outcome to the contract's exit codes."""
    from typer.exceptions import Abort, TyperException

    from agentops_cli.errors import AgentOpsError

    try:
        result = app(args=argv, prog_name="agentops", standalone_mode=False)
    except (KeyboardInterrupt, Abort):
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except TyperException as exc:  # usage errors from the parser
        show = getattr(exc, "show", None)
        if show:
            show()
        else:
            sys.stderr.write(f"error: {exc.format_message()}\n")
        sys.exit(exc.exit_code if exc.exit_code in (0, 2) else 2)
    except AgentOpsError as exc:
        _fail(str(exc), exc.exit_code)
    except Exception as exc:  # a bug or an unexpected failure: one line, traceback with -v
        _fail(f"unexpected error: {type(exc).__name__}: {exc}", 3)
    sys.exit(result if isinstance(result, int) else 0)


def _fail(message: str, code: int) -> None:
    from agentops_cli.observability.redact import redact

    if STATE.verbosity > 0:
        sys.stderr.write(redact(traceback.format_exc()))
    sys.stderr.write(f"error: {redact(message)}\n")
    sys.exit(code)
