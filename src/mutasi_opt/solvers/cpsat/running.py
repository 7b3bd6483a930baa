"""Running CP-SAT as every stage of this package does: the solver's
configuration and limits, status translation, charging the work used, and
completing a partial assignment by propagation.

Statuses are translated here into :class:`StageStatus`; no ortools type leaves
this package.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeAlias

import numpy as np
from ortools.sat.python import cp_model

from ...domain.errors import SolverError
from ...domain.limits import CPSAT_WORK_PER_DTIME, Budget
from ...domain.stages import Status
from .objective import LinExpr

__all__ = [
    "DEFAULT_SUBSOLVERS",
    "PRIMAL_SUBSOLVERS",
    "StageStatus",
    "new_solver",
    "objective_at",
    "run_solver",
    "solve_fixed",
    "translate_status",
]

#: the outcome of one stage, in the one status vocabulary (domain.stages.Status)
StageStatus: TypeAlias = Status

_STATUS = {
    cp_model.OPTIMAL: StageStatus.OPTIMAL,
    cp_model.FEASIBLE: StageStatus.FEASIBLE,
    cp_model.INFEASIBLE: StageStatus.INFEASIBLE,
    cp_model.UNKNOWN: StageStatus.UNKNOWN,
}


def translate_status(status: Any, model: cp_model.CpModel) -> StageStatus:
    """Map a CP-SAT status to :class:`StageStatus`; MODEL_INVALID raises."""
    if status == cp_model.MODEL_INVALID:
        raise SolverError(f"CP-SAT rejected the model: {model.validate()}")
    try:
        return _STATUS[status]
    except KeyError:
        raise SolverError(f"unexpected CP-SAT status {status!r}") from None


#: CP-SAT full subsolvers in order of use (measured: with the LP-heavy worker first,
#: the imbalance stage of a 1,000-employee city is proven in 2 s instead of 9 s)
DEFAULT_SUBSOLVERS = (
    "max_lp",
    "default_lp",
    "quick_restart",
    "reduced_costs",
    "pseudo_costs",
    "no_lp",
    "quick_restart_no_lp",
    "core",
)
#: the same led by the worker that branches on the LP's reduced costs, for a stage
#: whose hard part is finding better plans, not bounds (measured on the preference
#: stage of the embedded sample at 150 moves, without a hint, 40 s with 2 workers:
#: reduced costs and full LP found 661 after 15 s, the full LP and the default LP
#: no plan at all; the optimum is 659)
PRIMAL_SUBSOLVERS = ("reduced_costs", *(s for s in DEFAULT_SUBSOLVERS if s != "reduced_costs"))


def new_solver(
    *,
    seed: int,
    workers: int,
    budget: Budget,
    relative_gap: float = 0.0,
    log_search: bool = False,
    subsolvers: Sequence[str] = DEFAULT_SUBSOLVERS,
) -> cp_model.CpSolver:
    """A CP-SAT solver configured as every stage of this package is solved.

    Limited by ``budget``: its deadline (``max_time_in_seconds``) and its work
    left (``max_deterministic_time``, :data:`~mutasi_opt.domain.limits.CPSAT_WORK_PER_DTIME`
    units per deterministic second).  With the interleaved search below, the
    same seed, workers and deterministic limit give the same result on any
    machine.  Solve with :func:`run_solver`, which charges the work used.
    With several workers, the first ``workers`` of ``subsolvers`` run (e.g.
    :data:`PRIMAL_SUBSOLVERS`).
    """
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.random_seed = seed
    params.num_workers = workers
    params.log_search_progress = log_search
    # each stage re-presolves the whole model: keep that cheap (symmetry
    # detection and repeated presolve rounds cost seconds and gain little here)
    params.symmetry_level = 0
    # deterministic parallel search: the same seed and worker count give
    # the same plan, whatever the machine's load.  Not under a time limit alone
    # (the plan then depends on the clock anyway): the interleaved search checks
    # its limits only between chunks of one deterministic second each, and on
    # the embedded sample at 60 s the last stage's search, given 35.8 s, ran
    # 38.2 s (the call answered after 62.4 s); the threads of the parallel
    # search stop at the deadline
    params.interleave_search = workers > 1 and not (
        budget.seconds_left() is not None and budget.work_left() is None
    )
    params.interleave_batch_size = 1
    # this model is LP-heavy (a flow with convex costs): the portfolios lead with an
    # LP worker (the full LP and its cuts at every node, or the LP's reduced costs)
    if workers > 1:
        params.subsolvers.extend(subsolvers[:workers])
    else:
        params.linearization_level = 2
    params.max_presolve_iterations = 1
    _limit(params, budget)
    if relative_gap > 0:
        params.relative_gap_limit = relative_gap
    return solver


def _limit(params: Any, budget: Budget) -> None:
    seconds = budget.seconds_left()
    if seconds is not None:
        params.max_time_in_seconds = max(1e-3, seconds)
    work = budget.work_left()
    if work is not None:
        params.max_deterministic_time = max(1e-6, work / CPSAT_WORK_PER_DTIME)


def run_solver(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    budget: Budget,
    callback: cp_model.CpSolverSolutionCallback | None = None,
) -> StageStatus:
    """Solve, charge the deterministic time used to ``budget`` and note a run
    cut short by a limit (see :meth:`Budget.cut`)."""
    status = translate_status(solver.solve(model, callback), model)
    budget.charge(solver.response_proto.deterministic_time * CPSAT_WORK_PER_DTIME)
    if status in (StageStatus.FEASIBLE, StageStatus.UNKNOWN):
        budget.cut()
    return status


def solve_fixed(
    model: cp_model.CpModel,
    fixed: Iterable[tuple[cp_model.IntVar, Any]],
    objectives: Sequence[LinExpr],
    *,
    budget: Budget,
) -> list[int] | None:
    """A full solution of ``model`` with the variables in ``fixed`` at their values.

    Solved on a copy, by propagation alone, minimising the sum of
    ``objectives`` so that auxiliary variables come out tight.  None if the
    values break a constraint posted so far (or ``budget`` runs out).
    """
    clone = model.clone()
    clone.clear_objective()  # type: ignore[no-untyped-call]
    clone.clear_hints()  # type: ignore[no-untyped-call]
    exprs = [e for e in objectives if not isinstance(e, int)]
    if exprs:
        clone.minimize(sum(exprs, start=cp_model.LinearExpr.constant(0)))
    pairs = list(fixed)
    hint = clone.proto.solution_hint
    hint.vars.extend([y.index for y, _ in pairs])
    hint.values.extend([int(val) for _, val in pairs])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    # the hinted decisions are fixed (faster than posting one equality per variable)
    solver.parameters.fix_variables_to_their_hinted_value = True
    _limit(solver.parameters, budget)
    status = run_solver(solver, clone, budget)
    if status not in (StageStatus.OPTIMAL, StageStatus.FEASIBLE):
        return None
    return list(solver.response_proto.solution)


def objective_at(model: cp_model.CpModel, solution: Sequence[int]) -> int:
    """The value of ``model``'s current objective at a full solution vector."""
    obj = model.proto.objective
    if not len(obj.vars):
        return int(obj.offset)
    values = np.asarray(solution, dtype=np.int64)[np.asarray(obj.vars, dtype=np.int64)]
    return int(values @ np.asarray(obj.coeffs, dtype=np.int64) + int(obj.offset))
