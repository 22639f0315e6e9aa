"""The loopback OpenAI-compatible server in its own process, so it does not steal the CPU
(and the GIL) of the process being measured.

    python bench/llm_server.py --latency 0.3

prints ``READY <base_url>`` on stdout, then answers one command per stdin line:
``count`` → the number of requests served so far; ``quit`` (or EOF) → stop.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


class ServerProcess:
    """Start/stop the server process and ask it for its request count."""

    def __init__(self, latency_s: float, python: str = sys.executable) -> None:
        self.proc = subprocess.Popen(
            [python, str(Path(__file__).resolve()), "--latency", str(latency_s)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        line = self.proc.stdout.readline().split()
        if not line or line[0] != "READY":
            self.proc.kill()
            raise RuntimeError(f"loopback server did not start: {line}")
        self.base_url = line[1]

    def request_count(self) -> int:
        self.proc.stdin.write("count\n")
        self.proc.stdin.flush()
        return int(self.proc.stdout.readline())

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write("quit\n")
                self.proc.stdin.flush()
                self.proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.3)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO))
    from tests.fakes.openai_server import FakeOpenAIServer

    with FakeOpenAIServer() as server:
        server.latency_s = args.latency
        print("READY", server.base_url, flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "count":
                print(server.request_count, flush=True)
            elif command == "quit":
                break


if __name__ == "__main__":
    main()
