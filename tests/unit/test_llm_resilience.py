"""Retry policy, Retry-After parsing and the circuit breaker, without any network."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pytest

from agentops_cli.config import ResilienceSettings
from agentops_cli.llm.resilience import (
    CircuitBreaker,
    CircuitOpen,
    DeadlineExceeded,
    LLMCallError,
    MalformedAnswer,
    RateLimitGate,
    backoff_s,
    breaker_for,
    call_with_retries,
    describe,
    gate_for,
    is_retryable,
    rate_limit_events,
    reset_breakers,
    retry_after_s,
)


@dataclass
class FakeResponse:
    status_code: int
    headers: dict[str, str] = field(default_factory=dict)


class FakeStatusError(Exception):
    """Shaped like openai.APIStatusError: ``status_code`` and ``response.headers``."""

    def __init__(self, status: int, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"Error code: {status} - see https://secret.example/v1?key=abc")
        self.status_code = status
        self.response = FakeResponse(status, headers or {})


class APITimeoutError(Exception):
    """Same class name as openai's: recognised by name, so nothing imports openai."""


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


FAST = ResilienceSettings(max_attempts=3, backoff_initial_s=0.001, backoff_max_s=0.002, retry_after_max_s=0.5)


@pytest.mark.parametrize(
    ("exc", "retryable", "reason"),
    [
        (FakeStatusError(500), True, "HTTP 500"),
        (FakeStatusError(503), True, "HTTP 503"),
        (FakeStatusError(429), True, "HTTP 429"),
        (FakeStatusError(408), True, "HTTP 408"),
        (FakeStatusError(401), False, "HTTP 401"),
        (FakeStatusError(400), False, "HTTP 400"),
        (APITimeoutError(), True, "timeout"),
        (ConnectionError("refused"), True, "connection error"),
        (MalformedAnswer("malformed answer"), True, "malformed answer"),
        (CircuitOpen(), False, "circuit open"),
        (KeyError("x"), False, "KeyError"),
    ],
)
def test_classification(exc: Exception, retryable: bool, reason: str) -> None:
    assert is_retryable(exc) is retryable
    assert describe(exc) == reason


def test_describe_never_echoes_the_message() -> None:
    assert "secret.example" not in describe(FakeStatusError(500))


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "2"}, 2.0),
        ({"retry-after": "0.25"}, 0.25),
        ({"retry-after-ms": "150"}, 0.15),
        ({"retry-after": "120"}, 10.0),  # capped
        ({"retry-after": "-3"}, 0.0),
        ({}, None),
        ({"retry-after": "soon"}, None),
    ],
)
def test_retry_after(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after_s(FakeStatusError(429, headers), cap=10.0) == expected


def test_retry_after_http_date() -> None:
    import email.utils

    when = email.utils.formatdate(time.time() + 5, usegmt=True)
    value = retry_after_s(FakeStatusError(429, {"retry-after": when}), cap=30)
    assert value is not None and 3.0 <= value <= 5.0


def test_retry_after_without_response() -> None:
    assert retry_after_s(ValueError("x"), cap=5) is None


def test_backoff_grows_exponentially_with_bounded_jitter() -> None:
    policy = ResilienceSettings(backoff_initial_s=0.5, backoff_max_s=8.0)
    for attempt, base in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0)]:
        waits = [backoff_s(attempt, policy) for _ in range(50)]
        assert all(base <= w <= base + 0.5 for w in waits)
        assert len(set(waits)) > 1  # jitter
    assert backoff_s(10, policy) == 8.0


def test_breaker_opens_half_opens_and_closes() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failures=3, cooldown_s=10, clock=clock)
    assert breaker.state == "closed"
    assert [breaker.record_failure() for _ in range(2)] == [False, False]
    breaker.record_success()  # consecutive failures only
    assert [breaker.record_failure() for _ in range(3)] == [False, False, True]
    assert breaker.state == "open" and breaker.admit() is None
    clock.now += 9.9
    assert breaker.admit() is None
    clock.now += 0.2
    assert breaker.state == "half_open"
    assert breaker.admit() == "trial"  # the one trial
    assert breaker.admit() is None  # nobody else while it runs
    assert breaker.record_failure("trial") is True  # trial failed: open again, new cool-down
    assert breaker.state == "open" and breaker.times_opened == 2
    clock.now += 10
    assert breaker.admit() == "trial"
    breaker.record_success("trial")
    assert breaker.state == "closed" and breaker.admit() == "closed"


