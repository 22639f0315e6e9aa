"""The one settings object: defaults < config file < environment < flags.

Layers, lowest first:
1. defaults declared on the models below;
2. the YAML config file (``--config``, ``AGENTOPS_CONFIG`` or ``./agentops.yaml``);
3. ``.env`` in the current directory, then the process environment
   (``AGENTOPS_*`` with ``__`` between nested keys, plus the well-known names
   ``OPENAI_API_KEY``, ``OPENAI_BASE_URL``, ``LANGSMITH_*`` and the seeds' toggles
   ``DISABLE_LLM``, ``USE_FAKE_DATA``, ``ENABLE_VERBOSE_LOGGING``);
4. command-line flags.

``load_settings`` also records which layer set each key, so ``agentops config show``
can tell a user *why* a value is what it is.
"""

from __future__ import annotations

import functools
import json
import os
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from agentops_cli.errors import BadInput

DEFAULT_CONFIG_NAME = "agentops.yaml"
OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1"  # used when llm.base_url is not set

Provider = Literal["auto", "offline", "openai"]


def _no_nul(value: Any) -> Any:
    """A NUL byte in a path or name is accepted by YAML and pydantic but fails later, deep in
    ``open()`` (exit 3 mid-run); refuse it here, where the error can name the key."""
    if isinstance(value, str | Path) and "\x00" in str(value):
        raise ValueError("NUL byte not allowed")
    if isinstance(value, dict):
        for key, item in value.items():
            _no_nul(key)
            _no_nul(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _no_nul(item)
    return value


class _Checked(BaseModel):
    """Shared by every settings model: finite numbers only (``timeout_s: .inf`` is a typo, not
    a wish) and no NUL bytes in any text or path."""

    model_config = ConfigDict(allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        return _no_nul(value)


class Section(_Checked):
    """Base for nested sections: unknown keys are errors, so typos surface.

    ``defer_build``: validators are built into Settings' when settings are first loaded
    (a section used on its own builds its own on first use), not at import.
    """

    model_config = ConfigDict(extra="forbid", defer_build=True)


class RoutingSettings(Section):
    """Complexity routing from the seeds: simple queries to a small model, complex to a large one."""

    enabled: bool = False
    simple_model: str = "gpt-4o-mini"
    complex_model: str = "gpt-4o"
    complex_min_chars: int = Field(800, ge=1, description="inputs at least this long count as complex")


class LLMSettings(Section):
    provider: Provider = "auto"
    model: str = "gpt-4o-mini"
    agent_models: dict[str, str] = Field(default_factory=dict, description="model per agent")
    routing: RoutingSettings = Field(default_factory=RoutingSettings)
    base_url: str | None = None
    api_key: SecretStr | None = None
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    max_tokens: int | None = Field(1024, ge=1)
    structured_output_method: Literal["json_schema", "function_calling", "json_mode"] = "json_schema"
    timeout_s: float = Field(30.0, gt=0)
    deadline_s: float = Field(
        60.0,
        ge=0,
        allow_inf_nan=False,
        description="all model calls of one run, retries and waits included; then offline answers (0 = none)",
    )


class ResilienceSettings(Section):
    max_attempts: int = Field(3, ge=1, le=10)
    backoff_initial_s: float = Field(0.5, ge=0)
    backoff_max_s: float = Field(8.0, ge=0)
    retry_after_max_s: float = Field(30.0, ge=0, description="longest Retry-After honoured")
    rate_limit_attempts: int = Field(
        8, ge=1, le=100, description="attempts a call may spend on HTTP 429 (apart from max_attempts)"
    )
    breaker_failures: int = Field(5, ge=1)
    breaker_cooldown_s: float = Field(60.0, ge=0)
    failover: bool = True


class CacheSettings(Section):
    enabled: bool = True
    backend: Literal["disk", "redis"] = Field(
        "disk", description="redis: share answers between replicas (needs redis_url); disk stays the fallback"
    )
    ttl_s: int = Field(7 * 24 * 3600, ge=0, description="0 keeps entries forever")
    size_limit_mb: int = Field(1024, ge=1)


class LangSmithSettings(Section):
    api_key: SecretStr | None = None
    tracing: bool = False
    project: str = "agentops"
    endpoint: str | None = None


class SupportSettings(Section):
    pack: Path | None = None
    max_query_chars: int = Field(5000, ge=1)


class DocumentSettings(Section):
    root: Path | None = None
    max_bytes: int = Field(20 * 1024 * 1024, ge=1)
    max_pages: int = Field(500, ge=1)
    chunk_chars: int = Field(12000, ge=500)
    chunk_overlap: int = Field(500, ge=0)
    max_unpacked_bytes: int = Field(
        64 * 1024 * 1024, ge=1, description="a DOCX may unpack to at most this many bytes (zip bombs)"
    )
    max_extract_s: float = Field(120.0, gt=0, description="time budget to extract a document's text")
    allow_hard_links: bool = Field(
        False, description="read files with several names (hard links) in --root and research corpora"
    )


class ResearchSettings(Section):
    corpus: Path | None = None
    max_subquestions: int = Field(5, ge=1, le=20)
    max_sources: int = Field(8, ge=1, le=100)
    max_llm_calls: int = Field(20, ge=1)
    web_search: bool = False


# Floors the offline engine clears on the golden sets with a margin (measured: intent 0.86,
# escalation F1 0.84, field F1 0.81, citations 1.0); a drop below them is a real regression.
DEFAULT_EVAL_GATES: dict[str, float] = {
    "success_rate": 0.99,
    "intent_accuracy": 0.85,
    "intent_macro_f1": 0.85,
    "escalation_f1": 0.85,
    "escalation_recall": 0.85,
    "out_of_scope_recall": 0.60,
    "doc_type_accuracy": 0.90,
    "field_f1": 0.85,
    "citation_validity": 1.0,
    "must_cite_recall": 0.90,
    "must_include_recall": 0.65,
    "counterfactual_consistency": 1.0,  # a customer's name, gender, age… must not change the answer
}


class EvalSettings(Section):
    concurrency: int = Field(8, ge=1, le=512)
    transcript_max_chars: int = Field(
        20_000, ge=0, description="per-example transcript size bound (0: no transcripts)"
    )
    timeout_s: float = Field(120.0, gt=0)
    max_errors: int | None = Field(None, ge=0)
    same_error_stop: int = Field(
        10,
        ge=0,
        description="stop (exit 3) when the first N finished examples all fail with one error; 0: never",
    )
    gates: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_EVAL_GATES),
        description="METRIC: minimum, checked on every eval (skipped for agents a run leaves out)",
    )
    regression_tolerance: float = Field(
        0.01, ge=0, le=1, description="--fail-on-regression: how much a rate/score may drop (absolute)"
    )
    max_regressed: int = Field(0, ge=0, description="--fail-on-regression: examples allowed to regress")


