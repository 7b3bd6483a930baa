"""Independent plan checker.

Re-derives every rule from the :class:`~mutasi_opt.model.Problem` alone —
who may move, where, headcount bounds, the move budget — never from solver
code, so it can audit any assignment: a solver's plan, a hand-made plan, or a
historical one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .model import Problem

__all__ = ["Violation", "check_plan"]


@dataclass(frozen=True)
class Violation:
    """A broken rule.  ``kind`` is one of: ``unknown_employee``, ``duplicate_employee``,
    ``missing_employee``, ``unknown_unit``, ``locked``, ``pppk``, ``tenure``,
    ``refused_unit``, ``no_demand``, ``min_staff``, ``max_staff``, ``max_moves``."""

    kind: str
    message: str
    nip: str | None = None
    unit: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {"kind": self.kind, "nip": self.nip, "unit": self.unit, "message": self.message}


def _pairs(problem: Problem, assignment: Any) -> list[tuple[str, str]]:
    """(nip, unit id) pairs from the accepted assignment forms."""
    from .plan import Plan

    if isinstance(assignment, Plan):
        assignment = assignment.assignment_array
    if isinstance(assignment, Mapping):
        return [(str(k), str(v)) for k, v in assignment.items()]
    if isinstance(assignment, np.ndarray) and assignment.dtype.kind in "iu":
        ids = [u.unit for u in problem.units]
        nips = [str(e.nip) for e in problem.employees]
        if assignment.shape != (len(nips),):
            raise ValueError(f"assignment has {assignment.size} entries for {len(nips)} employees")
        return [
            (n, ids[int(u)] if 0 <= u < len(ids) else f"#{int(u)}")
            for n, u in zip(nips, assignment, strict=True)
        ]
    if isinstance(assignment, Iterable):
        items = list(assignment)
        if items and isinstance(items[0], str):
            nips = [str(e.nip) for e in problem.employees]
            return list(zip(nips, items, strict=True))
        return [(str(n), str(u)) for n, u in items]
    raise TypeError("assignment must be a Plan, an array of unit positions, or (nip, unit) pairs")


def check_plan(problem: Problem, assignment: Any) -> list[Violation]:
    """Every rule the assignment breaks (empty list = valid plan).

    Parameters
    ----------
    problem
        The problem the plan is for.
    assignment
        A :class:`~mutasi_opt.plan.Plan`, an integer array of unit positions in
        employee order, a sequence of unit ids in employee order, a mapping
        NIP → unit id, or an iterable of (NIP, unit id) pairs (which may
        contain duplicates or unknown NIPs — they are reported).  Employees
        missing from a mapping or pair list are reported, not assumed home.
    """
    pol = problem.policy
    units = {u.unit: u for u in problem.units}
    employees = {str(e.nip): e for e in problem.employees}
    demand = {(d.unit, d.role) for d in problem.demand}
    demand |= {(u.unit, "") for u in problem.units if u.workload_hours is not None}
    out: list[Violation] = []
    after: dict[str, str] = {}
    for nip, unit in _pairs(problem, assignment):
        if nip not in employees:
            out.append(Violation("unknown_employee", f"NIP {nip} is not in the problem", nip))
            continue
        if nip in after:
            out.append(
                Violation("duplicate_employee", f"NIP {nip} is assigned more than once", nip)
            )
            continue
        after[nip] = unit
    for nip in employees:
        if nip not in after:
            out.append(Violation("missing_employee", f"NIP {nip} has no unit in the plan", nip))
    moves = 0
    for nip, unit in after.items():
        e = employees[nip]
        if unit not in units:
            out.append(Violation("unknown_unit", f"unit {unit!r} does not exist", nip, unit))
            continue
        if unit == e.unit:
            continue
        moves += 1
        if e.locked:
            out.append(Violation("locked", f"{nip} is locked but moves to {unit}", nip, unit))
        if e.employment_type == "PPPK" and not pol.allow_pppk_moves:
            out.append(
                Violation("pppk", f"{nip} is PPPK and PPPK moves are not allowed", nip, unit)
            )
        if e.months_in_unit is not None and e.months_in_unit < pol.min_months_in_unit:
            out.append(
                Violation(
                    "tenure",
                    f"{nip} has {e.months_in_unit} months in the unit, under "
                    f"min_months_in_unit = {pol.min_months_in_unit}",
                    nip,
                    unit,
                )
            )
        if unit in e.refused_units:
            out.append(Violation("refused_unit", f"{nip} refused unit {unit}", nip, unit))
        if (unit, e.role) not in demand:
            out.append(
                Violation(
                    "no_demand",
                    f"{nip} (role {e.role!r}) moves to {unit}, which has no demand for that role",
                    nip,
                    unit,
                )
            )
    heads: dict[str, int] = dict.fromkeys(units, 0)
    for nip, e in employees.items():
        unit = after.get(nip, e.unit)
        if unit in heads:
            heads[unit] += 1
    for uid, u in units.items():
        if u.min_staff is not None and heads[uid] < u.min_staff:
            out.append(
                Violation(
                    "min_staff",
                    f"unit {uid} has {heads[uid]} staff, below min_staff = {u.min_staff}",
                    unit=uid,
                )
            )
        if u.max_staff is not None and heads[uid] > u.max_staff:
            out.append(
                Violation(
                    "max_staff",
                    f"unit {uid} has {heads[uid]} staff, above max_staff = {u.max_staff}",
                    unit=uid,
                )
            )
    if pol.max_moves is not None and moves > pol.max_moves:
        out.append(
            Violation(
                "max_moves", f"the plan makes {moves} moves, above max_moves = {pol.max_moves}"
            )
        )
    return out
