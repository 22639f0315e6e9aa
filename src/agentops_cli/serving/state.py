"""What one ``agentops serve`` process holds: settings, keys, limits, audit log, metrics, readiness."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from agentops_cli.config import Settings
from agentops_cli.serving.metrics import ServeMetrics
from agentops_cli.serving.security import ApiKeys, AuditLog, RateLimiter

AUDIT_NAME = "audit.jsonl"


@dataclass
class Readiness:
    """Start-up warm-up results: which agents loaded their models, and which failed (why)."""

    warmed: bool = False
    failures: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class ServeState:
    settings: Settings
    keys: ApiKeys
    limiter: RateLimiter
    audit: AuditLog
    metrics: ServeMetrics
    readiness: Readiness
    run_slots: Any = None  # anyio.CapacityLimiter, made inside the event loop

    @classmethod
    def from_settings(cls, settings: Settings) -> ServeState:
        serve = settings.serve
        redis_url = settings.redis_url.get_secret_value() if settings.redis_url else None
        return cls(
            settings=settings,
            keys=ApiKeys(serve.api_keys),
            limiter=RateLimiter(serve.rate_limit_per_minute, serve.daily_quota, redis_url),
            audit=AuditLog(serve.audit_log or settings.resolved_home() / AUDIT_NAME),
            metrics=ServeMetrics.for_this_process(),
            readiness=Readiness(),
        )
