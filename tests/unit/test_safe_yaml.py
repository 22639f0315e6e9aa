"""The one YAML reader: what it accepts (anchors within budget, merge keys) and refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops_cli import safe_yaml
from agentops_cli.errors import BadInput


def test_reused_anchors_and_merge_keys_load_as_safe_load_would() -> None:
    text = "base: &b {model: m, timeout_s: 3}\nllm:\n  <<: *b\n  model: n\nlist: [*b, *b]\n"
    data = safe_yaml.load(text, "c.yaml")
    assert data["llm"] == {"model": "n", "timeout_s": 3}
    assert data["list"] == [{"model": "m", "timeout_s": 3}] * 2
    assert safe_yaml.load("", "empty.yaml") is None


def test_alias_budget_counts_expanded_nodes() -> None:
    text = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b]\n"
    assert safe_yaml.load(text, "ok.yaml")["c"][1][8] == list(range(1, 10))
    with pytest.raises(BadInput, match=r"^small\.yaml:1: YAML aliases expand to \d+ nodes"):
        safe_yaml.load(text, "small.yaml", safe_yaml.YamlBudget(alias_nodes=50))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: [1, 2\nb: 3\n", r"^f\.yaml:2: invalid YAML: did not find expected"),
        ("a: 1\n---\nb: 2\n", r"^f\.yaml:2: invalid YAML: "),
        ("? [a, b]\n: c\n", r"^f\.yaml:1: mapping key a collection is not a string"),
        ("true: x\n", r"^f\.yaml:1: mapping key true is not a string"),
        ("a: !!python/object:os.system x\n", r"^f\.yaml:1: invalid YAML: could not determine a constructor"),
        ("a: " + "9" * 5000 + "\n", r"^f\.yaml:1: invalid YAML value \(ValueError\)"),
        ("a: &x [*x]\n", r"^f\.yaml:1: recursive YAML alias"),
        ("a: " + "[" * 101 + "]" * 101 + "\n", r"^f\.yaml:1: YAML nested deeper than 100 levels"),
        ("a: " + "[" * 2000 + "]" * 2000 + "\n", r"^f\.yaml(:\d+)?: (invalid YAML|YAML nested)"),
    ],
    ids=[
        "syntax",
        "two-docs",
        "collection-key",
        "bool-key",
        "python-tag",
        "huge-int",
        "cycle",
        "depth",
        "parser-depth",
    ],
)
def test_refusals_name_file_and_line(text: str, message: str) -> None:
    with pytest.raises(BadInput, match=message):
        safe_yaml.load(text, "f.yaml")


def test_file_reading_refusals(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("a: 1\n" * 100)
    with pytest.raises(BadInput, match=r"big\.yaml: config file is 500 bytes, over the limit of 100"):
        safe_yaml.read_yaml_text(big, safe_yaml.YamlBudget(max_bytes=100), "config file")
    with pytest.raises(BadInput, match=r"over the limit of 10"):
        safe_yaml.compose("a: 1\n" * 10, "t.yaml", safe_yaml.YamlBudget(max_bytes=10))
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("a: año\n".encode("latin-1"))
    with pytest.raises(BadInput, match=r"latin\.yaml: cannot read YAML file \(not UTF-8 text"):
        safe_yaml.load_file(latin)
    with pytest.raises(BadInput, match=r"cannot read YAML file \(not a regular file\)"):
        safe_yaml.load_file(tmp_path)
    with pytest.raises(BadInput, match=r"cannot read YAML file \(not found\)"):
        safe_yaml.load_file(tmp_path / "missing.yaml")


def test_key_lines_map_paths_to_lines() -> None:
    root = safe_yaml.compose("intents:\n  - name: a\n    examples:\n      - hi\n", "i.yaml")
    lines = safe_yaml.key_lines(root)
    assert lines[("intents",)] == 1 and lines[("intents", 0)] == 2
    assert lines[("intents", 0, "examples")] == 3 and lines[("intents", 0, "examples", 0)] == 4
    assert safe_yaml.key_lines(None) == {}
