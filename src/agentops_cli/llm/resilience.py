"""Retries, Retry-After, a shared rate-limit gate, a circuit breaker and the run's deadline
around one model request.

Why here and not in the openai client: the client already retries twice by default, and two
retry layers multiply attempts (3 × 3 = 9 requests to a dying server). The backend builds
``ChatOpenAI(max_retries=0)`` and this module owns every retry, so ``resilience.max_attempts``
means what it says.

Policy (defaults in ``ResilienceSettings``, documented in ``docs/llm.md``):

* retried: HTTP 408/409/5xx, connection errors, timeouts and malformed answers (a body or
  structured answer that does not parse/validate), up to ``max_attempts``; not retried:
  other 4xx (bad key, bad request) — retrying cannot fix them;
* wait: ``Retry-After`` / ``retry-after-ms`` when the server sends one (capped at
  ``retry_after_max_s``), else exponential backoff with jitter
  (``backoff_initial_s · 2^(n-1)`` + up to ``backoff_initial_s`` random, capped at
  ``backoff_max_s``);
* HTTP 429 is rate limiting, not an outage: it never counts toward the breaker; it holds the
  endpoint's :class:`RateLimitGate` for the Retry-After (every thread waits, not only the one
  that was told), is counted for eval's adaptive limiter, and is retried up to
  ``rate_limit_attempts`` (a budget of its own);
* circuit breaker per ``(endpoint, model)``, shared by every thread of the process: each
  failed *request* counts; ``breaker_failures`` consecutive ones open it; while open, calls
  fail at once without touching the network; after ``breaker_cooldown_s`` one trial request
  is let through (half-open) — only that trial's success closes it, failure re-opens it;
* deadline: a run has ``llm.deadline_s`` in all; no request starts (or waits) past it, and a
  request's timeout is cut to what is left, so a hanging server cannot hold a run for
  ``timeout × attempts`` — the offline engine answers (degraded) instead.

Nothing here imports openai or langchain: errors are recognised by status code and class
name, so the offline path and the CLI start-up stay light.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, TypeVar

from agentops_cli.config import ResilienceSettings
from agentops_cli.observability.logging import get_logger

R = TypeVar("R")

RETRYABLE_STATUS = frozenset({408, 409, 429})  # 429: retried through the rate-limit gate
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
Admission = Literal["closed", "trial"]


class CircuitBreaker:
    """Consecutive-failure breaker; thread-safe, one per ``(endpoint, model)`` in the process.

    :meth:`admit` says *how* a request was let through, and the outcome is reported with it:
    only the half-open trial may close an open circuit. A request admitted while the
    circuit was closed that succeeds after it opened (32 eval threads have requests in
    flight when the 5th failure lands) says nothing about the server *now*, so it is ignored.
    """

    def __init__(self, failures: int, cooldown_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.threshold = failures
        self.cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._opened_at: float | None = None
        self._trial_in_flight = False
        self.times_opened = 0

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

    def admit(self) -> Admission | None:
        """How a request may go out now (``None``: refused). Half-open: one trial at a time."""
        with self._lock:
            state = self._state()
            if state == "closed":
                return "closed"
            if state == "half_open" and not self._trial_in_flight:
                self._trial_in_flight = True
                return "trial"
            return None

    def record_success(self, admission: Admission = "closed") -> None:
        with self._lock:
            if admission == "trial":
                self._opened_at = None
                self._trial_in_flight = False
            if self._opened_at is None:
                self._failures = 0

    def record_failure(self, admission: Admission = "closed") -> bool:
        """Count one failed request; True when this failure opened (or re-opened) the circuit."""
        with self._lock:
            if admission == "trial":
                self._trial_in_flight = False
                self._open()
                return True
            if self._opened_at is not None:
                return False  # already open: a late failure changes nothing
            self._failures += 1
            if self._failures >= self.threshold:
                self._open()
                return True
            return False

    def release(self, admission: Admission) -> None:
        """A request that proved nothing either way (rate limited, cut short by the run's
        deadline): it neither counts as a failure nor closes the circuit."""
        if admission == "trial":
            with self._lock:
                self._trial_in_flight = False

    def _open(self) -> None:
        self._opened_at = self._clock()
        self.times_opened += 1


# -- the shared rate-limit gate ----------------------------------------------------------------------


class RateLimitGate:
    """One endpoint's "slow down": a 429 holds *every* thread until its Retry-After is over.

    Rate limiting is not an outage: a 429 does not count toward the breaker. Each thread
    that got one would otherwise wait on its own while 31 others keep hitting the limit;
    here the wait is shared (the latest resume time wins) and the number of 429s seen is
    published (:func:`rate_limit_events`) so eval's adaptive limiter can also lower its
    concurrency.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._resume_at = 0.0

    def hold(self, seconds: float) -> None:
        """Nobody sends before ``seconds`` from now (a later hold already in place stays)."""
        global _rate_limit_events
        with self._lock:
            self._resume_at = max(self._resume_at, self._clock() + seconds)
        with _registry_lock:
            _rate_limit_events += 1

    def wait_s(self) -> float:
        """Seconds left before requests may go out again (0 when they may now)."""
        with self._lock:
            return max(0.0, self._resume_at - self._clock())


