"""The JSON documents (:mod:`mutasi_opt.io.documents`): problems round-trip, every mistake in a
problem document is located and says what to change, plan documents are valid under their
schema (checked by pydantic and, independently, by ``jsonschema``), and the schema files
checked into ``schema/`` are exactly what the code generates."""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import mutasi_opt as mo
from mutasi_opt import InputError, Plan, PlanStatus, Problem, solve, synth
from mutasi_opt.cli import main
from mutasi_opt.io.documents import (
    SCHEMA_VERSION,
    PlanDocument,
    plan_json_schema,
    plan_to_json,
    problem_from_json,
    problem_json_schema,
    problem_to_json,
    schema_text,
)
from problems import first_seed, random_problem

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schema"
REGENERATE = "regenerate them with: mutasi-opt schema --out schema/"


@cache
def problem_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(problem_json_schema())


@cache
def plan_validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(plan_json_schema())


def json_round(doc: Any) -> Any:
    """``doc`` through JSON text (as another system would send it; no NaN allowed)."""
    return json.loads(json.dumps(doc, allow_nan=False))


def accepted(doc: Any) -> bool:
    try:
        problem_from_json(doc)
    except InputError:
        return False
    return True


# A tiny problem without roles (the workload is on the units) and one with roles, demand and
# a requirement; the error table edits copies of them.
NO_ROLES: dict[str, Any] = {
    "schema_version": "1",
    "employees": [
        {"nip": "E1", "unit": "A", "months_in_unit": 30},
        {"nip": "E2", "unit": "B", "competencies": [["triase", 2]]},
    ],
    "units": [{"unit": "A", "workload_hours": 1000}, {"unit": "B", "workload_hours": 500}],
}
ROLES: dict[str, Any] = {
    "schema_version": "1",
    "employees": [
        {"nip": "198703122010011004", "name": "Siti", "unit": "A", "role": "perawat"},
        {"nip": "E2", "unit": "B", "role": "perawat", "refused_units": ["A"]},
        {"nip": "E3", "unit": "B", "role": "guru", "preferred_units": ["A"]},
    ],
    "units": [{"unit": "A"}, {"unit": "B", "min_staff": 1}],
    "demand": [
        {"unit": "A", "role": "perawat", "workload_hours": 2000},
        {"unit": "B", "role": "perawat", "workload_hours": 1000},
        {"unit": "A", "role": "guru", "workload_hours": 1250},
        {"unit": "B", "role": "guru", "workload_hours": 1250},
    ],
    "requirements": [{"unit": "A", "competency": "triase", "min_level": 2}],
    "policy": {"max_moves": 2, "min_months_in_unit": 0},
}


def test_the_tiny_documents_are_valid() -> None:
    for doc in (NO_ROLES, ROLES):
        problem = problem_from_json(doc)
        assert problem_validator().is_valid(doc)
        assert problem_from_json(problem_to_json(problem)) == problem
    assert problem_from_json(ROLES).policy.max_moves == 2


# ------------------------------------------------------------------- round trips
def test_problem_to_json_is_the_model_dump_with_the_version() -> None:
    problem = random_problem(7)
    doc = problem_to_json(problem)
    assert list(doc) == [
        "schema_version", "employees", "units", "demand", "requirements", "policy", "pairs"
    ]  # fmt: skip
    assert doc["schema_version"] == SCHEMA_VERSION == "1"
    assert {k: v for k, v in doc.items() if k != "schema_version"} == problem.model_dump(
        mode="json"
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 100_000),
    n_employees=st.integers(1, 8),
    n_units=st.integers(1, 4),
    roles=st.integers(1, 3),
    bounds=st.booleans(),
    requirements=st.booleans(),
    trainable_gap=st.integers(0, 2),
    effective_hours=st.floats(1, 8784, allow_nan=False),
)
def test_random_problems_round_trip(
    seed: int,
    n_employees: int,
    n_units: int,
    roles: int,
    bounds: bool,
    requirements: bool,
    trainable_gap: int,
    effective_hours: float,
) -> None:
    problem = random_problem(
        seed, n_employees, n_units, roles=roles, bounds=bounds, requirements=requirements
    )
    problem = problem.replace(
        policy=problem.policy.replace(trainable_gap=trainable_gap, effective_hours=effective_hours)
    )
    doc = problem_to_json(problem)
    back = problem_from_json(json_round(doc))
    assert back == problem
    assert problem_to_json(back) == doc
    assert problem_from_json(json.dumps(doc)) == problem  # the text itself
    assert problem_from_json(json.dumps(doc).encode()) == problem
    assert problem_validator().is_valid(doc), list(problem_validator().iter_errors(doc))[:1]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n_employees=st.integers(1, 120), seed=st.integers(0, 10_000))
