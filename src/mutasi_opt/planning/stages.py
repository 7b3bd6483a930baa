"""The one lexicographic stage loop, used by the permanent planner
(:func:`mutasi_opt.solve`) and the secondment planner (:func:`mutasi_opt.plan_surges`).

Each planner runs the stages of its table (:mod:`mutasi_opt.domain.stages`)
through a :class:`StagedSearch`: an object that hints, solves and holds a
stage on its own model.  Solving a stage answers
:class:`~mutasi_opt.solvers.cpsat.Solved` (the stage's :class:`StageResult`
and the solution's decisions) or :class:`~mutasi_opt.solvers.cpsat.Unsolved`.
The loop does what both planners have in common:

- a stage draws its ``share`` of the budget left; once the budget is used up,
  the stages left do not run;
- a stage that finds no solution of its own (``Unsolved``: infeasible or cut
  short) stops the loop, which keeps the plan of the stage before;
- an unproven solution of a stage with auxiliary variables is reported and
  held at the plan's true value (which may be lower than the solver's);
- the status of every stage comes from its numbers
  (:func:`~mutasi_opt.domain.stages.stage_status`) and replaces the solver's
  in the stage's result;
- each stage's value is held (``≤``) before the next one runs.

The stages that did not run are added by :func:`unrun_stages` with the kept
plan's true values and the trivial bound 0.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from ..domain.arrays import IntArray
from ..domain.limits import Budget
from ..domain.stages import Stage, Status, stage_status
from ..results.plan import StageResult
from ..solvers.cpsat import StageOutcome, Unsolved

Decisions = dict[str, IntArray]

__all__ = [
    "StageRun",
    "StagedSearch",
    "at_true_value",
    "run_fields",
    "run_stages",
    "stopped_by",
    "unrun_stages",
]


class StagedSearch(Protocol):
    """What the stage loop needs of a planner's model."""

    def prepare(
        self, stage: Stage, decisions: Decisions | None, done: Sequence[StageResult], budget: Budget
    ) -> None:
        """Hint ``stage`` (``decisions``: the plan so far; ``budget``: the stage's share)."""

    def solve(self, stage: Stage, budget: Budget) -> StageOutcome:
        """Minimise ``stage`` with the stages before it held."""

    def true_value(self, stage: Stage, decisions: Decisions) -> int:
        """The plan's own value of ``stage`` (as :mod:`mutasi_opt.metrics` defines it)."""

    def rehint(self, decisions: Decisions) -> None:
        """Hint ``decisions`` again (after a stage's value was corrected to theirs)."""

    def hold(self, stage: Stage, value: int) -> None:
        """Hold ``stage`` at most at ``value`` for the stages after it."""


@dataclass
class StageRun:
    """What the loop did: the stages that gave a solution (in order), the last
    solution, and the outcome of a stage that found none (``failed``)."""

    results: list[StageResult]
    decisions: Decisions | None
    failed: Unsolved | None = None

    @property
    def failed_stage(self) -> str | None:
        """The name of the stage that found no solution (``None`` if none failed)."""
        return None if self.failed is None else self.failed.stage


def run_stages(
    search: StagedSearch,
    stages: Sequence[Stage],
    budget: Budget,
    *,
    gap_limit: float,
    until: str | None = None,
    exact_truth: Callable[[Stage], bool] | None = None,
) -> StageRun:
    """Run ``stages`` in order on ``search`` (see the module docstring).

    ``gap_limit`` is the relative gap to which a gapped stage is solved
    (``policy.balance_gap``).  With ``until``, the stages after that one do
    not run.  ``exact_truth(stage)``: the stage's true value replaces the
    solver's even when it is higher (the training stage, whose auxiliaries
    can be below the truth when the shortfall before was not proven).
    """
    run = StageRun([], None)
    for stage in stages:
        if budget.exhausted():
            break  # the limits are reached: the stages left keep the plan so far
        share = budget.share(stage.share)
        search.prepare(stage, run.decisions, run.results, share)
        out = search.solve(stage, share)
        if isinstance(out, Unsolved):
            run.failed = out
            break
        value, bound = out.result.value, out.result.bound
        exact = exact_truth is not None and exact_truth(stage)
        if stage.auxiliary and (exact or out.result.status is not Status.OPTIMAL):
            # a solution cut short may leave auxiliary variables above (or, for
            # an exact-truth stage, below) the plan's true value: report and hold that
            true = search.true_value(stage, out.decisions)
            if true < value or (exact and true != value):
                value, bound = true, min(bound, true)
                search.rehint(out.decisions)  # a tight hint that meets the new hold
        status = stage_status(value, bound, gapped=stage.gapped, gap_limit=gap_limit, ran=True)
        run.results.append(replace(out.result, status=status, value=value, bound=bound))
        run.decisions = out.decisions
        search.hold(stage, value)
        if stage.name == until:
            break
    return run


def unrun_stages(
    stages: Sequence[Stage], done: int, true: Callable[[str], int]
) -> list[StageResult]:
    """The results of the stages after the first ``done``, which did not run:
    the kept plan's true value (``true(name)``), the trivial bound 0."""
    return [StageResult(s.name, Status.UNKNOWN, true(s.name), 0, 0.0) for s in stages[done:]]


def at_true_value(result: StageResult, value: int, gap_limit: float, gapped: bool) -> StageResult:
    """``result`` with the plan's true ``value`` when that is lower than the
    stage's own; it keeps its bound (which is below every plan's value) unless
    that exceeds it, and its status follows the numbers."""
    if value >= result.value:
        return result
    bound = min(result.bound, value)
    ran = result.status is not Status.UNKNOWN
    status = stage_status(value, bound, gapped=gapped, gap_limit=gap_limit, ran=ran)
    return replace(result, value=value, bound=bound, status=status)


def stopped_by(budget: Budget) -> str | None:
    """What cut a step of ``budget`` short (``"time_limit"``/``"work_limit"``), or None."""
    reason = budget.stopped_by
    return None if reason is None else reason.value


def run_fields(budget: Budget, t_start: float, seed: int, workers: int) -> dict[str, Any]:
    """The result fields that record a run (both planners): seconds since
    ``t_start``, seed, workers, the budget's limits, the work used and what stopped it."""
    return {
        "solve_seconds": time.perf_counter() - t_start,
        "seed": seed,
        "workers": workers,
        "time_limit": budget.time_limit,
        "work_limit": budget.work_limit,
        "work_used": budget.used,
        "stopped_by": stopped_by(budget),
    }
