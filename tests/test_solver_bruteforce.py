"""The solver's five stage values equal brute-force enumeration on tiny instances."""

from __future__ import annotations

import pytest

from mutasi_opt import PlanStatus, check_plan, metrics, solve
from problems import brute_force, random_problem

SEEDS = list(range(40))


@pytest.mark.parametrize("seed", SEEDS)
def test_stage_values_equal_brute_force(seed: int) -> None:
    n_e = 5 + seed % 4  # 5..8 employees
    n_u = 3 + seed % 2  # 3..4 units
    problem = random_problem(seed, n_e, n_u)
    best, tried = brute_force(problem)
    assert tried >= 1
    plan = solve(problem, workers=1, seed=0)
    if best is None:
        assert plan.status is PlanStatus.INFEASIBLE
        assert plan.diagnosis, "an infeasible plan must come with a diagnosis"
        return
    assert plan.status is PlanStatus.OPTIMAL
    got = tuple(s.value for s in plan.stages)
    assert got == best
    # the plan's own metrics (recomputed) equal the stage values
    assert plan.after is not None
    assert plan.after.stage_values() == best
    assert metrics.evaluate(problem, plan.assignment_array).stage_values() == best
    assert check_plan(problem, plan) == []


@pytest.mark.parametrize("seed", range(12))
def test_imbalance_tolerance_equals_brute_force(seed: int) -> None:
    # with imbalance_tolerance_hours = t, stages 3-5 may trade up to t hours of D
    problem = random_problem(100 + seed, 6, 3)
    problem = problem.replace(policy=problem.policy.replace(imbalance_tolerance_hours=400.0))
    best, _ = brute_force(problem)
    plan = solve(problem, workers=1)
    if best is None:
        assert plan.status is PlanStatus.INFEASIBLE
        return
    assert plan.status is PlanStatus.OPTIMAL
    assert tuple(s.value for s in plan.stages) == best
    assert plan.after is not None
    # the plan's own D may exceed the optimum, but by at most the tolerance
    assert plan.after.imbalance_centi <= best[1] + 200 * 400
    assert plan.after.stage_values()[2:] == best[2:]
    assert check_plan(problem, plan) == []


@pytest.mark.parametrize("seed", range(16))
def test_preferences_dearer_than_unlisted_equal_brute_force(seed: int) -> None:
    # with unlisted_preference_cost 0 or 1, a 3rd or 4th preferred unit costs more
    # than an unlisted one: the model must charge it when someone goes there
    problem = random_problem(300 + seed, 6 + seed % 3, 4, max_moves=None)
    problem = problem.replace(policy=problem.policy.replace(unlisted_preference_cost=seed % 2))
    best, _ = brute_force(problem)
    plan = solve(problem, workers=1)
    if best is None:
        assert plan.status is PlanStatus.INFEASIBLE
        return
    assert tuple(s.value for s in plan.stages) == best
    assert plan.after is not None and plan.after.stage_values() == best
