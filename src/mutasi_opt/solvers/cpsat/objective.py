"""The stage expressions of the lexicographic objective.

All in exact integers, as :mod:`mutasi_opt.metrics` defines them:

1. shortfall (staff; near-qualified staff count with ``trainable_gap`` > 0),
1b. training needs (people; only with ``trainable_gap`` > 0),
2. ``Σ d(u, r)`` in centi-hours (``D`` = that ÷ 200 hours),
3. ``B`` scaled by 10,000 (``Σ_k Δs_k · max(0, 100·d − b_k·F)``),
3b. draft decisions changed (only with draft units),
4. moves,
5. preference cost.

Every expression includes its constant part, so its value equals the metric.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from ... import metrics
from ...domain.arrays import IntArray
from ...domain.limits import OutOfTime
from ...domain.problem import Policy, Problem
from .variables import Variables

__all__ = ["Expressions", "Objective", "deviation", "phi_terms"]

LinExpr = Any  # cp_model.LinearExprT: an ortools expression or an int


def _weighted(terms: list[tuple[cp_model.IntVar, int]], constant: int = 0) -> LinExpr:
    if not terms:
        return constant
    vs, cs = zip(*terms, strict=True)
    return cp_model.LinearExpr.weighted_sum(list(vs), list(cs)) + constant


def deviation(model: cp_model.CpModel, s: LinExpr, f: int, ub: int, name: str) -> cp_model.IntVar:
    """``d ≥ |S − F|`` (tight at the optimum of any stage that minimises it)."""
    d = model.new_int_var(0, ub, name)
    model.add(d >= s - f)
    model.add(d >= f - s)
    return d


def phi_terms(
    model: cp_model.CpModel, d: cp_model.IntVar, d_ub: int, f: int, policy: Policy, name: str
) -> list[tuple[cp_model.IntVar, int]]:
    """Terms of ``100·φ(d, F) = Σ_k Δs_k · max(0, 100·d − b_k·F)`` (see
    :func:`mutasi_opt.metrics.phi_scaled`), with one new variable ``e_k ≥
    100·d − b_k·F`` per breakpoint above 0 (none when ``F = 0``: then every
    hour costs the steepest slope).  Shared by the permanent and the
    secondment models."""
    terms: list[tuple[cp_model.IntVar, int]] = []
    prev = 0
    for k, (b, s) in enumerate(zip(policy.balance_breakpoints, policy.balance_slopes, strict=True)):
        step = s - prev
        prev = s
        if b == 0 or f == 0:
            terms.append((d, 100 * step))
            continue
        ub = max(0, 100 * d_ub - b * f)
        if ub == 0:
            continue
        ex = model.new_int_var(0, ub, f"{name}_{k}")
        model.add(ex >= 100 * d - b * f)
        terms.append((ex, step))
    return terms


def _nothing() -> None:
    return None


def _phi_of(f: int, policy: Policy) -> Callable[[int], int]:
    """``d ↦ 100·φ(d, f)`` in the scaled integers of :func:`metrics.phi_scaled`."""

    def phi(d: int) -> int:
        return metrics.phi_scaled_one(d, f, policy)

    return phi


def _distance(s0: int, step: int, f: int) -> Callable[[IntArray], IntArray]:
    """``k ↦ |S0 + step·k − F|`` (centi-hours), elementwise."""

    def cost(ks: IntArray) -> IntArray:
        return np.abs(s0 + step * ks - f)

    return cost


def _full_min(
    cost: Callable[[IntArray], IntArray], m: int, first: int, kmin: int, kmax: int, delta: int
) -> int | None:
    """``min (m·c(k) − Δ·k)`` over ``k ≡ first (mod m)`` in ``[kmin, kmax]`` (None if none)."""
    start = kmin + (first - kmin) % m
    if start > kmax:
        return None
    ks = np.arange(start, kmax + 1, m, dtype=np.int64)
    return int((m * cost(ks) - delta * ks).min())


class Expressions:
    """Linear expressions over the decision variables: headcounts, capacities,
    qualified and near-qualified counts, moves and preference cost."""

    def __init__(self, problem: Problem, variables: Variables) -> None:
        self.problem = problem
        self.vars = variables
        idx = problem.index
        home = idx.home
        cl = variables.classes
        self.head0 = metrics.headcount(problem, home)
        self.cap0 = metrics.assigned_capacity_centi(problem, home)
        self.qual0 = metrics.qualified_count(problem, home)
        self.near0 = metrics.near_count(problem, home)
        head_terms: dict[int, list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
        cap_terms: dict[tuple[int, int], list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
        qual_terms: dict[int, list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
        near_terms: dict[int, list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
        req_units = [int(u) for u in idx.req_unit]
        reqs_at: dict[int, list[int]] = defaultdict(list)
        for q, u in enumerate(req_units):
            reqs_at[u].append(q)
        for c, y in enumerate(variables.out):
            if y is None:
                continue
            h, t = int(cl.home[c]), int(cl.ctype[c])
            r, cap = int(cl.type_role[t]), int(cl.type_cap[t])
            head_terms[h].append((y, -1))
            cap_terms[(h, r)].append((y, -100 * cap))
            for q in reqs_at.get(h, ()):
                if cl.qualified[q, c]:
                    qual_terms[q].append((y, -1))
                if cl.near[q, c]:
                    near_terms[q].append((y, -1))
        for a, y in enumerate(variables.arrive):
            u, t = int(variables.arr_unit[a]), int(variables.arr_type[a])
            r, cap = int(cl.type_role[t]), int(cl.type_cap[t])
            head_terms[u].append((y, 1))
            cap_terms[(u, r)].append((y, 100 * cap))
            for q in reqs_at.get(u, ()):
                if cl.type_qualified[q, t]:
                    qual_terms[q].append((y, 1))
                if cl.type_near[q, t]:
                    near_terms[q].append((y, 1))
        self._head_terms = head_terms
        self._cap_terms = cap_terms
        self._qual_terms = qual_terms
        self._near_terms = near_terms
        self._minor_terms, self._minor_home, self.coarse_step = self._minor_staff()

    def _minor_staff(
        self,
    ) -> tuple[
        dict[tuple[int, int], list[tuple[cp_model.IntVar, int]]],
        dict[tuple[int, int], tuple[int, int]],
        dict[int, int],
    ]:
        """Movable staff whose capacity is off the role's main lattice.

        Per role, the *coarse step* ``G`` (centi-hours) is the gcd of the
        capacities that are multiples of the most common one (1,250 h for
        full-timers); a *minor* type (a half-timer, 625 h) is one whose
        capacity is not a multiple of ``G``.  Per pair this returns the terms
        of ``b`` = movable minor staff in the pair after the plan (stayers,
        as ``size − out``, plus arrivals), and ``(size, capacity)`` of the
        movable minor staff at home.  When ``b = 0`` the pair's capacity lies
        on ``offset + G·Z``; see :meth:`Objective._residues`.
        """
        cl = self.vars.classes
        coarse: dict[int, int] = {}
        for r in {int(x) for x in cl.type_role}:
            weight: dict[int, int] = defaultdict(int)
            for tt in np.flatnonzero(cl.type_role == r):
                weight[100 * int(cl.type_cap[tt])] += int(cl.size[cl.type_classes[tt]].sum())
            main = max(weight, key=lambda c: (weight[c], c))
            g = 0
            for c in weight:
                if c % main == 0:
                    g = math.gcd(g, c)
            if any(c % g for c in weight):
                coarse[r] = g
        terms: dict[tuple[int, int], list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
        home: dict[tuple[int, int], tuple[int, int]] = {}
        if not coarse:
            return terms, home, coarse
        for c, y in enumerate(self.vars.out):
            t = int(cl.ctype[c])
            r, cap = int(cl.type_role[t]), 100 * int(cl.type_cap[t])
            if y is None or r not in coarse or cap % coarse[r] == 0:
                continue
            key = (int(cl.home[c]), r)
            size = int(cl.size[c])
            n, total = home.get(key, (0, 0))
            home[key] = (n + size, total + size * cap)
            terms[key].append((y, -1))
        for a, y in enumerate(self.vars.arrive):
            u, t = int(self.vars.arr_unit[a]), int(self.vars.arr_type[a])
            r, cap = int(cl.type_role[t]), 100 * int(cl.type_cap[t])
            if r in coarse and cap % coarse[r]:
                terms[(u, r)].append((y, 1))
        return terms, home, coarse

    def minor_count(self, u: int, r: int) -> LinExpr:
        """Movable minor-capacity staff in pair ``(u, r)`` after the plan."""
        n, _ = self._minor_home.get((u, r), (0, 0))
        return _weighted(self._minor_terms.get((u, r), []), n)

    def headcount(self, u: int) -> LinExpr:
        """Headcount of unit ``u`` after the plan."""
        return _weighted(self._head_terms.get(u, []), int(self.head0[u]))

    def capacity(self, u: int, r: int) -> LinExpr:
        """``S(u, r)`` in centi-hours."""
        return _weighted(self._cap_terms.get((u, r), []), int(self.cap0[u, r]))

    def capacity_terms(self, u: int, r: int) -> list[tuple[cp_model.IntVar, int]]:
        """The variable terms of ``S(u, r)`` (without its constant)."""
        return list(self._cap_terms.get((u, r), []))

    def active_pairs(self) -> list[tuple[int, int]]:
        """(u, r) pairs whose capacity can change."""
        return sorted(k for k, t in self._cap_terms.items() if t)

    def qualified(self, q: int) -> LinExpr:
        """Qualified staff at requirement ``q``'s unit."""
        return _weighted(self._qual_terms.get(q, []), int(self.qual0[q]))

    def near(self, q: int) -> LinExpr:
        """Near-qualified staff at requirement ``q``'s unit (0 without ``trainable_gap``)."""
        return _weighted(self._near_terms.get(q, []), int(self.near0[q]))

    def moves(self) -> LinExpr:
        """Number of employees who change unit."""
        return _weighted([(y, 1) for y in self.vars.out if y is not None])

    def preference(self) -> LinExpr:
        """Preference cost: unlisted cost per move minus the savings of preferred moves."""
        unlisted = self.problem.policy.unlisted_preference_cost
        terms = [(y, unlisted) for y in self.vars.out if y is not None and unlisted]
        terms += [
            (p, -opt.saving)
            for p, opt in zip(self.vars.pref, self.vars.classes.pref_options, strict=True)
        ]
        return _weighted(terms)

    def changes(self) -> LinExpr:
        """Draft decisions changed: members of the classes the draft keeps home who
        leave, plus the draft's movers who do not take their draft option (or have
        none), plus the immovable employees the draft puts elsewhere (a constant)."""
        cl, idx = self.vars.classes, self.problem.index
        draft = metrics.draft_units(self.problem)
        in_class = np.zeros(idx.n_employees, dtype=np.bool_)
        for m in cl.members:
            in_class[m] = True
        fixed = (draft >= 0) & ~in_class & (draft != idx.home)
        constant = int(fixed.sum())
        terms = [
            (y, 1) for c, y in enumerate(self.vars.out) if y is not None and cl.draft_kind[c] == 1
        ]
        for c in np.flatnonzero(cl.draft_kind == 2):
            constant += int(cl.size[c])
        terms += [
            (p, -1) for p, opt in zip(self.vars.pref, cl.pref_options, strict=True) if opt.draft
        ]
        return _weighted(terms, constant)

    def changes_floor(self) -> int:
        """A lower bound of :meth:`changes` in every plan: its constant less one per
        draft option (the draft's movers who can no longer make the drafted move, and
        the immovable employees the draft puts elsewhere)."""
        cl = self.vars.classes
        idx = self.problem.index
        draft = metrics.draft_units(self.problem)
        in_class = np.zeros(idx.n_employees, dtype=np.bool_)
        for m in cl.members:
            in_class[m] = True
        fixed = int(((draft >= 0) & ~in_class & (draft != idx.home)).sum())
        movers = int(cl.size[cl.draft_kind == 2].sum()) if cl.n else 0
        options = sum(1 for opt in cl.pref_options if opt.draft)
        return fixed + movers - options


