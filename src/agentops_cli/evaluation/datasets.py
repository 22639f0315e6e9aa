"""Datasets: JSONL, CSV or YAML files (or a folder of them) streamed as validated rows.

Rows are never all held in memory: a dataset is *read twice* — once to validate every
row (a bad row stops the run before any work, with ``file:line: what is wrong``) and to
decide the selection (``--agent``, ``--tags``, ``--sample``, ``--limit``), once more to
feed the runner. Re-reading a file is cheap; holding 100,000 rows is not.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agentops_cli import safe_yaml
from agentops_cli.errors import BadInput
from agentops_cli.evaluation.models import Example

EXTENSIONS = (".jsonl", ".csv", ".yaml", ".yml")
AGENT_NAMES = ("support", "document", "research")
BASE_KEYS = ("id", "agent", "input", "tags")


# -- what ``expected`` may hold, per agent: wrong types fail at load time, not mid-run ----------
class CounterfactualExpected(BaseModel):
    """A row is one variant of a group of messages that differ only in a sensitive attribute.

    ``value`` is what this variant says for the attribute (a name, "72 years old"); the answer is
    compared with the other variants' after it is masked, so an answer that greets the customer
    by name is not counted as different.
    """

    model_config = ConfigDict(extra="forbid", strict=False)

    group: str = Field(min_length=1, max_length=200)
    attribute: str = Field(min_length=1, max_length=100)
    value: str | list[str] | None = None


class _Expected(BaseModel):
    model_config = ConfigDict(extra="allow", strict=False)

    output: str | None = None
    must_include: list[str] | None = None
    regex: str | None = None
    schema_: dict[str, Any] | None = None
    rubric: str | None = None
    counterfactual: CounterfactualExpected | None = None


class SupportExpected(_Expected):
    intent: str | None = None
    escalate: bool | None = None
    escalation_reason: str | None = None
    language: str | None = None


class DocumentExpected(_Expected):
    doc_type: str | None = None
    fields: dict[str, Any] | None = None
    risks: list[str] | None = None


class ResearchExpected(_Expected):
    must_cite: list[str] | None = None


class UserExpected(_Expected):
    """A user agent's row: ``output`` may be any JSON value (compared with the mapped output)."""

    output: Any = None


EXPECTED_MODELS: dict[str, type[_Expected]] = {
    "support": SupportExpected,
    "document": DocumentExpected,
    "research": ResearchExpected,
}


@dataclass(frozen=True)
class Selection:
    """Which rows of a dataset a run takes (saved in the run's meta for ``--resume``)."""

    agent: str | None = None
    tags: tuple[str, ...] = ()
    limit: int | None = None
    sample: int | None = None
    seed: int = 0
    shard: tuple[int, int] | None = None  # (I, N), 1-based: applied after every other selection


def parse_shard(text: str) -> tuple[int, int]:
    """``--shard I/N`` → (I, N) with 1 ≤ I ≤ N ≤ 1000; anything else is bad input."""
    index, sep, count = text.strip().partition("/")
    if not sep or not index.isdigit() or not count.isdigit():
        raise BadInput(f"--shard {text}: expected I/N, e.g. 2/4")
    i, n = int(index), int(count)
    if not 1 <= n <= 1000 or not 1 <= i <= n:
        raise BadInput(f"--shard {text}: need 1 ≤ I ≤ N ≤ 1000")
    return i, n


