"""Corpus loading, passaging and the on-disk index cache of the research agent (real files, diskcache)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentops_cli.agents.research.corpus import load_corpus, read_document, split_passages
from agentops_cli.errors import BadInput


def make_corpus(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "market.md").write_text(
        "# Widget market note\n\n## Size\n\nThe widget market reached €50 million in 2024.\n\n"
        "## Growth\n\nGrowth is forecast at 9% a year until 2028.\n",
        encoding="utf-8",
    )
    (root / "survey.txt").write_text(
        "Buyer survey 2024\n\nBarriers\n\n41% of buyers cite integration as the main barrier.\n",
        encoding="utf-8",
    )
    (root / "rival.html").write_text(
        "<html><head><title>Rival profile: Acme</title><style>p {color: red}</style></head>"
        "<body><h1>Acme</h1><p>Acme has 120 customers &amp; grows 30% a year.</p>"
        "<script>var x = 1;</script></body></html>",
        encoding="utf-8",
    )
    (root / ".hidden.md").write_text("# secret\n\nnot indexed", encoding="utf-8")
    (root / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    return root


def test_documents_are_read_per_format_with_titles(tmp_path: Path) -> None:
    root = make_corpus(tmp_path / "c")
    index = load_corpus(root, cache_dir=None)
    titles = {d.source: d.title for d in index.documents}
    assert titles == {
        "market.md": "Widget market note",
        "rival.html": "Rival profile: Acme",
        "survey.txt": "Buyer survey 2024",
    }
    html = index.document("rival.html")
    assert html is not None
    assert "Acme has 120 customers & grows 30% a year." in html.text
    assert "color: red" not in html.text and "var x" not in html.text


def test_passages_are_exact_spans_split_at_headings(tmp_path: Path) -> None:
    doc = read_document(make_corpus(tmp_path / "c") / "market.md", tmp_path / "c")
    passages = split_passages(doc)
    assert [p.heading for p in passages] == ["Size", "Growth"]  # the title stays with the first section
    assert [p.id for p in passages] == ["market.md#1", "market.md#2"]
    assert passages[0].text.startswith("# Widget market note\n\n## Size")
    for p in passages:
        assert doc.text[p.start : p.end] == p.text
    long_doc = doc.model_copy(
        update={"text": "\n\n".join(f"Sentence number {i} is here." for i in range(100))}
    )
    chunks = split_passages(long_doc, max_chars=200)
    assert len(chunks) > 5 and all(len(c.text) <= 200 for c in chunks)


def test_pdf_sources_are_read(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    root = tmp_path / "pdfs"
    root.mkdir()
    pdf = canvas.Canvas(str(root / "board_update.pdf"))
    pdf.drawString(72, 720, "Board update: revenue grew 17% in the fourth quarter.")
    pdf.save()
    index = load_corpus(root, cache_dir=None)
    assert index.documents[0].title == "Board update"
    assert "revenue grew 17% in the fourth quarter." in index.documents[0].text
    [(passage, score)] = index.search("revenue quarter", 3)
    assert passage.source == "board_update.pdf" and score > 0


def test_search_ranks_the_matching_passage_first(tmp_path: Path) -> None:
    index = load_corpus(make_corpus(tmp_path / "c"), cache_dir=None)
    top, _ = index.search("integration barrier buyers", 2)[0]
    assert top.id == "survey.txt#1" and top.heading == "Barriers"
    within = index.search_within("Acme", "customers growth", 1)
    assert [p.source for p, _ in within] == ["rival.html"]
    assert index.search_within("zzzz", "customers", 1) == []


def test_index_cache_hits_and_invalidates_on_content_change(tmp_path: Path) -> None:
    root = make_corpus(tmp_path / "c")
    cache = tmp_path / "cache"
    first = load_corpus(root, cache_dir=cache)
    second = load_corpus(root, cache_dir=cache)
    assert (first.from_cache, second.from_cache) == (False, True)
    assert first.key == second.key
    assert [p.model_dump() for p in second.data.passages] == [p.model_dump() for p in first.data.passages]

    (root / "survey.txt").write_text(
        "Buyer survey 2025\n\nBarriers\n\n55% now cite cost.\n", encoding="utf-8"
    )
    third = load_corpus(root, cache_dir=cache)
    assert third.from_cache is False and third.key != first.key
    assert "55% now cite cost." in third.document("survey.txt").text  # type: ignore[union-attr]

    (root / "extra.md").write_text("# Extra\n\nA new file.\n", encoding="utf-8")
    assert load_corpus(root, cache_dir=cache).from_cache is False
    assert load_corpus(root, cache_dir=None).from_cache is False


def test_missing_empty_and_unreadable_corpora_are_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="corpus folder not found"):
        load_corpus(tmp_path / "nope", cache_dir=None)
    file = tmp_path / "file.md"
    file.write_text("# x\n\ny\n", encoding="utf-8")
    with pytest.raises(BadInput, match="must be a folder"):
        load_corpus(file, cache_dir=None)
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "data.csv").write_text("a,b\n", encoding="utf-8")
    with pytest.raises(BadInput, match="corpus is empty"):
        load_corpus(empty, cache_dir=None)
    blank = tmp_path / "blank"
    blank.mkdir()
    (blank / "a.md").write_text("   \n", encoding="utf-8")
    (blank / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(BadInput, match="no readable text in 2 file"):
        load_corpus(blank, cache_dir=None)


def test_unreadable_files_are_skipped_and_reported(tmp_path: Path) -> None:
    root = make_corpus(tmp_path / "c")
    (root / "broken.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    (root / "legacy.txt").write_bytes(
        "Informe de mercado\n\nCrecimiento del 12% en año fiscal.\n".encode("cp1252")
    )
    index = load_corpus(root, cache_dir=None)
    assert index.data.skipped == ["broken.pdf"]
    assert "Crecimiento del 12% en año fiscal." in index.document("legacy.txt").text  # type: ignore[union-attr]


def test_index_key_changes_with_the_reader_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from agentops_cli.agents.research import corpus

    root = make_corpus(tmp_path / "c")
    files = corpus.corpus_files(root)
    before = corpus.content_key(root, files)
    monkeypatch.setattr(corpus, "INDEX_VERSION", corpus.INDEX_VERSION + "-next")
    assert corpus.content_key(root, files) != before


def test_bm25_arrays_round_trip_gives_identical_rankings() -> None:
    from agentops_cli.nlp.retrieval import BM25Index

    built = BM25Index(
        [("a", "refund policy for hotels"), ("b", "hotel refund within 30 days"), ("c", "phishing report")],
        k1=1.2,
        b=0.6,
    )
    loaded = BM25Index.from_arrays(built.to_arrays())
    for query in ("hotel refund", "phishing", "nothing matches"):
        assert loaded.search(query, 3) == built.search(query, 3)
        assert loaded.scores(query) == built.scores(query)
    assert (loaded.k1, loaded.b, loaded.vocabulary()) == (1.2, 0.6, built.vocabulary())


def test_a_new_process_loads_the_cached_index_arrays_instead_of_rebuilding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import diskcache

    from agentops_cli.agents.research import corpus as corpus_module

    root = make_corpus(tmp_path / "c")
    cache = tmp_path / "cache"
    first = load_corpus(root, cache_dir=cache)
    corpus_module._INDEXES.clear()  # as in a new process: only the disk cache is warm

    def no_rebuild(self: object) -> None:
        raise AssertionError("the index was rebuilt although its arrays are cached")

    monkeypatch.setattr(corpus_module.CorpusIndex, "_build_indexes", no_rebuild)
    second = load_corpus(root, cache_dir=cache)
    assert second.from_cache
    query = "widget market growth"
    assert second.search(query, 3) == first.search(query, 3)
    assert second.outline_scores(query) == first.outline_scores(query)
    assert second.idf_prefix("widge") == first.idf_prefix("widge") > 0
    monkeypatch.undo()

    # a damaged or missing arrays entry is rebuilt from the passages, and written again
    with diskcache.Cache(str(cache)) as store:
        store.set(first.key + corpus_module._ARRAYS_SUFFIX, b"not an npz file")
    corpus_module._INDEXES.clear()
    assert load_corpus(root, cache_dir=cache).search(query, 3) == first.search(query, 3)
    with diskcache.Cache(str(cache)) as store:
        del store[first.key + corpus_module._ARRAYS_SUFFIX]
    corpus_module._INDEXES.clear()
    assert load_corpus(root, cache_dir=cache).search(query, 3) == first.search(query, 3)
    with diskcache.Cache(str(cache)) as store:
        assert isinstance(store.get(first.key + corpus_module._ARRAYS_SUFFIX), bytes)
        store.set(first.key, first.data.model_dump(mode="json"))  # the older dict form still reads
    corpus_module._INDEXES.clear()
    assert load_corpus(root, cache_dir=cache).data == first.data


def test_safe_files_refuses_a_plain_file_reached_through_a_folder_link_that_leaves_the_root(
    tmp_path: Path,
) -> None:
    from agentops_cli.agents.document.loaders import safe_files

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text("# Secret\n\nnot for the corpus\n", encoding="utf-8")
    root = make_corpus(tmp_path / "c")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    inside = root / "market.md"
    kept, refused = safe_files(root, [inside, root / "linked" / "secret.md"], allow_hard_links=False)
    assert kept == [inside]
    assert refused == [f"linked/secret.md: symlink leaves the root {root.resolve()}"]


def test_an_unreadable_sub_folder_is_skipped_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As ``rglob`` did. Simulated: the suite runs as root, whom a chmod does not stop."""
    import os

    from agentops_cli.agents.research import corpus

    (tmp_path / "ok.md").write_text("# Ok\n\nReadable.\n")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "secret.md").write_text("# Secret\n")
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(corpus.os, "scandir", scandir)
    assert [Path(p).name for p in corpus.corpus_files(tmp_path)] == ["ok.md"]
    monkeypatch.setattr(corpus.os, "scandir", lambda path: (_ for _ in ()).throw(PermissionError(13, "no")))
    with pytest.raises(PermissionError):
        corpus.corpus_files(tmp_path)  # the root itself unreadable is still an error
