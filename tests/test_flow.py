"""The exact re-allocation rounds (``solvers.flow``): never worse, never breaking a
rule, and exactly optimal where a round covers the whole problem."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutasi_opt import Demand, Employee, Policy, Problem, Unit, check_plan, metrics
from mutasi_opt.solvers.aggregation import build_classes
from mutasi_opt.solvers.disaggregate import aggregate, disaggregate
from mutasi_opt.solvers.flow import flow_improve
from problems import random_problem


def _key(problem: Problem, a: np.ndarray) -> tuple[int, int]:
    m = metrics.evaluate(problem, a)
    return m.imbalance_centi, m.balance_cost_scaled


def _random_start(problem: Problem, seed: int) -> np.ndarray:
    """Nobody moving, then random allowed moves that keep every rule."""
    rng = np.random.default_rng(seed)
    idx = problem.index
    a = idx.home.copy()
    movable = np.flatnonzero(metrics.movable(problem))
    for e in rng.permutation(movable)[: int(rng.integers(0, movable.size + 1))]:
        allowed = metrics.allowed_units(problem, int(e))
        trial = a.copy()
        trial[e] = int(rng.choice(allowed))
        if not check_plan(problem, trial):
            a = trial
    return a


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 100_000), start_seed=st.integers(0, 1000))
def test_a_round_never_breaks_a_rule_nor_worsens_the_plan(seed: int, start_seed: int) -> None:
    problem = random_problem(seed, 10, 4, roles=2)
    if check_plan(problem, problem.index.home):
        return  # nobody moving breaks a headcount bound: no start to improve
    start = _random_start(problem, start_seed)
    classes = build_classes(problem)
    decisions = aggregate(problem, classes, start)
    assert decisions is not None
    better = flow_improve(problem, classes, decisions)
    after = disaggregate(problem, classes, better)
    assert check_plan(problem, after) == []
    m0, m1 = metrics.evaluate(problem, start), metrics.evaluate(problem, after)
    assert m1.shortfall <= m0.shortfall
    assert _key(problem, after) <= _key(problem, start)
    # the counts themselves keep the budget (the model counts Σ out, which a
    # leave-and-arrive-at-home in the counts would exceed)
    cap = problem.policy.max_moves
    assert cap is None or int(better["out"].sum()) <= max(cap, int(decisions["out"].sum()))
    # the decisions are consistent counts: as many arrivals as leavers per type
    for t in range(classes.n_types):
        leavers = int(better["out"][classes.type_classes[t]].sum())
        arr0 = sum(len(x) for x in classes.type_targets[:t])
        arrivals = int(better["arrive"][arr0 : arr0 + len(classes.type_targets[t])].sum())
        assert leavers == arrivals


def _uniform_problem(
    seed: int, n_employees: int, n_units: int, max_moves: int | None, roles: int = 1
) -> Problem:
    """Everyone full-time and free to move: one type per role, so one round
    decides everything (with several roles, how they share the move budget)."""
    rng = np.random.default_rng(seed)
    units = [f"U{i}" for i in range(n_units)]
    names = ["guru", "perawat"][:roles]
    employees = tuple(
        Employee(nip=f"E{i:02d}", unit=units[int(rng.integers(n_units))], role=names[i % roles])
        for i in range(n_employees)
    )
    demand = tuple(
        Demand(unit=u, role=r, workload_hours=float(rng.integers(0, 5000)))
        for u in units
        for r in names
        if rng.random() < 0.85 or u == units[0]
    )
    return Problem(
        employees=employees,
        units=tuple(Unit(unit=u) for u in units),
        demand=demand,
        requirements=(),
        policy=Policy(max_moves=max_moves, balance_gap=0.0),
    )


def _brute_key(problem: Problem) -> tuple[int, int]:
    idx = problem.index
    allowed = [metrics.allowed_units(problem, e) for e in range(idx.n_employees)]
    budget = problem.policy.max_moves
    best: tuple[int, int] | None = None
    for combo in itertools.product(*allowed):
        a = np.array(combo, dtype=np.int64)
        if budget is not None and int((a != idx.home).sum()) > budget:
            continue
        k = _key(problem, a)
        best = k if best is None or k < best else best
    assert best is not None
    return best


@pytest.mark.parametrize(
    ("seed", "max_moves", "roles"),
    [(s, m, r) for s in range(5) for m in (0, 1, 2, 3, None) for r in (1, 2)],
)
def test_one_round_is_the_brute_force_optimum_of_one_type_per_role(
    seed: int, max_moves: int | None, roles: int
) -> None:
    problem = _uniform_problem(seed, 7 if roles == 2 else 6, 3, max_moves, roles)
    classes = build_classes(problem)
    assert classes.n_types == roles
    home = problem.index.home
    decisions = aggregate(problem, classes, home)
    assert decisions is not None
    better = disaggregate(problem, classes, flow_improve(problem, classes, decisions))
    assert check_plan(problem, better) == []
    assert _key(problem, better) == _brute_key(problem)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 100_000), kind=st.sampled_from(["separate", "together"]))
def test_members_of_a_pair_keep_their_place(seed: int, kind: str) -> None:
    from mutasi_opt.domain.problem import Pair

    base = random_problem(seed, 10, 4, roles=1, bounds=False, requirements=False)
    movable = np.flatnonzero(metrics.movable(base))
    if movable.size < 2:
        return
    a, b = (base.employees[int(e)].nip for e in movable[:2])
    problem = base.model_copy(update={"pairs": (Pair(nip_a=a, nip_b=b, kind=kind),)})
    if check_plan(problem, problem.index.home):
        return
    classes = build_classes(problem)
    decisions = aggregate(problem, classes, problem.index.home)
    assert decisions is not None
    better = flow_improve(problem, classes, decisions)
    single = np.flatnonzero(classes.single)
    assert single.size == 2
    assert np.array_equal(better["out"][single], decisions["out"][single])
    assert check_plan(problem, disaggregate(problem, classes, better)) == []
