"""``exec:COMMAND``: any program — the mapped input as JSON on stdin, a JSON answer on stdout.

The command is split like a shell would (no shell runs it). A run that outlives
``timeout_s`` is killed (its whole process group) and recorded as a timeout; stderr is
captured into the transcript and the tail of it into the error message on failure.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess  # nosec B404 - running the user's own agent is the feature
import time
from typing import Any

from agentops_cli.agents.protocol import RunContext, Source
from agentops_cli.agents.targets.base import Calls, TargetError, UserTarget
from agentops_cli.agents.transcript import Step
from agentops_cli.config import AgentEntry
from agentops_cli.errors import BadInput
from agentops_cli.observability.metrics_mode import child_environment

STDERR_KEEP = 2000


class ExecTarget(UserTarget):
    kind = "exec"

    def __init__(self, name: str, entry: AgentEntry, source: Source) -> None:
        super().__init__(name, entry, source)
        try:
            self.argv = shlex.split(entry.target.removeprefix("exec:"))
        except ValueError as exc:
            raise BadInput(f"agent '{name}': exec command: {exc}") from exc
        if not self.argv:
            raise BadInput(f"agent '{name}': exec: needs a command")
        if shutil.which(self.argv[0]) is None:
            raise BadInput(f"agent '{name}': command not found: {self.argv[0]}")

    def invoke(self, payload: Any, ctx: RunContext, calls: Calls) -> Any:
        started = time.perf_counter()
        process = subprocess.Popen(  # nosec B603 - argv from the user's own config, no shell
            self.argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            start_new_session=True,
            env=child_environment(),  # not the serve's metrics directory (metrics_mode)
        )
        try:
            out, err = process.communicate(
                json.dumps(payload, ensure_ascii=False), timeout=self.entry.timeout_s
            )
        except subprocess.TimeoutExpired as exc:
            _kill(process)
            self._step(ctx, payload, None, "", started, "timeout")
            raise TargetError(f"agent '{self.name}': timeout after {self.entry.timeout_s:g}s") from exc
        if process.returncode != 0:
            self._step(ctx, payload, out, err, started, f"exit {process.returncode}")
            tail = " ".join(err.strip().splitlines()[-1:])[:200]
            raise TargetError(f"agent '{self.name}': exited with {process.returncode}: {tail}")
        try:
            data = json.loads(out)
        except json.JSONDecodeError as exc:
            self._step(ctx, payload, out, err, started, "non-JSON output")
            raise TargetError(f"agent '{self.name}': non-JSON output ({out.strip()[:80]!r})") from exc
        self._step(ctx, payload, data, err, started, None)
        return data

    def _step(
        self, ctx: RunContext, payload: Any, out: Any, err: str, started: float, error: str | None
    ) -> None:
        if ctx.transcript is not None:
            stderr = err[-STDERR_KEEP:] if err else None
            ctx.transcript.add(
                Step(
                    kind="exec",
                    name=self.argv[0],
                    input=payload,
                    output={"stdout": out, "stderr": stderr} if stderr else out,
                    error=error,
                    latency_ms=round((time.perf_counter() - started) * 1000, 2),
                )
            )


def _kill(process: subprocess.Popen[str]) -> None:
    """Kill the agent and anything it started; reap it so no zombie stays."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.communicate()
