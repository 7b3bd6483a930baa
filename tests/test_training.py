"""The movers' training table: hand-made answers, a hypothesis invariant, the plan tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutasi_opt import (
    Demand,
    Employee,
    Plan,
    Problem,
    Requirement,
    Unit,
    metrics,
    solve,
    write_plan,
)
from problems import random_problem


@pytest.fixture
def clinic() -> Problem:
    """P1 is overloaded (3750 h for 1 nurse), P2 has surplus (1250 h for 3 movable nurses).

    The optimum moves two nurses from P2 to P1: N2 (needed for vaksinasi ≥ 2)
    and N3 (N4 is locked).  P1 also requires gizi ≥ 1, which nobody holds, and
    P2 requires vaksinasi ≥ 1 (N4 holds it and stays).
    """
    employees = [
        Employee(nip="N1", name="Siti", unit="P1", role="perawat", months_in_unit=30),
        Employee(
            nip="N2",
            name="Budi",
            unit="P2",
            role="perawat",
            competencies="vaksinasi:3",
            months_in_unit=80,
        ),
        Employee(
            nip="N3",
            name="Rina",
            unit="P2",
            role="perawat",
            competencies="vaksinasi:1",
            months_in_unit=40,
        ),
        Employee(
            nip="N4", name="Andi", unit="P2", role="perawat", competencies="vaksinasi", locked=True
        ),
    ]
    units = [Unit(unit="P1", name="Puskesmas Satu"), Unit(unit="P2", name="Puskesmas Dua")]
    demand = [
        Demand(unit="P1", role="perawat", workload_hours=3750),
        Demand(unit="P2", role="perawat", workload_hours=1250),
    ]
    reqs = [
        Requirement(unit="P1", competency="vaksinasi", min_level=2, min_staff=1),
        Requirement(unit="P1", competency="gizi", min_level=1, min_staff=1),
        Requirement(unit="P2", competency="vaksinasi", min_level=1, min_staff=1),
    ]
    return Problem(employees=employees, units=units, demand=demand, requirements=reqs)


def test_mover_gaps_known_answer(clinic: Problem) -> None:
    # N2 and N3 move to P1; N1 stays at P1 without any competency (no rows: stayers
    # are not in the table even when they lack a level).
    needs = metrics.mover_gaps(clinic, ["P1", "P1", "P1", "P2"])
    assert needs.rows() == [
        (1, 0, 1, "gizi", 0, 1, "move"),  # N2 holds vaksinasi 3 ≥ 2, lacks gizi
        (2, 0, 0, "vaksinasi", 1, 2, "move"),  # N3 holds vaksinasi 1 < 2
        (2, 0, 1, "gizi", 0, 1, "move"),
    ]
    totals = metrics.training_totals(needs)
    assert totals.competency.tolist() == ["gizi", "vaksinasi"]
    assert totals.level_needed.tolist() == [1, 2]
    assert totals.people.tolist() == [2, 1]
    # A mover to P2 lacking nothing P2 requires gives no row; one lacking it does.
    assert len(metrics.mover_gaps(clinic, ["P1", "P2", "P2", "P2"])) == 0
    moved_to_p2 = metrics.mover_gaps(clinic, ["P2", "P2", "P2", "P2"])
    assert moved_to_p2.employee.tolist() == [0] and moved_to_p2.requirement.tolist() == [2]
    assert moved_to_p2.level_now.tolist() == [0]
    # Nobody moves: nothing to train.
    none = metrics.training_needs(clinic, clinic.index.home)
    assert len(none) == 0 and len(metrics.training_totals(none)) == 0
    assert none.cause.dtype.kind == "U" and none.employee.dtype == np.int64


def test_training_arrays_are_read_only(clinic: Problem) -> None:
    needs = metrics.training_needs(clinic, ["P1", "P1", "P1", "P2"])
    with pytest.raises(ValueError):
        needs.level_now[0] = 5
    with pytest.raises(ValueError, match="unknown training cause"):
        metrics.TrainingNeeds.build(clinic, [0], [0], "whim")


def test_plan_training_tables_and_file(clinic: Problem, tmp_path: Path) -> None:
    plan = solve(clinic, work_limit=10.0, workers=1)
    assert plan.has_solution
    assert sorted(plan.moves["nip"]) == ["N2", "N3"]
    training = plan.training
    expected = [
        {
            "nip": "N2",
            "name": "Budi",
            "unit": "P1",
            "competency": "gizi",
            "level_now": 0,
            "level_needed": 1,
            "cause": "move",
        },
        {
            "nip": "N3",
            "name": "Rina",
            "unit": "P1",
            "competency": "vaksinasi",
            "level_now": 1,
            "level_needed": 2,
            "cause": "move",
        },
        {
            "nip": "N3",
            "name": "Rina",
            "unit": "P1",
            "competency": "gizi",
            "level_now": 0,
            "level_needed": 1,
            "cause": "move",
        },
    ]
    assert training.to_dict("records") == expected
    assert list(training.columns) == list(expected[0])  # and in this order
    assert plan.training_totals.to_dict("records") == [
        {"competency": "gizi", "level_needed": 1, "people": 2},
        {"competency": "vaksinasi", "level_needed": 2, "people": 1},
    ]
    out = write_plan(plan, tmp_path / "out")
    written = pd.read_csv(out / "training.csv", dtype={"nip": str})
    pd.testing.assert_frame_equal(written, training)


def test_empty_training_table_keeps_its_columns(clinic: Problem) -> None:
    plan = Plan.from_solution(clinic, clinic.index.home, stages=(), solve_seconds=0.0)
    assert len(plan.training) == 0 and len(plan.training_totals) == 0
    assert list(plan.training_totals.columns) == ["competency", "level_needed", "people"]


@st.composite
def problem_and_assignment(draw: st.DrawFn) -> tuple[Problem, np.ndarray]:
    seed = draw(st.integers(0, 10_000))
    n_units = draw(st.integers(1, 4))
    problem = random_problem(seed, draw(st.integers(1, 10)), n_units)
    units = [f"U{i}" for i in range(n_units)]
    extra = [
        Requirement(unit=u, competency="gizi", min_level=draw(st.integers(1, 3)), min_staff=1)
        for u in units
        if draw(st.booleans())
    ]
    problem = problem.replace(requirements=(*problem.requirements, *extra))
    n = problem.index.n_employees
    assignment = np.array(draw(st.lists(st.integers(0, n_units - 1), min_size=n, max_size=n)))
    return problem, assignment


@settings(max_examples=150, deadline=None)
@given(case=problem_and_assignment())
def test_training_rows_are_exactly_the_movers_gaps(case: tuple[Problem, np.ndarray]) -> None:
    problem, a = case
    idx = problem.index
    expected = set()
    for e, emp in enumerate(problem.employees):
        if a[e] == idx.home[e]:
            continue
        for q, req in enumerate(problem.requirements):
            if req.unit == idx.unit_ids[a[e]] and emp.level(req.competency) < req.min_level:
                expected.add((e, q))
    needs = metrics.training_needs(problem, a)
    got = list(zip(needs.employee.tolist(), needs.requirement.tolist(), strict=True))
    assert len(got) == len(set(got)), "a gap is listed twice"
    assert set(got) == expected
    for k, (e, q) in enumerate(got):
        req = problem.requirements[q]
        assert idx.unit_ids[needs.unit[k]] == req.unit == idx.unit_ids[a[e]]
        assert needs.competency[k] == req.competency
        assert needs.level_needed[k] == req.min_level
        assert needs.level_now[k] == problem.employees[e].level(req.competency) < req.min_level
        assert needs.cause[k] == "move"
    totals = metrics.training_totals(needs)
    people: dict[tuple[str, int], set[int]] = {}
    for e, q in expected:
        req = problem.requirements[q]
        people.setdefault((req.competency, req.min_level), set()).add(e)
    got_totals = zip(
        totals.competency.tolist(),
        totals.level_needed.tolist(),
        totals.people.tolist(),
        strict=True,
    )
    assert {(c, lv): n for c, lv, n in got_totals} == {k: len(v) for k, v in people.items()}
    assert list(zip(totals.competency, totals.level_needed, strict=True)) == sorted(people)
