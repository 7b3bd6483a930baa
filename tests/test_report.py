"""The Excel report: read back with openpyxl and checked against the plan's own tables;
converted to PDF by LibreOffice; the ``--report`` and ``--lang`` CLI options."""

from __future__ import annotations

import datetime as dt
import math
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from mutasi_opt import (
    Employee,
    Plan,
    PlanStatus,
    Policy,
    Problem,
    Unit,
    load_sample,
    metrics,
    solve,
    synth,
    write_folder,
    write_report,
)
from mutasi_opt.cli import main
from mutasi_opt.results.plan import TRAINING_COLUMNS, TRAINING_TOTAL_COLUMNS, UNIT_COLUMNS
from mutasi_opt.text.explain import MOVE_COLUMNS, plan_text
from mutasi_opt.text.i18n import LABELS, LANGS, check_lang, label
from mutasi_opt.views.report import BAND_FILLS, NOT_MOVED_COLUMNS
from problems import first_seed

SHEETS = ("summary", "moves", "units", "not_moved", "training")


def _rich(seed: int) -> bool:
    """The instance has moves, training rows and people who asked to move but stay."""
    plan = _solve_small(seed)
    return plan.has_solution and len(plan.moves) > 0 and len(plan.training) > 0 and _stayers(plan)


def _solve_small(seed: int) -> Plan:
    return solve(synth.generate(150, seed=seed, max_moves=8), work_limit=10.0, workers=1)


def _stayers(plan: Plan) -> list[str]:
    """NIPs of employees with preferred units whom the plan leaves at home."""
    a = plan.assignment_array
    assert a is not None
    idx = plan.problem.index
    return [
        idx.nips[e]
        for e, emp in enumerate(plan.problem.employees)
        if emp.preferred_units and a[e] == idx.home[e]
    ]


@pytest.fixture(scope="module")
def small_plan() -> Plan:
    return _solve_small(first_seed(_rich, 11))


@pytest.fixture(scope="module")
def sample_plan() -> Plan:
    return solve(load_sample(), work_limit=2.0, workers=2)


@pytest.fixture(scope="module")
def infeasible_plan() -> Plan:
    # Unit B needs 3 staff, but only 2 employees exist.
    problem = Problem(
        employees=[Employee(nip="E1", unit="A"), Employee(nip="E2", unit="A")],
        units=[Unit(unit="A", workload_hours=10), Unit(unit="B", workload_hours=10, min_staff=3)],
        policy=Policy(),
    )
    plan = solve(problem, work_limit=10.0, workers=1)
    assert plan.status is PlanStatus.INFEASIBLE and plan.diagnosis
    return plan


# ------------------------------------------------------------------ helpers
def _table(ws: Any, col: int = 1) -> tuple[list[Any], list[list[Any]]]:
    """Header (row 1 from ``col`` to the first empty header cell) and the rows below."""
    header = []
    c = col
    while ws.cell(row=1, column=c).value is not None:
        header.append(ws.cell(row=1, column=c).value)
        c += 1
    rows = []
    for r in range(2, ws.max_row + 1):
        row = [ws.cell(row=r, column=col + k).value for k in range(len(header))]
        if all(v is None for v in row):
            break
        rows.append(row)
    return header, rows


def _cell(value: Any) -> Any:
    """What a table value looks like once written: NaN and "" empty, ∞ as text."""
    if value == "" or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and math.isinf(value):
        return "∞"
    return value


def _headers(columns: tuple[str, ...] | list[str], lang: str) -> list[str]:
    return [label(f"col.{c}", lang) for c in columns]


def _summary_rows(ws: Any) -> dict[str, list[Any]]:
    """Column A label → the values in columns B.. of its (first) row."""
    out: dict[str, list[Any]] = {}
    for r in range(1, ws.max_row + 1):
        key = ws.cell(row=r, column=1).value
        if isinstance(key, str) and key not in out:
            out[key] = [ws.cell(row=r, column=c).value for c in range(2, 9)]
    return out


