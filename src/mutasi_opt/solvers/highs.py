"""HiGHS on exactly the same MIP as CP-SAT (a peer for benchmarks and a fast LP).

The CP-SAT model of :mod:`mutasi_opt.solvers.cpsat` is purely linear, so its
proto converts one to one: variables with their bounds, linear constraints
with their bounds, ``at_most_one`` and empty ``bool_or`` as linear rows, the
objective with its offset.  highspy is an optional dependency
(``pip install "mutasi-opt[bench]"``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["HighsResult", "solve_proto"]

INF = float("inf")


@dataclass(frozen=True)
class HighsResult:
    """Outcome of a HiGHS run on a converted CP-SAT proto."""

    status: str
    objective: float | None
    bound: float | None
    seconds: float
    values: npt.NDArray[np.float64] | None


def _import_highspy() -> Any:
    try:
        import highspy
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            'HiGHS is an optional peer: pip install "mutasi-opt[bench]" (installs highspy)'
        ) from exc
    return highspy


def solve_proto(
    proto: Any,
    *,
    time_limit: float | None = None,
    relative_gap: float = 0.0,
    relax: bool = False,
    threads: int = 1,
) -> HighsResult:
    """Solve a linear CP-SAT model proto with HiGHS (as a MIP, or its LP relaxation)."""
    highspy = _import_highspy()
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", threads)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(relative_gap))
    n = len(proto.variables)
    lower = np.array([v.domain[0] for v in proto.variables], dtype=np.float64)
    upper = np.array([v.domain[len(v.domain) - 1] for v in proto.variables], dtype=np.float64)
    cost = np.zeros(n)
    obj = proto.objective
    for var, coef in zip(obj.vars, obj.coeffs, strict=True):
        cost[var] += coef
    h.addVars(n, lower, upper)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    if not relax:
        h.changeColsIntegrality(
            n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger)
        )
    starts: list[int] = []
    index: list[int] = []
    value: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    for ct in proto.constraints:
        if ct.has_linear():
            lin = ct.linear
            dom = [int(x) for x in lin.domain]
            starts.append(len(index))
            index.extend(lin.vars)
            value.extend(float(c) for c in lin.coeffs)
            lo.append(float(dom[0]) if dom[0] > -(2**62) else -INF)
            hi.append(float(dom[-1]) if dom[-1] < 2**62 else INF)
        elif ct.has_at_most_one():
            lits = list(ct.at_most_one.literals)
            starts.append(len(index))
            index.extend(lits)
            value.extend([1.0] * len(lits))
            lo.append(-INF)
            hi.append(1.0)
        elif ct.has_bool_or() and not len(ct.bool_or.literals):
            starts.append(len(index))
            lo.append(1.0)
            hi.append(INF)
        else:
            raise ValueError(f"cannot convert CP-SAT constraint {ct} to HiGHS")
    if starts:
        h.addRows(
            len(starts),
            np.array(lo),
            np.array(hi),
            len(index),
            np.array(starts, dtype=np.int32),
            np.array(index, dtype=np.int32),
            np.array(value),
        )
    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    offset = float(obj.offset)
    has_sol = info.primal_solution_status == 2  # kSolutionStatusFeasible
    objective = float(info.objective_function_value) + offset if has_sol else None
    bound = objective if relax else float(info.mip_dual_bound) + offset
    values = np.array(h.getSolution().col_value) if has_sol else None
    return HighsResult(status, objective, bound, seconds, values)
