"""The validated problem: employees, units, demand, requirements and policy.

Every model is frozen (``frozen=True``) and rejects unknown fields
(``extra="forbid"``).  :class:`Problem` cross-checks all references once and
raises a single :class:`~mutasi_opt.domain.errors.InputError` listing every issue.
Index maps (unit and role positions, per-employee arrays) are built once after
validation and exposed as :attr:`Problem.index`.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal, Self

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from .arrays import BoolArray, FloatArray, IntArray
from .consultation import consultation_issues
from .errors import InputError, InputIssue
from .hooks import provided
from .values import INVISIBLE, DateField, GolonganField, MonthField, NipField, month_index

__all__ = [
    "DEFAULT_EJ_BANDS",
    "EMPLOYMENT_TYPES",
    "MAX_COUNT",
    "MAX_HOURS",
    "STR_TWINS",
    "CheckContext",
    "Demand",
    "Employee",
    "Pair",
    "Policy",
    "Problem",
    "ProblemIndex",
    "Requirement",
    "Unit",
    "parse_bool",
    "parse_competencies",
    "split_list",
    "strip_text",
    "surge_issues",
]


#: Lower edges of the EJ bands A, B, C and D (E below): the commonly cited bands
#: (no official text was found); ``policy.ej_bands`` changes them.
DEFAULT_EJ_BANDS: tuple[float, float, float, float] = (1.0, 0.9, 0.7, 0.5)

#: The largest count a cell or a policy key may hold (staff, months, moves,
#: costs): far above any real one, low enough for 64-bit integer arithmetic.
MAX_COUNT = 1_000_000_000

#: The retirement ages (BUP) a table or policy may hold: a bound on typing errors.
MIN_RETIREMENT_AGE, MAX_RETIREMENT_AGE = 50, 70

#: Employment types as cells write them (upper case) → the type.
EMPLOYMENT_TYPES: Mapping[str, str] = {"PNS": "PNS", "CPNS": "PNS", "PPPK": "PPPK", "P3K": "PPPK"}

#: File names of the tables, used in messages.
FILES = {
    "employees": "employees.csv",
    "units": "units.csv",
    "demand": "demand.csv",
    "requirements": "requirements.csv",
    "policy": "policy.toml",
    "pairs": "pairs.csv",
}

_TRUE = {"true", "1", "yes", "ya", "y", "t", "benar"}
_FALSE = {"false", "0", "no", "tidak", "n", "f", "", "salah", "tdk"}


def parse_bool(value: Any) -> bool:
    """Parse true/false, 1/0, yes/no, ya/tidak (case-insensitive)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if value is None:
        return False
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError("must be true/false (also accepted: 1/0, yes/no, ya/tidak)")


def split_list(value: Any) -> tuple[str, ...]:
    """Parse a unit list ``U1;U2`` (``|`` also separates); blanks are dropped."""
    if value is None:
        return ()
    if isinstance(value, str):
        parts = re.split(r"[;|]", value)
        return tuple(p.strip() for p in parts if p.strip())
    if isinstance(value, Iterable):
        return tuple(str(p).strip() for p in value if str(p).strip())
    raise ValueError("must be a list of unit ids separated by ';'")


_LIST_SEP = re.compile(r"[;|]")


def parse_competencies(value: Any) -> tuple[tuple[str, int], ...]:
    """Parse ``code:level;code:level`` (or a mapping / pairs) into sorted (code, level) pairs."""
    if isinstance(value, str):
        return _text_competencies(value)
    if value is None:
        return ()
    items: list[tuple[str, Any]] = []
    if isinstance(value, Mapping):
        items = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, Iterable):
        for item in value:
            if isinstance(item, str):
                items.extend(parse_competencies(item))
            else:
                try:
                    code, level = item
                except (TypeError, ValueError):
                    raise ValueError(
                        f"{item!r} is not a (code, level) pair; write 'code:level;code:level'"
                    ) from None
                items.append((str(code), level))
    else:
        raise ValueError("must look like 'code:level;code:level'")
    out: dict[str, int] = {}
    for code, level in items:
        _add_competency(out, *_competency(code, level))
    return tuple(sorted(out.items()))


def _text_competencies(value: str) -> tuple[tuple[str, int], ...]:
    """:func:`parse_competencies` of a text: items split at ``;`` (or ``|``)."""
    parts = value.split(";") if "|" not in value else _LIST_SEP.split(value)
    try:
        pairs = [pair for pair in map(_text_competency, parts) if pair is not None]
    except ValueError:
        pairs = None  # the loop below raises the first error in the text's order
    if pairs is not None:
        if len(pairs) <= 1:
            return tuple(pairs)
        if len({code for code, _ in pairs}) == len(pairs):
            pairs.sort()  # (codes are distinct: sorted by code)
            return tuple(pairs)
    out: dict[str, int] = {}
    for part in parts:
        pair = _text_competency(part)
        if pair is not None:
            _add_competency(out, *pair)
    return tuple(sorted(out.items()))


@functools.lru_cache(maxsize=1 << 14)
def _text_competency(part: str) -> tuple[str, int] | None:
    """One ``code:level`` (or ``code``, level 1) item, ``None`` when blank; a
    table repeats few distinct items."""
    part = part.strip()
    if not part:
        return None
    if ":" in part:
        code, _, level = part.partition(":")
        return _competency(code, level.strip())
    return _competency(part, 1)


def _competency(code: str, level: Any) -> tuple[str, int]:
    code = code.strip()
    if not code:
        raise ValueError("a competency code is empty; write 'code:level;code:level'")
    try:
        lvl = int(str(level).strip())
    except ValueError:
        hint = "; separate competencies with ';' (K1:3;K2:2)" if "," in str(level) else ""
        raise ValueError(
            f"level {level!r} of competency {code!r} is not a whole number 1-5{hint}"
        ) from None
    if not 1 <= lvl <= 5:
        raise ValueError(f"level {lvl} of competency {code!r} must be between 1 and 5")
    return code, lvl


def _add_competency(out: dict[str, int], code: str, lvl: int) -> None:
    if code in out:
        raise ValueError(f"competency {code!r} is listed twice; keep one level")
    out[code] = lvl


