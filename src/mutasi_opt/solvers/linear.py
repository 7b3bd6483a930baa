"""The CP-SAT model as plain linear data.

Every constraint of :mod:`mutasi_opt.solvers.cpsat` is linear, so the model
proto converts one to one into columns (bounds, costs) and rows (CSR): used by
HiGHS (``solvers.highs``) and by ``solvers.bounds``, which solves the LP
relaxation (HiGHS, GLOP as a fallback) to give each stage a valid lower bound.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..domain.arrays import FloatArray, IntArray

__all__ = ["LinearData", "linear_data", "objective_costs", "reduced_cost_box", "safe_bound"]

_BIG = 2**62


@dataclass(frozen=True)
class LinearData:
    """Columns and CSR rows of a linear CP-SAT model (objective included)."""

    lower: FloatArray
    upper: FloatArray
    cost: FloatArray
    offset: float
    row_lower: FloatArray
    row_upper: FloatArray
    starts: IntArray
    index: IntArray
    value: FloatArray

    @property
    def n_cols(self) -> int:
        """Number of variables."""
        return len(self.lower)

    @property
    def n_rows(self) -> int:
        """Number of constraints."""
        return len(self.row_lower)


def objective_costs(proto: Any) -> tuple[FloatArray, float]:
    """The proto's objective as a dense cost vector and its offset."""
    cost = np.zeros(len(proto.variables))
    obj = proto.objective
    np.add.at(
        cost,
        np.asarray(obj.vars, dtype=np.int64),
        np.asarray(obj.coeffs, dtype=np.float64),
    )
    return cost, float(obj.offset)


def linear_data(proto: Any, *, only_rows: Collection[int] | None = None) -> LinearData:
    """Convert a CP-SAT model proto made only of linear constraints.

    ``linear`` rows keep their bounds (a domain with holes is relaxed to its
    hull), ``at_most_one`` becomes Σ ≤ 1 and an empty ``bool_or`` an
    infeasible row.  Enforcement literals are not supported (they only occur
    in the diagnosis model).  With ``only_rows``, only those constraints are
    converted (a persistent relaxation adds rows as they are posted).
    """
    lower = np.array([v.domain[0] for v in proto.variables], dtype=np.float64)
    upper = np.array([v.domain[len(v.domain) - 1] for v in proto.variables], dtype=np.float64)
    cost, offset = objective_costs(proto)
    starts: list[int] = []
    index: list[int] = []
    value: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    chosen = (
        enumerate(proto.constraints)
        if only_rows is None
        else ((i, proto.constraints[i]) for i in sorted(only_rows))
    )
    for _, ct in chosen:
        if len(ct.enforcement_literal):
            raise ValueError("enforced constraints cannot be relaxed to an LP")
        if ct.has_linear():
            lin = ct.linear
            dom = [int(x) for x in lin.domain]
            starts.append(len(index))
            index.extend(lin.vars)
            value.extend(float(c) for c in lin.coeffs)
            lo.append(float(dom[0]) if dom[0] > -_BIG else -math.inf)
            hi.append(float(dom[-1]) if dom[-1] < _BIG else math.inf)
        elif ct.has_at_most_one():
            lits = list(ct.at_most_one.literals)
            starts.append(len(index))
            index.extend(lits)
            value.extend([1.0] * len(lits))
            lo.append(-math.inf)
            hi.append(1.0)
        elif ct.has_bool_or() and not len(ct.bool_or.literals):
            starts.append(len(index))
            lo.append(1.0)
            hi.append(math.inf)
        else:
            raise ValueError(f"cannot convert CP-SAT constraint {ct} to linear rows")
    starts.append(len(index))
    return LinearData(
        lower=lower,
        upper=upper,
        cost=cost,
        offset=offset,
        row_lower=np.array(lo, dtype=np.float64),
        row_upper=np.array(hi, dtype=np.float64),
        starts=np.array(starts, dtype=np.int64),
        index=np.array(index, dtype=np.int64),
        value=np.array(value, dtype=np.float64),
    )


