"""Plan step edge cases when a model answers: too many sub-questions, or none at all."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from agentops_cli.agents.research import service
from agentops_cli.agents.research.schemas import ResearchDraft, ResearchNotes, ResearchPlan
from agentops_cli.config import load_settings
from agentops_cli.llm.base import AgentLLM, CallRecord


class ScriptedModel:
    """A stand-in model answering each schema from a script (the HTTP path is tested elsewhere)."""

    provider = "openai"

    def __init__(self, plan: list[str]) -> None:
        self.plan = plan

    def structured(self, schema: type[BaseModel], **kwargs: Any) -> tuple[BaseModel, CallRecord]:
        record = CallRecord(name=kwargs["name"], provider="openai", model="scripted")
        if schema is ResearchPlan:
            return ResearchPlan(subquestions=self.plan), record
        if schema is ResearchNotes:
            return ResearchNotes(), record
        return ResearchDraft(title="Empty"), record


def run(plan: list[str]) -> Any:
    settings = load_settings(None, {"research.max_subquestions": 2}, dotenv_path=None).settings
    llm = AgentLLM(agent="research", provider="openai", model="scripted", backend=ScriptedModel(plan))  # type: ignore[arg-type]
    return service.run("How large is the AP automation market?", llm=llm, settings=settings, options={})


def test_too_many_subquestions_are_capped_and_flagged() -> None:
    out = run(["Market size?", "Market size?", "Growth?", "Leaders?", " "])
    assert out.plan == ["Market size?", "Growth?"]
    assert out.flags == ["budget_exhausted:max_subquestions"]
    assert out.citations == [] and "No verified sources." in out.report


def test_an_empty_plan_falls_back_to_the_offline_planner() -> None:
    out = run([])
    assert out.plan[0] == "How large is the market for AP automation and how fast is it growing?"
    assert "plan_fallback:offline" in out.flags
