# ruff: noqa: E501
"""Fixture code bases for the checklist tests: a well-prepared service and a careless prototype.

checklist: skip-file (fixture text, not evidence of this repository's practices)
"""

from __future__ import annotations

import struct
from pathlib import Path


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def git_index(paths: list[str]) -> bytes:
    """A version-2 git index holding ``paths`` (what ``git add`` would write), built by hand."""
    body = b""
    for name in sorted(paths):
        raw = name.encode()
        entry = b"\0" * 24 + struct.pack(">I", 0o100644) + b"\0" * 32 + struct.pack(">H", len(raw)) + raw
        body += entry + b"\0" * (8 - len(entry) % 8)
    return b"DIRC" + struct.pack(">II", 2, len(paths)) + body


def fake_key() -> str:
    """A high-entropy OpenAI-shaped key, assembled at run time so no literal key sits in this file."""
    return "sk-" + "proj-" + "Zq8Xv2Lm9Rt4Wp7Kc3Nb6Hy1Jd5Fs0Ga"


GOOD: dict[str, str | bytes] = {
    "pyproject.toml": (
        '[project]\nname = "svc"\nversion = "1.2.0"\n\n[project.scripts]\nsvc = "app.main:run"\n\n'
        '[tool.ruff]\nline-length = 100\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n\n'
        "[tool.coverage.report]\nfail_under = 96\n"
    ),
    "Makefile": "dev:\n\tuvicorn app.api:app --reload\n\ntest:\n\tpytest --cov=app\n\nlint:\n\truff check app\n",
    ".github/workflows/ci.yml": (
        "name: ci\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: ruff check .\n      - run: pytest -q\n      - run: pip-audit\n      - run: bandit -r app\n"
    ),
    "Dockerfile": (
        "FROM python:3.12-slim@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
        "WORKDIR /app\nCOPY . .\nUSER app\nEXPOSE 8000\nHEALTHCHECK CMD curl -f http://localhost:8000/healthz\n"
    ),
    ".env.example": "OPENAI_API_KEY=\nDISABLE_LLM=false\nUSE_FAKE_DATA=false\n",
    ".gitignore": ".env\n",
    "README.md": "# svc\n\n"
    + "".join(f"Line {i} of the manual.\n" for i in range(25))
    + "\n## Rollback\n\nRedeploy the previous tag.\n",
    "docs/architecture.md": "# Architecture\n\n```mermaid\nC4Container\n  title svc\n```\n",
    "prompts/support.md": "Answer the customer using only the knowledge base.\n",
    "locustfile.py": "from locust import HttpUser, task\n\n\nclass U(HttpUser):\n    @task\n    def ask(self):\n"
    "        self.client.post('/ask')\n",
    "app/__init__.py": "",
    "app/config.py": (
        "from pydantic import SecretStr\n"
        "from pydantic_settings import BaseSettings\n"
        "\n\n"
        "class Settings(BaseSettings):\n"
        "    openai_api_key: SecretStr | None = None\n"
        "    model: str = 'gpt-4o-mini'\n"
        "    complex_model: str = 'gpt-4o'\n"
        "    llm_timeout: int = 30\n"
        "    disable_llm: bool = False\n"
        "    use_fake_data: bool = False\n"
        "    log_level: str = 'INFO'\n"
        "    max_cost_usd: float = 5.0\n"
        "    audit_log: str = 'audit.jsonl'\n"
    ),
    "app/llm_factory.py": (
        "from langchain_openai import ChatOpenAI\n"
        "\n"
        "from app.config import Settings\n"
        "\n\n"
        "def make_llm(settings: Settings) -> ChatOpenAI:\n"
        "    return ChatOpenAI(model=settings.model, timeout=settings.llm_timeout)\n"
    ),
    "app/resilience.py": (
        "import pybreaker\n"
        "from tenacity import retry, wait_exponential\n"
        "\n"
        "breaker = pybreaker.CircuitBreaker(fail_max=5)\n"
        "\n\n"
        "@retry(wait=wait_exponential(min=1, max=10))\n"
        "def call(llm, prompt):\n"
        "    try:\n"
        "        return llm.invoke(prompt)\n"
        "    except TimeoutError:\n"
        "        return fallback_answer(prompt)\n"
        "\n\n"
        "def fallback_answer(prompt):\n"
        "    return 'Please try again later.'\n"
    ),
    "app/api.py": (
        "import structlog\n"
        "from fastapi import FastAPI\n"
        "from prometheus_client import Counter\n"
        "from pydantic import BaseModel, Field\n"
        "from slowapi import Limiter\n"
        "\n"
        "app = FastAPI()\n"
        "log = structlog.get_logger()\n"
        "limiter = Limiter(key_func=lambda r: r.client.host)\n"
        "REQUESTS = Counter('requests_total', 'requests')\n"
        "\n\n"
        "class AppError(Exception):\n"
        "    pass\n"
        "\n\n"
        "class Query(BaseModel):\n"
        "    text: str = Field(max_length=5000)\n"
        "\n\n"
        "class Answer(BaseModel):\n"
        "    text: str\n"
        "\n\n"
        "def check_injection(text: str) -> bool:\n"
        "    return 'ignore previous instructions' in text.lower()\n"
        "\n\n"
        "@app.get('/healthz')\n"
        "def healthz():\n"
        "    return {'ok': True}\n"
        "\n\n"
        "@app.get('/readyz')\n"
        "def readyz():\n"
        "    return {'ok': True}\n"
        "\n\n"
        "def parse(raw: str) -> Answer:\n"
        "    return Answer.model_validate_json(raw)\n"
        "\n\n"
        "@app.post('/ask')\n"
        "def ask(query: Query) -> Answer:\n"
        "    if check_injection(query.text):\n"
        "        raise AppError('refused')\n"
        "    return parse(call(None, query.text))\n"
    ),
    "app/metrics.py": "from prometheus_client import Counter, Histogram\n\nLATENCY = Histogram('request_latency_seconds', 'latency')\nERRORS = Counter('errors_total', 'errors')\nCOST = Counter('llm_cost_usd_total', 'cost')\n",
    ".github/workflows/release.yml": "on:\n  push:\n    tags: ['v*']\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker push ghcr.io/acme/svc:${{ github.ref_name }}\n",
    "bench/results/load.json": '{"concurrency": 32, "throughput_rps": 41.5, "p95_ms": 2100, "errors": 0}\n',
    "app/tracing.py": "from langsmith import traceable\nfrom mcp.server.fastmcp import FastMCP\nfrom a2a.types import AgentCard\n",
    "app/usage.py": "def price(input_tokens: int, output_tokens: int) -> float:\n    cost_usd = input_tokens * 1e-6\n    return cost_usd\n",
    "app/cache.py": "import diskcache\n\nfrom app.config import Settings\n\nCACHE = diskcache.Cache('.cache')\n",
    "app/evaluate.py": "def evaluate_run(dataset):\n    return {'accuracy': 1.0}\n",
    "evals/golden.jsonl": '{"id": "g1", "input": "refund?", "expected": {"intent": "billing"}}\n',
    "bench/latency.py": "import asyncio\n\n\nasync def main(calls):\n    await asyncio.gather(*calls)\n"
    "    p95 = sorted(calls)[int(len(calls) * 0.95)]\n",
    "ops/alerts.yml": "groups:\n  - name: svc\n    rules:\n      - alert: HighErrorRate\n        expr: rate(errors[5m]) > 0.05\n",
    "ops/dashboard.json": '{"title": "svc", "panels": []}\n',
    "app/state.py": "from typing import TypedDict\n\n\nclass SupportState(TypedDict):\n    query: str\n",
    "app/grounding.py": "def verify_citations(answer, sources):\n    return [c for c in answer if c in sources]\n",
    "app/files.py": "def safe(path, root):\n    return path.resolve().is_relative_to(root)\n",
    "tests/__init__.py": "",
    "tests/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef client():\n    return None\n",
    "tests/test_resilience.py": (
        "def test_timeout_uses_fallback(respx_mock):\n"
        "    assert True\n"
        "\n\n"
        "def test_503_is_retried():\n"
        "    status_code = 503\n"
        "    assert status_code\n"
        "\n\n"
        "def test_malformed_json_is_rejected():\n"
        "    assert True\n"
        "\n\n"
        "def test_injection_refused():\n"
        "    assert 'jailbreak'\n"
    ),
    "tests/integration/test_api.py": "from fastapi.testclient import TestClient\n\n\ndef test_ask():\n"
    "    client = TestClient(None)\n",
    ".git/HEAD": "ref: refs/heads/main\n",
    ".git/refs/tags/v1.2.0": "0" * 40 + "\n",
    ".git/packed-refs": "# pack-refs with: peeled\n" + "1" * 40 + " refs/tags/v1.1.0\n",
}

