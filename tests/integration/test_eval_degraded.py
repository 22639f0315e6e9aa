"""Evaluating a model, answers the offline engine gave in its place are errors, not passes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli
from tests.fakes.fixtures import openai_env
from tests.fakes.openai_server import FakeOpenAIServer


def test_failover_answers_fail_the_eval_and_are_retried(
    fake_openai: FakeOpenAIServer, tmp_path: Path
) -> None:
    rows = tmp_path / "rows.jsonl"
    rows.write_text(
        "\n".join(
            json.dumps({"id": f"r{i}", "agent": "support", "input": text, "expected": {"intent": "billing"}})
            for i, text in enumerate(["I was charged twice", "Why is my invoice higher?"])
        )
        + "\n"
    )
    fake_openai.enqueue("500", times=200)  # the model is down for the whole first run
    env = openai_env(fake_openai)
    first = run_cli("eval", "--dataset", str(rows), "--provider", "openai", "--json", cwd=tmp_path, env=env)
    doc = first.json()
    assert first.code == 1, first.stderr  # the success_rate gate fails
    assert (doc["n"], doc["errors"], doc["degraded"]) == (2, 2, 2)
    assert doc["metrics"]["degraded_rate"] == 1.0 and doc["passed"] is False
    stored = [json.loads(line) for line in (Path(doc["run_dir"]) / "results.jsonl").read_text().splitlines()]
    assert all(r["error"].startswith("degraded: ") and r["output"]["intent"] for r in stored)

    fake_openai.reset()  # the model is back
    fake_openai.responder = lambda body: (
        {"intent": "billing", "confidence": 0.97, "alternatives": []}
        if "ClassifyOutput" in json.dumps(body.get("response_format"))
        else {"answer": "A hold is released in 3-5 days.", "source_ids": [], "grounded": False}
    )
    again = run_cli("eval", "--resume", doc["run_id"], "--retry-errors", "--json", cwd=tmp_path, env=env)
    redo = again.json()
    assert (redo["n"], redo["errors"], redo["degraded"]) == (2, 0, 0), again.stderr
    assert redo["metrics"]["intent_accuracy"] == 1.0
