"""Detectors for "Seguridad", abuse limits, permissions and prompt-injection protection.

checklist: skip-file (the patterns below name the practices; they are not evidence of them)
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections import Counter

from agentops_cli.readiness.detectors.base import Context, Finding, cite, detector, imports, rx, whole
from agentops_cli.readiness.models import Evidence
from agentops_cli.readiness.scanner import Hit, SourceFile

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


def secret_leaks(ctx: Context) -> list[tuple[Hit, str, str]]:
    """Possible secrets in the tree (hit, kind, value), computed once per run (SEC-01, CFG-01)."""
    memo: dict[str, list[tuple[Hit, str, str]]] = ctx.__dict__.setdefault("_memo", {})
    if "secrets" not in memo:
        memo["secrets"] = _secret_hits(ctx)
    return memo["secrets"]


def _secret_hits(ctx: Context) -> list[tuple[Hit, str, str]]:
    # The project's own files first: hits are capped, and lock, vendored and notebook files (read
    # too, a key there has leaked as well) must not fill the cap before a key in the source is seen.
    files = sorted((f for f in ctx.repo.text_files() if f.name != ".env"), key=lambda f: f.not_evidence)
    found: list[tuple[Hit, str, str]] = []
    with_needle = ctx.repo.files_with_any(SECRET_NEEDLES)  # filter once, not per pattern
    candidates = [f for f in files if f.path in with_needle]
    for kind, pattern in SECRET_PATTERNS.items():
        for hit in ctx.repo.grep(pattern, candidates, per_file=5, limit=50, raw=True, data=True, leaks=True):
            found.append((hit, kind, hit.match))
    for hit in ctx.repo.grep(
        GENERIC_SECRET,
        files,
        needles=("key", "secret", "token", "passw"),
        per_file=5,
        limit=50,
        raw=True,
        data=True,
        leaks=True,
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


LOGGING = rx(
    r"^\s*(?:import|from)\s+(?:logging|structlog|loguru)\b|\blogger\.\w+\(|from\s+['\"](?:pino|winston)['\"]"
)
REDACTION = rx(r"\bredact\w*\(|\bmask_secret\(|\bSecretStr\b|\bfilter_secrets?\b")


@detector("SEC-01", version=2)
def no_secrets_in_code(ctx: Context) -> Finding:
    """Pattern + entropy scan of every text file (notebook outputs, logs and lock files included:
    a key printed there has leaked too), ``.env`` committed, and redaction of logs."""
    leaks = secret_leaks(ctx)
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
    if redaction:
        return Finding("pass", cite(redaction, "secrets masked before logging"), note="no secret found")
    logs = ctx.repo.grep(
        LOGGING,
        ctx.repo.code,
        needles=("logging", "logger", "structlog", "loguru", "pino", "winston"),
        limit=1,
    )
    note = "no secret found" + (
        "; nothing masks secrets in logs (SecretStr, redaction)" if logs and ctx.uses_llm else ""
    )
    return Finding("pass", note=note)


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
    r"pip-audit|pip_audit|\bbandit\b|\bsafety\s+(?:check|scan)|npm audit|pnpm audit|yarn audit|osv-scanner"
    r"|\btrivy\b|\bsnyk\b|\bgosec\b|\bsemgrep\b|codeql-action|gitleaks|trufflehog|\bgrype\b"
    r"|dependency-review-action|gh-action-pip-audit"
)


@detector("SEC-03", version=2, confidence="high", langs=None)
def security_scanners(ctx: Context) -> Finding:
    """A security scanner (pip-audit, bandit, safety, CodeQL, trivy…) *run* by a CI step (pass) or
    only declared in the build files (partial). Workflows are parsed, so a commented-out step is
    not a run. Dependabot only opens update PRs: it scans nothing, so it never counts."""
    from agentops_cli.readiness.workflows import matching_steps

    in_ci = matching_steps(ctx.pipelines, SCANNERS, limit=3)
    if in_ci:
        return Finding(
            "pass",
            [
                Evidence(path=s.file.path, line=s.line, note=f"security scan in CI: {s.text.strip()[:60]}")
                for s in in_ci
            ],
        )
    needles = (
        "audit",
        "bandit",
        "safety",
        "osv",
        "trivy",
        "snyk",
        "gosec",
        "semgrep",
        "gitleaks",
        "trufflehog",
    )
    declared = ctx.repo.grep(SCANNERS, ctx.build_files, needles=needles, limit=3)
    updates = [
        whole(f, "dependabot: dependency updates, not a scanner")
        for f in ctx.repo.named("dependabot.yml", "renovate.json")[:1]
    ]
    if declared:
        return Finding(
            "partial",
            cite(declared, "security scanner declared") + updates,
            note="scanner declared but not run in CI",
        )
    return Finding(
        "fail",
        updates,
        note="no security scanner (pip-audit, bandit, CodeQL, trivy…)"
        + (" — dependabot updates dependencies, it does not scan code" if updates else ""),
    )


RATE_LIMIT = rx(
    r"^\s*(?:import|from)\s+(?:slowapi|fastapi_limiter|flask_limiter|django_ratelimit|ratelimit|limits)\b"
    r"|express-rate-limit|rate-limiter-flexible|@nestjs/throttler|\bhono-rate-limiter|\bLimiter\(|ThrottlerModule"
    r"|@limiter\.limit\(|\bRateLimiter\(|\brate_?limit(?:er|_middleware|_per_\w+)\b|requests_per_minute"
)
PROXY_LIMIT = rx(r"\blimit_req(?:_zone)?\b|rate-limit|ratelimit", re.IGNORECASE)


@detector("ABU-02", version=2, confidence="medium")
def rate_limiting(ctx: Context) -> Finding:
    """Per-IP/per-user limits on *our* endpoints (slowapi, express-rate-limit, nginx ``limit_req``…).

    A project that serves no HTTP is ``n/a``: handling a provider's own ``RateLimitError`` (waiting
    and retrying when OpenAI says 429) limits nobody's use of our service."""
    if not ctx.is_server:
        return ctx.not_a_server("per-IP/per-user rate limits")
    needles = ("limit", "throttl", "requests_per_minute")
    hits = ctx.repo.grep(RATE_LIMIT, ctx.repo.code, needles=needles, limit=3)
    proxies = [
        f
        for f in ctx.config_text_files
        if "nginx" in f.path.lower() or f.name.endswith(".conf") or "gateway" in f.path.lower()
    ]
    hits += ctx.repo.grep(PROXY_LIMIT, proxies, needles=("limit",), limit=2)
    if hits:
        return Finding("pass", cite(hits, "rate limiting"))
    return Finding(
        "fail",
        [whole(e.path, e.note) for e in ctx.server_evidence[:2]],
        note="a service without per-user/per-IP rate limiting",
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
        USAGE_LIMITS,
        [*ctx.repo.code, *ctx.config_text_files],
        needles=(
            "max_requests",
            "max_calls",
            "max_llm_calls",
            "max_tokens_per",
            "max_cost",
            "max_queries",
            "max_concurrent",
            "quota",
            "daily_limit",
            "usage_limit",
            "per_user_limit",
        ),
        limit=3,
    )
    if hits:
        return Finding("pass", cite(hits, "usage limit"))
    return Finding("manual", note="no usage limit found; confirm limits per session, day or user")


