"""Bad input: every mistake is reported with file, row, column, value and a fix.

The base folder below is valid; each case changes one thing and states the
one issue it must produce.  Rows are spreadsheet rows (header = row 1).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from mutasi_opt import InputError, InputIssue, read_folder
from mutasi_opt.io import problem_from_frames

HEADER = (
    "nip,name,unit,role,fte,rank,employment_type,competencies,months_in_unit,locked,"
    "refused_units,preferred_units"
)
BASE = {
    "employees.csv": [
        HEADER,
        "198501012010011001,Budi,U1,perawat,1,III/a,PNS,K1:3,30,false,,U2",
        "199002022015012002,Siti,U2,perawat,0.5,II/b,PPPK,,12,false,U1,",
    ],
    "units.csv": ["unit,name,workload_hours,min_staff,max_staff", "U1,Satu,,,", "U2,Dua,,,"],
    "demand.csv": ["unit,role,workload_hours", "U1,perawat,1000", "U2,perawat,800"],
    "requirements.csv": ["unit,competency,min_level,min_staff", "U1,K1,2,1"],
}

Edit = Callable[[dict[str, list[str]]], None]


def cell(file: str, row: int, column: str, value: str) -> Edit:
    """Set one cell (spreadsheet row, canonical header name)."""

    def edit(files: dict[str, list[str]]) -> None:
        lines = files[file]
        columns = lines[0].split(",")
        values = lines[row - 1].split(",")
        values[columns.index(column)] = value
        lines[row - 1] = ",".join(values)

    return edit


def line(file: str, text: str, row: int | None = None) -> Edit:
    """Replace spreadsheet row ``row`` of ``file`` (append when None)."""

    def edit(files: dict[str, list[str]]) -> None:
        if row is None:
            files[file].append(text)
        else:
            files[file][row - 1] = text

    return edit


def put(name: str, text: str) -> Edit:
    """Add (or replace) a whole file."""

    def edit(files: dict[str, list[str]]) -> None:
        files[name] = text.split("\n")

    return edit


def drop(name: str) -> Edit:
    def edit(files: dict[str, list[str]]) -> None:
        del files[name]

    return edit


def both(*edits: Edit) -> Edit:
    def edit(files: dict[str, list[str]]) -> None:
        for one in edits:
            one(files)

    return edit


def make_folder(tmp_path: Path, *edits: Edit) -> Path:
    files = {name: list(lines) for name, lines in BASE.items()}
    for edit in edits:
        edit(files)
    folder = tmp_path / "data"
    folder.mkdir()
    for name, lines in files.items():
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def issues_of(folder: Path) -> tuple[InputIssue, ...]:
    with pytest.raises(InputError) as err:
        read_folder(folder)
    return err.value.issues


def test_base_folder_is_valid(tmp_path: Path) -> None:
    assert len(read_folder(make_folder(tmp_path)).employees) == 2


@dataclass(frozen=True)
class Case:
    edit: Edit
    file: str
    row: int | None
    column: str | None
    says: str  # part of the message (what is wrong / what to change)


E, U, D, R = "employees.csv", "units.csv", "demand.csv", "requirements.csv"

CASES = {
    # NIP: 18 digits with an impossible birth date (month 13)
    "nip structure": Case(cell(E, 2, "nip", "198513012010011001"), E, 2, "nip", "birth date"),
    # NIP: gender digit must be 1 or 2
    "nip gender": Case(cell(E, 2, "nip", "198501012010013001"), E, 2, "nip", "gender"),
    # NIP: Excel turned it into a number in scientific notation
    "nip scientific": Case(cell(E, 2, "nip", "1.98501E+17"), E, 2, "nip", "scientific notation"),
    # NIP: empty cell
    "nip empty": Case(cell(E, 3, "nip", ""), E, 3, "nip", "required"),
    # NIP: the same NIP on two rows (reported on the second, naming the first)
    "duplicate nip": Case(
        cell(E, 3, "nip", "198501012010011001"), E, 3, "nip", "also used on row 2"
    ),
    # home unit not in units.csv
    "unknown unit": Case(cell(E, 2, "unit", "U9"), E, 2, "unit", "not in units.csv"),
    # unit cell empty
    "empty unit": Case(cell(E, 2, "unit", " "), E, 2, "unit", "required"),
    # refused unit not in units.csv
    "unknown refused unit": Case(
        cell(E, 3, "refused_units", "U1;U9"), E, 3, "refused_units", "'U9' is not in units.csv"
    ),
    # preferred unit not in units.csv
    "unknown preferred unit": Case(
        cell(E, 2, "preferred_units", "U9"), E, 2, "preferred_units", "not in units.csv"
    ),
    # a unit both preferred and refused
    "preferred and refused": Case(
        cell(E, 3, "preferred_units", "U1"), E, 3, "preferred_units", "both preferred and refused"
    ),
    # a preferred unit listed twice
    "preferred twice": Case(
        cell(E, 2, "preferred_units", "U2;U2"), E, 2, "preferred_units", "listed twice"
    ),
    # fte 0 is no capacity
    "fte zero": Case(cell(E, 2, "fte", "0"), E, 2, "fte", "more than 0"),
    # fte above full time
    "fte 1.5": Case(cell(E, 2, "fte", "1.5"), E, 2, "fte", "at most 1"),
    # fte as words
    "fte text": Case(cell(E, 2, "fte", "setengah"), E, 2, "fte", "valid number"),
    # golongan that does not exist
    "bad golongan": Case(cell(E, 2, "rank", "V/a"), E, 2, "rank", "not a golongan"),
    # golongan II stops at II/d
    "golongan letter": Case(cell(E, 2, "rank", "II/e"), E, 2, "rank", "goes up to II/d"),
    # employment type neither PNS nor PPPK
    "employment type": Case(
        cell(E, 2, "employment_type", "honorer"), E, 2, "employment_type", "PNS or PPPK"
    ),
    # locked must be a yes/no
    "bad bool": Case(cell(E, 2, "locked", "mungkin"), E, 2, "locked", "true/false"),
    # competency level outside 1-5
    "competency level": Case(
        cell(E, 2, "competencies", "K1:7"), E, 2, "competencies", "between 1 and 5"
    ),
    # competency level not a number
    "competency level text": Case(
        cell(E, 2, "competencies", "K1:tinggi"), E, 2, "competencies", "not a whole number"
    ),
    # the same competency twice
    "competency twice": Case(
        cell(E, 2, "competencies", "K1:3;K1:2"), E, 2, "competencies", "listed twice"
    ),
    # months in unit negative
    "negative months": Case(
        cell(E, 2, "months_in_unit", "-3"), E, 2, "months_in_unit", "greater than or equal to 0"
    ),
    # months in unit with a fraction
    "fractional months": Case(
        cell(E, 2, "months_in_unit", "2.5"), E, 2, "months_in_unit", "whole number"
    ),
    # a role no unit has workload for
    "role without demand": Case(cell(E, 2, "role", "dokter"), E, 2, "role", "no unit has workload"),
    # negative workload
    "negative workload": Case(
        cell(D, 2, "workload_hours", "-5"), D, 2, "workload_hours", "0 or more"
    ),
    # non-finite workload
    "infinite workload": Case(
        cell(D, 3, "workload_hours", "inf"), D, 3, "workload_hours", "finite"
    ),
    # workload in words
    "workload text": Case(cell(D, 2, "workload_hours", "banyak"), D, 2, "workload_hours", "number"),
    # workload missing
    "workload empty": Case(cell(D, 2, "workload_hours", ""), D, 2, "workload_hours", "required"),
    # two demand rows for the same unit and role
    "duplicate demand": Case(
        line(D, "U1,perawat,5"), D, 4, "role", "already has a demand row for this role on row 2"
    ),
    # demand for a unit that does not exist
    "demand unknown unit": Case(line(D, "U7,perawat,5"), D, 4, "unit", "not in units.csv"),
    # the same requirement twice
    "duplicate requirement": Case(line(R, "U1,K1,2,3"), R, 3, "competency", "same requirement"),
    # requirement level outside 1-5
    "requirement level": Case(
        cell(R, 2, "min_level", "9"), R, 2, "min_level", "less than or equal to 5"
    ),
    # requirement for an unknown unit
    "requirement unknown unit": Case(cell(R, 2, "unit", "U8"), R, 2, "unit", "not in units.csv"),
    # requirement min_staff 0 means nothing
    "requirement min_staff": Case(
        cell(R, 2, "min_staff", "0"), R, 2, "min_staff", "greater than or equal to 1"
    ),
    # headcount bounds crossed
    "min above max": Case(line(U, "U2,Dua,,5,2", 3), U, 3, "min_staff", "above max_staff"),
    # negative headcount bound
    "negative max_staff": Case(
        line(U, "U2,Dua,,,-1", 3), U, 3, "max_staff", "greater than or equal to 0"
    ),
    # the same unit id twice
    "duplicate unit": Case(line(U, "U1,Lagi,,,"), U, 4, "unit", "also used on row 2"),
    # unit workload while every employee has a role
    "unit workload with roles": Case(
        line(U, "U2,Dua,100,,", 3), U, 3, "workload_hours", "only for employees without a role"
    ),
    # a required column is missing (the header is row 1)
    "missing column": Case(
        put(E, "nip,name\n198501012010011001,Budi"), E, 1, "unit", "required column 'unit'"
    ),
    # two columns that mean the same (name and its alias nama)
    "duplicate alias columns": Case(
        put(E, "nip,name,unit,nama,role\n198501012010011001,Budi,U1,Budi,perawat"),
        E,
        1,
        "nama",
        "both mean 'name'",
    ),
    # a row with more values than the header has columns (no column to name)
    "too many values": Case(
        line(E, "199103032016011003,Ani,U1,perawat,1,,,,,,,,x,y"), E, 4, None, "values"
    ),
    # both formats of one table: the folder is ambiguous (a whole-file issue)
    "csv and xlsx": Case(put("units.xlsx", ""), "units.xlsx", None, None, "keep only one"),
    # old Excel format
    "xls": Case(both(drop(U), put("units.xls", "")), "units.xls", None, None, "save it as .xlsx"),
    # a required file is missing
    "missing file": Case(drop(U), U, None, None, "no units.csv or units.xlsx"),
    # policy: misspelt key (the row is the line in policy.toml)
    "policy unknown key": Case(
        put("policy.toml", "max_moves = 5\nmin_months_unit = 12"),
        "policy.toml",
        2,
        "min_months_unit",
        "unknown policy key",
    ),
    # policy: a value of the wrong type
    "policy wrong type": Case(
        put("policy.toml", 'allow_pppk_moves = "ya"'),
        "policy.toml",
        1,
        "allow_pppk_moves",
        "boolean",
    ),
    # policy: a value out of range
    "policy out of range": Case(
        put("policy.toml", "effective_hours = 0"),
        "policy.toml",
        1,
        "effective_hours",
        "greater than or equal to 1",  # at least one hour a year
    ),
    # policy: not TOML at all
    "policy syntax": Case(
        put("policy.toml", "max_moves: 5"), "policy.toml", 1, None, "not valid TOML"
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_bad_input(tmp_path: Path, case: Case) -> None:
    issues = issues_of(make_folder(tmp_path, case.edit))
    assert len(issues) == 1, "\n".join(map(str, issues))
    (issue,) = issues
    assert (issue.file, issue.row, issue.column) == (case.file, case.row, case.column)
    assert case.says in issue.message
    text = str(issue)
    assert case.file in text
    if case.row is not None:
        assert f"row {case.row}" in text
    if case.column is not None:
        assert f"column '{case.column}'" in text


def test_issues_name_the_column_as_written_and_the_real_file(tmp_path: Path) -> None:
    employees = [
        "NIP;Nama Pegawai;Unit Kerja;Jabatan;Golongan;Unit Ditolak",
        "198501012010011001;Budi;U9;perawat;V/a;",
        "199002022015012002;Siti;U2;perawat;III/a;U7",
    ]
    folder = make_folder(tmp_path, put(E, "\n".join(employees)))
    issues = issues_of(folder)
    assert [(i.file, i.row, i.column, i.value) for i in issues] == [
        (E, 2, "Golongan", "V/a"),  # row 2 fails validation, so its unit is not checked
        (E, 3, "Unit Ditolak", "U7"),  # cross-check issue, column as written
    ]


def test_cross_check_rows_skip_blank_and_failed_rows(tmp_path: Path) -> None:
    # Row 3 is blank, row 4 fails validation; the duplicate on row 6 names row 2.
    employees = [
        HEADER,
        "198501012010011001,Budi,U1,perawat,1,,,,,,,",
        "",
        "199002022015012002,Siti,U2,perawat,abc,,,,,,,",
        "199103032016011003,Ani,U2,perawat,1,,,,,,,",
        "198501012010011001,Dewi,U9,perawat,1,,,,,,,",
    ]
    issues = issues_of(make_folder(tmp_path, put(E, "\n".join(employees))))
    assert [(i.row, i.column) for i in issues] == [(4, "fte"), (6, "nip"), (6, "unit")]
    assert "row 2" in issues[1].message


def test_failed_unit_rows_cause_no_follow_on_issues(tmp_path: Path) -> None:
    # U2's row is bad (min_staff), but U2 exists: employees and demand may refer to it.
    folder = make_folder(tmp_path, line(U, "U2,Dua,,banyak,", 3))
    issues = issues_of(folder)
    assert [(i.file, i.row, i.column) for i in issues] == [(U, 3, "min_staff")]


def test_failed_demand_rows_cause_no_role_issue(tmp_path: Path) -> None:
    folder = make_folder(tmp_path, put(D, "unit,role,workload_hours\nU1,perawat,-1\nU2,perawat,x"))
    issues = issues_of(folder)
    assert [(i.file, i.row) for i in issues] == [(D, 2), (D, 3)]  # no "role has no demand"


def test_all_issues_at_once(tmp_path: Path) -> None:
    """Many broken rows in several files: every issue is reported in one error."""
    kinds = [
        ("fte", "2"),
        ("rank", "X/z"),
        ("locked", "kadang"),
        ("employment_type", "honorer"),
        ("competencies", "K1:9"),
        ("months_in_unit", "-1"),
        ("unit", "U404"),
        ("refused_units", "U405"),
    ]
    rows = [HEADER]
    expected: list[tuple[str, int, str]] = []
    for k in range(40):
        values = dict.fromkeys(HEADER.split(","), "")
        values.update(nip=f"X{k}", name=f"Pegawai {k}", unit="U1", role="perawat")
        column, bad = kinds[k % len(kinds)]
        values[column] = bad
        rows.append(",".join(values.values()))
        expected.append((E, k + 2, column))
    units = "unit,name,workload_hours,min_staff,max_staff\nU1,Satu,,,\nU2,Dua,,3,1\nU1,Lagi,,,"
    folder = make_folder(
        tmp_path,
        put(E, "\n".join(rows)),
        put(U, units),
        cell(D, 3, "workload_hours", "-1"),
        put("policy.toml", "max_moves = -2\nunknown_key = 1"),
    )
    expected += [
        (U, 3, "min_staff"),
        (U, 4, "unit"),
        (D, 3, "workload_hours"),
        ("policy.toml", 1, "max_moves"),
        ("policy.toml", 2, "unknown_key"),
    ]
    issues = issues_of(folder)
    assert sorted((i.file, i.row or 0, i.column or "") for i in issues) == sorted(expected)
    assert len(str(InputError(issues)).splitlines()) == len(expected) + 1


def test_frames_issues_use_table_names_and_positions() -> None:
    employees = pd.DataFrame(
        {
            "NIP": ["198501012010011001", "199002022015012002", "198501012010011001"],
            "Unit Kerja": ["U1", "U1", "U2"],
            "fte": [1.0, 2.0, 0.5],
        }
    )
    units = pd.DataFrame({"unit": ["U1", "U2"], "workload_hours": [10.0, 20.0]})
    with pytest.raises(InputError) as err:
        problem_from_frames(employees, units, policy={"max_moves": "lima"})
    assert [(i.file, i.row, i.column) for i in err.value.issues] == [
        ("employees", 3, "fte"),  # position 1 → row 3
        ("employees", 4, "NIP"),  # duplicate of position 0
        ("policy", None, "max_moves"),
    ]
