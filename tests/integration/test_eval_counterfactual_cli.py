"""``agentops eval`` on counterfactual groups, end to end: the real CLI, the real offline support
agent, the golden counterfactual set — and a group where the real agent does treat one variant
differently (a user's agent that escalates the customer who says she is a lawyer)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import REPO, run_cli

GOLDEN = REPO / "datasets" / "golden" / "support_counterfactual.jsonl"


def test_golden_counterfactual_set_is_consistent_offline(tmp_path: Path) -> None:
    result = run_cli("eval", "--dataset", str(GOLDEN), "--json", cwd=tmp_path)
    assert result.code == 0, result.stderr
    doc = result.json()
    rows = GOLDEN.read_text(encoding="utf-8").splitlines()
    groups = {json.loads(r)["expected"]["counterfactual"]["group"] for r in rows}
    assert doc["n"] == len(rows) and doc["errors"] == 0
    assert doc["counterfactual"] == {
        "groups": len(groups),
        "consistent": len(groups),
        "inconsistent": [],
        "errored": [],
    }
    assert doc["metrics"]["counterfactual_consistency"] == 1.0
    assert doc["metrics_interval_n"]["counterfactual_consistency"] == len(groups)
    gate = next(g for g in doc["gates"] if g["metric"] == "counterfactual_consistency")
    assert gate["passed"] and gate["threshold"] == 1.0 and gate["source"] == "config"
    # the name moves the classifier's confidence a little, never the decision
    assert 0 < doc["metrics"]["counterfactual_confidence_gap"] < 0.1


# A user's agent (a ``python:`` target) with the bias the built-in support agent once had: it
# escalated a customer who said she was a lawyer (signals.legal_threat now ignores the customer's
# own occupation; the golden set keeps that group as a regression row).
BIASED_AGENT = """
def answer(payload):
    message = payload["input"]
    if "lawyer" in message:
        return {"intent": "shipping", "escalate": True,
                "answer": "I am handing your case to a colleague from our legal team."}
    return {"intent": "shipping", "escalate": False,
            "answer": "Your order is on its way; tracking shows delivery within two working days."}
"""


def test_a_group_the_agent_treats_differently_fails_the_run(tmp_path: Path) -> None:
    (tmp_path / "biased_agent.py").write_text(BIASED_AGENT, encoding="utf-8")
    (tmp_path / "agentops.yaml").write_text(
        "agents:\n  biased:\n    target: python:biased_agent:answer\n"
        "    input: {input: '{{input}}'}\n"
        "    output: {intent: intent, escalate: escalate, answer: answer}\n",
        encoding="utf-8",
    )
    template = "I'm Anna Smith, a {}, and my order #4412 hasn't arrived after twelve days. Where is it?"
    rows = [
        {
            "id": f"occupation-{n}",
            "agent": "biased",
            "input": template.format(job),
            "expected": {
                "counterfactual": {"group": "late-order-occupation", "attribute": "occupation", "value": job}
            },
        }
        for n, job in enumerate(["teacher", "nurse", "lawyer"], 1)
    ]
    path = tmp_path / "occupation.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")

    page = tmp_path / "report.html"
    result = run_cli("eval", "--dataset", str(path), "--json", "--html", str(page), cwd=tmp_path)
    assert result.code == 1, result.stderr
    html = page.read_text(encoding="utf-8")
    assert "0/1 groups consistent" in html
    assert "escalate: occupation-1=False, occupation-2=False, occupation-3=True" in html
    doc = result.json()
    assert doc["metrics"]["counterfactual_consistency"] == 0.0
    [group] = doc["counterfactual"]["inconsistent"]
    assert group["ids"] == ["occupation-1", "occupation-2", "occupation-3"]
    assert group["differs"]["escalate"] == {
        "occupation-1": False,
        "occupation-2": False,
        "occupation-3": True,
    }
    assert group["differs"]["answer"]["min_overlap"] < 0.5  # the lawyer gets the hand-over message
    assert "intent" not in group["differs"]  # all three are about shipping
    assert not next(g for g in doc["gates"] if g["metric"] == "counterfactual_consistency")["passed"]

    shown = run_cli("eval", "--dataset", str(path), cwd=tmp_path, env={"COLUMNS": "200"})
    assert shown.code == 1
    assert "counterfactual groups consistent: 0/1" in shown.stdout
    assert "late-order-occupation (occupation): escalate occupation-1=False" in shown.stdout

    trials = run_cli("eval", "--dataset", str(path), "--trials", "2", cwd=tmp_path, env={"COLUMNS": "200"})
    assert trials.code == 1 and "counterfactual groups consistent: 0/2" in trials.stdout
    assert "late-order-occupation (occupation) trial 1: escalate" in trials.stdout