def shard_of(example_id: str, count: int) -> int:
    """The 1-based shard an example id belongs to out of ``count``.

    A hash of the id, not its position: adding, removing or reordering rows never moves
    another row to a different shard, and every machine computes the same split."""
    digest = hashlib.sha256(example_id.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


@dataclass
class DatasetSpec:
    """A dataset path plus how to read it: column mapping and per-agent options."""

    path: Path
    mapping: dict[str, str] = field(default_factory=dict)
    default_agent: str | None = None
    pack: str | None = None
    user_agents: tuple[str, ...] = ()  # names the registry resolves besides the built-ins

    def files(self) -> list[Path]:
        if self.path.is_file():
            return [self.path]
        if not self.path.is_dir():
            raise BadInput(f"{self.path}: dataset is not a regular file or folder")
        files = sorted(p for p in self.path.iterdir() if p.is_file() and p.suffix.lower() in EXTENSIONS)
        if not files:
            raise BadInput(f"{self.path}: no dataset files ({', '.join(EXTENSIONS)}) in this folder")
        return files


def resolve_dataset(spec: str | None) -> tuple[Path, str]:
    """``golden`` (or nothing) is the bundled golden folder; anything else is a path."""
    from agentops_cli.resources import datasets_dir

    if spec in (None, "", "golden"):
        return datasets_dir() / "golden", "golden"
    path = Path(spec).expanduser()
    if "\x00" in str(spec):
        raise BadInput(f"{spec!r}: dataset path holds a NUL byte")
    if not path.exists():
        raise BadInput(f"{spec}: dataset not found")
    if not path.is_file() and not path.is_dir():  # /dev/null, a FIFO (reading it would block)
        raise BadInput(f"{spec}: dataset is not a regular file or folder")
    if path.is_file() and path.suffix.lower() not in EXTENSIONS:
        raise BadInput(f"{spec}: unsupported dataset format (use {', '.join(EXTENSIONS)})")
    return path.resolve(), str(spec)


def parse_mapping(pairs: list[str]) -> dict[str, str]:
    """``--map input=text --map expected.intent=category`` → {target: source column}."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        target, sep, source = pair.partition("=")
        target, source = target.strip(), source.strip()
        if not sep or not target or not source:
            raise BadInput(
                f"--map {pair}: expected TARGET=SOURCE, e.g. input=text or expected.intent=category"
            )
        if target not in BASE_KEYS and not target.startswith("expected."):
            raise BadInput(f"--map {pair}: target must be one of {', '.join(BASE_KEYS)} or expected.NAME")
        mapping[target] = source
    return mapping


# -- readers: each yields (line number, raw dict) ------------------------------------------------
def _read_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            if not line.strip() or line.lstrip().startswith("//"):
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                raise BadInput(f"{path}:{number}: invalid JSON: {exc.msg}") from exc
            except (ValueError, RecursionError) as exc:  # a 5,000-digit integer, 100,000 brackets
                raise BadInput(f"{path}:{number}: invalid JSON: {_json_problem(exc)}") from exc


def _cell(value: str) -> Any:
    """CSV cells are text; read booleans, numbers and JSON lists/objects as such."""
    text = value.strip()
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if text[:1] in "[{":
        try:
            return json.loads(text)
        except (ValueError, RecursionError):  # not JSON after all (or absurd JSON): keep the text
            return text
    return text


def _json_problem(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deep"
    return "number too large" if "digits" in str(exc) else str(exc).splitlines()[0]


MAX_ROW_DEPTH = 50


def check_row_values(value: Any, where: str, depth: int = 0) -> None:
    """Refuse what would crash the run later instead of here: nesting past ``MAX_ROW_DEPTH``,
    lone UTF-16 surrogates (``"\\ud800"`` cannot be written as UTF-8 to results.jsonl) and
    non-string keys. Runs on every row of every format, before any work."""
    if depth > MAX_ROW_DEPTH:
        raise BadInput(f"{where}: row nested deeper than {MAX_ROW_DEPTH} levels")
    if isinstance(value, str):
        _check_text(value, where)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise BadInput(f"{where}: key {key!r} is not a string")
            _check_text(key, where)
            check_row_values(item, where, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_row_values(item, where, depth + 1)


def _check_text(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise BadInput(f"{where}: text holds a lone UTF-16 surrogate ({exc.reason}): {text[:40]!a}") from exc


def _read_csv(path: Path) -> Iterator[tuple[int, Any]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames:
            raise BadInput(f"{path}:1: empty CSV (no header row)")
        for row in reader:
            if None in row:
                raise BadInput(f"{path}:{reader.line_num}: more cells than header columns")
            yield reader.line_num, {k: _cell(v or "") for k, v in row.items() if k and (v or "").strip()}


def _read_yaml(path: Path) -> Iterator[tuple[int, Any]]:
    source = str(path)
    root = safe_yaml.compose(safe_yaml.read_yaml_text(path), source)
    if root is None:
        return
    if isinstance(root, yaml.MappingNode):
        keys = {k.value: v for k, v in root.value}
        root = keys.get("examples") or keys.get("rows")
        if root is None:
            raise BadInput(f"{path}:1: YAML dataset must be a list of rows (or have an 'examples' list)")
    if not isinstance(root, yaml.SequenceNode):
        raise BadInput(f"{path}:{root.start_mark.line + 1}: YAML dataset must be a list of rows")
    for node in root.value:
        yield node.start_mark.line + 1, safe_yaml.construct(node, source)


READERS = {".jsonl": _read_jsonl, ".csv": _read_csv, ".yaml": _read_yaml, ".yml": _read_yaml}


# -- from a raw dict to an Example --------------------------------------------------------------
def _lookup(raw: dict[str, Any], dotted: str) -> Any:
    if dotted in raw:
        return raw[dotted]
    node: Any = raw
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _normalise_row(raw: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    """Apply ``--map`` and fold flat ``expected.X`` / extra columns into ``expected``."""
    row: dict[str, Any] = {}
    expected: dict[str, Any] = (
        dict(raw.get("expected") or {}) if isinstance(raw.get("expected"), dict) else {}
    )
    if "expected" in raw and not isinstance(raw["expected"], dict):
        row["_bad_expected"] = raw["expected"]
    used = set(mapping.values()) | {source.split(".")[0] for source in mapping.values()}
    for key, value in raw.items():
        if key == "expected" or key in used:
            continue
        if key in BASE_KEYS:
            row[key] = value
        elif key.startswith("expected."):
            expected[key.removeprefix("expected.")] = value
        else:
            expected.setdefault(key, value)
    for target, source in mapping.items():
        value = _lookup(raw, source)
        if value is None:
            continue
        if target.startswith("expected."):
            expected[target.removeprefix("expected.")] = value
        else:
            row[target] = value
    row["expected"] = expected
    return row


def _tags(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [t.strip() for t in value.replace(";", ",").replace("|", ",").split(",") if t.strip()]
    if isinstance(value, list) and all(isinstance(t, str) for t in value):
        return list(value)
    raise ValueError("'tags' must be a list of strings or a comma-separated string")


def _build_example(raw: Any, where: str, path: Path, spec: DatasetSpec) -> Example:
    if not isinstance(raw, dict):
        raise BadInput(f"{where}: a row must be an object, got {type(raw).__name__}")
    check_row_values(raw, where)
    row = _normalise_row(raw, spec.mapping)
    if "_bad_expected" in row:
        raise BadInput(f"{where}: 'expected' must be an object")
    agent = row.get("agent") or spec.default_agent
    if not agent:
        raise BadInput(f"{where}: missing 'agent' (add an agent column or pass --agent)")
    user = agent in spec.user_agents
    if agent not in AGENT_NAMES and not user:
        known = ", ".join([*AGENT_NAMES, *spec.user_agents])
        raise BadInput(f"{where}: unknown agent '{agent}' (choose from {known})")
    text = row.get("input")
    if text is None or (isinstance(text, str) and not text.strip()):
        hint = " (use --map input=COLUMN)" if path.suffix.lower() == ".csv" else ""
        raise BadInput(f"{where}: missing 'input'{hint}")
    if isinstance(text, bool) and path.suffix.lower() == ".csv":
        text = str(text).lower()  # a CSV cell "true" was read as a boolean; the query is the word
    data = None
    if user and isinstance(text, dict | list):
        data, text = text, json.dumps(text, ensure_ascii=False, sort_keys=True)
    elif isinstance(text, bool) or not isinstance(text, str | int | float):
        kind = "text or an object" if user else "text"
        raise BadInput(f"{where}: 'input' must be {kind}, got {type(text).__name__}")
    text = str(text)
    row_id = row.get("id")
    row_id = str(row_id) if row_id not in (None, "") else f"{path.stem}-{where.rsplit(':', 1)[-1]}"
    try:
        tags = _tags(row.get("tags"))
    except ValueError as exc:
        raise BadInput(f"{where}: {exc}") from exc
    expected = row["expected"]
    if "schema" in expected:
        expected["schema_"] = expected.pop("schema")
    try:
        checked = (UserExpected if user else EXPECTED_MODELS[agent]).model_validate(expected)
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(str(p) for p in err["loc"]).replace("schema_", "schema")
        raise BadInput(f"{where}: expected.{name}: {err['msg']}") from exc
    expected = checked.model_dump(exclude_none=True, by_alias=False)
    if "schema_" in expected:
        expected["schema"] = expected.pop("schema_")
    options: dict[str, Any] = {}
    agent_kind = None if user else agent  # a user agent gets the row's input as is, no built-in options
    if agent_kind == "support":
        options["pack"] = spec.pack
    elif agent_kind == "document":
        options["root"] = str(path.parent)
        if "\x00" in text:
            raise BadInput(f"{where}: document path holds a NUL byte")
        try:
            doc = (path.parent / text).resolve()
            found = doc.is_file()
        except OSError as exc:  # a 300-character name, a loop of links
            raise BadInput(f"{where}: document '{text[:80]}': {exc.strerror or exc}") from exc
        if not found:
            raise BadInput(f"{where}: document '{text}' not found (paths are relative to {path.parent})")
        text = str(doc)
    elif agent_kind == "research":
        options["corpus"] = None
    return Example(
        id=row_id,
        agent=agent,
        input=text,
        expected=expected,
        tags=tags,
        where=where,
        options=options,
        data=data,
    )


def iter_examples(spec: DatasetSpec) -> Iterator[Example]:
    """Every row of the dataset as an :class:`Example`, in file order; raises on the first bad one."""
    for path in spec.files():
        reader = READERS[path.suffix.lower()]
        try:
            for line, raw in reader(path):
                yield _build_example(raw, f"{path}:{line}", path, spec)
        except UnicodeDecodeError as exc:
            raise BadInput(f"{path}: not UTF-8 text ({exc.reason})") from exc
        except csv.Error as exc:
            raise BadInput(f"{path}: invalid CSV: {exc}") from exc


@dataclass
class Plan:
    """The outcome of the validation pass: what will run, without holding the rows."""

    total_rows: int = 0
    selected: int = 0
    agents: list[str] = field(default_factory=list)
    fingerprint: str = ""
    rows_fingerprint: str = ""  # every field a score depends on (fingerprint: ids and inputs only)
    sample_ids: set[str] | None = None
    unsharded: int = 0  # rows the selection takes before --shard


def _matches(example: Example, selection: Selection) -> bool:
    if selection.agent and example.agent != selection.agent:
        return False
    return not selection.tags or any(t in example.tags for t in selection.tags)


def plan(spec: DatasetSpec, selection: Selection) -> Plan:
    """Validate every row, check ids are unique, and fix the selection (sample by reservoir)."""
    result = Plan()
    seen: dict[str, str] = {}
    agents: set[str] = set()
    rng = random.Random(selection.seed)
    reservoir: list[tuple[str, str]] = []
    eligible = 0
    digest = hashlib.sha256()
    rows_digest = hashlib.sha256()
    for example in iter_examples(spec):
        result.total_rows += 1
        if example.id in seen:
            raise BadInput(f"{example.where}: duplicate id '{example.id}' (first at {seen[example.id]})")
        seen[example.id] = example.where
        digest.update(example.id.encode())
        digest.update(example.input.encode())
        rows_digest.update(_row_identity(example))
        if not _matches(example, selection):
            continue
        eligible += 1
        if selection.sample is None:
            if selection.limit is None or eligible <= selection.limit:
                agents.add(example.agent)
        elif len(reservoir) < selection.sample:
            reservoir.append((example.id, example.agent))
        else:
            j = rng.randrange(eligible)
            if j < selection.sample:
                reservoir[j] = (example.id, example.agent)
    if result.total_rows == 0:
        raise BadInput(f"{spec.path}: the dataset has no rows")
    if selection.sample is not None:
        result.sample_ids = {rid for rid, _ in reservoir}
        eligible = len(reservoir)
        # reservoir keeps dataset order only partly; --limit then takes the first ids in file order
        agents = {agent for _, agent in reservoir}
    result.selected = min(eligible, selection.limit) if selection.limit is not None else eligible
    if result.selected == 0:
        raise BadInput(f"{spec.path}: no rows match the selection (--agent/--tags)")
    result.fingerprint = digest.hexdigest()[:16]
    result.rows_fingerprint = rows_digest.hexdigest()[:16]
    # Agents (hence default scorers) come from the whole selection, so every shard of a run
    # scores with the same scorers as the unsharded run and the shards can be merged.
    result.agents = sorted(agents)
    result.unsharded = result.selected
    if selection.shard is not None:
        result.selected = sum(1 for _ in _selected(spec, selection, result))
    return result


def _row_identity(example: Example) -> bytes:
    """What makes a row score the way it does (not where the file lives): for shard merges."""
    fields = [example.id, example.agent, example.input, example.expected, example.tags, example.data]
    return json.dumps(fields, sort_keys=True, ensure_ascii=False, default=str).encode() + b"\n"


def _selected(spec: DatasetSpec, selection: Selection, planned: Plan) -> Iterator[Example]:
    taken = 0
    for example in iter_examples(spec):
        if not _matches(example, selection):
            continue
        if planned.sample_ids is not None and example.id not in planned.sample_ids:
            continue
        if selection.limit is not None and taken >= selection.limit:
            return
        taken += 1  # --limit counts before --shard: the shards split exactly the limited rows
        if selection.shard is not None and shard_of(example.id, selection.shard[1]) != selection.shard[0]:
            continue
        yield example


def selected_examples(spec: DatasetSpec, selection: Selection, planned: Plan) -> Iterator[Example]:
    """The rows a run takes, streamed in dataset order (the second read)."""
    return _selected(spec, selection, planned)
