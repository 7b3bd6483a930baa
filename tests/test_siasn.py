"""SIASN staff exports read as they come out of SIASN and Excel (issue 16).

The round trip renders a problem as a SIASN export (title rows, SIASN field
names, NIPs with Excel's apostrophe or as the number with ``.0``, dates
``dd/mm/yyyy``, ``dd-mm-yyyy`` and with Indonesian month names, trailing empty
rows and columns, inactive staff), reads it back with :func:`read_siasn` and
writes it as our own folder: every step is exact.  Bad cells are refused with
file, row and SIASN column.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pytest

import mutasi_opt as mo
from mutasi_opt import InputError, InputIssue, Problem, metrics
from mutasi_opt.cli import main
from mutasi_opt.domain.values import add_months, parse_date
from mutasi_opt.io.siasn import read_siasn, retirement_age_of_post
from mutasi_opt.sample import load_sample

REF = dt.date(2026, 7, 1)
MONTHS = "Januari Februari Maret April Mei Juni Juli Agustus September Oktober November Desember"
HEADER = [
    "No", "nipBaru", "nama", "tglLahir", "jenisKelamin", "jenisPegawaiNama",
    "kedudukanPnsNama", "unorId", "jabatanNama", "jenisJabatan", "tmtJabatan",
    "golRuangAkhir", "bupPensiun", "tmtPensiun", "fte", "competencies", "locked",
    "refused_units", "preferred_units",
]  # fmt: skip
TITLES = [["DAFTAR PEGAWAI NEGERI SIPIL PEMERINTAH KOTA BINJAI"], ["Posisi data: 1 Juli 2026"], []]


def siasn_rows(problem: Problem, *, as_numbers: bool = False) -> list[list[Any]]:
    """The employees of ``problem`` as a SIASN export's rows (header first): every
    field of the model in SIASN's form, months in the unit as a tmtJabatan at REF."""
    rows: list[list[Any]] = [HEADER]
    for k, e in enumerate(problem.employees):
        born = e.born
        assert born is not None
        if k % 3 == 0:
            tgl: Any = f"{born.day} {MONTHS.split()[born.month - 1]} {born.year}"
        elif k % 3 == 1:
            tgl = born.strftime("%d/%m/%Y")
        else:
            tgl = dt.datetime(born.year, born.month, born.day) if as_numbers else born.isoformat()
        start = None if e.months_in_unit is None else add_months(REF, -e.months_in_unit)
        nip: Any = str(e.nip)
        if as_numbers and k % 2:
            nip = f"'{nip}"  # Excel's "this is text" mark
        elif not as_numbers and k % 2:
            nip = f"{nip}.0"  # the number with its decimal part, as text
        rows.append(
            [
                k + 1,
                nip,
                e.name,
                tgl,
                "Laki-laki" if e.nip.gender == "M" else "Perempuan",
                "PPPK" if e.employment_type == "PPPK" else ("PNS Daerah" if k % 2 else "CPNS"),
                e.inactive or "Aktif",
                e.unit,
                e.role,
                "Fungsional" if k % 2 else "Pelaksana",
                "" if start is None else start.strftime("%d-%m-%Y"),
                "" if e.rank is None else e.rank.value,
                "" if e.retirement_age is None else e.retirement_age,
                add_months(
                    dt.date(born.year + (e.retirement_age or 58), born.month, 1), 1
                ).strftime("%d/%m/%Y"),
                e.fte,
                "|".join(f"{c}:{lv}" for c, lv in e.competencies),
                "ya" if e.locked else "tidak",
                "|".join(e.refused_units),
                "|".join(e.preferred_units),
            ]
        )
    return rows


def write_csv(path: Path, rows: list[list[Any]]) -> None:
    lines = [";".join(str(v) for v in r) for r in TITLES]
    lines += [";".join(str(v) for v in r) + ";;" for r in rows]  # trailing empty columns
    path.write_text("\n".join(lines) + "\n;;;;\n\n;\n", encoding="utf-8")  # trailing empty rows


def write_xlsx(path: Path, rows: list[list[Any]]) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for record in [*TITLES, *rows, [], [None, None]]:
        sheet.append(record)
    book.save(path)


def siasn_folder(tmp_path: Path, problem: Problem, fmt: str = "csv", **kw: Any) -> Path:
    """``problem``'s folder with its employees as a SIASN export."""
    folder = mo.write_folder(problem, tmp_path / "siasn")
    (folder / "employees.csv").unlink()
    rows = siasn_rows(problem, as_numbers=fmt == "xlsx", **kw)
    (write_csv if fmt == "csv" else write_xlsx)(folder / f"siasn.{fmt}", rows)
    return folder


