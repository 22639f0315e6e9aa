"""``make bench``: run every benchmark, write JSON to bench/results/, regenerate docs/benchmarks.md.

    .venv/bin/python bench/run_all.py            # everything (< 10 min on a fresh clone)
    .venv/bin/python bench/run_all.py --docs-only  # only regenerate docs/benchmarks.md from the JSON
    .venv/bin/python bench/run_all.py --check      # fail if docs/benchmarks.md is not what the JSON renders

Order: Inspect AI is installed in the background (bench/.venv-inspect, time-limited) while the
CLINC150 pack's intent model is trained and cached (neither is timed); then every measured
benchmark runs alone, one after another, so none steals CPU from another. Each benchmark writes
its JSON as soon as it is done, so an interrupted run still leaves true figures.
"""

from __future__ import annotations

import argparse
import difflib
import json
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_checklist
import bench_clinc150
import bench_cuad
import bench_dist
import bench_eval
import bench_inspect
import bench_intent_train
import bench_llm_call
import bench_mcp
import bench_peers
import bench_research
import bench_serve
import bench_serve_metrics
import bench_startup
import bench_targets
import bench_view
import intent_noise
from common import BENCH_DIR, CLINC, MISSING_CLINC, REPO, RESULTS, machine

DOC = REPO / "docs" / "benchmarks.md"


def _load(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return None


def run_benchmarks() -> list[str]:
    failures: list[str] = []
    started = time.perf_counter()

    def step(name: str, fn, *, needs_clinc: bool = True) -> None:
        t0 = time.perf_counter()
        print(f"== {name}", flush=True)
        if needs_clinc and not CLINC.is_file():
            print(f"   skipped: {MISSING_CLINC}", flush=True)
            return
        try:
            fn()
        except Exception:  # one broken benchmark must not hide the others' figures
            failures.append(name)
            traceback.print_exc()
        print(f"   {name}: {time.perf_counter() - t0:.0f} s", flush=True)

    install: dict = {}

    def _install() -> None:
        install.update(zip(("ok", "reason", "s"), bench_inspect.install(), strict=True))

    installer = threading.Thread(target=_install)
    installer.start()
    with tempfile.TemporaryDirectory() as tmp:
        step("warm-up: train the CLINC150 pack model (not timed)",
             lambda: print(f"   {bench_eval.warm_clinc_model(Path(tmp)):.0f} s"))  # fmt: skip
    installer.join()
    print(f"   inspect-ai install: {install}", flush=True)

    step("start-up", bench_startup.main, needs_clinc=False)
    step("CLINC150 accuracy", lambda: subprocess.run([sys.executable, str(BENCH_DIR / "bench_clinc150.py")],
                                                     check=True, capture_output=True))  # fmt: skip
    step("eval offline (CLINC150)", lambda: bench_eval.main(["offline"]))
    step("eval LLM-bound + cache", lambda: bench_eval.main(["llm"]))
    step("CPU of one LLM call (layers, transports)", lambda: bench_llm_call.main([]), needs_clinc=False)
    step("Inspect AI", bench_inspect.main)
    step("eval memory", lambda: bench_eval.main(["memory"]))
    step("one file (make dist)", lambda: bench_dist.main([]))
    step("research agent (research_dev + 10k-document scale)", lambda: bench_research.main([]))
    step("checklist on a monorepo", lambda: bench_checklist.main(None))
    step("CUAD document agent", lambda: bench_cuad.main([]))
    step("MCP server", bench_mcp.main, needs_clinc=False)
    step("results viewer (1k and 100k-example runs)", bench_view.main, needs_clinc=False)
    step(
        "agentops serve (offline and LLM-bound, 1 and 2 workers)",
        lambda: bench_serve.main(["all"]),
        needs_clinc=False,
    )
    step("serve metrics bookkeeping (1 process, --workers)", bench_serve_metrics.main, needs_clinc=False)
    step(
        "side by side with Inspect AI and promptfoo (1k and 10k rows, offline 100k)",
        lambda: bench_peers.main([]),
    )
    print(f"== all benchmarks: {time.perf_counter() - started:.0f} s", flush=True)
    return failures


# -- docs/benchmarks.md --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Part:
    """One section of the page: the results it reads, and the bench module's renderers for them.

    Every figure on the page comes from bench/results/*.json through one of these; text that no JSON
    holds lives beside its renderer in the bench module, or in bench/NOTES.md (appended last).
    """

    results: tuple[str, ...]
    section: Callable[..., list[str]]
    summary: Callable[..., list[str]] | None = None


PARTS: list[Part] = [
    Part(("startup",), bench_startup.section, bench_startup.summary),
    Part(("eval_offline",), bench_eval.offline_section, bench_eval.offline_summary),
    Part(("eval_llm", "inspect"), bench_eval.llm_section, bench_eval.llm_summary),
    Part(("targets",), bench_targets.section),
    Part(("eval_llm",), bench_eval.cache_section),
    Part(("llm_call",), bench_llm_call.section),
    Part(("eval_memory",), bench_eval.memory_section, bench_eval.memory_summary),
    Part(("clinc150",), bench_clinc150.section, bench_clinc150.summary),
    Part(("intent_train",), bench_intent_train.section),
    Part(("intent_noise",), intent_noise.section),
    Part(("dist",), bench_dist.section),
    Part(("research",), bench_research.docs_section),
    Part(("checklist",), bench_checklist.section, bench_checklist.summary),
    Part(("cuad",), bench_cuad.section),
    Part(("mcp",), bench_mcp.docs_section),
    Part(("view",), bench_view.section, bench_view.summary),
    Part(("serve",), bench_serve.section),
    Part(("serve_metrics",), bench_serve_metrics.section),
    Part(("peers",), bench_peers.section, bench_peers.summary),
]


def render_docs() -> str:
    loaded = {name: _load(name) for part in PARTS for name in part.results}
    mach = next((d["machine"] for d in loaded.values() if d and "machine" in d), machine())
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`bench/run_all.py`) from the JSON in `bench/results/`; do not edit by "
        "hand — rerun `make bench`, or `.venv/bin/python bench/run_all.py --docs-only` after running one "
        "benchmark. Every figure stands next to its target (issue 10).",
        "",
        f"- **Machine**: {mach.get('cpu', '?')}, {mach.get('cpus', '?')} cores, Python {mach.get('python')}, "
        f"{mach.get('platform')}",
        f"- **Date**: {mach.get('date')}",
        "- **Command**: `make bench` (= `.venv/bin/python bench/run_all.py`); each benchmark also runs "
        "alone: `bench/bench_startup.py`, `bench/bench_eval.py [offline|llm|memory]`, "
        "`bench/bench_llm_call.py`, `bench/bench_inspect.py`, `bench/bench_clinc150.py`, "
        "`bench/bench_research.py`, "
        "`bench/bench_cuad.py`, `bench/bench_peers.py`, `bench/bench_view.py`, `bench/bench_serve.py`, "
        "`bench/bench_serve_metrics.py`.",
        "- Children run like a real install: sources byte-compiled, `PYTHONDONTWRITEBYTECODE` unset.",
        "",
        "## Summary",
        "",
        "| benchmark | result | target | |",
        "|---|---|---|---|",
    ]
    for part in PARTS:
        if part.summary:
            lines += part.summary(*(loaded[name] for name in part.results))
    lines.append("")
    for part in PARTS:
        lines += part.section(*(loaded[name] for name in part.results))
    notes = BENCH_DIR / "NOTES.md"
    if notes.is_file():
        lines += [notes.read_text(encoding="utf-8").rstrip(), ""]
    return "\n".join(lines)


