"""``mutasi-opt solve``, ``check`` and ``demo`` end to end: files, exit codes, messages."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from mutasi_opt import Employee, Policy, Problem, Unit, read_folder, synth, write_folder
from mutasi_opt.cli import main

SUMMARY_KEYS = {
    "status",
    "shortfall",
    "imbalance_hours",
    "imbalance_hours_before",
    "balance_cost",
    "balance_cost_before",
    "balance_cost_bound",
    "moves",
    "preference_cost",
    "solve_seconds",
    "policy",
}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A small synthetic city (60 employees) with a move budget of 6."""
    problem = synth.generate(60, seed=3, max_moves=6)
    return write_folder(problem, tmp_path / "city")


@pytest.fixture
def infeasible(tmp_path: Path) -> Path:
    """Unit B needs 3 staff, but only 2 employees exist."""
    problem = Problem(
        employees=[Employee(nip="E1", unit="A"), Employee(nip="E2", unit="A")],
        units=[Unit(unit="A", workload_hours=10), Unit(unit="B", workload_hours=10, min_staff=3)],
        policy=Policy(),
    )
    return write_folder(problem, tmp_path / "infeasible")


def test_solve_writes_the_plan_files(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code = main(["solve", str(folder), "--out", str(out), "--workers", "1", "--work-limit", "30"])
    assert code == 0
    for name in ("assignment.csv", "moves.csv", "units.csv", "summary.json"):
        assert (out / name).is_file()
    summary = json.loads((out / "summary.json").read_text())
    assert set(summary) >= SUMMARY_KEYS
    assert summary["status"] in {"optimal", "feasible"}
    assert summary["moves"] <= 6
    assignment = pd.read_csv(out / "assignment.csv", dtype={"nip": str})
    assert list(assignment.columns) == ["nip", "name", "role", "unit_before", "unit_after", "moved"]
    assert len(assignment) == 60 and assignment["nip"].is_unique
    moves = pd.read_csv(out / "moves.csv", dtype={"nip": str})
    assert len(moves) == summary["moves"] == int(assignment["moved"].sum())
    assert moves["reason"].str.len().min() > 20
    units = pd.read_csv(out / "units.csv")
    for col in (
        "unit",
        "role",
        "workload_hours",
        "capacity_before",
        "capacity_after",
        "fair_share_hours",
        "ej_before",
        "ej_after",
        "band_before",
        "band_after",
    ):
        assert col in units.columns
    printed = capsys.readouterr().out
    assert "Plan status" in printed and "before" in printed and "after" in printed
    # the written plan passes the independent checker through the CLI
    assert main(["check", str(folder), str(out / "assignment.csv")]) == 0
    assert "no rule is broken" in capsys.readouterr().out


def test_solve_json_and_max_moves_override(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "o")
    code = main(
        ["solve", str(folder), "--out", out, "--json", "--max-moves", "0", "--workers", "1"]
    )
    assert code == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["moves"] == 0
    assert summary["policy"]["max_moves"] == 0


def test_infeasible_exits_2_with_diagnosis(
    infeasible: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["solve", str(infeasible), "--out", str(out)]) == 2
    printed = capsys.readouterr().out
    assert "infeasible" in printed
    assert "B" in printed and "≥ 3" in printed
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "infeasible"
    assert summary["diagnosis"] and summary["diagnosis"][0]["units"] == ["B"]


def _short_of_staff(problem: Problem) -> Problem:
    """``problem`` with one unit needing one more employee than it has now (so that
    nobody moving breaks the rules, while moves can meet them)."""
    from mutasi_opt import metrics

    head = metrics.headcount(problem, problem.index.home)
    u = int(head.argmax())
    units = list(problem.units)
    units[u] = units[u].model_copy(update={"min_staff": int(head[u]) + 1, "max_staff": None})
    return problem.replace(units=units)


@pytest.mark.timed
def test_no_plan_within_time_limit_exits_3(tmp_path: Path) -> None:
    # A time limit too small for even the first stage on a city of 3,000 employees
    # where nobody moving breaks a rule: no plan is known at all.
    problem = _short_of_staff(synth.generate(3000, seed=5, max_moves=90))
    folder = write_folder(problem, tmp_path / "big")
    code = main(["solve", str(folder), "--out", str(tmp_path / "o"), "--time-limit", "0.001"])
    assert code == 3
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["status"] == "unknown"
    assert summary["stopped_by"] == "time_limit" and summary["time_limit"] == 0.001


@pytest.mark.timed
def test_too_small_a_time_limit_still_answers_with_the_starting_plan(tmp_path: Path) -> None:
    # The same city where nobody moving meets the rules: that plan is the answer.
    problem = synth.generate(3000, seed=5, max_moves=90)
    folder = write_folder(problem, tmp_path / "big")
    code = main(["solve", str(folder), "--out", str(tmp_path / "o"), "--time-limit", "0.001"])
    assert code == 0
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["status"] == "feasible" and summary["moves"] == 0
    assert summary["stopped_by"] == "time_limit"
    assert [s["status"] for s in summary["stages"]] == ["unknown"] * 5
    assert all(s["bound"] == 0 for s in summary["stages"])
    assert summary["imbalance_hours"] == summary["imbalance_hours_before"]
    assessed = pd.read_csv(tmp_path / "o" / "assignment.csv", dtype=str)
    assert (assessed["unit_before"] == assessed["unit_after"]).all()


def test_invalid_input_exits_1_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "employees.csv").write_text("nip,unit,fte\nE1,A,2\n")
    (tmp_path / "bad" / "units.csv").write_text("unit,workload_hours\nA,10\n")
    assert main(["solve", str(tmp_path / "bad"), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "employees.csv" in err and "row 2" in err and "fte" in err
    assert "Traceback" not in err


def test_usage_error_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    assert_exit(["solve"], 1)
    assert_exit(["solve", "x", "--out", "y", "--time-limit", "soon"], 1)


def assert_exit(argv: list[str], code: int) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == code


def test_check_reports_broken_rules(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    problem = read_folder(folder)
    locked = next(e for e in problem.employees if e.locked or e.employment_type == "PPPK")
    other = next(u.unit for u in problem.units if u.unit != locked.unit)
    rows = [
        {"nip": str(e.nip), "unit_after": other if e.nip == locked.nip else e.unit}
        for e in problem.employees
    ]
    rows.append({"nip": "UNKNOWN-NIP", "unit_after": other})
    path = tmp_path / "hand_made.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    assert main(["check", str(folder), str(path)]) == 2
    out = capsys.readouterr().out
    assert str(locked.nip) in out
    assert "UNKNOWN-NIP" in out


def test_demo_solves_the_sample(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--top", "2", "--work-limit", "3", "--moves", "3"]) == 0
    out = capsys.readouterr().out
    assert "synthetic" in out.splitlines()[0].lower()
    assert "Plan status:" in out
    assert "imbalance D (hours)" in out and "before" in out and "after" in out
    assert "moves, with their reasons:" in out
    # the round's calendar on the sample: retirements, pairs, rotation, blackout
    assert "Retiring by 12 months after 2025-01-01 (BUP): 55," in out
    assert "Pairs: 8 couples kept together, 4 relatives kept apart; broken now: 0" in out
    assert "Overdue for rotation (> 60 months in unit):" in out
    assert "Blackout period: none set" in out


def test_json_output_is_pure_json_in_a_real_process(folder: Path, tmp_path: Path) -> None:
    # solver libraries must not print banners on stdout: --json is for machines
    import subprocess
    import sys

    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "mutasi_opt.cli",
            "solve",
            str(folder),
            "--out",
            str(tmp_path / "o"),
            "--json",
            "--workers",
            "1",
            "--time-limit",
            "20",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["status"] in {"optimal", "feasible"}
    assert any(s["bound_source"] == "lp" for s in summary["stages"]) or all(
        s["status"] == "optimal" for s in summary["stages"]
    )
