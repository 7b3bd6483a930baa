"""Exact re-allocation of one type per role at a time: a convex transportation step.

With every decision fixed except the leavers and arrivals of one type, the
imbalance and balance costs depend only on each unit's net change ``x_u`` of
that type (arrivals less leavers), and both are convex in it.  Holding the
members that cannot be re-allocated freely (classes with barred units, pinned
preferred moves, units with headcount bounds, a qualified type at the units
of its requirements) at the incumbent, the type's problem is::

    min Σ_u h_u(x_u)   s.t.  Σ_u x_u = 0,  moves ≤ budget

with ``h_u`` = 2³² · d + 100 · φ (imbalance first, then balance cost: the
lexicographic order of the stages).  Writing the free part of each unit's
change as extra arrivals ``P_u ≥ 0`` and extra leavers ``0 ≤ Q_u ≤ f_u``, a
unit with both can give up one of each at no cost and one move less
(convexity), so the problem separates: the cheapest ``j`` extra arrivals and
``j − Y`` extra leavers are the ``j`` and ``j − Y`` smallest marginal costs
over the units (each ``h_u`` convex: its marginals increase), and the best
``j`` is where the sum of the two next marginals stops being negative.  Every
type's cost is convex in its moves, so the move budget is shared exactly by
taking the cheapest marginals over all types of the round.  A round thus
gives the best plan of its restricted problem, which contains the incumbent:
it is never worse.  Rounds cycle through the types of each role until a full
cycle improves nothing.

Types of one member whose place a rule of its own decides (a member of a pair,
someone who must rotate) are left as they are.  The result is a starting point
for the stage's search, verified like any other (the refusals' Hall condition
is checked; a type that breaks it is left at the incumbent in a new round).
It proves nothing.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from .. import metrics
from ..domain.arrays import IntArray
from ..domain.limits import GREEDY_WORK_PER_ELEMENT, GREEDY_WORK_PER_PASS, Budget
from ..domain.problem import Problem
from .aggregation import Classes
from .greedy import hall_holds, hall_table, pinned_counts

__all__ = ["flow_improve"]

#: weight of one centi-hour of Σ d against 100·φ (one move changes B·10⁴ by less)
_TIE = 2**32
#: marginal costs computed at once per unit and side
_CHUNK = 32
_EMPTY = np.zeros(0, dtype=np.int64)


@dataclass
class _TypeStep:
    """One type's restricted problem in a round, and its marginal costs."""

    t: int
    units: IntArray  # the units whose change is free
    b: IntArray  # the change at P = Q = 0 (pinned arrivals less fixed leavers)
    p_cap: IntArray  # most extra arrivals per unit (0 where it is no target)
    q_cap: IntArray  # most extra leavers per unit
    y: int  # Σ P − Σ Q must equal this
    moves_base: int  # moves at P = 0 (pinned and fixed arrivals)
    j_min: int


def flow_improve(
    problem: Problem,
    classes: Classes,
    decisions: dict[str, IntArray],
    *,
    imbalance_cap: int | None = None,
    budget: Budget | None = None,
    max_rounds: int = 200,
) -> dict[str, IntArray]:
    """Improve ``decisions`` for (Σ d, Σ 100·φ) lexicographically by exact rounds.

    Rules, refusals, the shortfall and the move budget are kept; ``imbalance_cap``
    is only checked (the rounds never raise Σ d).  Returns the incumbent when no
    round improves it, when ``trainable_gap`` > 0 (near-qualified counts are
    not modelled here), or under a fairness rule (``individual_rationality``,
    ``no_justified_envy``: who may arrive where depends on the preference
    options taken, which the rounds do not know).
    """
    pol = problem.policy
    if pol.trainable_gap > 0 or classes.n == 0:
        return decisions
    if pol.individual_rationality or pol.no_justified_envy:
        return decisions
    better = _Rounds(problem, classes, decisions, budget).run(max_rounds, imbalance_cap)
    return decisions if better is None else better