_breakers: dict[tuple[str, str], CircuitBreaker] = {}
_gates: dict[tuple[str, str], RateLimitGate] = {}
_registry_lock = threading.Lock()
_rate_limit_events = 0


def breaker_for(endpoint: str, model: str, policy: ResilienceSettings) -> CircuitBreaker:
    """The process-wide breaker of one endpoint and model (created on first use)."""
    key = (endpoint, model)
    with _registry_lock:
        breaker = _breakers.get(key)
        if breaker is None:
            breaker = CircuitBreaker(policy.breaker_failures, policy.breaker_cooldown_s)
            _breakers[key] = breaker
        return breaker


def gate_for(endpoint: str, model: str) -> RateLimitGate:
    """The process-wide rate-limit gate of one endpoint and model (created on first use)."""
    key = (endpoint, model)
    with _registry_lock:
        gate = _gates.get(key)
        if gate is None:
            gate = _gates[key] = RateLimitGate()
        return gate


def rate_limit_events() -> int:
    """How many rate-limit answers (HTTP 429) this process has had: what eval's limiter watches."""
    with _registry_lock:
        return _rate_limit_events


def breaker_states() -> dict[tuple[str, str], BreakerState]:
    """``(endpoint, model) -> state`` of every breaker in the process (``/metrics``, ``/readyz``)."""
    with _registry_lock:
        breakers = dict(_breakers)
    return {key: breaker.state for key, breaker in breakers.items()}


def reset_breakers() -> None:
    """Forget every breaker and gate (tests; a long-lived process after a config change)."""
    with _registry_lock:
        _breakers.clear()
        _gates.clear()


# -- the retry loop --------------------------------------------------------------------------------


