"""deploy/: the compose stack, Prometheus scrape config and Grafana dashboard hang together.

No docker engine runs here, so the files are parsed and checked against each other and
against the metrics a real app exposes (a dashboard query on a metric nobody exports would
draw an empty panel forever).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SEED_PANELS = ("automation rate", "p95 latency", "error rate", "cost per hour")


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def test_compose_services_ports_volumes() -> None:
    compose = _compose()
    services = compose["services"]
    assert {"agentops-1", "agentops-2", "redis", "postgres", "prometheus", "grafana"} <= set(services)
    for name in ("agentops-1", "agentops-2"):
        replica = services[name]
        env = replica["environment"]
        assert env["AGENTOPS_REDIS_URL"].startswith("redis://redis:")
        assert (
            env["AGENTOPS_POSTGRES_URL"].startswith("postgresql://")
            and "@postgres:" in env["AGENTOPS_POSTGRES_URL"]
        )
        assert env["AGENTOPS_CACHE__BACKEND"] == "redis"
        assert "/readyz" in " ".join(replica["healthcheck"]["test"])
        assert replica["command"][:2] == ["agentops", "serve"]
    for service in services.values():
        for port in service.get("ports", []):
            assert port.startswith("127.0.0.1:"), f"{port}: published beyond loopback"
    named = set(compose["volumes"])
    for service in services.values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                assert (DEPLOY / source).exists(), f"{source} missing"
            else:
                assert source in named


def test_prometheus_scrapes_both_replicas() -> None:
    config = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    job = config["scrape_configs"][0]
    assert job["metrics_path"] == "/metrics"
    targets = job["static_configs"][0]["targets"]
    assert set(targets) == {"agentops-1:8000", "agentops-2:8000"}


def _dashboard() -> dict:
    return json.loads((DEPLOY / "grafana" / "dashboards" / "agentops.json").read_text())


def test_dashboard_has_the_seed_panels() -> None:
    titles = [p["title"].lower() for p in _dashboard()["panels"]]
    for wanted in SEED_PANELS:
        assert any(wanted in title for title in titles), wanted
    provider = yaml.safe_load((DEPLOY / "grafana/provisioning/dashboards/agentops.yml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"


def test_dashboard_queries_use_exposed_metrics(support_model_cache: Path, tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from agentops_cli.config import load_settings
    from agentops_cli.serving.app import create_app

    settings = load_settings(
        None,
        {"cache_dir": str(support_model_cache), "home": str(tmp_path), "llm.provider": "offline"},
        dotenv_path=None,
    ).settings
    with TestClient(create_app(settings)) as client:
        client.post("/v1/agents/support/runs", json={"query": "where is my parcel"})
        exposed = client.get("/metrics").text
    names = {
        line.split("{")[0].split(" ")[0] for line in exposed.splitlines() if line and not line.startswith("#")
    }
    for found in re.finditer(r"^# TYPE (\w+) (\w+)", exposed, re.M):  # families without samples yet
        name, kind = found.groups()
        base = name.removesuffix("_total")
        names |= {name, *({"counter": [base + "_total"], "histogram": [name + "_bucket"]}.get(kind, []))}
    for panel in _dashboard()["panels"]:
        for target in panel["targets"]:
            metrics = set(re.findall(r"\b((?:agent|support)_[a-z_]+)\b", target["expr"]))
            assert metrics, panel["title"]
            for metric in metrics:
                assert metric in names, f"panel {panel['title']!r}: {metric} is not exposed by /metrics"
