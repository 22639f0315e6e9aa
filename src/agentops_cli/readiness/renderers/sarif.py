"""SARIF 2.1.0, so GitHub code scanning shows findings at ``file:line``.

Rules come from the catalogue; a result is emitted for each ``fail``/``partial`` item,
located at its evidence. Items whose evidence names no file (e.g. "no Dockerfile") are
anchored at line 1 of a repository-level file, because code scanning needs a location.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from agentops_cli import __version__
from agentops_cli.readiness.catalogue import DOCS_URL, load_catalogue
from agentops_cli.readiness.models import ItemResult, Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"  # checklist: allow (format constant)
INFO_URI = "https://github.com/agentops/agentops-cli"  # checklist: allow (format constant)
ANCHORS = ("pyproject.toml", "package.json", "setup.py", "go.mod", "Cargo.toml", "README.md")
README_ITEMS = frozenset({"ARC-02"})  # the only item that is about the README itself


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
            "helpUri": f"{DOCS_URL}#{item.id.lower()}",
            "defaultConfiguration": {
                "level": "error" if item.severity in ("critical", "high") else "warning"
            },
            "properties": {"tags": [item.section, item.verification], "severity": item.severity},
        }
        for item in catalogue.items
    ]
    root = Path(report.path)
    manifest = anchor or next((name for name in ANCHORS if (root / name).is_file()), "README.md")
    results = []
    for item in report.items:
        if item.status not in ("fail", "partial"):
            continue
        located = [e for e in item.evidence if _is_file(e.path)][:10]
        locations = [_location(e.path, e.line) for e in located]
        message = item.note or item.title
        if not locations:  # one placeholder at most: the README only for the README item
            placeholder = "README.md" if item.id in README_ITEMS else manifest
            locations = [_location(placeholder, 1)]
            message = f"{message} (repository-wide)"
        where = ",".join(f"{e.path}:{e.line}" for e in located) or "repository"
        fingerprint = hashlib.sha256(f"{item.id}|{item.status}|{where}".encode()).hexdigest()[:32]
        results.append(
            {
                "ruleId": item.id,
                "level": _level(item),
                "message": {"text": f"{item.id} {item.title}: {message}. Fix: {item.remediation}"},
                "locations": locations,
                "partialFingerprints": {"agentopsChecklist/v1": fingerprint},
                "properties": {
                    "status": item.status,
                    "confidence": item.confidence,
                    "detectorVersion": item.detector_version,
                },
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
