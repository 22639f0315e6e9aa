"""Bits every renderer shares: icons, evidence formatting."""

from __future__ import annotations

from agentops_cli.readiness.models import Evidence

ICONS = {"pass": "✔", "partial": "◐", "fail": "✘", "manual": "?", "n/a": "–", "inconclusive": "…"}
STYLES = {
    "pass": "green",
    "partial": "yellow",
    "fail": "red",
    "manual": "cyan",
    "n/a": "dim",
    "inconclusive": "magenta",
}


def where(ev: Evidence) -> str:
    return f"{ev.path}:{ev.line}" if ev.line else ev.path


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"
