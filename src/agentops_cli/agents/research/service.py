"""``run(question)``: the research agent's entry point for ``agentops run`` and ``agentops eval``.

Validates the input, loads the corpus (cached on disk), runs the compiled graph with a
fresh :class:`ResearchContext` and returns the contract's fields as a pydantic model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agentops_cli.agents.research.configuration import ResearchContext
from agentops_cli.agents.research.corpus import CorpusIndex, load_corpus
from agentops_cli.agents.research.schemas import CorpusInfo, ResearchOutput
from agentops_cli.config import Settings
from agentops_cli.errors import BadInput
from agentops_cli.llm.base import AgentLLM
from agentops_cli.resources import datasets_dir

MAX_QUESTION_CHARS = 2000


def default_corpus() -> Path:
    return datasets_dir() / "corpus"


def corpus_path(settings: Settings, options: dict[str, Any]) -> Path:
    """``--corpus`` beats ``research.corpus`` beats the bundled corpus.

    ``USE_FAKE_DATA`` (the seeds' toggle) forces the bundled sample corpus, as it forces the
    bundled support pack: demos and smoke tests never read a team's real documents.
    """
    if settings.use_fake_data:
        return default_corpus()
    chosen = options.get("corpus") or settings.research.corpus
    return Path(chosen).expanduser() if chosen else default_corpus()


def open_corpus(settings: Settings, options: dict[str, Any]) -> CorpusIndex:
    """Load the corpus; the on-disk index cache follows ``cache.enabled`` (``--no-cache``)."""
    cache_dir = settings.resolved_cache_dir() / "corpus" if settings.cache.enabled else None
    return load_corpus(
        corpus_path(settings, options),
        cache_dir=cache_dir,
        allow_hard_links=settings.document.allow_hard_links,
    )


def _max_sources(settings: Settings, options: dict[str, Any]) -> int:
    value = options.get("max_sources")
    if value is None:
        return settings.research.max_sources
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise BadInput(f"max_sources: must be a whole number of at least 1, got {value!r}")
    return value


def run(input: str, *, llm: AgentLLM, settings: Settings, options: dict[str, Any]) -> ResearchOutput:
    """Answer ``input`` with a cited report built from the corpus."""
    question = " ".join((input or "").split())
    if not question:
        raise BadInput("question: empty; ask a research question")
    if len(question) > MAX_QUESTION_CHARS:
        raise BadInput(f"question: {len(question)} characters, the limit is {MAX_QUESTION_CHARS}")
    max_sources = _max_sources(settings, options)
    on_phase = options.get("on_phase") if callable(options.get("on_phase")) else None
    corpus = open_corpus(settings, options)
    if on_phase:
        cached = ", index from cache" if corpus.from_cache else ""
        on_phase("corpus", f"{corpus.root}: {len(corpus.documents)} documents{cached}")
    ctx = ResearchContext(
        llm=llm,
        settings=settings,
        corpus=corpus,
        corpus_label=_label(corpus.root),
        max_sources=max_sources,
        max_subquestions=settings.research.max_subquestions,
        max_llm_calls=settings.research.max_llm_calls,
        on_phase=on_phase,
    )
    from agentops_cli.agents.research.graph import build_graph

    state = build_graph().invoke({"question": question, "evidence": [], "flags": []}, context=ctx)
    flags = list(dict.fromkeys(state.get("flags", [])))
    flags += [f"budget_exhausted:{name}" for name in sorted(ctx.budget_hits)]
    if corpus.data.skipped:
        flags.append(f"skipped_sources:{len(corpus.data.skipped)}")
    flags += [f"skipped_unsafe:{line}" for line in corpus.refused]
    return ResearchOutput(
        question=question,
        plan=state["plan"],
        report=state["report"],
        citations=state["citations"],
        unverified=state.get("unverified", []),
        corpus=str(corpus.root),
        corpus_index=CorpusInfo(
            documents=len(corpus.documents),
            passages=len(corpus.data.rows),
            cached=corpus.from_cache,
            key=corpus.key[:16],
        ),
        sources_considered=len({e.passage_id.split("#")[0] for e in state.get("evidence", [])}),
        flags=flags,
    )


def _label(root: Path) -> str:
    try:
        return root.resolve().relative_to(Path.cwd().resolve()).as_posix() or "."
    except ValueError:
        return root.name if root.resolve() == default_corpus().resolve() else str(root)
