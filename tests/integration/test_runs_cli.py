"""``agentops runs list|show`` read the local run log that every ``agentops run`` writes."""

from __future__ import annotations

from tests.conftest import run_cli


def test_runs_list_and_show_the_logged_runs() -> None:
    first = run_cli("run", "support", "I was charged twice for my order", "--json").json()
    second = run_cli("run", "support", "¿Dónde está mi pedido?", "--json").json()

    listed = run_cli("runs", "list", "--json").json()
    assert [r["run_id"] for r in listed["runs"]] == [first["run_id"], second["run_id"]]
    assert listed["runs"][0]["intent"] == "billing" and listed["runs"][0]["error"] is None
    assert "I was charged" not in str(listed)  # inputs are stored as a hash
    assert [r["run_id"] for r in run_cli("runs", "list", "--limit", "1", "--json").json()["runs"]] == [
        second["run_id"]
    ]

    shown = run_cli("runs", "show", "last", "--json").json()
    assert shown["run_id"] == second["run_id"] and shown["language"] == "es"
    table = run_cli("runs", "list", env={"COLUMNS": "120"})
    assert table.code == 0 and first["run_id"] in table.stdout

    missing = run_cli("runs", "show", "nope")
    assert missing.code == 2 and missing.stderr.strip().startswith("error: run 'nope' not found")
