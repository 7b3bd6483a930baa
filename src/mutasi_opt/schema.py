"""JSON documents for systems that embed the planner: the problem in, the plan out.

Two documents, each with a ``schema_version``:

* the **problem** (:func:`problem_to_json` / :func:`problem_from_json`): the
  tables of a data folder as lists of objects plus the policy, exactly the
  fields of :class:`~mutasi_opt.model.Problem`;
* the **plan** (:func:`plan_to_json`): the summary (``summary.json``) and the
  tables ``assignment``, ``moves``, ``units`` and ``training`` as lists of
  objects.  It is described by :class:`PlanDocument`.

Both are plain JSON: no NaN or infinity.  A number that is not defined (the
EJ of a unit and role with neither workload nor staff) is ``null``; an
infinite EJ (workload but no staff) is the string ``"inf"``.

:func:`problem_json_schema` and :func:`plan_json_schema` give the JSON Schemas
(draft 2020-12) that ``mutasi-opt schema`` prints and that are checked into
the repository as ``schema/problem.schema.json`` and
``schema/plan.schema.json``.

Versioning: :data:`SCHEMA_VERSION` is the major version.  It changes only
when a document that was valid would be rejected or read differently; adding
an optional field keeps it.  A reader rejects a document of another major
version with an :class:`~mutasi_opt.errors.InputError`.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from .errors import InputError, InputIssue
from .model import CheckContext, Demand, Employee, Policy, Problem, Requirement, Unit
from .plan import Plan

__all__ = [
    "PROBLEM_FILE",
    "SCHEMA_VERSION",
    "AssignmentRow",
    "ConflictDocument",
    "MoveRow",
    "PlanDocument",
    "StageDocument",
    "SummaryDocument",
    "TrainingRow",
    "UnitRow",
    "plan_json_schema",
    "plan_to_json",
    "problem_from_json",
    "problem_json_schema",
    "problem_to_json",
    "schema_text",
]

#: Major version of both documents (a string, so that ``"1.1"`` can follow).
SCHEMA_VERSION: str = "1"

#: The file named in the issues of :func:`problem_from_json`.
PROBLEM_FILE = "problem.json"

_JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"

#: The lists of a problem document, their row models and whether they are required.
_LISTS: dict[str, tuple[type[Employee | Unit | Demand | Requirement], bool]] = {
    "employees": (Employee, True),
    "units": (Unit, True),
    "demand": (Demand, False),
    "requirements": (Requirement, False),
}
_KEYS = ("schema_version", *_LISTS, "policy")
_ONE = {
    "employees": "employee",
    "units": "unit",
    "demand": "demand row",
    "requirements": "requirement",
}


# ======================================================================= problem
def problem_to_json(problem: Problem) -> dict[str, Any]:
    """The problem as a JSON document (a dict of lists, numbers, strings, bools and None).

    ``{"schema_version": "1", "employees": [...], "units": [...], "demand": [...],
    "requirements": [...], "policy": {...}}``: every field of every row,
    defaults included.  ``problem_from_json(problem_to_json(p)) == p``.
    """
    return {"schema_version": SCHEMA_VERSION, **problem.model_dump(mode="json")}


def problem_from_json(data: Any) -> Problem:
    """A validated problem from a JSON document (parsed, or its text as ``str``/``bytes``).

    ``schema_version`` may be left out (it then means the current version);
    ``demand``, ``requirements`` and ``policy`` are optional.

    Raises
    ------
    InputError
        Every issue at once.  ``file`` is ``"problem.json"``, ``row`` is the
        1-based position of the item within its list (None for the whole
        document), ``column`` is the field (the policy key for the policy) and
        the message starts with the list (``in employees: ...``) and says what
        to change.
    """
    if isinstance(data, str | bytes | bytearray):
        data = _parse_text(data)
    if not isinstance(data, Mapping):
        raise InputError(
            [
                _issue(
                    None,
                    None,
                    None,
                    "the problem must be a JSON object with the lists employees and units "
                    "(and optionally demand, requirements and policy); "
                    f"got {_json_type(data)}",
                )
            ]
        )
    version_issue = _check_version(data.get("schema_version", SCHEMA_VERSION))
    if version_issue is not None:
        raise InputError([version_issue])
    issues: list[InputIssue] = []
    for key in data:
        if key not in _KEYS:
            issues.append(
                _issue(
                    None,
                    str(key),
                    None,
                    f"unknown key {str(key)!r}; remove it or use one of: {', '.join(_KEYS)}",
                )
            )
    tables = {name: _load_list(name, data.get(name), issues) for name in _LISTS}
    policy = _load_policy(data.get("policy"), issues)
    usable = {name for name, t in tables.items() if t.usable}
    problem = Problem._trusted(
        **{name: tuple(t.rows) for name, t in tables.items()},
        policy=policy if policy is not None else Policy(),
    )
    names = {name: f"the {name} list" for name in _LISTS}
    context = CheckContext(
        files={**names, "policy": "the policy"},
        rows={name: t.positions for name, t in tables.items()},
        incomplete=frozenset(n for n, t in tables.items() if t.failed or not t.usable),
        known_units=frozenset(tables["units"].failed_units) if "units" in usable else None,
        known_roles=(
            frozenset(tables["demand"].failed_roles | tables["units"].failed_roles)
            if "demand" in usable
            else None
        ),
    )
    table_of = {file: name for name, file in names.items()}
    for issue in problem._cross_check(context):
        table = table_of.get(issue.file)
        issues.append(
            InputIssue(
                PROBLEM_FILE,
                issue.row,
                issue.column,
                issue.value,
                f"in {table}: {issue.message}" if table else issue.message,
            )
        )
    if issues:
        order = {name: k for k, name in enumerate(_KEYS)}

        def key(issue: InputIssue) -> tuple[int, int]:
            match = re.match(r"in (\w+):", issue.message)
            return (order.get(match.group(1), -1) if match else -1, issue.row or 0)

        raise InputError(sorted(issues, key=key))
    return problem


def _issue(row: int | None, column: str | None, value: Any, message: str) -> InputIssue:
    return InputIssue(PROBLEM_FILE, row, column, _shown(value), message)


def _shown(value: Any) -> str | None:
    if value is None or isinstance(value, Mapping | list | tuple):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return f"a {type(value).__name__}"


def _parse_text(text: str | bytes | bytearray) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            [
                _issue(
                    None,
                    None,
                    None,
                    f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}; "
                    "correct the document there",
                )
            ]
        ) from None
    except UnicodeDecodeError:
        raise InputError(
            [_issue(None, None, None, "the document is not UTF-8 text; send it encoded as UTF-8")]
        ) from None


_VERSION = re.compile(r"(\d+)(\.\d+)*")


def _check_version(value: Any) -> InputIssue | None:
    """An issue when ``value`` is not a schema version this release reads."""
    if not isinstance(value, str) or not _VERSION.fullmatch(value.strip()):
        return _issue(
            None,
            "schema_version",
            value,
            f'schema_version must be a string such as "{SCHEMA_VERSION}"; '
            f'write "schema_version": "{SCHEMA_VERSION}"',
        )
    major = value.strip().split(".")[0]
    if int(major) != int(SCHEMA_VERSION):
        return _issue(
            None,
            "schema_version",
            value,
            f"schema_version {value.strip()} is not supported: this release of mutasi-opt "
            f"reads version {SCHEMA_VERSION} documents (problem.schema.json); write the problem "
            f"in version {SCHEMA_VERSION} or use a release that reads version {major}",
        )
    return None


class _Loaded:
    """The valid rows of one list, their 1-based positions, and what failed."""

    def __init__(self, usable: bool = True) -> None:
        self.usable = usable
        self.rows: list[Any] = []
        self.positions: list[int] = []
        self.failed = False
        self.failed_units: set[str] = set()
        self.failed_roles: set[str] = set()


_ADAPTERS: dict[type[Any], TypeAdapter[list[Any]]] = {}


def _adapter(model: type[Any]) -> TypeAdapter[list[Any]]:
    if model not in _ADAPTERS:
        _ADAPTERS[model] = TypeAdapter(list[model])  # type: ignore[valid-type]
    return _ADAPTERS[model]


def _load_list(name: str, raw: Any, issues: list[InputIssue]) -> _Loaded:
    """Validate the list ``name``; issues go to ``issues``."""
    model, required = _LISTS[name]
    if raw is None:
        if not required:
            return _Loaded()
        issues.append(
            _issue(
                None,
                name,
                None,
                f'the list {name} is missing; add "{name}": [...] with at least one {_ONE[name]}',
            )
        )
        return _Loaded(usable=False)
    if not isinstance(raw, list):
        issues.append(
            _issue(
                None,
                name,
                raw,
                f"{name} must be a list (JSON array) of objects, one per {_ONE[name]}; "
                f"got {_json_type(raw)}",
            )
        )
        return _Loaded(usable=False)
    out = _Loaded()
    bad: dict[int, list[InputIssue]] = {}
    if model is Employee:
        for i, item in enumerate(raw):
            nip = item.get("nip") if isinstance(item, Mapping) else None
            if isinstance(nip, int | float) and not isinstance(nip, bool):
                bad.setdefault(i, []).append(
                    _issue(
                        i + 1,
                        "nip",
                        nip,
                        "in employees: write the NIP as a JSON string "
                        '("198703122010011004"); as a number it may have lost digits',
                    )
                )
    adapter = _adapter(model)
    todo = [i for i in range(len(raw)) if i not in bad]
    try:
        validated = adapter.validate_python([raw[i] for i in todo])
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(err.get("loc", ()))
            i = todo[int(loc[0])]
            bad.setdefault(i, []).append(_row_issue(name, model, i, loc[1:], err))
        todo = [i for i in todo if i not in bad]
        validated = adapter.validate_python([raw[i] for i in todo])
    out.rows = validated
    out.positions = [i + 1 for i in todo]
    for i in sorted(bad):
        issues.extend(dict.fromkeys(bad[i]))
        _note_failed(name, raw[i], out)
    out.failed = bool(bad)
    return out


def _row_issue(
    name: str, model: type[Any], i: int, loc: tuple[Any, ...], err: Mapping[str, Any]
) -> InputIssue:
    from .io.parse import message

    column = str(loc[0]) if loc else None
    kind = err.get("type")
    if not loc:
        text = (
            f"each item of {name} must be a JSON object (one {_ONE[name]}) with the fields "
            f"{', '.join(model.model_fields)}; got {_json_type(err.get('input'))}"
        )
    elif kind == "extra_forbidden":
        text = f"unknown field; remove it or use one of: {', '.join(model.model_fields)}"
    else:
        text = message(err)
    value = err.get("input")
    return _issue(i + 1, column, None if kind == "missing" else value, f"in {name}: {text}")


def _note_failed(name: str, item: Any, out: _Loaded) -> None:
    """Remember the unit id and role of a row that failed (to avoid follow-on issues)."""
    out.failed = True
    if not isinstance(item, Mapping):
        return
    if name == "units":
        unit = item.get("unit")
        if isinstance(unit, str) and unit.strip():
            out.failed_units.add(unit.strip())
        if item.get("workload_hours") is not None:
            out.failed_roles.add("")
    elif name == "demand":
        role = item.get("role", "")
        out.failed_roles.add(role.strip() if isinstance(role, str) else "")


def _load_policy(raw: Any, issues: list[InputIssue]) -> Policy | None:
    from .io.parse import parse_policy

    if raw is None:
        return Policy()
    if not isinstance(raw, Mapping):
        issues.append(
            _issue(
                None,
                "policy",
                raw,
                f"policy must be a JSON object of policy keys; got {_json_type(raw)}",
            )
        )
        return None
    policy, found = parse_policy(raw, PROBLEM_FILE)
    issues.extend(
        InputIssue(PROBLEM_FILE, None, i.column, i.value, f"in policy: {i.message}") for i in found
    )
    return policy


# ========================================================================== plan
class _Document(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


Nip = Annotated[str, Field(description="Employee number (NIP).")]
UnitId = Annotated[str, Field(description="Unit id.")]
Role = Annotated[str, Field(description='Role (jabatan); "" when employees have no role.')]
Finite = Annotated[float, Field(allow_inf_nan=False)]
Ej = Annotated[
    Finite | Literal["inf"] | None,
    Field(
        description='EJ = workload hours ÷ capacity hours; "inf" with workload but no staff, '
        "null with neither."
    ),
]
Band = Annotated[
    Literal["A", "B", "C", "D", "E", ""],
    Field(description='EJ band (A overloaded … E underloaded; "" when EJ is null).'),
]


class AssignmentRow(_Document):
    """One employee's unit before and after the plan (``assignment.csv``)."""

    nip: Nip
    name: str
    role: Role
    unit_before: UnitId
    unit_after: UnitId
    moved: bool