class AgentEntry(Section):
    """One user agent registered in ``agents:`` (see docs/agents.md for the mapping rules)."""

    target: str = Field(..., description="python:MODULE:ATTR | http(s)://URL | exec:COMMAND")
    description: str = ""
    input: Any = Field(None, description="input template: {{input}}, {{input.FIELD}}, {{id}} placeholders")
    output: Any = Field(None, description="path (or {name: path}) of the answer in the agent's result")
    usage: str | None = Field("usage", description="path of a usage object in the result")
    headers: dict[str, str] = Field(default_factory=dict, description="HTTP headers; ${VAR} read from env")
    timeout_s: float = Field(60.0, gt=0)
    retries: int = Field(2, ge=0, le=10)
    setup: str | None = Field(None, description="python targets: MODULE:FN called once before the first run")
    preset: Literal["langgraph"] | None = Field(None, description="langgraph: LangGraph Server /runs/wait")
    assistant_id: str | None = None
    transcript_max_chars: int = Field(20_000, ge=0)


class ServeSettings(Section):
    """``agentops serve``: the agents behind an HTTP API (see docs/deploy.md)."""

    host: str = Field("127.0.0.1", description="bind address; loopback unless told otherwise")
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(1, ge=1, le=64)
    api_keys: dict[str, str] = Field(
        default_factory=dict,
        description="KEY_ID: sha256 hex of the key (never the key); empty = no auth (loopback only)",
    )
    rate_limit_per_minute: int = Field(
        600, ge=0, description="requests per key (or client IP) a minute; 0 = off"
    )
    daily_quota: int = Field(0, ge=0, description="requests per key (or client IP) a UTC day; 0 = off")
    max_body_bytes: int = Field(1024 * 1024, ge=64, description="larger request bodies get 413")
    max_concurrency: int = Field(64, ge=1, le=1024, description="agent runs at once per process (threads)")
    audit_log: Path | None = Field(None, description="JSONL audit log (default: <home>/audit.jsonl)")

    @field_validator("api_keys")
    @classmethod
    def _hashes_only(cls, value: dict[str, str]) -> dict[str, str]:
        for key_id, digest in value.items():
            if len(digest) != 64 or any(c not in "0123456789abcdefABCDEF" for c in digest):
                raise ValueError(f"{key_id}: give the sha256 hex of the key, not the key")
        return {k: v.lower() for k, v in value.items()}


