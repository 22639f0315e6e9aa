"""When the cyclic garbage collector runs: not while long-lived objects are being built.

Three moments build a lot and free almost nothing — CLI start-up, the first LLM client build
(importing langchain_openai + openai), and a server's warm-up — and each then lives with
those objects for the rest of the process. Here is the one policy for all three: pause the
collector while building, then ``gc.freeze()`` what was built, so later collections skip it.

CLI start-up: start-up imports typer, pydantic and the command tree and builds their classes and
validators: some hundred thousand long-lived objects and next to no garbage. The collector
still runs on every 700 allocations and walks the young objects each time — ~6 % of the CPU of
``agentops cost`` and ``agentops checklist``, measured with ``gc.callbacks`` (bench/NOTES.md) —
and frees nothing of value.

So :func:`pause` turns it off before the command tree is imported and :func:`resume` turns it
back on when the command body starts, after ``gc.freeze()`` has moved everything start-up built
into the permanent generation (later collections of a long ``eval`` or ``serve`` do not walk
those objects again). Only the CLI entry point pauses: a program that imports agentops as a
library keeps its collector as it set it.
"""

from __future__ import annotations

import contextlib
import gc
import sys
from collections.abc import Iterator

_paused = False


def pause() -> None:
    """Turn the collector off for start-up (only if it is on: never re-enable what a caller disabled)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Freeze what start-up built and turn the collector back on, if :func:`pause` turned it off."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def paused() -> bool:
    return _paused


@contextlib.contextmanager
def settled() -> Iterator[None]:
    """Build the client with the cyclic garbage collector paused, then freeze what was built.

    Why: importing langchain_openai + openai creates ~150,000 long-lived objects (modules,
    classes, pydantic schemas) and almost no garbage. With the collector on, that import sets
    off dozens of young and several full collections, and every later full collection scans
    all of them again: a cold 300-row LLM-bound eval spent ~1.9 s of its ~10 s of CPU in the
    collector, ~0.7 s with this (the build alone: bench/bench_llm_call.py ``gc``).
    ``gc.freeze()`` moves everything alive now into the permanent generation, which
    collections skip; what dies later is still freed by reference counting. The collector is
    switched back on only if it was on before.

    The price: cyclic garbage that happens to be alive at the freeze is never freed. That is
    bounded because the expensive build happens once — callers use
    :func:`settled_first_import`, which settles only the import that creates the objects.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


@contextlib.contextmanager
def settled_first_import(module: str) -> Iterator[None]:
    """:func:`settled` around the first import of ``module``; a plain block once it is loaded.

    Later builds create a few objects, not a heap worth freezing, and freezing again would
    pin whatever other threads hold at that moment (an eval builds clients lazily, mid-run).
    """
    if module in sys.modules:
        yield
        return
    with settled():
        yield


def freeze_warmed() -> None:
    """Move everything alive after warm-up to the collector's permanent generation.

    The warmed process holds ~100k long-lived container objects (agents' models, indexes,
    compiled graphs, pydantic schemas): one full collection walks them all, ≈ 0.3 s measured on
    this machine under shared load, and it pauses every request in the process. Frozen
    objects are skipped by every later collection; only what requests allocate is scanned.
    """
    gc.collect()
    gc.freeze()
