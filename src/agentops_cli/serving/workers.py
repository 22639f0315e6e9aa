"""``--workers N``: uvicorn's supervisor, but every worker accepts on a listening socket of its own.

Why: with one shared listening socket the workers race to accept, and the winner takes every
connection waiting at that moment (the event loop accepts in a loop until the queue is
empty). Keep-alive clients then stay where they landed: the serve bench measured 31 of 32
connections on one worker and 1 on the other, and the p95 latency of the busy worker was the
service's. With ``SO_REUSEPORT`` the kernel spreads incoming connections over the N sockets
by a hash of their addresses, whichever worker happens to be awake.

The parent binds the N sockets before any worker starts, but does not listen on them: the
kernel hashes connections only over the listening members of the group, and a worker's socket
starts listening when that worker has warmed up (uvicorn runs the lifespan start-up, then
asyncio's ``create_server(sock=...)`` calls ``listen()``). So no connection waits on a worker
that is still loading its models while ``/readyz`` from another one says ready. The parent
keeps the sockets: a worker that dies is replaced on the same, still listening, socket, and
connections that arrived meanwhile wait in its queue instead of being refused. Everything
else (signals, health pings, restarts on SIGHUP) is uvicorn's ``Multiprocess``.

Once a worker has exited (crash, kill, SIGTTOU, SIGHUP's replacement, shutdown), its live
gauges leave the workers' shared metrics (:class:`Worker`): a dead worker's open breaker must
not show on ``/metrics``, while its counters stay in the totals.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import time

from uvicorn.config import STARTUP_FAILURE, Config
from uvicorn.supervisors.multiprocess import Multiprocess, Process

from agentops_cli.serving.metrics import forget_worker

logger = logging.getLogger("uvicorn.error")

EXIT_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})


def reuseport_supported() -> bool:
    """Linux spreads connections over a ``SO_REUSEPORT`` group; macOS and the BSDs accept the
    option but hand every connection to one socket, and Windows lacks it."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def ensure_port_free(host: str, port: int) -> None:
    """Refuse a port that anything already listens on, as a one-worker server would.

    Another process's ``SO_REUSEPORT`` socket on the same port would otherwise accept our
    sockets into its group, and the two services would silently split the traffic.
    """
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        if os.name != "nt":  # ignores TIME_WAIT leftovers; on Windows it would take a port in use
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))


def group_socket(host: str, port: int) -> socket.socket:
    """One member of the port's ``SO_REUSEPORT`` group, bound but not listening (its worker
    listens once warm), inheritable by a worker."""
    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


class Worker(Process):
    """uvicorn's worker process, forgotten by the shared metrics once it has exited.

    ``join`` is where every path that ends a worker waits for it (uvicorn's and ours alike).
    """

    def join(self) -> None:
        super().join()
        forget_worker(self.pid)


