"""JSON documents for systems that embed the planner: the problem in, the plan out.

Two documents, each with a ``schema_version``:

* the **problem** (:func:`problem_to_json` / :func:`problem_from_json`): the
  tables of a data folder as lists of objects plus the policy, exactly the
  fields of :class:`~mutasi_opt.domain.problem.Problem`;
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
version with an :class:`~mutasi_opt.domain.errors.InputError`.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model

from ..domain.columns import (
    ASSIGNMENT,
    BLOCKING_PAIRS,
    CHANGES,
    MOVES,
    NOTICES,
    TRAINING,
    UNITS,
    Column,
    Table,
)
from ..domain.errors import InputError, InputIssue
from ..domain.problem import (
    CheckContext,
    Demand,
    Employee,
    Pair,
    Policy,
    Problem,
    Requirement,
    Unit,
)
from ..domain.stages import PlanStatusName, StatusName
from ..results.plan import Plan

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
_LISTS: dict[str, tuple[type[Employee | Unit | Demand | Requirement | Pair], bool]] = {
    "employees": (Employee, True),
    "units": (Unit, True),
    "demand": (Demand, False),
    "requirements": (Requirement, False),
    "pairs": (Pair, False),
}
_KEYS = ("schema_version", *_LISTS, "policy")
_ONE = {
    "employees": "employee",
    "units": "unit",
    "demand": "demand row",
    "requirements": "requirement",
    "pairs": "pair",
}


# ======================================================================= problem
def problem_to_json(problem: Problem) -> dict[str, Any]:
    """The problem as a JSON document (a dict of lists, numbers, strings, bools and None).

    ``{"schema_version": "1", "employees": [...], "units": [...], "demand": [...],
    "requirements": [...], "policy": {...}, "pairs": [...]}``: every field of every row,
    defaults included.  ``problem_from_json(problem_to_json(p)) == p``.
    """
    return {"schema_version": SCHEMA_VERSION, **problem.model_dump(mode="json")}


def problem_from_json(data: Any) -> Problem:
    """A validated problem from a JSON document (parsed, or its text as ``str``/``bytes``).

    ``schema_version`` may be left out (it then means the current version);
    ``demand``, ``requirements`` and ``policy`` are optional (or null).  Values
    must have the JSON types and choices of :func:`problem_json_schema`; the
    models then check the rest (ranges, NIP structure, references between the
    lists, duplicates), so a document accepted here is valid under the schema.

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
    # issues per part of the document ("" = the document itself), reported in _KEYS order
    found: dict[str, list[InputIssue]] = {key: [] for key in ("", *_KEYS)}
    for key in data:
        if key not in _KEYS:
            found[""].append(
                _issue(
                    None,
                    str(key),
                    None,
                    f"unknown key {str(key)!r}; remove it or use one of: {', '.join(_KEYS)}",
                )
            )
    tables = {name: _load_list(name, data.get(name), found[name]) for name in _LISTS}
    policy = _load_policy(data.get("policy"), found["policy"])
    problem = Problem._trusted(
        **{name: tuple(t.rows) for name, t in tables.items()},
        policy=policy if policy is not None else Policy(),
    )
    names = {name: f"the {name} list" for name in _LISTS}
    context = CheckContext(
        files={**names, "policy": "the policy"},
        rows={name: t.positions for name, t in tables.items()},
        incomplete=frozenset(n for n, t in tables.items() if t.failed or not t.usable),
        known_units=frozenset(tables["units"].failed_units) if tables["units"].readable else None,
        known_roles=(
            frozenset(tables["demand"].failed_roles | tables["units"].failed_roles)
            if tables["demand"].readable
            else None
        ),
    )
    table_of = {file: name for name, file in names.items()}
    for issue in problem._cross_check(context):
        table = table_of.get(issue.file, "")
        found[table].append(
            InputIssue(
                PROBLEM_FILE,
                issue.row,
                issue.column,
                issue.value,
                f"in {table}: {issue.message}" if table else issue.message,
            )
        )
    issues = [i for part in found.values() for i in sorted(part, key=lambda i: i.row or 0)]
    if issues:
        raise InputError(issues)
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
    except RecursionError:
        raise InputError(
            [
                _issue(
                    None,
                    None,
                    None,
                    "the document is nested too deeply to read (lists or objects inside each "
                    "other thousands of times); a problem document has at most 4 levels",
                )
            ]
        ) from None


