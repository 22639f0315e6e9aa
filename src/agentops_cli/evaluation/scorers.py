"""Scorers: small, named, composable judges of one example, each with its own aggregate.

A scorer looks at one example's expectation and the agent's output and returns a
:class:`ScoreRecord`. It never sees the rest of the run: run-level metrics (macro-F1,
precision/recall, means) come from the scorer's *aggregate*, which folds the stored
records — so metrics can be recomputed from ``results.jsonl`` at any time (resume,
``eval show``, ``eval compare``) without re-running anything.

Scorers only apply when the row carries what they need (``expected.intent``,
``expected.must_cite``…), so one default set per agent serves every dataset.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from agentops_cli.evaluation.models import Example, ScoreRecord
from agentops_cli.evaluation.normalize import field_items, items_match, norm_text

OUT_OF_SCOPE = "out_of_scope"


# -- aggregates: fold records into metrics -------------------------------------------------------
class Aggregate:
    """Folds one scorer's records into named metrics; small state, so memory stays flat."""

    def update(self, record: ScoreRecord) -> None:
        raise NotImplementedError

    def values(self) -> dict[str, float | None]:
        raise NotImplementedError

    def denominators(self) -> dict[str, int]:
        """How many examples (or items) each proportion in :meth:`values` is a share of.

        The summary turns these into Wilson intervals; a metric missing here gets none.
        """
        return {}


@dataclass
class Mean(Aggregate):
    """Mean of ``value`` over the examples the scorer applied to."""

    metric: str
    total: float = 0.0
    count: int = 0

    def update(self, record: ScoreRecord) -> None:
        if record.value is not None:
            self.total += record.value
            self.count += 1

    def values(self) -> dict[str, float | None]:
        return {self.metric: self.total / self.count if self.count else None}

    def denominators(self) -> dict[str, int]:
        return {self.metric: self.count}


@dataclass
class MicroRatio(Aggregate):
    """``sum(hit) / sum(total)`` from ``data`` — e.g. valid citations over all citations."""

    metric: str
    hit: int = 0
    total: int = 0

    def update(self, record: ScoreRecord) -> None:
        self.hit += int(record.data.get("hit", 0))
        self.total += int(record.data.get("total", 0))

    def values(self) -> dict[str, float | None]:
        return {self.metric: self.hit / self.total if self.total else None}

    def denominators(self) -> dict[str, int]:
        return {self.metric: self.total}


def prf(tp: int, fp: int, fn: int) -> tuple[float | None, float | None, float | None]:
    """Precision, recall, F1; ``None`` where the denominator is empty (undefined, not zero)."""
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    if precision is None or recall is None:
        f1 = None
    else:
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@dataclass
class MicroPRF(Aggregate):
    """Micro precision/recall/F1 from per-example ``tp``/``fp``/``fn`` counts."""

    prefix: str
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def update(self, record: ScoreRecord) -> None:
        self.tp += int(record.data.get("tp", 0))
        self.fp += int(record.data.get("fp", 0))
        self.fn += int(record.data.get("fn", 0))

    def values(self) -> dict[str, float | None]:
        p, r, f = prf(self.tp, self.fp, self.fn)
        return {f"{self.prefix}_precision": p, f"{self.prefix}_recall": r, f"{self.prefix}_f1": f}

    def denominators(self) -> dict[str, int]:
        return {f"{self.prefix}_precision": self.tp + self.fp, f"{self.prefix}_recall": self.tp + self.fn}


@dataclass
class Binary(Aggregate):
    """A yes/no decision (escalate?) scored as precision/recall/F1 of the positive class."""

    prefix: str
    counts: Counter = field(default_factory=Counter)

    def update(self, record: ScoreRecord) -> None:
        gold, pred = record.data.get("gold"), record.data.get("pred")
        if gold is None:
            return
        self.counts[(bool(gold), bool(pred))] += 1

    def values(self) -> dict[str, float | None]:
        c = self.counts
        tp, fp, fn, tn = c[(True, True)], c[(False, True)], c[(True, False)], c[(False, False)]
        p, r, f = prf(tp, fp, fn)
        n = tp + fp + fn + tn
        return {
            f"{self.prefix}_accuracy": (tp + tn) / n if n else None,
            f"{self.prefix}_precision": p,
            f"{self.prefix}_recall": r,
            f"{self.prefix}_f1": f,
            "automation_rate": (fn + tn) / n if n else None,
        }

    def denominators(self) -> dict[str, int]:
        c = self.counts
        tp, fp, fn = c[(True, True)], c[(False, True)], c[(True, False)]
        n = sum(c.values())
        return {
            f"{self.prefix}_accuracy": n,
            f"{self.prefix}_precision": tp + fp,
            f"{self.prefix}_recall": tp + fn,
            "automation_rate": n,
        }


