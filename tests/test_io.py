"""Reading and writing data folders and DataFrames (mutasi_opt.io).

Bad input is covered in test_io_errors.py; this file covers formats,
encodings, aliases, round trips and the fast validation path (which must
give exactly what validating each row with pydantic gives).
"""

from __future__ import annotations

import datetime as dt
import itertools
import logging
import re
import sys
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    WrapValidator,
    field_validator,
    model_validator,
)

from mutasi_opt import InputError, Problem, read_folder, write_folder
from mutasi_opt.domain.problem import (
    STR_TWINS,
    Demand,
    Employee,
    Pair,
    Policy,
    Requirement,
    Surge,
    Unit,
    _Frozen,
)
from mutasi_opt.domain.values import Golongan, Nip, nip_problem, nips_well_formed
from mutasi_opt.io import (
    policy_toml,
    problem_from_frames,
    problem_to_frames,
    read_policy,
    read_table,
)
from mutasi_opt.io.columns import TABLES, normalise_header
from mutasi_opt.io.fastpath import FAIL, fast_parser, text_twin
from mutasi_opt.io.frames import CONSULTATION_COLUMNS
from mutasi_opt.io.parse import load_table, probe
from mutasi_opt.io.tables import source_from_frame

EMPLOYEES = (
    "nip,name,unit,role,fte,rank,employment_type,competencies,months_in_unit,locked,"
    "refused_units,preferred_units\n"
    "198501012010011001,Budi,U1,perawat,1,III/a,PNS,K1:3,30,false,,U2\n"
    "199002022015012002,Siti,U2,perawat,0.5,II/b,PPPK,,12,false,U1,\n"
)
UNITS = "unit,name\nU1,Unit Satu\nU2,Unit Dua\n"
DEMAND = "unit,role,workload_hours\nU1,perawat,1000\nU2,perawat,800\n"


