"""Detectors for "Funcionalidad", "Rendimiento" and "Confiabilidad" (resilience of LLM calls).

checklist: skip-file (the patterns below name the practices; they are not evidence of them)
"""

from __future__ import annotations

from collections.abc import Iterator

from agentops_cli.readiness.detectors.base import Context, Finding, cite, detector, imports, rx
from agentops_cli.readiness.models import Evidence
from agentops_cli.readiness.scanner import SourceFile

CUSTOM_ERROR = rx(r"^class\s+\w+\((?:[\w.]*Error|[\w.]*Exception)\)")
BARE_EXCEPT = rx(r"^\s*except\s*:")
HANDLER = rx(r"^\s*except\b|\bcatch\s*\(|\.catch\(|\bif err != nil\b")


@detector("FUN-02")
def error_handling(ctx: Context) -> Finding:
    """Own exception types and no bare ``except:`` (which hides bugs)."""
    if not ctx.repo.code:
        return Finding("manual", note="no source code to inspect")
    custom = ctx.repo.grep(CUSTOM_ERROR, ctx.repo.code, needles=("error)", "exception)"), limit=3)
    bare = ctx.repo.grep(BARE_EXCEPT, ctx.repo.python, needles=("except:",), limit=5)
    handlers = ctx.repo.grep(HANDLER, ctx.repo.code, needles=("except", "catch", "err != nil"), limit=1)
    evidence = cite(custom, "own exception type") + cite(bare, "bare except: hides errors")
    if custom and not bare:
        return Finding("pass", evidence)
    if custom or handlers:
        evidence += cite(handlers, "error handler") if not custom else []
        return Finding("partial", evidence, note="bare except: found" if bare else "no own exception types")
    return Finding("fail", note="no error handling found")


INPUT_RULES = rx(
    r"field_validator|@validator\(|model_validator|\bconstr\(|\bconint\(|max_length\s*=|min_length\s*="
    r"|\b(?:ge|le|gt|lt)\s*=\s*\d|max_\w*chars|\bz\.string\(\)|Joi\.|class-validator"
)


@detector("FUN-03")
def input_validation(ctx: Context) -> Finding:
    """Inputs validated at the boundary: pydantic constraints, validators, length limits."""
    rules = ctx.repo.grep(
        INPUT_RULES,
        ctx.repo.code,
        needles=(
            "validator",
            "constr",
            "conint",
            "max_",
            "min_",
            "ge=",
            "le=",
            "gt=",
            "lt=",
            "ge =",
            "le =",
            "z.string",
            "joi.",
        ),
        limit=4,
    )
    if rules:
        return Finding("pass", cite(rules, "input constraint"))
    models = ctx.repo.grep(rx(r"\(\s*BaseModel\s*\)"), ctx.repo.code, needles=("basemodel",), limit=2)
    if models:
        return Finding(
            "partial",
            cite(models, "typed model without constraints"),
            note="inputs are typed but not constrained (lengths, ranges, formats)",
        )
    return Finding("fail", note="no input validation found")


LATENCY = rx(r"(?i)\bp9[59]\b|percentile|latency_(?:ms|s|seconds)\b|response_time|Histogram\(")


@detector("PERF-01")
def latency_measured(ctx: Context) -> Finding:
    """Latency is measured (p95, histograms); whether it meets the requirement is for a person."""
    files = [f for f in ctx.repo.text_files() if not f.is_test and (f.is_code or f.suffix == ".json")]
    hits = ctx.repo.grep(
        LATENCY,
        files,
        needles=("p95", "p99", "percentile", "latency_", "response_time", "histogram("),
        limit=3,
    )
    if hits:
        return Finding(
            "partial",
            cite(hits, "latency measured"),
            note="latency is measured; confirm p95 against the requirement in the answers file",
        )
    return Finding("fail", note="no latency measurement (p95) found")


TIMEOUT_ARG = rx(r"\b(?:request_)?timeout(?:_s|_seconds|_ms)?\s*=\s*(?!None\b)[\w.(\[]")
TIMEOUT_KEY = rx(
    r"^\s*\w*timeout\w*\s*[:=]\s*\d",
)
JS_TIMEOUT = rx(
    r"\b(?:timeout|timeoutMs|requestTimeout)\s*:\s*(?!null\b|undefined\b|0\b)[\w.(]|AbortSignal\.timeout\("
)


@detector("PERF-04")
def timeouts_configured(ctx: Context) -> Finding:
    """Clients get explicit timeouts (keyword arguments in code, or keys in config)."""
    code = ctx.repo.grep(TIMEOUT_ARG, ctx.repo.python, needles=("timeout",), limit=3)
    code += ctx.repo.grep(
        JS_TIMEOUT, [f for f in ctx.repo.code if not f.is_python], needles=("timeout",), limit=3
    )
    settings = [  # a compose/k8s health-probe timeout bounds no LLM or HTTP call
        f
        for f in ctx.config_text_files
        if not f.name.startswith(("docker-compose", "compose")) and "k8s" not in f.parts
    ]
    config = ctx.repo.grep(TIMEOUT_KEY, settings, needles=("timeout",), limit=2)
    if code:
        return Finding("pass", cite(code, "timeout passed to a call") + cite(config, "timeout setting"))
    if config:
        return Finding(
            "partial", cite(config, "timeout setting"), note="timeouts configured but not seen in code"
        )
    return Finding("fail", note="no timeout on LLM/HTTP calls found")


RETRY_LIBS = imports("tenacity", "backoff", "p-retry", "async-retry", "exponential-backoff", "retry")
EXPONENTIAL = rx(
    r"wait_(?:random_)?exponential|backoff\.expo|(?i:exponential[ _-]?backoff)|2\s*\*\*\s*\(?\s*\w*attempt"
)
RETRY_ANY = rx(r"max_retries\s*=|@retry\b|\bRetry\(|retrying")


