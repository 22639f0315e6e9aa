"""Issue 18, second round: the answer-bearing passage is found and read whole.

Every corpus is written here (never the dev set); retrieval and extraction run for real.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from agentops_cli.agents.research import extract, nodes
from agentops_cli.agents.research.corpus import CorpusIndex, load_corpus
from agentops_cli.agents.research.question import analyse, compared_entities, typed_plan

INTRO = " ".join(["Sensitive data at Acme must be handled with care by every employee."] * 14)
SENSITIVE = f"""# Sensitive data

{INTRO}

## Protecting systems

We follow these practices for sensitive data:

- Encrypt every laptop disk
- Rotate shared credentials every quarter

## What counts?

Here are some examples of sensitive data:

- passwords
- API keys
- IP addresses
"""

LEAVING = """# Leaving Acme

## When it is time to leave Acme

These steps apply to every Acme employee who resigns.

### 1. Fill out the offboarding form

The form tells the people team your last day.

### 2. Return your laptop

Ship it back in its box.

### 3. Say goodbye

Post a message in the team channel.
"""


def index_of(tmp_path: Path, files: dict[str, str]) -> CorpusIndex:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return load_corpus(tmp_path, cache_dir=None)


def quotes(notes: object) -> list[str]:
    return [n.quote for n in notes.notes]  # type: ignore[attr-defined]


def test_the_passage_after_a_match_is_read_too(tmp_path: Path) -> None:
    corpus = index_of(tmp_path, {"sensitive.md": SENSITIVE})
    first = corpus.passage("sensitive.md#1")
    assert first is not None and "Encrypt" not in first.text  # the list is in the next passage
    widened = extract.with_neighbours(corpus, [(first, 10.0)])
    assert [(p.id, s) for p, s in widened] == [("sensitive.md#1", 10.0), ("sensitive.md#2", 7.0)]
    analysis = analyse("Which types of sensitive data are there?")
    notes = extract.typed_notes(corpus, analysis, typed_plan(analysis, 5)[0], [(first, 10.0)], used=set())
    assert {"Encrypt every laptop disk", "Rotate shared credentials every quarter"} <= set(quotes(notes))


def test_a_lead_in_that_names_the_list_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = index_of(tmp_path, {"sensitive.md": SENSITIVE})
    analysis = analyse("Which types of sensitive data are there?")
    subquestion = typed_plan(analysis, 5)[0]
    passages = [(corpus.passage(f"sensitive.md#{n}"), 5.0) for n in (2, 3)]

    def lead() -> str:
        notes = extract.typed_notes(corpus, analysis, subquestion, passages, used=set())  # type: ignore[arg-type]
        return next(n.quote for n in notes.notes if n.kind == "lead")

    assert lead() == "Here are some examples of sensitive data:"
    monkeypatch.setattr(extract, "LIST_LEAD_FACTOR", 1.0)  # without the rule, the other list wins
    assert lead() == "We follow these practices for sensitive data:"


def test_numbered_subheadings_are_the_steps_of_a_procedure_only(tmp_path: Path) -> None:
    corpus = index_of(tmp_path, {"leaving.md": LEAVING})
    passages = [(p, 5.0) for p in corpus.data.passages]
    procedure = analyse("What should an Acme employee do when leaving Acme?")
    assert procedure.type == "procedure"
    notes = extract.typed_notes(corpus, procedure, typed_plan(procedure, 5)[0], passages, used=set())
    steps = [n.quote for n in notes.notes if n.kind == "step"]
    assert steps == ["1. Fill out the offboarding form", "2. Return your laptop", "3. Say goodbye"]
    fact = analyse("Who reads the offboarding form at Acme?")
    notes = extract.typed_notes(corpus, fact, typed_plan(fact, 5)[0], passages, used=set())
    assert not [n for n in notes.notes if n.kind in ("step", "item")]  # a table of contents is no answer


def test_a_part_of_a_compound_question_searches_its_own_words(tmp_path: Path) -> None:
    corpus = index_of(tmp_path, {"leaving.md": LEAVING})
    ctx = SimpleNamespace(corpus=corpus)
    analysis = analyse(
        "What should an Acme employee do when leaving, and what happens to their parking permit?"
    )
    assert len(analysis.parts) == 2
    first, second = typed_plan(analysis, 5)
    own = nodes.expanded_queries(ctx, analysis, first)[0]  # type: ignore[arg-type]
    assert "parking" not in own and "Acme" in own  # the other part's words stay out; the scope stays in
    assert "parking" in nodes.expanded_queries(ctx, analysis, second)[0]  # type: ignore[arg-type]
    single = analyse("Which types of sensitive data are there?")
    assert single.question in nodes.expanded_queries(ctx, single, typed_plan(single, 5)[0])[0]  # type: ignore[arg-type]


def test_a_translated_hit_counts_less_than_a_hit_in_the_question_language(tmp_path: Path) -> None:
    corpus = index_of(
        tmp_path,
        {
            "leave.md": "# Leave\n\nAnnual leave is booked in the portal.\n",
            "licencia.md": "# Licencia\n\nLa licencia del proyecto es libre.\n",
        },
    )
    ctx = SimpleNamespace(corpus=corpus)
    hits = nodes.merged_search(ctx, ["leave", "licencia"], 5)  # type: ignore[arg-type]
    by_id = {p.id: s for p, s in hits}
    alone = dict((p.id, s) for p, s in nodes.merged_search(ctx, ["licencia"], 5))  # type: ignore[arg-type]
    assert hits[0][0].id == "leave.md#1"
    assert by_id["licencia.md#1"] == pytest.approx(nodes.TRANSLATION_WEIGHT * alone["licencia.md#1"])


def test_a_compared_side_loses_its_articles_and_kind_words() -> None:
    question = "¿En qué se diferencian los modelos de negocio suscripción, licencia perpetua y freemium?"
    assert compared_entities(question) == ["suscripción", "licencia perpetua", "freemium"]
    assert compared_entities("How do the credit hours differ from comp time?") == [
        "credit hours",
        "comp time",
    ]


def test_cached_passages_are_made_on_demand_and_equal_the_split_ones(tmp_path: Path) -> None:
    root, cache = tmp_path / "corpus", tmp_path / "cache"
    root.mkdir()
    (root / "sensitive.md").write_text(SENSITIVE, encoding="utf-8")
    (root / "leaving.md").write_text(LEAVING, encoding="utf-8")
    built = load_corpus(root, cache_dir=cache)
    from agentops_cli.agents.research import corpus as corpus_module

    corpus_module._INDEXES.clear()  # as a new process
    cached = load_corpus(root, cache_dir=cache)
    assert cached.from_cache and cached.data == built.data
    assert cached.data._made == {}  # nothing validated or built per passage on load
    hits = cached.search("offboarding form", 2)
    assert 0 < len(cached.data._made) <= 2
    assert [p.model_dump() for p, _ in hits] == [built.passage(p.id).model_dump() for p, _ in hits]  # type: ignore[union-attr]
    assert [p.model_dump() for p in cached.data.passages] == [p.model_dump() for p in built.data.passages]
    assert cached.data != "not corpus data"


def test_a_blockquote_gives_its_prose_not_its_markers_or_headings() -> None:
    from agentops_cli.agents.research.units import document_units, plain

    text = "# Rules\n\n> A first quoted line that goes on\n> to a second line.\n>\n> #### Notice\n>\n"
    text += "> Short.\n"
    units = document_units(text)
    quoted = [u for u in units if u.kind == "sentence"]
    assert [u.quote for u in quoted] == ["A first quoted line that goes on\n> to a second line.", "Short."]
    assert all(text[u.start : u.end] == u.quote for u in units)  # exact spans of the file
    assert plain(quoted[0].quote) == "A first quoted line that goes on to a second line."
    assert "Notice" not in [u.quote for u in units]


def test_an_elliptical_part_takes_the_head_of_the_part_before() -> None:
    from agentops_cli.agents.research.question import question_parts

    parts = question_parts(
        "Ana moves. What are the conditions for getting a bonus, and for receiving a travel allowance?"
    )
    assert parts[1] == "What are the conditions for receiving a travel allowance"
    plain_part = question_parts("How long is the leave, and what happens to unused days?")[1]
    assert plain_part == "what happens to unused days"  # not elliptical: left as asked
    spanish = question_parts("¿Qué requisitos hay para pedir un préstamo, y para recibir una beca?")
    assert spanish[1] == "Qué requisitos hay para recibir una beca"


PLANS = """# Plans

