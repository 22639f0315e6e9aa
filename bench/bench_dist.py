"""The one-file build (``make dist``): its first-run unpacking, and its start-up next to the install.

    .venv/bin/python bench/bench_dist.py [--file dist/agentops]

Targets (issue 22): after its first run, ``./agentops --version`` within 2× of the installed CLI's
time and ``./agentops run support "…"`` within 1.5×. The first run unpacks the file's wheels into
a virtualenv under ``$PEX_ROOT``; that one-time cost is measured apart, with an empty ``PEX_ROOT``.
Without ``--file`` the file is built first (``scripts/build_dist.py``, not timed).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, agentops_argv, compile_sources, time_command, write_result

RUNS = 15
QUERY = "I was charged twice for my order"


def build(out: Path) -> Path:
    subprocess.run([sys.executable, str(REPO / "scripts" / "build_dist.py"), "--out", str(out)], check=True)
    return out / "agentops"


def first_run_s(file: Path, pex_root: Path) -> float:
    started = time.perf_counter()
    env = {"PATH": "/usr/bin:/bin", "PEX_ROOT": str(pex_root), "HOME": str(pex_root)}
    subprocess.run([str(file), "--version"], env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, help="an already built dist/agentops")
    args = parser.parse_args(argv)
    compile_sources()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        file = args.file.resolve() if args.file else build(tmp_path / "dist")
        pex_root = tmp_path / "pex"
        unpack = first_run_s(file, pex_root)
        env = {"PEX_ROOT": str(pex_root), "AGENTOPS_HOME": str(tmp_path / "home"),
               "AGENTOPS_CACHE_DIR": str(tmp_path / "cache")}  # fmt: skip
        rows = {}
        for name, args_, target in (
            ("version", ["--version"], 2.0),
            ("run_support", ["run", "support", QUERY], 1.5),
        ):
            installed = time_command(agentops_argv(*args_), RUNS, env=env, cwd=tmp_path)
            one_file = time_command([str(file), *args_], RUNS, env=env, cwd=tmp_path)
            ratio = one_file["median_s"] / installed["median_s"]
            rows[name] = {
                "command": "agentops " + " ".join(args_),
                "installed": installed,
                "one_file": one_file,
                "ratio": round(ratio, 2),
                "target_ratio": target,
                "meets_target": ratio <= target,
            }
        data = {
            "command": ".venv/bin/python bench/bench_dist.py",
            "file_mb": round(file.stat().st_size / 1e6, 1),
            "first_run_unpack_s": round(unpack, 2),
            "commands": rows,
        }
    print(write_result("dist", data))
    return data


def section(data: dict | None) -> list[str]:
    """The docs/benchmarks.md section of this benchmark."""
    lines = ["## One file (`make dist`)", ""]
    if not data:
        return [*lines, "_Not measured yet._", ""]
    lines += [
        f"`{data['command']}`: `dist/agentops` ({data['file_mb']} MB) against the installed console "
        "script, both with the same warm model cache; median of "
        f"{data['commands']['version']['one_file']['runs']} runs after one warm-up run.",
        "",
        "| command | installed | one file | ratio | target | |",
        "|---|---|---|---|---|---|",
    ]
    for row in data["commands"].values():
        lines.append(
            f"| `{row['command']}` | {row['installed']['median_s'] * 1000:.0f} ms | "
            f"{row['one_file']['median_s'] * 1000:.0f} ms | {row['ratio']}× | ≤ {row['target_ratio']}× | "
            f"{'✅ met' if row['meets_target'] else '❌ missed'} |"
        )
    lines += [
        "",
        f"First run (unpacking the wheels into a virtualenv under an empty `PEX_ROOT`, then "
        f"`--version`): **{data['first_run_unpack_s']} s**, once per machine and file version.",
    ]
    return [*lines, ""]


if __name__ == "__main__":
    main()
