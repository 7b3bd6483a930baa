"""The aggregated model (types and classes) gives the same stage values as the
naive per-employee model (one 0/1 variable per employee and allowed unit)."""

from __future__ import annotations

import pytest

from mutasi_opt.solvers.classes import build_classes
from mutasi_opt.solvers.cpsat import CpsatModel, StageStatus
from problems import random_problem

STAGES = ("shortfall", "imbalance", "balance", "moves", "preference")


def stage_values(problem, per_employee: bool) -> tuple[int, ...] | None:  # type: ignore[no-untyped-def]
    model = CpsatModel(problem, build_classes(problem, per_employee=per_employee))
    values = []
    for stage in STAGES:
        out = model.solve_stage(stage, time_limit=30, seed=0, workers=1)
        if out.status is StageStatus.INFEASIBLE:
            return None
        assert out.status is StageStatus.OPTIMAL
        assert out.value is not None
        values.append(out.value)
        model.fix_at_most(model.stage_expression(stage), out.value)
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