def test_synthetic_problems_round_trip(n_employees: int, seed: int) -> None:
    problem = synth.generate(n_employees, seed=seed)
    doc = problem_to_json(problem)
    assert problem_from_json(json_round(doc)) == problem
    assert problem_validator().is_valid(doc)


def test_the_sample_round_trips_and_is_valid_under_the_schema() -> None:
    sample = mo.load_sample()
    doc = problem_to_json(sample)
    assert problem_from_json(json_round(doc)) == sample
    problem_validator().validate(doc)
    # ranks, competencies, preferences and PPPK all appear, so the schema saw every shape
    rows = doc["employees"]
    assert any(r["rank"] for r in rows) and any(r["competencies"] for r in rows)
    assert any(r["preferred_units"] for r in rows) and any(r["refused_units"] for r in rows)
    assert any(r["employment_type"] == "PPPK" for r in rows)


def test_top_level_exports() -> None:
    assert mo.problem_to_json is problem_to_json
    assert mo.problem_from_json is problem_from_json
    assert mo.plan_to_json is plan_to_json


# ----------------------------------------------------------- versions of documents
@pytest.mark.parametrize("version", ["1", "1.0", "1.7", None])
def test_versions_of_major_1_are_read(version: str | None) -> None:
    doc = copy.deepcopy(NO_ROLES)
    if version is None:
        del doc["schema_version"]  # left out: the current version
    else:
        doc["schema_version"] = version
    assert problem_from_json(doc) == problem_from_json(NO_ROLES)


@pytest.mark.parametrize(
    ("version", "fragment"),
    [
        ("2", "schema_version 2 is not supported"),  # a newer major version
        ("0.9", "schema_version 0.9 is not supported"),
        (1, 'must be a string such as "1"'),  # a number, not a string
        ("one", 'write "schema_version": "1"'),
        (" 1", 'write "schema_version": "1"'),  # as the schema's pattern says
        (None, 'write "schema_version": "1"'),  # null is not "left out"
    ],
)
def test_other_versions_are_rejected_with_one_clear_issue(version: Any, fragment: str) -> None:
    doc = copy.deepcopy(ROLES)
    doc["schema_version"] = version
    doc["employees"][0]["unit"] = "X"  # not reported: another version reads differently
    with pytest.raises(InputError) as info:
        problem_from_json(doc)
    [issue] = info.value.issues
    assert (issue.file, issue.row, issue.column) == ("problem.json", None, "schema_version")
    assert fragment in issue.message
    assert not problem_validator().is_valid(doc)


# ------------------------------------------------------------------ bad documents
def setter(*path: Any, value: Any) -> Callable[[Any], Any]:
    """Set ``doc[path...] = value``."""

    def edit(doc: Any) -> Any:
        node = doc
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
        return doc

    return edit


def deleter(*path: Any) -> Callable[[Any], Any]:
    """Delete ``doc[path...]``."""

    def edit(doc: Any) -> Any:
        node = doc
        for key in path[:-1]:
            node = node[key]
        del node[path[-1]]
        return doc

    return edit


