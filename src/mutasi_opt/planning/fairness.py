"""Fairness of voluntary rounds, checked on any assignment (a plan or a history).

Two rules, each a policy key (default off), re-derived here from the problem
alone, never from solver code:

* **individual rationality** (``individual_rationality``): nobody is moved to a
  unit they did not list in ``preferred_units`` — except staff qualified for one
  of the unit's requirements (level at or above its ``min_level``), at most the
  sum of those requirements' ``min_staff`` per unit: these exceptions are
  reported (:func:`unlisted_moves`), not refused;
* **no justified envy** (``no_justified_envy``): a *blocking pair* is an
  employee *i* who listed unit *u* at rank *r*, may be moved there (movable, *u*
  not refused, a formasi for their role), and ends elsewhere than *u* or a unit
  they ranked before *r* — while someone *j* of the same role with fewer
  ``priority`` points is moved to *u* (whether *j* listed *u* lower, not at all, or
  as high: points decide between two who want the same place, as in a stable
  matching).
  :func:`blocking_pairs` lists every one of any assignment, including a
  historical one, whether or not the policy asks for the rule.  Pinned
  decisions (``pinned_unit``, accepted in a consultation round) are not
  questioned: a pinned employee neither envies nor is envied.

:func:`with_service_priority` gives every employee with a structured NIP their
years of service (from the CPNS start in the NIP) as priority points.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from .. import metrics
from ..domain.arrays import IntArray
from ..domain.problem import Problem
from ..domain.values import Nip, month_index
from ..results.findings import Violation
from ..results.plan import Plan

__all__ = [
    "blocking_pairs",
    "fair_repair",
    "fairness_violations",
    "unlisted_moves",
    "with_service_priority",
]


def _assignment(problem: Problem, assignment: Any) -> IntArray:
    if isinstance(assignment, Plan):
        if assignment.assignment_array is None:
            raise ValueError(f"the plan is {assignment.status.value} and holds no assignment")
        assignment = assignment.assignment_array
    return metrics.as_assignment(problem, assignment)


def _may_go(problem: Problem, formasi: set[tuple[str, str]], e: int, unit: str) -> bool:
    """The rules let employee ``e`` be moved to ``unit`` (re-derived from the rows)."""
    emp, pol = problem.employees[e], problem.policy
    if emp.pinned_unit is not None:
        return False  # an accepted decision is not questioned
    if unit == emp.unit or emp.locked or unit in emp.refused_units:
        return False
    if emp.employment_type == "PPPK" and not pol.allow_pppk_moves:
        return False
    if emp.months_in_unit is not None and emp.months_in_unit < pol.min_months_in_unit:
        return False
    return (unit, emp.role) in formasi


def _formasi(problem: Problem) -> set[tuple[str, str]]:
    out = {(d.unit, d.role) for d in problem.demand}
    return out | {(u.unit, "") for u in problem.units if u.workload_hours is not None}


def blocking_pairs(problem: Problem, assignment: Any) -> list[dict[str, Any]]:
    """Every blocking pair of ``assignment`` (see the module docstring): records with the
    columns of :data:`~mutasi_opt.domain.columns.BLOCKING_PAIRS`, by employee and rank.

    ``assignment``: a :class:`Plan`, unit positions, unit ids in employee order, or a
    mapping NIP → unit id (employees missing stay home).
    """
    a = _assignment(problem, assignment)
    ids = problem.index.unit_ids
    emps = problem.employees
    points = metrics.priority_points(problem)
    formasi = _formasi(problem)
    arrivals: dict[str, list[int]] = defaultdict(list)
    for j, emp in enumerate(emps):
        if ids[int(a[j])] != emp.unit and emp.pinned_unit is None:
            arrivals[ids[int(a[j])]].append(j)
    out: list[dict[str, Any]] = []
    for i, emp in enumerate(emps):
        prefs = emp.preferred_units
        if not prefs:
            continue
        now = ids[int(a[i])]
        got = prefs.index(now) if now != emp.unit and now in prefs else len(prefs)
        for rank, unit in enumerate(prefs[:got]):
            if not _may_go(problem, formasi, i, unit):
                continue
            for j in arrivals.get(unit, ()):
                other = emps[j]
                if other.role != emp.role or points[j] >= points[i]:
                    continue
                their = other.preferred_units.index(unit) if unit in other.preferred_units else None
                out.append(
                    {
                        "nip": str(emp.nip),
                        "name": emp.name,
                        "unit": unit,
                        "rank": rank + 1,
                        "priority": float(points[i]),
                        "unit_after": now,
                        "other_nip": str(other.nip),
                        "other_priority": float(points[j]),
                        "other_rank": None if their is None else their + 1,
                    }
                )
    return out


def unlisted_moves(problem: Problem, assignment: Any) -> tuple[list[Violation], list[Violation]]:
    """Moves to units the employee did not list: ``(violations, exceptions)`` of
    individual rationality.  An exception is a mover qualified for a requirement of
    the unit (within the sum of its requirements' ``min_staff``); the others, and the
    exceptions beyond that sum, are violations (kinds ``unlisted_move``,
    ``unlisted_beyond_need``; exceptions have kind ``unlisted_qualified``)."""
    a = _assignment(problem, assignment)
    ids = problem.index.unit_ids
    needs: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for q in problem.requirements:
        needs[q.unit].append((q.competency, q.min_level, q.min_staff))
    used: dict[str, int] = defaultdict(int)
    violations: list[Violation] = []
    exceptions: list[Violation] = []
    for e, emp in enumerate(problem.employees):
        unit = ids[int(a[e])]
        if unit == emp.unit or unit in emp.preferred_units or emp.pinned_unit is not None:
            continue
        nip = str(emp.nip)
        qualified = any(emp.level(c) >= lvl for c, lvl, _ in needs.get(unit, ()))
        cap = sum(n for _, _, n in needs.get(unit, ()))
        if not qualified:
            message = f"{nip} is moved to {unit}, which they did not list"
            violations.append(Violation("unlisted_move", message, nip, unit))
        elif used[unit] >= cap:
            message = (
                f"{nip} is moved to {unit}, which they did not list, beyond the "
                f"{cap} staff its requirements need"
            )
            violations.append(Violation("unlisted_beyond_need", message, nip, unit))
        else:
            used[unit] += 1
            message = (
                f"{nip} is moved to {unit}, which they did not list, as staff qualified "
                "for one of its requirements"
            )
            exceptions.append(Violation("unlisted_qualified", message, nip, unit))
    return violations, exceptions


def fairness_violations(problem: Problem, assignment: Any) -> list[Violation]:
    """The fairness rules the policy asks for that ``assignment`` breaks (kinds
    ``unlisted_move``, ``unlisted_beyond_need``, ``justified_envy``)."""
    pol = problem.policy
    out: list[Violation] = []
    if pol.individual_rationality:
        out += unlisted_moves(problem, assignment)[0]
    if pol.no_justified_envy:
        for p in blocking_pairs(problem, assignment):
            message = (
                f"{p['nip']} ({p['priority']:g} points) listed {p['unit']} (choice "
                f"{p['rank']}) and is in {p['unit_after']}, while {p['other_nip']} "
                f"({p['other_priority']:g} points) is moved there"
            )
            out.append(Violation("justified_envy", message, p["nip"], p["unit"]))
    return out


def with_service_priority(problem: Problem, as_of: str) -> Problem:
    """``problem`` with every employee whose NIP is structured given their years of
    service at month ``as_of`` (``YYYY-MM``) as priority points (whole months ÷ 12,
    from the CPNS start in the NIP; 0 when it lies after ``as_of``); others keep theirs."""
    ref = month_index(as_of)
    emps = []
    for emp in problem.employees:
        start = Nip(str(emp.nip)).cpns_start
        if start is None:
            emps.append(emp)
            continue
        months = max(0, ref - month_index(f"{start[0]:04d}-{start[1]:02d}"))
        emps.append(emp.replace(priority=round(months / 12, 4)))
    scored: Problem = problem.replace(employees=tuple(emps))
    return scored


def fair_repair(problem: Problem, assignment: Any, *, rounds: int = 50) -> IntArray:
    """``assignment`` made fair under the policy's fairness rules, by local repairs (a
    start for the solver, not an optimum): an unlisted mover not excepted goes home;
    for a blocking pair, the employee with more points takes the unit and the one with
    fewer goes home (each such step gives someone a unit they rank higher, so the
    repairs end).  The result may break a headcount bound or the move budget: the
    caller checks it."""
    a = _assignment(problem, assignment).copy()
    pol, home = problem.policy, problem.index.home
    pos = problem.index.nip_pos
    if pol.individual_rationality:
        for v in unlisted_moves(problem, a)[0]:
            e = pos[str(v.nip)]
            a[e] = home[e]
    if not pol.no_justified_envy:
        return a
    unit_pos = problem.index.unit_pos
    for _ in range(rounds):
        pairs = blocking_pairs(problem, a)
        if not pairs:
            break
        pairs.sort(key=lambda p: (-p["priority"], p["rank"]))
        moved: set[int] = set()
        for p in pairs:
            i, j = pos[p["nip"]], pos[p["other_nip"]]
            if i in moved or j in moved:
                continue
            a[i] = unit_pos[p["unit"]]
            a[j] = home[j]
            moved.update((i, j))
    return a
