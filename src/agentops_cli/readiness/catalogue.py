"""Load the checklist catalogue (``catalogue.yaml``), the single source of the items.

The catalogue is data, not code, so adding or rewording an item never touches a
detector; the checks below keep ids unique and tied to their section's prefix so
ids stay stable across releases.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from agentops_cli import safe_yaml
from agentops_cli.readiness.models import Catalogue

CATALOGUE_PATH = Path(__file__).with_name("catalogue.yaml")
# Each item has a section there (anchor = lower-case id): why it matters, how it is checked, how to fix.
DOCS_URL = "https://github.com/agentops/agentops-cli/blob/main/docs/checklist.md"  # checklist: allow


@cache
def load_catalogue(path: Path = CATALOGUE_PATH) -> Catalogue:
    """Parse and check the catalogue; a broken catalogue is a bug, so it raises ``ValueError``."""
    data = safe_yaml.load_file(path)
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
