"""``agentops run document`` end to end: the real CLI in a subprocess, and the LLM path
against the loopback OpenAI-compatible server (real ChatOpenAI, real HTTP)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from agentops_cli.agents.runner import run_agent
from tests.conftest import run_cli
from tests.contract import USAGE_KEYS, assert_run_contract
from tests.fakes.fixtures import openai_env, openai_settings

GOLDEN = Path(__file__).resolve().parents[2] / "datasets" / "golden"
SAAS = "documents/saas_subscription_agreement.txt"


def test_json_output_follows_the_contract() -> None:
    result = run_cli("run", "document", SAAS, "--json", cwd=GOLDEN)
    assert result.code == 0, result.stderr
    data = result.json()
    assert_run_contract(data, "document")
    assert (data["agent"], data["provider"], data["doc_type"]) == ("document", "offline", "contract")
    assert data["fields"]["effective_date"] == {
        "value": "2025-01-15",
        "start": 136,
        "end": 152,
        "text": "January 15, 2025",
        "spans": None,
    }
    assert data["fields"]["total_value"]["value"] == {"amount": 84000.0, "currency": "USD"}
    assert {r["type"] for r in data["risks"]} == {"auto_renewal", "long_notice_period", "penalties"}
    assert set(data["usage"]) == USAGE_KEYS


def test_rich_view_and_markdown_report(tmp_path: Path) -> None:
    shutil.copy(GOLDEN / "documents" / "contrato_mantenimiento.docx", tmp_path / "c.docx")
    result = run_cli("run", "document", "c.docx", "--out", "report.md", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert "Fields" in result.stdout and "Risks (by severity)" in result.stdout
    assert "18,600.00 EUR" in result.stdout and "missing_liability_cap" in result.stdout
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert report.startswith("# Document analysis: c.docx")
    assert "| total_value | 18,600.00 EUR | 18.600,00 euros |" in report
    assert "| medium | auto_renewal |" in report


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("../secret.txt",), "is outside the allowed root"),
        (("/etc/hostname",), "is outside the allowed root"),
        (("link.txt",), "symlink leaves the allowed root"),
        (("missing.pdf",), "missing.pdf: file not found"),
        (("doc.txt", "--type", "memo"), "unknown document type 'memo'"),
        (("doc.txt", "--root", "nowhere"), "allowed root is not a directory"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("secret contract text " * 5, encoding="utf-8")
    (root / "doc.txt").write_text("An agreement between Acme Ltd and Beta GmbH. " * 3, encoding="utf-8")
    (root / "link.txt").symlink_to(tmp_path / "secret.txt")
    result = run_cli("run", "document", *args, "--json", cwd=root)
    assert result.code == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_root_flag_allows_another_folder(tmp_path: Path) -> None:
    result = run_cli("run", "document", SAAS, "--root", str(GOLDEN), "--json", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert result.json()["path"] == str(GOLDEN / SAAS)


# -- LLM path against the loopback server ---------------------------------------------------------
def schema_name(body: dict[str, Any]) -> str:
    fmt = body.get("response_format") or {}
    if fmt.get("type") == "json_schema":
        return fmt["json_schema"]["name"]
    tools = body.get("tools") or [{}]
    return tools[0].get("function", {}).get("name", "")


def lying_llm(body: dict[str, Any]) -> dict[str, Any]:
    """Right where the text says so, made up elsewhere: grounding must keep only the former."""
    name = schema_name(body)
    if name == "DetectAnswer":
        return {"doc_type": "contract", "confidence": 0.93, "language": "en"}
    if name == "ContractFields":
        return {
            "parties": [
                {"value": "Brightline Software Inc.", "quote": "Brightline Software Inc."},
                {"value": "Harbor Freight Logistics LLC", "quote": "Harbor Freight Logistics LLC"},
            ],
            "effective_date": {"value": "2025-01-15", "quote": "as of January 15, 2025"},
            "total_value": {"value": "99000 USD", "quote": "USD 99,000.00"},  # made up
            "governing_law": {"value": "Delaware", "quote": "the laws of the State of Delaware"},  # made up
            "expiration_date": {
                "value": "2027-01-15",
                "quote": "January 15, 2025",
            },  # contradicted by its quote
            "renewal": {"value": "automatic", "quote": "shall automatically renew for successive periods"},
        }
    if name == "ClausesRisksAnswer":
        return {
            "clauses": [
                {
                    "type": "Governing Law",
                    "quote": "This Agreement shall be governed by and construed in "
                    "accordance with the laws of the State of New York",
                }
            ],
            "risks": [
                {
                    "type": "penalties",
                    "severity": "high",
                    "quote": "a penalty of 50% of all fees",
                    "explanation": "x",
                },
                {
                    "type": "auto_renewal",
                    "severity": "medium",
                    "explanation": "renews",
                    "quote": "this Agreement shall automatically renew for successive periods of "
                    "twelve (12) months",
                },
            ],
        }
    return {"summary": "A twelve-month SaaS subscription that renews automatically."}


def test_llm_values_not_in_the_text_are_dropped(fake_openai) -> None:
    fake_openai.responder = lying_llm
    settings = openai_settings(fake_openai)
    result = run_agent("document", SAAS, settings, {"root": str(GOLDEN)}, log=False)
    assert result["provider"] == "openai" and result["degraded"] is False
    assert result["llm_calls"] == 4 and result["usage"]["input_tokens"] > 0
    fields = result["fields"]
    assert set(fields) == {"parties", "effective_date", "renewal"}
    assert fields["effective_date"]["text"] == "January 15, 2025"
    assert fields["renewal"]["text"] == "automatically renew"
    assert "ungrounded_dropped:4" in result["flags"] and result["ungrounded_dropped"] == 4
    assert [c["type"] for c in result["clauses"]] == ["governing_law"]
    kinds = {r["type"] for r in result["risks"]}
    assert "penalties" not in kinds and {"auto_renewal", "missing_liability_cap"} <= kinds
    assert result["summary"] == "A twelve-month SaaS subscription that renews automatically."
    names = [schema_name(body) for body in fake_openai.requests]
    assert names == ["DetectAnswer", "ContractFields", "ClausesRisksAnswer", "SummaryAnswer"]
    prompt = fake_openai.requests[1]["messages"][0]["content"]
    assert "exact words of the document" in prompt and "- liability_cap:" in prompt


def test_llm_down_fails_over_to_offline_through_the_cli(fake_openai) -> None:
    fake_openai.enqueue("500", times=50)
    env = openai_env(fake_openai, AGENTOPS_RESILIENCE__MAX_ATTEMPTS="1")
    result = run_cli("run", "document", SAAS, "--json", cwd=GOLDEN, env=env)
    assert result.code == 0, result.stderr
    data = result.json()
    assert data["degraded"] is True and "degraded" in data["flags"]
    assert data["fields"]["total_value"]["value"] == {"amount": 84000.0, "currency": "USD"}
    no_failover = run_cli("run", "document", SAAS, "--no-failover", "--json", cwd=GOLDEN, env=env)
    assert no_failover.code == 3 and no_failover.stdout == ""
