"""JUnit XML for CI: one testcase per example (and trial), failures carry the reasons.

Streamed from ``results.jsonl`` straight to the file, so a 100,000-row run does not build
a DOM in memory. CI systems (GitHub Actions, GitLab, Jenkins) render it as test results.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from agentops_cli.evaluation.models import RunSummary
from agentops_cli.evaluation.store import RunStore


def write(store: RunStore, summary: RunSummary, path: Path) -> None:
    counts: Counter = Counter()
    for r in store.results():
        counts[(r.agent, "tests")] += 1
        counts[(r.agent, "errors")] += int(r.error is not None)
        counts[(r.agent, "failures")] += int(r.error is None and not r.passed)
    agents = sorted({agent for agent, _ in counts})
    tmp = path.with_name(f".{path.name}.tmp")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        fh.write(
            f'<testsuites name={quoteattr("agentops eval " + summary.run_id)} tests="{summary.n}" '
            f'failures="{sum(counts[(a, "failures")] for a in agents)}" errors="{summary.errors}" '
            f'time="{summary.duration_s:.3f}">\n'
        )
        for agent in agents:
            fh.write(
                f'  <testsuite name={quoteattr("agentops." + agent)} tests="{counts[(agent, "tests")]}" '
                f'failures="{counts[(agent, "failures")]}" errors="{counts[(agent, "errors")]}">\n'
            )
            for r in store.results():
                if r.agent != agent:
                    continue
                name = r.id if summary.trials == 1 else f"{r.id} [trial {r.trial}]"
                fh.write(
                    f"    <testcase classname={quoteattr('agentops.' + agent)} name={quoteattr(name)} "
                    f'time="{r.latency_ms / 1000:.4f}"'
                )
                if r.error is not None:
                    fh.write(f">\n      <error message={quoteattr(r.error)}/>\n    </testcase>\n")
                elif not r.passed:
                    message = "; ".join(r.reasons) or "failed"
                    fh.write(
                        f">\n      <failure message={quoteattr(message)}>{escape(message)}</failure>\n"
                        "    </testcase>\n"
                    )
                else:
                    fh.write("/>\n")
            fh.write("  </testsuite>\n")
        fh.write("</testsuites>\n")
    os.replace(tmp, path)
