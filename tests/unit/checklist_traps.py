# ruff: noqa: E501
"""Trap code bases for the checklist: each reproduces a false verdict seen on real repositories
(issue 19), next to its true positive, in the shapes real LLM-agent repositories use.

checklist: skip-file (fixture text, not evidence of this repository's practices)

A trap is ``(name, files, item, expected status)``: the status a careful reviewer would give.
"""

from __future__ import annotations

NOTEBOOK = """{
 "cells": [
  {"cell_type": "code", "execution_count": 1, "metadata": {}, "source": ["agent.run('hi')"],
   "outputs": [{"name": "stdout", "output_type": "stream",
     "text": ["pybreaker.CircuitBreaker(fail_max=5) tripped; with_fallbacks( used\\n"]}]}
 ],
 "metadata": {}, "nbformat": 4, "nbformat_minor": 5
}
"""

BOT = """import os
import time

import openai

client = openai.OpenAI()


def reply(text: str) -> str:
    for _ in range(3):
        try:
            out = client.chat.completions.create(model=os.environ["MODEL"], messages=[{"role": "user", "content": text}])
            return out.choices[0].message.content
        except openai.RateLimitError:
            time.sleep(5)  # the provider's own rate limit: wait and retry
    raise RuntimeError("gave up")


if __name__ == "__main__":
    print(reply(input()))
"""

AGENT_TRY = """from langchain_openai import ChatOpenAI

llm = ChatOpenAI(model="gpt-4o-mini", timeout=30)
STATIC_ANSWER = "Sorry, I cannot answer right now; a person will follow up."


def answer(question: str) -> str:
    try:
        return llm.invoke(question).content
    except Exception:
        return STATIC_ANSWER
"""

SETTINGS_FALLBACKS = """from dataclasses import dataclass


@dataclass
class Settings:
    fallback_url: str = ""
    fallback_font: str = "DejaVu Sans"
"""

TOKEN_ESCAPE = """import html

from fastapi import FastAPI, Request
from langchain_openai import ChatOpenAI

app = FastAPI()
llm = ChatOpenAI()


def sanitize(value: str) -> str:
    return html.escape(value)


@app.post("/chat")
async def chat(request: Request, body: dict):
    token = sanitize(request.headers["Authorization"])
    return llm.invoke(body["message"]).content
"""

INJECTION_APPLIED = """from fastapi import FastAPI
from langchain_openai import ChatOpenAI

app = FastAPI()
llm = ChatOpenAI()
SUSPICIOUS = ("ignore previous instructions", "system prompt")


def detect_injection(text: str) -> bool:
    return any(s in text.lower() for s in SUSPICIOUS)


@app.post("/chat")
async def chat(body: dict):
    message = body["message"]
    if detect_injection(message):
        return {"error": "refused"}
    return llm.invoke(message).content
"""

INJECTION_DEFINED_ONLY = """def detect_injection(text: str) -> bool:
    return "ignore previous instructions" in text.lower()
"""

CI_COMMENTED = """name: ci
on: [push]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -e .
      # - run: pytest -q   (disabled until the tests are fixed)
"""
CI_TESTS = """name: ci
on:
  pull_request:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -e '.[dev]'
      - name: unit tests
        run: |
          pytest -q tests/unit
"""
CD_DEPLOY = """name: deploy
on:
  push:
    tags: ['v*']
jobs:
  publish:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/build-push-action@v6
        with:
          push: true
          tags: ghcr.io/acme/agent:latest
"""
CODEQL = """name: codeql
on: [push]
jobs:
  analyze:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: github/codeql-action/init@v3
      - uses: github/codeql-action/analyze@v3
"""
DEPENDABOT = """version: 2
updates:
  - package-ecosystem: pip
    directory: /
    schedule:
      interval: weekly
"""

TS_AGENT = """import { ChatOpenAI } from "@langchain/openai";
import { traceable } from "langsmith/traceable";
import { config } from "./configuration";

// no retries here: the caller decides
export const model = new ChatOpenAI({ model: config.model, timeout: 30_000, maxRetries: 2 });

export const run = traceable(async (input: string) => {
  const out = await model.invoke(input);
  return out.content;
}, { name: "agent" });
"""
TS_CONFIGURATION = """import { z } from "zod";

const Env = z.object({ OPENAI_API_KEY: z.string(), MODEL: z.string().default("gpt-4o-mini") });
export const config = Env.parse(process.env);
"""
TS_EVAL = """import { evaluate } from "langsmith/evaluation";
import { run } from "../src/agent";

await evaluate((input) => run(input.question), { data: "agent-golden", evaluators: [] });
"""
TS_TEST = """import { describe, expect, it, vi } from "vitest";
import { run } from "../src/agent";

vi.mock("@langchain/openai");

describe("agent", () => {
  it("times out slow calls", async () => {
    expect(await run("hi")).toBeDefined();
  });
});
"""

