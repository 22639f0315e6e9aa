"""Shared bits of the benchmarks: where results go, machine facts, timing a command."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
SHARED = REPO.parent / "shared"
CLINC = SHARED / "datasets" / "clinc150" / "data_full.json"
MISSING_CLINC = (
    f"{CLINC} not found: the CLINC150 benchmarks read ../shared/datasets/clinc150 in place "
    "(absent in a plain clone), so they are skipped"
)


class SharedDataMissing(RuntimeError):
    """A benchmark needs ../shared data that this checkout does not have beside it."""


def load_clinc(path: Path = CLINC) -> dict[str, Any]:
    """CLINC150 read in place; a clear error (not a traceback about a path) when it is absent."""
    if not path.is_file():
        raise SharedDataMissing(MISSING_CLINC if path == CLINC else f"{path} not found")
    return json.loads(path.read_text(encoding="utf-8"))


def fit_pack(train: list[list[str]], tune: list[list[str]], params: Any = None) -> Any:
    """The intent engine trained on ``train`` and calibrated on ``tune`` (CLINC ``[text, label]``
    rows), as the CLINC benches train every variant; ``params`` a ``TrainParams`` or the default."""
    from agentops_cli.nlp.intent_train import train_intent_model

    return train_intent_model(
        [t for t, _ in train],
        [lab for _, lab in train],
        val_texts=[t for t, _ in tune],
        val_labels=[lab for _, lab in tune],
        params=params,
    )


def children_cpu() -> float:
    """CPU seconds of this process's finished child processes (e.g. the intent engine's
    fit workers), to report next to ``time.process_time()``."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    return {
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }


def write_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"machine": machine(), **data}, indent=2) + "\n")
    os.replace(tmp, path)
    return path


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a measured child: like a real install, so byte-code caches are used."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **(extra or {})}


def compile_sources() -> None:
    """Write the .pyc files a ``pip install`` would, so no child pays for compiling our sources."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(REPO / "src")],
        env=child_env(),
        check=False,
        capture_output=True,
    )


def time_command(
    argv: list[str], runs: int, env: dict[str, str] | None = None, cwd: Path | None = None
) -> dict[str, float]:
    """Median and spread of wall time over ``runs`` runs (first run discarded as warm-up), and the
    median user+sys CPU of the child: on a shared machine wall time swings with the load, the
    child's CPU much less, so both are reported."""
    full_env = child_env(env)
    subprocess.run(argv, env=full_env, cwd=cwd, capture_output=True, check=False)
    samples, cpu = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = subprocess.run(argv, env=full_env, cwd=cwd, capture_output=True, check=False)
        samples.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"{argv} exited {proc.returncode}: {proc.stderr.decode()[-500:]}")
    return {
        "median_s": statistics.median(samples),
        "min_s": min(samples),
        "max_s": max(samples),
        "runs": runs,
        "cpu_median_s": statistics.median(cpu),
        "cpu_min_s": min(cpu),
    }


def agentops_argv(*args: str) -> list[str]:
    """The installed console script, as a user runs it."""
    script = Path(sys.executable).parent / "agentops"
    return [str(script), *args]


def ok_mark(flag: bool | None) -> str:
    """How a figure stands against its target in docs/benchmarks.md: met, missed, or no target."""
    return "—" if flag is None else ("✅ met" if flag else "❌ missed")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"
