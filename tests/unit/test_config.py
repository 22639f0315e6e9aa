from __future__ import annotations

import sys
from pathlib import Path

import pytest

from agentops_cli.config import effective_items, load_settings, mask_secret, read_config_file
from agentops_cli.errors import BadInput


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_offline_without_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    loaded = load_settings()
    assert loaded.settings.provider() == "offline"
    assert loaded.settings.llm.model == "gpt-4o-mini"
    assert loaded.config_file is None


def test_precedence_file_then_env_then_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cfg = write(tmp_path / "agentops.yaml", "llm:\n  model: from-file\n  temperature: 0.5\n")
    loaded = load_settings(cfg)
    assert loaded.settings.llm.model == "from-file"
    assert loaded.sources["llm.model"] == str(cfg)

    monkeypatch.setenv("AGENTOPS_LLM__MODEL", "from-env")
    loaded = load_settings(cfg)
    assert loaded.settings.llm.model == "from-env"
    assert loaded.sources["llm.model"] == "env"
    assert loaded.settings.llm.temperature == 0.5  # untouched keys keep the file's value

    loaded = load_settings(cfg, {"llm.model": "from-flag", "llm.provider": None})
    assert loaded.settings.llm.model == "from-flag"
    assert loaded.sources["llm.model"] == "flag"
    assert loaded.settings.llm.provider == "auto"  # a None flag means "not given"


def test_default_config_file_in_cwd_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "agentops.yaml", "eval:\n  concurrency: 3\n")
    assert load_settings().settings.eval.concurrency == 3


def test_dotenv_sits_between_file_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cfg = write(tmp_path / "c.yaml", "llm:\n  model: file\n")
    write(tmp_path / ".env", "AGENTOPS_LLM__MODEL=dotenv\nOPENAI_API_KEY=sk-dotenv-1234567890\n")
    loaded = load_settings(cfg)
    assert loaded.settings.llm.model == "dotenv"
    assert loaded.sources["llm.model"] == ".env"
    assert loaded.settings.provider() == "openai"
    monkeypatch.setenv("AGENTOPS_LLM__MODEL", "env")
    assert load_settings(cfg).settings.llm.model == "env"


def test_well_known_env_names_and_seed_toggles(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-abcdefghijklmnop")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    settings = load_settings().settings
    assert settings.provider() == "openai"
    assert settings.llm.base_url == "http://127.0.0.1:9/v1"
    monkeypatch.setenv("DISABLE_LLM", "true")
    assert load_settings().settings.provider() == "offline"
    monkeypatch.delenv("DISABLE_LLM")
    monkeypatch.setenv("AGENTOPS_ENABLE_VERBOSE_LOGGING", "1")
    assert load_settings().settings.enable_verbose_logging is True


def test_langsmith_tracing_needs_a_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LANGSMITH_TRACING", "true")
    assert load_settings().settings.langsmith_enabled() is False
    monkeypatch.setenv("LANGSMITH_API_KEY", "lsv2_pt_abcdef123456")
    assert load_settings().settings.langsmith_enabled() is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("llm:\n  model: x\n  temprature: 0.3\n", ":3: llm.temprature: unknown key"),
        ("eval:\n  concurrency: -4\n", ":2: eval.concurrency: Input should be greater than or equal to 1"),
        ("llm:\n  model: [unclosed\n", ":3: invalid YAML"),
        ("- just\n- a list\n", ":1: config file must be a mapping"),
    ],
)
def test_bad_config_file_names_file_and_line(tmp_path: Path, text: str, expected: str) -> None:
    cfg = write(tmp_path / "bad.yaml", text)
    with pytest.raises(BadInput) as info:
        read_config_file(cfg)
    assert str(info.value).startswith(str(cfg))
    assert expected in str(info.value)


def test_bad_environment_value_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AGENTOPS_EVAL__CONCURRENCY", "lots")
    with pytest.raises(BadInput, match=r"^env: eval.concurrency"):
        load_settings()


def test_missing_explicit_config_is_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="config file not found"):
        load_settings(tmp_path / "nope.yaml")


@pytest.mark.parametrize(
    ("secret", "masked"),
    [
        ("sk-proj-fakeabcdefghijklmnopqrstuv1234", "sk-…1234"),
        ("lsv2_pt_0123456789abcd", "ls…abcd"),
        ("short", "****"),
    ],
)
def test_mask_secret(secret: str, masked: str) -> None:
    assert mask_secret(secret) == masked


def test_effective_items_mask_secrets_and_show_sources(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    key = "sk-live-fake0123456789abcdWXYZ"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    rows = {k: (v, s) for k, v, s in effective_items(load_settings())}
    assert rows["llm.api_key"] == ("sk-…WXYZ", "env")
    assert rows["llm.model"] == ("gpt-4o-mini", "default")
    assert key not in repr(rows)


def test_example_config_is_valid_and_complete() -> None:
    from agentops_cli.config import Settings, _flatten
    from agentops_cli.resources import config_example

    data, _ = read_config_file(config_example())
    documented = set(_flatten(data))
    every = set(_flatten(Settings().model_dump()))
    assert every - documented == set(), "config.example.yaml must document every key"


def test_environment_reaches_nested_sections_dict_fields_and_json(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("agentops_eval__concurrency", "12")  # names are case-insensitive
    monkeypatch.setenv("AGENTOPS_EVAL__GATES__FIELD_F1", "0.5")  # __ descends into a dict field
    monkeypatch.setenv("AGENTOPS_LLM__AGENT_MODELS", '{"research": "gpt-4o"}')  # a dict field is JSON
    monkeypatch.setenv("AGENTOPS_NOT_A_SETTING", "x")  # ignored, as pydantic-settings did
    monkeypatch.setenv("AGENTOPS_EVAL__NOPE", "x")
    settings = load_settings(None).settings
    assert settings.eval.concurrency == 12
    assert settings.eval.gates == {"field_f1": 0.5}
    assert settings.llm.agent_models == {"research": "gpt-4o"}


def test_environment_json_that_does_not_parse_is_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("AGENTOPS_PRICES", "{not json")
    with pytest.raises(BadInput, match="expected JSON"):
        load_settings(None)


@pytest.mark.skipif(sys.platform != "linux", reason="the XDG variables are platformdirs' Linux inputs")
def test_default_folders_follow_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The platform folders are memoised on the variables platformdirs reads, so a changed
    environment still moves them."""
    for variable in ("AGENTOPS_CACHE_DIR", "AGENTOPS_HOME"):  # the suite's conftest sets them
        monkeypatch.delenv(variable, raising=False)
    settings = load_settings(None, {}, dotenv_path=None).settings
    for xdg in ("one", "two"):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / xdg / "cache"))
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / xdg / "data"))
        assert settings.resolved_cache_dir() == tmp_path / xdg / "cache" / "agentops"
        assert settings.resolved_home() == tmp_path / xdg / "data" / "agentops"
    explicit = load_settings(None, {"cache_dir": str(tmp_path / "c"), "home": str(tmp_path / "h")}).settings
    assert (explicit.resolved_cache_dir(), explicit.resolved_home()) == (tmp_path / "c", tmp_path / "h")