## Tiers

* **Starter:** one seat, billed monthly, with email support only.
* **Enterprise:** unlimited seats, billed yearly, with a named account manager.

## More

Many small shops are a Starter customer with one seat and one Starter plan invoice.
Enterprise customers and Enterprise plan invoices are common in large companies.

## Forms

* [Order form](https://example.org/starter-plan-order-form-sick-leave)
"""


def test_a_compared_side_is_answered_by_its_own_definition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus = index_of(tmp_path, {"plans.md": PLANS})
    analysis = analyse("How does a Starter plan differ from an Enterprise plan?")
    assert analysis.type == "comparison" and analysis.entities[0].endswith("Starter plan")
    passages = [(p, 5.0) for p in corpus.data.passages]

    def best_point() -> str:
        notes = extract.typed_notes(corpus, analysis, typed_plan(analysis, 5)[0], passages, used=set())
        return next(n.quote for n in notes.notes if n.kind == "point")

    assert best_point().startswith("**Starter:**")
    monkeypatch.setattr(extract, "DEFINITION_FACTOR", 1.0)
    assert not best_point().startswith("**Starter:**")  # without the rule, a sentence that only names it


def test_words_found_only_in_a_link_target_do_not_count(tmp_path: Path) -> None:
    corpus = index_of(tmp_path, {"plans.md": PLANS})
    analysis = analyse("How much sick leave is there?")
    scorer = extract.UnitScorer(corpus, analysis, typed_plan(analysis, 5)[0])
    assert scorer.text_score("https://example.org/starter-plan-order-form-sick-leave") > 0
    from agentops_cli.agents.research.units import document_units

    document = corpus.document("plans.md")
    assert document is not None
    units = document_units(document.text)
    link = next(u for u in units if "Order form" in u.quote)
    assert scorer.score(units, link, 0.0) == 0.0


def test_the_root_rule_takes_string_paths_and_judges_each_link(tmp_path: Path) -> None:
    import os

    from agentops_cli.agents.document.loaders import safe_files
    from agentops_cli.agents.research.corpus import corpus_files

    root, outside = tmp_path / "corpus", tmp_path / "outside"
    (root / "sub").mkdir(parents=True)
    outside.mkdir()
    (root / "a.md").write_text("# A\n\nText.\n", encoding="utf-8")
    (root / "sub" / "b.md").write_text("# B\n\nText.\n", encoding="utf-8")
    (outside / "secret.md").write_text("# Secret\n", encoding="utf-8")
    (root / "inside-link.md").symlink_to(root / "a.md")
    (root / "leaves.md").symlink_to(outside / "secret.md")
    (root / "dangling.md").symlink_to(root / "missing.md")
    os.link(root / "sub" / "b.md", root / "hard.md")
    (root / ".hidden.md").write_text("# Hidden\n", encoding="utf-8")
    files = corpus_files(root)
    assert all(isinstance(f, str) for f in files) and not any(".hidden" in f for f in files)
    kept, refused = safe_files(root, files, allow_hard_links=False)
    assert sorted(os.path.basename(k) for k in kept) == ["a.md", "inside-link.md"]
    why = {line.split(":")[0]: line for line in refused}
    assert set(why) == {"hard.md", "leaves.md", "sub/b.md"}  # a dangling link is no file: not listed
    assert "leaves the root" in why["leaves.md"] and "hard link" in why["hard.md"]
    _, dangling = safe_files(root, [str(root / "dangling.md")], allow_hard_links=False)
    assert dangling == ["dangling.md: unreadable link (FileNotFoundError)"]
    kept_paths, _ = safe_files(root, [Path(f) for f in files], allow_hard_links=True)
    assert all(isinstance(k, Path) for k in kept_paths) and len(kept_paths) == 4  # hard links allowed