def with_siasn_fields(problem: Problem) -> Problem:
    """``problem`` as a SIASN export describes it: birth dates written out, and the
    sample's staff with a few inactive and with explicit BUPs."""
    emps = []
    for k, e in enumerate(problem.employees):
        inactive = (
            ("Tugas Belajar", "CLTN", "Pemberhentian Sementara")[k % 3] if k % 97 == 5 else ""
        )
        emps.append(
            e.replace(
                birth_date=e.born, inactive=inactive, retirement_age=60 if k % 89 == 3 else None
            )
        )
    return problem.replace(employees=tuple(emps))


@pytest.fixture(scope="module")
def sample() -> Problem:
    return with_siasn_fields(load_sample())


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_siasn_export_round_trips_exactly(tmp_path: Path, sample: Problem, fmt: str) -> None:
    problem = sample if fmt == "csv" else sample.replace(employees=sample.employees[:300], pairs=())
    folder = siasn_folder(tmp_path, problem, fmt)
    notes: list[InputIssue] = []
    read = read_siasn(folder, reference_date=REF, warnings=notes)
    assert read == problem
    assert len(read.pairs) == len(problem.pairs)  # (pairs.csv of the folder, as usual)
    # the title rows and the SIASN columns not used are named, never silently dropped
    assert any("rows 1-3 above the header (row 4) are titles; not read" in n.message for n in notes)
    assert {n.column for n in notes if "not a column" in n.message} == {"No"}
    assert not [n for n in notes if "jenisKelamin" in n.message]  # consistent with the NIPs
    # our own folder format and back: exact
    assert mo.read_folder(mo.write_folder(read, tmp_path / "ours")) == problem
    assert int(metrics.inactive(read).sum()) == sum(1 for e in problem.employees if e.inactive)


def test_the_reference_date_defaults_to_the_plan_date(tmp_path: Path) -> None:
    problem = with_siasn_fields(load_sample())
    problem = problem.replace(
        employees=problem.employees[:50], pairs=(), policy=problem.policy.replace(plan_date=REF)
    )
    folder = siasn_folder(tmp_path, problem)
    assert read_siasn(folder) == problem


def test_inactive_staff_are_kept_immovable_and_out_of_capacity(sample: Problem) -> None:
    off = metrics.inactive(sample)
    assert off.any()
    assert not metrics.movable(sample)[off].any()
    assert (metrics.capacity_hours(sample)[off] == 0).all()
    assert {metrics.immovable_reason(sample)[e] for e in np.flatnonzero(off)} <= {
        "inactive", "locked", "pppk", "tenure"
    }  # fmt: skip
    counted = sample.replace(policy=sample.policy.replace(inactive_capacity=True))
    assert (metrics.capacity_hours(counted)[off] > 0).all()
    assert not metrics.movable(counted)[off].any()
    state = mo.current_state(sample)
    assert state.n_inactive == int(off.sum()) and len(state.inactive) == int(off.sum())
    assert "Inactive (tugas belajar, CLTN, ...)" in state.text()


# ----------------------------------------------------------------- bad cells
N1, N2, N3 = "198501012010011001", "199002022015012002", "197001012000011003"
UNITS = "unit,name\nU1,Puskesmas Satu\nU2,Puskesmas Dua\nU3,Puskesmas Dua\n"
DEMAND = "unit,role,workload_hours\nU1,perawat,1000\nU2,perawat,800\nU3,perawat,800\n"
GOOD = {
    "nipBaru": N1,
    "nama": "Budi",
    "tglLahir": "01/01/1985",
    "jenisPegawaiNama": "PNS Daerah",
    "kedudukanPnsNama": "Aktif",
    "unorId": "U1",
    "unorNama": "",
    "jabatanNama": "perawat",
    "tmtJabatan": "01-03-2020",
    "tmtPensiun": "",
}


