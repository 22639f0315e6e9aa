"""A tiny agent behind HTTP (stdlib only): POST {"question": ...} → {"answer": ..., "usage": {...}}.

Run: ``python server.py 8765``; evaluate: ``agentops eval --dataset golden.jsonl`` here
(``agentops.yaml`` points the ``calc`` agent at http://127.0.0.1:8765/answer).
It adds the numbers in the question — a stand-in for a team's own service.
"""

from __future__ import annotations

import json
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        question = str(body.get("question", ""))
        if "crash" in question:
            self._send(500, {"error": "internal"})
            return
        numbers = [int(n) for n in re.findall(r"-?\d+", question)]
        self._send(200, {"answer": str(sum(numbers)), "usage": {"input_tokens": len(question.split()),
                         "output_tokens": 1, "model": "gpt-4o-mini"}})  # fmt: skip

    def _send(self, status: int, data: dict) -> None:
        raw = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: object) -> None:  # quiet
        return


def make_server(port: int = 0) -> ThreadingHTTPServer:
    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


if __name__ == "__main__":
    make_server(int(sys.argv[1]) if len(sys.argv) > 1 else 8765).serve_forever()