def safe_bound(data: LinearData, row_dual: Any, cost: FloatArray | None = None) -> float:
    """A lower bound on ``min cost·x`` over the rows and column bounds of ``data``
    that is valid for *any* row multipliers ``row_dual``, whatever their accuracy.

    For multipliers ``y`` (each clipped to the sign its finite row bound
    allows) and reduced costs ``r = c − Aᵀy``, every feasible ``x`` has
    ``c·x = r·x + y·Ax ≥ Σ_j min(r_j·l_j, r_j·u_j) + Σ_i (y_i > 0 ? y_i·lo_i
    : y_i·hi_i)`` (Lagrangian duality over the box of the columns).  So a
    solver's tolerances can make the bound weaker, never invalid: the 1e-6
    safety margin used before was not enough on a tiny instance, where
    HiGHS without presolve reported an LP optimum above the integer optimum
    (9 for 8).  The floating-point error of the sum itself is covered by a
    margin of 1e-9 of the terms' magnitude.
    """
    return _lagrangian(data, row_dual, cost)[0]


def _lagrangian(
    data: LinearData, row_dual: Any, cost: FloatArray | None = None
) -> tuple[float, FloatArray]:
    """:func:`safe_bound` and the reduced costs ``r`` it was computed with."""
    c = data.cost if cost is None else cost
    y = np.asarray(row_dual, dtype=np.float64)
    lo_ok, hi_ok = np.isfinite(data.row_lower), np.isfinite(data.row_upper)
    y = np.where((y > 0) & lo_ok, y, np.where((y < 0) & hi_ok, y, 0.0))
    row_terms = np.where(
        y > 0, y * np.where(lo_ok, data.row_lower, 0.0), y * np.where(hi_ok, data.row_upper, 0.0)
    )
    entry_row = np.repeat(np.arange(data.n_rows), np.diff(data.starts))
    aty = np.bincount(data.index, weights=data.value * y[entry_row], minlength=data.n_cols)
    r = c - aty
    col_terms = np.where(r > 0, r * data.lower, np.where(r < 0, r * data.upper, 0.0))
    if not np.all(np.isfinite(col_terms)):
        return -math.inf, r
    total = float(row_terms.sum() + col_terms.sum()) + data.offset
    scale = float(np.abs(row_terms).sum() + np.abs(col_terms).sum()) + abs(data.offset)
    return total - 1e-9 * scale - 1e-9, r


def reduced_cost_box(
    data: LinearData, row_dual: Any, limit: float
) -> tuple[FloatArray, FloatArray] | None:
    """Column bounds that every integer ``x`` of ``data``'s rows and box with
    ``cost·x ≤ limit`` meets (reduced-cost fixing), for any row multipliers.

    With ``L`` the :func:`safe_bound` of these multipliers and ``r`` their
    reduced costs, every such ``x`` has ``limit ≥ cost·x ≥ L + r_j·(x_j − l_j)``
    for ``r_j > 0`` (``L + |r_j|·(u_j − x_j)`` for ``r_j < 0``), so ``x_j ≤ l_j +
    ⌊(limit − L) / r_j⌋`` (``x_j ≥ u_j − ⌊(limit − L) / |r_j|⌋``).  When the LP
    proves the limit (``limit − L < 1`` for an integer objective), every column
    with a reduced cost above that slack is fixed at its bound.  None when the
    multipliers bound nothing (``L`` infinite) or ``limit < L`` (no such ``x``).
    """
    bound, r = _lagrangian(data, row_dual)
    if not math.isfinite(bound) or limit < bound:
        return None
    slack = float(limit) - bound
    lower, upper = data.lower.copy(), data.upper.copy()
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        reach = np.floor(slack / np.abs(r) * (1 + 1e-9) + 1e-9)
    up = (r > 0) & np.isfinite(lower) & np.isfinite(reach)
    down = (r < 0) & np.isfinite(upper) & np.isfinite(reach)
    upper[up] = np.minimum(upper[up], lower[up] + reach[up])
    lower[down] = np.maximum(lower[down], upper[down] - reach[down])
    return lower, upper