_VERSION = re.compile(r"(\d+)(\.\d+)*")
#: The versions this release reads, as a JSON Schema pattern.
_VERSION_PATTERN = rf"^{SCHEMA_VERSION}(\.[0-9]+)*$"


def _check_version(value: Any) -> InputIssue | None:
    """An issue when ``value`` is not a schema version this release reads."""
    if not isinstance(value, str) or not _VERSION.fullmatch(value):
        return _issue(
            None,
            "schema_version",
            value,
            f'schema_version must be a string such as "{SCHEMA_VERSION}"; '
            f'write "schema_version": "{SCHEMA_VERSION}"',
        )
    major = value.split(".")[0]
    if int(major) != int(SCHEMA_VERSION):
        return _issue(
            None,
            "schema_version",
            value,
            f"schema_version {value} is not supported: this release of mutasi-opt "
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
        #: a failed row whose unit id (units) or role (demand) cannot be read: references to
        #: units (roles) are then not checked, as any of them might be that row's
        self.unreadable = False

    @property
    def readable(self) -> bool:
        """Usable, and every failed row's unit id or role is known."""
        return self.usable and not self.unreadable


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
    fields, defs = _field_schemas(model.__name__)
    quick = _quick_checks(model.__name__)
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            continue  # pydantic says what an item must be
        for field_name, value in item.items():
            if field_name not in fields or quick[field_name](value):
                continue  # pydantic reports unknown fields
            if field_name == "nip" and _is_json_type(value, "number"):
                wrong: str | None = (
                    'write the NIP as a JSON string ("198703122010011004"); as a number it '
                    "may have lost digits"
                )
            else:
                wrong = _type_error(fields[field_name], value, defs)
                wrong = None if wrong is None else f"{field_name} {wrong}"
            if wrong is not None:
                bad.setdefault(i, []).append(
                    _issue(i + 1, field_name, value, f"in {name}: {wrong}")
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


@functools.cache
def _field_schemas(model: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The JSON Schema of each field of a row model, and the schema's definitions."""
    defs: dict[str, Any] = problem_json_schema()["$defs"]
    return defs[model]["properties"], defs


def _always_false(value: Any) -> bool:
    return False


def _always_true(value: Any) -> bool:
    return True


_QUICK_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: type(v) is str,
    "number": lambda v: type(v) is float or type(v) is int,
    "integer": lambda v: type(v) is int,
    "boolean": lambda v: type(v) is bool,
    "null": lambda v: v is None,
}


def _quick(schema: Mapping[str, Any], defs: Mapping[str, Any]) -> Callable[[Any], bool]:
    """A fast test that a value surely has the JSON types of ``schema``.

    False means "not sure": :func:`_type_error` then decides (and words the message).
    """
    if "$ref" in schema:
        return _quick(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "anyOf" in schema:
        branches = [_quick(branch, defs) for branch in schema["anyOf"]]
        return lambda v: any(branch(v) for branch in branches)
    if "enum" in schema:
        choices = frozenset(c for c in schema["enum"] if isinstance(c, str))
        return lambda v: type(v) is str and v in choices
    if schema.get("type") == "array":
        if "prefixItems" in schema:
            parts = [_quick(part, defs) for part in schema["prefixItems"]]
            n = len(parts)
            return lambda v: (
                type(v) is list and len(v) == n and all(p(x) for p, x in zip(parts, v, strict=True))
            )
        item = _quick(schema["items"], defs) if "items" in schema else _always_true
        return lambda v: type(v) is list and all(item(x) for x in v)
    return _QUICK_TYPES.get(str(schema.get("type")), _always_false)


@functools.cache
def _quick_checks(model: str) -> dict[str, Callable[[Any], bool]]:
    fields, defs = _field_schemas(model)
    return {name: _quick(schema, defs) for name, schema in fields.items()}


_JSON_TYPES: dict[str, str] = {
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "null": "null",
    "array": "a list",
    "object": "an object",
}


def _is_json_type(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "null":
        return value is None
    if kind == "array":
        return isinstance(value, list | tuple)
    if kind == "object":
        return isinstance(value, Mapping)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return kind == "number" or isinstance(value, int) or float(value).is_integer()


def _describe(schema: Mapping[str, Any], defs: Mapping[str, Any]) -> str:
    if "$ref" in schema:
        return _describe(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "anyOf" in schema:
        return " or ".join(_describe(branch, defs) for branch in schema["anyOf"])
    if "enum" in schema:
        return f"one of {', '.join(map(str, schema['enum']))}"
    return _JSON_TYPES.get(str(schema.get("type")), "a JSON value")


def _type_error(schema: Mapping[str, Any], value: Any, defs: Mapping[str, Any]) -> str | None:
    """What is wrong with the JSON types (and choices) of ``value`` under ``schema``, or None.

    Only types, choices and list shapes; ranges and the rest are the models' to check (with
    their own messages).  So a document this accepts is typed as its schema says.
    """
    if "$ref" in schema:
        return _type_error(defs[schema["$ref"].rsplit("/", 1)[-1]], value, defs)
    if "anyOf" in schema:
        if any(_type_error(branch, value, defs) is None for branch in schema["anyOf"]):
            return None
        return f"must be {_describe(schema, defs)}; got {_json_type(value)}"
    kind = schema.get("type")
    if kind is not None and not _is_json_type(value, str(kind)):
        return f"must be {_describe(schema, defs)}; got {_json_type(value)}"
    if "enum" in schema and value not in schema["enum"]:
        return f"must be {_describe(schema, defs)}; got {_shown(value)!r}"
    if kind == "array":
        prefix = schema.get("prefixItems")
        if prefix is not None and len(value) != len(prefix):
            return f"must be a list of {len(prefix)} items; got {len(value)}"
        for k, item in enumerate(value):
            sub = prefix[k] if prefix is not None else schema.get("items")
            wrong = None if sub is None else _type_error(sub, item, defs)
            if wrong is not None:
                return f"item {k + 1} {wrong}"
    return None


def _row_issue(
    name: str, model: type[Any], i: int, loc: tuple[Any, ...], err: Mapping[str, Any]
) -> InputIssue:
    from .parse import message

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
    fields = item if isinstance(item, Mapping) else {}
    if name == "units":
        unit = fields.get("unit")
        if isinstance(unit, str) and unit.strip():
            out.failed_units.add(unit.strip())
        else:
            out.unreadable = True
        if fields.get("workload_hours") is not None:
            out.failed_roles.add("")
    elif name == "demand":
        role = fields.get("role", "")
        if isinstance(role, str) and isinstance(item, Mapping):
            out.failed_roles.add(role.strip())
        else:
            out.unreadable = True


def _load_policy(raw: Any, issues: list[InputIssue]) -> Policy | None:
    from .parse import parse_policy

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


Finite = Annotated[float, Field(allow_inf_nan=False)]
NonNegative = Annotated[float, Field(allow_inf_nan=False, ge=0)]

#: The JSON type of each value type of an output column (floats are finite).
_JSON_VALUES: dict[type, Any] = {str: str, int: int, float: Finite, bool: bool}


def _annotation(column: Column) -> Any:
    """The JSON field type of an output column: its value type (a text column with
    choices as their literal), ``"inf"`` when it may be infinite, null when nullable,
    with its description."""
    kind: Any = Literal[column.choices] if column.choices else _JSON_VALUES[column.type]
    options = [kind]
    if column.infinite:
        options.append(Literal["inf"])
    if column.nullable:
        options.append(None)
    kind = Union[tuple(options)] if len(options) > 1 else kind  # noqa: UP007
    return Annotated[kind, Field(description=column.description)] if column.description else kind


def _row_model(name: str, table: Table) -> type[_Document]:
    """The JSON row model of an output table: one field per column, in its order."""
    fields: dict[str, Any] = {c.name: (_annotation(c), ...) for c in table}
    model: type[_Document] = create_model(
        name, __base__=_Document, __doc__=table.description, __module__=__name__, **fields
    )
    return model


if TYPE_CHECKING:  # generated below; mypy sees the base
    AssignmentRow = _Document
    MoveRow = _Document
    UnitRow = _Document
    TrainingRow = _Document
else:
    #: One employee's unit before and after the plan (``assignment.csv``).
    AssignmentRow = _row_model("AssignmentRow", ASSIGNMENT)
    #: One move with its reason (``moves.csv``).
    MoveRow = _row_model("MoveRow", MOVES)
    #: One unit and role before and after the plan (``units.csv``).
    UnitRow = _row_model("UnitRow", UNITS)
    #: One training need (``training.csv``).
    TrainingRow = _row_model("TrainingRow", TRAINING)


class StageDocument(_Document):
    """Value and bound of one lexicographic stage, in the stage's display unit."""

    stage: Literal[
        "shortfall", "training", "imbalance", "balance", "changes", "moves", "preference"
    ]
    status: StatusName
    value: Finite
    bound: Annotated[Finite, Field(description="A proven lower bound of the stage's optimum.")]
    gap: Annotated[Finite, Field(description="(value − bound) / value; 0 when proven.")]
    bound_source: str
    unit: Literal["staff", "people", "hours", "employees", "moves", "points"]
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
        PlanStatusName,
        Field(
            description="optimal: every stage proven (balance within balance_gap); feasible: "
            "a plan, not proven; infeasible: no plan exists (see diagnosis); unknown: no plan "
            "meeting the rules within the time or work limit."
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
    time_limit: Annotated[
        NonNegative | None,
        Field(description="The solve's time limit in seconds (wall clock), or null (none)."),
    ]
    work_limit: Annotated[
        NonNegative | None,
        Field(description="The solve's work limit in work units, or null (none)."),
    ]
    work_used: Annotated[
        NonNegative,
        Field(
            description="Work units the solve used: counted solver work, not timed, so the "
            "same on every machine and under any load."
        ),
    ]
    stopped_by: Annotated[
        Literal["time_limit", "work_limit"] | None,
        Field(
            description="The limit that cut a step short, or null (every step ran to its "
            "end). time_limit wins over work_limit, as it makes the result depend on the "
            "machine; with a work limit and stopped_by not time_limit, the same input, seed "
            "and workers give the same plan on every machine."
        ),
    ]
    stages: list[StageDocument]
    diagnosis: list[ConflictDocument]
    seed: int
    workers: int
    policy: Policy


class PlanDocument(_Document):
    """A plan as JSON: the summary and the tables (empty when there is no assignment)."""

    schema_version: Annotated[
        str, Field(description="Major version of this document's schema.", pattern=_VERSION_PATTERN)
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
        "birth_date": "Birth date (YYYY-MM-DD), or null = the one a structured NIP encodes; "
        "must match the NIP's when both are known.",
        "retirement_age": "Retirement age (BUP) in years, 50-70, or null = the policy's "
        "retirement_ages of the role, else retirement_age.",
        "inactive": "Why the employee is not active (tugas belajar, cuti di luar tanggungan "
        'negara, ...); "" = active. Inactive staff are not moved and, unless '
        "inactive_capacity, not counted in capacity.",
        "pinned_unit": "Unit id the employee must end in (a decision accepted in a "
        "consultation round), or null; a move there must be allowed by the rules.",
        "draft_unit": "Unit id a draft plan gives the employee, or null; a plan changes as "
        "few of these decisions as it can (the changes stage).",
        "priority": "Priority points for voluntary moves (years of service, family "
        "reunification, hardship, ...), 0 or more, or null (0 points); see "
        "no_justified_envy.",
    },
    "Unit": {
        "unit": "Unit id, unique.",
        "name": "Name (optional).",
        "workload_hours": "Workload hours per year for employees without a role, 0 or more; "
        "null when the workload is given per role in demand.",
        "min_staff": "Fewest employees after the plan, or null (no bound).",
        "max_staff": "Most employees after the plan, or null (no bound); not below min_staff.",
        "area": 'The area (a kecamatan, ...) the unit lies in; "" = none. Couples kept '
        '"together" are in the same unit, or in the same area when both units have one.',
    },
    "Pair": {
        "nip_a": "NIP of one employee of the pair.",
        "nip_b": "NIP of the other employee.",
        "kind": "separate: never in the same unit (relatives, PP 11/2017 Pasal 190(5)); "
        "together: the same unit, or the same area when both units have one (a couple).",
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
        "draft_tolerance": "With draft units: D and B may each end up to this fraction above "
        "the values their stages found, so that fewer draft decisions change.",
        "objection": 'What an objection in responses.csv becomes: "refuse" (the drafted unit '
        'is refused) or "lock" (the employee stays in their unit).',
        "individual_rationality": "Nobody is moved to a unit they did not list, unless the "
        "unit's requirement cannot otherwise be covered: an unlisted mover qualified for a "
        "requirement is excepted (and reported) only while it would be short without the "
        "unit's unlisted movers.",
        "no_justified_envy": "No employee who listed a unit stays out of it (or gets a unit "
        "they ranked lower) while someone of their role with fewer priority points is moved "
        "there (a stable matching by points).",
        "max_secondment_months": "Longest secondment (surge planning).",
        "max_lent_fraction": "Largest share of a unit's staff lent at once (surge planning).",
        "allow_pppk_secondment": "Whether PPPK staff may be seconded (surge planning).",
        "max_secondments_per_employee": "Most secondments per employee (surge planning).",
        "secondment_min_months_in_unit": "Employees with fewer months in their unit are not "
        "seconded (surge planning).",
        "plan_date": "Date the plan's decree takes effect (YYYY-MM-DD), or null: retirements "
        "are counted from it and blackout periods checked against it.",
        "horizon_months": "Months after plan_date in which retirements are shown (and taken "
        'out of capacity with retiring_capacity = "leave").',
        "no_move_before_retirement_months": "Employees retiring within this many months of "
        "plan_date are not moved.",
        "retirement_age": "Retirement age (BUP) of roles not in retirement_ages (PP 11/2017 "
        "Pasal 239: 58).",
        "retirement_ages": "Role → retirement age (60 for JPT and madya posts, 65 for ahli utama).",
        "retiring_capacity": '"leave" (default): the capacity of staff retiring within the '
        'horizon is counted as gone and they are not moved; "keep": they count in capacity.',
        "inactive_capacity": "Whether inactive staff count in capacity.",
        "blackout_start": "First day of a period in which no mutasi may be decreed (UU 10/2016 "
        "Pasal 71), or null.",
        "blackout_end": "Last day of the blackout period, or null.",
        "allow_secondment_in_blackout": "Whether the surge planner may second staff in "
        "months that overlap the blackout period.",
        "rotation_required": "Whether every movable employee more than overdue_months in "
        "their unit must be moved (PP 11/2017 Pasal 190); the others are exempt.",
    },
}


#: Rules the models check in validators, stated in the schema too (tests check that
#: the schema and :func:`problem_from_json` agree on both sides of each bound).
_PROBLEM_BOUNDS: dict[tuple[str, str], dict[str, Any]] = {
    ("Employee", "nip"): {"pattern": r"\S"},
    ("Employee", "fte"): {"exclusiveMinimum": 0, "maximum": 1},
    ("Unit", "workload_hours"): {"minimum": 0},
    ("Demand", "workload_hours"): {"minimum": 0},
}

#: pydantic writes these constraint names for some annotated fields; JSON Schema's names.
_KEYWORDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}


def _constrain(prop: dict[str, Any], bounds: Mapping[str, Any]) -> None:
    """Add ``bounds`` to a property (to its non-null branch when it may be null)."""
    branches = [b for b in prop.get("anyOf", [prop]) if b.get("type") != "null"]
    for branch in branches:
        branch.update(bounds)


def _tidy(node: Any) -> Any:
    """pydantic's schema made plain JSON Schema: ``ge``/``le`` → ``minimum``/``maximum``
    (and the exclusive ones), reST double backquotes in descriptions → single."""
    if isinstance(node, list):
        return [_tidy(v) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {name: _tidy(v) for name, v in value.items()}
        elif key in _KEYWORDS and isinstance(value, int | float) and "type" in node:
            out[_KEYWORDS[key]] = value
        elif key == "description" and isinstance(value, str):
            out[key] = value.replace("``", "`")
        else:
            out[key] = _tidy(value)
    return out


def problem_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the problem document."""
    schema = copy.deepcopy(Problem.model_json_schema())
    for (name, field_name), bounds in _PROBLEM_BOUNDS.items():
        _constrain(schema["$defs"][name]["properties"][field_name], bounds)
    _constrain(
        schema["$defs"]["Employee"]["properties"]["competencies"]["items"]["prefixItems"][1],
        {"minimum": 1, "maximum": 5},
    )
    props = schema["properties"]
    for name in ("employees", "units"):
        props[name]["minItems"] = 1
        props[name]["description"] = f"One object per {_ONE[name]} (at least one)."
    optional = {
        "demand": "Workload per unit and role (needed when employees have roles).",
        "requirements": "Competencies units need.",
        "policy": "Transfer rules; every key has a default.",
        "pairs": "Employees to keep apart (relatives) or together (couples).",
    }
    for name, text in optional.items():  # null (as some encoders write empty lists) = left out
        prop = props[name]
        default = prop.pop("default")
        props[name] = {
            "anyOf": [prop, {"type": "null"}],
            "default": default,
            "description": f"{text} May be left out or null.",
        }
    schema["properties"] = {
        "schema_version": {
            "type": "string",
            "pattern": _VERSION_PATTERN,
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
    schema = copy.deepcopy(PlanDocument.model_json_schema())
    return _framed(
        schema,
        "mutasi-opt plan",
        "A transfer plan: the summary and the tables assignment, moves, units and training "
        f"(schema version {SCHEMA_VERSION}).",
    )


def _framed(schema: dict[str, Any], title: str, description: str) -> dict[str, Any]:
    for name, fields in _PROBLEM_DOCS.items():
        if name in schema["$defs"]:
            props = schema["$defs"][name]["properties"]
            for field_name, text in fields.items():
                props[field_name]["description"] = text
    framed = {"$schema": _JSON_SCHEMA_DIALECT, **schema, "title": title, "description": description}
    out: dict[str, Any] = _tidy(framed)
    return out


def schema_text(schema: Mapping[str, Any]) -> str:
    """A schema as the checked-in files hold it: pretty-printed, sorted keys, trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=True) + "\n"


# ================================================== consultation rounds (rows)
if TYPE_CHECKING:  # generated below; mypy sees the base
    NoticeRow = _Document
    ChangeRow = _Document
    BlockingPairRow = _Document
else:
    #: One notice of a draft decision (``notices.csv``).
    NoticeRow = _row_model("NoticeRow", NOTICES)
    #: One change from the draft (``changes.csv``).
    ChangeRow = _row_model("ChangeRow", CHANGES)
    #: One blocking pair (``blocking_pairs.csv``).
    BlockingPairRow = _row_model("BlockingPairRow", BLOCKING_PAIRS)


def json_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Table records as JSON rows (numpy scalars plain, NaN → None, ±inf → ``"inf"``)."""
    rows: list[dict[str, Any]] = _json_safe(records)
    return rows