def _none_if_blank(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def strip_text(value: Any) -> Any:
    """Text without surrounding whitespace; None and NaN become ``""``."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value).strip()


#: Validators with a C-level twin on text: ``twin(s) == validator(s)`` for every
#: ``str`` ``s`` (``tests/test_io.py`` checks it), so a reader may map the twin
#: over a column of text (:func:`mutasi_opt.io.fastpath.text_twin`).
STR_TWINS: Mapping[Callable[[Any], Any], Callable[[str], Any]] = {strip_text: str.strip}


def _whole_number(value: Any) -> Any:
    value = _none_if_blank(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?\d+([.,]0+)?", text):
            return int(re.split(r"[.,]", text)[0])
    return value


Text = Annotated[str, BeforeValidator(strip_text)]
UnitId = Annotated[str, BeforeValidator(strip_text), Field(min_length=1)]
OptionalCount = Annotated[
    Annotated[int, Field(ge=0, le=MAX_COUNT)] | None, BeforeValidator(_whole_number)
]
Bool = Annotated[bool, BeforeValidator(parse_bool)]
UnitList = Annotated[tuple[str, ...], BeforeValidator(split_list)]
Competencies = Annotated[tuple[tuple[str, int], ...], BeforeValidator(parse_competencies)]


def _optional_text(value: Any) -> Any:
    """Stripped text, or None when blank (None, NaN, only whitespace)."""
    value = _none_if_blank(value)
    return None if value is None else str(value).strip()


OptionalUnitId = Annotated[str | None, BeforeValidator(_optional_text)]


_SLOT_SETTERS = {
    name: BaseModel.__dict__[name].__set__
    for name in (
        "__dict__",
        "__pydantic_fields_set__",
        "__pydantic_extra__",
        "__pydantic_private__",
    )
}


@functools.cache
def _instance_maker(cls: type[BaseModel]) -> Callable[..., list[Any]]:
    """``f(n, fields_set, column_1, column_2, ...)``: ``n`` unvalidated instances of ``cls``.

    The function is generated (as :mod:`dataclasses` does): one loop with a
    dict display and direct slot setters is about twice as fast as
    ``dict(zip(names, values))`` and ``object.__setattr__`` for 100,000 rows.
    """
    names = tuple(cls.model_fields)
    if not all(name.isidentifier() for name in names):
        raise ValueError(f"field names must be identifiers: {names}")
    args = ", ".join(f"c{i}" for i in range(len(names)))
    values = ", ".join(f"v{i}" for i in range(len(names)))
    items = ", ".join(f"{name!r}: v{i}" for i, name in enumerate(names))
    source = (
        f"def make(n, fields_set, {args}):\n"
        "    out = []\n"
        "    append = out.append\n"
        f"    for {values} in islice(zip({args}), n):\n"
        "        obj = new(cls)\n"
        f"        set_dict(obj, {{{items}}})\n"
        "        set_fields_set(obj, fields_set)\n"
        "        set_extra(obj, None)\n"
        "        set_private(obj, None)\n"
        "        append(obj)\n"
        "    return out\n"
    )
    scope: dict[str, Any] = {
        "new": object.__new__,
        "cls": cls,
        "islice": itertools.islice,
        "set_dict": _SLOT_SETTERS["__dict__"],
        "set_fields_set": _SLOT_SETTERS["__pydantic_fields_set__"],
        "set_extra": _SLOT_SETTERS["__pydantic_extra__"],
        "set_private": _SLOT_SETTERS["__pydantic_private__"],
    }
    exec(source, scope)
    maker: Callable[..., list[Any]] = scope["make"]
    return maker


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=False)

    #: per row rule (an ``after`` model validator, by name): the field whose
    #: cell a table's message about it names
    ROW_RULE_FIELDS: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def row_rules(cls) -> list[tuple[str | None, Callable[[Any], Any]]]:
        """The rules on a whole row: the model's ``after`` model validators, each
        with the field its table message names (:attr:`ROW_RULE_FIELDS`).

        :meth:`_trusted_many` does not run them; a reader building instances
        with it runs these on every row (:func:`mutasi_opt.io.parse.load_table`).
        ``before`` and ``wrap`` model validators cannot be run on a built
        instance, so a model with one has no row rules to give: TypeError.
        """
        rules: list[tuple[str | None, Callable[[Any], Any]]] = []
        for name, dec in cls.__pydantic_decorators__.model_validators.items():
            if dec.info.mode != "after":
                raise TypeError(f"{cls.__name__}.{name}: a {dec.info.mode} model validator")
            rules.append((cls.ROW_RULE_FIELDS.get(name), dec.func))
        return rules

    def replace(self, **changes: Any) -> Any:
        """A copy with ``changes`` applied and everything validated again."""
        data = {name: getattr(self, name) for name in type(self).model_fields}
        data.update(changes)
        return type(self)(**data)

    @classmethod
    def _trusted(cls, **fields: Any) -> Self:
        """Build an instance WITHOUT validation (fast path for :mod:`mutasi_opt.io`).

        The caller guarantees that every value is exactly what validation
        would have produced (right types, parsed, in range), and runs the
        model's :meth:`row_rules` on the result, which this does not.  The result is
        equal to ``cls(**fields)``: missing fields get their defaults and
        ``model_fields_set`` is the set of given fields.
        """
        return cls._trusted_many(tuple(fields), [(v,) for v in fields.values()])[0]

    @classmethod
    def _trusted_many(cls, names: Sequence[str], columns: Sequence[Sequence[Any]]) -> list[Self]:
        """Many :meth:`_trusted` instances from columns (``columns[j][i]`` is field ``names[j]``
        of instance ``i``); all columns have the same length.

        Instances share one ``model_fields_set`` object; frozen models never
        change it (pydantic copies it in ``model_copy``).
        """
        fields = cls.model_fields
        unknown = [n for n in names if n not in fields]
        if unknown:
            raise TypeError(f"{cls.__name__} has no field(s) {unknown}")
        missing = [n for n, info in fields.items() if info.is_required() and n not in names]
        if missing:
            raise TypeError(f"{cls.__name__} needs field(s) {missing}")
        given = dict(zip(names, columns, strict=True))
        n = len(columns[0]) if columns else 1
        cols = [
            given[name]
            if name in given
            else itertools.repeat(info.get_default(call_default_factory=True), n)
            for name, info in fields.items()
        ]
        fields_set = set(names)
        out: list[Self] = _instance_maker(cls)(n, fields_set, *cols)
        private = cls.__private_attributes__
        if private:
            setattr_ = object.__setattr__
            for obj in out:
                setattr_(
                    obj,
                    "__pydantic_private__",
                    {k: a.get_default(call_default_factory=True) for k, a in private.items()},
                )
        return out


#: The most workload hours one row may hold: about 800,000 full-time staff (a
#: unit's yearly workload is far below), so that sums and fair shares stay
#: exact in 64-bit integer centi-hours however many rows there are.
MAX_HOURS = 1_000_000_000


def _finite_nonneg(value: float | None, what: str) -> float | None:
    if value is None:
        return None
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number of hours")
    if value < 0:
        raise ValueError(f"{what} must be 0 or more hours")
    if value > MAX_HOURS:
        raise ValueError(
            f"{what} must be at most {MAX_HOURS:,} hours (about 800,000 full-time staff); "
            "check the value (a misplaced decimal separator or a number in the wrong column?)"
        )
    return value


class Employee(_Frozen):
    """One ASN employee (one row of ``employees.csv``)."""

    nip: NipField
    name: Text = ""
    unit: UnitId
    role: Text = ""
    fte: float = 1.0
    rank: GolonganField = None
    employment_type: Literal["PNS", "PPPK"] = "PNS"
    competencies: Competencies = ()
    months_in_unit: OptionalCount = None
    locked: Bool = False
    refused_units: UnitList = ()
    preferred_units: UnitList = ()
    #: birth date (``tglLahir``); empty = the one a structured NIP encodes
    birth_date: DateField = None
    #: retirement age (BUP, ``bupPensiun``); empty = the policy's age for the role
    retirement_age: Annotated[
        Annotated[int, Field(ge=MIN_RETIREMENT_AGE, le=MAX_RETIREMENT_AGE)] | None,
        BeforeValidator(_whole_number),
    ] = None
    #: why the employee is not active (``kedudukanPnsNama``: tugas belajar, cuti di
    #: luar tanggungan negara, ...); empty = active
    inactive: Text = ""
    #: the unit the employee must end in (a move accepted in a consultation round,
    #: see :mod:`mutasi_opt.planning.replan`); None = the planner decides
    pinned_unit: OptionalUnitId = None
    #: the unit a draft plan gives the employee: a plan changes as few of these
    #: decisions as it can (the ``changes`` stage); None = no draft decision
    draft_unit: OptionalUnitId = None
    #: priority points for voluntary moves (years of service, family reunification,
    #: hardship, ...; see the policy's ``no_justified_envy``); None = 0 points
    priority: float | None = None

    ROW_RULE_FIELDS: ClassVar[Mapping[str, str]] = {"_birth_matches_nip": "birth_date"}

    @model_validator(mode="after")
    def _birth_matches_nip(self) -> Employee:
        encoded = self.nip.birth_date
        if self.birth_date is not None and encoded is not None and encoded != self.birth_date:
            raise ValueError(
                f"birth date {self.birth_date.isoformat()} differs from the one the NIP encodes "
                f"({encoded.isoformat()}, digits 1-8); correct one of them"
            )
        return self

    @property
    def born(self) -> dt.date | None:
        """The birth date: ``birth_date`` when given, else the NIP's."""
        return self.birth_date if self.birth_date is not None else self.nip.birth_date

    @field_validator("fte", mode="before")
    @classmethod
    def _fte_default(cls, value: Any) -> Any:
        value = _none_if_blank(value)
        return 1.0 if value is None else value

    @field_validator("fte")
    @classmethod
    def _fte_range(cls, value: float) -> float:
        if not (math.isfinite(value) and 0 < value <= 1):
            raise ValueError("fte must be more than 0 and at most 1 (1 = full time)")
        return value

    @field_validator("employment_type", mode="before")
    @classmethod
    def _employment_type(cls, value: Any) -> Any:
        value = _none_if_blank(value)
        if value is None:
            return "PNS"
        kind = EMPLOYMENT_TYPES.get(str(value).strip().upper())
        if kind is None:
            raise ValueError("employment_type must be PNS or PPPK")
        return kind

    @field_validator("priority", mode="before")
    @classmethod
    def _no_points(cls, value: Any) -> Any:
        return _none_if_blank(value)

    @field_validator("priority")
    @classmethod
    def _points(cls, value: float | None) -> float | None:
        if value is not None and not (math.isfinite(value) and 0 <= value <= MAX_COUNT):
            raise ValueError(f"priority must be a number of points from 0 to {MAX_COUNT:,}")
        return value

    @field_validator("preferred_units")
    @classmethod
    def _no_repeat(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("a unit is listed twice; list each preferred unit once")
        return value

    @property
    def competency_levels(self) -> dict[str, int]:
        """Competency code → level (1-5)."""
        return dict(self.competencies)

    def level(self, competency: str) -> int:
        """Level held in ``competency`` (0 when not held)."""
        for code, lvl in self.competencies:
            if code == competency:
                return lvl
        return 0


class Unit(_Frozen):
    """One work unit (one row of ``units.csv``)."""

    unit: UnitId
    name: Text = ""
    workload_hours: float | None = None
    min_staff: OptionalCount = None
    max_staff: OptionalCount = None
    #: the area the unit lies in (a kecamatan, ...): couples kept "together" share one
    area: Text = ""

    @field_validator("workload_hours", mode="before")
    @classmethod
    def _blank(cls, value: Any) -> Any:
        return _none_if_blank(value)

    @field_validator("workload_hours")
    @classmethod
    def _hours(cls, value: float | None) -> float | None:
        return _finite_nonneg(value, "workload_hours")

    @property
    def label(self) -> str:
        """Name when given, otherwise the id."""
        return self.name or self.unit


class Demand(_Frozen):
    """Workload of one role at one unit (one row of ``demand.csv``)."""

    unit: UnitId
    role: Text = ""
    workload_hours: float

    @field_validator("workload_hours")
    @classmethod
    def _hours(cls, value: float) -> float:
        out = _finite_nonneg(value, "workload_hours")
        assert out is not None
        return out


class Requirement(_Frozen):
    """A competency requirement (one row of ``requirements.csv``)."""

    unit: UnitId
    competency: Annotated[str, BeforeValidator(strip_text), Field(min_length=1)]
    min_level: Annotated[int, BeforeValidator(_whole_number), Field(ge=1, le=5)] = 1
    min_staff: Annotated[int, BeforeValidator(_whole_number), Field(ge=1, le=MAX_COUNT)] = 1

    @field_validator("min_level", mode="before")
    @classmethod
    def _default_level(cls, value: Any) -> Any:
        return 1 if _none_if_blank(value) is None else value

    @field_validator("min_staff", mode="before")
    @classmethod
    def _default_staff(cls, value: Any) -> Any:
        return 1 if _none_if_blank(value) is None else value


class Surge(_Frozen):
    """A temporary need for extra staff (one row of ``surges.csv``).

    ``extra_fte`` FTE are needed at ``unit`` in every month from ``start`` to
    ``end`` (inclusive), on top of its base staffing, by staff of ``role``
    (empty: any role) holding ``competency`` at ``min_level`` or above (empty:
    none needed).
    """

    surge: Annotated[str, BeforeValidator(strip_text), Field(min_length=1)]
    unit: UnitId
    role: Text = ""
    competency: Text = ""
    min_level: Annotated[int, BeforeValidator(_whole_number), Field(ge=1, le=5)] = 1
    start: MonthField
    end: MonthField
    extra_fte: float

    @field_validator("min_level", mode="before")
    @classmethod
    def _default_level(cls, value: Any) -> Any:
        return 1 if _none_if_blank(value) is None else value

    @field_validator("extra_fte")
    @classmethod
    def _positive(cls, value: float) -> float:
        if not math.isfinite(value) or value <= 0:
            raise ValueError("extra_fte must be a positive number of FTE (e.g. 2.5)")
        if value > MAX_COUNT:
            raise ValueError(f"extra_fte must be at most {MAX_COUNT:,} FTE; check the value")
        return value

    ROW_RULE_FIELDS: ClassVar[Mapping[str, str]] = {"_window": "end"}

    @model_validator(mode="after")
    def _window(self) -> Surge:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}; swap them")
        return self

    @property
    def months(self) -> range:
        """Month indices of the window (see :func:`mutasi_opt.domain.values.month_index`)."""
        return range(month_index(self.start), month_index(self.end) + 1)


#: Words of a pair's ``kind`` cell → the kind.
PAIR_KINDS: Mapping[str, str] = {
    "separate": "separate",
    "pisah": "separate",
    "dipisah": "separate",
    "kerabat": "separate",
    "relative": "separate",
    "relatives": "separate",
    "together": "together",
    "bersama": "together",
    "pasangan": "together",
    "couple": "together",
    "suami_istri": "together",
}


class Pair(_Frozen):
    """Two employees a plan must keep apart or together (one row of ``pairs.csv``).

    ``separate``: relatives who must not work in the same unit (conflict of
    interest, PP 11/2017 Pasal 190(5)).  ``together``: a couple kept in the same
    unit, or in the same area when both units have one (``units.csv`` ``area``).
    """

    nip_a: NipField
    nip_b: NipField
    kind: Literal["separate", "together"]

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> Any:
        text = "_".join(str(strip_text(value)).lower().replace("-", " ").split())
        kind = PAIR_KINDS.get(text)
        if kind is None:
            raise ValueError(
                "kind must be 'separate' (relatives: never in the same unit) or 'together' "
                "(a couple: the same unit or area); also accepted: pisah, bersama"
            )
        return kind

    ROW_RULE_FIELDS: ClassVar[Mapping[str, str]] = {"_two": "nip_b"}

    @model_validator(mode="after")
    def _two(self) -> Pair:
        if self.nip_a == self.nip_b:
            raise ValueError("both NIPs of the pair are the same; a pair is two employees")
        return self


class Policy(_Frozen):
    """Transfer rules (``policy.toml``); every key has a default."""

    max_moves: Annotated[int | None, Field(ge=0, le=MAX_COUNT)] = None
    min_months_in_unit: Annotated[int, Field(ge=0, le=MAX_COUNT)] = 24
    allow_pppk_moves: bool = False
    unlisted_preference_cost: Annotated[int, Field(ge=0, le=MAX_COUNT)] = 5
    effective_hours: Annotated[float, Field(ge=1, le=8784)] = 1250
    imbalance_tolerance_hours: Annotated[float, Field(ge=0, le=MAX_HOURS)] = 0
    balance_breakpoints: tuple[int, ...] = (0, 10, 30, 50)
    balance_slopes: tuple[int, ...] = (1, 2, 4, 8)
    balance_gap: Annotated[float, Field(ge=0, lt=1)] = 0.005
    overdue_months: Annotated[int, Field(ge=0, le=MAX_COUNT)] = 60
    ej_bands: tuple[float, float, float, float] = DEFAULT_EJ_BANDS
    #: staff at most this many levels below a requirement's ``min_level`` (0 = the
    #: competency not held) count toward it after training; 0 = no training stage
    trainable_gap: Annotated[int, Field(ge=0, le=MAX_COUNT)] = 0
    # temporary secondments (surge planning)
    max_secondment_months: Annotated[int, Field(ge=1, le=MAX_COUNT)] = 6
    max_lent_fraction: Annotated[float, Field(ge=0, le=1)] = 0.2
    allow_pppk_secondment: bool = False
    max_secondments_per_employee: Annotated[int, Field(ge=0, le=MAX_COUNT)] = 1
    secondment_min_months_in_unit: Annotated[int, Field(ge=0, le=MAX_COUNT)] = 0
    # the calendar of a round (issue 16): retirements, blackout periods, rotation
    #: the date the decree of the plan takes effect; retirements are counted from it
    #: (none: no retirement rule applies, and no blackout period can be checked)
    plan_date: dt.date | None = None
    #: months after ``plan_date`` in which retirements are shown (and, with
    #: ``retiring_capacity = "leave"``, taken out of capacity)
    horizon_months: Annotated[int, Field(ge=1, le=1200)] = 12
    #: employees retiring within this many months of ``plan_date`` are not moved
    no_move_before_retirement_months: Annotated[int, Field(ge=0, le=1200)] = 12
    #: BUP of everyone whose role is not in ``retirement_ages`` (PP 11/2017 Pasal 239:
    #: 58 for administration posts and most functional posts)
    retirement_age: Annotated[int, Field(ge=MIN_RETIREMENT_AGE, le=MAX_RETIREMENT_AGE)] = 58
    #: role → BUP (60 for JPT and madya posts, 65 for ahli utama)
    retirement_ages: dict[
        str, Annotated[int, Field(ge=MIN_RETIREMENT_AGE, le=MAX_RETIREMENT_AGE)]
    ] = Field(default_factory=dict)
    #: "leave" (default): the capacity of staff retiring within the horizon is counted
    #: as gone at its end (the plan balances the units as they will be, and they are
    #: not moved); "keep": they count in capacity until they go
    retiring_capacity: Literal["keep", "leave"] = "leave"
    #: whether inactive staff (``inactive`` not empty) count in their unit's capacity
    inactive_capacity: bool = False
    #: first and last day in which no mutasi may be decreed (e.g. UU 10/2016 Pasal 71:
    #: six months before a regional election's candidate confirmation)
    blackout_start: dt.date | None = None
    blackout_end: dt.date | None = None
    #: whether the surge planner may second staff in months that touch the blackout
    allow_secondment_in_blackout: bool = False
    #: every movable employee more than ``overdue_months`` in their unit must be moved
    #: (PP 11/2017 Pasal 190: at most 5 years in one post); those who may not be
    #: moved (locked, PPPK, inactive, retiring, no other unit for the role) are exempt
    rotation_required: bool = False
    # consultation rounds (replanning a draft, see mutasi_opt.planning.replan)
    #: with draft units, D and B may each end up to this fraction above the values
    #: their stages found, so that fewer of the draft's decisions change
    draft_tolerance: Annotated[float, Field(ge=0, le=1)] = 0.01
    #: what an objection to a drafted move becomes: "refuse" (the unit is refused)
    #: or "lock" (the employee stays in their unit)
    objection: Literal["refuse", "lock"] = "refuse"
    # fairness of voluntary rounds (see mutasi_opt.planning.fairness)
    #: nobody is moved to a unit they did not list, unless the unit's requirement
    #: cannot otherwise be covered: an unlisted mover qualified for a requirement is
    #: excepted (reported) only while it would be short without the unit's unlisted
    #: movers (a maximum matching to the deficits; see mutasi_opt.planning.fairness)
    individual_rationality: bool = False
    #: no employee who listed unit u stays out of it (or gets a unit they ranked
    #: lower) while someone of their role with fewer priority points is moved to u
    no_justified_envy: bool = False

    def __hash__(self) -> int:
        # (retirement_ages is a dict: hashed as its sorted items, so a policy stays hashable)
        return hash(
            tuple(
                tuple(sorted(v.items())) if isinstance(v, dict) else v
                for v in self.__dict__.values()
            )
        )

    @model_validator(mode="after")
    def _shape(self) -> Policy:
        bp, sl = self.balance_breakpoints, self.balance_slopes
        if len(bp) != len(sl) or not bp:
            raise ValueError(
                "balance_breakpoints and balance_slopes must have the same (non-zero) length"
            )
        if bp[0] != 0 or any(b2 <= b1 for b1, b2 in itertools.pairwise(bp)):
            raise ValueError(
                "balance_breakpoints must start at 0 and increase (whole percents, e.g. "
                "[0, 10, 30, 50])"
            )
        if bp[-1] > MAX_COUNT or sl[-1] > MAX_COUNT:
            raise ValueError(
                f"balance_breakpoints and balance_slopes must be at most {MAX_COUNT:,}"
            )
        if sl[0] <= 0 or any(s2 <= s1 for s1, s2 in itertools.pairwise(sl)):
            raise ValueError(
                "balance_slopes must be positive increasing integers, e.g. [1, 2, 4, 8]"
            )
        if (self.blackout_start is None) != (self.blackout_end is None):
            raise ValueError("give both blackout_start and blackout_end (the first and last day)")
        if (
            self.blackout_start is not None
            and self.blackout_end is not None
            and self.blackout_end < self.blackout_start
        ):
            raise ValueError("blackout_end is before blackout_start; swap them")
        eb = self.ej_bands
        if any(b2 >= b1 for b1, b2 in itertools.pairwise(eb)) or eb[-1] <= 0:
            raise ValueError(
                "ej_bands must be four decreasing positive thresholds (A, B, C, D lower edges), "
                "e.g. [1.0, 0.9, 0.7, 0.5]"
            )
        return self


_NIP = operator.attrgetter("nip")
_UNIT = operator.attrgetter("unit")
_ROLE = operator.attrgetter("role")
_FTE = operator.attrgetter("fte")
_LOCKED = operator.attrgetter("locked")
_TYPE = operator.attrgetter("employment_type")
_MONTHS = operator.attrgetter("months_in_unit")
_REFUSED = operator.attrgetter("refused_units")
_PREFERRED = operator.attrgetter("preferred_units")
_COMPETENCIES = operator.attrgetter("competencies")


@dataclass(frozen=True)
class CheckContext:
    """Where the entities of a :class:`Problem` came from, for cross-check messages.

    :mod:`mutasi_opt.io` passes one so that issues name the real files and
    spreadsheet rows, and so that rows which failed validation (already
    reported) cause no follow-on issues.

    Attributes
    ----------
    files
        Table name → file name shown in messages.
    rows
        Table name → spreadsheet row of each entity (default ``position + 2``).
    incomplete
        Tables with rows that failed validation: "no rows" and checks that need
        every row of the table are skipped.
    known_units
        Unit ids of ``units`` rows that failed validation (they exist, so
        references to them are fine); None when the units table could not be
        read at all (references are then not checked).
    known_roles
        Roles that have workload in rows that failed validation; None when the
        demand could not be read at all (roles without demand are not checked).
    employees
        Field name → the value of that field for every employee, in order,
        when the caller has the columns already (reading 100,000 attributes
        back is slower); fields not given are read from the employees.
    """

    files: Mapping[str, str] = field(default_factory=lambda: dict(FILES))
    rows: Mapping[str, Sequence[int] | IntArray] = field(default_factory=dict)
    incomplete: frozenset[str] = frozenset()
    known_units: frozenset[str] | None = frozenset()
    known_roles: frozenset[str] | None = frozenset()
    employees: Mapping[str, Sequence[Any]] = field(default_factory=dict)

    def row(self, table: str, position: int) -> int:
        """Spreadsheet row of entity ``position`` of ``table``."""
        rows = self.rows.get(table)
        return position + 2 if rows is None else int(rows[position])

    def employee_column(self, name: str, employees: Sequence[Employee]) -> Sequence[Any]:
        """Field ``name`` of every employee: from ``employees`` when given, else read."""
        given = self.employees.get(name)
        return list(map(operator.attrgetter(name), employees)) if given is None else given


@dataclass(frozen=True, eq=False)
class ProblemIndex:
    """Positions and per-employee arrays, built once per :class:`Problem`.

    Arrays are read-only.  ``home[e]`` and ``role[e]`` are positions into
    ``unit_ids`` and ``roles``.
    """

    unit_ids: tuple[str, ...]
    unit_pos: dict[str, int]
    roles: tuple[str, ...]
    role_pos: dict[str, int]
    nips: tuple[str, ...]
    nip_pos: dict[str, int]
    home: IntArray
    role: IntArray
    fte: FloatArray
    locked: BoolArray
    pppk: BoolArray
    months: IntArray  # -1 when unknown (= long enough)
    workload: FloatArray  # [U, R] hours as given (0 where no demand row)
    has_demand: BoolArray  # [U, R]
    refused: tuple[tuple[int, ...], ...]
    preferred: tuple[tuple[int, ...], ...]
    min_staff: IntArray  # -1 when not given
    max_staff: IntArray  # -1 when not given
    qualified: BoolArray  # [Q, E] employee e qualifies for requirement q
    req_unit: IntArray  # [Q]

    @property
    def n_employees(self) -> int:
        """Number of employees."""
        return len(self.nips)

    @property
    def n_units(self) -> int:
        """Number of units."""
        return len(self.unit_ids)

    @property
    def n_roles(self) -> int:
        """Number of role pools."""
        return len(self.roles)


def _freeze(*arrays: np.ndarray[Any, Any]) -> None:
    for a in arrays:
        a.setflags(write=False)


class Problem(_Frozen):
    """A complete, cross-checked transfer planning problem.

    Construct it from Python objects, from DataFrames
    (:meth:`from_frames`) or from a data folder
    (:func:`mutasi_opt.read_folder`).  Any problem in the data raises
    :class:`~mutasi_opt.domain.errors.InputError` listing every issue.
    """

    employees: tuple[Employee, ...]
    units: tuple[Unit, ...]
    demand: tuple[Demand, ...] = ()
    requirements: tuple[Requirement, ...] = ()
    policy: Policy = Policy()
    pairs: tuple[Pair, ...] = ()

    _index: ProblemIndex | None = PrivateAttr(default=None)
    _cache: dict[str, Any] = PrivateAttr(default_factory=dict)

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise InputError(issues_from_validation(exc)) from None
        issues = self._cross_check()
        if issues:
            raise InputError(issues)

    # ------------------------------------------------------------------ checks
    def _cross_check(self, context: CheckContext | None = None) -> list[InputIssue]:
        """Every reference and uniqueness problem across the tables.

        Rows and files in the issues (and in the messages) come from
        ``context``; by default row ``i + 2`` of the canonical file names.
        Each check takes a fast set-based path and loops over entities only to
        locate the problems it found.
        """
        ctx = CheckContext() if context is None else context
        files = ctx.files
        emp_f, unit_f, dem_f, req_f = (
            files[k] for k in ("employees", "units", "demand", "requirements")
        )
        row = ctx.row
        issues: list[InputIssue] = []
        emps, units, demand, reqs = self.employees, self.units, self.demand, self.requirements

        unit_ids: dict[str, int] = {}
        for i, u in enumerate(units):
            if u.unit in unit_ids:
                first = row("units", unit_ids[u.unit])
                issues.append(
                    InputIssue(
                        unit_f,
                        row("units", i),
                        "unit",
                        u.unit,
                        f"unit id is also used on row {first}; unit ids must be unique",
                    )
                )
            else:
                unit_ids[u.unit] = i
            if u.min_staff is not None and u.max_staff is not None and u.min_staff > u.max_staff:
                issues.append(
                    InputIssue(
                        unit_f,
                        row("units", i),
                        "min_staff",
                        str(u.min_staff),
                        f"min_staff ({u.min_staff}) is above max_staff ({u.max_staff}); "
                        "lower min_staff or raise max_staff",
                    )
                )
        if not units and "units" not in ctx.incomplete:
            issues.append(
                InputIssue(unit_f, None, None, None, "there are no units; add at least one row")
            )
        if not emps and "employees" not in ctx.incomplete:
            issues.append(
                InputIssue(emp_f, None, None, None, "there are no employees; add at least one row")
            )

        # Unit ids that exist: the valid rows plus rows that failed validation
        # (their errors are reported already); None = the units table is unusable.
        known: set[str] | None = (
            None if ctx.known_units is None else set(unit_ids) | set(ctx.known_units)
        )

        folded: dict[str, str] = {}  # known units by _code_key, built when first needed

        def unknown(unit: str) -> str:
            parts = [part.strip() for part in re.split(r"[,/]", unit)]
            if known is not None and len(parts) > 1 and all(part in known for part in parts):
                return (
                    f"unit {unit!r} is not in {unit_f}, but {', '.join(map(repr, parts))} are: "
                    f"separate the units of a list with ';' (write {';'.join(parts)})"
                )
            if known is not None and INVISIBLE.search(unit) and INVISIBLE.sub("", unit) in known:
                return (
                    f"unit {unit!r} holds an invisible character (a zero-width space, ...); "
                    f"delete it (unit {INVISIBLE.sub('', unit)!r} is in {unit_f})"
                )
            if not folded and known:
                folded.update((_code_key(k), k) for k in sorted(known, reverse=True))
                folded.update((f"0:{k.lstrip('0')}", k) for k in known if k.isdigit())
            same = folded.get(_code_key(unit))
            if same is not None:
                return (
                    f"unit {unit!r} is not in {unit_f}, but {same!r} is (ids are compared "
                    "exactly); write it the same way"
                )
            zeros = folded.get(f"0:{unit.lstrip('0')}") if unit.isdigit() else None
            if zeros is not None:
                return (
                    f"unit {unit!r} is not in {unit_f}, but {zeros!r} is: a spreadsheet drops "
                    "the leading zeros of a number; format the column as text and write "
                    f"{zeros!r}"
                )
            return f"unit {unit!r} is not in {unit_f}; add it there or correct the id"

        # --- employees: unique NIPs
        column = ctx.employee_column
        # --- employees: a capacity of at least one hour (0 hours is no employee, and
        # a role whose staff all have 0 hours has no capacity to share out)
        ftes = column("fte", emps)
        eff = self.policy.effective_hours
        if ftes and min(ftes) * eff < 0.51:
            for i, fte in enumerate(ftes):
                if fte * eff < 0.51 and Decimal(repr(fte)) * Decimal(repr(eff)) < Decimal("0.5"):
                    issues.append(
                        InputIssue(
                            emp_f,
                            row("employees", i),
                            "fte",
                            repr(fte),
                            f"fte {fte!r} gives 0 hours a year at effective_hours {eff:g} "
                            "(capacity = fte × effective_hours, rounded); write the fte as a "
                            "fraction of full time, e.g. 0.5",
                        )
                    )
        nips = column("nip", emps)
        if len(set(nips)) != len(nips):
            seen_nip: dict[str, int] = {}
            for i, nip in enumerate(nips):
                if nip in seen_nip:
                    issues.append(
                        InputIssue(
                            emp_f,
                            row("employees", i),
                            "nip",
                            str(nip),
                            f"NIP is also used on row {row('employees', seen_nip[nip])}; "
                            "each employee needs a unique NIP",
                        )
                    )
                else:
                    seen_nip[nip] = i
        # --- employees: home units exist
        homes = column("unit", emps)
        if known is not None and not known.issuperset(homes):
            for i, unit in enumerate(homes):
                if unit not in known:
                    issues.append(
                        InputIssue(emp_f, row("employees", i), "unit", unit, unknown(unit))
                    )
        # --- employees: refused / preferred units exist and do not overlap
        refused = column("refused_units", emps)
        preferred = column("preferred_units", emps)
        positions = range(len(emps))
        has_refused = set(itertools.compress(positions, refused))
        has_preferred = set(itertools.compress(positions, preferred))
        listed = set().union(
            *[refused[i] for i in has_refused], *[preferred[i] for i in has_preferred]
        )
        check_units = known is not None and not known.issuperset(listed)
        for i in sorted(
            has_refused | has_preferred if check_units else has_refused & has_preferred
        ):
            if check_units:
                for col, units_listed in (
                    ("refused_units", refused[i]),
                    ("preferred_units", preferred[i]),
                ):
                    for u in units_listed:
                        if known is not None and u not in known:
                            issues.append(
                                InputIssue(emp_f, row("employees", i), col, u, unknown(u))
                            )
            both = set(refused[i]) & set(preferred[i])
            if both:
                issues.append(
                    InputIssue(
                        emp_f,
                        row("employees", i),
                        "preferred_units",
                        ";".join(sorted(both)),
                        "a unit is both preferred and refused; remove it from one of the lists",
                    )
                )
        roles = column("role", emps)
        roles_used = dict.fromkeys(roles)

        # --- demand
        demand_roles: set[str] = set()
        seen_dem: dict[tuple[str, str], int] = {}
        for i, d in enumerate(demand):
            if known is not None and d.unit not in known:
                issues.append(InputIssue(dem_f, row("demand", i), "unit", d.unit, unknown(d.unit)))
            key = (d.unit, d.role)
            if key in seen_dem:
                issues.append(
                    InputIssue(
                        dem_f,
                        row("demand", i),
                        "role",
                        d.role,
                        f"unit {d.unit!r} already has a demand row for this role on row "
                        f"{row('demand', seen_dem[key])}; merge the two rows",
                    )
                )
            else:
                seen_dem[key] = i
            demand_roles.add(d.role)
        for i, u in enumerate(units):
            if u.workload_hours is None:
                continue
            message = None
            if (u.unit, "") in seen_dem:
                message = f"{dem_f} also gives a workload for this unit without a role; keep one"
            elif "" not in roles_used and "employees" not in ctx.incomplete:
                message = (
                    f"workload_hours in {unit_f} is only for employees without a role, and "
                    f"every employee has one; give the workload per role in {dem_f} instead"
                )
            if message is not None:
                shown = str(u.workload_hours)
                issues.append(InputIssue(unit_f, row("units", i), "workload_hours", shown, message))
            demand_roles.add("")
        if ctx.known_roles is not None:
            demand_roles |= set(ctx.known_roles)
            for role in roles_used:
                if role not in demand_roles:
                    where = (
                        f"{dem_f} (role {role!r})"
                        if role
                        else f"{unit_f} (workload_hours) or {dem_f}"
                    )
                    issues.append(
                        InputIssue(
                            emp_f,
                            row("employees", roles.index(role)),
                            "role",
                            role,
                            f"no unit has workload for role {role!r}; add demand rows in {where}",
                        )
                    )

        # --- requirements
        seen_req: dict[tuple[str, str, int], int] = {}
        for i, q in enumerate(reqs):
            if known is not None and q.unit not in known:
                issues.append(
                    InputIssue(req_f, row("requirements", i), "unit", q.unit, unknown(q.unit))
                )
            req_key = (q.unit, q.competency, q.min_level)
            if req_key in seen_req:
                issues.append(
                    InputIssue(
                        req_f,
                        row("requirements", i),
                        "competency",
                        q.competency,
                        f"the same requirement (unit, competency, min_level) is on row "
                        f"{row('requirements', seen_req[req_key])}; merge the two rows",
                    )
                )
            else:
                seen_req[req_key] = i
        issues += consultation_issues(self, ctx, known, unknown)

        # --- codes written two ways (case, spacing): compared exactly, they would
        # be two roles or two competencies, and workload would land on one nobody holds
        # (located only when two spellings collide: the scan over every row is rare)
        if _collide(set(roles_used) | demand_roles):
            issues += _near_duplicates(
                "role",
                [
                    *((emp_f, row("employees", i), "role", r) for i, r in enumerate(roles)),
                    *((dem_f, row("demand", i), "role", d.role) for i, d in enumerate(demand)),
                ],
            )
        held = column("competencies", emps)
        codes = {code for pairs in set(held) for code, _ in pairs} | {q.competency for q in reqs}
        if _collide(codes):
            issues += _near_duplicates(
                "competency",
                [
                    *(
                        (emp_f, row("employees", i), "competencies", code)
                        for i, pairs in enumerate(held)
                        for code, _ in pairs
                    ),
                    *(
                        (req_f, row("requirements", i), "competency", q.competency)
                        for i, q in enumerate(reqs)
                    ),
                ],
            )
        issues += _pair_issues(self, ctx, set(nips))
        return issues

    # ------------------------------------------------------------------ index
    @property
    def index(self) -> ProblemIndex:
        """Index maps and per-employee arrays (built once)."""
        if self._index is None:
            self._index = self._build_index()
        return self._index

    def _build_index(self) -> ProblemIndex:
        unit_ids = tuple(u.unit for u in self.units)
        unit_pos = {u: i for i, u in enumerate(unit_ids)}
        emps = self.employees
        emp_roles = list(map(_ROLE, emps))
        role_set = set(emp_roles) | {d.role for d in self.demand}
        if any(u.workload_hours is not None for u in self.units):
            role_set.add("")
        roles = tuple(sorted(role_set))
        role_pos = {r: i for i, r in enumerate(roles)}
        n_e, n_u, n_r = len(emps), len(unit_ids), len(roles)

        def column(values: Iterable[Any], dtype: Any) -> np.ndarray[Any, Any]:
            return np.fromiter(values, dtype=dtype, count=n_e)

        home = column(map(unit_pos.__getitem__, map(_UNIT, emps)), np.int64)
        role = column(map(role_pos.__getitem__, emp_roles), np.int64)
        fte = column(map(_FTE, emps), np.float64)
        locked = column(map(_LOCKED, emps), np.bool_)
        pppk = column(map("PPPK".__eq__, map(_TYPE, emps)), np.bool_)
        months = np.array(
            [-1 if m is None else m for m in map(_MONTHS, emps)], dtype=np.int64
        ).reshape(n_e)
        workload = np.zeros((n_u, n_r), dtype=np.float64)
        has_demand = np.zeros((n_u, n_r), dtype=np.bool_)
        for d in self.demand:
            workload[unit_pos[d.unit], role_pos[d.role]] = d.workload_hours
            has_demand[unit_pos[d.unit], role_pos[d.role]] = True
        for u in self.units:
            if u.workload_hours is not None:
                workload[unit_pos[u.unit], role_pos[""]] = u.workload_hours
                has_demand[unit_pos[u.unit], role_pos[""]] = True
        to_pos = unit_pos.__getitem__

        def positions(lists: list[tuple[str, ...]]) -> tuple[tuple[int, ...], ...]:
            out: list[tuple[int, ...]] = [()] * n_e
            for i in itertools.compress(range(n_e), lists):
                out[i] = tuple(map(to_pos, lists[i]))
            return tuple(out)

        refused = positions(list(map(_REFUSED, emps)))
        preferred = positions(list(map(_PREFERRED, emps)))
        min_staff = np.array(
            [-1 if u.min_staff is None else u.min_staff for u in self.units], dtype=np.int64
        )
        max_staff = np.array(
            [-1 if u.max_staff is None else u.max_staff for u in self.units], dtype=np.int64
        )
        n_q = len(self.requirements)
        qualified = np.zeros((n_q, n_e), dtype=np.bool_)
        if n_q:
            # Levels per distinct competency list, then per employee.
            code_pos = {
                c: j for j, c in enumerate(sorted({q.competency for q in self.requirements}))
            }
            held = list(map(_COMPETENCIES, emps))
            combos = {c: k for k, c in enumerate(dict.fromkeys(held))}
            table = np.zeros((len(combos), len(code_pos)), dtype=np.int64)
            for combo, k in combos.items():
                for code, lvl in combo:
                    j = code_pos.get(code)
                    if j is not None:
                        table[k, j] = lvl
            combo_of = np.fromiter(map(combos.__getitem__, held), dtype=np.int64, count=n_e)
            levels = np.ascontiguousarray(table.T)[:, combo_of]  # [code, employee]
            masks: dict[tuple[str, int], BoolArray] = {}
            for qi, q in enumerate(self.requirements):
                key = (q.competency, q.min_level)
                if key not in masks:
                    masks[key] = levels[code_pos[q.competency]] >= q.min_level
                qualified[qi] = masks[key]
        req_unit = np.array([unit_pos[q.unit] for q in self.requirements], dtype=np.int64)
        _freeze(
            home,
            role,
            fte,
            locked,
            pppk,
            months,
            workload,
            has_demand,
            min_staff,
            max_staff,
            qualified,
            req_unit,
        )
        nips = tuple(map(str, map(_NIP, emps)))
        return ProblemIndex(
            unit_ids=unit_ids,
            unit_pos=unit_pos,
            roles=roles,
            role_pos=role_pos,
            nips=nips,
            nip_pos={nip: i for i, nip in enumerate(nips)},
            home=home,
            role=role,
            fte=fte,
            locked=locked,
            pppk=pppk,
            months=months,
            workload=workload,
            has_demand=has_demand,
            refused=refused,
            preferred=preferred,
            min_staff=min_staff,
            max_staff=max_staff,
            qualified=qualified,
            req_unit=req_unit,
        )

    def __eq__(self, other: object) -> bool:
        """Equal when the data are equal (the lazily built index and caches do not count)."""
        if not isinstance(other, Problem):
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in type(self).model_fields)

    __hash__ = None  # type: ignore[assignment]

    def cached(self, key: str, build: Any) -> Any:
        """Per-problem memo for derived data (used by :mod:`mutasi_opt.metrics`)."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    # --------------------------------------------------------------- helpers
    def unit(self, unit_id: str) -> Unit:
        """The unit with id ``unit_id``."""
        return self.units[self.index.unit_pos[unit_id]]

    def employee(self, nip: str) -> Employee:
        """The employee with NIP ``nip``."""
        return self.employees[self.index.nip_pos[str(nip)]]

    def __repr__(self) -> str:
        # the full field dump of a city is megabytes: notebooks show _repr_html_
        return (
            f"Problem(employees={len(self.employees)}, units={len(self.units)}, "
            f"roles={len(self.index.roles)}, requirements={len(self.requirements)})"
        )

    def __str__(self) -> str:
        return repr(self)

    def _repr_html_(self) -> str:
        return str(provided("problem.html")(self))

    # -------------------------------------------------------------- frames io
    @classmethod
    def from_frames(
        cls,
        employees: Any,
        units: Any,
        demand: Any = None,
        requirements: Any = None,
        policy: Policy | Mapping[str, Any] | None = None,
        pairs: Any = None,
    ) -> Problem:
        """Build a problem from pandas DataFrames (columns as in the data folder)."""
        made: Problem = provided("problem.from_frames")(
            employees=employees,
            units=units,
            demand=demand,
            requirements=requirements,
            policy=policy,
            pairs=pairs,
        )
        return made

    def to_frames(self) -> dict[str, Any]:
        """The tables as DataFrames: ``employees``, ``units``, ``demand``, ``requirements``,
        ``pairs``."""
        frames: dict[str, Any] = provided("problem.to_frames")(self)
        return frames


def _pair_issues(problem: Problem, ctx: CheckContext, nips: set[Any]) -> list[InputIssue]:
    """Pairs naming an unknown NIP, a pair given twice, a pair both separate and together."""
    file = ctx.files.get("pairs", FILES["pairs"])
    issues: list[InputIssue] = []
    seen: dict[frozenset[str], tuple[int, str]] = {}
    for i, pair in enumerate(problem.pairs):
        row = ctx.row("pairs", i)
        for column in ("nip_a", "nip_b"):
            nip = getattr(pair, column)
            if nip not in nips and "employees" not in ctx.incomplete:
                issues.append(
                    InputIssue(
                        file,
                        row,
                        column,
                        str(nip),
                        f"NIP {nip} is not in {ctx.files.get('employees', FILES['employees'])}; "
                        "correct it or delete the row",
                    )
                )
        key = frozenset((str(pair.nip_a), str(pair.nip_b)))
        if key in seen:
            first, kind = seen[key]
            what = (
                "the same pair is also"
                if kind == pair.kind
                else f"the pair is {kind!r} on row {first} and {pair.kind!r} here; keep one"
            )
            issues.append(
                InputIssue(
                    file,
                    row,
                    "kind",
                    pair.kind,
                    f"{what} on row {first}; keep one row" if kind == pair.kind else what,
                )
            )
        else:
            seen[key] = (row, pair.kind)
    return issues


def _collide(codes: Iterable[str]) -> bool:
    """Whether two of the distinct ``codes`` differ only in case or spacing."""
    distinct = set(codes)
    return len({_code_key(c) for c in distinct}) != len(distinct)


def _code_key(code: str) -> str:
    return " ".join(INVISIBLE.sub("", code).casefold().split())


def _near_duplicates(what: str, places: Iterable[tuple[str, int, str, str]]) -> list[InputIssue]:
    """An issue at the first place of every spelling of a code that differs from an
    earlier spelling only in upper/lower case or spacing (``Perawat``, ``perawat``).

    ``places`` are (file, row, column, code) in reading order.
    """
    first: dict[str, tuple[str, str, int]] = {}  # key → (spelling, file, row)
    reported: set[str] = set()
    out: list[InputIssue] = []
    for file, row, column, code in places:
        if not code:
            continue
        key = _code_key(code)
        seen = first.setdefault(key, (code, file, row))
        if seen[0] == code or code in reported:
            continue
        reported.add(code)
        out.append(
            InputIssue(
                file,
                row,
                column,
                code,
                f"{what} {code!r} differs from {seen[0]!r} ({seen[1]} row {seen[2]}) only in "
                f"upper/lower case or spacing; {what} codes are compared exactly, so write "
                "it the same way everywhere",
            )
        )
    return out


def surge_issues(
    problem: Problem,
    surges: Sequence[Surge],
    *,
    file: str = "surges",
    rows: Sequence[int] | None = None,
    headers: Mapping[str, str] | None = None,
) -> list[InputIssue]:
    """Every way ``surges`` do not fit ``problem``: a repeated surge id, an end
    before the start, a unit the problem lacks, a role or competency nobody has.

    The one check of surges against a problem, wherever they come from: the
    reader of ``surges.csv`` passes its spreadsheet ``rows`` and column
    ``headers``; otherwise rows are positions from 1 and columns field names.
    """
    units = {u.unit for u in problem.units}
    roles = {e.role for e in problem.employees} | {d.role for d in problem.demand}
    competencies = {code for e in problem.employees for code, _ in e.competencies}
    competencies |= {q.competency for q in problem.requirements}
    header = dict(headers or {})
    issues: list[InputIssue] = []
    first_row: dict[str, int] = {}
    for k, surge in enumerate(surges):
        row = int(rows[k]) if rows is not None else k + 1

        def add(column: str, value: Any, message: str, row: int = row) -> None:
            issues.append(InputIssue(file, row, header.get(column, column), value, message))

        if surge.surge in first_row:
            add(
                "surge",
                surge.surge,
                f"surge id is also used on row {first_row[surge.surge]}; give each surge "
                "its own id (a surge needing two kinds of help is two rows with two ids)",
            )
        else:
            first_row[surge.surge] = row
        if surge.unit not in units:
            add("unit", surge.unit, "unknown unit: it must be a unit of units.csv")
        if surge.role and surge.role not in roles:
            add(
                "role",
                surge.role,
                "no employee or demand row has this role; check the spelling, or leave "
                "the cell empty to let any role help",
            )
        if surge.competency and surge.competency not in competencies:
            add(
                "competency",
                surge.competency,
                "no employee holds this competency and no requirement names it; check "
                "the spelling, or leave the cell empty if none is needed",
            )
    return issues


def issues_from_validation(exc: ValidationError, default_file: str = "problem") -> list[InputIssue]:
    """Translate a pydantic ValidationError of a Problem into InputIssues."""
    out: list[InputIssue] = []
    for err in exc.errors(include_url=False):
        loc = err.get("loc", ())
        file, row, column = default_file, None, None
        if loc and isinstance(loc[0], str) and loc[0] in FILES:
            file = FILES[loc[0]]
            rest = loc[1:]
            if rest and isinstance(rest[0], int):
                row = rest[0] + 2
                rest = rest[1:]
            if rest:
                column = str(rest[0])
        elif loc:
            column = ".".join(str(p) for p in loc)
        value = err.get("input")
        shown = (
            None
            if isinstance(value, dict | list | tuple)
            else (None if value is None else str(value))
        )
        out.append(InputIssue(file, row, column, shown, clean_message(err)))
    return out


def clean_message(err: Mapping[str, Any]) -> str:
    """Make a pydantic error message readable for a user."""
    msg = str(err.get("msg", "invalid value"))
    msg = re.sub(r"^(Value error|Assertion failed), ", "", msg)
    if err.get("type") == "missing":
        return "this value is required; fill it in"
    if err.get("type") == "extra_forbidden":
        return "unknown field; remove it or check its spelling"
    return msg
