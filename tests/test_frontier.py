"""The moves-versus-balance frontier: each point is the optimum under its budget
(brute force), the curve is monotone, the knee is the point furthest above the
chord, and ``mutasi-opt frontier`` prints and writes it."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from mutasi_opt import Employee, Policy, Problem, Unit, check_plan, synth, write_folder
from mutasi_opt.cli import main
from mutasi_opt.planning.frontier import frontier
from mutasi_opt.results.frontier import FRONTIER_COLUMNS, Frontier
from problems import brute_force, first_seed, random_problem


def _interesting(seed: int) -> bool:
    """Feasible, and the optimum moves at least twice (so the curve has a middle)."""
    p = random_problem(seed, 7, 3, max_moves=None)
    best, _ = brute_force(p)
    return best is not None and best[3] >= 2 and brute_force(_budget(p, 0))[0] is not None


def _budget(problem: Problem, k: int | None) -> Problem:
    return problem.replace(policy=problem.policy.replace(max_moves=k))


@pytest.mark.parametrize("seed", range(8))
def test_every_point_is_the_brute_force_optimum_under_its_budget(seed: int) -> None:
    problem = random_problem(first_seed(_interesting, seed), 7, 3, max_moves=None)
    curve = frontier(problem, workers=1)
    budgets = [p.budget for p in curve.points]
    assert budgets == sorted(budgets) and budgets[0] == 0
    unconstrained, _ = brute_force(problem)
    assert unconstrained is not None
    assert curve.max_moves == unconstrained[3] == budgets[-1]
    # with 9 points and few moves, the adaptive curve solves every budget
    assert budgets == list(range(len(budgets))) or len(budgets) == 9
    for point in curve.points:
        best, _ = brute_force(_budget(problem, point.budget))
        assert best is not None
        assert point.plan.after is not None
        values = point.plan.after.stage_values()
        assert values[:3] == best[:3], point.budget  # shortfall, D, B
        assert values[4] == best[4]  # preference
        assert point.moves <= point.budget
        assert point.status == "optimal"
        assert check_plan(_budget(problem, point.budget), point.plan.assignment_array) == []
    # lexicographically better (or equal) with every larger budget
    lex = [p.plan.after.stage_values()[:3] for p in curve.points]  # type: ignore[union-attr]
    assert all(a >= b for a, b in itertools.pairwise(lex))
    base = curve.covering
    assert base is not None
    assert base.shortfall == unconstrained[0]
    assert all(p.shortfall > base.shortfall for p in curve.points if p.budget < base.budget)
    assert all(curve.reduction(p) is None for p in curve.points if p.budget < base.budget)
    if base.imbalance_hours > curve.points[-1].imbalance_hours:
        assert curve.reduction(base) == 0.0
    assert curve.reduction(curve.points[-1]) == 1.0


def test_the_knee_is_furthest_above_the_chord() -> None:
    problem = random_problem(first_seed(_interesting, 11), 7, 3, max_moves=None)
    curve = frontier(problem, workers=1)
    assert curve.knee is not None
    base = curve.covering
    assert base is not None
    m = curve.max_moves - base.moves
    scores = [
        -np.inf if (r := curve.reduction(p)) is None else r - (p.moves - base.moves) / m
        for p in curve.points
    ]
    k = int(np.argmax(scores))  # first maximum: the fewest moves on ties
    assert curve.knee is curve.points[k]
    text = curve.suggestion()
    share = curve.reduction(curve.knee)
    assert share is not None
    assert f"{curve.knee.moves} moves give {100 * share:.0f}%" in text


def test_explicit_budgets_and_the_table() -> None:
    problem = random_problem(first_seed(_interesting, 21), 7, 3, max_moves=None)
    curve = frontier(problem, [1, 0], workers=1)
    assert [p.budget for p in curve.points] == [0, 1]
    table = curve.table
    assert list(table.columns) == list(FRONTIER_COLUMNS)
    assert table["budget"].tolist() == [0, 1]
    assert table["moves"].tolist() == [p.moves for p in curve.points]
    summary = curve.summary()
    assert summary["suggested_budget"] == curve.knee.budget  # type: ignore[union-attr]
    assert json.loads(json.dumps(summary)) == summary


@pytest.mark.parametrize(
    ("budgets", "points", "message"),
    [([-1], 9, "non-negative"), ([], 9, "empty"), (None, 1, "at least 2")],
)
def test_bad_arguments(budgets: list[int] | None, points: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        frontier(random_problem(0, 5, 2), budgets, points=points)


def test_an_infeasible_problem_has_no_curve_and_says_why() -> None:
    problem = Problem(
        employees=[Employee(nip="E1", unit="A"), Employee(nip="E2", unit="A")],
        units=[Unit(unit="A", workload_hours=10), Unit(unit="B", workload_hours=10, min_staff=3)],
        policy=Policy(),
    )
    curve = frontier(problem, workers=1)
    assert isinstance(curve, Frontier)
    assert curve.points == () and curve.knee is None
    assert curve.infeasible is not None
    assert "No plan meets the rules" in curve.suggestion()
    assert "B" in curve.suggestion()


def test_nothing_to_gain_suggests_budget_zero() -> None:
    problem = Problem(
        employees=[Employee(nip="E1", unit="A"), Employee(nip="E2", unit="B")],
        units=[Unit(unit="A", workload_hours=1250), Unit(unit="B", workload_hours=1250)],
        policy=Policy(min_months_in_unit=0),
    )
    curve = frontier(problem, workers=1)
    assert [p.budget for p in curve.points] == [0]
    assert curve.knee is curve.points[0]
    assert "No move reduces the imbalance" in curve.suggestion()


def test_cli_frontier_prints_and_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_folder(synth.generate(60, seed=3, max_moves=6), tmp_path / "city")
    out = tmp_path / "out"
    code = main(["frontier", str(folder), "--points", "4", "--out", str(out), "--workers", "1"])
    assert code == 0
    text = capsys.readouterr().out
    assert "Suggested budget:" in text and "needed to cover the required competencies" in text
    data = json.loads((out / "frontier.json").read_text())
    assert len(data["points"]) == 4
    assert data["suggested_budget"] in [p["budget"] for p in data["points"]]
    assert (out / "frontier.csv").read_text().splitlines()[0] == ",".join(FRONTIER_COLUMNS)


@pytest.mark.parametrize(
    "argv",
    [
        ["frontier"],
        ["frontier", "x", "--sample"],
        ["frontier", "--sample", "--points", "1"],
        ["frontier", "--sample", "--time-limit", "-1"],
    ],
)
def test_cli_frontier_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 1
    assert "error:" in capsys.readouterr().err


def test_cli_frontier_infeasible_exit_code(tmp_path: Path) -> None:
    problem = Problem(
        employees=[Employee(nip="E1", unit="A"), Employee(nip="E2", unit="A")],
        units=[Unit(unit="A", workload_hours=10), Unit(unit="B", workload_hours=10, min_staff=3)],
        policy=Policy(),
    )
    assert main(["frontier", str(write_folder(problem, tmp_path / "bad"))]) == 2


def test_a_worse_plan_at_a_larger_budget_is_replaced_by_the_smaller_budgets() -> None:
    """A smaller budget's plan is feasible under a larger one, so a time-limited
    solve that ends worse never shows on the curve."""
    from mutasi_opt import solve
    from mutasi_opt.planning.frontier import _envelope
    from mutasi_opt.results.frontier import FrontierPoint

    problem = random_problem(first_seed(_interesting, 31), 7, 3, max_moves=None)
    nobody = solve(_budget(problem, 0), workers=1)
    good = solve(_budget(problem, 2), workers=1)
    assert good.after is not None and nobody.after is not None
    assert good.after.stage_values()[:3] < nobody.after.stage_values()[:3]
    cut_short = FrontierPoint.from_plan(3, nobody)  # as if budget 3 ended at the 0-move plan
    first, second = _envelope((FrontierPoint.from_plan(2, good), cut_short))
    assert second.budget == 3 and second.plan is good and second.status == "feasible"
    assert second.imbalance_bound_hours == cut_short.imbalance_bound_hours
    assert first.plan is good


def knee_problem() -> Problem:
    """Unit A has 3 full-timers and 2 half-timers for 625 h of work; B needs 3,750 h
    and C 625 h: each of the first three moves (a full-timer to B) removes 1,250 h
    of D, the fourth (a half-timer to C) only 625 h: the knee is at 3 moves."""
    staff = [Employee(nip=f"F{i}", unit="A", months_in_unit=60) for i in range(3)]
    staff += [Employee(nip=f"H{i}", unit="A", fte=0.5, months_in_unit=60) for i in range(2)]
    return Problem(
        employees=staff,
        units=[
            Unit(unit="A", workload_hours=625),
            Unit(unit="B", workload_hours=3750),
            Unit(unit="C", workload_hours=625),
        ],
        policy=Policy(),
    )


def test_the_knee_of_a_bending_curve() -> None:
    curve = frontier(knee_problem(), workers=1)
    assert [p.moves for p in curve.points] == [0, 1, 2, 3, 4]
    assert [p.imbalance_hours for p in curve.points] == [4375, 3125, 1875, 625, 0]
    assert curve.knee is not None and curve.knee.moves == 3
    assert curve.knee_score() == pytest.approx(3750 / 4375 - 3 / 4)
    assert curve.suggestion() == (
        "3 moves give 86% of the achievable reduction in imbalance "
        "(D 4,375 → 625 hours; all 4 moves of the unconstrained optimum reach 0)."
    )


def test_a_straight_curve_has_no_clear_knee() -> None:
    # two identical units short of staff and one with a surplus: each move removes
    # the same imbalance, so D falls in a straight line
    problem = Problem(
        employees=[Employee(nip=f"E{i}", unit="A", months_in_unit=60) for i in range(4)],
        units=[
            Unit(unit="A", workload_hours=0),
            Unit(unit="B", workload_hours=2500),
            Unit(unit="C", workload_hours=2500),
        ],
        policy=Policy(),
    )
    curve = frontier(problem, workers=1)
    assert [p.moves for p in curve.points] == [0, 1, 2, 3, 4]
    d = [p.imbalance_hours for p in curve.points]
    assert len({round(a - b, 6) for a, b in itertools.pairwise(d)}) == 1
    assert curve.knee_score() < 0.05
    assert "no clear knee" in curve.suggestion()
