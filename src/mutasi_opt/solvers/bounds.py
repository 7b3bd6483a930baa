"""Valid lower bounds of a stage from its LP relaxation (HiGHS, GLOP as a fallback).

The stage's CP-SAT model is converted to linear data (:mod:`.linear`), solved
as an LP by HiGHS (:mod:`.highs`) or GLOP, and turned into a bound by
:func:`~.linear.safe_bound`, which no solver tolerance can make invalid.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..domain.limits import LP_UNTIMED_WORK, Budget
from .highs import solve_proto
from .linear import linear_data, safe_bound

__all__ = ["LpBound", "lp_bound", "relaxation_bound"]


@dataclass(frozen=True)
class LpBound:
    """A valid lower bound from the LP relaxation (``None`` if GLOP failed), and
    the LP's solution (one value per column, when the solver gave one)."""

    bound: int | None
    seconds: float
    status: str
    values: npt.NDArray[np.float64] | None = None


def lp_bound(proto: Any, *, budget: Budget | None = None, held: bool = False) -> LpBound:
    """Lower bound of a linear CP-SAT model's objective from its LP relaxation.

    Solved with HiGHS (robust and fast at 100,000 employees), or GLOP (shipped
    with OR-Tools) when HiGHS fails, within ``budget`` (its deadline and, under
    a work limit, counted simplex iterations: see :mod:`mutasi_opt.domain.limits`).
    The bound comes from the duals (:func:`safe_bound`), rounded up to an
    integer (the objective has integer coefficients over integer variables),
    so it stays valid whatever the solvers' tolerances.

    ``held`` is for the stages that hold an earlier one at its optimum
    (``D ≤ D*``, where the LP's own minimum of ``D`` is within 0.01 % of
    ``D*``): that row makes the LP highly degenerate, and HiGHS then succeeds
    or stalls depending on presolve, instance by instance (measured: on the
    embedded sample presolve ends in a solve error after a minute while the
    simplex without presolve is optimal in 0.4 s; on a 20,000-employee city
    the reverse, 5.9 s with presolve).  So both are tried, each with half the
    budget (default: at most :data:`~mutasi_opt.domain.limits.LP_UNTIMED_WORK`).
    """
    if budget is None:
        budget = Budget().capped(LP_UNTIMED_WORK)
    t0 = time.perf_counter()
    attempts = (False, True) if held else (True,)
    status = "lp_none"
    for i, presolve in enumerate(attempts):
        if budget.exhausted():
            break
        result = solve_proto(
            proto,
            relax=True,
            threads=1,
            presolve=presolve,
            budget=budget.share(1.0 / (len(attempts) - i)),
        )
        if result.status == "Optimal" and result.bound is not None and result.bound > -math.inf:
            return LpBound(math.ceil(result.bound), time.perf_counter() - t0, "lp_optimal")
        status = "lp_" + result.status
    if held or budget.exhausted():
        # GLOP ends ABNORMAL on the held LPs that HiGHS could not solve (measured)
        return LpBound(None, time.perf_counter() - t0, status)
    return _glop_bound(proto, budget=budget)


def relaxation_bound(
    relaxation: Any, proto: Any, *, budget: Budget, fresh: bool = False
) -> LpBound:
    """:func:`lp_bound` on a persistent :class:`~mutasi_opt.solvers.highs.LpRelaxation`
    (``fresh``: from scratch, see its ``solve``)."""
    t0 = time.perf_counter()
    result = relaxation.solve(proto, budget=budget, fresh=fresh)
    if result.status == "Optimal" and result.bound is not None and result.bound > -math.inf:
        seconds = time.perf_counter() - t0
        return LpBound(math.ceil(result.bound), seconds, "lp_optimal", result.values)
    if result.bound is not None and math.isfinite(result.bound):
        # the safe bound holds for any row multipliers (:func:`safe_bound`): those of a
        # run HiGHS ended "unknown" or at a limit still bound the LP, only more weakly
        return LpBound(math.ceil(result.bound), time.perf_counter() - t0, "lp_" + result.status)
    return LpBound(None, time.perf_counter() - t0, "lp_" + result.status)


def _glop_bound(proto: Any, *, budget: Budget) -> LpBound:
    """:func:`lp_bound` with GLOP, within the budget's deadline and, under a work
    limit, GLOP's deterministic time; it is charged the whole work left (GLOP
    does not report the work it used)."""
    from ortools.linear_solver import linear_solver_pb2, pywraplp

    t0 = time.perf_counter()
    data = linear_data(proto)
    mp = linear_solver_pb2.MPModelProto()
    for lo, hi, c in zip(data.lower.tolist(), data.upper.tolist(), data.cost.tolist(), strict=True):
        mp.variable.add(lower_bound=lo, upper_bound=hi, objective_coefficient=c)
    starts = data.starts.tolist()
    index = data.index.tolist()
    value = data.value.tolist()
    for r, (lo, hi) in enumerate(
        zip(data.row_lower.tolist(), data.row_upper.tolist(), strict=True)
    ):
        row = mp.constraint.add(lower_bound=lo, upper_bound=hi)
        row.var_index.extend(index[starts[r] : starts[r + 1]])
        row.coefficient.extend(value[starts[r] : starts[r + 1]])
    solver = pywraplp.Solver.CreateSolver("GLOP")
    seconds = budget.seconds_left()
    if seconds is not None:
        solver.SetTimeLimit(max(1, int(1000 * seconds)))
    work = budget.work_left()
    if work is not None:
        solver.SetSolverSpecificParametersAsString(f"max_deterministic_time: {work:.6f}")
        budget.charge(work)
    error = solver.LoadModelFromProto(mp)
    if error:
        return LpBound(None, time.perf_counter() - t0, "lp_load_error")
    objective = solver.Objective()
    status = solver.Solve()
    seconds = time.perf_counter() - t0
    if status != pywraplp.Solver.OPTIMAL:
        if budget.limited:
            budget.cut()
        return LpBound(None, seconds, "lp_" + str(status))
    del objective
    duals = np.array([c.dual_value() for c in solver.constraints()], dtype=np.float64)
    bound = safe_bound(data, duals)
    if bound == -math.inf:
        return LpBound(None, seconds, "lp_unbounded_dual")
    return LpBound(math.ceil(bound), seconds, "lp_optimal")
