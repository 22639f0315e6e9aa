"""``run(input, llm=, settings=, options=)``: the document agent behind ``agentops run document``
and ``agentops eval``.

Options: ``type`` (auto|contract|proposal|policy|invoice), ``root`` (allowed folder; default
``settings.document.root``, then the current directory) and, from the CLI only,
``progress`` (a callable ``(done, total)``).
"""

from __future__ import annotations

from typing import Any

from agentops_cli.agents.document.configuration import REQUESTABLE_TYPES, DocumentContext
from agentops_cli.agents.document.loaders import resolve_in_root
from agentops_cli.agents.document.schemas import DocumentOutput
from agentops_cli.config import Settings
from agentops_cli.errors import BadInput
from agentops_cli.llm.base import AgentLLM


def run(input: str, *, llm: AgentLLM, settings: Settings, options: dict[str, Any]) -> DocumentOutput:
    requested = str(options.get("type") or "auto").lower()
    if requested not in REQUESTABLE_TYPES:
        raise BadInput(
            f"--type: unknown document type '{requested}' (choose from {', '.join(REQUESTABLE_TYPES)})"
        )
    root = options.get("root") or settings.document.root
    progress = options.get("progress")
    context = DocumentContext(
        llm=llm,
        settings=settings,
        root=str(root) if root else None,
        requested_type=requested,
        progress=progress if callable(progress) else None,
    )
    # Refuse paths outside the root before paying for the graph's imports (fast exit 2).
    resolve_in_root(input, context.root, allow_hard_links=settings.document.allow_hard_links)
    from agentops_cli.agents.document.graph import build_graph

    state = build_graph().invoke({"path": input}, context=context)
    return DocumentOutput(
        path=state["resolved_path"],
        format=state["format"],
        language=state["language"],
        doc_type=state["doc_type"],
        type_confidence=state["type_confidence"],
        chars=len(state["text"]),
        pages=state.get("pages"),
        chunks=len(state["chunks"]),
        fields=state.get("fields", {}),
        clauses=state.get("clauses", []),
        risks=state.get("risks", []),
        summary=state.get("summary", ""),
        ungrounded_dropped=state.get("ungrounded_dropped", 0),
        flags=state.get("flags", []),
    )
