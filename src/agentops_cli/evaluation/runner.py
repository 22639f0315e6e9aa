"""The runner: feed examples to a pool of worker threads, score them, store each as it finishes.

Why threads: the agents are synchronous (LangGraph + ChatOpenAI), and an LLM call is
almost all waiting, so a pool sized to ``--concurrency`` overlaps the waits with no event
loop to bridge. The main thread is the only one that touches the store and the
progress bar, so there is no lock on the write path; workers run the agent *and* the
scorers, so scoring is not a serial bottleneck.

Rows are streamed from the dataset and at most a bounded number of tasks are in flight,
so memory stays flat however large the dataset. An agent's ``run_batch`` is used in chunks
(vectorised classification, no thread hand-off per example): offline for every example;
with a model, to *replay* the examples whose answers are all in the response cache, the
others being handed back and sent one by one to the pool.

Stopping: Ctrl-C (or SIGTERM) stops dispatching and returns at once with everything
finished so far already on disk; ``--max-errors`` and ``--max-cost`` stop dispatching and
let what is in flight finish, and so does a *systematic* error: when the first
``same_error_stop`` finished examples all failed with the identical message (a bad pack,
a wrong model name, a dead key), the thousands behind them would only copy it. A worker
that exceeds the per-example timeout is abandoned (its example is recorded as an error)
and replaced, so one hung call cannot stall a run.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from agentops_cli.agents.protocol import AgentRun
from agentops_cli.agents.transcript import Transcript
from agentops_cli.config import Settings
from agentops_cli.evaluation.limiter import AdaptiveLimiter, is_rate_limited
from agentops_cli.evaluation.models import Example, ExampleResult
from agentops_cli.evaluation.scorers import score_example, verdict
from agentops_cli.evaluation.store import RunStore

INPUT_KEEP_CHARS = 2000
BATCHES_IN_FLIGHT = 2  # one computing, one ready: enough to keep a core busy

Item = tuple[Example, int]  # an example and its trial index


@dataclass
class RunOptions:
    """How to run: everything the dispatcher needs besides the examples and the store."""

    settings: Settings
    scorers: list[str]
    run_id: str
    trials: int = 1
    concurrency: int = 8
    timeout_s: float = 120.0
    max_errors: int | None = None
    max_cost: float | None = None
    batch_size: int = 256
    same_error_stop: int = 0  # 0: never stop on a repeated first error
    on_result: Callable[[ExampleResult], None] | None = None


@dataclass
class RunOutcome:
    finished: int = 0
    errors: int = 0
    cost_usd: float = 0.0
    stopped_reason: str | None = None
    interrupted: bool = False
    duration_s: float = 0.0
    backoffs: int = 0
    final_limit: int = 0
    same_error: str | None = None  # the error every one of the first examples failed with


class _SameErrorWatch:
    """Watches the first finished examples: fires once ``needed`` of them in a row failed with
    one identical error. Any success or a different error switches it off for the run."""

    def __init__(self, needed: int) -> None:
        self.needed = needed
        self.error: str | None = None
        self.count = 0
        self.active = needed > 0

    def fired(self, result: ExampleResult) -> bool:
        if not self.active:
            return False
        if result.error is None or (self.error is not None and result.error != self.error):
            self.active = False
            return False
        self.error = result.error
        self.count += 1
        return self.count >= self.needed


# -- one attempt -------------------------------------------------------------------------------------
def make_result(
    ex: Example,
    trial: int,
    run: AgentRun | None,
    scorers: list[str],
    error: str | None = None,
    latency_ms: float = 0.0,
) -> ExampleResult:
    """Score an agent's run (or record an error) as the line that goes to ``results.jsonl``."""
    base: dict[str, Any] = {
        "key": ex.key(trial),
        "id": ex.id,
        "trial": trial,
        "agent": ex.agent,
        "tags": ex.tags,
        "input": ex.input[:INPUT_KEEP_CHARS],
        "expected": ex.expected,
    }
    if run is None:
        return ExampleResult(
            **base, error=error or "unknown error", latency_ms=latency_ms, reasons=[f"error: {error}"]
        )
    body = run.body()
    records = score_example(ex, body, scorers)
    passed, reasons = verdict(records)
    # Evaluating a model, an answer the offline engine gave in its place (failover) is not
    # the model's answer: it counts as an error (so gates and --retry-errors see it), and
    # the output stays in the results for inspection.
    failed_over = run.degraded and run.provider not in ("", "offline")
    if failed_over:
        error = f"degraded: {run.degraded_reason or 'answered by the offline engine'}"
        passed, reasons = False, [f"error: {error}", *reasons]
    return ExampleResult(
        **base,
        error=error if failed_over else None,
        output=body,
        provider=run.provider,
        model=run.model,
        degraded=run.degraded,
        latency_ms=run.latency_ms or latency_ms,
        usage=run.usage,
        cost_usd=run.cost_usd,
        scores=records,
        passed=passed,
        reasons=reasons,
    )


