"""Detectors for "Código y módulos" and "Configuración y flags".

checklist: skip-file (the patterns below name the practices; they are not evidence of them)
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from agentops_cli.readiness.detectors.base import (
    Context,
    Finding,
    cite,
    detector,
    imports,
    rx,
    whole,
)
from agentops_cli.readiness.models import Evidence

ALLOW_MARK = "checklist: allow"


@detector("CODE-01", langs=("python",))
def modules_as_classes(ctx: Context) -> Finding:
    """Share of substantial Python modules that define a class (the seed asks for classes)."""
    modules = [
        f
        for f in ctx.repo.python
        if f.name not in ("__init__.py", "__main__.py") and (f.text or "").count("\n") >= 20
    ]
    if not modules:
        if ctx.repo.code and not ctx.repo.python:  # another language: the service says inconclusive
            return Finding("fail", note="no Python module")
        return Finding("manual", note="no substantial Python module to measure")
    class_def = rx(r"^class\s+\w+")
    with_class = {f.path for f in modules if class_def.search(f.text or "")}
    share = len(with_class) / len(modules)
    evidence = [Evidence(path=".", note=f"{len(with_class)}/{len(modules)} modules define a class")]
    evidence += [whole(f, "functions only") for f in modules if f.path not in with_class][:3]
    status = "pass" if share >= 0.5 else "partial" if share >= 0.2 else "fail"
    return Finding(status, evidence, note=f"{share:.0%} of modules are class-based")


MODEL_LITERAL = rx(
    r"""["'](?:gpt-[345][\w.-]*|o[134]-(?:mini|preview|pro)|claude-[\w.-]+|gemini-[\w.-]+"""
    r"""|text-embedding-[\w-]+|mistral-[\w.-]+|llama-?\d[\w.:-]*|command-r[\w.-]*)["']"""
)
URL_LITERAL = rx(
    r"""["']https?://(?!(?:www\.)?(?:w3\.org|json-schema\.org|json\.schemastore\.org|purl\.org)/)[^\s"'<>{}]+["']"""
)
CONFIG_NAMES = {
    "config.py",
    "settings.py",
    "conf.py",
    "setup.py",
    "defaults.py",
    "configuration.py",
    "context.py",
    "config.ts",
    "configuration.ts",
    "settings.ts",
    "config.js",
    "configuration.js",
    "env.ts",
}
PROMPT_MODULE = re.compile(r"(?i)^(?:\w+_)?prompts?(?:_\w+)?\.(?:py|ts|js|mjs|tsx)$")
EXEMPT_DIRS = {"config", "settings", "examples", "example", "docs", "bench", "benchmarks", "scripts", "fakes"}


