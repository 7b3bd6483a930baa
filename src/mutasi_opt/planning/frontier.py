"""How many moves buy how much balance: the moves-versus-balance frontier.

:func:`frontier` solves the same problem under a range of move budgets
(``policy.max_moves``), from 0 up to the number of moves of the unconstrained
optimum, and reports for each budget the lexicographic optimum's shortfall,
imbalance ``D``, balance cost ``B`` and preference cost, with bounds and
status.  Each solve starts from the plan of the next smaller budget (that plan
is feasible under the larger budget), so the whole curve costs a small
multiple of one solve; :attr:`Frontier.cost_multiple` reports the multiple.

The suggested budget is the knee of the curve: the point furthest above the
straight line from "no moves" to "all the moves the optimum wants", in
coordinates where both axes run from 0 to 1 (moves as a share of the
unconstrained optimum's moves, reduction of ``D`` as a share of the achievable
reduction).  It is stated as "k moves give p% of the achievable reduction".
:meth:`Frontier.text` and :meth:`Frontier.suggestion` also speak Bahasa
Indonesia (``lang="id"``).
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np

from .. import metrics
from ..domain.limits import Budget
from ..domain.params import UNSET, SolveParams, Unset
from ..domain.problem import Problem
from ..domain.stages import Status
from ..results.frontier import Frontier, FrontierPoint
from ..results.plan import Plan, PlanStatus
from .stages import stopped_by

if TYPE_CHECKING:
    pass

__all__ = ["DEFAULT_POINTS", "frontier"]

log = logging.getLogger("mutasi_opt")


#: Points the adaptive frontier solves by default (budget 0 and the unconstrained optimum included).
DEFAULT_POINTS = 9


ProgressFn = Callable[[int, "FrontierPoint"], None]


def frontier(
    problem: Problem,
    budgets: Iterable[int] | None = None,
    params: SolveParams | None = None,
    *,
    points: int = DEFAULT_POINTS,
    time_limit: float | Unset | None = UNSET,
    work_limit: float | Unset | None = UNSET,
    seed: int | Unset = UNSET,
    workers: int | Unset | None = UNSET,
    progress: ProgressFn | None = None,
    warm_start: bool = True,
) -> Frontier:
    """The optimal shortfall, ``D``, ``B`` and preference cost for a range of move budgets.

    Parameters
    ----------
    problem
        The problem; its own ``policy.max_moves`` is replaced by each budget.
    budgets
        Move budgets to solve.  ``None`` (default) chooses them adaptively:
        0, the moves ``M`` of the unconstrained optimum, then repeatedly the
        middle of the gap between neighbouring budgets where the curve bends
        most (the largest drop of ``D`` times width, in shares of the whole
        curve), until ``points`` budgets are solved, every gap is closed or the
        limits are used up.  A budget is solved once: one that yields no plan
        is reported (logged) once and its gap is not tried again.
    params
        A :class:`~mutasi_opt.domain.params.SolveParams` for every solve of
        the curve (its limits are the whole curve's); the keywords below
        override its fields, as for :func:`solve`.
    points
        Number of budgets of the adaptive curve (at least 2).
    time_limit, work_limit
        Seconds and work units (see :func:`mutasi_opt.solve`) for the whole
        curve, shared out evenly among the solves still to come (``None``:
        every point solved to proof, as :func:`solve` does).  Every point has
        a plan (at the least its smaller neighbour's, which meets the larger
        budget), and the call returns within its time limit plus a small
        overhead.
    seed, workers
        As for :func:`solve` (default 0 and the CPU count, at most 8).
    progress
        Optional callback ``(budget, point)`` after each solved budget.
    warm_start
        Start each budget from its smaller neighbour's plan (switch off only
        to measure what the warm starts buy; the optimum does not depend on it).
        Not ``params.warm_start``, which switches the greedy hints inside
        each solve.
    """
    from .solve import _solve, _start_assignment

    if points < 2:
        raise ValueError(f"points must be at least 2 (budget 0 and the optimum), got {points}")
    chosen = SolveParams.resolve(
        params, time_limit=time_limit, work_limit=work_limit, seed=seed, workers=workers
    )
    explicit = None if budgets is None else sorted({int(b) for b in budgets})
    if explicit is not None and any(b < 0 for b in explicit):
        raise ValueError("move budgets must be non-negative whole numbers")
    if explicit == []:
        raise ValueError("budgets is empty; give at least one move budget, or None")
    t0 = time.perf_counter()
    whole = Budget(chosen.time_limit, chosen.work_limit)
    solved: dict[int, FrontierPoint] = {}
    tried: set[int] = set()
    planned = points if explicit is None else len(explicit) + 1

    def at(budget: int | None) -> Plan:
        """The optimum under ``budget`` (None: no budget), started from the
        plan of the largest smaller budget solved so far."""
        below = [b for b in solved if budget is None or b < budget]
        start = solved[max(below)].plan if below and warm_start else None
        sub = problem.replace(policy=problem.policy.replace(max_moves=budget))
        if budget is not None:
            tried.add(budget)
        return _solve(
            sub,
            params=chosen,
            budget=whole.share(1.0 / max(1, planned - len(solved))),
            starts=[] if start is None else [_start_assignment(sub, start)],
        )

    def add(budget: int, plan: Plan) -> None:
        point = FrontierPoint.from_plan(budget, plan)
        solved[budget] = point
        log.info(
            "frontier: budget %d → %d moves, D %.1f h (%s, %.1fs)",
            budget,
            point.moves,
            point.imbalance_hours,
            point.status,
            point.seconds,
        )
        if progress is not None:
            progress(budget, point)

    def result(ordered: tuple[FrontierPoint, ...], infeasible: Plan | None = None) -> Frontier:
        return Frontier(
            problem=problem,
            points=ordered,
            knee=_knee(ordered) if ordered else None,
            seconds=time.perf_counter() - t0,
            one_solve_seconds=one_solve,
            infeasible=infeasible,
            time_limit=chosen.time_limit,
            work_limit=chosen.work_limit,
            work_used=whole.used,
            stopped_by=stopped_by(whole),
        )

    # the right end first: it fixes M and the reduction achievable
    top = at(None if explicit is None else max(explicit))
    one_solve = top.solve_seconds
    if not top.has_solution:
        if top.status is not PlanStatus.INFEASIBLE:
            log.warning("frontier: no plan without a move budget (%s)", top.status.value)
        return result((), infeasible=top)
    m = top.after.moves if top.after is not None else 0
    first = at(0)
    if first.has_solution:
        add(0, first)
    else:
        log.warning("frontier: no plan under budget 0 (%s)", first.status.value)
    add(m if explicit is None else max(explicit), top)
    if explicit is not None:
        for b in explicit:
            if b not in solved:
                _solve_into(b, at, add)
    else:
        while len(solved) < points and not whole.exhausted():
            nxt = _next_budget(solved, tried)
            if nxt is None:
                break
            _solve_into(nxt, at, add)
    return result(_envelope(tuple(solved[b] for b in sorted(solved))))


def _lexicographic(point: FrontierPoint) -> tuple[int, ...]:
    """The point's stage values up to ``B`` (the order the stages are minimised in)."""
    after = point.plan.after
    assert after is not None
    names = metrics.problem_stage_names(point.plan.problem)
    return tuple(after.value(s) for s in names[: names.index("balance") + 1])


