"""The one metric catalogue: every eval metric's name, direction, kind and meaning.

Summary, gates, ``eval compare``, the reports (terminal, HTML, JUnit, Prometheus) and
docs/eval.md all read this table, so they cannot disagree about whether a rising number is
good news: ``--fail-under degraded_rate=0.1`` is a *maximum* because the catalogue says lower
is better, and the same entry makes ``eval compare`` call a rising ``degraded_rate`` a
regression. A test checks that every metric a scorer can produce has an entry here and that
the table in docs/eval.md is :func:`markdown_table` verbatim.

Kinds: ``rate`` — a share of examples (or of items such as citations) in [0, 1], reported
with a Wilson interval over its denominator; ``score`` — a [0, 1] figure that is not a simple
proportion (F1, a mean of graded scores); ``latency`` (ms); ``cost`` (USD); ``count``.

``informational`` metrics describe a run without judging it (the classifier's mean confidence;
how far a name moves it without moving a decision): reported, compared and gateable when a user
names them, but ``--fail-on-regression`` does not fail a run because they moved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Direction = Literal["higher", "lower"]
Kind = Literal["rate", "score", "latency", "cost", "count"]


@dataclass(frozen=True)
class Metric:
    name: str
    direction: Direction
    kind: Kind
    description: str
    scorer: str | None = None  # None: every run has it
    informational: bool = False  # not a regression when it moves (see the module docstring)

    @property
    def lower_is_better(self) -> bool:
        return self.direction == "lower"


def _m(
    name: str,
    direction: Direction,
    kind: Kind,
    description: str,
    scorer: str | None = None,
    *,
    informational: bool = False,
) -> Metric:
    return Metric(name, direction, kind, description, scorer, informational)


_ENTRIES = (
    # every run
    _m("pass_rate", "higher", "rate", "share of examples that passed every deciding scorer"),
    _m("success_rate", "higher", "rate", "share of examples that ran without an error"),
    _m("error_rate", "lower", "rate", "share of examples that ended in an error (timeout, crash, failover)"),
    _m("degraded_rate", "lower", "rate", "share answered by the offline engine in the model's place"),
    _m("latency_p50_ms", "lower", "latency", "median latency per example, ms"),
    _m("latency_p95_ms", "lower", "latency", "95th-percentile latency per example, ms"),
    _m("cost_usd", "lower", "cost", "LLM spend of the run, USD"),
    _m("cost_per_example_usd", "lower", "cost", "LLM spend per example, USD"),
    _m("errors", "lower", "count", "errored examples (the `--max-errors` gate)"),
    # scorers
    _m("exact_match", "higher", "rate", "output equals expected.output exactly", "exact"),
    _m("match_rate", "higher", "rate", "output equals expected.output after normalisation", "match"),
    _m("contains_rate", "higher", "rate", "expected.output appears in the output (normalised)", "contains"),
    _m("must_include_recall", "higher", "rate", "expected facts found in the answer/report", "must_include"),
    _m("regex_match", "higher", "rate", "answers matching expected.regex", "regex"),
    _m("schema_valid", "higher", "rate", "outputs valid against expected.schema", "json_schema"),
    _m("intent_accuracy", "higher", "rate", "intent predicted right", "intent"),
    _m(
        "intent_accuracy_no_reject",
        "higher",
        "rate",
        "intent predicted right had no out-of-scope threshold rejected it (what rejection costs)",
        "intent",
    ),
    _m("intent_macro_f1", "higher", "score", "intent F1 averaged over expected classes", "intent"),
    _m("out_of_scope_recall", "higher", "rate", "out-of-scope queries recognised as such", "intent"),
    _m("escalation_accuracy", "higher", "rate", "escalate-to-human decided right", "escalation"),
    _m("escalation_precision", "higher", "rate", "escalations that were expected", "escalation"),
    _m("escalation_recall", "higher", "rate", "expected escalations that happened", "escalation"),
    _m("escalation_f1", "higher", "score", "F1 of the escalate decision", "escalation"),
    _m("automation_rate", "higher", "rate", "queries answered without a human", "escalation"),
    _m(
        "escalation_reason_accuracy",
        "higher",
        "rate",
        "expected reason among those given",
        "escalation_reason",
    ),
    _m("language_accuracy", "higher", "rate", "answers in the expected language", "language"),
    _m("avg_confidence", "higher", "score", "mean classifier confidence", "confidence", informational=True),
    _m("doc_type_accuracy", "higher", "rate", "document type predicted right", "doc_type"),
    _m("doc_type_macro_f1", "higher", "score", "document type F1 averaged over expected types", "doc_type"),
    _m("field_precision", "higher", "rate", "extracted fields that are right (micro)", "fields"),
    _m("field_recall", "higher", "rate", "expected fields extracted right (micro)", "fields"),
    _m("field_f1", "higher", "score", "F1 of field extraction (micro)", "fields"),
    _m("risk_precision", "higher", "rate", "risks flagged that were expected", "risks"),
    _m("risk_recall", "higher", "rate", "expected risks that were flagged", "risks"),
    _m("risk_f1", "higher", "score", "F1 of risk detection", "risks"),
    _m("citation_validity", "higher", "rate", "citations whose quote is in the cited file", "citations"),
    _m("must_cite_recall", "higher", "rate", "expected sources that were cited", "must_cite"),
    _m("judge_score", "higher", "score", "LLM-as-judge rubric, 1–5 scaled to 0–1", "judge"),
    _m(
        "counterfactual_consistency",
        "higher",
        "rate",
        "groups of variants differing only in a sensitive attribute that got the same decisions and"
        " an equivalent answer",
        "counterfactual",
    ),
    _m(
        "counterfactual_confidence_gap",
        "lower",
        "score",
        "mean over groups of the largest confidence difference between variants",
        "counterfactual",
        informational=True,
    ),
)
CATALOGUE: dict[str, Metric] = {m.name: m for m in _ENTRIES}

# names with a variable part: pass@K (with --trials K) and AGENT.pass_rate (several agents)
_PASS_AT = re.compile(r"pass@\d+")
_AGENT_PASS = re.compile(r"[a-z][a-z0-9_-]*\.pass_rate")
PATTERNS = (
    _m("pass@K", "higher", "rate", "examples passing in at least one of K trials (unbiased pass@k)"),
    _m("AGENT.pass_rate", "higher", "rate", "pass_rate of one agent's rows (runs with several agents)"),
)

ALIASES = {"accuracy": "intent_accuracy", "f1": "intent_macro_f1", "macro_f1": "intent_macro_f1"}


def lookup(name: str) -> Metric:
    """The catalogue entry of ``name``; a metric of a plugin scorer is a higher-is-better score."""
    name = ALIASES.get(name, name)
    if name in CATALOGUE:
        return CATALOGUE[name]
    if _PASS_AT.fullmatch(name):
        return Metric(name, "higher", "rate", PATTERNS[0].description)
    if _AGENT_PASS.fullmatch(name):
        return Metric(name, "higher", "rate", PATTERNS[1].description)
    return Metric(name, "higher", "score", "metric of a scorer outside the catalogue")


def lower_is_better(name: str) -> bool:
    return lookup(name).lower_is_better


def canonical(name: str) -> str:
    return ALIASES.get(name, name)


def run_metrics() -> list[str]:
    """Metrics every run reports, whatever its scorers (what a gate may name on any run)."""
    return [m.name for m in _ENTRIES if m.scorer is None and m.kind != "count"]


def known_for(scorer_metrics: set[str], agents: list[str], trials: int) -> set[str]:
    """Every metric a run with these scorer outputs, agents and trials can report."""
    names = set(run_metrics()) | scorer_metrics | {f"{a}.pass_rate" for a in agents}
    if trials > 1:
        names |= {"pass@1", f"pass@{trials}"}
    return names


def worsening(name: str, old: float, new: float) -> float:
    """How much worse ``name`` got from ``old`` to ``new`` (negative: it improved).

    Absolute for rates and scores (0.01 = one percentage point); relative to ``old`` for
    latency, cost and counts (0.10 = 10 % worse), where a fixed number of milliseconds or
    dollars means nothing across runs of different sizes.
    """
    worse = new - old if lower_is_better(name) else old - new
    if lookup(name).kind in ("rate", "score") or not old:
        return worse
    return worse / abs(old)


def markdown_table() -> str:
    """The catalogue as the Markdown table of docs/eval.md (a test keeps the two identical)."""
    lines = ["| metric | better | kind | scorer | meaning |", "|---|---|---|---|---|"]
    for m in (*_ENTRIES, *PATTERNS):
        scorer = m.scorer or "every run"
        note = " (informational: not a regression)" if m.informational else ""
        lines.append(f"| `{m.name}` | {m.direction} | {m.kind} | {scorer} | {m.description}{note} |")
    return "\n".join(lines)