REACT_CONTEXT = """\"\"\"Define the configurable parameters for the agent.\"\"\"

import os
from dataclasses import dataclass, field, fields

from react_agent import prompts


@dataclass(kw_only=True)
class Context:
    \"\"\"The context for the agent.\"\"\"

    system_prompt: str = field(default=prompts.SYSTEM_PROMPT)
    model: str = field(default="anthropic/claude-3-5-sonnet-20240620")
    max_search_results: int = field(default=10)

    def __post_init__(self) -> None:
        for f in fields(self):
            if getattr(self, f.name) == f.default:
                setattr(self, f.name, os.environ.get(f.name.upper(), f.default))
"""
REACT_PROMPTS = '''"""Default prompts used by the agent."""

SYSTEM_PROMPT = """You are a helpful AI assistant.

System time: {system_time}"""
'''
REACT_GRAPH = """from langgraph.graph import StateGraph

from react_agent.context import Context
from react_agent.utils import load_chat_model


async def call_model(state, runtime):
    model = load_chat_model(runtime.context.model)
    system_message = runtime.context.system_prompt.format(system_time="now")
    return {"messages": [await model.ainvoke([{"role": "system", "content": system_message}, *state.messages])]}
"""
REACT_UTILS = """from langchain.chat_models import init_chat_model


def load_chat_model(fully_specified_name: str):
    provider, model = fully_specified_name.split("/", maxsplit=1)
    return init_chat_model(model, model_provider=provider)
"""

SECRETSTR = """from pydantic import BaseModel, SecretStr


class Login(BaseModel):
    password: SecretStr


def check(login: Login) -> str:
    return login.password.get_secret_value()
"""
AUTH_SANITISE = """from fastapi import FastAPI

from app.agent import agent

app = FastAPI()


def sanitize_string(value: str) -> str:
    return value.replace("<", "&lt;")


@app.post("/register")
def register(username: str, name: str):
    return {"user": sanitize_string(username), "name": sanitize_string(name)}


@app.post("/chat")
async def chat(body: dict):
    return await agent.get_response(body["messages"])
"""
TOOL_VARIANT = """async def run_tools(tools, calls, config):
    out = []
    for call in calls:
        tool = tools[call["name"]]
        try:
            observation = await tool.ainvoke(call["args"], config)
        except NotImplementedError:
            observation = tool.invoke(call["args"], config)
        out.append(observation)
    return out
"""
TELEGRAM_BOT = """from telegram.ext import Application, MessageHandler, filters

import openai


async def reply(update, context):
    try:
        answer = openai.OpenAI().chat.completions.create(model="x", messages=[])
    except openai.RateLimitError:
        raise
    await update.message.reply_text(answer)


def main():
    app = Application.builder().token("T").build()
    app.add_handler(MessageHandler(filters.TEXT, reply))
    app.run_polling()
"""

# -- traps re-checked against the list (s26) -------------------------------------------------
SAMPLE_TWEETS = 'SAMPLE_TWEETS = [\n    "LLM hallucinations are getting wild lately",\n    "grounding is everything",\n]\n'
RETRY_TODO = """import openai


# TODO: retry with tenacity wait_exponential
def ask(q):
    return openai.OpenAI().chat.completions.create(model="m", messages=[])
"""
FALLBACK_DOCSTRING = '''import openai


def ask(q):
    """Calls llm.with_fallbacks([backup]) when the model fails (planned)."""
    return openai.OpenAI().chat.completions.create(model="m", messages=[])
'''
FALLBACK_FONT_TS = (
    'export const theme = { font: "Inter", fallbackFont: "Arial", fallback_url: "/offline" };\n'
)
TS_TIMEOUT_COMMENT = """import { ChatOpenAI } from "@langchain/openai";
// TODO: timeout: 30000
export const model = new ChatOpenAI({ model: "gpt-4o-mini" });
const note = "timeout: 5000 is what the docs suggest";
"""
TS_TIMEOUT_TEMPLATE = """import { ChatOpenAI } from "@langchain/openai";
export const model = new ChatOpenAI({ model: "gpt-4o-mini" });
export const help = `pass { timeout: 5000 } to bound calls`;
"""
TS_EVAL_COMMENTED = """import { ChatOpenAI } from "@langchain/openai";
// import { evaluate } from "langsmith/evaluation";
export const model = new ChatOpenAI({ model: "gpt-4o-mini" });
"""
TS_TRACING_STRING = """import { ChatOpenAI } from "@langchain/openai";
export const model = new ChatOpenAI({ model: "gpt-4o-mini" });
const doc = "set LANGCHAIN_TRACING_V2 and wrap calls in traceable() for langsmith";
"""
TS_THINKING = """import Anthropic from "@anthropic-ai/sdk";
const client = new Anthropic();
export const ask = (q: string) =>
  client.messages.create({
    model: "claude-sonnet-4",
    max_tokens: 2048,
    thinking: { type: "enabled", budget_tokens: 1024 },
    messages: [{ role: "user", content: q }],
  });
"""
# A key printed by a cell stays in the committed notebook (built here so no scanner sees a key).
NOTEBOOK_KEY = (
    '{"cells": [{"cell_type": "code", "source": ["print(os.environ)"], "outputs": [{"text": '
    '["OPENAI_API_KEY=' + "sk-" + "proj-Q7vT2mXk9LpR4sWz8NbY3cHd6FgJ1aKe" + '"]}]}]}\n'
)

