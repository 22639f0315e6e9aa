"""Errors users see, each carrying the exit code of the CLI contract.

The CLI prints ``str(error)`` as one line on stderr and exits with ``exit_code``;
the traceback is shown only with ``-v``. Raise these from services, never
``typer.Exit``: services do not know they run under a CLI.
"""

from __future__ import annotations


class AgentOpsError(Exception):
    """Base class: a failure with a user-facing one-line message."""

    exit_code = 3


class BadInput(AgentOpsError):
    """Bad usage or bad input (a file, a flag, a row): exit 2."""

    exit_code = 2


class NotImplementedYet(BadInput):
    """A command of the contract whose issue has not landed yet: exit 2, honestly."""

    def __init__(self, command: str) -> None:
        super().__init__(f"'{command}' is not implemented yet")


class GateFailed(AgentOpsError):
    """A quality gate failed (eval below threshold, checklist under --fail-under): exit 1."""

    exit_code = 1


class RuntimeFailure(AgentOpsError):
    """The work could not be done (e.g. LLM down and failover disabled): exit 3."""

    exit_code = 3


class Interrupted(AgentOpsError):
    """Ctrl-C after progress was saved: exit 130."""

    exit_code = 130
