"""The large-neighbourhood search (``solvers.cpsat.lns``): it never makes a plan
worse, every plan it returns meets the rules and the holds, it claims a proof only
at the brute-force optimum, and it is the same on every run under a work limit."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutasi_opt import Problem, metrics
from mutasi_opt.domain.arrays import IntArray
from mutasi_opt.domain.limits import Budget
from mutasi_opt.planning.check import check_plan
from mutasi_opt.solvers.aggregation import build_classes
from mutasi_opt.solvers.cpsat import CpsatModel
from mutasi_opt.solvers.cpsat.lns import improve
from mutasi_opt.solvers.cpsat.model import _within_gap, objective_at
from mutasi_opt.solvers.disaggregate import aggregate, disaggregate
from problems import brute_force, first_seed, random_problem


def _make(seed: int) -> Problem:
    return random_problem(seed, 7, 4)


def _feasible(seed: int) -> bool:
    return brute_force(_make(seed))[0] is not None


def _room_to_improve(stage: str) -> Callable[[int], bool]:
    """Whether a seed's problem is feasible and :func:`_worst_start` is not optimal."""

    def ok(seed: int) -> bool:
        problem = _make(seed)
        best, _ = brute_force(problem)
        if best is None:
            return False
        k = metrics.stage_names(problem.policy).index(stage)
        start = _worst_start(problem, stage, best)
        return metrics.evaluate(problem, start).stage_values()[k] > best[k]

    return ok


def _worst_start(problem: Problem, stage: str, best: tuple[int, ...]) -> IntArray:
    """Of the assignments meeting the rules with the stages before ``stage`` at their
    optima, one where ``stage`` is worst (the search then has the most to do)."""
    idx = problem.index
    names = metrics.stage_names(problem.policy)
    k = names.index(stage)
    allowed = [metrics.allowed_units(problem, e) for e in range(idx.n_employees)]
    worst: tuple[int, IntArray] | None = None
    for combo in itertools.product(*allowed):
        a = np.array(combo, dtype=np.int64)
        if check_plan(problem, a):
            continue
        values = metrics.evaluate(problem, a).stage_values()
        if all(values[i] <= best[i] for i in range(k)) and (worst is None or values[k] > worst[0]):
            worst = (values[k], a)
    assert worst is not None
    return worst[1]


def _model_at(problem: Problem, stage: str, best: tuple[int, ...]) -> CpsatModel:
    """The model with the stages before ``stage`` held at their brute-force optima,
    ``stage`` as objective and :func:`_worst_start` as the incumbent."""
    classes = build_classes(problem)
    model = CpsatModel(problem, classes)
    names = metrics.stage_names(problem.policy)
    for name, value in zip(names, best, strict=False):
        if name == stage:
            break
        model.fix_at_most(model.expression_for(name), value)
    expr = model.expression_for(stage)
    start = aggregate(problem, classes, _worst_start(problem, stage, best))
    assert start is not None and model.complete(start)
    model.model.clear_objective()  # type: ignore[no-untyped-call]
    model.model.minimize(expr)
    return model


def _at_stage(
    stage: str, seed: int, ok: Callable[[int], bool]
) -> tuple[Problem, tuple[int, ...], CpsatModel, list[int], int]:
    """The first problem from ``seed`` on that ``ok`` accepts, its brute-force
    optimum, :func:`_model_at` of ``stage``, its incumbent and the incumbent's value."""
    problem = _make(first_seed(ok, seed))
    best, _ = brute_force(problem)
    assert best is not None
    model = _model_at(problem, stage, best)
    start = model._last_solution
    assert start is not None
    return problem, best, model, start, objective_at(model.model, start)


