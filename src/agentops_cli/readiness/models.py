"""Typed shapes of the readiness check: catalogue items in, a report out.

They are pydantic models because they cross boundaries: the catalogue is read from
YAML, the answers file from the user, and the report is written as JSON/SARIF.

Every model sets ``defer_build``: pydantic then builds a model's validator on its first use
instead of at import. Building all of them costs ~25 ms of ``agentops checklist`` start-up,
while a run validates only some of them on their own (``Answer`` only with an answers file;
``Text``, ``Section``, ``SourceRef`` and ``CatalogueItem`` only inside ``Catalogue``).
Validation itself is unchanged: whatever is validated is validated as strictly as before.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Severity = Literal["critical", "high", "medium", "low"]
Verification = Literal["auto", "partial", "manual"]
# ``inconclusive``: the detector does not read the project's language, so it cannot say
# ``fail``; like ``n/a`` it leaves the score's denominator (the tool, not the project, is short).
Status = Literal["pass", "fail", "partial", "manual", "n/a", "inconclusive"]
STATUSES: tuple[str, ...] = ("pass", "partial", "fail", "manual", "n/a", "inconclusive")
AnswerStatus = Literal["pass", "fail", "partial", "n/a"]
Lang = Literal["en", "es"]

SEVERITY_WEIGHT: dict[str, int] = {"critical": 4, "high": 3, "medium": 2, "low": 1}
STATUS_SCORE: dict[str, int] = {"pass": 10, "partial": 5, "fail": 0, "manual": 0}


class Strict(BaseModel):
    """Unknown keys are errors, so a typo in the catalogue or answers file surfaces."""

    model_config = ConfigDict(extra="forbid", defer_build=True)


class Text(Strict):
    en: str
    es: str

    def get(self, lang: Lang) -> str:
        return self.es if lang == "es" else self.en


class SourceRef(Strict):
    """Where an item comes from: the seed file and the user's original words."""

    file: str
    text: str


class Section(Strict):
    id: str
    prefix: str
    title: Text


class CatalogueItem(Strict):
    id: str = Field(pattern=r"^[A-Z]{2,5}-\d{2}$")
    section: str
    title: Text
    severity: Severity
    verification: Verification
    remediation: Text
    source: list[SourceRef] = Field(min_length=1)


class Catalogue(Strict):
    version: int
    sections: list[Section]
    items: list[CatalogueItem]

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)


class Evidence(BaseModel):
    """One place in the code base that supports a verdict (``line`` 0 = the whole file)."""

    model_config = ConfigDict(defer_build=True)

    path: str
    line: int = 0
    note: str = ""


class Answer(Strict):
    """A person's verdict on an item that files cannot prove (from the answers file)."""

    status: AnswerStatus
    note: str = ""
    owner: str = ""
    date: dt.date | None = None


class ItemResult(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    section: str
    title: str
    status: Status
    evidence: list[Evidence] = Field(default_factory=list)
    remediation: str
    severity: Severity
    verification: Verification
    score: int | None = Field(None, description="0-10; null when n/a or inconclusive")
    note: str = ""
    answered_by: str | None = None
    doc: str = Field("", description="documentation of the item: why, how it is checked, how to fix")
    detector_version: int | None = Field(None, description="bumped when the detector's verdicts change")
    confidence: str | None = Field(None, description="high | medium | low: how far files alone decide")


class SectionResult(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    title: str
    score_pct: float | None
    counts: dict[str, int] = Field(default_factory=dict)


class Report(BaseModel):
    """The ``--json`` document of ``agentops checklist`` (keys of the CLI contract first)."""

    model_config = ConfigDict(defer_build=True)

    path: str
    score_pct: float | None
    sections: list[SectionResult]
    items: list[ItemResult]
    lang: Lang = "en"
    counts: dict[str, int] = Field(default_factory=dict)
    files_scanned: int = 0
    elapsed_ms: int = 0
    project: dict[str, Any] = Field(default_factory=dict)
    answers_file: str | None = None
