"""SARIF 2.1.0, so GitHub code scanning shows findings at ``file:line``.

Rules come from the catalogue; a result is emitted for each ``fail``/``partial`` item,
located at its evidence. Items whose evidence names no file (e.g. "no Dockerfile") are
anchored at line 1 of a repository-level file, because code scanning needs a location.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agentops_cli import __version__
from agentops_cli.readiness.catalogue import load_catalogue
from agentops_cli.readiness.models import ItemResult, Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"  # checklist: allow (format constant)
INFO_URI = "https://github.com/agentops/agentops-cli"  # checklist: allow (format constant)
ANCHORS = ("README.md", "pyproject.toml", "package.json", "setup.py")


def _level(item: ItemResult) -> str:
    serious = item.severity in ("critical", "high")
    if item.status == "fail":
        return "error" if serious else "warning"
    return "warning" if serious else "note"


def _location(path: str, line: int) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"},
            "region": {"startLine": max(line, 1)},
        }
    }


def _is_file(path: str) -> bool:
    return path not in (".", "") and not path.startswith(".git/")


def render_sarif(report: Report, anchor: str | None = None) -> dict[str, Any]:
    catalogue = load_catalogue()
    rules = [
        {
            "id": item.id,
            "name": item.id.replace("-", ""),
            "shortDescription": {"text": item.title.en},
            "fullDescription": {"text": f"{item.title.en} / {item.title.es}"},
            "help": {"text": item.remediation.en},
            "defaultConfiguration": {
                "level": "error" if item.severity in ("critical", "high") else "warning"
            },
            "properties": {"tags": [item.section, item.verification], "severity": item.severity},
        }
        for item in catalogue.items
    ]
    root = Path(report.path)
    anchor = anchor or next((name for name in ANCHORS if (root / name).is_file()), "README.md")
    results = []
    for item in report.items:
        if item.status not in ("fail", "partial"):
            continue
        locations = [_location(e.path, e.line) for e in item.evidence if _is_file(e.path)][:10]
        message = item.note or item.title
        if not locations:
            locations = [_location(anchor, 1)]
            message = f"{message} (repository-wide)"
        results.append(
            {
                "ruleId": item.id,
                "level": _level(item),
                "message": {"text": f"{item.id} {item.title}: {message}. Fix: {item.remediation}"},
                "locations": locations,
            }
        )
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "agentops checklist",
                        "version": __version__,
                        "informationUri": INFO_URI,
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
