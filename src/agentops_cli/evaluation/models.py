"""The shapes that cross module boundaries in an eval: rows in, results and summaries out.

Rows are validated once, at load time, so the runner and the scorers can trust them;
results are what ``results.jsonl`` holds (one per finished example and trial), and the
summary is a fold over those results — which is why a resumed run and a fresh run give
the same numbers.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from agentops_cli.llm.usage import Usage


class Example(BaseModel):
    """One validated dataset row, plus where it came from (for ``file:line`` messages)."""

    model_config = ConfigDict(frozen=True)

    id: str
    agent: str
    input: str
    expected: dict[str, Any] = Field(default_factory=dict)
    tags: list[str] = Field(default_factory=list)
    where: str = ""
    options: dict[str, Any] = Field(default_factory=dict, description="agent options (pack, root, corpus)")
    data: Any = Field(None, description="the row's input when it is an object (``input`` holds its JSON)")

    def payload(self) -> Any:
        """What the agent gets: the row's object input, else its text."""
        return self.input if self.data is None else self.data

    def key(self, trial: int) -> str:
        """The identity of one attempt in the store: the id, plus the trial when there are several."""
        return f"{self.id}#{trial}"


class ScoreRecord(BaseModel):
    """What one scorer said about one example.

    ``value`` is the score in [0, 1] (``None``: not applicable); ``passed`` decides the
    example's pass/fail when it is not ``None`` (informational scorers leave it ``None``);
    ``data`` carries what the scorer's aggregate needs (labels, tp/fp/fn counts).
    """

    value: float | None = None
    passed: bool | None = None
    reason: str = ""
    data: dict[str, Any] = Field(default_factory=dict)


FORMAT_VERSION = 1  # of results.jsonl lines and summary.json; bump on an incompatible change


class ExampleResult(BaseModel):
    """One line of ``results.jsonl``: an example's attempt, its output and its scores."""

    format_version: int = FORMAT_VERSION
    key: str
    id: str
    trial: int = 0
    agent: str
    tags: list[str] = Field(default_factory=list)
    input: str = ""
    expected: dict[str, Any] = Field(default_factory=dict)
    output: dict[str, Any] | None = None
    provider: str = ""
    model: str = ""
    degraded: bool = False
    latency_ms: float = 0.0
    usage: Usage = Field(default_factory=Usage)
    cost_usd: float = 0.0
    error: str | None = None
    scores: dict[str, ScoreRecord] = Field(default_factory=dict)
    passed: bool = False
    reasons: list[str] = Field(default_factory=list)
    transcript: dict[str, Any] | None = Field(
        None, exclude=True, description="steps of this attempt; the store writes them to transcripts.jsonl"
    )


class GateResult(BaseModel):
    metric: str
    threshold: float
    value: float | None
    passed: bool
    source: str = Field("flag", description="flag | config | max_errors")
    bound: str = Field("min", description="min: the metric must reach it; max: must not exceed it")


class RunMeta(BaseModel):
    """What a run was asked to do, saved first so ``--resume`` can rebuild the same selection."""

    run_id: str
    dataset: str
    dataset_label: str
    agent: str | None = None
    pack: str | None = None
    tags: list[str] = Field(default_factory=list)
    limit: int | None = None
    sample: int | None = None
    seed: int = 0
    mapping: dict[str, str] = Field(default_factory=dict)
    scorers: list[str] = Field(default_factory=list)
    trials: int = 1
    provider: str = "offline"
    model: str = "offline"
    provider_spec: str | None = None
    base_url: str | None = None
    created_at: str = ""
    fingerprint: str = ""
    target: str | None = Field(None, description="--target SPEC of the run (kept for --resume)")
    rows_fingerprint: str = Field("", description="hash of every row's id, agent, input, expected, tags")
    shard: str | None = Field(None, description="--shard I/N of the run; None for a whole run")
    merged_from: list[str] = Field(default_factory=list, description="shard runs `eval merge` joined")


class RunSummary(BaseModel):
    """``summary.json`` and the ``--json`` document of ``agentops eval`` (contract keys first)."""

    run_id: str
    dataset: str
    agents: list[str]
    provider: str
    model: str
    n: int
    errors: int
    metrics: dict[str, float | None]
    latency_ms: dict[str, float]
    usage: Usage
    cost_usd: float
    passed: bool
    gates: list[GateResult] = Field(default_factory=list)
    examples: int = 0
    trials: int = 1
    metrics_ci: dict[str, list[float]] = Field(
        default_factory=dict, description="95 % t-interval across trials (--trials K > 1)"
    )
    metrics_interval: dict[str, list[float]] = Field(
        default_factory=dict,
        description="95 % Wilson interval of every rate over its examples, widened by the trial spread",
    )
    metrics_interval_n: dict[str, int] = Field(
        default_factory=dict, description="how many examples (or items) each interval is over"
    )
    confusion: dict[str, Any] | None = None
    counterfactual: dict[str, Any] | None = Field(
        None,
        description="counterfactual groups: {groups, consistent, inconsistent: [{group, attribute, ids,"
        " differs, confidence_gap}], errored: [groups whose variants all errored alike]}",
    )
    degraded: int = 0
    complete: bool = True
    stopped_reason: str | None = None
    started_at: str = ""
    duration_s: float = 0.0
    examples_per_s: float = 0.0
    run_dir: str = ""
    reports: dict[str, str] = Field(default_factory=dict)
    baseline: dict[str, Any] | None = None
    regression: dict[str, Any] | None = Field(
        None, description="--fail-on-regression verdict against the baseline (passed, reasons, tolerance)"
    )
    shard: str | None = Field(None, description="I/N for one shard of a run (not gated; merge the shards)")
    merged_from: list[str] = Field(default_factory=list, description="the shard runs this run merges")
    format_version: int = FORMAT_VERSION
