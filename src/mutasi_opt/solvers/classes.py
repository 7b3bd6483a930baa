"""Exact aggregation of employees into classes of interchangeable people.

Two employees are interchangeable for a set of stages when swapping them never
changes any constraint or stage value: same home unit, role, capacity, allowed
units, qualification for every requirement that exists, and — when the
preference stage is included — the same preference list.  A class gets one
integer flow per allowed target unit instead of one boolean per person, which
is exact: every class-level solution splits into individual assignments with
identical stage values, and back.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .. import metrics
from ..model import Problem

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

__all__ = ["Classes", "build_classes"]


@dataclass(frozen=True, eq=False)
class Classes:
    """Employees grouped into interchangeable classes.

    ``members[c]`` are employee positions (ascending); ``targets[c]`` are the
    allowed units other than home (empty for immovable classes);
    ``pref_cost[c]`` is aligned with ``targets[c]`` (cost of one member moving
    there).
    """

    members: tuple[IntArray, ...]
    home: IntArray
    role: IntArray
    cap_hours: IntArray
    size: IntArray
    targets: tuple[IntArray, ...]
    pref_cost: tuple[IntArray, ...]
    qualified: BoolArray  # [Q, C]
    with_preferences: bool

    @property
    def n(self) -> int:
        """Number of classes."""
        return len(self.members)

    def employee_class(self, n_employees: int) -> IntArray:
        """Class position of every employee."""
        out = np.empty(n_employees, dtype=np.int64)
        for c, m in enumerate(self.members):
            out[m] = c
        return out


def build_classes(problem: Problem, *, with_preferences: bool) -> Classes:
    """Group the problem's employees into classes (see module docstring)."""
    idx = problem.index
    cap = metrics.capacity_hours(problem)
    mov = metrics.movable(problem)
    unlisted = problem.policy.unlisted_preference_cost
    n_e = idx.n_employees
    qual_bytes = (
        [idx.qualified[:, e].tobytes() for e in range(n_e)] if idx.qualified.size else [b""] * n_e
    )
    groups: dict[tuple[object, ...], list[int]] = {}
    for e in range(n_e):
        key: tuple[object, ...] = (
            int(idx.home[e]),
            int(idx.role[e]),
            int(cap[e]),
            bool(mov[e]),
            tuple(sorted(idx.refused[e])) if mov[e] else (),
            qual_bytes[e],
            idx.preferred[e] if (with_preferences and mov[e]) else (),
        )
        groups.setdefault(key, []).append(e)
    keys = sorted(groups, key=lambda k: groups[k][0])
    members = tuple(np.array(groups[k], dtype=np.int64) for k in keys)
    first = np.array([m[0] for m in members], dtype=np.int64)
    targets: list[IntArray] = []
    prefs: list[IntArray] = []
    for c, e in enumerate(first):
        allowed = metrics.allowed_units(problem, int(e))
        tgt = allowed[allowed != idx.home[e]]
        targets.append(tgt)
        if with_preferences:
            plist = idx.preferred[e]
            prefs.append(
                np.array(
                    [plist.index(int(u)) if int(u) in plist else unlisted for u in tgt],
                    dtype=np.int64,
                )
            )
        else:
            prefs.append(np.zeros(len(tgt), dtype=np.int64))
        del c
    return Classes(
        members=members,
        home=idx.home[first].copy(),
        role=idx.role[first].copy(),
        cap_hours=cap[first].copy(),
        size=np.array([len(m) for m in members], dtype=np.int64),
        targets=tuple(targets),
        pref_cost=tuple(prefs),
        qualified=idx.qualified[:, first].copy(),
        with_preferences=with_preferences,
    )