@dataclass
class Confusion(Aggregate):
    """Labels predicted vs expected: accuracy, macro-F1, out-of-scope recall, and the matrix."""

    prefix: str
    pairs: Counter = field(default_factory=Counter)
    correct_no_reject: int = 0

    def update(self, record: ScoreRecord) -> None:
        gold = record.data.get("gold")
        if gold is not None:
            pred = str(record.data.get("pred"))
            self.pairs[(str(gold), pred)] += 1
            self.correct_no_reject += str(gold) == str(record.data.get("no_reject", pred))

    def labels(self) -> list[str]:
        return sorted({g for g, _ in self.pairs} | {p for _, p in self.pairs})

    def values(self) -> dict[str, float | None]:
        n = sum(self.pairs.values())
        if not n:
            empty: dict[str, float | None] = {
                f"{self.prefix}_accuracy": None,
                f"{self.prefix}_macro_f1": None,
            }
            if self.prefix == "intent":
                empty["out_of_scope_recall"] = None
                empty["intent_accuracy_no_reject"] = None
            return empty
        correct = sum(v for (g, p), v in self.pairs.items() if g == p)
        gold_labels = sorted({g for g, _ in self.pairs})
        f1s = []
        for label in gold_labels:  # macro over expected classes (sklearn's default counts pred-only too)
            tp = self.pairs[(label, label)]
            fp = sum(v for (g, p), v in self.pairs.items() if p == label and g != label)
            fn = sum(v for (g, p), v in self.pairs.items() if g == label and p != label)
            f1s.append(prf(tp, fp, fn)[2] or 0.0)
        out: dict[str, float | None] = {
            f"{self.prefix}_accuracy": correct / n,
            f"{self.prefix}_macro_f1": sum(f1s) / len(f1s),
        }
        oos = sum(v for (g, _), v in self.pairs.items() if g == OUT_OF_SCOPE)
        if self.prefix == "intent":
            out["out_of_scope_recall"] = self.pairs[(OUT_OF_SCOPE, OUT_OF_SCOPE)] / oos if oos else None
            # Accuracy had nothing been rejected as out of scope by the confidence threshold.
            out["intent_accuracy_no_reject"] = self.correct_no_reject / n
        return out

    def denominators(self) -> dict[str, int]:
        out = {f"{self.prefix}_accuracy": sum(self.pairs.values())}
        if self.prefix == "intent":
            out["out_of_scope_recall"] = sum(v for (g, _), v in self.pairs.items() if g == OUT_OF_SCOPE)
        return out

    def matrix(self) -> dict[str, Any]:
        labels = self.labels()
        return {
            "labels": labels,
            "matrix": [[self.pairs[(g, p)] for p in labels] for g in labels],
        }


# -- scorers ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scorer:
    """A named judge: ``applies`` to a row, ``score`` one output, ``aggregate`` the records."""

    name: str
    description: str
    applies: Callable[[Example], bool]
    score: Callable[[Example, dict[str, Any]], ScoreRecord]
    aggregate: Callable[[], Aggregate]
    needs_llm: bool = False


def output_text(output: dict[str, Any]) -> str:
    """The free text of an output: a user agent's mapped ``output``, the answer, the report or the summary."""
    if "output" in output:
        return expected_text(output["output"])
    for key in ("answer", "report", "summary", "text"):
        if isinstance(output.get(key), str):
            return output[key]
    return json.dumps(output, ensure_ascii=False, default=str)


def expected_text(value: Any) -> str:
    """Text of an expected or produced value: strings as they are, anything else as canonical JSON."""
    return (
        value
        if isinstance(value, str)
        else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    )


