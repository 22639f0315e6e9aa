"""Citation verification: fabricated quotes are removed, survivors renumbered, markdown rendered."""

from __future__ import annotations

from pathlib import Path

from agentops_cli.agents.research.corpus import CorpusIndex, load_corpus
from agentops_cli.agents.research.schemas import FindingDraft, Note, ResearchDraft, Statement
from agentops_cli.agents.research.verify import normalise, quote_in_text, render_markdown, verify


def corpus(tmp_path: Path) -> CorpusIndex:
    root = tmp_path / "c"
    root.mkdir()
    (root / "memo.md").write_text(
        "# Deal memo\n\n## Findings\n\n"
        "The top 10 customers represent 23% of ARR.\nThe CTO has no successor.\n",
        encoding="utf-8",
    )
    return load_corpus(root, cache_dir=None)


def note(quote: str, passage: str = "memo.md#1", sub: int = 0) -> Note:
    return Note(
        subquestion=sub, claim=quote, quote=quote, passage_id=passage, source="memo.md", title="Deal memo"
    )


def test_normalise_and_quote_matching() -> None:
    assert normalise("“Top”  10\n customers\u00a0’s") == '"Top" 10 customers \'s'
    assert quote_in_text("customers represent   23%\nof ARR", "The top 10 customers represent 23% of ARR.")
    assert not quote_in_text("customers represent 25% of ARR", "The top 10 customers represent 23% of ARR.")
    assert not quote_in_text("   ", "anything")


def test_fabricated_quotes_are_removed_and_counted(tmp_path: Path) -> None:
    index = corpus(tmp_path)
    notes = [
        note("The top 10 customers represent 23% of ARR."),
        note("The company has no debt at all."),  # not in the source
        note("The CTO has no successor.", passage="memo.md#9"),  # unknown passage
        note("The CTO   has no\nsuccessor."),
    ]
    draft = ResearchDraft(
        title="Deal",
        executive_summary=[
            Statement(text="Concentration is moderate.", citations=[1, 2]),
            Statement(text="Debt free.", citations=[2]),
        ],
        findings=[
            FindingDraft(
                subquestion="Risks?",
                statements=[
                    Statement(text="Key-person risk.", citations=[3, 4]),
                    Statement(text="Invented.", citations=[7]),
                    Statement(text="Uncited claim."),
                ],
            )
        ],
        risks=[Statement(text="Unknown: litigation."), Statement(text="Debt.", citations=[2])],
    )
    result = verify(draft, notes, index)
    assert [(c.n, c.quote) for c in result.citations] == [
        (1, "The top 10 customers represent 23% of ARR."),
        (2, "The CTO has no successor."),
    ]
    assert [c.quote for c in result.unverified] == [
        "The company has no debt at all.",
        "The CTO has no successor.",
    ]
    assert result.flags == ["unverified_citations:3", "removed_claims:4"]
    assert [s.citations for s in result.draft.executive_summary] == [[1]]
    assert [s.text for s in result.draft.findings[0].statements] == ["Key-person risk."]
    assert [s.text for s in result.draft.risks] == ["Unknown: litigation."]

    markdown = render_markdown("Buy it?", result, corpus_label="c", documents=1)
    assert markdown.startswith("# Deal\n")
    assert "- Concentration is moderate. [1]" in markdown
    assert "### Sources" in markdown
    assert "[2] Deal memo — `memo.md` — “The CTO has no successor.”" in markdown
    assert "no debt" not in markdown
    assert "3 citation(s) could not be verified" in markdown


def test_empty_draft_renders_honest_placeholders(tmp_path: Path) -> None:
    result = verify(
        ResearchDraft(title="Nothing", findings=[FindingDraft(subquestion="Q1")]), [], corpus(tmp_path)
    )
    markdown = render_markdown("Q?", result, corpus_label="c", documents=1)
    assert result.flags == []
    assert "No verified evidence was found in the corpus." in markdown
    assert "### 1. Q1" in markdown and "No verified sources." in markdown
