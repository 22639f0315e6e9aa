"""Real Redis and PostgreSQL servers for integration tests: loopback ports, temp dirs, stopped after.

(``agentops serve`` itself is started by ``tests/fakes/serve_process.py``, which the bench shares.)

They come from the Debian packages (``redis-server``, ``postgresql``; ``.ci/run`` installs
them). A test that needs one skips with the reason when its binaries are missing.
PostgreSQL refuses to run as root, so as root it runs as the ``postgres`` system user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.fakes.serve_process import free_port

REPO = Path(__file__).resolve().parents[2]


def wait_for_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout} s")


def redis_binary() -> str | None:
    return shutil.which("redis-server")


def postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


needs_redis = pytest.mark.skipif(
    redis_binary() is None,
    reason="redis-server not installed (apt-get install -y redis-server; .ci/run does)",
)
needs_postgres = pytest.mark.skipif(
    postgres_bin() is None, reason="PostgreSQL not installed (apt-get install -y postgresql; .ci/run does)"
)


class RedisServer:
    def __init__(self, port: int, folder: Path) -> None:
        self.port = port
        self.folder = folder
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.proc = subprocess.Popen(
            [
                redis_binary() or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        return self

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    folder = Path(tempfile.mkdtemp(prefix="agentops-redis-"))
    server = RedisServer(free_port(), folder).start()
    try:
        yield server
    finally:
        server.kill()
        shutil.rmtree(folder, ignore_errors=True)


class PostgresServer:
    def __init__(self, port: int, folder: Path) -> None:
        self.port = port
        self.folder = folder
        self.data = folder / "data"
        self.bin = postgres_bin() or Path("/usr/bin")
        self.as_root = os.geteuid() == 0

    @property
    def url(self) -> str:
        return f"postgresql://agentops@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> PostgresServer:
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "agentops", "--auth=trust", "-E", "UTF8", "--no-sync")
        return self

    def start(self) -> PostgresServer:
        options = f"-k {self.folder} -h 127.0.0.1 -p {self.port} -c fsync=off"
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"), "-w", "start"
        )
        return self

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    folder = Path(tempfile.mkdtemp(prefix="agentops-pg-"))
    server = PostgresServer(free_port(), folder).init().start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
