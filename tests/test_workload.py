"""ABK workload calculator (:mod:`mutasi_opt.io.workload`) and ``mutasi-opt abk``."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from mutasi_opt import metrics
from mutasi_opt.cli import main
from mutasi_opt.domain.errors import InputError
from mutasi_opt.domain.problem import Demand, Employee
from mutasi_opt.io.workload import (
    BKN_2011,
    PERMENPANRB_2020,
    STANDARDS,
    AbkStandard,
    AbkTask,
    StaffMember,
    abk_demand_frame,
    abk_report,
    abk_to_demand,
    annual_volume,
    check_bands,
    get_standard,
    parse_period,
    parse_staff,
    parse_tasks,
    periods_per_year,
    read_staff,
    read_tasks,
    required_fte,
    task_hours,
    tasks_from_frame,
)


def task(
    unit: str = "U1", role: str = "r", volume: Any = 1, period: Any = "year", minutes: Any = 60
) -> dict[str, Any]:
    """A raw task row with canonical column names."""
    return {"unit": unit, "role": role, "volume": volume, "period": period, "minutes": minutes}


# ---------------------------------------------------------------- worked checks
@pytest.mark.parametrize(
    ("volume", "period", "minutes", "hours", "fte"),
    [
        (35, "month", 7, 49.0, 0.0408),  # 35 × 12 × 7 / 60 = 49 h;   49 / 1200 = 0.04083
        (23, "week", 2, 36.8, 0.0307),  # 23 × 48 × 2 / 60 = 36.8 h;  36.8 / 1200 = 0.03067
        (45, "year", 1, 0.75, 0.0006),  # 45 × 1 × 1 / 60 = 0.75 h;   0.75 / 1200 = 0.000625
    ],
)
def test_worked_checks_bkn_2011(
    volume: float, period: str, minutes: float, hours: float, fte: float
) -> None:
    h = float(task_hours(volume, period, minutes, BKN_2011))
    assert h == pytest.approx(hours)
    assert round(float(required_fte(h, BKN_2011)), 4) == fte
    # the same through a task record and through the demand table
    assert AbkTask(unit="U", volume=volume, period=period, minutes=minutes).hours(
        BKN_2011
    ) == pytest.approx(hours)
    (dem,) = abk_to_demand([task(volume=volume, period=period, minutes=minutes)], BKN_2011)
    assert dem.workload_hours == pytest.approx(hours)


def test_worked_checks_sum_into_one_demand_row() -> None:
    rows = [
        task(volume=35, period="bulan", minutes=7),
        task(volume=23, period="minggu", minutes=2),
        task(volume=45, period="tahun", minutes=1),
    ]
    (dem,) = abk_to_demand(rows, "bkn2011")
    assert dem.workload_hours == pytest.approx(49 + 36.8 + 0.75)  # 86.55 h
    assert round(float(required_fte(dem.workload_hours, BKN_2011)), 4) == 0.0721  # 86.55/1200


# -------------------------------------------------------------------- presets
def test_presets() -> None:
    p = PERMENPANRB_2020
    assert (p.effective_hours, p.days_per_year, p.weeks_per_year, p.months_per_year) == (
        1250,
        235,
        47,
        12,
    )
    b = BKN_2011
    assert (b.effective_hours, b.days_per_year, b.weeks_per_year, b.months_per_year) == (
        1200,
        240,
        48,
        12,
    )
    assert set(STANDARDS) == {"permenpanrb2020", "bkn2011"}


def test_presets_are_frozen() -> None:
    with pytest.raises(ValidationError):
        PERMENPANRB_2020.effective_hours = 1  # type: ignore[misc]


def test_permenpanrb_2020_annualises_with_its_own_calendar() -> None:
    # 23 per week × 47 weeks × 2 min / 60 = 36.0333 h; / 1250 = 0.02883 FTE
    h = float(task_hours(23, "week", 2, PERMENPANRB_2020))
    assert h == pytest.approx(23 * 47 * 2 / 60)
    assert float(required_fte(h, PERMENPANRB_2020)) == pytest.approx(h / 1250)
    # per day: 2 × 235 × 30 / 60 = 235 h
    assert float(task_hours(2, "hari", 30)) == pytest.approx(235.0)  # default standard


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("permenpanrb2020", PERMENPANRB_2020),
        ("PermenPANRB-2020", PERMENPANRB_2020),
        ("PermenPANRB 1/2020", PERMENPANRB_2020),
        ("bkn2011", BKN_2011),
        ("BKN_2011", BKN_2011),
    ],
)
def test_get_standard(name: str, expected: AbkStandard) -> None:
    assert get_standard(name) is expected
    assert get_standard(expected) is expected


def test_get_standard_unknown() -> None:
    with pytest.raises(ValueError, match="permenpanrb2020, bkn2011"):
        get_standard("menpan1990")


def test_custom_standard_and_numeric_effective_hours() -> None:
    std = AbkStandard(
        name="x", effective_hours=1000, days_per_year=200, weeks_per_year=40, months_per_year=10
    )
    assert float(task_hours(3, "month", 60, std)) == pytest.approx(30.0)  # 3 × 10 × 60 / 60
    assert float(required_fte(30, std)) == pytest.approx(0.03)
    assert float(required_fte(30, 1500)) == pytest.approx(0.02)
    with pytest.raises(ValueError):
        required_fte(30, 0.0)
    with pytest.raises(ValidationError):
        AbkStandard(
            name="bad", effective_hours=0, days_per_year=1, weeks_per_year=1, months_per_year=1
        )


# -------------------------------------------------------------------- periods
@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("day", "day"),
        ("hari", "day"),
        ("Harian", "day"),
        ("per hari", "day"),
        ("/hari", "day"),
        ("week", "week"),
        ("minggu", "week"),
        ("Per Minggu", "week"),
        ("pekan", "week"),
        ("month", "month"),
        ("bulan", "month"),
        ("BULANAN", "month"),
        ("per-bulan", "month"),
        ("monthly", "month"),
        ("year", "year"),
        ("tahun", "year"),
        ("tahunan", "year"),
        (" per tahun ", "year"),
        ("annual", "year"),
    ],
)
def test_period_aliases(text: str, period: str) -> None:
    assert parse_period(text) == period
    expected = {"day": 240.0, "week": 48.0, "month": 12.0, "year": 1.0}[period]
    assert float(periods_per_year(text, BKN_2011)) == expected


@pytest.mark.parametrize("text", ["fortnight", "", "jam", "2 minggu", "semester"])
def test_unknown_period(text: str) -> None:
    with pytest.raises(ValueError, match="unknown period"):
        parse_period(text)


# ---------------------------------------------------------------- vectorised
def test_vectorised_calculators() -> None:
    vol = np.array([35, 23, 45, 2])
    per = np.array(["bulan", "week", "tahun", "hari"])
    mins = np.array([7, 2, 1, 30])
    hours = task_hours(vol, per, mins, BKN_2011)
    assert hours.shape == (4,)
    np.testing.assert_allclose(hours, [49.0, 36.8, 0.75, 240.0])
    np.testing.assert_allclose(annual_volume(vol, per, BKN_2011), [420, 1104, 45, 480])
    np.testing.assert_allclose(required_fte(hours, BKN_2011), hours / 1200)
    # a scalar period broadcasts over the volumes
    np.testing.assert_allclose(task_hours([1, 2], "month", 60, BKN_2011), [12.0, 24.0])


@pytest.mark.parametrize(
    ("volume", "minutes", "match"),
    [(-1, 5, "volumes"), (1, -5, "minutes"), (math.nan, 5, "volumes"), (1, math.inf, "minutes")],
)
def test_calculator_rejects_bad_numbers(volume: float, minutes: float, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        task_hours(volume, "day", minutes)


amounts = st.floats(min_value=0, max_value=1e4, allow_nan=False)
periods = st.sampled_from(["day", "hari", "week", "minggu", "month", "bulan", "year", "tahun"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("ABC"), st.sampled_from(["", "r"]), amounts, periods, amounts),
        max_size=12,
    )
)
def test_demand_sums_task_hours(rows: list[tuple[str, str, float, str, float]]) -> None:
    """Every task's hours land in exactly one demand row; totals are preserved."""
    raw = [task(u, r, v, p, m) for u, r, v, p, m in rows]
    demand = abk_to_demand(raw, BKN_2011)
    assert len({(d.unit, d.role) for d in demand}) == len(demand)
    assert {(d.unit, d.role) for d in demand} == {(u, r) for u, r, *_ in rows}
    for d in demand:
        mine = [t for t in rows if (t[0], t[1]) == (d.unit, d.role)]
        expect = sum(v * BKN_2011.per_year(parse_period(p)) * m / 60 for _, _, v, p, m in mine)
        assert d.workload_hours == pytest.approx(expect, rel=1e-9, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(amounts, periods, amounts, st.floats(min_value=0.1, max_value=10))
def test_hours_are_linear_in_volume(volume: float, period: str, minutes: float, k: float) -> None:
    base = float(task_hours(volume, period, minutes))
    assert base >= 0
    assert float(task_hours(volume * k, period, minutes)) == pytest.approx(base * k, rel=1e-9)


# --------------------------------------------------------------- aggregation
def test_aggregation_hand_computed_with_indonesian_columns() -> None:
    rows = [
        {"Unit Kerja": "Dinkes", "Jabatan": "perawat", "Uraian Tugas": "layanan",
         "Jumlah": "10", "Satuan Waktu": "hari", "Norma Waktu (menit)": "30"},
        {"Unit Kerja": "Dinkes", "Jabatan": "perawat", "Uraian Tugas": "rekap",
         "Jumlah": "2,5", "Satuan Waktu": "bulan", "Norma Waktu (menit)": "120"},
        {"Unit Kerja": "Kominfo", "Jabatan": "pranata", "Uraian Tugas": "backup",
         "Jumlah": "1", "Satuan Waktu": "minggu", "Norma Waktu (menit)": "90"},
        {"Unit Kerja": "Dinkes", "Jabatan": "bidan", "Uraian Tugas": "kunjungan",
         "Jumlah": "100", "Satuan Waktu": "tahun", "Norma Waktu (menit)": "45"},
    ]  # fmt: skip
    demand = abk_to_demand(rows, PERMENPANRB_2020)
    assert demand == (
        # 10 × 235 × 30 / 60 = 1175;  2.5 × 12 × 120 / 60 = 60  → 1235 h
        Demand(unit="Dinkes", role="perawat", workload_hours=1235.0),
        # 1 × 47 × 90 / 60 = 70.5 h
        Demand(unit="Kominfo", role="pranata", workload_hours=70.5),
        # 100 × 45 / 60 = 75 h
        Demand(unit="Dinkes", role="bidan", workload_hours=75.0),
    )


def test_aggregation_without_role_column_gives_one_pool() -> None:
    rows = [
        {"unit_kerja": "A", "beban": 60, "periode": "year", "menit": 60, "keterangan": "x"},
        {"unit_kerja": "A", "beban": 1, "periode": "month", "menit": 60},
    ]
    assert abk_to_demand(rows, BKN_2011) == (Demand(unit="A", role="", workload_hours=72.0),)


def test_float_noise_is_rounded_away() -> None:
    # 0.1 + 0.2 hours is 0.30000000000000004 in floats
    rows = [task(volume=6, minutes=1), task(volume=12, minutes=1)]
    (dem,) = abk_to_demand(rows)
    assert dem.workload_hours == 0.3


def test_task_records_pass_through_and_empty_input() -> None:
    records = parse_tasks([task(volume=2, period="month", minutes=30)])
    assert records == (AbkTask(unit="U1", role="r", volume=2, period="month", minutes=30),)
    assert abk_to_demand(records, BKN_2011) == (Demand(unit="U1", role="r", workload_hours=12.0),)
    assert abk_to_demand([]) == ()


# ------------------------------------------------------------------ bad rows
@pytest.mark.parametrize(
    ("bad", "column", "value"),
    [
        ({"period": "fortnight"}, "period", "fortnight"),  # unknown period
        ({"period": ""}, "period", ""),  # blank period
        ({"volume": "-3"}, "volume", "-3"),  # negative volume
        ({"volume": "banyak"}, "volume", "banyak"),  # non-numeric volume
        ({"volume": ""}, "volume", ""),  # blank volume
        ({"volume": "inf"}, "volume", "inf"),  # not finite
        ({"minutes": "-0.5"}, "minutes", "-0.5"),  # negative minutes
        ({"minutes": "5 menit"}, "minutes", "5 menit"),  # non-numeric minutes
        ({"unit": ""}, "unit", ""),  # missing unit
        ({"unit": "   "}, "unit", "   "),  # unit only spaces
    ],
)
def test_bad_row_names_row_and_column(bad: dict[str, str], column: str, value: str) -> None:
    rows = [task(), task(), {**task(), **bad}]  # the bad row is the 3rd data row = row 4
    with pytest.raises(InputError) as info:
        abk_to_demand(rows, file="abk.csv")
    (issue,) = info.value.issues
    assert (issue.file, issue.row, issue.column) == ("abk.csv", 4, column)
    assert issue.value == value
    assert "row 4" in str(info.value) and f"column '{column}'" in str(info.value)


def test_all_bad_rows_reported_together_with_user_column_names() -> None:
    rows = [
        {"Unit Kerja": "A", "Jumlah": "-1", "Periode": "fortnight", "Menit": "x"},
        {"Unit Kerja": "A", "Jumlah": "1", "Periode": "hari", "Menit": "5"},
        {"Unit Kerja": "", "Jumlah": "1", "Periode": "hari", "Menit": "5"},
    ]
    with pytest.raises(InputError) as info:
        parse_tasks(rows)
    got = [(i.row, i.column) for i in info.value.issues]
    assert got == [(2, "Jumlah"), (2, "Periode"), (2, "Menit"), (4, "Unit Kerja")]
    assert all(i.file == "tasks.csv" for i in info.value.issues)


def test_missing_and_doubled_columns() -> None:
    with pytest.raises(InputError) as info:
        parse_tasks([{"unit": "A", "volume": 1, "jumlah": 2, "period": "day"}])
    issues = info.value.issues
    assert {(i.row, i.column) for i in issues} == {(1, "jumlah"), (1, "minutes")}
    assert "norma_waktu" in str(info.value)  # names the accepted aliases


def test_explicit_row_numbers() -> None:
    with pytest.raises(InputError) as info:
        parse_tasks([task(), task(volume="x")], row_numbers=[2, 5])
    assert info.value.issues[0].row == 5


# ----------------------------------------------------------- EJ with staff
def test_report_with_staff_hand_computed() -> None:
    demand = [
        Demand(unit="A", role="x", workload_hours=1000),
        Demand(unit="B", role="x", workload_hours=1300),
        Demand(unit="D", role="x", workload_hours=10),
    ]
    staff = [
        StaffMember(unit="A", role="x", fte=1),
        StaffMember(unit="A", role="x", fte=0.5),
        StaffMember(unit="B", role="x"),
        StaffMember(unit="C", role="x", fte=0.8),
    ]
    report = abk_report(demand, PERMENPANRB_2020, staff=staff)
    by = {(r.unit, r.role): r for r in report.rows}
    assert [(r.unit, r.role) for r in report.rows] == [
        ("A", "x"),
        ("B", "x"),
        ("D", "x"),
        ("C", "x"),
    ]
    a = by["A", "x"]  # capacity 1250 + 625 = 1875; EJ 1000 / 1875 = 0.5333 → D
    assert (a.headcount, a.staff_fte, a.capacity_hours) == (2, 1.5, 1875)
    assert a.ej == pytest.approx(1000 / 1875) and a.band == "D"
    assert a.required_fte == pytest.approx(0.8)
    b = by["B", "x"]  # 1300 / 1250 = 1.04 → A
    assert b.ej == pytest.approx(1.04) and b.band == "A"
    c = by["C", "x"]  # staff, no workload: EJ 0 → E
    assert (c.workload_hours, c.capacity_hours, c.ej, c.band) == (0.0, 1000, 0.0, "E")
    d = by["D", "x"]  # workload, no staff: EJ inf → A
    assert (d.headcount, d.capacity_hours, d.ej, d.band) == (0, 0, math.inf, "A")
    t = report.total  # 2310 h over 4125 h = 0.56 → D
    assert (t.workload_hours, t.headcount, t.capacity_hours) == (2310.0, 4, 4125)
    assert t.ej == pytest.approx(2310 / 4125) and t.band == "D"
    # the numbers are metrics' own
    expected_ej = metrics.ej([1000, 1300, 10, 0], [1875, 1250, 0, 1000])
    got_ej = np.array([r.ej for r in report.rows], dtype=np.float64)
    np.testing.assert_allclose(got_ej, expected_ej)
    assert [r.band for r in report.rows] == list(metrics.band(expected_ej))


def test_report_bands_are_configurable_and_bkn_capacity() -> None:
    demand = [Demand(unit="A", role="", workload_hours=1000)]
    staff = [StaffMember(unit="A")]
    default = abk_report(demand, BKN_2011, staff=staff)  # 1000 / 1200 = 0.833 → C
    assert default.rows[0].capacity_hours == 1200 and default.rows[0].band == "C"
    strict = abk_report(demand, BKN_2011, staff=staff, thresholds=(0.8, 0.7, 0.6, 0.5))
    assert strict.rows[0].band == "A"
    with pytest.raises(ValueError, match="four decreasing"):
        abk_report(demand, staff=staff, thresholds=(0.5, 0.7, 0.9, 1.0))
    with pytest.raises(ValueError):
        check_bands([1.0, 0.9, 0.7])


def test_report_accepts_employees_and_nan_ej() -> None:
    staff = [Employee(nip="E1", unit="A", role="r", fte=0.5)]
    report = abk_report([Demand(unit="A", role="r", workload_hours=0)], staff=staff)
    assert report.rows[0].capacity_hours == 625 and report.rows[0].band == "E"
    empty = abk_report([Demand(unit="Z", role="", workload_hours=0)], staff=[])
    ej = empty.rows[0].ej
    assert ej is not None and math.isnan(ej) and empty.rows[0].band == ""


def test_report_without_staff_and_serialisation() -> None:
    demand = abk_to_demand([task(volume=1250, minutes=60)])  # 1250 h = 1 FTE
    report = abk_report(demand)
    assert not report.has_staff
    assert report.rows[0].required_fte == 1.0 and report.rows[0].ej is None
    assert list(report.to_frame().columns) == ["unit", "role", "workload_hours", "required_fte"]
    with_staff = abk_report(demand, staff=[StaffMember(unit="other", role="r")])
    data = with_staff.to_dict()
    json.dumps(data, allow_nan=False)  # inf EJ becomes null
    assert data["rows"][0]["ej"] is None and data["rows"][0]["band"] == "A"
    assert "band" in with_staff.to_frame().columns


def test_parse_staff() -> None:
    staff = parse_staff(
        [
            {"nip": "1", "unit_kerja": "A", "jabatan": "r", "fte": ""},
            {"nip": "2", "unit_kerja": "A", "jabatan": "r", "fte": "0,5"},
        ]
    )
    assert staff == (
        StaffMember(unit="A", role="r", fte=1.0),
        StaffMember(unit="A", role="r", fte=0.5),
    )
    with pytest.raises(InputError) as info:
        parse_staff([{"unit": "A", "fte": "1.5"}, {"unit": "", "fte": "1"}])
    assert [(i.row, i.column) for i in info.value.issues] == [(2, "fte"), (3, "unit")]


# ------------------------------------------------------------ frames & files
def test_frame_helpers() -> None:
    frame = pd.DataFrame(
        {
            "UNIT_KERJA": ["A", "A", "B"],
            "Jabatan": ["r", "r", "r"],
            "Volume": [35, 23, 45],
            "Periode": ["bulan", "minggu", "tahun"],
            "Norma_Waktu": [7, 2, 1],
        }
    )
    out = abk_demand_frame(frame, "bkn2011")
    assert list(out.columns) == ["unit", "role", "workload_hours"]
    assert out["workload_hours"].tolist() == pytest.approx([85.8, 0.75])
    frame.loc[1, "Volume"] = np.nan
    with pytest.raises(InputError) as info:
        tasks_from_frame(frame, file="abk.xlsx")
    assert [(i.file, i.row, i.column) for i in info.value.issues] == [("abk.xlsx", 3, "Volume")]
    with pytest.raises(InputError) as info:
        tasks_from_frame(frame, row_numbers=[10, 12, 13])
    assert info.value.issues[0].row == 12


def test_read_tasks_semicolon_decimal_comma_and_blank_line(tmp_path: Path) -> None:
    path = tmp_path / "abk.csv"
    path.write_text(
        "Unit Kerja;Jabatan;Uraian Tugas;Jumlah;Satuan Waktu;Norma Waktu\n"
        "Dinkes;perawat;layanan;2,5;hari;12\n"
        "\n"
        "Dinkes;perawat;rekap;x;bulan;10\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_tasks(path)
    (issue,) = info.value.issues
    assert (issue.file, issue.row, issue.column, issue.value) == ("abk.csv", 4, "Jumlah", "x")
    path.write_text(path.read_text(encoding="utf-8").replace(";x;", ";1;"), encoding="utf-8")
    tasks = read_tasks(path)
    assert [t.volume for t in tasks] == [2.5, 1.0]


def test_read_doubled_header_and_bad_staff(tmp_path: Path) -> None:
    path = tmp_path / "abk.csv"
    path.write_text("unit,volume,Volume,period,minutes\nA,1,2,day,5\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_tasks(path)
    assert [(i.row, i.column) for i in info.value.issues] == [(1, "Volume")]
    staff = tmp_path / "pegawai.csv"
    staff.write_text("NIP;Unit Kerja;FTE\n1;A;0,5\n2;A;0\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_staff(staff)
    assert [(i.file, i.row, i.column) for i in info.value.issues] == [("pegawai.csv", 3, "FTE")]


def test_read_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "abk.xlsx"
    pd.DataFrame(
        {"unit": ["A"], "role": ["r"], "volume": [35], "period": ["bulan"], "minutes": [7]}
    ).to_excel(path, index=False)
    assert abk_to_demand(read_tasks(path), BKN_2011) == (
        Demand(unit="A", role="r", workload_hours=49.0),
    )


def test_read_missing_and_empty(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_tasks(tmp_path / "nope.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("unit,volume,period,minutes\n", encoding="utf-8")
    with pytest.raises(InputError, match="no tasks"):
        read_tasks(empty)
    staff = tmp_path / "staff.csv"
    staff.write_text("nip,unit,role,fte\n1,A,r,\n", encoding="utf-8")
    assert read_staff(staff) == (StaffMember(unit="A", role="r", fte=1.0),)


# ------------------------------------------------------------------------ CLI
TASKS_CSV = (
    "unit_kerja,jabatan,uraian_tugas,volume,periode,norma_waktu\n"
    "Dinkes,perawat,layanan,35,bulan,7\n"
    "Dinkes,perawat,rekap,23,minggu,2\n"
    "Dinkes,bidan,laporan,45,tahun,1\n"
    "Kominfo,pranata,backup,1200,tahun,60\n"
)
STAFF_CSV = (
    "nip,name,unit,role,fte\n"
    "1,Ani,Dinkes,perawat,1\n"
    "2,Budi,Kominfo,pranata,0.5\n"
    "3,Cici,Setda,pelaksana,\n"
)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """A small task sheet and staff file (BKN 2011 hours: 85.8, 0.75, 1200)."""
    tasks, staff = tmp_path / "tasks.csv", tmp_path / "employees.csv"
    tasks.write_text(TASKS_CSV, encoding="utf-8")
    staff.write_text(STAFF_CSV, encoding="utf-8")
    return tasks, staff


def test_cli_table(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    tasks, _ = files
    assert main(["abk", str(tasks), "--standard", "bkn2011"]) == 0
    out = capsys.readouterr().out
    assert "BKN 2011" in out and "1200 effective hours" in out
    lines = out.splitlines()
    row = next(line for line in lines if line.startswith("Dinkes") and "perawat" in line)
    assert row.split()[-2:] == ["85.80", "0.0715"]  # 49 + 36.8 h; / 1200
    row = next(line for line in lines if "bidan" in line)
    assert row.split()[-2:] == ["0.75", "0.0006"]
    assert "band" not in out


def test_cli_with_staff(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    tasks, staff = files
    assert main(["abk", str(tasks), "--standard", "bkn2011", "--staff", str(staff)]) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("unit"))
    assert header.split() == [
        "unit", "role", "workload_hours", "required_fte",
        "headcount", "staff_fte", "capacity_hours", "ej", "band",
    ]  # fmt: skip
    # Kominfo: 1200 h over 0.5 FTE = 600 h → EJ 2.00, band A
    kominfo = next(line for line in out.splitlines() if line.startswith("Kominfo")).split()
    assert kominfo[-7:] == ["1200.00", "1.0000", "1", "0.50", "600", "2.00", "A"]
    setda = next(line for line in out.splitlines() if line.startswith("Setda")).split()
    assert setda[-3:] == ["1200", "0.00", "E"]
    assert "total:" in out and "3 staff" in out


def test_cli_json(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    tasks, staff = files
    assert main(["abk", str(tasks), "--staff", str(staff), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "ok" and data["standard"]["name"] == "permenpanrb2020"
    rows = {(r["unit"], r["role"]): r for r in data["rows"]}
    # PermenPANRB: 35 × 12 × 7 / 60 + 23 × 47 × 2 / 60 = 49 + 36.0333 h; capacity 1250
    per = rows["Dinkes", "perawat"]
    assert per["workload_hours"] == pytest.approx(85.033333)
    assert per["capacity_hours"] == 1250 and per["band"] == "E"
    assert rows["Dinkes", "bidan"]["ej"] is None and rows["Dinkes", "bidan"]["band"] == "A"
    assert data["total"]["headcount"] == 3


def test_cli_bad_rows_exit_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("unit,role,volume,period,minutes\nA,r,1,hari,5\nA,r,-2,2 minggu,5\n")
    assert main(["abk", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "bad.csv, row 3, column 'volume'" in err
    assert "bad.csv, row 3, column 'period'" in err
    assert main(["abk", str(bad), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["status"] == "invalid"
    assert [(i["row"], i["column"]) for i in data["issues"]] == [(3, "volume"), (3, "period")]


def test_cli_reports_every_input_problem_at_once(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tasks, _ = files
    staff = tmp_path / "staff.csv"
    staff.write_text("nip,unit,fte\n1,A,2\n")
    code = main(
        ["abk", str(tasks), "--standard", "menpan", "--bands", "1,x", "--staff", str(staff)]
    )
    assert code == 1
    err = capsys.readouterr().err
    assert "3 problems" in err
    assert "--standard" in err and "--bands" in err and "staff.csv, row 2, column 'fte'" in err


def test_cli_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["abk", str(tmp_path / "none.csv")]) == 1
    assert "no such file" in capsys.readouterr().err


def test_cli_custom_bands(files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    tasks, staff = files
    assert main(["abk", str(tasks), "--staff", str(staff), "--bands", "3,2.5,2,1.5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ej_bands"] == [3, 2.5, 2, 1.5]
    kominfo = next(r for r in data["rows"] if r["unit"] == "Kominfo")
    assert kominfo["ej"] == pytest.approx(1200 / 625) and kominfo["band"] == "D"
