"""Invariants of solver plans on random problems (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutasi_opt import PlanStatus, check_plan, metrics, solve
from problems import random_problem

problems = st.builds(
    random_problem,
    seed=st.integers(0, 10_000),
    n_employees=st.integers(1, 14),
    n_units=st.integers(1, 5),
    roles=st.integers(1, 3),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problem=problems)
def test_plan_invariants(problem) -> None:  # type: ignore[no-untyped-def]
    plan = solve(problem, workers=1)
    if plan.status is PlanStatus.INFEASIBLE:
        assert plan.diagnosis
        assert not plan.has_solution
        return
    assert plan.status is PlanStatus.OPTIMAL
    a = plan.assignment_array
    assert a is not None
    # every employee appears exactly once
    table = plan.assignment
    assert len(table) == len(problem.employees)
    assert table["nip"].is_unique
    # the independent checker finds nothing
    assert check_plan(problem, plan) == []
    # recomputed metrics equal the solver's stage values
    assert tuple(s.value for s in plan.stages) == metrics.evaluate(problem, a).stage_values()
    # budget respected
    if problem.policy.max_moves is not None:
        assert plan.after is not None and plan.after.moves <= problem.policy.max_moves
    # never worse than doing nothing when doing nothing is feasible
    if not check_plan(problem, problem.index.home):
        assert (
            plan.after is not None
            and plan.after.stage_values()[:3] <= metrics.evaluate(problem).stage_values()[:3]
        )
    # every move has a reason
    assert len(plan.moves) == plan.after.moves
    assert all(isinstance(r, str) and r for r in plan.moves["reason"])


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 10_000))
def test_same_seed_same_plan(seed: int) -> None:
    problem = random_problem(seed, 12, 4)
    first = solve(problem, workers=2, seed=3)
    second = solve(problem, workers=2, seed=3)
    assert first.status == second.status
    if first.has_solution:
        assert np.array_equal(first.assignment_array, second.assignment_array)
