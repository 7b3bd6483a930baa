"""Starting points: ``aggregate`` inverts ``disaggregate``, and ``solve(start=...)``
reaches the same optimum as a cold solve (a start is a hint, never a constraint)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutasi_opt import Plan, PlanStatus, check_plan, metrics, solve
from mutasi_opt.solvers.aggregation import build_classes
from mutasi_opt.solvers.disaggregate import aggregate, disaggregate
from problems import brute_force, first_seed, random_problem


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), moves=st.lists(st.integers(0, 10_000), max_size=6))
def test_aggregate_inverts_disaggregate_on_counts(seed: int, moves: list[int]) -> None:
    problem = random_problem(seed, 9, 4, max_moves=None)
    classes = build_classes(problem)
    idx = problem.index
    movable = np.flatnonzero(metrics.movable(problem))
    assignment = idx.home.copy()
    for k in moves:
        if movable.size == 0:
            break
        e = int(movable[k % movable.size])
        allowed = metrics.allowed_units(problem, e)
        if allowed.size:
            assignment[e] = int(allowed[k % allowed.size])
    decisions = aggregate(problem, classes, assignment)
    assert decisions is not None
    again = disaggregate(problem, classes, decisions)
    # the same counts per (role, capacity, qualification) type at every unit,
    # so every stage value but the preference cost is the same
    before, after = metrics.evaluate(problem, assignment), metrics.evaluate(problem, again)
    assert before.stage_values()[:3] == after.stage_values()[:3]
    assert after.moves <= before.moves
    redo = aggregate(problem, classes, again)
    assert redo is not None
    assert decisions["out"].sum() == decisions["arrive"].sum() == before.moves
    assert redo["out"].sum() == redo["arrive"].sum() == after.moves


def test_aggregate_refuses_an_immovable_move() -> None:
    seed = first_seed(lambda s: not metrics.movable(random_problem(s, 8, 3)).all(), 0)
    problem = random_problem(seed, 8, 3)
    e = int(np.flatnonzero(~metrics.movable(problem))[0])
    a = problem.index.home.copy()
    a[e] = (a[e] + 1) % problem.index.n_units
    assert aggregate(problem, build_classes(problem), a) is None


@pytest.mark.parametrize("seed", range(12))
def test_solve_from_a_start_reaches_the_brute_force_optimum(seed: int) -> None:
    def ok(s: int) -> bool:
        return brute_force(random_problem(s, 7, 3))[0] is not None

    s = first_seed(ok, seed)
    problem = random_problem(s, 7, 3)
    best, _ = brute_force(problem)
    cold = solve(problem, work_limit=20.0, workers=1)
    # start from the cold plan, from nobody moving, and from an arbitrary assignment
    rng = np.random.default_rng(seed)
    odd = rng.integers(0, problem.index.n_units, problem.index.n_employees)
    for start in (cold, problem.index.home, odd):
        plan = solve(problem, work_limit=20.0, workers=1, start=start)
        assert plan.status is PlanStatus.OPTIMAL
        assert plan.after is not None
        assert plan.after.stage_values() == best
        assert check_plan(problem, plan.assignment_array) == []


def test_a_plan_of_another_budget_is_a_start() -> None:
    s = first_seed(lambda s: brute_force(random_problem(s, 8, 3, max_moves=None))[0] is not None, 3)
    free = random_problem(s, 8, 3, max_moves=None)
    tight = free.replace(policy=free.policy.replace(max_moves=1))
    small = solve(tight, work_limit=20.0, workers=1)
    assert isinstance(small, Plan)
    plan = solve(free, work_limit=20.0, workers=1, start=small)
    assert plan.after is not None
    assert plan.after.stage_values() == brute_force(free)[0]
