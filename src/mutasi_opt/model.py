"""The validated problem: employees, units, demand, requirements and policy.

Every model is frozen (``frozen=True``) and rejects unknown fields
(``extra="forbid"``).  :class:`Problem` cross-checks all references once and
raises a single :class:`~mutasi_opt.errors.InputError` listing every issue.
Index maps (unit and role positions, per-employee arrays) are built once after
validation and exposed as :attr:`Problem.index`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import numpy as np
import numpy.typing as npt
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

from .errors import InputError, InputIssue
from .values import GolonganField, NipField

__all__ = [
    "Demand",
    "Employee",
    "Policy",
    "Problem",
    "ProblemIndex",
    "Requirement",
    "Unit",
    "parse_bool",
]

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]

#: File names of the tables, used in messages.
FILES = {
    "employees": "employees.csv",
    "units": "units.csv",
    "demand": "demand.csv",
    "requirements": "requirements.csv",
    "policy": "policy.toml",
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


def _split_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        parts = re.split(r"[;|]", value)
        return tuple(p.strip() for p in parts if p.strip())
    if isinstance(value, Iterable):
        return tuple(str(p).strip() for p in value if str(p).strip())
    raise ValueError("must be a list of unit ids separated by ';'")


def _parse_competencies(value: Any) -> tuple[tuple[str, int], ...]:
    if value is None:
        return ()
    items: list[tuple[str, Any]] = []
    if isinstance(value, str):
        for part in re.split(r"[;|]", value):
            part = part.strip()
            if not part:
                continue
            if ":" in part:
                code, _, level = part.partition(":")
                items.append((code.strip(), level.strip()))
            else:
                items.append((part, 1))
    elif isinstance(value, Mapping):
        items = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, Iterable):
        for item in value:
            if isinstance(item, str):
                items.extend(_parse_competencies(item))
            else:
                code, level = item
                items.append((str(code), level))
    else:
        raise ValueError("must look like 'code:level;code:level'")
    out: dict[str, int] = {}
    for code, level in items:
        code = code.strip()
        if not code:
            raise ValueError("a competency code is empty; write 'code:level;code:level'")
        try:
            lvl = int(str(level).strip())
        except ValueError:
            raise ValueError(
                f"level {level!r} of competency {code!r} is not a whole number 1-5"
            ) from None
        if not 1 <= lvl <= 5:
            raise ValueError(f"level {lvl} of competency {code!r} must be between 1 and 5")
        if code in out:
            raise ValueError(f"competency {code!r} is listed twice; keep one level")
        out[code] = lvl
    return tuple(sorted(out.items()))


def _none_if_blank(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _strip(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    return str(value).strip()


def _whole_number(value: Any) -> Any:
    value = _none_if_blank(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?\d+([.,]0+)?", text):
            return int(re.split(r"[.,]", text)[0])
    return value


Text = Annotated[str, BeforeValidator(_strip)]
UnitId = Annotated[str, BeforeValidator(_strip), Field(min_length=1)]
OptionalCount = Annotated[Annotated[int, Field(ge=0)] | None, BeforeValidator(_whole_number)]
Bool = Annotated[bool, BeforeValidator(parse_bool)]
UnitList = Annotated[tuple[str, ...], BeforeValidator(_split_list)]
Competencies = Annotated[tuple[tuple[str, int], ...], BeforeValidator(_parse_competencies)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=False)

    def replace(self, **changes: Any) -> Any:
        """A copy with ``changes`` applied and everything validated again."""
        data = {name: getattr(self, name) for name in type(self).model_fields}
        data.update(changes)
        return type(self)(**data)


def _finite_nonneg(value: float | None, what: str) -> float | None:
    if value is None:
        return None
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number of hours")
    if value < 0:
        raise ValueError(f"{what} must be 0 or more hours")
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
        text = str(value).strip().upper()
        if text in {"CPNS", "PNS"}:
            return "PNS"
        if text in {"PPPK", "P3K"}:
            return "PPPK"
        raise ValueError("employment_type must be PNS or PPPK")

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
    competency: Annotated[str, BeforeValidator(_strip), Field(min_length=1)]
    min_level: Annotated[int, BeforeValidator(_whole_number), Field(ge=1, le=5)] = 1
    min_staff: Annotated[int, BeforeValidator(_whole_number), Field(ge=1)] = 1

    @field_validator("min_level", mode="before")
    @classmethod
    def _default_level(cls, value: Any) -> Any:
        return 1 if _none_if_blank(value) is None else value

    @field_validator("min_staff", mode="before")
    @classmethod
    def _default_staff(cls, value: Any) -> Any:
        return 1 if _none_if_blank(value) is None else value


class Policy(_Frozen):
    """Transfer rules (``policy.toml``); every key has a default."""

    max_moves: Annotated[int | None, Field(ge=0)] = None
    min_months_in_unit: Annotated[int, Field(ge=0)] = 24
    allow_pppk_moves: bool = False
    unlisted_preference_cost: Annotated[int, Field(ge=0)] = 5
    effective_hours: Annotated[float, Field(gt=0, le=8784)] = 1250
    imbalance_tolerance_hours: Annotated[float, Field(ge=0)] = 0
    balance_breakpoints: tuple[int, ...] = (0, 10, 30, 50)
    balance_slopes: tuple[int, ...] = (1, 2, 4, 8)
    balance_gap: Annotated[float, Field(ge=0, lt=1)] = 0.005
    overdue_months: Annotated[int, Field(ge=0)] = 60
    ej_bands: tuple[float, float, float, float] = (1.0, 0.9, 0.7, 0.5)

    @model_validator(mode="after")
    def _shape(self) -> Policy:
        bp, sl = self.balance_breakpoints, self.balance_slopes
        if len(bp) != len(sl) or not bp:
            raise ValueError(
                "balance_breakpoints and balance_slopes must have the same (non-zero) length"
            )
        if bp[0] != 0 or any(b2 <= b1 for b1, b2 in zip(bp, bp[1:], strict=False)):
            raise ValueError(
                "balance_breakpoints must start at 0 and increase (whole percents, e.g. "
                "[0, 10, 30, 50])"
            )
        if sl[0] <= 0 or any(s2 <= s1 for s1, s2 in zip(sl, sl[1:], strict=False)):
            raise ValueError("balance_slopes must be positive increasing integers, e.g. [1, 2, 4, 8]")
        eb = self.ej_bands
        if any(b2 >= b1 for b1, b2 in zip(eb, eb[1:], strict=False)) or eb[-1] <= 0:
            raise ValueError(
                "ej_bands must be four decreasing positive thresholds (A, B, C, D lower edges), "
                "e.g. [1.0, 0.9, 0.7, 0.5]"
            )
        return self


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
    :class:`~mutasi_opt.errors.InputError` listing every issue.
    """

    employees: tuple[Employee, ...]
    units: tuple[Unit, ...]
    demand: tuple[Demand, ...] = ()
    requirements: tuple[Requirement, ...] = ()
    policy: Policy = Policy()

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
    def _cross_check(self) -> list[InputIssue]:
        issues: list[InputIssue] = []
        emp_f, unit_f, dem_f, req_f = (FILES[k] for k in ("employees", "units", "demand", "requirements"))

        unit_ids: dict[str, int] = {}
        for i, u in enumerate(self.units):
            if u.unit in unit_ids:
                issues.append(InputIssue(unit_f, i + 2, "unit", u.unit,
                    f"unit id is also used on row {unit_ids[u.unit] + 2}; unit ids must be unique"))
            else:
                unit_ids[u.unit] = i
            if u.min_staff is not None and u.max_staff is not None and u.min_staff > u.max_staff:
                issues.append(InputIssue(unit_f, i + 2, "min_staff", str(u.min_staff),
                    f"min_staff ({u.min_staff}) is above max_staff ({u.max_staff}); "
                    "lower min_staff or raise max_staff"))
        if not self.units:
            issues.append(InputIssue(unit_f, None, None, None, "there are no units; add at least one row"))
        if not self.employees:
            issues.append(InputIssue(emp_f, None, None, None, "there are no employees; add at least one row"))

        def unknown(unit: str) -> str:
            return f"unit {unit!r} is not in {unit_f}; add it there or correct the id"

        seen_nip: dict[str, int] = {}
        roles_used: dict[str, int] = {}
        for i, e in enumerate(self.employees):
            row = i + 2
            if e.nip in seen_nip:
                issues.append(InputIssue(emp_f, row, "nip", str(e.nip),
                    f"NIP is also used on row {seen_nip[e.nip] + 2}; each employee needs a unique NIP"))
            else:
                seen_nip[e.nip] = i
            if e.unit not in unit_ids:
                issues.append(InputIssue(emp_f, row, "unit", e.unit, unknown(e.unit)))
            for col, units in (("refused_units", e.refused_units), ("preferred_units", e.preferred_units)):
                for u in units:
                    if u not in unit_ids:
                        issues.append(InputIssue(emp_f, row, col, u, unknown(u)))
            both = set(e.refused_units) & set(e.preferred_units)
            if both:
                issues.append(InputIssue(emp_f, row, "preferred_units", ";".join(sorted(both)),
                    "a unit is both preferred and refused; remove it from one of the lists"))
            roles_used.setdefault(e.role, i)

        demand_roles: set[str] = set()
        seen_dem: dict[tuple[str, str], int] = {}
        for i, d in enumerate(self.demand):
            row = i + 2
            if d.unit not in unit_ids:
                issues.append(InputIssue(dem_f, row, "unit", d.unit, unknown(d.unit)))
            key = (d.unit, d.role)
            if key in seen_dem:
                issues.append(InputIssue(dem_f, row, "role", d.role,
                    f"unit {d.unit!r} already has a demand row for this role on row "
                    f"{seen_dem[key] + 2}; merge the two rows"))
            else:
                seen_dem[key] = i
            demand_roles.add(d.role)
        for i, u in enumerate(self.units):
            if u.workload_hours is None:
                continue
            if (u.unit, "") in seen_dem:
                issues.append(InputIssue(unit_f, i + 2, "workload_hours", str(u.workload_hours),
                    f"{dem_f} also gives a workload for this unit without a role; keep one"))
            elif "" not in roles_used:
                issues.append(InputIssue(unit_f, i + 2, "workload_hours", str(u.workload_hours),
                    "workload_hours in units.csv is only for employees without a role, and every "
                    f"employee has one; give the workload per role in {dem_f} instead"))
            demand_roles.add("")
        for role, i in roles_used.items():
            if role not in demand_roles:
                where = f"{dem_f} (role {role!r})" if role else f"{unit_f} (workload_hours) or {dem_f}"
                issues.append(InputIssue(emp_f, i + 2, "role", role,
                    f"no unit has workload for role {role!r}; add demand rows in {where}"))

        seen_req: dict[tuple[str, str, int], int] = {}
        for i, q in enumerate(self.requirements):
            row = i + 2
            if q.unit not in unit_ids:
                issues.append(InputIssue(req_f, row, "unit", q.unit, unknown(q.unit)))
            key = (q.unit, q.competency, q.min_level)
            if key in seen_req:
                issues.append(InputIssue(req_f, row, "competency", q.competency,
                    f"the same requirement (unit, competency, min_level) is on row "
                    f"{seen_req[key] + 2}; merge the two rows"))
            else:
                seen_req[key] = i
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
        role_set = {e.role for e in self.employees} | {d.role for d in self.demand}
        if any(u.workload_hours is not None for u in self.units):
            role_set.add("")
        roles = tuple(sorted(role_set))
        role_pos = {r: i for i, r in enumerate(roles)}
        emps = self.employees
        n_e, n_u, n_r = len(emps), len(unit_ids), len(roles)
        home = np.fromiter((unit_pos[e.unit] for e in emps), dtype=np.int64, count=n_e)
        role = np.fromiter((role_pos[e.role] for e in emps), dtype=np.int64, count=n_e)
        fte = np.fromiter((e.fte for e in emps), dtype=np.float64, count=n_e)
        locked = np.fromiter((e.locked for e in emps), dtype=np.bool_, count=n_e)
        pppk = np.fromiter((e.employment_type == "PPPK" for e in emps), dtype=np.bool_, count=n_e)
        months = np.fromiter(
            (-1 if e.months_in_unit is None else e.months_in_unit for e in emps),
            dtype=np.int64,
            count=n_e,
        )
        workload = np.zeros((n_u, n_r), dtype=np.float64)
        has_demand = np.zeros((n_u, n_r), dtype=np.bool_)
        for d in self.demand:
            workload[unit_pos[d.unit], role_pos[d.role]] = d.workload_hours
            has_demand[unit_pos[d.unit], role_pos[d.role]] = True
        for u in self.units:
            if u.workload_hours is not None:
                workload[unit_pos[u.unit], role_pos[""]] = u.workload_hours
                has_demand[unit_pos[u.unit], role_pos[""]] = True
        refused = tuple(tuple(unit_pos[u] for u in e.refused_units) for e in emps)
        preferred = tuple(tuple(unit_pos[u] for u in e.preferred_units) for e in emps)
        min_staff = np.array([-1 if u.min_staff is None else u.min_staff for u in self.units], dtype=np.int64)
        max_staff = np.array([-1 if u.max_staff is None else u.max_staff for u in self.units], dtype=np.int64)
        n_q = len(self.requirements)
        qualified = np.zeros((n_q, n_e), dtype=np.bool_)
        if n_q:
            comps = sorted({q.competency for q in self.requirements})
            levels = {c: np.zeros(n_e, dtype=np.int64) for c in comps}
            for i, e in enumerate(emps):
                for code, lvl in e.competencies:
                    if code in levels:
                        levels[code][i] = lvl
            for qi, q in enumerate(self.requirements):
                qualified[qi] = levels[q.competency] >= q.min_level
        req_unit = np.array([unit_pos[q.unit] for q in self.requirements], dtype=np.int64)
        _freeze(home, role, fte, locked, pppk, months, workload, has_demand, min_staff, max_staff,
                qualified, req_unit)
        return ProblemIndex(
            unit_ids=unit_ids,
            unit_pos=unit_pos,
            roles=roles,
            role_pos=role_pos,
            nips=tuple(str(e.nip) for e in emps),
            nip_pos={str(e.nip): i for i, e in enumerate(emps)},
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

    # -------------------------------------------------------------- frames io
    @classmethod
    def from_frames(
        cls,
        employees: Any,
        units: Any,
        demand: Any = None,
        requirements: Any = None,
        policy: Policy | Mapping[str, Any] | None = None,
    ) -> Problem:
        """Build a problem from pandas DataFrames (columns as in the data folder)."""
        from .io.frames import problem_from_frames

        return problem_from_frames(
            employees=employees, units=units, demand=demand, requirements=requirements, policy=policy
        )

    def to_frames(self) -> dict[str, Any]:
        """The tables as DataFrames: ``employees``, ``units``, ``demand``, ``requirements``."""
        from .io.frames import problem_to_frames

        return problem_to_frames(self)


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
        shown = None if isinstance(value, dict | list | tuple) else (None if value is None else str(value))
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
