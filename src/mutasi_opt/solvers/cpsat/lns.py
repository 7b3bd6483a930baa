"""Large-neighbourhood search: better plans for a stage from sub-models in which
most decisions are fixed at the incumbent's values.

Measured on the embedded sample at a budget of 386 moves: CP-SAT on the whole
imbalance stage improves the greedy plan by 0.1 % in 15 s, while the stage's LP
bound is already the optimum; a sub-model with a third of the units free is
solved to optimality in about 0.5 s (without a hint: with the incumbent as hint
CP-SAT takes ten times as long on the same sub-model).  A sequence of such
sub-models takes the plan from 3.2 % to 0.06 % above the optimum in about 6 s.

The neighbourhoods:

1. *RINS* (relaxation induced neighbourhood search): when the stage's LP
   solution is known (for a stage that prices the D hold, the priced LP's at
   its best price), the decisions on which the LP and the incumbent agree are
   fixed; the others are free.
2. *Units* and *roles*, in turn: every decision touching a random set of units
   (a class leaving its home, an arrival or a preferred move there), or moving
   staff of a random set of roles, is free.  The share of units (of roles)
   grows (×1.2) when a sub-model is proven to hold nothing better and shrinks
   (÷1.3) when its work cap cut it short; a sub-model with every unit (role)
   free that holds nothing better proves the incumbent optimal.  In the balance
   stage a unit's chance is mostly (80 %) in proportion to its balance cost.

Every sub-model also requires a strictly better objective, so that a proof of
"nothing better here" is fast.  Each sub-solve is capped by counted work
(:data:`LNS_STEP_WORK`) and seeded from the solve's seed, so the sequence is
the same on any machine as long as the caller's limits do not cut it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from ...domain.arrays import IntArray
from ...domain.limits import CPSAT_WORK_PER_DTIME, Budget
from .running import StageStatus, new_solver, objective_at, translate_status

__all__ = ["LNS_STEP_WORK", "LNS_UNTIMED_WORK", "Neighbourhoods", "improve", "rematch"]

log = logging.getLogger("mutasi_opt")

#: Work units at most for one sub-model (measured on the embedded sample: about
#: 0.5 to 2 s of wall time with 2 workers).
LNS_STEP_WORK = 0.3
#: Work units at most for the whole search when the solve has no limits.
LNS_UNTIMED_WORK = 2.0
#: Work units charged per sub-model on top of its deterministic time, per
#: thousand variables of the model: the copy and presolve that CP-SAT's
#: deterministic time does not count (measured on the embedded sample: about
#: 0.1 s of wall time per sub-model for its 13,000 variables).
LNS_WORK_PER_KILOVARIABLE = 0.004

#: the least share of units free in a unit neighbourhood (or two parts, if more)
_MIN_SHARE = 0.02
#: free decisions a sub-model starts with at most, whatever the model's size: the
#: share of parts starts at ``first_share`` or, in a large model, at this many
#: decisions' worth (measured on the embedded sample, 8,500 decisions: sub-models
#: with up to about 2,000 free decisions are solved or proven within
#: :data:`LNS_STEP_WORK`, from 2,300 on they are cut; at 100,000 employees,
#: 247,000 decisions, the first share of 0.3 freed 74,130 and every sub-model
#: was cut).  A partition of which two parts already hold more than
#: :data:`_MAX_FREE_PARTS` times this many is left out.
_TARGET_FREE = 3000
_MAX_FREE_PARTS = 4
_GROW, _SHRINK = 1.2, 1.3
#: consecutive sub-models without improvement after which the search stops (and
#: CP-SAT's search on the whole model takes over: on a 1,000-employee city it
#: proves the balance stage in 4 s, where the neighbourhoods had stalled)
_PATIENCE = 10


@dataclass(frozen=True)
class Neighbourhoods:
    """The decision variables (proto indices) and, per partition of them (e.g. by
    the unit each touches, by the role of the staff it moves), the part each
    variable is in (``parts[name]``, numbered 0 to ``sizes[name] − 1``)."""

    index: IntArray
    parts: dict[str, IntArray]
    sizes: dict[str, int]


@dataclass
class _Outcome:
    solution: list[int] | None
    proven: bool  # the sub-model holds nothing better than the incumbent


def improve(
    model: cp_model.CpModel,
    incumbent: list[int],
    decisions: Neighbourhoods,
    *,
    budget: Budget,
    seed: int,
    workers: int,
    bound: int | None = None,
    lp_values: npt.NDArray[np.float64] | None = None,
    first_share: float = 0.3,
    weights: dict[str, npt.NDArray[np.float64]] | None = None,
    target: int | None = None,
) -> tuple[list[int], bool]:
    """Improve ``incumbent`` (a full solution of ``model``) for ``model``'s objective.

    After RINS (with ``lp_values``), the partitions of ``decisions`` take turns:
    each sub-model frees the variables of a random set of parts, a share of the
    partition's parts that starts at ``first_share`` and adapts (see the module
    docstring).  ``weights[name]`` (non-negative, one per part) makes 80 % of a
    part's chance proportional to its weight (e.g. the units that cost most).
    Returns the best solution found and whether it is proven optimal (it
    reaches ``bound``, or a sub-model with every part free holds nothing
    better).  Stops when ``budget`` is used up, after :data:`_PATIENCE`
    sub-models in a row without improvement, when proven, or once the value is
    at most ``target`` (good enough for the caller, e.g. within the stage's gap
    of its bound; not a proof).
    """
    best = list(incumbent)
    value = objective_at(model, best)
    if bound is not None and value <= bound:
        return best, True
    if target is not None and value <= target:
        return best, False
    rng = np.random.default_rng(seed)
    names = [k for k in decisions.parts if decisions.sizes[k] > 1]
    n_decisions = max(1, len(decisions.index))
    names = [
        k for k in names if 2 * n_decisions / decisions.sizes[k] <= _MAX_FREE_PARTS * _TARGET_FREE
    ]
    share = {
        k: min(first_share, max(2 / decisions.sizes[k], _TARGET_FREE / n_decisions)) for k in names
    }
    floor = {k: min(_MIN_SHARE, share[k]) for k in names}
    chance: dict[str, npt.NDArray[np.float64]] = {}
    for name, w in (weights or {}).items():
        if name in share and float(w.sum()) > 0:
            chance[name] = 0.8 * w / float(w.sum()) + 0.2 / decisions.sizes[name]
    idle = turn = 0
    pending_rins = lp_values is not None
    while not budget.exhausted() and idle < _PATIENCE and (names or pending_rins):
        current = np.asarray(best, dtype=np.int64)
        name = ""
        whole = False
        if pending_rins:
            pending_rins = False
            assert lp_values is not None
            lp = lp_values[decisions.index]
            integral = np.abs(lp - np.round(lp)) <= 1e-6
            free = ~(integral & (np.round(lp) == current[decisions.index]))
            kind = "rins"
            if not free.any():
                continue
        else:
            name = names[turn % len(names)]
            turn += 1
            size = decisions.sizes[name]
            n = max(2, min(size, round(share[name] * size)))
            chosen = rng.choice(size, size=n, replace=False, p=chance.get(name))
            free = np.isin(decisions.parts[name], chosen)
            kind, whole = f"{name} {n}/{size}", n == size
        out = _sub_solve(model, current, decisions.index[~free], value, budget, seed, workers)
        log.debug(
            "lns %s: %d free, %s",
            kind,
            int(free.sum()),
            "improved" if out.solution is not None else "proven" if out.proven else "cut",
        )
        if out.solution is not None:
            best = out.solution
            value = objective_at(model, best)
            idle = 0
            if bound is not None and value <= bound:
                return best, True
            if target is not None and value <= target:
                return best, False
            continue
        idle += 1
        if not name:
            continue
        if out.proven:
            if whole:
                return best, True
            share[name] = min(1.0, share[name] * _GROW)
        else:
            share[name] = max(floor[name], share[name] / _SHRINK)
    return best, False


def _sub_solve(
    model: cp_model.CpModel,
    current: IntArray,
    fixed: IntArray,
    value: int,
    budget: Budget,
    seed: int,
    workers: int,
) -> _Outcome:
    """Minimise ``model``'s objective with the ``fixed`` variables at their values
    in ``current`` and the objective below ``value``, without a hint."""
    clone = model.clone()
    clone.clear_hints()  # type: ignore[no-untyped-call]
    variables = clone.proto.variables
    for i, v in zip(fixed.tolist(), current[fixed].tolist(), strict=True):
        domain = variables[i].domain
        domain.clear()
        domain.extend([v, v])
    return _solve_better(clone, value, budget, LNS_STEP_WORK, seed, workers)


def _solve_better(
    clone: cp_model.CpModel, value: int, budget: Budget, cap: float, seed: int, workers: int
) -> _Outcome:
    """Minimise ``clone``'s objective (a copy of a model, its own to change) below
    ``value``, within ``cap`` work units of ``budget``, charging the work used."""
    obj = clone.proto.objective
    terms = [clone.get_int_var_from_proto_index(int(i)) for i in obj.vars]
    expr = cp_model.LinearExpr.weighted_sum(terms, [int(c) for c in obj.coeffs])
    clone.add(expr + int(obj.offset) <= value - 1)
    solver = new_solver(seed=seed, workers=workers, budget=budget.capped(cap))
    status = translate_status(solver.solve(clone), clone)
    overhead = LNS_WORK_PER_KILOVARIABLE * len(clone.proto.variables) / 1000
    budget.charge(solver.response_proto.deterministic_time * CPSAT_WORK_PER_DTIME + overhead)
    if budget.time_up():
        budget.cut()
    if status in (StageStatus.OPTIMAL, StageStatus.FEASIBLE):
        return _Outcome(list(solver.response_proto.solution), status is StageStatus.OPTIMAL)
    return _Outcome(None, status is StageStatus.INFEASIBLE)


def rematch(
    model: cp_model.CpModel,
    incumbent: list[int],
    sums: list[list[tuple[int, int]]],
    *,
    budget: Budget,
    seed: int,
    workers: int,
) -> list[int] | None:
    """A better solution of ``model`` (for its objective) in which every weighted
    sum of ``sums`` (proto index, coefficient) keeps its value at ``incumbent``
    and every other decision is free; None if there is none or the step's work
    cap (:data:`LNS_STEP_WORK` × 10) cuts it short.

    With the sums the capacities of the (unit, role) pairs, D and B stay as
    they are while who moves where may change: for the preference stage a
    re-matching across types and home units that the per-type flows of the
    warm start cannot make.
    """
    clone = model.clone()
    clone.clear_hints()  # type: ignore[no-untyped-call]
    current = np.asarray(incumbent, dtype=np.int64)
    for terms in sums:
        index = [i for i, _ in terms]
        coeffs = [c for _, c in terms]
        value = int(current[index] @ np.asarray(coeffs, dtype=np.int64))
        variables = [clone.get_int_var_from_proto_index(i) for i in index]
        clone.add(cp_model.LinearExpr.weighted_sum(variables, coeffs) == value)
    value = objective_at(model, incumbent)
    out = _solve_better(clone, value, budget, 10 * LNS_STEP_WORK, seed, workers)
    found = "improved" if out.solution is not None else "proven" if out.proven else "cut"
    log.debug("rematch: %s", found)
    return out.solution
