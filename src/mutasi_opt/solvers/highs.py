"""HiGHS on exactly the same model as CP-SAT: the LP relaxation for bounds, and
the MIP as a benchmark peer.

The CP-SAT model of :mod:`mutasi_opt.solvers.cpsat` is purely linear, so its
proto converts one to one (:func:`mutasi_opt.solvers.linear.linear_data`).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from ..domain.limits import LP_WORK_PER_NNZ_ITERATION, Budget
from .linear import LinearData, linear_data, objective_costs, safe_bound

__all__ = ["HighsResult", "LpRelaxation", "solve_proto"]


@dataclass(frozen=True)
class HighsResult:
    """Outcome of a HiGHS run on a converted CP-SAT proto."""

    status: str
    objective: float | None
    bound: float | None
    seconds: float
    values: npt.NDArray[np.float64] | None


def _import_highspy() -> Any:
    import highspy

    return highspy


@contextlib.contextmanager
def _no_banner() -> Iterator[None]:
    """HiGHS prints a banner on standard output when an instance is created,
    before any option can silence it; keep it out of our users' output (e.g.
    ``--json``) by pointing file descriptor 1 at /dev/null meanwhile."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _new_highs(highspy: Any) -> Any:
    with _no_banner():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


def solve_proto(
    proto: Any,
    *,
    time_limit: float | None = None,
    relative_gap: float = 0.0,
    relax: bool = False,
    threads: int = 1,
    presolve: bool = True,
    budget: Budget | None = None,
) -> HighsResult:
    """Solve a linear CP-SAT model proto with HiGHS (as a MIP, or its LP relaxation).

    With ``budget`` (LP relaxations only), the run is limited by the budget's
    deadline and, under a work limit, by simplex iterations (see
    :func:`_limit_run`), and charges the work it used.
    """
    highspy = _import_highspy()
    h = _new_highs(highspy)
    h.setOptionValue("threads", threads)
    if not presolve:
        h.setOptionValue("presolve", "off")
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(relative_gap))
    data = linear_data(proto)
    if budget is not None:
        if not relax:
            raise ValueError("a work budget applies to LP relaxations only")
        _limit_run(h, budget, len(data.index), 0.0)
    n = data.n_cols
    h.addVars(n, data.lower, data.upper)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), data.cost)
    if not relax:
        h.changeColsIntegrality(
            n, np.arange(n, dtype=np.int32), np.full(n, highspy.HighsVarType.kInteger)
        )
    _add_rows(h, data)
    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    if budget is not None:
        _charge_run(h, budget, len(data.index))
    offset = data.offset
    has_sol = info.primal_solution_status == 2  # kSolutionStatusFeasible
    objective = float(info.objective_function_value) + offset if has_sol else None
    solution = h.getSolution()
    if relax:
        # a bound from the duals that HiGHS's tolerances cannot make invalid
        bound: float | None = safe_bound(data, _row_dual(solution, data.n_rows))
    else:
        bound = float(info.mip_dual_bound) + offset
    values = np.array(solution.col_value) if has_sol else None
    return HighsResult(status, objective, bound, seconds, values)


