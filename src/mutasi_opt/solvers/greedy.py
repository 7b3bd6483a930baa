"""A fast local search warm start on the class/type aggregation.

Starting from feasible decisions (usually the previous stage's solution), the
search repeatedly applies the best of three operations on the counts:

* **add** — one member of a class leaves home for a target unit of its type;
* **undo** — one such move is taken back (a leaver of the type returns home
  and one arrival of the type is cancelled);
* **swap** — an undo and an add together (used when the move budget is full);

each chosen to lower the stage objective (``Σ d`` for the imbalance stage,
``Σ 100·φ`` for the balance stage) the most, while keeping every hard rule
(headcount bounds, move budget), the competency shortfall within its cap (and,
with ``trainable_gap`` > 0, the training needs within theirs, lexicographically
after it) and, for the balance stage, ``Σ d`` within its cap.  Every pass is vectorised over
classes and arrivals and applies, best first, every improving add, undo or
(with the budget full) swap that touches no unit an earlier change of the
same pass touched, so each delta is still exact when it is applied.  The
result is only a hint for CP-SAT: it proves nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .. import metrics
from ..domain.arrays import IntArray
from ..domain.limits import GREEDY_WORK_PER_ELEMENT, GREEDY_WORK_PER_PASS, Budget
from ..domain.problem import Problem
from .aggregation import Classes

__all__ = ["greedy_improve", "hall_holds", "hall_table", "pinned_counts"]

_INF = np.iinfo(np.int64).max // 4
_TIE = 2**32
#: weight of one unit of shortfall in the imbalance stage's key (> any ΔD·2³² + ΔB)
_SHORT = 2**54
#: per type and pass, the best classes × arrivals tried as a batch
_BATCH_K = 4


@dataclass
class _Best:
    delta: int
    cls: int
    arr: int


def _top_k(values: IntArray, groups: IntArray, n_groups: int, k: int) -> IntArray:
    """``[n_groups, k]`` indices of each group's k smallest values (−1 where fewer)."""
    out = np.full((n_groups, k), -1, dtype=np.int64)
    if values.size == 0:
        return out
    order = np.lexsort((np.arange(values.size), values, groups))
    g = groups[order]
    starts = np.searchsorted(g, np.arange(n_groups))
    rank = np.arange(order.size) - starts[g]
    keep = (rank < k) & (values[order] < _INF)
    out[g[keep], rank[keep]] = order[keep]
    return out


def _per_type(
    d_cls: IntArray,
    d_arr: IntArray,
    c_type: IntArray,
    arr_type: IntArray,
    c_home: IntArray,
    arr_unit: IntArray,
    n_types: int,
    k: int = 1,
    *,
    improving: bool,
    below: int | None = None,
) -> list[_Best]:
    """Candidate (class, arrival) pairs of the same type, best ``d_cls + d_arr`` first.

    Per type the ``k`` best classes are paired with the ``k + 1`` best
    arrivals (one more, as an arrival at a class's own home does not count);
    with ``k = 1`` the first candidate of each type is its best pair.  With
    ``improving`` only arrivals that can lower the objective are paired; with
    ``below`` only pairs whose ``d_cls + d_arr`` is below it are returned (the
    best pair alone if none is).
    """
    cls = _top_k(d_cls, c_type, n_types, k)
    if improving:
        # only arrivals that improve when paired with their type's best class
        best_cls = np.where(cls[:, 0] >= 0, d_cls[np.maximum(cls[:, 0], 0)], _INF)
        keep = np.flatnonzero(d_arr < -best_cls[arr_type])
    else:
        keep = np.flatnonzero(d_arr < _INF)
    arr = _top_k(d_arr[keep], arr_type[keep], n_types, k + 1)
    if keep.size == 0:
        return []
    arr = np.where(arr >= 0, keep[np.maximum(arr, 0)], -1)
    c = np.repeat(cls[:, :, None], k + 1, axis=2).reshape(-1)
    a = np.repeat(arr[:, None, :], k, axis=1).reshape(-1)
    ok = (c >= 0) & (a >= 0)
    c, a = c[ok], a[ok]
    ok = c_home[c] != arr_unit[a]
    c, a = c[ok], a[ok]
    delta = d_cls[c] + d_arr[a]
    order = np.lexsort((a, c, delta))
    d_s, c_s, a_s = delta[order], c[order], a[order]
    if below is not None:
        # at 20,000 employees every candidate of every type made 300,000 objects
        # per search, of which the search looks at a few
        n_keep = max(1, int(np.searchsorted(d_s, below)))
        d_s, c_s, a_s = d_s[:n_keep], c_s[:n_keep], a_s[:n_keep]
    return [
        _Best(d, x, y) for d, x, y in zip(d_s.tolist(), c_s.tolist(), a_s.tolist(), strict=True)
    ]