REGENERATE = (
    "put the note beside its bench's renderer (bench/README.md), then run "
    "`.venv/bin/python bench/run_all.py --docs-only` and commit the page it writes"
)


def check(doc: Path) -> int:
    """``--check``: the page must be exactly what the committed JSON renders, so that a hand edit
    (which the next ``make bench`` would silently delete) fails CI instead of being lost later."""
    rendered = render_docs()
    current = doc.read_text(encoding="utf-8") if doc.is_file() else ""
    if current == rendered:
        print(f"{doc} is what bench/results/*.json render")
        return 0
    diff = list(
        difflib.unified_diff(
            current.splitlines(),
            rendered.splitlines(),
            f"{doc} (as committed)",
            "(as rendered)",
            lineterm="",
            n=1,
        )
    )
    print(
        "\n".join(diff[:40] + ([f"... {len(diff) - 40} more diff lines"] if len(diff) > 40 else [])),
        file=sys.stderr,
    )
    print(f"{doc} differs from what bench/results/*.json render: {REGENERATE}", file=sys.stderr)
    return 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs-only", action="store_true", help="only regenerate docs/benchmarks.md")
    parser.add_argument(
        "--check", action="store_true", help="exit 1 if the page differs from what the JSON renders"
    )
    parser.add_argument(
        "--doc", type=Path, default=DOC, help="the page --check compares (default: %(default)s)"
    )
    args = parser.parse_args()
    if args.check:
        return check(args.doc)
    failures = [] if args.docs_only else run_benchmarks()
    DOC.write_text(render_docs(), encoding="utf-8")
    print(f"wrote {DOC}")
    if failures:
        print(f"benchmarks that failed: {', '.join(failures)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