def write(folder: Path, files: dict[str, str], encoding: str = "utf-8") -> Path:
    """Write text files into ``folder`` (created) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_bytes(text.encode(encoding))
    return folder


def basic(tmp_path: Path, **overrides: str) -> Path:
    files = {"employees.csv": EMPLOYEES, "units.csv": UNITS, "demand.csv": DEMAND}
    files.update({k.replace("_", "."): v for k, v in overrides.items()})
    return write(tmp_path / "data", files)


# ------------------------------------------------------------------ reading
def test_reads_basic_folder(tmp_path: Path) -> None:
    problem = read_folder(basic(tmp_path))
    budi, siti = problem.employees
    assert budi.nip == "198501012010011001" and isinstance(budi.nip, Nip)
    assert budi.rank is Golongan.III_A and budi.competencies == (("K1", 3),)
    assert budi.preferred_units == ("U2",) and budi.months_in_unit == 30
    assert siti.fte == 0.5 and siti.employment_type == "PPPK" and siti.refused_units == ("U1",)
    assert [d.workload_hours for d in problem.demand] == [1000.0, 800.0]
    assert problem.policy == Policy()


@pytest.mark.parametrize(
    "encoding",
    [
        "utf-8",  # plain UTF-8
        "utf-8-sig",  # Excel's "CSV UTF-8" (byte-order mark)
        "cp1252",  # Excel's "CSV" on Windows
        "utf-16",  # Excel's "Unicode text" (with BOM)
    ],
)
def test_encodings(tmp_path: Path, encoding: str) -> None:
    units = "unit,name\nU1,Désa Sukamaju\nU2,Kelurahan Tanah Tinggi\n"
    employees = EMPLOYEES.replace("Budi", "Budi Hériyanto")
    folder = tmp_path / "data"
    write(folder, {"employees.csv": employees, "demand.csv": DEMAND})
    write(folder, {"units.csv": units}, encoding=encoding)
    problem = read_folder(folder)
    assert [u.name for u in problem.units] == ["Désa Sukamaju", "Kelurahan Tanah Tinggi"]
    assert problem.units[0].unit == "U1"  # the BOM is not part of the first header


def test_windows_1252_employees(tmp_path: Path) -> None:
    folder = basic(tmp_path)
    (folder / "employees.csv").write_bytes(EMPLOYEES.replace("Budi", "Désa").encode("cp1252"))
    assert read_folder(folder).employees[0].name == "Désa"


@pytest.mark.parametrize("delim", [",", ";", "\t"])
def test_delimiters(tmp_path: Path, delim: str) -> None:
    def convert(text: str) -> str:
        return text.replace(",", delim)

    folder = basic(
        tmp_path,
        employees_csv=convert(EMPLOYEES),
        units_csv=convert(UNITS),
        demand_csv=convert(DEMAND),
    )
    problem = read_folder(folder)
    assert len(problem.employees) == 2 and problem.employees[1].fte == 0.5


def test_decimal_comma_in_semicolon_files(tmp_path: Path) -> None:
    employees = (
        "nip;name;unit;role;fte;months_in_unit\n"
        "198501012010011001;Budi, S.Kep;U1;perawat;0,5;24,0\n"
        "199002022015012002;Siti;U2;perawat;1;12\n"
    )
    demand = "unit;role;workload_hours\nU1;perawat;1250,5\nU2;perawat;800\n"
    problem = read_folder(basic(tmp_path, employees_csv=employees, demand_csv=demand))
    assert problem.employees[0].fte == 0.5
    assert problem.employees[0].months_in_unit == 24
    assert problem.employees[0].name == "Budi, S.Kep"  # text keeps its comma
    assert problem.demand[0].workload_hours == 1250.5


def test_comma_files_keep_commas_in_quoted_text(tmp_path: Path) -> None:
    employees = EMPLOYEES.replace("Budi", '"Budi, S.Kep"')
    assert read_folder(basic(tmp_path, employees_csv=employees)).employees[0].name == "Budi, S.Kep"


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Unit Kerja", "unit"),
        ("UNIT_KERJA", "unit"),
        ("unit-kerja", "unit"),
        (" Nama Pegawai ", "name"),
        ("NIP", "nip"),
        ("nip_baru", "nip"),
        ("Jabatan", "role"),
        ("Golongan/Ruang", "rank"),
        ("Status Kepegawaian", "employment_type"),
        ("Masa Kerja Unit", "months_in_unit"),
        ("Dikunci", "locked"),
        ("Unit Ditolak", "refused_units"),
        ("Unit Pilihan", "preferred_units"),
        ("Kompetensi", "competencies"),
    ],
)
def test_employee_column_aliases(written: str, canonical: str) -> None:
    lookup = TABLES["employees"].lookup()
    assert lookup[normalise_header(written)] == canonical


def test_aliases_in_a_folder(tmp_path: Path) -> None:
    employees = (
        "NIP Baru;Nama Lengkap;Unit Kerja;Nama Jabatan;FTE;Golongan;Jenis Pegawai;"
        "Kompetensi;Lama di Unit;Terkunci;Menolak Unit;Unit Diminati\n"
        "198501012010011001;Budi;U1;perawat;1;3a;pns;K1:3;30;tidak;;U2\n"
        "199002022015012002;Siti;U2;perawat;0,5;II-b;P3K;;12;ya;U1;\n"
    )
    units = "KODE_UNIT,Nama Unit,Minimal Pegawai,Maksimal Pegawai\nU1,Satu,0,5\nU2,Dua,,\n"
    demand = "unit-kerja,jabatan,beban kerja\nU1,perawat,1000\nU2,perawat,800\n"
    requirements = "Unit,Kompetensi,Level Minimal,Jumlah Minimal\nU1,K1,2,1\n"
    folder = basic(
        tmp_path,
        employees_csv=employees,
        units_csv=units,
        demand_csv=demand,
        requirements_csv=requirements,
    )
    problem = read_folder(folder)
    siti = problem.employees[1]
    assert (siti.rank, siti.employment_type, siti.locked) == (Golongan.II_B, "PPPK", True)
    assert problem.units[0].max_staff == 5
    assert problem.requirements[0].min_level == 2


def test_unknown_column_is_a_warning_without_personal_data(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    employees = EMPLOYEES.replace("preferred_units\n", "preferred_units,Catatan\n", 1)
    with caplog.at_level(logging.INFO, logger="mutasi_opt"):
        read_folder(basic(tmp_path, employees_csv=employees))
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "employees.csv" in warnings[0].getMessage()
    assert "Catatan" in warnings[0].getMessage()
    for record in caplog.records:
        if record.levelno >= logging.INFO:
            assert "198501012010011001" not in record.getMessage()
            assert "Budi" not in record.getMessage()


def test_blank_lines_count_as_rows(tmp_path: Path) -> None:
    employees = EMPLOYEES + "\n\n,,,,,,,,,,,\n199103032016011003,Ani,U1,perawat,2,,,,,,,\n"
    with pytest.raises(InputError) as err:
        read_folder(basic(tmp_path, employees_csv=employees))
    (issue,) = err.value.issues
    assert (issue.file, issue.row, issue.column) == ("employees.csv", 7, "fte")


def test_nip_digits_are_kept(tmp_path: Path) -> None:
    employees = EMPLOYEES.replace("198501012010011001", "008")
    nips = [e.nip for e in read_folder(basic(tmp_path, employees_csv=employees)).employees]
    assert nips[0] == "008"  # read as text: leading zeros stay


def test_read_table_is_text_with_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("nip;fte;Nama\n007;0,5;A\n\n198501012010011001;1;B\n", encoding="utf-8")
    frame = read_table(path)
    assert list(frame.columns) == ["nip", "fte", "Nama"]
    assert list(frame.index) == [2, 4]
    assert frame.loc[2, "nip"] == "007" and frame.loc[2, "fte"] == "0,5"
    assert frame.loc[4, "nip"] == "198501012010011001"


def test_read_policy(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text("max_moves = 10\neffective_hours = 1200\nballance = 1\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_policy(path)
    assert [(i.row, i.column) for i in err.value.issues] == [(3, "ballance")]
    path.write_text("max_moves = 10\neffective_hours = 1200\n", encoding="utf-8")
    assert read_policy(path) == Policy(max_moves=10, effective_hours=1200)


# --------------------------------------------------------------------- XLSX
import openpyxl  # noqa: E402  (a test dependency: the [test] extra installs it)


def write_xlsx(path: Path, rows: list[list[Any]]) -> None:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)


def test_xlsx_with_numbers(tmp_path: Path) -> None:
    folder = basic(tmp_path)
    (folder / "employees.csv").unlink()
    write_xlsx(
        folder / "employees.xlsx",
        [
            ["NIP", "Nama", "Unit Kerja", "Jabatan", "FTE", "Lama di Unit", "Dikunci"],
            # NIP as text, fte and months as Excel numbers, locked as a bool cell
            ["198501012010011001", "Budi", "U1", "perawat", 1, 30, False],
            [12345, "Siti", "U2", "perawat", 0.5, 12.0, True],  # an opaque numeric id
            [None, None, None, None, None, None, None],  # blank row, skipped
        ],
    )
    problem = read_folder(folder)
    budi, siti = problem.employees
    assert (budi.fte, budi.months_in_unit, budi.locked) == (1.0, 30, False)
    assert (siti.nip, siti.fte, siti.months_in_unit, siti.locked) == ("12345", 0.5, 12, True)


def test_xlsx_float_nip_is_reported(tmp_path: Path) -> None:
    folder = basic(tmp_path)
    (folder / "employees.csv").unlink()
    write_xlsx(
        folder / "employees.xlsx",
        [
            ["nip", "unit", "role"],
            ["199002022015012002", "U2", "perawat"],
            [1.985e17, "U1", "perawat"],
        ],
    )
    with pytest.raises(InputError) as err:
        read_folder(folder)
    (issue,) = err.value.issues
    assert (issue.file, issue.row, issue.column) == ("employees.xlsx", 3, "nip")
    assert "stored as a number" in issue.message and issue.value == "1.985e+17"


def test_frames_float_nip_is_reported() -> None:
    # pandas read a NIP column without dtype=str: float64, digits may be lost
    employees = pd.DataFrame({"nip": [1.98501012010011e17, 1234.0], "unit": ["U1", "U1"]})
    with pytest.raises(InputError) as err:
        problem_from_frames(employees, pd.DataFrame({"unit": ["U1"], "workload_hours": [1.0]}))
    assert [(i.file, i.row, i.column) for i in err.value.issues] == [
        ("employees", 2, "nip"),
        ("employees", 3, "nip"),
    ]
    assert all("stored as a number" in i.message for i in err.value.issues)


def test_missing_openpyxl_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = basic(tmp_path)
    (folder / "units.csv").unlink()
    write_xlsx(folder / "units.xlsx", [["unit"], ["U1"], ["U2"]])
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(InputError) as err:
        read_folder(folder)
    assert 'pip install "mutasi-opt[excel]"' in str(err.value)
    assert err.value.issues[0].file == "units.xlsx"


# -------------------------------------------------------------- round trips
UNIT_IDS = [f"U{i}" for i in range(6)]
ROLES = ["perawat", "guru", "Jabatan Pelaksana", "bidan"]
CODES = ["K1", "K2", "kom-3", "Bahasa Inggris"]
printable = st.characters(codec="utf-8", categories=["L", "N", "Zs", "P", "S"])
names = st.text(printable, max_size=12).map(str.strip)


@st.composite
def nips(draw: st.DrawFn) -> str:
    if draw(st.booleans()):
        return draw(st.from_regex(r"[A-Z]{1,3}[0-9]{1,6}", fullmatch=True))
    birth = draw(st.dates(dt.date(1960, 1, 1), dt.date(2000, 12, 31)))
    start = draw(st.integers(birth.year + 18, min(birth.year + 40, 2024)))
    return (
        f"{birth:%Y%m%d}{start:04d}{draw(st.integers(1, 12)):02d}"
        f"{draw(st.sampled_from('12'))}{draw(st.integers(1, 999)):03d}"
    )


@st.composite
def problems(draw: st.DrawFn) -> Problem:
    """Small random valid problems (every role has demand, lists are consistent)."""
    n_units = draw(st.integers(1, 5))
    units_ids = UNIT_IDS[:n_units]
    with_hours = draw(st.booleans())
    roles = draw(st.lists(st.sampled_from(ROLES), min_size=1, max_size=3, unique=True))
    if with_hours:
        roles = [*roles, ""]  # employees without a role use units.workload_hours
    units = []
    for uid in units_ids:
        low = draw(st.none() | st.integers(0, 5))
        high = draw(st.none() | st.integers(low or 0, 9))
        units.append(
            Unit(
                unit=uid,
                name=draw(names),
                workload_hours=draw(st.floats(0, 1e7)) if with_hours else None,
                min_staff=low,
                max_staff=high,
                area=draw(st.sampled_from(["", "Binjai Kota", "Binjai Utara"])),
            )
        )
    demand = []
    for role in [r for r in roles if r]:
        for uid in draw(st.lists(st.sampled_from(units_ids), min_size=1, unique=True)):
            demand.append(Demand(unit=uid, role=role, workload_hours=draw(st.floats(0, 1e7))))
    employees = []
    used = draw(st.lists(nips(), min_size=1, max_size=8, unique=True))
    for k, nip in enumerate(used):
        refused = draw(st.lists(st.sampled_from(units_ids), max_size=2, unique=True))
        free = [u for u in units_ids if u not in refused]
        preferred = draw(st.lists(st.sampled_from(free), max_size=2, unique=True)) if free else []
        comps = draw(st.dictionaries(st.sampled_from(CODES), st.integers(1, 5), max_size=3))
        home = draw(st.sampled_from(units_ids))
        employees.append(
            Employee(
                nip=nip,
                name=draw(names),
                unit=home,
                # with unit workload_hours, some employee must have no role
                role="" if with_hours and k == 0 else draw(st.sampled_from(roles)),
                fte=draw(st.floats(0.001, 1)),  # at least 1 hour a year (capacity ≥ 1)
                rank=draw(st.none() | st.sampled_from(list(Golongan))),
                employment_type=draw(st.sampled_from(["PNS", "PPPK"])),
                competencies=comps,
                months_in_unit=draw(st.none() | st.integers(0, 600)),
                locked=draw(st.booleans()),
                refused_units=refused,
                preferred_units=preferred,
                birth_date=draw(st.none() | st.just(Nip(nip).birth_date)),
                retirement_age=draw(st.none() | st.sampled_from([58, 60, 65])),
                inactive=draw(st.sampled_from(["", "Tugas Belajar"])),
                # a pin at home is always allowed; a draft unit may be any unit
                pinned_unit=draw(st.none() | st.just(home)),
                draft_unit=draw(st.none() | st.sampled_from(units_ids)),
                priority=draw(st.none() | st.floats(0, 1000)),
            )
        )
    pairs = [
        Pair(nip_a=a, nip_b=b, kind=draw(st.sampled_from(["separate", "together"])))
        for a, b in draw(
            st.lists(
                st.sampled_from(list(itertools.combinations(used, 2))), unique=True, max_size=2
            )
            if len(used) > 1
            else st.just([])
        )
    ]
    reqs = draw(
        st.lists(
            st.tuples(st.sampled_from(units_ids), st.sampled_from(CODES), st.integers(1, 5)),
            max_size=3,
            unique=True,
        )
    )
    requirements = [
        Requirement(unit=u, competency=c, min_level=lv, min_staff=draw(st.integers(1, 3)))
        for u, c, lv in reqs
    ]
    policy = Policy()
    if draw(st.booleans()):
        breakpoints, slopes = draw(
            st.sampled_from([((0, 10, 30, 50), (1, 2, 4, 8)), ((0, 20), (1, 3))])
        )
        policy = Policy(
            max_moves=draw(st.none() | st.integers(0, 50)),
            min_months_in_unit=draw(st.integers(0, 60)),
            allow_pppk_moves=draw(st.booleans()),
            effective_hours=draw(st.sampled_from([1250, 1200.0, 1187.5])),
            balance_gap=draw(st.sampled_from([0.005, 0.0, 0.01])),
            balance_breakpoints=breakpoints,
            balance_slopes=slopes,
            plan_date=draw(st.none() | st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31))),
            retirement_ages=draw(st.sampled_from([{}, {"guru": 60}])),
            retiring_capacity=draw(st.sampled_from(["keep", "leave"])),
        )
    return Problem(
        employees=employees,
        units=units,
        demand=demand,
        requirements=requirements,
        policy=policy,
        pairs=pairs,
    )


SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@SETTINGS
@given(problems())
def test_round_trip_frames(problem: Problem) -> None:
    frames = problem_to_frames(problem)
    assert set(frames) == {"employees", "units", "demand", "requirements", "pairs"}
    back = problem_from_frames(**frames, policy=problem.policy)
    assert back == problem
    assert Problem.from_frames(**problem.to_frames(), policy=problem.policy) == problem


@SETTINGS
@given(problems())
def test_round_trip_csv_folder(tmp_path: Path, problem: Problem) -> None:
    folder = write_folder(problem, tmp_path / "csv", format="csv")
    assert read_folder(folder) == problem


@settings(SETTINGS, max_examples=8)
@given(problems())
def test_round_trip_xlsx_folder(tmp_path: Path, problem: Problem) -> None:
    folder = write_folder(problem, tmp_path / "xlsx", format="xlsx")
    assert read_folder(folder) == problem


def test_written_folder_format(tmp_path: Path) -> None:
    problem = read_folder(basic(tmp_path))
    problem = problem.replace(policy=Policy(max_moves=3, allow_pppk_moves=True))
    folder = write_folder(problem, tmp_path / "out")
    text = (folder / "employees.csv").read_text(encoding="utf-8").splitlines()
    # (the consultation columns, pinned_unit, draft_unit and priority, only when some
    # employee has one; birth_date, retirement_age and inactive empty: from the NIP,
    # the policy, active)
    assert text[0] == ",".join(f for f in Employee.model_fields if f not in CONSULTATION_COLUMNS)
    assert text[1] == "198501012010011001,Budi,U1,perawat,1.0,III/a,PNS,K1:3,30,false,,U2,,,"
    assert (folder / "policy.toml").read_text(encoding="utf-8").splitlines()[1:] == [
        "max_moves = 3",
        "allow_pppk_moves = true",
    ]
    assert sorted(p.name for p in folder.iterdir()) == [
        "demand.csv",
        "employees.csv",
        "pairs.csv",
        "policy.toml",
        "requirements.csv",
        "units.csv",
    ]
    with pytest.raises(FileExistsError):
        write_folder(problem, folder, format="xlsx")  # would leave both formats


def test_policy_toml_lists_only_changed_keys() -> None:
    assert policy_toml(Policy()).splitlines()[1:] == []
    text = policy_toml(Policy(ej_bands=(1.1, 0.9, 0.7, 0.5), imbalance_tolerance_hours=2.5))
    assert text.splitlines()[1:] == [
        "imbalance_tolerance_hours = 2.5",
        "ej_bands = [1.1, 0.9, 0.7, 0.5]",
    ]


def test_to_frames_types(tmp_path: Path) -> None:
    frames = problem_to_frames(read_folder(basic(tmp_path)))
    emp = frames["employees"]
    assert emp["fte"].dtype == np.float64 and emp["locked"].dtype == bool
    assert str(emp["months_in_unit"].dtype) == "Int64"
    assert emp.loc[0, "competencies"] == "K1:3" and emp.loc[1, "refused_units"] == "U1"
    assert list(frames["requirements"].columns) == list(Requirement.model_fields)


def test_from_frames_accepts_typed_cells() -> None:
    employees = pd.DataFrame(
        {
            "nip": [198501012010011001, "X-7"],  # int64-safe digits, opaque id
            "unit": ["U1", "U2"],
            "fte": [1.0, np.nan],  # NaN = default (1.0)
            "competencies": [{"K1": 3, "K2": 1}, None],
            "refused_units": [["U2"], []],
            "locked": [np.True_, False],
        }
    )
    units = pd.DataFrame({"unit": ["U1", "U2"], "workload_hours": [100, 200.5]})
    problem = problem_from_frames(employees, units)
    first, second = problem.employees
    assert first.nip == "198501012010011001" and first.competencies == (("K1", 3), ("K2", 1))
    assert first.refused_units == ("U2",) and first.locked is True
    assert second.fte == 1.0 and second.nip == "X-7"


# ---------------------------------------- fast path == pydantic validation
def _cell_texts(choices: list[str]) -> st.SearchStrategy[str]:
    pad = st.sampled_from(["", " ", "  "])
    return st.builds(lambda a, v, b: a + v + b, pad, st.sampled_from(choices), pad)


@st.composite
def employee_rows(draw: st.DrawFn) -> dict[str, str]:
    """A valid employees row as cell texts, in the many spellings users write."""
    comps = draw(st.lists(st.sampled_from(CODES), max_size=3, unique=True))
    levels = [draw(st.sampled_from(["", ":1", ":2", ": 5", ":03"])) for _ in comps]
    sep = draw(st.sampled_from([";", " ; ", "|"]))
    return {
        "nip": draw(nips() | st.just("1985 0101 2010 01 1 001")),
        "name": draw(st.text(printable, max_size=10)),
        "unit": draw(_cell_texts(UNIT_IDS)),
        "role": draw(st.sampled_from(["", " perawat", "guru "])),
        "fte": draw(_cell_texts(["", "1", "0.5", "1.0", ".25", "1e-1", "0.333"])),
        "rank": draw(_cell_texts(["", "III/a", "3a", "iv-e", "II b", "I.d"])),
        "employment_type": draw(_cell_texts(["", "PNS", "pppk", "CPNS", "P3K"])),
        "competencies": sep.join(c + lv for c, lv in zip(comps, levels, strict=True)),
        "months_in_unit": draw(_cell_texts(["", "0", "24", "36.0", "+7"])),
        "locked": draw(_cell_texts(["", "ya", "Tidak", "TRUE", "0", "1", "y"])),
        "refused_units": draw(_cell_texts(["", "U1", "U1;U2", "U3 | U4", ";U5;"])),
        "preferred_units": draw(_cell_texts(["", "U2", "U2;U3", "U4|U5"])),
    }


@settings(max_examples=60, deadline=None)
@given(st.lists(employee_rows(), min_size=1, max_size=6), st.data())
def test_trusted_rows_equal_validated_rows(rows: list[dict[str, str]], data: st.DataObject) -> None:
    keep = data.draw(st.sets(st.sampled_from(list(Employee.model_fields))))
    keep |= {"nip", "unit"}
    rows = [{k: v for k, v in row.items() if k in keep} for row in rows]
    loaded = load_table(TABLES["employees"], source_from_frame(pd.DataFrame(rows), "employees"))
    assert not loaded.issues
    for trusted, row in zip(loaded.entities, rows, strict=True):
        validated = Employee.model_validate(row)
        assert trusted == validated
        assert trusted.model_dump() == validated.model_dump()
        assert trusted.model_fields_set == validated.model_fields_set
        assert {k: type(v) for k, v in vars(trusted).items()} == {
            k: type(v) for k, v in vars(validated).items()
        }


@settings(max_examples=40, deadline=None)
@given(employee_rows())
def test_trusted_constructor_equals_validation(row: dict[str, str]) -> None:
    validated = Employee.model_validate(row)
    fields = {name: getattr(validated, name) for name in row}
    trusted = Employee._trusted(**fields)
    assert trusted == validated and trusted.model_dump() == validated.model_dump()
    assert trusted.model_fields_set == validated.model_fields_set
    assert hash(trusted) == hash(validated)


def test_row_rules_are_the_models_after_validators() -> None:
    # the trusted constructor skips model validators; every table model's can be
    # run on built rows (load_table runs them), with the column their message names
    assert {spec.model: spec.model.row_rules() for spec in TABLES.values()}
    ((field, rule),) = Surge.row_rules()
    assert field == "end"
    window = {"surge": "S", "unit": "U", "extra_fte": 1.0, "start": "2026-05", "end": "2026-02"}
    with pytest.raises(ValueError, match="before start 2026-05; swap them"):
        rule(Surge._trusted(**window))
    with pytest.raises(ValidationError, match="swap them"):
        Surge(**window)
    ((field, rule),) = Employee.row_rules()
    assert field == "birth_date"  # the birth date and the NIP's agree
    with pytest.raises(ValueError, match="differs from the one the NIP encodes"):
        rule(
            Employee._trusted(
                nip=Nip("198501012010011001"), unit="U", birth_date=dt.date(1985, 1, 2)
            )
        )


class _BeforeRule(_Frozen):
    value: int = 0

    @model_validator(mode="before")
    @classmethod
    def _shape(cls, data: Any) -> Any:
        return data


def test_a_row_rule_that_cannot_run_on_a_built_row_is_refused() -> None:
    with pytest.raises(TypeError, match="_shape: a before model validator"):
        _BeforeRule.row_rules()


def test_trusted_problem_has_fresh_private_state() -> None:
    units = (Unit(unit="U1"),)
    one = Problem._trusted(employees=(), units=units)
    two = Problem._trusted(employees=(), units=units)
    assert one._cache is not two._cache and one._index is None


anything = st.text(max_size=20) | st.from_regex(r"\s*[0-9.,;:|eE+\-]{0,12}\s*", fullmatch=True)


#: every field of every table model, except the NIP (checked by nips_well_formed)
MODEL_FIELDS = [
    (model, name)
    for model in (Employee, Unit, Demand, Requirement, Surge, Pair)
    for name in model.model_fields
    if (model, name) not in ((Employee, "nip"), (Pair, "nip_a"), (Pair, "nip_b"))
]

cells = (
    anything
    | st.sampled_from(
        [
            "K1:3;K2:2", "K1;K1:2", "a:1|b:2", "K1:9", " K2 : 4 ", "1250", "1.", ".5", "00",
            "0.5", "1", "2", "-3", "1e3", "inf", "nan", "PNS", "p3k", "CPNS", "III/a", "iv/e",
            "ya", "tidak", "U1;U2", "U1;U1", "2026-04", "2026/4", "2026-04-30", "1999-13", "",
        ]
    )
    | st.lists(st.sampled_from(["K1", "K2:3", "U1", " ", "x:0"]), max_size=4).map(";".join)
)  # fmt: skip


def test_every_table_field_has_a_generated_fast_path() -> None:
    # generated from the definitions: a new field gets one without a table kept by hand
    assert [f for f in MODEL_FIELDS if fast_parser(*f) is None] == []
    assert fast_parser(Employee, "nip") is None  # a custom type: not modelled


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(MODEL_FIELDS), cells)
def test_fast_paths_equal_the_model(field: tuple[type[Any], str], text: str) -> None:
    model, name = field
    fast = fast_parser(model, name)
    assert fast is not None
    value = fast(text)
    if value is FAIL:
        return  # the probe decides
    assert probe(model, name, [text]) == [(True, value)]
    assert type(probe(model, name, [text])[0][1]) is type(value)


@pytest.mark.parametrize(
    "model, name, text, value",
    [
        (Employee, "name", "  Budi  ", "Budi"),
        (Employee, "competencies", "K2:3; K1", (("K1", 1), ("K2", 3))),
        (Employee, "competencies", "K1;K1:2", FAIL),
        (Employee, "fte", "", 1.0),
        (Employee, "fte", "0.5", 0.5),
        (Employee, "fte", "1.5", FAIL),  # its own after-validator refuses it
        (Employee, "employment_type", "p3k", "PPPK"),
        (Employee, "rank", "III/a", Golongan("III/a")),
        (Employee, "months_in_unit", "24", 24),
        (Employee, "months_in_unit", "-1", FAIL),  # ge=0 inside the Optional
        (Employee, "preferred_units", "U1;U1", FAIL),
        (Unit, "unit", "  ", FAIL),  # min_length=1
        (Unit, "workload_hours", "", None),
        (Unit, "workload_hours", "1e3", FAIL),  # not a plain decimal: the model decides
        (Demand, "workload_hours", "12.5", 12.5),
        (Requirement, "min_level", "6", FAIL),
        (Surge, "start", "2026/4", "2026-04"),
    ],
)
def test_fast_path_runs_the_fields_own_validators(
    model: type[Any], name: str, text: str, value: Any
) -> None:
    got = fast_parser(model, name)(text)  # type: ignore[misc]
    assert got is value if value is FAIL else got == value


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=12) | st.sampled_from(["", " ", "\t x \u00a0", "\u3000y"]))
def test_text_twins_equal_their_validators(text: str) -> None:
    for validator, twin in STR_TWINS.items():
        assert twin(text) == validator(text) and type(twin(text)) is type(validator(text))
    for model, name in MODEL_FIELDS:
        twin = text_twin(model, name)
        if twin is not None:
            assert probe(model, name, [text]) == [(True, twin(text))]


def test_plain_text_fields_have_a_twin_and_others_none() -> None:
    assert text_twin(Employee, "name") is str.strip
    assert text_twin(Employee, "role") is str.strip
    assert text_twin(Unit, "unit") is None  # min_length=1 refuses blank text
    assert text_twin(Employee, "competencies") is None
    assert text_twin(_Unmodelled, "plain") is None  # no validator with a twin


class _Unmodelled(BaseModel):
    model_config = ConfigDict(frozen=True)

    pattern: Annotated[str, Field(pattern="^[A-Z]+$")] = "A"
    wrapped: Annotated[str, WrapValidator(lambda v, h: h(v))] = ""
    with_info: str = ""
    several: int | str = 0
    plain: str = ""

    @field_validator("with_info")
    @classmethod
    def _info(cls, value: str, info: ValidationInfo) -> str:
        return value


class _Strict(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True)

    text: str = ""


@pytest.mark.parametrize("name", ["pattern", "wrapped", "with_info", "several"])
def test_definitions_the_fast_path_does_not_model_get_none(name: str) -> None:
    assert fast_parser(_Unmodelled, name) is None
    assert fast_parser(_Unmodelled, "plain") is not None
    assert fast_parser(_Strict, "text") is None  # a config that changes validation


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        nips()
        | st.text("0123456789", min_size=18, max_size=18)
        | st.from_regex(r"(19|20)[0-9]{2}[01][0-9][0-3][0-9](19|20)[0-9]{2}[01][0-9][0-3][0-9]{3}")
        | st.text(max_size=19),
        max_size=20,
    )
)
def test_vectorised_nip_check_agrees(texts: list[str]) -> None:
    fine = nips_well_formed(texts)
    for text, ok in zip(texts, fine.tolist(), strict=True):
        expected = bool(re.fullmatch(r"[0-9]{18}", text)) and nip_problem(text) is None
        assert ok == expected, text


def test_index_of_a_loaded_problem(tmp_path: Path) -> None:
    folder = basic(tmp_path, requirements_csv="unit,competency,min_level\nU1,K1,2\n")
    index = read_folder(folder).index
    assert index.unit_ids == ("U1", "U2") and index.roles == ("perawat",)
    assert index.home.tolist() == [0, 1] and index.fte.tolist() == [1.0, 0.5]
    assert index.pppk.tolist() == [False, True] and index.months.tolist() == [30, 12]
    assert index.refused == ((), (0,)) and index.preferred == ((1,), ())
    assert index.qualified.tolist() == [[True, False]]
    assert index.nip_pos == {"198501012010011001": 0, "199002022015012002": 1}