def _close(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(float(a), float(b), rel_tol=1e-12, abs_tol=1e-9)


# ---------------------------------------------------------------- the sheets
def check_report(plan: Plan, path: Path, lang: str) -> None:
    """Every sheet of the report at ``path`` against the plan's own numbers."""
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == [label(f"sheet.{s}", lang) for s in SHEETS]
    summary, moves, units, not_moved, training = (wb[label(f"sheet.{s}", lang)] for s in SHEETS)
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2"

    # Ringkasan: status, headline numbers before → after, stages, date.
    s = plan.summary()
    rows = _summary_rows(summary)
    assert rows[label("summary.status", lang)][0] == label(f"status.{plan.status.value}", lang)
    assert isinstance(rows[label("summary.date", lang)][0], dt.datetime)
    headline = {
        "shortfall": (s["shortfall_before"], s["shortfall"]),
        "imbalance": (s["imbalance_hours_before"], s["imbalance_hours"]),
        "balance": (s["balance_cost_before"], s["balance_cost"]),
        "balance_bound": (None, s["balance_cost_bound"]),
        "balance_gap": (None, s["balance_gap"]),
        "moves": (0, s["moves"]),
        "preference": (0, s["preference_cost"]),
    }
    if "training" in s:  # trainable_gap > 0
        headline["training"] = (s["training_before"], s["training"])
    for key, (before, after) in headline.items():
        got = rows[label(f"summary.{key}", lang)]
        assert _close(got[0], before) and _close(got[1], after), (key, got)
    for st in plan.stages:
        got = rows[label(f"stage.{st.name}", lang)]
        assert _close(got[0], st.value_display) and _close(got[1], st.bound_display)
        assert _close(got[2], st.gap)
        assert got[3] == label(f"status.{st.status}", lang)
    for key, value in s["policy"].items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            assert rows[key][0] == value
    assert len(summary._charts) == 1
    # The chart's data: EJ per unit before (and after), as in metrics.unit_table.
    header, ej_rows = _table(summary, col=10)
    assert header[:3] == _headers(["unit", "unit_name", "ej_before"], lang)
    before = metrics.unit_table(plan.problem)["ej"]
    assert [r[0] for r in ej_rows] == list(plan.problem.index.unit_ids)
    for u, row in enumerate(ej_rows):
        want = round(float(before[u]), 4) if math.isfinite(before[u]) else None
        assert row[2] == want

    # Mutasi: plan.moves, with the reasons in the report's language.
    header, rows_ = _table(moves)
    assert header == _headers(MOVE_COLUMNS, lang)
    records = plan.move_records(lang=lang) if plan.has_solution else []
    assert rows_ == [[_cell(r[c]) for c in MOVE_COLUMNS] for r in records]

    # Unit Kerja: plan.unit_table, band cells filled with their band's colour, legend.
    header, rows_ = _table(units)
    assert header == _headers(UNIT_COLUMNS, lang)
    unit_table = plan.unit_table.to_dict("records") if plan.has_solution else []
    assert rows_ == [[_cell(r[c]) for c in UNIT_COLUMNS] for r in unit_table]
    after_col = UNIT_COLUMNS.index("band_after") + 1
    for k, r in enumerate(unit_table, start=2):
        fill = units.cell(row=k, column=after_col).fill.fgColor.rgb
        if r["band_after"]:
            assert fill.endswith(BAND_FILLS[r["band_after"]]), (k, r["band_after"], fill)
    if plan.has_solution:
        assert isinstance(
            units.cell(row=2, column=UNIT_COLUMNS.index("workload_hours") + 1).value, int
        )
    header, legend = _table(units, col=len(UNIT_COLUMNS) + 2)
    assert header == _headers(["band", "band_meaning"], lang)
    assert [r[0] for r in legend] == list(BAND_FILLS)
    for k, band in enumerate(BAND_FILLS, start=2):
        fill = units.cell(row=k, column=len(UNIT_COLUMNS) + 2).fill.fgColor.rgb
        assert fill.endswith(BAND_FILLS[band])

    # Tidak Dipindah: who asked to move but stays, and why.
    header, rows_ = _table(not_moved)
    assert header == _headers(NOT_MOVED_COLUMNS, lang)
    stayers = _stayers(plan) if plan.has_solution else []
    assert [r[0] for r in rows_] == stayers
    for row in rows_[:20]:
        assert row[5] == plan.why_not(row[0], lang=lang)
        emp = plan.problem.employee(row[0])
        assert row[3] == emp.unit and row[4] == "; ".join(emp.preferred_units)

    # Pelatihan: the training table and the totals per competency and level.
    header, rows_ = _table(training)
    assert header == _headers(TRAINING_COLUMNS, lang)
    train = plan.training.to_dict("records") if plan.has_solution else []
    for r in train:
        r["cause"] = label(f"cause.{r['cause']}", lang)
    assert rows_ == [[r[c] for c in TRAINING_COLUMNS] for r in train]
    header, rows_ = _table(training, col=len(TRAINING_COLUMNS) + 2)
    assert header == _headers(TRAINING_TOTAL_COLUMNS, lang)
    totals = plan.training_totals.to_dict("records") if plan.has_solution else []
    assert rows_ == [[r[c] for c in TRAINING_TOTAL_COLUMNS] for r in totals]


@pytest.mark.parametrize("lang", LANGS)
def test_report_of_a_small_plan(small_plan: Plan, tmp_path: Path, lang: str) -> None:
    path = write_report(small_plan, tmp_path / "sub" / "plan.xlsx", lang=lang)
    assert path == tmp_path / "sub" / "plan.xlsx"
    check_report(small_plan, path, lang)


def test_report_of_the_sample(sample_plan: Plan, tmp_path: Path) -> None:
    assert sample_plan.has_solution and len(sample_plan.moves) > 0
    path = write_report(sample_plan, tmp_path / "sample.xlsx")  # default: Bahasa Indonesia
    check_report(sample_plan, path, "id")


def test_report_language_differs_only_in_words(small_plan: Plan, tmp_path: Path) -> None:
    id_wb = openpyxl.load_workbook(write_report(small_plan, tmp_path / "id.xlsx", lang="id"))
    en_wb = openpyxl.load_workbook(write_report(small_plan, tmp_path / "en.xlsx", lang="en"))
    assert id_wb.sheetnames == ["Ringkasan", "Mutasi", "Unit Kerja", "Tidak Dipindah", "Pelatihan"]
    assert en_wb.sheetnames == ["Summary", "Moves", "Units", "Not moved", "Training"]
    assert id_wb["Mutasi"]["A1"].value == "NIP" and id_wb["Mutasi"]["M1"].value == "Alasan"
    assert en_wb["Moves"]["M1"].value == "Reason"
    assert "pindah dari" in id_wb["Mutasi"]["M2"].value
    assert "leaves" in en_wb["Moves"]["M2"].value
    # The numbers are the same cells in both languages.
    for id_ws, en_ws in zip(id_wb.worksheets[1:], en_wb.worksheets[1:], strict=True):
        for id_row, en_row in zip(id_ws.iter_rows(), en_ws.iter_rows(), strict=True):
            for a, b in zip(id_row, en_row, strict=True):
                if isinstance(a.value, int | float):
                    assert a.value == b.value


def test_report_of_an_infeasible_plan(infeasible_plan: Plan, tmp_path: Path) -> None:
    path = write_report(infeasible_plan, tmp_path / "infeasible.xlsx")
    check_report(infeasible_plan, path, "id")
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets[1:]:
        header, rows = _table(ws)
        assert header and rows == []  # headers only (and the band legend beside Unit Kerja)
    assert wb["Pelatihan"].max_row == wb["Mutasi"].max_row == 1
    texts = [c.value for c in wb["Ringkasan"]["A"] if isinstance(c.value, str)]
    assert label("summary.diagnosis", "id") in texts
    assert infeasible_plan.diagnosis[0].message in texts


def test_report_of_an_unknown_plan(small_plan: Plan, tmp_path: Path) -> None:
    plan = Plan.without_solution(
        small_plan.problem, PlanStatus.UNKNOWN, diagnosis=(), solve_seconds=0.5
    )
    path = write_report(plan, tmp_path / "unknown.xlsx", lang="en")
    check_report(plan, path, "en")
    texts = [c.value for c in openpyxl.load_workbook(path)["Summary"]["A"]]
    assert label("summary.no_plan", "en") in texts


def test_bad_language_and_path(small_plan: Plan, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"unknown language 'fr'.*'id'.*'en'"):
        write_report(small_plan, tmp_path / "r.xlsx", lang="fr")
    with pytest.raises(ValueError, match="unknown language"):
        label("sheet.moves", "EN")
    with pytest.raises(ValueError, match="unknown language"):
        small_plan.why_not(small_plan.problem.index.nips[0], lang="jv")
    with pytest.raises(ValueError, match=r"\.xlsx"):
        write_report(small_plan, tmp_path / "r.pdf")
    assert not (tmp_path / "r.xlsx").exists()
    assert check_lang("id") == "id"


def test_every_label_has_both_languages() -> None:
    for key, (indonesian, english) in LABELS.items():
        assert indonesian.strip() and english.strip(), key
        fields = {n for n in ("{unit}", "{who}", "{status}", "{files}") if n in english}
        assert all(f in indonesian for f in fields), key


def test_missing_openpyxl_gives_the_install_hint(
    small_plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import openpyxl → ImportError
    with pytest.raises(ImportError, match=r'pip install "mutasi-opt\[excel\]"'):
        write_report(small_plan, tmp_path / "r.xlsx")


# ------------------------------------------------------------------------ CLI
@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    problem = synth.generate(60, seed=3, max_moves=6)
    return write_folder(problem, tmp_path_factory.mktemp("city") / "city")


def _solve_args(folder: Path, out: Path, *extra: str) -> list[str]:
    return ["solve", str(folder), "--out", str(out), "--workers", "1", "--work-limit", "20", *extra]


def test_cli_report_defaults_to_indonesian_and_prints_english(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "laporan" / "rencana.xlsx"
    assert main(_solve_args(folder, tmp_path / "out", "--report", str(report))) == 0
    printed = capsys.readouterr().out
    assert "Plan status" in printed and f"wrote {report}" in printed
    assert (tmp_path / "out" / "training.csv").is_file()
    assert openpyxl.load_workbook(report).sheetnames[0] == "Ringkasan"


def test_cli_lang_id_prints_indonesian(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report = tmp_path / "plan.xlsx"
    code = main(_solve_args(folder, tmp_path / "out", "--lang", "id", "--report", str(report)))
    assert code == 0
    printed = capsys.readouterr().out
    assert "Status rencana:" in printed and "sebelum" in printed and "sesudah" in printed
    assert "Plan status" not in printed and "before" not in printed
    assert f"ditulis: {report}" in printed
    assert openpyxl.load_workbook(report).sheetnames[0] == "Ringkasan"


def test_cli_lang_en_report(folder: Path, tmp_path: Path) -> None:
    report = tmp_path / "plan.xlsx"
    assert main(_solve_args(folder, tmp_path / "out", "--lang", "en", "--report", str(report))) == 0
    assert openpyxl.load_workbook(report).sheetnames == [
        "Summary",
        "Moves",
        "Units",
        "Not moved",
        "Training",
    ]


def test_cli_without_lang_prints_as_before(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_solve_args(folder, tmp_path / "out")) == 0
    printed = capsys.readouterr().out
    plan = solve(synth.generate(60, seed=3, max_moves=6), work_limit=20.0, workers=1)
    # The printed summary is plan_text in English (timings aside).
    first = plan_text(plan).splitlines()[:7]
    assert printed.splitlines()[:7] == first


def test_cli_infeasible_still_writes_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    problem = Problem(
        employees=[Employee(nip="E1", unit="A"), Employee(nip="E2", unit="A")],
        units=[Unit(unit="A", workload_hours=10), Unit(unit="B", workload_hours=10, min_staff=3)],
        policy=Policy(),
    )
    folder = write_folder(problem, tmp_path / "infeasible")
    report = tmp_path / "r.xlsx"
    assert main(_solve_args(folder, tmp_path / "out", "--report", str(report), "--lang", "id")) == 2
    assert "Status rencana: tidak layak" in capsys.readouterr().out
    wb = openpyxl.load_workbook(report)
    assert wb["Ringkasan"]["B3"].value == "tidak layak"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--report", "plan.pdf"], "must be a .xlsx file"),
        (["--lang", "fr"], "invalid choice: 'fr'"),
    ],
)
def test_cli_report_usage_errors_exit_1(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as info:
        main(_solve_args(folder, tmp_path / "out", *extra))
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()  # refused before solving


def test_cli_report_without_openpyxl_exits_1_before_solving(
    folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    with pytest.raises(SystemExit) as info:
        main(_solve_args(folder, tmp_path / "out", "--report", str(tmp_path / "r.xlsx")))
    assert info.value.code == 1
    assert 'pip install "mutasi-opt[excel]"' in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_cli_report_that_cannot_be_written_exits_1(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    report = blocker / "r.xlsx"  # its folder is a file
    assert main(_solve_args(folder, tmp_path / "out", "--report", str(report))) == 1
    err = capsys.readouterr().err
    assert "cannot write the report" in err and str(report) in err
    assert (tmp_path / "out" / "summary.json").is_file()  # the plan files are written


def test_report_with_trainable_gap(small_plan: Plan, tmp_path: Path) -> None:
    # Near-qualified staff count after training: the summary gains the training
    # row and the training sheet may list rows of cause "requirement".
    problem = small_plan.problem
    problem = problem.replace(policy=problem.policy.replace(trainable_gap=2))
    plan = solve(problem, work_limit=10.0, workers=1)
    assert "training" in plan.summary()
    path = write_report(plan, tmp_path / "gap.xlsx")
    check_report(plan, path, "id")
    wb = openpyxl.load_workbook(path)
    assert "requirement" in set(plan.training["cause"])  # this instance trains someone in place
    causes = {r[TRAINING_COLUMNS.index("cause")] for r in _table(wb["Pelatihan"])[1]}
    assert label("cause.requirement", "id") in causes
    rows = _summary_rows(wb["Ringkasan"])
    assert rows["Kebutuhan pelatihan"][:2] == [
        plan.summary()["training_before"],
        plan.summary()["training"],
    ]


# ------------------------------------------------------- Indonesian texts
def test_indonesian_texts(small_plan: Plan) -> None:
    plan = small_plan
    assert plan_text(plan) == plan_text(plan, lang="en") == str(plan)
    text = plan_text(plan, lang="id")
    assert text.startswith("Status rencana: ")
    for word in ("sebelum", "sesudah", "tahap:", "ketidakseimbangan D", "diselesaikan dalam"):
        assert word in text
    for word in ("before", "after", "stages", "solved in", "Plan status"):
        assert word not in text
    # Indonesian number format: thousands with '.', decimals with ','.
    imbalance = plan.summary()["imbalance_hours"]
    assert f"{imbalance:,.1f}".translate(str.maketrans(",.", ".,")) in text
    moved = plan.move_records(lang="id")
    english = plan.move_records()
    assert len(moved) == len(english) > 0
    for id_row, en_row in zip(moved, english, strict=True):
        assert "pindah dari" in id_row["reason"] and "leaves" not in id_row["reason"]
        assert {k: v for k, v in id_row.items() if k not in ("reason", "requirements_covered")} == {
            k: v for k, v in en_row.items() if k not in ("reason", "requirements_covered")
        }
    for nip in _stayers(plan)[:10]:
        why = plan.why_not(nip, lang="id")
        assert " tetap" in why and "stays" not in why