class DeadlineExceeded(LLMCallError):
    """The run's deadline (``llm.deadline_s``) passed: no more requests, the offline engine answers."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(f"run deadline exceeded{detail}", retryable=False)


def is_rate_limit(exc: BaseException) -> bool:
    return status_of(exc) == 429


@dataclass
class Attempts:
    """What the loop has spent so far: failed attempts count toward ``max_attempts``;
    rate-limited ones only toward ``rate_limit_attempts``, a separate, larger budget."""

    failures: int = 0
    rate_limited: int = 0
    last: BaseException | None = None

    @property
    def total(self) -> int:
        return self.failures + self.rate_limited


def _remaining(deadline: float | None) -> float | None:
    return None if deadline is None else deadline - time.monotonic()


def _sleep_within(seconds: float, deadline: float | None, spent: Attempts) -> None:
    """Sleep, unless that would end past the deadline: then give up now rather than later."""
    left = _remaining(deadline)
    if left is not None and seconds >= left:
        raise DeadlineExceeded(_after(spent)) from spent.last
    if seconds > 0:
        time.sleep(seconds)


def _after(spent: Attempts) -> str:
    if spent.last is None:
        return ""
    return f" ({describe(spent.last)}, {spent.total} attempt{'s' if spent.total != 1 else ''})"


def _final(exc: BaseException, spent: Attempts) -> LLMCallError:
    if isinstance(exc, LLMCallError) and not exc.retryable:
        return exc
    attempts = spent.total
    plural = "s" if attempts > 1 else ""
    return LLMCallError(f"{describe(exc)} after {attempts} attempt{plural}", retryable=False)


class _TryAgain(Exception):
    """Raised by one attempt to ask the retry driver for another one after ``wait_s``."""

    def __init__(self, wait_s: float) -> None:
        super().__init__(wait_s)
        self.wait_s = wait_s


def call_with_retries(
    fn: Callable[[float | None], R],
    policy: ResilienceSettings,
    breaker: CircuitBreaker,
    label: str,
    *,
    gate: RateLimitGate | None = None,
    deadline: float | None = None,
    timeout_s: float | None = None,
) -> R:
    """Run ``fn(timeout)`` under the retry policy, the breaker, the rate-limit gate and the
    run's deadline; every failure ends as :class:`LLMCallError`.

    ``timeout`` is the request's own limit: ``timeout_s``, shortened to what is left before
    ``deadline`` (``None`` when neither is set). A request cut short that way and timing out
    is not held against the server (the breaker does not count it).

    tenacity drives the loop (retry on :class:`_TryAgain`, its wait, the sleep, the log before
    each sleep); each attempt decides itself whether another one is worth it, because that
    depends on two budgets (failures, rate limits), the breaker and the deadline together.
    """
    from tenacity import Retrying, retry_if_exception_type, stop_never

    gate = gate or RateLimitGate()
    spent = Attempts()
    log = get_logger()

    def attempt() -> R:
        _sleep_within(gate.wait_s(), deadline, spent)
        left = _remaining(deadline)
        if left is not None and left <= 0:
            raise DeadlineExceeded(_after(spent)) from spent.last
        admission = breaker.admit()
        if admission is None:
            raise CircuitOpen()
        timeout = timeout_s if left is None else min(timeout_s or left, left)
        cut_short = timeout_s is not None and timeout is not None and timeout < timeout_s
        try:
            result = fn(timeout)
        except Exception as exc:
            spent.last = exc
            raise _after_failure(exc, admission, cut_short) from exc
        breaker.record_success(admission)
        return result

    def _after_failure(exc: BaseException, admission: Admission, cut_short: bool) -> Exception:
        if is_rate_limit(exc):
            breaker.release(admission)
            spent.rate_limited += 1
            honoured = retry_after_s(exc, policy.retry_after_max_s)
            gate.hold(honoured if honoured is not None else backoff_s(spent.rate_limited, policy))
            if spent.rate_limited >= policy.rate_limit_attempts:
                return _final(exc, spent)
            log.info(
                "{}: rate limited (attempt {}), all requests wait {:.2f}s", label, spent.total, gate.wait_s()
            )
            return _TryAgain(0.0)  # the wait is the gate's, taken at the start of the next attempt
        if cut_short and describe(exc) == "timeout":
            breaker.release(admission)
            spent.failures += 1
            return DeadlineExceeded(_after(spent))
        spent.failures += 1
        if breaker.record_failure(admission):
            log.warning("circuit opened for {} after {} consecutive failures", label, breaker.threshold)
            return LLMCallError(f"{describe(exc)}; circuit opened", retryable=False)
        if not is_retryable(exc) or spent.failures >= policy.max_attempts:
            return _final(exc, spent)
        wait = retry_after_s(exc, policy.retry_after_max_s)
        wait = wait if wait is not None else backoff_s(spent.failures, policy)
        log.info(
            "{}: {} (attempt {}/{}), retrying in {:.2f}s",
            label,
            describe(exc),
            spent.failures,
            policy.max_attempts,
            wait,
        )
        return _TryAgain(wait)

    retrying = Retrying(
        retry=retry_if_exception_type(_TryAgain),
        wait=lambda state: state.outcome.exception().wait_s,  # type: ignore[union-attr]
        sleep=lambda seconds: _sleep_within(seconds, deadline, spent),
        stop=stop_never,  # the budgets are checked by each attempt
        reraise=True,
    )
    return retrying(attempt)