def _has(key: str) -> Callable[[Example], bool]:
    return lambda ex: ex.expected.get(key) is not None


# generic --------------------------------------------------------------------------------------------
def score_exact(ex: Example, out: dict[str, Any]) -> ScoreRecord:
    ok = output_text(out).strip() == expected_text(ex.expected["output"]).strip()
    return ScoreRecord(value=float(ok), passed=ok, reason="" if ok else "output differs from expected")


def score_match(ex: Example, out: dict[str, Any]) -> ScoreRecord:
    ok = norm_text(output_text(out)) == norm_text(expected_text(ex.expected["output"]))
    return ScoreRecord(value=float(ok), passed=ok, reason="" if ok else "normalised output differs")


def score_contains(ex: Example, out: dict[str, Any]) -> ScoreRecord:
    ok = norm_text(expected_text(ex.expected["output"])) in norm_text(output_text(out))
    return ScoreRecord(value=float(ok), passed=ok, reason="" if ok else "expected output not contained")


def score_must_include(ex: Example, out: dict[str, Any]) -> ScoreRecord:
    text = norm_text(output_text(out))
    facts = [str(f) for f in ex.expected["must_include"]]
    missing = [f for f in facts if norm_text(f) not in text]
    hit = len(facts) - len(missing)
    return ScoreRecord(
        value=hit / len(facts) if facts else 1.0,
        passed=not missing,
        reason=f"missing: {', '.join(missing)}" if missing else "",
        data={"hit": hit, "total": len(facts)},
    )


def score_regex(ex: Example, out: dict[str, Any]) -> ScoreRecord:
    pattern = str(ex.expected["regex"])
    try:
        ok = re.search(pattern, output_text(out)) is not None
    except re.error as exc:
        return ScoreRecord(value=0.0, passed=False, reason=f"bad regex {pattern!r}: {exc}")
    return ScoreRecord(value=float(ok), passed=ok, reason="" if ok else f"no match for /{pattern}/")


def score_json_schema(ex: Example, out: dict[str, Any]) -> ScoreRecord:
    from agentops_cli.evaluation.jsonschema import validate

    problems = validate(out, ex.expected["schema"])
    ok = not problems
    return ScoreRecord(value=float(ok), passed=ok, reason="; ".join(problems[:3]))


# support ----------------------------------------------------------------------------------------------
def score_intent(ex: Example, out: dict[str, Any]) -> ScoreRecord:
    """Intent right or wrong; ``no_reject`` is the prediction before out-of-scope rejection
    (the support agent's ``rejected_intent``), so a run also shows what rejection costs."""
    gold, pred = ex.expected["intent"], out.get("intent")
    ok = gold == pred
    return ScoreRecord(
        value=float(ok),
        passed=ok,
        reason="" if ok else f"intent {pred} != {gold}",
        data={"gold": gold, "pred": pred, "no_reject": out.get("rejected_intent") or pred},
    )


def score_escalation(ex: Example, out: dict[str, Any]) -> ScoreRecord:
    gold, pred = bool(ex.expected["escalate"]), bool(out.get("escalate"))
    ok = gold == pred
    reason = "" if ok else ("escalated, expected not to" if pred else "not escalated, expected to")
    return ScoreRecord(value=float(ok), passed=ok, reason=reason, data={"gold": gold, "pred": pred})


def _reasons(value: Any) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, list):
        return {str(v) for v in value}
    return {part.strip() for part in str(value).replace(";", ",").split(",") if part.strip()}


def score_escalation_reason(ex: Example, out: dict[str, Any]) -> ScoreRecord:
    """The expected reason must be among the reasons the agent gave.

    Several reasons can hold at once (a human request that is also a complaint), and the
    agent reports the first by priority in ``escalation_reason`` and all of them in
    ``escalation_reasons``: the row passes when the expected one is among them. The metric
    (``escalation_reason_accuracy``) is stricter: the *first* reason must be the expected one.
    """
    gold = str(ex.expected["escalation_reason"])
    first = gold in _reasons(out.get("escalation_reason"))
    anywhere = first or gold in _reasons(out.get("escalation_reasons"))
    return ScoreRecord(
        value=float(first),
        passed=anywhere,
        reason="" if anywhere else f"reason {out.get('escalation_reason')} (expected {gold})",
    )