TRAPS: list[tuple[str, dict[str, str], str, str]] = [
    # -- found while reviewing real repositories -------------------------------------------------
    ("SecretStr.get_secret_value is no secrets manager", {"app/auth.py": SECRETSTR}, "CFG-01", "partial"),
    ("sanitiser applied to auth fields only", {"app/api.py": AUTH_SANITISE}, "PI-01", "fail"),
    (
        "sync/async tool variant is no LLM fallback",
        {"app/tools.py": TOOL_VARIANT, "bot/main.py": BOT},
        "REL-03",
        "fail",
    ),
    (
        "audio duration_seconds is no latency measurement",
        {"bot/audio.py": "def price(track, rate):\n    return track.duration_seconds * rate\n"},
        "PERF-01",
        "fail",
    ),
    ("a Telegram bot is a service: rate limits apply", {"bot/main.py": TELEGRAM_BOT}, "ABU-02", "fail"),
    ("a Telegram bot serves no HTTP health endpoint", {"bot/main.py": TELEGRAM_BOT}, "OBS-06", "n/a"),
    # -- comments, strings, prompt text, notebooks are not evidence --------------------------------
    ("commented-out CI test step", {".github/workflows/ci.yml": CI_COMMENTED}, "DEP-02", "partial"),
    (
        "timeout=None inside a test string",
        {
            "tests/test_cfg.py": 'CFG = """\nllm:\n  timeout=None\n"""\n\n\ndef test_cfg_loads():\n    assert CFG\n'
        },
        "TST-03",
        "fail",
    ),
    (
        "hallucinations in sample tweets",
        {
            "bot/data.py": 'SAMPLE_TWEETS = [\n    "LLM hallucinations are getting wild lately",\n    "grounding is everything",\n]\n',
            "bot/main.py": BOT,
        },
        "ETH-03",
        "manual",
    ),
    (
        "hallucinations in a prompt file",
        {
            "prompts/system.md": "Never produce hallucinations; check the grounding of every claim.\n",
            "bot/main.py": BOT,
        },
        "PI-03",
        "manual",
    ),
    ("notebook outputs", {"analysis.ipynb": NOTEBOOK, "bot/main.py": BOT}, "REL-02", "fail"),
    # -- names that look right but mean something else ---------------------------------------------
    (
        "fallback_url and fallback font",
        {"app/settings.py": SETTINGS_FALLBACKS, "bot/main.py": BOT},
        "REL-03",
        "fail",
    ),
    ("HTML escape of auth tokens only", {"app/api.py": TOKEN_ESCAPE}, "PI-01", "fail"),
    (
        "injection check defined, never applied",
        {"app/guard.py": INJECTION_DEFINED_ONLY, "bot/main.py": BOT},
        "PI-01",
        "partial",
    ),
    ("provider rate-limit handling in a CLI bot", {"bot/main.py": BOT}, "ABU-02", "n/a"),
    (
        "provider rate-limit handling in a server",
        {
            "app/api.py": "from fastapi import FastAPI\nimport openai\n\napp = FastAPI()\n\n\n@app.post('/ask')\ndef ask(q: str):\n    try:\n        return q\n    except openai.RateLimitError:\n        return 'busy'\n"
        },
        "ABU-02",
        "fail",
    ),
    (
        "model thinking budget",
        {
            "agent/llm.py": 'from anthropic import Anthropic\n\nclient = Anthropic()\nTHINKING = {"type": "enabled", "budget_tokens": 2048}\nthinking_budget = 1024\n'
        },
        "COST-01",
        "manual",
    ),
    # -- merged meanings restored -----------------------------------------------------------------
    (
        "load_dotenv is not a secrets manager",
        {
            "app/main.py": "import os\n\nfrom dotenv import load_dotenv\n\nload_dotenv()\nKEY = os.getenv('OPENAI_API_KEY')\n"
        },
        "CFG-01",
        "partial",
    ),
    (
        "a load-test script, never measured",
        {
            "locustfile.py": "from locust import HttpUser, task\n\n\nclass U(HttpUser):\n    @task\n    def ask(self):\n        self.client.post('/ask')\n"
        },
        "PERF-03",
        "partial",
    ),
    ("CI runs tests, nothing deploys", {".github/workflows/ci.yml": CI_TESTS}, "DEP-02", "partial"),
    (
        "dependabot is not a security scanner",
        {".github/dependabot.yml": DEPENDABOT, "app.py": "x = 1\n"},
        "SEC-03",
        "fail",
    ),
    (
        "health endpoint nobody probes",
        {
            "app/api.py": "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/healthz')\ndef healthz():\n    return {'ok': True}\n\n\n@app.get('/readyz')\ndef readyz():\n    return {'ok': True}\n"
        },
        "OBS-06",
        "partial",
    ),
    (
        "a request counter is not latency, errors and cost",
        {
            "app/metrics.py": "from prometheus_client import Counter\n\nREQUESTS = Counter('requests_total', 'requests')\n"
        },
        "OBS-02",
        "partial",
    ),
    # -- re-checked against the list (s26): Python comments/docstrings, TS comments and
    # strings, sample data for PI-03, a TS thinking budget, a key leaked in a notebook's output --
    (
        "PI-03 from hallucinations in sample tweets",
        {"bot/data.py": SAMPLE_TWEETS, "bot/main.py": BOT},
        "PI-03",
        "manual",
    ),
    ("backoff only in a TODO comment", {"app/llm.py": RETRY_TODO}, "REL-01", "fail"),
    ("with_fallbacks only in a docstring", {"app/llm.py": FALLBACK_DOCSTRING}, "REL-03", "fail"),
    ("a fallback font and fallback_url in a TS theme", {"web/theme.ts": FALLBACK_FONT_TS}, "REL-03", "fail"),
    ("TS timeout in a comment and a string", {"src/agent.ts": TS_TIMEOUT_COMMENT}, "PERF-04", "fail"),
    ("TS timeout in a template literal", {"src/agent.ts": TS_TIMEOUT_TEMPLATE}, "PERF-04", "fail"),
    ("TS langsmith/evaluation import commented out", {"src/agent.ts": TS_EVAL_COMMENTED}, "COG-04", "fail"),
    ("TS tracing named in a string", {"src/agent.ts": TS_TRACING_STRING}, "OBS-03", "fail"),
    ("TS thinking budget", {"src/llm.ts": TS_THINKING}, "COST-01", "manual"),
    (
        "a key in a notebook's output is a leak",
        {"analysis.ipynb": NOTEBOOK_KEY, "app.py": "x = 1\n"},
        "SEC-01",
        "fail",
    ),
]

