"""Per-run context handed to every node through LangGraph's runtime context.

Why context and not state: the model handle, the pack and the settings are not data
about the conversation; they must not be checkpointed (``--hitl``) nor appear in traces.
``run_batch`` builds the same object and calls the very same node functions with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agentops_cli.agents.support.pack import SupportPack, load_pack
from agentops_cli.config import Settings
from agentops_cli.llm.base import AgentLLM

if TYPE_CHECKING:
    from agentops_cli.nlp.intent import IntentModel, Prediction


@dataclass
class SupportContext:
    """What nodes need besides the state: model handle, pack, settings, intent model."""

    llm: AgentLLM
    pack: SupportPack
    settings: Settings
    hitl: bool = False
    # Called with each node's name as it finishes (``serve``'s streaming endpoint); None: nobody listens.
    on_node: Callable[[str], None] | None = None
    # Predictions computed ahead for a whole batch (``run_batch``): query -> prediction.
    predictions: dict[str, Prediction] = field(default_factory=dict)
    intent_model: IntentModel | None = None

    @property
    def model(self) -> IntentModel:
        """The pack's intent model, loaded (or trained) on first use only."""
        if self.intent_model is None:
            from agentops_cli.agents.support.engine import get_model

            self.intent_model = get_model(self.pack, self.settings)
        return self.intent_model

    def predict(self, query: str) -> Prediction:
        if query not in self.predictions:
            self.predictions[query] = self.model.predict([query])[0]
        return self.predictions[query]


@dataclass
class RuntimeShim:
    """The part of ``langgraph.runtime.Runtime`` nodes use; lets ``run_batch`` skip the graph."""

    context: SupportContext


def resolve_pack(settings: Settings, options: dict[str, Any]) -> SupportPack:
    """``--pack`` option, else ``support.pack`` from settings, else the bundled pack.

    ``USE_FAKE_DATA`` (the seeds' toggle) forces the bundled sample pack, whatever is
    configured: demos and smoke tests then never touch a team's real knowledge base.
    """
    if settings.use_fake_data:
        return load_pack(None)
    return load_pack(options.get("pack") or settings.support.pack)
