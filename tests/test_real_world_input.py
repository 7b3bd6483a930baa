"""Messy but realistic files of a BKPSDM: no traceback, no silent change, no injection.

Every case starts from a small valid data folder and changes one thing the way
real exports do (Excel, SIASN, old Windows tools).  Each case states what must
come out: the located issue (file, row, column, and words of what to change),
or the exact values read.  The folder cases that can be uploaded also go to
the service's ``/v1/validate``, which must answer 422 with the same issues.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient

import mutasi_opt as mo
from mutasi_opt import InputError, InputIssue, read_folder
from mutasi_opt.cli import main, printable
from mutasi_opt.domain.values import nip_problem, nips_well_formed, parse_nip
from mutasi_opt.io.documents import problem_from_json
from mutasi_opt.io.history import read_history
from mutasi_opt.io.surges import read_surges
from mutasi_opt.io.workload import read_tasks
from mutasi_opt.service import Settings, create_app

N1, N2, N3 = "198501012010011001", "199002022015012002", "197001012000011003"
EMPLOYEES = f"nip,name,unit,role,months_in_unit\n{N1},Budi,U1,perawat,30\n{N2},Siti,U2,perawat,30\n"
UNITS = "unit,name\nU1,Satu\nU2,Dua\n"
DEMAND = "unit,role,workload_hours\nU1,perawat,1000\nU2,perawat,800\n"

Content = str | bytes | Callable[[Path], None]


def workbook(*sheets: tuple[str, list[list[Any]]]) -> Callable[[Path], None]:
    """An .xlsx writer: (sheet title, rows) per sheet, the first sheet first."""

    def write(path: Path) -> None:
        book = openpyxl.Workbook()
        for k, (title, rows) in enumerate(sheets):
            sheet = book.active if k == 0 else book.create_sheet()
            assert sheet is not None
            sheet.title = title
            for row in rows:
                sheet.append(row)
        book.save(path)

    return write


def folder(path: Path, **changes: Content | None) -> Path:
    """The base folder with ``changes`` (file name with ``.`` as ``_``: ``employees_xlsx``;
    None removes a file)."""
    files: dict[str, Content | None] = {
        "employees.csv": EMPLOYEES,
        "units.csv": UNITS,
        "demand.csv": DEMAND,
    }
    for key, content in changes.items():
        name = key.replace("_", ".", 1) if "." not in key else key
        stem = name.split(".")[0]
        for ext in (".csv", ".xlsx"):  # a table given in another format replaces the CSV
            if stem + ext != name and content is not None and stem + ext in files:
                del files[stem + ext]
        files[name] = content
    path.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if content is None:
            continue
        target = path / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        elif isinstance(content, str):
            target.write_text(content, encoding="utf-8", newline="")
        else:
            content(target)
    return path


@dataclass(frozen=True)
class Bad:
    """A folder that must be refused with an issue at (file, row, column) whose
    message holds every one of ``words``."""

    id: str
    changes: dict[str, Content | None]
    file: str
    row: int | None
    column: str | None
    words: tuple[str, ...]
    upload: bool = True  # the case can be sent to the service as a multipart upload
    only: bool = False  # the issue is the only one
    value: str | None = field(default=None)


def located(issues: tuple[InputIssue, ...], case: Bad) -> InputIssue:
    """The issue of ``case`` among ``issues`` (a clear failure message otherwise)."""
    for issue in issues:
        if (issue.file, issue.row, issue.column) == (case.file, case.row, case.column) and all(
            w in issue.message for w in case.words
        ):
            return issue
    raise AssertionError(f"no issue like {case} in:\n" + "\n".join(map(str, issues)))


E = "employees.csv"
BAD = [
    # ---------------------------------------------------------- tracebacks
    Bad(
        "xlsx-empty-required-cell",
        {
            "employees.xlsx": workbook(
                ("Sheet", [["nip", "name", "unit"], [N1, "Budi", None], [N2, "Siti", "U2"]])
            ),
            "demand.csv": "unit,role,workload_hours\nU1,,1000\nU2,,800\n",
        },
        "employees.xlsx",
        2,
        "unit",
        ("required", "fill it in"),
        only=True,
    ),
    Bad(
        "workload-1e20",
        {"demand.csv": DEMAND.replace("1000", "1e20")},
        "demand.csv",
        2,
        "workload_hours",
        ("at most 1,000,000,000 hours", "check the value"),
        only=True,
        value="1e20",
    ),
    Bad(
        "workload-1e300",
        {"demand.csv": DEMAND.replace("800", "1e300")},
        "demand.csv",
        3,
        "workload_hours",
        ("at most 1,000,000,000 hours",),
        only=True,
    ),
    Bad(
        "unit-workload-1e300",
        {
            "employees.csv": f"nip,unit\n{N1},U1\n",
            "units.csv": "unit,workload_hours\nU1,1e300\nU2,5\n",
            "demand.csv": None,
        },
        "units.csv",
        2,
        "workload_hours",
        ("at most 1,000,000,000 hours",),
        only=True,
    ),
    *(
        Bad(
            f"huge-count-{column}",
            {name: text},
            name,
            2 if name != "policy.toml" else 1,
            column,
            ("less than or equal to 1000000000", "check the value"),
            only=True,
        )
        for name, column, text in (
            ("units.csv", "max_staff", f"unit,max_staff\nU1,{'9' * 30}\nU2,\n"),
            (
                "employees.csv",
                "months_in_unit",
                EMPLOYEES.replace(",30\n", ",1" + "0" * 25 + "\n", 1),
            ),
            ("requirements.csv", "min_staff", "unit,competency,min_staff\nU1,K1,99999999999\n"),
            ("policy.toml", "max_moves", "max_moves = 9223372036854775807\n"),
        )
    ),
    Bad(
        "fte-giving-no-hours",
        {"employees.csv": f"nip,unit,role,fte\n{N1},U1,perawat,0.0001\n{N2},U2,perawat,1\n"},
        E,
        2,
        "fte",
        ("fte 0.0001 gives 0 hours a year at effective_hours 1250", "e.g. 0.5"),
        only=True,
    ),
    Bad(
        "effective-hours-tiny",
        {"policy.toml": "effective_hours = 1e-300\n"},
        "policy.toml",
        1,
        "effective_hours",
        ("greater than or equal to 1",),
        only=True,
    ),
    # ---------------------------------------------------- silent changes
    Bad(
        "nip-apostrophe-duplicate",
        {"employees.csv": EMPLOYEES + f"'{N1},Budi lagi,U1,perawat,30\n"},
        E,
        4,
        "nip",
        ("also used on row 2", "unique"),
        only=True,
        value=N1,
    ),
    Bad(
        "nip-zero-width-duplicate",
        {"employees.csv": EMPLOYEES + f"{N1}\u200b,Budi lagi,U1,perawat,30\n"},
        E,
        4,
        "nip",
        ("also used on row 2",),
        only=True,
    ),
    Bad(
        "opaque-id-apostrophe-duplicate",
        {"employees.csv": "nip,unit,role\nA-17,U1,perawat\n'A-17,U2,perawat\n"},
        E,
        3,
        "nip",
        ("also used on row 2",),
        only=True,
    ),
    Bad(
        "nip-cut-to-15-digits",
        {"employees.csv": EMPLOYEES + "197001012000011000,Ali,U1,perawat,30\n"},
        E,
        4,
        "nip",
        ("000", "15 significant digits", "format the NIP column as text"),
        only=True,
    ),
    Bad(
        "second-sheet-with-more-rows",
        {
            "employees.xlsx": workbook(
                ("Sheet1", [["nip", "unit", "role"], [N1, "U1", "perawat"]]),
                ("Sheet2", [["nip", "unit", "role"], [N2, "U2", "perawat"]]),
            )
        },
        "employees.xlsx",
        None,
        None,
        ("sheet 'Sheet2'", "only the first sheet", "move its rows to the first sheet"),
        only=True,
        value="Sheet2",
    ),
    Bad(
        "thousands-dot-in-a-mixed-column",
        {"demand.csv": "unit;role;workload_hours\nU1;perawat;3.000\nU2;perawat;0.75\n"},
        "demand.csv",
        2,
        "workload_hours",
        ("'3.000' could be 3.000 or 3000", "decimal point ('0.75')"),
        only=True,
    ),
    Bad(
        "thousands-dot-in-a-text-cell-of-a-workbook",
        {
            "demand.xlsx": workbook(
                (
                    "Sheet",
                    [
                        ["unit", "role", "workload_hours"],
                        ["U1", "perawat", "3.000"],
                        ["U2", "perawat", 800],
                    ],
                )
            )
        },
        "demand.xlsx",
        2,
        "workload_hours",
        ("'3.000' could be 3.000 or 3000", "as a number cell"),
        only=True,
    ),
    Bad(
        "role-case-in-employees",
        {"employees.csv": EMPLOYEES.replace("U2,perawat", "U2,Perawat")},
        E,
        3,
        "role",
        ("'Perawat' differs from 'perawat' (employees.csv row 2)", "upper/lower case"),
    ),
    Bad(
        "role-case-in-demand",
        {"demand.csv": DEMAND + "U1,Perawat,500\n"},
        "demand.csv",
        4,
        "role",
        ("'Perawat' differs from 'perawat'", "the same way everywhere"),
        only=True,
    ),
    Bad(
        "role-spacing-in-demand",
        {
            "demand.csv": DEMAND + "U1,perawat  ahli,5\n",
            "employees.csv": EMPLOYEES + f"{N3},Ali,U1,perawat ahli,30\n",
        },
        "demand.csv",
        4,
        "role",
        ("'perawat  ahli' differs from 'perawat ahli' (employees.csv row 4)",),
    ),
    Bad(
        "competency-case",
        {
            "employees.csv": f"nip,unit,role,competencies\n{N1},U1,perawat,BTCLS:3\n",
            "requirements.csv": "unit,competency\nU1,btcls\n",
        },
        "requirements.csv",
        2,
        "competency",
        ("competency 'btcls' differs from 'BTCLS' (employees.csv row 2)",),
        only=True,
    ),
    Bad(
        "binary-table-file",
        {"demand.csv": b"\x00\x01\x02\xff\xfe garbage"},
        "demand.csv",
        None,
        None,
        ("binary data", "export the table again"),
        only=True,
    ),
    Bad(
        "broken-workbook",
        {"demand.xlsx": b"PK\x03\x04 not really a zip"},
        "demand.xlsx",
        None,
        None,
        ("cannot read the workbook", "save it again as .xlsx"),
        only=True,
    ),
    Bad(
        "formula-without-saved-value",
        {
            "employees.xlsx": workbook(
                ("Sheet", [["nip", "unit", "role", "fte"], [N1, "U1", "perawat", "=1/2"]])
            )
        },
        "employees.xlsx",
        2,
        "fte",
        ("cell D2 holds a formula without a saved value", "save it"),
        only=True,
        value="=1/2",
    ),
    Bad(
        "unquoted-comma",
        {"employees.csv": EMPLOYEES + f"{N3},Ali, S.Kep,U1,perawat,30\n"},
        E,
        4,
        None,
        ("6 values but the header has 5 columns", "double quotes"),
        only=True,
    ),
    Bad(
        "unquoted-comma-shifting-columns",
        {"employees.csv": EMPLOYEES + f"{N3},Ali, S.Kep,U1,perawat\n"},
        E,
        4,
        "months_in_unit",
        ("whole number", "put that value in double quotes", "moved one column to the right"),
        only=True,
        value="perawat",
    ),
    Bad(
        "unquoted-comma-shifting-a-unit",
        {"employees.csv": f"nip,name,unit,role\n{N1},Budi,U1,perawat\n{N3},Ali, S.Kep,U1\n"},
        E,
        3,
        "unit",
        ("unit 'S.Kep' is not in units.csv", "put that value in double quotes"),
    ),
    # --------------------------------------------------- unclear answers
    Bad(
        "siasn-nip",
        {"employees.csv": f"nipBaru,nama,unorNama,jabatanNama\n{N1},Budi,U1,perawat\n"},
        E,
        1,
        "nip",
        ("required column 'nip' is missing", "'nipBaru' looks like it", "rename it to 'nip'"),
    ),
    Bad(
        "siasn-unit",
        {"employees.csv": f"nipBaru,nama,unorNama,jabatanNama\n{N1},Budi,U1,perawat\n"},
        E,
        1,
        "unit",
        ("'unorNama' looks like it", "rename it to 'unit'"),
    ),
    Bad(
        "siasn-role",
        {"employees.csv": f"nipBaru,nama,unorNama,jabatanNama\n{N1},Budi,U1,perawat\n"},
        E,
        1,
        "jabatanNama",
        ("looks like 'role'", "Rename the column to 'role'"),
    ),
    Bad(
        "title-rows-above-the-header",
        {"employees.csv": "DAFTAR PEGAWAI\nPemerintah Kota Binjai\n\n" + EMPLOYEES},
        E,
        4,
        None,
        ("the header seems to be on row 4", "delete the 3 rows above it"),
        only=True,
    ),
    Bad(
        "title-rows-with-windows-line-endings",
        {"employees.csv": ("DAFTAR PEGAWAI\n\n" + EMPLOYEES).replace("\n", "\r\n")},
        E,
        3,
        None,
        ("the header seems to be on row 3", "delete the 2 rows above it"),
        only=True,
    ),
    Bad(
        "title-rows-in-a-workbook",
        {
            "employees.xlsx": workbook(
                (
                    "Sheet",
                    [["REKAP ASN 2026"], [None], ["nip", "unit", "role"], [N1, "U1", "perawat"]],
                )
            )
        },
        "employees.xlsx",
        3,
        None,
        ("the header seems to be on row 3", "delete the 2 rows above it"),
        only=True,
    ),
    Bad(
        "policy-cp1252",
        {"policy.toml": "# kebijakan \u2013 2026\nmax_moves = 5\n".encode("cp1252")},
        "policy.toml",
        1,
        None,
        ("byte 0x96 on line 1 is not UTF-8", "save it as UTF-8"),
        only=True,
    ),
    Bad(
        "policy-cp1252-line-3",
        {"policy.toml": "max_moves = 5\n\n# r\u00e9gle\n".encode("cp1252")},
        "policy.toml",
        3,
        None,
        ("line 3",),
        only=True,
    ),
    Bad(
        "comma-separated-unit-list",
        {
            "employees.csv": "nip,unit,role,refused_units\n"
            f'{N1},U1,perawat,"U2, U3"\n{N2},U2,perawat,\n',
            "units.csv": UNITS + "U3,Tiga\n",
        },
        E,
        2,
        "refused_units",
        ("'U2', 'U3' are", "separate the units of a list with ';' (write U2;U3)"),
        only=True,
    ),
    Bad(
        "invisible-character-in-a-unit-id",
        {"employees.csv": EMPLOYEES.replace("Budi,U1", "Budi,U1\u200b")},
        E,
        2,
        "unit",
        ("invisible character", "delete it (unit 'U1' is in units.csv)"),
        only=True,
        value="U1\u200b",
    ),
    Bad(
        "invisible-character-in-a-role",
        {"employees.csv": EMPLOYEES.replace("Siti,U2,perawat", "Siti,U2,pera\u200bwat")},
        E,
        3,
        "role",
        ("differs from 'perawat' (employees.csv row 2)",),
    ),
    Bad(
        "unit-id-in-another-case",
        {"employees.csv": EMPLOYEES.replace("Budi,U1", "Budi,u1")},
        E,
        2,
        "unit",
        ("unit 'u1' is not in units.csv, but 'U1' is", "write it the same way"),
        only=True,
    ),
    Bad(
        "unit-code-without-its-leading-zeros",
        {
            "employees.xlsx": workbook(("Sheet", [["nip", "unit"], [N1, 7], [N2, "012"]])),
            "units.csv": "unit,workload_hours\n007,100\n012,100\n",
            "demand.csv": None,
        },
        "employees.xlsx",
        2,
        "unit",
        ("unit '7' is not in units.csv, but '007' is", "leading zeros", "column as text"),
        only=True,
    ),
    Bad(
        "empty-table-file",
        {"demand.csv": ""},
        "demand.csv",
        None,
        None,
        ("the file is empty", "unit, role, workload_hours", "or delete the file"),
        only=True,
    ),
    Bad(
        "comma-separated-competencies",
        {"employees.csv": f'nip,unit,role,competencies\n{N1},U1,perawat,"K1:3, K2:2"\n'},
        E,
        2,
        "competencies",
        ("separate competencies with ';'",),
        only=True,
    ),
    Bad(
        "employment-type-under-an-unknown-name",
        {"employees.csv": f"nip,unit,role,status_asn\n{N1},U1,perawat,PPPK\n"},
        E,
        1,
        "status_asn",
        ("looks like 'employment_type'", "without it every row gets the default"),
        only=True,
    ),
    Bad(
        "employment-type-recognised-by-its-values",
        {"employees.csv": f"nip,unit,role,ket\n{N1},U1,perawat,PPPK\n{N2},U2,perawat,PNS\n"},
        E,
        1,
        "ket",
        ("looks like 'employment_type'", "Rename the column to 'employment_type'"),
        only=True,
    ),
]


@pytest.mark.parametrize("case", BAD, ids=[c.id for c in BAD])
def test_refused_with_its_location(tmp_path: Path, case: Bad) -> None:
    with pytest.raises(InputError) as err:
        read_folder(folder(tmp_path, **case.changes))
    issue = located(err.value.issues, case)
    if case.only:
        assert err.value.issues == (issue,)
    if case.value is not None:
        assert issue.value == case.value


@pytest.fixture(scope="module")
def client() -> Any:
    with TestClient(create_app(Settings())) as c:
        yield c


@pytest.mark.parametrize("case", [c for c in BAD if c.upload], ids=[c.id for c in BAD if c.upload])
def test_the_service_answers_422_with_the_same_issue(
    tmp_path: Path, client: Any, case: Bad
) -> None:
    path = folder(tmp_path, **case.changes)
    files = {p.stem: (p.name, p.read_bytes()) for p in path.iterdir()}
    r = client.post("/v1/validate", files=files)
    assert r.status_code == 422, r.text
    issues = tuple(InputIssue(**i) for i in r.json()["issues"])
    located(issues, case)


# ------------------------------------------------------------ values read
def _employees(path: Path) -> list[tuple[str, str, str, str]]:
    return [(e.nip, e.unit, e.role, e.employment_type) for e in read_folder(path).employees]


def test_cr_only_and_mixed_line_endings_are_read_exactly(tmp_path: Path) -> None:
    expected = [(N1, "U1", "perawat", "PNS"), (N2, "U2", "perawat", "PNS")]
    for k, ending in enumerate(("\r", "\r\n", "\n")):
        text = EMPLOYEES.replace("\n", ending)
        assert _employees(folder(tmp_path / str(k), employees_csv=text)) == expected
    mixed = EMPLOYEES.replace("\n", "\r", 1)  # header ends in CR, the rest in LF
    assert _employees(folder(tmp_path / "mixed", employees_csv=mixed)) == expected


def test_a_policy_with_cr_only_line_endings_is_read(tmp_path: Path) -> None:
    policy = "max_moves = 7\rmin_months_in_unit = 12\r"
    problem = read_folder(folder(tmp_path, policy_toml=policy))
    assert (problem.policy.max_moves, problem.policy.min_months_in_unit) == (7, 12)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-16", "cp1252", "utf-8-sig"])
def test_encodings_without_a_mark_are_read_exactly(tmp_path: Path, encoding: str) -> None:
    text = EMPLOYEES.replace("Siti", "Siti Aisyah Ré")
    problem = read_folder(folder(tmp_path, employees_csv=text.encode(encoding)))
    assert [e.name for e in problem.employees] == ["Budi", "Siti Aisyah Ré"]


def test_a_nip_with_excels_apostrophe_is_the_nip(tmp_path: Path) -> None:
    text = EMPLOYEES.replace(N1, f"'{N1}").replace(N2, f" \u200b{N2}\u2060 ")
    warnings: list[InputIssue] = []
    problem = read_folder(folder(tmp_path, employees_csv=text), warnings=warnings)
    assert [e.nip for e in problem.employees] == [N1, N2]
    assert problem.employees[0].nip.birth_date is not None  # a structured NIP, not opaque
    [warning] = warnings
    assert (warning.file, warning.row, warning.column) == (E, 3, "nip")
    assert "invisible characters" in warning.message and "row 3" in warning.message


@pytest.mark.parametrize(
    "written",
    [f"'{N1}", f"\u200b{N1}", f"{N1}\ufeff", f"{N1}.0", f" '{N1} ", f"{N1[:8]} {N1[8:14]} 1 001"],
)
def test_every_spelling_of_a_nip_is_the_nip(written: str) -> None:
    assert parse_nip(written) == N1 and parse_nip(written).is_structured


def test_the_nip_rule_and_its_vectorised_twin_agree_on_cut_nips() -> None:
    cut = "198501012010011000"
    assert nip_problem(cut) is not None and "15 significant digits" in nip_problem(cut)  # type: ignore[operator]
    assert nips_well_formed([cut, N1]).tolist() == [False, True]
    assert parse_nip(f"'{N1}") == N1
    with pytest.raises(ValueError, match="15 significant digits"):
        parse_nip(cut)


@pytest.mark.parametrize(
    ("cell", "hours"),
    [
        ("3.000", 3000.0),
        ("1.250.000", 1250000.0),
        ("2.500,5", 2500.5),
        ("2,5", 2.5),
        ("12", 12.0),
        ("0.333", 0.333),
    ],
)
def test_indonesian_thousands_dot_in_a_decimal_comma_file(
    tmp_path: Path, cell: str, hours: float
) -> None:
    demand = f"unit;role;workload_hours\nU1;perawat;{cell}\nU2;perawat;800\n"
    problem = read_folder(folder(tmp_path, demand_csv=demand))
    assert [d.workload_hours for d in problem.demand] == [hours, 800.0]


def test_a_decimal_point_file_keeps_its_points(tmp_path: Path) -> None:
    demand = "unit,role,workload_hours\nU1,perawat,3.000\nU2,perawat,0.75\n"
    problem = read_folder(folder(tmp_path, demand_csv=demand))
    assert [d.workload_hours for d in problem.demand] == [3.0, 0.75]


TASKS = "unit,role,task,volume,period,minutes\n"


@pytest.mark.parametrize(
    ("volume", "row", "words"),
    [
        ("3.000", 2, ("'3.000' could be 3.000", "3000", "without a thousands separator")),
        ("1e300", 2, ("at most 1,000,000,000",)),
        ("inf", 2, ("must be a number",)),
    ],
)
def test_abk_task_sheets_refuse_ambiguous_and_huge_volumes(
    tmp_path: Path, volume: str, row: int, words: tuple[str, ...]
) -> None:
    path = tmp_path / "tasks.csv"
    path.write_text(TASKS + f"U1,perawat,Asuhan,{volume},hari,30\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_tasks(path)
    [issue] = err.value.issues
    assert (issue.file, issue.row, issue.column) == ("tasks.csv", row, "volume")
    assert all(w in issue.message for w in words), issue.message


@pytest.mark.parametrize(
    ("volume", "minutes", "hours"),
    [("3.000", "1", 240 * 3000 / 60), ("2,5", "1.200", 240 * 2.5 * 1200 / 60)],
)
def test_abk_task_sheets_with_a_decimal_comma_read_the_thousands_dot(
    tmp_path: Path, volume: str, minutes: str, hours: float
) -> None:
    path = tmp_path / "tasks.csv"
    path.write_text(
        TASKS.replace(",", ";") + f"U1;perawat;Asuhan;{volume};hari;{minutes}\n", encoding="utf-8"
    )
    [task] = read_tasks(path)
    assert task.hours(mo.workload.BKN_2011) == pytest.approx(hours)


def test_abk_task_sheets_mixing_notations_refuse_the_ambiguous_cell(tmp_path: Path) -> None:
    path = tmp_path / "tasks.csv"
    rows = "U1;perawat;A;3.000;hari;30\nU1;perawat;B;0.5;hari;30\n"
    path.write_text(TASKS.replace(",", ";") + rows, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_tasks(path)
    [issue] = err.value.issues
    assert (issue.row, issue.column, issue.value) == (2, "volume", "3.000")
    assert "also uses a point as the decimal point ('0.5')" in issue.message


def test_abk_tasks_adding_up_to_too_many_hours_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "tasks.csv"
    path.write_text(TASKS + "U1,perawat,Asuhan,1000000000,hari,1000000000\n", encoding="utf-8")
    tasks = read_tasks(path)
    with pytest.raises(InputError) as err:
        mo.workload.abk_to_demand(tasks)
    [issue] = err.value.issues
    assert "unit 'U1', role 'perawat'" in issue.message and "norma waktu" in issue.message


def test_other_sheets_are_named_in_the_warnings(tmp_path: Path) -> None:
    book = workbook(
        ("Pegawai", [["nip", "unit", "role"], [N1, "U1", "perawat"], [N2, "U2", "perawat"]]),
        ("Catatan", [["dibuat oleh", "tanggal"], ["BKPSDM", "2026-01-05"]]),
        ("Kosong", []),
    )
    warnings: list[InputIssue] = []
    problem = read_folder(folder(tmp_path, employees_xlsx=book), warnings=warnings)
    assert len(problem.employees) == 2
    assert [(w.file, w.value) for w in warnings] == [("employees.xlsx", "Catatan")]
    assert "sheet 'Catatan' is not read" in warnings[0].message


def test_ignored_columns_are_named_with_what_they_look_like(tmp_path: Path) -> None:
    text = (
        "nip,nama,unit_kerja,jabatan,jenis_pegawai,gol_ruang_akhir,catatan\n"
        f"{N1},Budi,U1,perawat,PNS,III/a,-\n{N2},Siti,U2,perawat,PPPK,II/b,cuti\n"
    )
    warnings: list[InputIssue] = []
    read_folder(folder(tmp_path, employees_csv=text), warnings=warnings)
    shown = {w.column: w.message for w in warnings}
    assert set(shown) == {"gol_ruang_akhir", "catatan"}
    assert "rename it to 'rank'" in shown["gol_ruang_akhir"]
    assert shown["catatan"] == "not a known column; ignored"


def test_the_suggested_column_is_another_systems_name_of_it(tmp_path: Path) -> None:
    text = f"nip_atasan,nipLama,nipBaru,unit,role\n{N2},123,{N1},U1,perawat\n"
    with pytest.raises(InputError) as err:
        read_folder(folder(tmp_path, employees_csv=text))
    [issue] = err.value.issues
    assert (issue.row, issue.column) == (1, "nip")
    assert "column 'nipBaru' looks like it" in issue.message


def test_a_look_alike_of_a_present_column_is_only_a_warning(tmp_path: Path) -> None:
    text = f"nip,unit,role,nama_unit\n{N1},U1,perawat,Satu\n{N2},U2,perawat,Dua\n"
    warnings: list[InputIssue] = []
    read_folder(folder(tmp_path, employees_csv=text), warnings=warnings)
    [warning] = warnings
    assert warning.column == "nama_unit"
    assert "looks like 'unit', which is column 'unit'" in warning.message


@pytest.mark.parametrize(
    ("name", "make", "words"),
    [
        ("requirements.csv", lambda p: p.mkdir(), "is a folder"),
        ("requirements.xlsx", lambda p: p.symlink_to(p.parent / "gone.xlsx"), "broken link"),
        ("policy.toml", lambda p: p.mkdir(), "is a folder"),
    ],
    ids=["folder", "broken-link", "policy-folder"],
)
def test_a_table_name_that_is_no_file_is_not_an_absent_table(
    tmp_path: Path, name: str, make: Callable[[Path], None], words: str
) -> None:
    path = folder(tmp_path)
    make(path / name)
    with pytest.raises(InputError) as err:
        read_folder(path)
    [issue] = err.value.issues
    assert issue.file == name and words in issue.message


def test_two_files_differing_only_in_case_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = folder(tmp_path)
    (path / "Units.CSV").write_text("unit\nU1\nU2\nU3\n", encoding="utf-8")
    if "units.csv" not in {p.name for p in path.iterdir()}:
        # a file system that folds case (macOS, Windows) keeps one file for both
        # names: the folder is listed as one that keeps case would list it
        _list_both_cases(monkeypatch, path, "units.csv", "Units.CSV")
    with pytest.raises(InputError) as err:
        read_folder(path)
    [issue] = err.value.issues
    assert "Units.CSV" in issue.message and "units.csv" in issue.message
    assert "keep only one of them" in issue.message


def _list_both_cases(monkeypatch: pytest.MonkeyPatch, path: Path, *names: str) -> None:
    """Make ``path.iterdir()`` list ``names`` (all one file on this file system)."""
    real = Path.iterdir

    def iterdir(self: Path) -> Iterator[Path]:
        if self != path:
            return real(self)
        keys = {n.lower() for n in names}
        kept = [p for p in real(self) if p.name.lower() not in keys]
        return iter(kept + [path / n for n in names])

    monkeypatch.setattr(Path, "iterdir", iterdir)


def test_a_table_that_cannot_be_opened_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the read is refused as the OS refuses a file without read rights (a chmod 0
    # would not do here: the tests may run as root, who can read any file)
    path = folder(tmp_path)
    real = Path.read_bytes

    def refused(self: Path) -> bytes:
        if self.name == "demand.csv":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", refused)
    with pytest.raises(InputError) as err:
        read_folder(path)
    [issue] = err.value.issues
    assert issue.file == "demand.csv" and "cannot read the file" in issue.message


def history_issue(path: Path, text: str) -> InputIssue:
    """The one issue of a history file holding ``text``."""
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_history(path)
    [issue] = err.value.issues
    return issue


def test_history_rows_are_the_spreadsheet_rows(tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    text = f"nip,from_unit,to_unit,date\n'{N1},U1,U2,2025-01-02\n\n{N2},U2,U1,2025-13-01\n"
    issue = history_issue(path, text)
    assert (issue.row, issue.column, issue.value) == (4, "date", "2025-13-01")
    path.write_text(f"nip,from_unit,to_unit,date\n\n'{N1},U1,U2,2025-01-02\n", encoding="utf-8")
    [move] = read_history(path)
    assert (move.nip, move.row) == (N1, 3)


def test_the_service_answers_the_warnings_of_an_upload(tmp_path: Path, client: Any) -> None:
    text = EMPLOYEES.replace("months_in_unit\n", "months_in_unit,catatan\n", 1)
    book = workbook(
        ("Pegawai", [["nip", "unit", "role"], [N1, "U1", "perawat"], [N2, "U2", "perawat"]]),
        ("Catatan", [["dibuat oleh"], ["BKPSDM"]]),
    )
    for changes, expected in (
        ({"employees_csv": text}, [("employees.csv", 1, "catatan", None)]),
        ({"employees_xlsx": book}, [("employees.xlsx", None, None, "Catatan")]),
    ):
        path = folder(tmp_path / str(len(expected) + len(changes)) / next(iter(changes)), **changes)
        files = {p.stem: (p.name, p.read_bytes()) for p in path.iterdir()}
        r = client.post("/v1/validate", files=files)
        assert r.status_code == 200, r.text
        got = [(w["file"], w["row"], w["column"], w["value"]) for w in r.json()["warnings"]]
        assert got == expected


def test_deeply_nested_json_is_refused(client: Any) -> None:
    deep = '{"employees": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(InputError) as err:
        problem_from_json(deep)
    assert "nested too deeply" in err.value.issues[0].message
    r = client.post("/v1/validate", content=deep, headers={"content-type": "application/json"})
    assert r.status_code == 422 and r.json()["issues"][0]["message"]


def test_the_service_refuses_huge_numbers_in_a_json_problem(client: Any, tmp_path: Path) -> None:
    document = mo.problem_to_json(read_folder(folder(tmp_path)))
    document["demand"][1]["workload_hours"] = 1e300
    r = client.post("/v1/validate", json=document)
    assert r.status_code == 422, r.text
    [issue] = r.json()["issues"]
    assert (issue["row"], issue["column"]) == (2, "workload_hours")
    assert "at most 1,000,000,000 hours" in issue["message"]


# ------------------------------------------------------------------- CLI
def test_cli_usage_mistakes_exit_1_without_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = folder(tmp_path / "data")
    other = folder(tmp_path / "other")
    before = (data / "units.csv").read_bytes()
    a_file = tmp_path / "plan.txt"
    a_file.write_text("x", encoding="utf-8")
    for argv, words in (
        (["--max-moves", "-5", "--out", str(tmp_path / "o")], "--max-moves: must be at least 0"),
        (["--max-moves", "many", "--out", str(tmp_path / "o")], "expected a whole number"),
        (["--out", str(a_file)], "exists and is not a folder"),
        (["--out", str(data)], "is the data folder"),
        (["--out", str(data / ".")], "would overwrite its units.csv"),
        (["--out", str(other)], "is a data folder (it holds employees.csv)"),
        (["--max-moves", "1" + "0" * 20, "--out", str(tmp_path / "o")], "at most 1,000,000,000"),
        (["--workers", "99999999999", "--out", str(tmp_path / "o")], "at most 1024 threads"),
    ):
        try:
            code = main(["solve", str(data), "--time-limit", "1", *argv])
        except SystemExit as exit_:  # argparse refuses the option
            code = int(str(exit_.code))
        assert code == 1
        err = capsys.readouterr().err
        assert words in err and "Traceback" not in err, err
    assert (data / "units.csv").read_bytes() == before
    assert a_file.read_text(encoding="utf-8") == "x"
    assert main(["serve", "--write-openapi", str(data)]) == 1  # a folder where a file goes
    err = capsys.readouterr().err
    assert f"error: {data}: Is a directory" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()


def test_write_plan_refuses_a_data_folder(tmp_path: Path) -> None:
    data = folder(tmp_path / "data")
    before = {p.name: p.read_bytes() for p in data.iterdir()}
    plan = mo.solve(read_folder(data), time_limit=1, workers=1)
    with pytest.raises(FileExistsError, match="is a data folder"):
        mo.write_plan(plan, data)
    assert {p.name: p.read_bytes() for p in data.iterdir()} == before
    assert (mo.write_plan(plan, tmp_path / "plan") / "units.csv").is_file()


def test_validate_prints_the_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = EMPLOYEES.replace("months_in_unit\n", "months_in_unit,catatan\n", 1)
    data = folder(tmp_path, employees_csv=text)
    assert main(["validate", str(data)]) == 0
    out = capsys.readouterr().out
    head = out.split("\n")[:4]
    assert head[0].endswith(": valid") and head[2] == "1 warning:"
    assert head[3] == "  - employees.csv, row 1, column 'catatan': not a known column; ignored"
    assert main(["validate", str(data), "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [w["column"] for w in document["warnings"]] == ["catatan"]
    broken = folder(tmp_path / "broken", employees_csv=text.replace(",U2,", ",U9,"))
    assert main(["validate", str(broken)]) == 1
    err = capsys.readouterr().err
    assert "column 'catatan': not a known column; ignored" in err  # also when invalid
    assert "row 3, column 'unit' (value 'U9')" in err
    assert main(["validate", str(broken), "--json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["status"] == "invalid"
    assert [w["column"] for w in document["warnings"]] == ["catatan"]
    assert [(i["row"], i["column"]) for i in document["issues"]] == [(3, "unit")]


CONTROL = "\x1b[2J\x1b]0;pwned\x07\x9b31m\u202e"
#: The control characters in CONTROL (the rest is the text of the sequences).
CONTROLS = "\x1b\x07\x9b\u202e"


def test_terminal_output_has_no_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = folder(tmp_path, units_csv=f"unit,name\nU1,Satu{CONTROL}\nU2,Dua\n")
    assert main(["validate", str(data)]) == 0
    out, err = capsys.readouterr()
    assert "Satu\\u001b[2J\\u001b]0;pwned\\u0007\\u009b31m\\u202e" in out
    assert not any(c in out + err for c in CONTROLS)
    bad = folder(tmp_path / "bad", units_csv=f"unit,name\nU1{CONTROL},Satu\nU2,Dua\n")
    assert main(["validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "U1" in err and not any(c in err for c in CONTROLS)
    assert printable("a\tb\nc") == "a\tb\nc"


# -------------------------------------------------------------- reports
FORMULAS = ['=HYPERLINK("http://x","klik")', "+62811", "-1+1", "@SUM(A1)"]


def test_the_excel_report_keeps_formula_like_text_as_text(tmp_path: Path) -> None:
    rows = "".join(
        f'{n},"{name.replace(chr(34), chr(34) * 2)}",U1,perawat,30\n'
        for n, name in zip((N1, N2, N3, "196501012000011004"), FORMULAS, strict=True)
    )
    data = folder(
        tmp_path / "data",
        employees_csv="nip,name,unit,role,months_in_unit\n" + rows,
        units_csv=f"unit,name\nU1,{FORMULAS[0].replace(',', ';')}\nU2,Dua{CONTROL}\n",
    )
    plan = mo.solve(read_folder(data), time_limit=2, workers=1)
    assert plan.moves["name"].tolist(), "the plan should move someone"
    path = mo.write_report(plan, tmp_path / "report.xlsx", lang="en")
    book = openpyxl.load_workbook(path)
    seen = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@" and len(cell.value) > 2:
                    assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.value)
                    seen.add(cell.value)
    moved = set(plan.moves["name"]) & set(FORMULAS)
    assert moved and moved <= seen
    assert FORMULAS[0].replace(",", ";") in seen  # the unit's name in the unit table


def test_write_folder_keeps_formula_like_text_as_text(tmp_path: Path) -> None:
    employees = tuple(
        mo.Employee(nip=n, name=name, unit="U1", role="perawat")
        for n, name in zip((N1, N2, N3, "196501012000011004"), FORMULAS, strict=True)
    )
    problem = mo.Problem(
        employees=employees,
        units=(mo.Unit(unit="U1"), mo.Unit(unit="U2")),
        demand=(mo.Demand(unit="U1", role="perawat", workload_hours=10),),
    )
    path = mo.write_folder(problem, tmp_path / "out", format="xlsx")
    sheet = openpyxl.load_workbook(path / "employees.xlsx").active
    assert sheet is not None
    cells = [c for c in next(sheet.iter_cols(min_col=2, max_col=2, min_row=2))]
    assert [c.value for c in cells] == FORMULAS
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    assert read_folder(path) == problem


def test_a_batch_region_with_an_empty_required_xlsx_cell_is_an_invalid_region(
    tmp_path: Path,
) -> None:
    from mutasi_opt.batch import BatchError, _run_task, _Task

    case = BAD[0]
    path = folder(tmp_path / "kota", **case.changes)
    result = _run_task(_Task(0, "kota", str(path), {}))  # what a worker runs, in-process
    assert isinstance(result, BatchError) and result.kind == "invalid"
    assert [(i["file"], i["row"], i["column"]) for i in result.issues] == [
        ("employees.xlsx", 2, "unit")
    ]


TASK_ROW = ["U1", "perawat", "Asuhan", "3", "hari", "30"]


@pytest.mark.parametrize(
    ("name", "content", "row", "words"),
    [
        (
            "tasks.csv",
            "ANALISIS BEBAN KERJA 2026\n\n" + TASKS + ",".join(TASK_ROW) + "\n",
            3,
            ("the header seems to be on row 3", "delete the 2 rows above it"),
        ),
        (
            "tasks.xlsx",
            workbook(("ABK", [["ABK DINKES"], TASKS.strip().split(","), TASK_ROW])),
            2,
            ("the header seems to be on row 2", "delete the 1 row above it"),
        ),
        (
            "tasks.xlsx",
            workbook(
                ("PKM1", [TASKS.strip().split(","), TASK_ROW]),
                ("PKM2", [TASKS.strip().split(","), ["U2", *TASK_ROW[1:]]]),
            ),
            None,
            ("sheet 'PKM2' has the same columns as the first sheet", "move its rows"),
        ),
    ],
    ids=["csv-title-rows", "xlsx-title-row", "xlsx-second-sheet"],
)
def test_abk_task_sheets_name_title_rows_and_other_sheets(
    tmp_path: Path, name: str, content: Content, row: int | None, words: tuple[str, ...]
) -> None:
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        assert callable(content)
        content(path)
    with pytest.raises(InputError) as err:
        read_tasks(path)
    [issue] = err.value.issues
    assert (issue.file, issue.row) == (name, row)
    assert all(w in issue.message for w in words), issue.message


def test_a_history_below_a_title_row_is_located(tmp_path: Path) -> None:
    text = f"Riwayat mutasi 2025\nnip,from_unit,to_unit,date\n{N1},U1,U2,2025-01-02\n"
    issue = history_issue(tmp_path / "history.csv", text)
    assert issue.row == 2 and "the header seems to be on row 2" in issue.message


@pytest.mark.parametrize("extra", ["1e20", "1e300"])
def test_a_surge_too_large_for_the_arithmetic_is_refused(tmp_path: Path, extra: str) -> None:
    problem = read_folder(folder(tmp_path / "data"))
    path = tmp_path / "surges.csv"
    path.write_text(
        f"surge,unit,role,start,end,extra_fte\nV1,U1,perawat,2026-01,2026-03,{extra}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        read_surges(path, problem)
    [issue] = err.value.issues
    assert (issue.file, issue.row, issue.column, issue.value) == (
        "surges.csv",
        2,
        "extra_fte",
        extra,
    )
    assert "at most 1,000,000,000 FTE" in issue.message


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("requirement.csv", "looks like the requirements table, which the folder lacks"),
        ("Requirements (1).xlsx", "rename it to requirements.csv or requirements.xlsx"),
        ("requirements.csv.csv", "looks like the requirements table"),
        ("kebijakan.toml", "looks like the policy file, which the folder lacks"),
    ],
)
def test_a_file_like_a_missing_table_is_refused(tmp_path: Path, name: str, words: str) -> None:
    path = folder(tmp_path)
    (path / name).write_bytes(b"unit,competency\nU1,K1\n")
    with pytest.raises(InputError) as err:
        read_folder(path)
    [issue] = err.value.issues
    assert issue.file == name and words in issue.message and "is not read" in issue.message


def test_files_that_are_not_read_are_named_in_the_warnings(tmp_path: Path) -> None:
    path = folder(tmp_path)
    for name in ("Employees (1).csv", "catatan.docx", "history.csv", "surges.csv", ".DS_Store"):
        (path / name).write_text("x", encoding="utf-8")
    warnings: list[InputIssue] = []
    read_folder(path, warnings=warnings)
    assert [w.file for w in warnings] == ["Employees (1).csv", "catatan.docx"]
    assert all("is not read" in w.message for w in warnings)


def test_a_missing_required_cell_of_a_dataframe_is_located() -> None:
    import pandas as pd

    employees = pd.DataFrame(
        {"nip": [N1, N2], "unit": ["U1", None], "role": ["perawat", "perawat"]}
    )
    units = pd.DataFrame({"unit": ["U1", "U2"]})
    demand = pd.DataFrame(
        {
            "unit": ["U1", "U2"],
            "role": ["perawat", "perawat"],
            "workload_hours": [1.0, float("nan")],
        }
    )
    with pytest.raises(InputError) as err:
        mo.Problem.from_frames(employees=employees, units=units, demand=demand)
    assert [(i.file, i.row, i.column) for i in err.value.issues] == [
        ("employees", 3, "unit"),
        ("demand", 3, "workload_hours"),
    ]


@pytest.mark.parametrize(
    ("data", "line", "seed"),
    [
        (b"[solve]\rseed = 3\r", None, 3),
        (b"[solve]\r\nseed = 4\r\n", None, 4),
        (b"# r\xe9gle\n[solve]\nseed = 3\n", 1, None),
        (b"[solve]\rseed = 3\r# \x96\r", 3, None),
    ],
    ids=["cr-only", "crlf", "cp1252-line-1", "cp1252-line-3-cr-only"],
)
def test_solve_parameters_files_read_like_policy_files(
    tmp_path: Path, data: bytes, line: int | None, seed: int | None
) -> None:
    path = tmp_path / "params.toml"
    path.write_bytes(data)
    if seed is not None:
        assert mo.SolveParams.from_toml(path).seed == seed
        return
    with pytest.raises(InputError) as err:
        mo.SolveParams.from_toml(path)
    [issue] = err.value.issues
    assert issue.row == line and f"on line {line} is not UTF-8" in issue.message
