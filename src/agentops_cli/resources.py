"""Where the shipped data lives: ``prompts/`` and ``datasets/``.

In a checkout they sit at the repository root (so editing them needs no rebuild);
in an installed wheel ``setup.py`` copies them into ``agentops_cli/_data/``.
One lookup serves both, so no other module guesses paths.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_root() -> Path:
    """The folder holding ``prompts/`` and ``datasets/`` (checkout first, then wheel)."""
    checkout = _PACKAGE_DIR.parent.parent
    if (checkout / "prompts").is_dir() and (checkout / "datasets").is_dir():
        return checkout
    return _PACKAGE_DIR / "_data"


def prompts_dir() -> Path:
    return data_root() / "prompts"


def datasets_dir() -> Path:
    return data_root() / "datasets"


@cache
def load_prompt(name: str) -> str:
    """Return the prompt template ``prompts/<name>.md`` (e.g. ``support/classify``).

    Prompts live in files, never inline in code, so they can be reviewed and
    versioned apart from the logic that fills them.
    """
    path = prompts_dir() / f"{name}.md"
    if not path.is_file():
        raise FileNotFoundError(f"prompt '{name}' not found at {path}")
    return path.read_text(encoding="utf-8")


def config_example() -> Path:
    """The documented example config, also the template of ``agentops config init``."""
    return data_root() / "config.example.yaml"
