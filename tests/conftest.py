"""Shared fixtures: an isolated environment and a way to run the real CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest_plugins = ["tests.fakes.fixtures"]

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


def needs_shared(relative: str) -> pytest.MarkDecorator:
    """Skip a test that reads ``../shared/RELATIVE`` when this checkout has no ../shared beside it.

    ../shared holds the real public dev data, read in place and never committed, so a plain
    clone must still pass ``make test``: the tests that need it say why they did not run.
    """
    path = SHARED / relative
    reason = f"{path} not present (plain clone without ../shared): real-data test skipped"
    return pytest.mark.skipif(not path.exists(), reason=reason)


def without_coverage(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` minus coverage's start-up variables, for a child that must not run traced.

    Under ``--cov`` (``patch = ["subprocess"]``) every Python child inherits them, imports
    coverage (~0.2 s of CPU) and runs traced (about twice the CPU). Only for children whose
    work is not agentops code being measured: a build tool, an import probe.
    """
    return {name: value for name, value in environ.items() if not name.startswith("COVERAGE_PROCESS_")}


_LEAKY_ENV = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "LANGSMITH_API_KEY",
    "LANGSMITH_TRACING",
    "LANGCHAIN_TRACING_V2",
    "LANGCHAIN_API_KEY",
    "DISABLE_LLM",
    "USE_FAKE_DATA",
    "ENABLE_VERBOSE_LOGGING",
    "AGENTOPS_CONFIG",
)


@pytest.fixture(autouse=True)
def isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own home, cache and runs dir, and no stray keys or config."""
    base = tmp_path_factory.mktemp("agentops-env")
    for name in list(os.environ):
        if name in _LEAKY_ENV or (name.startswith("AGENTOPS_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AGENTOPS_HOME", str(base / "home"))
    monkeypatch.setenv("AGENTOPS_CACHE_DIR", str(base / "cache"))
    monkeypatch.setenv("AGENTOPS_RUNS_DIR", str(base / "runs"))
    return base


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout)


def run_cli(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    input: str | None = None,
) -> CliResult:
    """Run ``python -m agentops_cli ARGS`` in a subprocess: the real CLI, real exit codes."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    proc = subprocess.run(
        [sys.executable, "-m", "agentops_cli", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        input=input,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli():
    return run_cli
