"""Labels are data: a bare training file whose labels hold ``?``, spaces, dots, slashes,
``ñ``, ``ü`` and CJK works end to end (``run support --pack FILE``, ``eval`` with JSON,
HTML and JUnit reports), and a pack that cannot load is one exit-2 line at load time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.fakes.fixtures import CsvPack, CsvPackFactory

# label → (distinctive words, the answer the bare file gives for it)
INTENTS = {
    "card arrival?": ("card arrive arrival post mailbox new plastic", "Cards arrive in 5 working days."),
    "top-up / reverted": (
        "top up reverted bounced wallet reload failed",
        "Reverted top-ups return in 1 day.",
    ),
    "exchange.rate": ("exchange rate currency euro dollar conversion", "Rates follow the market every hour."),
    "cambio de dirección ñ": (
        "mudanza domicilio dirección nueva calle piso",
        "Cambia tu dirección en Perfil.",
    ),
    "Überweisung ü": ("überweisung iban empfänger senden bank konto", "Überweisungen dauern einen Tag."),
    "银行卡 丢失": ("lost stolen missing card 丢失 银行卡 freeze", "Freeze the card in the app at once."),
}
TEMPLATES = ("{a} {b}", "my {a} and {b}", "question about {a} {b} {c}", "{c} {a} please", "help {b} {c}")


def _rows() -> list[tuple[str, str, str]]:
    rows = []
    for label, (vocab, answer) in INTENTS.items():
        words = vocab.split()
        for i, template in enumerate(TEMPLATES * 2):
            a, b, c = words[i % len(words)], words[(i + 1) % len(words)], words[(i + 3) % len(words)]
            rows.append((template.format(a=a, b=b, c=c), label, answer))
    return rows


@pytest.fixture(scope="module")
def desk(csv_pack_factory: CsvPackFactory) -> CsvPack:
    """The synthetic pack, trained once for this module in its own cache."""
    return csv_pack_factory("labels", _rows())


@pytest.mark.parametrize(
    ("query", "label"),
    [
        ("has my new card arrived in the mailbox", "card arrival?"),
        ("my top up was reverted and bounced", "top-up / reverted"),
        ("what exchange rate for euro to dollar", "exchange.rate"),
        ("nueva dirección de domicilio por mudanza", "cambio de dirección ñ"),
        ("überweisung an empfänger iban", "Überweisung ü"),
        ("银行卡 丢失 freeze it", "银行卡 丢失"),
    ],
)
def test_run_support_returns_the_label_unchanged(desk: CsvPack, query: str, label: str) -> None:
    result = run_cli("run", "support", query, "--pack", str(desk.path), "--json", env=desk.env, timeout=300)
    assert result.code == 0, result.stderr
    data = result.json()
    assert data["intent"] == label
    assert data["alternatives"][0]["intent"] == label
    assert data["sources"] and data["sources"][0]["id"] == f"{label}#1"
    assert INTENTS[label][1] in (data["answer"] or "") + (data["draft_answer"] or "")


def test_eval_metrics_and_reports_carry_the_labels(desk: CsvPack, tmp_path: Path) -> None:
    dataset = tmp_path / "rows.jsonl"
    rows = [
        {"id": f"r{i}", "input": text, "expected": {"intent": label}}
        for i, (text, label, _) in enumerate(_rows()[::3])
    ]
    dataset.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    html, junit = tmp_path / "report.html", tmp_path / "junit.xml"
    result = run_cli(
        "eval",
        "--dataset",
        str(dataset),
        "--agent",
        "support",
        "--pack",
        str(desk.path),
        "--html",
        str(html),
        "--junit",
        str(junit),
        "--json",
        cwd=tmp_path,
        env=desk.env,
        timeout=300,
    )
    assert result.code in (0, 1), result.stderr
    doc = result.json()
    assert doc["errors"] == 0
    metrics = doc["metrics"]
    assert metrics["intent_accuracy"] >= 0.9
    # No expected out_of_scope here: rejection can only lose answers, never win them.
    assert metrics["intent_accuracy_no_reject"] >= metrics["intent_accuracy"]
    page = html.read_text(encoding="utf-8")
    assert "cambio de dirección ñ" in page and "银行卡 丢失" in page and "top-up / reverted" in page
    assert "card arrival?" in page and "exchange.rate" in page and "Überweisung ü" in page
    assert junit.read_text(encoding="utf-8").startswith("<?xml")


@pytest.mark.parametrize(
    ("content", "line", "what"),
    [
        ("text,label\nhello there,greeting\nbye now,  \nsee you,farewell\n", 3, "empty 'label'"),
        ('{"text": "hi", "label": "a"}\n{"text": "yo", "label": null}\n', 2, "empty 'label'"),
    ],
)
def test_a_pack_that_cannot_load_is_one_line_at_load_time(
    tmp_path: Path, desk: CsvPack, content: str, line: int, what: str
) -> None:
    suffix = ".csv" if content.startswith("text") else ".jsonl"
    pack = tmp_path / f"broken{suffix}"
    pack.write_text(content, encoding="utf-8")
    run = run_cli("run", "support", "hello", "--pack", str(pack), env=desk.env)
    assert run.code == 2
    assert run.stderr.strip().splitlines() == [f"error: {pack}:{line}: {what}"]
    dataset = tmp_path / "rows.jsonl"
    dataset.write_text(
        "".join(
            json.dumps({"id": f"r{i}", "input": "hello", "expected": {"intent": "a"}}) + "\n"
            for i in range(50)
        ),
        encoding="utf-8",
    )
    ev = run_cli(
        "eval",
        "--dataset",
        str(dataset),
        "--agent",
        "support",
        "--pack",
        str(pack),
        cwd=tmp_path,
        env=desk.env,
    )
    assert ev.code == 2
    assert ev.stderr.strip().splitlines() == [f"error: {pack}:{line}: {what}"]
    assert not list(tmp_path.rglob("results.jsonl"))  # no run was started
