"""Crafted bad files through the real CLI: each is refused with exit 2 and one line naming the
file (and line), never a crash, a hang or a memory blow-up.

Bombs run under ``RLIMIT_AS`` (see :func:`run_capped`): if a fix regressed, the child dies of
``MemoryError`` instead of eating the machine, and the test fails on the exit code.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_cli

CAP_BYTES = 3 * 1024**3  # address space, not RSS: imports and thread stacks need headroom


def run_capped(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """The real CLI in a child whose address space is capped (a bomb cannot take the host down)."""

    def cap() -> None:  # pragma: no cover - runs in the child
        resource.setrlimit(resource.RLIMIT_AS, (CAP_BYTES, CAP_BYTES))

    return subprocess.run(
        [sys.executable, "-m", "agentops_cli", *args],
        cwd=cwd,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=timeout,
        preexec_fn=cap,
    )


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    return lines[0]


def laughs(levels: int = 9) -> str:
    """The classic "billion laughs": each anchor is nine copies of the previous one."""
    text = 'l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, levels):
        text += f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]\n"
    return text


# -- YAML ----------------------------------------------------------------------------------------
def test_yaml_alias_bomb_in_a_dataset_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "bomb.yaml"
    data.write_text(laughs() + "examples:\n  - {id: x, agent: support, input: hi, tags: *l8}\n")
    assert len(data.read_bytes()) < 1000
    proc = run_capped("eval", "--dataset", str(data), "--provider", "offline")
    assert proc.returncode == 2, proc.stderr
    line = one_error_line(proc.stderr)
    assert f"{data}:" in line and "alias" in line


def test_yaml_alias_bomb_in_a_config_file_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "agentops.yaml"
    config.write_text(laughs())
    proc = run_capped("--config", str(config), "config", "validate")
    assert proc.returncode == 2, proc.stderr
    assert "alias" in one_error_line(proc.stderr) and str(config) in proc.stderr


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("- &a {id: x, agent: support, input: hi, tags: [*a]}\n", 1, "recursive YAML alias"),
        ("- {id: x, agent: support, input: hi}\n- {1: x, agent: support, input: hi}\n", 2, "not a string"),
        ("- {id: x, agent: support, input: hi}\n- {null: x, agent: support, input: hi}\n", 2, "not a string"),
        ("- {id: x, agent: support, input: hi, expected: {x: " + "[" * 300 + "]" * 300 + "}}\n", 1, "deeper"),
        ("- {id: x, agent: support, input: hi, expected: {n: " + "9" * 5000 + "}}\n", 1, "YAML value"),
    ],
    ids=["recursive-alias", "int-key", "null-key", "deep", "huge-int"],
)
def test_bad_yaml_dataset_rows(tmp_path: Path, text: str, line: int, words: str) -> None:
    data = tmp_path / "rows.yaml"
    data.write_text(text)
    result = run_cli("eval", "--dataset", str(data), "--provider", "offline")
    assert result.code == 2, result.stderr
    message = one_error_line(result.stderr)
    assert f"{data}:{line}:" in message and words in message


def test_yaml_pack_intents_bomb_is_refused(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "intents.yaml").write_text(laughs() + "intents:\n  - {name: a, description: *l8}\n")
    proc = run_capped("run", "support", "hello", "--pack", str(pack), "--provider", "offline")
    assert proc.returncode == 2, proc.stderr
    assert "intents.yaml:" in one_error_line(proc.stderr)


def test_yaml_checklist_answers_with_recursive_alias(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text("PERM-01: &a {status: pass, note: [*a]}\n")
    result = run_cli("checklist", str(tmp_path), "--answers", str(answers))
    assert result.code == 2, result.stderr
    assert f"{answers}:1:" in one_error_line(result.stderr)


# -- JSON / CSV rows -----------------------------------------------------------------------------
ROW = '{"id": "a", "agent": "support", "input": "hi"'


@pytest.mark.parametrize(
    ("row", "words"),
    [
        (ROW + ', "expected": {"n": ' + "9" * 5000 + "}}", "number too large"),
        (ROW + ', "expected": {"n": ' + "[" * 1000 + "]" * 1000 + "}}", "nested too deep"),
        (ROW + ', "expected": {"n": ' + "[" * 80 + "]" * 80 + "}}", "nested deeper"),
        (ROW + ', "tags": ["\\ud800"]}', "surrogate"),
        (ROW.replace('"hi"', '"hi \\udfff"') + "}", "surrogate"),
        ('{"id": "a", "agent": "support", "input": true}', "'input' must be text, got bool"),
    ],
    ids=["huge-int", "deep-1000", "deep-80", "surrogate-tag", "surrogate-input", "bool-input"],
)
def test_bad_jsonl_rows_exit_2_with_file_and_line(tmp_path: Path, row: str, words: str) -> None:
    data = tmp_path / "rows.jsonl"
    data.write_text(ROW + "}\n" + row + "\n")
    result = run_cli("eval", "--dataset", str(data), "--provider", "offline")
    assert result.code == 2, result.stderr
    message = one_error_line(result.stderr)
    assert f"{data}:2:" in message and words in message


@pytest.mark.usefixtures("warm_support_model")
def test_resume_with_a_surrogate_row_added_is_exit_2(tmp_path: Path) -> None:
    data = tmp_path / "rows.jsonl"
    data.write_text(ROW + "}\n")
    first = run_cli("eval", "--dataset", str(data), "--provider", "offline", "--json")
    assert first.code in (0, 1), first.stderr
    data.write_text(ROW + "}\n" + '{"id": "b", "agent": "support", "input": "x", "tags": ["\\ud800"]}\n')
    result = run_cli("eval", "--resume", "last", "--provider", "offline")
    assert result.code == 2, result.stderr
    assert f"{data}:2:" in one_error_line(result.stderr)


def test_csv_json_cell_with_surrogate(tmp_path: Path) -> None:
    data = tmp_path / "rows.csv"
    data.write_text('id,agent,input,tags\na,support,hi,"[""\\ud800""]"\n')
    result = run_cli("eval", "--dataset", str(data), "--provider", "offline")
    assert result.code == 2, result.stderr
    assert f"{data}:2:" in one_error_line(result.stderr)


# -- dataset paths -------------------------------------------------------------------------------
def test_dataset_dev_null_fifo_and_empty_folder(tmp_path: Path) -> None:
    fifo = tmp_path / "rows.jsonl"
    os.mkfifo(fifo)
    empty = tmp_path / "empty"
    empty.mkdir()
    for target, words in (("/dev/null", "not a regular file"), (str(fifo), "not a regular file"),
                          (str(empty), "no dataset files")):  # fmt: skip
        result = run_cli("eval", "--dataset", target, "--provider", "offline", timeout=60)
        assert result.code == 2, (target, result.stderr)
        message = one_error_line(result.stderr)
        assert target in message and words in message


# -- config --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('runs_dir: "a\\0b"\n', "1: runs_dir: Value error, NUL byte not allowed"),
        ("llm:\n  timeout_s: .inf\n", "2: llm.timeout_s: Input should be a finite number"),
        ("eval:\n  gates:\n    success_rate: .nan\n", "3: eval.gates.success_rate: Input should be a finite"),
        ("1: x\n", "1: mapping key 1 is not a string"),
    ],
    ids=["nul", "inf", "nan", "int-key"],
)
def test_config_validate_refuses(tmp_path: Path, text: str, words: str) -> None:
    config = tmp_path / "agentops.yaml"
    config.write_text(text)
    result = run_cli("--config", str(config), "config", "validate")
    assert result.code == 2, result.stderr
    assert f"{config}:{words}" in one_error_line(result.stderr)


# -- a systematic error stops the eval early -------------------------------------------------------
def test_same_error_on_the_first_examples_stops_early_and_resume_finishes(tmp_path: Path) -> None:
    from tests.integration.test_eval_cli import rows_file, run_fake, stored_keys

    data = rows_file(tmp_path, 60, text="boom {i}")
    proc = run_fake(tmp_path, "eval", "--dataset", str(data), "--provider", "offline", "--concurrency", "2")
    assert proc.returncode == 3, proc.stderr
    notice, message = proc.stderr.strip().splitlines()  # "eval RUN: 60 examples…", then the error
    assert notice.startswith("eval ") and message.startswith("error: stopped early")
    assert "stopped early" in message and "boom: the agent failed" in message
    run_dir = next((Path(os.environ["AGENTOPS_RUNS_DIR"])).iterdir())
    saved = stored_keys(run_dir)
    assert 10 <= len(saved) < 60  # progress saved, the other examples never started
    assert (run_dir / "summary.json").is_file()
    (tmp_path / "fixed").write_text("")
    resumed = run_fake(
        tmp_path,
        "eval",
        "--resume",
        "last",
        "--retry-errors",
        "--json",
        env={"FAKE_FIXED": str(tmp_path / "fixed")},
    )
    assert resumed.returncode in (0, 1), resumed.stderr
    assert json.loads(resumed.stdout)["n"] == 60
    assert len(set(stored_keys(run_dir))) == 60


def test_a_success_among_the_first_examples_keeps_the_run_going(tmp_path: Path) -> None:
    from tests.integration.test_eval_cli import rows_file, run_fake, stored_keys

    data = rows_file(tmp_path, 30, text="boom {i}")
    lines = data.read_text().splitlines()
    lines[0] = lines[0].replace("boom 0", "billing 0")
    data.write_text("\n".join(lines) + "\n")
    proc = run_fake(tmp_path, "eval", "--dataset", str(data), "--provider", "offline", "--concurrency", "1")
    assert proc.returncode == 1, proc.stderr  # gates fail; no early stop
    run_dir = next((Path(os.environ["AGENTOPS_RUNS_DIR"])).iterdir())
    assert len(stored_keys(run_dir)) == 30