class MoveRow(_Document):
    """One move with its reason (``moves.csv``)."""

    nip: Nip
    name: str
    role: Role
    unit_before: Annotated[str, Field(description="The unit the employee leaves.")]
    unit_after: Annotated[str, Field(description="The unit the employee joins.")]
    ej_from_before: Ej
    ej_from_after: Ej
    ej_to_before: Ej
    ej_to_after: Ej
    requirements_covered: Annotated[
        str, Field(description="Competency requirements the move helps cover or leaves short.")
    ]
    preference_rank: Annotated[
        int | None,
        Field(description="Rank of the new unit among the preferred units (1 = first), or null."),
    ]
    months_in_unit: Annotated[
        int | None, Field(description="Months in the old unit (null when not given).")
    ]
    reason: Annotated[str, Field(description="Why the move, in words (English).")]


class UnitRow(_Document):
    """One unit and role before and after the plan (``units.csv``)."""

    unit: UnitId
    unit_name: str
    role: Role
    workload_hours: Annotated[int, Field(description="Workload hours per year (whole hours).")]
    capacity_before: Annotated[int, Field(description="Staff hours per year before the plan.")]
    capacity_after: Annotated[int, Field(description="Staff hours per year after the plan.")]
    fair_share_hours: Annotated[
        Finite, Field(description="The capacity the unit would have if every EJ were equal.")
    ]
    ej_before: Ej
    ej_after: Ej
    band_before: Band
    band_after: Band


