"""Run ids: one format for agent runs and eval runs.

``YYYYmmdd-HHMMSS-mmm-xxxxxx``: sortable by time to the millisecond (``eval list``,
``--resume last``) and unique across parallel processes (the random suffix).
"""

from __future__ import annotations

import itertools
import os
import re
import secrets
import time
from datetime import datetime

_STAMP = re.compile(r"(\d{8}-\d{6})-(\d{3})-")
_CREATED = "%Y-%m-%dT%H:%M:%S%z"  # a run's ``created_at``: local time and its UTC offset
_AGREE_SECONDS = 5.0  # a run id this far from its created_at was not made with it: trust the latter


# The suffix: a random start per process plus a counter, so ids made in one process never collide
# (24 random bits alone did: 500 ids in a few milliseconds repeated one about once in 700 runs),
# while processes, forked workers included, still draw their own random start.
_SUFFIXES = 1 << 24
_start = secrets.randbelow(_SUFFIXES)
_made = itertools.count()


def _new_start() -> None:
    global _start
    _start = secrets.randbelow(_SUFFIXES)


os.register_at_fork(after_in_child=_new_start)


def new_run_id() -> str:
    now = time.time()
    millis = int(now * 1000) % 1000
    suffix = (_start + next(_made)) % _SUFFIXES
    return f"{time.strftime('%Y%m%d-%H%M%S', time.localtime(now))}-{millis:03d}-{suffix:06x}"


def started_epoch(run_id: str, created_at: str) -> float:
    """When a run started, in UTC seconds to the millisecond: what "older" means across machines.

    Neither field orders runs alone: ``created_at`` carries the UTC offset but only whole
    seconds, the run id has milliseconds but local time without an offset. So the id's local
    time is read in ``created_at``'s offset (a CI run in UTC and a laptop run in CET then
    compare right, and so do two runs started in the same second). A run id not in this
    format (a hand-renamed folder) falls back to ``created_at``; a run with neither sorts first.
    """
    try:
        created: datetime | None = datetime.strptime(created_at, _CREATED)
    except ValueError:
        created = None
    stamp = _STAMP.match(run_id)
    if stamp is None:
        return created.timestamp() if created else 0.0
    local = datetime.strptime(stamp.group(1), "%Y%m%d-%H%M%S").replace(microsecond=int(stamp.group(2)) * 1000)
    if created is None:
        return local.timestamp()  # no offset recorded: the id was made on this machine, most likely
    precise = local.replace(tzinfo=created.tzinfo).timestamp()
    return precise if abs(precise - created.timestamp()) <= _AGREE_SECONDS else created.timestamp()
