"""Run ids: one format for agent runs and eval runs.

``YYYYmmdd-HHMMSS-mmm-xxxxxx``: sortable by time to the millisecond (``eval list``,
``--resume last``) and unique across parallel processes (the random suffix).
"""

from __future__ import annotations

import secrets
import time


def new_run_id() -> str:
    now = time.time()
    millis = int(now * 1000) % 1000
    return f"{time.strftime('%Y%m%d-%H%M%S', time.localtime(now))}-{millis:03d}-{secrets.token_hex(3)}"
