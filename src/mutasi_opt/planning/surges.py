"""``plan_surges(problem, surges) -> SurgePlan``: temporary secondments for surges.

Permanent mutasi fixes structural imbalance; a surge (a vaccination campaign)
needs staff lent for a few months who then go home.  The plan covers the
surges first, then hurts the donor units as little as possible (lending from
surplus first), then disrupts as few people for as short as possible, then
respects preferences — see ``docs/model.md``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from .. import metrics
from ..domain.arrays import IntArray
from ..domain.errors import InputError
from ..domain.limits import Budget
from ..domain.params import UNSET, SolveParams, Unset
from ..domain.problem import Problem, Surge, surge_issues
from ..domain.stages import SECONDMENT_STAGES, Stage, plan_status
from ..metrics import Secondments
from ..results.plan import Plan, PlanStatus, StageResult
from ..results.surge import SURGE_STAGES, SurgePlan, SurgeStage
from ..solvers.cpsat import StageOutcome
from ..solvers.cpsat.surge import SurgeModel
from .solve import _default_workers
from .stages import at_true_value, run_fields, run_stages, unrun_stages

__all__ = ["plan_surges"]


#: share of a limited call's budget for the greedy first plan
_GREEDY_SHARE = 0.3


def plan_surges(
    problem: Problem,
    surges: Sequence[Surge],
    base: Plan | Any = None,
    params: SolveParams | None = None,
    *,
    time_limit: float | Unset | None = UNSET,
    work_limit: float | Unset | None = UNSET,
    seed: int | Unset = UNSET,
    workers: int | Unset | None = UNSET,
) -> SurgePlan:
    """Plan secondments for ``surges`` on the current state or on top of ``base``.

    Parameters
    ----------
    problem
        The validated problem (staff, units, demand, policy).
    surges
        The surges (see :func:`mutasi_opt.io.surges.read_surges`).
    base
        A permanent plan (or an assignment, as :func:`metrics.as_assignment`
        accepts) giving where everyone works outside their secondment
        (employees it moves have 0 months in their new unit); default the
        current state.
    params
        A :class:`~mutasi_opt.domain.params.SolveParams` giving the limits,
        seed and workers (the keywords override its fields, as for
        :func:`mutasi_opt.solve`); its ``log`` and stage switches are
        :func:`mutasi_opt.solve`'s and do not apply to secondments.
    time_limit, work_limit, seed, workers
        As for :func:`mutasi_opt.solve`.  Nobody seconded always meets the
        rules, so there is always a plan: at the least the greedy one.
    """
    chosen = SolveParams.resolve(
        params, time_limit=time_limit, work_limit=work_limit, seed=seed, workers=workers
    )
    seed, workers = chosen.seed, chosen.workers
    surges = tuple(surges)
    # built in Python or read from a file, surges are checked against the problem
    issues = surge_issues(problem, surges)
    if issues:
        raise InputError(issues)
    budget = Budget(chosen.time_limit, chosen.work_limit)
    t0 = time.perf_counter()
    if isinstance(base, Plan):
        if base.problem is not problem and base.problem != problem:
            raise ValueError("base is a plan for a different problem")
        if base.assignment_array is None:
            raise ValueError(f"base plan has no assignment (status {base.status.value})")
        where = base.assignment_array
    elif base is not None:
        where = metrics.as_assignment(problem, base)
    else:
        where = problem.index.home
    n_workers = workers if workers is not None else _default_workers()
    model = SurgeModel(problem, surges, where)
    # a first plan: surplus units lend first
    first = model.greedy_counts(budget.share(_GREEDY_SHARE) if budget.limited else None)
    first_ok = model.complete(first, budget)
    search = _SecondmentSearch(problem, surges, where, model, seed=seed, workers=n_workers)
    run = run_stages(search, SECONDMENT_STAGES, budget, gap_limit=problem.policy.balance_gap)
    # (nobody seconded always meets the rules: a stage finds nothing only under a limit)
    decisions = run.decisions
    counts = decisions["x"] if decisions is not None else (first if first_ok else None)
    secondments = model.secondments(counts) if counts is not None else Secondments.empty()
    plan = SurgePlan(
        problem,
        surges,
        where,
        PlanStatus.FEASIBLE,
        secondments,
        (),
        **run_fields(budget, t0, seed, n_workers),
    )
    true = dict(zip(SURGE_STAGES, plan.stage_values(), strict=True))
    gap_limit = problem.policy.balance_gap
    # values and secondments disagree only if a stage was cut short: report the truth
    stages = [
        _as_surge_stage(at_true_value(r, true[r.name], gap_limit, spec.gapped))
        for r, spec in zip(run.results, SECONDMENT_STAGES, strict=False)
    ]
    # stages that did not run: the kept plan's true value, the trivial bound 0
    stages += map(_as_surge_stage, unrun_stages(SECONDMENT_STAGES, len(stages), true.__getitem__))
    complete = len(run.results) == len(SECONDMENT_STAGES)
    status = plan_status((st.status for st in stages), complete=complete)
    return replace(plan, stages=tuple(stages), status=status)


def _as_surge_stage(result: StageResult) -> SurgeStage:
    """``result`` as a secondment stage (their display units, no bound source)."""
    return SurgeStage(result.name, result.status, result.value, result.bound, result.seconds)


class _SecondmentSearch:
    """The secondment stages on the surge CP-SAT model (a :class:`StagedSearch`)."""

    def __init__(
        self,
        problem: Problem,
        surges: tuple[Surge, ...],
        where: IntArray,
        model: SurgeModel,
        *,
        seed: int,
        workers: int,
    ) -> None:
        self.problem, self.surges, self.where, self.model = problem, surges, where, model
        self.seed, self.workers = seed, workers

    def prepare(
        self,
        stage: Stage,
        decisions: dict[str, IntArray] | None,
        done: Sequence[StageResult],
        budget: Budget,
    ) -> None:
        """(each stage is hinted by the last solution, which the model keeps)"""

    def solve(self, stage: Stage, budget: Budget) -> StageOutcome:
        gap = self.problem.policy.balance_gap if stage.gapped else 0.0
        return self.model.solve_stage(
            stage.name, budget=budget, seed=self.seed, workers=self.workers, relative_gap=gap
        )

    def true_value(self, stage: Stage, decisions: dict[str, IntArray]) -> int:
        draft = SurgePlan(
            self.problem,
            self.surges,
            self.where,
            PlanStatus.FEASIBLE,
            self.model.secondments(decisions["x"]),
            (),
            0.0,
        )
        return draft.stage_values()[SURGE_STAGES.index(stage.name)]

    def rehint(self, decisions: dict[str, IntArray]) -> None:
        self.model.complete(decisions["x"])

    def hold(self, stage: Stage, value: int) -> None:
        self.model.hold(stage.name, value)
