"""Start-up: wall time of common commands as a ratio to ``python -c pass`` (median of N runs).

Targets (issue 10): ``--version`` ≤ 8×, ``cost`` and ``checklist`` ≤ 20×,
``run support`` offline cold ≤ 1.3 s.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from common import agentops_argv, compile_sources, time_command, write_result

RUNS = 15


def main() -> dict:
    compile_sources()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        env = {"AGENTOPS_HOME": str(tmp_path / "home"), "AGENTOPS_CACHE_DIR": str(tmp_path / "cache")}
        repo = tmp_path / "small-repo"
        (repo / "src").mkdir(parents=True)
        (repo / "src" / "app.py").write_text("import logging\nprint('hi')\n")
        (repo / "README.md").write_text("# small\n")
        baseline = time_command([sys.executable, "-c", "pass"], RUNS)
        cases = {
            "version": (agentops_argv("--version"), 8.0, None),
            "cost": (agentops_argv("cost", "--rpd", "1000"), 20.0, None),
            "checklist": (agentops_argv("checklist", str(repo)), 20.0, None),
        }
        results = {}
        for name, (argv, target_ratio, _) in cases.items():
            # As a user runs them: these commands touch no home or cache dir, so no AGENTOPS_*
            # variables (each one makes settings parse the environment with pydantic-settings).
            timing = time_command(argv, RUNS, cwd=tmp_path)
            ratio = timing["median_s"] / baseline["median_s"]
            results[name] = {
                "command": "agentops " + " ".join(argv[1:]).replace(str(repo), "<small repo>"),
                **timing,
                "ratio": round(ratio, 2),
                "target_ratio": target_ratio,
                "meets_target": ratio <= target_ratio,
            }
        # As users really run them (issue 24): a key, a home and a cache dir in the environment,
        # so settings parse the environment too. Target ≤ 15× like the clean rows.
        user_env = {**env, "OPENAI_API_KEY": "sk-bench-000000000000000000"}
        for name, argv in (("cost", ("cost", "--rpd", "1000")), ("checklist", ("checklist", str(repo)))):
            with_env = time_command(agentops_argv(*argv), RUNS, env=user_env, cwd=tmp_path)
            ratio = with_env["median_s"] / baseline["median_s"]
            results[f"{name}_with_agentops_env"] = {
                "command": "OPENAI_API_KEY=… AGENTOPS_HOME=… AGENTOPS_CACHE_DIR=… agentops "
                + " ".join(argv).replace(str(repo), "<small repo>"),
                **with_env,
                "ratio": round(ratio, 2),
                "target_ratio": 15.0,
                "meets_target": ratio <= 15.0,
            }
        support = time_command(
            agentops_argv("run", "support", "I was charged twice for my order"), max(10, RUNS // 2), env=env
        )
        results["run_support_offline"] = {
            "command": 'agentops run support "I was charged twice for my order"',
            **support,
            "target_s": 1.3,
            "meets_target": support["median_s"] <= 1.3,
            "ratio": round(support["median_s"] / baseline["median_s"], 2),
        }
    data = {
        "command": ".venv/bin/python bench/bench_startup.py",
        "baseline_python_pass": baseline,
        "commands": results,
    }
    print(write_result("startup", data))
    return data


if __name__ == "__main__":
    main()