def small_folder(tmp_path: Path, change: dict[str, str], policy: str = "") -> Path:
    """Three employees; the second (row 3) with ``change`` applied."""
    folder = tmp_path / "data"
    folder.mkdir(parents=True)
    (folder / "units.csv").write_text(UNITS, encoding="utf-8")
    (folder / "demand.csv").write_text(DEMAND, encoding="utf-8")
    (folder / "policy.toml").write_text(policy, encoding="utf-8")
    changed = {**GOOD, "nipBaru": N3, "tglLahir": "01/01/1970", **change}
    third = {**GOOD, "nipBaru": N2, "tglLahir": "02 Februari 1990", "unorId": "U2"}
    rows = [list(GOOD), list(GOOD.values()), list(changed.values()), list(third.values())]
    (folder / "siasn.csv").write_text(
        "\n".join(",".join(f'"{v}"' for v in r) for r in rows) + "\n", encoding="utf-8"
    )
    return folder


@pytest.mark.parametrize(
    "change, column, words",
    [
        # a unit name that no unit has: the near names are listed
        ({"unorId": "", "unorNama": "Puskesmas Satoe"}, "unorNama", "'Puskesmas Satu'"),
        # a unit name two units share: their ids are listed
        ({"unorId": "", "unorNama": "Puskesmas Dua"}, "unorNama", "(U2, U3)"),
        # a date that is no date
        ({"tmtJabatan": "31/02/2020"}, "tmtJabatan", "not a date"),
        ({"tglLahir": "1 Maart 1985"}, "tglLahir", "not a month name"),
        # the birth date and the NIP disagree
        ({"tglLahir": "02/01/1985"}, "tglLahir", "differs from the one the NIP encodes"),
        # a post taken after the reference date
        ({"tmtJabatan": "01/08/2026"}, "tmtJabatan", "after the reference date"),
        # an employment type that says neither PNS nor PPPK
        ({"jenisPegawaiNama": "Honorer"}, "jenisPegawaiNama", "PNS, CPNS or PPPK"),
        # a NIP Excel cut to 15 significant digits
        ({"nipBaru": "198501012010011000"}, "nipBaru", "15 significant digits"),
        ({"nipBaru": "1.98501012010011E+17"}, "nipBaru", "scientific notation"),
        # an unknown unit id
        ({"unorId": "U9"}, "unorId", "not in units.csv"),
        # a pension date that is not the one of the birth date and the BUP (58)
        ({"tmtPensiun": "01/01/2028"}, "tmtPensiun", "2028-02-01, the first day of the month"),
    ],
)
def test_bad_cells_are_refused_at_their_row_and_siasn_column(
    tmp_path: Path, change: dict[str, str], column: str, words: str
) -> None:
    folder = small_folder(tmp_path, change)
    with pytest.raises(InputError) as err:
        read_siasn(folder, reference_date=REF)
    found = [i for i in err.value.issues if i.column == column]
    assert found, err.value.issues
    assert found[0].file == "siasn.csv" and found[0].row == 3
    assert words in found[0].message, found[0].message


def test_a_unit_by_its_exact_name(tmp_path: Path) -> None:
    folder = small_folder(tmp_path, {"unorId": "", "unorNama": "Puskesmas  Satu"})
    problem = read_siasn(folder, reference_date=REF)
    assert [e.unit for e in problem.employees] == ["U1", "U1", "U2"]
    assert problem.employees[0].months_in_unit == 76  # 1 March 2020 → 1 July 2026


def test_months_in_the_unit_need_a_reference_date(tmp_path: Path) -> None:
    folder = small_folder(tmp_path, {})
    with pytest.raises(InputError, match=r"set plan_date in policy\.toml"):
        read_siasn(folder)
    assert read_siasn(folder, reference_date="01/07/2026").employees[0].months_in_unit == 76


def test_an_inactive_status_is_kept_and_reported(tmp_path: Path) -> None:
    folder = small_folder(
        tmp_path,
        {"kedudukanPnsNama": "Cuti di Luar Tanggungan Negara"},
    )
    problem = read_siasn(folder, reference_date=REF)
    assert [e.inactive for e in problem.employees] == ["", "Cuti di Luar Tanggungan Negara", ""]
    assert metrics.immovable_reason(problem)[1] == "inactive"
    assert int(metrics.capacity_hours(problem)[1]) == 0


@pytest.mark.parametrize(
    "post, kind, age",
    [
        ("Perawat Ahli Utama", "Fungsional", 65),  # PP 11/2017 Pasal 239(2)c
        ("Dokter Ahli Madya", "Fungsional", 60),  # Pasal 239(2)b
        ("Sekretaris Daerah", "Jabatan Pimpinan Tinggi", 60),
        ("Kepala Dinas", "JPT Pratama", 60),
        ("Perawat Ahli Pertama", "Fungsional", None),  # 58: the policy's retirement_age
        ("Pengadministrasi Umum", "Pelaksana", None),
    ],
)
def test_the_bup_of_a_post(post: str, kind: str, age: int | None) -> None:
    assert retirement_age_of_post(post, kind) == age


