"""Human in the loop across processes: a SQLite checkpointer under the agentops home, or
Postgres when ``postgres_url`` is set (replicas of ``agentops serve`` share paused threads).

``agentops run support QUERY --hitl`` pauses at the ``review`` node and prints a thread
id; ``agentops run support --resume THREAD --approve`` (or ``--rewrite TEXT``) continues
it later, from another process or machine sharing the home folder — or the database.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from agentops_cli.config import Settings

DB_NAME = "support-hitl.sqlite"
CONNECT_TIMEOUT_S = 3  # a dead database must answer "unavailable" fast, not hang a request

_tables_ready: set[str] = set()
_setup_lock = threading.Lock()


class CheckpointStoreUnavailable(Exception):
    """The Postgres checkpoint store cannot be reached: HITL is unavailable, the rest is not."""


def db_path(settings: Settings) -> Path:
    return settings.resolved_home() / DB_NAME


@contextmanager
def checkpointer(settings: Settings) -> Iterator[Any]:
    """An open checkpoint saver (Postgres when configured, else SQLite), closed when the run ends."""
    if settings.postgres_url is not None:
        with _postgres(settings.postgres_url.get_secret_value()) as saver:
            yield saver
        return
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


@contextmanager
def _postgres(url: str) -> Iterator[Any]:
    """A ``PostgresSaver`` on its own connection; tables created once per process and database."""
    import psycopg
    from langgraph.checkpoint.postgres import PostgresSaver
    from psycopg.rows import dict_row

    try:
        conn = psycopg.connect(
            url, autocommit=True, prepare_threshold=0, row_factory=dict_row, connect_timeout=CONNECT_TIMEOUT_S
        )
    except psycopg.OperationalError as exc:
        raise CheckpointStoreUnavailable(f"HITL store (Postgres) unreachable: {type(exc).__name__}") from exc
    try:
        saver = PostgresSaver(conn)
        with _setup_lock:
            if url not in _tables_ready:
                saver.setup()
                _tables_ready.add(url)
        yield saver
    except psycopg.OperationalError as exc:
        raise CheckpointStoreUnavailable(f"HITL store (Postgres) failed: {type(exc).__name__}") from exc
    finally:
        conn.close()


def ping_postgres(url: str) -> str | None:
    """None when Postgres accepts a connection now, else why not (``/readyz``)."""
    import psycopg

    try:
        with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        return f"postgres unreachable ({type(exc).__name__})"
    return None