def _is_config_module(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return parts[-1] in CONFIG_NAMES or any(p in EXEMPT_DIRS for p in parts[:-1])


def _waived_or_comment(line: str) -> bool:
    """A literal in a comment configures nothing; an allow mark is a documented waiver."""
    return ALLOW_MARK in line or line.lstrip().startswith(("#", "//", "*", "--"))


@detector("CODE-02")
def no_hardcoded_values(ctx: Context) -> Finding:
    """Model names and URLs written as literals in code, outside the config modules."""
    files = [f for f in ctx.repo.code if not _is_config_module(f.path)]
    if not files:  # nothing examined proves nothing: not applicable rather than a pass
        where = "outside config modules" if ctx.repo.code else "in the folder"
        return Finding("n/a", note=f"no code {where} to examine")
    hits = ctx.repo.grep(  # literals are what this item is about: read raw text
        MODEL_LITERAL,
        files,
        raw=True,
        per_file=3,
        limit=40,
        needles=(
            "gpt-",
            "claude-",
            "gemini-",
            "o1-",
            "o3-",
            "o4-",
            "text-embedding",
            "mistral-",
            "llama",
            "command-r",
        ),
    )
    hits += ctx.repo.grep(URL_LITERAL, files, raw=True, per_file=3, limit=40, needles=("http",))
    hits = [h for h in hits if not _waived_or_comment((h.file.text or "").splitlines()[h.line - 1])]
    evidence = cite(hits, lambda h: f"hard-coded {h.match.strip(chr(34) + chr(39))}", limit=8)
    if not hits:
        return Finding(
            "pass", [Evidence(path=".", note=f"no model name or URL literal in {len(files)} files")]
        )
    status = "partial" if len(hits) <= 2 else "fail"
    return Finding(status, evidence, note=f"{len(hits)} hard-coded model names/URLs outside config")


ENV_READ = rx(r"\bos\.environ\b|\bgetenv\(|\bprocess\.env\b")
SETTINGS_CODE = rx(
    r"BaseSettings|class\s+\w*(?:Settings|Config|Configuration|Context)\b|os\.environ|getenv\(|yaml\.safe_load"
    r"|dotenv|process\.env|z\.object\(|@dataclass"
)
EXAMPLE_FILE = re.compile(
    r"(?i)^\.env(?:\.[\w-]+)*\.(?:example|sample|template|dist)$|^(?:example|sample)\.env$"
)
EXAMPLE_NAMES = (
    ".env.example",
    ".env.sample",
    ".env.template",
    "example.env",
    "config.example.yaml",
    "config.example.yml",
    "config.example.toml",
    "settings.example.yaml",
    "sample.env",
)


@detector("CODE-03")
def centralised_config(ctx: Context) -> Finding:
    """One settings module (or config file), documented by an example, imported across the code."""
    modules = [
        f
        for f in ctx.repo.code
        if (
            (f.name in CONFIG_NAMES and f.name not in ("setup.py", "conf.py", "defaults.py"))
            or f.path.endswith(("/config/__init__.py", "/settings/__init__.py"))
        )
    ]
    # a module named for settings (configuration.ts, context.py) is one; others must show settings code
    modules = [f for f in modules if f.name in CONFIG_NAMES or SETTINGS_CODE.search(f.code)]
    config_files = [
        f
        for f in ctx.repo.files.values()
        if f.name in ("config.yaml", "config.yml", "settings.yaml", "config.toml", "appsettings.json")
    ]
    examples = [*ctx.repo.named(*EXAMPLE_NAMES)]
    examples += [f for f in ctx.repo.files.values() if EXAMPLE_FILE.match(f.name) and f not in examples]
    users = ctx.repo.grep(
        rx(
            r"^\s*(?:from|import)\s+[\w.]*\b(?:config|settings|configuration|context)\b"
            r"|^\s*import\b[^\n]*from\s+['\"][./\w@-]*(?:config|configuration|settings|env)(?:\.[cm]?[jt]s)?['\"]"
        ),
        ctx.repo.code,
        # every match is an import statement; ".settings" would pick every ``self.settings.x`` line
        needles=("import", "from"),
        limit=10,  # "imported across the code" needs a few importers, not all of them
    )
    evidence = [whole(f, "settings module") for f in modules[:2]]
    evidence += [whole(f, "config file") for f in config_files[:2]]
    evidence += [whole(f, "documented example of the settings") for f in examples[:2]]
    if users:
        evidence.append(
            Evidence(
                path=users[0].file.path,
                line=users[0].line,
                note=f"settings imported by {len({h.file.path for h in users})} modules",
            )
        )
    central = bool(modules or config_files)
    importers = {h.file.path for h in users}
    settings_paths = {f.path for f in modules}
    scattered = {
        h.file.path
        for h in ctx.repo.grep(
            ENV_READ, ctx.repo.code, needles=("environ", "getenv", "process.env"), limit=20
        )
        if h.file.path not in settings_paths
    }
    # centralised: imported across modules, or imported where needed with no env reads elsewhere
    if central and examples and (len(importers) >= 2 or (importers and len(scattered) <= 1)):
        return Finding("pass", evidence)
    if central or examples:
        missing = (
            "an example file (.env.example / config.example.yaml)"
            if not examples
            else ("a settings module" if not central else "use of the settings across modules")
        )
        return Finding("partial", evidence, note=f"missing {missing}")
    return Finding("fail", evidence, note="no settings module, config file or .env.example")


LINT_CONFIG = rx(
    r"^\[tool\.(?:ruff|black|isort|flake8|pylint)\b|^\[(?:flake8|isort|pylint)\]|^\s*-\s*id:\s*(?:ruff|black|isort|flake8)"
)
LINT_RUN = rx(
    r"\b(?:ruff\s+(?:check|format)|black\s|isort\s|flake8|pylint|eslint|prettier|golangci-lint|gofmt)"
)
LINT_FILES = (
    "ruff.toml",
    ".ruff.toml",
    ".flake8",
    ".isort.cfg",
    ".pylintrc",
    ".eslintrc",
    ".eslintrc.js",
    ".eslintrc.json",
    ".eslintrc.yml",
    ".eslintrc.cjs",
    "eslint.config.cjs",
    "eslint.config.ts",
    ".prettierrc.json",
    ".prettierrc.js",
    "eslint.config.js",
    "eslint.config.mjs",
    ".prettierrc",
    "biome.json",
    ".golangci.yml",
    ".golangci.yaml",
    ".rubocop.yml",
)


@detector("CODE-04")
def lint_configured(ctx: Context) -> Finding:
    """A formatter/linter configured (pyproject, ruff.toml, eslint, ...) and run by CI or make."""
    hits = ctx.repo.grep(LINT_CONFIG, ctx.build_files, limit=4)
    evidence = cite(hits, lambda h: f"linter configured: {h.match.strip('[]- ')}")
    evidence += [whole(f, "linter config file") for f in ctx.repo.named(*LINT_FILES)[:2]]
    runs = ctx.repo.grep(
        LINT_RUN,
        [*ctx.ci_files, *ctx.repo.named("Makefile", "justfile", "package.json", "tox.ini", "noxfile.py")],
        limit=2,
    )
    evidence += cite(runs, "linter run by CI/make")
    if evidence and runs and len(evidence) > len(runs):
        return Finding("pass", evidence)
    if evidence:
        return Finding(
            "partial",
            evidence,
            note="linter configured but not run by CI/make" if not runs else "linter run without a config",
        )
    return Finding("fail", note="no ruff/black/isort (or eslint, ...) configuration")


INLINE_PROMPT = rx(r"""(?i)(?:["']|^\s*)(?:you are an? |eres una? |act[uú]a como |act as an? )\w""")
PROMPT_EXT = {".md", ".txt", ".yaml", ".yml", ".json", ".j2", ".jinja", ".jinja2", ".prompt", ".tmpl"}


@detector("CODE-05")
def prompts_in_files(ctx: Context) -> Finding:
    """Prompt templates live in files (``prompts/``, ``*.prompt``, ``*.j2``), not inline strings."""
    prompt_files = [
        f
        for f in ctx.repo.files.values()
        if not f.is_test
        and (
            (
                f.suffix in PROMPT_EXT
                and (
                    "prompts" in f.parts[:-1]
                    or "prompt" in f.name.lower()
                    or f.suffix in (".prompt", ".j2", ".jinja", ".jinja2")
                )
            )
            or (f.is_code and (PROMPT_MODULE.match(f.name) or "prompts" in f.parts[:-1]))
        )
    ]
    prompt_paths = {f.path for f in prompt_files}
    inline = ctx.repo.grep(  # prompt text is a string literal: read raw, outside the prompt modules
        INLINE_PROMPT,
        [f for f in ctx.repo.code if f.path not in prompt_paths],
        raw=True,
        needles=("you are a", "eres un", "actúa como", "actua como", "act as a"),
        limit=10,
    )
    evidence = [whole(f, "prompt template file") for f in prompt_files[:3]]
    evidence += cite(inline, "inline prompt text in code")
    if not prompt_files and not inline and not ctx.uses_llm:
        return Finding("n/a", note="no LLM client and no prompt found")
    if prompt_files and not inline:
        return Finding("pass", evidence, note=f"{len(prompt_files)} prompt files, no inline prompt")
    if prompt_files:
        return Finding("partial", evidence, note="prompt files exist but some prompts are inline")
    return Finding("fail", evidence, note="prompts are inline in code" if inline else "no prompt files found")


LLM_CONSTRUCTOR = rx(
    r"\b(?:ChatOpenAI|AzureChatOpenAI|ChatAnthropic|ChatGoogleGenerativeAI|ChatVertexAI|ChatOllama"
    r"|ChatBedrock(?:Converse)?|ChatMistralAI|ChatGroq|AsyncOpenAI|AzureOpenAI|AsyncAzureOpenAI|OpenAI"
    r"|Anthropic|AsyncAnthropic|init_chat_model|initChatModel)\("
)
FACTORY_FN = rx(
    r"^\s*(?:async\s+)?def\s+(?:make|create|get|build|new)_(?:llm|chat_model|model|client|chat)\b"
)


@detector("CODE-06")
def single_llm_factory(ctx: Context) -> Finding:
    """LLM clients are constructed in one module (or one package), never all over the code."""
    hits = ctx.repo.grep(
        LLM_CONSTRUCTOR,
        ctx.repo.code,
        per_file=1,
        limit=50,
        needles=("openai(", "anthropic(", "chat", "init_chat_model", "initchatmodel"),
    )
    hits = [
        h for h in hits if not re.match(r"\s*(?:from|import)\s", (h.file.text or "").splitlines()[h.line - 1])
    ]
    places = {h.file.path for h in hits}
    packages = {str(PurePosixPath(p).parent) for p in places}
    if len(places) == 1 or (places and len(packages) == 1):
        return Finding("pass", cite(hits, "LLM client constructed here (the factory)"))
    if places:
        return Finding(
            "fail",
            cite(hits, "LLM client constructed", limit=8),
            note=f"LLM clients constructed in {len(places)} modules",
        )
    factories = ctx.repo.grep(
        FACTORY_FN, ctx.repo.code, needles=("_llm", "_model", "_client", "_chat"), limit=3
    )
    if factories:
        return Finding("pass", cite(factories, "LLM factory function"))
    if not ctx.uses_llm:
        return Finding("n/a", note="no LLM client is constructed in this code base")
    return Finding("fail", note="LLM used but no factory module found")


ENV_SECRET = rx(
    r"""(?:os\.environ(?:\.get)?|getenv|process\.env)[\[(.]\s*["']?\w*(?:KEY|TOKEN|SECRET|PASSWORD)"""
)
SETTINGS_SECRET = rx(r"\bSecretStr\b|\bBaseSettings\b|load_dotenv\(|dotenv_values\(|\bdotenv\b")
SECRETS_MANAGER = imports(
    "hvac",
    "infisical",
    "infisical_client",
    "doppler_sdk",
    "google.cloud.secretmanager",
    "google.cloud.secretmanager_v1",
    "azure.keyvault",
    "azure.keyvault.secrets",
    "@aws-sdk/client-secrets-manager",
    "@google-cloud/secret-manager",
    "@azure/keyvault-secrets",
    "node-vault",
    "onepassword",
)
SECRETS_MANAGER_CALL = rx(
    r"""["']secretsmanager["']|\bSecretClient\(|SecretManagerServiceClient\(|get_secret_value\(\s*SecretId|GetSecretValueCommand"""
    r"""|\bssm\b[^\n]{0,40}get_parameter|access_secret_version\("""
)
SECRETS_MANAGER_CONFIG = rx(
    r"secretKeyRef:|valueFrom:\s*\n\s*secretKeyRef|/run/secrets/|\bop://|external-secrets|ExternalSecret\b|aws_secretsmanager|vault_generic_secret|akv2k8s"
)


@detector("CFG-01", version=2, confidence="medium")
def secrets_from_environment(ctx: Context) -> Finding:
    """ "API keys en secrets manager": a secrets-manager client (Vault, AWS/GCP/Azure, Infisical,
    Doppler) or a deployment that injects secrets from one (k8s ``secretKeyRef``, Docker secrets,
    ``op://``) passes. Reading the environment, ``.env``/``load_dotenv`` or typed settings is
    ``partial``: it keeps keys out of code, but nothing shows a manager holds them."""
    manager = ctx.repo.grep(SECRETS_MANAGER, ctx.repo.code, limit=2)
    manager += ctx.repo.grep(
        SECRETS_MANAGER_CALL,
        ctx.repo.code,
        raw=True,
        needles=(
            "secretsmanager",
            "secretclient",
            "secretmanager",
            "get_secret_value",
            "getsecretvalue",
            "ssm",
            "access_secret",
        ),
        limit=2,
    )
    deploy = [*ctx.config_text_files, *ctx.dockerfiles, *ctx.ci_files]
    manager += ctx.repo.grep(
        SECRETS_MANAGER_CONFIG,
        deploy,
        needles=(
            "secretkeyref",
            "/run/secrets",
            "op://",
            "externalsecret",
            "external-secrets",
            "secretsmanager",
            "vault",
            "akv2k8s",
        ),
        limit=2,
    )
    settings = ctx.repo.grep(
        SETTINGS_SECRET, ctx.repo.code, needles=("secretstr", "basesettings", "dotenv"), limit=3
    )
    env = ctx.repo.grep(
        ENV_SECRET, ctx.repo.code, raw=True, needles=("environ", "getenv", "process.env"), limit=3
    )
    evidence = cite(manager, "secrets manager") + cite(settings, "secrets loaded from env/.env into settings")
    evidence += cite(env, "secret read from the environment")
    from agentops_cli.readiness.detectors.security import mask, secret_leaks

    in_code = [(h, kind, v) for h, kind, v in secret_leaks(ctx) if h.file.is_code and not h.file.is_test]
    if in_code:
        return Finding(
            "fail",
            [
                Evidence(path=h.file.path, line=h.line, note=f"{kind} in code: {mask(v)}")
                for h, kind, v in in_code[:3]
            ],
            note="a key is written in the code",
        )
    if manager:
        return Finding("pass", evidence)
    if settings or env:
        return Finding(
            "partial", evidence, note="keys come from the environment or .env; no secrets manager holds them"
        )
    if ctx.uses_llm:
        return Finding(
            "partial", note="LLM clients read their keys from the environment implicitly; no secrets manager"
        )
    return Finding("manual", note="no secret loading found; confirm the project has no credentials")


TOGGLE = rx(
    r"\b(?:DISABLE|ENABLE|USE|FEATURE|FF)_[A-Z0-9_]{2,}\b|\b[A-Z][A-Z0-9_]+_ENABLED\b"
    r"|^\s+(?:disable|enable|use)_\w+\s*:\s*bool\b"
)
FLAG_LIBS = imports("ldclient", "launchdarkly", "UnleashClient", "flagsmith", "growthbook", "openfeature")


@detector("CFG-02")
def feature_toggles(ctx: Context) -> Finding:
    """Environment flags (DISABLE_LLM, USE_FAKE_DATA, ...) or a feature-flag client."""
    files = [*ctx.repo.code, *ctx.config_text_files, *ctx.repo.named(".env.example", ".env.sample")]
    hits = ctx.repo.grep(  # a toggle is named in a string: os.environ.get("ENABLE_X")
        TOGGLE,
        files,
        raw=True,
        per_file=20,
        limit=60,
        needles=("disable", "enable", "use_", "feature_", "ff_"),
    )
    libs = ctx.repo.grep(FLAG_LIBS, ctx.repo.code, limit=2)
    names: dict[str, Evidence] = {}
    for hit in hits:
        name = hit.match.strip().split(":")[0].strip().upper()
        names.setdefault(name, Evidence(path=hit.file.path, line=hit.line, note=f"toggle {name}"))
    evidence = cite(libs, "feature-flag client") + list(names.values())[:6]
    if libs or len(names) >= 2:
        return Finding("pass", evidence, note=f"{len(names)} toggles")
    if names:
        return Finding("partial", evidence, note="only one toggle")
    return Finding("fail", note="no feature toggle (DISABLE_LLM, USE_FAKE_DATA, ...) found")
