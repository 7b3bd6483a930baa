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
"""

from __future__ import annotations

import enum
import functools
import inspect
import re
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any

import annotated_types as at
from pydantic import AfterValidator, BaseModel, BeforeValidator
from pydantic.fields import FieldInfo
from pydantic.functional_serializers import PlainSerializer

__all__ = ["FAIL", "fast_parser"]

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

_COMPARE: dict[type[Any], Callable[[Any, Any], bool]] = {
    at.Ge: lambda v, c: v >= c.ge,
    at.Gt: lambda v, c: v > c.gt,
    at.Le: lambda v, c: v <= c.le,
    at.Lt: lambda v, c: v < c.lt,
    at.MinLen: lambda v, c: len(v) >= c.min_length,
    at.MaxLen: lambda v, c: len(v) <= c.max_length,
}


@functools.cache
def fast_parser(model: type[BaseModel], name: str) -> Callable[[Any], Any] | None:
    """The fast path of field ``name`` of ``model``: ``f(cell)`` → value or :data:`FAIL`.

    ``None`` when the field's definition uses something the fast path does not model.
    """
    if set(model.model_config) - _NEUTRAL_CONFIG:
        return None
    info = model.model_fields[name]
    if info.discriminator is not None:  # (strict, pattern, ... are metadata: not modelled)
        return None
    try:
        run = _field_steps(model, name, info)
    except _Unsure:
        return None

    def parse(value: Any) -> Any:
        try:
            return run(value)
        except Exception:  # a validator's ValueError, or _Unsure: the model decides
            return FAIL

    return parse


def _field_steps(model: type[BaseModel], name: str, info: FieldInfo) -> Step:
    """The whole validation of one field, with the type step replaced by a sure check."""
    run = _annotated(info.annotation, info.metadata)
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
    return _chain([*reversed(befores)], run, afters)


def _annotated(annotation: Any, metadata: Sequence[Any]) -> Step:
    """Validation of ``Annotated[annotation, *metadata]``."""
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
    core = _constrained(_type_step(annotation), constraints)
    # Annotated metadata wraps from the inside out: the last BeforeValidator runs first.
    return _chain([*reversed(befores)], core, afters)


def _chain(befores: Sequence[Step], core: Step, afters: Sequence[Step]) -> Step:
    steps = [*befores, core, *afters]
    if len(steps) == 1:
        return core
    if len(steps) == 2:
        first, second = steps
        return lambda v: second(first(v))

    def run(value: Any) -> Any:
        for step in steps:
            value = step(value)
        return value

    return run


def _constrained(step: Step, constraints: Sequence[Any]) -> Step:
    if not constraints:
        return step
    checks = [(_COMPARE[type(c)], c) for c in constraints]

    def run(value: Any) -> Any:
        value = step(value)
        for holds, c in checks:
            if not holds(value, c):
                raise _Unsure
        return value

    return run


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


def _type_step(annotation: Any) -> Step:
    """A check standing in for pydantic-core's lax type step, sure where it accepts."""
    keeps = _kept(annotation)
    if keeps is not None:
        return lambda v: v if keeps(v) else _unsure()
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        inner, *extra = args
        return _annotated(inner, _flat_metadata(extra))
    if origin is typing.Union or origin is types.UnionType:
        inner_step = _type_step(_optional_of(args))
        return lambda v: None if v is None else inner_step(v)
    if annotation is float:
        return _float
    raise _Unsure


def _kept(annotation: Any) -> Callable[[Any], bool] | None:
    """``keeps(v)``: pydantic's lax type step surely returns ``v`` as it is (an equal value).

    ``None`` when values of ``annotation`` may be converted (``float`` from text)
    or the type is not modelled.
    """
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        inner, *extra = args
        base = _kept(inner)
        metadata = _flat_metadata(extra)
        if base is None or any(type(c) not in _COMPARE for c in metadata):
            return None
        checks = [(_COMPARE[type(c)], c) for c in metadata]
        return lambda v: base(v) and all(holds(v, c) for holds, c in checks)
    if origin is typing.Union or origin is types.UnionType:
        keeps = _kept(_optional_of(args))
        if keeps is None:
            return None
        return lambda v: v is None or keeps(v)
    if origin is typing.Literal:
        choices = frozenset((type(a), a) for a in args)
        return lambda v: (type(v), v) in choices
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return _kept_items(args[0])
        parts = [_kept(a) for a in args]
        if any(part is None for part in parts):
            return None
        n = len(parts)
        return lambda v: (
            type(v) is tuple and len(v) == n and all(p(x) for p, x in zip(parts, v, strict=True))  # type: ignore[misc]
        )
    if origin is not None:
        return None
    if annotation in (str, int, bool):
        return lambda v: type(v) is annotation
    if annotation is type(None):
        return lambda v: v is None
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return lambda v: type(v) is annotation
    return None


def _kept_items(item: Any) -> Callable[[Any], bool] | None:
    """``_kept`` of ``tuple[item, ...]``, column-wise where the items are plain types or
    fixed tuples of plain types (a competency list is checked in a few C-level passes)."""
    atom = _atom(item)
    if atom is not None:
        one = {atom}
        return lambda v: type(v) is tuple and (not v or set(map(type, v)) == one)
    if typing.get_origin(item) is tuple and Ellipsis not in typing.get_args(item):
        atoms = [_atom(a) for a in typing.get_args(item)]
        if atoms and all(a is not None for a in atoms):
            n = len(atoms)
            sets = [{a} for a in atoms]
            return lambda v: (
                type(v) is tuple
                and (
                    not v
                    or (
                        set(map(type, v)) == {tuple}
                        and set(map(len, v)) == {n}
                        and all(
                            set(map(type, col)) == t
                            for col, t in zip(zip(*v, strict=True), sets, strict=True)
                        )
                    )
                )
            )
    keeps = _kept(item)
    if keeps is None:
        return None
    return lambda v: type(v) is tuple and all(map(keeps, v))


def _atom(annotation: Any) -> type | None:
    """A type whose values pydantic keeps when their type is exactly it."""
    if annotation in (str, int, bool):
        return annotation  # type: ignore[no-any-return]
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return annotation
    return None


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


def _float(value: Any) -> float:
    kind = type(value)
    if kind is float:
        return value  # type: ignore[no-any-return]
    if kind is int:
        return float(value)
    if kind is str and _PLAIN_DECIMAL.fullmatch(value):
        out = float(value)
        if out != out or out in (float("inf"), float("-inf")):
            raise _Unsure
        return out
    raise _Unsure


def _unsure() -> Any:
    raise _Unsure
