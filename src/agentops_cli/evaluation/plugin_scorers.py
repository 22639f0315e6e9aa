"""Scorers from outside: ``--scorer python:MODULE:FN``, the entry-point group ``agentops.scorers``
and LLM-judge rubrics in YAML (``--scorer rubric:FILE.yaml``).

Same contract as the built-ins: a scorer returns a :class:`ScoreRecord` (``value`` in [0, 1]
or None, ``passed`` or None, ``reason``). A plugin function ``fn(example, output)`` may return
a ScoreRecord, a dict with those keys, a bool (passed) or a number (value). Its metric is
``<name>_score`` (the mean of the values). The scorer's name (the spec) is stored with the run,
so ``--resume`` and ``eval show`` load it again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agentops_cli.errors import BadInput
from agentops_cli.evaluation.models import Example, ScoreRecord
from agentops_cli.evaluation.scorers import SCORERS, Mean, Scorer, register

ENTRY_POINT_GROUP = "agentops.scorers"


def as_record(value: Any) -> ScoreRecord:
    """A plugin's return value in the scorer contract."""
    if isinstance(value, ScoreRecord):
        return value
    if isinstance(value, dict):
        return ScoreRecord.model_validate(value)
    if isinstance(value, bool):
        return ScoreRecord(value=float(value), passed=value)
    if isinstance(value, int | float):
        return ScoreRecord(value=float(value))
    raise TypeError(f"a scorer returns a ScoreRecord, a dict, a bool or a number, not {type(value).__name__}")


def from_function(name: str, fn: Any, metric: str) -> Scorer:
    def score(ex: Example, out: dict[str, Any]) -> ScoreRecord:
        return as_record(fn(ex, out))

    description = (getattr(fn, "__doc__", None) or "plugin scorer").strip().splitlines()[0]
    return Scorer(name, description, lambda ex: True, score, lambda: Mean(metric))


def _entry_points() -> dict[str, Any]:
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def load(name: str) -> Scorer | None:
    """The scorer ``name`` spells (python:, rubric:, an installed plugin), registered; None if none."""
    if name in SCORERS:
        return SCORERS[name]
    if name.startswith("python:"):
        from agentops_cli.agents.targets.python_target import load_object

        fn = load_object(f"scorer {name}", name.removeprefix("python:"), "scorer")
        scorer = from_function(name, fn, f"{name.rsplit(':', 1)[-1]}_score")
    elif name.startswith("rubric:"):
        from agentops_cli.evaluation.judge import rubric_scorer

        scorer = rubric_scorer(name, Path(name.removeprefix("rubric:")))
    else:
        ep = _entry_points().get(name)
        if ep is None:
            return None
        try:
            obj = ep.load()
        except Exception as exc:
            raise BadInput(
                f"--scorer {name}: cannot load plugin {ep.value}: {type(exc).__name__}: {exc}"
            ) from exc
        scorer = obj if isinstance(obj, Scorer) else from_function(name, obj, f"{name}_score")
    if not callable(scorer.score):
        raise BadInput(f"--scorer {name}: not callable")
    register(scorer)
    return scorer


def ensure(names: list[str]) -> None:
    """Load every plugin scorer a stored run names (resume, ``eval show``, compare)."""
    for name in names:
        load(name.lstrip("+"))