@pytest.mark.parametrize("stage", ["imbalance", "balance"])
@pytest.mark.parametrize("seed", range(12))
def test_search_improves_keeps_the_rules_and_proves_only_the_optimum(stage: str, seed: int) -> None:
    problem = _make(first_seed(_room_to_improve(stage), 4100 + seed))
    best, _ = brute_force(problem)
    assert best is not None
    model = _model_at(problem, stage, best)
    start = model._last_solution
    assert start is not None
    before = objective_at(model.model, start)
    runs = [
        improve(
            model.model,
            start,
            model._decision_units(),
            budget=Budget(work_limit=3.0),
            seed=7,
            workers=1,
            # the balance stage's way: units weighted (here by position)
            weights={"units": np.arange(1.0, problem.index.n_units + 1)}
            if stage == "balance"
            else None,
        )
        for _ in range(2)
    ]
    (sol, proven), again = runs
    assert again == (sol, proven)  # the same on every run under a work limit
    value = objective_at(model.model, sol)
    assert value < before  # (the start is not optimal)
    decisions = model.vars.values_from(np.asarray(sol, dtype=np.int64))
    assignment = disaggregate(problem, model.classes, decisions)
    assert check_plan(problem, assignment) == []
    k = metrics.stage_names(problem.policy).index(stage)
    m = metrics.evaluate(problem, assignment)
    # the earlier stages stay within their holds; the stage's own value is the plan's
    assert all(m.value(n) <= best[i] for i, n in enumerate(metrics.stage_names(problem.policy)[:k]))
    assert m.value(stage) <= value
    if proven:
        assert value == best[k]
    # these problems are small: the neighbourhood of every unit is reached and proves
    assert proven, (before, value, best[k])


def test_a_bound_reached_stops_the_search_at_once() -> None:
    _, _, model, start, value = _at_stage("imbalance", 4100, _feasible)
    budget = Budget(work_limit=3.0)
    sol, proven = improve(
        model.model, start, model._decision_units(), budget=budget, seed=0, workers=1, bound=value
    )
    assert proven and sol == start and budget.used == 0.0


def test_a_target_reached_stops_the_search_without_a_proof() -> None:
    problem = _make(first_seed(_room_to_improve("imbalance"), 4100))
    best, _ = brute_force(problem)
    assert best is not None
    model = _model_at(problem, "imbalance", best)
    start = model._last_solution
    assert start is not None
    before = objective_at(model.model, start)
    units = model._decision_units()
    # already at the target: nothing is searched
    budget = Budget(work_limit=3.0)
    assert improve(model.model, start, units, budget=budget, seed=0, workers=1, target=before) == (
        start,
        False,
    )
    assert budget.used == 0.0
    # a target below the start: the search stops at the first plan that reaches it
    sol, proven = improve(
        model.model,
        start,
        units,
        budget=Budget(work_limit=3.0),
        seed=0,
        workers=1,
        target=before - 1,
    )
    assert not proven
    assert best[1] <= objective_at(model.model, sol) <= before - 1


@given(bound=st.integers(1, 10**15), gap=st.floats(1e-6, 0.5))
def test_within_gap_is_the_largest_value_within_the_relative_gap(bound: int, gap: float) -> None:
    v = _within_gap(bound, gap)
    assert v is not None and v >= bound
    assert (v - bound) <= gap * v
    assert (v + 1 - bound) > gap * (v + 1)


def test_within_gap_needs_a_bound_and_a_gap() -> None:
    assert _within_gap(None, 0.01) is None
    assert _within_gap(100, 0.0) is None
    assert _within_gap(0, 0.01) is None


def test_a_stage_whose_hint_is_at_zero_keeps_the_hint() -> None:
    """Every stage value is non-negative: a hint at 0 is optimal, and the stage keeps
    it (CP-SAT's own first solution may be another plan, which the next stage's warm
    start then has to repair)."""
    from mutasi_opt import synth
    from mutasi_opt.planning.solve import _early_greedy
    from mutasi_opt.solvers.cpsat import Solved, StageStatus

    problem = synth.generate(2000, seed=1)
    problem = problem.replace(policy=problem.policy.replace(max_moves=60))
    classes = build_classes(problem)
    early = _early_greedy(problem, classes, problem.index.home.copy(), Budget(work_limit=5.0))
    assert early is not None
    plan = disaggregate(problem, classes, early)
    assert metrics.evaluate(problem, plan).shortfall == 0 and metrics.moved(problem, plan).any()
    model = CpsatModel(problem, classes)
    assert model.complete(early)
    out = model.solve_stage("shortfall", budget=Budget(), seed=0, workers=1)
    assert isinstance(out, Solved) and out.status is StageStatus.OPTIMAL
    assert out.result.value == out.result.bound == 0
    assert all(np.array_equal(out.decisions[k], early[k]) for k in early)