class TrainingRow(_Document):
    """One training need (``training.csv``)."""

    nip: Nip
    name: str
    unit: Annotated[str, Field(description="The unit (after the plan) whose requirement it is.")]
    competency: str
    level_now: Annotated[int, Field(description="Level held now (0 when not held).")]
    level_needed: Annotated[int, Field(description="The requirement's min_level.")]
    cause: Annotated[
        Literal["move", "requirement"],
        Field(
            description="move: a mover below a level their new unit requires; requirement: "
            "near-qualified staff counted toward a requirement (trainable_gap > 0)."
        ),
    ]


class StageDocument(_Document):
    """Value and bound of one lexicographic stage, in the stage's display unit."""

    stage: Literal["shortfall", "training", "imbalance", "balance", "moves", "preference"]
    status: Literal["optimal", "feasible", "infeasible", "unknown"]
    value: Finite
    bound: Annotated[Finite, Field(description="A proven lower bound of the stage's optimum.")]
    gap: Annotated[Finite, Field(description="(value − bound) / value; 0 when proven.")]
    bound_source: str
    unit: Literal["staff", "people", "hours", "moves", "points"]
    seconds: Finite


class ConflictDocument(_Document):
    """One reason an infeasible problem has no plan."""

    kind: str
    message: str
    units: list[str]
    numbers: dict[str, int]


