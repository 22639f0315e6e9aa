"""Support packs: the bundled pack's content, bad packs (file:line), bare CSV/JSONL packs."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from agentops_cli.agents.support.pack import default_pack_dir, load_pack, read_training, split_markdown
from agentops_cli.errors import BadInput
from agentops_cli.nlp.language import detect_language

INTENTS = {
    "billing",
    "refund",
    "shipping",
    "account",
    "technical",
    "product",
    "cancellation",
    "complaint",
    "human_agent",
    "security",
    "out_of_scope",
}


def test_default_pack_is_bilingual_with_enough_examples_and_kb() -> None:
    pack = load_pack()
    assert set(pack.intents) == INTENTS
    per_intent = Counter(label for _, label in pack.training)
    for name in INTENTS:
        examples = pack.intents[name].examples
        languages = Counter(detect_language(e) for e in examples)
        assert len(examples) >= 25, name
        assert languages["en"] >= 10 and languages["es"] >= 10, (name, languages)
        assert per_intent[name] >= 45, name  # intents.yaml + training.csv
    assert pack.escalating_intents == {"human_agent", "security"}
    kb = {(p.intent, p.language) for p in pack.passages}
    for name in INTENTS - {"human_agent", "security", "out_of_scope"}:
        assert (name, "en") in kb and (name, "es") in kb, name
    assert len(pack.by_id) == len(pack.passages)
    assert pack.by_id["billing#duplicate-or-unexpected-charges"].title.startswith("Billing and payments — ")
    assert pack.templates["es"]["handoff"]["human_requested"]
    assert load_pack(default_pack_dir()) is pack  # cached per process while unchanged


def _copy_pack(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(default_pack_dir(), target)
    return target


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("intents: [\n  - name: a\n    examples: [x\n", r"intents\.yaml:\d+: invalid YAML"),
        (
            "intents:\n  - name: a\n    examples: [x]\n  - name: b\n    colour: red\n",
            r"intents\.yaml:5: intents\.1\.colour: unknown key",
        ),
        (
            "intents:\n  - name: a\n  - description: no name\n",
            r"intents\.yaml:3: intents\.1\.name: Field required",
        ),
        ("intents:\n  - name: a\n  - name: a\n", r"intents\.yaml:3: duplicate intent 'a'"),
        ("intents: []\n", r"intents\.yaml:1: expected a mapping with a non-empty 'intents' list"),
        (
            "intents:\n  - name: a\n    examples: [x]\npolicy:\n  confidence_threshold: 3\n",
            r"intents\.yaml:5: policy\.confidence_threshold: Input should be less than or equal to 1",
        ),
        (
            "intents:\n  - name: a\n    examples: [x]\nlanguage: en\nextra: 1\n",
            r"intents\.yaml:5: extra: unknown key",
        ),
        ("intents:\n  - name: a\n    examples: [x, y]\n", r"intents\.yaml:1: a pack needs training examples"),
        ("intents:\n  - just a string\n", r"intents\.yaml:2: intents\.0: expected a mapping"),
    ],
)
def test_bad_intents_yaml_points_at_the_line(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "intents.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(BadInput, match=message):
        load_pack(tmp_path)


def test_bad_training_file_and_policy_point_at_the_line(tmp_path: Path) -> None:
    pack = _copy_pack(tmp_path)
    (pack / "training.csv").write_text("text,intent\nhello there,billing\nsomething,unknown_intent\n")
    with pytest.raises(BadInput, match=r"training\.csv:3: label 'unknown_intent' is not an intent"):
        load_pack(pack)
    (pack / "training.csv").write_text("text,intent\n,billing\n")
    with pytest.raises(BadInput, match=r"training\.csv:2: empty 'text'"):
        load_pack(pack)
    (pack / "training.csv").unlink()
    (pack / "policy.yaml").write_text("top_k: 3\nthreshold: 0.5\n")
    with pytest.raises(BadInput, match=r"policy\.yaml:2: threshold: unknown key"):
        load_pack(pack)
    (pack / "policy.yaml").write_text("- not a mapping\n")
    with pytest.raises(BadInput, match=r"policy\.yaml:1: expected a mapping"):
        load_pack(pack)


def test_missing_and_non_pack_paths(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="pack not found"):
        load_pack(tmp_path / "nope")
    with pytest.raises(BadInput, match=r"not a support pack \(no intents\.yaml\)"):
        load_pack(tmp_path)
    (tmp_path / "data.txt").write_text("x")
    with pytest.raises(BadInput, match=r"data\.txt:1: training file must be \.csv or \.jsonl"):
        load_pack(tmp_path / "data.txt")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("t.jsonl", '{"text": "a", "intent": "x"}\n{broken\n', r"t\.jsonl:2: invalid JSON"),
        ("t.jsonl", '["a", "x"]\n', r"t\.jsonl:1: expected a JSON object per line"),
        ("t.jsonl", "\n\n", r"t\.jsonl:1: no rows"),
        (
            "t.csv",
            "utterance,topic\nhi,x\n",
            r"t\.csv:1: no label column \(expected one of: intent, category, label\)",
        ),
        ("t.csv", "message,label\nhi,x\n", r"t\.csv:1: no text column"),
        ("t.csv", "", r"t\.csv:1: empty CSV"),
        ("t.csv", "text,label\nhi,x\n", r"t\.csv:1: a pack needs training examples for at least two intents"),
        ("t.csv", "text,label\n", r"t\.csv:1: no rows"),
    ],
)
def test_bad_bare_training_files(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BadInput, match=message):
        load_pack(path)


def test_bare_csv_pack_takes_intents_from_labels_and_kb_from_responses(tmp_path: Path) -> None:
    path = tmp_path / "bitext.csv"
    path.write_text(
        "instruction,category,response\n"
        "where is my order,ORDER,Track it in Orders > Track package.\n"
        "track my parcel,ORDER,Track it in Orders > Track package.\n"
        "i want my money back,REFUND,Refunds take 5 to 10 days.\n"
        "refund please,REFUND,\n",
        encoding="utf-8",
    )
    pack = load_pack(path)
    assert set(pack.intents) == {"ORDER", "REFUND"}
    assert [(p.id, p.intent) for p in pack.passages] == [("ORDER#1", "ORDER"), ("REFUND#1", "REFUND")]
    assert pack.name == "bitext.csv"
    assert pack.policy.always_escalate == ["human_agent", "security"]


def test_read_training_with_named_columns_and_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps({"q": f"text {i}", "y": "a" if i % 2 else "b"}) for i in range(4)))
    rows = read_training(path, text_column="q", label_column="y")
    assert rows[0] == ("text 0", "b", None, 1)
    with pytest.raises(BadInput, match=r"rows\.jsonl:1: text column 'nope' not found"):
        read_training(path, text_column="nope")
    with pytest.raises(BadInput, match="training file not found"):
        read_training(tmp_path / "missing.csv")


def test_pack_policy_file_and_named_training_file(tmp_path: Path) -> None:
    pack_dir = tmp_path / "p"
    (pack_dir / "kb").mkdir(parents=True)
    (pack_dir / "intents.yaml").write_text(
        "intents:\n  - name: a\n    examples: [alpha one]\n  - name: b\n    examples: [beta two]\n"
    )
    (pack_dir / "policy.yaml").write_text(
        "confidence_threshold: 0.2\ntraining_file: extra.jsonl\n"
        "text_column: q\nlabel_column: y\nlanguage: es\n"
    )
    (pack_dir / "extra.jsonl").write_text('{"q": "alpha three", "y": "a"}\n')
    (pack_dir / "kb" / "a.md").write_text("Intro text without heading.\n\n## Details\nAlpha details.\n")
    (pack_dir / "templates.yaml").write_text("es:\n  closing: 'Ver: {title}'\n")
    pack = load_pack(pack_dir)
    assert pack.policy.confidence_threshold == 0.2
    assert ("alpha three", "a") in pack.training
    assert [(p.id, p.language, p.intent) for p in pack.passages] == [
        ("a#a", "es", "a"),
        ("a#details", "es", "a"),
    ]
    assert pack.templates["es"]["closing"] == "Ver: {title}"
    assert pack.templates["en"]["closing"] == "(Source: {title})"  # defaults fill the rest


def test_split_markdown_front_matter_headings_and_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "guide.md"
    path.write_text(
        "---\nintent: shipping\nlanguage: es\n---\n# Guía\n\n"
        "## Plazos\nUno.\n\n## Plazos\nDos.\n\n### Vacío\n\n## Otro\nTres.\n",
        encoding="utf-8",
    )
    passages = split_markdown(path, rel="guide.md", intent=None, language=None)
    assert [p.id for p in passages] == ["guide#plazos", "guide#plazos-2", "guide#otro"]
    assert passages[0].title == "Guía — Plazos"
    assert {p.intent for p in passages} == {"shipping"}
    assert {p.language for p in passages} == {"es"}
    bad = tmp_path / "bad.md"
    bad.write_text("---\nlanguage: fr\n---\n# X\n## Y\nz\n")
    with pytest.raises(BadInput, match=r"bad\.md:1: language must be en or es"):
        split_markdown(bad, rel="bad.md", intent=None, language=None)
    binary = tmp_path / "bin.md"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(BadInput, match=r"bin\.md:1: not UTF-8"):
        split_markdown(binary, rel="bin.md", intent=None, language=None)
