"""Support packs: the domain as data (intents, knowledge base, policy, training rows).

A pack is a folder::

    intents.yaml      intents: [{name, description, examples, escalate}], optional policy:, language:
    kb/*.md           articles; each heading section is a passage (``<file>#<heading-slug>``);
                      ``*.es.md`` / ``*.en.md`` set the language; the file stem (before the
                      language suffix) is the intent the article serves, unless front matter
                      says ``intent: NAME``
    training.csv|jsonl  optional extra rows: a text column and an ``intent``/``category``/``label`` column
    policy.yaml       optional policy (also accepted as ``policy:`` inside intents.yaml)
    templates.yaml    optional offline answer wording (default: the bundled pack's)

``--pack`` also accepts a bare CSV/JSONL training file: intents come from its labels and,
when it has a ``response``/``answer`` column, each intent's first responses become its KB.
Every problem is reported as ``BadInput("path:line: what")``.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from agentops_cli import safe_yaml
from agentops_cli.agents.support.schemas import OUT_OF_SCOPE, IntentSpec, Passage, Policy
from agentops_cli.errors import BadInput
from agentops_cli.resources import datasets_dir

if TYPE_CHECKING:
    from agentops_cli.nlp.retrieval import BM25Index

TEXT_COLUMNS = ("text", "query", "utterance", "instruction", "question", "input")
LABEL_COLUMNS = ("intent", "category", "label")
ANSWER_COLUMNS = ("response", "answer")
TRAINING_NAMES = ("training.csv", "training.jsonl", "train.csv", "train.jsonl")
MAX_ANSWERS_PER_INTENT = 3
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


def default_pack_dir() -> Path:
    return datasets_dir() / "support"


@dataclass
class SupportPack:
    """A loaded, validated pack. ``training_hash`` keys the cached intent model."""

    root: Path
    intents: dict[str, IntentSpec]
    policy: Policy
    passages: list[Passage]
    training: list[tuple[str, str]]
    templates: dict[str, Any]
    training_hash: str = ""
    name: str = ""
    refused: list[str] = field(default_factory=list)  # "kb/x.md: why" of files the root rule skipped
    by_id: dict[str, Passage] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.by_id = {p.id: p for p in self.passages}
        self.name = self.name or self.root.name
        if not self.training_hash:
            digest = hashlib.sha256()
            for text, label in self.training:
                digest.update(f"{label}\t{text}\n".encode())
            self.training_hash = digest.hexdigest()

    @property
    def escalating_intents(self) -> set[str]:
        """Intents that always go to a person (policy list + ``escalate: true``), except out_of_scope."""
        names = set(self.policy.always_escalate) | {n for n, i in self.intents.items() if i.escalate}
        return names - {OUT_OF_SCOPE}

    @cached_property
    def intents_with_kb(self) -> set[str]:
        return {p.intent for p in self.passages if p.intent}

    @cached_property
    def index(self) -> BM25Index:
        from agentops_cli.nlp.retrieval import BM25Index

        return BM25Index((p.id, f"{p.title}\n{p.text}") for p in self.passages)


# -- yaml with line numbers ----------------------------------------------------------------------
def _read_yaml(path: Path) -> tuple[Any, dict[tuple, int]]:
    """The data and a map from path tuple (keys and list indices) to line, for ``file:line``."""
    root = safe_yaml.compose(safe_yaml.read_yaml_text(path), str(path))
    if root is None:
        return None, {}
    return safe_yaml.construct(root, str(path)), safe_yaml.key_lines(root)


def _line_for(lines: dict[tuple, int], loc: tuple) -> int:
    while loc and loc not in lines:
        loc = loc[:-1]
    return lines.get(loc, 1)


def _validation_error(path: Path, lines: dict[tuple, int], prefix: tuple, exc: ValidationError) -> BadInput:
    err = exc.errors()[0]
    loc = (*prefix, *err["loc"])
    where = ".".join(str(p) for p in loc)
    message = "unknown key" if err["type"] == "extra_forbidden" else err["msg"].removeprefix("Value error, ")
    return BadInput(f"{path}:{_line_for(lines, loc)}: {where}: {message}")


# -- intents.yaml / policy.yaml ------------------------------------------------------------------
def _parse_intents(path: Path) -> tuple[dict[str, IntentSpec], dict[str, Any]]:
    data, lines = _read_yaml(path)
    if isinstance(data, list):
        data = {"intents": data}
    if not isinstance(data, dict) or not isinstance(data.get("intents"), list) or not data["intents"]:
        raise BadInput(f"{path}:1: expected a mapping with a non-empty 'intents' list")
    unknown = set(data) - {"intents", "policy", "language", "name", "description"}
    if unknown:
        key = sorted(unknown)[0]
        raise BadInput(f"{path}:{_line_for(lines, (key,))}: {key}: unknown key")
    intents: dict[str, IntentSpec] = {}
    for i, raw in enumerate(data["intents"]):
        if not isinstance(raw, dict):
            raise BadInput(f"{path}:{_line_for(lines, ('intents', i))}: intents.{i}: expected a mapping")
        try:
            spec = IntentSpec.model_validate(raw)
        except ValidationError as exc:
            raise _validation_error(path, lines, ("intents", i), exc) from exc
        if spec.name in intents:
            raise BadInput(f"{path}:{_line_for(lines, ('intents', i))}: duplicate intent '{spec.name}'")
        intents[spec.name] = spec
    policy_raw = dict(data.get("policy") or {})
    if "language" in data and "language" not in policy_raw:
        policy_raw["language"] = data["language"]
    try:
        Policy.model_validate(policy_raw)
    except ValidationError as exc:
        raise _validation_error(path, lines, ("policy",), exc) from exc
    return intents, policy_raw


def _parse_policy_file(path: Path, base: dict[str, Any]) -> Policy:
    raw = dict(base)
    if path.is_file():
        data, lines = _read_yaml(path)
        if data is not None and not isinstance(data, dict):
            raise BadInput(f"{path}:1: expected a mapping of policy keys")
        raw.update(data or {})
        try:
            return Policy.model_validate(raw)
        except ValidationError as exc:
            raise _validation_error(path, lines, (), exc) from exc
    return Policy.model_validate(raw)


# -- knowledge base -----------------------------------------------------------------------------
def slugify(text: str) -> str:
    from agentops_cli.nlp.text import fold

    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "section"


def _front_matter(lines: list[str]) -> tuple[dict[str, str], int]:
    if not lines or lines[0].strip() != "---":
        return {}, 0
    meta: dict[str, str] = {}
    for n, line in enumerate(lines[1:], start=1):
        if line.strip() == "---":
            return meta, n + 1
        key, sep, value = line.partition(":")
        if sep:
            meta[key.strip()] = value.strip()
    return {}, 0


def split_markdown(path: Path, *, rel: str, intent: str | None, language: str | None) -> list[Passage]:
    """One passage per heading section; the first ``#`` heading is the article title."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path}:1: not UTF-8 text") from exc
    meta, start = _front_matter(lines)
    intent = meta.get("intent", intent)
    language = meta.get("language", language)
    if language not in (None, "en", "es"):
        raise BadInput(f"{path}:1: language must be en or es, got '{language}'")
    stem = rel.rsplit(".md", 1)[0]
    article = ""
    sections: list[tuple[str, list[str]]] = []
    for line in lines[start:]:
        match = _HEADING.match(line)
        if match:
            level, heading = len(match.group(1)), match.group(2)
            if level == 1 and not article and not sections:
                article = heading
                continue
            sections.append((heading, []))
        elif sections:
            sections[-1][1].append(line)
        elif line.strip():
            sections.append((article or stem, [line]))
    passages: list[Passage] = []
    seen: set[str] = set()
    for heading, body in sections:
        text = " ".join(x.strip() for x in body if x.strip())
        if not text:
            continue
        pid = f"{stem}#{slugify(heading)}"
        n = 2
        while pid in seen:
            pid, n = f"{stem}#{slugify(heading)}-{n}", n + 1
        seen.add(pid)
        title = f"{article} — {heading}" if article and heading != article else heading
        passages.append(
            Passage(id=pid, title=title, text=text, intent=intent, language=language, path=str(path))
        )
    return passages