def _envelope(points: tuple[FrontierPoint, ...]) -> tuple[FrontierPoint, ...]:
    """A smaller budget's plan is feasible under every larger budget: where a solve
    cut short by its time limit ended lexicographically worse than a smaller
    budget's plan, report that plan instead (status feasible, the larger budget's
    own bounds), so that the curve never rises."""
    out: list[FrontierPoint] = []
    best: FrontierPoint | None = None
    for p in points:
        if best is not None and _lexicographic(best) < _lexicographic(p):
            p = replace(
                FrontierPoint.from_plan(p.budget, best.plan),
                status=Status.FEASIBLE,
                imbalance_bound_hours=p.imbalance_bound_hours,
                balance_bound=p.balance_bound,
                seconds=p.seconds,
            )
        if best is None or _lexicographic(p) < _lexicographic(best):
            best = p
        out.append(p)
    return tuple(out)


def _solve_into(budget: int, at: Callable[[int], Plan], add: Callable[[int, Plan], None]) -> None:
    plan = at(budget)
    if plan.has_solution:
        add(budget, plan)
    else:
        log.warning("frontier: no plan under budget %d (%s)", budget, plan.status.value)


def _next_budget(solved: dict[int, FrontierPoint], tried: set[int]) -> int | None:
    """The middle of the widest-and-steepest gap between solved budgets whose
    middle has not been tried yet (a budget that gave no plan is not tried
    again, so every call proposes a new budget or None)."""
    budgets = sorted(solved)
    lo_d = min(p.imbalance_hours for p in solved.values())
    hi_d = max(p.imbalance_hours for p in solved.values())
    span_d = max(hi_d - lo_d, 1e-9)
    span_k = max(budgets[-1] - budgets[0], 1)
    best: tuple[float, int] | None = None
    for a, b in itertools.pairwise(budgets):
        if b - a < 2 or (a + b) // 2 in tried:
            continue
        drop = (solved[a].imbalance_hours - solved[b].imbalance_hours) / span_d
        score = ((b - a) / span_k) * max(drop, 0.0) + 1e-6 * (b - a) / span_k
        if best is None or score > best[0]:
            best = (score, (a + b) // 2)
    return None if best is None else best[1]


def _knee(points: tuple[FrontierPoint, ...]) -> FrontierPoint | None:
    """Among the points that reach the optimum's shortfall, the one furthest
    above the chord from the first of them to the unconstrained optimum (both
    axes scaled to 0..1); the fewest moves on ties."""
    if not points:
        return None
    top = points[-1]
    covered = [p for p in points if p.shortfall <= top.shortfall]
    base = covered[0]
    d_span = base.imbalance_hours - top.imbalance_hours
    m_span = top.moves - base.moves
    if d_span <= 0 or m_span <= 0:
        return base
    best, best_score = base, -np.inf
    for p in covered:
        score = (base.imbalance_hours - p.imbalance_hours) / d_span - (
            p.moves - base.moves
        ) / m_span
        if score > best_score + 1e-9:
            best, best_score = p, score
    return best