INJECTION = rx(
    r"(?i)prompt[_ -]?injection|\binjection\b|jailbreak|ignore (?:all |the )?(?:previous|prior|above) "
    r"instructions|llm[_-]guard|\brebuff\b|nemoguardrails|\bguardrails\b|lakera"
)
GUARD_LIBS = imports(
    "llm_guard", "rebuff", "nemoguardrails", "guardrails", "lakera", "lakera_chainguard", "presidio_analyzer"
)
GUARD_NAME = re.compile(
    r"(?i)injection|jailbreak|prompt_?guard|input_?guard|guardrail|moderat|sanitiz|scrub_?(?:input|prompt)"
    r"|(?:validate|check|screen|filter)_?(?:user_?)?(?:input|prompt|query|message)"
)
NOT_A_GUARD = re.compile(r"(?i)^(?:escape|html|quote|urlencode)|token|secret|password|header")


GUARD_DEF = rx(r"^[ \t]*(?:async\s+)?def\s+(\w+)\s*\(|(?:function\s+|const\s+|let\s+)(\w+)\s*[=(]")
GUARD_NEEDLES = (  # specific: "check"/"filter" alone are on every other line of a big repo
    "injection",
    "jailbreak",
    "guard",
    "moderat",
    "sanitiz",
    "scrub",
    "validate_",
    "validateinput",
    "check_input",
    "check_prompt",
    "check_query",
    "check_message",
    "check_user",
    "screen_",
    "filter_input",
    "filter_prompt",
    "filter_user",
)


INJECTION_SPECIFIC = re.compile(r"(?i)injection|jailbreak|prompt_?guard|guardrail|moderat")
PROMPT_ARG = re.compile(
    r"(?i)message|prompt|query|question|content|user_?input|\btext\b|\binput\b|\bbody\b|request\.json"
)
MODEL_CALL = re.compile(
    r"\.(?:a?invoke|a?stream|a?generate|a?predict|a?completion)\(|(?:completions|messages)\.create\("
)