def run_one(ex: Example, trial: int, opts: RunOptions) -> ExampleResult:
    from agentops_cli.agents.runner import run_agent

    chars = opts.settings.eval.transcript_max_chars
    transcript = Transcript(chars) if chars else None
    started = time.perf_counter()
    try:
        run = run_agent(
            ex.agent,
            ex.payload(),
            opts.settings,
            ex.options,
            trial=trial,
            run_id=opts.run_id,
            log=False,
            transcript=transcript,
        )
    except Exception as exc:  # recorded per example; the run goes on
        latency = (time.perf_counter() - started) * 1000
        result = make_result(ex, trial, None, opts.scorers, error=_describe(exc), latency_ms=latency)
    else:
        result = make_result(ex, trial, run, opts.scorers)
    if transcript is not None and transcript.steps:
        result.transcript = {"key": result.key, **transcript.dump()}
    return result


def run_batch(items: list[Item], opts: RunOptions) -> tuple[list[ExampleResult], list[Item]]:
    """Batch path: (results, items to run one by one).

    The second list holds what the batch could not answer: with a model, the examples that
    need it (not all in the response cache); if the batch call itself fails (a bad row),
    every item — run alone, each records its own outcome.
    """
    from agentops_cli.agents.runner import run_agent_batch

    ex0 = items[0][0]
    try:
        runs = run_agent_batch(
            ex0.agent, [ex.payload() for ex, _ in items], opts.settings, ex0.options, run_id=opts.run_id
        )
    except Exception:
        return [], items
    results = [
        make_result(ex, trial, run, opts.scorers)
        for (ex, trial), run in zip(items, runs, strict=True)
        if run is not None
    ]
    return results, [item for item, run in zip(items, runs, strict=True) if run is None]


def _describe(exc: BaseException) -> str:
    from agentops_cli.observability.redact import redact

    text = str(exc).splitlines()[0] if str(exc) else ""
    return redact(f"{type(exc).__name__}: {text}"[:500])


# -- tasks -------------------------------------------------------------------------------------------
@dataclass
class Task:
    id: int
    items: list[Item]
    batch: bool
    started: float | None = None


def make_tasks(
    examples: Iterator[Example], skip: set[str], opts: RunOptions, *, batchable: Callable[[str], bool]
) -> Iterator[Task]:
    """Examples × trials minus what is already stored; offline-batchable agents grouped in chunks."""
    counter = itertools.count()
    groups: dict[tuple, list[Item]] = {}
    for ex in examples:
        for trial in range(opts.trials):
            if ex.key(trial) in skip:
                continue
            if not batchable(ex.agent):
                yield Task(next(counter), [(ex, trial)], batch=False)
                continue
            group = (ex.agent, tuple(sorted((k, str(v)) for k, v in ex.options.items())))
            bucket = groups.setdefault(group, [])
            bucket.append((ex, trial))
            if len(bucket) >= opts.batch_size:
                yield Task(next(counter), groups.pop(group), batch=True)
    for bucket in groups.values():
        yield Task(next(counter), bucket, batch=True)


# -- the pool ----------------------------------------------------------------------------------------
class _Pool:
    """Daemon worker threads: a hung call never blocks the process from exiting on Ctrl-C."""

    def __init__(self, size: int, opts: RunOptions) -> None:
        self.tasks: queue.Queue[Task | None] = queue.Queue()
        self.done: queue.Queue[tuple[Task, list[ExampleResult], list[Item]]] = queue.Queue()
        self.opts = opts
        self.threads: list[threading.Thread] = []
        for _ in range(size):
            self.spawn()

    def spawn(self) -> None:
        thread = threading.Thread(target=self._work, name="agentops-eval", daemon=True)
        thread.start()
        self.threads.append(thread)

    def _work(self) -> None:
        while True:
            task = self.tasks.get()
            if task is None:
                return
            task.started = time.monotonic()
            retry: list[Item] = []
            if task.batch:
                results, retry = run_batch(task.items, self.opts)
            else:
                ex, trial = task.items[0]
                results = [run_one(ex, trial, self.opts)]
            self.done.put((task, results, retry))

    def stop(self) -> None:
        for _ in self.threads:
            self.tasks.put(None)


class _StopFlag:
    """SIGINT/SIGTERM set a flag the dispatcher polls; a second Ctrl-C raises at once."""

    def __init__(self) -> None:
        self.reason: str | None = None
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _StopFlag:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        if self.reason == "interrupted":
            raise KeyboardInterrupt
        self.reason = "interrupted"

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)


