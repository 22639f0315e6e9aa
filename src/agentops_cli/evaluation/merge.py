"""``agentops eval merge RUN...``: join the shard runs of one eval into one gated run.

A CI matrix runs ``agentops eval --shard I/N`` in N jobs; the merge job gathers their run
folders and calls this. The merged run is a new run whose ``results.jsonl`` is the shards'
lines one after another, and whose summary is folded from those lines by the same code as
any run (:func:`~agentops_cli.evaluation.service.summarise_store`) — never an average of
shard metrics, which would be wrong for every F1, percentile and interval. Then gates,
baseline, regression and reports run exactly as ``agentops eval`` runs them.

Refused (exit 2, one line naming the run): runs that are not shards, shards of different
evals (dataset rows, selection, scorers, trials, provider, model, target), a shard given
twice, a missing shard, an unfinished shard, and a result line that belongs to another shard
or appears in two shards.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from agentops_cli.errors import BadInput
from agentops_cli.evaluation import datasets
from agentops_cli.evaluation.models import RunMeta, RunSummary
from agentops_cli.evaluation.store import META, RESULTS, TRANSCRIPTS, RunStore

# What must be equal for shards to be parts of one eval (paths, ids and times may differ:
# CI jobs check the repository out on different machines).
SAME_EVAL = (
    "dataset_label",
    "fingerprint",
    "rows_fingerprint",
    "agent",
    "tags",
    "limit",
    "sample",
    "seed",
    "mapping",
    "scorers",
    "trials",
    "provider",
    "model",
    "provider_spec",
    "target",
)


@dataclass
class Shard:
    store: RunStore
    meta: RunMeta
    index: int
    count: int
    summary: RunSummary | None


def open_run(root: Path, ref: str) -> RunStore:
    """A run id in the runs folder, or the path of a run folder (as CI artifacts arrive)."""
    path = Path(ref)
    if (path / META).is_file():
        return RunStore(path.resolve().parent, path.resolve().name)
    return RunStore.open(root, ref)


def load_shards(root: Path, refs: list[str]) -> list[Shard]:
    """Open, check and order the shards: every one of 1..N exactly once, all of one eval."""
    if not refs:
        raise BadInput("eval merge: give the shard runs (run ids or run folders)")
    shards: list[Shard] = []
    for ref in refs:
        store = open_run(root, ref)
        meta = store.meta()
        if not meta.shard:
            raise BadInput(f"run {store.run_id}: not a shard (run it with agentops eval --shard I/N)")
        index, count = datasets.parse_shard(meta.shard)
        shards.append(Shard(store, meta, index, count, store.summary()))
    first = shards[0]
    for shard in shards[1:]:
        _check_same_eval(first, shard)
    by_index: dict[int, Shard] = {}
    for shard in shards:
        if shard.index in by_index:
            raise BadInput(
                f"run {shard.store.run_id}: shard {shard.meta.shard} given twice "
                f"(also run {by_index[shard.index].store.run_id})"
            )
        by_index[shard.index] = shard
    missing = [f"{i}/{first.count}" for i in range(1, first.count + 1) if i not in by_index]
    if missing:
        raise BadInput(
            f"eval merge: missing shard {', '.join(missing)} of run {first.store.run_id}'s eval: "
            "merge every shard"
        )
    ordered = [by_index[i] for i in sorted(by_index)]
    for shard in ordered:
        _check_finished(shard)
    return ordered


def _check_same_eval(first: Shard, other: Shard) -> None:
    if other.count != first.count:
        raise BadInput(
            f"run {other.store.run_id}: shard {other.meta.shard} is of {other.count} shards, "
            f"run {first.store.run_id} of {first.count}"
        )
    for name in SAME_EVAL:
        mine, theirs = getattr(other.meta, name), getattr(first.meta, name)
        if mine != theirs:
            raise BadInput(
                f"run {other.store.run_id}: not a shard of the same eval as run {first.store.run_id} "
                f"({name} {mine!r} ≠ {theirs!r})"
            )


def _check_finished(shard: Shard) -> None:
    summary = shard.summary
    if summary is None or not summary.complete:
        done = f" ({summary.stopped_reason or 'stopped'})" if summary else ""
        raise BadInput(
            f"run {shard.store.run_id}: shard {shard.meta.shard} is unfinished{done}; "
            f"finish it with agentops eval --resume {shard.store.run_id}"
        )


def write_merged(root: Path, shards: list[Shard], run_id: str) -> RunStore:
    """A new run holding every shard's lines (and transcripts), checked line by line."""
    meta = shards[0].meta.model_copy(
        update={
            "run_id": run_id,
            "shard": None,
            "merged_from": [s.store.run_id for s in shards],
            "created_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
    )
    seen: dict[str, str] = {}
    for shard in shards:  # checked before anything is written: a refused merge leaves no run
        for result in shard.store.results():
            if datasets.shard_of(result.id, shard.count) != shard.index:
                raise BadInput(
                    f"run {shard.store.run_id}: example '{result.id}' "
                    f"does not belong to shard {shard.meta.shard}"
                )
            if result.key in seen:
                raise BadInput(
                    f"run {shard.store.run_id}: example '{result.key}' is also in run {seen[result.key]}"
                )
            seen[result.key] = shard.store.run_id
    store = RunStore.create(root, meta)
    for name in (RESULTS, TRANSCRIPTS):
        with (store.dir / name).open("wb") as out:
            for shard in shards:
                _copy_lines(shard.store.dir / name, out)
    return store


def _copy_lines(source: Path, out) -> None:
    """Whole lines only: a torn last line (a killed shard) is not carried over."""
    if not source.is_file():
        return
    with source.open("rb") as fh:
        for line in fh:
            if line.endswith(b"\n"):
                out.write(line)


def longest_duration(shards: list[Shard]) -> float:
    """Shards run side by side, so the merged run took as long as its slowest shard."""
    return max(s.summary.duration_s for s in shards if s.summary)


def agents(shards: list[Shard]) -> list[str]:
    """The agents the shards ran (each shard's summary lists its own)."""
    return sorted({agent for s in shards if s.summary for agent in s.summary.agents})
