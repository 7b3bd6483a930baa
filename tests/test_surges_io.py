"""Reading surges.csv: valid windows, and every bad row named by row and column."""

from __future__ import annotations

from pathlib import Path

import pytest

from mutasi_opt import InputError, Policy, Surge
from mutasi_opt.domain.values import month_index, month_label, parse_month
from mutasi_opt.io.surges import read_surges
from problems import random_problem

HEADER = "surge,unit,role,competency,min_level,start,end,extra_fte\n"


@pytest.fixture
def problem():  # type: ignore[no-untyped-def]
    p = random_problem(11, 10, 3, roles=2)
    assert any(code == "vaksinasi" for e in p.employees for code, _ in e.competencies)
    return p


def _write(tmp_path: Path, body: str, name: str = "surges.csv") -> Path:
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_reads_valid_surges(tmp_path: Path, problem) -> None:  # type: ignore[no-untyped-def]
    path = _write(
        tmp_path,
        "S1,U0,guru,vaksinasi,2,2026-04,2026-06,2.5\nS2,U1,,,,2026/5,2026-05-31,1\n",
    )
    s1, s2 = read_surges(path, problem)
    assert s1 == Surge(
        surge="S1",
        unit="U0",
        role="guru",
        competency="vaksinasi",
        min_level=2,
        start="2026-04",
        end="2026-06",
        extra_fte=2.5,
    )
    assert list(s1.months) == [month_index("2026-04") + i for i in range(3)]
    assert (s2.role, s2.competency, s2.min_level, s2.start, s2.end) == (
        "",
        "",
        1,
        "2026-05",
        "2026-05",
    )


def test_indonesian_headers(tmp_path: Path, problem) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "lonjakan.csv"
    path.write_text(
        "kegiatan;unit_kerja;jabatan;kompetensi;mulai;selesai;tambahan_fte\n"
        "V1;U0;;vaksinasi;2026-04;2026-06;1,5\n",
        encoding="utf-8",
    )
    (s,) = read_surges(path, problem)
    assert (s.surge, s.extra_fte) == ("V1", 1.5)


BAD_ROWS = [
    # (row body, column named in the issue, words expected in the message)
    ("S1,U0,guru,,,2026-06,2026-04,1", "end", "before start"),
    ("S1,NOPE,guru,,,2026-04,2026-06,1", "unit", "unknown unit"),
    ("S1,U0,pilot,,,2026-04,2026-06,1", "role", "no employee"),
    ("S1,U0,guru,vaksinsi,,2026-04,2026-06,1", "competency", "no employee holds"),
    ("S1,U0,guru,,,1926-04,2026-06,1", "start", "outside 2000-01..2100-12"),
    ("S1,U0,guru,,,2026-04,2260-06,1", "end", "outside"),
    ("S1,U0,guru,,,2026-13,2026-12,1", "start", "does not exist"),
    ("S1,U0,guru,,,April,2026-06,1", "start", "YYYY-MM"),
    ("S1,U0,guru,,,2026-04,2026-06,0", "extra_fte", "positive"),
    ("S1,U0,guru,,,2026-04,2026-06,-2", "extra_fte", "positive"),
    ("S1,U0,guru,,,2026-04,2026-06,", "extra_fte", "required"),
    ("S1,U0,guru,vaksinasi,9,2026-04,2026-06,1", "min_level", "less than or equal to 5"),
    ("S1,U0,guru,,3,2026-04,2026-06,1", "min_level", "competency is empty"),
    (",U0,guru,,,2026-04,2026-06,1", "surge", "required"),
]


@pytest.mark.parametrize(("body", "column", "words"), BAD_ROWS)
def test_bad_rows_name_row_and_column(
    tmp_path: Path, problem, body: str, column: str, words: str
) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, "OK,U1,,,,2026-01,2026-02,1\n" + body + "\n")
    with pytest.raises(InputError) as info:
        read_surges(path, problem)
    issues = info.value.issues
    assert len(issues) == 1, issues
    (issue,) = issues
    assert issue.file == "surges.csv"
    assert issue.row == 3  # the header is row 1, the good row 2
    assert issue.column == column
    assert words.lower() in issue.message.lower()


def test_duplicate_surge_id(tmp_path: Path, problem) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, "S1,U0,,,,2026-01,2026-02,1\nS1,U1,,,,2026-03,2026-04,1\n")
    with pytest.raises(InputError) as info:
        read_surges(path, problem)
    (issue,) = info.value.issues
    assert (issue.row, issue.column) == (3, "surge")
    assert "row 2" in issue.message


def test_missing_column(tmp_path: Path, problem) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "surges.csv"
    path.write_text("surge,unit,start,extra_fte\nS1,U0,2026-01,1\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_surges(path, problem)
    assert [(i.row, i.column) for i in info.value.issues] == [(1, "end")]


def test_month_helpers_round_trip() -> None:
    for label in ("2000-01", "2026-04", "2026-12", "2100-12"):
        assert month_label(month_index(label)) == label
    assert month_index("2027-01") - month_index("2026-12") == 1
    assert parse_month("2026-4") == "2026-04"


def test_policy_has_secondment_keys() -> None:
    pol = Policy()
    assert (
        pol.max_secondment_months,
        pol.max_lent_fraction,
        pol.allow_pppk_secondment,
        pol.max_secondments_per_employee,
        pol.secondment_min_months_in_unit,
    ) == (6, 0.2, False, 1, 0)