class Objective:
    """Builds the stage objectives (with their auxiliary variables, lazily)."""

    def __init__(
        self,
        model: cp_model.CpModel,
        problem: Problem,
        expr: Expressions,
        *,
        interrupt: Callable[[], None] | None = None,
    ) -> None:
        #: called now and then while the per-pair expressions are built (it may raise
        #: to abandon a build that has run out of time)
        self.interrupt = interrupt if interrupt is not None else _nothing
        self.model = model
        self.problem = problem
        self.expr = expr
        self._dev: dict[tuple[int, int], cp_model.IntVar] | None = None
        self._dev_ub: dict[tuple[int, int], int] = {}
        self._pair: dict[tuple[int, int], tuple[int, int, int, int, int, cp_model.IntVar]] = {}
        #: per pair on a mixed lattice: (m, ρ0, residue indicators), see _residues
        self._res: dict[tuple[int, int], tuple[int, int, list[cp_model.IntVar]]] = {}
        self._residues_posted = False
        self._cache: dict[str, LinExpr] = {}
        #: per requirement: its shortfall (a variable, or a constant when nothing can change it)
        self._short: list[cp_model.IntVar | int] = []

    # 1 ------------------------------------------------------------ shortfall
    def shortfall(self) -> LinExpr:
        """Σ_q max(0, min_staff_q − qualified_q − near_q) (``near_q`` = 0 without
        ``trainable_gap``), with one auxiliary ``sf_q ≥ 0`` per requirement that can change."""
        if "shortfall" in self._cache:
            return self._cache["shortfall"]
        terms: list[tuple[cp_model.IntVar, int]] = []
        constant = 0
        for q, req in enumerate(self.problem.requirements):
            have, near = self.expr.qualified(q), self.expr.near(q)
            if not isinstance(near, int) or near:
                have = have + near
            need = int(req.min_staff)
            if isinstance(have, int):
                constant += max(0, need - have)
                self._short.append(max(0, need - have))
                continue
            short = self.model.new_int_var(0, need, f"short_{q}")
            self.model.add(short >= need - have)
            terms.append((short, 1))
            self._short.append(short)
        out = _weighted(terms, constant)
        self._cache["shortfall"] = out
        return out

    # 1b ----------------------------------------------------------- training
    def training(self) -> LinExpr:
        """Σ_q training_q: near-qualified staff counted toward requirement ``q``.

        ``training_q = max(0, min_staff_q − qualified_q) − shortfall_q``
        (:func:`mutasi_opt.metrics.requirement_training`), with ``t_q ≥ 0`` and
        ``t_q ≥ min_staff_q − qualified_q − sf_q`` on the shortfall auxiliaries
        ``sf_q``.  Exact once the shortfall is held at its optimum: then every
        ``sf_q`` equals its true value (each is at least it and their sum at
        most the sum of them), so the least ``t_q`` is the true training need.
        """
        if "training" in self._cache:
            return self._cache["training"]
        self.shortfall()
        terms: list[tuple[cp_model.IntVar, int]] = []
        constant = 0
        for q, req in enumerate(self.problem.requirements):
            qual, near, short = self.expr.qualified(q), self.expr.near(q), self._short[q]
            need = int(req.min_staff)
            if isinstance(near, int) and near == 0:
                continue  # nobody near-qualified can be there: no training
            if isinstance(qual, int) and isinstance(short, int):
                constant += max(0, need - qual) - short
                continue
            train = self.model.new_int_var(0, need, f"train_{q}")
            self.model.add(train >= need - qual - short)
            terms.append((train, 1))
        out = _weighted(terms, constant)
        self._cache["training"] = out
        return out

    # 2 ------------------------------------------------------------ imbalance
    def _deviations(self) -> dict[tuple[int, int], cp_model.IntVar]:
        """``d(u, r)`` for every pair whose capacity can change.

        ``S(u, r) − S0`` is always a multiple of ``step`` = 100 × the gcd of the
        capacities that can enter or leave the pair, so ``S = S0 + step·k`` with
        an integer ``k``.  Besides ``d ≥ ±(S − F)`` we add the line through the
        two integer ``k`` around ``S = F``: with it the LP relaxation of ``d``
        is the convex hull of ``|S0 + step·k − F|`` over integer ``k`` — it no
        longer pretends a fraction of a person can fill a gap exactly.
        """
        if self._dev is not None:
            return self._dev
        fair = metrics.fair_share_centi(self.problem)
        role_cap = metrics.role_capacity_hours(self.problem) * 100
        dev: dict[tuple[int, int], cp_model.IntVar] = {}
        for i, (u, r) in enumerate(self.expr.active_pairs()):
            if i % 256 == 0:
                self.interrupt()
            f = int(fair[u, r])
            s0 = int(self.expr.cap0[u, r])
            terms = self.expr._cap_terms[(u, r)]
            step = 0
            for _, coef in terms:
                step = math.gcd(step, abs(coef))
            kmin, kmax = -(s0 // step), (int(role_cap[r]) - s0) // step
            k = self.model.new_int_var(kmin, kmax, f"k_{u}_{r}")
            self.model.add(_weighted(terms) == step * k)
            ub = max(int(role_cap[r]), f)
            d = deviation(self.model, s0 + step * k, f, ub, f"d_{u}_{r}")
            k0 = (f - s0) // step
            if kmin <= k0 < kmax:
                g0, g1 = abs(s0 + step * k0 - f), abs(s0 + step * (k0 + 1) - f)
                self.model.add(d >= g0 + (g1 - g0) * (k - k0))
            self._dev_ub[(u, r)] = ub
            self._pair[(u, r)] = (f, s0, step, kmin, kmax, k)
            dev[(u, r)] = d
        self._dev = dev
        return dev

    def post_residues(self) -> bool:
        """Post the residue variables and lines of ``d`` (see :meth:`_residues`), once.

        They are for the imbalance stage on; the shortfall stage, which they
        slow (measured: on the embedded sample a probe of ``fewest_moves`` no
        longer found a plan within its shortfall cap in its share of the time),
        is solved before they exist.  Returns whether any pair got them (a
        solution found before is extended with :meth:`residue_values`).
        """
        if self._residues_posted:
            return False
        self._residues_posted = True
        fair = metrics.fair_share_centi(self.problem)
        dev = self._deviations()
        try:
            for i, (u, r) in enumerate(dev):
                if i % 256 == 0:
                    self.interrupt()
                f = int(fair[u, r])
                _, s0, step, *_ = self._pair[(u, r)]
                self._residues(u, r)
                self._residue_cuts(u, r, [(dev[(u, r)], 1)], _distance(s0, step, f), [f])
        except OutOfTime:
            # the time is up: the pairs done keep their (complete, valid) residue
            # rows and the others none; the stage answers with the plan it has
            pass
        return bool(self._res)

    def residue_values(self, solution: list[int]) -> list[int]:
        """Values of the residue variables (in creation order) for a solution of
        the model as it was before :meth:`post_residues`: ``q`` and ``z`` follow
        from ``k``, and the lines hold at any ``d ≥ |S − F|``."""
        out: list[int] = []
        for key, (m, rho0, zs) in self._res.items():
            k = int(solution[self._pair[key][5].index])
            rho = (k - rho0) % m
            out.append((k - rho0 - rho) // m)
            out.extend(int(rho == j) for j in range(1, len(zs) + 1))
        return out

    def _constant_pairs(self) -> tuple[int, int]:
        """(Σ d, Σ 100·φ) over the pairs whose capacity cannot change."""
        p = self.problem
        d = metrics.deviation_centi(p, p.index.home)
        phi = metrics.phi_scaled(d, metrics.fair_share_centi(p), p.policy)
        mask = np.ones(d.shape, dtype=bool)
        for u, r in self.expr.active_pairs():
            mask[u, r] = False
        return int(d[mask].sum()), int(phi[mask].sum())

    def imbalance(self) -> LinExpr:
        """Σ d(u, r) in centi-hours."""
        if "imbalance" not in self._cache:
            dev = self._deviations()
            const_d, _ = self._constant_pairs()
            self._cache["imbalance"] = _weighted([(d, 1) for d in dev.values()], const_d)
        return self._cache["imbalance"]

    # 3 --------------------------------------------------------- balance cost
    def balance(self) -> LinExpr:
        """B × 10,000: Σ_k Δs_k · max(0, 100·d − b_k·F) over all pairs."""
        if "balance" in self._cache:
            return self._cache["balance"]
        pol = self.problem.policy
        fair = metrics.fair_share_centi(self.problem)
        dev = self._deviations()
        terms: list[tuple[cp_model.IntVar, int]] = []
        bps = pol.balance_breakpoints
        for i, ((u, r), d) in enumerate(dev.items()):
            if i % 64 == 0:
                self.interrupt()
            f = int(fair[u, r])
            pair_terms = phi_terms(self.model, d, self._dev_ub[(u, r)], f, pol, f"e_{u}_{r}")
            self._hull_cuts(u, r, pair_terms)
            kinks = [f] + [f + sign * (b * f // 100) for b in bps if f and b for sign in (1, -1)]
            self._lattice_cuts(u, r, pair_terms, _phi_of(f, pol), kinks)
            terms.extend(pair_terms)
        _, const_phi = self._constant_pairs()
        out = _weighted(terms, const_phi)
        self._cache["balance"] = out
        return out

    def _hull_cuts(self, u: int, r: int, pair_terms: list[tuple[cp_model.IntVar, int]]) -> None:
        """Lines through consecutive integer ``k`` around each kink of ``φ``.

        ``φ(|S0 + step·k − F|)`` is convex in ``k``; between integer ``k`` the
        formulation is exact except where a kink (``d = 0`` or ``d = b_j·F``)
        falls between two integers.  One line per such segment makes the LP
        relaxation of the pair's cost its convex hull over integer ``k``.
        """
        f, s0, step, kmin, kmax, k = self._pair[(u, r)]
        pol = self.problem.policy

        def phi(kk: int) -> int:
            return metrics.phi_scaled_one(abs(s0 + step * kk - f), f, pol)

        kinks = {0} | ({b * f // 100 for b in pol.balance_breakpoints} if f else set())
        segments: set[int] = set()
        for dk in kinks:
            for target in (f - s0 + dk, f - s0 - dk):
                segments.add(target // step)
        expr = _weighted(pair_terms)
        for k0 in sorted(segments):
            if kmin <= k0 < kmax:
                p0, p1 = phi(k0), phi(k0 + 1)
                self.model.add(expr >= p0 + (p1 - p0) * (k - k0))

    def _mixed_lattice(self, u: int, r: int) -> tuple[int, int, int, LinExpr] | None:
        """``(G, m, home minor capacity, b)`` of a pair whose capacity moves on a step
        finer than its role's coarse step ``G`` (``m = G / step``), else None."""
        g = self.expr.coarse_step.get(r)
        if g is None:
            return None
        step = self._pair[(u, r)][2]
        if step % g == 0 or g % step:
            return None
        _, home_minor_cap = self.expr._minor_home.get((u, r), (0, 0))
        return g, g // step, home_minor_cap, self.expr.minor_count(u, r)

    def _residues(self, u: int, r: int) -> None:
        """The residue of the pair's capacity on the role's coarse lattice.

        With minor-capacity staff (half-timers) able to enter or leave, the
        pair's capacity moves on the fine step (625 h), but it lies on the
        coarse lattice ``offset + G·Z`` (``G`` = 1,250 h) whenever no movable
        minor staff member is in the pair after the plan.  With ``m = G /
        step`` and ``k − ρ0 = m·q + Σ_ρ ρ·z_ρ`` (``z_ρ`` the indicator of residue
        ``ρ ≥ 1``, ``q`` an integer), residue 0 is that lattice, and a pair
        off it needs a minor staff member: ``Σ_ρ z_ρ ≤ b``.  Summed over a role,
        at most as many pairs as there are half-timers can sit between two
        full-timers' capacities — what the LP relaxation of the fine step
        alone ignores.  See :meth:`_residue_cuts` for the costs.
        """
        lattice = self._mixed_lattice(u, r)
        if lattice is None:
            return
        _, m, home_minor_cap, b = lattice
        _, _, step, kmin, kmax, k = self._pair[(u, r)]
        rho0 = (-home_minor_cap // step) % m
        qmin, qmax = (kmin - rho0) // m - 1, (kmax - rho0) // m + 1
        q = self.model.new_int_var(qmin, qmax, f"q_{u}_{r}")
        zs: list[cp_model.IntVar] = []
        if not (isinstance(b, int) and b == 0):
            zs = [self.model.new_bool_var(f"z_{u}_{r}_{rho}") for rho in range(1, m)]
        terms = [(z, rho) for rho, z in enumerate(zs, start=1)] + [(q, m)]
        self.model.add(k - rho0 == _weighted(terms))
        if len(zs) > 1:
            self.model.add_at_most_one(zs)
        if zs and not isinstance(b, int):
            self.model.add(_weighted([(z, 1) for z in zs]) <= b)
            if m == 2:
                self._parity_cut(u, r, zs[0])
        self._res[(u, r)] = (m, rho0, zs)

    def _parity_cut(self, u: int, r: int, z: cp_model.IntVar) -> None:
        """With ``m = 2`` every minor staff member (an odd number of fine steps)
        flips the pair's residue, and the rest move whole coarse steps, so
        ``z = (n0 + L) mod 2`` with ``n0`` the movable minor staff at home and
        ``L`` the minor leavers plus arrivals.  Hence ``z ≥ 1 − L`` when ``n0`` is
        odd and ``z ≤ L`` when it is even (``z ≤ b`` says that for ``n0 = 0``).
        The LP relaxation otherwise reaches residue 0 with half a full-timer
        leaving while the pair's own half-timer stays (measured on the sample's
        knee: most of the balance stage's LP gap)."""
        n0, _ = self.expr._minor_home.get((u, r), (0, 0))
        if n0 == 0:
            return
        changes = _weighted([(y, 1) for y, _ in self.expr._minor_terms.get((u, r), [])])
        if n0 % 2:
            self.model.add(z + changes >= 1)
        else:
            self.model.add(z <= changes)

    def _residue_cuts(
        self,
        u: int,
        r: int,
        pair_terms: list[tuple[cp_model.IntVar, int]],
        cost: Callable[[IntArray], IntArray],
        kinks: list[int],
    ) -> None:
        """The pair's cost on the union of its residue lattices (see :meth:`_residues`).

        On the points of one residue ``ρ`` (``k ≡ ρ0 + ρ mod m``) the cost
        ``c(k)`` is convex.  For a slope ``Δ/m`` let ``γ_ρ = min (m·c(k) − Δ·k)``
        over the points of residue ``ρ`` in the pair's range; then
        ``m·cost ≥ Δ·k + γ_0 + Σ_ρ (γ_ρ − γ_0)·z_ρ`` holds at every integer
        point (``z`` picks its residue's ``γ``).  Over all slopes these lines
        are the convex hull of the cost in ``(k, z)``; the slopes that matter are
        those of each residue's chords across a kink of the cost (``kinks``, in
        centi-hours of capacity), one line each.  The same lines bound ``d``
        (cost ``|S − F|``) and ``φ``.
        """
        res = self._res.get((u, r))
        if res is None:
            return
        m, rho0, zs = res
        _, s0, step, kmin, kmax, k = self._pair[(u, r)]
        centres = sorted({(x - s0) // step for x in kinks})
        slopes: set[int] = set()
        for c in centres:
            for rho in range(m):
                lo = c - (c - rho0 - rho) % m  # the last point of residue ρ at or below the kink
                if kmin <= lo and lo + m <= kmax:
                    ends = cost(np.array([lo, lo + m], dtype=np.int64))
                    slopes.add(int(ends[1] - ends[0]))
        if not slopes:
            return
        lhs = _weighted([(v, m * c) for v, c in pair_terms])
        window = 3 * m + 2
        pts = np.unique(
            np.concatenate(
                [np.arange(max(kmin, c - window), min(kmax, c + window) + 1) for c in centres]
            )
        ).astype(np.int64)
        vals = m * cost(pts)
        resid = (pts - rho0) % m
        have = set(pts.tolist())
        for delta in sorted(slopes):
            gammas: list[int | None] = []
            for rho in range(m):
                sel = resid == rho
                if not sel.any():
                    gammas.append(_full_min(cost, m, rho0 + rho, kmin, kmax, delta))
                    continue
                g = vals[sel] - delta * pts[sel]
                i = int(np.argmin(g))
                at = int(pts[sel][i])
                # a local minimum of a convex sequence is its minimum; else look everywhere
                if all(not kmin <= n <= kmax or n in have for n in (at - m, at + m)):
                    gammas.append(int(g[i]))
                else:
                    gammas.append(_full_min(cost, m, rho0 + rho, kmin, kmax, delta))
            g0 = gammas[0]
            if g0 is None:
                continue  # residue 0 out of range: the pair always holds a minor member
            terms: list[tuple[cp_model.IntVar, int]] = [(k, delta)]
            for rho, z in enumerate(zs, start=1):
                gr = gammas[rho]
                if gr is None:
                    self.model.add(z == 0)
                elif gr != g0:
                    terms.append((z, gr - g0))
            self.model.add(lhs >= _weighted(terms, g0))

    def _lattice_cuts(
        self,
        u: int,
        r: int,
        pair_terms: list[tuple[cp_model.IntVar, int]],
        cost: Callable[[int], int],
        kinks: list[int],
    ) -> None:
        """Chords on the coarse lattice, relaxed by the minor staff present.

        The hull cuts work on the fine step (625 h when half-timers can enter
        the pair), so the LP relaxation believes half a full-timer can fill a
        gap.  But when no movable half-timer is in the pair after the plan
        (``b = 0``) its capacity lies on ``P = offset + G·Z`` (``G`` = 1,250 h).
        For the coarse segment ``[P0, P0 + G]`` around each kink of the cost,
        its chord ``ℓ`` is below the cost on ``P``, and at most ``δ`` above it
        anywhere on the fine lattice (``δ`` = the largest excess at the fine
        points inside the segment).  So ``cost ≥ ℓ(S) − δ·b`` is valid for every
        ``b ≥ 0`` and as strong as the coarse chord when ``b = 0``.  In the
        integers ``m = G / step``: ``m·cost ≥ m·c(P0) + (c(P1) − c(P0))·(k − kP0)
        − m·δ·b``.  The same lines bound ``d`` (cost ``|S − F|``) and ``φ``.
        """
        lattice = self._mixed_lattice(u, r)
        if lattice is None:
            return
        g, m, home_minor_cap, b = lattice
        f, s0, step, kmin, kmax, k = self._pair[(u, r)]
        offset = (s0 - home_minor_cap) % g
        if isinstance(b, int) and b > 0:
            return
        lhs = _weighted([(v, m * c) for v, c in pair_terms])
        lo, hi = s0 + step * kmin, s0 + step * kmax
        done: set[int] = set()
        for x in kinks:
            p0 = offset + g * ((x - offset) // g)
            if p0 in done or p0 + g < lo or p0 > hi:
                continue
            done.add(p0)
            c0, c1 = cost(abs(p0 - f)), cost(abs(p0 + g - f))
            # m·δ: the chord's largest excess over the cost at the fine points inside
            excess = max(
                m * c0 + (c1 - c0) * i - m * cost(abs(p0 + step * i - f)) for i in range(1, m)
            )
            if excess <= 0:
                continue
            kp0 = (p0 - s0) // step
            self.model.add(lhs >= m * c0 + (c1 - c0) * (k - kp0) - excess * b)

    # 4, 5 -------------------------------------------------- moves, preference
    def moves(self) -> LinExpr:
        """Number of moves."""
        return self.expr.moves()

    def preference(self) -> LinExpr:
        """Preference cost."""
        return self.expr.preference()

    def changes(self) -> LinExpr:
        """Draft decisions changed."""
        return self.expr.changes()

    def stage(self, name: str) -> LinExpr:
        """The expression of stage ``name``."""
        builders = {
            "changes": self.changes,
            "shortfall": self.shortfall,
            "training": self.training,
            "imbalance": self.imbalance,
            "balance": self.balance,
            "moves": self.moves,
            "preference": self.preference,
        }
        return builders[name]()
