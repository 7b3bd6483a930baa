"""Each infeasibility diagnosis kind names the units and numbers that conflict."""

from __future__ import annotations

import pytest

from mutasi_opt import Demand, Employee, PlanStatus, Policy, Problem, Unit, solve
from mutasi_opt.planning.diagnose import counting_checks, diagnose


def _problem(
    units: list[Unit],
    homes: list[str],
    *,
    locked: int = 0,
    max_moves: int | None = None,
    roles: list[str] | None = None,
) -> Problem:
    roles = roles or [""] * len(homes)
    employees = [
        Employee(nip=f"E{i}", unit=h, role=roles[i], locked=i < locked) for i, h in enumerate(homes)
    ]
    demand = [
        Demand(unit=u.unit, role=r, workload_hours=1000) for u in units for r in set(roles) if r
    ]
    if "" in roles:
        units = [u.replace(workload_hours=1000.0) for u in units]
    return Problem(
        employees=employees, units=units, demand=demand, policy=Policy(max_moves=max_moves)
    )


def test_min_staff_unreachable() -> None:
    # U2 needs 3 staff; the only employees who may go there are the 2 unlocked ones
    # (E0 is locked at U1), so at most 2 can be assigned to it.
    p = _problem([Unit(unit="U1"), Unit(unit="U2", min_staff=3)], ["U1", "U1", "U1"], locked=1)
    plan = solve(p)
    assert plan.status is PlanStatus.INFEASIBLE
    kinds = {c.kind for c in plan.diagnosis}
    assert "min_staff_unreachable" in kinds
    c = next(c for c in plan.diagnosis if c.kind == "min_staff_unreachable")
    assert c.units == ("U2",)
    assert "needs ≥ 3 staff" in c.message and "only 2 employees" in c.message


def test_max_staff_below_immovable() -> None:
    # U1 allows 1 but 2 of its 3 employees are locked.
    p = _problem([Unit(unit="U1", max_staff=1), Unit(unit="U2")], ["U1", "U1", "U1"], locked=2)
    c = next(c for c in counting_checks(p) if c.kind == "max_staff_immovable")
    assert c.units == ("U1",)
    assert dict(c.numbers)["cannot_leave"] == 2 and dict(c.numbers)["max_staff"] == 1


def test_min_staff_total() -> None:
    # min_staff 2 + 2 = 4 > 3 employees
    p = _problem([Unit(unit="U1", min_staff=2), Unit(unit="U2", min_staff=2)], ["U1", "U1", "U2"])
    assert any(c.kind == "min_staff_total" and "add up to 4" in c.message for c in diagnose(p))


def test_max_staff_total() -> None:
    # every unit capped: 1 + 1 = 2 < 3 employees
    p = _problem([Unit(unit="U1", max_staff=1), Unit(unit="U2", max_staff=1)], ["U1", "U1", "U2"])
    assert any(c.kind == "max_staff_total" for c in diagnose(p))


def test_move_budget() -> None:
    # U1 has 3 staff and max 1: two must leave, but max_moves = 1
    p = _problem([Unit(unit="U1", max_staff=1), Unit(unit="U2")], ["U1", "U1", "U1"], max_moves=1)
    c = next(c for c in diagnose(p) if c.kind == "move_budget")
    assert "at least 2 moves" in c.message and "max_moves is 1" in c.message
    assert c.units == ("U1",)


def test_rule_conflict_found_with_assumptions() -> None:
    # No counting check fires: B and C each need 1 staff and each has one candidate,
    # but it is the same person (E0): E1 is locked and E2 refuses both B and C.
    units = [
        Unit(unit="A", workload_hours=10),
        Unit(unit="B", workload_hours=10, min_staff=1),
        Unit(unit="C", workload_hours=10, min_staff=1),
    ]
    employees = [
        Employee(nip="E0", unit="A"),
        Employee(nip="E1", unit="A", locked=True),
        Employee(nip="E2", unit="A", refused_units="B;C"),
    ]
    p = Problem(employees=employees, units=units)
    assert counting_checks(p) == []
    plan = solve(p)
    assert plan.status is PlanStatus.INFEASIBLE
    (c,) = plan.diagnosis
    assert c.kind == "rule_conflict"
    assert set(c.units) == {"B", "C"}
    assert "B ≥ 1 staff" in c.message and "C ≥ 1 staff" in c.message