ENV_PREFIX = "AGENTOPS_"
ENV_NESTED_DELIMITER = "__"


class Settings(_Checked):
    """Every setting of agentops. ``agentops config show`` prints them with their source.

    A plain model rather than pydantic-settings' ``BaseSettings``: importing pydantic-settings
    costs ~40 ms (it pulls in asyncio), which every fast command would pay. :func:`load_settings`
    builds it with ``model_validate`` and asks pydantic-settings' sources only when there is an
    ``AGENTOPS_*`` variable or a ``.env`` to read. Calling ``Settings(...)`` directly behaves as
    ``BaseSettings`` did: keyword arguments over ``AGENTOPS_*`` environment variables over defaults.
    """

    model_config = ConfigDict(extra="forbid", validate_default=True, defer_build=True)

    def __init__(self, **values: Any) -> None:
        # pydantic calls a custom __init__ from ``model_validate`` too, as it did BaseSettings'.
        env = _agentops_env(type(self))
        super().__init__(**_deep_merge(env, values) if env else values)

    llm: LLMSettings = Field(default_factory=LLMSettings)
    resilience: ResilienceSettings = Field(default_factory=ResilienceSettings)
    cache: CacheSettings = Field(default_factory=CacheSettings)
    langsmith: LangSmithSettings = Field(default_factory=LangSmithSettings)
    support: SupportSettings = Field(default_factory=SupportSettings)
    document: DocumentSettings = Field(default_factory=DocumentSettings)
    research: ResearchSettings = Field(default_factory=ResearchSettings)
    eval: EvalSettings = Field(default_factory=EvalSettings)
    serve: ServeSettings = Field(default_factory=ServeSettings)
    redis_url: SecretStr | None = Field(
        None, description="redis://… shared by replicas: response cache (cache.backend: redis), rate limits"
    )
    postgres_url: SecretStr | None = Field(
        None, description="postgresql://… HITL checkpoints shared by replicas (default: SQLite in home)"
    )
    prices: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="extra or overriding models for the price table"
    )
    agents: dict[str, AgentEntry] = Field(
        default_factory=dict, description="user agents: NAME -> {target: SPEC, input, output, ...}"
    )

    disable_llm: bool = Field(False, description="seed toggle: never call an LLM, use the offline engine")
    use_fake_data: bool = Field(False, description="seed toggle: use the bundled sample data")
    enable_verbose_logging: bool = Field(False, description="seed toggle: debug logging")

    home: Path | None = Field(None, description="run log folder (default: user data dir)")
    cache_dir: Path | None = Field(None, description="response/model cache (default: user cache dir)")
    runs_dir: Path = Field(Path(".agentops/runs"), description="eval results, relative to the cwd")

    @model_validator(mode="after")
    def _redis_backend_needs_url(self) -> Settings:
        if self.cache.backend == "redis" and self.redis_url is None:
            raise ValueError("cache.backend: redis needs redis_url")
        return self

    # -- derived -------------------------------------------------------------------------------
    def provider(self) -> Literal["offline", "openai"]:
        """The provider in force: ``openai`` only when it is configured and the LLM is not disabled."""
        if self.disable_llm:
            return "offline"
        if self.llm.provider != "auto":
            return self.llm.provider
        return "openai" if (self.llm.api_key or self.llm.base_url) else "offline"

    def model_for(self, agent: str) -> str:
        return self.llm.agent_models.get(agent, self.llm.model)

    def resolved_cache_dir(self) -> Path:
        return self.cache_dir or _platform_dir("user_cache_dir", *_platform_dir_inputs("XDG_CACHE_HOME"))

    def resolved_home(self) -> Path:
        return self.home or _platform_dir("user_data_dir", *_platform_dir_inputs("XDG_DATA_HOME"))

    def langsmith_enabled(self) -> bool:
        """Trace only with a key: ``LANGSMITH_TRACING`` alone would delay every exit by seconds."""
        return bool(self.langsmith.tracing and self.langsmith.api_key)