class SummaryDocument(_Document):
    """The headline numbers (``summary.json``); ``null`` where the plan has no assignment."""

    status: Annotated[
        Literal["optimal", "feasible", "infeasible", "unknown"],
        Field(
            description="optimal: every stage proven (balance within balance_gap); feasible: "
            "a plan, not proven; infeasible: no plan exists (see diagnosis); unknown: no plan "
            "within the time limit."
        ),
    ]
    shortfall: int | None
    shortfall_before: int
    imbalance_hours: Finite | None
    imbalance_hours_before: Finite
    balance_cost: Finite | None
    balance_cost_before: Finite
    balance_cost_bound: Finite | None
    balance_gap: Finite | None
    moves: int | None
    preference_cost: int | None
    training: Annotated[
        int | None, Field(description="Training needs after the plan (trainable_gap > 0 only).")
    ] = None
    training_before: Annotated[
        int | None, Field(description="Training needs before the plan (trainable_gap > 0 only).")
    ] = None
    solve_seconds: Finite
    stages: list[StageDocument]
    diagnosis: list[ConflictDocument]
    seed: int
    workers: int
    policy: Policy


class PlanDocument(_Document):
    """A plan as JSON: the summary and the tables (empty when there is no assignment)."""

    schema_version: Annotated[
        str, Field(description="Major version of this document's schema.", pattern=r"^\d+(\.\d+)*$")
    ]
    summary: SummaryDocument
    assignment: list[AssignmentRow]
    moves: list[MoveRow]
    units: list[UnitRow]
    training: list[TrainingRow]


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The plan as a JSON document (see :class:`PlanDocument`).

    ``{"schema_version", "summary", "assignment", "moves", "units",
    "training"}``; the tables are lists of row objects (empty for an
    infeasible or unknown plan, whose summary carries the status and the
    diagnosis).  No NaN or infinity: an undefined EJ is ``null``, an infinite
    one ``"inf"``.
    """
    has = plan.has_solution
    doc: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "summary": plan.summary(),
        "assignment": plan.assignment_records() if has else [],
        "moves": plan.move_records() if has else [],
        "units": plan.unit_records() if has else [],
        "training": plan.training_records() if has else [],
    }
    out: dict[str, Any] = _json_safe(doc)
    return out


def _json_safe(value: Any) -> Any:
    """``value`` with numpy scalars made plain, NaN → None and ±infinity → ``"inf"``/``"-inf"``."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        x = float(value)
        if math.isnan(x):
            return None
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return x
    if isinstance(value, str):
        return str(value)
    return value


