"""Where the test suite's time goes: per file, per xdist worker, with and without coverage.

    nice -n 10 .venv/bin/python bench/suite_time.py            # make test's pytest, 2 workers
    .venv/bin/python bench/suite_time.py --no-cov              # the same run without --cov
    .venv/bin/python bench/suite_time.py --from-junit X.xml --log X.log   # only summarise a run

Why it exists: DEVELOPERS' budget for ``make test`` is 10 minutes on a 2-core machine, and the
suite runs with ``--dist loadfile`` (module fixtures start real servers), so one slow FILE
bounds its worker. This runs the pytest of ``make test`` (``-n 2 --dist loadfile --cov``) with
``-v`` (to learn which worker ran which file) and a JUnit file (per-test durations: setup, call
and teardown), and writes ``bench/results/suite_time[_nocov].json``: wall and CPU time of the
whole process tree, summed durations, per-worker totals, the slowest files and tests. Summed
durations and per-worker totals move less with other load on the machine than wall time does;
CPU time moves least. Not part of ``make bench`` (it runs the whole suite).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import REPO, children_cpu, write_result

WORKER_LINE = re.compile(r"\[(gw\d+)\] \[\s*\d+%\] \w+ (tests/[^:\s]+\.py)")


def test_file(classname: str) -> str:
    """``tests.integration.test_x[.Class]`` → ``tests/integration/test_x.py``."""
    parts = classname.split(".")
    for end in range(len(parts), 0, -1):
        if parts[end - 1].startswith("test_"):
            return "/".join(parts[:end]) + ".py"
    return classname.replace(".", "/") + ".py"


def summarise(junit: Path, log: Path, top: int = 25) -> dict:
    """Summed durations per file and per worker from a JUnit file and the ``-v`` output."""
    per_file: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    tests: list[tuple[float, str]] = []
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        seconds, name = float(case.get("time", 0)), test_file(case.get("classname", ""))
        per_file[name] += seconds
        counts[name] += 1
        tests.append((seconds, f"{name}::{case.get('name')}"))
    worker_of: dict[str, str] = {}
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        found = WORKER_LINE.match(line)
        if found and found.group(2) not in worker_of:
            worker_of[found.group(2)] = found.group(1)
    per_worker: Counter[str] = Counter()
    for name, seconds in per_file.items():
        per_worker[worker_of.get(name, "main")] += seconds
    return {
        "tests": sum(counts.values()),
        "summed_durations_s": round(sum(per_file.values()), 1),
        "per_worker_s": {worker: round(s, 1) for worker, s in sorted(per_worker.items())},
        "slowest_files": [
            {"file": name, "seconds": round(s, 1), "tests": counts[name], "worker": worker_of.get(name)}
            for name, s in per_file.most_common(top)
        ],
        "slowest_tests": [
            {"test": name, "seconds": round(s, 1)} for s, name in sorted(tests, reverse=True)[:top]
        ],
    }


def run_suite(coverage: bool, folder: Path) -> tuple[dict, Path, Path]:
    junit, log = folder / "junit.xml", folder / "pytest.log"
    argv = [sys.executable, "-m", "pytest", "-v", "-p", "no:cacheprovider", "-n", "2", "--dist", "loadfile"]
    argv += ["--junitxml", str(junit)] + (["--cov=agentops_cli"] if coverage else ["-p", "no:cov"])
    started, cpu_before = time.monotonic(), children_cpu()
    with log.open("w", encoding="utf-8") as out:
        code = subprocess.run(argv, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, check=False).returncode
    wall, cpu = time.monotonic() - started, children_cpu() - cpu_before
    return (
        {"exit_code": code, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1), "command": argv[1:]},
        junit,
        log,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-cov", action="store_true", help="run without --cov (coverage's share)")
    parser.add_argument("--from-junit", type=Path, help="summarise this JUnit file instead of running")
    parser.add_argument("--log", type=Path, help="with --from-junit: the run's -v output")
    args = parser.parse_args()
    if args.from_junit:
        if args.log is None:
            parser.error("--from-junit needs --log (the -v output that names each file's worker)")
        print(json.dumps(summarise(args.from_junit, args.log), indent=2))
        return
    with tempfile.TemporaryDirectory(prefix="agentops-suite-") as tmp:
        run, junit, log = run_suite(not args.no_cov, Path(tmp))
        result = {**run, **summarise(junit, log)}
    write_result("suite_time_nocov" if args.no_cov else "suite_time", result)
    headline = ("exit_code", "wall_s", "cpu_s", "summed_durations_s", "per_worker_s")
    print(json.dumps({key: result[key] for key in headline}))


if __name__ == "__main__":
    main()