# (edit of ROLES, expected row, expected column, what the message must say); one mistake each
BAD = [
    # the document is a list, not an object
    pytest.param(lambda d: [d], None, None, "must be a JSON object", id="not-an-object"),
    pytest.param(lambda d: "{", None, None, "not valid JSON", id="not-json-text"),
    pytest.param(deleter("employees"), None, "employees", "is missing; add", id="missing-list"),
    pytest.param(deleter("units"), None, "units", "is missing; add", id="missing-units"),
    pytest.param(
        setter("employees", value={"nip": "E9"}),
        None,
        "employees",
        "must be a list",
        id="list-is-dict",
    ),
    pytest.param(setter("demand", value="A"), None, "demand", "must be a list", id="list-is-text"),
    pytest.param(setter("employees", value=[]), None, None, "no employees", id="empty-list"),
    pytest.param(
        setter("units", 1, value="B"), 2, None, "must be a JSON object", id="item-not-object"
    ),
    pytest.param(deleter("employees", 1, "unit"), 2, "unit", "required", id="missing-field"),
    pytest.param(
        setter("employees", 2, "fte", value="full"),
        3,
        "fte",
        "fte must be a number; got a string",
        id="wrong-type",
    ),
    pytest.param(setter("employees", 0, "fte", value=1.5), 1, "fte", "at most 1", id="fte-above-1"),
    pytest.param(
        setter("employees", 0, "name", value=["Siti"]),
        1,
        "name",
        "name must be a string; got a list",
        id="list-for-text",
    ),
    pytest.param(
        setter("employees", 0, "competencies", value=[["triase", "2"]]),
        1,
        "competencies",
        "competencies item 1 item 2 must be a whole number; got a string",
        id="level-as-text",
    ),
    pytest.param(
        setter("employees", 0, "employment_type", value="honorer"),
        1,
        "employment_type",
        "employment_type must be one of PNS, PPPK; got 'honorer'",
        id="not-a-choice",
    ),
    pytest.param(
        setter("units", 1, "min_staff", value=1.5),
        2,
        "min_staff",
        "min_staff must be a whole number or null; got a number",
        id="fraction-for-count",
    ),
    pytest.param(
        setter("employees", 0, "nip", value="198713122010011004"),  # month 13
        1,
        "nip",
        "not a valid birth date",
        id="bad-nip",
    ),
    pytest.param(
        setter("employees", 0, "nip", value=198703122010011004),
        1,
        "nip",
        "write the NIP as a JSON string",
        id="nip-as-number",
    ),
    pytest.param(
        setter("employees", 1, "nip", value="198703122010011004"),
        2,
        "nip",
        "also used on row 1",
        id="duplicate-nip",
    ),
    pytest.param(
        setter("employees", 1, "unit", value="X"),
        2,
        "unit",
        "'X' is not in the units list; add it there",
        id="unknown-unit",
    ),
    pytest.param(
        setter("employees", 1, "refused_units", value=["A", "Z"]),
        2,
        "refused_units",
        "'Z' is not in the units list",
        id="unknown-refused-unit",
    ),
    pytest.param(
        setter("demand", 3, "unit", value="Q"),
        4,
        "unit",
        "'Q' is not in the units list",
        id="unknown-unit-in-demand",
    ),
    pytest.param(
        setter("requirements", 0, "unit", value="Q"),
        1,
        "unit",
        "'Q' is not in the units list",
        id="unknown-unit-in-requirements",
    ),
    pytest.param(
        setter("demand", 1, "workload_hours", value=-5),
        2,
        "workload_hours",
        "must be 0 or more hours",
        id="negative-hours",
    ),
    pytest.param(
        setter("demand", 1, "unit", value="A"),
        2,
        "role",
        "merge the two rows",
        id="duplicate-demand",
    ),
    pytest.param(
        setter("employees", 0, "competencies", value=[["triase", 7]]),
        1,
        "competencies",
        "between 1 and 5",
        id="competency-level",
    ),
    pytest.param(
        setter("employees", 0, "salary", value=5),
        1,
        "salary",
        "unknown field; remove it or use one of: nip, name",
        id="unknown-field",
    ),
    pytest.param(
        setter("policy", "max_move", value=3),
        None,
        "max_move",
        "unknown policy key 'max_move'; remove it or use one of: max_moves",
        id="unknown-policy-key",
    ),
    pytest.param(
        setter("policy", "max_moves", value="3"),
        None,
        "max_moves",
        "write a whole number",
        id="policy-wrong-type",
    ),
    pytest.param(
        setter("policy", "max_moves", value=-1),
        None,
        "max_moves",
        "greater than or equal to 0",
        id="policy-negative",
    ),
    pytest.param(
        setter("policy", value=[1]), None, "policy", "must be a JSON object", id="policy-not-object"
    ),
    pytest.param(
        setter("plan", value={}), None, "plan", "unknown key 'plan'; remove it", id="unknown-key"
    ),
]


