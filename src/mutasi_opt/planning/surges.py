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
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from .. import metrics
from ..domain.errors import InputError
from ..domain.limits import Budget
from ..domain.params import UNSET, SolveParams, Unset
from ..domain.problem import Problem, Surge, surge_issues
from ..metrics import Secondments
from ..results.plan import Plan, PlanStatus
from ..results.surge import SURGE_STAGES, SurgePlan, SurgeStage

if TYPE_CHECKING:
    pass

IntArray = npt.NDArray[np.int64]

__all__ = ["plan_surges"]


#: share of the budget left (work under a work limit, else seconds) for each stage
_STAGE_SHARE = {"uncovered": 0.25, "balance": 0.45, "people": 0.4, "months": 0.5, "preference": 1.0}
#: share of a limited call's budget for the greedy first plan
_GREEDY_SHARE = 0.3
_AUXILIARY = ("uncovered", "balance")


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
    from ..solvers.cpsat import StageStatus
    from ..solvers.cpsat.surge import SurgeModel
    from .solve import _default_workers

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
    stages: list[SurgeStage] = []
    counts: IntArray | None = first if first_ok else None
    status = PlanStatus.OPTIMAL
    for name in SURGE_STAGES:
        gap = problem.policy.balance_gap if name == "balance" else 0.0
        out = model.solve_stage(
            name,
            budget=budget.share(_STAGE_SHARE[name]),
            seed=seed,
            workers=n_workers,
            relative_gap=gap,
        )
        if out.status in (StageStatus.INFEASIBLE, StageStatus.UNKNOWN) or out.value is None:
            # no plan of the search's own and no complete hint (nobody seconded
            # always meets the rules: only a limit gets here)
            status = PlanStatus.FEASIBLE
            break
        assert out.decisions is not None and out.bound is not None
        counts = out.decisions["x"]
        value, bound = out.value, out.bound
        if name in _AUXILIARY and out.status is not StageStatus.OPTIMAL:
            # unproven: auxiliary variables may be loose; hold the true value
            draft = SurgePlan(problem, surges, where, status, model.secondments(counts), (), 0.0)
            value = min(value, draft.stage_values()[SURGE_STAGES.index(name)])
            bound = min(bound, value)
        stage_status = "optimal" if value == bound else "feasible"
        if name == "balance" and stage_status == "feasible" and out.status is StageStatus.OPTIMAL:
            stage_status = "within_gap"
        stages.append(SurgeStage(name, stage_status, value, bound, out.seconds))
        if stage_status == "feasible":
            status = PlanStatus.FEASIBLE
        model.hold(name, value)
    secondments = model.secondments(counts) if counts is not None else Secondments.empty()
    plan = SurgePlan(
        problem,
        surges,
        where,
        status,
        secondments,
        tuple(stages),
        time.perf_counter() - t0,
        seed=seed,
        workers=n_workers,
        time_limit=budget.time_limit,
        work_limit=budget.work_limit,
        work_used=budget.used,
        stopped_by=None if budget.stopped_by is None else budget.stopped_by.value,
    )
    true = plan.stage_values()
    if len(stages) < len(SURGE_STAGES):
        # stages that did not run: the kept plan's true value, the trivial bound 0
        stages += [
            SurgeStage(n, "unknown", true[i], 0, 0.0)
            for i, n in enumerate(SURGE_STAGES)
            if i >= len(stages)
        ]
        plan = replace(plan, stages=tuple(stages), status=PlanStatus.FEASIBLE)
    if tuple(s.value for s in plan.stages) != true:
        # values and secondments disagree only if a stage was cut short: report the truth
        fixed = tuple(
            replace(s, value=true[i], bound=min(s.bound, true[i]))
            for i, s in enumerate(plan.stages)
        )
        plan = replace(plan, stages=fixed, status=PlanStatus.FEASIBLE)
    return plan
