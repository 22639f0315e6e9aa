"""The adaptive limiter hears the LLM layer's 429s before any example finishes."""

from __future__ import annotations

from agentops_cli.evaluation.limiter import AdaptiveLimiter
from agentops_cli.llm.resilience import RateLimitGate, rate_limit_events


def test_429s_seen_while_retrying_halve_the_limit_once_per_cooldown() -> None:
    count = {"n": 0}
    lim = AdaptiveLimiter(maximum=32, cooldown_s=60.0, rate_limit_signal=lambda: count["n"])
    assert lim.can_start() and lim.limit == 32
    count["n"] += 3  # three 429s reported by the LLM layer
    lim.can_start()
    assert lim.limit == 16 and lim.backoffs == 1
    count["n"] += 5  # within the cool-down: no further cut
    lim.can_start()
    assert lim.limit == 16
    for _ in range(16):  # healthy answers grow it back, one at a time
        lim.record(10.0)
    assert lim.limit == 17


def test_default_signal_is_the_process_wide_429_count() -> None:
    lim = AdaptiveLimiter(maximum=8, cooldown_s=0.0)
    lim.can_start()
    assert lim.limit == 8  # 429s from before this limiter existed do not count
    before = rate_limit_events()
    RateLimitGate().hold(0.0)
    assert rate_limit_events() == before + 1
    lim.can_start()
    assert lim.limit == 4


def test_not_adaptive_ignores_the_signal() -> None:
    count = {"n": 0}
    lim = AdaptiveLimiter(maximum=4, adaptive=False, rate_limit_signal=lambda: count["n"])
    count["n"] = 10
    assert lim.can_start() and lim.limit == 4
