"""The CLI's consoles highlight only where colour shows: the text written never changes."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from rich.console import Console

from agentops_cli.cli import common

SAMPLE = "tokens per request: 400 in / 100 out, cost $0.000123 at 'gpt-4o-mini' (None, True)"


@pytest.fixture
def fresh_consoles(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(common, "_stdout_console", None)
    monkeypatch.setattr(common, "_stderr_console", None)
    for name in ("FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TERM"):
        monkeypatch.delenv(name, raising=False)
    yield


def test_no_highlighting_without_colour_and_the_same_text(fresh_consoles: None) -> None:
    out, err = common.console(), common.err_console()
    assert out.color_system is None and err.color_system is None  # pytest captures: not a terminal
    assert not out._highlight and not err._highlight
    plain = io.StringIO()
    highlighted = io.StringIO()
    Console(file=plain, highlight=False, width=60).print(SAMPLE)
    Console(file=highlighted, width=60).print(SAMPLE)
    assert plain.getvalue() == highlighted.getvalue()


def test_colour_terminals_keep_highlighting(fresh_consoles: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    out = common.console()
    assert out.color_system is not None
    assert out._highlight
    with out.capture() as captured:
        out.print("cost 400")
    assert "\x1b[" in captured.get()  # the number is coloured