def _best(found: list[_Best]) -> _Best | None:
    """The best candidate (the list is sorted)."""
    return found[0] if found else None


def _incidence(lists: list[IntArray]) -> tuple[IntArray, IntArray]:
    """(owner, requirement) index pairs of a list of requirement arrays."""
    if not lists:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    owner = np.repeat(np.arange(len(lists), dtype=np.int64), [len(r) for r in lists])
    return owner, np.concatenate(lists).astype(np.int64)


def _requirements_of(
    unit: IntArray, column: IntArray, mask: npt.NDArray[np.bool_], req_unit: IntArray
) -> list[IntArray]:
    """Per owner ``o`` (a class or an arrival): ``flatnonzero((req_unit == unit[o]) &
    mask[:, column[o]])``, for all owners at once (requirements grouped by unit)."""
    n = unit.size
    order = np.argsort(req_unit, kind="stable")
    ru = req_unit[order]
    lo = np.searchsorted(ru, unit, "left")
    hi = np.searchsorted(ru, unit, "right")
    count = hi - lo
    owner = np.repeat(np.arange(n, dtype=np.int64), count)
    first = np.concatenate([[0], np.cumsum(count)[:-1]]).astype(np.int64)
    q = order[np.repeat(lo - first, count) + np.arange(int(count.sum()), dtype=np.int64)]
    keep = mask[q, column[owner]] if q.size else np.zeros(0, dtype=np.bool_)
    owner, q = owner[keep], q[keep].astype(np.int64)
    return np.split(q, np.cumsum(np.bincount(owner, minlength=n))[:-1])


def _hall_checks(
    classes: Classes, arr_start: IntArray
) -> dict[int, list[tuple[IntArray, IntArray]]]:
    """Per type, for each barred set W: (arrival positions in W, classes barring all of W).

    Hall's condition then reads: arrivals into W (less pins) ≤ the type's free
    leavers less the free leavers of the classes barring all of W.
    """
    out: dict[int, list[tuple[IntArray, IntArray]]] = {}
    for t in range(classes.n_types):
        sets = classes.refusal_sets(t)
        if not sets:
            continue
        targets = classes.type_targets[t]
        barring = [int(c) for c in classes.type_classes[t] if classes.barred[int(c)]]
        checks = []
        for w in sets:
            arr = int(arr_start[t]) + np.flatnonzero(np.isin(targets, w))
            w_set = set(w)
            cls = np.array([c for c in barring if w_set <= set(classes.barred[c])], dtype=np.int64)
            checks.append((arr.astype(np.int64), cls))
        out[t] = checks
    return out


def _flatten(
    checks: list[tuple[IntArray, IntArray]],
) -> tuple[IntArray, IntArray, IntArray, IntArray, int]:
    """A type's Hall checks as flat index arrays with their check ids (for bincount)."""
    arr_check, arr_idx = _incidence([w for w, _ in checks])
    cls_check, cls_idx = _incidence([c for _, c in checks])
    return arr_idx, arr_check, cls_idx, cls_check, len(checks)


