"""HiGHS as a benchmark peer: the lexicographic stages of a linear CP-SAT model,
each stage minimised by HiGHS (as a MIP) and held at HiGHS's own value.

Shared by ``suite.py`` (the permanent model) and ``bench_surge.py`` (the
secondment model).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any


def highs_stages(
    cp: Any,
    stages: Sequence[str],
    expression: Callable[[str], Any],
    hold: Callable[[str, Any, int], None],
    *,
    shares: Mapping[str, float],
    gaps: Mapping[str, float],
    t0: float,
    time_limit: float,
    workers: int,
) -> list[dict[str, Any]]:
    """Per stage: status, seconds, value, bound and the wall time it ended (from ``t0``).

    ``cp`` is the ``cp_model.CpModel``; ``expression(stage)`` its expression
    (an int when constant); ``hold(stage, expr, value)`` posts ``expr ≤ value``.
    Stops at the first stage HiGHS finds no solution for.
    """
    from mutasi_opt.solvers.highs import solve_proto

    deadline = t0 + time_limit
    out: list[dict[str, Any]] = []
    for stage in stages:
        expr = expression(stage)
        if isinstance(expr, int):
            out.append(
                {"stage": stage, "status": "optimal", "seconds": 0.0, "value": expr, "bound": expr}
            )
            continue
        cp.clear_objective()
        cp.minimize(expr)
        left = max(0.05, (deadline - time.perf_counter()) * shares[stage])
        r = solve_proto(
            cp.proto, time_limit=left, relative_gap=gaps.get(stage, 0.0), threads=workers
        )
        if r.objective is None:
            out.append({"stage": stage, "status": r.status, "seconds": r.seconds})
            break
        value = round(r.objective)
        bound = min(value, math.ceil((r.bound or 0) - 1e-6))
        out.append(
            {
                "stage": stage,
                "status": "optimal" if value == bound else "feasible",
                "seconds": r.seconds,
                "value": value,
                "bound": bound,
                "ended": time.perf_counter() - t0,
            }
        )
        hold(stage, expr, value)
    return out
