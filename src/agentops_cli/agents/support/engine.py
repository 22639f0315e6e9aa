"""The pack's intent model: trained on first use, cached on disk, retrained when the pack changes.

Cache file: ``<cache dir>/models/support-<hash>.npz`` where the hash covers the pack's
training rows, the engine version and the training parameters — editing an example,
adding a training row or upgrading the engine all produce a new model; an unchanged
pack loads in milliseconds without importing scikit-learn.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from pathlib import Path

from agentops_cli.agents.support.pack import SupportPack
from agentops_cli.agents.support.schemas import OUT_OF_SCOPE
from agentops_cli.config import Settings
from agentops_cli.nlp.intent import ENGINE_VERSION, IntentModel
from agentops_cli.observability.logging import get_logger

_MEMO: dict[str, IntentModel] = {}
_LOCK = threading.Lock()


def model_key(pack: SupportPack) -> str:
    """Content hash of everything that shapes the model."""
    return _model_key(pack.training_hash)


@functools.lru_cache(maxsize=64)
def _model_key(training_hash: str) -> str:
    """Memoised: every served request looks its model up (``TrainParams`` repr + sha256 ≈ 40 µs)."""
    from agentops_cli.nlp.intent_train import TrainParams

    digest = hashlib.sha256(f"{ENGINE_VERSION}|{TrainParams()}|{training_hash}".encode())
    return digest.hexdigest()[:24]


def model_path(pack: SupportPack, settings: Settings) -> Path:
    return settings.resolved_cache_dir() / "models" / f"support-{model_key(pack)}.npz"


def get_model(pack: SupportPack, settings: Settings) -> IntentModel:
    """The pack's model: from memory, else from the disk cache, else trained now (and saved)."""
    path = model_path(pack, settings)
    key = str(path)
    with _LOCK:
        if key in _MEMO:
            return _MEMO[key]
        model: IntentModel | None = None
        if path.is_file():
            try:
                model = IntentModel.load(path)
            except Exception as exc:  # a torn or foreign file: retrain rather than fail
                get_logger().warning("intent model cache unreadable ({}), retraining", exc)
        if model is None:
            model = train(pack)
            model.save(path)
            get_logger().info("trained support intent model on {} examples → {}", len(pack.training), path)
        _MEMO[key] = model
        return model


def train(pack: SupportPack) -> IntentModel:
    from agentops_cli.nlp.intent_train import train_intent_model

    texts = [text for text, _ in pack.training]
    labels = [label for _, label in pack.training]
    model = train_intent_model(texts, labels, oos_label=OUT_OF_SCOPE)
    model.meta["pack"] = pack.name
    return model
