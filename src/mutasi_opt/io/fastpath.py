"""Fast paths for table cells, generated from the models' own field definitions.

pydantic is the one source of truth for what a cell means.  Validating every
distinct cell of a 100,000-row table through a model is still too slow (a
load becomes about 10× ``pandas.read_csv``; with these fast paths about 4×,
see ``benchmarks/bench_load.py``), so for each field a *fast path* is built
from the field's definition itself:

* the field's own Python validators run as pydantic runs them: its
  ``@field_validator`` methods and its ``Annotated`` ``BeforeValidator`` /
  ``AfterValidator`` metadata, in pydantic's order;
* only pydantic-core's type step is replaced, by a check derived from the
  annotation that accepts a value only where that step surely returns it
  as it is (``str`` for ``str``, a plain decimal text or a float for
  ``float``, a member for a ``Literal`` or an enum, element by element for
  tuples, ``None`` for ``X | None``), followed by the field's ``ge``/``le``/
  ``min_length``-style constraints.

Whenever the fast path is not sure (a validator raised, a type it does not
model, a constraint not met) it answers :data:`FAIL` and the cell goes to
the model (:func:`mutasi_opt.io.parse.probe`), which decides and words the
message.  A field whose definition uses anything this module does not model
(a validator taking ``info``, a wrap or plain validator, strict mode, a
pattern, a custom type such as :class:`~mutasi_opt.domain.values.Nip`) gets
no fast path at all.  ``tests/test_io.py`` checks on generated cells that
every fast path returns exactly what the model returns.

Each fast path is one generated Python function with every check inline
(its source is its ``__doc__``).  A plain text field whose validator has a
C-level twin (:data:`~mutasi_opt.domain.problem.STR_TWINS`) also has a
:func:`text_twin`, mapped over a whole column of text.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import inspect
import itertools
import math
import re
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any

import annotated_types as at
from pydantic import AfterValidator, BaseModel, BeforeValidator
from pydantic.fields import FieldInfo
from pydantic.functional_serializers import PlainSerializer

from ..domain.problem import STR_TWINS

__all__ = ["FAIL", "fast_parser", "text_twin"]

#: What a fast path returns when the model must decide.
FAIL: Any = object()

Step = Callable[[Any], Any]


class _Unsure(Exception):
    """The fast path cannot tell; the model decides."""


#: model_config keys that do not change how a field validates
_NEUTRAL_CONFIG = frozenset(
    {"frozen", "extra", "validate_default", "title", "json_schema_extra", "populate_by_name"}
)
#: a plain decimal that pydantic's float parsing returns as ``float(text)``
_PLAIN_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+")

#: a constraint's check as source (``v``: the value, ``k``: the constraint's bound)
_COMPARE: dict[type[Any], tuple[str, str]] = {
    at.Ge: ("{v} >= {k}", "ge"),
    at.Gt: ("{v} > {k}", "gt"),
    at.Le: ("{v} <= {k}", "le"),
    at.Lt: ("{v} < {k}", "lt"),
    at.MinLen: ("len({v}) >= {k}", "min_length"),
    at.MaxLen: ("len({v}) <= {k}", "max_length"),
}


@functools.cache
def fast_parser(model: type[BaseModel], name: str) -> Callable[[Any], Any] | None:
    """The fast path of field ``name`` of ``model``: ``f(cell)`` → value or :data:`FAIL`.

    ``None`` when the field's definition uses something the fast path does not model.
    The function is generated as Python source (as :mod:`dataclasses` does), one
    function per field with every check inline: a composition of small closures
    costs a call per step and made a 100,000-row load a third slower.
    """
    if set(model.model_config) - _NEUTRAL_CONFIG:
        return None
    info = model.model_fields[name]
    if info.discriminator is not None:  # (strict, pattern, ... are metadata: not modelled)
        return None
    gen = _Source()
    try:
        _field(gen, model, name, info)
    except _Unsure:
        return None
    return gen.function(f"fast_{model.__name__}_{name}")


@functools.cache
def text_twin(model: type[BaseModel], name: str) -> Callable[[str], Any] | None:
    """A C function equal to field ``name``'s whole validation on every ``str``
    cell, which never refuses one (e.g. ``str.strip`` for a plain text field); else ``None``.

    Only a field of type ``str`` without constraints whose one validator has a
    twin in :data:`~mutasi_opt.domain.problem.STR_TWINS` has one: a reader maps it
    over a column of text without factorising it (names are nearly all distinct).
    """
    if fast_parser(model, name) is None:
        return None
    info = model.model_fields[name]
    decorators = model.__pydantic_decorators__.field_validators.values()
    if info.annotation is not str or any(
        name in d.info.fields or "*" in d.info.fields for d in decorators
    ):
        return None
    if len(info.metadata) != 1 or not isinstance(info.metadata[0], BeforeValidator):
        return None
    func: Any = info.metadata[0].func
    return STR_TWINS.get(func)


class _Source:
    """The body of one generated fast path: statements on the value ``v``."""

    def __init__(self) -> None:
        self.scope: dict[str, Any] = {"FAIL": FAIL}
        self.lines: list[str] = []
        self._names = itertools.count()

    def const(self, obj: Any) -> str:
        """A name bound to ``obj`` in the function's scope."""
        name = f"k{next(self._names)}"
        self.scope[name] = obj
        return name

    def local(self) -> str:
        return f"x{next(self._names)}"

    def emit(self, depth: int, line: str) -> None:
        self.lines.append("    " * (depth + 2) + line)

    def fail_unless(self, depth: int, condition: str) -> None:
        self.emit(depth, f"if not ({condition}): return FAIL")

    def function(self, name: str) -> Callable[[Any], Any]:
        body = self.lines or ["        pass"]
        head = [f"def {name}(v):", "    try:"]
        tail = ["    except Exception:", "        return FAIL", "    return v", ""]
        source = "\n".join([*head, *body, *tail])
        exec(source, self.scope)
        made: Callable[[Any], Any] = self.scope[name]
        made.__doc__ = source  # the generated code, for a reader who wonders
        return made


