"""The CLI shell: help, version, exit codes, config commands, and the lazy-import guarantee."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agentops_cli import __version__
from tests.conftest import run_cli, without_coverage

HEAVY = ("langgraph", "langchain_core", "langchain_openai", "openai", "sklearn", "scipy", "langsmith")

PROBE = f"""
import sys, runpy
sys.argv = ["agentops", *sys.argv[1:]]
try:
    runpy.run_module("agentops_cli", run_name="__main__")
except SystemExit:
    pass
top = {{m.split('.')[0] for m in sys.modules}}
sys.stderr.write("HEAVY=" + ",".join(sorted(top & set({HEAVY!r}))) + "\\n")
sys.stderr.write("LOADED=" + ",".join(sorted(top)) + "\\n")
"""


def imported(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> dict[str, list[str]]:
    """Top-level packages ``agentops ARGS`` imported: ``HEAVY`` (those of :data:`HEAVY`) and ``LOADED``.

    ``env`` replaces the whole environment when given. Either way coverage's start-up variables
    are dropped: the probe asks what a user's process imports, and a user's process does not run
    coverage (which imports ~80 modules of its own and doubles the probe's CPU under ``--cov``).
    The same commands run under coverage in the tests that check their output.
    """
    probe_env = without_coverage(os.environ if env is None else env)
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
        env=probe_env,
    )
    found = {}
    for line in proc.stderr.splitlines():
        key, sep, value = line.partition("=")
        if sep and key in ("HEAVY", "LOADED"):
            found[key] = [m for m in value.split(",") if m]
    assert set(found) == {"HEAVY", "LOADED"}, proc.stderr
    return found


def heavy_modules(*args: str, cwd: Path | None = None) -> list[str]:
    return imported(*args, cwd=cwd)["HEAVY"]


FAST_COMMANDS = [
    ("--version",),
    ("--help",),
    ("config", "show"),
    ("config", "validate"),
    ("cost", "--rpd", "1000"),
    ("checklist", "."),
]


@pytest.mark.parametrize("args", FAST_COMMANDS)
def test_fast_commands_import_nothing_heavy(args: tuple[str, ...], tmp_path: Path) -> None:
    assert heavy_modules(*args, cwd=tmp_path) == []


def test_version_imports_neither_loguru_nor_the_command_tree(tmp_path: Path) -> None:
    loaded = imported("--version", cwd=tmp_path)["LOADED"]
    assert "loguru" not in loaded
    assert "typer" not in loaded


@pytest.mark.parametrize("args", FAST_COMMANDS)
def test_fast_commands_skip_loguru_and_pydantic_settings(args: tuple[str, ...], tmp_path: Path) -> None:
    """Nothing logs, so loguru (and the asyncio it pulls in) stays unimported; pydantic-settings
    is imported only when an ``AGENTOPS_*`` variable or a ``.env`` needs parsing."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("AGENTOPS_")}
    loaded = set(imported(*args, cwd=tmp_path, env=env)["LOADED"])
    assert not loaded & {"loguru", "asyncio", "pydantic_settings"}


@pytest.mark.parametrize("args", FAST_COMMANDS)
def test_fast_commands_stay_light_with_the_environment_users_set(
    args: tuple[str, ...], tmp_path: Path
) -> None:
    """As users run them — a key, a home and a cache dir in the environment, a ``.env`` beside —
    settings parse all of it without pydantic-settings (and the asyncio it pulls in)."""
    (tmp_path / ".env").write_text("AGENTOPS_EVAL__CONCURRENCY=4\n")
    env = {
        **{k: v for k, v in os.environ.items() if not k.upper().startswith("AGENTOPS_")},
        "OPENAI_API_KEY": "sk-test-0000000000000000",
        "AGENTOPS_HOME": str(tmp_path / "home"),
        "AGENTOPS_CACHE_DIR": str(tmp_path / "cache"),
    }
    loaded = set(imported(*args, cwd=tmp_path, env=env)["LOADED"])
    assert not loaded & {"loguru", "asyncio", "pydantic_settings"}


def test_checklist_reads_its_catalogue_without_pyyaml(tmp_path: Path) -> None:
    """PyYAML's import costs as much as Python's start-up: a project without YAML to read (no
    answers file, no workflow) is checked without it; the catalogue is read as JSON."""
    (tmp_path / "app.py").write_text("print('hi')\n")
    assert "yaml" not in imported("checklist", ".", cwd=tmp_path)["LOADED"]
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text("on: push\njobs: {test: {runs-on: ubuntu-latest, steps: []}}\n")
    assert "yaml" in imported("checklist", ".", cwd=tmp_path)["LOADED"]


def test_version() -> None:
    result = run_cli("--version")
    assert result.code == 0
    assert result.stdout.strip() == f"agentops {__version__}"


def test_help_lists_every_command_of_the_contract() -> None:
    result = run_cli("--help")
    assert result.code == 0
    for command in ("run", "eval", "checklist", "cost", "cache", "config", "graph"):
        assert command in result.stdout
    run_help = run_cli("run", "--help").stdout
    for agent in ("support", "document", "research"):
        assert agent in run_help


def test_unknown_command_is_usage_error() -> None:
    result = run_cli("frobnicate")
    assert result.code == 2
    assert "No such command" in result.stderr


def test_config_show_table_and_validate_without_a_config_file(tmp_path: Path) -> None:
    """The human ``config show`` and ``config validate`` with no file in force (defaults)."""
    shown = run_cli("config", "show", cwd=tmp_path, env={"COLUMNS": "200"})
    assert shown.code == 0, shown.stderr
    assert "agentops settings (config file: none)" in shown.stdout
    assert "llm.model" in shown.stdout and "provider in force: offline" in shown.stdout
    valid = run_cli("config", "validate", cwd=tmp_path)
    assert valid.code == 0, valid.stderr
    assert valid.stdout.strip() == "no config file found (defaults in force)"


def test_config_show_json_masks_key_and_names_sources(tmp_path: Path) -> None:
    (tmp_path / "agentops.yaml").write_text("llm:\n  model: gpt-4.1-mini\n")
    key = "sk-proj-FAKESECRETSECRET9876"
    result = run_cli("config", "show", "--json", cwd=tmp_path, env={"OPENAI_API_KEY": key})
    assert result.code == 0, result.stderr
    doc = result.json()
    assert doc["provider"] == "openai"
    assert doc["settings"]["llm.model"] == {"value": "gpt-4.1-mini", "source": "agentops.yaml"}
    assert doc["settings"]["llm.api_key"] == {"value": "sk-…9876", "source": "env"}
    assert key not in result.stdout + result.stderr


def test_config_validate_bad_file_exit_2_with_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("cache:\n  enabled: true\n  ttl_s: soon\n")
    result = run_cli("--config", str(bad), "config", "validate")
    assert result.code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"{bad}:3: cache.ttl_s" in lines[0]
    assert "Traceback" not in result.stderr


def test_verbose_shows_traceback_for_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("nonsense_key: 1\n")
    result = run_cli("-v", "--config", str(bad), "config", "validate")
    assert result.code == 2
    assert "Traceback" in result.stderr
    assert f"{bad}:1: nonsense_key: unknown key" in result.stderr


def test_config_init_writes_and_refuses_to_overwrite(tmp_path: Path) -> None:
    first = run_cli("config", "init", cwd=tmp_path)
    assert first.code == 0
    written = tmp_path / "agentops.yaml"
    assert "resilience:" in written.read_text()
    again = run_cli("config", "init", cwd=tmp_path)
    assert again.code == 2 and "already exists" in again.stderr
    forced = run_cli("config", "init", "--force", "--json", cwd=tmp_path)
    assert forced.code == 0 and json.loads(forced.stdout) == {"written": "agentops.yaml"}
    assert run_cli("config", "validate", cwd=tmp_path).code == 0


@pytest.mark.parametrize(
    ("args", "command"),
    [
        (["cost", "--rpd", "1000"], "cost"),
        (["-v", "--config", "cost", "checklist", "."], "checklist"),  # "cost" is --config's value
        (["--config=x.yaml", "-q", "--log-json", "config", "show"], "config"),
        (["--help"], None),
        ([], None),
        (["frobnicate"], None),
        (["--", "cost"], None),
    ],
)
def test_only_the_invoked_command_is_built(args: list[str], command: str | None) -> None:
    """Typer builds every registered command on each run; the app registers only the one
    invoked, and the whole tree whenever the command line does not name a known one."""
    from agentops_cli.cli.app import invoked_command

    assert invoked_command(args) == command


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("cost", "--rpd", "abc"), "error: Invalid value for '--rpd'"),
        (("run", "document"), "error: Missing argument 'path'."),
        (("frobnicate",), "error: No such command 'frobnicate'."),
    ],
)
def test_usage_errors_are_one_line(args: tuple[str, ...], expected: str) -> None:
    result = run_cli(*args)
    assert result.code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(expected)
    assert "--help" in lines[0]