# ======================================================================= schemas
_PROBLEM_DOCS: dict[str, dict[str, str]] = {
    "Employee": {
        "nip": "Employee number (NIP), unique; a string. 18 digits are checked for structure "
        "(birth date YYYYMMDD, CPNS start YYYYMM, gender digit 1 or 2, sequence); any other "
        "text is an opaque id.",
        "name": "Name (optional).",
        "unit": "Home unit id; must be in units.",
        "role": 'Role (jabatan); "" = no roles (one pool). A unit can receive the role only '
        "if it has a demand row for it.",
        "fte": "Full-time equivalent, more than 0 and at most 1; capacity = "
        "round(fte × effective_hours) hours per year.",
        "rank": "Golongan I/a … IV/e, or null.",
        "employment_type": "PNS or PPPK (PPPK move only with allow_pppk_moves).",
        "competencies": "[code, level] pairs, level 1-5, each code once.",
        "months_in_unit": "Months in the current unit, 0 or more; null = long enough to move.",
        "locked": "true: the employee stays where they are.",
        "refused_units": "Unit ids the employee must not be sent to.",
        "preferred_units": "Unit ids the employee asked for, most preferred first; none may "
        "also be refused.",
    },
    "Unit": {
        "unit": "Unit id, unique.",
        "name": "Name (optional).",
        "workload_hours": "Workload hours per year for employees without a role, 0 or more; "
        "null when the workload is given per role in demand.",
        "min_staff": "Fewest employees after the plan, or null (no bound).",
        "max_staff": "Most employees after the plan, or null (no bound); not below min_staff.",
    },
    "Demand": {
        "unit": "Unit id; must be in units.",
        "role": 'Role; "" for employees without a role. One row per unit and role.',
        "workload_hours": "Workload (ABK) hours per year of the role at the unit, 0 or more.",
    },
    "Requirement": {
        "unit": "Unit id; must be in units.",
        "competency": "Competency code.",
        "min_level": "Lowest level that counts, 1-5.",
        "min_staff": "Employees needed with the competency at min_level or above, 1 or more.",
    },
    "Policy": {
        "max_moves": "Most moves in the plan, or null (no limit).",
        "min_months_in_unit": "Employees with fewer months in their unit stay.",
        "allow_pppk_moves": "Whether PPPK staff may be moved.",
        "unlisted_preference_cost": "Preference cost of a move to a unit the employee did "
        "not list (the k-th preferred unit costs k − 1).",
        "effective_hours": "Effective working hours per FTE-year (PermenPANRB 1/2020: 1250).",
        "imbalance_tolerance_hours": "Later stages may accept an imbalance D up to the "
        "optimum plus this many hours.",
        "balance_breakpoints": "Relative deviations (whole percents, from 0, increasing) where "
        "the balance cost's slope changes.",
        "balance_slopes": "Cost per misplaced hour above each breakpoint (positive, increasing).",
        "balance_gap": "Relative gap at which the balance stage stops (0.005 = 0.5 %).",
        "overdue_months": "Months in a unit after which a move is overdue (reported in the "
        "reasons).",
        "ej_bands": "Lower edges of EJ bands A, B, C and D (decreasing, positive).",
        "trainable_gap": "Staff up to this many levels below a requirement count toward it "
        "after training; 0 = no training stage.",
        "max_secondment_months": "Longest secondment (surge planning).",
        "max_lent_fraction": "Largest share of a unit's staff lent at once (surge planning).",
        "allow_pppk_secondment": "Whether PPPK staff may be seconded (surge planning).",
        "max_secondments_per_employee": "Most secondments per employee (surge planning).",
        "secondment_min_months_in_unit": "Employees with fewer months in their unit are not "
        "seconded (surge planning).",
    },
}


