"""Current-state analysis on a hand-computed instance.

Instance (effective hours 1250, default policy):

=====  ===========  ==========================================
unit   demand       staff
=====  ===========  ==========================================
A      perawat 3000  e1 perawat fte 1 (1250 h), 72 months, triase 3
B      perawat 1000  e2 perawat fte 1 (1250 h), 30 months, vaksinasi 1
                     e3 perawat fte 0.5 (625 h), 10 months
C      guru 1250     e4 guru PPPK (1250 h); e5 guru locked PPPK (1250 h)
D      —             —
E      guru 1250     — (vacant formasi)
=====  ===========  ==========================================

Requirements: A needs 2 staff with triase ≥ 2; B needs 1 with vaksinasi ≥ 1.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from mutasi_opt import Demand, Employee, Problem, Requirement, Unit, metrics
from mutasi_opt.planning.state import current_state
from mutasi_opt.results.state import StateReport
from mutasi_opt.text.tables import format_table


@pytest.fixture(scope="module")
def problem() -> Problem:
    return Problem(
        employees=(
            Employee(
                nip="e1", unit="A", role="perawat", months_in_unit=72, competencies="triase:3"
            ),
            Employee(
                nip="e2", unit="B", role="perawat", months_in_unit=30, competencies="vaksinasi"
            ),
            Employee(nip="e3", unit="B", role="perawat", fte=0.5, months_in_unit=10),
            Employee(nip="e4", unit="C", role="guru", employment_type="PPPK"),
            Employee(nip="e5", unit="C", role="guru", employment_type="PPPK", locked=True),
        ),
        units=(
            Unit(unit="A", name="Unit A"),
            Unit(unit="B", name="Unit B"),
            Unit(unit="C", name="Unit C"),
            Unit(unit="D", name="Unit D"),
            Unit(unit="E", name="Unit E"),
        ),
        demand=(
            Demand(unit="A", role="perawat", workload_hours=3000),
            Demand(unit="B", role="perawat", workload_hours=1000),
            Demand(unit="C", role="guru", workload_hours=1250),
            Demand(unit="E", role="guru", workload_hours=1250),
        ),
        requirements=(
            Requirement(unit="A", competency="triase", min_level=2, min_staff=2),
            Requirement(unit="B", competency="vaksinasi", min_level=1, min_staff=1),
        ),
    )


@pytest.fixture(scope="module")
def report(problem: Problem) -> StateReport:
    return current_state(problem)


def test_totals(report: StateReport) -> None:
    assert (report.n_employees, report.n_pns, report.n_pppk) == (5, 3, 2)
    assert (report.n_units, report.n_roles) == (5, 2)
    # 1250 + 1250 + 625 + 1250 + 1250
    assert report.capacity_hours == 5625
    assert report.capacity_fte == 4.5
    # 3000 + 1000 + 1250 + 1250
    assert report.workload_hours == 6500
    assert report.workload_fte == 5.2


def test_imbalance_and_balance_cost(report: StateReport) -> None:
    # perawat: C_r = 1250 + 1250 + 625 = 3125, W_r = 4000
    #   F(A) = 3000 · 3125 / 4000 = 2343.75, S(A) = 1250, d = 1093.75
    #   F(B) = 1000 · 3125 / 4000 =  781.25, S(B) = 1875, d = 1093.75
    # guru: C_r = 2500, W_r = 2500
    #   F(C) = 1250, S(C) = 2500, d = 1250;  F(E) = 1250, S(E) = 0, d = 1250
    # D = ½ (1093.75 + 1093.75 + 1250 + 1250) = 2343.75 h = 1.875 FTE
    assert report.imbalance_hours == 2343.75
    assert report.imbalance_centi == 468_750
    assert report.imbalance_fte == pytest.approx(1.875)
    # φ(d, F) = 1·d + 1·max(0, d − .1F) + 2·max(0, d − .3F) + 4·max(0, d − .5F)
    # A: 1093.75 + 859.375 + 2·390.625 + 0                 = 2734.375
    # B: 1093.75 + 1015.625 + 2·859.375 + 4·703.125        = 6640.625
    # C: 1250 + 1125 + 2·875 + 4·625                        = 6625
    # E: same as C                                          = 6625
    # B = 22625
    assert report.balance_cost == 22625.0
    assert report.balance_cost_scaled == 226_250_000


def test_unit_role_rows(report: StateReport) -> None:
    rows = {(r["unit"], r["role"]): r for r in report.unit_roles}
    # D has no demand and no staff: no row
    assert set(rows) == {("A", "perawat"), ("B", "perawat"), ("C", "guru"), ("E", "guru")}
    a = rows["A", "perawat"]
    # EJ = 3000 / 1250 = 2.4 > 1.00 → A
    assert (a["headcount"], a["workload_hours"], a["capacity_hours"]) == (1, 3000, 1250)
    assert (a["fair_share_hours"], a["deviation_hours"]) == (2343.75, 1093.75)
    assert (a["ej"], a["band"]) == (2.4, "A")
    b = rows["B", "perawat"]
    # EJ = 1000 / 1875 = 0.5333 → D (0.50-0.69)
    assert (b["headcount"], b["capacity_hours"], b["ej"], b["band"]) == (2, 1875, 0.5333, "D")
    c = rows["C", "guru"]
    # EJ = 1250 / 2500 = 0.50 exactly → still D (E is below 0.50)
    assert (c["ej"], c["band"]) == (0.5, "D")
    e = rows["E", "guru"]
    # work but no staff: EJ infinite (None in the report), band A
    assert (e["headcount"], e["capacity_hours"], e["ej"], e["band"]) == (0, 0, None, "A")
    assert report.band_counts == {"A": 2, "B": 0, "C": 0, "D": 2, "E": 0}


def test_over_and_under_loaded(report: StateReport) -> None:
    # unit EJ: E no staff (∞), A 2.4, B 0.533, C 0.5; D has nothing (no EJ)
    assert [u["unit"] for u in report.overloaded] == ["E", "A"]
    assert [u["unit"] for u in report.underloaded] == ["C", "B"]
    d = next(u for u in report.units if u["unit"] == "D")
    assert (d["ej"], d["band"], d["headcount"]) == (None, "", 0)


def test_shortfalls(report: StateReport) -> None:
    # A needs 2 with triase ≥ 2: only e1 (triase 3) → short 1; B is covered by e2
    assert report.shortfall == 1
    assert report.shortfalls == (
        {
            "unit": "A",
            "unit_name": "Unit A",
            "competency": "triase",
            "min_level": 2,
            "needed": 2,
            "have": 1,
            "short": 1,
        },
    )


def test_movable_reasons(report: StateReport) -> None:
    # e1, e2 movable; e3 10 months < 24 (tenure); e4 PPPK; e5 locked (checked before PPPK)
    assert report.n_movable == 2
    assert report.movable_share == 0.4
    # (inactive and retiring: issue 16's reasons, none here)
    assert dict(report.immovable) == {
        "locked": 1, "pppk": 1, "tenure": 1, "inactive": 0, "retiring": 0
    }  # fmt: skip
    # only e1 is more than 60 months in the unit
    assert report.n_overdue == 1


def test_to_dict_is_json(report: StateReport) -> None:
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert data["status"] == "valid"
    assert data["imbalance_hours"] == 2343.75
    assert data["balance_cost"] == 22625.0
    assert data["totals"]["employees"] == 5
    assert data["movable"]["not_movable"] == {
        "locked": 1, "pppk": 1, "tenure": 1, "inactive": 0, "retiring": 0
    }  # fmt: skip
    assert len(data["unit_roles"]) == 4


def test_summary_text(report: StateReport) -> None:
    with pytest.warns(DeprecationWarning, match="str\\(state\\)"):
        text = report.summary()  # the former name of the text report
    assert "Imbalance D = 2,343.75 h = 1.9 FTE" in text
    assert "Balance cost B = 22,625.00" in text
    assert "Movable: 2 of 5 (40.0%)" in text
    assert "no staff" in text  # unit E
    assert "triase" in text
    table = report.unit_roles_text().splitlines()
    assert table[0].split() == [
        "unit",
        "role",
        "staff",
        "ABK",
        "h",
        "capacity",
        "h",
        "fair",
        "share",
        "h",
        "EJ",
        "band",
    ]
    assert len(table) == 5


def test_unit_role_table_general_assignment(problem: Problem) -> None:
    # move e2 from B to A: perawat S(A) = 2500, S(B) = 625
    # d(A) = |2500 − 2343.75| = 156.25, d(B) = |625 − 781.25| = 156.25
    moved = metrics.as_assignment(problem, {"e2": "A"})
    t = metrics.unit_role_table(problem, moved)
    units = [problem.index.unit_ids[u] for u in t["unit"]]
    assert units == ["A", "B", "C", "E"]
    assert t["capacity_hours"].tolist() == [2500, 625, 2500, 0]
    assert t["deviation_hours"].tolist() == [156.25, 156.25, 1250.0, 1250.0]
    assert t["headcount"].tolist() == [2, 1, 2, 0]
    assert np.allclose(t["ej"][:3], [1.2, 1.6, 0.5])
    # D = ½ (156.25 + 156.25 + 1250 + 1250) = 1406.25
    assert metrics.evaluate(problem, moved).imbalance_hours == 1406.25
    # rows for both the before and the after state
    pairs = metrics.unit_role_pairs(problem, problem.index.home, moved)
    assert int(pairs.sum()) == 4


def test_format_table_aligns() -> None:
    lines = format_table(
        [{"a": "x", "n": 1000}, {"a": "longer", "n": 5}], (("a", "name", "<"), ("n", "n", ">"))
    )
    assert lines == ["  name        n", "  x       1,000", "  longer      5"]


def test_the_text_report_is_str_and_text_and_summary_is_deprecated(report: StateReport) -> None:
    """``str(state)`` and ``state.text()`` are the text report; ``summary()`` (a str here,
    a dict on every other result) still gives it, with a DeprecationWarning."""
    assert str(report) == report.text()
    assert "Imbalance D = 2,343.75 h = 1.9 FTE" in report.text()
    with pytest.warns(DeprecationWarning, match="str\\(state\\)"):
        old = report.summary(top=1)
    assert old == report.text(top=1) != report.text()
