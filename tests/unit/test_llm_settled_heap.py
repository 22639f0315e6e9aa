"""The client is built with the garbage collector paused, and what it built is frozen.

Why it matters: importing langchain_openai + openai makes ~150,000 long-lived objects; with
the collector on, that import triggers full collections, and every later full collection
re-scans them (bench/bench_llm_call.py ``gc`` measures it). These tests check the mechanism
itself: no automatic collection during the build, the objects built are frozen afterwards,
and the collector is left exactly as the caller had it.
"""

from __future__ import annotations

import gc
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agentops_cli import heap


@pytest.fixture(autouse=True)
def restore_collector() -> Iterator[None]:
    """Each test starts with the collector on and nothing frozen, and leaves it so."""
    was_enabled = gc.isenabled()
    gc.unfreeze()
    gc.enable()
    yield
    gc.unfreeze()
    if was_enabled:
        gc.enable()
    else:
        gc.disable()


def cycles(n: int) -> list[list]:
    """``n`` self-referencing lists: objects only the cyclic collector could ever free."""
    made = []
    for _ in range(n):
        item: list = []
        item.append(item)
        made.append(item)
    return made


def test_no_collection_runs_during_the_build_and_its_objects_end_frozen() -> None:
    collections: list[int] = []

    def count(phase: str, info: dict) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(count)
    try:
        with heap.settled():
            assert not gc.isenabled()
            built = cycles(20_000)  # far past the young-generation threshold (700)
    finally:
        gc.callbacks.remove(count)
    assert collections == []
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(built)
    # A full collection after the build no longer scans them: what it still tracks is less
    # than what was built.
    assert len(gc.get_objects()) < len(built)


def test_a_collector_the_caller_switched_off_stays_off() -> None:
    gc.disable()
    with heap.settled():
        pass
    assert not gc.isenabled()


def test_the_collector_comes_back_when_the_build_fails() -> None:
    with pytest.raises(RuntimeError), heap.settled():
        raise RuntimeError("import failed")
    assert gc.isenabled()


def test_the_backend_settles_its_first_client_build_only(tmp_path: Path) -> None:
    """In a fresh process the first build (the langchain_openai import) ends frozen; a second
    build in the same process freezes nothing more."""
    code = (
        "import gc\n"
        "from pathlib import Path\n"
        "from agentops_cli.config import Settings\n"
        "from agentops_cli.llm.openai_backend import OpenAIBackend\n"
        "s = Settings(llm={'provider': 'openai', 'base_url': 'http://127.0.0.1:9/v1'},"
        f" cache_dir=Path({str(tmp_path)!r}))\n"
        "assert gc.get_freeze_count() == 0\n"
        "chat = OpenAIBackend(s).chat('gpt-4o-mini')\n"
        "print(type(chat).__name__, gc.isenabled(), gc.get_freeze_count() > 10_000)\n"
        "frozen = gc.get_freeze_count()\n"
        "OpenAIBackend(s).chat('gpt-4o')\n"
        "print(gc.get_freeze_count() == frozen)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["ChatOpenAI", "True", "True", "True"]


def test_a_module_already_imported_is_not_settled_again() -> None:
    assert "gc" in sys.modules
    with heap.settled_first_import("gc"):
        assert gc.isenabled()
    assert gc.get_freeze_count() == 0
