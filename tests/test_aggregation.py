"""The aggregated model (types and classes) gives the same stage values as the
naive per-employee model (one 0/1 variable per employee and allowed unit)."""

from __future__ import annotations

import pytest

from mutasi_opt.domain.limits import Budget
from mutasi_opt.solvers.aggregation import build_classes
from mutasi_opt.solvers.cpsat import CpsatModel, Solved, StageStatus
from problems import random_problem

STAGES = ("shortfall", "imbalance", "balance", "moves", "preference")


def stage_values(problem, per_employee: bool) -> tuple[int, ...] | None:  # type: ignore[no-untyped-def]
    model = CpsatModel(problem, build_classes(problem, per_employee=per_employee))
    values = []
    for stage in STAGES:
        out = model.solve_stage(stage, budget=Budget(), seed=0, workers=1)
        if out.status is StageStatus.INFEASIBLE:
            return None
        assert out.status is StageStatus.OPTIMAL
        assert isinstance(out, Solved)
        values.append(out.result.value)
        model.fix_at_most(model.stage_expression(stage), out.result.value)
    return tuple(values)


@pytest.mark.parametrize("seed", range(25))
def test_aggregated_equals_per_employee(seed: int) -> None:
    # 10-16 employees with repeated (home, role, fte) so that classes really merge
    problem = random_problem(500 + seed, 10 + seed % 7, 3 + seed % 2, roles=2)
    agg = build_classes(problem)
    naive = build_classes(problem, per_employee=True)
    assert naive.n >= agg.n
    assert stage_values(problem, per_employee=False) == stage_values(problem, per_employee=True)


def test_aggregation_merges_interchangeable_employees() -> None:
    problem = random_problem(7, 40, 3, roles=1, requirements=False)
    agg = build_classes(problem)
    naive = build_classes(problem, per_employee=True)
    assert agg.n < naive.n  # people with the same home, role, fte and rules share a class
    assert sum(len(m) for m in agg.members) == sum(len(m) for m in naive.members)


@pytest.mark.parametrize("seed", range(20))
def test_decomposed_solve_equals_joint_solve(seed: int) -> None:
    # without a move budget, independent role pools may be solved one by one
    from mutasi_opt import PlanStatus, SolveParams, check_plan, metrics, solve

    problem = random_problem(900 + seed, 9, 4, roles=3, max_moves=None, bounds=seed % 2 == 0)
    joint = solve(problem, SolveParams(workers=1, decompose=False))
    split = solve(problem, SolveParams(workers=1, decompose=True))
    assert joint.status == split.status
    if joint.status is PlanStatus.INFEASIBLE:
        return
    assert [s.value for s in joint.stages] == [s.value for s in split.stages]
    assert split.after is not None
    assert split.after.stage_values() == tuple(s.value for s in split.stages)
    assert check_plan(problem, split) == []
    assert metrics.evaluate(problem, split.assignment_array) == split.after


def test_decomposition_is_exercised() -> None:
    # the instances above really split: 8 of the 20 have more than one staffed pool
    import numpy as np

    from mutasi_opt.planning.decompose import role_components

    split = 0
    for seed in range(20):
        problem = random_problem(900 + seed, 9, 4, roles=3, max_moves=None, bounds=seed % 2 == 0)
        pools = [g for g in role_components(problem) if np.isin(problem.index.role, g).any()]
        split += len(pools) > 1
    assert split >= 5
