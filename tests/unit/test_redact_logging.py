from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from agentops_cli.observability.logging import get_logger, setup_logging
from agentops_cli.observability.redact import REDACTED, redact, register_secrets


@pytest.mark.parametrize(
    "text",
    [
        "key is sk-proj-FAKEGHIJKLMNOP1234",
        "Authorization: Bearer abc.def-ghi_jkl123",
        'api_key="supersecretvalue"',
        "LANGSMITH key lsv2_pt_0123456789abcdef",
    ],
)
def test_patterns_are_redacted(text: str) -> None:
    out = redact(text)
    assert REDACTED in out
    for token in ("sk-proj-ABC", "abc.def-ghi", "supersecretvalue", "lsv2_pt_0123"):
        assert token not in out


def test_registered_secret_is_redacted_verbatim() -> None:
    register_secrets(["plain-looking-token-42"])
    assert redact("got plain-looking-token-42 back") == f"got {REDACTED} back"


def test_ordinary_text_is_untouched() -> None:
    text = "I was charged twice for order 12345, please refund"
    assert redact(text) == text


def test_logs_are_redacted_in_text_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(1, log_json=False)
    get_logger().info("calling with sk-fakeabcdefghijklm0000")
    err = capsys.readouterr().err
    assert "sk-fakeabcdefghijklm0000" not in err and REDACTED in err

    setup_logging(1, log_json=True)
    get_logger().bind(agent="support").warning("token=abcdefghijkl12")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    record = json.loads(line)
    assert record["level"] == "WARNING"
    assert record["agent"] == "support"
    assert "abcdefghijkl12" not in record["message"]


def test_quiet_hides_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(-1)
    get_logger().warning("not shown")
    get_logger().error("shown")
    err = capsys.readouterr().err
    assert "not shown" not in err and "shown" in err


DEFERRED = """
import sys
from agentops_cli.observability.logging import get_logger, setup_logging

setup_logging(0)
setup_logging(1, log_json=True)  # the last call wins
assert "loguru" not in sys.modules, "setup_logging must not import loguru"
logger = get_logger()  # the first use applies the recorded configuration

logger.debug("hidden")
logger.info("token=abcdefghijkl12")
setup_logging(-1)  # once loguru is in use, a new configuration applies at once
logger.warning("hidden too")
logger.error("shown")
"""


def test_logging_is_configured_at_first_use() -> None:
    """loguru is imported lazily, yet no record is emitted before our handlers are in place."""
    env = {k: v for k, v in os.environ.items() if k != "LOGURU_AUTOINIT"}
    proc = subprocess.run(
        [sys.executable, "-c", DEFERRED], capture_output=True, text=True, timeout=60, env=env
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 2, proc.stderr  # no default loguru handler duplicating records
    first = json.loads(lines[0])
    assert first["level"] == "INFO" and "abcdefghijkl12" not in first["message"]
    assert lines[1].endswith("shown") and "ERROR" in lines[1]


def test_only_the_logging_module_imports_loguru() -> None:
    """One way to log: through get_logger(), so the configuration is always applied first."""
    src = Path(__file__).resolve().parents[2] / "src" / "agentops_cli"
    direct = re.compile(r"^\s*(from loguru import|import loguru)", re.M)
    offenders = [
        str(path.relative_to(src))
        for path in src.rglob("*.py")
        if path.name != "logging.py" and direct.search(path.read_text())
    ]
    assert offenders == []


def _redact_every_pattern(text: str) -> str:
    """The redactor without its substring pre-check: what ``redact`` must always equal."""
    from agentops_cli.observability.redact import _PATTERNS

    for pattern in _PATTERNS:
        if pattern.groups == 3:
            text = pattern.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
        else:
            text = pattern.sub(REDACTED, text)
    return text


_FRAGMENTS = [
    "sk-", "SK-", "lsv2_", "Bearer ", "BEARER\t", "api_key", "API-KEY", "apikey", "Token", "ſecret",
    "\u212aey", "PASSWORD", "password", "=", ": ", '"', "abcdefgh123", "XYZ_0987654321", " ", "é", "ß",
]  # fmt: skip


@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=12))
@settings(max_examples=400, deadline=None)
def test_pre_check_never_skips_a_match(parts: list[str]) -> None:
    text = "".join(parts)
    assert redact(text) == _redact_every_pattern(text)


def test_trigger_words_survive_case_folding_of_every_code_point() -> None:
    """``(?i)`` matches some letters by other code points ("ſ" for "s", "K" for "k"): the
    pre-check case-folds, so each such code point must fold to a string holding the letter."""
    import sys

    from agentops_cli.observability.redact import _TRIGGERS

    letters = sorted({c for words in _TRIGGERS[2:] for word in words for c in word})
    singles = {letter: re.compile(f"(?i){letter}") for letter in letters}
    any_letter = re.compile(f"(?i)[{''.join(letters)}]")
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if any_letter.fullmatch(char):
            matched = [x for x, single in singles.items() if single.fullmatch(char)]
            assert all(x in char.casefold() for x in matched), (hex(code), matched)
