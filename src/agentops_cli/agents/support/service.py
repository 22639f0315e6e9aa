"""The support agent's service: what ``agentops run support`` and ``agentops eval`` call.

- ``run``: one query, through the compiled LangGraph when the graph runtime buys something
  (see :func:`needs_graph`), else straight through the same node functions.
- ``run_batch``: many queries through the very same node functions without the graph
  runtime, with classification vectorised over the batch — eval's path offline, and with a
  model when replaying answers from the response cache.

Why runs usually skip the graph runtime: the graph is wiring only (``nodes.PIPELINE`` in
order), and its runtime costs ~2 ms of CPU per query — four times the nodes' own work
when answers come from the response cache — plus ~1 s to import LangGraph. In an eval
of 1,000 queries on 32 threads that CPU is queued on one GIL. The runtime earns its cost
when a human is in the loop (``hitl``: interrupt and checkpoints), when LangSmith traces
the run (one span per node), or when asked for (``options["use_graph"]``). Both paths
execute ``nodes.PIPELINE``, and tests check they give identical results, offline and
against a model.

Options: ``pack`` (folder or CSV/JSONL, default settings/bundled), ``hitl`` (bool),
``thread`` (thread id for ``hitl``), ``resume`` (thread id) with ``decision``
({"action": "approve"} or {"action": "rewrite", "text": ...}), ``use_graph`` (bool).
"""

from __future__ import annotations

import uuid
from typing import Any

from agentops_cli.agents.support import nodes
from agentops_cli.agents.support.configuration import RuntimeShim, SupportContext, resolve_pack
from agentops_cli.agents.support.pack import SupportPack, load_pack
from agentops_cli.agents.support.schemas import OUT_OF_SCOPE, Review, Source, SupportOutput
from agentops_cli.agents.support.state import SupportState
from agentops_cli.config import Settings
from agentops_cli.errors import BadInput
from agentops_cli.llm.base import AgentLLM


def to_output(state: dict[str, Any], pack: SupportPack, *, thread_id: str | None = None) -> SupportOutput:
    """Final (or paused) graph state → the agent's typed result."""
    return SupportOutput(
        query=state["query"],
        intent=state.get("intent", OUT_OF_SCOPE),
        confidence=state.get("confidence", 0.0),
        answer=state.get("answer", ""),
        escalate=bool(state.get("escalate", False)),
        escalation_reason=state.get("escalation_reason"),
        escalation_reasons=state.get("escalation_reasons", []),
        sources=[Source(**s) for s in state.get("sources", [])],
        flags=[*state.get("flags", []), *(f"skipped_unsafe:{line}" for line in pack.refused)],
        language=state.get("language", pack.policy.language),
        draft_answer=state.get("draft_answer"),
        alternatives=state.get("alternatives", []),
        rejected_intent=state.get("rejected_intent"),
        pack=pack.name,
        status=state.get("status", "done"),
        thread_id=thread_id,
    )


def needs_graph(settings: Settings, options: dict[str, Any]) -> bool:
    """Whether a run goes through the LangGraph runtime (see the module docstring for why)."""
    return bool(options.get("hitl") or options.get("use_graph")) or settings.langsmith_enabled()


def prepare(settings: Settings, options: dict[str, Any]) -> None:
    """Load the pack and its intent model once, before an eval's workers start (memoised)."""
    from agentops_cli.agents.support.engine import get_model

    get_model(resolve_pack(settings, options), settings)


def run(input: str, *, llm: AgentLLM, settings: Settings, options: dict[str, Any]) -> SupportOutput:
    """Answer one customer query (see the module docstring for ``options``)."""
    if options.get("resume"):
        return _resume(str(options["resume"]), options.get("decision"), llm=llm, settings=settings)
    pack = resolve_pack(settings, options)
    nodes.validate_query(input, settings.support.max_query_chars)
    hitl = bool(options.get("hitl"))
    on_node = options.get("on_node")
    ctx = SupportContext(
        llm=llm, pack=pack, settings=settings, hitl=hitl, on_node=on_node if callable(on_node) else None
    )
    initial: SupportState = {"query": input, "flags": [], "pack": str(pack.root)}
    if not needs_graph(settings, options):
        return to_output(run_pipeline(initial, ctx), pack)
    if not hitl:
        from agentops_cli.agents.support.graph import build_graph

        return to_output(build_graph().invoke(initial, context=ctx), pack)

    from agentops_cli.agents.support.graph import build_hitl_graph
    from agentops_cli.agents.support.hitl import checkpointer, thread_config

    thread_id = str(options.get("thread") or uuid.uuid4().hex[:12])
    with checkpointer(settings) as saver:
        graph = build_hitl_graph(saver)
        config = thread_config(thread_id)
        if graph.get_state(config).values:
            raise BadInput(f"--thread {thread_id}: thread already exists; pick another id")
        graph.invoke(initial, config, context=ctx)
        snapshot = graph.get_state(config)
    state = dict(snapshot.values)
    state["status"] = "pending_review" if snapshot.next else state.get("status", "done")
    return to_output(state, pack, thread_id=thread_id)


