"""``eval --shard I/N`` and ``eval merge``: the split, the merge, and every refusal.

The real service, store, summary and scorers run; the support agent is the fake module of
``test_eval_runner`` so each run takes milliseconds. The golden-set equivalence through the
real CLI and the real agents is in ``tests/integration/test_eval_shard_cli.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest

from agentops_cli.errors import BadInput
from agentops_cli.evaluation import datasets
from agentops_cli.evaluation.service import EvalRequest, merge_eval, run_eval
from agentops_cli.evaluation.store import RunStore
from tests.unit.test_eval_runner import dataset, fake_agent, loader  # noqa: F401 (fixture)

ROWS = [(f"billing row {i}", "billing", False) for i in range(12)] + [
    ("refund x", "billing", False),  # wrong intent
    ("human y", "human", True),
    ("shipping z", "shipping", True),  # missed escalation
]


def spec(path: Path) -> datasets.DatasetSpec:
    return datasets.DatasetSpec(path)


def ids(path: Path, selection: datasets.Selection) -> list[str]:
    s = spec(path)
    return [e.id for e in datasets.selected_examples(s, selection, datasets.plan(s, selection))]


@pytest.mark.parametrize("text", ["0/3", "4/3", "3", "a/b", "1/0", "1/1001", "-1/2", ""])
def test_bad_shard_spec_is_bad_input(text: str) -> None:
    with pytest.raises(BadInput, match="--shard"):
        datasets.parse_shard(text)


def test_shards_are_disjoint_and_complete_after_limit(tmp_path: Path) -> None:
    path = dataset(tmp_path, ROWS)
    for limit in (None, 10):
        whole = ids(path, datasets.Selection(limit=limit))
        parts = [ids(path, datasets.Selection(limit=limit, shard=(i, 3))) for i in (1, 2, 3)]
        joined = [row for part in parts for row in part]
        assert sorted(joined) == sorted(whole) and len(set(joined)) == len(whole)
        assert all(parts), "15 rows over 3 shards: none empty for this data"
    planned = datasets.plan(spec(path), datasets.Selection(limit=10, shard=(2, 3)))
    assert planned.unsharded == 10 and planned.selected == len(
        ids(path, datasets.Selection(limit=10, shard=(2, 3)))
    )
    assert planned.agents == ["support"]


def test_adding_rows_moves_no_other_row(tmp_path: Path) -> None:
    path = dataset(tmp_path, ROWS)
    before = {i: ids(path, datasets.Selection(shard=(i, 4))) for i in range(1, 5)}
    grown = dataset(
        tmp_path, [("new first", "billing", False), *ROWS, ("new last", "billing", False)], "g.jsonl"
    )
    # ids are positional in the helper; rename so the old rows keep their ids
    rows = [json.loads(line) for line in grown.read_text().splitlines()]
    for n, row in enumerate(rows):
        row["id"] = "new-a" if n == 0 else ("new-b" if n == len(rows) - 1 else f"e{n - 1}")
    grown.write_text("".join(json.dumps(r) + "\n" for r in rows))
    for i in range(1, 5):
        after = ids(grown, datasets.Selection(shard=(i, 4)))
        assert [x for x in after if not x.startswith("new")] == before[i]
    assert datasets.shard_of("e3", 4) == datasets.shard_of("e3", 4)  # no per-process salt
    assert {datasets.shard_of(f"id{n}", 4) for n in range(200)} == {1, 2, 3, 4}


def _comparable(store: RunStore) -> list[dict]:
    rows = [r.model_dump(exclude={"latency_ms"}) for r in store.results()]
    return sorted(rows, key=lambda r: r["key"])


TIMING = {"latency_p50_ms", "latency_p95_ms"}


def _shards(path: Path, n: int = 3, **extra) -> list[str]:
    out = []
    for i in range(1, n + 1):
        (s,) = run_eval(EvalRequest(dataset=str(path), shard=f"{i}/{n}", **extra), loader()).summaries
        assert s.shard == f"{i}/{n}" and s.passed and s.gates == []
        out.append(s.run_id)
    return out


def test_merge_equals_the_unsharded_run(tmp_path: Path, fake_agent) -> None:  # noqa: F811
    fake_agent()
    path = dataset(tmp_path, ROWS)
    gated = ["intent_accuracy=0.95", "pass_rate=0.5", "escalation_recall=0.5"]
    (whole,) = run_eval(EvalRequest(dataset=str(path), fail_under=gated), loader()).summaries
    runs = _shards(path)
    merged = merge_eval(runs, EvalRequest(fail_under=gated, junit=tmp_path / "j.xml"), loader())
    root = Path(whole.run_dir).parent
    assert merged.run_id not in runs and merged.merged_from == runs and merged.shard is None
    assert _comparable(RunStore(root, merged.run_id)) == _comparable(RunStore(root, whole.run_id))
    drop = {"run_id", "run_dir", "started_at", "duration_s", "examples_per_s", "reports", "merged_from"}
    a, b = whole.model_dump(exclude=drop), merged.model_dump(exclude=drop)
    for doc in (a, b):
        doc["metrics"] = {k: v for k, v in doc["metrics"].items() if k not in TIMING}
        doc.pop("latency_ms")
    assert a == b
    assert not merged.passed and [g.metric for g in merged.gates if not g.passed] == ["intent_accuracy"]
    assert (tmp_path / "j.xml").is_file() and merged.reports["junit"] == str(tmp_path / "j.xml")
    # the merged run is a run like any other: a baseline, shown, compared
    assert (root / merged.run_id / "summary.json").is_file()


def test_empty_shard_runs_and_merges(tmp_path: Path, fake_agent) -> None:  # noqa: F811
    fake_agent()
    path = dataset(tmp_path, ROWS[:2])
    runs = _shards(path, n=8)  # 2 rows over 8 shards: most are empty, none fails
    merged = merge_eval(runs, EvalRequest(), loader())
    assert merged.n == 2 and merged.complete
    empty = datasets.shard_of("e0", 8) % 8 + 1  # a shard neither row is in
    while empty in (datasets.shard_of("e0", 8), datasets.shard_of("e1", 8)):
        empty = empty % 8 + 1
    (s,) = run_eval(
        EvalRequest(dataset=str(path), shard=f"{empty}/8", junit=tmp_path / "e.xml"), loader()
    ).summaries
    suites = ElementTree.parse(tmp_path / "e.xml").getroot()
    assert s.n == 0 and s.passed and suites.get("failures") == "0" and suites.get("tests") == "1"


def test_baseline_last_skips_shards(tmp_path: Path, fake_agent) -> None:  # noqa: F811
    fake_agent()
    path = dataset(tmp_path, ROWS)
    (whole,) = run_eval(EvalRequest(dataset=str(path)), loader()).summaries
    runs = _shards(path, n=2)
    merged = merge_eval(runs, EvalRequest(baseline="last", fail_on_regression=True), loader())
    assert merged.baseline["run_id"] == whole.run_id
    assert merged.regression["passed"] and merged.passed


@pytest.mark.parametrize(
    ("extra", "flag"),
    [({"fail_under": ["pass_rate=0.5"]}, "--fail-under"), ({"baseline": "last"}, "--baseline")],
)
def test_shard_runs_refuse_gates(tmp_path: Path, extra: dict, flag: str) -> None:
    with pytest.raises(BadInput, match=f"not gated \\({flag}.*eval merge"):
        run_eval(EvalRequest(dataset=str(dataset(tmp_path, ROWS)), shard="1/2", **extra), loader())


def test_shard_with_resume_is_refused(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="drop --shard"):
        run_eval(EvalRequest(resume="last", shard="1/2"), loader())


def test_resume_keeps_the_shard(tmp_path: Path, fake_agent) -> None:  # noqa: F811
    fake_agent()
    path = dataset(tmp_path, ROWS)
    (first,) = run_eval(EvalRequest(dataset=str(path), shard="2/3"), loader()).summaries
    store = RunStore(Path(first.run_dir).parent, first.run_id)
    lines = store.results_path.read_text().splitlines(keepends=True)
    store.results_path.write_text("".join(lines[:-1]))  # lose one result
    (again,) = run_eval(EvalRequest(resume=first.run_id), loader()).summaries
    assert again.shard == "2/3" and again.n == first.n and again.complete


class TestMergeRefuses:
    @pytest.fixture
    def shards(self, tmp_path: Path, fake_agent) -> tuple[Path, list[str]]:  # noqa: F811
        fake_agent()
        path = dataset(tmp_path, ROWS)
        return path, _shards(path)

    def refused(self, runs: list[str], match: str) -> None:
        with pytest.raises(BadInput, match=match):
            merge_eval(runs, EvalRequest(), loader())

    def test_missing_shard(self, shards) -> None:
        _, runs = shards
        self.refused(runs[:2], "missing shard 3/3")

    def test_duplicate_shard(self, shards) -> None:
        path, runs = shards
        (again,) = run_eval(EvalRequest(dataset=str(path), shard="2/3"), loader()).summaries
        self.refused(
            [*runs, again.run_id], f"run {again.run_id}: shard 2/3 given twice \\(also run {runs[1]}\\)"
        )
        self.refused([runs[0], runs[0], runs[1], runs[2]], "shard 1/3 given twice")

    def test_other_dataset(self, shards, tmp_path: Path) -> None:
        _, runs = shards
        other = dataset(tmp_path, [*ROWS, ("extra", "billing", False)], "other.jsonl")
        (foreign,) = run_eval(EvalRequest(dataset=str(other), shard="3/3"), loader()).summaries
        self.refused(
            [*runs[:2], foreign.run_id], f"run {foreign.run_id}: not a shard of the same eval .*dataset"
        )

    def test_changed_expectation_is_another_dataset(self, shards, tmp_path: Path) -> None:
        path, runs = shards
        path.write_text(path.read_text().replace('"shipping"', '"billing"'))  # same ids and inputs
        (changed,) = run_eval(EvalRequest(dataset=str(path), shard="3/3"), loader()).summaries
        self.refused([*runs[:2], changed.run_id], "rows_fingerprint")

    def test_other_scorers(self, shards) -> None:
        path, runs = shards
        (other,) = run_eval(
            EvalRequest(dataset=str(path), shard="3/3", scorers=["intent"]), loader()
        ).summaries
        self.refused([*runs[:2], other.run_id], f"run {other.run_id}: .*scorers")

    def test_other_shard_count(self, shards) -> None:
        path, runs = shards
        (other,) = run_eval(EvalRequest(dataset=str(path), shard="3/4"), loader()).summaries
        self.refused([*runs[:2], other.run_id], "is of 4 shards")

    def test_not_a_shard(self, shards) -> None:
        path, runs = shards
        (whole,) = run_eval(EvalRequest(dataset=str(path)), loader()).summaries
        self.refused([whole.run_id, *runs], f"run {whole.run_id}: not a shard")
        self.refused([], "give the shard runs")
        self.refused(["nope", *runs], "run 'nope' not found")

    def test_unfinished_shard(self, shards, tmp_path: Path) -> None:
        _, runs = shards
        store = RunStore.open(loader()({}).runs_dir, runs[1])
        summary = store.summary()
        store.save_summary(summary.model_copy(update={"complete": False, "stopped_reason": "interrupted"}))
        self.refused(runs, f"run {runs[1]}: shard 2/3 is unfinished \\(interrupted\\); .*--resume {runs[1]}")

    def test_result_of_another_shard(self, shards) -> None:
        _, runs = shards
        root = loader()({}).runs_dir
        first, second = RunStore.open(root, runs[0]), RunStore.open(root, runs[1])
        stolen = first.results_path.read_text().splitlines(keepends=True)[0]
        with second.results_path.open("a") as fh:
            fh.write(stolen)
        before = set(RunStore.list_ids(root))
        self.refused(runs, f"run {runs[1]}: example '.*' does not belong to shard 2/3")
        assert set(RunStore.list_ids(root)) == before  # a refused merge writes no run

    def test_same_result_twice(self, shards) -> None:
        _, runs = shards
        store = RunStore.open(loader()({}).runs_dir, runs[0])
        line = store.results_path.read_text().splitlines(keepends=True)[0]
        with store.results_path.open("a") as fh:
            fh.write(line)
        self.refused(runs, f"run {runs[0]}: example '.*' is also in run {runs[0]}")

    def test_run_folders_work_as_refs(self, shards) -> None:
        _, runs = shards
        root = loader()({}).runs_dir
        merged = merge_eval([str(root / r) for r in runs], EvalRequest(), loader())
        assert merged.merged_from == runs


def test_merge_checks_its_flags_first(tmp_path: Path, fake_agent) -> None:  # noqa: F811
    fake_agent()
    runs = _shards(dataset(tmp_path, ROWS), n=2)
    with pytest.raises(BadInput, match="--fail-on-regression needs --baseline"):
        merge_eval(runs, EvalRequest(fail_on_regression=True), loader())
    with pytest.raises(BadInput, match="--fail-under: unknown metric field_f1"):
        merge_eval(runs, EvalRequest(fail_under=["field_f1=0.5"]), loader())
    with pytest.raises(BadInput, match="--baseline last: no other completed run"):
        merge_eval(runs, EvalRequest(baseline="last"), loader())