def test_the_priced_lp_guides_the_balance_stage_to_its_gap() -> None:
    """The balance stage's RINS sub-model comes from the priced LP's solution at the
    best price.  On the embedded sample at 365 moves (half-timers, where the units
    and roles neighbourhoods alone stall) under a work limit of 3 with 2 workers the
    plan then ends within the balance gap of the LP bound (B gap 0.45 %; 5.5 %
    without the guide), and it meets the rules, its stage values recomputed."""
    from mutasi_opt import SolveParams, solve
    from mutasi_opt.sample import load_sample

    problem = load_sample()
    problem = problem.replace(policy=problem.policy.replace(max_moves=365))
    plan = solve(problem, SolveParams(work_limit=3.0, workers=2, seed=0))
    assert check_plan(problem, plan) == []
    stages = {s.name: s for s in plan.stages}
    balance = stages["balance"]
    assert balance.bound_source == "lp"
    assert balance.value <= _within_gap(balance.bound, problem.policy.balance_gap)
    m = metrics.evaluate(problem, plan.assignment_array)
    assert m == plan.after
    assert m.value("balance") == balance.value


def test_a_large_model_starts_with_sub_models_of_a_bounded_size(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """In a model with many decisions the first sub-model frees about
    ``_TARGET_FREE`` of them, not ``first_share`` of the parts (at 100,000
    employees a share of 0.3 of the units freed 74,130 decisions and every
    sub-model was cut), and a partition of which two parts are already too large
    is left out."""
    import logging

    from ortools.sat.python import cp_model

    from mutasi_opt.solvers.cpsat import lns

    n, units = 12 * lns._TARGET_FREE, 400
    model = cp_model.CpModel()
    xs = [model.new_bool_var(f"x{i}") for i in range(n)]
    model.minimize(cp_model.LinearExpr.sum(xs))
    index = np.array([x.index for x in xs], dtype=np.int64)
    decisions = lns.Neighbourhoods(
        index=index,
        parts={"units": np.arange(n) % units, "roles": np.arange(n) % 2},
        sizes={"units": units, "roles": 2},
    )
    with caplog.at_level(logging.DEBUG, logger="mutasi_opt"):
        sol, _ = improve(
            model,
            [1] * n,
            decisions,
            budget=Budget(work_limit=2.0),
            seed=0,
            workers=1,
            first_share=0.3,
        )
    tried = [r.getMessage() for r in caplog.records if r.getMessage().startswith("lns ")]
    assert tried and all(m.startswith("lns units ") for m in tried), tried
    first = int(tried[0].split(": ")[1].split(" free")[0])
    per_part = n // units
    assert lns._TARGET_FREE - per_part <= first <= lns._TARGET_FREE + per_part, tried[0]
    assert sum(sol) < n  # (and the sub-models improve the plan)


@pytest.mark.parametrize("seed", range(8))
def test_a_rematch_keeps_every_capacity_and_only_improves(seed: int) -> None:
    """:func:`rematch` on the preference stage: the plan it returns meets the rules
    and holds, has every (unit, role) capacity of the incumbent (so D and B as
    they were) and a strictly lower preference cost, never below the
    brute-force optimum; when it finds none, no plan with those capacities is
    better (checked by enumeration)."""
    from mutasi_opt.solvers.cpsat.lns import rematch

    problem, best, model, start, before = _at_stage(
        "preference", 4300 + seed, _room_to_improve("preference")
    )

    def plan_of(sol: list[int]) -> IntArray:
        decisions = model.vars.values_from(np.asarray(sol, dtype=np.int64))
        return disaggregate(problem, model.classes, decisions)

    def capacities(a: IntArray) -> IntArray:
        return metrics.assigned_capacity_centi(problem, a)

    start_plan = plan_of(start)
    out = rematch(
        model.model,
        start,
        model._capacity_sums(),
        budget=Budget(work_limit=3.0),
        seed=0,
        workers=1,
    )
    k = metrics.stage_names(problem.policy).index("preference")
    if out is None:
        # nothing better with these capacities: enumerate the plans that keep them
        allowed = [metrics.allowed_units(problem, e) for e in range(problem.index.n_employees)]
        for combo in itertools.product(*allowed):
            a = np.array(combo, dtype=np.int64)
            if check_plan(problem, a) or not np.array_equal(capacities(a), capacities(start_plan)):
                continue
            values = metrics.evaluate(problem, a).stage_values()
            if all(values[i] <= best[i] for i in range(k)):
                assert values[k] >= before
        return
    value = objective_at(model.model, out)
    assert best[k] <= value < before
    plan = plan_of(out)
    assert check_plan(problem, plan) == []
    assert np.array_equal(capacities(plan), capacities(start_plan))
    m = metrics.evaluate(problem, plan)
    assert all(m.value(n) <= best[i] for i, n in enumerate(metrics.stage_names(problem.policy)[:k]))
    assert m.value("preference") <= value