#: Mistakes the JSON Schema cannot see (NIP structure, references between lists, duplicates).
SCHEMA_CANNOT_TELL = {
    "bad-nip",
    "duplicate-nip",
    "unknown-unit",
    "unknown-refused-unit",
    "unknown-unit-in-demand",
    "unknown-unit-in-requirements",
    "duplicate-demand",
}


@pytest.mark.parametrize(("edit", "row", "column", "fragment"), BAD)
def test_bad_document_gives_one_located_issue(
    edit: Callable[[Any], Any],
    row: int | None,
    column: str | None,
    fragment: str,
    request: pytest.FixtureRequest,
) -> None:
    doc = edit(copy.deepcopy(ROLES))
    with pytest.raises(InputError) as info:
        problem_from_json(doc)
    [issue] = info.value.issues
    assert (issue.file, issue.row, issue.column) == ("problem.json", row, column)
    assert fragment in issue.message
    text = str(info.value)
    assert "problem.json" in text
    for leak in ("pydantic", "type=", "Traceback", "input_value"):
        assert leak not in text
    if row is not None:  # an item of a list: the message names the list
        assert re.match(r"in (employees|units|demand|requirements): ", issue.message)
    if not isinstance(doc, str):  # the schema rejects it too, where it can tell
        case = request.node.callspec.id
        assert problem_validator().is_valid(doc) is (case in SCHEMA_CANNOT_TELL)


def test_every_issue_is_reported_at_once_in_document_order() -> None:
    doc = copy.deepcopy(ROLES)
    doc["policy"]["speed"] = 1
    doc["requirements"][0]["min_level"] = 9
    doc["employees"][2]["unit"] = "X"
    doc["employees"][0]["fte"] = 0
    doc["extra"] = True
    with pytest.raises(InputError) as info:
        problem_from_json(doc)
    where = [(i.row, i.column) for i in info.value.issues]
    assert where == [
        (None, "extra"),
        (1, "fte"),
        (3, "unit"),
        (1, "min_level"),
        (None, "speed"),
    ]


def test_a_row_that_failed_causes_no_follow_on_issues() -> None:
    # unit B's row is broken; references to B are not reported again
    doc = copy.deepcopy(ROLES)
    doc["units"][1]["min_staff"] = -1
    with pytest.raises(InputError) as info:
        problem_from_json(doc)
    assert [(i.row, i.column) for i in info.value.issues] == [(2, "min_staff")]


