"""``policy.trainable_gap``: near-qualified staff count toward requirements after
training, and the number of training needs is a stage right after shortfall.

Hand-computed metrics, the training table, brute force with g ∈ {1, 2}, exact
pools and aggregation, the unchanged g = 0 solver, and hypothesis invariants.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from mutasi_opt import (
    Demand,
    Employee,
    InputError,
    PlanStatus,
    Policy,
    Problem,
    Requirement,
    SolveParams,
    Unit,
    check_plan,
    metrics,
    solve,
    write_plan,
)
from mutasi_opt.domain.limits import Budget
from mutasi_opt.io import policy_toml, read_policy
from mutasi_opt.solvers.aggregation import build_classes
from mutasi_opt.solvers.cpsat import CpsatModel, Solved, StageStatus
from mutasi_opt.solvers.disaggregate import disaggregate
from mutasi_opt.solvers.greedy import greedy_improve
from problems import brute_force, first_seed, random_problem

WITH_TRAINING = ("shortfall", "training", "imbalance", "balance", "moves", "preference")


def with_gap(problem: Problem, gap: int) -> Problem:
    return problem.replace(policy=problem.policy.replace(trainable_gap=gap))


# ---------------------------------------------------------------- the policy key
def test_negative_gap_is_a_clear_policy_error(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("max_moves = 3\ntrainable_gap = -1\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_policy(path)
    [issue] = err.value.issues
    assert (issue.file, issue.row, issue.column, issue.value) == (
        "policy.toml",
        2,
        "trainable_gap",
        "-1",
    )
    assert "greater than or equal to 0" in issue.message
    with pytest.raises(ValidationError, match="trainable_gap"):
        Policy(trainable_gap=-1)


def test_gap_is_read_from_policy_toml(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("trainable_gap = 2\n", encoding="utf-8")
    assert read_policy(path) == Policy(trainable_gap=2)
    assert Policy().trainable_gap == 0
    assert "trainable_gap = 2" in policy_toml(Policy(trainable_gap=2))
    assert "trainable_gap" not in policy_toml(Policy())


def test_stage_names_follow_the_policy() -> None:
    assert metrics.stage_names(Policy()) == metrics.STAGES
    assert metrics.stage_names(Policy(trainable_gap=1)) == WITH_TRAINING


# ------------------------------------------------------- hand-computed numbers
@pytest.fixture
def ward() -> Problem:
    """Six nurses, three vaksinasi/gizi requirements (levels in the docstrings below)."""

    def nurse(nip: str, unit: str, comps: str = "") -> Employee:
        return Employee(nip=nip, unit=unit, role="perawat", competencies=comps, months_in_unit=30)

    employees = [
        nurse("A", "P1", "vaksinasi:3"),
        nurse("B", "P1", "vaksinasi:2"),
        nurse("C", "P1", "vaksinasi:1"),
        nurse("D", "P2"),
        nurse("E", "P2", "gizi:1"),
        nurse("F", "P2", "vaksinasi:2"),
    ]
    return Problem(
        employees=employees,
        units=[Unit(unit="P1"), Unit(unit="P2")],
        demand=[
            Demand(unit="P1", role="perawat", workload_hours=2500),
            Demand(unit="P2", role="perawat", workload_hours=2500),
        ],
        requirements=[
            Requirement(unit="P1", competency="vaksinasi", min_level=3, min_staff=2),
            Requirement(unit="P2", competency="gizi", min_level=1, min_staff=2),
            Requirement(unit="P1", competency="vaksinasi", min_level=4, min_staff=3),
        ],
    )


def test_near_qualified_known_answer(ward: Problem) -> None:
    home = ward.index.home
    # g = 0: nobody is near; qualified A (R0), E (R1), nobody (R2)
    assert not metrics.near_qualified(ward).any()
    assert metrics.near_count(ward, home).tolist() == [0, 0, 0]
    assert metrics.requirement_shortfall(ward, home).tolist() == [1, 1, 3]
    assert metrics.requirement_training(ward, home).tolist() == [0, 0, 0]
    # g = 1: R0 (≥ 3) near at level 2: B; R1 (≥ 1) near at level 0: D and F (without
    # gizi); R2 (≥ 4) near at level 3: A
    g1 = with_gap(ward, 1)
    assert metrics.near_qualified(g1).astype(int).tolist() == [
        [0, 1, 0, 0, 0, 1],  # F is near for R0 but works at P2
        [1, 1, 1, 1, 0, 1],  # nobody but E holds gizi (level 0 is near for level 1)
        [1, 0, 0, 0, 0, 0],
    ]
    assert metrics.near_count(g1, home).tolist() == [1, 2, 1]
    assert metrics.requirement_shortfall(g1, home).tolist() == [0, 0, 2]
    assert metrics.requirement_training(g1, home).tolist() == [1, 1, 1]
    # g = 2: R0 near at levels 1-2: B, C; R2 near at levels 2-3: A, B
    g2 = with_gap(ward, 2)
    assert metrics.near_count(g2, home).tolist() == [2, 2, 2]
    assert metrics.requirement_shortfall(g2, home).tolist() == [0, 0, 1]
    assert metrics.requirement_training(g2, home).tolist() == [1, 1, 2]
    m = metrics.evaluate(g2)
    assert (m.shortfall, m.training) == (1, 4)
    assert m.stages == WITH_TRAINING
    assert m.stage_values() == (1, 4, m.imbalance_centi, m.balance_cost_scaled, 0, 0)
    # g = 0 metrics keep the five stages
    assert metrics.evaluate(ward).stage_values() == (5, 0, 0, 0, 0)


def test_training_table_known_answer(ward: Problem) -> None:
    g2 = with_gap(ward, 2)
    # at home: R0 needs one of B, C → B (input order); R1 one of D, F → D; R2 both
    # A and B, and B's vaksinasi row for R0 (level 3) gives way to R2's level 4
    needs = metrics.training_needs(g2, g2.index.home)
    assert needs.rows() == [
        (3, 1, 1, "gizi", 0, 1, "requirement"),
        (0, 0, 2, "vaksinasi", 3, 4, "requirement"),
        (1, 0, 2, "vaksinasi", 2, 4, "requirement"),
    ]
    # F (vaksinasi 2) moves to P1: movers come first, and F's gaps are move rows
    # already, so R0's one trainee adds no row; R2's three are F, A, B
    a = ["P1", "P1", "P1", "P2", "P2", "P1"]
    needs = metrics.training_needs(g2, a)
    assert needs.rows() == [
        (5, 0, 0, "vaksinasi", 2, 3, "move"),
        (5, 0, 2, "vaksinasi", 2, 4, "move"),
        (3, 1, 1, "gizi", 0, 1, "requirement"),
        (0, 0, 2, "vaksinasi", 3, 4, "requirement"),
        (1, 0, 2, "vaksinasi", 2, 4, "requirement"),
    ]
    pos = metrics.as_assignment(g2, a)
    m = metrics.evaluate(g2, pos)
    assert (m.shortfall, m.training) == (0, 5)
    # without the option the same plan has only the movers' rows
    assert [r[-1] for r in metrics.training_needs(ward, a).rows()] == ["move", "move"]


# --------------------------------------------------------------- brute force
def _gap_instance(k: int) -> tuple[Problem, tuple[int, ...] | None]:
    """Instance ``k`` of the brute-force test: g = 1 or 2; every other instance is
    walked to one whose optimum trains someone."""
    gap = 1 + k % 2
    n_e, n_u = 5 + k % 4, 3 + (k // 2) % 2

    def make(s: int) -> Problem:
        return with_gap(random_problem(s, n_e, n_u), gap)

    def trains(s: int) -> bool:
        best, _ = brute_force(make(s))
        return best is not None and best[1] > 0

    seed = first_seed(trains, 4000 + k, step=97) if k % 4 < 2 else 4000 + k
    problem = make(seed)
    return problem, brute_force(problem)[0]


@pytest.mark.parametrize("k", range(36))
def test_stage_values_equal_brute_force_with_training(k: int) -> None:
    problem, best = _gap_instance(k)
    if k % 4 < 2:
        assert best is not None and best[1] > 0  # someone is trained at the optimum
    plan = solve(problem, workers=1, seed=0)
    if best is None:
        assert plan.status is PlanStatus.INFEASIBLE and plan.diagnosis
        return
    assert plan.status is PlanStatus.OPTIMAL
    assert tuple(s.name for s in plan.stages) == WITH_TRAINING
    assert tuple(s.value for s in plan.stages) == best
    assert plan.after is not None and plan.after.stage_values() == best
    # the metrics recompute the solver's training value from the assignment alone
    a = plan.assignment_array
    assert a is not None
    assert int(metrics.requirement_training(problem, a).sum()) == best[1]
    assert check_plan(problem, plan) == []
    summary = plan.summary()
    assert summary["training"] == best[1]
    assert summary["training_before"] == metrics.evaluate(problem).training
    training_stage = plan.stage("training")
    assert training_stage is not None and training_stage.unit == "people"


def test_training_counts_at_the_optimum() -> None:
    # the instances above: the walked half trains someone, and the option changes
    # the optimum (less shortfall than without it) in some of them
    lower = 0
    for k in range(0, 36, 4):
        problem, best = _gap_instance(k)
        assert best is not None and best[1] > 0
        plain, _ = brute_force(with_gap(problem, 0))
        assert plain is not None and best[0] <= plain[0]
        lower += best[0] < plain[0]
    assert lower >= 3


def pooled(seed: int) -> Problem:
    return random_problem(seed, 8, 4, roles=3, max_moves=None, bounds=seed % 2 == 0)


def pools(problem: Problem) -> int:
    from mutasi_opt.planning.decompose import role_components

    return len([g for g in role_components(problem) if np.isin(problem.index.role, g).any()])


@pytest.mark.parametrize("seed", [902, 920, 937, 951, 953, 961])
def test_pools_stay_exact_with_training(seed: int) -> None:
    problem = with_gap(pooled(seed), 1)
    best, _ = brute_force(problem)
    split = solve(problem, SolveParams(workers=1, decompose=True))
    joint = solve(problem, SolveParams(workers=1, decompose=False))
    if best is None:
        assert split.status is joint.status is PlanStatus.INFEASIBLE
        return
    assert tuple(s.value for s in split.stages) == best
    assert tuple(s.value for s in joint.stages) == best
    assert split.status is PlanStatus.OPTIMAL
    assert split.after is not None and split.after.stage_values() == best


def test_pools_are_split_and_coupled_in_the_instances_above() -> None:
    # solved in independent pools with the gap ...
    assert all(pools(with_gap(pooled(s), 1)) > 1 for s in (937, 951, 953, 961))
    # ... and near-qualified staff of another role couple pools that qualified staff
    # alone would not (902 and 920 were solved wrongly before they did)
    assert all(pools(with_gap(pooled(s), 1)) < pools(pooled(s)) for s in (902, 920, 951, 961))


@pytest.mark.parametrize("seed", range(8))
def test_aggregated_equals_per_employee_with_training(seed: int) -> None:
    problem = with_gap(random_problem(500 + seed, 10 + seed % 5, 3, roles=2), 1 + seed % 2)

    def values(per_employee: bool) -> tuple[int, ...] | None:
        model = CpsatModel(problem, build_classes(problem, per_employee=per_employee))
        out_values = []
        for stage in model.stages:
            out = model.solve_stage(stage, budget=Budget(), seed=0, workers=1)
            if out.status is StageStatus.INFEASIBLE:
                return None
            assert out.status is StageStatus.OPTIMAL and isinstance(out, Solved)
            out_values.append(out.result.value)
            model.fix_at_most(model.stage_expression(stage), out.result.value)
        return tuple(out_values)

    assert values(False) == values(True)


def test_types_split_by_near_qualification_only_with_a_gap() -> None:
    # with g = 1 a level-1 holder is near for a level-2 requirement, someone
    # without the competency is not: the same plain type splits in two
    def types(problem: Problem) -> dict[int, int]:
        cl = build_classes(problem)
        return {int(e): int(cl.ctype[c]) for c, m in enumerate(cl.members) for e in m}

    seed = first_seed(
        lambda s: (
            len(set(types(with_gap(random_problem(s, 30, 3, roles=1), 1)).values()))
            > len(set(types(random_problem(s, 30, 3, roles=1)).values()))
        ),
        11,
    )
    problem = random_problem(seed, 30, 3, roles=1)
    plain, gap = build_classes(problem), build_classes(with_gap(problem, 1))
    assert not plain.near.any() and not plain.type_near.any()
    assert gap.type_near.any()
    # every type with the gap lies inside one type without it
    before, after = types(problem), types(with_gap(problem, 1))
    assert before.keys() == after.keys()
    inside: dict[int, set[int]] = {}
    for e, t in after.items():
        inside.setdefault(t, set()).add(before[e])
    assert all(len(v) == 1 for v in inside.values())


# ------------------------------------------------------------ g = 0 unchanged
_BEFORE = json.loads((Path(__file__).parent / "plans_without_training.json").read_text())["plans"]


@pytest.mark.parametrize("seed", range(40))
def test_without_gap_the_plans_are_as_before(seed: int) -> None:
    problem = random_problem(seed, 5 + seed % 4, 3 + seed % 2)
    assert problem.policy.trainable_gap == 0
    plan = solve(problem, workers=1, seed=0)
    before = _BEFORE[str(seed)]
    assert [s.name for s in plan.stages] == before["stages"]
    assert [s.value for s in plan.stages] == before["values"]
    got = None if plan.assignment_array is None else plan.assignment_array.tolist()
    assert got == before["assignment"]
    summary = plan.summary()
    assert "training" not in summary and "training_before" not in summary
    if plan.after is not None:
        assert plan.after.training == 0 and plan.after.stages == metrics.STAGES


# ------------------------------------------------------------ outputs and text
def test_text_summary_and_files_show_the_training_stage(ward: Problem, tmp_path: Path) -> None:
    problem = with_gap(ward, 2)
    plan = solve(problem, workers=1)
    assert plan.status is PlanStatus.OPTIMAL and plan.after is not None
    text = str(plan)
    assert "training needs (people)" in text
    line = next(x for x in text.splitlines() if x.strip().startswith("training "))
    assert "people" in line
    summary = json.loads((write_plan(plan, tmp_path) / "summary.json").read_text("utf-8"))
    assert summary["training"] == plan.after.training
    assert summary["training_before"] == 4
    assert [s["stage"] for s in summary["stages"]] == list(WITH_TRAINING)
    assert summary["policy"]["trainable_gap"] == 2
    # the training table lists every requirement trainee of the plan
    causes = set(plan.training["cause"])
    assert causes <= {"move", "requirement"}
    plain = str(solve(ward, workers=1))
    assert "training" not in plain and "people" not in plain


# ---------------------------------------------------------- warm starts hold it
@pytest.mark.parametrize("k", range(0, 36, 4))
def test_greedy_never_breaks_the_training_hold(k: int) -> None:
    problem, best = _gap_instance(k)
    assert best is not None
    classes = build_classes(problem)
    model = CpsatModel(problem, classes)
    for stage in ("shortfall", "training"):
        out = model.solve_stage(stage, budget=Budget(), seed=0, workers=1)
        assert isinstance(out, Solved)
        model.fix_at_most(model.stage_expression(stage), out.result.value)
    start = out.decisions
    for objective in ("imbalance", "balance"):
        improved = greedy_improve(
            problem,
            classes,
            start,
            objective=objective,
            shortfall_cap=best[0],
            training_cap=best[1],
            imbalance_cap=None if objective == "imbalance" else best[2] + 10**9,
        )
        m = metrics.evaluate(problem, disaggregate(problem, classes, improved))
        assert (m.shortfall, m.training) <= (best[0], best[1])
        assert m.shortfall == best[0] and m.training <= best[1]
        assert model.complete(improved)


def test_true_training_is_reported_when_the_shortfall_hold_is_loose(ward: Problem) -> None:
    from mutasi_opt.domain.stages import PERMANENT_STAGES
    from mutasi_opt.planning.stages import run_stages

    problem = with_gap(ward, 2)
    classes = build_classes(problem)
    shortfall, training = PERMANENT_STAGES[:2]

    class Search:
        """The two stages on one model, with the shortfall held ``slack`` above its value."""

        def __init__(self, slack: int) -> None:
            self.model, self.slack = CpsatModel(problem, classes), slack
            self.outcomes: dict[str, Any] = {}

        def prepare(self, *_: Any) -> None:
            pass

        def solve(self, stage: Any, budget: Budget) -> Any:
            out = self.model.solve_stage(stage.name, budget=budget, seed=0, workers=1)
            self.outcomes[stage.name] = out
            return out

        def true_value(self, stage: Any, decisions: Any) -> int:
            m = metrics.evaluate(problem, disaggregate(problem, classes, decisions))
            return m.value(stage.name)

        def rehint(self, decisions: Any) -> None:
            self.model.complete(decisions)

        def hold(self, stage: Any, value: int) -> None:
            slack = self.slack if stage.name == "shortfall" else 0
            self.model.fix_at_most(self.model.stage_expression(stage.name), value + slack)

    def training_after_hold(slack: int) -> tuple[Any, Any]:
        search = Search(slack)
        run = run_stages(
            search,
            (shortfall, training),
            Budget(),
            gap_limit=0.0,
            exact_truth=lambda stage: stage.name == "training",
        )
        assert search.outcomes["shortfall"].status is StageStatus.OPTIMAL
        return search.outcomes["training"], run.results[1]

    # held at its proven optimum, the auxiliaries are exact
    out, reported = training_after_hold(0)
    assert out.status is StageStatus.OPTIMAL and isinstance(out, Solved)
    assert (reported.value, reported.bound, reported.status) == (
        out.result.value,
        out.result.bound,
        "optimal",
    )
    assert (
        out.result.value
        == metrics.evaluate(problem, disaggregate(problem, classes, out.decisions)).training
    )
    # held one above it (a stage cut short by time), a plan with less shortfall can
    # leave the training auxiliaries below the truth: the true value is reported
    out, fixed = training_after_hold(1)
    assert isinstance(out, Solved)
    true = metrics.evaluate(problem, disaggregate(problem, classes, out.decisions)).training
    assert out.result.value < true
    assert (fixed.value, fixed.status) == (true, StageStatus.FEASIBLE)
    assert fixed.bound is not None and fixed.bound <= out.result.value


# -------------------------------------------------------------- invariants
@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    gap=st.integers(1, 4),
    picks=st.lists(st.integers(0, 10_000), min_size=8, max_size=8),
)
def test_training_metric_invariants(seed: int, gap: int, picks: list[int]) -> None:
    plain = random_problem(seed, 8, 3)
    problem = with_gap(plain, gap)
    idx = problem.index
    a = np.array(
        [
            int(units[p % units.size])
            for e, p in enumerate(picks)
            for units in [metrics.allowed_units(problem, e)]
        ],
        dtype=np.int64,
    )
    near = metrics.near_count(problem, a)
    train = metrics.requirement_training(problem, a)
    short = metrics.requirement_shortfall(problem, a)
    short0 = metrics.requirement_shortfall(plain, a)
    assert (train >= 0).all() and (train <= near).all()
    assert (short <= short0).all()
    # every uncovered place is either trained for or still short
    assert (short + train == short0).all()
    # a wider gap never leaves more shortfall
    assert (metrics.requirement_shortfall(with_gap(plain, gap + 1), a) <= short).all()
    m = metrics.evaluate(problem, a)
    assert (m.shortfall, m.training) == (int(short.sum()), int(train.sum()))
    # the table: requirement rows are near-qualified staff at the requirement's unit,
    # at most training_q per requirement, never a second row for (employee, competency)
    needs = metrics.training_needs(problem, a)
    keys = list(zip(needs.employee.tolist(), needs.competency.tolist(), strict=True))
    rows = needs.rows()
    req_rows = [r for r in rows if r[-1] == "requirement"]
    assert len({k for k, r in zip(keys, rows, strict=True) if r[-1] == "requirement"}) == len(
        req_rows
    )
    moved_keys = {k for k, r in zip(keys, rows, strict=True) if r[-1] == "move"}
    near_mask = metrics.near_qualified(problem)
    for e, u, q, comp, now, need, _ in req_rows:
        assert near_mask[q, e] and a[e] == u == idx.req_unit[q]
        assert (e, comp) not in moved_keys and a[e] == idx.home[e]
        assert now < need
    per_req = np.bincount([r[2] for r in req_rows], minlength=len(problem.requirements))
    assert (per_req <= train).all()


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), gap=st.integers(1, 2))
def test_solver_invariants_with_training(seed: int, gap: int) -> None:
    plain = random_problem(seed, 10, 4)
    problem = with_gap(plain, gap)
    plan = solve(problem, workers=1)
    if plan.status is PlanStatus.INFEASIBLE:
        assert solve(plain, workers=1).status is PlanStatus.INFEASIBLE
        return
    assert plan.status is PlanStatus.OPTIMAL and plan.after is not None
    a = plan.assignment_array
    assert a is not None
    assert tuple(s.value for s in plan.stages) == metrics.evaluate(problem, a).stage_values()
    assert check_plan(problem, plan) == []
    # counting trainees never leaves more shortfall than not counting them, and the
    # g = 0 optimum is no better for (shortfall, training) than the plan
    without = solve(plain, workers=1)
    assert without.after is not None
    assert plan.after.shortfall <= without.after.shortfall
    w = metrics.evaluate(problem, without.assignment_array)
    assert (plan.after.shortfall, plan.after.training) <= (w.shortfall, w.training)


# ------------------------------------------------------------------- the CLI
def test_cli_reads_the_gap_from_the_folder(ward: Problem, tmp_path: Path) -> None:
    from mutasi_opt import write_folder
    from mutasi_opt.cli import main

    folder = write_folder(with_gap(ward, 2), tmp_path / "ward")
    assert "trainable_gap = 2" in (folder / "policy.toml").read_text(encoding="utf-8")
    out = tmp_path / "out"
    assert main(["solve", str(folder), "--out", str(out), "--workers", "1"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert [s["stage"] for s in summary["stages"]] == list(WITH_TRAINING)
    assert (summary["shortfall"], summary["training_before"]) == (0, 4)
    training = next(s for s in summary["stages"] if s["stage"] == "training")
    assert (training["unit"], training["value"]) == ("people", summary["training"])
    # a negative gap in the folder is an input error (exit code 1), not a traceback
    (folder / "policy.toml").write_text("trainable_gap = -2\n", encoding="utf-8")
    assert main(["solve", str(folder), "--out", str(out), "--workers", "1"]) == 1
