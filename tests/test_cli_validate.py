"""``mutasi-opt validate`` and ``mutasi-opt demo`` end to end, and the embedded sample."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mutasi_opt import synth
from mutasi_opt.cli import main
from mutasi_opt.sample import (
    SAMPLE_MAX_MOVES,
    SAMPLE_N_EMPLOYEES,
    SAMPLE_PAIRS,
    SAMPLE_SEED,
    load_sample,
    sample_path,
)

# The hand-computed instance of test_analysis.py, as a user would write it:
# D = 2343.75 h, B = 22625, shortfall 1 (unit A, triase), 2 of 5 movable.
EMPLOYEES = """\
nip,nama,unit_kerja,jabatan,fte,jenis_pegawai,competencies,months_in_unit,locked
e1,Siti,A,perawat,1,PNS,triase:3,72,
e2,Budi,B,perawat,1,PNS,vaksinasi,30,
e3,Rina,B,perawat,0.5,PNS,,10,
e4,Andi,C,guru,1,PPPK,,,
e5,Dewi,C,guru,1,PPPK,,,ya
"""
UNITS = "unit,name\nA,Unit A\nB,Unit B\nC,Unit C\nD,Unit D\nE,Unit E\n"
DEMAND = "unit,role,workload_hours\nA,perawat,3000\nB,perawat,1000\nC,guru,1250\nE,guru,1250\n"
REQUIREMENTS = "unit,competency,min_level,min_staff\nA,triase,2,2\nB,vaksinasi,1,1\n"


def write(folder: Path, **files: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write(
        tmp_path / "good",
        employees=EMPLOYEES,
        units=UNITS,
        demand=DEMAND,
        requirements=REQUIREMENTS,
    )


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    employees = EMPLOYEES.replace("e2,Budi,B,", "e2,Budi,X,").replace(
        "e3,Rina,B,perawat,0.5", "e3,Rina,B,perawat,2"
    )
    return write(
        tmp_path / "broken",
        employees=employees,
        units=UNITS,
        demand=DEMAND,
        requirements=REQUIREMENTS,
    )


def test_validate_prints_state(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(good)]) == 0
    out = capsys.readouterr().out
    assert "valid" in out.splitlines()[0]
    assert "5 employees (3 PNS, 2 PPPK) in 5 units, 2 roles" in out
    assert "Imbalance D = 2,343.75 h" in out
    assert "Balance cost B = 22,625.00" in out
    assert "Movable: 2 of 5 (40.0%)" in out
    assert "locked 1, PPPK 1, under 24 months in unit 1" in out
    assert "triase" in out
    # names and NIPs are never printed by validate
    assert "Siti" not in out


def test_validate_all_rows(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(good), "--all", "--top", "1"]) == 0
    out = capsys.readouterr().out
    assert "Every unit and role" in out
    rows = [line.split() for line in out.splitlines() if line.startswith("  B ")]
    assert ["B", "perawat", "2", "1,000", "1,875", "781.25", "0.53", "D"] in rows


def test_validate_json(good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(good), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "valid"
    assert data["imbalance_hours"] == 2343.75
    assert data["balance_cost"] == 22625.0
    assert data["shortfall"] == 1
    assert data["movable"]["movable"] == 2
    assert {r["unit"] for r in data["overloaded"]} == {"A", "E"}


def test_validate_invalid_lists_every_issue(
    broken: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "employees.csv" in err
    assert "row 3" in err and "'X'" in err  # unknown unit of e2
    assert "row 4" in err and "fte" in err  # fte 2 of e3
    assert "Traceback" not in err


def test_validate_invalid_json(broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(broken), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "invalid"
    where = {(i["file"], i["row"]) for i in data["issues"]}
    assert ("employees.csv", 3) in where and ("employees.csv", 4) in where


def test_validate_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(tmp_path / "nope")]) == 1
    assert "Traceback" not in capsys.readouterr().err


def test_demo_mentions_synthetic(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--top", "3", "--no-solve"]) == 0
    out = capsys.readouterr().out
    assert "synthetic" in out.splitlines()[0].lower()
    assert "5,000 employees" in out
    assert "Imbalance D =" in out and "max_moves 150" in out


def test_sample_is_the_documented_synthetic_city() -> None:
    folder = sample_path()
    for name in ("employees.csv", "units.csv", "demand.csv", "requirements.csv", "policy.toml"):
        assert (folder / name).is_file()
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "synthetic" in readme.lower()
    problem = load_sample()
    assert len(problem.employees) == SAMPLE_N_EMPLOYEES
    assert problem.policy.max_moves == SAMPLE_MAX_MOVES
    # the shipped folder is exactly what scripts/make_sample.py writes
    expected = synth.generate(
        SAMPLE_N_EMPLOYEES, seed=SAMPLE_SEED, max_moves=SAMPLE_MAX_MOVES, pairs=SAMPLE_PAIRS
    )
    assert len(problem.pairs) == SAMPLE_PAIRS and all(e.birth_date for e in problem.employees)
    assert problem.model_dump() == expected.model_dump()