@detector("REL-01")
def retries_with_backoff(ctx: Context) -> Finding:
    libs = ctx.repo.grep(RETRY_LIBS, ctx.repo.code, needles=("tenacity", "backoff", "retry"), limit=2)
    expo = ctx.repo.grep(
        EXPONENTIAL, ctx.repo.code, needles=("exponential", "backoff.expo", "2 **", "2**"), limit=2
    )
    evidence = cite(libs, "retry library") + cite(expo, "exponential backoff")
    if expo:
        return Finding("pass", evidence)
    plain = ctx.repo.grep(RETRY_ANY, ctx.repo.code, needles=("retr",), limit=2)
    if libs or plain:
        return Finding(
            "partial", evidence + cite(plain, "retries"), note="retries without exponential backoff"
        )
    return Finding("fail", note="no retry with backoff (tenacity, backoff) found")


BREAKER = rx(
    r"^\s*(?:import|from)\s+(?:pybreaker|circuitbreaker|aiobreaker|purgatory)\b|require\(['\"]opossum"
    r"|^class\s+\w*Breaker\b|CircuitBreaker\("
)


@detector("REL-02")
def circuit_breaker(ctx: Context) -> Finding:
    hits = ctx.repo.grep(BREAKER, ctx.repo.code, needles=("breaker", "opossum"), limit=3)
    if hits:
        return Finding("pass", cite(hits, "circuit breaker"))
    return Finding("fail", note="no circuit breaker found")


WITH_FALLBACKS = rx(r"\.with_?[Ff]allbacks\(|\bfallbacks\s*[=:]\s*\[|\bfallback_(?:models?|llms?)\b")
LLM_FALLBACK_NAME = rx(
    r"(?i)\b\w*(?:fallback|failover|default|static|canned)_?(?:answer|response|reply|message|model|llm)s?\b"
    r"|\b\w*(?:answer|response|reply)_?(?:fallback|on_failure)\b"
)
JS_TRY_MODEL = rx(
    r"try\s*\{[^{}]*?\.(?:invoke|stream|create|generate)\([\s\S]{0,400}?\}\s*catch\s*(?:\([^)]*\))?\s*\{"
    r"(?:(?!\bthrow\b)[^}])*?\breturn\b"
)
MODEL_TRY_HINT = rx(r"^\s*except\b")
MODEL_CALL_HINT = rx(
    r"\.(?:a?invoke|a?stream|a?batch|a?generate|a?predict|a?completion|structured|call_model|call_llm)\("
    r"|(?:completions|messages|responses)\.create\(|(?i:failover|llmerror|openai\.\w*error|apierror)"
)
MODEL_CALL_NEEDLES = (
    "invoke(",
    "stream(",
    "batch(",
    "generate(",
    "predict(",
    "completion(",
    "structured(",
    "call_model",
    "call_llm",
    ".create(",
    "failover",
    "llmerror",
    "openai.",
    "apierror",
)
FALLBACK_WORD = rx(r"(?i)\bfallback\w*|\bfailover\w*")


def _may_answer_model_failure(ctx: Context, most: int = 400) -> Iterator[SourceFile]:
    """Python files whose code (not comments or strings) shows an ``except`` and a model call or
    error: the only ones worth a syntax tree. Yielded one by one, because the detector stops at
    its fourth piece of evidence and the rest of a monorepo need not be searched."""
    with_except = 0
    for file in ctx.repo.python:
        if not ctx.repo.grep(MODEL_TRY_HINT, [file], needles=("except",)):
            continue
        with_except += 1
        if with_except > most:  # a bound on the work, as a whole-repo search would have
            return
        if ctx.repo.grep(MODEL_CALL_HINT, [file], needles=MODEL_CALL_NEEDLES):
            yield file


@detector("REL-03", version=2, confidence="high")
def llm_fallback(ctx: Context) -> Finding:
    """A model call whose failure is answered another way: ``with_fallbacks``/fallback models, or a
    ``try`` around the model call whose ``except`` returns a default answer (Python read as a
    syntax tree; JS/TS ``try { … .invoke() } catch { return … }``). A ``fallback_url`` setting or a
    fallback font is not an LLM fallback: such names alone give at most ``partial``."""
    needles = ("fallback", "with_fallbacks", "withfallbacks")
    evidence = cite(ctx.repo.grep(WITH_FALLBACKS, ctx.repo.code, needles=needles, limit=3), "fallback model")
    for file in _may_answer_model_failure(ctx):
        from agentops_cli.readiness import pyast  # ast only when a file may hold a fallback

        for line in pyast.model_failure_handled(file)[:1]:
            evidence.append(Evidence(path=file.path, line=line, note="model failure answered with a default"))
        if len(evidence) >= 4:
            break
    js = [f for f in ctx.repo.code if f.suffix != ".py"]
    evidence += cite(
        ctx.repo.grep(JS_TRY_MODEL, js, needles=("catch",), limit=2), "model failure answered with a default"
    )
    if evidence:
        tested = ctx.repo.grep(FALLBACK_WORD, ctx.repo.tests, needles=("fallback", "failover"), limit=1)
        return Finding("pass", evidence + cite(tested, "fallback tested"))
    named = ctx.repo.grep(
        LLM_FALLBACK_NAME,
        ctx.repo.code,
        needles=("fallback", "failover", "default", "static", "canned", "answer", "response", "reply"),
        limit=2,
    )
    if named:
        return Finding(
            "partial",
            cite(named, "default answer defined"),
            note="a default answer exists, but no model call was seen falling back to it",
        )
    return Finding(
        "fail", note="no fallback when the LLM call fails (with_fallbacks, or except → default answer)"
    )