# Bounds that the models check in validators and the schema states: both must agree on
# both sides of each bound (bad value, good value, the path in NO_ROLES).
BOUNDS = [
    (("employees", 0, "fte"), 0, 1),
    (("employees", 0, "fte"), 1.01, 0.01),
    (("employees", 0, "nip"), "  ", "x"),
    (("employees", 0, "months_in_unit"), -1, 0),
    (("employees", 1, "competencies"), [["triase", 6]], [["triase", 5]]),
    (("employees", 1, "competencies"), [["triase", 0]], [["triase", 1]]),
    (("units", 0, "workload_hours"), -0.5, 0),
    (("units", 0, "min_staff"), -1, 0),
]


@pytest.mark.parametrize(("path", "bad", "good"), BOUNDS)
def test_schema_and_reader_agree_on_bounds(path: tuple[Any, ...], bad: Any, good: Any) -> None:
    for value, ok in ((bad, False), (good, True)):
        doc = setter(*path, value=value)(copy.deepcopy(NO_ROLES))
        assert accepted(doc) is ok, (path, value)
        assert problem_validator().is_valid(doc) is ok, (path, value)


def test_requirement_level_bounds_agree() -> None:
    for level, ok in ((0, False), (1, True), (5, True), (6, False)):
        doc = copy.deepcopy(ROLES)
        doc["requirements"][0]["min_level"] = level
        assert accepted(doc) is ok
        assert problem_validator().is_valid(doc) is ok


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_any_json_value_gives_a_problem_or_an_input_error(value: Any) -> None:
    try:
        problem_from_json(value)
    except InputError as err:
        assert all(i.file == "problem.json" for i in err.issues)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside ``node`` (lists and dicts)."""
    out = [prefix] if prefix else []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in items:
        out.extend(_paths(child, (*prefix, key)))
    return out


#: Where a field can be added: (list, model) of ROLES and NO_ROLES.
ROW_MODELS = {
    "employees": mo.Employee,
    "units": mo.Unit,
    "demand": mo.Demand,
    "requirements": mo.Requirement,
}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([ROLES, NO_ROLES]), st.data())
def test_any_value_anywhere_gives_a_problem_or_a_located_input_error(
    base: dict[str, Any], data: st.DataObject
) -> None:
    doc = copy.deepcopy(base)
    for _ in range(data.draw(st.integers(1, 2), label="edits")):
        if data.draw(st.booleans(), label="add a field"):
            tables = [t for t in ROW_MODELS if isinstance(doc.get(t), list) and doc[t]]
            if not tables:
                continue
            table = data.draw(st.sampled_from(tables))
            i = data.draw(st.integers(0, len(doc[table]) - 1))
            field = data.draw(st.sampled_from(sorted(ROW_MODELS[table].model_fields)))
            path: tuple[Any, ...] = (table, i, field)
        else:
            path = data.draw(st.sampled_from(_paths(doc)), label="path")
        try:
            doc = setter(*path, value=data.draw(json_values, label="value"))(doc)
        except (TypeError, KeyError, IndexError):
            continue  # an earlier edit changed the shape under this path
    try:
        problem_from_json(doc)
    except InputError as err:
        for issue in err.issues:
            assert issue.file == "problem.json"
            assert issue.row is None or issue.row >= 1
            assert issue.message
    else:  # what the reader accepts, the schema accepts
        assert problem_validator().is_valid(doc), next(problem_validator().iter_errors(doc))


# -------------------------------------------------------------------- plan documents
def check_plan_document(plan: Plan) -> dict[str, Any]:
    """``plan_to_json(plan)``: plain JSON, valid for pydantic and for jsonschema, and equal to
    the plan's own records."""
    doc = plan_to_json(plan)
    assert json_round(doc) == doc  # no NaN, no infinity, nothing JSON cannot hold
    PlanDocument.model_validate(doc)
    plan_validator().validate(doc)
    assert doc["schema_version"] == SCHEMA_VERSION
    assert doc["summary"]["status"] == plan.status.value
    return doc


def _ej(value: Any) -> Any:
    if isinstance(value, float) and math.isinf(value):
        return "inf"
    return value


