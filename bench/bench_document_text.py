"""Long plain texts through ``agentops run document`` (offline): is the pipeline linear?

    .venv/bin/python bench/bench_document_text.py [--sizes-mb 1 4 20]

A synthetic contract of N MB (numbered sections of contract wording, fixed seed) is analysed by
the real CLI in a child process; wall time and peak RSS are recorded per size, and
``seconds_per_mb`` shows whether the cost per megabyte stays flat as the text grows (linear) or
climbs (quadratic). Writes ``bench/results/document_text.json``.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import child_env, write_result

PHRASES = (
    "the supplier shall deliver goods to the customer within thirty days of the order and payment is",
    "due net 30 the agreement is governed by the laws of spain either party may terminate with ninety",
    "days notice liability is capped at the fees paid",
)
WORDS = [word for phrase in PHRASES for word in phrase.split()]
HEADER = (
    "MASTER SERVICES AGREEMENT\n\n"
    "This Agreement is made on January 5, 2024 between Acme Corp and Beta LLC.\n\n"
)


def contract_text(size: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    parts = [HEADER]
    total, section = len(parts[0]), 0
    while total < size:
        section += 1
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 120))).capitalize()
        para = f"{section}. Section {section}\n\n{body}.\n\n"
        parts.append(para)
        total += len(para)
    return "".join(parts)


def measure(size_mb: float, folder: Path) -> dict[str, float]:
    path = folder / f"contract-{size_mb:g}mb.txt"
    path.write_text(contract_text(int(size_mb * 1_000_000)), encoding="utf-8")
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "agentops_cli", "run", "document", path.name, "--root", str(folder), "--json"],
        cwd=folder,
        env=child_env({"AGENTOPS_CACHE_DIR": str(folder / "cache"), "AGENTOPS_HOME": str(folder / "home")}),
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        raise SystemExit(f"{path.name}: exit {proc.returncode}: {proc.stderr.strip()[-300:]}")
    return {
        "size_mb": size_mb,
        "seconds": round(seconds, 2),
        "seconds_per_mb": round(seconds / size_mb, 2),
        "peak_rss_mb_so_far": round(peak_kb / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes-mb", type=float, nargs="+", default=[1, 4, 20])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes_mb:
            rows.append(measure(size, Path(tmp)))
            print(rows[-1], flush=True)
    write_result("document_text", {"command": "bench/bench_document_text.py", "runs": rows})


if __name__ == "__main__":
    main()
