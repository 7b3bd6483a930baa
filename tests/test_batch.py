"""Batch solving (local processes, a real Dask LocalCluster), scenarios, ``mutasi-opt batch``."""

from __future__ import annotations

import csv
import io
import json
import pickle
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from batch_helpers import crashing
from mutasi_opt import InputError, Plan, PlanStatus, Problem, check_plan, solve, synth, write_folder
from mutasi_opt.batch import (
    SCENARIO_COLUMNS,
    BatchError,
    _classify,
    scenario_problems,
    scenarios,
    solve_many,
)
from mutasi_opt.cli import main
from mutasi_opt.cli.batch import _Bar, exit_code

SOLVE = {"work_limit": 20.0, "seed": 0}


def _region(seed: int) -> Problem:
    return synth.generate(40, seed=seed, max_moves=4)


def _infeasible(problem: Problem) -> Problem:
    """``problem`` with its first unit needing more staff than there are employees."""
    n = len(problem.employees)
    units = (problem.units[0].replace(min_staff=n + 1, max_staff=None), *problem.units[1:])
    return problem.replace(units=units)


def _invalid_folder(problem: Problem, path: Path) -> Path:
    """A data folder whose employees.csv sends row 2's employee to an unknown unit."""
    write_folder(problem, path)
    employees = path / "employees.csv"
    rows = list(csv.DictReader(employees.open(encoding="utf-8")))
    rows[0]["unit"] = "NO_SUCH_UNIT"
    with employees.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def regions() -> list[Problem]:
    return [_region(seed) for seed in (1, 2, 3)]


@pytest.fixture(scope="module")
def direct(regions: list[Problem]) -> list[Plan]:
    """The same problems solved in this process with the batch's settings (workers=1)."""
    plans = [solve(p, workers=1, **SOLVE) for p in regions]
    assert all(p.status is PlanStatus.OPTIMAL for p in plans)  # so equal plans are expected
    return plans


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    import dask
    from distributed import Client, LocalCluster

    # a task is given up after its second lost worker (default: the fourth)
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 1}),
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        Client(cluster) as c,
    ):
        yield c


def _mixed(regions: list[Problem], tmp: Path) -> list[Problem | Path]:
    """Region 0, an infeasible region, region 1, an invalid folder, region 2."""
    bad = _invalid_folder(regions[0], tmp / "bad_region")
    return [regions[0], _infeasible(regions[1]), regions[1], bad, regions[2]]


def _check_mixed(results: list[Plan | BatchError], regions: list[Problem], direct: list[Plan]):
    assert [type(r).__name__ for r in results] == [
        "Plan",
        "BatchError",
        "Plan",
        "BatchError",
        "Plan",
    ]
    plans = [results[0], results[2], results[4]]
    for plan, want, problem in zip(plans, direct, regions, strict=True):
        assert isinstance(plan, Plan)
        assert [e.nip for e in plan.problem.employees] == [e.nip for e in problem.employees]
        assert plan.status is PlanStatus.OPTIMAL
        assert np.array_equal(plan.assignment_array, want.assignment_array)
        assert plan.summary()["moves"] == want.summary()["moves"]
        assert check_plan(problem, plan) == []
    infeasible, invalid = results[1], results[3]
    assert isinstance(infeasible, BatchError) and isinstance(invalid, BatchError)
    assert (infeasible.index, infeasible.kind, infeasible.name) == (1, "infeasible", "#1")
    assert infeasible.plan is not None and infeasible.plan.status is PlanStatus.INFEASIBLE
    unit = regions[1].units[0].unit
    assert infeasible.issues and infeasible.issues[0]["kind"] == "min_staff_unreachable"
    assert unit in infeasible.issues[0]["units"] and unit in infeasible.message
    assert (invalid.index, invalid.kind, invalid.name) == (3, "invalid", "bad_region")
    assert invalid.plan is None
    issue = next(i for i in invalid.issues if i["value"] == "NO_SUCH_UNIT")
    assert (issue["file"], issue["row"], issue["column"]) == ("employees.csv", 2, "unit")
    assert "NO_SUCH_UNIT" in invalid.message


