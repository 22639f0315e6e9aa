"""Typer builds a pydantic validator only for the options whose value is not ``None``.

Why: typer 0.29 coerces every parameter through a pydantic ``TypeAdapter`` and builds it when
the parameter is first processed — for every option of the command, given or not. An option
left out has the value ``None``, which typer's coercion returns as ``None`` (``()`` for a
repeatable option) without ever asking the adapter. ``agentops cost --rpd 1000`` thus built
19 adapters and used one. (An option with a non-``None`` default, such as a count or
``--limit 20``, still gets its adapter on every run: its value is real.)

:func:`install` makes the runtime coercion of each parameter deferred: a missing value goes
through typer's own ``RuntimeParam.coerce`` unchanged, and the first real value builds typer's
own runtime parameter (same adapter, same errors) and hands over to it. The result of every
parse is the one typer gives; ``tests/unit/test_lazy_coercion.py`` checks it against typer's
unpatched behaviour, and that the patch is in place for the typer this project pins.

These are typer's private names, and the pin allows later typers: if they are gone or have
changed shape, :func:`install` does nothing and typer parses as it always did (only slower).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from typer import _coercion
from typer.core import _TyperParameter

if TYPE_CHECKING:
    from typer._click import Context

# Typer's own method, kept so tests can compare every parse with and without the deferral.
TYPER_GET_RUNTIME_PARAM = _TyperParameter.get_runtime_param


@dataclass(frozen=True, kw_only=True)
class DeferredRuntimeParam(_coercion.RuntimeParam):
    """Typer's ``RuntimeParam.coerce`` for a missing value; typer's own runtime param for a given one."""

    descriptor: _coercion.TypeDescriptor

    def _coerce_value(self, value: Any, param: _TyperParameter, ctx: Context) -> Any:
        built = _coercion.build_runtime_param(self.descriptor)
        param._runtime_param = built  # later values go straight to typer's coercion
        return built._coerce_value(value, param=param, ctx=ctx)


def _deferred_runtime_param(self: _TyperParameter) -> _coercion.RuntimeParam:
    if self._runtime_param is None:
        descriptor = self.type_descriptor
        self._runtime_param = DeferredRuntimeParam(
            parameter_info=descriptor.parameter_info, annotation=descriptor.annotation, descriptor=descriptor
        )
    return self._runtime_param


def supported() -> bool:
    """Whether this typer still has the private hooks the deferral replaces."""
    return (
        callable(getattr(_coercion, "build_runtime_param", None))
        and callable(getattr(_TyperParameter, "get_runtime_param", None))
        and callable(getattr(_coercion.RuntimeParam, "_coerce_value", None))
    )


def install() -> None:
    """Defer the runtime coercion of every typer parameter (idempotent; a no-op on another typer)."""
    if supported():
        _TyperParameter.get_runtime_param = _deferred_runtime_param  # type: ignore[method-assign]


def installed() -> bool:
    return _TyperParameter.get_runtime_param is _deferred_runtime_param
