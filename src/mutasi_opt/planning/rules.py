"""The rules of a real mutasi round beyond the balancing model (issue 16), checked
independently of the solver: inactive staff and staff about to retire stay, pairs
of relatives are never in one unit and couples stay together, with
``rotation_required`` everyone overdue who may move does, and no mutasi is
decreed in a blackout period.

:func:`round_violations` is part of :func:`~mutasi_opt.planning.check.check_plan`;
:func:`blackout_message` is the one wording of the blackout refusal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import numpy as np

from .. import metrics
from ..domain.arrays import IntArray
from ..domain.errors import InputError, InputIssue
from ..domain.problem import Pair, Policy, Problem
from ..results.findings import Violation

__all__ = [
    "area_of",
    "blackout_message",
    "in_blackout",
    "pair_broken",
    "pairs_hold",
    "refuse_blackout",
    "round_violations",
]


def in_blackout(policy: Policy, day: dt.date | None = None) -> bool:
    """Whether ``day`` (default ``policy.plan_date``) falls in the blackout period."""
    day = policy.plan_date if day is None else day
    start, end = policy.blackout_start, policy.blackout_end
    return day is not None and start is not None and end is not None and start <= day <= end


def blackout_message(policy: Policy) -> str:
    """Why no mutasi may be decreed at ``policy.plan_date``."""
    return (
        f"plan_date {policy.plan_date} falls in the blackout period {policy.blackout_start} to "
        f"{policy.blackout_end}, in which no mutasi may be decreed (e.g. UU 10/2016 Pasal 71: "
        "six months before a regional election's candidate confirmation); move plan_date "
        "after the period, or change blackout_start/blackout_end if the period is wrong"
    )


def refuse_blackout(policy: Policy) -> None:
    """Raise the :class:`~mutasi_opt.domain.errors.InputError` of a ``plan_date`` in
    the blackout period (``policy.toml``, key ``plan_date``); nothing otherwise."""
    if in_blackout(policy):
        raise InputError(
            [
                InputIssue(
                    "policy.toml",
                    None,
                    "plan_date",
                    str(policy.plan_date),
                    blackout_message(policy),
                )
            ]
        )


def area_of(problem: Problem) -> dict[str, str]:
    """Unit id → the place a couple kept together must share: the unit's ``area``,
    or the unit itself when it has none."""
    return {u.unit: f"area:{u.area}" if u.area else f"unit:{u.unit}" for u in problem.units}


def pair_broken(pair: Pair, unit_a: str, unit_b: str, areas: Mapping[str, str]) -> bool:
    """Whether the units of a pair's two employees break the pair's rule."""
    if pair.kind == "separate":
        return unit_a == unit_b
    return areas.get(unit_a, unit_a) != areas.get(unit_b, unit_b)


def pairs_hold(problem: Problem, assignment: IntArray) -> bool:
    """Whether every pair's rule holds under ``assignment`` (unit positions)."""
    if not problem.pairs:
        return True
    idx = problem.index
    areas = area_of(problem)
    for pair in problem.pairs:
        ua = idx.unit_ids[int(assignment[idx.nip_pos[str(pair.nip_a)]])]
        ub = idx.unit_ids[int(assignment[idx.nip_pos[str(pair.nip_b)]])]
        if pair_broken(pair, ua, ub, areas):
            return False
    return True


def round_violations(problem: Problem, after: Mapping[str, str]) -> list[Violation]:
    """Every issue-16 rule ``after`` (NIP → unit after the plan) breaks."""
    pol = problem.policy
    idx = problem.index
    out: list[Violation] = []
    inactive = metrics.inactive(problem)
    soon = metrics.retiring_soon(problem)
    leaving = soon | metrics.retiring(problem) if pol.retiring_capacity == "leave" else soon
    moved = 0
    for e, emp in enumerate(problem.employees):
        nip = idx.nips[e]
        unit = after.get(nip, emp.unit)
        if unit == emp.unit:
            continue
        moved += 1
        if inactive[e]:
            out.append(
                Violation("inactive", f"{nip} is not active ({emp.inactive}) but moves", nip, unit)
            )
        elif leaving[e]:
            day = metrics.retirement_dates(problem)[e]
            age = int(metrics.retirement_ages(problem)[e])
            out.append(
                Violation(
                    "retiring",
                    f"{nip} retires on {day} (BUP {age}), within the months in "
                    "which staff are not moved, but moves",
                    nip,
                    unit,
                )
            )
    for e in np.flatnonzero(metrics.must_rotate(problem)).tolist():
        nip = idx.nips[e]
        emp = problem.employees[e]
        if after.get(nip, emp.unit) == emp.unit:
            out.append(
                Violation(
                    "rotation",
                    f"{nip} has {emp.months_in_unit} months in unit {emp.unit}, over "
                    f"overdue_months = {pol.overdue_months}, and may be moved, but stays "
                    "(rotation_required)",
                    nip,
                    emp.unit,
                )
            )
    if moved and in_blackout(pol):
        out.append(Violation("blackout", f"the plan makes {moved} moves; " + blackout_message(pol)))
    areas = area_of(problem)
    for pair in problem.pairs:
        a, b = str(pair.nip_a), str(pair.nip_b)
        if a not in idx.nip_pos or b not in idx.nip_pos:
            continue
        ua = after.get(a, problem.employees[idx.nip_pos[a]].unit)
        ub = after.get(b, problem.employees[idx.nip_pos[b]].unit)
        if pair_broken(pair, ua, ub, areas):
            what = (
                f"relatives {a} and {b} (kind separate) are both in unit {ua}"
                if pair.kind == "separate"
                else f"couple {a} and {b} (kind together) are in {ua} and {ub}, not in one "
                "unit or area"
            )
            out.append(Violation(f"pair_{pair.kind}", what, a, ua))
    return out