def problem_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the problem document."""
    schema = copy.deepcopy(Problem.model_json_schema())
    for name, fields in _PROBLEM_DOCS.items():
        props = schema["$defs"][name]["properties"]
        for field_name, text in fields.items():
            props[field_name]["description"] = text
    props = schema["properties"]
    for name in ("employees", "units"):
        props[name]["minItems"] = 1
        props[name]["description"] = f"One object per {_ONE[name]} (at least one)."
    props["demand"]["description"] = (
        "Workload per unit and role (needed when employees have roles)."
    )
    props["requirements"]["description"] = "Competencies units need."
    props["policy"]["description"] = "Transfer rules; every key has a default."
    schema["properties"] = {
        "schema_version": {
            "type": "string",
            "pattern": rf"^{SCHEMA_VERSION}(\.[0-9]+)*$",
            "default": SCHEMA_VERSION,
            "description": f"Major version of this document's schema ({SCHEMA_VERSION}); "
            "may be left out.",
        },
        **props,
    }
    return _framed(
        schema,
        "mutasi-opt problem",
        "A transfer planning problem: employees, units, demand, requirements and policy "
        f"(schema version {SCHEMA_VERSION}).",
    )


def plan_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the plan document (:class:`PlanDocument`)."""
    schema = PlanDocument.model_json_schema()
    props = schema["properties"]
    props["schema_version"]["pattern"] = rf"^{SCHEMA_VERSION}(\.[0-9]+)*$"
    return _framed(
        schema,
        "mutasi-opt plan",
        "A transfer plan: the summary and the tables assignment, moves, units and training "
        f"(schema version {SCHEMA_VERSION}).",
    )


def _framed(schema: dict[str, Any], title: str, description: str) -> dict[str, Any]:
    return {"$schema": _JSON_SCHEMA_DIALECT, **schema, "title": title, "description": description}


def schema_text(schema: Mapping[str, Any]) -> str:
    """A schema as the checked-in files hold it: pretty-printed, sorted keys, trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=True) + "\n"
