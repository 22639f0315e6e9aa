"""The per-process support pack cache: reused while unchanged, reloaded as soon as anything changes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from agentops_cli.agents.support import pack as pack_module
from agentops_cli.agents.support.pack import default_pack_dir, load_pack


@pytest.fixture
def pack_dir(tmp_path: Path) -> Path:
    target = tmp_path / "pack"
    shutil.copytree(default_pack_dir(), target)
    return target


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every real (re)load of a pack folder or bare file, in order."""
    seen: list[Path] = []
    folder, bare = pack_module._load_folder, pack_module._load_bare_file
    monkeypatch.setattr(pack_module, "_load_folder", lambda p: seen.append(p) or folder(p))
    monkeypatch.setattr(pack_module, "_load_bare_file", lambda p: seen.append(p) or bare(p))
    return seen


def _touch_later(path: Path) -> None:
    """Move the mtime forward explicitly, so the test does not depend on the clock's resolution."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000_000))


def test_unchanged_pack_is_parsed_once(pack_dir: Path, loads: list[Path]) -> None:
    first = load_pack(pack_dir)
    assert all(load_pack(pack_dir) is first for _ in range(5))
    assert load_pack(str(pack_dir)) is first
    assert len(loads) == 1


def test_edited_kb_article_is_picked_up(pack_dir: Path, loads: list[Path]) -> None:
    first = load_pack(pack_dir)
    article = pack_dir / "kb" / "billing.md"
    extra = "\n## Brand new section\n\nFresh text.\n"
    article.write_text(article.read_text(encoding="utf-8") + extra, encoding="utf-8")
    _touch_later(article)
    second = load_pack(pack_dir)
    assert second is not first and len(loads) == 2
    assert any(p.title.endswith("Brand new section") for p in second.passages)
    assert load_pack(pack_dir) is second  # and cached again


def test_same_size_edit_is_picked_up(pack_dir: Path, loads: list[Path]) -> None:
    policy = pack_dir / "policy.yaml"
    policy.write_text("confidence_threshold: 0.40\n", encoding="utf-8")
    assert load_pack(pack_dir).policy.confidence_threshold == pytest.approx(0.40)
    policy.write_text("confidence_threshold: 0.70\n", encoding="utf-8")  # same size
    _touch_later(policy)
    assert load_pack(pack_dir).policy.confidence_threshold == pytest.approx(0.70)


def test_added_and_removed_files_are_picked_up(pack_dir: Path, loads: list[Path]) -> None:
    base = len(load_pack(pack_dir).passages)
    (pack_dir / "kb" / "extra.en.md").write_text("# Extra\n\n## One\n\nSome text.\n", encoding="utf-8")
    assert len(load_pack(pack_dir).passages) == base + 1
    (pack_dir / "kb" / "extra.en.md").unlink()
    assert len(load_pack(pack_dir).passages) == base
    assert len(loads) == 3


def test_deleted_pack_is_bad_input(pack_dir: Path) -> None:
    from agentops_cli.errors import BadInput

    load_pack(pack_dir)
    shutil.rmtree(pack_dir)
    with pytest.raises(BadInput, match="pack not found"):
        load_pack(pack_dir)


def test_bare_training_file_edit_is_picked_up(tmp_path: Path, loads: list[Path]) -> None:
    path = tmp_path / "train.jsonl"
    path.write_text('{"text": "where is my parcel", "intent": "shipping"}\n'
                    '{"text": "refund me", "intent": "refund"}\n', encoding="utf-8")  # fmt: skip
    first = load_pack(path)
    assert load_pack(path) is first
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"text": "my invoice is wrong", "intent": "billing"}\n')
    _touch_later(path)
    assert "billing" in load_pack(path).intents
    assert len(loads) == 2