def _tables_match(plan: Plan, doc: dict[str, Any]) -> None:
    assert doc["assignment"] == plan.assignment_records()
    assert doc["training"] == plan.training_records()
    for got, want in zip(doc["units"], plan.unit_records(), strict=True):
        assert got == {k: _ej(v) for k, v in want.items()}
    for got, want in zip(doc["moves"], plan.move_records(), strict=True):
        assert got == {k: _ej(v) for k, v in want.items()}
    assert len(doc["moves"]) == plan.after.moves if plan.after else 0


def test_plan_document_of_a_solved_random_problem() -> None:
    def moves_and_requirements(seed: int) -> bool:
        p = random_problem(seed, 7, 3)
        return bool(p.requirements) and solve(p, work_limit=2.0).summary()["moves"] not in (None, 0)

    seed = first_seed(moves_and_requirements, 11)
    plan = solve(random_problem(seed, 7, 3), work_limit=2.0)
    doc = check_plan_document(plan)
    _tables_match(plan, doc)
    assert doc["moves"] and doc["summary"]["stages"]
    assert doc["summary"] == json_round(plan.summary())


def test_plan_document_with_infinite_and_undefined_ej() -> None:
    # unit B has workload and nobody (EJ infinite: "inf"), C neither (EJ undefined: null)
    doc = {
        "employees": [
            {"nip": "E1", "unit": "A", "role": "p", "locked": True},
            {"nip": "E2", "unit": "A", "role": "p", "locked": True},
        ],
        "units": [{"unit": "A"}, {"unit": "B"}, {"unit": "C"}],
        "demand": [
            {"unit": "A", "role": "p", "workload_hours": 1000},
            {"unit": "B", "role": "p", "workload_hours": 500},
            {"unit": "C", "role": "p", "workload_hours": 0},
        ],
    }
    plan = solve(problem_from_json(doc), work_limit=2.0)
    out = check_plan_document(plan)
    _tables_match(plan, out)
    ej = {
        row["unit"]: (row["ej_before"], row["ej_after"], row["band_after"]) for row in out["units"]
    }
    assert ej == {"A": (0.4, 0.4, "E"), "B": ("inf", "inf", "A"), "C": (None, None, "")}


def test_plan_document_with_training() -> None:
    def trains(seed: int) -> bool:
        p = random_problem(seed, 7, 3)
        p = p.replace(policy=p.policy.replace(trainable_gap=1))
        plan = solve(p, work_limit=2.0)
        return plan.has_solution and bool(plan.training_records())

    seed = first_seed(trains, 21)
    p = random_problem(seed, 7, 3)
    plan = solve(p.replace(policy=p.policy.replace(trainable_gap=1)), work_limit=2.0)
    doc = check_plan_document(plan)
    _tables_match(plan, doc)
    assert doc["summary"]["training"] is not None and doc["training"]
    assert {r["cause"] for r in doc["training"]} <= {"move", "requirement"}


def test_plan_document_of_an_infeasible_problem() -> None:
    doc = {"employees": [{"nip": "E1", "unit": "A"}], "units": [{"unit": "A", "min_staff": 3}]}
    doc["units"][0]["workload_hours"] = 100
    plan = solve(problem_from_json(doc), work_limit=2.0)
    assert plan.status is PlanStatus.INFEASIBLE
    out = check_plan_document(plan)
    assert out["assignment"] == out["moves"] == out["units"] == out["training"] == []
    summary = out["summary"]
    assert summary["diagnosis"] and "unit A needs" in summary["diagnosis"][0]["message"]
    assert summary["moves"] is None and summary["shortfall_before"] == 0


def test_plan_document_without_a_plan_in_the_time_limit() -> None:
    plan = Plan.without_solution(
        problem_from_json(NO_ROLES), PlanStatus.UNKNOWN, diagnosis=(), solve_seconds=3.0
    )
    out = check_plan_document(plan)
    assert out["summary"]["status"] == "unknown" and out["summary"]["stages"] == []
    assert out["assignment"] == []


