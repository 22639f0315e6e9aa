"""The one YAML reader of the project: datasets, config files, packs, checklist answers.

Why not ``yaml.safe_load``: "safe" only means no arbitrary objects. A 600-byte file of
nested anchors ("billion laughs") still expands to billions of nodes the moment anything
walks the result, a recursive alias builds a cyclic structure that crashes whatever
serialises it, and keys such as ``1:`` or ``null:`` silently become non-string keys.
Here a document is *composed* first (aliases stay shared references, so composing is
linear in the text), the node graph is measured — expanded size, depth, cycles, key
types — and only then constructed. Every refusal is ``BadInput("file:line: why")``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from agentops_cli.errors import BadInput

_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
# The C parser is ~10x faster and refuses nesting past 1,000 levels on its own; the pure
# Python one recurses and would hit RecursionError, which is caught below.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class YamlBudget:
    """Limits of one document. ``alias_nodes``: how many nodes aliases may add on top of the
    document's own (an anchor reused a few times is fine; a billion copies is not)."""

    max_bytes: int = 20 * 1024 * 1024
    max_depth: int = 100
    alias_nodes: int = 100_000


DEFAULT_BUDGET = YamlBudget()


def read_yaml_text(path: Path, budget: YamlBudget = DEFAULT_BUDGET, what: str = "YAML file") -> str:
    """The file's text, refusing non-regular files (a FIFO would block), files over budget
    and non-UTF-8 bytes. ``what`` names the file in messages ("config file")."""
    try:
        if not path.exists():
            raise BadInput(f"{path}: cannot read {what} (not found)")
        if not path.is_file():
            raise BadInput(f"{path}: cannot read {what} (not a regular file)")
        size = path.stat().st_size
        if size > budget.max_bytes:
            raise BadInput(f"{path}: {what} is {size} bytes, over the limit of {budget.max_bytes}")
        data = path.read_bytes()
    except (OSError, ValueError) as exc:
        raise BadInput(f"{path}: cannot read {what} ({exc.__class__.__name__})") from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{path}: cannot read {what} (not UTF-8 text: {exc.reason})") from exc


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class _Measure:
    """Walk the composed graph once (memoised per node): expanded size, height, cycles, keys."""

    def __init__(self, source: str, budget: YamlBudget) -> None:
        self.source = source
        self.budget = budget
        self.sizes: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded nodes, height)
        self.open: set[int] = set()

    def fail(self, node: yaml.Node, why: str) -> BadInput:
        return BadInput(f"{self.source}:{_line(node)}: {why}")

    def visit(self, node: yaml.Node, depth: int) -> tuple[int, int]:
        key = id(node)
        if key in self.open:
            raise self.fail(node, "recursive YAML alias (an anchor used inside itself)")
        if key in self.sizes:
            size, height = self.sizes[key]
        else:
            self.open.add(key)
            size, height = self._children(node, depth)
            self.open.discard(key)
            self.sizes[key] = (size, height)
        if depth + height > self.budget.max_depth:
            raise self.fail(node, f"YAML nested deeper than {self.budget.max_depth} levels")
        return size, height

    def _children(self, node: yaml.Node, depth: int) -> tuple[int, int]:
        if depth > self.budget.max_depth:
            raise self.fail(node, f"YAML nested deeper than {self.budget.max_depth} levels")
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE_TAG:
                    children.append(value_node)
                    continue
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR_TAG:
                    shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "a collection"
                    raise self.fail(key_node, f"mapping key {shown!s} is not a string (quote it)")
                children.append(value_node)
        size, height = 1, 0
        for child in children:
            child_size, child_height = self.visit(child, depth + 1)
            size += child_size
            height = max(height, child_height + 1)
        return size, height


def compose(text: str, source: str, budget: YamlBudget = DEFAULT_BUDGET) -> yaml.Node | None:
    """Parse ``text`` to a checked node graph (``None`` for an empty document)."""
    if len(text) > budget.max_bytes:
        raise BadInput(f"{source}: YAML text is {len(text)} characters, over the limit of {budget.max_bytes}")
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        problem = exc.problem or exc.context or "parse error"
        raise BadInput(f"{source}{line}: invalid YAML: {problem}") from exc
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "parse error"
        raise BadInput(f"{source}: invalid YAML: {first}") from exc
    except RecursionError as exc:
        raise BadInput(f"{source}: YAML nested too deep") from exc
    finally:
        loader.dispose()
    if root is None:
        return None
    measure = _Measure(source, budget)
    own = _own_nodes(root)
    expanded, _ = measure.visit(root, 0)
    if expanded > own + budget.alias_nodes:
        raise BadInput(
            f"{source}:{_line(root)}: YAML aliases expand to {expanded} nodes "
            f"(over {own} + {budget.alias_nodes}); refusing a possible alias bomb"
        )
    return root


def _own_nodes(root: yaml.Node) -> int:
    """Distinct nodes in the graph (what the text itself holds, aliases counted once)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                stack.extend((key_node, value_node))
    return len(seen)


def construct(node: yaml.Node, source: str) -> Any:
    """Python data of a node from :func:`compose` (a fresh constructor, so rows can be built
    one at a time)."""
    constructor = yaml.constructor.SafeConstructor()
    try:
        return constructor.construct_object(node, deep=True)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else _line(node)
        raise BadInput(f"{source}:{line}: invalid YAML: {exc.problem or exc.context}") from exc
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a 5,000-digit integer
        raise BadInput(f"{source}:{_line(node)}: invalid YAML value ({exc.__class__.__name__})") from exc


def load(text: str, source: str, budget: YamlBudget = DEFAULT_BUDGET) -> Any:
    """``yaml.safe_load`` with the checks above; ``source`` names the file in errors."""
    root = compose(text, source, budget)
    return None if root is None else construct(root, source)


def load_file(path: Path, budget: YamlBudget = DEFAULT_BUDGET) -> Any:
    return load(read_yaml_text(path, budget), str(path), budget)


def key_lines(root: yaml.Node | None) -> dict[tuple, int]:
    """Map a path tuple (keys and list indices) to its 1-based line, for ``file:line`` errors.

    Call on a node from :func:`compose` (checked acyclic and bounded)."""
    lines: dict[tuple, int] = {}
    if root is None:
        return lines
    lines[()] = _line(root)
    stack: list[tuple[yaml.Node, tuple]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                child = (*path, key_node.value)
                lines[child] = _line(key_node)
                stack.append((value_node, child))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[(*path, i)] = _line(item)
                stack.append((item, (*path, i)))
    return lines
