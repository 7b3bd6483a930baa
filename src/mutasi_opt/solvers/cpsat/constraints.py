"""Hard rules, posted one method per rule in a documented order.

Order: (1) class conservation, (2) unit headcount bounds, (3) move budget,
(4) pairs (relatives kept apart, couples kept together), (5) rotation (with
``rotation_required``, who must rotate leaves their unit), (6) the fairness rules
(``individual_rationality``, ``no_justified_envy``).
Each rule group can be guarded by an enforcement literal so that the
diagnosis can find a small conflicting set with assumptions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from ... import metrics
from ...domain.problem import Problem
from .objective import Expressions, LinExpr
from .variables import Variables

__all__ = ["Constraints", "RuleGroup"]


@dataclass(frozen=True)
class RuleGroup:
    """A group of hard constraints that the diagnosis can switch off.

    ``kind`` is ``min_staff``, ``max_staff``, ``max_moves``, ``pair``, ``rotation``
    (every employee who must rotate; ``bound`` is their number),
    ``individual_rationality`` or ``no_justified_envy`` (the policy's fairness rules
    at one unit: who may arrive there); ``unit`` is the unit position for headcount
    and fairness rules, the pair's position in ``Problem.pairs`` for a pair.
    """

    kind: str
    unit: int | None
    bound: int
    literal: cp_model.IntVar | None = field(default=None, compare=False)


class Constraints:
    """Posts the hard constraints of the problem on ``model``."""

    def __init__(
        self,
        model: cp_model.CpModel,
        problem: Problem,
        variables: Variables,
        expressions: Expressions,
        *,
        guarded: bool = False,
    ) -> None:
        self.model = model
        self.problem = problem
        self.vars = variables
        self.expr = expressions
        self.guarded = guarded
        self.groups: list[RuleGroup] = []
        #: the proto row of ``moves ≤ max_moves`` (None without a budget, or guarded)
        self.move_budget_row: int | None = None

    def post_all(self) -> None:
        """Post every rule in the documented order."""
        self._class_conservation()
        self._headcount_bounds()
        self._move_budget()
        self._pairs()
        self._rotation()
        self._fairness()

    def _literal(self, name: str) -> cp_model.IntVar | None:
        return self.model.new_bool_var(name) if self.guarded else None

    def _post(
        self, ct: cp_model.BoundedLinearExpression | bool, lit: cp_model.IntVar | None
    ) -> None:
        if isinstance(ct, bool) or not hasattr(ct, "bounds"):
            # a constant comparison: true is nothing to post, false is a contradiction
            if bool(ct):
                return
            if lit is None:
                self.model.add_bool_or([])
            else:
                self.model.add_bool_or([lit.negated()])
            return
        posted = self.model.add(ct)
        if lit is not None:
            posted.only_enforce_if(lit)

    def _class_conservation(self) -> None:
        """Per type, members leaving = members arriving; preferred moves are real moves."""
        v = self.vars
        cl = v.classes
        for t in range(cl.n_types):
            leaving = [v.out[c] for c in cl.type_classes[t] if v.out[c] is not None]
            arriving = [v.arrive[a] for a in np.flatnonzero(v.arr_type == t)]
            if leaving or arriving:
                self.model.add(
                    cp_model.LinearExpr.sum(leaving) == cp_model.LinearExpr.sum(arriving)
                )
        by_emp: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        by_class: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        by_arrival: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for p, opt in zip(v.pref, cl.pref_options, strict=True):
            by_emp[opt.employee].append(p)
            by_class[opt.cls].append(p)
            by_arrival[v.arr_index[(opt.typ, opt.unit)]].append(p)
        for ps in by_emp.values():
            if len(ps) > 1:
                self.model.add_at_most_one(ps)
        for c, ps in by_class.items():
            out = v.out[c]
            assert out is not None
            self.model.add(cp_model.LinearExpr.sum(ps) <= out)
        for a, ps in by_arrival.items():
            self.model.add(cp_model.LinearExpr.sum(ps) <= v.arrive[a])
        self._refusals()

    def _refusals(self) -> None:
        """Leavers can be matched to arrival places without refused units (Hall).

        Per type and unit set W ⊆ some class's refused set: arrivals into W
        minus preferred moves pinned into W ≤ free leavers (not pinned by a
        preferred move) who do not refuse all of W.  Written against the
        type's total of free leavers ``F_t`` so each row only names W's
        arrivals and the few classes that refuse all of W.
        """
        v = self.vars
        cl = v.classes
        opts_of_class: dict[int, list[int]] = defaultdict(list)
        opts_at: dict[tuple[int, int], list[int]] = defaultdict(list)
        for k, opt in enumerate(cl.pref_options):
            opts_of_class[opt.cls].append(k)
            opts_at[(opt.typ, opt.unit)].append(k)
        for t in range(cl.n_types):
            sets = cl.refusal_sets(t)
            if not sets:
                continue
            classes = [int(c) for c in cl.type_classes[t] if v.out[int(c)] is not None]
            if not classes:
                continue  # nobody of this type can leave, so nobody arrives either
            size = int(sum(int(cl.size[c]) for c in classes))
            free_terms: list[tuple[cp_model.IntVar, int]] = []
            for c in classes:
                out = v.out[c]
                assert out is not None
                free_terms.append((out, 1))
                free_terms.extend((v.pref[k], -1) for k in opts_of_class.get(c, []))
            free = self.model.new_int_var(0, size, f"free_leavers_{t}")
            vs, cs = zip(*free_terms, strict=True)
            self.model.add(cp_model.LinearExpr.weighted_sum(list(vs), list(cs)) == free)
            refusing: dict[int, list[int]] = defaultdict(list)  # unit → classes refusing it
            for c in classes:
                for u in cl.barred[c]:
                    refusing[u].append(c)
            for w in sets:
                terms: list[tuple[cp_model.IntVar, int]] = [(free, -1)]
                for u in w:
                    a = v.arr_index.get((t, u))
                    if a is not None:
                        terms.append((v.arrive[a], 1))
                    terms.extend((v.pref[k], -1) for k in opts_at.get((t, u), []))
                # free leavers refusing every unit of W cannot take these places
                w_set = set(w)
                for c in refusing[w[0]]:
                    if w_set <= set(cl.barred[c]):
                        out = v.out[c]
                        assert out is not None
                        terms.append((out, 1))
                        terms.extend((v.pref[k], -1) for k in opts_of_class.get(c, []))
                vs, cs = zip(*terms, strict=True)
                self.model.add(cp_model.LinearExpr.weighted_sum(list(vs), list(cs)) <= 0)

    def _headcount_bounds(self) -> None:
        """min_staff ≤ headcount(u) ≤ max_staff where given."""
        idx = self.problem.index
        for u in range(idx.n_units):
            lo, hi = int(idx.min_staff[u]), int(idx.max_staff[u])
            if lo < 0 and hi < 0:
                continue
            head = self.expr.headcount(u)
            if lo >= 0:
                lit = self._literal(f"min_staff_{u}")
                self._post(head >= lo, lit)
                self.groups.append(RuleGroup("min_staff", u, lo, lit))
            if hi >= 0:
                lit = self._literal(f"max_staff_{u}")
                self._post(head <= hi, lit)
                self.groups.append(RuleGroup("max_staff", u, hi, lit))

    def _move_budget(self) -> None:
        """Number of moves ≤ max_moves."""
        budget = self.problem.policy.max_moves
        if budget is None:
            return
        lit = self._literal("max_moves")
        row = len(self.model.proto.constraints)
        self._post(self.expr.moves() <= budget, lit)
        if lit is None and len(self.model.proto.constraints) == row + 1:
            self.move_budget_row = row
        self.groups.append(RuleGroup("max_moves", None, budget, lit))

    def _places(self, e: int) -> dict[int, LinExpr | int]:
        """Unit → 1 when employee ``e`` is there after the plan (an expression of the
        decisions), for every unit ``e`` may be in.  A member of a pair is its own
        type and class (:mod:`mutasi_opt.solvers.aggregation`): it is at an arrival
        unit of its type when that arrival is 1, and at home when it does not leave."""
        v = self.vars
        cl = v.classes
        home = int(self.problem.index.home[e])
        c = self._class_of.get(e)
        if c is None or v.out[c] is None:
            return {home: 1}
        out = v.out[c]
        assert out is not None
        t = int(cl.ctype[c])
        places: dict[int, LinExpr | int] = {home: 1 - out}
        for a in np.flatnonzero(v.arr_type == t).tolist():
            u = int(v.arr_unit[a])
            places[u] = places.get(u, 0) + v.arrive[a]
        return places

    def _singles(self) -> dict[int, int]:
        """Employee → class of the employees that are their own class."""
        cl = self.vars.classes
        return {int(m[0]): c for c, m in enumerate(cl.members) if len(m) == 1}

    def _rotation(self) -> None:
        """With ``rotation_required``: each employee who must rotate is not at home."""
        rotate = np.flatnonzero(metrics.must_rotate(self.problem)).tolist()
        if not rotate:
            return
        self._class_of = self._singles()
        lit = self._literal("rotation")
        for e in rotate:
            home = int(self.problem.index.home[e])
            self._post(self._places(e)[home] == 0, lit)
        self.groups.append(RuleGroup("rotation", None, len(rotate), lit))

    def _pairs(self) -> None:
        """Relatives (kind ``separate``) are never both in one unit; a couple (kind
        ``together``) is in one area (units without an area: one unit)."""
        problem = self.problem
        if not problem.pairs:
            return
        idx = problem.index
        self._class_of = self._singles()
        area = {
            u: (f"area:{x.area}" if x.area else f"unit:{x.unit}")
            for u, x in enumerate(problem.units)
        }
        for k, pair in enumerate(problem.pairs):
            a = self._places(idx.nip_pos[str(pair.nip_a)])
            b = self._places(idx.nip_pos[str(pair.nip_b)])
            lit = self._literal(f"pair_{k}")
            if pair.kind == "separate":
                for u in sorted(set(a) & set(b)):
                    self._post(a[u] + b[u] <= 1, lit)
            else:
                keys = sorted({area[u] for u in (*a, *b)})
                for key in keys:
                    in_a = sum((x for u, x in a.items() if area[u] == key), start=0)
                    in_b = sum((x for u, x in b.items() if area[u] == key), start=0)
                    self._post(in_a == in_b, lit)
            self.groups.append(RuleGroup("pair", k, 0, lit))

    def _fairness(self) -> None:
        """The fairness rules of the policy (see :mod:`mutasi_opt.planning.fairness`).

        Every listed unit an employee may take has an option (the classes give one
        when a rule is on), so the *free* arrivals of type ``t`` at ``u`` (``arrive``
        minus the options taken there) are the arrivals of staff who did not list
        ``u`` (under individual rationality the classes bar a leaver's listed units
        to its free moves, so a listed arrival always takes its option).

        * individual rationality: see :meth:`_individual_rationality`;
        * no justified envy: for each option (employee ``i``, unit ``u``, rank ``r``),
          unless ``i`` takes ``u`` or an option ranked before it, nobody of ``i``'s role
          with fewer points arrives at ``u`` (types carry their points):
          ``Σ_t arrive[t, u] ≤ size · Σ_{i's options ranked ≤ r}``.
        """
        pol = self.problem.policy
        if not (pol.individual_rationality or pol.no_justified_envy):
            return
        v, cl, idx = self.vars, self.vars.classes, self.problem.index
        # the options of listed units (a draft option to a unit the employee did not
        # list is no listing: its arrival is a free one, and it envies nobody)
        listed = [
            k for k, opt in enumerate(cl.pref_options) if opt.unit in idx.preferred[opt.employee]
        ]
        opts_at: dict[tuple[int, int], list[int]] = defaultdict(list)
        for k in listed:
            opt = cl.pref_options[k]
            opts_at[(opt.typ, opt.unit)].append(k)
        if pol.individual_rationality:
            self._individual_rationality(opts_at)
        if pol.no_justified_envy:
            points = metrics.priority_points(self.problem)
            type_points = np.array(
                [points[int(cl.members[int(cs[0])][0])] for cs in cl.type_classes], dtype=float
            )
            type_size = np.zeros(cl.n_types, dtype=np.int64)
            np.add.at(type_size, cl.ctype, cl.size)
            rank_of = {
                (opt.employee, opt.unit): idx.preferred[opt.employee].index(opt.unit)
                for opt in (cl.pref_options[k] for k in listed)
            }
            by_emp: dict[int, list[int]] = defaultdict(list)
            for k in listed:
                by_emp[cl.pref_options[k].employee].append(k)
            envy_lit: dict[int, cp_model.IntVar | None] = {}
            for k in listed:
                opt = cl.pref_options[k]
                i, u, r = opt.employee, opt.unit, rank_of[(opt.employee, opt.unit)]
                role = int(cl.type_role[opt.typ])
                lower = [
                    t
                    for t in range(cl.n_types)
                    if int(cl.type_role[t]) == role
                    and type_points[t] < points[i]
                    and (t, u) in v.arr_index
                ]
                if not lower:
                    continue
                bad = [v.arrive[v.arr_index[(t, u)]] for t in lower]
                mine = [v.pref[m] for m in by_emp[i] if rank_of[(i, cl.pref_options[m].unit)] <= r]
                size = int(type_size[lower].sum())
                if u not in envy_lit:  # one rule group per unit someone listed
                    envy_lit[u] = self._literal(f"no_justified_envy_{u}")
                    self.groups.append(RuleGroup("no_justified_envy", u, 0, envy_lit[u]))
                self._post(
                    cp_model.LinearExpr.sum(bad) <= size * cp_model.LinearExpr.sum(mine),
                    envy_lit[u],
                )

    def _individual_rationality(self, opts_at: dict[tuple[int, int], list[int]]) -> None:
        """Free arrivals (unlisted movers) only where a requirement would otherwise be short.

        Per unit ``u`` and arrival type ``t``, ``f[t, u]`` = ``arrive`` minus the listed
        options taken.  A type qualified for none of ``u``'s requirements keeps
        ``f = 0``; the others split ``f`` over the requirements ``q`` they are qualified
        for, ``Σ_q x[t, q] = f[t, u]``, and requirement ``q`` takes at most its
        deficit ``max(0, min_staff_q − cover_q)``, where ``cover_q`` = qualified staff at
        ``u`` minus the free arrivals of types qualified for ``q`` (the staff who are
        not unlisted movers).  With a boolean ``b_q`` ("q has a deficit"), written as
        linear rows so that the LP relaxation keeps them (big-M):
        ``Σ_t x[t, q] ≤ min_staff_q · b_q`` and
        ``Σ_t x[t, q] + cover_q ≤ min_staff_q + M_q · (1 − b_q)``, ``M_q`` = employees
        qualified for ``q`` − ``min_staff_q``.  An integral ``x`` is a b-matching of
        the unlisted movers to the deficits, as :func:`mutasi_opt.metrics.
        individual_rationality_cover` checks.  One rule group per unit with arrivals
        (``individual_rationality``).
        """
        v, cl, idx = self.vars, self.vars.classes, self.problem.index
        reqs_at: dict[int, list[int]] = defaultdict(list)
        for q, u in enumerate(idx.req_unit.tolist()):
            reqs_at[int(u)].append(q)
        type_size = np.zeros(cl.n_types, dtype=np.int64)
        np.add.at(type_size, cl.ctype, cl.size)
        by_unit: dict[int, list[int]] = defaultdict(list)
        for a in range(len(v.arrive)):
            by_unit[int(v.arr_unit[a])].append(a)
        for u in sorted(by_unit):
            lit = self._literal(f"individual_rationality_{u}")
            reqs = reqs_at.get(u, [])
            share: dict[int, list[Any]] = defaultdict(list)  # q → x[t, q] of its types
            free_of: dict[int, list[Any]] = defaultdict(list)  # q → f[t, u] of its types
            for a in by_unit[u]:
                t = int(v.arr_type[a])
                free = v.arrive[a] - cp_model.LinearExpr.sum(
                    [v.pref[k] for k in opts_at.get((t, u), [])]
                )
                mine = [q for q in reqs if cl.type_qualified[q, t]]
                if not mine:
                    self._post(free == 0, lit)
                    continue
                for q in mine:
                    free_of[q].append(free)
                if len(mine) == 1:
                    share[mine[0]].append(free)
                    continue
                xs = [self.model.new_int_var(0, int(type_size[t]), f"ir_x_{t}_{q}") for q in mine]
                self._post(cp_model.LinearExpr.sum(xs) == free, lit)
                for q, x in zip(mine, xs, strict=True):
                    share[q].append(x)
            for q in reqs:
                if not share[q]:
                    continue
                m = int(self.problem.requirements[q].min_staff)
                big = max(0, int(idx.qualified[q].sum()) - m)
                taken = cp_model.LinearExpr.sum(share[q])
                cover = self.expr.qualified(q) - cp_model.LinearExpr.sum(free_of[q])
                short = self.model.new_bool_var(f"ir_short_{q}")
                self._post(taken <= m * short, lit)
                self._post(taken + cover <= m + big * (1 - short), lit)
            self.groups.append(RuleGroup("individual_rationality", u, 0, lit))
