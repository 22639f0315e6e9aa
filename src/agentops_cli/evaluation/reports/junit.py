"""JUnit XML for CI, built so the dashboard and the job's exit status never disagree.

The rule (docs/eval.md, "JUnit"):

* suite ``agentops.gates`` — one testcase per gate (``--fail-under``, ``eval.gates``,
  ``--max-errors``), one for the run itself (it must finish and produce results) and, with
  ``--fail-on-regression``, one for the regression check. These fail exactly when the eval
  exits 1, so the count of failures is zero if and only if the job passed.
* suite ``agentops.<agent>`` — one testcase per example (and trial). An example that failed
  is a ``<failure>`` only when it is *gated*: with ``--fail-on-regression`` and it went from
  pass (in the baseline) to fail. Any other failed or errored example is reported as
  ``<skipped>`` with its reasons and its (redacted) input, so it is visible without turning
  the build red while the gates say the run is fine.

Streamed from ``results.jsonl`` straight to the file, so a 100,000-row run does not build
a DOM in memory. Inputs go through the one redactor (:mod:`agentops_cli.observability.redact`).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from agentops_cli.evaluation.models import ExampleResult, GateResult, RunSummary
from agentops_cli.evaluation.store import RunStore
from agentops_cli.observability.redact import redact

INPUT_CHARS = 300


def _clean(text: str) -> str:
    """XML 1.0 cannot carry most control characters (nor lone surrogates): drop them."""
    return "".join(
        ch
        for ch in text
        if ch in "\t\n\r" or (" " <= ch <= "\ud7ff") or ("\ue000" <= ch <= "\ufffd") or ch >= "\U00010000"
    )


def example_message(r: ExampleResult) -> str:
    """Why an example failed, with its input (redacted, cut) so CI shows what was asked."""
    why = r.error or "; ".join(r.reasons) or "failed"
    text = redact(r.input)
    if len(text) > INPUT_CHARS:
        text = text[:INPUT_CHARS] + "…"
    return _clean(f"{redact(why)} — input: {text!r}")


def _gate_cases(summary: RunSummary) -> list[tuple[str, str | None]]:
    """(testcase name, failure message or None) for every check that decides the exit status."""
    cases: list[tuple[str, str | None]] = []
    for g in summary.gates:
        cases.append((_gate_name(g), None if g.passed else _gate_failure(g)))
    # an empty shard ran fine (a small dataset over many CI jobs); its exit status is 0 too
    ran = (summary.n > 0 or summary.shard is not None) and summary.stopped_reason != "max_errors"
    why = "no results" if summary.n == 0 else f"stopped: {summary.stopped_reason}"
    cases.append(("run completed", None if ran else why))
    if summary.regression is not None:
        verdict = summary.regression
        cases.append(
            (
                f"no regression vs {verdict['baseline']}",
                None if verdict["passed"] else "; ".join(verdict["reasons"]),
            )
        )
    return cases


def _gate_name(g: GateResult) -> str:
    op = "≤" if g.bound == "max" else "≥"
    return f"{g.metric} {op} {g.threshold:g} ({g.source})"


def _gate_failure(g: GateResult) -> str:
    if g.value is None:
        return f"{g.metric} has no value in this run"
    return f"{g.metric} = {g.value:.6g}, {'above the maximum' if g.bound == 'max' else 'below the minimum'}"


def _regressed_keys(summary: RunSummary, store: RunStore) -> set[str]:
    """Examples that count as failures: the ones that regressed, when regressions are gated."""
    if summary.regression is None or summary.baseline is None:
        return set()
    from agentops_cli.evaluation.compare import compare_stores

    baseline = RunStore.open(store.dir.parent, summary.baseline["run_id"])
    comparison = compare_stores(baseline, store)
    if comparison.regressed_count > len(comparison.regressed):  # listing capped: recount in full
        before = {r.key for r in baseline.results() if r.passed and r.error is None}
        return {r.key for r in store.results() if r.key in before and not (r.passed and r.error is None)}
    return {c.key for c in comparison.regressed}


def _write_suite_gates(fh: IO[str], summary: RunSummary, prefix: str) -> None:
    cases = _gate_cases(summary)
    failures = sum(1 for _, why in cases if why)
    fh.write(
        f'  <testsuite name={quoteattr(prefix + "gates")} tests="{len(cases)}" failures="{failures}" '
        'errors="0" skipped="0">\n'
    )
    for name, why in cases:
        fh.write(f"    <testcase classname={quoteattr(prefix + 'gates')} name={quoteattr(name)}")
        if why:
            fh.write(f">\n      <failure message={quoteattr(why)}>{escape(why)}</failure>\n    </testcase>\n")
        else:
            fh.write("/>\n")
    fh.write("  </testsuite>\n")


def _count(store: RunStore, gated: set[str]) -> Counter:
    """Per-agent tests/failures/skipped, in a first streamed pass (the headers need totals)."""
    counts: Counter = Counter()
    for r in store.results():
        bad = r.error is not None or not r.passed
        counts[(r.agent, "tests")] += 1
        counts[(r.agent, "failures")] += int(bad and r.key in gated)
        counts[(r.agent, "skipped")] += int(bad and r.key not in gated)
    return counts


def _write_examples(
    fh: IO[str], store: RunStore, summary: RunSummary, prefix: str, gated: set[str], counts: Counter
) -> None:
    agents = sorted({agent for agent, _ in counts})
    for agent in agents:
        suite = prefix + agent
        fh.write(
            f'  <testsuite name={quoteattr(suite)} tests="{counts[(agent, "tests")]}" '
            f'failures="{counts[(agent, "failures")]}" errors="0" skipped="{counts[(agent, "skipped")]}">\n'
        )
        for r in _of_agent(store.results(), agent):
            name = r.id if summary.trials == 1 else f"{r.id} [trial {r.trial}]"
            fh.write(
                f"    <testcase classname={quoteattr(suite)} name={quoteattr(_clean(name))} "
                f'time="{r.latency_ms / 1000:.4f}"'
            )
            if r.error is None and r.passed:
                fh.write("/>\n")
                continue
            message = example_message(r)
            if r.key in gated:
                message = f"regressed (passed in the baseline): {message}"
                fh.write(f">\n      <failure message={quoteattr(message)}>{escape(message)}</failure>\n")
            else:
                kind = "error" if r.error is not None else "failed"
                message = f"{kind}, not gated: {message}"
                fh.write(f">\n      <skipped message={quoteattr(message)}/>\n")
            fh.write("    </testcase>\n")
        fh.write("  </testsuite>\n")


def _of_agent(results: Iterable[ExampleResult], agent: str) -> Iterable[ExampleResult]:
    return (r for r in results if r.agent == agent)


def write_many(runs: list[tuple[RunStore, RunSummary]], path: Path) -> None:
    """One file for one run or several (``--provider A --provider B``): suites per run."""
    plans = []
    for store, summary in runs:
        gated = _regressed_keys(summary, store)
        plans.append((store, summary, gated, _count(store, gated)))
    failures = sum(
        sum(1 for _, why in _gate_cases(s) if why) + sum(v for (_, k), v in c.items() if k == "failures")
        for _, s, _, c in plans
    )
    skipped = sum(v for *_, c in plans for (_, k), v in c.items() if k == "skipped")
    tests = sum(s.n + len(_gate_cases(s)) for _, s in runs)
    names = ", ".join(s.run_id for _, s in runs)
    seconds = sum(s.duration_s for _, s in runs)
    tmp = path.with_name(f".{path.name}.tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        fh.write(
            f'<testsuites name={quoteattr("agentops eval " + names)} tests="{tests}" failures="{failures}" '
            f'errors="0" skipped="{skipped}" time="{seconds:.3f}">\n'
        )
        for store, summary, gated, counts in plans:
            label = f"{summary.provider}:{summary.model} {summary.run_id}"
            prefix = "agentops." if len(runs) == 1 else f"agentops[{label}]."
            _write_suite_gates(fh, summary, prefix)
            _write_examples(fh, store, summary, prefix, gated, counts)
        fh.write("</testsuites>\n")
    os.replace(tmp, path)


def write(store: RunStore, summary: RunSummary, path: Path) -> None:
    write_many([(store, summary)], path)
