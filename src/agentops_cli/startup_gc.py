"""No cyclic garbage collection while the CLI starts up.

Why: start-up imports typer, pydantic and the command tree and builds their classes and
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

import gc

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