BAD: dict[str, str | bytes] = {
    "main.py": (
        "import openai\n"
        "\n"
        "client = openai.OpenAI()\n"
        "MODEL = 'gpt-4o'\n"
        "URL = 'https://api.example.com/v1/chat'\n"
        "\n\n"
        "def ask(q):\n"
        "    try:\n"
        "        prompt = 'You are a helpful assistant. ' + q\n"
        "        return client.chat.completions.create(model=MODEL, messages=[prompt])\n"
        "    except:\n"
        "        print('failed')\n"
    ),
    "helper.py": "from langchain_openai import ChatOpenAI\n\nllm = ChatOpenAI(model='gpt-4o-mini')\n",
    "sub/other.py": "from anthropic import Anthropic\n\nclient = Anthropic()\nEXTRA = 'claude-3-haiku'\n",
    "Dockerfile": "FROM python:latest\nCOPY . .\n",
    ".git/HEAD": "ref: refs/heads/main\n",
}


def bad_files() -> dict[str, str | bytes]:
    files = dict(BAD)
    files["keys.py"] = f"OPENAI_KEY = '{fake_key()}'\n"
    files[".env"] = f"OPENAI_API_KEY={fake_key()}\n"
    files[".git/index"] = git_index([".env", "main.py", "helper.py", "keys.py"])
    return files