def test_plan_document_of_the_sample() -> None:
    sample = mo.load_sample()
    plan = solve(sample, work_limit=2.0)
    assert plan.has_solution
    doc = check_plan_document(plan)
    assert len(doc["assignment"]) == len(sample.employees)
    assert sum(r["moved"] for r in doc["assignment"]) == len(doc["moves"]) == plan.after.moves  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("limits", "stopped_by"),
    [
        pytest.param({"work_limit": 0.01}, "work_limit", id="cut-by-work"),
        pytest.param({"work_limit": 50.0, "time_limit": 60.0}, None, id="work-and-time"),
        pytest.param({}, None, id="no-limit"),
    ],
)
def test_plan_document_records_the_limits(limits: dict[str, float], stopped_by: Any) -> None:
    plan = solve(synth.generate(200, seed=3), workers=1, **limits)
    doc = check_plan_document(plan)
    summary = doc["summary"]
    assert summary["time_limit"] == limits.get("time_limit")
    assert summary["work_limit"] == limits.get("work_limit")
    assert summary["work_used"] > 0
    assert summary["stopped_by"] == stopped_by
    keys = list(summary)
    at = keys.index("solve_seconds")
    assert keys[at : at + 5] == [
        "solve_seconds",
        "time_limit",
        "work_limit",
        "work_used",
        "stopped_by",
    ]


def _valid_plan_document() -> dict[str, Any]:
    return plan_to_json(solve(problem_from_json(ROLES), work_limit=2.0))


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(setter("units", 0, "ej_after", value="-inf"), id="minus-inf-text"),
        pytest.param(setter("units", 0, "band_after", value="F"), id="no-such-band"),
        pytest.param(setter("summary", "status", value="done"), id="status"),
        pytest.param(setter("summary", "moves", value="2"), id="moves-as-text"),
        pytest.param(deleter("summary", "balance_cost"), id="missing-key"),
        pytest.param(setter("summary", "speed", value=1), id="unknown-key"),
        pytest.param(setter("summary", "stopped_by", value="clock"), id="no-such-limit"),
        pytest.param(setter("summary", "work_used", value=-1.0), id="negative-work"),
        pytest.param(setter("assignment", 0, "moved", value=1), id="moved-as-number"),
        pytest.param(setter("schema_version", value="2"), id="other-version"),
        pytest.param(deleter("training"), id="missing-table"),
    ],
)
def test_plan_schema_rejects_what_is_not_a_plan(edit: Callable[[Any], Any]) -> None:
    good = _valid_plan_document()
    PlanDocument.model_validate(good)
    bad = edit(copy.deepcopy(good))
    with pytest.raises(ValidationError):
        PlanDocument.model_validate(bad)
    assert not plan_validator().is_valid(bad)


def test_plan_model_rejects_nan() -> None:
    # JSON text cannot carry NaN (so the schema need not say it); the model rejects it
    bad = _valid_plan_document()
    bad["units"][0]["ej_after"] = float("nan")
    with pytest.raises(ValidationError):
        PlanDocument.model_validate(bad)
    with pytest.raises(ValueError, match="not JSON compliant"):
        json.dumps(bad, allow_nan=False)


# -------------------------------------------------------------------- schema files
@pytest.mark.parametrize(
    ("name", "build"), [("problem", problem_json_schema), ("plan", plan_json_schema)]
)
def test_checked_in_schema_files_are_what_the_code_generates(
    name: str, build: Callable[[], dict[str, Any]]
) -> None:
    path = SCHEMA_DIR / f"{name}.schema.json"
    assert path.exists(), f"{path} is missing; {REGENERATE}"
    text = path.read_text(encoding="utf-8")
    assert text == schema_text(build()), f"{path} is out of date; {REGENERATE}"
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"
    jsonschema.Draft202012Validator.check_schema(json.loads(text))


