"""Fairness of voluntary rounds, checked on any assignment (a plan or a history).

Two rules, each a policy key (default off), re-derived here from the problem
alone, never from solver code:

* **individual rationality** (``individual_rationality``): nobody is moved to a
  unit they did not list in ``preferred_units``, unless the unit's requirement
  cannot otherwise be covered.  Per unit, the staff there other than its
  *unlisted movers* (moved there, did not list it, not pinned) leave each
  requirement a deficit ``max(0, min_staff − qualified)``; the unlisted movers
  are excepted only as far as a maximum matching assigns them to deficits of
  requirements they are qualified for (level at or above its ``min_level``).
  These exceptions are reported (:func:`unlisted_moves`), not refused; the
  others are violations;
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
    individual rationality, in employee order.

    An unlisted mover (moved to a unit not in their ``preferred_units``, not pinned)
    is an exception (kind ``unlisted_qualified``) only when the unit's requirement
    they are matched to would otherwise be short: per requirement, the staff at the
    unit other than its unlisted movers leave a deficit, and a maximum matching of
    the unlisted movers to the deficits of requirements they are qualified for
    (:func:`mutasi_opt.metrics.individual_rationality_cover`) picks the exceptions.
    The others are violations: ``unlisted_move`` when qualified for none of the
    unit's requirements, ``unlisted_beyond_need`` when the requirements they are
    qualified for are covered without them."""
    a = _assignment(problem, assignment)
    idx = problem.index
    ids = idx.unit_ids
    matched, unmatched = metrics.individual_rationality_cover(problem, a)
    out: dict[int, tuple[bool, Violation]] = {}
    for e, q in matched.items():
        req = problem.requirements[q]
        nip, unit = str(problem.employees[e].nip), ids[int(a[e])]
        message = (
            f"{nip} is moved to {unit}, which they did not list, to cover "
            f"{req.competency} ≥ {req.min_level} ({req.min_staff} needed), which {unit} "
            "would otherwise be short of (individual rationality exception)"
        )
        out[e] = (False, Violation("unlisted_qualified", message, nip, unit))
    for e in unmatched:
        nip, u = str(problem.employees[e].nip), int(a[e])
        unit = ids[u]
        reqs = [
            q
            for q in range(len(problem.requirements))
            if int(idx.req_unit[q]) == u and idx.qualified[q, e]
        ]
        if not reqs:
            message = f"{nip} is moved to {unit}, which they did not list"
            out[e] = (True, Violation("unlisted_move", message, nip, unit))
            continue
        what = ", ".join(
            f"{problem.requirements[q].competency} ≥ {problem.requirements[q].min_level} "
            f"({problem.requirements[q].min_staff} needed)"
            for q in reqs
        )
        message = (
            f"{nip} is moved to {unit}, which they did not list, beyond need: the "
            f"requirements they are qualified for there ({what}) are covered by its other "
            "staff and the excepted unlisted movers"
        )
        out[e] = (True, Violation("unlisted_beyond_need", message, nip, unit))
    violations = [v for e, (bad, v) in sorted(out.items()) if bad]
    exceptions = [v for e, (bad, v) in sorted(out.items()) if not bad]
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
    repairs end); then the unlisted movers no longer excepted (a listed arrival may
    now cover their requirement) go home too.  The result may break a headcount
    bound or the move budget: the caller checks it."""
    a = _assignment(problem, assignment).copy()
    pol, home = problem.policy, problem.index.home
    pos = problem.index.nip_pos

    def send_home() -> None:
        # unmatched unlisted movers go home (which makes no blocking pair); back home
        # one may cover a requirement another unlisted mover was excepted for, so
        # repeat (each round has fewer moves)
        while pol.individual_rationality:
            unmatched = metrics.individual_rationality_cover(problem, a)[1]
            if not unmatched:
                return
            a[unmatched] = home[unmatched]

    send_home()
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
    # a listed employee who took a unit may cover a requirement an unlisted mover
    # was excepted for
    send_home()
    return a
