"""A real ``agentops serve`` in a subprocess on a free loopback port, and what /proc says about it.

One helper for the integration tests and ``bench/bench_serve.py``: start, wait until
``/readyz`` answers 200, stop. :func:`free_port` is the tests' one free-port helper
(``tests/integration/services.py``, the A2A and MCP tests import it). The /proc readers
tell which worker process holds which accepted connection and how much CPU a process tree
spent — without asking the server, so they measure any server the same way.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

PYTHON_CLI = (sys.executable, "-m", "agentops_cli")


def free_port() -> int:
    """A loopback port free now (the kernel's pick; a server binding it later may still race)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServeProcess:
    """``agentops serve --port P --workers N``; its stderr goes to ``folder/serve-P.log``.

    ``command`` is how agentops is started (``python -m agentops_cli`` by default; the bench
    uses the installed console script), ``base_env`` the environment ``env`` is laid over
    (the current one by default).
    """

    def __init__(
        self,
        env: Mapping[str, str],
        folder: Path,
        workers: int = 1,
        command: Sequence[str] = PYTHON_CLI,
        base_env: Mapping[str, str] | None = None,
    ) -> None:
        self.port = free_port()
        self.log = folder / f"serve-{self.port}.log"
        with self.log.open("wb") as stderr:
            self.proc = subprocess.Popen(
                self.argv(command, workers),
                cwd=folder,
                env={**(os.environ if base_env is None else base_env), **env},
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )

    def argv(self, command: Sequence[str], workers: int) -> list[str]:
        return [*command, "serve", "--port", str(self.port), "--workers", str(workers)]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, timeout: float = 90.0) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"serve exited {self.proc.returncode}: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"serve on {self.port} not ready: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=5)


# -- /proc ------------------------------------------------------------------------------------------
def _proc_stat(pid: int) -> tuple[int, float]:
    """(parent pid, utime + stime in seconds) of one process, from /proc/PID/stat."""
    raw = Path(f"/proc/{pid}/stat").read_text()
    fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (comm) "
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_pids(root: int) -> list[int]:
    """``root`` and its live descendants (uvicorn's workers)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = _proc_stat(int(entry.name))[0]
            except (OSError, ValueError, IndexError):
                continue  # exited meanwhile
    members, frontier = [root], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in members]
        members.extend(children)
        frontier.extend(children)
    return members


def worker_pids(root: int) -> list[int]:
    """The children of ``root`` started by multiprocessing's spawn: uvicorn's workers."""
    found = []
    for pid in tree_pids(root)[1:]:
        try:
            if _proc_stat(pid)[0] == root and b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            continue
    return found


def process_cpu_s(pid: int) -> float:
    try:
        return _proc_stat(pid)[1]
    except (OSError, ValueError, IndexError):
        return 0.0  # exited meanwhile


def tree_cpu_s(root: int) -> float:
    """CPU seconds used so far by ``root`` and its live descendants."""
    return sum(process_cpu_s(pid) for pid in tree_pids(root))


def socket_owners(pids: list[int]) -> dict[int, int]:
    """Socket inode → the pid holding it open (from /proc/PID/fd)."""
    owners: dict[int, int] = {}
    for pid in pids:
        try:
            fds = list(Path(f"/proc/{pid}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                owners.setdefault(int(target[8:-1]), pid)
    return owners


def established_peers(port: int) -> dict[int, int]:
    """Remote port → socket inode of each ESTABLISHED IPv4 connection whose local port is ``port``."""
    peers: dict[int, int] = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, state, inode = fields[1], fields[2], fields[3], int(fields[9])
        if state == "01" and int(local.split(":")[1], 16) == port:
            peers[int(remote.split(":")[1], 16)] = inode
    return peers


def connection_workers(server_pid: int, port: int) -> dict[int, int]:
    """Client port → pid of the server process holding the accepted connection.

    Only connections a worker has accepted appear (one still in a listen queue has no owner).
    """
    owners = socket_owners(tree_pids(server_pid))
    return {client: owners[inode] for client, inode in established_peers(port).items() if inode in owners}
