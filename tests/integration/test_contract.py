"""DESIGN.md's CLI contract, end to end: every ``run`` agent, ``eval``, ``checklist`` and ``cost``
print exactly one JSON document on stdout with the keys the contract requires.

One real CLI call per command, run side by side (each costs about a second of start-up).
The values are tested in each command's own file; this file guards the shape scripts rely on.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.conftest import REPO, CliResult, run_cli
from tests.contract import (
    CHECKLIST_KEYS,
    CONTRACT_FIELDS,
    COST_KEYS,
    COST_MODEL_KEYS,
    EVAL_KEYS,
    EVIDENCE_KEYS,
    ITEM_KEYS,
    SECTION_KEYS,
    STATUSES,
    USAGE_KEYS,
    assert_run_contract,
)
from tests.unit.checklist_fixtures import GOOD, write_tree

GOLDEN = REPO / "datasets" / "golden"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


Calls = dict[str, tuple[tuple[str, ...], Path | None]]  # name → (argv, cwd)


def _run_all(calls: Calls, env: dict[str, str]) -> dict[str, CliResult]:
    """The calls side by side (each is its own process), results by name."""
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        futures = {name: pool.submit(run_cli, *args, cwd=cwd, env=env) for name, (args, cwd) in calls.items()}
        return {name: future.result() for name, future in futures.items()}


def test_every_command_prints_one_json_document_with_the_contract_keys(
    tmp_path: Path, support_model_cache: Path
) -> None:
    repo = write_tree(tmp_path / "repo", GOOD)
    offline = ("--provider", "offline", "--json")
    roi = ("--human-cost-per-hour", "15", "--minutes-per-query", "10")
    calls: Calls = {
        "support": (("run", "support", "I was charged twice for my order", *offline), None),
        "document": (("run", "document", "documents/consulting_agreement_uk.md", *offline), GOLDEN),
        "research": (("-q", "run", "research", "How large is the AP automation market?", *offline), None),
        "eval": (("-q", "eval", "--dataset", "golden", "--agent", "support", "--limit", "2", *offline), None),
        "checklist": (("checklist", str(repo), "--json"), None),
        "cost": (("cost", "--rpd", "1000", *roi, "--json"), None),
    }
    results = _run_all(calls, env={"AGENTOPS_CACHE_DIR": str(support_model_cache)})
    for name, result in results.items():
        assert result.code == 0, f"{name}: {result.stderr}"
    docs = {name: result.json() for name, result in results.items()}  # exactly one document each

    for agent in ("support", "document", "research"):
        assert_run_contract(docs[agent], agent)
        assert (docs[agent]["provider"], docs[agent]["degraded"]) == ("offline", False)
    fields = docs["document"]["fields"]
    assert set(fields) == CONTRACT_FIELDS
    assert ISO_DATE.match(fields["effective_date"]["value"]) and ISO_DATE.match(
        fields["expiration_date"]["value"]
    )
    assert set(fields["total_value"]["value"]) == {"amount", "currency"}

    ev = docs["eval"]
    assert set(ev) >= EVAL_KEYS
    assert set(ev["latency_ms"]) >= {"p50", "p95"} and set(ev["usage"]) >= USAGE_KEYS
    assert (ev["n"], ev["errors"], ev["agents"], ev["passed"]) == (2, 0, ["support"], True)

    checklist = docs["checklist"]
    assert set(checklist) >= CHECKLIST_KEYS and 0 <= checklist["score_pct"] <= 100
    assert checklist["sections"] and all(set(s) >= SECTION_KEYS for s in checklist["sections"])
    assert checklist["items"] and all(set(i) >= ITEM_KEYS for i in checklist["items"])
    assert {i["status"] for i in checklist["items"]} <= STATUSES
    assert all(set(e) >= EVIDENCE_KEYS for i in checklist["items"] for e in i["evidence"])

    cost = docs["cost"]
    assert set(cost) >= COST_KEYS | {"models", "roi"}
    assert (cost["rpd"], cost["days_per_month"]) == (1000, 30)
    assert cost["models"] and all(set(m) >= COST_MODEL_KEYS for m in cost["models"])
    assert cost["roi"] is not None  # human-cost flags were given
