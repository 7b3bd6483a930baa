"""Temporary secondments for surges on CP-SAT.

Employees who are interchangeable for the secondment stages (same base unit,
role, capacity, FTE, the same surges they qualify for and the same
preference cost for each surge's host) form a class.  A decision is an
integer count per *option* = (class, surge, first month, last month): that
many members help that surge for that contiguous window (at most
``max_secondment_months`` long, inside the surge's window).  With
``max_secondments_per_employee`` > 1 every employee is a class of their own,
so that "one at a time" and the per-person limit stay exact.

Hard rules: per class at most its size on secondment; per base unit and
month at most ``floor(max_lent_fraction × headcount)`` away; per surge and
month the helpers' FTE may exceed the need by less than the largest FTE of
anyone who may help (so nobody is seconded only to thin out a donor).

Stages (exact integers, one definition each in :mod:`mutasi_opt.metrics`):
uncovered FTE-months (hundredths), Σ over months of B × 10,000 on the
yearly-rate capacities after lending, people seconded, secondment months,
preference cost.  The φ constraints are the permanent model's
(:func:`~mutasi_opt.solvers.cpsat.objective.phi_terms`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from ... import metrics
from ...domain.arrays import IntArray
from ...domain.limits import GREEDY_WORK_PER_ELEMENT, GREEDY_WORK_PER_PASS, Budget
from ...domain.problem import Problem, Surge
from ...domain.stages import SECONDMENT_STAGES
from ...metrics import Secondments
from ...results.plan import StageResult
from .model import (
    COMPLETE_WORK,
    Solved,
    StageOutcome,
    StageStatus,
    Unsolved,
    new_solver,
    objective_at,
    run_solver,
    solve_fixed,
)
from .objective import LinExpr, _weighted, deviation, phi_terms

__all__ = ["SURGE_STAGES", "SurgeClasses", "SurgeModel", "SurgeOption", "build_surge_classes"]

#: the secondment stages, in order (:data:`~mutasi_opt.domain.stages.SECONDMENT_STAGES`)
SURGE_STAGES = tuple(s.name for s in SECONDMENT_STAGES)


@dataclass(frozen=True)
class SurgeOption:
    """``count`` members of class ``cls`` help surge ``surge`` from ``first`` to ``last``."""

    cls: int
    surge: int
    first: int
    last: int

    @property
    def length(self) -> int:
        """Months on secondment."""
        return self.last - self.first + 1


@dataclass(frozen=True)
class SurgeClasses:
    """Helper classes and their options."""

    members: tuple[IntArray, ...]
    base: IntArray  # unit each class works in otherwise
    role: IntArray
    cap: IntArray  # yearly capacity hours of one member
    fte: IntArray  # FTE hundredths of one member
    pref_cost: tuple[dict[int, int], ...]  # per class: surge → preference cost of its host
    options: tuple[SurgeOption, ...]

    @property
    def n(self) -> int:
        """Number of classes."""
        return len(self.members)


def build_surge_classes(problem: Problem, surges: Sequence[Surge], base: IntArray) -> SurgeClasses:
    """Group the employees who may help some surge into classes, with their options."""
    idx, pol = problem.index, problem.policy
    eligible = metrics.secondable(problem, base)
    quals = (
        np.array([metrics.qualifies_for_surge(problem, base, s) for s in surges], dtype=np.bool_)
        if surges
        else np.zeros((0, idx.n_employees), dtype=np.bool_)
    )
    cap = metrics.capacity_hours(problem)
    fte = metrics.fte_centi(problem)
    hosts = [idx.unit_pos[s.unit] for s in surges]
    per_employee = pol.max_secondments_per_employee > 1
    keys: dict[tuple[Any, ...], int] = {}
    members: list[list[int]] = []
    info: list[tuple[int, int, int, int, dict[int, int]]] = []
    if pol.max_secondments_per_employee > 0:
        for e in np.flatnonzero(eligible & quals.any(axis=0)).tolist():
            qual = tuple(np.flatnonzero(quals[:, e]).tolist())
            prefs = {s: metrics.secondment_preference_cost(problem, e, hosts[s]) for s in qual}
            key = (
                int(base[e]),
                int(idx.role[e]),
                int(cap[e]),
                int(fte[e]),
                qual,
                tuple(sorted(prefs.items())),
                e if per_employee else -1,
            )
            c = keys.setdefault(key, len(keys))
            if c == len(members):
                members.append([])
                info.append((int(base[e]), int(idx.role[e]), int(cap[e]), int(fte[e]), prefs))
            members[c].append(e)
    length = pol.max_secondment_months
    blackout = metrics.blackout_months(pol)  # no secondment runs in these months
    options: list[SurgeOption] = []
    for c, (_, _, _, _, prefs) in enumerate(info):
        for s in sorted(prefs):
            window = surges[s].months
            for a in window:
                for b in range(a, min(window.stop, a + length)):
                    if blackout and any(m in blackout for m in range(a, b + 1)):
                        break  # (every longer one from a runs in it too)
                    options.append(SurgeOption(c, s, a, b))
    return SurgeClasses(
        members=tuple(np.array(m, dtype=np.int64) for m in members),
        base=np.array([i[0] for i in info], dtype=np.int64),
        role=np.array([i[1] for i in info], dtype=np.int64),
        cap=np.array([i[2] for i in info], dtype=np.int64),
        fte=np.array([i[3] for i in info], dtype=np.int64),
        pref_cost=tuple(i[4] for i in info),
        options=tuple(options),
    )


class SurgeModel:
    """The five-stage secondment model for ``surges`` on top of ``base``."""

    def __init__(self, problem: Problem, surges: Sequence[Surge], base: IntArray) -> None:
        self.problem = problem
        self.surges = tuple(surges)
        self.base = np.asarray(base, dtype=np.int64)
        self.months = metrics.surge_horizon(self.surges)
        self.classes = build_surge_classes(problem, self.surges, self.base)
        self.model = cp_model.CpModel()
        cl = self.classes
        size = [len(m) for m in cl.members]
        self.x = [self.model.new_int_var(0, size[o.cls], "") for o in cl.options]
        self._cover = self._covering()
        self._post_limits(size)
        self._post_lending()
        self._expr: dict[str, LinExpr] = {}
        self._post_coverage()
        self._post_balance()
        opts = list(zip(self.x, cl.options, strict=True))
        self._expr["people"] = _weighted([(v, 1) for v, _ in opts])
        self._expr["months"] = _weighted([(v, o.length) for v, o in opts])
        self._expr["preference"] = _weighted(
            [(v, cl.pref_cost[o.cls][o.surge]) for v, o in opts if cl.pref_cost[o.cls][o.surge]]
        )
        self._last: list[int] | None = None
        self._held = False  # an earlier stage is held

    # ------------------------------------------------------------ constraints
    def _covering(self) -> dict[tuple[str, int, int], list[int]]:
        """Options grouped by (kind, key, month) for the per-month sums."""
        out: dict[tuple[str, int, int], list[int]] = defaultdict(list)
        cl = self.classes
        for k, o in enumerate(cl.options):
            for m in range(o.first, o.last + 1):
                out[("class", o.cls, m)].append(k)
                out[("unit", int(cl.base[o.cls]), m)].append(k)
                out[("surge", o.surge, m)].append(k)
        return out

    def _post_limits(self, size: list[int]) -> None:
        cl = self.classes
        per_class: dict[int, list[int]] = defaultdict(list)
        for k, o in enumerate(cl.options):
            per_class[o.cls].append(k)
        limit = self.problem.policy.max_secondments_per_employee
        for c, ks in per_class.items():
            if limit == 1:
                self.model.add(sum(self.x[k] for k in ks) <= size[c])
            else:  # one person per class: one secondment at a time, at most `limit`
                self.model.add(sum(self.x[k] for k in ks) <= limit)
                for m in self.months:
                    here = self._cover.get(("class", c, m), [])
                    if len(here) > 1:
                        self.model.add(sum(self.x[k] for k in here) <= 1)

    def _post_lending(self) -> None:
        limit = metrics.lending_limit(self.problem, self.base)
        for u in set(int(b) for b in self.classes.base):
            cap = int(limit[u])
            for m in self.months:
                here = self._cover.get(("unit", u, m), [])
                if here:
                    self.model.add(sum(self.x[k] for k in here) <= cap)

    def _post_coverage(self) -> None:
        cl = self.classes
        need = metrics.surge_need_centi(self.surges, self.months)
        shorts: list[tuple[cp_model.IntVar, int]] = []
        constant = 0
        for s in range(len(self.surges)):
            helpers = {o.cls for o in cl.options if o.surge == s}
            top = max((int(cl.fte[c]) for c in helpers), default=0)
            for j, m in enumerate(self.months):
                n = int(need[s, j])
                here = self._cover.get(("surge", s, m), [])
                if not here:
                    constant += n
                    continue
                cover = _weighted([(self.x[k], int(cl.fte[cl.options[k].cls])) for k in here])
                # more help than one helper beyond the need is not a secondment anyone needs
                self.model.add(cover <= n + top - 1)
                short = self.model.new_int_var(0, n, "")
                self.model.add(short >= n - cover)
                shorts.append((short, 1))
        self._expr["uncovered"] = _weighted(shorts, constant)

    def _post_balance(self) -> None:
        p, cl = self.problem, self.classes
        fair = metrics.fair_share_centi(p)
        s0 = metrics.assigned_capacity_centi(p, self.base)
        base_phi = metrics.phi_scaled(np.abs(s0 - fair), fair, p.policy)
        lent: dict[tuple[int, int, int], list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
        for v, o in zip(self.x, cl.options, strict=True):
            u, r, cap = int(cl.base[o.cls]), int(cl.role[o.cls]), 100 * int(cl.cap[o.cls])
            for m in range(o.first, o.last + 1):
                lent[(u, r, m)].append((v, cap))
        terms: list[tuple[cp_model.IntVar, int]] = []
        constant = int(base_phi.sum()) * len(self.months)
        for (u, r, m), away in sorted(lent.items(), key=lambda t: t[0]):
            f, s = int(fair[u, r]), int(s0[u, r])
            constant -= int(base_phi[u, r])
            d = deviation(self.model, s - _weighted(away), f, max(s, f), f"sd_{u}_{r}_{m}")
            terms += phi_terms(self.model, d, max(s, f), f, p.policy, f"se_{u}_{r}_{m}")
        self._expr["balance"] = _weighted(terms, constant)

    # ------------------------------------------------------------ warm start
    def greedy_counts(self, budget: Budget | None = None) -> IntArray:
        """A feasible first solution: repeatedly the secondment that covers need at
        the lowest rise of the donors' B per FTE-month covered (lending from a
        surplus lowers B, so surplus units go first), within every limit.
        Each pick charges its counted work to ``budget``; when that is used up
        the secondments picked so far are returned (any prefix is feasible).

        Each pick is one vectorised pass over all options: per (donor pair,
        month) the change of φ for one more person away, per (surge, month)
        the need left, summed over each option's window by prefix sums.
        """
        p, cl = self.problem, self.classes
        pol = p.policy
        months = self.months
        n_m = len(months)
        counts = np.zeros(len(cl.options), dtype=np.int64)
        if not cl.options or n_m == 0:
            return counts
        o_cls = np.array([o.cls for o in cl.options], dtype=np.int64)
        o_surge = np.array([o.surge for o in cl.options], dtype=np.int64)
        o_a = np.array([o.first for o in cl.options], dtype=np.int64) - months.start
        o_b = np.array([o.last for o in cl.options], dtype=np.int64) - months.start
        # donor pairs of the classes (unit, role, capacity: one φ step per capacity)
        pair_key = {
            (int(u), int(r), int(c)): k
            for k, (u, r, c) in enumerate(
                sorted(
                    {
                        (int(u), int(r), int(c))
                        for u, r, c in zip(cl.base, cl.role, cl.cap, strict=True)
                    }
                )
            )
        }
        c_pair = np.array(
            [
                pair_key[(int(u), int(r), int(c))]
                for u, r, c in zip(cl.base, cl.role, cl.cap, strict=True)
            ],
            dtype=np.int64,
        )
        keys = sorted(pair_key, key=pair_key.__getitem__)
        pu = np.array([k[0] for k in keys], dtype=np.int64)
        pr = np.array([k[1] for k in keys], dtype=np.int64)
        pcap = 100 * np.array([k[2] for k in keys], dtype=np.int64)
        fair = metrics.fair_share_centi(p)[pu, pr]
        s0 = metrics.assigned_capacity_centi(p, self.base)
        lent = np.zeros((len(self.months), *s0.shape), dtype=np.int64)  # [m, u, r]
        remaining = metrics.surge_need_centi(self.surges, months)
        lend_cap = metrics.lending_limit(p, self.base)
        away = np.zeros((n_m, len(lend_cap)), dtype=np.int64)
        size = np.array([len(m) for m in cl.members], dtype=np.int64)
        used = np.zeros(cl.n, dtype=np.int64)
        limit = pol.max_secondments_per_employee
        busy = np.zeros((cl.n, n_m), dtype=np.bool_)  # per-person classes (limit > 1)
        top = np.zeros(len(self.surges), dtype=np.int64)
        np.maximum.at(top, o_surge, cl.fte[o_cls])
        fte = cl.fte[o_cls]
        unit_o = cl.base[o_cls]

        def window_sum(mat: IntArray, rows: IntArray) -> IntArray:
            """Σ of mat[rows, a..b] per option (prefix sums along months)."""
            cs = np.concatenate(
                [np.zeros((mat.shape[0], 1), dtype=mat.dtype), mat.cumsum(axis=1)], axis=1
            )
            out: IntArray = cs[rows, o_b + 1] - cs[rows, o_a]
            return out

        pick_work = GREEDY_WORK_PER_PASS + GREEDY_WORK_PER_ELEMENT * (
            len(cl.options) + len(pu)
        ) * max(1, n_m)
        while True:
            if budget is not None:
                if budget.exhausted():
                    return counts
                budget.charge(pick_work)
            now = s0[pu, pr][:, None] - lent[:, pu, pr].T  # [pair, m]
            before = metrics.phi_scaled(np.abs(now - fair[:, None]), fair[:, None], pol)
            after = metrics.phi_scaled(
                np.abs(now - pcap[:, None] - fair[:, None]), fair[:, None], pol
            )
            d_b = window_sum(after - before, c_pair[o_cls])
            # need left, capped by each option's FTE: one row per option's surge
            gain = np.zeros(len(cl.options), dtype=np.int64)
            bad = np.zeros(len(cl.options), dtype=np.int64)
            for f in np.unique(fte):
                sel = fte == f
                per = np.minimum(remaining, f)
                gain[sel] = window_sum(per, o_surge)[sel]
                over = ((remaining <= 0) | (f - remaining > top[:, None] - 1)).astype(np.int64)
                bad[sel] = window_sum(over, o_surge)[sel]
            full = (away >= lend_cap[None, :]).astype(np.int64).T  # [u, m]
            bad += window_sum(full, unit_o)
            if limit == 1:
                ok = used[o_cls] < size[o_cls]
            else:
                n_busy = busy.sum(axis=1)
                overlap = window_sum(busy.astype(np.int64), o_cls)
                ok = (n_busy[o_cls] < limit) & (overlap == 0)
            ok &= (bad == 0) & (gain > 0)
            if not ok.any():
                return counts
            cand = np.flatnonzero(ok)
            ratio = d_b[cand] / gain[cand]
            order = np.lexsort((cand, -gain[cand], ratio))
            k = int(cand[order[0]])
            c = int(o_cls[k])
            u, r = int(cl.base[c]), int(cl.role[c])
            counts[k] += 1
            used[c] += 1
            a, b = int(o_a[k]), int(o_b[k])
            busy[c, a : b + 1] = True
            remaining[o_surge[k], a : b + 1] -= int(cl.fte[c])
            away[a : b + 1, u] += 1
            lent[a : b + 1, u, r] += 100 * int(cl.cap[c])

    def complete(self, counts: IntArray, budget: Budget | None = None) -> bool:
        """Make ``counts`` the next hint, with every auxiliary variable tight
        (charged to ``budget``, at most :data:`COMPLETE_WORK`)."""
        solution = solve_fixed(
            self.model,
            zip(self.x, counts, strict=True),
            [self._expr["uncovered"], self._expr["balance"]],
            budget=(budget if budget is not None else Budget()).capped(COMPLETE_WORK),
        )
        if solution is None:
            return False
        self._last = solution
        return True

    # ---------------------------------------------------------------- solving
    def expression(self, stage: str) -> LinExpr:
        """The expression of ``stage`` (one of :data:`SURGE_STAGES`)."""
        return self._expr[stage]

    def hold(self, stage: str, value: int) -> None:
        """Keep ``stage`` at most ``value`` in the later stages."""
        expr = self._expr[stage]
        if not isinstance(expr, int):
            self.model.add(expr <= value)
            self._held = True

    def solve_stage(
        self,
        stage: str,
        *,
        budget: Budget,
        seed: int = 0,
        workers: int = 1,
        relative_gap: float = 0.0,
    ) -> StageOutcome:
        """Minimise ``stage`` under the holds posted so far, hinted by the last
        solution, within ``budget``; when the search finds nothing of its own
        the last solution (which meets every hold) is kept."""
        expr = self._expr[stage]
        if isinstance(expr, int) and self._last is not None:
            result = StageResult(stage, StageStatus.OPTIMAL, expr, expr, 0.0)
            return Solved(result, self._counts(self._last))
        self.model.clear_objective()  # type: ignore[no-untyped-call]
        self.model.clear_hints()  # type: ignore[no-untyped-call]
        if not isinstance(expr, int):
            self.model.minimize(expr)
        if self._last is not None:
            proto = self.model.proto
            proto.solution_hint.vars.extend(range(len(self._last)))
            proto.solution_hint.values.extend(self._last)
        else:
            for v in self.x:  # nobody seconded: always allowed
                self.model.add_hint(v, 0)
        status = StageStatus.UNKNOWN
        seconds = 0.0
        solver: cp_model.CpSolver | None = None
        if not budget.exhausted():
            solver = new_solver(
                seed=seed, workers=workers, budget=budget, relative_gap=relative_gap
            )
            status = run_solver(solver, self.model, budget)
            seconds = solver.wall_time
        if status is StageStatus.UNKNOWN and self._last is not None:
            # out of time or work before CP-SAT took the hint: the hint (nobody
            # seconded, the greedy plan or the last stage's solution) meets every
            # rule and hold, so the stage keeps it, unproven
            value = objective_at(self.model, self._last)
            bound = 0
            if solver is not None and math.isfinite(solver.best_objective_bound):
                bound = max(0, min(value, math.ceil(solver.best_objective_bound - 1e-9)))
            kept = StageStatus.OPTIMAL if value == bound else StageStatus.FEASIBLE
            return Solved(StageResult(stage, kept, value, bound, seconds), self._counts(self._last))
        if status in (StageStatus.INFEASIBLE, StageStatus.UNKNOWN):
            return Unsolved(stage, status, seconds)
        assert solver is not None
        if isinstance(expr, int):
            value = bound = expr
        else:
            value = round(solver.objective_value)
            bound = max(0, min(value, math.ceil(solver.best_objective_bound - 1e-9)))
        if value == bound:
            status = StageStatus.OPTIMAL
        elif status is StageStatus.OPTIMAL:
            status = StageStatus.FEASIBLE  # stopped at the gap limit
        self._last = list(solver.response_proto.solution)
        return Solved(StageResult(stage, status, value, bound, seconds), self._counts(self._last))

    def _counts(self, solution: Sequence[int]) -> dict[str, IntArray]:
        return {"x": np.array([int(solution[v.index]) for v in self.x], dtype=np.int64)}

    def secondments(self, counts: IntArray) -> Secondments:
        """Individuals for the option counts: within a class, in input order."""
        cl = self.classes
        used = [0] * cl.n
        emp: list[int] = []
        sur: list[int] = []
        first: list[int] = []
        last: list[int] = []
        per_employee = self.problem.policy.max_secondments_per_employee > 1
        for k, o in enumerate(cl.options):
            for _ in range(int(counts[k])):
                member = cl.members[o.cls][0 if per_employee else used[o.cls]]
                used[o.cls] += 1
                emp.append(int(member))
                sur.append(o.surge)
                first.append(o.first)
                last.append(o.last)
        return Secondments(
            employee=np.array(emp, dtype=np.int64),
            surge=np.array(sur, dtype=np.int64),
            first=np.array(first, dtype=np.int64),
            last=np.array(last, dtype=np.int64),
        )
