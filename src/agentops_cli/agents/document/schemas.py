"""Pydantic models at the document agent's boundaries.

Two families:

* what a step *answers* (``*Answer``, ``*Fields``) — the structured output asked of the
  LLM and returned identically by the offline twins. Values come with the ``quote`` they
  were read from, because only a quote can be located in the text;
* what the agent *returns* (:class:`DocumentOutput`) — the contract's JSON keys, every
  value grounded with ``start``/``end`` offsets into the loaded text.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr


# -- step answers (LLM structured output == offline twin output) --------------------------------
class Quoted(BaseModel):
    """A value and the exact words of the document it was read from."""

    value: str = Field(description="the value, normalised when you can (ISO date, '15000 EUR', 'P12M')")
    quote: str = Field(description="the exact words of the document that state the value, copied verbatim")
    _start: int | None = PrivateAttr(default=None)

    @classmethod
    def at(cls, text: str, start: int, end: int, value: str | None = None) -> Quoted:
        """Offline twins know where they found a value: remember it as a hint for grounding."""
        quoted = cls(value=value if value is not None else text[start:end], quote=text[start:end])
        quoted._start = start
        return quoted

    @property
    def start_hint(self) -> int | None:
        return self._start


class DetectAnswer(BaseModel):
    doc_type: Literal["contract", "terms", "proposal", "policy", "invoice", "other"]
    confidence: float = Field(ge=0.0, le=1.0)
    language: Literal["en", "es", "other"] = "en"


class ContractFields(BaseModel):
    """Fields of a contract (names fixed by the CLI contract)."""

    parties: list[Quoted] = Field(default_factory=list, description="one entry per contracting party")
    effective_date: Quoted | None = None
    expiration_date: Quoted | None = None
    term: Quoted | None = None
    renewal: Quoted | None = None
    total_value: Quoted | None = None
    payment_terms: Quoted | None = None
    governing_law: Quoted | None = None
    termination_notice: Quoted | None = None
    liability_cap: Quoted | None = None
    renewal_notice: Quoted | None = None


class TermsFields(BaseModel):
    """Fields of terms of service / use (general conditions written by the provider)."""

    provider: Quoted | None = None
    governing_law: Quoted | None = None
    liability_cap: Quoted | None = None
    auto_renewal: Quoted | None = None
    termination_at_will: Quoted | None = None
    unilateral_changes: Quoted | None = None
    data_retention: Quoted | None = None


class ProposalFields(BaseModel):
    vendor: Quoted | None = None
    client: Quoted | None = None
    proposal_date: Quoted | None = None
    price: Quoted | None = None
    timeline: Quoted | None = None
    valid_until: Quoted | None = None


class PolicyFields(BaseModel):
    title: Quoted | None = None
    owner: Quoted | None = None
    scope: Quoted | None = None
    effective_date: Quoted | None = None
    review_date: Quoted | None = None
    version: Quoted | None = None


class InvoiceFields(BaseModel):
    invoice_number: Quoted | None = None
    issuer: Quoted | None = None
    customer: Quoted | None = None
    issue_date: Quoted | None = None
    due_date: Quoted | None = None
    total: Quoted | None = None


class OtherFields(BaseModel):
    """Unknown documents get no typed fields: a summary and risks only."""


FIELDS_SCHEMA: dict[str, type[BaseModel]] = {
    "contract": ContractFields,
    "terms": TermsFields,
    "proposal": ProposalFields,
    "policy": PolicyFields,
    "invoice": InvoiceFields,
    "other": OtherFields,
}


class ClauseQuote(BaseModel):
    type: str = Field(description="clause type, e.g. term, payment, liability, termination, governing_law")
    quote: str = Field(description="the clause text, copied verbatim")
    _start: int | None = PrivateAttr(default=None)


class RiskQuote(BaseModel):
    type: str = Field(description="risk type, e.g. auto_renewal, penalties, exclusivity, non_compete")
    severity: Literal["low", "medium", "high"]
    quote: str = Field(description="the words of the document that show the risk, copied verbatim")
    explanation: str = ""
    _start: int | None = PrivateAttr(default=None)


class ClausesRisksAnswer(BaseModel):
    clauses: list[ClauseQuote] = Field(default_factory=list)
    risks: list[RiskQuote] = Field(default_factory=list)


class SummaryAnswer(BaseModel):
    summary: str = Field(description="three to five sentences for a legal or finance reviewer")


# -- the agent's output --------------------------------------------------------------------------
class Money(BaseModel):
    amount: float
    currency: str = Field(description="ISO 4217 code")


class FieldValue(BaseModel):
    """A grounded field: ``text[start:end]`` are the document's own words for ``value``."""

    value: str | Money | list[str]
    start: int
    end: int
    text: str
    spans: list[tuple[int, int]] | None = Field(None, description="one span per item of a list value")


class Clause(BaseModel):
    type: str
    text: str
    start: int
    end: int


class Risk(BaseModel):
    type: str
    severity: Literal["low", "medium", "high"]
    evidence: str
    start: int
    end: int
    explanation: str = ""


class DocumentOutput(BaseModel):
    """``agentops run document`` minus the keys every run has (added by the runner)."""

    model_config = ConfigDict(extra="forbid")

    path: str
    format: str
    language: str
    doc_type: str
    type_confidence: float
    chars: int
    pages: int | None = None
    chunks: int = 1
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    clauses: list[Clause] = Field(default_factory=list)
    risks: list[Risk] = Field(default_factory=list)
    summary: str = ""
    ungrounded_dropped: int = 0
    flags: list[str] = Field(default_factory=list)
