"""The JSON keys DESIGN.md's CLI contract requires, in one place for every test.

More keys are welcome; these must be there. ``assert_run_contract`` checks one
``agentops run AGENT --json`` document against them.
"""

from __future__ import annotations

from typing import Any

RUN_KEYS = {"agent", "provider", "model", "degraded", "usage", "cost_usd", "latency_ms", "run_id", "flags"}
USAGE_KEYS = {"input_tokens", "output_tokens", "cached_tokens"}
AGENT_KEYS = {
    "support": {"query", "intent", "confidence", "answer", "escalate", "escalation_reason", "sources"},
    "document": {"path", "doc_type", "fields", "clauses", "risks", "summary"},
    "research": {"question", "plan", "report", "citations"},
}
SOURCE_KEYS = {"id", "title", "score"}
FIELD_KEYS = {"value", "start", "end"}
CLAUSE_KEYS = {"type", "text", "start", "end"}
RISK_KEYS = {"type", "severity", "evidence", "start", "end"}
CITATION_KEYS = {"n", "source", "title", "quote"}
CONTRACT_FIELDS = {
    "parties",
    "effective_date",
    "expiration_date",
    "term",
    "renewal",
    "total_value",
    "payment_terms",
    "governing_law",
    "termination_notice",
    "liability_cap",
}

EVAL_KEYS = {
    "run_id",
    "dataset",
    "agents",
    "provider",
    "n",
    "errors",
    "metrics",
    "latency_ms",
    "usage",
    "cost_usd",
    "passed",
    "gates",
}
CHECKLIST_KEYS = {"path", "score_pct", "sections", "items"}
SECTION_KEYS = {"id", "title", "score_pct"}
ITEM_KEYS = {"id", "section", "title", "status", "evidence", "remediation", "severity"}
EVIDENCE_KEYS = {"path", "line", "note"}
STATUSES = {"pass", "fail", "partial", "manual", "n/a"}
COST_KEYS = {"rpd", "days_per_month"}
COST_MODEL_KEYS = {"model", "per_request_usd", "per_day_usd", "per_month_usd", "per_year_usd"}


def assert_run_contract(data: dict[str, Any], agent: str) -> None:
    """Every ``run`` key, the agent's own keys, and the shape of their nested records."""
    assert set(data) >= RUN_KEYS | AGENT_KEYS[agent], sorted((RUN_KEYS | AGENT_KEYS[agent]) - set(data))
    assert data["agent"] == agent
    assert set(data["usage"]) >= USAGE_KEYS
    assert isinstance(data["degraded"], bool) and isinstance(data["flags"], list)
    if agent == "support":
        assert 0.0 <= data["confidence"] <= 1.0
        assert all(set(s) >= SOURCE_KEYS for s in data["sources"])
    elif agent == "document":
        assert all(set(f) >= FIELD_KEYS for f in data["fields"].values())
        assert all(set(c) >= CLAUSE_KEYS for c in data["clauses"])
        assert all(set(r) >= RISK_KEYS for r in data["risks"])
    else:
        assert all(isinstance(p, str) for p in data["plan"])
        assert all(set(c) >= CITATION_KEYS for c in data["citations"])
