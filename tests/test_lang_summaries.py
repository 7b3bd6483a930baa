"""Indonesian summaries (``lang="id"``) of the frontier and the history: the
same numbers as the English texts in Indonesian format, Indonesian wording,
and ``mutasi-opt frontier/history --lang id``."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from mutasi_opt import Employee, Policy, Problem, Unit, read_folder, synth, write_folder
from mutasi_opt.cli import main
from mutasi_opt.io.history import read_history, write_history
from mutasi_opt.planning.frontier import frontier
from mutasi_opt.planning.history import compare_history, evaluate_history, synthetic_history
from mutasi_opt.results.frontier import Frontier
from mutasi_opt.results.history import HistoryComparison, HistoryMove
from mutasi_opt.text.i18n import label, number

_NUMBER = re.compile(r"\d[\d.,]*\d|\d")
_TO_ID = str.maketrans(",.", ".,")


def _numbers(text: str) -> list[str]:
    return _NUMBER.findall(text)


def _same_numbers(en: str, id_: str) -> None:
    """Every number of the English text, in order, appears in the Indonesian
    one in Indonesian format (1,234.5 → 1.234,5)."""
    english = _numbers(en)
    assert english, en
    assert _numbers(id_) == [n.translate(_TO_ID) for n in english]


def _problem() -> Problem:
    return synth.generate(60, seed=3)


@pytest.fixture(scope="module")
def curve() -> Frontier:
    return frontier(_problem(), points=5, workers=1)


def _history(problem: Problem) -> list[HistoryMove]:
    """A synthetic history with rule exceptions and a secondment, plus rows that
    cannot be replayed (an unknown NIP and unit, and 11 wrong from_units)."""
    idx = problem.index
    day = dt.date(2025, 3, 1)
    moves = list(synthetic_history(problem, 8, seed=1, exceptions=0.4, temporary=0.2))
    moves += [
        HistoryMove("NOPE", idx.unit_ids[0], idx.unit_ids[1], day, row=90),
        HistoryMove(idx.nips[0], "XX", idx.unit_ids[1], day, row=91),
    ]
    moves += [
        HistoryMove(idx.nips[1], idx.unit_ids[5], idx.unit_ids[2], day, row=92 + k)
        for k in range(11)
    ]
    return moves


@pytest.fixture(scope="module")
def comparison() -> HistoryComparison:
    problem = _problem()
    return compare_history(problem, _history(problem), workers=1)


# ------------------------------------------------------------------ frontier
def test_frontier_text_in_indonesian(curve: Frontier) -> None:
    en, id_ = str(curve), curve.text("id")
    assert curve.text() == curve.text("en") == en
    _same_numbers(en, id_)
    lines = id_.splitlines()
    assert lines[0].startswith(f"Kurva mutasi terhadap keseimbangan ({len(curve.points)} kuota, ")
    assert lines[1].split() == [
        "kuota",
        "mutasi",
        "kekurangan",
        "D",
        "(jam)",
        "penurunan",
        "B",
        "(jam)",
        "selisih",
        "B",
        "preferensi",
        "lewat-waktu",  # overdue for rotation, left in their unit (issue 16)
        "status",
    ]
    rows = lines[2 : 2 + len(curve.points)]
    for point, row in zip(curve.points, rows, strict=True):
        cells = row.split()
        hours = number(point.imbalance_hours, ",.1f", "id")
        assert cells[:4] == [str(point.budget), str(point.moves), str(point.shortfall), hours]
        assert cells[5] == number(point.balance_cost, ",.1f", "id")
        assert cells[6] == number(100 * point.balance_gap, ".2f", "id") + "%"
        assert row.endswith("◀ titik siku") == (point is curve.knee)
    assert lines[-1] == "Kuota yang disarankan: " + curve.suggestion("id")
    assert "Suggested" not in id_ and "budget" not in id_


def test_frontier_suggestion_in_indonesian(curve: Frontier) -> None:
    knee, base = curve.knee, curve.covering
    assert knee is not None and base is not None
    assert curve.imbalance_start > curve.imbalance_best
    short0 = curve.points[0].plan.before.shortfall
    assert base.shortfall < short0  # the instance needs moves to cover competencies
    text = curve.suggestion("id")
    _same_numbers(curve.suggestion(), text)
    assert text.startswith(
        f"{base.moves} mutasi diperlukan untuk menutup kompetensi yang dibutuhkan "
        f"(kekurangan {short0} → {base.shortfall} pegawai, sekecil mungkin); "
    )
    start = number(curve.imbalance_start, ",.0f", "id")
    best = number(curve.imbalance_best, ",.0f", "id")
    assert "." in start  # thousands in Indonesian format
    # past covering the shortfall, this curve falls evenly: no clear knee
    assert curve.knee_score() < 0.05
    extra = curve.max_moves - base.moves
    per = number((curve.imbalance_start - curve.imbalance_best) / extra, ",.0f", "id")
    assert text.endswith(
        "ketidakseimbangan turun kira-kira merata seiring jumlah mutasi, tanpa titik siku "
        f"yang jelas (D {start} → {best} jam dengan {extra} mutasi, {per} jam per mutasi); "
        "tentukan kuota menurut jumlah mutasi yang dapat dilaksanakan."
    )


def test_frontier_knee_in_indonesian() -> None:
    from test_frontier import knee_problem

    curve = frontier(knee_problem(), workers=1)
    knee = curve.knee
    assert knee is not None and curve.knee_score() >= 0.05
    share = curve.reduction(knee)
    assert share is not None
    text = curve.suggestion("id")
    _same_numbers(curve.suggestion(), text)
    start = number(curve.imbalance_start, ",.0f", "id")
    d = number(knee.imbalance_hours, ",.0f", "id")
    best = number(curve.imbalance_best, ",.0f", "id")
    assert text == (
        f"{knee.moves} mutasi memberi {100 * share:.0f}% dari penurunan ketidakseimbangan yang "
        f"dapat dicapai (D {start} → {d} jam; seluruh {curve.max_moves} mutasi optimum tanpa "
        f"kuota mencapai {best})."
    )


def test_frontier_without_gain_or_plan_in_indonesian() -> None:
    flat = frontier(
        Problem(
            employees=[Employee(nip="E1", unit="A"), Employee(nip="E2", unit="B")],
            units=[Unit(unit="A", workload_hours=1250), Unit(unit="B", workload_hours=1250)],
            policy=Policy(min_months_in_unit=0),
        ),
        workers=1,
    )
    assert flat.suggestion("id").startswith(
        "Tidak ada mutasi yang menurunkan ketidakseimbangan (D = "
    )
    assert flat.suggestion("id").endswith("jam); kuota dapat 0.")
    _same_numbers(str(flat), flat.text("id"))
    infeasible = frontier(
        Problem(
            employees=[Employee(nip="E1", unit="A"), Employee(nip="E2", unit="A")],
            units=[
                Unit(unit="A", workload_hours=10),
                Unit(unit="B", workload_hours=10, min_staff=3),
            ],
            policy=Policy(),
        ),
        workers=1,
    )
    assert infeasible.infeasible is not None
    reason = infeasible.infeasible.diagnosis[0].message  # the diagnosis stays English
    assert infeasible.suggestion("id") == f"Tidak ada rencana yang memenuhi aturan: {reason}"
    assert "  (tidak ada titik)" in infeasible.text("id").splitlines()


def test_unknown_language_is_a_clear_error(curve: Frontier, comparison: HistoryComparison) -> None:
    calls = [
        curve.text,
        curve.suggestion,
        comparison.text,
        comparison.headline,
        comparison.match_text,
        comparison.history.text,
        comparison.history.issue_lines,
    ]
    for call in calls:
        with pytest.raises(ValueError, match="unknown language 'xx'"):
            call("xx")


# ------------------------------------------------------------------ history
def test_history_report_in_indonesian(comparison: HistoryComparison) -> None:
    report = comparison.history
    assert report.exceptions and len(report.skipped) > 10  # the instance has what we check
    en, id_ = str(report), report.text("id")
    assert report.text() == report.text("en") == en
    _same_numbers(en, id_)
    b, a = report.before, report.after
    lines = id_.splitlines()
    assert lines[:5] == [
        f"Riwayat diterapkan ulang: {len(report.applied)} baris, {a.moves} pegawai dipindah",
        f"  kekurangan kompetensi {b.shortfall} → {a.shortfall} pegawai",
        f"  ketidakseimbangan D {number(b.imbalance_hours, ',.1f', 'id')} → "
        f"{number(a.imbalance_hours, ',.1f', 'id')} jam",
        f"  biaya keseimbangan B {number(b.balance_cost, ',.1f', 'id')} → "
        f"{number(a.balance_cost, ',.1f', 'id')} jam",
        f"  biaya preferensi {a.preference_cost}",
    ]
    assert f"Pengecualian aturan dalam riwayat ({len(report.exceptions)}):" in lines
    # the checker's messages stay in English
    for v in report.exceptions[:10]:
        assert f"  - {v.message}" in lines
    assert f"Baris yang tidak diterapkan ulang ({len(report.skipped)}):" in lines
    assert f"  … {len(report.skipped) - 10} lainnya" in lines
    assert "  - baris 90: NIP NOPE tidak dikenal" in lines
    assert "  - baris 91: unit XX tidak dikenal" in lines
    temporary = [s for s in report.skipped if s.move.kind == "temporary"]
    assert temporary
    assert temporary[0].text("id") == "mutasi sementara (perbantuan): tidak diterapkan ulang"
    wrong = next(s for s in report.skipped if s.move.row == 92)
    assert wrong.text("id").startswith(f"from_unit tertulis {wrong.move.from_unit}, tetapi ")
    assert [s.text() for s in report.skipped] == [s.reason for s in report.skipped]
    assert "Rows not replayed" not in id_ and "Rule exceptions" not in id_


def test_history_comparison_in_indonesian(comparison: HistoryComparison) -> None:
    h, o = comparison.history, comparison.optimised
    assert o.after is not None and comparison.reach.moves is not None
    en, id_ = str(comparison), comparison.text("id")
    assert comparison.text() == comparison.text("en") == en
    _same_numbers(en, id_)
    lines = id_.splitlines()
    assert lines[0] == (
        f"Riwayat vs optimasi ({len(h.applied)} baris riwayat diterapkan ulang; optimasi "
        f"dengan aturan yang sama dan jumlah mutasi yang sama, "
        f"{label(f'status.{o.status.value}', 'id')})"
    )
    assert lines[2].split() == ["riwayat", "optimasi"]
    shortfalls = [str(h.after.shortfall), str(o.after.shortfall)]
    assert lines[4].split() == ["kekurangan", "(pegawai)", *shortfalls]
    g_h, g_o = comparison.gain_per_move_history, comparison.gain_per_move_optimiser
    assert g_h is not None and g_o is not None
    headline = comparison.headline("id")
    assert headline.startswith(
        f"Keseimbangan yang diperoleh per mutasi: riwayat {number(g_h, ',.1f', 'id')} jam "
        f"ketidakseimbangan, optimasi {number(g_o, ',.1f', 'id')}"
    )
    _same_numbers(comparison.headline(), headline)
    match = comparison.match_text("id")
    _same_numbers(comparison.match_text(), match)
    assert match.startswith(
        f"Optimasi mencapai nilai riwayat untuk kekurangan ({h.after.shortfall}), "
        f"D ({number(h.after.imbalance_hours, ',.1f', 'id')} jam) dan "
        f"B ({number(h.after.balance_cost, ',.1f', 'id')} jam) dengan "
        f"{comparison.reach.moves} mutasi ("
    )
    assert match.endswith(f"); riwayat memakai {h.after.moves}.")
    assert headline in lines and match in lines
    assert lines[-len(h.issue_lines("id")) :] == h.issue_lines("id")


# ---------------------------------------------------------------------- CLI
def test_cli_frontier_lang_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_folder(_problem(), tmp_path / "city")
    out = tmp_path / "out"
    args = ["frontier", str(folder), "--budgets", "0", "5", "--workers", "1", "--out", str(out)]
    assert main([*args, "--lang", "id"]) == 0
    printed = capsys.readouterr().out.splitlines()
    expected = frontier(read_folder(folder), [0, 5], workers=1).text("id").splitlines()
    assert printed[0].startswith("Kurva mutasi terhadap keseimbangan (2 kuota, ")
    assert printed[1:-1] == expected[1:]  # the title holds the (varying) seconds
    assert printed[-1] == f"ditulis: {out}/frontier.csv, frontier.json"
    assert main(args) == 0
    assert "Suggested budget: " in capsys.readouterr().out


def test_cli_history_lang_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    problem = _problem()
    folder = write_folder(problem, tmp_path / "city")
    path = write_history(_history(problem), tmp_path / "history.csv")
    base = ["history", str(folder), str(path), "--workers", "1", "--lang", "id"]
    assert main([*base, "--replay-only"]) == 0
    report = evaluate_history(read_folder(folder), read_history(path))
    assert capsys.readouterr().out == report.text("id") + "\n"
    out = tmp_path / "out"
    assert main([*base, "--out", str(out)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("Riwayat vs optimasi (")
    assert any(line.startswith("Keseimbangan yang diperoleh per mutasi: ") for line in printed)
    assert any(line.startswith("Optimasi mencapai nilai riwayat untuk ") for line in printed)
    assert printed[-1] == f"ditulis: {out}/comparison.json, exceptions.csv, skipped.csv, optimiser/"
    assert printed[-len(report.issue_lines("id")) - 1 : -1] == report.issue_lines("id")


@pytest.mark.parametrize("command", [["frontier", "--sample"], ["history", "--sample"]])
def test_cli_unknown_language_is_a_usage_error(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main([*command, "--lang", "xx"])
    assert exc.value.code == 1
    assert "invalid choice: 'xx'" in capsys.readouterr().err
