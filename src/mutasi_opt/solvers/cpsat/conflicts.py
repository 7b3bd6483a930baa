"""A small conflicting set of rule groups, found with CP-SAT assumptions."""

from __future__ import annotations

from ortools.sat.python import cp_model

from ...domain.limits import Budget
from ...domain.problem import Problem
from ..aggregation import build_classes
from .constraints import RuleGroup
from .model import CpsatModel
from .running import StageStatus, _limit, run_solver

__all__ = ["conflict_core"]


def conflict_core(problem: Problem, *, budget: Budget) -> list[RuleGroup] | None:
    """Rule groups that cannot all hold, minimised by deletion; None if all can hold.

    One literal guards each rule group (a unit's min_staff, its max_staff, the
    move budget, a pair, rotation, and with the fairness keys on a unit's
    individual_rationality and no_justified_envy rows); the model has no
    objective and is solved on one worker with the literals as assumptions,
    each solve on what is left of ``budget``.  A subset not proven infeasible
    within it counts as feasible (its group is kept), so the core stays a
    conflict, if not always a minimal one.
    """
    cm = CpsatModel(problem, build_classes(problem), guarded=True)
    groups = [g for g in cm.rule_groups if g.literal is not None]
    if not groups:
        return None

    def infeasible(subset: list[RuleGroup]) -> tuple[bool, list[int]]:
        cm.model.clear_assumptions()
        cm.model.add_assumptions([g.literal for g in subset if g.literal is not None])
        if budget.exhausted():
            return False, []
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        _limit(solver.parameters, budget)
        if run_solver(solver, cm.model, budget) is not StageStatus.INFEASIBLE:
            return False, []
        return True, list(solver.sufficient_assumptions_for_infeasibility())

    bad, core = infeasible(groups)
    if not bad:
        return None
    by_index = {g.literal.index: g for g in groups if g.literal is not None}
    current = [by_index[i] for i in core if i in by_index] or groups
    # deletion filter: drop every group whose removal keeps the set infeasible
    k = 0
    while k < len(current):
        trial = current[:k] + current[k + 1 :]
        still, _ = infeasible(trial)
        if still:
            current = trial
        else:
            k += 1
    return current