def _load_kb(
    root: Path, intents: dict[str, IntentSpec], default_language: str, refused: list[str]
) -> list[Passage]:
    """Passages of ``kb/*.md``; articles the document agent's root rule refuses (a symlink out
    of the pack, a hard link) are skipped, with a warning and a line in ``refused``."""
    from agentops_cli.agents.document.loaders import safe_files

    kb = root / "kb"
    passages: list[Passage] = []
    if not kb.is_dir():
        return passages
    files, skipped = safe_files(root, sorted(kb.rglob("*.md")), allow_hard_links=False)
    if skipped:
        from agentops_cli.observability.logging import get_logger

        for line in skipped:
            get_logger().warning("pack file skipped: {}", line)
        refused.extend(skipped)
    for path in files:
        rel = path.relative_to(kb).as_posix()
        parts = path.name[: -len(".md")].split(".")
        language = parts[-1] if len(parts) > 1 and parts[-1] in ("en", "es") else None
        stem = parts[0]
        intent = stem if stem in intents else None
        passages.extend(split_markdown(path, rel=rel, intent=intent, language=language or default_language))
    return passages


# -- training rows (CSV / JSONL) ----------------------------------------------------------------
def _pick(columns: list[str], wanted: str | None, candidates: tuple[str, ...], path: Path, what: str) -> str:
    lowered = {c.lower().strip(): c for c in columns}
    if wanted:
        if wanted in columns:
            return wanted
        raise BadInput(f"{path}:1: {what} column '{wanted}' not found (columns: {', '.join(columns)})")
    for name in candidates:
        if name in lowered:
            return lowered[name]
    raise BadInput(f"{path}:1: no {what} column (expected one of: {', '.join(candidates)})")