@pytest.mark.parametrize("max_moves", [None, 5])
def test_feasible_problem_has_no_diagnosis(max_moves: int | None) -> None:
    p = _problem([Unit(unit="U1"), Unit(unit="U2")], ["U1", "U1", "U2"], max_moves=max_moves)
    assert diagnose(p) == []


def _fair_problem(rule: str) -> Problem:
    """Infeasible only under the fairness key ``rule``.

    ``individual_rationality``: U1 needs one more staff (min_staff 2; S, locked, is
    there and covers its vaksinasi requirement); the only candidate E0 did not list U1
    and, though qualified, the requirement is covered without them.
    ``no_justified_envy``: U1 needs one more staff; A (3 points) and B (1 point), both
    in U0, listed U1, but A is kept apart from S (relatives), so B would go while A,
    who may be moved there, stays: A has justified envy.
    """
    import mutasi_opt as mo

    units = [Unit(unit="U0"), Unit(unit="U1", min_staff=2)]
    demand = [Demand(unit=u, role="perawat", workload_hours=1250) for u in ("U0", "U1")]
    s = Employee(nip="S", unit="U1", role="perawat", locked=True, competencies="vaksinasi:2")
    if rule == "individual_rationality":
        emps = [s, Employee(nip="E0", unit="U0", role="perawat", competencies="vaksinasi:1")]
        reqs = [mo.Requirement(unit="U1", competency="vaksinasi", min_level=1, min_staff=1)]
        pairs: list[mo.Pair] = []
    else:
        emps = [
            s,
            Employee(nip="A", unit="U0", role="perawat", priority=3, preferred_units="U1"),
            Employee(nip="B", unit="U0", role="perawat", priority=1, preferred_units="U1"),
        ]
        reqs = []
        pairs = [mo.Pair(nip_a="A", nip_b="S", kind="separate")]
    return Problem(
        employees=emps,
        units=units,
        demand=demand,
        requirements=reqs,
        pairs=pairs,
        policy=Policy(**{rule: True}),
    )


@pytest.mark.parametrize("rule", ["individual_rationality", "no_justified_envy"])
def test_a_fairness_rule_is_named_when_it_makes_the_rules_conflict(rule: str) -> None:
    p = _fair_problem(rule)
    off = p.replace(policy=p.policy.replace(**{rule: False}))
    assert diagnose(off) == [] and solve(off, workers=1).status is PlanStatus.OPTIMAL
    assert counting_checks(p) == []
    (c,) = diagnose(p)
    assert c.kind == "rule_conflict"
    assert f"{rule} at U1" in c.message and "U1 ≥ 2 staff (min_staff" in c.message
    assert "U1" in c.units
    if rule == "individual_rationality":
        assert "did not list it" in c.message and "vaksinasi ≥ 1" in c.message
    else:
        assert "more priority points" in c.message and "relatives kept apart" in c.message
    # the solve path shows it as the plan's reason
    plan = solve(p, workers=1)
    assert plan.status is PlanStatus.INFEASIBLE
    assert any(f"{rule} at U1" in d.message for d in plan.diagnosis)
    assert rule in str(plan)


@pytest.mark.parametrize("rule", ["individual_rationality", "no_justified_envy"])
def test_a_feasible_fair_problem_has_no_diagnosis(rule: str) -> None:
    # the same rounds with U1 needing no more staff than it has: fair plans exist
    p = _fair_problem(rule)
    p = p.replace(units=(Unit(unit="U0"), Unit(unit="U1", min_staff=1)))
    assert diagnose(p) == []
    assert solve(p, workers=1).status is PlanStatus.OPTIMAL
