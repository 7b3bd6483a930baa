"""What a lower layer uses and a higher layer provides, so that imports only go down.

The domain and result objects offer views that are written in the layers
above them: ``Problem.from_frames`` (pandas, in ``io``), ``plan.moves`` as a
DataFrame, ``str(plan)`` (``text``), ``_repr_html_`` (``views``).  Those
layers register their functions here under a name when they are imported —
``import mutasi_opt`` imports them all — and the objects look them up when
called, without importing any module above their own.

    @provide("problem.html")
    def problem_html(problem: Problem) -> str: ...

    provided("problem.html")(problem)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["provide", "provided"]

F = TypeVar("F", bound=Callable[..., Any])

_PROVIDERS: dict[str, Callable[..., Any]] = {}


def provide(name: str) -> Callable[[F], F]:
    """Register the decorated function as the provider of ``name``."""

    def register(fn: F) -> F:
        _PROVIDERS[name] = fn
        return fn

    return register


def provided(name: str) -> Callable[..., Any]:
    """The function registered as ``name`` (``RuntimeError`` if none is)."""
    try:
        return _PROVIDERS[name]
    except KeyError:
        raise RuntimeError(
            f"nothing provides {name!r}: import mutasi_opt (the package), which "
            "registers every view, table and text"
        ) from None
