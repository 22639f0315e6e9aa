"""Serve the viewer with uvicorn on loopback; the URL is printed before the first request."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

from agentops_cli.viewer.service import Viewer


def bind(host: str, port: int) -> socket.socket:
    """Bind first (``--port 0`` picks a free port) so the printed URL is the real one."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve(root: Path, cache_dir: Path, host: str, port: int, announce: Callable[[str], None],
          open_browser: bool) -> None:  # fmt: skip
    import uvicorn

    from agentops_cli.viewer.app import create_app

    viewer = Viewer(root, cache_dir)
    sock = bind(host, port)
    url = url_of(sock)
    announce(url)
    if open_browser:  # pragma: no cover - needs a desktop
        import webbrowser

        webbrowser.open(url)
    config = uvicorn.Config(create_app(viewer), log_level="warning", access_log=False, lifespan="off")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        viewer.close()
        sock.close()
