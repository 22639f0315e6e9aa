"""Human in the loop across processes: a SQLite checkpointer under the agentops home.

``agentops run support QUERY --hitl`` pauses at the ``review`` node and prints a thread
id; ``agentops run support --resume THREAD --approve`` (or ``--rewrite TEXT``) continues
it later, from another process or machine sharing the home folder.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from agentops_cli.config import Settings

DB_NAME = "support-hitl.sqlite"


def db_path(settings: Settings) -> Path:
    return settings.resolved_home() / DB_NAME


@contextmanager
def checkpointer(settings: Settings) -> Iterator[Any]:
    """An open ``SqliteSaver``; the connection is closed when the run ends."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    path = db_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), check_same_thread=False)
    try:
        yield SqliteSaver(conn)
    finally:
        conn.close()


def thread_config(thread_id: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread_id}}
