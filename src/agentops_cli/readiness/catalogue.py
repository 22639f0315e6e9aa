"""Load the checklist catalogue: ``catalogue.yaml`` is the single source of the items.

The catalogue is data, not code, so adding or rewording an item never touches a
detector; the checks below keep ids unique and tied to their section's prefix so
ids stay stable across releases.

People edit ``catalogue.yaml`` (comments say where each item comes from); runs read
``catalogue.json``, generated from it by ``python -m agentops_cli.readiness.catalogue``
(a test fails while the two differ). Why: parsing the YAML means importing PyYAML, whose
import compiles its scanner's and resolver's regular expressions — as many instructions as
Python's own start-up, paid by every ``agentops checklist``; the standard library's JSON
parser reads the same data in under a millisecond.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from agentops_cli.readiness.models import Catalogue

CATALOGUE_SOURCE = Path(__file__).with_name("catalogue.yaml")
CATALOGUE_PATH = Path(__file__).with_name("catalogue.json")
REGENERATE = "python -m agentops_cli.readiness.catalogue"
# Each item has a section there (anchor = lower-case id): why it matters, how it is checked, how to fix.
DOCS_URL = "https://github.com/agentops/agentops-cli/blob/main/docs/checklist.md"  # checklist: allow


@cache
def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    """Read and check the catalogue; a broken catalogue is a bug, so it raises ``ValueError``."""
    return checked(json.loads(path.read_text(encoding="utf-8")), path)


def checked(data: object, path: Path) -> Catalogue:
    """The catalogue in ``data`` (read from ``path``), validated, or ``ValueError``."""
    catalogue = Catalogue.model_validate(data)
    prefixes = {s.id: s.prefix for s in catalogue.sections}
    seen: set[str] = set()
    for item in catalogue.items:
        if item.id in seen:
            raise ValueError(f"{path}: duplicate item id {item.id}")
        seen.add(item.id)
        if item.section not in prefixes:
            raise ValueError(f"{path}: {item.id}: unknown section {item.section!r}")
        if item.id.split("-")[0] != prefixes[item.section]:
            raise ValueError(f"{path}: {item.id}: id prefix does not match section {item.section}")
    return catalogue


def compiled(source: Path = CATALOGUE_SOURCE) -> str:
    """``catalogue.json`` as generated from ``source``: checked, one key per line for readable diffs."""
    from agentops_cli import safe_yaml

    data = safe_yaml.load_file(source)
    checked(data, source)
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    CATALOGUE_PATH.write_text(compiled(), encoding="utf-8")
    print(f"wrote {CATALOGUE_PATH}")
