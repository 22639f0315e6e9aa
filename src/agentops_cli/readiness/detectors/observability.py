"""Detectors for "Observabilidad": logs, metrics, tracing, alerts, dashboards, health checks.

checklist: skip-file (the patterns below name the practices; they are not evidence of them)
"""

from __future__ import annotations

from agentops_cli.readiness.detectors.base import Context, Finding, cite, detector, imports, rx, whole
from agentops_cli.readiness.models import Evidence

STRUCTURED_LOGS = imports(
    "structlog",
    "loguru",
    "pythonjsonlogger",
    "python_json_logger",
    "pino",
    "winston",
    "go.uber.org/zap",
    "github.com/sirupsen/logrus",
    "log/slog",
)
STDLIB_LOGS = rx(r"^\s*import logging\b|logging\.getLogger\(")
LEVEL_CONFIG = rx(r"(?i)\blog_?level\b|--verbose|\bverbosity\b|setLevel\(|ENABLE_VERBOSE_LOGGING|--log-level")


@detector("OBS-01")
def structured_logging(ctx: Context) -> Finding:
    """structlog/loguru (or a JSON formatter) with a configurable level."""
    structured = ctx.repo.grep(
        STRUCTURED_LOGS,
        ctx.repo.code,
        needles=(
            "structlog",
            "loguru",
            "json_logger",
            "jsonlogger",
            "pino",
            "winston",
            "zap",
            "logrus",
            "slog",
        ),
        limit=2,
    )
    level = ctx.repo.grep(
        LEVEL_CONFIG, [*ctx.repo.code, *ctx.config_text_files], needles=("level", "verbos"), limit=2
    )
    evidence = cite(structured, "structured logger") + cite(level, "configurable log level")
    if structured and level:
        return Finding("pass", evidence)
    stdlib = ctx.repo.grep(STDLIB_LOGS, ctx.repo.code, needles=("logging",), limit=1)
    if structured or stdlib:
        evidence += cite(stdlib, "standard logging (not structured)") if not structured else []
        note = "log level is not configurable" if structured else "plain logging; use structlog or loguru"
        return Finding("partial", evidence, note=note)
    return Finding("fail", note="no logging library in use")


METRIC_LIBS = imports(
    "prometheus_client",
    "opentelemetry.metrics",
    "opentelemetry",
    "statsd",
    "datadog",
    "prom-client",
    "aioprometheus",
)
METRIC_KINDS = {
    "latency": rx(r"(?i)(?:latency|duration|response_time)(?:_\w+)?|Histogram\("),
    "errors": rx(r"(?i)(?:errors?|failures?|exceptions?)_(?:total|count|rate)|failed_total"),
    "cost": rx(r"(?i)(?:cost|tokens?)_(?:total|used|usd|count)|total_cost"),
}
KIND_NEEDLES = {
    "latency": ("latency", "duration", "response_time", "histogram("),
    "errors": ("errors_", "error_", "failures_", "failure_", "exception_", "exceptions_", "failed_total"),
    "cost": ("cost_", "tokens_", "token_", "total_cost"),
}


@detector("OBS-02", version=2, confidence="medium")
def metrics(ctx: Context) -> Finding:
    """The metrics the seeds name: latency (response time), errors (failures per module) and cost
    (tokens, USD), exported (prometheus_client, OpenTelemetry, statsd). Exported and all three
    recorded: pass; an exporter with some of them, or recorded but not exported: partial."""
    libs = ctx.repo.grep(
        METRIC_LIBS,
        ctx.repo.code,
        needles=("prometheus", "opentelemetry", "statsd", "datadog", "prom-client"),
        limit=2,
    )
    kinds: dict[str, list[Evidence]] = {}
    exporting = {h.file.path for h in ctx.repo.grep(METRIC_LIBS, ctx.repo.code, limit=50)}
    for kind, pattern in METRIC_KINDS.items():
        # metric names are strings ("errors_total") in exporter modules; elsewhere only code counts
        hits = ctx.repo.grep(
            pattern,
            [f for f in ctx.repo.code if f.path in exporting],
            raw=True,
            needles=KIND_NEEDLES[kind],
            limit=1,
        )
        hits = hits or ctx.repo.grep(pattern, ctx.repo.code, needles=KIND_NEEDLES[kind], limit=1)
        if hits:
            kinds[kind] = cite(hits, f"{kind} metric recorded")
    evidence = cite(libs, "metrics exporter") + [e for found in kinds.values() for e in found]
    missing = [k for k in METRIC_KINDS if k not in kinds]
    if libs and not missing:
        return Finding("pass", evidence)
    if libs or kinds:
        parts = []
        if missing:
            parts.append(f"no {', '.join(missing)} metric")
        if not libs:
            parts.append("recorded but not exported (prometheus_client, OpenTelemetry)")
        return Finding("partial", evidence, note="; ".join(parts))
    return Finding("fail", note="no metrics (latency, errors, costs) recorded")


