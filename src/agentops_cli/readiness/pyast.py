"""Python read as syntax trees (``ast``): calls, their arguments, and what a ``try`` guards.

checklist: skip-file (the names below describe practices; they are not evidence of them)

Why: some items are about *how* code is wired, not which words it holds. "Fallback when the
LLM fails" means a model call whose failure is handled by answering something else, not a
``fallback_url`` setting or a fallback font; "prompt-injection guard" means a check applied to
user input before the model sees it, not a helper that escapes auth tokens. Only the few files
that could hold such evidence are parsed (the caller filters by cheap substring tests first),
and a file that does not parse (Python 2, templates) simply yields nothing.
"""

from __future__ import annotations

import ast
import re

from agentops_cli.readiness.scanner import SourceFile

# Method names that send a prompt to a model (LangChain runnables, OpenAI/Anthropic SDKs, litellm).
MODEL_METHODS = frozenset(
    {
        "invoke",
        "ainvoke",
        "stream",
        "astream",
        "batch",
        "abatch",
        "generate",
        "agenerate",
        "completion",
        "acompletion",
        "predict",
        "apredict",
        "call_model",
        "call_llm",
        "ask_llm",
        "chat_completion",
        "structured",
    }
)
# An ``except`` naming one of these is about the model failing, whatever the ``try`` calls.
MODEL_ERROR = re.compile(r"(?i)failover|llm|openai|anthropic|provider|modelerror|apierror|ratelimiterror")
MODEL_CREATE_OWNERS = frozenset({"completions", "messages", "responses", "chat"})
CREDENTIAL_ARG = re.compile(r"(?i)token|auth|cookie|passw|secret|api_?key|header|jwt|csrf|session_id")


def parse(file: SourceFile) -> ast.Module | None:
    """The module's tree, parsed once per file (``None`` when it is not valid Python 3)."""
    cached = file.__dict__.get("_ast", False)
    if cached is not False:
        return cached
    try:
        tree: ast.Module | None = ast.parse(file.text or "", filename=file.path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        tree = None
    file.__dict__["_ast"] = tree
    return tree


def _called(node: ast.Call) -> tuple[str, str]:
    func = node.func
    if isinstance(func, ast.Attribute):
        owner = func.value
        owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
        return func.attr, owner_name
    if isinstance(func, ast.Name):
        return func.id, ""
    return "", ""


NOT_A_MODEL = re.compile(r"(?i)tool|retriever|search|db|session|cursor|http|requests")
# ``except NotImplementedError: tool.invoke(...)`` picks a sync/async variant: no failure is answered.
PROTOCOL_ERRORS = frozenset(
    {"NotImplementedError", "AttributeError", "ImportError", "KeyError", "TypeError", "StopIteration"}
)


def is_model_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name, owner = _called(node)
    if NOT_A_MODEL.search(owner):
        return False
    return name in MODEL_METHODS or (name in ("create", "acreate") and owner in MODEL_CREATE_OWNERS)


def _contains_model_call(nodes: list[ast.stmt]) -> bool:
    return any(is_model_call(n) for stmt in nodes for n in ast.walk(stmt))


def _answers_something(handler: ast.ExceptHandler) -> bool:
    """The handler answers with something else (returns or assigns a value, or calls another
    model), rather than only re-raising or logging."""
    if any(isinstance(stmt, ast.Raise) for stmt in handler.body):
        return False
    if (
        handler.type is not None
        and set(ast.unparse(handler.type).strip("()").replace(" ", "").split(",")) <= PROTOCOL_ERRORS
    ):
        return False
    for node in ast.walk(handler):
        returns_value = isinstance(node, ast.Return) and node.value is not None
        if returns_value and not (isinstance(node.value, ast.Constant) and node.value.value is None):
            return True
        if isinstance(node, ast.Assign | ast.AnnAssign) or is_model_call(node):
            return True
    return False


def model_failure_handled(file: SourceFile) -> list[int]:
    """Lines of ``try`` blocks around a model call whose ``except`` answers with something else."""
    tree = parse(file)
    if tree is None:
        return []
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try):
            continue
        model_try = _contains_model_call(node.body)
        for handler in node.handlers:
            about_model = model_try or bool(
                handler.type is not None and MODEL_ERROR.search(ast.unparse(handler.type))
            )
            if about_model and _answers_something(handler):
                lines.append(handler.lineno)
                break
    return lines
