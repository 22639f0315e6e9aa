# ruff: noqa: E501
"""The catalogue holds every item of the seeds: a dropped item fails here.

checklist: skip-file (seed text, not evidence of this repository's practices)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops_cli.readiness.catalogue import (
    CATALOGUE_PATH,
    CATALOGUE_SOURCE,
    REGENERATE,
    compiled,
    load_catalogue,
)
from agentops_cli.readiness.detectors import REGISTRY
from tests.conftest import SHARED, needs_shared

S000 = "000_5acd8f340a55f4bc.txt"
S002 = "002_f52b54572ac5f007.txt"

# Every checklist item of the seeds, extracted by hand: "Checklist de Producción" (000), then
# "Checklist de Paso a Producción" and its deployment notes (002).
SEED_ITEMS: list[tuple[str, str]] = [
    (S000, "Todos los flujos principales funcionan"),
    (S000, "Casos de error manejados"),
    (S000, "Validaciones de entrada"),
    (S000, "Tests comprehensivos (>80% cobertura)"),
    (S000, "Latencia < requisitos (ej: p95 < 3s)"),
    (S000, "Throughput adecuado"),
    (S000, "Concurrencia sin degradación"),
    (S000, "Timeout configurados"),
    (S000, "Retry con backoff exponencial"),
    (S000, "Circuit breakers"),
    (S000, "Fallbacks para LLM failures"),
    (S000, "Idempotencia en operaciones críticas"),
    (S000, "Logging estructurado"),
    (S000, "Métricas (latencia, errores, costos)"),
    (S000, "Tracing distribuido"),
    (S000, "Alertas configuradas"),
    (S000, "API keys en secrets manager"),
    (S000, "Input sanitization"),
    (S000, "Rate limiting"),
    (S000, "Audit logs"),
    (S000, "Presupuesto definido"),
    (S000, "Monitoring de costos por llamada"),
    (S000, "Caching donde aplique"),
    (S000, "Modelos optimizados (gpt-4o-mini donde sea suficiente)"),
    # 002 deployment notes
    (S002, "Backen Robustos y con estrategia de feedback"),
    (S002, "Logs estructurados para depuración."),
    (S002, "Métricas expuestas para monitoreo."),
    (S002, "Variables de entorno para activar o desactivar funcionalidades."),
    (S002, "Uso de respuestas por defecto si el LLM falla."),
    (S002, "Versionado del código para revertir cambios fácilmente."),
    (S002, "Validar toda la cadena: entrada → procesamiento → salida."),
    # 002 checklist
    (S002, "Todos los módulos están encapsulados como clases (no funciones sueltas)."),
    (
        S002,
        "No hay valores hardcodeados: todos los valores sensibles o variables están en archivos de configuración.",
    ),
    (
        S002,
        "Existe un archivo de configuración centralizado (`config.yaml`, `.env`, `settings.py`, etc.) documentado y usado en todo el sistema.",
    ),
    (S002, "Todo el código sigue el estándar PEP 8, con herramientas como `black`, `ruff`, `isort`."),
    (S002, "Prompts separados en módulos reutilizables."),
    (S002, "LLMs instanciados a través de un único módulo de fábrica, adaptado al tipo de agente."),
    (S002, "Variables sensibles se cargan desde el entorno (`.env`) o sistema de configuración."),
    (
        S002,
        "Feature toggles: puedes desactivar/activar módulos como `DISABLE_LLM`, `USE_FAKE_DATA`, `ENABLE_VERBOSE_LOGGING`, etc.",
    ),
    (S002, "Pruebas unitarias para cada componente (incluyendo nodos y respuestas esperadas)."),
    (S002, "Pruebas de covertura con un porcetaje superior al 95%"),
    (S002, "Timeouts"),
    (S002, "Errores HTTP 5xx"),
    (S002, "Datos incompletos o malformados"),
    (S002, "Validación de formato de respuesta con `pydantic` o `cerberus`."),
    (S002, "Pruebas de carga (`locust`, `artillery`, `asyncio`) para medir degradación a alto tráfico."),
    (S002, "Mocks o fixtures con `pytest-httpx`, `responses`, etc."),
    (
        S002,
        "`pip-audit`, `safety`, `bandit` aplicados para revisar dependencias y buenas prácticas de seguridad.",
    ),
    (S002, "No hay secretos o credenciales en el código fuente ni en logs."),
    (
        S002,
        "Evaluación de sesgo en las respuestas del LLM, especialmente en temas sensibles (noticias, divisas).",
    ),
    (S002, "Fuentes múltiples para mitigar sesgo en noticias (o aclarar si hay una fuente dominante)."),
    (S002, "El agente tiene un mecanismo contra alucinar respuestas."),
    (S002, "Soporte para tareas múltiples o ambiguas (ej. clima + noticias)."),
    (S002, "Respuestas consistentes ante reformulación."),
    (S002, "Mantenimiento de idioma y tono uniforme."),
    (S002, "Evaluación automática con:"),
    (S002, "`LangSmith`"),
    (S002, "`TruLens`"),
    (S002, "`Ragas`"),
    (S002, "Logs estructurados (`loguru`, `structlog`) con niveles configurables."),
    (S002, "Métricas clave: tiempo de respuesta, fallos por módulo, estado del LLM."),
    (S002, "Dashboards activos (Prometheus + Grafana, o Elastic + Kibana)."),
    (S002, "Failover: si falla el LLM, el sistema sigue funcionando con respuestas básicas o estáticas."),
    (S002, "Healthchecks (`/healthz`, `/readyz`) implementados y monitoreados."),
    (S002, "Dockerfile reproducible + CI/CD automatizado."),
    (S002, "Sistema versionado con `git tags` o semver."),
    (S002, "Rollback simple a versión anterior."),
    (S002, "Pruebas end-to-end desde entrada hasta respuesta, pasando por APIs y LLMs."),
    (S002, "Diagrama C4 (nivel contenedor y componentes) actualizado."),
    (S002, "Documentación de módulos y flujo de datos disponible (`docs/`, `README`, etc.)."),
    (S002, "Script de arranque/desarrollo (`make dev`, `start.sh`, `dev.env`, etc.)."),
    (S002, "Integración lista para interacción con servicios externos vía:"),
    (S002, "**MCP: Protocolo de Contexto de Modelo**"),
    (S002, "**A2A: Comunicación entre agentes**"),
    (S002, "Definición clara de contexto y estado compartido si el agente opera en ecosistemas multiagente."),
    (S002, "¿El agente tiene permisos **mínimos y necesarios** para operar?"),
    (S002, "¿Se están utilizando **credenciales de solo lectura** cuando es posible?"),
    (S002, "¿Se restringió el acceso solo a **recursos específicos** (APIs, archivos, tablas)?"),
    (S002, "¿Se implementó **sandboxing** (contenedor, entorno restringido)?"),
    (S002, "¿Se anticiparon formas maliciosas de uso del agente (borrado, modificación de datos)?"),
    (S002, "¿Se simularon escenarios de abuso para validar los límites del sistema?"),
    (S002, "¿Se están combinando medidas (por ejemplo: permisos + sandbox)?"),
    (S002, "¿Se definieron reglas claras de acceso a recursos por tipo de tarea?"),
    (
        S002,
        "**Archivos**: ¿El agente está limitado a un directorio específico y solo accede a archivos seguros?",
    ),
    (S002, "**APIs**: ¿El agente usa claves de solo lectura o endpoints controlados?"),
    (
        S002,
        "**Bases de datos**: ¿Las credenciales están restringidas a tablas puntuales y en modo solo lectura?",
    ),
    (S002, "¿Hay verificación de cuentas (correo, teléfono) para acceso a la app?"),
    (S002, "¿Existe un sistema de **rate limiting** por IP o usuario?"),
    (S002, "¿Se implementaron límites de uso por sesión, día o usuario?"),
    (S002, "¿Se validan los prompts antes de enviarse al LLM?"),
    (S002, "¿Los prompts del sistema son **específicos y cerrados** al dominio esperado?"),
    (S002, "¿Se auditan las respuestas para detectar comportamientos no deseados?"),
]


def catalogue_sources() -> set[tuple[str, str]]:
    return {(s.file, s.text) for item in load_catalogue().items for s in item.source}


def test_every_seed_item_is_in_the_catalogue() -> None:
    missing = [text for text in SEED_ITEMS if text not in catalogue_sources()]
    assert missing == []


def test_catalogue_cites_only_seed_items() -> None:
    assert catalogue_sources() <= set(SEED_ITEMS)


@needs_shared("seeds")
def test_sources_are_the_users_words_verbatim() -> None:
    texts = {name: (SHARED / "seeds" / name).read_text(encoding="utf-8") for name in (S000, S002)}
    assert [t for f, t in SEED_ITEMS if t not in texts[f]] == []


def test_ids_stable_sections_known_and_both_languages() -> None:
    catalogue = load_catalogue()
    assert len(catalogue.items) == 75
    assert len({i.id for i in catalogue.items}) == 75
    assert {s.id for s in catalogue.sections} == {i.section for i in catalogue.items}
    for item in catalogue.items:
        assert item.title.en and item.title.es and item.remediation.en and item.remediation.es


def test_a_detector_for_every_verifiable_item_and_none_for_manual() -> None:
    catalogue = load_catalogue()
    verifiable = {i.id for i in catalogue.items if i.verification != "manual"}
    assert set(REGISTRY) == verifiable
    manual = {i.id for i in catalogue.items if i.verification == "manual"}
    assert {"PERF-02", "REL-04", "PERM-01", "PI-02", "DEF-01"} <= manual


def test_broken_catalogue_is_rejected(tmp_path: Path) -> None:
    import json

    import yaml

    def write(data: dict) -> Path:
        path = tmp_path / "c.json"
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    data = yaml.safe_load(CATALOGUE_SOURCE.read_text(encoding="utf-8"))
    data["items"][1]["id"] = data["items"][0]["id"]
    with pytest.raises(ValueError, match="duplicate item id FUN-01"):
        load_catalogue.__wrapped__(write(data))
    data = yaml.safe_load(CATALOGUE_SOURCE.read_text(encoding="utf-8"))
    data["items"][0]["section"] = "tests"
    with pytest.raises(ValueError, match="id prefix does not match"):
        load_catalogue.__wrapped__(write(data))
    data["items"][0]["section"] = "nope"
    with pytest.raises(ValueError, match="unknown section"):
        load_catalogue.__wrapped__(write(data))
    with pytest.raises(ValueError, match="unknown section"):  # the generator refuses it too
        (tmp_path / "c.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        compiled(tmp_path / "c.yaml")


def test_the_json_runs_read_is_generated_from_the_yaml_people_edit() -> None:
    assert CATALOGUE_PATH.read_text(encoding="utf-8") == compiled(), (
        f"catalogue.json is stale: regenerate it with `{REGENERATE}`"
    )


def test_item_reference_in_docs_is_current_and_anchors_every_item() -> None:
    """docs/checklist.md holds one section per item (the JSON ``doc`` and SARIF ``helpUri`` link
    there); regenerate with ``python -m agentops_cli.readiness.itemdocs docs/checklist.md``."""
    from pathlib import Path

    from agentops_cli.readiness.catalogue import load_catalogue
    from agentops_cli.readiness.itemdocs import render

    page = (Path(__file__).resolve().parents[2] / "docs" / "checklist.md").read_text(encoding="utf-8")
    assert render() in page
    for item in load_catalogue().items:
        assert f"#### {item.id.lower()}\n" in page