#: per type: its Hall checks as flat index arrays (see :func:`_flatten`)
HallTable = dict[int, tuple[IntArray, IntArray, IntArray, IntArray, int]]


def hall_table(classes: Classes, arr_start: IntArray) -> HallTable:
    """Every type's Hall checks, computed once per classes (kept in ``classes.memo``)."""
    if "hall" not in classes.memo:  # the same for every search on these classes
        hall = _hall_checks(classes, arr_start)
        classes.memo["hall"] = {t: _flatten(checks) for t, checks in hall.items()}
    table: HallTable = classes.memo["hall"]
    return table


def pinned_counts(
    classes: Classes, pref: IntArray, arr_start: IntArray
) -> tuple[IntArray, IntArray]:
    """Per class and per arrival place: the leavers / arrivals pinned by chosen
    preference options (``pref``); arrival places are numbered from ``arr_start``."""
    pinned_c = np.zeros(classes.n, dtype=np.int64)
    pinned_a = np.zeros(int(arr_start[-1]), dtype=np.int64)
    for k in np.flatnonzero(pref):
        opt = classes.pref_options[int(k)]
        pinned_c[opt.cls] += 1
        pos = int(np.searchsorted(classes.type_targets[opt.typ], opt.unit))
        pinned_a[arr_start[opt.typ] + pos] += 1
    return pinned_c, pinned_a


def hall_holds(
    classes: Classes,
    table: HallTable,
    t: int,
    out: IntArray,
    arrive: IntArray,
    pinned_c: IntArray,
    pinned_a: IntArray,
) -> bool:
    """Hall's condition for type ``t``: arrivals into every barred set W (less pins)
    ≤ the type's free leavers less those of the classes barring all of W."""
    flat = table.get(t)
    if flat is None:
        return True
    arr_idx, arr_chk, cls_idx, cls_chk, n_chk = flat
    members = classes.type_classes[t]
    free = int(out[members].sum() - pinned_c[members].sum())
    into_w = np.bincount(arr_chk, weights=arrive[arr_idx] - pinned_a[arr_idx], minlength=n_chk)
    barring = np.bincount(cls_chk, weights=out[cls_idx] - pinned_c[cls_idx], minlength=n_chk)
    return bool(np.all(into_w <= free - barring))