def _on_prompt_path(name: str, args: str, file: SourceFile) -> bool:
    """A guard is on the path to the model when it checks what the user says: an injection or
    moderation check of anything but credentials, or a generic sanitiser/validator fed the
    message itself (``sanitize(username)`` in an auth route protects no prompt)."""
    from agentops_cli.readiness.pyast import CREDENTIAL_ARG

    if not args.strip() or CREDENTIAL_ARG.search(args):
        return False
    if INJECTION_SPECIFIC.search(name):
        return True
    return bool(PROMPT_ARG.search(args)) or bool(MODEL_CALL.search(file.text or ""))


def _guard_calls(ctx: Context) -> tuple[list[Evidence], list[Evidence], list[Evidence]]:
    """(applied to user input, defined but never applied, applied to credentials only).

    Read on the code view (comments and strings blanked): guard definitions are ``def``/
    ``function`` names, applications are calls of those names whose argument text is checked
    (an escape helper fed only ``request.headers["Authorization"]`` guards no prompt).
    """

    files = [f for f in ctx.repo.code if f.path in ctx.repo.files_with_any(GUARD_NEEDLES)]
    defined: dict[str, Evidence] = {}
    for hit in ctx.repo.grep(GUARD_DEF, files, needles=GUARD_NEEDLES, per_file=200, limit=2000):
        match = GUARD_DEF.search(hit.match)
        name = (match.group(1) or match.group(2)) if match else ""
        if name and GUARD_NAME.search(name) and not NOT_A_GUARD.search(name):
            defined.setdefault(
                name, Evidence(path=hit.file.path, line=hit.line, note=f"guard {name} defined")
            )
    applied: list[Evidence] = []
    credentials: list[Evidence] = []
    called: set[str] = set()
    if defined:
        names = "|".join(sorted(map(re.escape, defined), key=len, reverse=True))
        call = re.compile(rf"(?<![\w.])(?<!def )(?<!function )({names})\(([^()]*(?:\([^()]*\)[^()]*)*)\)")
        for file in [f for f in files if f.path in ctx.repo.files_with_any(n.lower() for n in defined)]:
            for match in call.finditer(file.text or ""):
                if file.in_literal(match.start()):
                    continue
                name, args = match.group(1), match.group(2)
                called.add(name)
                target = applied if _on_prompt_path(name, args, file) else credentials
                target.append(
                    Evidence(
                        path=file.path,
                        line=file.line_at(match.start()),
                        note=f"{name}() applied to {args[:40]}",
                    )
                )
    # only an unused *injection* check says "protection was meant"; an unused name sanitiser does not
    unused = [e for name, e in defined.items() if name not in called and INJECTION_SPECIFIC.search(name)]
    return applied, unused, credentials


@detector("PI-01", version=2, confidence="medium")
def prompt_injection_guard(ctx: Context) -> Finding:
    """A guard *applied* to user input on its way to the model: a call of an injection check,
    sanitiser, moderation or input validator whose argument is user data (Python read as a syntax
    tree), or a guard library (llm_guard, rebuff, NeMo Guardrails, Lakera). A guard defined but
    never called is ``partial``; an escape helper applied only to tokens or headers does not count."""
    libs = ctx.repo.grep(GUARD_LIBS, ctx.repo.code, limit=2)
    applied, unused, credentials = _guard_calls(ctx)
    if libs or applied:
        tests = ctx.repo.grep(
            INJECTION, ctx.repo.tests, needles=("injection", "jailbreak", "ignore"), limit=1
        )
        return Finding(
            "pass", cite(libs, "guard library") + applied[:3] + cite(tests, "injection guard tested")
        )
    if unused:
        return Finding("partial", unused[:3], note="a guard is defined but never applied to user input")
    if credentials:
        return Finding(
            "fail",
            credentials[:2],
            note="sanitisers are applied to tokens, headers or other fields, not to what reaches the model",
        )
    return Finding("fail", note="prompts reach the LLM unchecked (no injection guard applied)")


OUTPUT_AUDIT = rx(
    r"(?i)moderation|output_guard|validate_(?:response|output|answer)|verify_citations?|grounding"
    r"|grounded|content_filter|hallucinat"
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
    hits = ctx.repo.grep(  # the abuse cases are test *data*: read strings and data files
        ABUSE_CASES,
        files,
        needles=("injection", "jailbreak", "abus", "malicious", "ignore"),
        limit=3,
        raw=True,
        data=True,
    )
    if hits:
        return Finding("pass", cite(hits, "abuse scenario exercised"))
    return Finding("manual", note="no abuse scenario in tests or eval data; confirm it was simulated")