def test_in_flight_success_does_not_close_an_open_breaker() -> None:
    """32 threads had requests out when the 5th failure opened the circuit: their late
    successes say nothing about the server now; only the half-open trial may close it."""
    clock = FakeClock()
    breaker = CircuitBreaker(failures=2, cooldown_s=10, clock=clock)
    early = breaker.admit()
    assert early == "closed"
    breaker.record_failure()
    assert breaker.record_failure() is True
    breaker.record_success(early)  # admitted before it opened, answered after
    assert breaker.state == "open" and breaker.admit() is None
    assert breaker.record_failure("closed") is False  # a late failure does not re-open it either
    clock.now += 10
    trial = breaker.admit()
    late = "closed"
    breaker.record_success(late)  # still not the trial
    assert breaker.state == "half_open" and breaker.admit() is None
    breaker.record_success(trial)
    assert breaker.state == "closed"


def test_released_trial_lets_the_next_one_through() -> None:
    clock = FakeClock()
    breaker = CircuitBreaker(failures=1, cooldown_s=1, clock=clock)
    breaker.record_failure()
    clock.now += 1
    assert breaker.admit() == "trial"
    breaker.release("trial")  # rate limited: proved nothing
    assert breaker.state == "half_open" and breaker.admit() == "trial"
    breaker.release("closed")  # a no-op


def test_breakers_are_shared_per_endpoint_and_model() -> None:
    reset_breakers()
    policy = ResilienceSettings()
    a = breaker_for("http://h/v1", "m1", policy)
    assert breaker_for("http://h/v1", "m1", policy) is a
    assert breaker_for("http://h/v1", "m2", policy) is not a
    reset_breakers()
    assert breaker_for("http://h/v1", "m1", policy) is not a


def script(*outcomes: object):
    """A callable returning/raising ``outcomes`` in order, counting its calls."""
    calls = {"n": 0}

    def fn(timeout: float | None = None) -> object:
        calls.setdefault("timeouts", []).append(timeout)
        outcome = outcomes[calls["n"]]
        calls["n"] += 1
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    return fn, calls


def test_retries_until_success() -> None:
    fn, calls = script(FakeStatusError(500), APITimeoutError(), "ok")
    breaker = CircuitBreaker(5, 60)
    assert call_with_retries(fn, FAST, breaker, "test") == "ok"
    assert calls["n"] == 3
    assert breaker.state == "closed"


def test_gives_up_after_max_attempts() -> None:
    fn, calls = script(*[FakeStatusError(502)] * 5)
    with pytest.raises(LLMCallError) as caught:
        call_with_retries(fn, FAST, CircuitBreaker(10, 60), "test")
    assert calls["n"] == 3
    assert caught.value.reason == "HTTP 502 after 3 attempts"


def test_non_retryable_stops_at_once() -> None:
    fn, calls = script(FakeStatusError(401), "never")
    with pytest.raises(LLMCallError) as caught:
        call_with_retries(fn, FAST, CircuitBreaker(10, 60), "test")
    assert calls["n"] == 1
    assert caught.value.reason == "HTTP 401 after 1 attempt"


def test_retry_after_is_the_wait() -> None:
    fn, calls = script(FakeStatusError(429, {"retry-after": "0.3"}), "ok")
    assert calls["n"] == 0
    started = time.perf_counter()
    assert call_with_retries(fn, FAST, CircuitBreaker(10, 60), "test") == "ok"
    assert 0.28 <= time.perf_counter() - started < 1.0
    assert calls["n"] == 2


def test_opening_the_breaker_stops_the_retries() -> None:
    fn, calls = script(*[FakeStatusError(500)] * 5)
    breaker = CircuitBreaker(2, 60)
    with pytest.raises(LLMCallError) as caught:
        call_with_retries(fn, FAST, breaker, "test")
    assert calls["n"] == 2
    assert caught.value.reason == "HTTP 500; circuit opened"
    with pytest.raises(CircuitOpen):
        call_with_retries(fn, FAST, breaker, "test")
    assert calls["n"] == 2


# -- rate limits are not outages -----------------------------------------------------------------


def test_429s_never_open_the_breaker_and_have_their_own_budget() -> None:
    limited = FakeStatusError(429, {"retry-after-ms": "1"})
    fn, calls = script(*[limited] * 6, "ok")
    breaker = CircuitBreaker(2, 60)
    before = rate_limit_events()
    assert call_with_retries(fn, FAST, breaker, "test", gate=RateLimitGate()) == "ok"
    assert calls["n"] == 7  # 6 rate-limited attempts did not use up max_attempts=3
    assert breaker.state == "closed" and breaker.times_opened == 0
    assert rate_limit_events() - before == 6


