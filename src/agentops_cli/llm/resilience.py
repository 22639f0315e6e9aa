"""Retries, Retry-After and a circuit breaker around one model request.

Why here and not in the openai client: the client already retries twice by default, and two
retry layers multiply attempts (3 × 3 = 9 requests to a dying server). The backend builds
``ChatOpenAI(max_retries=0)`` and this module owns every retry, so ``resilience.max_attempts``
means what it says.

Policy (defaults in ``ResilienceSettings``, documented in ``docs/llm.md``):

* retried: HTTP 408/409/429/5xx, connection errors, timeouts and malformed answers
  (a body or structured answer that does not parse/validate);
* not retried: other 4xx (bad key, bad request) — retrying cannot fix them;
* wait: ``Retry-After`` / ``retry-after-ms`` when the server sends one (capped at
  ``retry_after_max_s``), else exponential backoff with jitter
  (``backoff_initial_s · 2^(n-1)`` + up to ``backoff_initial_s`` random, capped at
  ``backoff_max_s``);
* circuit breaker per ``(base_url, model)``, shared by every thread of the process: each
  failed *request* counts; ``breaker_failures`` consecutive ones open it; while open, calls
  fail at once without touching the network; after ``breaker_cooldown_s`` one trial request
  is let through (half-open) — success closes it, failure re-opens it.

Nothing here imports openai or langchain: errors are recognised by status code and class
name, so the offline path and the CLI start-up stay light.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal, TypeVar

from agentops_cli.config import ResilienceSettings
from agentops_cli.observability.logging import get_logger

R = TypeVar("R")

RETRYABLE_STATUS = frozenset({408, 409, 429})
_TRANSIENT_NAMES = frozenset(
    {
        "APIConnectionError",
        "APITimeoutError",
        "TimeoutException",
        "TimeoutError",
        "ConnectError",
        "ConnectTimeout",
        "ReadError",
        "ReadTimeout",
        "WriteError",
        "RemoteProtocolError",
        "ConnectionError",
    }
)


class LLMCallError(Exception):
    """A model request failed; ``reason`` is short and safe to show (no URL, no key)."""

    def __init__(self, reason: str, *, retryable: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class MalformedAnswer(LLMCallError):
    """The server answered, but the body or the structured answer did not parse or validate."""


class CircuitOpen(LLMCallError):
    """The breaker is open: the call was refused without a request."""

    def __init__(self) -> None:
        super().__init__("circuit open", retryable=False)


# -- classifying errors ---------------------------------------------------------------------------


def status_of(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return status
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    return status if isinstance(status, int) else None


def is_retryable(exc: BaseException) -> bool:
    if isinstance(exc, LLMCallError):
        return exc.retryable
    status = status_of(exc)
    if status is not None:
        return status in RETRYABLE_STATUS or status >= 500
    return any(cls.__name__ in _TRANSIENT_NAMES for cls in type(exc).__mro__)


def describe(exc: BaseException) -> str:
    """A short reason for logs and ``degraded_reason`` (never the raw message: it may hold a URL)."""
    if isinstance(exc, LLMCallError):
        return exc.reason
    status = status_of(exc)
    if status is not None:
        return f"HTTP {status}"
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & {"APITimeoutError", "TimeoutException", "TimeoutError", "ReadTimeout", "ConnectTimeout"}:
        return "timeout"
    if names & _TRANSIENT_NAMES:
        return "connection error"
    return type(exc).__name__


def _seconds(text: str, per_second: float) -> float | None:
    try:
        return float(text) / per_second
    except ValueError:
        return None


def retry_after_s(exc: BaseException, cap: float) -> float | None:
    """Seconds the server asked us to wait (``retry-after-ms`` or ``Retry-After``), capped."""
    headers = getattr(getattr(exc, "response", None), "headers", None)
    if headers is None:
        return None
    millis = headers.get("retry-after-ms")
    raw = headers.get("retry-after")
    value = _seconds(millis, 1000.0) if millis is not None else None
    if value is None and raw is not None:
        value = _seconds(raw, 1.0)
        if value is None:
            try:
                value = email.utils.parsedate_to_datetime(raw).timestamp() - time.time()
            except (TypeError, ValueError):
                value = None
    if value is None:
        return None
    return max(0.0, min(value, cap))


def backoff_s(attempt: int, policy: ResilienceSettings) -> float:
    """Exponential backoff with jitter after failed attempt number ``attempt`` (1-based)."""
    base = policy.backoff_initial_s * 2 ** (attempt - 1)
    return min(policy.backoff_max_s, base + random.uniform(0, policy.backoff_initial_s))


# -- the circuit breaker --------------------------------------------------------------------------

BreakerState = Literal["closed", "open", "half_open"]


class CircuitBreaker:
    """Consecutive-failure breaker; thread-safe, one per ``(base_url, model)`` in the process."""

    def __init__(self, failures: int, cooldown_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.threshold = failures
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False

    @property
    def state(self) -> BreakerState:
        with self._lock:
            return self._state()

    def _state(self) -> BreakerState:
        if self._opened_at is None:
            return "closed"
        if self._clock() - self._opened_at >= self.cooldown_s:
            return "half_open"
        return "open"

    def allow(self) -> bool:
        """May a request go out now? In half-open state only one trial at a time."""
        with self._lock:
            state = self._state()
            if state == "closed":
                return True
            if state == "half_open" and not self._trial_in_flight:
                self._trial_in_flight = True
                return True
            return False

    def record_success(self) -> None:
        with self._lock:
            self._failures = 0
            self._opened_at = None
            self._trial_in_flight = False

    def record_failure(self) -> bool:
        """Count one failed request; True when this failure opened (or re-opened) the circuit."""
        with self._lock:
            self._failures += 1
            was_trial = self._trial_in_flight
            self._trial_in_flight = False
            if was_trial or (self._opened_at is None and self._failures >= self.threshold):
                self._opened_at = self._clock()
                return True
            return False


_breakers: dict[tuple[str, str], CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(base_url: str, model: str, policy: ResilienceSettings) -> CircuitBreaker:
    """The process-wide breaker of one endpoint and model (created on first use)."""
    key = (base_url, model)
    with _breakers_lock:
        breaker = _breakers.get(key)
        if breaker is None:
            breaker = CircuitBreaker(policy.breaker_failures, policy.breaker_cooldown_s)
            _breakers[key] = breaker
        return breaker


def reset_breakers() -> None:
    """Forget every breaker (tests; a long-lived process after a config change)."""
    with _breakers_lock:
        _breakers.clear()


# -- the retry loops (tenacity) ------------------------------------------------------------------


@contextmanager
def _attempt(breaker: CircuitBreaker, label: str) -> Iterator[None]:
    """One request under the breaker: refused while the circuit is open;
    a failure is counted and stops the retries when it opened the circuit; a success closes it."""
    if not breaker.allow():
        raise CircuitOpen()
    try:
        yield
    except Exception as exc:
        if breaker.record_failure():
            get_logger().warning(
                "circuit opened for {} after {} consecutive failures", label, breaker.threshold
            )
            raise LLMCallError(f"{describe(exc)}; circuit opened", retryable=False) from exc
        raise
    breaker.record_success()


def _tenacity_kwargs(policy: ResilienceSettings, label: str) -> dict[str, Any]:
    from tenacity import retry_if_exception, stop_after_attempt

    def wait(retry_state: Any) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        honoured = retry_after_s(exc, policy.retry_after_max_s) if exc is not None else None
        return honoured if honoured is not None else backoff_s(retry_state.attempt_number, policy)

    def before_sleep(retry_state: Any) -> None:
        exc = retry_state.outcome.exception()
        get_logger().info(
            "{}: {} (attempt {}/{}), retrying in {:.2f}s",
            label,
            describe(exc),
            retry_state.attempt_number,
            policy.max_attempts,
            retry_state.upcoming_sleep,
        )

    return {
        "stop": stop_after_attempt(policy.max_attempts),
        "wait": wait,
        "retry": retry_if_exception(is_retryable),
        "before_sleep": before_sleep,
        "reraise": True,
    }


def _final(exc: BaseException, attempts: int) -> LLMCallError:
    if isinstance(exc, LLMCallError) and not exc.retryable:
        return exc
    plural = "s" if attempts > 1 else ""
    return LLMCallError(f"{describe(exc)} after {attempts} attempt{plural}", retryable=False)


def call_with_retries(
    fn: Callable[[], R], policy: ResilienceSettings, breaker: CircuitBreaker, label: str
) -> R:
    """Run ``fn`` under the retry policy and the breaker; every failure ends as :class:`LLMCallError`."""
    from tenacity import Retrying

    def attempt() -> R:
        with _attempt(breaker, label):
            return fn()

    retrying = Retrying(**_tenacity_kwargs(policy, label))
    try:
        return retrying(attempt)
    except Exception as exc:
        raise _final(exc, retrying.statistics.get("attempt_number", 1)) from exc