def _cell(value: Any) -> str:
    """A CSV cell or JSON value as text (``0`` is a label, ``null`` is empty)."""
    return "" if value is None else str(value)


def read_training(
    path: Path, *, text_column: str | None = None, label_column: str | None = None
) -> list[tuple[str, str, str | None, int]]:
    """Rows ``(text, label, answer, line)`` of a CSV or JSONL training file."""
    if not path.is_file():
        raise BadInput(f"{path}: training file not found")
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".jsonl"):
        raise BadInput(f"{path}:1: training file must be .csv or .jsonl")
    try:
        raw_text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path}:1: not UTF-8 text") from exc
    records: list[tuple[dict[str, Any], int]] = []
    if suffix == ".csv":
        reader = csv.DictReader(raw_text.splitlines())
        columns = list(reader.fieldnames or [])
        if not columns:
            raise BadInput(f"{path}:1: empty CSV (a header with a text and a label column is needed)")
        records = [(row, reader.line_num) for row in reader]
    else:
        for n, line in enumerate(raw_text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BadInput(f"{path}:{n}: invalid JSON ({exc.msg})") from exc
            if not isinstance(obj, dict):
                raise BadInput(f"{path}:{n}: expected a JSON object per line")
            records.append((obj, n))
        columns = list(dict.fromkeys(k for obj, _ in records for k in obj))
        if not records:
            raise BadInput(f"{path}:1: no rows")
    text_col = _pick(columns, text_column, TEXT_COLUMNS, path, "text")
    label_col = _pick(columns, label_column, LABEL_COLUMNS, path, "label")
    lowered = {c.lower(): c for c in columns}
    answer_col = next((lowered[c] for c in ANSWER_COLUMNS if c in lowered), None)
    rows: list[tuple[str, str, str | None, int]] = []
    for record, line in records:
        text = _cell(record.get(text_col)).strip()
        label = _cell(record.get(label_col))  # a label is data: kept exactly as written
        if not text or not label.strip():
            missing = text_col if not text else label_col
            raise BadInput(f"{path}:{line}: empty '{missing}'")
        answer = str(record.get(answer_col) or "").strip() if answer_col else None
        rows.append((text, label, answer or None, line))
    if not rows:
        raise BadInput(f"{path}:1: no rows")
    return rows


def _default_templates() -> dict[str, Any]:
    return _read_templates(default_pack_dir() / "templates.yaml")


def _read_templates(path: Path) -> dict[str, Any]:
    data, _ = _read_yaml(path)
    if not isinstance(data, dict):
        raise BadInput(f"{path}:1: templates must be a mapping of language → wording")
    return data


def _templates(root: Path) -> dict[str, Any]:
    own = root / "templates.yaml"
    base = _default_templates()
    if own.is_file() and own.resolve() != (default_pack_dir() / "templates.yaml").resolve():
        for lang, entries in _read_templates(own).items():
            base.setdefault(lang, {}).update(entries or {})
    return base


# -- loading ------------------------------------------------------------------------------------
def _load_folder(root: Path) -> SupportPack:
    intents_path = root / "intents.yaml"
    if not intents_path.is_file():
        raise BadInput(f"{root}: not a support pack (no intents.yaml)")
    intents, policy_raw = _parse_intents(intents_path)
    policy = _parse_policy_file(root / "policy.yaml", policy_raw)
    training = [(ex, name) for name, spec in intents.items() for ex in spec.examples if ex.strip()]
    train_path = root / policy.training_file if policy.training_file else None
    if train_path is None:
        train_path = next((root / n for n in TRAINING_NAMES if (root / n).is_file()), None)
    if train_path is not None:
        for text, label, _, line in read_training(
            train_path, text_column=policy.text_column, label_column=policy.label_column
        ):
            if label not in intents:
                raise BadInput(
                    f"{train_path}:{line}: label '{label}' is not an intent of {intents_path.name}"
                )
            training.append((text, label))
    _check_trainable(training, intents_path)
    refused: list[str] = []
    return SupportPack(
        root=root,
        intents=intents,
        policy=policy,
        passages=_load_kb(root, intents, policy.language, refused),
        training=training,
        templates=_templates(root),
        refused=refused,
    )


def _load_bare_file(path: Path) -> SupportPack:
    rows = read_training(path)
    intents: dict[str, IntentSpec] = {}
    passages: list[Passage] = []
    answers: dict[str, list[str]] = {}
    for _, label, answer, _ in rows:
        intents.setdefault(label, IntentSpec(name=label))
        if answer and answer not in answers.setdefault(label, []):
            answers[label].append(answer)
    for label, texts in answers.items():
        for n, text in enumerate(texts[:MAX_ANSWERS_PER_INTENT], start=1):
            passages.append(
                Passage(
                    id=f"{label}#{n}",
                    title=_title(label),
                    text=text,
                    intent=label,
                    path=str(path),
                )
            )
    training = [(text, label) for text, label, _, _ in rows]
    _check_trainable(training, path)
    return SupportPack(
        root=path,
        intents=intents,
        policy=Policy(min_kb_score=0.0),  # each intent's responses are its answers: no match needed
        passages=passages,
        training=training,
        templates=_default_templates(),
        name=path.name,
    )


def _title(label: str) -> str:
    """A readable article title for a label: ``card_arrival`` → ``Card arrival``; other
    labels keep their own spelling (``ATM fees?`` stays as it is, only the first letter is raised)."""
    title = label.replace("_", " ").strip() or label
    return title[:1].upper() + title[1:]


def _check_trainable(training: list[tuple[str, str]], where: Path) -> None:
    labels = {label for _, label in training}
    if len(labels) < 2:
        raise BadInput(f"{where}:1: a pack needs training examples for at least two intents")


@dataclass(frozen=True)
class _Snapshot:
    """What a cached pack was loaded from: every folder's mtime and every file's size and mtime.

    A folder's mtime moves when an entry is added, removed or renamed in it, and a file's size
    or mtime moves when it is edited, so re-stating the recorded paths detects every change
    without walking the tree again; the tree is only re-walked (and the pack re-parsed) when
    something changed.
    """

    dirs: tuple[tuple[str, int], ...]
    files: tuple[tuple[str, int, int], ...]

    @classmethod
    def take(cls, path: str) -> _Snapshot:
        if not os.path.isdir(path):
            st = os.stat(path)
            return cls((), ((path, st.st_size, st.st_mtime_ns),))
        dirs: list[tuple[str, int]] = []
        files: list[tuple[str, int, int]] = []
        for folder, subdirs, names in os.walk(path):
            subdirs.sort()
            dirs.append((folder, os.stat(folder).st_mtime_ns))
            for name in sorted(names):
                full = os.path.join(folder, name)
                try:
                    st = os.stat(full)
                except OSError:  # a dangling link: not a pack file
                    continue
                files.append((full, st.st_size, st.st_mtime_ns))
        return cls(tuple(dirs), tuple(files))

    def unchanged(self) -> bool:
        try:
            for folder, mtime in self.dirs:
                if os.stat(folder).st_mtime_ns != mtime:
                    return False
            for name, size, mtime in self.files:
                st = os.stat(name)
                if st.st_size != size or st.st_mtime_ns != mtime:
                    return False
        except OSError:
            return False
        return True


# path → (snapshot, pack). One entry per pack path: a changed pack replaces its old entry.
_CACHE: dict[str, tuple[_Snapshot, SupportPack]] = {}


def load_pack(ref: str | Path | None = None) -> SupportPack:
    """Load (and cache per process) the pack at ``ref``: a folder or a bare CSV/JSONL file.

    Eval calls this once per example, so a cached pack is only re-checked (one ``stat`` per
    pack file and folder, see :class:`_Snapshot`), never re-walked or re-parsed unless it
    changed on disk.
    """
    path = Path(ref).expanduser() if ref else default_pack_dir()
    key = os.path.abspath(path)
    found = _CACHE.get(key)
    if found is not None and found[0].unchanged():
        return found[1]
    if not path.exists():
        raise BadInput(f"{path}: pack not found (a folder with intents.yaml, or a CSV/JSONL file)")
    snapshot = _Snapshot.take(key)  # before parsing: an edit made meanwhile shows up next time
    pack = _load_bare_file(path) if path.is_file() else _load_folder(path)
    _CACHE[key] = (snapshot, pack)
    return pack