@pytest.mark.parametrize(
    "text, day",
    [
        ("31/12/1985", dt.date(1985, 12, 31)),
        ("31-12-1985", dt.date(1985, 12, 31)),
        ("31.12.1985", dt.date(1985, 12, 31)),
        ("1985-12-31", dt.date(1985, 12, 31)),
        ("31 Desember 1985", dt.date(1985, 12, 31)),
        ("31 Des 1985", dt.date(1985, 12, 31)),
        ("17-Agu-1945", dt.date(1945, 8, 17)),
        ("1 Pebruari 2000", dt.date(2000, 2, 1)),
    ],
)
def test_dates_as_indonesian_files_write_them(text: str, day: dt.date) -> None:
    assert parse_date(text) == day


def test_cli_siasn_writes_our_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = small_folder(tmp_path, {})
    out = tmp_path / "ours"
    assert main(["siasn", str(folder), "--out", str(out), "--reference-date", "2026-07-01"]) == 0
    assert "3 employees" in capsys.readouterr().out
    assert mo.read_folder(out) == read_siasn(folder, reference_date=REF)
    bad = small_folder(tmp_path / "bad", {"tglLahir": "31/02/1970"})
    assert main(["siasn", str(bad), "--out", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err
    assert "siasn.csv, row 3, column 'tglLahir'" in err and "Traceback" not in err


def test_nip_number_cells_of_a_workbook(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A NIP in a number cell (a double: Excel keeps 15 significant digits) is refused
    at its row, never rounded into a NIP; as text (or with the apostrophe) it is read."""
    problem = with_siasn_fields(load_sample())
    problem = problem.replace(employees=problem.employees[:3], pairs=())
    rows = siasn_rows(problem, as_numbers=True)
    rows[1][1] = int(rows[1][1])  # a number cell
    rows[2][1] = float(str(rows[2][1]).lstrip("'"))  # a number cell
    folder = mo.write_folder(problem, tmp_path / "siasn")
    (folder / "employees.csv").unlink()
    write_xlsx(folder / "siasn.xlsx", rows)
    with pytest.raises(InputError) as err:
        read_siasn(folder, reference_date=REF)
    assert [(i.file, i.row, i.column) for i in err.value.issues] == [
        ("siasn.xlsx", 5, "nipBaru"),
        ("siasn.xlsx", 6, "nipBaru"),
    ]
    assert all("stored as a number and may have lost digits" in i.message for i in err.value.issues)
    # the title row above the header is not reported as columns without a header
    assert not [r for r in caplog.records if "no header" in r.getMessage()]
    rows[1][1], rows[2][1] = str(problem.employees[0].nip), f"'{problem.employees[1].nip}"
    write_xlsx(folder / "siasn.xlsx", rows)
    assert read_siasn(folder, reference_date=REF) == problem


def test_a_gender_contradicting_the_nip_is_named_in_a_warning(tmp_path: Path) -> None:
    problem = with_siasn_fields(load_sample())
    problem = problem.replace(employees=problem.employees[:4], pairs=())
    rows = siasn_rows(problem)
    rows[2][4] = "Perempuan" if rows[2][4] == "Laki-laki" else "Laki-laki"
    folder = mo.write_folder(problem, tmp_path / "siasn")
    (folder / "employees.csv").unlink()
    write_csv(folder / "siasn.csv", rows)
    notes: list[InputIssue] = []
    assert read_siasn(folder, reference_date=REF, warnings=notes) == problem
    (gender,) = [n for n in notes if n.column == "jenisKelamin"]
    assert gender.row == 6 and "contradicts the NIP's gender digit" in gender.message


def test_read_folder_points_a_siasn_export_to_read_siasn(tmp_path: Path) -> None:
    folder = small_folder(tmp_path, {})
    (folder / "siasn.csv").rename(folder / "employees.csv")
    with pytest.raises(InputError) as err:
        mo.read_folder(folder)
    (nip,) = [i for i in err.value.issues if i.column == "nip"]
    assert "'nipBaru' looks like it" in nip.message and "mutasi-opt siasn" in nip.message
    # read as what it is, the same file is a valid problem
    assert len(read_siasn(folder, reference_date=REF).employees) == 3