KEYWORDS = {
    "$schema", "$defs", "$ref", "type", "properties", "required", "additionalProperties",
    "items", "prefixItems", "minItems", "maxItems", "anyOf", "enum", "const", "default",
    "title", "description", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
    "minLength", "pattern", "format",
}  # fmt: skip


def _schema_nodes(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, list):
        return [n for item in node for n in _schema_nodes(item)]
    if not isinstance(node, dict):
        return []
    out = [node]
    for key, value in node.items():
        if key in ("properties", "$defs"):
            out.extend(n for child in value.values() for n in _schema_nodes(child))
        elif key not in ("default", "enum", "const"):
            out.extend(_schema_nodes(value))
    return out


@pytest.mark.parametrize("build", [problem_json_schema, plan_json_schema])
def test_schemas_use_only_json_schema_keywords(build: Callable[[], dict[str, Any]]) -> None:
    for node in _schema_nodes(build()):
        assert set(node) <= KEYWORDS, set(node) - KEYWORDS
        assert "``" not in node.get("description", "")


def test_every_field_of_the_problem_is_described() -> None:
    schema = problem_json_schema()
    for name, definition in [*schema["$defs"].items(), ("problem", schema)]:
        for field, prop in definition.get("properties", {}).items():
            assert prop.get("description"), f"{name}.{field} has no description"


def test_definitions_shared_by_both_schemas_are_identical() -> None:
    # the service puts both schemas into one OpenAPI document, one definition per name
    problem, plan = problem_json_schema()["$defs"], plan_json_schema()["$defs"]
    shared = set(problem) & set(plan)
    assert shared == {"Policy"}
    for name in shared:
        assert problem[name] == plan[name]


def test_schemas_name_the_version() -> None:
    for schema in (problem_json_schema(), plan_json_schema()):
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert f"schema version {SCHEMA_VERSION}" in schema["description"]
        assert schema["properties"]["schema_version"]["pattern"] == "^1(\\.[0-9]+)*$"
    assert "schema_version" in plan_json_schema()["required"]
    assert problem_json_schema()["required"] == ["employees", "units"]


# ---------------------------------------------------------------------------- CLI
@pytest.mark.parametrize(
    ("name", "build"), [("problem", problem_json_schema), ("plan", plan_json_schema)]
)
def test_cli_prints_one_schema(
    name: str, build: Callable[[], dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", name]) == 0
    assert capsys.readouterr().out == schema_text(build())


def test_cli_prints_both_schemas(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    both = json.loads(capsys.readouterr().out)
    assert both == {"problem": problem_json_schema(), "plan": plan_json_schema()}


def test_cli_writes_the_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "new" / "schema"
    assert main(["schema", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["plan.schema.json", "problem.schema.json"]
    for path in out.iterdir():
        assert path.read_bytes() == (SCHEMA_DIR / path.name).read_bytes()
    assert str(out / "problem.schema.json") in capsys.readouterr().out
    assert main(["schema", "plan", "--out", str(tmp_path / "one")]) == 0
    assert [p.name for p in (tmp_path / "one").iterdir()] == ["plan.schema.json"]


def test_cli_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "taken"
    file.write_text("x")
    assert main(["schema", "--out", str(file)]) == 1
    assert "is a file; give a folder" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        main(["schema", "problems"])
    assert info.value.code == 1
    assert "invalid choice: 'problems'" in capsys.readouterr().err


def test_problem_class_is_unchanged_by_reading() -> None:
    # problem_from_json builds the same object as the constructor (index and all)
    problem = problem_from_json(ROLES)
    built = Problem(
        employees=problem.employees,
        units=problem.units,
        demand=problem.demand,
        requirements=problem.requirements,
        policy=problem.policy,
    )
    assert built == problem
    assert built.index.unit_ids == problem.index.unit_ids
    assert (built.index.workload == problem.index.workload).all()