def test_local_processes_keep_order_and_report_bad_regions(
    regions: list[Problem], direct: list[Plan], tmp_path: Path
) -> None:
    seen: list[tuple[int, int, str]] = []
    results = list(
        solve_many(
            _mixed(regions, tmp_path),
            max_workers=2,
            progress=lambda done, total, name, _: seen.append((done, total, name)),
            **SOLVE,
        )
    )
    _check_mixed(results, regions, direct)
    assert [d for d, _, _ in seen] == [1, 2, 3, 4, 5] and {t for _, t, _ in seen} == {5}
    assert sorted(n for _, _, n in seen) == sorted(["#0", "#1", "#2", "bad_region", "#4"])


def test_dask_cluster_gives_the_same_results(
    regions: list[Problem], direct: list[Plan], client: Any, tmp_path: Path
) -> None:
    results = list(solve_many(_mixed(regions, tmp_path), client=client, **SOLVE))
    _check_mixed(results, regions, direct)


def test_local_worker_killed_once_is_retried(
    regions: list[Problem], direct: list[Plan], tmp_path: Path
) -> None:
    marker = tmp_path / "died"
    problems = [regions[0], crashing(regions[1], marker), regions[2]]
    results = list(solve_many(problems, max_workers=2, **SOLVE))
    assert marker.exists()  # the first attempt killed its worker process
    for got, want in zip(results, direct, strict=True):
        assert isinstance(got, Plan)
        assert np.array_equal(got.assignment_array, want.assignment_array)


def test_local_worker_that_always_dies_is_reported_crashed_others_solved(
    regions: list[Problem], direct: list[Plan], tmp_path: Path
) -> None:
    problems = [regions[0], crashing(regions[1], tmp_path / "m", always=True)]
    results = list(solve_many(problems, max_workers=2, retries=1, names=["a", "b"], **SOLVE))
    assert isinstance(results[0], Plan)
    assert np.array_equal(results[0].assignment_array, direct[0].assignment_array)
    err = results[1]
    assert isinstance(err, BatchError)
    assert (err.kind, err.name, err.attempts) == ("crashed", "b", 2)
    assert "worker process died 2 times" in err.message
    assert err.to_dict()["kind"] == "crashed"
    json.dumps(err.to_dict())


def test_dask_worker_killed_mid_task_is_retried(
    regions: list[Problem], direct: list[Plan], client: Any, tmp_path: Path
) -> None:
    marker = tmp_path / "died"
    problems = [crashing(regions[0], marker), regions[2]]
    results = list(solve_many(problems, client=client, **SOLVE))
    assert marker.exists()  # a Dask worker process died running it
    for got, want in zip(results, [direct[0], direct[2]], strict=True):
        assert isinstance(got, Plan)
        assert np.array_equal(got.assignment_array, want.assignment_array)


def test_dask_task_that_always_kills_its_worker_is_crashed_others_solved(
    regions: list[Problem], direct: list[Plan], client: Any, tmp_path: Path
) -> None:
    problems = [regions[2], crashing(regions[0], tmp_path / "m", always=True)]
    results = list(solve_many(problems, client=client, names=["ok", "bad"], **SOLVE))
    assert isinstance(results[0], Plan)
    assert np.array_equal(results[0].assignment_array, direct[2].assignment_array)
    err = results[1]
    assert isinstance(err, BatchError)
    assert (err.kind, err.name, err.attempts) == ("crashed", "bad", None)
    assert "KilledWorker" in err.message and "2 different workers" in err.message
    # the cluster got its workers back and goes on solving
    again = list(solve_many([regions[1]], client=client, **SOLVE))
    assert isinstance(again[0], Plan)
    assert np.array_equal(again[0].assignment_array, direct[1].assignment_array)


