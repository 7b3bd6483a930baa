"""Fairness of voluntary rounds: individual rationality and no justified envy.

The solver's plans under each rule equal brute force (which keeps only the
assignments the independent checker finds fair), and the checker lists the
blocking pairs of any assignment, the sample's history included.
"""

from __future__ import annotations

import numpy as np
import pytest

import mutasi_opt as mo
from mutasi_opt import PlanStatus, check_plan, metrics, solve
from mutasi_opt.planning.fairness import (
    blocking_pairs,
    fairness_violations,
    unlisted_moves,
    with_service_priority,
)
from problems import brute_force, random_problem


def _with_priorities(problem, seed: int):  # type: ignore[no-untyped-def]
    """Random whole priority points (0-3) and, for a few more, preferred units."""
    rng = np.random.default_rng(seed)
    emps = []
    for e, emp in enumerate(problem.employees):
        allowed = [problem.index.unit_ids[u] for u in metrics.allowed_units(problem, e)]
        prefs = emp.preferred_units
        if not prefs and rng.random() < 0.5:
            others = [u for u in allowed if u != emp.unit and u not in emp.refused_units]
            prefs = tuple(others[: int(rng.integers(1, 3))])
        emps.append(emp.replace(priority=float(rng.integers(0, 4)), preferred_units=prefs))
    return problem.replace(employees=tuple(emps))


@pytest.mark.parametrize("rule", ["no_justified_envy", "individual_rationality"])
@pytest.mark.parametrize("seed", range(12))
def test_fair_plans_equal_brute_force(rule: str, seed: int) -> None:
    problem = _with_priorities(random_problem(500 + seed, 6 + seed % 3, 3 + seed % 2), seed)
    problem = problem.replace(policy=problem.policy.replace(**{rule: True}))
    best, _ = brute_force(problem)
    plan = solve(problem, workers=1)
    if best is None:
        assert plan.status is PlanStatus.INFEASIBLE
        return
    assert plan.status is PlanStatus.OPTIMAL
    assert tuple(s.value for s in plan.stages) == best
    assert check_plan(problem, plan) == []
    assert fairness_violations(problem, plan) == []


def test_a_blocking_pair_by_hand() -> None:
    # A (3 points) and B (1 point), both perawat at U0, both listed U1; B moves to U1
    # and A stays: A has justified envy.  With B's points at 3 there is none.
    units = [mo.Unit(unit=u) for u in ("U0", "U1")]
    demand = [mo.Demand(unit=u, role="perawat", workload_hours=1000) for u in ("U0", "U1")]
    emps = [
        mo.Employee(nip="A", unit="U0", role="perawat", priority=3, preferred_units=("U1",)),
        mo.Employee(nip="B", unit="U0", role="perawat", priority=1, preferred_units=("U1",)),
    ]
    problem = mo.Problem(employees=tuple(emps), units=tuple(units), demand=tuple(demand))
    pairs = blocking_pairs(problem, {"A": "U0", "B": "U1"})
    assert [(p["nip"], p["unit"], p["other_nip"], p["rank"]) for p in pairs] == [
        ("A", "U1", "B", 1)
    ]
    assert blocking_pairs(problem, {"A": "U1", "B": "U0"}) == []
    even = problem.replace(employees=(emps[0], emps[1].replace(priority=3)))
    assert blocking_pairs(even, {"A": "U0", "B": "U1"}) == []
    fair = problem.replace(policy=problem.policy.replace(no_justified_envy=True))
    kinds = [v.kind for v in check_plan(fair, {"A": "U0", "B": "U1"})]
    assert kinds == ["justified_envy"]
    # B unlisted: moving B is an unlisted move (a violation of individual rationality)
    unlisted = problem.replace(employees=(emps[0], emps[1].replace(preferred_units=())))
    violations, exceptions = unlisted_moves(unlisted, {"A": "U0", "B": "U1"})
    assert [v.kind for v in violations] == ["unlisted_move"] and exceptions == []


def test_service_priority_from_the_nip() -> None:
    problem = random_problem(1, 3, 2)
    nip = "198501012010011001"  # CPNS from January 2010
    emp = problem.employees[0].replace(nip=nip)
    problem = problem.replace(employees=(emp, *problem.employees[1:]))
    scored = with_service_priority(problem, "2026-07")
    assert scored.employees[0].priority == 16.5
    assert scored.employees[1].priority == problem.employees[1].priority  # not a NIP


def test_the_sample_history_has_blocking_pairs_and_a_fair_plan_none() -> None:
    problem = with_service_priority(mo.load_sample(), "2026-01")
    history = mo.evaluate_history(problem, mo.sample.sample_path() / "history.csv")
    pairs = blocking_pairs(problem, history.assignment)
    assert pairs  # people who asked were passed over for juniors
    assert all(p["priority"] > p["other_priority"] for p in pairs)
