"""Plans on hand-made instances: zero moves when balanced, explanations, why_not, statuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from mutasi_opt import (
    Demand,
    Employee,
    PlanStatus,
    Policy,
    Problem,
    Requirement,
    Unit,
    solve,
    synth,
    write_plan,
)
from mutasi_opt.domain.errors import SolverError
from mutasi_opt.results.plan import UNIT_COLUMNS
from mutasi_opt.solvers.cpsat.model import StageStatus, translate_status


def test_already_balanced_problem_gives_zero_moves() -> None:
    # Two units with 2500 h each and two full-time perawat each (2 × 1250 h):
    # every unit already holds its fair share, so D = B = 0 and nobody moves.
    employees = [
        Employee(nip=f"E{i}", unit="A" if i < 2 else "B", role="perawat") for i in range(4)
    ]
    demand = [Demand(unit=u, role="perawat", workload_hours=2500) for u in ("A", "B")]
    problem = Problem(employees=employees, units=[Unit(unit="A"), Unit(unit="B")], demand=demand)
    plan = solve(problem)
    assert plan.status is PlanStatus.OPTIMAL
    assert plan.after is not None and plan.after.moves == 0
    assert plan.after.imbalance_centi == 0 and plan.after.balance_cost_scaled == 0
    assert len(plan.moves) == 0


@pytest.fixture
def clinic() -> Problem:
    """Puskesmas P1 is overloaded and lacks vaksinasi ≥ 2; P2 has surplus nurses.

    Workload: P1 3750 h, P2 1250 h; nurses: P1 has 1 (1250 h), P2 has 3 (3750 h).
    Fair shares: C = 5000 h, W = 5000 h → F(P1) = 3750 h, F(P2) = 1250 h.
    Before: d(P1) = 2500 h, d(P2) = 2500 h → D = 2500 h. Moving two nurses from
    P2 to P1 makes D = 0. Requirement: P1 needs 1 nurse with vaksinasi ≥ 2; only
    N2 (at P2, level 3) has it, so N2 must be one of the movers.
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
            preferred_units="P1",
        ),
        Employee(nip="N3", name="Rina", unit="P2", role="perawat", months_in_unit=40),
        Employee(nip="N4", name="Andi", unit="P2", role="perawat", locked=True),
    ]
    units = [Unit(unit="P1", name="Puskesmas Satu"), Unit(unit="P2", name="Puskesmas Dua")]
    demand = [
        Demand(unit="P1", role="perawat", workload_hours=3750),
        Demand(unit="P2", role="perawat", workload_hours=1250),
    ]
    reqs = [Requirement(unit="P1", competency="vaksinasi", min_level=2, min_staff=1)]
    return Problem(employees=employees, units=units, demand=demand, requirements=reqs)


def test_moves_come_with_numbers_and_reasons(clinic: Problem) -> None:
    plan = solve(clinic)
    assert plan.status is PlanStatus.OPTIMAL
    moved = set(plan.moves["nip"])
    assert moved == {"N2", "N3"}
    row = plan.moves.set_index("nip").loc["N2"]
    reason = row["reason"]
    assert "role pool 'perawat'" in reason
    assert "Puskesmas Dua" in reason and "Puskesmas Satu" in reason
    # P1: EJ 3750/1250 = 3.00 (A) → 3750/3750 = 1.00 (B)
    assert "EJ 3.00 (A) → 1.00 (B)" in reason
    assert "brings vaksinasi ≥ 2 at Puskesmas Satu from 0 to 1 of 1 needed" in reason
    assert "1st preference" in reason
    assert "80 months in unit (overdue for rotation)" in reason
    assert row["preference_rank"] == 1


def test_why_not_explains_each_kind(clinic: Problem) -> None:
    plan = solve(clinic)
    assert "locked" in plan.why_not("N4")
    assert "moves" in plan.why_not("N2")
    stay = plan.why_not("N1")
    assert "stays in Puskesmas Satu" in stay and "best alternative" in stay
    with pytest.raises(KeyError):
        plan.why_not("nobody")


