"""User-agent targets: ``python:MODULE:ATTR``, ``http(s)://URL`` and ``exec:COMMAND``.

:func:`make_target` checks the spec and builds the target *before* any example runs, so a
typo, a missing module or a missing header variable is one ``BadInput`` line (exit 2).
"""

from __future__ import annotations

from agentops_cli.agents.protocol import Source
from agentops_cli.agents.targets.base import UserTarget
from agentops_cli.config import AgentEntry
from agentops_cli.errors import BadInput


def make_target(name: str, entry: AgentEntry, source: Source) -> UserTarget:
    spec = entry.target.strip()
    if spec.startswith("python:"):
        from agentops_cli.agents.targets.python_target import PythonTarget

        return PythonTarget(name, entry, source)
    if spec.startswith(("http://", "https://")):
        from agentops_cli.agents.targets.http_target import HttpTarget

        return HttpTarget(name, entry, source)
    if spec.startswith("exec:"):
        from agentops_cli.agents.targets.exec_target import ExecTarget

        return ExecTarget(name, entry, source)
    raise BadInput(
        f"agent '{name}': unknown target kind '{spec}' "
        "(use python:MODULE:ATTR, http(s)://URL or exec:COMMAND)"
    )
