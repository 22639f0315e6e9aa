"""API keys, rate limits, audit log and the serve settings, on their own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agentops_cli.config import load_settings
from agentops_cli.errors import BadInput
from agentops_cli.observability.redact import register_secrets
from agentops_cli.serving.security import ApiKeys, AuditLog, RateLimiter, key_digest
from agentops_cli.serving.server import exposure_warning, is_loopback, limits_warning


def test_api_keys_identify_only_valid_bearer_tokens() -> None:
    keys = ApiKeys({"ops": key_digest("alpha-key-1"), "ci": key_digest("beta-key-22")})
    assert keys.enabled
    assert keys.identify("Bearer alpha-key-1") == "ops"
    assert keys.identify("bearer beta-key-22") == "ci"
    assert keys.identify("Bearer alpha-key-2") is None
    assert keys.identify("Basic alpha-key-1") is None
    assert keys.identify("Bearer ") is None
    assert keys.identify(None) is None
    assert not ApiKeys({}).enabled


class _Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_rate_limit_window_and_retry_after() -> None:
    clock = _Clock(1_000_040.0)  # 20 s into a minute
    limiter = RateLimiter(per_minute=2, per_day=0, clock=clock)
    assert limiter.check("a").allowed and limiter.check("a").allowed
    refused = limiter.check("a")
    assert not refused.allowed and 35 <= refused.retry_after_s <= 42
    assert limiter.check("b").allowed  # per caller
    clock.now += 60
    assert limiter.check("a").allowed  # a new window


def test_daily_quota() -> None:
    clock = _Clock(86_400 * 100 + 3600.0)
    limiter = RateLimiter(per_minute=0, per_day=3, clock=clock)
    assert all(limiter.check("k").allowed for _ in range(3))
    refused = limiter.check("k")
    assert not refused.allowed and "daily quota" in refused.reason
    assert refused.retry_after_s == 86_400 - 3600 + 1


def test_audit_log_redacts(tmp_path: Path) -> None:
    register_secrets(["sk-fake-secret-value-123"])
    log = AuditLog(tmp_path / "a" / "audit.jsonl")
    log.write(key_id="ops", agent="support", status=200, note="sk-fake-secret-value-123")
    row = json.loads((tmp_path / "a" / "audit.jsonl").read_text())
    assert row["key_id"] == "ops" and row["status"] == 200 and "time" in row
    assert "sk-fake-secret-value-123" not in json.dumps(row)


def test_serve_settings_refuse_plain_keys_and_redis_without_url() -> None:
    with pytest.raises(BadInput, match="sha256"):
        load_settings(None, {"serve.api_keys": {"ops": "my-plain-key"}}, dotenv_path=None)
    with pytest.raises(BadInput, match="redis_url"):
        load_settings(None, {"cache.backend": "redis"}, dotenv_path=None)
    digest = key_digest("x" * 20).upper()
    settings = load_settings(None, {"serve.api_keys": {"ops": digest}}, dotenv_path=None).settings
    assert settings.serve.api_keys == {"ops": digest.lower()}
    assert settings.serve.host == "127.0.0.1"


def test_exposure_warning() -> None:
    plain = load_settings(None, {}, dotenv_path=None).settings
    keyed = load_settings(None, {"serve.api_keys": {"k": key_digest("kkkkkkkk")}}, dotenv_path=None).settings
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.org")
    assert exposure_warning(plain, "127.0.0.1") is None
    assert "without API keys" in (exposure_warning(plain, "0.0.0.0") or "")
    assert exposure_warning(keyed, "0.0.0.0") is None


def test_limits_warning_when_workers_count_on_their_own() -> None:
    """Rate limits and quotas count per worker without Redis: N workers allow up to N times them."""

    def settings(**layer: object):  # type: ignore[no-untyped-def]
        return load_settings(None, layer, dotenv_path=None).settings

    assert "up to 3× them" in (limits_warning(settings(), 3) or "")  # the default 600 a minute
    assert "redis_url" in (limits_warning(settings(**{"serve.daily_quota": 5}), 2) or "")
    assert limits_warning(settings(), 1) is None
    assert limits_warning(settings(redis_url="redis://127.0.0.1:6379/0"), 3) is None  # one shared count
    off = settings(**{"serve.rate_limit_per_minute": 0, "serve.daily_quota": 0})
    assert limits_warning(off, 3) is None


def test_app_from_environment_reads_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--workers N``: each worker builds its app from the config named in AGENTOPS_CONFIG."""
    pytest.importorskip("fastapi")
    from agentops_cli.serving.server import app_from_environment

    config = tmp_path / "agentops.yaml"
    digest = key_digest("op-key-0001")
    config.write_text(f"serve:\n  rate_limit_per_minute: 7\n  api_keys: {{ops: {digest}}}\n")
    monkeypatch.setenv("AGENTOPS_CONFIG", str(config))
    app = app_from_environment()
    state = app.state.serve
    assert state.limiter.per_minute == 7 and state.keys.identify("Bearer op-key-0001") == "ops"
