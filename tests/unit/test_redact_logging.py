from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from agentops_cli.observability.logging import get_logger, setup_logging
from agentops_cli.observability.redact import REDACTED, redact, register_secrets


@pytest.mark.parametrize(
    "text",
    [
        "key is sk-proj-ABCDEFGHIJKLMNOP1234",
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
    get_logger().info("calling with sk-abcdefghijklmnop0000")
    err = capsys.readouterr().err
    assert "sk-abcdefghijklmnop0000" not in err and REDACTED in err

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