# Well-known environment names and where they land. ``AGENTOPS_``-prefixed forms work too.
ENV_ALIASES: dict[str, str] = {
    "OPENAI_API_KEY": "llm.api_key",
    "OPENAI_BASE_URL": "llm.base_url",
    "LANGSMITH_API_KEY": "langsmith.api_key",
    "LANGSMITH_TRACING": "langsmith.tracing",
    "LANGSMITH_PROJECT": "langsmith.project",
    "LANGSMITH_ENDPOINT": "langsmith.endpoint",
    "DISABLE_LLM": "disable_llm",
    "USE_FAKE_DATA": "use_fake_data",
    "ENABLE_VERBOSE_LOGGING": "enable_verbose_logging",
}


@dataclass
class LoadedSettings:
    """Settings plus where each key came from (``default``, a file path, ``env``, ``.env``, ``flag``)."""

    settings: Settings
    sources: dict[str, str] = field(default_factory=dict)
    config_file: Path | None = None


def _platform_dir_inputs(xdg_variable: str) -> tuple[str | None, str | None]:
    return os.environ.get(xdg_variable), os.environ.get("HOME")


@functools.lru_cache(maxsize=16)
def _platform_dir(kind: str, xdg: str | None, home: str | None) -> Path:
    """platformdirs' folder, memoised on the variables it reads on Linux.

    platformdirs recomputes it from the environment on every call (≈ 50 µs); a served support
    request asked twice (model path, run log) when ``cache_dir`` / ``home`` are not set.
    """
    import platformdirs

    return Path(getattr(platformdirs, kind)("agentops"))


