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