def test_dask_problem_blamed_with_a_culprit_is_solved_alone(
    regions: list[Problem], direct: list[Plan], tmp_path: Path
) -> None:
    """One worker holding both tasks: the scheduler blames both for each of its deaths."""
    import dask
    from distributed import Client, LocalCluster

    with (
        dask.config.set(
            {
                "distributed.scheduler.allowed-failures": 1,
                "distributed.scheduler.worker-saturation": 2.0,  # a worker takes 2 tasks
            }
        ),
        LocalCluster(
            n_workers=1,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=":0",  # the module's cluster may hold the default port
        ) as cluster,
        Client(cluster) as one,
    ):
        bad = crashing(regions[0], tmp_path / "m", always=True)
        results = list(solve_many([bad, regions[2]], client=one, names=["bad", "ok"], **SOLVE))
    err, plan = results
    assert isinstance(err, BatchError)
    assert (err.kind, err.name) == ("crashed", "bad")
    assert "KilledWorker" in err.message
    assert isinstance(plan, Plan)
    assert np.array_equal(plan.assignment_array, direct[2].assignment_array)


def test_no_plan_in_time_is_a_time_limit_error(regions: list[Problem]) -> None:
    unknown = Plan.without_solution(regions[0], PlanStatus.UNKNOWN, diagnosis=(), solve_seconds=1.0)
    err = _classify(4, "r", unknown, 1.5)
    assert isinstance(err, BatchError)
    assert (err.kind, err.index, err.seconds, err.plan) == ("time_limit", 4, 1.5, unknown)
    feasible = solve(regions[0], workers=1, work_limit=5.0)
    assert _classify(0, "r", feasible, 1.0) is feasible


def test_plans_and_problems_cross_processes_intact(direct: list[Plan]) -> None:
    plan = direct[0]
    before = (plan.moves.copy(), plan.unit_table.copy(), plan.training.copy(), plan.summary())
    nip = plan.problem.employees[0].nip
    why = plan.why_not(nip)
    copy = pickle.loads(pickle.dumps(plan))  # with its caches filled
    assert copy.problem == plan.problem
    assert np.array_equal(copy.assignment_array, plan.assignment_array)
    assert copy.summary() == before[3]
    assert copy.moves.equals(before[0]) and copy.unit_table.equals(before[1])
    assert copy.training.equals(before[2])
    assert copy.why_not(nip) == why


def test_arguments_are_checked_before_anything_runs(regions: list[Problem]) -> None:
    with pytest.raises(TypeError, match="time_limt"):
        solve_many(regions, time_limt=5)
    with pytest.raises(TypeError, match="problem #1 is a int"):
        solve_many([regions[0], 3])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="names has 1 entries for 3 problems"):
        solve_many(regions, names=["x"])
    with pytest.raises(ValueError, match="max_workers"):
        solve_many(regions, max_workers=0)
    assert list(solve_many([])) == []


# ------------------------------------------------------------------ scenarios
def test_scenarios_table(regions: list[Problem]) -> None:
    problem = regions[0]
    grid = {
        "max_moves": [0, 2, None],
        "policy": {"base": {}, "no_tenure": {"min_months_in_unit": 0}},
    }
    table = scenarios(problem, grid, max_workers=2, **SOLVE)
    assert list(table.columns) == list(SCENARIO_COLUMNS)
    assert list(table["scenario"]) == [
        "base, max_moves=0",
        "base, max_moves=2",
        "base, max_moves=unlimited",
        "no_tenure, max_moves=0",
        "no_tenure, max_moves=2",
        "no_tenure, max_moves=unlimited",
    ]
    assert list(table["policy"]) == ["base"] * 3 + ["no_tenure"] * 3
    assert str(table["max_moves"].dtype) == "Int64"  # no limit is <NA>, not NaN
    assert table["max_moves"].iloc[:2].tolist() == [0, 2] and table["max_moves"].isna().iloc[2]
    assert (table["status"] == "optimal").all()
    # each row is the plan of that scenario solved on its own
    for (name, scenario), row in zip(
        scenario_problems(problem, grid), table.itertuples(), strict=True
    ):
        assert row.scenario == name
        plan = solve(scenario, workers=1, **SOLVE)
        s = plan.summary()
        assert (row.moves, row.shortfall, row.preference_cost) == (
            s["moves"],
            s["shortfall"],
            s["preference_cost"],
        )
        assert row.imbalance_hours == pytest.approx(s["imbalance_hours"])
        assert row.balance_cost == pytest.approx(s["balance_cost"])
    assert table["moves"].iloc[0] == 0 and table["moves"].iloc[1] <= 2
    # more freedom never balances worse
    for variant in ("base", "no_tenure"):
        d = table.loc[table["policy"] == variant, "imbalance_hours"].tolist()
        assert d[0] >= d[1] >= d[2] - 1e-9
    base_d = table["imbalance_hours"].iloc[2]
    assert table["imbalance_hours"].iloc[5] <= base_d + 1e-9