def _field(gen: _Source, model: type[BaseModel], name: str, info: FieldInfo) -> None:
    """The whole validation of one field, with the type step replaced by a sure check."""
    befores: list[Step] = []
    afters: list[Step] = []
    for dec in model.__pydantic_decorators__.field_validators.values():
        if name not in dec.info.fields and "*" not in dec.info.fields:
            continue
        if dec.info.mode == "before":
            befores.append(_one_argument(dec.func))
        elif dec.info.mode == "after":
            afters.append(_one_argument(dec.func))
        else:
            raise _Unsure  # wrap and plain validators are not modelled
    # pydantic wraps the field's schema with each decorator in turn: the last
    # before-validator runs first, the after-validators run in order.
    for func in reversed(befores):
        gen.emit(0, f"v = {gen.const(func)}(v)")
    _annotated(gen, 0, "v", info.annotation, info.metadata)
    for func in afters:
        gen.emit(0, f"v = {gen.const(func)}(v)")


def _annotated(
    gen: _Source, depth: int, var: str, annotation: Any, metadata: Sequence[Any]
) -> None:
    """Validation of ``Annotated[annotation, *metadata]`` (``var`` is a local name)."""
    befores: list[Step] = []
    afters: list[Step] = []
    constraints: list[Any] = []
    for item in metadata:
        if isinstance(item, BeforeValidator):
            befores.append(_one_argument(item.func))
        elif isinstance(item, AfterValidator):
            if constraints:
                raise _Unsure  # a constraint checked before an after-validator
            afters.append(_one_argument(item.func))
        elif type(item) in _COMPARE:
            constraints.append(item)
        elif isinstance(item, PlainSerializer):
            continue  # serialisation only
        else:
            raise _Unsure
    # Annotated metadata wraps from the inside out: the last BeforeValidator runs first.
    for func in reversed(befores):
        gen.emit(depth, f"{var} = {gen.const(func)}({var})")
    _type_step(gen, depth, var, annotation)
    for c in constraints:
        gen.fail_unless(depth, _condition(gen, var, c))
    for func in afters:
        gen.emit(depth, f"{var} = {gen.const(func)}({var})")


def _condition(gen: _Source, var: str, constraint: Any) -> str:
    template, attr = _COMPARE[type(constraint)]
    return template.format(v=var, k=gen.const(getattr(constraint, attr)))


def _one_argument(func: Callable[..., Any]) -> Step:
    """``func`` if it takes the value alone (not pydantic's ``info``); else not modelled."""
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        raise _Unsure from None
    if len(params) != 1 or params[0].kind not in (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
    ):
        raise _Unsure
    return func


