"""The stage and status vocabulary (domain.stages) and the one stage loop (planning.stages)."""

from __future__ import annotations

import typing
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mutasi_opt as mo
from mutasi_opt import metrics
from mutasi_opt.domain.limits import Budget
from mutasi_opt.domain.stages import (
    PERMANENT_STAGES,
    PLAN_STATUSES,
    SECONDMENT_STAGES,
    PlanStatusName,
    Stage,
    Status,
    StatusName,
    plan_status,
    stage_status,
)
from mutasi_opt.planning.stages import run_stages, unrun_stages
from mutasi_opt.results.plan import PlanStatus, StageResult
from mutasi_opt.results.surge import SURGE_STAGES, SurgeStage
from mutasi_opt.sample import load_sample
from mutasi_opt.solvers.cpsat import Solved, StageOutcome, StageStatus, Unsolved


def test_one_status_vocabulary() -> None:
    assert PlanStatus is Status and StageStatus is Status
    assert set(typing.get_args(StatusName)) == {s.value for s in Status}
    assert set(typing.get_args(PlanStatusName)) == {s.value for s in PLAN_STATUSES}
    assert Status.WITHIN_GAP not in PLAN_STATUSES
    # a status is its word: records, JSON and comparisons with strings keep working
    assert Status.OPTIMAL == "optimal" and f"{Status.FEASIBLE}" == "feasible"
    assert [s.exit_code for s in Status] == [0, 0, 0, 2, 3]


def test_stage_tables_are_the_vocabulary_everywhere() -> None:
    assert metrics.STAGES == ("shortfall", "imbalance", "balance", "moves", "preference")
    assert tuple(s.name for s in SECONDMENT_STAGES) == SURGE_STAGES
    for spec in PERMANENT_STAGES:
        assert StageResult.UNITS[spec.name] == (spec.unit, spec.scale)
    for spec in SECONDMENT_STAGES:
        assert SurgeStage.UNITS[spec.name] == (spec.unit, spec.scale)
    assert [s.name for s in PERMANENT_STAGES if s.gapped] == ["balance"]
    assert [s.name for s in SECONDMENT_STAGES if s.gapped] == ["balance"]
    # the last stage of each planner may use all that is left
    assert PERMANENT_STAGES[-1].share == SECONDMENT_STAGES[-1].share == 1.0


@pytest.mark.parametrize(
    ("value", "bound", "gapped", "ran", "expected"),
    [
        (10, 10, False, True, Status.OPTIMAL),
        (0, 0, True, True, Status.OPTIMAL),
        (1000, 996, True, True, Status.WITHIN_GAP),  # 0.4 % ≤ 0.5 %
        (1000, 990, True, True, Status.FEASIBLE),  # 1 % > 0.5 %
        (1000, 996, False, True, Status.FEASIBLE),  # only a gapped stage has a gap
        (10, 10, False, False, Status.UNKNOWN),
    ],
)
def test_stage_status_follows_the_numbers(
    value: int, bound: int, gapped: bool, ran: bool, expected: Status
) -> None:
    assert stage_status(value, bound, gapped=gapped, gap_limit=0.005, ran=ran) is expected


@given(st.lists(st.sampled_from(list(Status)), max_size=6), st.booleans())
def test_a_plan_is_optimal_only_when_complete_and_every_stage_is(
    statuses: list[Status], complete: bool
) -> None:
    out = plan_status(statuses, complete=complete)
    good = all(s in (Status.OPTIMAL, Status.WITHIN_GAP) for s in statuses)
    assert out is (Status.OPTIMAL if complete and good else Status.FEASIBLE)


class _Scripted:
    """A search whose stages return scripted outcomes (value, bound, status, truth)."""

    def __init__(self, script: dict[str, tuple[Any, ...]]) -> None:
        self.script = script
        self.held: list[tuple[str, int]] = []
        self.rehinted = 0

    def prepare(self, *_: Any) -> None:
        pass

    def solve(self, stage: Stage, budget: Budget) -> StageOutcome:
        value, bound, status, _ = self.script[stage.name]
        if value is None:
            return Unsolved(stage.name, status, 0.0)
        decisions = {"x": np.zeros(1, dtype=np.int64)}
        return Solved(StageResult(stage.name, status, value, bound, 0.0), decisions)

    def true_value(self, stage: Stage, decisions: Any) -> int:
        return int(self.script[stage.name][3])

    def rehint(self, decisions: Any) -> None:
        self.rehinted += 1

    def hold(self, stage: Stage, value: int) -> None:
        self.held.append((stage.name, value))


def test_the_loop_reports_true_values_holds_them_and_stops_at_a_failure() -> None:
    stages = SECONDMENT_STAGES
    search = _Scripted(
        {
            "uncovered": (5, 5, Status.OPTIMAL, 5),
            # unproven, auxiliaries loose: the true value 90 is reported and held
            "balance": (100, 80, Status.FEASIBLE, 90),
            "people": (3, 3, Status.OPTIMAL, 3),
            "months": (None, None, Status.UNKNOWN, 0),  # nothing found: the loop stops
            "preference": (0, 0, Status.OPTIMAL, 0),
        }
    )
    run = run_stages(search, stages, Budget(), gap_limit=0.005)
    assert [(r.name, r.value, r.bound, r.status) for r in run.results] == [
        ("uncovered", 5, 5, "optimal"),
        ("balance", 90, 80, "feasible"),
        ("people", 3, 3, "optimal"),
    ]
    assert search.held == [("uncovered", 5), ("balance", 90), ("people", 3)]
    assert search.rehinted == 1
    assert run.failed_stage == "months" and run.failed is not None
    rest = unrun_stages(stages, len(run.results), {"months": 7, "preference": 2}.__getitem__)
    assert [(r.name, r.status, r.value, r.bound) for r in rest] == [
        ("months", "unknown", 7, 0),
        ("preference", "unknown", 2, 0),
    ]


def test_the_loop_runs_nothing_once_the_budget_is_used_up() -> None:
    budget = Budget(work_limit=1.0)
    budget.charge(1.0)
    search = _Scripted({s.name: (0, 0, Status.OPTIMAL, 0) for s in PERMANENT_STAGES})
    run = run_stages(search, PERMANENT_STAGES, budget, gap_limit=0.0)
    assert run.results == [] and run.decisions is None and search.held == []


@pytest.mark.parametrize("seed", [0, 3])
def test_solve_reports_stage_statuses_from_their_numbers(seed: int) -> None:
    problem = load_sample()
    plan = mo.solve(problem, work_limit=1.0, seed=seed, workers=1)
    for stage in plan.stages:
        spec = next(s for s in PERMANENT_STAGES if s.name == stage.name)
        ran = stage.status is not Status.UNKNOWN
        assert stage.status is stage_status(
            stage.value,
            stage.bound,
            gapped=spec.gapped,
            gap_limit=problem.policy.balance_gap,
            ran=ran,
        )
    assert plan.status is plan_status(
        (s.status for s in plan.stages),
        complete=len(plan.stages) == len(metrics.stage_names(problem.policy)),
    )
