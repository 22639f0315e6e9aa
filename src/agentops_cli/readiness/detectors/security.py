"""Detectors for "Seguridad", abuse limits, permissions and prompt-injection protection.

checklist: skip-file (the patterns below name the practices; they are not evidence of them)
"""

from __future__ import annotations

import fnmatch
import math
from collections import Counter

from agentops_cli.readiness.detectors.base import Context, Finding, cite, detector, imports, rx, whole
from agentops_cli.readiness.models import Evidence
from agentops_cli.readiness.scanner import Hit

# Well-known credential shapes; each match is also checked for entropy and placeholders.
SECRET_PATTERNS = {
    "OpenAI/Anthropic key": rx(r"\bsk-(?:proj-|svcacct-|admin-|ant-(?:api\d\d-)?)?[A-Za-z0-9_-]{20,}"),
    "AWS access key": rx(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": rx(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b|\bgithub_pat_[A-Za-z0-9_]{22,}"),
    "Slack token": rx(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    "Google API key": rx(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "LangSmith key": rx(r"\blsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}\b"),
    "Stripe key": rx(r"\b[sr]k_live_[0-9A-Za-z]{20,}"),
    "private key": rx(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP )?PRIVATE KEY-----"),
}
SECRET_NEEDLES = (
    "sk-",
    "akia",
    "asia",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat",
    "xox",
    "aiza",
    "lsv2_",
    "_live_",
    "private key",
)
GENERIC_SECRET = rx(
    r"""(?i)\b(?:api[_-]?key|secret(?:[_-]?key)?|token|passw(?:or)?d|access[_-]?key|client[_-]?secret)\b["']?"""
    r"""\s*[:=]\s*["']([^"'\s]{16,})["']"""
)
PLACEHOLDERS = (
    "your",
    "example",
    "xxxx",
    "changeme",
    "placeholder",
    "dummy",
    "fake",
    "test",
    "sample",
    "redacted",
    "<",
    "${",
    "{{",
    "***",
    "…",
    "...",
    "replace",
    "todo",
    "here",
)
SUPPRESS = ("pragma: allowlist secret", "nosec", "checklist: allow")


def entropy(value: str) -> float:
    """Shannon entropy in bits per character: real keys are ~4+, words and placeholders less."""
    counts = Counter(value)
    return -sum(c / len(value) * math.log2(c / len(value)) for c in counts.values()) if value else 0.0


def mask(value: str) -> str:
    return f"{value[:4]}…({len(value)} chars)"


def _secret_hits(ctx: Context) -> list[tuple[Hit, str, str]]:
    files = [f for f in ctx.repo.text_files() if f.name != ".env"]
    found: list[tuple[Hit, str, str]] = []
    with_needle = ctx.repo.files_with_any(SECRET_NEEDLES)  # filter once, not per pattern
    candidates = [f for f in files if f.path in with_needle]
    for kind, pattern in SECRET_PATTERNS.items():
        for hit in ctx.repo.grep(pattern, candidates, per_file=5, limit=50):
            found.append((hit, kind, hit.match))
    for hit in ctx.repo.grep(
        GENERIC_SECRET, files, needles=("key", "secret", "token", "passw"), per_file=5, limit=50
    ):
        match = GENERIC_SECRET.search(hit.match)
        found.append((hit, "credential assignment", match.group(1) if match else hit.match))
    real = []
    for hit, kind, value in found:
        line = (hit.file.text or "").splitlines()[hit.line - 1] if hit.file.text else ""
        if any(s in line for s in SUPPRESS) or any(p in value.lower() for p in PLACEHOLDERS):
            continue
        if kind != "private key" and entropy(value) < (3.5 if kind == "credential assignment" else 3.0):
            continue
        real.append((hit, kind, value))
    return real


def _ignored(ctx: Context, name: str) -> bool:
    text = ctx.repo.text(".gitignore") or ""
    patterns = [
        line.strip().lstrip("/") for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]
    return any(fnmatch.fnmatch(name, p) for p in patterns if not p.startswith("!"))


def _env_file(ctx: Context) -> Evidence | None:
    """A committed ``.env`` is a leak; a present but git-ignored one is fine."""
    tracked = ctx.repo.git.tracked
    if tracked is not None and ".env" in tracked:
        return Evidence(path=".env", line=0, note=".env is committed to git")
    if ctx.repo.get(".env") and tracked is None and not _ignored(ctx, ".env"):
        return Evidence(path=".env", line=0, note=".env present and not in .gitignore")
    return None


REDACTION = rx(r"\bredact\w*\(|\bmask_secret\(|\bSecretStr\b|\bfilter_secrets?\b")


@detector("SEC-01")
def no_secrets_in_code(ctx: Context) -> Finding:
    """Pattern + entropy scan of every text file, ``.env`` committed, and redaction of logs."""
    leaks = _secret_hits(ctx)
    evidence = [
        Evidence(path=h.file.path, line=h.line, note=f"{kind}: {mask(v)}") for h, kind, v in leaks[:8]
    ]
    env = _env_file(ctx)
    if env:
        evidence.insert(0, env)
    in_code = [h for h, _, _ in leaks if not h.file.is_test]
    if env or in_code:
        return Finding(
            "fail", evidence, note=f"{len(leaks)} possible secrets" + (", .env exposed" if env else "")
        )
    if leaks:
        return Finding("partial", evidence, note="possible secrets in test files; use obviously fake values")
    if not ctx.repo.code:  # a clean scan of no code proves nothing: not applicable rather than a pass
        return Finding("n/a", note="no code to scan for secrets")
    redaction = ctx.repo.grep(
        REDACTION, ctx.repo.code, needles=("redact", "mask_secret", "secretstr", "secret"), limit=2
    )
    if redaction or not ctx.uses_llm:
        return Finding("pass", cite(redaction, "secrets masked before logging"), note="no secret found")
    return Finding(
        "partial", note="no secret found, but nothing masks secrets in logs (SecretStr, redaction)"
    )


AUDIT = rx(r"(?i)\baudit\w*")
RUN_LOG = rx(r"(?i)\brun_?log\b|\.jsonl\b")


@detector("SEC-02")
def audit_logs(ctx: Context) -> Finding:
    hits = ctx.repo.grep(AUDIT, ctx.repo.code, needles=("audit",), limit=2)
    if hits:
        return Finding("pass", cite(hits, "audit log"))
    runlog = ctx.repo.grep(RUN_LOG, ctx.repo.code, needles=("runlog", "run_log", ".jsonl"), limit=2)
    if runlog:
        return Finding(
            "partial",
            cite(runlog, "run log (append-only record of runs)"),
            note="a run log exists; confirm it records who did what",
        )
    return Finding("manual", note="no audit log found; confirm where actions are audited")


SCANNERS = rx(
    r"pip-audit|pip_audit|\bbandit\b|\bsafety\s+(?:check|scan)|npm audit|osv-scanner|\btrivy\b|\bsnyk\b"
    r"|\bgosec\b|\bsemgrep\b"
)


@detector("SEC-03")
def security_scanners(ctx: Context) -> Finding:
    """pip-audit / bandit / safety run in CI (pass) or only declared in the build (partial)."""
    needles = ("audit", "bandit", "safety", "osv", "trivy", "snyk", "gosec", "semgrep")
    in_ci = ctx.repo.grep(SCANNERS, ctx.ci_files, needles=needles, limit=3)
    if in_ci:
        return Finding("pass", cite(in_ci, "security scan in CI"))
    declared = ctx.repo.grep(SCANNERS, ctx.build_files, needles=needles, limit=3)
    declared_ev = cite(declared, "security scanner declared")
    declared_ev += [whole(f, "dependabot updates") for f in ctx.repo.named("dependabot.yml")[:1]]
    if declared_ev:
        return Finding("partial", declared_ev, note="scanner declared but not run in CI")
    return Finding("fail", note="no pip-audit, safety or bandit")


RATE_LIMIT = rx(
    r"(?i)^\s*(?:import|from)\s+(?:slowapi|limits|ratelimit|aiolimiter|fastapi_limiter|flask_limiter)\b"
    r"|express-rate-limit|rate-limiter-flexible|RateLimiter\b|\brate_?limit\w*|requests_per_minute"
    r"|\blimit_req\b|\bthrottl\w*"
)


@detector("ABU-02")
def rate_limiting(ctx: Context) -> Finding:
    files = [*ctx.repo.code, *ctx.config_text_files]
    hits = ctx.repo.grep(RATE_LIMIT, files, needles=("limit", "throttl", "requests_per_minute"), limit=3)
    if hits:
        return Finding("pass", cite(hits, "rate limiting"))
    if not ctx.is_server:
        return ctx.not_a_server("per-IP/per-user rate limits")
    return Finding(
        "fail",
        [whole(e.path, e.note) for e in ctx.server_evidence[:2]],
        note="a web service without rate limiting",
    )


ACCOUNT_CHECK = rx(r"(?i)verify_email|email_verified|phone_verified|send_otp|\botp\b|two_factor|\bmfa\b")


@detector("ABU-01")
def account_verification(ctx: Context) -> Finding:
    hits = ctx.repo.grep(ACCOUNT_CHECK, ctx.repo.code, needles=("verif", "otp", "two_factor", "mfa"), limit=2)
    if hits:
        return Finding("pass", cite(hits, "account verification"))
    if not ctx.is_server:
        return ctx.not_a_server("user accounts")
    return Finding("manual", note="confirm accounts are verified (email/phone) before access")


USAGE_LIMITS = rx(
    r"(?i)\bmax_(?:requests|calls|llm_calls|tokens_per\w*|cost|queries)\w*|\bquota\w*|daily_limit"
    r"|usage_limit|per_user_limit|max_concurrent\w*"
)


@detector("ABU-03")
def usage_limits(ctx: Context) -> Finding:
    hits = ctx.repo.grep(
        USAGE_LIMITS, [*ctx.repo.code, *ctx.config_text_files], needles=("max_", "quota", "limit"), limit=3
    )
    if hits:
        return Finding("pass", cite(hits, "usage limit"))
    return Finding("manual", note="no usage limit found; confirm limits per session, day or user")


INJECTION = rx(
    r"(?i)prompt[_ -]?injection|\binjection\b|jailbreak|ignore (?:all |the )?(?:previous|prior|above) "
    r"instructions|llm[_-]guard|\brebuff\b|nemoguardrails|\bguardrails\b|lakera"
)


@detector("PI-01")
def prompt_injection_guard(ctx: Context) -> Finding:
    """User input checked for injection before the LLM call (code, not only prompt wording)."""
    needles = ("injection", "jailbreak", "ignore", "guard", "rebuff", "lakera")
    code = ctx.repo.grep(INJECTION, ctx.repo.code, needles=needles, limit=3)
    if code:
        tests = ctx.repo.grep(INJECTION, ctx.repo.tests, needles=needles, limit=1)
        return Finding("pass", cite(code, "injection guard") + cite(tests, "injection guard tested"))
    other = [f for f in ctx.repo.text_files() if not f.is_code and not f.is_test]
    prompts = ctx.repo.grep(INJECTION, other, needles=needles, limit=2)
    if prompts:
        return Finding(
            "partial",
            cite(prompts, "injection mentioned outside code"),
            note="no guard in code; only prompt wording or docs",
        )
    return Finding("fail", note="prompts reach the LLM unchecked (no injection guard)")


OUTPUT_AUDIT = rx(
    r"(?i)moderation|output_guard|validate_(?:response|output|answer)|verify_citations?|\bgrounding\b"
    r"|\bgrounded\b|content_filter|hallucinat"
)


@detector("PI-03")
def responses_audited(ctx: Context) -> Finding:
    hits = ctx.repo.grep(
        OUTPUT_AUDIT,
        ctx.repo.code,
        needles=("moderation", "guard", "validate_", "verify_cit", "ground", "content_filter", "hallucinat"),
        limit=3,
    )
    if hits:
        return Finding("pass", cite(hits, "response checked before use"))
    return Finding("manual", note="confirm responses are checked (moderation, grounding, schema) before use")


@detector("PERM-04")
def sandboxing(ctx: Context) -> Finding:
    """A container with a non-root user (or k8s/compose hardening) is a sandbox."""
    user = ctx.repo.grep(rx(r"^\s*USER\s+(?!root\b|0\b)\S+"), ctx.dockerfiles, limit=1)
    hardened = ctx.repo.grep(
        rx(
            r"runAsNonRoot:\s*true|read_only:\s*true|readOnlyRootFilesystem:\s*true"
            r"|security_opt:|seccomp"
        ),
        ctx.config_text_files,
        needles=("runasnonroot", "read_only", "readonly", "security_opt", "seccomp"),
        limit=2,
    )
    if user or hardened:
        return Finding(
            "pass", cite(user, "container runs as a non-root user") + cite(hardened, "hardened runtime")
        )
    if ctx.dockerfiles:
        return Finding(
            "partial",
            [whole(ctx.dockerfiles[0], "container runs as root (no USER)")],
            note="containerised, but as root",
        )
    return Finding("manual", note="no container definition; confirm how the agent is sandboxed")


CONFINE = rx(
    r"is_relative_to\(|commonpath\(|\ballowed_(?:root|dir|paths?)\b|safe_join\(|path traversal"
    r"|outside (?:the )?(?:allowed )?root"
)


@detector("SCN-01")
def files_confined(ctx: Context) -> Finding:
    hits = ctx.repo.grep(
        CONFINE,
        ctx.repo.code,
        needles=("is_relative_to", "commonpath", "allowed_", "safe_join", "traversal", "outside"),
        limit=3,
    )
    if hits:
        return Finding("pass", cite(hits, "file access confined to a root"))
    return Finding(
        "manual", note="no path confinement found; confirm file access is limited to one directory"
    )


DB_DRIVERS = imports(
    "sqlalchemy",
    "psycopg",
    "psycopg2",
    "asyncpg",
    "pymysql",
    "mysql.connector",
    "sqlite3",
    "pymongo",
    "motor",
    "prisma",
    "sequelize",
    "mongoose",
    "pg",
    "typeorm",
    "peewee",
    "tortoise",
)


@detector("SCN-03")
def database_credentials(ctx: Context) -> Finding:
    hits = ctx.repo.grep(
        DB_DRIVERS,
        ctx.repo.code,
        needles=(
            "sql",
            "psycopg",
            "pg",
            "mongo",
            "motor",
            "prisma",
            "sequelize",
            "typeorm",
            "peewee",
            "tortoise",
        ),
        limit=2,
    )
    if hits:
        return Finding(
            "manual",
            cite(hits, "database access"),
            note="database access found; confirm table-restricted read-only credentials",
        )
    return Finding("n/a", note="no database driver is imported")


ABUSE_CASES = rx(
    r"(?i)injection|jailbreak|\babus\w*|malicious|ignore (?:all |the )?(?:previous|prior) instructions"
)


@detector("MIS-02")
def abuse_simulated(ctx: Context) -> Finding:
    files = [*ctx.repo.tests, *[f for f in ctx.repo.text_files() if not f.is_code and "datasets" in f.parts]]
    hits = ctx.repo.grep(
        ABUSE_CASES, files, needles=("injection", "jailbreak", "abus", "malicious", "ignore"), limit=3
    )
    if hits:
        return Finding("pass", cite(hits, "abuse scenario exercised"))
    return Finding("manual", note="no abuse scenario in tests or eval data; confirm it was simulated")