def _type_step(gen: _Source, depth: int, var: str, annotation: Any) -> None:
    """Statements standing in for pydantic-core's lax type step, sure where they accept."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        inner, *extra = args
        _annotated(gen, depth, var, inner, _flat_metadata(extra))
    elif origin is typing.Union or origin is types.UnionType:
        inner = _optional_of(args)
        gen.emit(depth, f"if {var} is not None:")
        _type_step(gen, depth + 1, var, inner)
    elif annotation is float:
        _float(gen, depth, var)
    else:
        _kept(gen, depth, var, annotation)


def _kept(gen: _Source, depth: int, expr: str, annotation: Any) -> None:
    """Statements that answer :data:`FAIL` unless pydantic's lax type step surely
    returns the value of ``expr`` as it is (an equal value of the same type).

    Types whose values may be converted (``float`` from text), or that are not
    modelled, raise :class:`_Unsure` (no fast path).
    """
    condition = _kept_condition(gen, expr, annotation)
    if condition is not None:
        gen.fail_unless(depth, condition)
        return
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        inner, *extra = args
        _kept(gen, depth, expr, inner)
        for c in _comparisons(extra):
            gen.fail_unless(depth, _condition(gen, expr, c))
    elif origin is typing.Union or origin is types.UnionType:
        gen.emit(depth, f"if {expr} is not None:")
        _kept(gen, depth + 1, expr, _optional_of(args))
    elif origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        gen.fail_unless(depth, f"type({expr}) is tuple")
        item = gen.local()
        gen.emit(depth, f"for {item} in {expr}:")
        _kept(gen, depth + 1, item, args[0])
    elif origin is tuple:
        gen.fail_unless(depth, f"type({expr}) is tuple and len({expr}) == {len(args)}")
        for i, arg in enumerate(args):
            _kept(gen, depth, f"{expr}[{i}]", arg)
    else:
        raise _Unsure


def _kept_condition(gen: _Source, expr: str, annotation: Any) -> str | None:
    """:func:`_kept` as one expression, where no loop is needed (else ``None``)."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        inner, *extra = args
        base = _kept_condition(gen, expr, inner)
        if base is None:
            return None
        return " and ".join([base, *(_condition(gen, expr, c) for c in _comparisons(extra))])
    if origin is typing.Union or origin is types.UnionType:
        inner_condition = _kept_condition(gen, expr, _optional_of(args))
        return None if inner_condition is None else f"({expr} is None or {inner_condition})"
    if origin is typing.Literal:
        choices = gen.const(frozenset((type(a), a) for a in args))
        return f"(type({expr}), {expr}) in {choices}"
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return None
        parts = [_kept_condition(gen, f"{expr}[{i}]", a) for i, a in enumerate(args)]
        if any(part is None for part in parts):
            return None
        return " and ".join([f"type({expr}) is tuple and len({expr}) == {len(args)}", *parts])  # type: ignore[list-item]
    if origin is not None:
        raise _Unsure
    if annotation in (str, int, bool, dt.date) or (
        isinstance(annotation, type) and issubclass(annotation, enum.Enum)
    ):
        return f"type({expr}) is {gen.const(annotation)}"
    if annotation is type(None):
        return f"{expr} is None"
    raise _Unsure


def _comparisons(extra: Sequence[Any]) -> list[Any]:
    """The ``ge``/``le``/``min_length``-style constraints of ``Annotated`` metadata."""
    metadata = _flat_metadata(extra)
    if any(type(c) not in _COMPARE for c in metadata):
        raise _Unsure
    return metadata


def _float(gen: _Source, depth: int, var: str) -> None:
    """pydantic's lax ``float`` for a float, an int or a plain decimal text; else FAIL."""
    plain, inf = gen.const(_PLAIN_DECIMAL.fullmatch), gen.const(math.inf)
    kind = gen.local()
    for line in (
        f"{kind} = type({var})",
        f"if {kind} is int:",
        f"    {var} = float({var})",
        f"elif {kind} is str and {plain}({var}) is not None:",
        f"    {var} = float({var})",
        f"    if {var} == {inf}: return FAIL",  # (a plain decimal of 400 digits)
        f"elif {kind} is not float:",
        "    return FAIL",
    ):
        gen.emit(depth, line)


def _flat_metadata(extra: Sequence[Any]) -> list[Any]:
    metadata: list[Any] = []
    for item in extra:
        metadata.extend(item.metadata if isinstance(item, FieldInfo) else [item])
    return metadata


def _optional_of(args: tuple[Any, ...]) -> Any:
    """``X`` of ``X | None``; smart-mode unions of several types are not modelled."""
    others = [a for a in args if a is not type(None)]
    if len(others) != 1 or len(args) != 2:
        raise _Unsure
    return others[0]