def _limit_run(h: Any, budget: Budget, nnz: int, run_time: float) -> None:
    """Limit the next run of ``h`` by ``budget``: its deadline and, under a work
    limit, ``work left ÷ (nnz · LP_WORK_PER_NNZ_ITERATION)`` simplex iterations
    (HiGHS counts them per run; serial HiGHS is deterministic, so the same
    iteration limit gives the same result on any machine).  ``run_time`` is the
    instance's time already spent (HiGHS's time limit counts from its first run)."""
    seconds = budget.seconds_left()
    h.setOptionValue("time_limit", run_time + (1e9 if seconds is None else max(0.0, seconds)))
    work = budget.work_left()
    if work is not None:
        per_iteration = max(1, nnz) * LP_WORK_PER_NNZ_ITERATION
        h.setOptionValue("simplex_iteration_limit", int(min(2**31 - 1, work // per_iteration)))
        h.setOptionValue("ipm_iteration_limit", int(min(2**31 - 1, work // (50 * per_iteration))))


def _charge_run(h: Any, budget: Budget, nnz: int) -> None:
    """Charge the work of ``h``'s last run to ``budget`` (and note a cut run)."""
    info = h.getInfo()
    iterations = max(0, int(info.simplex_iteration_count)) + 50 * max(
        0, int(info.ipm_iteration_count)
    )
    budget.charge(iterations * max(1, nnz) * LP_WORK_PER_NNZ_ITERATION)
    if h.modelStatusToString(h.getModelStatus()) in (
        "Time limit reached",
        "Iteration limit reached",
    ):
        budget.cut()


def _add_rows(h: Any, data: LinearData) -> None:
    """Append ``data``'s rows (CSR) to a HiGHS instance."""
    if data.n_rows:
        h.addRows(
            data.n_rows,
            data.row_lower,
            data.row_upper,
            len(data.index),
            data.starts[:-1].astype(np.int32),
            data.index.astype(np.int32),
            data.value,
        )


def _row_dual(solution: Any, n_rows: int) -> npt.NDArray[np.float64]:
    dual = np.asarray(solution.row_dual, dtype=np.float64)
    return dual if dual.size == n_rows else np.zeros(n_rows)


@dataclass(frozen=True)
class DualCertificate:
    """The rows and row duals of one LP solve: they bound that LP's objective
    (:func:`safe_bound`) also with a row's bounds changed."""

    rows: LinearData
    dual: npt.NDArray[np.float64]
    position: dict[int, int]  # proto row -> row of ``rows``

    def bound_with_upper(self, proto_row: int, upper: float) -> float | None:
        """A valid lower bound on the solved objective over the rows held with
        ``proto_row``'s upper bound at ``upper``, whatever the duals' accuracy
        (None for a row not held)."""
        i = self.position.get(proto_row)
        if i is None:
            return None
        upper_bounds = self.rows.row_upper.copy()
        upper_bounds[i] = upper
        return safe_bound(replace(self.rows, row_upper=upper_bounds), self.dual)


class LpRelaxation:
    """An LP relaxation kept alive across stages, so a solve can start from the
    previous run's basis (or from scratch: ``solve(fresh=True)``).

    It holds the model's rows given at creation plus those added later; each
    :meth:`solve` takes the proto's current objective.  Measured at 20,000
    employees with the residue's parity cuts: the balance stage's Lagrangian LP
    (``B + λ·D``) from the imbalance stage's basis 11.2 s (at its limit), from
    scratch 2.7 s; its next prices from that basis 0.1-0.5 s each.
    """

    def __init__(self, proto: Any, rows: Collection[int]) -> None:
        highspy = _import_highspy()
        self._h = _new_highs(highspy)
        self._h.setOptionValue("threads", 1)
        data = linear_data(proto, only_rows=rows)
        self._n = data.n_cols
        self._h.addVars(self._n, data.lower, data.upper)
        self._rows: set[int] = set()
        #: the proto row of each HiGHS row, in HiGHS's order
        self._order: list[int] = []
        self._chunks: list[LinearData] = []
        #: the rows and row duals of the last solve (see :meth:`certificate`)
        self._last: tuple[LinearData, npt.NDArray[np.float64]] | None = None
        self._add(data)
        self._rows.update(rows)
        self._order.extend(sorted(rows))

    def _add(self, data: LinearData) -> None:
        self._chunks.append(data)
        _add_rows(self._h, data)

    def add_rows(self, proto: Any, rows: Collection[int]) -> None:
        """Add the proto's constraints ``rows`` (those not added yet)."""
        new = [r for r in rows if r not in self._rows]
        if new:
            self._add(linear_data(proto, only_rows=new))
            self._rows.update(new)
            self._order.extend(sorted(new))

    def solve(self, proto: Any, *, budget: Budget, fresh: bool = False) -> HighsResult:
        """Minimise the proto's objective over the rows held, within ``budget``.

        ``fresh``: forget the kept basis and solve from scratch, with presolve.
        Measured: after a stage's new objective and holds, the imbalance stage's
        basis is a poor start (the balance stage's first priced LP on the
        embedded sample at 365 moves: 22,016 iterations in 4.3 s and status
        "unknown" from it, 10,523 in 0.75 s and optimal from scratch; at 20,000
        employees 11.2 s at its time limit, 2.7 s optimal); the next prices of
        the same stage re-solve quickly from the fresh run's basis.
        """
        if len(proto.variables) != self._n:
            raise ValueError("the model gained variables since the relaxation was built")
        if fresh:
            self._h.clearSolver()
            self._h.setOptionValue("presolve", "on")
        cost, offset = objective_costs(proto)
        self._h.changeColsCost(self._n, np.arange(self._n, dtype=np.int32), cost)
        nnz = sum(len(ch.index) for ch in self._chunks)
        _limit_run(self._h, budget, nnz, float(self._h.getRunTime()))
        t0 = time.perf_counter()
        self._h.run()
        seconds = time.perf_counter() - t0
        # later runs start from this run's basis: without presolve, which would
        # solve the changed model afresh (measured at 20,000 employees with the
        # residue's parity cuts: the balance stage's priced LPs, five prices each
        # way, took 29 s instead of 46 s)
        self._h.setOptionValue("presolve", "off")
        _charge_run(self._h, budget, nnz)
        status = self._h.modelStatusToString(self._h.getModelStatus())
        info = self._h.getInfo()
        has_sol = info.primal_solution_status == 2
        objective = float(info.objective_function_value) + offset if has_sol else None
        rows = self._rows_data(cost, offset)
        solution = self._h.getSolution()
        dual = _row_dual(solution, rows.n_rows)
        bound = safe_bound(rows, dual)
        self._last = (rows, dual)
        values = np.array(solution.col_value) if has_sol else None
        return HighsResult(status, objective, bound, seconds, values)

    def tighten(self, lower: npt.NDArray[np.float64], upper: npt.NDArray[np.float64]) -> None:
        """Narrow the columns' bounds to ``lower``/``upper`` (where they are tighter),
        in HiGHS and in the rows' data the safe bounds are computed from."""
        first = self._chunks[0]
        lo, hi = np.maximum(first.lower, lower), np.minimum(first.upper, upper)
        changed = np.flatnonzero((lo != first.lower) | (hi != first.upper))
        if not changed.size:
            return
        self._h.changeColsBounds(changed.size, changed.astype(np.int32), lo[changed], hi[changed])
        self._chunks[0] = replace(first, lower=lo, upper=hi)

    def certificate(self) -> DualCertificate | None:
        """The last solve's rows and row duals (None before a solve)."""
        if self._last is None:
            return None
        rows, dual = self._last
        return DualCertificate(rows, dual, {r: i for i, r in enumerate(self._order)})

    def _rows_data(self, cost: npt.NDArray[np.float64], offset: float) -> LinearData:
        """All rows held, as one :class:`LinearData` with the given objective."""
        first = self._chunks[0]
        starts = [np.zeros(1, dtype=np.int64)]
        shift = 0
        for ch in self._chunks:
            starts.append(ch.starts[1:] + shift)
            shift += len(ch.index)
        return LinearData(
            lower=first.lower,
            upper=first.upper,
            cost=cost,
            offset=offset,
            row_lower=np.concatenate([ch.row_lower for ch in self._chunks]),
            row_upper=np.concatenate([ch.row_upper for ch in self._chunks]),
            starts=np.concatenate(starts),
            index=np.concatenate([ch.index for ch in self._chunks]),
            value=np.concatenate([ch.value for ch in self._chunks]),
        )
