"""Replaying historical mutations: numbers, rule exceptions, rows that cannot be replayed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mutasi_opt import Demand, Employee, InputError, Policy, Problem, Unit, metrics
from mutasi_opt.io.history import read_history
from mutasi_opt.planning.history import evaluate_history


def _problem() -> Problem:
    return Problem(
        employees=(
            Employee(nip="A", unit="U0", role="guru", months_in_unit=60),
            Employee(nip="B", unit="U0", role="guru", months_in_unit=60),
            Employee(nip="C", unit="U1", role="guru", locked=True),
            Employee(nip="D", unit="U1", role="guru", months_in_unit=3),
        ),
        units=(Unit(unit="U0"), Unit(unit="U1"), Unit(unit="U2")),
        demand=(
            Demand(unit="U0", role="guru", workload_hours=1000),
            Demand(unit="U1", role="guru", workload_hours=1000),
            Demand(unit="U2", role="guru", workload_hours=2000),
        ),
        policy=Policy(max_moves=5),
    )


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "history.csv"
    path.write_text("nip,from_unit,to_unit,date,kind\n" + body, encoding="utf-8")
    return path


def test_replay_in_date_order_with_exceptions_and_skipped_rows(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "B,U2,U1,2024-09-01,\n"  # B is in U2 by then (row 3 moved it first): fine
        "B,U0,U2,2024-03-01,permanent\n"
        "C,U1,U2,2024-04-01,\n"  # locked: a rule exception
        "D,U1,U2,2024-05-01,temporary\n"  # a secondment: not replayed
        "X,U0,U2,2024-05-01,\n"  # unknown NIP
        "A,U1,U2,2024-06-01,\n"  # A was in U0, not U1
        "A,U0,U9,2024-06-02,\n",  # unknown unit
    )
    report = evaluate_history(_problem(), path)
    assert [m.row for m in report.applied] == [3, 4, 2]
    idx = report.problem.index
    assert [idx.unit_ids[int(u)] for u in report.assignment] == ["U0", "U1", "U2", "U1"]
    assert {v.kind for v in report.exceptions} == {"locked"}
    reasons = {s.move.row: s.reason for s in report.skipped}
    assert reasons == {
        5: "temporary move (a secondment): not replayed",
        6: "unknown NIP X",
        7: "from_unit is U1 but the employee was in U0",
        8: "unknown unit U9",
    }
    assert report.after == metrics.evaluate(report.problem, report.assignment)
    assert report.before == metrics.evaluate(report.problem, idx.home)
    assert report.summary()["moves"] == 2  # B ends in U1 (moved), C in U2 (moved)
    assert np.isclose(report.summary()["imbalance_hours"], report.after.imbalance_hours)


@pytest.mark.parametrize(
    ("body", "column"),
    [
        ("A,U0,U2,2024-13-01,\n", "date"),
        ("A,U0,U2,1 Juli 2024,\n", "date"),
        (",U0,U2,2024-01-01,\n", "nip"),
        ("A,U0,U2,2024-01-01,sometimes\n", "kind"),
    ],
)
def test_bad_rows_name_row_and_column(tmp_path: Path, body: str, column: str) -> None:
    with pytest.raises(InputError) as info:
        read_history(_write(tmp_path, body))
    (issue,) = info.value.issues
    assert (issue.file, issue.row, issue.column) == ("history.csv", 2, column)
