"""``solve(problem) -> Plan``: the lexicographic stages, status mapping and diagnosis."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from .model import Problem
from .plan import STAGES, Plan, PlanStatus, StageResult
from .solvers.classes import Classes, build_classes
from .solvers.cpsat import CpsatModel, StageOutcome, StageStatus

IntArray = npt.NDArray[np.int64]

__all__ = ["solve"]

log = logging.getLogger("mutasi_opt")

#: Share of the remaining time each stage may use when a time limit is given.
_TIME_SHARE = {"shortfall": 0.15, "imbalance": 0.35, "balance": 0.6, "moves": 0.6, "preference": 1.0}

ProgressFn = Callable[[str, float, float], None]


def _default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def solve(
    problem: Problem,
    *,
    time_limit: float | None = None,
    seed: int = 0,
    workers: int | None = None,
    log: bool = False,
    progress: ProgressFn | None = None,
) -> Plan:
    """Plan transfers for ``problem``, optimal for the lexicographic objective.

    Stages, each holding the ones before: (1) competency shortfall, (2)
    imbalance ``D`` (within ``policy.imbalance_tolerance_hours``), (3) balance
    cost ``B`` (to within ``policy.balance_gap`` of its bound), (4) number of
    moves (``B`` held), (5) preference cost.

    Parameters
    ----------
    problem
        A validated :class:`~mutasi_opt.model.Problem`.
    time_limit
        Seconds for the whole solve; ``None`` means until every stage is proven
        (stage 3 to within ``balance_gap``).
    seed, workers
        CP-SAT random seed and number of search workers (default: CPU count,
        at most 8).  The same input, seed and workers give the same plan when
        no time limit cuts a stage short.
    log
        Print CP-SAT's search log.
    progress
        Optional callback ``(stage, best_value, bound)`` on each improving solution.

    Returns
    -------
    Plan
        With ``status`` ``optimal``, ``feasible``, ``infeasible`` (with a
        diagnosis) or ``unknown`` (no plan within the time limit).
    """
    t_start = time.perf_counter()
    n_workers = workers if workers is not None else _default_workers()
    deadline = None if time_limit is None else t_start + float(time_limit)
    pol = problem.policy

    def budget(stage: str) -> float | None:
        if deadline is None:
            return None
        return max(0.05, (deadline - time.perf_counter()) * _TIME_SHARE[stage])

    def callback(stage: str) -> Callable[[float, float], None] | None:
        if progress is None:
            return None
        return lambda value, bound: progress(stage, value, bound)

    coarse = build_classes(problem, with_preferences=False)
    fine = build_classes(problem, with_preferences=True)
    same_partition = coarse.n == fine.n
    model = CpsatModel(problem, fine if same_partition else coarse)
    log_build = model.build_seconds
    outcomes: dict[str, StageOutcome] = {}
    results: list[StageResult] = []
    flows: IntArray | None = None
    tolerance_centi = int(round(200 * pol.imbalance_tolerance_hours))

    for stage in STAGES[:4]:
        gap = pol.balance_gap if stage == "balance" else 0.0
        out = model.solve_stage(
            stage,
            time_limit=budget(stage),
            seed=seed,
            workers=n_workers,
            relative_gap=gap,
            log_search=log,
            progress=callback(stage),
        )
        outcomes[stage] = out
        if out.status in (StageStatus.INFEASIBLE, StageStatus.UNKNOWN):
            if stage == "shortfall" or flows is None:
                return _no_plan(problem, out, results, t_start, n_workers, seed)
            break  # keep the previous stage's plan
        flows = out.flows
        results.append(_stage_result(stage, out))
        hold = out.value
        assert hold is not None
        if stage == "imbalance":
            hold += tolerance_centi
        model.fix_at_most(model.stage_expression(stage), hold)

    assert flows is not None
    classes: Classes = model.classes
    if len(results) == 4:
        if not same_partition:
            fine_model = CpsatModel(problem, fine)
            for stage in STAGES[:4]:
                value = outcomes[stage].value
                assert value is not None
                if stage == "imbalance":
                    value += tolerance_centi
                fine_model.fix_at_most(fine_model.stage_expression(stage), value)
            fine_model.hint_flows(_split_flows(coarse, flows, fine, fine_model, problem))
            model = fine_model
            classes = fine
            log_build += fine_model.build_seconds
        out = model.solve_stage(
            "preference",
            time_limit=budget("preference"),
            seed=seed,
            workers=n_workers,
            log_search=log,
            progress=callback("preference"),
        )
        if out.status in (StageStatus.OPTIMAL, StageStatus.FEASIBLE):
            assert out.flows is not None
            flows = out.flows
            results.append(_stage_result("preference", out))
        elif not same_partition:
            flows = _split_flows(coarse, flows, fine, model, problem)
    assignment = disaggregate(problem, classes, model, flows)
    return Plan.from_solution(
        problem,
        assignment,
        stages=tuple(results),
        solve_seconds=time.perf_counter() - t_start,
        build_seconds=log_build,
        seed=seed,
        workers=n_workers,
        time_limit=time_limit,
    )


def _stage_result(stage: str, out: StageOutcome) -> StageResult:
    assert out.value is not None and out.bound is not None
    return StageResult(
        name=stage,
        status=out.status.value,
        value=out.value,
        bound=out.bound,
        seconds=out.seconds,
    )


def _no_plan(
    problem: Problem,
    out: StageOutcome,
    results: list[StageResult],
    t_start: float,
    workers: int,
    seed: int,
) -> Plan:
    from .diagnose import diagnose

    if out.status == StageStatus.INFEASIBLE:
        conflicts = diagnose(problem)
        return Plan.without_solution(
            problem,
            PlanStatus.INFEASIBLE,
            diagnosis=tuple(conflicts),
            solve_seconds=time.perf_counter() - t_start,
            seed=seed,
            workers=workers,
        )
    return Plan.without_solution(
        problem,
        PlanStatus.UNKNOWN,
        diagnosis=(),
        solve_seconds=time.perf_counter() - t_start,
        seed=seed,
        workers=workers,
    )


def _class_moves(classes: Classes, model: CpsatModel, flows: IntArray) -> list[list[tuple[int, int]]]:
    """Per class, (target unit, count) pairs with a positive flow."""
    out: list[list[tuple[int, int]]] = [[] for _ in range(classes.n)]
    v = model.vars
    for f in np.flatnonzero(flows):
        out[int(v.flow_class[f])].append((int(v.flow_unit[f]), int(flows[f])))
    return out


def disaggregate(
    problem: Problem, classes: Classes, model: CpsatModel, flows: IntArray
) -> IntArray:
    """Turn class flows into an assignment of individuals.

    Members of a class are interchangeable for every stage value, so any
    choice is exact; we move the longest-serving members first (overdue for
    rotation before recent arrivals), ties by input order, so the choice is
    deterministic and defensible.
    """
    idx = problem.index
    assignment = idx.home.copy()
    months = np.where(idx.months < 0, np.iinfo(np.int64).max, idx.months)
    for c, moves in enumerate(_class_moves(classes, model, flows)):
        if not moves:
            continue
        members = classes.members[c]
        order = members[np.lexsort((members, -months[members]))]
        pos = 0
        for unit, count in sorted(moves):
            assignment[order[pos : pos + count]] = unit
            pos += count
    return assignment


def _split_flows(
    coarse: Classes, coarse_flows: IntArray, fine: Classes, fine_model: CpsatModel, problem: Problem
) -> IntArray:
    """Map a coarse-class solution to fine-class flows (via an individual assignment)."""
    assignment = problem.index.home.copy()
    coarse_moves: list[list[tuple[int, int]]] = [[] for _ in range(coarse.n)]
    # the coarse flow layout, in Variables' construction order
    counts = [len(t) for t in coarse.targets]
    flow_class = np.repeat(np.arange(coarse.n), counts)
    flow_unit = np.concatenate(coarse.targets) if sum(counts) else np.zeros(0, dtype=np.int64)
    for f in np.flatnonzero(coarse_flows):
        coarse_moves[int(flow_class[f])].append((int(flow_unit[f]), int(coarse_flows[f])))
    for c, moves in enumerate(coarse_moves):
        members = coarse.members[c]
        pos = 0
        for unit, count in sorted(moves):
            assignment[members[pos : pos + count]] = unit
            pos += count
    return flows_of_assignment(fine, fine_model, assignment)


def flows_of_assignment(classes: Classes, model: CpsatModel, assignment: IntArray) -> IntArray:
    """Flow values that represent ``assignment`` on ``classes``."""
    v = model.vars
    lookup = {(int(c), int(u)): f for f, (c, u) in enumerate(zip(v.flow_class, v.flow_unit, strict=True))}
    emp_class = classes.employee_class(len(assignment))
    flows = np.zeros(v.n_flows, dtype=np.int64)
    for e in np.flatnonzero(assignment != classes.home[emp_class]):
        flows[lookup[(int(emp_class[e]), int(assignment[e]))]] += 1
    return flows
