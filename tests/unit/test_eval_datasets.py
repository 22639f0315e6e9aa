"""Datasets: formats, mapping, validation with file:line, selection."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentops_cli.errors import BadInput
from agentops_cli.evaluation.datasets import (
    DatasetSpec,
    Selection,
    iter_examples,
    parse_mapping,
    plan,
    resolve_dataset,
    selected_examples,
)
from agentops_cli.resources import datasets_dir


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_golden_resolves_and_validates() -> None:
    path, label = resolve_dataset("golden")
    assert path == datasets_dir() / "golden" and label == "golden"
    planned = plan(DatasetSpec(path), Selection(agent="support"))
    assert planned.selected >= 200
    assert planned.agents == ["support"]
    rows = list(selected_examples(DatasetSpec(path), Selection(agent="support"), planned))
    langs = {r.expected["language"] for r in rows}
    assert langs == {"en", "es"}
    assert sum("injection" in r.tags for r in rows) >= 10
    assert sum(r.expected["intent"] == "out_of_scope" for r in rows) >= 15


def test_jsonl_csv_yaml_and_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ds"
    folder.mkdir()
    write_jsonl(
        folder / "a.jsonl", [{"id": "j1", "agent": "support", "input": "hi", "expected": {"intent": "x"}}]
    )
    (folder / "b.csv").write_text(
        "id,agent,input,intent,escalate,tags\nc1,support,my card,billing,false,en;card\n", encoding="utf-8"
    )
    (folder / "c.yaml").write_text(
        "examples:\n  - id: y1\n    agent: support\n    input: hola\n    expected: {intent: refund}\n",
        encoding="utf-8",
    )
    (folder / "notes.txt").write_text("ignored")
    rows = list(iter_examples(DatasetSpec(folder)))
    assert [r.id for r in rows] == ["j1", "c1", "y1"]
    assert rows[1].expected == {"intent": "billing", "escalate": False}
    assert rows[1].tags == ["en", "card"]
    assert rows[2].where.endswith("c.yaml:2")


def test_map_foreign_columns(tmp_path: Path) -> None:
    path = tmp_path / "clinc.csv"
    path.write_text("text,category\nwhere is my parcel,shipping\n", encoding="utf-8")
    spec = DatasetSpec(
        path, parse_mapping(["input=text", "expected.intent=category"]), default_agent="support"
    )
    (row,) = list(iter_examples(spec))
    assert row.input == "where is my parcel"
    assert row.expected == {"intent": "shipping"}
    assert row.id == "clinc-2"
    nested = write_jsonl(tmp_path / "n.jsonl", [{"q": {"text": "hey"}, "label": "billing"}])
    spec = DatasetSpec(
        nested, parse_mapping(["input=q.text", "expected.intent=label"]), default_agent="support"
    )
    assert next(iter(iter_examples(spec))).expected == {"intent": "billing"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '{"id": "a", "agent": "support", "input": "x"}\n{"id": "b", "agent": "support"}\n',
            "x.jsonl:2: missing 'input'",
        ),
        ('{"id": "a", "agent": "nobody", "input": "x"}\n', "x.jsonl:1: unknown agent 'nobody'"),
        ('{"id": "a", "input": "x"}\n', "x.jsonl:1: missing 'agent' (add an agent column or pass --agent)"),
        ('{"id": "a", "agent": "support", "input": "x"}\n{oops\n', "x.jsonl:2: invalid JSON"),
        (
            '{"id": "a", "agent": "support", "input": "x", "expected": {"escalate": "maybe"}}\n',
            "x.jsonl:1: expected.escalate: Input should be a valid boolean",
        ),
        (
            '{"id": "a", "agent": "research", "input": "x", "expected": {"must_cite": "a.md"}}\n',
            "x.jsonl:1: expected.must_cite: Input should be a valid list",
        ),
        (
            '{"id": "a", "agent": "support", "input": "x"}\n{"id": "a", "agent": "support", "input": "y"}\n',
            "x.jsonl:2: duplicate id 'a' (first at",
        ),
        (
            '{"id": "a", "agent": "document", "input": "nope.txt"}\n',
            "x.jsonl:1: document 'nope.txt' not found",
        ),
        ("[1, 2]\n", "x.jsonl:1: a row must be an object"),
        (
            '{"id": "a", "agent": "support", "input": "x", "expected": 3}\n',
            "x.jsonl:1: 'expected' must be an object",
        ),
        ('{"id": "a", "agent": "support", "input": "x", "tags": [1]}\n', "x.jsonl:1: 'tags' must be a list"),
        ('{"id": "a", "agent": "support", "input": {"a": 1}}\n', "x.jsonl:1: 'input' must be text"),
    ],
)
def test_bad_rows_name_file_and_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BadInput) as err:
        plan(DatasetSpec(path), Selection())
    assert str(err.value).startswith(f"{path.parent}/{message}")


def test_bad_files(tmp_path: Path) -> None:
    yaml_bad = tmp_path / "bad.yaml"
    yaml_bad.write_text("- id: a\n  input: [unclosed\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"bad.yaml:\d+: invalid YAML"):
        plan(DatasetSpec(yaml_bad), Selection())
    scalar = tmp_path / "s.yaml"
    scalar.write_text("just text\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"s\.yaml:1: YAML dataset must be a list"):
        plan(DatasetSpec(scalar), Selection())
    csv_bad = tmp_path / "c.csv"
    csv_bad.write_text("input,agent\nhello,support,extra\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"c\.csv:2: more cells than header columns"):
        plan(DatasetSpec(csv_bad), Selection())
    empty = tmp_path / "e.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(BadInput, match="the dataset has no rows"):
        plan(DatasetSpec(empty), Selection())
    latin = tmp_path / "l.jsonl"
    latin.write_bytes(b'{"input": "caf\xe9"}\n')
    with pytest.raises(BadInput, match="not UTF-8"):
        plan(DatasetSpec(latin), Selection())
    with pytest.raises(BadInput, match="dataset not found"):
        resolve_dataset(str(tmp_path / "missing.jsonl"))
    with pytest.raises(BadInput, match="unsupported dataset format"):
        resolve_dataset(str(yaml_bad.with_suffix(".txt").touch() or yaml_bad.with_suffix(".txt")))
    (tmp_path / "emptydir").mkdir()
    with pytest.raises(BadInput, match="no dataset files"):
        plan(DatasetSpec(tmp_path / "emptydir"), Selection())
    with pytest.raises(BadInput, match="expected TARGET=SOURCE"):
        parse_mapping(["input"])
    with pytest.raises(BadInput, match="target must be one of"):
        parse_mapping(["intent=label"])


def test_selection_agent_tags_limit_sample(tmp_path: Path) -> None:
    rows = [
        {"id": f"r{i}", "agent": "support", "input": f"q{i}", "tags": ["even" if i % 2 == 0 else "odd"]}
        for i in range(10)
    ]
    path = write_jsonl(tmp_path / "d.jsonl", rows)
    spec = DatasetSpec(path)
    evens = Selection(tags=("even",), limit=3)
    planned = plan(spec, evens)
    assert planned.selected == 3
    assert [r.id for r in selected_examples(spec, evens, planned)] == ["r0", "r2", "r4"]
    sampled = Selection(sample=4, seed=7)
    first = [r.id for r in selected_examples(spec, sampled, plan(spec, sampled))]
    again = [r.id for r in selected_examples(spec, sampled, plan(spec, sampled))]
    assert len(first) == 4 and first == again  # same seed, same sample, in file order
    other = [
        r.id
        for r in selected_examples(spec, Selection(sample=4, seed=8), plan(spec, Selection(sample=4, seed=8)))
    ]
    assert other != first
    with pytest.raises(BadInput, match="no rows match"):
        plan(spec, Selection(agent="research"))
