"""The secondment model's five stage values equal brute force on tiny instances,
and the secondments it returns reproduce them through ``metrics``."""

from __future__ import annotations

import itertools

import pytest

from mutasi_opt.domain.limits import Budget
from mutasi_opt.solvers.cpsat import Solved, StageStatus
from mutasi_opt.solvers.cpsat.surge import SURGE_STAGES, SurgeModel
from surge_problems import brute_force_count, brute_force_surges, evaluate, random_surge_problem


def solve_all(problem, surges, base):  # type: ignore[no-untyped-def]
    model = SurgeModel(problem, surges, base)
    values = []
    counts = None
    for stage in SURGE_STAGES:
        out = model.solve_stage(stage, budget=Budget(), seed=0, workers=1)
        assert out.status is StageStatus.OPTIMAL, (stage, out)
        assert isinstance(out, Solved)
        values.append(out.result.value)
        counts = out.decisions["x"]
        model.hold(stage, out.result.value)
    assert counts is not None
    return tuple(values), model.secondments(counts)


@pytest.mark.parametrize("seed", range(100))
def test_stage_values_equal_brute_force(seed: int) -> None:
    problem, surges = random_surge_problem(seed)
    assert brute_force_count(problem, surges) <= 50_000  # the generator keeps them tiny
    best, _ = brute_force_surges(problem, surges)
    base = problem.index.home
    values, sec = solve_all(problem, surges, base)
    assert values == best
    chosen = [
        (int(e), (int(s), int(a), int(b)))
        for e, s, a, b in zip(sec.employee, sec.surge, sec.first, sec.last, strict=True)
    ]
    limit = problem.policy.max_secondments_per_employee
    for e in {e for e, _ in chosen}:
        mine = sorted((a, b) for x, (_, a, b) in chosen if x == e)
        assert len(mine) <= limit
        assert all(b1 < a2 for (_, b1), (a2, _) in itertools.pairwise(mine))
    assert evaluate(problem, surges, base, chosen) == best