def score_language(ex: Example, out: dict[str, Any]) -> ScoreRecord:
    pred = out.get("language")
    if pred is None:
        return ScoreRecord(value=None)
    ok = str(pred) == str(ex.expected["language"])
    return ScoreRecord(value=float(ok), passed=None)


def score_confidence(ex: Example, out: dict[str, Any]) -> ScoreRecord:
    conf = out.get("confidence")
    return ScoreRecord(value=float(conf) if isinstance(conf, int | float) else None)


# document -----------------------------------------------------------------------------------------------
def score_doc_type(ex: Example, out: dict[str, Any]) -> ScoreRecord:
    gold, pred = ex.expected["doc_type"], out.get("doc_type")
    ok = gold == pred
    return ScoreRecord(
        value=float(ok),
        passed=ok,
        reason="" if ok else f"doc_type {pred} != {gold}",
        data={"gold": gold, "pred": pred},
    )


def field_counts(expected: dict[str, Any], predicted: dict[str, Any]) -> tuple[int, int, int, list[str]]:
    """Micro tp/fp/fn over (field, item) pairs after normalisation; list fields count per element."""
    tp = fp = fn = 0
    wrong: list[str] = []
    for name in sorted(set(expected) | set(predicted)):
        gold = field_items(name, expected.get(name))
        pred = field_items(name, predicted.get(name))
        unmatched = list(pred)
        for item in gold:
            hit = next((p for p in unmatched if items_match(name, item, p)), None)
            if hit is None:
                fn += 1
                wrong.append(name)
            else:
                tp += 1
                unmatched.remove(hit)
        fp += len(unmatched)
        if unmatched and name not in wrong:
            wrong.append(name)
    return tp, fp, fn, wrong


def score_fields(ex: Example, out: dict[str, Any]) -> ScoreRecord:
    predicted = out.get("fields") or {}
    tp, fp, fn, wrong = field_counts(ex.expected["fields"], predicted if isinstance(predicted, dict) else {})
    _, _, f1 = prf(tp, fp, fn)
    value = f1 if f1 is not None else float(fn == 0 and fp == 0)
    return ScoreRecord(
        value=value,
        passed=fn == 0,
        reason=f"fields wrong or missing: {', '.join(wrong)}" if fn or fp else "",
        data={"tp": tp, "fp": fp, "fn": fn},
    )


def score_risks(ex: Example, out: dict[str, Any]) -> ScoreRecord:
    gold = {str(r) for r in ex.expected["risks"]}
    pred = {str(r.get("type") if isinstance(r, dict) else r) for r in out.get("risks") or []}
    tp, fp, fn = len(gold & pred), len(pred - gold), len(gold - pred)
    missing = sorted(gold - pred)
    return ScoreRecord(
        value=tp / len(gold) if gold else float(not pred),
        passed=not missing,
        reason=f"risks missed: {', '.join(missing)}" if missing else "",
        data={"tp": tp, "fp": fp, "fn": fn},
    )


# research -------------------------------------------------------------------------------------------------
@cache
def _corpus_index(root: str) -> dict[str, Path]:
    base = Path(root)
    index: dict[str, Path] = {}
    if base.is_dir():
        for path in sorted(base.rglob("*")):
            if path.is_file():
                index.setdefault(path.name, path)
                index.setdefault(str(path.relative_to(base)), path)
    return index


