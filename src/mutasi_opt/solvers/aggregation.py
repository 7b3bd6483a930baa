"""Exact aggregation of employees into types and classes.

A *type* groups the movable employees that are interchangeable wherever they
come from: same role, capacity and qualification for every requirement that
exists (and, with ``trainable_gap`` > 0, the same near-qualification, see
:func:`mutasi_opt.metrics.near_qualified`); its target units are all units
with demand for the role. A *class* is a type at one home unit with one set of
refused units. The solver decides, per class, how many members leave
(``out[c]``) and, per type, how many arrive at each target unit
(``in[t, u]``), with ``Σ_c out = Σ_u in`` per type.  Everything the stages
before preferences measure (capacity per unit and role, headcounts, qualified
and near-qualified counts, number of moves) depends only on these counts, so
the aggregation is exact: every individual assignment maps to counts with the same
values, and every count solution maps back to an assignment that is no worse
(a member "leaving" and "arriving" at the same home simply stays).

Members of a pair (relatives kept apart, couples kept together) are each their own
type, so the arrivals of that type say where the one person goes and the pair's
rule is a constraint on them (``solvers.cpsat.constraints``).

Preferences (stage 5) are per person: for employees with preferred units the
solver gets one boolean per (employee, preferred unit); moving to the k-th
preferred unit saves ``unlisted_preference_cost − (k − 1)`` over an unlisted
move.  Immovable employees are constants and appear in no class.

Refusals do not split types (that would multiply the arrival variables by
the number of distinct refused sets).  Instead, the leavers of a type must be
matchable to its arrival places without sending anyone to a refused unit;
by Hall's theorem that holds exactly when, for every set W of units contained
in some class's refused set, the arrivals into W (minus preferred moves pinned
there) do not exceed the free leavers who do not refuse all of W — see
``refusal_sets`` and the constraints in ``solvers.cpsat.constraints``.
A class's *barred* units add to its refusals the preferred units dearer than an
unlisted move and, under ``individual_rationality``, every listed unit and its home:
its leavers reach those only through a preference option (never home), so that a
free arrival is an unlisted mover, as the rule counts them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import metrics
from ..domain.arrays import BoolArray, IntArray
from ..domain.problem import Problem

__all__ = ["Classes", "PrefOption", "build_classes"]


@dataclass(frozen=True)
class PrefOption:
    """Employee ``employee`` (class ``cls``, type ``typ``) may move to preferred
    unit ``unit``, saving ``saving`` preference points over an unlisted move."""

    employee: int
    cls: int
    typ: int
    unit: int
    saving: int
    #: the employee's ``draft_unit`` (taking the option keeps the draft's decision)
    draft: bool = False


@dataclass(frozen=True, eq=False)
class Classes:
    """Movable employees grouped into types and classes (see module docstring).

    Class arrays (``members``, ``home``, ``ctype``, ``size``, ``qualified``,
    ``near``) are indexed by class; type arrays (``type_role``, ``type_cap``,
    ``type_targets``, ``type_qualified``, ``type_near``, ``type_classes``) by
    type.  ``near``/``type_near`` (near-qualified for a requirement) are all
    False when ``trainable_gap`` is 0.
    """

    members: tuple[IntArray, ...]
    home: IntArray
    ctype: IntArray
    size: IntArray
    qualified: BoolArray  # [Q, C]
    type_role: IntArray
    type_cap: IntArray  # capacity in hours
    type_targets: tuple[IntArray, ...]
    type_qualified: BoolArray  # [Q, T]
    type_classes: tuple[IntArray, ...]
    pref_options: tuple[PrefOption, ...]
    refused: tuple[tuple[int, ...], ...]  # per class: refused target units (sorted)
    #: per class: units a *free* leaver (one without a chosen preference option)
    #: may not take: refused units and preferred units dearer than an unlisted one
    barred: tuple[tuple[int, ...], ...]
    near: BoolArray  # [Q, C]
    type_near: BoolArray  # [Q, T]
    #: per class: 0 no draft unit, 1 the draft keeps the members home, 2 it moves them
    #: (each mover whose draft unit they may take has a ``draft`` option)
    draft_kind: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: structures derived from the classes alone, computed once by their users
    #: (e.g. the greedy search's Hall checks and requirement incidence)
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    #: per class: one employee whose place a rule of its own decides (a member of a pair,
    #: ``Problem.pairs``, or someone who must rotate, ``metrics.must_rotate``): its own
    #: type and class, whose counts the local searches never change (the CP-SAT model
    #: keeps the rule)
    single: BoolArray = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))

    def refusal_sets(self, t: int) -> list[tuple[int, ...]]:
        """The unit sets W of type ``t`` that need a Hall constraint: every
        non-empty subset of a barred set of one of its classes."""
        out: set[tuple[int, ...]] = set()
        for c in self.type_classes[t]:
            r = self.barred[int(c)]
            for mask in range(1, 1 << len(r)):
                out.add(tuple(u for k, u in enumerate(r) if mask >> k & 1))
        return sorted(out)

    @property
    def n(self) -> int:
        """Number of classes."""
        return len(self.members)

    @property
    def n_types(self) -> int:
        """Number of types."""
        return len(self.type_targets)


def build_classes(problem: Problem, *, per_employee: bool = False) -> Classes:
    """Group the problem's movable employees into types and classes.

    With ``per_employee`` every movable employee is its own type (and class):
    the naive model with one 0/1 variable per employee and allowed unit, kept
    as a benchmark peer and as the reference the aggregation is tested against.
    """
    idx = problem.index
    cap = metrics.capacity_hours(problem)
    mov = metrics.movable(problem)
    n_e = idx.n_employees
    qual_cols = idx.qualified.T  # [E, Q]
    near = metrics.near_qualified(problem)  # [Q, E]; all False without trainable_gap
    near_cols = near.T if problem.policy.trainable_gap > 0 else None
    type_keys: dict[tuple[object, ...], int] = {}
    class_keys: dict[tuple[int, int, tuple[int, ...], tuple[int, ...], int], int] = {}
    draft = metrics.draft_units(problem)
    class_draft: list[int] = []
    class_refused: list[tuple[int, ...]] = []
    class_barred: list[tuple[int, ...]] = []
    unlisted = problem.policy.unlisted_preference_cost
    pol = problem.policy
    envy = pol.no_justified_envy
    points = metrics.priority_points(problem)
    #: the fairness rules need an option for every listed unit (saving 0 too)
    every = envy or pol.individual_rationality
    class_members: list[list[int]] = []
    class_type: list[int] = []
    class_home: list[int] = []
    type_first: list[int] = []
    # members of a pair, and who must rotate: their own type (its arrivals are where
    # that one person goes)
    paired = {idx.nip_pos[str(nip)] for p in problem.pairs for nip in (p.nip_a, p.nip_b)}
    paired |= set(np.flatnonzero(metrics.must_rotate(problem)).tolist())
    for e_pos in np.flatnonzero(mov):
        e = int(e_pos)
        tkey: tuple[object, ...] = (
            int(idx.role[e]),
            int(cap[e]),
            qual_cols[e].tobytes(),
            e if per_employee or e in paired else -1,
        )
        if near_cols is not None:
            tkey += (near_cols[e].tobytes(),)
        if envy:
            tkey += (float(points[e]),)  # who may arrive depends on their priority
        # only refusals of units that have demand for the role restrict anything
        refused = tuple(sorted(u for u in idx.refused[e] if idx.has_demand[u, idx.role[e]]))
        # preferred units that cost more than an unlisted one (rank − 1 > unlisted):
        # a leaver may go there only through its preference option, never "freely";
        # under individual rationality every listed unit (a free arrival is then an
        # unlisted mover, as the rule counts them)
        expensive = tuple(
            sorted(
                u
                for rank, u in enumerate(idx.preferred[e])
                if (rank > unlisted or pol.individual_rationality)
                and idx.has_demand[u, idx.role[e]]
                and u != idx.home[e]
            )
        )
        t = type_keys.setdefault(tkey, len(type_keys))
        if t == len(type_first):
            type_first.append(e)
        kind = 0 if draft[e] < 0 else (1 if draft[e] == idx.home[e] else 2)
        if pol.individual_rationality and idx.has_demand[idx.home[e], idx.role[e]]:
            # nor their home: a leaver "arriving" home stays, and would pass for an
            # unlisted mover there (the rule's counts need every free arrival to be one)
            expensive = tuple(sorted({*expensive, int(idx.home[e])}))
        ckey = (t, int(idx.home[e]), refused, expensive, kind)
        c = class_keys.get(ckey)
        if c is None:
            c = class_keys[ckey] = len(class_members)
            class_draft.append(kind)
            class_members.append([])
            class_refused.append(refused)
            class_barred.append(tuple(sorted(set(refused) | set(expensive))))
            class_type.append(t)
            class_home.append(int(idx.home[e]))
        class_members[c].append(e)
    n_t = len(type_first)
    targets = tuple(
        np.flatnonzero(idx.has_demand[:, int(idx.role[e])]).astype(np.int64) for e in type_first
    )
    ctype = np.array(class_type, dtype=np.int64)
    members = tuple(np.array(m, dtype=np.int64) for m in class_members)
    first = np.array([m[0] for m in members], dtype=np.int64)
    type_classes = tuple(np.flatnonzero(ctype == t).astype(np.int64) for t in range(n_t))
    options: list[PrefOption] = []
    emp_class = np.full(n_e, -1, dtype=np.int64)
    for c, m in enumerate(members):
        emp_class[m] = c
    for e_pos in np.flatnonzero(mov):
        e = int(e_pos)
        prefs = idx.preferred[e]
        drafted = int(draft[e]) if draft[e] >= 0 and draft[e] != idx.home[e] else -1
        if not prefs and drafted < 0:
            continue
        c = int(emp_class[e])
        t = int(ctype[c])
        allowed = set(targets[t].tolist()) - set(class_refused[c])
        for rank, u in enumerate(prefs):
            saving = unlisted - rank  # negative for a preferred unit dearer than unlisted
            if (saving != 0 or u == drafted or every) and u in allowed and u != idx.home[e]:
                options.append(PrefOption(e, c, t, int(u), saving, draft=u == drafted))
        if drafted >= 0 and drafted not in prefs and drafted in allowed:
            # the draft's move to an unlisted unit: an option that saves no preference points
            options.append(PrefOption(e, c, t, drafted, 0, draft=True))
    tf = np.array(type_first, dtype=np.int64)
    no_req = np.zeros((len(problem.requirements), 0), dtype=np.bool_)
    return Classes(
        members=members,
        home=np.array(class_home, dtype=np.int64),
        ctype=ctype,
        size=np.array([len(m) for m in members], dtype=np.int64),
        qualified=idx.qualified[:, first]
        if first.size
        else np.zeros((len(problem.requirements), 0), dtype=np.bool_),
        type_role=idx.role[tf].copy() if tf.size else np.zeros(0, dtype=np.int64),
        type_cap=cap[tf].copy() if tf.size else np.zeros(0, dtype=np.int64),
        type_targets=targets,
        type_qualified=idx.qualified[:, tf]
        if tf.size
        else np.zeros((len(problem.requirements), 0), dtype=np.bool_),
        type_classes=type_classes,
        pref_options=tuple(options),
        refused=tuple(class_refused),
        barred=tuple(class_barred),
        near=near[:, first] if first.size else no_req,
        type_near=near[:, tf] if tf.size else no_req,
        single=np.array([int(m[0]) in paired for m in members], dtype=np.bool_).reshape(
            len(members)
        ),
        draft_kind=np.array(class_draft, dtype=np.int64),
    )
