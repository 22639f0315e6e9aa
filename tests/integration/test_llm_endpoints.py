"""The response cache is keyed by endpoint: an answer from server A never stands in for server B.

Two real loopback servers, the real CLI: an eval against A fills the cache; the same eval
against B (down) must reach B and report the failure, not replay A's answers as a perfect run.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.fakes.fixtures import openai_env
from tests.fakes.openai_server import FakeOpenAIServer


def _answer(body: dict) -> dict:
    if "ClassifyOutput" in json.dumps(body.get("response_format")):
        return {"intent": "billing", "confidence": 0.97, "alternatives": []}
    return {"answer": "A hold is released in 3-5 days.", "source_ids": [], "grounded": False}


@pytest.fixture
def rows(tmp_path: Path) -> Path:
    path = tmp_path / "rows.jsonl"
    texts = ["I was charged twice", "Why is my invoice higher?", "Refund my duplicate charge"]
    path.write_text(
        "".join(
            json.dumps({"id": f"r{i}", "agent": "support", "input": t, "expected": {"intent": "billing"}})
            + "\n"
            for i, t in enumerate(texts)
        )
    )
    return path


@pytest.fixture
def env(fake_openai: FakeOpenAIServer, support_model_cache: Path, tmp_path: Path) -> dict[str, str]:
    """A fresh response cache, with the session's trained intent model copied in (no retraining)."""
    cache = tmp_path / "cache"
    shutil.copytree(support_model_cache / "models", cache / "models")
    return openai_env(fake_openai, AGENTOPS_CACHE_DIR=str(cache))


def _eval(rows: Path, server_url: str, env: dict[str, str], cwd: Path) -> dict:
    result = run_cli(
        "eval",
        "--dataset",
        str(rows),
        "--provider",
        "openai",
        "--json",
        cwd=cwd,
        env={**env, "OPENAI_BASE_URL": server_url},
    )
    return result.json()


def test_cached_answers_of_server_a_are_not_replayed_for_server_b(
    fake_openai: FakeOpenAIServer, rows: Path, env: dict[str, str], tmp_path: Path
) -> None:
    fake_openai.responder = _answer
    first = _eval(rows, fake_openai.base_url, env, tmp_path)
    assert (first["n"], first["errors"]) == (3, 0)
    sent_to_a = fake_openai.request_count
    assert sent_to_a > 0

    # The same eval against A again is answered from the cache: nothing is sent.
    again = _eval(rows, fake_openai.base_url + "/", env, tmp_path)  # same server, spelled differently
    assert (again["n"], again["errors"]) == (3, 0)
    assert fake_openai.request_count == sent_to_a

    with FakeOpenAIServer() as server_b:
        server_b.enqueue("500", times=1000)  # B is up but failing: every request is counted
        doc = _eval(rows, server_b.base_url, env, tmp_path)
        assert server_b.request_count > 0, "the eval against B never asked B"
        assert doc["errors"] == 3 and doc["degraded"] == 3
        assert doc["metrics"]["success_rate"] == 0.0
    assert fake_openai.request_count == sent_to_a

    # B gone altogether (connection refused): still no replay of A's answers.
    dead = _eval(rows, server_b.base_url, env, tmp_path)
    assert dead["errors"] == 3 and dead["degraded"] == 3
