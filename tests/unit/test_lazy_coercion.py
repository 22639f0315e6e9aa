"""Typer builds its pydantic adapter only for the options a command line gives, and every parse
gives what typer alone gives: the same values, the same errors."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import pytest
import typer
from typer._coercion import AdapterRuntimeParam
from typer.core import _TyperParameter
from typer.testing import CliRunner

from agentops_cli.cli import app as cli_app
from agentops_cli.cli import lazy_coercion


class Colour(StrEnum):
    red = "red"
    blue = "blue"


def _probe_app(seen: list[dict]) -> typer.Typer:
    """A command with one option of each kind agentops uses; it records what it received."""
    probe = typer.Typer()

    @probe.command()
    def main(
        path: Path = typer.Argument(Path("."), help="a path"),
        count: int | None = typer.Option(None, "--count"),
        rate: float | None = typer.Option(None, "--rate", min=0, max=1),
        name: str | None = typer.Option(None, "--name"),
        colour: Colour = typer.Option(Colour.red, "--colour"),
        tags: list[str] = typer.Option([], "--tag"),
        models: list[str] | None = typer.Option(None, "--model", "-m"),
        where: Path | None = typer.Option(None, "--where"),
        flag: bool = typer.Option(False, "--flag"),
        verbose: int = typer.Option(0, "--verbose", "-v", count=True),
        key: str | None = typer.Option(None, "--key", envvar="PROBE_KEY"),
        level: int | None = typer.Option(None, "--level", callback=lambda v: v if v is None else v * 10),
        rest: list[str] | None = typer.Argument(None),
    ) -> None:
        seen.append(
            {
                "path": path,
                "count": count,
                "rate": rate,
                "name": name,
                "colour": colour,
                "tags": tags,
                "models": models,
                "where": where,
                "flag": flag,
                "verbose": verbose,
                "key": key,
                "level": level,
                "rest": rest,
            }
        )

    return probe


COMMAND_LINES = [
    [],
    ["some/dir"],
    ["--count", "7", "--rate", "0.25"],
    ["--name", "x", "--colour", "blue", "--tag", "a", "--tag", "b", "-m", "m1", "-m", "m2"],
    ["--where", "f.txt", "--flag"],
    ["--count", "seven"],
    ["--rate", "2"],
    ["--colour", "green"],
    ["--count"],
    ["-vv", "--level", "3"],
    ["--level", "x"],
    ["here", "a", "b", "c"],
]


def _parse(args: list[str]) -> tuple[int, str, list[dict]]:
    seen: list[dict] = []
    result = CliRunner().invoke(_probe_app(seen), args, env={"PROBE_KEY": "from-env"})
    return result.exit_code, result.output, seen


@pytest.mark.parametrize("args", COMMAND_LINES, ids=lambda a: " ".join(a) or "(none)")
def test_every_parse_is_the_one_typer_gives(args: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    assert lazy_coercion.installed()
    deferred = _parse(args)
    monkeypatch.setattr(_TyperParameter, "get_runtime_param", lazy_coercion.TYPER_GET_RUNTIME_PARAM)
    assert not lazy_coercion.installed()
    assert deferred == _parse(args)


def test_bad_values_still_fail_as_typer_says() -> None:
    code, output, seen = _parse(["--count", "seven"])
    assert code == 2 and not seen
    assert "Invalid value for '--count'" in output


def _cost_params(args: list[str]) -> dict[str, object]:
    """The runtime coercion each option of ``agentops cost`` holds after parsing ``args``."""
    cli_app.build(["cost"])
    group = typer.main.get_command(cli_app.app)
    cost = group.commands["cost"]
    ctx = cost.make_context("cost", list(args), parent=group.make_context("agentops", ["cost"]))
    assert ctx.params["rpd"] == 1000
    return {param.name: param._runtime_param for param in cost.params}


def test_cost_builds_an_adapter_only_for_the_option_given() -> None:
    runtime = _cost_params(["--rpd", "1000"])
    built = sorted(name for name, param in runtime.items() if isinstance(param, AdapterRuntimeParam))
    assert built == ["rpd"]
    deferred = [n for n, param in runtime.items() if isinstance(param, lazy_coercion.DeferredRuntimeParam)]
    assert len(deferred) == len(runtime) - 2  # every option but --rpd and the --json flag (never coerced)
    assert runtime["json_output"] is None


def test_install_is_idempotent() -> None:
    lazy_coercion.install()
    lazy_coercion.install()
    assert lazy_coercion.installed()


def test_a_typer_without_the_private_hooks_keeps_its_own_coercion(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pin allows later typers: if the hook the deferral replaces is gone, nothing is patched."""
    monkeypatch.setattr(_TyperParameter, "get_runtime_param", lazy_coercion.TYPER_GET_RUNTIME_PARAM)
    monkeypatch.delattr(lazy_coercion._coercion, "build_runtime_param")
    assert not lazy_coercion.supported()
    lazy_coercion.install()
    assert not lazy_coercion.installed()
    assert _TyperParameter.get_runtime_param is lazy_coercion.TYPER_GET_RUNTIME_PARAM
