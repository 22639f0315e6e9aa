"""Detectors for "Observabilidad": logs, metrics, tracing, alerts, dashboards, health checks.

checklist: skip-file (the patterns below name the practices; they are not evidence of them)
"""

from __future__ import annotations

from agentops_cli.readiness.detectors.base import Context, Finding, cite, detector, imports, pair, rx, whole

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
METRIC_VALUES = rx(r"\b(?:latency_ms|cost_usd|error_rate|errors_total|duration_seconds)\b")


@detector("OBS-02")
def metrics(ctx: Context) -> Finding:
    """Metrics exported (prometheus_client, OpenTelemetry) or at least recorded per run."""
    libs = ctx.repo.grep(
        METRIC_LIBS,
        ctx.repo.code,
        needles=("prometheus", "opentelemetry", "statsd", "datadog", "prom-client"),
        limit=2,
    )
    if libs:
        return Finding("pass", cite(libs, "metrics exporter"))
    values = ctx.repo.grep(
        METRIC_VALUES,
        ctx.repo.code,
        needles=("latency_ms", "cost_usd", "error_rate", "errors_total", "duration_seconds"),
        limit=3,
    )
    kinds = {h.match for h in values}
    if values:
        return Finding(
            "partial",
            cite(values, "metric recorded"),
            note=f"records {', '.join(sorted(kinds))} but exports no metrics (prometheus_client)",
        )
    return Finding("fail", note="no metrics (latency, errors, costs) recorded")


TRACING = rx(
    r"^\s*(?:import|from)\s+(?:langsmith|opentelemetry\.trace|ddtrace|langfuse|phoenix)\b"
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


LIVENESS = rx(r"""["'/](?:healthz|livez|health|ping)["'/]|livenessProbe|^\s*HEALTHCHECK\s|^\s*healthcheck:""")
READINESS = rx(r"""["'/](?:readyz|ready|readiness)["'/]|readinessProbe""")


@detector("OBS-06")
def health_endpoints(ctx: Context) -> Finding:
    files = [*ctx.repo.code, *ctx.config_text_files, *ctx.dockerfiles]
    live = ctx.repo.grep(LIVENESS, files, needles=("health", "livez", "ping", "liveness"), limit=2)
    ready = ctx.repo.grep(READINESS, files, needles=("ready",), limit=2)
    only_one = "only one of /healthz and /readyz"
    found = pair(
        cite(live, "liveness check"), cite(ready, "readiness check"), no_first=only_one, no_second=only_one
    )
    if found:
        return found
    if not ctx.is_server:
        return ctx.not_a_server("health endpoints")
    return Finding(
        "fail",
        [whole(e.path, e.note) for e in ctx.server_evidence[:2]],
        note="a web service without /healthz or /readyz",
    )