class PerWorkerSockets(Multiprocess):
    """uvicorn's ``Multiprocess`` where worker slot *i* always serves ``slots[i]``.

    The caller first checks the port with :func:`ensure_port_free`. Only the methods that start
    workers differ from uvicorn's: each hands the new worker its slot's socket instead of the
    one shared socket, and waits up to ``ready_timeout`` for it to warm up. That wait is
    separate from uvicorn's health-check timeout (5 s by default), which is how long *each*
    ping of a running worker may block the supervisor: set to the warm-up time, one hung
    worker would hold every signal (SIGTERM included) for minutes.
    """

    def __init__(self, config: Config, ready_timeout: float) -> None:
        self.ready_timeout = ready_timeout
        self.slots: list[socket.socket] = []
        try:
            for _ in range(config.workers):
                self.slots.append(group_socket(config.host, config.port))
        except OSError:
            self.close()  # the sockets bound before the failing one would keep the port
            raise
        super().__init__(config, sockets=[])

    def close(self) -> None:
        """Close the parent's sockets: the port is free once the workers have exited too."""
        for sock in self.slots:
            sock.close()

    def run(self) -> None:
        try:
            super().run()
        finally:
            self.close()

    def _start(self, slot: int) -> Process:
        process = Worker(self.config, [self.slots[slot]])
        process.start()
        return process

    def _stopping(self) -> bool:
        """Shutdown is under way or asked for (SIGINT/SIGTERM queued, not yet handled)."""
        return self.should_exit.is_set() or not EXIT_SIGNALS.isdisjoint(self.signal_queue)

    def _wait_until_ready(self, process: Process) -> bool:
        """Whether ``process`` finished its warm-up within ``ready_timeout``; False at once if it
        exits or shutdown is asked for, so SIGTERM is never held up by a worker warming up."""
        deadline = time.monotonic() + self.ready_timeout
        while time.monotonic() < deadline and not self._stopping() and process.exitcode is None:
            if process.is_ready(timeout=1):
                return True
            time.sleep(0.1)  # not ready yet: ping again, without spinning on the worker's pipe
        return False

    def _spawn(self, slot: int) -> Process:
        """Start slot's worker and wait for its warm-up; one that does not warm up in time is
        killed (the next health check replaces it, or stops on a start-up failure)."""
        process = self._start(slot)
        if not self._wait_until_ready(process) and process.exitcode is None and not self._stopping():
            logger.error(f"Child process [{process.pid}] was not ready in time; killing it.")
            process.kill()
            process.join()
        return process

    def init_processes(self) -> None:
        """Start every worker, then wait for each to warm up (they warm in parallel): health
        checks, with their short timeout, begin once the workers are warm or ``ready_timeout``
        has passed."""
        self.processes = [self._start(slot) for slot in range(self.processes_num)]
        for process in self.processes:
            self._wait_until_ready(process)

    def keep_subprocess_alive(self) -> None:
        """A dead or hung worker is replaced on its own socket (uvicorn's logic otherwise)."""
        if self.should_exit.is_set():
            return
        for slot, process in enumerate(self.processes):
            if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                continue
            process.kill()
            process.join()
            if process.exitcode == STARTUP_FAILURE:
                logger.error(f"Child process [{process.pid}] failed to start, stopping the parent process.")
                self.should_exit.set()
                return
            if self.should_exit.is_set():
                return
            logger.info(f"Child process [{process.pid}] died")
            try:
                self.processes[slot] = self._spawn(slot)
            except OSError as exc:  # e.g. EMFILE: the next health check tries again
                logger.error(f"Cannot start a worker: {exc}")

    def restart_all(self) -> None:
        """SIGHUP: each worker's replacement starts on the same socket before the old one stops."""
        for slot, old in enumerate(self.processes):
            if self._stopping():
                return
            new = self._start(slot)
            if not self._wait_until_ready(new):
                new.kill()
                new.join()
                if not self._stopping():
                    logger.error(f"New child process [{new.pid}] was not ready in time; restart aborted.")
                return
            old.terminate()
            old.join()
            self.processes[slot] = new

    def handle_ttin(self) -> None:
        """SIGTTIN: one more worker, on a new socket of the group.

        A failure (e.g. EMFILE: no file descriptor left) is logged and the service keeps its
        workers: an exception here would end the supervisor loop and leave them unsupervised.
        """
        logger.info("Received SIGTTIN, increasing the number of processes.")
        try:
            self.slots.append(group_socket(self.config.host, self.config.port))
        except OSError as exc:
            logger.error(f"Cannot add a worker: {exc}")
            return
        try:
            process = self._spawn(len(self.slots) - 1)
        except OSError as exc:
            self.slots.pop().close()
            logger.error(f"Cannot add a worker: {exc}")
            return
        self.processes_num += 1
        self.processes.append(process)

    def handle_ttou(self) -> None:
        """SIGTTOU: one worker fewer; its socket leaves the group (new connections go elsewhere)."""
        logger.info("Received SIGTTOU, decreasing number of processes.")
        if self.processes_num <= 1:
            logger.info("Already reached one process, cannot decrease the number of processes anymore.")
            return
        self.processes_num -= 1
        process = self.processes.pop()
        # Close this copy first: the worker then holds the socket's last descriptor, so the socket
        # leaves the group the moment the worker stops listening. Closed after the worker's exit,
        # it kept listening in this process alone, and connections hashed to it were reset.
        self.slots.pop().close()
        process.terminate()
        process.join()
