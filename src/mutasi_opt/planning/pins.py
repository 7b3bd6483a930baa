"""Pinned employees (``pinned_unit``): solved as constants at their pin.

A pin is a decision already taken (a move an employee accepted in a
consultation round).  The solver sees a *pinned view* of the problem: every
pinned employee is placed at their pin and locked, so every stage and every
rule treats them as a constant there, and the move budget is reduced by the
pinned moves.  The view's plan is then read back on the problem itself: the
assignment is the same, and so are the shortfall, D, B and the changes from a
draft (they depend on the assignment alone); the moves and the preference cost
of the view leave out the pinned moves, which are added back as constants.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from .. import metrics
from ..domain.arrays import IntArray
from ..domain.problem import Problem
from ..domain.stages import Status
from ..results.findings import Conflict
from ..results.plan import Plan, StageResult

__all__ = ["PinnedView", "draft_start", "pin_conflict_plan", "pinned_view", "solve_pinned"]


@dataclass(frozen=True)
class PinnedView:
    """The problem the solver sees, and the constants its moves and preference leave out."""

    problem: Problem
    moves: int
    preference: int


def pinned_view(problem: Problem) -> PinnedView | Conflict | None:
    """The pinned view of ``problem`` (None when nobody is pinned), or the conflict
    when the pinned moves alone exceed ``max_moves``."""
    pins = metrics.pinned_units(problem)
    if not (pins >= 0).any():
        return None
    idx = problem.index
    assignment = np.where(pins >= 0, pins, idx.home)
    moved = int(metrics.moved(problem, assignment).sum())
    preference = metrics.preference_cost(problem, assignment)
    pol = problem.policy
    if pol.max_moves is not None and moved > pol.max_moves:
        return Conflict(
            "move_budget",
            f"{moved} accepted (pinned) moves exceed max_moves = {pol.max_moves}; raise "
            "max_moves or pin fewer moves",
            (),
            (("pinned_moves", moved), ("max_moves", pol.max_moves)),
        )
    employees = tuple(
        e if e.pinned_unit is None else e.replace(unit=e.pinned_unit, locked=True, pinned_unit=None)
        for e in problem.employees
    )
    budget = None if pol.max_moves is None else pol.max_moves - moved
    view = problem.replace(employees=employees, policy=pol.replace(max_moves=budget))
    return PinnedView(view, moved, preference)


def _shifted(result: StageResult, view: PinnedView) -> StageResult:
    shift = {"moves": view.moves, "preference": view.preference}.get(result.name, 0)
    if not shift:
        return result
    return replace(result, value=result.value + shift, bound=result.bound + shift)


def solve_pinned(problem: Problem, view: PinnedView, solve: Callable[[Problem], Plan]) -> Plan:
    """``solve`` on the pinned view, read back on ``problem`` (see the module docstring)."""
    plan = solve(view.problem)
    if plan.assignment_array is None:
        return replace(plan, problem=problem, before=metrics.evaluate(problem))
    return Plan.from_solution(
        problem,
        plan.assignment_array,
        stages=tuple(_shifted(s, view) for s in plan.stages),
        build_seconds=plan.build_seconds,
        solve_seconds=plan.solve_seconds,
        seed=plan.seed,
        workers=plan.workers,
        time_limit=plan.time_limit,
        work_limit=plan.work_limit,
        work_used=plan.work_used,
        stopped_by=plan.stopped_by,
    )


def pin_conflict_plan(problem: Problem, conflict: Conflict) -> Plan:
    """The infeasible result of pins that break the move budget."""
    return Plan.without_solution(
        problem, Status.INFEASIBLE, diagnosis=(conflict,), solve_seconds=0.0
    )


def draft_start(problem: Problem) -> IntArray | None:
    """The draft of a problem with draft units, repaired into a start for the solver
    (None without draft units): pinned employees at their pins, everyone else at
    their ``draft_unit`` when the rules still allow it (else, and without one, home)."""
    draft = metrics.draft_units(problem)
    if not (draft >= 0).any():
        return None
    idx = problem.index
    pins = metrics.pinned_units(problem)
    movable = metrics.movable(problem)
    out = idx.home.copy()
    for e in np.flatnonzero((draft >= 0) | (pins >= 0)):
        d = int(pins[e]) if pins[e] >= 0 else int(draft[e])
        may = movable[e] and d not in idx.refused[e] and idx.has_demand[d, idx.role[e]]
        if pins[e] >= 0 or d == idx.home[e] or may:
            out[e] = d
    return out
