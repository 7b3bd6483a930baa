"""Surge numbers in ``metrics``: need, cover, uncovered, lent capacity, monthly B."""

from __future__ import annotations

import numpy as np

from mutasi_opt import Demand, Employee, Problem, Surge, Unit, metrics
from mutasi_opt.domain.values import month_index
from mutasi_opt.metrics import Secondments


def _problem() -> Problem:
    return Problem(
        employees=(
            Employee(nip="E0", unit="U0", role="perawat", fte=1.0),
            Employee(nip="E1", unit="U0", role="perawat", fte=0.5),
            Employee(nip="E2", unit="U1", role="perawat", fte=1.0),
        ),
        units=(Unit(unit="U0"), Unit(unit="U1"), Unit(unit="PKM")),
        demand=(
            Demand(unit="U0", role="perawat", workload_hours=1000),
            Demand(unit="U1", role="perawat", workload_hours=1500),
            Demand(unit="PKM", role="perawat", workload_hours=500),
        ),
    )


SURGES = (
    Surge(surge="V1", unit="PKM", start="2026-04", end="2026-06", extra_fte=1.5),
    Surge(surge="V2", unit="U1", start="2026-06", end="2026-07", extra_fte=0.25),
)


def _secondments() -> Secondments:
    apr, may, jun = (month_index(f"2026-0{m}") for m in (4, 5, 6))
    return Secondments(
        employee=np.array([0, 1]),
        surge=np.array([0, 0]),
        first=np.array([apr, may]),
        last=np.array([may, jun]),
    )


def test_horizon_need_cover_uncovered() -> None:
    p = _problem()
    months = metrics.surge_horizon(SURGES)
    assert (months.start, months.stop) == (month_index("2026-04"), month_index("2026-07") + 1)
    need = metrics.surge_need_centi(SURGES, months)
    assert need.tolist() == [[150, 150, 150, 0], [0, 0, 25, 25]]
    cover = metrics.surge_cover_centi(p, SURGES, months, _secondments())
    assert cover.tolist() == [[100, 150, 50, 0], [0, 0, 0, 0]]
    assert metrics.uncovered_centi(need, cover).tolist() == [[50, 0, 100, 0], [0, 0, 25, 25]]
    empty = metrics.surge_cover_centi(p, SURGES, months, Secondments.empty())
    assert not empty.any()


def test_lent_capacity_and_monthly_balance() -> None:
    p = _problem()
    months = metrics.surge_horizon(SURGES)
    home = p.index.home
    lent = metrics.lent_capacity_centi(p, home, months, _secondments())
    u0, r = p.index.unit_ids.index("U0"), 0
    # E0 (1,250 h) away in April and May, E1 (625 h) in May and June
    assert lent[:, u0, r].tolist() == [125_000, 187_500, 62_500, 0]
    assert lent.sum() == lent[:, u0, r].sum()
    b = metrics.secondment_balance_scaled(p, home, months, _secondments())
    fair = metrics.fair_share_centi(p)
    s0 = metrics.assigned_capacity_centi(p, home)
    for m in range(len(months)):
        want = metrics.phi_scaled(np.abs(s0 - lent[m] - fair), fair, p.policy).sum()
        assert b[m] == want
    # July: nobody is away, so B is the base state's
    assert b[3] == metrics.balance_cost_scaled(p, home)
    # U0 holds 1,875 h of perawat capacity for a fair share of 1,041.67 h: lending
    # from it lowers B (April) — the surplus is what should help first
    assert b[0] < b[3]
