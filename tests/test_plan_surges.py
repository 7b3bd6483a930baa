"""plan_surges end to end: stage values equal brute force and the recomputed
metrics, everyone is home after the window, tables agree with the numbers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutasi_opt import PlanStatus, metrics, solve
from mutasi_opt.domain.limits import Budget
from mutasi_opt.io.plans import write_surge_plan
from mutasi_opt.planning.check import check_secondments
from mutasi_opt.planning.surges import plan_surges
from mutasi_opt.results.surge import SURGE_STAGES
from surge_problems import (
    brute_force_count,
    brute_force_surges,
    random_surge_problem,
    vaccination_shortfall,
)


@pytest.mark.parametrize("seed", range(0, 60, 3))
def test_plan_equals_brute_force_and_metrics(seed: int) -> None:
    problem, surges = random_surge_problem(seed)
    assert brute_force_count(problem, surges) <= 50_000  # the generator keeps them tiny
    best, _ = brute_force_surges(problem, surges)
    plan = plan_surges(problem, surges, workers=1)
    assert plan.status is PlanStatus.OPTIMAL
    assert tuple(s.value for s in plan.stages) == best
    assert plan.stage_values() == best
    assert [s.name for s in plan.stages] == list(SURGE_STAGES)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 100_000))
def test_invariants(seed: int) -> None:
    problem, surges = random_surge_problem(seed, n_employees=7, n_units=4)
    plan = plan_surges(problem, surges, workers=1, work_limit=20.0)
    sec = plan.secondment_arrays
    months = plan.months
    # everyone is back home after the window: no secondment outside its surge's window
    for s, a, b in zip(sec.surge, sec.first, sec.last, strict=True):
        window = surges[int(s)].months
        assert window.start <= a <= b < window.stop
        assert b - a + 1 <= problem.policy.max_secondment_months
    # coverage table = metrics
    need = metrics.surge_need_centi(surges, months)
    cover = metrics.surge_cover_centi(problem, surges, months, sec)
    table = plan.coverage
    assert np.isclose(
        table["uncovered_fte"].sum(), metrics.uncovered_centi(need, cover).sum() / 100
    )
    assert np.isclose(plan.summary()["uncovered_fte_months"], table["uncovered_fte"].sum())
    # donors table: capacity after = before − lent, for every lending unit-role-month
    lent = metrics.lent_capacity_centi(problem, plan.base, months, sec)
    assert len(plan.donors) == int((lent > 0).sum())
    assert np.allclose(
        plan.donors["capacity_before"] - plan.donors["capacity_after"], lent[lent > 0] / 100
    )
    assert len(plan.secondments) == len(sec)
    # the independent checker finds nothing
    assert check_secondments(problem, surges, plan) == []


def test_on_top_of_a_permanent_plan(tmp_path: Path) -> None:
    problem, surges = random_surge_problem(14)
    permanent = solve(problem, workers=1)
    plan = plan_surges(problem, surges, base=permanent, workers=1)
    assert (plan.base == permanent.assignment_array).all()
    # whoever the permanent plan moves has 0 months in the new unit
    moved = permanent.assignment_array != problem.index.home
    ok = metrics.secondable(problem, plan.base)
    if problem.policy.secondment_min_months_in_unit > 0:
        assert not (ok & moved).any()
    out = write_surge_plan(plan, tmp_path / "out")
    assert {p.name for p in out.iterdir()} == {
        "secondments.csv",
        "coverage.csv",
        "donors.csv",
        "summary.json",
    }
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == plan.status.value
    assert [s["stage"] for s in summary["stages"]] == list(SURGE_STAGES)


def test_base_from_another_problem_is_refused() -> None:
    problem, surges = random_surge_problem(1)
    other, _ = random_surge_problem(2)
    with pytest.raises(ValueError, match="different problem"):
        plan_surges(problem, surges, base=solve(other, workers=1))


def test_shortfall_is_diagnosed_in_words() -> None:
    problem, surge = vaccination_shortfall()
    surges = (surge,)
    plan = plan_surges(problem, surges, workers=1)
    # 5 qualify, 4 may go, U0 (5 staff) lends at most 2 a month: 1 FTE short each month
    assert plan.stage_values()[0] == 200
    (text,) = plan.diagnosis()
    assert "surge VAKS needs 3 FTE with vaksinasi ≥ 2 at PKM in 2026-04..2026-05" in text
    assert "5 staff qualify, 4 of them may be seconded (1 locked)" in text
    assert "at most 2 FTE in a month" in text
    assert "2 FTE-months uncovered (2026-04, 2026-05)" in text
    assert plan.summary()["diagnosis"] == [text]


def test_a_stage_out_of_time_keeps_the_last_plan() -> None:
    from mutasi_opt.solvers.cpsat import Solved, StageStatus
    from mutasi_opt.solvers.cpsat.surge import SurgeModel

    problem, surges = random_surge_problem(1, n_employees=7, n_units=4)
    model = SurgeModel(problem, surges, problem.index.home)
    first = model.solve_stage("uncovered", budget=Budget(), workers=1)
    assert isinstance(first, Solved)
    model.hold("uncovered", first.result.value)
    out = model.solve_stage("balance", budget=Budget(work_limit=0.0), workers=1)
    assert out.status in (StageStatus.FEASIBLE, StageStatus.OPTIMAL)
    assert isinstance(out, Solved)
    assert out.result.bound <= out.result.value


def test_out_of_time_before_any_stage_keeps_the_greedy_plan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """If even the first stage finds nothing in its time, the greedy first plan is
    reported (unknown, bound 0), not an empty plan."""
    from mutasi_opt.solvers.cpsat import StageOutcome, StageStatus, Unsolved
    from mutasi_opt.solvers.cpsat.surge import SurgeModel

    problem, surge = vaccination_shortfall()
    greedy = SurgeModel(problem, (surge,), problem.index.home).greedy_counts()
    assert greedy.sum() > 0

    def no_time(self: SurgeModel, name: str, **_: object) -> StageOutcome:
        return Unsolved(name, StageStatus.UNKNOWN, 0.01)

    monkeypatch.setattr(SurgeModel, "solve_stage", no_time)
    plan = plan_surges(problem, (surge,), workers=1)
    assert plan.status is PlanStatus.FEASIBLE
    # every stage is reported, none run: the greedy plan's true values, the trivial bounds
    assert [s.name for s in plan.stages] == list(SURGE_STAGES)
    for stage, value in zip(plan.stages, plan.stage_values(), strict=True):
        assert (stage.status, stage.bound, stage.value) == ("unknown", 0, value)
    assert len(plan.secondments) == int(greedy.sum())
    assert check_secondments(problem, (surge,), plan) == []


def test_surges_built_in_python_are_checked_against_the_problem() -> None:
    """A Surge made in code gets the same checks as a row of surges.csv (it used to
    end in a KeyError inside the solver)."""
    from mutasi_opt import InputError, Surge

    problem, surge = vaccination_shortfall()
    unknown = Surge(surge="x", unit="NOWHERE", start="2026-01", end="2026-02", extra_fte=1)
    twice = surge.model_copy()
    with pytest.raises(InputError) as err:
        plan_surges(problem, (surge, twice, unknown), workers=1)
    found = [(i.file, i.row, i.column) for i in err.value.issues]
    assert found == [("surges", 2, "surge"), ("surges", 3, "unit")]
    assert "unknown unit" in str(err.value)