class _Rounds:
    def __init__(
        self,
        problem: Problem,
        classes: Classes,
        decisions: dict[str, IntArray],
        budget: Budget | None,
    ) -> None:
        self.problem, self.classes, self.budget = problem, classes, budget
        idx = problem.index
        self.n_r = idx.n_roles
        self.out = decisions["out"].copy()
        self.arrive = decisions["arrive"].copy()
        self.pref = decisions["pref"].copy()
        arr_count = np.array([len(t) for t in classes.type_targets], dtype=np.int64)
        self.arr_start = np.concatenate([[0], np.cumsum(arr_count)]).astype(np.int64)
        self.fair = metrics.fair_share_centi(problem).reshape(-1)
        self.pinned_c, self.pinned_a = pinned_counts(classes, self.pref, self.arr_start)
        self.hall = hall_table(classes, self.arr_start)
        bounded = (idx.min_staff >= 0) | (idx.max_staff >= 0)
        self.bounded = bounded
        req_units: list[set[int]] = [set() for _ in range(classes.n_types)]
        for q in range(len(problem.requirements)):
            for tq in np.flatnonzero(classes.type_qualified[q]):
                req_units[int(tq)].add(int(idx.req_unit[q]))
        self.req_units = req_units
        # per role, its types by number of members (most first)
        size_t = np.bincount(classes.ctype, weights=classes.size, minlength=classes.n_types)
        self.role_types: list[list[int]] = []
        for r in range(self.n_r):
            ts = [int(t) for t in np.flatnonzero(classes.type_role == r)]
            self.role_types.append(sorted(ts, key=lambda t: (-size_t[t], t)))
        self.move_cap = problem.policy.max_moves
        #: types left as they are: a member of a pair or someone who must rotate is a
        #: type of one whose place a rule of its own decides (``Classes.single``)
        self.frozen: set[int] = (
            {int(classes.ctype[k]) for k in np.flatnonzero(classes.single)}
            if classes.single.size == classes.n
            else set()
        )
        #: and the types of staff with a draft unit (a consultation round): their classes
        #: are split by the draft's decision (``Classes.draft_kind``), so one home may
        #: hold several classes without barred units, which the rounds cannot write back
        if classes.draft_kind.size == classes.n:
            self.frozen |= {int(classes.ctype[k]) for k in np.flatnonzero(classes.draft_kind)}
        #: per type: home unit -> (its class without barred units or -1, the others)
        self.at_home: list[dict[int, tuple[int, list[int]]]] = []
        for t in range(classes.n_types):
            homes: dict[int, tuple[int, list[int]]] = {}
            for k_pos in classes.type_classes[t]:
                kc = int(k_pos)
                free_k, barred = homes.get(int(classes.home[kc]), (-1, []))
                if classes.barred[kc]:
                    barred = [*barred, kc]
                elif free_k >= 0:
                    self.frozen.add(t)  # two such classes at one home: left as they are
                else:
                    free_k = kc
                homes[int(classes.home[kc])] = (free_k, barred)
            self.at_home.append(homes)
        self.elements = classes.n + int(arr_count.sum())

    # -- the state -----------------------------------------------------------------

    def capacity(self) -> IntArray:
        p, c, idx = self.problem, self.classes, self.problem.index
        s = metrics.assigned_capacity_centi(p, idx.home).reshape(-1).copy()
        c_pair = c.home * self.n_r + c.type_role[c.ctype]
        np.subtract.at(s, c_pair, 100 * c.type_cap[c.ctype] * self.out)
        arr_type = np.repeat(np.arange(c.n_types), np.diff(self.arr_start))
        arr_unit = np.concatenate(c.type_targets).astype(np.int64)
        np.add.at(
            s, arr_unit * self.n_r + c.type_role[arr_type], 100 * c.type_cap[arr_type] * self.arrive
        )
        return s

    def key(self, s: IntArray) -> tuple[int, int]:
        dev = np.abs(s - self.fair)
        return int(dev.sum()), int(metrics.phi_scaled(dev, self.fair, self.problem.policy).sum())

    # -- one type's restricted problem ------------------------------------------------

    def step_of(self, t: int) -> _TypeStep:
        """The free units of type ``t`` and their data."""
        c = self.classes
        targets = c.type_targets[t]
        a0 = self.arr_start[t]
        members = c.type_classes[t]
        homes = c.home[members]
        units = np.union1d(targets, homes).astype(np.int64)
        pos = {int(u): i for i, u in enumerate(units)}
        n = units.size
        in0 = np.zeros(n, dtype=np.int64)
        in0[[pos[int(u)] for u in targets]] = self.arrive[a0 : a0 + targets.size]
        pin_in = np.zeros(n, dtype=np.int64)
        pin_in[[pos[int(u)] for u in targets]] = self.pinned_a[a0 : a0 + targets.size]
        out0 = np.zeros(n, dtype=np.int64)
        fixed_out = np.zeros(n, dtype=np.int64)
        free_room = np.zeros(n, dtype=np.int64)
        for k in members:
            k = int(k)
            i = pos[int(c.home[k])]
            out0[i] += self.out[k]
            if c.barred[k]:
                fixed_out[i] += self.out[k]
            else:
                fixed_out[i] += self.pinned_c[k]
                free_room[i] += c.size[k] - self.pinned_c[k]
        is_target = np.zeros(n, dtype=np.bool_)
        is_target[[pos[int(u)] for u in targets]] = True
        fixed = self.bounded[units].copy()
        for u in self.req_units[t]:
            if u in pos:
                fixed[pos[u]] = True
        free = ~fixed
        b = pin_in - fixed_out
        y = int(fixed_out[free].sum() - pin_in[free].sum() + out0[fixed].sum() - in0[fixed].sum())
        moves_base = int(pin_in[free].sum() + in0[fixed].sum())
        p_cap = np.where(is_target, np.iinfo(np.int64).max // 4, 0)[free]
        q_cap = free_room[free]
        return _TypeStep(
            t=t,
            units=units[free],
            b=b[free],
            p_cap=p_cap,
            q_cap=q_cap,
            y=y,
            moves_base=moves_base,
            j_min=max(0, y),
        )

    def run(self, max_rounds: int, imbalance_cap: int | None) -> dict[str, IntArray] | None:
        """The best decisions of the rounds (None when none improved on the start)."""
        improved_any = False
        best = {"out": self.out.copy(), "arrive": self.arrive.copy(), "pref": self.pref.copy()}
        s = self.capacity()
        current = self.key(s)
        cycle = max((len(ts) for ts in self.role_types), default=0)
        stale = 0
        for rnd in range(max_rounds):
            if stale >= cycle or (self.budget is not None and self.budget.exhausted()):
                break
            if self.budget is not None:
                self.budget.charge(GREEDY_WORK_PER_PASS + GREEDY_WORK_PER_ELEMENT * self.elements)
            chosen = []
            for ts in self.role_types:
                live = [t for t in ts if t not in self.frozen]
                if live:
                    chosen.append(live[rnd % len(live)])
            improved = self.round(chosen, s)
            if improved is None:
                stale += 1
                continue
            s_new = self.capacity()
            key = self.key(s_new)
            if key < current and (imbalance_cap is None or key[0] <= imbalance_cap):
                current, s = key, s_new
                best = {
                    "out": self.out.copy(),
                    "arrive": self.arrive.copy(),
                    "pref": self.pref.copy(),
                }
                stale = 0
                improved_any = True
            else:
                self.out, self.arrive = best["out"].copy(), best["arrive"].copy()
                s = self.capacity()
                stale += 1
        return best if improved_any else None

    def round(self, chosen: list[int], s: IntArray) -> bool | None:
        """Re-allocate the chosen types (one per role) exactly; None if nothing changed."""
        c, pol = self.classes, self.problem.policy
        steps = [st for st in map(self.step_of, chosen) if st.units.size]
        if not steps:
            return None
        # per step: the marginal cost functions of its units, base at x = b
        fair = self.fair
        n_r = self.n_r

        def h(t: int, units: IntArray, x: IntArray, base: IntArray) -> IntArray:
            pair = units * n_r + int(c.type_role[t])
            sv = base[pair] + 100 * int(c.type_cap[t]) * x
            f = fair[pair]
            d = np.abs(sv - f)
            out: IntArray = d * _TIE + metrics.phi_scaled(d, f, pol)
            return out

        # the capacity without the chosen types' free parts' current change
        base = s.copy()
        fixed_moves = 0
        chosen_set = {st.t for st in steps}
        for t in range(c.n_types):
            if t not in chosen_set:
                fixed_moves += int(self.out[c.type_classes[t]].sum())
        for st in steps:
            t = st.t
            a0 = self.arr_start[t]
            targets = c.type_targets[t]
            x_now = np.zeros(st.units.size, dtype=np.int64)
            pos = {int(u): i for i, u in enumerate(st.units)}
            for j, u in enumerate(targets):
                i = pos.get(int(u))
                if i is not None:
                    x_now[i] += self.arrive[a0 + j]
            for k in c.type_classes[t]:
                i = pos.get(int(c.home[int(k)]))
                if i is not None:
                    x_now[i] -= self.out[int(k)]
            pair = st.units * n_r + int(c.type_role[t])
            np.subtract.at(base, pair, 100 * int(c.type_cap[t]) * x_now)
        # the forced part of every step, then the cheapest marginals over all
        heaps_p: list[list[tuple[int, int, int]]] = []
        heaps_q: list[list[tuple[int, int, int]]] = []
        p_take: list[IntArray] = []
        q_take: list[IntArray] = []
        for st in steps:
            n = st.units.size
            p_take.append(np.zeros(n, dtype=np.int64))
            q_take.append(np.zeros(n, dtype=np.int64))
            h0 = h(st.t, st.units, st.b, base)
            hp = h(st.t, st.units, st.b + 1, base) - h0
            hq = h(st.t, st.units, st.b - 1, base) - h0
            heaps_p.append([(int(hp[i]), i, 0) for i in range(n) if st.p_cap[i] > 0])
            heaps_q.append([(int(hq[i]), i, 0) for i in range(n) if st.q_cap[i] > 0])
            heapq.heapify(heaps_p[-1])
            heapq.heapify(heaps_q[-1])

        chunks: dict[tuple[int, int, int], tuple[int, IntArray]] = {}

        def marginal(k: int, sign: int, i: int, taken: int) -> int:
            """h(b + sign·(taken + 1)) − h(b + sign·taken) at unit i of step k
            (computed _CHUNK at a time)."""
            first, vals = chunks.get((k, sign, i), (-1, _EMPTY))
            if not (first <= taken < first + vals.size):
                st = steps[k]
                xs = st.b[i] + sign * np.arange(taken, taken + _CHUNK + 1, dtype=np.int64)
                hv = h(st.t, np.full(xs.size, st.units[i], dtype=np.int64), xs, base)
                first, vals = taken, np.diff(hv)
                chunks[(k, sign, i)] = (first, vals)
            return int(vals[taken - first])

        def pop(k: int, side: str) -> int | None:
            st = steps[k]
            heap = heaps_p[k] if side == "p" else heaps_q[k]
            take = p_take[k] if side == "p" else q_take[k]
            cap = st.p_cap if side == "p" else st.q_cap
            if not heap:
                return None
            cost, i, _ = heapq.heappop(heap)
            take[i] += 1
            if take[i] < cap[i]:
                sign = 1 if side == "p" else -1
                heapq.heappush(heap, (marginal(k, sign, i, int(take[i])), i, int(take[i])))
            return cost

        def peek(k: int, side: str) -> int | None:
            heap = heaps_p[k] if side == "p" else heaps_q[k]
            return heap[0][0] if heap else None

        moves = fixed_moves
        for k, st in enumerate(steps):
            for _ in range(st.j_min):
                if pop(k, "p") is None:
                    return None  # cannot place the forced leavers: leave it
            for _ in range(st.j_min - st.y):
                if pop(k, "q") is None:
                    return None
            moves += st.moves_base + st.j_min
        if self.move_cap is not None and moves > self.move_cap:
            return None
        # global merge: the cheapest next (P, Q) pair over the steps while negative
        frontier: list[tuple[int, int]] = []
        for k in range(len(steps)):
            a, bq = peek(k, "p"), peek(k, "q")
            if a is not None and bq is not None:
                heapq.heappush(frontier, (a + bq, k))
        while frontier and (self.move_cap is None or moves < self.move_cap):
            cost, k = heapq.heappop(frontier)
            a, bq = peek(k, "p"), peek(k, "q")
            if a is None or bq is None:
                continue
            if a + bq != cost:
                heapq.heappush(frontier, (a + bq, k))
                continue
            if cost >= 0:
                break
            pop(k, "p")
            pop(k, "q")
            moves += 1
            a, bq = peek(k, "p"), peek(k, "q")
            if a is not None and bq is not None:
                heapq.heappush(frontier, (a + bq, k))
        # write the new counts
        # (every step is written, also one whose net changes are the same: the
        # moves counted above are those of the fewest-moves realisation)
        old_out, old_arrive = self.out.copy(), self.arrive.copy()
        for k, st in enumerate(steps):
            self.write(st, st.b + p_take[k] - q_take[k])
            if not self.hall_ok(st.t):
                self.out, self.arrive = old_out, old_arrive
                self.frozen.add(st.t)
                return None
        changed = not (
            np.array_equal(old_out, self.out) and np.array_equal(old_arrive, self.arrive)
        )
        return True if changed else None

    def write(self, st: _TypeStep, x: IntArray) -> None:
        """Set type ``st.t``'s free units to net change ``x`` with the fewest moves."""
        c = self.classes
        t = st.t
        a0 = self.arr_start[t]
        targets = c.type_targets[t]
        tpos = {int(u): j for j, u in enumerate(targets)}
        for i, u in enumerate(st.units):
            u = int(u)
            j = tpos.get(u)
            pin_in = int(self.pinned_a[a0 + j]) if j is not None else 0
            free_k, barred = self.at_home[t].get(u, (-1, []))
            fixed_out = sum(int(self.out[k]) for k in barred)
            if free_k >= 0:
                fixed_out += int(self.pinned_c[free_k])
            xi = int(x[i])
            if j is not None:
                arrivals = max(pin_in, xi + fixed_out)
                self.arrive[a0 + j] = arrivals
            else:
                arrivals = 0
            leavers = arrivals - xi
            if free_k >= 0:
                self.out[free_k] = leavers - (fixed_out - int(self.pinned_c[free_k]))
            else:
                assert leavers == fixed_out

    def hall_ok(self, t: int) -> bool:
        return hall_holds(
            self.classes, self.hall, t, self.out, self.arrive, self.pinned_c, self.pinned_a
        )