def test_endless_429s_give_up_after_rate_limit_attempts() -> None:
    fn, calls = script(*[FakeStatusError(429, {"retry-after-ms": "1"})] * 20)
    policy = FAST.model_copy(update={"rate_limit_attempts": 4})
    breaker = CircuitBreaker(2, 60)
    with pytest.raises(LLMCallError) as caught:
        call_with_retries(fn, policy, breaker, "test")
    assert calls["n"] == 4 and caught.value.reason == "HTTP 429 after 4 attempts"
    assert breaker.state == "closed"


def test_one_429_holds_every_thread_of_the_endpoint() -> None:
    gate = RateLimitGate()
    gate.hold(0.3)  # another thread was just told Retry-After: 0.3
    fn, _calls = script("ok")
    started = time.perf_counter()
    assert call_with_retries(fn, FAST, CircuitBreaker(5, 60), "test", gate=gate) == "ok"
    assert 0.28 <= time.perf_counter() - started < 1.0
    gate.hold(5.0)
    gate.hold(0.01)  # a shorter hold never shortens a longer one already in place
    assert gate.wait_s() > 4.0


def test_gates_are_shared_per_endpoint_and_model() -> None:
    reset_breakers()
    assert gate_for("http://h:80/v1", "m") is gate_for("http://h:80/v1", "m")
    assert gate_for("http://h:80/v1", "m") is not gate_for("http://h:80/v1", "other")


def test_outage_still_opens_the_breaker_between_429s() -> None:
    fn, calls = script(FakeStatusError(429, {"retry-after-ms": "1"}), FakeStatusError(500), APITimeoutError())
    breaker = CircuitBreaker(2, 60)
    with pytest.raises(LLMCallError) as caught:
        call_with_retries(fn, FAST, breaker, "test")
    assert caught.value.reason == "timeout; circuit opened"
    assert breaker.state == "open" and calls["n"] == 3


# -- the run's deadline --------------------------------------------------------------------------


def test_past_deadline_sends_nothing() -> None:
    fn, calls = script("never")
    with pytest.raises(DeadlineExceeded) as caught:
        call_with_retries(fn, FAST, CircuitBreaker(5, 60), "test", deadline=time.monotonic() - 1)
    assert calls["n"] == 0 and caught.value.reason == "run deadline exceeded"


def test_request_timeout_is_cut_to_what_is_left_of_the_deadline() -> None:
    fn, calls = script("ok")
    deadline = time.monotonic() + 2.0
    call_with_retries(fn, FAST, CircuitBreaker(5, 60), "test", deadline=deadline, timeout_s=30.0)
    (timeout,) = calls["timeouts"]
    assert timeout is not None and 1.5 < timeout <= 2.0
    fn, calls = script("ok")
    call_with_retries(fn, FAST, CircuitBreaker(5, 60), "test", deadline=deadline, timeout_s=0.5)
    assert calls["timeouts"] == [0.5]
    fn, calls = script("ok")
    call_with_retries(fn, FAST, CircuitBreaker(5, 60), "test")
    assert calls["timeouts"] == [None]


def test_a_wait_past_the_deadline_gives_up_at_once() -> None:
    fn, calls = script(FakeStatusError(503, {"retry-after": "0.4"}), "ok")
    policy = FAST.model_copy(update={"retry_after_max_s": 5.0})
    started = time.perf_counter()
    with pytest.raises(DeadlineExceeded) as caught:
        call_with_retries(fn, policy, CircuitBreaker(5, 60), "test", deadline=time.monotonic() + 0.2)
    assert time.perf_counter() - started < 0.15
    assert caught.value.reason == "run deadline exceeded (HTTP 503, 1 attempt)"
    assert calls["n"] == 1


def test_timeout_cut_short_by_the_deadline_is_not_held_against_the_server() -> None:
    fn, _ = script(APITimeoutError())
    breaker = CircuitBreaker(1, 60)
    with pytest.raises(DeadlineExceeded):
        call_with_retries(fn, FAST, breaker, "test", deadline=time.monotonic() + 1.0, timeout_s=30.0)
    assert breaker.state == "closed"
    fn, _calls = script(APITimeoutError())
    with pytest.raises(LLMCallError):
        call_with_retries(fn, FAST, breaker, "test", deadline=time.monotonic() + 60, timeout_s=1.0)
    assert breaker.state == "open"  # a full-length timeout is the server's
