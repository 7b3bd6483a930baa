"""The exact preference assignment for fixed leave/arrive counts
(``optimal_preferences``, one min-cost flow per type) equals CP-SAT's optimum
of the preference stage with those counts fixed."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from mutasi_opt import Problem
from mutasi_opt.domain.limits import Budget
from mutasi_opt.solvers.aggregation import build_classes
from mutasi_opt.solvers.cpsat import CpsatModel, Solved, StageStatus
from mutasi_opt.solvers.disaggregate import optimal_preferences
from problems import first_seed, random_problem


def _cost(problem, classes, decisions) -> int:  # type: ignore[no-untyped-def]
    unlisted = problem.policy.unlisted_preference_cost
    saving = np.array([o.saving for o in classes.pref_options], dtype=np.int64)
    return int(unlisted * decisions["out"].sum() - (saving * decisions["pref"]).sum())


@pytest.mark.parametrize("seed", range(25))
def test_flow_preferences_equal_the_fixed_count_optimum(seed: int) -> None:
    def make(s: int) -> Problem:
        return random_problem(s, 8 + seed % 6, 3 + seed % 3, max_moves=None)

    def counts(problem: Problem) -> dict[str, Any] | None:
        """Counts optimal for shortfall and D (None if infeasible)."""
        model = CpsatModel(problem, build_classes(problem))
        decisions = None
        for stage in ("shortfall", "imbalance"):
            out = model.solve_stage(stage, budget=Budget(), seed=0, workers=1)
            if out.status is StageStatus.INFEASIBLE:
                return None
            assert isinstance(out, Solved)
            model.fix_at_most(model.stage_expression(stage), out.result.value)
            decisions = out.decisions
        return decisions

    def has_choices(s: int) -> bool:
        problem = make(s)
        d = counts(problem)
        return d is not None and bool(build_classes(problem).pref_options) and d["out"].sum() > 0

    # an instance where someone with preferences moves (else there is nothing to choose)
    problem = make(first_seed(has_choices, 300 + seed))
    classes = build_classes(problem)
    decisions = counts(problem)
    assert decisions is not None
    flow = optimal_preferences(classes, decisions)
    assert (flow["out"] == decisions["out"]).all() and (flow["arrive"] == decisions["arrive"]).all()
    # CP-SAT with the counts fixed
    exact = CpsatModel(problem, classes)
    v = exact.vars
    for y, val in zip(v.out, decisions["out"], strict=True):
        if y is not None:
            exact.model.add(y == int(val))
    for y, val in zip(v.arrive, decisions["arrive"], strict=True):
        exact.model.add(y == int(val))
    best = exact.solve_stage("preference", budget=Budget(), seed=0, workers=1)
    assert best.status is StageStatus.OPTIMAL and isinstance(best, Solved)
    assert _cost(problem, classes, flow) == best.result.value
    # and the flow's choice is feasible for the model (it completes as a hint)
    assert exact.complete(flow)
