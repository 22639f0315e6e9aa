"""``agentops serve --workers N``: a listening socket per worker, and the warmed heap frozen.

The worker processes themselves are exercised in tests/integration/test_serve_contract.py;
here the sockets are real kernel sockets and the app a real app, in this process.
"""

from __future__ import annotations

import contextlib
import gc
import socket
from pathlib import Path

import pytest

pytest.importorskip("uvicorn", reason="uvicorn not installed")

from agentops_cli.errors import RuntimeFailure
from agentops_cli.serving.workers import (
    ensure_port_free,
    group_socket,
    reuseport_supported,
)

needs_reuseport = pytest.mark.skipif(
    not reuseport_supported(), reason="SO_REUSEPORT balancing is Linux-only (elsewhere: one shared socket)"
)


def _accept_all(sock: socket.socket) -> list[socket.socket]:
    sock.setblocking(False)
    accepted = []
    with contextlib.suppress(BlockingIOError):
        while True:
            accepted.append(sock.accept()[0])
    return accepted


@needs_reuseport
def test_the_kernel_spreads_connections_over_the_workers_sockets() -> None:
    """Two sockets of one port's group both receive connections, whoever accepts first:
    what one shared socket did not give (bench: 31 of 32 keep-alive connections on one worker)."""
    first = group_socket("127.0.0.1", 0)
    port = first.getsockname()[1]
    second = group_socket("127.0.0.1", port)
    for sock in (first, second):
        sock.listen(128)  # as each worker does once warm
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
    try:
        counts = [len(_accept_all(first)), len(_accept_all(second))]
        # hashed over two sockets, fewer than 5 of 40 on one happens with a probability of ~2e-7
        assert sum(counts) == 40 and min(counts) >= 5, counts
        with pytest.raises(OSError):  # a port in use is refused, not joined
            ensure_port_free("127.0.0.1", port)
    finally:
        for sock in (*clients, first, second):
            sock.close()
    ensure_port_free("127.0.0.1", port)  # free again once the group is closed


@needs_reuseport
def test_a_socket_outside_the_group_keeps_the_port() -> None:
    with socket.socket() as plain:
        plain.bind(("127.0.0.1", 0))
        plain.listen()
        with pytest.raises(OSError):
            group_socket("127.0.0.1", plain.getsockname()[1])


def test_a_busy_port_is_a_runtime_failure_before_any_worker_starts() -> None:
    """On every platform: the port is checked before the per-worker or the shared socket."""
    import uvicorn

    from agentops_cli.serving.server import FACTORY, run_workers

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = uvicorn.Config(FACTORY, factory=True, host="127.0.0.1", port=port, workers=2)
        with pytest.raises(RuntimeFailure, match=f"cannot listen on 127.0.0.1:{port}"):
            run_workers(config)


def _scanned_by_the_collector(obj: object) -> bool:
    """Whether a collection walks ``obj``: frozen objects are left out of ``gc.get_objects()``."""
    return any(tracked is obj for tracked in gc.get_objects())


def test_the_server_app_freezes_its_warmed_heap(support_model_cache: Path, tmp_path: Path) -> None:
    """The intent model warm-up loaded is walked by collections, until a server app freezes it."""
    from fastapi.testclient import TestClient

    from agentops_cli.agents.support.configuration import resolve_pack
    from agentops_cli.agents.support.engine import get_model
    from agentops_cli.config import load_settings
    from agentops_cli.serving.app import create_app

    layer = {"cache_dir": str(support_model_cache), "home": str(tmp_path), "llm.provider": "offline"}
    settings = load_settings(None, layer, dotenv_path=None).settings
    gc.unfreeze()
    try:
        with TestClient(create_app(settings)) as client:
            assert client.get("/readyz").status_code == 200
            model = get_model(resolve_pack(settings, {}), settings)  # memoised: warm-up's own
        assert _scanned_by_the_collector(model)  # an app built in a test process leaves the heap alone
        with TestClient(create_app(settings, freeze=True)) as client:
            assert client.get("/readyz").status_code == 200
        assert not _scanned_by_the_collector(model)  # the warmed agents' models are frozen
    finally:
        gc.unfreeze()