TRUE_POSITIVES: list[tuple[str, dict[str, str], str, str]] = [
    (
        "CI test step",
        {".github/workflows/ci.yml": CI_TESTS, ".github/workflows/deploy.yml": CD_DEPLOY},
        "DEP-02",
        "pass",
    ),
    (
        "timeout test",
        {"tests/test_llm.py": "def test_llm_timeout_returns_static_answer(monkeypatch):\n    assert True\n"},
        "TST-03",
        "pass",
    ),
    (
        "grounding check",
        {
            "app/verify.py": "def check_grounding(answer: str, sources: list[str]) -> bool:\n    return all(s in sources for s in answer.split())\n"
        },
        "ETH-03",
        "pass",
    ),
    ("LLM call with a static answer on failure", {"app/agent.py": AGENT_TRY}, "REL-03", "pass"),
    (
        "with_fallbacks",
        {
            "app/llm.py": "from langchain_openai import ChatOpenAI\n\nllm = ChatOpenAI(model='a').with_fallbacks([ChatOpenAI(model='b')])\n"
        },
        "REL-03",
        "pass",
    ),
    ("injection check applied before the model call", {"app/api.py": INJECTION_APPLIED}, "PI-01", "pass"),
    (
        "server-side rate limiter",
        {
            "app/api.py": "from fastapi import FastAPI\nfrom slowapi import Limiter\nfrom slowapi.util import get_remote_address\n\napp = FastAPI()\nlimiter = Limiter(key_func=get_remote_address)\n"
        },
        "ABU-02",
        "pass",
    ),
    (
        "cost budget",
        {
            "agent/config.py": "MAX_COST_USD = 5.0\n",
            "agent/run.py": "from agent.config import MAX_COST_USD\n\n\ndef over(spent):\n    return spent > MAX_COST_USD\n",
        },
        "COST-01",
        "pass",
    ),
    (
        "secrets manager",
        {
            "app/secrets.py": "import boto3\n\n\ndef openai_key() -> str:\n    client = boto3.client('secretsmanager')\n    return client.get_secret_value(SecretId='openai')['SecretString']\n"
        },
        "CFG-01",
        "pass",
    ),
    (
        "measured load test",
        {
            "locustfile.py": "from locust import HttpUser, task\n\n\nclass U(HttpUser):\n    @task\n    def ask(self):\n        self.client.post('/ask')\n",
            "bench/results/load_stats.csv": "Type,Name,Request Count,Failure Count,Median Response Time,95%\nPOST,/ask,1200,0,410,900\n",
        },
        "PERF-03",
        "pass",
    ),
    ("code scanning in CI", {".github/workflows/codeql.yml": CODEQL, "app.py": "x = 1\n"}, "SEC-03", "pass"),
    (
        "probed health endpoints",
        {
            "app/api.py": "from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/healthz')\ndef healthz():\n    return {'ok': True}\n\n\n@app.get('/readyz')\ndef readyz():\n    return {'ok': True}\n",
            "Dockerfile": "FROM python:3.12-slim\nHEALTHCHECK CMD curl -f http://localhost:8000/healthz || exit 1\n",
        },
        "OBS-06",
        "pass",
    ),
    (
        "latency, error and cost metrics",
        {
            "app/metrics.py": "from prometheus_client import Counter, Histogram\n\nLATENCY = Histogram('request_latency_seconds', 'latency')\nERRORS = Counter('errors_total', 'errors')\nCOST = Counter('llm_cost_usd_total', 'cost')\n"
        },
        "OBS-02",
        "pass",
    ),
    # -- TypeScript/JavaScript is read, not ignored --------------------------------------------------
    (
        "TS client timeout",
        {"src/agent.ts": TS_AGENT, "src/configuration.ts": TS_CONFIGURATION},
        "PERF-04",
        "pass",
    ),
    ("TS langsmith tracing", {"src/agent.ts": TS_AGENT}, "OBS-03", "pass"),
    ("TS langsmith evaluation", {"src/agent.ts": TS_AGENT, "evals/agent.eval.ts": TS_EVAL}, "COG-04", "pass"),
    ("TS test with mocks", {"src/agent.ts": TS_AGENT, "tests/agent.test.ts": TS_TEST}, "TST-03", "pass"),
    # -- naming rules real repositories use --------------------------------------------------------
    (
        "context.py settings and prompts.py",
        {
            "src/react_agent/context.py": REACT_CONTEXT,
            "src/react_agent/prompts.py": REACT_PROMPTS,
            "src/react_agent/graph.py": REACT_GRAPH,
            "src/react_agent/utils.py": REACT_UTILS,
            ".env.example": "ANTHROPIC_API_KEY=\n",
        },
        "CODE-05",
        "pass",
    ),
    (
        "prompts.ts module",
        {
            "src/prompts.ts": "export const SYSTEM_PROMPT = `You are a helpful assistant.`;\n",
            "src/agent.ts": TS_AGENT,
        },
        "CODE-05",
        "pass",
    ),
    (
        "integration_tests folder",
        {
            "tests/integration_tests/test_graph.py": "from react_agent import graph\n\n\nasync def test_graph():\n    await graph.ainvoke({'messages': []})\n"
        },
        "TST-08",
        "pass",
    ),
    (
        "evaluation code under tests/",
        {
            "tests/evals/test_answers.py": "from langsmith import testing as t\nimport pytest\n\n\n@pytest.mark.langsmith\ndef test_answer():\n    t.log_outputs({'answer': 'x'})\n"
        },
        "COG-04",
        "pass",
    ),
]

# Settings in configuration.py/context.py with a .env.quickstart.example: settings are centralised.
CONFIG_NAMES: dict[str, str] = {
    "src/agent/configuration.py": "import os\nfrom dataclasses import dataclass\n\n\n@dataclass\nclass Configuration:\n    model: str = os.environ.get('MODEL', 'gpt-4o-mini')\n",
    "src/agent/graph.py": "from agent.configuration import Configuration\n",
    "src/agent/nodes.py": "from agent.configuration import Configuration\n",
    ".env.quickstart.example": "OPENAI_API_KEY=\n",
}
