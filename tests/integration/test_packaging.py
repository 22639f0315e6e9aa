"""The wheel carries prompts/, datasets/ and config.example.yaml, and resources finds them there."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO


def test_wheel_ships_data_and_resources_find_it(tmp_path: Path) -> None:
    out = tmp_path / "wheel"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(REPO),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(out.glob("agentops_cli-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    shipped_prompts = [n for n in names if n.startswith("agentops_cli/_data/prompts/")]
    shipped_datasets = [n for n in names if n.startswith("agentops_cli/_data/datasets/")]
    repo_prompts = [p for p in (REPO / "prompts").rglob("*") if p.is_file()]
    repo_datasets = [p for p in (REPO / "datasets").rglob("*") if p.is_file()]
    assert len(shipped_prompts) == len(repo_prompts)
    assert len(shipped_datasets) == len(repo_datasets)
    assert "agentops_cli/_data/config.example.yaml" in names

    site = tmp_path / "site" / "lib"
    zipfile.ZipFile(wheel).extractall(site)
    probe = (
        "import agentops_cli.resources as r; "
        "print(r.data_root()); print(r.config_example().is_file()); print(r.prompts_dir().is_dir())"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    root, example_ok, prompts_ok = proc.stdout.split()
    assert Path(root) == site / "agentops_cli" / "_data"
    assert example_ok == "True" and prompts_ok == "True"