def test_scenarios_without_budgets_use_the_problems_budget(regions: list[Problem]) -> None:
    named = scenario_problems(regions[0], {"policy": {"a": {}, "pppk": {"allow_pppk_moves": True}}})
    assert [n for n, _ in named] == ["a", "pppk"]
    assert named[0][1].policy == regions[0].policy
    assert named[1][1].policy.allow_pppk_moves and named[1][1].policy.max_moves == 4
    named = scenario_problems(regions[0], {"max_moves": [1]})
    assert [n for n, _ in named] == ["base, max_moves=1"]
    assert named[0][1].policy.max_moves == 1


@pytest.mark.parametrize(
    ("grid", "message"),
    [
        ({"budgets": [1]}, "unknown grid key.*'budgets'"),
        ({"max_moves": 5}, r"grid\['max_moves'\] must be a list"),
        ({"max_moves": [1, -1]}, r"grid\['max_moves'\]\[1\] = -1"),
        ({"max_moves": [2, 2]}, "repeats a budget"),
        ({"max_moves": []}, "is empty"),
        ({"policy": {}}, r"grid\['policy'\] must be a non-empty dict"),
        ({"policy": {"x": 3}}, r"grid\['policy'\]\['x'\] must be a dict"),
        ({"max_moves": [1], "policy": {"x": {"max_moves": 3}}}, "sets max_moves"),
    ],
)
def test_bad_grids_say_what_to_change(
    regions: list[Problem], grid: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        scenario_problems(regions[0], grid)


def test_bad_policy_value_in_a_variant_names_variant_and_key(regions: list[Problem]) -> None:
    grid = {"policy": {"ok": {}, "bad": {"allow_ppk_moves": True, "balance_gap": 2}}}
    with pytest.raises(InputError) as info:
        scenario_problems(regions[0], grid)
    issues = info.value.issues
    assert {(i.file, i.column) for i in issues} == {
        ("grid['policy']['bad']", "allow_ppk_moves"),
        ("grid['policy']['bad']", "balance_gap"),
    }
    assert "unknown policy key 'allow_ppk_moves'" in str(info.value)


# ------------------------------------------------------------------ CLI
@pytest.fixture
def root(regions: list[Problem], tmp_path: Path) -> Path:
    root = tmp_path / "regions"
    write_folder(regions[0], root / "binjai")
    write_folder(_infeasible(regions[1]), root / "deli")
    _invalid_folder(regions[1], root / "langkat")
    write_folder(regions[2], root / "medan")
    (root / ".hidden").mkdir()
    return root


def _summary(out: Path) -> list[dict[str, str]]:
    with (out / "summary.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_cli_batch_end_to_end(
    root: Path,
    regions: list[Problem],
    direct: list[Plan],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out"
    code = main(["batch", str(root), "--out", str(out), "--workers", "2", "--work-limit", "20"])
    assert code == 1  # an invalid region comes first (1 invalid > 2 infeasible)
    captured = capsys.readouterr()
    assert sorted(line.split("] ")[1] for line in captured.err.splitlines()) == [
        "binjai: optimal",
        "deli: infeasible",
        "langkat: invalid",
        "medan: optimal",
    ]
    assert "4 regions: infeasible 1, invalid 1, optimal 2" in captured.out
    rows = _summary(out)
    assert [r["region"] for r in rows] == ["binjai", "deli", "langkat", "medan"]
    assert [r["status"] for r in rows] == ["optimal", "infeasible", "invalid", "optimal"]
    assert [r["error_kind"] for r in rows] == ["", "infeasible", "invalid", ""]
    for row, plan in ((rows[0], direct[0]), (rows[3], direct[2])):
        s = plan.summary()
        assert int(row["moves"]) == s["moves"]
        assert int(row["shortfall"]) == s["shortfall"]
        assert float(row["imbalance_hours"]) == pytest.approx(s["imbalance_hours"])
        assert float(row["imbalance_hours_before"]) == pytest.approx(s["imbalance_hours_before"])
        assert float(row["balance_cost"]) == pytest.approx(s["balance_cost"])
    assert rows[1]["imbalance_hours_before"] != "" and rows[1]["moves"] == ""
    for region, plan in (("binjai", direct[0]), ("medan", direct[2])):
        got = json.loads((out / region / "summary.json").read_text())
        assert got["moves"] == plan.summary()["moves"]
        assert (out / region / "assignment.csv").is_file()
        assert not (out / region / "error.json").exists()
    deli = json.loads((out / "deli" / "error.json").read_text())
    assert deli["kind"] == "infeasible" and deli["issues"][0]["kind"] == "min_staff_unreachable"
    assert json.loads((out / "deli" / "summary.json").read_text())["diagnosis"]
    assert not (out / "deli" / "assignment.csv").exists()
    langkat = json.loads((out / "langkat" / "error.json").read_text())
    assert langkat["kind"] == "invalid"
    assert any(i["file"] == "employees.csv" and i["row"] == 2 for i in langkat["issues"])
    assert not (out / ".hidden").exists()


def test_cli_batch_on_a_dask_scheduler(
    root: Path, client: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for bad in ("deli", "langkat"):
        for f in (root / bad).iterdir():
            f.unlink()
        (root / bad).rmdir()
    out = tmp_path / "out"
    address = client.scheduler.address
    code = main(["batch", str(root), "--out", str(out), "--scheduler", address])
    assert code == 0
    assert [r["status"] for r in _summary(out)] == ["optimal", "optimal"]
    assert "2 regions: optimal 2" in capsys.readouterr().out


def test_progress_bar_on_a_terminal(direct: list[Plan]) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    bar = _Bar(stream)
    bar(1, 2, "a", direct[0])
    err = BatchError(1, "b", "invalid", "bad")
    bar(2, 2, "b", err)
    frames = stream.getvalue().split("\r")[1:]
    assert frames[0].startswith("[" + "#" * 15 + "." * 15 + "] 1/2  optimal 1")
    assert frames[1].startswith("[" + "#" * 30 + "] 2/2  invalid 1, optimal 1")
    assert frames[1].endswith("\n")


def test_cli_batch_exit_code_precedence() -> None:
    assert exit_code(Counter()) == 0
    assert exit_code(Counter({"crashed": 1, "time_limit": 2})) == 3
    assert exit_code(Counter({"crashed": 1, "time_limit": 2, "infeasible": 1})) == 2
    assert exit_code(Counter({"invalid": 1, "infeasible": 1})) == 1
    assert exit_code(Counter({"crashed": 1})) == 4


def test_cli_batch_usage_errors(
    root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "out")
    assert main(["batch", str(root), "--out", out, "--scheduler", "x", "--workers", "2"]) == 1
    assert "give one or the other" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["batch", str(empty), "--out", out]) == 1
    assert "holds no region folders" in capsys.readouterr().err
    assert main(["batch", str(tmp_path / "nope"), "--out", out]) == 1
    assert "no such file or folder" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exited:
        main(["batch", str(root), "--out", out, "--workers", "0"])
    assert exited.value.code == 1
    assert "--workers: must be at least 1, got 0" in capsys.readouterr().err
