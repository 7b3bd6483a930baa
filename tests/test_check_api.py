"""The public ``check_plan`` API: DataFrame input, clear errors on bad shapes, ``mo.synth``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import mutasi_opt as mo
from mutasi_opt import Plan, Problem, check_plan, synth


@pytest.fixture(scope="module")
def problem() -> Problem:
    return synth.generate(40, seed=1, max_moves=5)


@pytest.fixture(scope="module")
def plan(problem: Problem) -> Plan:
    plan = mo.solve(problem, workers=1)
    assert plan.has_solution
    return plan


@pytest.fixture(scope="module")
def csv_frame(plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    out = mo.write_plan(plan, tmp_path_factory.mktemp("plan"))
    return pd.read_csv(Path(out) / "assignment.csv", dtype=str)


def _forbidden_move(problem: Problem) -> tuple[str, str]:
    """(nip, unit) for a move the rules forbid: a unit with no demand for the role.

    The employee is otherwise free to move (not locked, not PPPK, long enough in
    the unit), so ``no_demand`` is the rule it breaks.
    """
    demand = {(d.unit, d.role) for d in problem.demand}
    demand |= {(u.unit, "") for u in problem.units if u.workload_hours is not None}
    pol = problem.policy
    for e in problem.employees:
        if e.locked or (e.employment_type == "PPPK" and not pol.allow_pppk_moves):
            continue
        if e.months_in_unit is not None and e.months_in_unit < pol.min_months_in_unit:
            continue
        for u in problem.units:
            if u.unit != e.unit and (u.unit, e.role) not in demand:
                return str(e.nip), u.unit
    raise AssertionError("no forbidden move in the fixture problem")


def _with_forbidden_move(frame: pd.DataFrame, problem: Problem) -> pd.DataFrame:
    nip, unit = _forbidden_move(problem)
    out = frame.copy()
    out.loc[out["nip"] == nip, "unit_after"] = unit
    return out


FRAMES: dict[str, Callable[[Plan, pd.DataFrame, Problem], pd.DataFrame]] = {
    "plan.assignment": lambda plan, csv, p: plan.assignment,
    "read_csv(dtype=str)": lambda plan, csv, p: csv,
    "unit column": lambda plan, csv, p: plan.assignment[["nip", "unit_after"]].rename(
        columns={"unit_after": "unit"}
    ),
    "upper-case, padded names": lambda plan, csv, p: csv.rename(
        columns={"nip": " NIP ", "unit_after": "Unit_After"}
    ),
    "int64 nip": lambda plan, csv, p: csv.astype({"nip": "int64"}),
    "forbidden move": lambda plan, csv, p: _with_forbidden_move(csv, p),
}
EXPECTED_KINDS: dict[str, list[str]] = {
    "plan.assignment": [],
    "read_csv(dtype=str)": [],
    "unit column": [],
    "upper-case, padded names": [],
    "int64 nip": [],
    "forbidden move": ["no_demand"],
}


@pytest.mark.parametrize("case", list(FRAMES))
def test_dataframe_assignment(
    case: str, problem: Problem, plan: Plan, csv_frame: pd.DataFrame
) -> None:
    frame = FRAMES[case](plan, csv_frame, problem)
    violations = check_plan(problem, frame)
    kinds = sorted({v.kind for v in violations})
    assert kinds == EXPECTED_KINDS[case]
    if case == "forbidden move":
        nip, unit = _forbidden_move(problem)
        assert any(v.kind == "no_demand" and (v.nip, v.unit) == (nip, unit) for v in violations)


def test_dataframe_agrees_with_plan(problem: Problem, plan: Plan) -> None:
    assert check_plan(problem, plan) == []
    assert check_plan(problem, plan.assignment_array) == []
    assert check_plan(problem, plan.assignment) == check_plan(problem, plan)


def test_dataframe_duplicates_and_unknowns(problem: Problem, csv_frame: pd.DataFrame) -> None:
    unknown = pd.concat(
        [csv_frame, pd.DataFrame({"nip": ["000"], "unit_after": ["SETDA"]})], ignore_index=True
    )
    assert [(v.kind, v.nip) for v in check_plan(problem, unknown)] == [("unknown_employee", "000")]
    doubled = pd.concat([csv_frame, csv_frame.iloc[:1]], ignore_index=True)
    assert [v.kind for v in check_plan(problem, doubled)] == ["duplicate_employee"]
    assert [v.kind for v in check_plan(problem, csv_frame.iloc[1:])] == ["missing_employee"]


@pytest.mark.parametrize("columns", [["nip"], ["nip", "unit_before"], ["unit"], ["name", "unit"]])
def test_dataframe_missing_columns(
    columns: list[str], problem: Problem, plan: Plan, csv_frame: pd.DataFrame
) -> None:
    frame = plan.assignment[["nip", "name", "unit_before", "unit_after"]].rename(
        columns={"unit_after": "unit"}
    )
    with pytest.raises(ValueError, match=r"columns nip and unit_after \(or unit\)"):
        check_plan(problem, frame[columns])


def test_dataframe_float_nip_refused(problem: Problem, csv_frame: pd.DataFrame) -> None:
    frame = csv_frame.astype({"nip": "float64"})
    with pytest.raises(ValueError, match=r"floats.*dtype=str"):
        check_plan(problem, frame)


@pytest.mark.parametrize(
    "bad",
    [
        42,
        "U01",
        b"U01",
        3.5,
        None,
        np.zeros((40, 2), dtype=np.int64),
        [("a", "b", "c")] * 40,
        [("a", "b"), "SETDA"],
        [1, 2, 3],
    ],
    ids=["int", "str", "bytes", "float", "None", "2-D array", "3-tuples", "mixed", "int list"],
)
def test_bad_shapes_raise_type_error(bad: Any, problem: Problem) -> None:
    with pytest.raises(TypeError, match="accepted: a Plan, an integer array") as info:
        check_plan(problem, bad)
    msg = str(info.value)
    for form in (
        "sequence of unit ids",
        "mapping NIP → unit id",
        "(NIP, unit id) pairs",
        "DataFrame with columns nip and unit_after (or unit)",
    ):
        assert form in msg


def test_wrong_length_unit_ids(problem: Problem) -> None:
    ids = [str(e.unit) for e in problem.employees]
    with pytest.raises(ValueError, match=r"39 unit ids for 40 employees"):
        check_plan(problem, ids[:-1])
    with pytest.raises(ValueError, match=r"41 unit positions for 40 employees"):
        check_plan(problem, np.zeros(41, dtype=np.int64))
    assert check_plan(problem, ids) == []


def test_mo_synth_is_reachable() -> None:
    p = mo.synth.generate(30, seed=0)
    assert isinstance(p, mo.Problem)
    assert len(p.employees) == 30
    assert "synth" in mo.__all__