def greedy_improve(
    problem: Problem,
    classes: Classes,
    decisions: dict[str, IntArray],
    *,
    objective: str,
    shortfall_cap: int,
    imbalance_cap: int | None = None,
    max_steps: int | None = None,
    training_cap: int | None = None,
    budget: Budget | None = None,
) -> dict[str, IntArray]:
    """Improve ``decisions`` (``out``/``arrive``/``pref`` counts) by local search.

    Parameters
    ----------
    objective
        ``"imbalance"`` (minimise Σ d) or ``"balance"`` (minimise Σ 100·φ).
    shortfall_cap
        The competency shortfall may not exceed this.
    imbalance_cap
        For the balance stage: Σ d (centi-hours) may not exceed this.
    training_cap
        With ``trainable_gap`` > 0: (shortfall, training) may not exceed
        (``shortfall_cap``, this) lexicographically.
    budget
        Each pass charges its counted work (the classes and arrivals it scans,
        at :data:`~mutasi_opt.domain.limits.GREEDY_WORK_PER_ELEMENT`); the search
        stops, with the improvement so far, when the budget is used up.
    """
    idx = problem.index
    pol = problem.policy
    n_r = idx.n_roles
    fair = metrics.fair_share_centi(problem).reshape(-1)
    out = decisions["out"].copy()
    arrive = decisions["arrive"].copy()
    # preferred moves chosen earlier stay as they are (they are real moves)
    pref = decisions["pref"].copy()
    arr_count = np.array([len(t) for t in classes.type_targets], dtype=np.int64)
    if classes.n == 0 or arr_count.sum() == 0:
        return {"out": out, "arrive": arrive, "pref": pref}
    arr_type = np.repeat(np.arange(classes.n_types, dtype=np.int64), arr_count)
    arr_unit = np.concatenate(classes.type_targets).astype(np.int64)
    c_type, c_home = classes.ctype, classes.home
    c_cap = 100 * classes.type_cap[c_type]
    c_pair = c_home * n_r + classes.type_role[c_type]
    a_cap = 100 * classes.type_cap[arr_type]
    a_pair = arr_unit * n_r + classes.type_role[arr_type]

    s = metrics.assigned_capacity_centi(problem, idx.home).reshape(-1).copy()
    head = metrics.headcount(problem, idx.home).copy()
    np.subtract.at(s, c_pair, c_cap * out)
    np.add.at(s, a_pair, a_cap * arrive)
    np.subtract.at(head, c_home, out)
    np.add.at(head, arr_unit, arrive)
    move_cap = pol.max_moves if pol.max_moves is not None else _INF
    lo = np.where(idx.min_staff >= 0, idx.min_staff, -_INF)
    hi = np.where(idx.max_staff >= 0, idx.max_staff, _INF)

    n_q = len(problem.requirements)
    need = np.array([q.min_staff for q in problem.requirements], dtype=np.int64)
    qual = metrics.qualified_count(problem, idx.home).copy()
    # near-qualified staff per requirement (none without trainable_gap)
    near = metrics.near_count(problem, idx.home).copy()
    training = pol.trainable_gap > 0 and n_q > 0
    c_reqs: list[IntArray] = []
    a_reqs: list[IntArray] = []
    c_near: list[IntArray] = []
    a_near: list[IntArray] = []

    def counts(c_mask: npt.NDArray[np.bool_], a_mask: npt.NDArray[np.bool_]) -> IntArray:
        """Per requirement: the change of a count (``[Q, C]`` / ``[Q, T]`` masks) by the
        decisions, and the requirements each class / arrival counts toward."""
        change = np.zeros(n_q, dtype=np.int64)
        for q in range(n_q):
            uq = int(idx.req_unit[q])
            change[q] -= int(out[(c_home == uq) & c_mask[q]].sum())
            change[q] += int(arrive[(arr_unit == uq) & a_mask[q, arr_type]].sum())
        return change

    def incidence(
        key: str, c_mask: npt.NDArray[np.bool_], a_mask: npt.NDArray[np.bool_]
    ) -> tuple[list[IntArray], list[IntArray]]:
        """Per class and per arrival: the requirements (ascending) of its unit that
        it counts toward (computed once per class partition)."""
        if key not in classes.memo:
            req_unit = np.asarray(idx.req_unit, dtype=np.int64)
            classes.memo[key] = (
                _requirements_of(c_home, np.arange(classes.n), c_mask, req_unit),
                _requirements_of(arr_unit, arr_type, a_mask, req_unit),
            )
        found: tuple[list[IntArray], list[IntArray]] = classes.memo[key]
        return found

    if n_q:
        qual += counts(classes.qualified, classes.type_qualified)
        c_reqs, a_reqs = incidence("qualified", classes.qualified, classes.type_qualified)
        if training:
            near += counts(classes.near, classes.type_near)
            c_near, a_near = incidence("near", classes.near, classes.type_near)

    cq_c, cq_q = _incidence(c_reqs)
    aq_a, aq_q = _incidence(a_reqs)
    cn_c, cn_q = _incidence(c_near)
    an_a, an_q = _incidence(a_near)

    def critical() -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
        """Classes whose leaving / arrivals whose cancelling would raise a shortfall
        (or, for qualified staff, the training needs)."""
        tight = qual <= need
        crit_c = np.zeros(classes.n, dtype=np.bool_)
        crit_a = np.zeros(arr_unit.size, dtype=np.bool_)
        if n_q:
            np.logical_or.at(crit_c, cq_c, tight[cq_q])
            np.logical_or.at(crit_a, aq_a, tight[aq_q])
        if training:
            tight_near = qual + near <= need
            np.logical_or.at(crit_c, cn_c, tight_near[cn_q])
            np.logical_or.at(crit_a, an_a, tight_near[an_q])
        return crit_c, crit_a

    def delta(new: IntArray, old: IntArray, f: IntArray) -> IntArray:
        """Change of the stage objective; for the imbalance stage ties in Σ d are
        broken by φ (key ΔD·2³² + ΔB: one move changes B by less than 2³²)."""
        dphi = metrics.phi_scaled(np.abs(new - f), f, pol) - metrics.phi_scaled(
            np.abs(old - f), f, pol
        )
        if objective != "imbalance":
            return dphi
        dd: IntArray = np.abs(new - f) - np.abs(old - f)
        key: IntArray = dd * _TIE + dphi
        return key

    arr_start = np.concatenate([[0], np.cumsum(arr_count)]).astype(np.int64)
    pinned_c, pinned_a = pinned_counts(classes, pref, arr_start)

    def hall_ok(t: int) -> bool:
        """Free leavers of type t can still avoid their barred units (see classes)."""
        return hall_holds(classes, hall_flat, t, out, arrive, pinned_c, pinned_a)

    # the objective's terms per (unit, role) pair and per requirement, and their sums,
    # kept up to date by apply (a move changes two pairs and its units' requirements:
    # recomputing every term after each tried move took 60 % of the warm start at
    # 20,000 employees)
    dev_terms = np.abs(s - fair)
    phi_terms = metrics.phi_scaled(dev_terms, fair, pol)
    dev_terms_l: list[int] = dev_terms.tolist()
    phi_terms_l: list[int] = phi_terms.tolist()
    s_l: list[int] = s.tolist()
    fair_l: list[int] = fair.tolist()

    def req_terms(q: int) -> tuple[int, int]:
        uncovered = max(0, int(need[q]) - int(qual[q]))
        short = max(0, uncovered - int(near[q]))
        return short, uncovered - short

    terms = [req_terms(q) for q in range(n_q)]
    q_short, q_trained = [t[0] for t in terms], [t[1] for t in terms]
    # (shortfall, training needs, Σ d, Σ 100·φ); without trainable_gap no one is
    # near-qualified, so the training needs stay 0
    sums = [sum(q_short), sum(q_trained), int(dev_terms.sum()), int(phi_terms.sum())]

    def apply(c: int, a: int, sign: int) -> None:
        pc, pa = int(c_pair[c]), int(a_pair[a])
        s[pc] -= sign * c_cap[c]
        s[pa] += sign * a_cap[a]
        s_l[pc] -= sign * int(c_cap[c])
        s_l[pa] += sign * int(a_cap[a])
        for p in {pc, pa}:
            d = abs(s_l[p] - fair_l[p])
            ph = metrics.phi_scaled_one(d, fair_l[p], pol)
            sums[2] += d - dev_terms_l[p]
            sums[3] += ph - phi_terms_l[p]
            dev_terms_l[p], phi_terms_l[p] = d, ph
        head[c_home[c]] -= sign
        head[arr_unit[a]] += sign
        out[c] += sign
        arrive[a] += sign
        if n_q:
            qual[c_reqs[c]] -= sign
            qual[a_reqs[a]] += sign
            touched_q = {*c_reqs[c].tolist(), *a_reqs[a].tolist()}
            if training:
                near[c_near[c]] -= sign
                near[a_near[a]] += sign
                touched_q.update(c_near[c].tolist())
                touched_q.update(a_near[a].tolist())
            for q in touched_q:
                short, trained = req_terms(q)
                sums[0] += short - q_short[q]
                sums[1] += trained - q_trained[q]
                q_short[q], q_trained[q] = short, trained

    def total() -> tuple[int, int, int, int]:
        """(shortfall, training needs, Σ d, Σ 100·φ)."""
        return sums[0], sums[1], sums[2], sums[3]

    def gains() -> tuple[IntArray, IntArray]:
        """Shortfall removed by one more qualified arrival (per arrival) / return home
        (per class): the requirements there still short.

        With ``trainable_gap`` > 0, in half units so that (shortfall, training)
        improves lexicographically: a qualified member gains 2 where the
        requirement is short and 1 where it only needs training; a
        near-qualified member gains 1 where it is short (it trades a shortfall
        for a training need)."""
        short = (qual + near < need).astype(np.int64)
        gain_a = np.zeros(arr_unit.size, dtype=np.int64)
        gain_c = np.zeros(classes.n, dtype=np.int64)
        if training:
            qualified_gain = short + (qual < need)
            np.add.at(gain_a, aq_a, qualified_gain[aq_q])
            np.add.at(gain_c, cq_c, qualified_gain[cq_q])
            np.add.at(gain_a, an_a, short[an_q])
            np.add.at(gain_c, cn_c, short[cn_q])
        elif n_q:
            np.add.at(gain_a, aq_a, short[aq_q])
            np.add.at(gain_c, cq_c, short[cq_q])
        return gain_a, gain_c

    start = total()
    # (shortfall, training) may not exceed the caps, or the start's where it does
    first_cap = (max(shortfall_cap, start[0]), 0)
    if training_cap is not None:
        first_cap = max((shortfall_cap, training_cap), (start[0], start[1]))

    def allowed(state: tuple[int, int, int, int]) -> bool:
        if state[0] > first_cap[0] or (training_cap is not None and state[:2] > first_cap):
            return False
        return imbalance_cap is None or state[2] <= imbalance_cap

    n_types = classes.n_types

    def paired(d_cls: IntArray, d_arr: IntArray, *, improving: bool, below: int) -> list[_Best]:
        return _per_type(
            d_cls,
            d_arr,
            c_type,
            arr_type,
            c_home,
            arr_unit,
            n_types,
            _BATCH_K,
            improving=improving,
            below=below,
        )

    hall_flat = hall_table(classes, arr_start)
    # members of a pair (and who must rotate) keep their place: the rule holds as in the start
    fixed_c = classes.single if classes.single.size == classes.n else np.zeros(classes.n, bool)
    fixed_a = np.isin(arr_type, np.unique(c_type[fixed_c]))
    blocked = fixed_c.copy()
    current = start
    steps = stall = 0
    limit = max_steps if max_steps is not None else 4 * len(problem.employees) + 100
    pass_work = GREEDY_WORK_PER_PASS + GREEDY_WORK_PER_ELEMENT * (classes.n + int(arr_count.sum()))
    last_pass = 0.0  # seconds of the last pass: one is not started with less time left
    t_pass: float | None = None
    while steps < limit:
        if t_pass is not None:
            last_pass = time.perf_counter() - t_pass
        if budget is not None and (budget.exhausted() or not budget.room_for(last_pass)):
            break  # (the budget records which limit stopped the search)
        steps += 1
        t_pass = time.perf_counter()
        if budget is not None:
            budget.charge(pass_work)
        moves = int(out.sum())
        crit_c, crit_a = critical()
        s_c, f_c, s_a, f_a = s[c_pair], fair[c_pair], s[a_pair], fair[a_pair]
        # add: a member leaves c and arrives at a
        add_c = np.where(
            (out < classes.size) & (head[c_home] - 1 >= lo[c_home]) & ~blocked & ~crit_c,
            delta(s_c - c_cap, s_c, f_c),
            _INF,
        )
        add_a = np.where(head[arr_unit] + 1 <= hi[arr_unit], delta(s_a + a_cap, s_a, f_a), _INF)
        if objective == "imbalance" and n_q:
            # the imbalance stage also covers shortfall first (a start may not yet)
            gain_a, gain_c = gains()
            add_a = np.where(add_a < _INF, add_a - gain_a * _SHORT, _INF)
        # undo: a leaver of c returns home and an arrival at a is cancelled
        undo_c = np.where(
            (out > pinned_c) & (head[c_home] + 1 <= hi[c_home]) & ~fixed_c,
            delta(s_c + c_cap, s_c, f_c),
            _INF,
        )
        undo_a = np.where(
            (arrive > pinned_a) & (head[arr_unit] - 1 >= lo[arr_unit]) & ~crit_a & ~fixed_a,
            delta(s_a - a_cap, s_a, f_a),
            _INF,
        )
        if objective == "imbalance" and n_q:
            undo_c = np.where(undo_c < _INF, undo_c - gain_c * _SHORT, _INF)
        # the adds that improve (or the best), and the undos that improve or pay for
        # the best add in a swap (no other is looked at below)
        adds = paired(add_c, add_a, improving=True, below=0)
        undos = paired(undo_c, undo_a, improving=False, below=max(0, -adds[0].delta) if adds else 0)
        # batch: every type's best improving add or undo, best first, as long as
        # it touches no unit an earlier one of this pass touched (so its delta,
        # computed at the start of the pass, is still exact)
        batch = sorted(
            [(b.delta, 0, i, b.cls, b.arr, -1) for i, b in enumerate(undos) if b.delta < 0]
            + [(b.delta, 1, i, b.cls, b.arr, 1) for i, b in enumerate(adds) if b.delta < 0]
        )
        touched: set[int] = set()
        applied = 0
        for _, _, _, c, a, sign in batch:
            units = (int(c_home[c]), int(arr_unit[a]))
            if units[0] in touched or units[1] in touched:
                continue
            if sign == 1 and moves + applied >= move_cap:
                continue
            apply(c, a, sign)
            state = total()
            better = state < current if objective == "imbalance" else state[3] < current[3]
            if better and allowed(state) and hall_ok(int(c_type[c])):
                current = state
                applied += sign
                touched.update(units)
                continue
            apply(c, a, -sign)
            if sign == 1:
                blocked[c] = True  # this class's moves break a cap: stop trying it
        if moves + applied >= move_cap:
            # the budget is full: a batch of swaps (undo one move, make a better one),
            # each on four units no other change of this pass touched
            free_undos = [(u, int(c_home[u.cls]), int(arr_unit[u.arr])) for u in undos]
            for ad in adds:
                if ad.delta >= 0 or not free_undos or ad.delta + free_undos[0][0].delta >= 0:
                    break
                a_units = {int(c_home[ad.cls]), int(arr_unit[ad.arr])}
                if a_units & touched:
                    continue
                busy = touched | a_units
                found = next(
                    (x for x in free_undos if x[1] not in busy and x[2] not in busy),
                    None,
                )
                if found is None or found[0].delta + ad.delta >= 0:
                    continue
                un = found[0]
                pair = ((un.cls, un.arr, -1), (ad.cls, ad.arr, 1))
                for c, a, sign in pair:
                    apply(c, a, sign)
                state = total()
                better = state < current if objective == "imbalance" else state[3] < current[3]
                if (
                    better
                    and allowed(state)
                    and hall_ok(int(c_type[un.cls]))
                    and hall_ok(int(c_type[ad.cls]))
                ):
                    current = state
                    touched |= a_units | {int(c_home[un.cls]), int(arr_unit[un.arr])}
                    free_undos.remove(found)
                    continue
                for c, a, sign in reversed(pair):
                    apply(c, a, -sign)
        if touched:
            stall = 0
            continue
        swap_add = _best(adds)
        undo = _best(undos)
        add = swap_add if moves < move_cap else None
        candidates: list[list[tuple[int, int, int]]] = []
        if undo is not None and undo.delta < 0:
            candidates.append([(undo.cls, undo.arr, -1)])
        if add is not None and add.delta < 0:
            candidates.append([(add.cls, add.arr, 1)])
        if (
            moves >= move_cap
            and undo is not None
            and swap_add is not None
            and undo.delta + swap_add.delta < 0
        ):
            candidates.append([(undo.cls, undo.arr, -1), (swap_add.cls, swap_add.arr, 1)])
        progressed = False
        for ops in sorted(candidates, key=len):
            for c, a, sign in ops:
                apply(c, a, sign)
            state = total()
            better = state < current if objective == "imbalance" else state[3] < current[3]
            if better and allowed(state) and all(hall_ok(int(c_type[c])) for c, _, _ in ops):
                current = state
                progressed = True
                break
            for c, a, sign in reversed(ops):
                apply(c, a, -sign)
            if len(ops) == 1 and ops[0][2] == 1:
                blocked[ops[0][0]] = True  # this class's moves break a cap: stop trying it
        if progressed:
            stall = 0
        else:
            stall += 1
            if not candidates or stall > 20:
                break
    return {"out": out, "arrive": arrive, "pref": pref}


