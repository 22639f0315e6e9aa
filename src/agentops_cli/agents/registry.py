"""The agent registry: a name (or a target spec) in, an :class:`~agentops_cli.agents.protocol.Agent` out.

Sources, lowest to highest precedence: the built-ins (support, document, research) <
installed plugins (entry-point group ``agentops.agents``) < ``agents:`` in agentops.yaml <
a spec given on the command line (``--target``, or a name that *is* a spec). ``run``,
``eval`` and the services built on them all resolve agents here and nowhere else.

User agents are built once per process and definition (importing a module, running its
``setup`` hook, opening an HTTP client cost once, not per example).
"""

from __future__ import annotations

import threading
from typing import Any

from agentops_cli.agents.protocol import Agent, Source
from agentops_cli.config import AgentEntry, Settings
from agentops_cli.errors import BadInput

ENTRY_POINT_GROUP = "agentops.agents"
SPEC_PREFIXES = ("python:", "http://", "https://", "exec:")

_extra: dict[str, Agent] = {}  # register(): tests and embedding applications
_built: dict[tuple[str, str, str], Agent] = {}
_lock = threading.Lock()


def is_spec(text: str) -> bool:
    """Whether ``text`` is a target spec rather than an agent name."""
    return text.startswith(SPEC_PREFIXES)


def register(agent: Agent) -> None:
    """Add (or replace) an agent by name, above every other source (tests, embedding apps)."""
    _extra[agent.name] = agent


def unregister(name: str) -> None:
    _extra.pop(name, None)


def _builtins() -> dict[str, Agent]:
    from agentops_cli.agents.builtins import builtin_agents

    return builtin_agents()  # type: ignore[return-value]


_plugins: dict[str, Any] | None = None  # installed plugins, read once per process (see reset())


def _entry_points() -> dict[str, Any]:
    """Installed plugins by name. Read once: scanning every installed distribution's metadata
    costs ~10 ms (far more on a busy machine), which ``serve`` and ``eval`` would otherwise pay
    on every run they resolve."""
    global _plugins
    if _plugins is None:
        from importlib.metadata import entry_points

        _plugins = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return _plugins


def _build(name: str, entry: AgentEntry, source: Source) -> Agent:
    """A user agent from its definition, built once per process (keyed by name and definition)."""
    key = (name, source, entry.model_dump_json())
    with _lock:
        agent = _built.get(key)
        if agent is None:
            from agentops_cli.agents.targets import make_target

            agent = make_target(name, entry, source)
            _built[key] = agent
        return agent


def _plugin(name: str, ep: Any) -> Agent:
    """An entry point's object: an Agent as is, a spec string, or anything a python target can call."""
    try:
        obj = ep.load()
    except Exception as exc:
        raise BadInput(
            f"agent '{name}' (plugin {ep.value}): cannot load: {type(exc).__name__}: {exc}"
        ) from exc
    if isinstance(obj, Agent):
        return obj
    if isinstance(obj, str):
        return _build(name, AgentEntry(target=obj), "plugin")
    from agentops_cli.agents.targets.python_target import PythonTarget

    return PythonTarget(name, AgentEntry(target=f"python:{ep.value}"), "plugin", obj=obj)


def get_agent(name: str, settings: Settings, *, spec: AgentEntry | None = None) -> Agent:
    """The agent called ``name`` (or the target ``name`` spells); spec errors raise ``BadInput``.

    ``spec`` (``--target``) wins over every registered agent of that name.
    """
    if spec is not None:
        return _build(name, spec, "cli")
    if is_spec(name):
        return _build(name, AgentEntry(target=name), "cli")
    if name in _extra:
        return _extra[name]
    if name in settings.agents:
        return _build(name, settings.agents[name], "config")
    plugins = _entry_points()
    if name in plugins:
        return _plugin(name, plugins[name])
    builtins = _builtins()
    if name in builtins:
        return builtins[name]
    known = sorted({*builtins, *plugins, *settings.agents, *_extra})
    raise BadInput(f"unknown agent '{name}' (choose from {', '.join(known)}, or give a target spec)")


def agent_names(settings: Settings) -> list[str]:
    """Every name ``get_agent`` resolves, without loading any plugin or user module."""
    return sorted({*_builtins(), *_entry_points(), *settings.agents, *_extra})


def user_agent_names(settings: Settings) -> list[str]:
    """Names that resolve to a user agent (config, plugins, registered non-built-ins)."""
    extra = {name for name, agent in _extra.items() if agent.source != "builtin"}
    return sorted({*settings.agents, *_entry_points(), *extra})


def list_agents(settings: Settings) -> list[dict[str, Any]]:
    """Name, source, target and description of every agent, highest-precedence source winning."""
    rows: dict[str, dict[str, Any]] = {}
    for name, agent in _builtins().items():
        rows[name] = {
            "name": name,
            "source": "builtin",
            "target": agent.target,
            "description": agent.description,
        }
    for name, ep in _entry_points().items():
        rows[name] = {"name": name, "source": "plugin", "target": f"python:{ep.value}", "description": ""}
    for name, entry in settings.agents.items():
        rows[name] = {
            "name": name,
            "source": "config",
            "target": entry.target,
            "description": entry.description,
        }
    for name, agent in _extra.items():
        rows[name] = {
            "name": name,
            "source": agent.source,
            "target": agent.target,
            "description": agent.description,
        }
    return [rows[name] for name in sorted(rows)]


def reset() -> None:
    """Forget built user agents and the plugin list (tests; a long-lived process after a change)."""
    global _plugins
    with _lock:
        _built.clear()
        _plugins = None


def describe(name: str, settings: Settings) -> dict[str, Any]:
    """``agents show``: name, source, target, description, input JSON schema, mappings."""
    from agentops_cli.agents.protocol import COMMON_KEYS

    agent = get_agent(name, settings)
    own = getattr(agent, "describe", None)
    info: dict[str, Any] = (
        own()
        if callable(own)
        else {
            "name": agent.name,
            "source": agent.source,
            "target": agent.target,
            "description": agent.description,
        }
    )
    info.setdefault("input_schema", agent.input_model.model_json_schema())
    info["output_keys"] = [*COMMON_KEYS, "output" if agent.source != "builtin" else "…agent's own keys"]
    return info
