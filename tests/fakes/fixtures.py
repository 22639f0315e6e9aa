"""Pytest fixtures around the loopback OpenAI-compatible server (``tests/fakes/openai_server.py``).

Registered for the whole suite through ``pytest_plugins`` in ``tests/conftest.py``.

* ``fake_openai`` — a :class:`FakeOpenAIServer` shared by the session (started once, on a free
  port of 127.0.0.1) and reset before every test: no faults, no responder, no latency, no
  recorded requests. The process-wide circuit breakers and shared backends are reset too, so
  one test's failures never open the breaker of the next.
* ``openai_settings(server, **overrides) -> Settings`` — settings that point the ``openai``
  provider at the server with a fake key and small timeouts/backoffs (fast tests). Overrides
  use ``__`` for nesting: ``openai_settings(fake_openai, resilience__failover=False)``; or
  pass ``overrides={"resilience.failover": False}``.
* ``openai_env(server, **extra) -> dict`` — the same as environment variables, for
  ``run_cli(..., env=openai_env(fake_openai))``.
* ``support_model_cache`` — a cache folder holding the default pack's trained intent model,
  trained once per session; point ``AGENTOPS_CACHE_DIR`` (or ``cache_dir``) at it so support
  tests and CLI subprocesses skip the training.
* ``csv_pack_factory(name, rows) -> CsvPack`` — writes a bare training file (``text,label,response``
  CSV) in a fresh folder and gives it a private home and cache (``CsvPack.env``), so a test module
  trains its synthetic pack once and never shares a model cache with another module.
* ``warm_support_model`` — copies ``support_model_cache``'s model into this test's own
  ``AGENTOPS_CACHE_DIR`` (the one ``isolated`` made): the test's CLI subprocesses load it instead
  of training it again (~3 s of CPU each, more under coverage). A copy, so nothing a test writes
  reaches another.
"""

from __future__ import annotations

import csv
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.fakes.openai_server import FakeOpenAIServer

if TYPE_CHECKING:
    from agentops_cli.config import Settings

FAKE_API_KEY = "sk-test-FAKEKEY0123456789abcdefXYZ"

# Small numbers so fault tests take milliseconds, not the production seconds.
FAST_SETTINGS: dict[str, Any] = {
    "llm.provider": "openai",
    "llm.timeout_s": 2.0,
    "resilience.max_attempts": 3,
    "resilience.backoff_initial_s": 0.01,
    "resilience.backoff_max_s": 0.05,
    "resilience.retry_after_max_s": 2.0,
    "resilience.breaker_failures": 5,
    "resilience.breaker_cooldown_s": 60.0,
}


def openai_settings(
    server: FakeOpenAIServer, overrides: dict[str, Any] | None = None, **kwargs: Any
) -> Settings:
    """Settings for the ``openai`` provider against ``server`` (env isolation comes from conftest)."""
    from agentops_cli.config import load_settings

    layer: dict[str, Any] = {
        **FAST_SETTINGS,
        "llm.base_url": server.base_url,
        "llm.api_key": FAKE_API_KEY,
    }
    layer.update(overrides or {})
    layer.update({key.replace("__", "."): value for key, value in kwargs.items()})
    return load_settings(None, layer, dotenv_path=None).settings


def openai_env(server: FakeOpenAIServer, **extra: str) -> dict[str, str]:
    """Environment for a CLI subprocess that talks to ``server`` with the fast settings."""
    env = {
        "OPENAI_API_KEY": FAKE_API_KEY,
        "OPENAI_BASE_URL": server.base_url,
    }
    for dotted, value in FAST_SETTINGS.items():
        env["AGENTOPS_" + dotted.upper().replace(".", "__")] = str(value)
    env.update(extra)
    return env


def _reset_llm_state() -> None:
    """Forget process-wide breakers and backends (cheap; no langchain import)."""
    try:
        from agentops_cli.llm import resilience
    except ImportError:  # pragma: no cover - the LLM layer is always there
        return
    resilience.reset_breakers()
    import sys

    backend = sys.modules.get("agentops_cli.llm.openai_backend")
    if backend is not None:
        backend.reset_shared_backends()


@pytest.fixture(scope="session")
def _fake_openai_session() -> Iterator[FakeOpenAIServer]:
    server = FakeOpenAIServer().start()
    yield server
    server.stop()


@pytest.fixture
def fake_openai(_fake_openai_session: FakeOpenAIServer) -> Iterator[FakeOpenAIServer]:
    """The loopback server, fresh for this test."""
    _fake_openai_session.reset()
    _reset_llm_state()
    yield _fake_openai_session
    _fake_openai_session.reset()
    _reset_llm_state()


@pytest.fixture(scope="session")
def support_model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The default pack's intent model, trained once for the session (training is tested on its own)."""
    from agentops_cli.agents.support.engine import get_model
    from agentops_cli.agents.support.pack import load_pack
    from agentops_cli.config import load_settings

    cache = tmp_path_factory.getbasetemp() / "support-model-cache"
    get_model(load_pack(), load_settings(None, {"cache_dir": str(cache)}, dotenv_path=None).settings)
    return cache


@dataclass(frozen=True)
class CsvPack:
    """A bare-file pack on disk and the environment that gives its CLI runs their own home and cache."""

    path: Path
    env: dict[str, str]


CSV_PACK_HEADER = ("text", "label", "response")
CsvPackFactory = Callable[[str, Iterable[tuple[str, str, str]]], CsvPack]


@pytest.fixture(scope="session")
def csv_pack_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> CsvPackFactory:
    """Make a ``CsvPack`` from ``(text, label, response)`` rows; call it from a module-scoped fixture.

    Why a private home per pack: the trained model is cached under ``AGENTOPS_CACHE_DIR``, so
    one module's runs reuse its training while two modules' packs never meet in one cache.
    """

    def make(name: str, rows: Iterable[tuple[str, str, str]]) -> CsvPack:
        path = tmp_path_factory.mktemp(name) / "desk.csv"
        with path.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(CSV_PACK_HEADER)
            writer.writerows(rows)
        home = tmp_path_factory.mktemp(f"{name}-home")
        return CsvPack(path, {"AGENTOPS_CACHE_DIR": str(home / "cache"), "AGENTOPS_HOME": str(home)})

    return make


@pytest.fixture
def warm_support_model(support_model_cache: Path, isolated: Path) -> Path:
    """This test's own cache dir, holding a copy of the session's default-pack intent model.

    For tests about something else than training that run the default support pack in CLI
    subprocesses: each fresh cache would otherwise train the same model again.
    """
    cache = Path(os.environ["AGENTOPS_CACHE_DIR"])
    shutil.copytree(support_model_cache, cache, dirs_exist_ok=True)
    return cache
