"""The collector is off while the CLI starts up and back on (start-up heap frozen) for the command."""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentops_cli import heap


@pytest.fixture
def collector() -> Iterator[None]:
    """Leave the interpreter's collector as the test found it."""
    was_enabled = gc.isenabled()
    yield
    heap._paused = False
    gc.unfreeze()
    (gc.enable if was_enabled else gc.disable)()


def test_pause_then_resume(collector: None) -> None:
    gc.enable()
    heap.pause()
    assert not gc.isenabled() and heap.paused()
    heap.resume()
    assert gc.isenabled() and not heap.paused()
    assert gc.get_freeze_count() > 0  # what start-up built is out of later collections


def test_resume_never_enables_a_collector_someone_else_disabled(collector: None) -> None:
    gc.disable()
    heap.pause()
    assert not heap.paused()
    heap.resume()
    assert not gc.isenabled()


def test_resume_without_pause_changes_nothing(collector: None) -> None:
    gc.enable()
    frozen = gc.get_freeze_count()
    heap.resume()
    assert gc.isenabled() and gc.get_freeze_count() == frozen


PROBE = """
import gc, sys, runpy
collections = []

def phase_of_run():
    # before the command tree (runpy may compile __main__.py) | start-up | the command body
    if "typer" not in sys.modules:
        return "before"
    return "body" if "agentops_cli.observability.logging" in sys.modules else "start-up"

gc.callbacks.append(lambda phase, info: phase == "start" and collections.append(phase_of_run()))
sys.argv = ["agentops", *sys.argv[1:]]
try:
    runpy.run_module("agentops_cli", run_name="__main__")
except SystemExit:
    pass
startup = collections.count("start-up")
sys.stderr.write(f"STARTUP={startup} ENABLED={gc.isenabled()} FROZEN={gc.get_freeze_count()}\\n")
"""


@pytest.mark.parametrize("args", [("cost", "--rpd", "1000"), ("checklist", ".")])
def test_the_cli_collects_nothing_during_start_up_and_collects_again_in_the_command(
    args: tuple[str, ...], tmp_path: Path
) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    line = proc.stderr.strip().splitlines()[-1]
    fields = dict(item.split("=") for item in line.split())
    assert fields["STARTUP"] == "0", line  # without the pause, start-up runs it ~60 times
    assert fields["ENABLED"] == "True", line
    assert int(fields["FROZEN"]) > 10_000, line
