"""Historical mutations: replay past moves on a snapshot and measure them.

``history.csv`` has ``nip, from_unit, to_unit, date`` (``YYYY-MM-DD``) and an
optional ``kind`` (``permanent`` or ``temporary``).  :func:`evaluate_history`
replays the permanent moves, in date order, on the problem's state (the
snapshot before the window) and reports, with the same :mod:`metrics`, the
numbers before and after, every rule the moves broke (as the independent
checker sees them), and every row it could not replay, with the reason —
none is dropped silently.  The printed summaries (:meth:`HistoryReport.text`,
:meth:`HistoryComparison.text`) also speak Bahasa Indonesia (``lang="id"``);
the checker's rule messages stay in English.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import metrics
from ..domain.arrays import IntArray
from ..domain.hooks import provided
from ..domain.limits import Budget
from ..domain.params import UNSET, SolveParams, Unset
from ..domain.problem import Problem
from ..results.history import HistoryComparison, HistoryMove, HistoryReport, Skipped
from .check import check_plan

if TYPE_CHECKING:
    pass


__all__ = ["compare_history", "evaluate_history", "synthetic_history"]


def evaluate_history(problem: Problem, history: Any) -> HistoryReport:
    """Replay the permanent moves of ``history`` (rows or a path) on the problem's state."""
    read = provided("history.read")  # io.history.read_history
    moves = read(history) if isinstance(history, str | Path) else tuple(history)
    idx = problem.index
    where = idx.home.copy()
    applied: list[HistoryMove] = []
    skipped: list[Skipped] = []
    for m in sorted(moves, key=lambda m: (m.date, m.row or 0)):
        if m.kind != "permanent":
            skipped.append(Skipped.because(m, "history.skip.temporary"))
            continue
        e = idx.nip_pos.get(m.nip)
        if e is None:
            skipped.append(Skipped.because(m, "history.skip.nip", nip=m.nip))
            continue
        missing = [u for u in (m.from_unit, m.to_unit) if u not in idx.unit_pos]
        if missing:
            skipped.append(Skipped.because(m, "history.skip.unit", unit=missing[0]))
            continue
        now = idx.unit_ids[int(where[e])]
        if now != m.from_unit:
            skipped.append(Skipped.because(m, "history.skip.from_unit", given=m.from_unit, now=now))
            continue
        where[e] = idx.unit_pos[m.to_unit]
        applied.append(m)
    return HistoryReport(
        problem=problem,
        assignment=where,
        before=metrics.evaluate(problem, idx.home),
        after=metrics.evaluate(problem, where),
        applied=tuple(applied),
        exceptions=tuple(check_plan(problem, where)),
        skipped=tuple(skipped),
    )


# ------------------------------------------------------------ synthetic histories
#: How a synthetic history's moves are made, by default (shares of the moves).
HISTORY_MIX = {"preference": 0.35, "need": 0.35, "random": 0.3}


