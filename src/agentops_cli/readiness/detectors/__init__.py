"""All detectors, registered by catalogue id on import (see :mod:`.base`)."""

from __future__ import annotations

from agentops_cli.readiness.detectors import (  # noqa: F401  (imported to register)
    code_quality,
    delivery,
    llm_practice,
    observability,
    resilience,
    security,
    testing,
)
from agentops_cli.readiness.detectors.base import INFO, REGISTRY, Context, Finding

__all__ = ["INFO", "REGISTRY", "Context", "Finding"]
