from __future__ import annotations

import json

import pytest
from loguru import logger

from agentops_cli.observability.logging import setup_logging
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
    logger.info("calling with sk-abcdefghijklmnop0000")
    err = capsys.readouterr().err
    assert "sk-abcdefghijklmnop0000" not in err and REDACTED in err

    setup_logging(1, log_json=True)
    logger.bind(agent="support").warning("token=abcdefghijkl12")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    record = json.loads(line)
    assert record["level"] == "WARNING"
    assert record["agent"] == "support"
    assert "abcdefghijkl12" not in record["message"]


def test_quiet_hides_warnings(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging(-1)
    logger.warning("not shown")
    logger.error("shown")
    err = capsys.readouterr().err
    assert "not shown" not in err and "shown" in err