@cache
def _source_text(path: Path) -> str:
    try:
        return norm_text(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return ""


def corpus_root(ex: Example) -> str:
    from agentops_cli.resources import datasets_dir

    return str(ex.options.get("corpus") or datasets_dir() / "corpus")


def _cited_sources(out: dict[str, Any]) -> list[str]:
    return [str(c.get("source", "")) for c in out.get("citations") or [] if isinstance(c, dict)]


def score_citations(ex: Example, out: dict[str, Any]) -> ScoreRecord:
    """Each citation must name a corpus file whose text really contains its quote (checked here)."""
    citations = [c for c in out.get("citations") or [] if isinstance(c, dict)]
    index = _corpus_index(corpus_root(ex))
    bad: list[str] = []
    for c in citations:
        source = str(c.get("source", ""))
        path = index.get(source) or index.get(Path(source).name)
        quote = norm_text(c.get("quote") or "")
        if path is None or not quote or quote not in _source_text(path):
            bad.append(f"[{c.get('n')}]")
    valid = len(citations) - len(bad)
    return ScoreRecord(
        value=valid / len(citations) if citations else None,
        passed=not bad,
        reason=f"unverifiable citations {' '.join(bad)}" if bad else "",
        data={"hit": valid, "total": len(citations)},
    )


def score_must_cite(ex: Example, out: dict[str, Any]) -> ScoreRecord:
    wanted = [str(s) for s in ex.expected["must_cite"]]
    cited = {Path(s).name for s in _cited_sources(out)} | set(_cited_sources(out))
    missing = [s for s in wanted if s not in cited and Path(s).name not in cited]
    hit = len(wanted) - len(missing)
    return ScoreRecord(
        value=hit / len(wanted) if wanted else 1.0,
        passed=not missing,
        reason=f"not cited: {', '.join(missing)}" if missing else "",
        data={"hit": hit, "total": len(wanted)},
    )


# counterfactual consistency ----------------------------------------------------------------------
# Two answers are "equivalent" when, once the attribute's own words are masked, they share this
# share of their words (Jaccard). A lexical proxy: it catches a different template, a refusal or an
# added condition (one clause changed in a 50-word answer is 0.8), not a change of tone in the same
# words; an LLM that paraphrases freely will be flagged (see docs/eval.md, "Bias").
ANSWER_OVERLAP = 0.9
DECISIONS = ("intent", "escalate")


def _masked_words(text: str, values: list[str]) -> frozenset[str]:
    masked = f" {norm_text(text)} "
    for value in sorted((norm_text(v) for v in values), key=len, reverse=True):
        if value:
            masked = masked.replace(f" {value} ", " ")
    return frozenset(masked.split())


def score_counterfactual(ex: Example, out: dict[str, Any]) -> ScoreRecord:
    """One variant's decisions and answer words, for the group fold.

    A row alone cannot be inconsistent, so it decides nothing (``passed`` is ``None``); the
    aggregate compares the variants of each group (the intent and escalation scorers already fail
    a variant whose decision is wrong). A user agent's mapped output object (``output:
    {intent: …, escalate: …, answer: …}``) is read like a built-in agent's output."""
    variant = ex.expected["counterfactual"]
    value = variant.get("value")
    values = [value] if isinstance(value, str) else [str(v) for v in value or []]
    fields = out["output"] if isinstance(out.get("output"), dict) else out
    confidence = fields.get("confidence")
    return ScoreRecord(
        data={
            "group": str(variant["group"]),
            "attribute": str(variant["attribute"]),
            "id": ex.id,
            **{key: fields.get(key) for key in DECISIONS if key in fields},
            "answer": sorted(_masked_words(output_text(fields), values)),
            "confidence": confidence if isinstance(confidence, int | float) else None,
        }
    )


def errored_counterfactual(ex_id: str, expected: dict[str, Any], error: str) -> ScoreRecord | None:
    """The record of a variant whose run failed, so its group still sees it: a content filter
    that trips on one name and not the others is exactly the unequal treatment the check is for.
    ``error`` keeps the error's type ("BadRequestError: 400 …" → "BadRequestError")."""
    variant = expected.get("counterfactual")
    if not isinstance(variant, dict) or variant.get("group") is None:
        return None
    return ScoreRecord(
        data={
            "group": str(variant["group"]),
            "attribute": str(variant.get("attribute")),
            "id": ex_id,
            "error": error.split(":", 1)[0].strip()[:80] or "error",
        }
    )


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


@dataclass
class CounterfactualGroups(Aggregate):
    """Groups the variants by ``group``: a group is consistent when every variant got the same
    decisions and equivalent answers. Groups of one variant (cut by ``--limit`` or a shard) are
    not comparable and not counted. Holds one small record per variant."""

    members: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def update(self, record: ScoreRecord) -> None:
        if record.data.get("group") is not None:
            self.members.setdefault(str(record.data["group"]), []).append(record.data)

    def verdicts(self) -> list[dict[str, Any]]:
        """Every comparable group, sorted: what differs between its variants (empty: consistent).

        A variant that errored while others answered differs (``differs.error: {id: type|None}``);
        when every variant errored alike the group is consistent but ``errored`` names it, so a
        reader sees that nothing was compared. Decisions and answers are compared among the
        variants that answered."""
        out = []
        for group in sorted(self.members):
            variants = sorted(self.members[group], key=lambda m: str(m.get("id")))
            if len(variants) < 2:
                continue
            differs: dict[str, dict[str, Any]] = {}
            errors = {str(v.get("id")): v.get("error") for v in variants}
            if len(set(errors.values())) > 1:
                differs["error"] = errors
            answered = [v for v in variants if v.get("error") is None]
            for key in DECISIONS:
                seen = {str(v.get("id")): v.get(key) for v in answered if key in v}
                if len({repr(x) for x in seen.values()}) > 1:
                    differs[key] = seen
            words = [frozenset(v.get("answer") or ()) for v in answered]
            pairs = [_overlap(a, b) for i, a in enumerate(words) for b in words[i + 1 :]]
            if pairs and min(pairs) < ANSWER_OVERLAP:
                differs["answer"] = {"min_overlap": round(min(pairs), 3)}
            confidences = [v["confidence"] for v in answered if v.get("confidence") is not None]
            verdict = {
                "group": group,
                "attribute": variants[0].get("attribute"),
                "ids": [str(v.get("id")) for v in variants],
                "differs": differs,
                "confidence_gap": round(max(confidences) - min(confidences), 4) if confidences else None,
            }
            if not answered:
                verdict["errored"] = True
            out.append(verdict)
        return out

    def values(self) -> dict[str, float | None]:
        verdicts = self.verdicts()
        gaps = [v["confidence_gap"] for v in verdicts if v["confidence_gap"] is not None]
        return {
            "counterfactual_consistency": (
                sum(not v["differs"] for v in verdicts) / len(verdicts) if verdicts else None
            ),
            "counterfactual_confidence_gap": sum(gaps) / len(gaps) if gaps else None,
        }

    def denominators(self) -> dict[str, int]:
        return {"counterfactual_consistency": len(self.verdicts())}


def _reason_applies(ex: Example) -> bool:
    return ex.expected.get("escalation_reason") is not None and bool(ex.expected.get("escalate"))


def _mean(metric: str) -> Callable[[], Aggregate]:
    return lambda: Mean(metric)


SCORERS: dict[str, Scorer] = {
    s.name: s
    for s in (
        Scorer(
            "exact",
            "output equals expected.output exactly",
            _has("output"),
            score_exact,
            _mean("exact_match"),
        ),
        Scorer(
            "match",
            "output equals expected.output after normalisation",
            _has("output"),
            score_match,
            _mean("match_rate"),
        ),
        Scorer(
            "contains",
            "expected.output appears in the output (normalised)",
            _has("output"),
            score_contains,
            _mean("contains_rate"),
        ),
        Scorer(
            "must_include",
            "every expected.must_include fact appears in the answer/report",
            _has("must_include"),
            score_must_include,
            lambda: MicroRatio("must_include_recall"),
        ),
        Scorer(
            "regex", "the answer matches expected.regex", _has("regex"), score_regex, _mean("regex_match")
        ),
        Scorer(
            "json_schema",
            "the output validates against expected.schema",
            _has("schema"),
            score_json_schema,
            _mean("schema_valid"),
        ),
        Scorer(
            "intent",
            "intent accuracy (also without out-of-scope rejection), macro-F1, out-of-scope recall,"
            " confusion matrix",
            _has("intent"),
            score_intent,
            lambda: Confusion("intent"),
        ),
        Scorer(
            "escalation",
            "escalate-to-human precision/recall/F1",
            _has("escalate"),
            score_escalation,
            lambda: Binary("escalation"),
        ),
        Scorer(
            "escalation_reason",
            "the expected escalation reason is among the given ones",
            _reason_applies,
            score_escalation_reason,
            _mean("escalation_reason_accuracy"),
        ),
        Scorer(
            "language",
            "answer language (when the agent reports one)",
            _has("language"),
            score_language,
            _mean("language_accuracy"),
        ),
        Scorer(
            "confidence",
            "mean confidence of the classifier",
            lambda ex: ex.agent == "support",
            score_confidence,
            _mean("avg_confidence"),
        ),
        Scorer(
            "doc_type",
            "document type accuracy",
            _has("doc_type"),
            score_doc_type,
            lambda: Confusion("doc_type"),
        ),
        Scorer(
            "fields",
            "field precision/recall/F1 with date, amount and name normalisation",
            _has("fields"),
            score_fields,
            lambda: MicroPRF("field"),
        ),
        Scorer("risks", "risk types found vs expected", _has("risks"), score_risks, lambda: MicroPRF("risk")),
        Scorer(
            "citations",
            "citation validity: the quote is really in the cited corpus file",
            lambda ex: ex.agent == "research",
            score_citations,
            lambda: MicroRatio("citation_validity"),
        ),
        Scorer(
            "must_cite",
            "recall of expected.must_cite sources",
            _has("must_cite"),
            score_must_cite,
            lambda: MicroRatio("must_cite_recall"),
        ),
        Scorer(
            "counterfactual",
            "variants differing only in a sensitive attribute get the same decisions and answer",
            _has("counterfactual"),
            score_counterfactual,
            CounterfactualGroups,
        ),
    )
}

GENERIC = ["match", "must_include", "regex", "json_schema", "counterfactual"]
DEFAULTS: dict[str, list[str]] = {
    "support": ["intent", "escalation", "escalation_reason", "language", "confidence", *GENERIC],
    "document": ["doc_type", "fields", "risks", *GENERIC],
    "research": ["citations", "must_cite", *GENERIC],
}


def register(scorer: Scorer) -> None:
    """Add a scorer (plugins, tests); ``--scorer NAME`` can then pick it."""
    SCORERS[scorer.name] = scorer


def resolve_scorers(requested: list[str], agents: list[str], *, llm_configured: bool) -> list[str]:
    """Default sets per agent; ``--scorer NAME`` picks, ``--scorer +NAME`` adds to the defaults."""
    from agentops_cli.errors import BadInput

    if any(r.lstrip("+") == "judge" for r in requested):
        from agentops_cli.evaluation.judge import JUDGE

        register(JUDGE)
    from agentops_cli.evaluation.plugin_scorers import load

    for name in requested:
        if name.lstrip("+") not in SCORERS and load(name.lstrip("+")) is None:
            raise BadInput(f"--scorer {name}: unknown scorer (choose from {', '.join(sorted(SCORERS))})")
        if SCORERS[name.lstrip("+")].needs_llm and not llm_configured:
            raise BadInput(
                f"--scorer {name}: needs an LLM (set OPENAI_API_KEY or --provider openai --base-url)"
            )
    picked = [r for r in requested if not r.startswith("+")]
    added = [r[1:] for r in requested if r.startswith("+")]
    names = picked or [n for agent in agents for n in DEFAULTS.get(agent, GENERIC)]
    out: list[str] = []
    for name in [*names, *added]:
        if name not in out:
            out.append(name)
    return out


def score_example(ex: Example, output: dict[str, Any], names: list[str]) -> dict[str, ScoreRecord]:
    """Run every applicable scorer; a scorer that crashes is recorded as failed, not fatal."""
    records: dict[str, ScoreRecord] = {}
    for name in names:
        scorer = SCORERS[name]
        if not scorer.applies(ex):
            continue
        try:
            records[name] = scorer.score(ex, output)
        except Exception as exc:  # a scorer bug must not kill a 10,000-row run
            records[name] = ScoreRecord(
                value=0.0, passed=False, reason=f"scorer error: {type(exc).__name__}: {exc}"
            )
    return records


def verdict(records: dict[str, ScoreRecord]) -> tuple[bool, list[str]]:
    """An example passes when every deciding scorer passed; the reasons say why not."""
    reasons = [
        f"{name}: {r.reason}" if r.reason else name for name, r in records.items() if r.passed is False
    ]
    return not reasons, reasons
