"""The root rule on corpora, packs and documents, and one redaction on every sink (real CLI)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from tests.conftest import REPO, run_cli

SECRET_LINE = "root:x:0:0:the-outside-secret-line:/root:/bin/bash"
KEY = "sk-proj-FakeGh1234567890XyZ"


def outside_file(tmp_path: Path) -> Path:
    target = tmp_path / "outside" / "secret.txt"
    target.parent.mkdir()
    target.write_text(f"# Refund secrets\n\n{SECRET_LINE} refund policy refund days.\n")
    return target


def test_research_corpus_skips_outside_symlinks_and_hard_links(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "notes.md").write_text(
        "# Refunds\n\nThe refund policy gives customers 30 days to return goods.\n"
    )
    target = outside_file(tmp_path)
    (corpus / "passwd.txt").symlink_to(target)
    os.link(target, corpus / "hard.md")
    result = run_cli("run", "research", "what is the refund policy", "--corpus", str(corpus), "--json")
    assert result.code == 0, result.stderr
    out = result.json()
    assert "the-outside-secret-line" not in result.stdout
    assert "skipped_unsafe:passwd.txt: symlink leaves the root" in " ".join(out["flags"])
    assert any(f.startswith("skipped_unsafe:hard.md: hard link") for f in out["flags"])
    assert "corpus file skipped: passwd.txt" in result.stderr

    config = tmp_path / "agentops.yaml"
    config.write_text("document:\n  allow_hard_links: true\n")
    allowed = run_cli(
        "--config", str(config), "run", "research", "refund policy", "--corpus", str(corpus), "--json"
    )
    assert allowed.code == 0, allowed.stderr
    assert not any(f.startswith("skipped_unsafe:hard.md") for f in allowed.json()["flags"])


def test_support_pack_skips_a_kb_article_linked_outside(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(REPO / "datasets" / "support", pack)
    (pack / "kb" / "passwd.md").symlink_to(outside_file(tmp_path))
    result = run_cli(
        "run", "support", "refund secrets", "--pack", str(pack), "--provider", "offline", "--json"
    )
    assert result.code == 0, result.stderr
    assert "the-outside-secret-line" not in result.stdout
    assert any(f.startswith("skipped_unsafe:kb/passwd.md: symlink") for f in result.json()["flags"])


def test_document_hard_link_in_root_is_refused_unless_allowed(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    os.link(outside_file(tmp_path), root / "contract.txt")
    result = run_cli("run", "document", "contract.txt", "--root", str(root), "--json", cwd=tmp_path)
    assert result.code == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "contract.txt: refused: hard link (2 names" in lines[0]
    config = tmp_path / "agentops.yaml"
    config.write_text("document:\n  allow_hard_links: true\n")
    allowed = run_cli(
        "--config",
        str(config),
        "run",
        "document",
        "contract.txt",
        "--root",
        str(root),
        "--json",
        cwd=tmp_path,
    )
    assert allowed.code == 0, allowed.stderr


def test_a_key_typed_into_a_query_reaches_no_sink(tmp_path: Path, isolated: Path) -> None:
    query = f"  my api key {KEY} was charged twice, refund please  "
    data = tmp_path / "rows.jsonl"
    data.write_text(
        json.dumps({"id": "k1", "agent": "support", "input": query, "expected": {"intent": "billing"}}) + "\n"
    )
    reports = tmp_path / "reports"
    result = run_cli(
        "eval", "--dataset", str(data), "--provider", "offline", "--json",
        "--html", str(reports / "r.html"), "--junit", str(reports / "j.xml"),
        "--metrics-file", str(reports / "m.prom"),
    )  # fmt: skip
    assert result.code in (0, 1), result.stderr
    assert KEY not in result.stdout + result.stderr
    run_dir = (
        Path(result.json()["run_dir"]) if "run_dir" in result.json() else next((isolated / "runs").iterdir())
    )
    written = [p for p in [*run_dir.iterdir(), *reports.iterdir()] if p.is_file()]
    assert {"results.jsonl", "summary.json", "report.html", "junit.xml"} <= {p.name for p in written}
    for path in written:
        assert KEY not in path.read_text(encoding="utf-8"), path
    assert "[REDACTED]" in (run_dir / "results.jsonl").read_text()

    one = run_cli("run", "support", query, "--provider", "offline", "--json")
    assert one.code == 0, one.stderr
    log = (isolated / "home" / "runs.jsonl").read_text()
    assert KEY not in log
    entry = json.loads(log.splitlines()[-1])
    assert "query" not in entry and len(entry["input_sha256"]) == 64  # the echo is dropped, trimmed or not