def test_summary_and_files(clinic: Problem, tmp_path: Path) -> None:
    plan = solve(clinic)
    summary = plan.summary()
    assert summary["status"] == "optimal"
    assert summary["imbalance_hours_before"] == 2500.0 and summary["imbalance_hours"] == 0.0
    assert summary["shortfall_before"] == 1 and summary["shortfall"] == 0
    assert [s["stage"] for s in summary["stages"]] == [
        "shortfall",
        "imbalance",
        "balance",
        "moves",
        "preference",
    ]
    write_plan(plan, tmp_path)
    assert json.loads((tmp_path / "summary.json").read_text())["moves"] == 2
    assert "Plan status: optimal" in str(plan)


def test_infeasible_plan_writes_only_the_summary(tmp_path: Path) -> None:
    problem = Problem(
        employees=[Employee(nip="E1", unit="A")],
        units=[Unit(unit="A", workload_hours=1, max_staff=0)],
        policy=Policy(),
    )
    plan = solve(problem)
    assert plan.status is PlanStatus.INFEASIBLE and plan.status.exit_code == 2
    write_plan(plan, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.json"]
    with pytest.raises(ValueError, match="infeasible"):
        _ = plan.assignment


@pytest.mark.timed
def test_time_limit_gives_an_honest_status() -> None:
    # a 4,000-employee city with 2 s: a plan is always found (nobody moving meets the
    # rules here), but nothing is claimed proven that is not
    problem = synth.generate(4000, seed=7, max_moves=120)
    plan = solve(problem, time_limit=2.0, workers=1)
    assert plan.status in {PlanStatus.FEASIBLE, PlanStatus.OPTIMAL}
    assert plan.after is not None
    assert plan.after.stage_values() <= plan.before.stage_values()
    for stage in plan.stages:
        assert stage.bound <= stage.value
        if stage.status == "optimal":
            assert stage.proven
    if plan.status is PlanStatus.OPTIMAL:
        assert all(s.proven for s in plan.stages if s.name != "balance")
    assert plan.solve_seconds < 30


def test_status_translation_is_explicit() -> None:
    model = cp_model.CpModel()
    assert translate_status(cp_model.OPTIMAL, model) is StageStatus.OPTIMAL
    assert translate_status(cp_model.FEASIBLE, model) is StageStatus.FEASIBLE
    assert translate_status(cp_model.INFEASIBLE, model) is StageStatus.INFEASIBLE
    assert translate_status(cp_model.UNKNOWN, model) is StageStatus.UNKNOWN
    x = model.new_int_var(0, 5, "x")
    model.add_linear_constraint(x, 3, 1)  # empty domain [3, 1]: CP-SAT calls it invalid
    with pytest.raises(SolverError, match="CP-SAT rejected the model"):
        translate_status(cp_model.MODEL_INVALID, model)


def test_problem_equality_ignores_the_built_index(clinic: Problem) -> None:
    twin = clinic.replace()
    _ = clinic.index  # build the index of one of them only
    assert clinic == twin
    assert clinic != clinic.replace(policy=Policy(max_moves=1))


def test_problem_data_is_read_only(clinic: Problem) -> None:
    import numpy as np
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        clinic.employees[0].fte = 0.5  # type: ignore[misc]
    with pytest.raises(ValidationError):
        clinic.policy = Policy(max_moves=3)  # type: ignore[misc]
    with pytest.raises(ValueError):
        clinic.index.home[0] = 1  # index arrays are read-only
    assert isinstance(clinic.employees, tuple)
    assert not clinic.index.home.flags.writeable
    assert np.array_equal(clinic.index.home, [0, 1, 1, 1])
    # replace() validates again: a bad value raises, it is never silently copied
    with pytest.raises(ValueError, match="fte"):
        clinic.employees[0].replace(fte=2.0)
    from mutasi_opt import InputError

    with pytest.raises(InputError, match="unit"):
        clinic.replace(units=clinic.units[:1])  # employees of P2 now point nowhere


def test_plan_unit_table_and_the_deprecated_units_name(clinic: Problem) -> None:
    """``Plan.unit_table`` is ``units.csv``; ``Plan.units`` (a tuple on ``Problem``) still
    gives the same table, with a DeprecationWarning."""
    plan = solve(clinic, work_limit=5)
    table = plan.unit_table
    assert table.to_dict("records") == plan.unit_records()
    assert list(table.columns) == list(UNIT_COLUMNS)
    with pytest.warns(DeprecationWarning, match="Plan.unit_table"):
        old = plan.units
    assert old.equals(table)