TRACING = rx(
    r"^\s*(?:import|from)\s+(?:langsmith|opentelemetry\.trace|ddtrace|langfuse|phoenix)\b"
    r"|from\s+['\"](?:langsmith|langfuse|@opentelemetry/api|@arizeai)[\w/-]*['\"]"
    r"|@traceable\b|LANGSMITH_TRACING|LANGCHAIN_TRACING_V2|trace\.get_tracer\("
)


@detector("OBS-03")
def tracing(ctx: Context) -> Finding:
    hits = ctx.repo.grep(
        TRACING,
        [*ctx.repo.code, *ctx.config_text_files],
        needles=(
            "langsmith",
            "opentelemetry",
            "ddtrace",
            "langfuse",
            "phoenix",
            "traceable",
            "tracing",
            "tracer",
        ),
        limit=3,
    )
    if hits:
        return Finding("pass", cite(hits, "tracing"))
    return Finding("fail", note="no tracing (LangSmith, OpenTelemetry) found")


ALERT_RULES = rx(r"^\s*-?\s*alert:\s*\S|alertmanager|^\s*\"?alert(?:Rule)?s?\"?\s*:\s*[\[{]")
ALERT_CODE = rx(r"\balert_team\(|send_alert\(|pagerduty|opsgenie|slack_webhook")


@detector("OBS-04")
def alerts(ctx: Context) -> Finding:
    rules = ctx.repo.grep(ALERT_RULES, ctx.config_text_files, needles=("alert",), limit=2)
    if rules:
        return Finding("pass", cite(rules, "alert rule"))
    code = ctx.repo.grep(
        ALERT_CODE, ctx.repo.code, needles=("alert", "pagerduty", "opsgenie", "webhook"), limit=2
    )
    if code:
        return Finding(
            "partial", cite(code, "alert sent from code"), note="alerts in code; no versioned alert rules"
        )
    if not ctx.is_server:
        return ctx.not_a_server("alerts on a live service")
    return Finding("manual", note="no alert rules in the repository; confirm where alerts are configured")


@detector("OBS-05")
def dashboards(ctx: Context) -> Finding:
    files = [f for f in ctx.config_text_files if "dashboard" in f.path.lower() or f.suffix == ".json"]
    hits = ctx.repo.grep(rx(r"\"panels\"\s*:|^\s*panels:"), files, needles=("panels",), limit=2)
    if hits:
        return Finding("pass", cite(hits, "dashboard definition"))
    if not ctx.is_server:
        return ctx.not_a_server("live dashboards")
    return Finding("manual", note="no dashboard definition in the repository; confirm the dashboards exist")


LIVENESS = rx(r"""["'/](?:healthz|livez|health|ping)["'/]|livenessProbe""")
READINESS = rx(r"""["'/](?:readyz|ready|readiness)["'/]|readinessProbe""")
PROBE = rx(
    r"(?im)^\s*HEALTHCHECK\s+(?!NONE)|^\s*healthcheck:|livenessProbe:|readinessProbe:|health_?check_?path|uptime|blackbox"
)


@detector("OBS-06", version=2, confidence="medium")
def health_endpoints(ctx: Context) -> Finding:
    """ "Healthchecks (/healthz, /readyz) implementados y monitoreados": the endpoints *and* something
    that probes them (Dockerfile ``HEALTHCHECK``, compose ``healthcheck:``, k8s probes, an uptime
    check). Endpoints nobody probes, or a probe of one endpoint only: partial."""
    files = [*ctx.repo.code, *ctx.config_text_files, *ctx.dockerfiles]
    live = ctx.repo.grep(LIVENESS, files, raw=True, needles=("health", "livez", "ping", "liveness"), limit=2)
    ready = ctx.repo.grep(READINESS, files, raw=True, needles=("ready",), limit=2)
    probes = ctx.repo.grep(
        PROBE,
        [*ctx.dockerfiles, *ctx.config_text_files],
        needles=("healthcheck", "probe", "health_check", "healthcheck_path", "uptime", "blackbox"),
        limit=2,
    )
    evidence = cite(live, "liveness check") + cite(ready, "readiness check") + cite(probes, "probed by")
    if live and ready and probes:
        return Finding("pass", evidence)
    if (live or ready) and probes:
        return Finding(
            "partial", evidence, note="probed, but only one of /healthz (liveness) and /readyz (readiness)"
        )
    if live or ready:
        return Finding(
            "partial", evidence, note="health endpoints exist, but nothing probes them (monitoring)"
        )
    if probes:
        return Finding("partial", evidence, note="a probe is configured, but no /healthz or /readyz endpoint")
    if not ctx.http_evidence:
        return ctx.not_a_server("health endpoints")
    return Finding(
        "fail",
        [whole(e.path, e.note) for e in ctx.http_evidence[:2]],
        note="a web service without /healthz or /readyz",
    )