def _set_dotted(target: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for key in parents:
        target = target.setdefault(key, {})
    target[leaf] = value


def _flatten(data: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted keys of the leaves; free-form dict fields (prices, gates, agent_models) stay whole."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and dotted not in _OPAQUE_KEYS and value:
            out.update(_flatten(value, dotted + "."))
        else:
            out[dotted] = value
    return out


_OPAQUE_KEYS = {"prices", "eval.gates", "llm.agent_models", "agents", "serve.api_keys"}


def _deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and key != "prices":
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _agentops_env(settings_cls: type[BaseModel]) -> dict[str, Any]:
    """``AGENTOPS_*`` variables of the process environment, as nested settings values."""
    return _parse_setting_vars(os.environ, settings_cls)


def _parse_setting_vars(values: Mapping[str, str | None], settings_cls: type[BaseModel]) -> dict[str, Any]:
    """``AGENTOPS_SECTION__KEY=value`` → ``{"section": {"key": "value"}}``, as pydantic-settings reads it.

    Our own few lines instead of pydantic-settings' sources: importing those costs ~40 ms (they pull
    in asyncio), paid by every command as soon as one ``AGENTOPS_*`` variable is set — which is how
    users run agentops. Names are case-insensitive; ``__`` descends into a section or a dict field;
    a value for a dict, list or model field is JSON; scalars stay strings for pydantic to coerce;
    names that match no field are ignored.
    """
    out: dict[str, Any] = {}
    for name, value in values.items():
        if value is None or not _is_setting_var(name):
            continue
        path = name[len(ENV_PREFIX) :].lower().split(ENV_NESTED_DELIMITER)
        placed = _place_setting(settings_cls, path, value)
        if placed is not None:
            _deep_merge_into(out, placed)
    return out


def _place_setting(model: type[BaseModel], path: list[str], value: str) -> dict[str, Any] | None:
    """The nested dict that sets ``path`` of ``model`` to ``value``, or None if no field matches."""
    head, rest = path[0], path[1:]
    info = model.model_fields.get(head)
    if info is None:
        return None
    annotation = info.annotation
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if not rest:
            return {head: _json_value(value)}
        inner = _place_setting(annotation, rest, value)
        return None if inner is None else {head: inner}
    complex_field = typing.get_origin(annotation) in (dict, list) or annotation in (dict, list)
    if rest:
        if not complex_field or typing.get_origin(annotation) is list:
            return None
        nested: Any = _json_value(value)
        for key in reversed(rest):
            nested = {key: nested}
        return {head: nested}
    return {head: _json_value(value) if complex_field else value}


def _json_value(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError as exc:
        raise BadInput(f"environment: expected JSON for a structured setting, got {value[:40]!r}") from exc


def _deep_merge_into(target: dict[str, Any], top: dict[str, Any]) -> None:
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_merge_into(target[key], value)
        else:
            target[key] = value


def _is_setting_var(name: str) -> bool:
    """``AGENTOPS_*`` names a setting (case-insensitively, as pydantic-settings reads them);
    ``AGENTOPS_CONFIG`` only names the file."""
    upper = name.upper()
    return upper.startswith(ENV_PREFIX) and upper != "AGENTOPS_CONFIG"


def _env_layer(values: dict[str, str | None], parsed: dict[str, Any]) -> dict:
    """One environment-like layer: pydantic-settings parses ``AGENTOPS_*`` (``parsed``); we add
    the well-known aliases from ``values``."""
    layer: dict[str, Any] = dict(parsed)
    upper = {k.upper(): v for k, v in values.items() if v is not None}
    for name, dotted in ENV_ALIASES.items():
        for candidate in (f"AGENTOPS_{name}", name):
            if candidate in upper and upper[candidate] != "":
                _set_dotted(layer, dotted, upper[candidate])
                break
    return layer


def find_config_file(explicit: Path | None) -> Path | None:
    """``--config``, then ``AGENTOPS_CONFIG``, then ``./agentops.yaml`` when present."""
    if explicit is not None:
        if not explicit.is_file():
            raise BadInput(f"{explicit}: config file not found")
        return explicit
    env = os.environ.get("AGENTOPS_CONFIG")
    if env:
        path = Path(env)
        if not path.is_file():
            raise BadInput(f"{path}: config file not found (from AGENTOPS_CONFIG)")
        return path
    default = Path(DEFAULT_CONFIG_NAME)
    return default if default.is_file() else None


def read_config_file(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    """Parse and validate a config file on its own, so errors point at ``file:line``."""
    from agentops_cli import safe_yaml

    source = str(path)
    budget = safe_yaml.YamlBudget(max_bytes=1024 * 1024)  # a config file is a page, not a data set
    root = safe_yaml.compose(safe_yaml.read_yaml_text(path, budget, "config file"), source, budget)
    data = None if root is None else safe_yaml.construct(root, source)
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise BadInput(f"{path}:1: config file must be a mapping of keys, got {type(data).__name__}")
    lines = {".".join(str(p) for p in key): line for key, line in safe_yaml.key_lines(root).items() if key}
    try:
        Settings.model_validate(data)
    except ValidationError as exc:
        raise BadInput(_describe_error(exc, str(path), lines)) from exc
    return data, lines


def _describe_error(exc: ValidationError, where: str, lines: dict[str, int] | None = None) -> str:
    err = exc.errors()[0]
    dotted = ".".join(str(p) for p in err["loc"])
    line = ""
    if lines:
        probe = dotted
        while probe and probe not in lines:
            probe = probe.rpartition(".")[0]
        if probe:
            line = f":{lines[probe]}"
    message = err["msg"]
    if err["type"] == "extra_forbidden":
        message = "unknown key"
    return f"{where}{line}: {dotted}: {message}"


def load_settings(
    config_file: Path | None = None,
    overrides: dict[str, Any] | None = None,
    *,
    dotenv_path: Path | None = Path(".env"),
) -> LoadedSettings:
    """Build the effective settings from every layer and remember each key's source.

    ``overrides`` holds flag values as dotted keys (``{"llm.model": "gpt-4o"}``); ``None``
    values mean "flag not given" and are skipped.
    """
    path = find_config_file(config_file)
    file_layer, _ = read_config_file(path) if path else ({}, {})

    dotenv_values: dict[str, str | None] = {}
    dotenv_layer: dict[str, Any] = {}
    if dotenv_path is not None and dotenv_path.is_file():
        from dotenv import dotenv_values as read_dotenv

        dotenv_values = dict(read_dotenv(dotenv_path))
        dotenv_layer = _env_layer(dotenv_values, _parse_setting_vars(dotenv_values, Settings))
    env_layer = _env_layer(dict(os.environ), _agentops_env(Settings))
    flag_layer: dict[str, Any] = {}
    for dotted, value in (overrides or {}).items():
        if value is not None:
            _set_dotted(flag_layer, dotted, value)

    layers = [
        (str(path), file_layer),
        (".env", dotenv_layer),
        ("env", env_layer),
        ("flag", flag_layer),
    ]
    merged: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name, layer in layers:
        if not layer:
            continue
        merged = _deep_merge(merged, layer)
        for dotted in _flatten(layer):
            sources[dotted] = name
    try:
        settings = Settings.model_validate(merged)
    except ValidationError as exc:
        dotted = ".".join(str(p) for p in exc.errors()[0]["loc"])
        origin = sources.get(dotted) or next(
            (src for key, src in sources.items() if key.startswith(dotted) or dotted.startswith(key)),
            "settings",
        )
        raise BadInput(_describe_error(exc, origin)) from exc
    return LoadedSettings(settings=settings, sources=sources, config_file=path)


def mask_secret(value: str) -> str:
    """``sk-proj-abc…wxyz`` → ``sk-…wxyz``: enough to recognise a key, never enough to use it."""
    if len(value) <= 8:
        return "****"
    head = value.split("-", 1)[0] + "-" if "-" in value[:8] else value[:2]
    return f"{head}…{value[-4:]}"


def effective_items(loaded: LoadedSettings) -> list[tuple[str, Any, str]]:
    """(dotted key, display value with secrets masked, source) for every setting."""
    data = loaded.settings.model_dump(mode="python")
    rows: list[tuple[str, Any, str]] = []
    for dotted, value in sorted(_flatten(data).items()):
        if isinstance(value, SecretStr):
            value = mask_secret(value.get_secret_value())
        elif isinstance(value, Path):
            value = str(value)
        source = loaded.sources.get(dotted, "default")
        rows.append((dotted, value, source))
    return rows


def settings_secrets(settings: Settings) -> list[str]:
    """Every secret value in force, for the log/cache redaction filters."""
    secrets = [settings.llm.api_key, settings.langsmith.api_key, settings.redis_url, settings.postgres_url]
    return [s.get_secret_value() for s in secrets if s and s.get_secret_value()]