def greedy_preferences(classes: Classes, decisions: dict[str, IntArray]) -> dict[str, IntArray]:
    """Fill the preference options greedily within the given leave/arrive counts.

    Options are taken by decreasing saving while the employee is free, the
    class still has a leaver without a chosen option, and the arrival place
    still has room: a feasible (not necessarily optimal) start for stage 5.
    """
    out, arrive = decisions["out"], decisions["arrive"]
    arr_count = np.array([len(t) for t in classes.type_targets], dtype=np.int64)
    arr_start = np.concatenate([[0], np.cumsum(arr_count)]).astype(np.int64)
    arr_pos = {
        (t, int(u)): int(arr_start[t]) + k
        for t, targets in enumerate(classes.type_targets)
        for k, u in enumerate(targets)
    }
    room_out = out.copy()
    room_in = arrive.copy()
    used: set[int] = set()
    pref = np.zeros(len(classes.pref_options), dtype=np.int64)
    pinned_c = np.zeros(classes.n, dtype=np.int64)
    hall = _hall_checks(classes, arr_start)

    def hall_ok(t: int) -> bool:
        for w_arr, w_cls in hall.get(t, []):
            units_w = set(arr_unit[w_arr].tolist())
            pins_w = sum(
                1
                for k in np.flatnonzero(pref)
                if classes.pref_options[k].typ == t and classes.pref_options[k].unit in units_w
            )
            members = classes.type_classes[t]
            free = int(out[members].sum() - pinned_c[members].sum())
            free -= int(out[w_cls].sum() - pinned_c[w_cls].sum())
            if int(arrive[w_arr].sum()) - pins_w > free:
                return False
        return True

    arr_unit = (
        np.concatenate(classes.type_targets).astype(np.int64)
        if arr_count.sum()
        else np.zeros(0, dtype=np.int64)
    )
    order = sorted(
        range(len(classes.pref_options)),
        key=lambda k: (-classes.pref_options[k].saving, classes.pref_options[k].employee),
    )
    for k in order:
        opt = classes.pref_options[k]
        a = arr_pos[(opt.typ, opt.unit)]
        if opt.saving <= 0 or opt.employee in used or room_out[opt.cls] <= 0 or room_in[a] <= 0:
            continue
        pref[k] = 1
        pinned_c[opt.cls] += 1
        if not hall_ok(opt.typ):
            pref[k] = 0
            pinned_c[opt.cls] -= 1
            continue
        used.add(opt.employee)
        room_out[opt.cls] -= 1
        room_in[a] -= 1
    return {"out": out.copy(), "arrive": arrive.copy(), "pref": pref}
