"""Consultation rounds (issue 15) together with the rules of a real round (issue 16):
pins and draft units with pairs, rotation, retirements and inactive staff, and the
exact re-allocation rounds (``solvers.flow``) with fairness rules and draft units.

Each result is compared with the shared brute force of ``tests/problems.py``, which
applies both sets of rules by hand.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from mutasi_opt import InputError, PlanStatus, Problem, check_plan, metrics, solve
from mutasi_opt.domain.problem import Pair
from mutasi_opt.domain.responses import Response
from mutasi_opt.planning.replan import replan
from mutasi_opt.solvers.aggregation import build_classes
from mutasi_opt.solvers.disaggregate import aggregate, disaggregate
from mutasi_opt.solvers.flow import flow_improve
from problems import brute_force, first_seed, random_problem


def _with_pairs(seed: int) -> Problem:
    """A random problem with a pair of relatives and a couple among movable staff."""
    problem = random_problem(4200 + seed, 6 + seed % 2, 3, bounds=seed % 2 == 0)
    rng = np.random.default_rng(seed)
    chosen = rng.permutation(len(problem.employees))[:4].tolist()
    emps = list(problem.employees)
    for e in chosen:
        emps[e] = emps[e].replace(locked=False, employment_type="PNS", months_in_unit=None)
    nips = [str(emps[e].nip) for e in chosen]
    pairs = (
        Pair(nip_a=nips[0], nip_b=nips[1], kind="separate"),
        Pair(nip_a=nips[2], nip_b=nips[3], kind="together"),
    )
    return problem.replace(employees=tuple(emps), pairs=pairs)


def _responses(problem: Problem, draft: np.ndarray, seed: int) -> list[Response]:
    """Some employees accept their drafted move, some object to it."""
    rng = np.random.default_rng(seed)
    idx = problem.index
    out: list[Response] = []
    for e, emp in enumerate(problem.employees):
        if draft[e] == idx.home[e]:
            continue
        pick = int(rng.integers(0, 4))
        if pick < 2:
            out.append(Response(nip=emp.nip, response="accept"))
        elif pick == 2:
            out.append(Response(nip=emp.nip, response="object", reason="keluarga"))
    return out


def _solves_like_brute_force(problem: Problem) -> np.ndarray | None:
    """The solver's plan has the brute force's stage values and meets every rule (its
    assignment; None when no plan meets the rules)."""
    plan = solve(problem, workers=1, seed=0)
    best, _ = brute_force(problem)
    if best is None:
        assert plan.status is PlanStatus.INFEASIBLE
        return None
    assert tuple(s.value for s in plan.stages) == best
    assert check_plan(problem, plan) == []
    assert plan.assignment_array is not None
    return np.asarray(plan.assignment_array)


@pytest.mark.parametrize("seed", range(12))
def test_replan_with_pairs_keeps_the_pairs_and_the_accepted_moves(seed: int) -> None:
    problem = _with_pairs(seed)
    first = solve(problem, workers=1, seed=0)
    if not first.has_solution:
        return
    draft = np.asarray(first.assignment_array)
    assert check_plan(problem, first) == []
    responses = _responses(problem, draft, seed)
    result = replan(problem, draft, responses, workers=1)
    revised = result.problem
    assert revised.pairs == problem.pairs
    best, _ = brute_force(revised)
    if best is None:
        assert result.plan.status is PlanStatus.INFEASIBLE
        return
    assert result.plan.status is PlanStatus.OPTIMAL
    assert tuple(s.value for s in result.plan.stages) == best
    # the checker runs both sets of rules: pairs and pins (accepted moves) hold
    assert check_plan(revised, result.plan) == []
    after, idx = result.plan.assignment_array, revised.index
    assert after is not None
    for r in responses:
        e = idx.nip_pos[str(r.nip)]
        if r.response == "accept":
            assert after[e] == draft[e]
        else:
            assert after[e] != draft[e]


def test_the_checker_reports_a_broken_pin_and_a_broken_pair_together() -> None:
    problem = random_problem(11, 6, 3, max_moves=None)
    idx = problem.index
    movable = [e for e in range(idx.n_employees) if len(metrics.allowed_units(problem, e)) > 1]
    e = movable[0]
    target = next(int(u) for u in metrics.allowed_units(problem, e) if u != idx.home[e])
    emps = list(problem.employees)
    emps[e] = emps[e].replace(pinned_unit=idx.unit_ids[target])
    # two staff of one unit as relatives: staying home breaks their pair too
    same = next(
        (a, b)
        for a in range(idx.n_employees)
        for b in range(a + 1, idx.n_employees)
        if idx.home[a] == idx.home[b]
    )
    pair = Pair(nip_a=emps[same[0]].nip, nip_b=emps[same[1]].nip, kind="separate")
    pinned = problem.replace(employees=tuple(emps), pairs=(pair,))
    kinds = {v.kind for v in check_plan(pinned, idx.home)}
    assert {"pinned", "pair_separate"} <= kinds
    _solves_like_brute_force(pinned)


def _rotation(seed: int) -> Problem:
    problem = random_problem(9100 + seed, 6, 3, max_moves=None)
    return problem.replace(policy=problem.policy.replace(rotation_required=True))


def test_a_pin_at_home_exempts_from_rotation_like_a_lock() -> None:
    seed = first_seed(lambda s: bool(metrics.must_rotate(_rotation(s)).any()), 0, step=1)
    problem = _rotation(seed)
    e = int(np.flatnonzero(metrics.must_rotate(problem))[0])
    emps = list(problem.employees)
    emps[e] = emps[e].replace(pinned_unit=emps[e].unit)
    pinned = problem.replace(employees=tuple(emps))
    assert not metrics.must_rotate(pinned)[e]
    assert metrics.rotation_exempt(pinned).get("pinned", 0) >= 1
    stay = pinned.index.home.copy()
    assert not any(
        v.kind == "rotation" and v.nip == str(emps[e].nip) for v in check_plan(pinned, stay)
    )
    after = _solves_like_brute_force(pinned)
    assert after is None or after[e] == pinned.index.home[e]


def test_a_pin_moving_inactive_or_retiring_staff_is_refused() -> None:
    problem = random_problem(1, 5, 3)
    emps = list(problem.employees)
    other = next(u.unit for u in problem.units if u.unit != emps[0].unit)
    base = emps[0].replace(locked=False, employment_type="PNS", months_in_unit=None)
    emps[0] = base.replace(inactive="Tugas Belajar", pinned_unit=other)
    with pytest.raises(InputError, match="inactive") as info:
        problem.replace(employees=tuple(emps))
    assert info.value.issues[0].column == "pinned_unit"
    born = dt.date(1968, 3, 15)  # pension (BUP 58) on 2026-04-01
    emps[0] = base.replace(birth_date=born, pinned_unit=other)
    policy = problem.policy.replace(plan_date=dt.date(2026, 1, 1))
    with pytest.raises(InputError, match="retires on 2026-04-01") as info:
        problem.replace(employees=tuple(emps), policy=policy)
    assert info.value.issues[0].column == "pinned_unit"
    # a pin at home stays allowed
    emps[0] = base.replace(birth_date=born, pinned_unit=base.unit)
    assert problem.replace(employees=tuple(emps), policy=policy).employees[0].pinned_unit


@pytest.mark.parametrize("rule", ["individual_rationality", "no_justified_envy"])
def test_the_exact_rounds_leave_a_plan_alone_under_a_fairness_rule(rule: str) -> None:
    problem = random_problem(21, 10, 4, roles=1, bounds=False, requirements=False)
    problem = problem.replace(policy=problem.policy.replace(**{rule: True}))
    classes = build_classes(problem)
    decisions = aggregate(problem, classes, problem.index.home)
    assert decisions is not None
    assert flow_improve(problem, classes, decisions) is decisions


@pytest.mark.parametrize("seed", range(20))
def test_the_exact_rounds_leave_staff_with_a_draft_unit_as_they_are(seed: int) -> None:
    problem = random_problem(5300 + seed, 10, 4, roles=1, bounds=False, requirements=False)
    rng = np.random.default_rng(seed)
    idx = problem.index
    emps = list(problem.employees)
    for e in rng.permutation(idx.n_employees)[:4].tolist():
        allowed = metrics.allowed_units(problem, e)
        emps[e] = emps[e].replace(draft_unit=idx.unit_ids[int(rng.choice(allowed))])
    drafted = problem.replace(employees=tuple(emps))
    classes = build_classes(drafted)
    decisions = aggregate(drafted, classes, drafted.index.home)
    assert decisions is not None
    better = flow_improve(drafted, classes, decisions)
    kept = np.isin(classes.ctype, np.unique(classes.ctype[classes.draft_kind > 0]))
    assert np.array_equal(better["out"][kept], decisions["out"][kept])
    after = disaggregate(drafted, classes, better)
    assert check_plan(drafted, after) == []
    key = (metrics.imbalance_centi(drafted, after), metrics.balance_cost_scaled(drafted, after))
    home = drafted.index.home
    assert key <= (
        metrics.imbalance_centi(drafted, home),
        metrics.balance_cost_scaled(drafted, home),
    )


@pytest.mark.parametrize("seed", range(12))
def test_draft_units_under_the_fairness_rules_equal_brute_force(seed: int) -> None:
    # a draft moves staff to units they did not list: a draft option, no listing
    problem = random_problem(300 + seed, 6, 3)
    policy = problem.policy.replace(
        no_justified_envy=seed % 3 != 1, individual_rationality=seed % 3 != 0
    )
    rng = np.random.default_rng(seed)
    idx = problem.index
    emps = [
        emp.replace(
            draft_unit=idx.unit_ids[int(rng.choice(metrics.allowed_units(problem, e)))],
            priority=float(rng.integers(0, 5)),
        )
        for e, emp in enumerate(problem.employees)
    ]
    _solves_like_brute_force(problem.replace(employees=tuple(emps), policy=policy))