def execute(
    tasks: Iterator[Task], store: RunStore, opts: RunOptions, *, limiter: AdaptiveLimiter
) -> RunOutcome:
    """Dispatch ``tasks`` with at most ``limiter.limit`` in flight; store every result as it lands.

    Examples a batch hands back (they need the model) wait in ``pending`` and go first; the
    dataset is read further only when none wait, so at most ``BATCHES_IN_FLIGHT`` batches'
    worth of them are held and memory stays flat.
    """
    outcome = RunOutcome()
    started_at = time.monotonic()
    store.open_for_append()
    pool = _Pool(limiter.maximum, opts)
    in_flight: dict[int, Task] = {}
    pending: collections.deque[Task] = collections.deque()
    ids = itertools.count(-1, -1)  # ids of re-queued tasks (the dataset's tasks count up from 0)
    exhausted = False
    stopping: str | None = None
    cost_per_item: float | None = None
    held: Task | None = None
    prepared: set[tuple[str, str]] = set()
    same_error = _SameErrorWatch(opts.same_error_stop)
    try:
        with _StopFlag() as flag:
            while True:
                if flag.reason:
                    stopping = outcome.stopped_reason = flag.reason
                    outcome.interrupted = True
                    break
                while not stopping and limiter.can_start():
                    if pending:
                        task = pending.popleft()
                    elif held is not None:
                        task, held = held, None
                    elif exhausted:
                        break
                    else:
                        task = next(tasks, None)
                        if task is None:
                            exhausted = True
                            break
                    if task.batch and sum(t.batch for t in in_flight.values()) >= BATCHES_IN_FLIGHT:
                        held = task  # CPU-bound batches gain nothing from more threads (GIL)
                        break
                    if opts.max_cost is not None and cost_per_item is not None:
                        pending_items = sum(len(t.items) for t in in_flight.values()) + len(task.items)
                        if outcome.cost_usd + pending_items * cost_per_item > opts.max_cost:
                            stopping = outcome.stopped_reason = "max_cost"
                            break
                    _prepare(task, opts, prepared)
                    limiter.started()
                    in_flight[task.id] = task
                    pool.tasks.put(task)
                if not in_flight and (stopping or (exhausted and not pending and held is None)):
                    break
                try:
                    task, results, retry = pool.done.get(timeout=0.05)
                except queue.Empty:
                    _expire(in_flight, pool, opts, store, outcome, limiter)
                    continue
                if in_flight.pop(task.id, None) is None:
                    continue  # already timed out and recorded
                limiter.finished()
                pending.extend(Task(next(ids), [item], batch=False) for item in retry)
                for result in results:
                    _record(result, store, opts, outcome)
                    if same_error.fired(result) and not stopping:
                        stopping = outcome.stopped_reason = "same_error"
                        outcome.same_error = result.error
                    if not task.batch:  # the limiter watches the model's latency, not replays
                        limiter.record(
                            result.latency_ms,
                            rate_limited=is_rate_limited(result.error)
                            or is_rate_limited(str((result.output or {}).get("degraded_reason"))),
                        )
                if outcome.finished:
                    cost_per_item = outcome.cost_usd / outcome.finished
                if opts.max_errors is not None and outcome.errors > opts.max_errors and not stopping:
                    stopping = outcome.stopped_reason = "max_errors"
    finally:
        pool.stop()
        store.close()
        outcome.duration_s = time.monotonic() - started_at
        outcome.backoffs = limiter.backoffs
        outcome.final_limit = limiter.limit
    return outcome


def _prepare(task: Task, opts: RunOptions, prepared: set[tuple[str, str]]) -> None:
    """Before an agent's first example (per options) goes to the pool, load what its runs share.

    Best effort: if loading fails, the examples themselves fail and record why.
    """
    from agentops_cli.agents.runner import prepare_agent

    ex = task.items[0][0]
    key = (ex.agent, repr(sorted(ex.options.items())))
    if key in prepared:
        return
    prepared.add(key)
    with contextlib.suppress(Exception):  # the examples fail too, and record why
        prepare_agent(ex.agent, opts.settings, ex.options)


def _record(result: ExampleResult, store: RunStore, opts: RunOptions, outcome: RunOutcome) -> None:
    store.append(result)
    outcome.finished += 1
    outcome.cost_usd += result.cost_usd
    if result.error is not None:
        outcome.errors += 1
    if opts.on_result:
        opts.on_result(result)


def _expire(
    in_flight: dict[int, Task],
    pool: _Pool,
    opts: RunOptions,
    store: RunStore,
    outcome: RunOutcome,
    limiter: AdaptiveLimiter,
) -> None:
    """Record timed-out tasks as errors and replace their stuck worker."""
    now = time.monotonic()
    for task_id, task in list(in_flight.items()):
        budget = opts.timeout_s * (len(task.items) if task.batch else 1)
        if task.started is None or now - task.started <= budget:
            continue
        del in_flight[task_id]
        limiter.finished()
        limiter.record(budget * 1000)
        for ex, trial in task.items:
            _record(
                make_result(
                    ex,
                    trial,
                    None,
                    opts.scorers,
                    error=f"timeout after {opts.timeout_s:g}s",
                    latency_ms=budget * 1000,
                ),
                store,
                opts,
                outcome,
            )
        pool.spawn()
