"""LLM-as-judge rubric scorer — only when an LLM is configured (``--scorer judge``).

Judges are flaky when they sample; this one runs at the configured temperature
(0 by default), goes through the response cache (so re-runs agree with themselves) and
its verdict is informational unless the row gives a ``rubric`` and ``judge_min`` score.
When the LLM fails over to offline the verdict is dropped (``value=None``), never guessed.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from agentops_cli.evaluation.models import Example, ScoreRecord
from agentops_cli.evaluation.scorers import Mean, Scorer, output_text

DEFAULT_RUBRICS = {
    "support": "The answer addresses the customer's request correctly, politely and only with facts "
    "from the knowledge base; it escalates when a human is needed.",
    "document": "The analysis identifies the document type, the key fields and the real risks, "
    "without inventing facts absent from the document.",
    "research": "The report answers the question, every claim is supported by a numbered citation, "
    "and nothing contradicts the sources.",
}

_settings: Any = None


class Verdict(BaseModel):
    score: int = Field(..., ge=1, le=5)
    reasoning: str = ""


def configure(settings: Any) -> None:
    """The runner hands the judge its settings once per run (scorers take no settings)."""
    global _settings
    _settings = settings


def score_judge(ex: Example, out: dict[str, Any]) -> ScoreRecord:
    from agentops_cli.llm.factory import make_llm

    if _settings is None:
        return ScoreRecord(value=None, reason="judge not configured")
    llm = make_llm(_settings, "judge")
    rubric = str(ex.expected.get("rubric") or DEFAULT_RUBRICS.get(ex.agent, DEFAULT_RUBRICS["support"]))
    verdict = llm.structured(
        Verdict,
        prompt="eval/judge",
        variables={
            "agent": ex.agent,
            "rubric": rubric,
            "input": ex.input[:4000],
            "expected": json.dumps(ex.expected, ensure_ascii=False)[:2000],
            "output": output_text(out)[:6000],
        },
        offline=lambda: Verdict(score=1, reasoning="judge unavailable"),
    )
    if llm.degraded:
        return ScoreRecord(value=None, reason="judge unavailable (failover)")
    minimum = ex.expected.get("judge_min")
    passed = None if minimum is None else verdict.score >= int(minimum)
    return ScoreRecord(value=(verdict.score - 1) / 4, passed=passed, reason=verdict.reasoning[:200])


JUDGE = Scorer(
    "judge",
    "LLM-as-judge rubric score (1-5 scaled to 0-1); needs an LLM",
    lambda ex: True,
    score_judge,
    lambda: Mean("judge_score"),
    needs_llm=True,
)


def rubric_scorer(name: str, path: Any) -> Scorer:
    """An LLM-judge scorer from a YAML file: ``rubric``, ``scale`` [lo, hi], ``pass_mark``, ``model``.

    Judged through the one LLM factory, so answers go through the response cache (a re-run
    agrees with itself) and usage/cost are the factory's. The value is the score scaled to
    [0, 1]; ``passed`` is ``score >= pass_mark`` (None without a pass mark). A failover
    verdict is dropped (value None), never guessed.
    """
    import yaml
    from pydantic import ValidationError, create_model

    from agentops_cli.errors import BadInput

    class RubricFile(BaseModel):
        model_config = {"extra": "forbid"}
        rubric: str
        scale: tuple[int, int] = (1, 5)
        pass_mark: float | None = None
        model: str | None = None
        name: str | None = None

    try:
        spec = RubricFile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    except OSError as exc:
        raise BadInput(f"--scorer {name}: cannot read {path} ({exc.strerror})") from exc
    except (yaml.YAMLError, ValidationError) as exc:
        raise BadInput(f"--scorer {name}: {path}: {str(exc).splitlines()[0]}") from exc
    low, high = spec.scale
    if high <= low:
        raise BadInput(f"--scorer {name}: {path}: scale must be [low, high] with low < high")
    verdict_model = create_model(
        "RubricVerdict", score=(int, Field(..., ge=low, le=high)), reasoning=(str, "")
    )

    def score(ex: Example, out: dict[str, Any]) -> ScoreRecord:
        from agentops_cli.llm.factory import make_llm

        if _settings is None:
            return ScoreRecord(value=None, reason="judge not configured")
        settings = _settings
        if spec.model:
            models = {**settings.llm.agent_models, "judge": spec.model}
            settings = settings.model_copy(
                update={"llm": settings.llm.model_copy(update={"agent_models": models})}
            )
        llm = make_llm(settings, "judge")
        verdict = llm.structured(
            verdict_model,
            prompt="eval/judge",
            variables={
                "agent": ex.agent,
                "rubric": f"{spec.rubric}\n(Score from {low} to {high}.)",
                "input": ex.input[:4000],
                "expected": json.dumps(ex.expected, ensure_ascii=False)[:2000],
                "output": output_text(out)[:6000],
            },
            offline=lambda: verdict_model(score=low, reasoning="judge unavailable"),
        )
        if llm.degraded:
            return ScoreRecord(value=None, reason="judge unavailable (failover)")
        passed = None if spec.pass_mark is None else verdict.score >= spec.pass_mark
        return ScoreRecord(
            value=(verdict.score - low) / (high - low), passed=passed, reason=verdict.reasoning[:200]
        )

    metric = f"{spec.name or path.stem}_rubric_score"
    return Scorer(
        name, f"LLM-judge rubric {path.name}", lambda ex: True, score, lambda: Mean(metric), needs_llm=True
    )
