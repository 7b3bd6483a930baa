"""Exact decomposition into independent role pools.

Role pools that share no constraint can be solved one by one and the plans
put side by side.  Two roles are coupled when

* a unit with ``min_staff`` or ``max_staff`` has staff or demand of both
  (its headcount counts everyone), or
* a competency requirement at a unit can be met by qualified employees of
  both (home there, or able to be sent there) — with ``trainable_gap`` > 0,
  near-qualified employees count as well.

The move budget couples every pool, and so does ``imbalance_tolerance_hours``
(one slack shared by all); decomposition is therefore used only when
``max_moves`` is unset and the tolerance is 0.  Then every stage value is
the sum of the pools' stage values and the lexicographic optimum of the whole
is the union of the pools' optima: stage k of the whole holds stages 1..k−1
at their sums of minima, which forces every pool to its own minimum.  Each
requirement belongs to one pool, so its shortfall and training needs do too.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .. import metrics
from ..domain.problem import Problem

__all__ = ["role_components", "subproblem"]


def _presence(problem: Problem) -> npt.NDArray[np.bool_]:
    """``[U, R]``: role r has demand at unit u or employees whose home is u."""
    idx = problem.index
    present: npt.NDArray[np.bool_] = idx.has_demand.copy()
    present[idx.home, idx.role] = True
    return present


def _counts_toward(problem: Problem) -> npt.NDArray[np.bool_]:
    """``[Q, E]``: employee e counts toward requirement q at its unit (qualified, or
    near-qualified with ``trainable_gap`` > 0)."""
    idx = problem.index
    if problem.policy.trainable_gap == 0:
        return idx.qualified
    out: npt.NDArray[np.bool_] = idx.qualified | metrics.near_qualified(problem)
    return out


def role_components(problem: Problem) -> list[list[int]]:
    """Groups of role positions that share no constraint (sorted, deterministic)."""
    idx = problem.index
    parent = list(range(idx.n_roles))

    def find(r: int) -> int:
        while parent[r] != r:
            parent[r] = parent[parent[r]]
            r = parent[r]
        return r

    def join(roles: npt.NDArray[np.int64]) -> None:
        members = [int(r) for r in roles]
        for r in members[1:]:
            a, b = find(members[0]), find(r)
            if a != b:
                parent[max(a, b)] = min(a, b)

    present = _presence(problem)
    bounded = (idx.min_staff >= 0) | (idx.max_staff >= 0)
    for unit in np.flatnonzero(bounded):
        join(np.flatnonzero(present[int(unit)]))
    movable = metrics.movable(problem)
    counts = _counts_toward(problem)
    for q in range(len(problem.requirements)):
        u = int(idx.req_unit[q])
        qual = counts[q]
        reach = (idx.home == u) | (movable & idx.has_demand[u, idx.role])
        join(np.unique(idx.role[qual & reach]))
    for pair in problem.pairs:  # a pair's rule ties its two employees' pools
        join(idx.role[[idx.nip_pos[str(pair.nip_a)], idx.nip_pos[str(pair.nip_b)]]])
    groups: dict[int, list[int]] = {}
    for r in range(idx.n_roles):
        groups.setdefault(find(r), []).append(r)
    return sorted(groups.values())


def subproblem(problem: Problem, roles: list[int], *, first: bool) -> Problem:
    """The part of ``problem`` for the role pools ``roles``.

    Keeps their employees, demand rows and the requirements they can affect,
    every unit (so refusals and preferences stay valid) with headcount bounds
    only where these roles are present; ``first`` also takes the bounds and
    requirements no role can affect (constants, e.g. an empty unit's
    ``min_staff``), so they are counted exactly once.
    """
    idx = problem.index
    names = {idx.roles[r] for r in roles}
    mask = np.zeros(idx.n_roles, dtype=bool)
    mask[roles] = True
    present = _presence(problem)
    ours = np.asarray(present[:, mask].any(axis=1), dtype=np.bool_)
    anyone = np.asarray(present.any(axis=1), dtype=np.bool_)
    units = []
    for u, unit in enumerate(problem.units):
        keep_bounds = bool(ours[u]) or (first and not anyone[u])
        units.append(
            unit.replace(
                min_staff=unit.min_staff if keep_bounds else None,
                max_staff=unit.max_staff if keep_bounds else None,
                workload_hours=unit.workload_hours if "" in names else None,
            )
        )
    movable = metrics.movable(problem)
    counts = _counts_toward(problem)
    requirements = []
    for q, req in enumerate(problem.requirements):
        u = int(idx.req_unit[q])
        reach = counts[q] & ((idx.home == u) | (movable & idx.has_demand[u, idx.role]))
        affected = set(idx.role[reach].tolist())
        if (affected and affected <= set(roles)) or (not affected and first):
            requirements.append(req)
    employees = tuple(e for e in problem.employees if e.role in names)
    nips = {e.nip for e in employees}
    return Problem(
        employees=employees,
        units=tuple(units),
        demand=tuple(d for d in problem.demand if d.role in names),
        requirements=tuple(requirements),
        policy=problem.policy,
        pairs=tuple(p for p in problem.pairs if p.nip_a in nips),  # (both: one pool)
    )