def _resume(thread_id: str, decision: Any, *, llm: AgentLLM, settings: Settings) -> SupportOutput:
    """Continue a paused ``--hitl`` run with a reviewer's decision."""
    from langgraph.types import Command

    from agentops_cli.agents.support.graph import build_hitl_graph
    from agentops_cli.agents.support.hitl import checkpointer, thread_config

    if decision is None:
        raise BadInput("--resume needs a decision: --approve or --rewrite TEXT")
    review = decision if isinstance(decision, Review) else Review.model_validate(decision)
    if review.action == "rewrite" and not (review.text or "").strip():
        raise BadInput("--rewrite: the new answer is empty")
    with checkpointer(settings) as saver:
        graph = build_hitl_graph(saver)
        config = thread_config(thread_id)
        snapshot = graph.get_state(config)
        if not snapshot.values:
            raise BadInput(f"--resume {thread_id}: no such support thread")
        if not snapshot.next:
            raise BadInput(f"--resume {thread_id}: thread is already finished")
        pack = load_pack(snapshot.values.get("pack"))
        ctx = SupportContext(llm=llm, pack=pack, settings=settings, hitl=True)
        graph.invoke(Command(resume=review.model_dump()), config, context=ctx)
        final = dict(graph.get_state(config).values)
    return to_output(final, pack, thread_id=thread_id)


def run_pipeline(state: SupportState, ctx: SupportContext) -> dict[str, Any]:
    """``nodes.PIPELINE`` in order, merging each node's update: the graph without its runtime."""
    current: dict[str, Any] = dict(state)
    runtime = RuntimeShim(ctx)
    for step in nodes.PIPELINE:
        current.update(step(current, runtime))  # type: ignore[arg-type]
        if ctx.on_node is not None:
            ctx.on_node(step.__name__)
    return current


def run_batch(
    inputs: list[str],
    *,
    settings: Settings,
    options: dict[str, Any],
    llms: list[AgentLLM] | None = None,
    timings_ms: list[float] | None = None,
) -> list[SupportOutput | None]:
    """Answer many queries with the same node functions, classification vectorised.

    Equivalent to ``run`` for each input (a test checks it). ``llms`` gives each query its
    model handle (default: one from the factory each); with a cache-only handle, a query
    whose model calls are not all cached comes back as ``None`` (see
    ``agents.runner.run_agent_batch``). An invalid input (empty or over-long) raises
    ``BadInput`` naming its position, before any work is done. ``timings_ms``, when given,
    receives each query's latency: its own pipeline time plus its share of the vectorised
    classification — so p50/p95 stay meaningful in eval.
    """
    import time

    from agentops_cli.llm.base import CacheMiss
    from agentops_cli.llm.factory import make_llm

    pack = resolve_pack(settings, options)
    limit = settings.support.max_query_chars
    for i, text in enumerate(inputs):
        try:
            nodes.validate_query(text, limit)
        except BadInput as exc:
            raise BadInput(f"input {i + 1}: {exc}") from exc
    handles = llms if llms is not None else [make_llm(settings, "support") for _ in inputs]
    shared = SupportContext(llm=make_llm(settings, "support"), pack=pack, settings=settings)
    queries = [text.strip() for text in inputs]
    unique = list(dict.fromkeys(queries))
    started = time.perf_counter()
    if unique:
        shared.predictions.update(zip(unique, shared.model.predict(unique), strict=True))
    classify_share_ms = (time.perf_counter() - started) * 1000 / max(1, len(unique))
    outputs: list[SupportOutput | None] = []
    for query, llm in zip(queries, handles, strict=True):
        started = time.perf_counter()
        ctx = SupportContext(
            llm=llm, pack=pack, settings=settings, predictions=shared.predictions, intent_model=shared.model
        )
        initial: SupportState = {"query": query, "flags": [], "pack": str(pack.root)}
        try:
            outputs.append(to_output(run_pipeline(initial, ctx), pack))
        except CacheMiss:
            outputs.append(None)  # needs the model: the caller runs it live
        if timings_ms is not None:
            timings_ms.append((time.perf_counter() - started) * 1000 + classify_share_ms)
    return outputs