def synthetic_history(
    problem: Problem,
    n_moves: int | None = None,
    *,
    seed: int = 0,
    start: dt.date = dt.date(2025, 1, 1),
    days: int = 365,
    mix: dict[str, float] | None = None,
    exceptions: float = 0.05,
    temporary: float = 0.02,
) -> tuple[HistoryMove, ...]:
    """A plausible hand-made mutasi history for ``problem`` (seeded, deterministic).

    Each move is one of (shares from ``mix``, default :data:`HISTORY_MIX`):

    * ``preference``: someone who asked to move goes to their first listed unit;
    * ``need``: from the unit with the most surplus capacity of a role to the one
      with the most missing (what an analyst does by hand, one move at a time);
    * ``random``: a movable employee to any unit with demand for their role.

    A share ``exceptions`` of the moves break a rule on purpose (a locked,
    PPPK or recently moved employee, or a refused unit), as real histories do;
    a share ``temporary`` are secondments (``kind`` temporary).  Dates are
    spread over ``days`` days from ``start``; an employee may move twice, and
    each row's ``from_unit`` is where they were at that date.  ``n_moves``
    defaults to 3 % of the employees (a typical yearly rate).
    """
    mix = dict(HISTORY_MIX if mix is None else mix)
    if any(v < 0 for v in mix.values()) or sum(mix.values()) <= 0:
        raise ValueError("mix shares must be non-negative with a positive sum")
    unknown = set(mix) - set(HISTORY_MIX)
    if unknown:
        raise ValueError(f"unknown kinds of move in mix: {sorted(unknown)}")
    idx = problem.index
    n = max(1, round(0.03 * idx.n_employees)) if n_moves is None else int(n_moves)
    if n < 0:
        raise ValueError("n_moves must be non-negative")
    rng = np.random.default_rng(seed)
    where = idx.home.copy()
    movable = metrics.movable(problem)
    cap = metrics.capacity_hours(problem)
    fair = metrics.fair_share_centi(problem)  # [U, R]
    have = metrics.assigned_capacity_centi(problem, where)  # [U, R]
    moved = np.zeros(idx.n_employees, dtype=np.bool_)
    kinds = list(mix)
    p = np.array([mix[k] for k in kinds], dtype=np.float64)
    p /= p.sum()
    wanting = [e for e in np.flatnonzero(movable) if idx.preferred[int(e)]]
    rng.shuffle(wanting)
    offsets = np.sort(rng.integers(0, max(1, days), size=n))
    out: list[HistoryMove] = []

    def pick_unit(e: int, choices: IntArray, refused: bool = False) -> int | None:
        ok = [
            int(u)
            for u in choices
            if u != where[e]
            and idx.has_demand[u, idx.role[e]]
            and (refused or int(u) not in idx.refused[e])
        ]
        return None if not ok else ok[int(rng.integers(len(ok)))]

    def need_move() -> tuple[int, int] | None:
        surplus = have - fair
        r = int(rng.integers(idx.n_roles))
        src = int(np.argmax(surplus[:, r]))
        dst = int(np.argmin(np.where(idx.has_demand[:, r], surplus[:, r], np.iinfo(np.int64).max)))
        if src == dst or surplus[src, r] <= 0:
            return None
        cands = np.flatnonzero((where == src) & (idx.role == r) & movable & ~moved)
        return None if cands.size == 0 else (int(cands[rng.integers(cands.size)]), dst)

    def rule_breaker() -> tuple[int, int] | None:
        bad = ~movable | moved
        refusers = [e for e in range(idx.n_employees) if idx.refused[e]]
        if refusers and rng.random() < 0.3:
            e = refusers[int(rng.integers(len(refusers)))]
            u = pick_unit(e, np.array(idx.refused[e], dtype=np.int64), refused=True)
            if u is not None:
                return e, u
        cands = np.flatnonzero(bad)
        if cands.size == 0:
            return None
        e = int(cands[rng.integers(cands.size)])
        u = pick_unit(e, np.arange(idx.n_units))
        return None if u is None else (e, u)

    for k in range(n):
        choice: tuple[int, int] | None = None
        if rng.random() < exceptions:
            choice = rule_breaker()
        kind = kinds[int(rng.choice(len(kinds), p=p))]
        if choice is None and kind == "preference":
            while wanting and choice is None:
                e = int(wanting.pop())
                u = pick_unit(e, np.array(idx.preferred[e][:1], dtype=np.int64))
                choice = None if u is None else (e, u)
        if choice is None and kind == "need":
            choice = need_move()
        if choice is None:  # random, or nothing left of the kind drawn
            free = np.flatnonzero(movable & ~moved)
            for _ in range(20):
                if free.size == 0:
                    break
                e = int(free[rng.integers(free.size)])
                u = pick_unit(e, np.arange(idx.n_units))
                if u is not None:
                    choice = (e, u)
                    break
        if choice is None:
            continue
        e, u = choice
        date = start + dt.timedelta(days=int(offsets[k]))
        temp = bool(rng.random() < temporary)
        out.append(
            HistoryMove(
                idx.nips[e],
                idx.unit_ids[int(where[e])],
                idx.unit_ids[u],
                date,
                "temporary" if temp else "permanent",
                len(out) + 2,
            )
        )
        if not temp:
            c = 100 * int(cap[e])
            have[int(where[e]), idx.role[e]] -= c
            have[u, idx.role[e]] += c
            where[e] = u
            moved[e] = True
    return tuple(out)


def compare_history(
    problem: Problem,
    history: Any,
    params: SolveParams | None = None,
    *,
    time_limit: float | Unset | None = UNSET,
    work_limit: float | Unset | None = UNSET,
    seed: int | Unset = UNSET,
    workers: int | Unset | None = UNSET,
) -> HistoryComparison:
    """Replay ``history`` and solve the same problem with as many moves.

    The optimiser works under the problem's rules with ``max_moves`` set to the
    number of employees the history moved; then the fewest moves with which a
    plan meeting the rules reaches the history's shortfall, ``D`` and ``B`` are
    sought (started from the optimiser's plan).  ``time_limit`` and
    ``work_limit`` (as for :func:`mutasi_opt.solve`) are shared: 60 % for the
    optimiser, the rest for the fewest moves.  ``params`` (a
    :class:`~mutasi_opt.domain.params.SolveParams`) gives them, the seed,
    the workers and the optimiser's stage switches; the keywords override
    its fields, as for :func:`mutasi_opt.solve`.
    """
    from .solve import _solve, fewest_moves

    chosen = SolveParams.resolve(
        params, time_limit=time_limit, work_limit=work_limit, seed=seed, workers=workers
    )
    whole = Budget(chosen.time_limit, chosen.work_limit)
    report = evaluate_history(problem, history)
    budget = report.after.moves
    same = problem.replace(policy=problem.policy.replace(max_moves=budget))
    plan = _solve(same, params=chosen, budget=whole.share(0.6))
    caps = {s: report.after.value(s) for s in ("shortfall", "imbalance", "balance")}
    reach = fewest_moves(
        problem,
        caps,
        chosen,
        start=plan if plan.has_solution else None,
        budget=whole.share(1.0),
    )
    return HistoryComparison(report, plan, reach)
