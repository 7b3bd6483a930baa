"""Plots: the data drawn (bar heights, colours, markers) equals the library's numbers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import sys
import textwrap
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.colors import to_rgba

from mutasi_opt import (
    Demand,
    Employee,
    Plan,
    Problem,
    Surge,
    Unit,
    metrics,
    plan_surges,
    solve,
)
from mutasi_opt import plot as mplot
from mutasi_opt.planning.frontier import frontier
from mutasi_opt.planning.history import evaluate_history
from mutasi_opt.results.frontier import Frontier
from mutasi_opt.results.history import HistoryMove, HistoryReport
from mutasi_opt.results.surge import SurgePlan
from mutasi_opt.views.html import BAND_COLOURS
from problems import first_seed, random_problem
from surge_problems import vaccination_shortfall


@pytest.fixture(autouse=True)
def _close_figures() -> Any:
    yield
    plt.close("all")


# ------------------------------------------------------------------ instances
def _plan_with_moves(start: int) -> Plan:
    """A solved random problem (four units, two roles) whose plan moves someone, every
    unit with workload having staff before and after (finite EJ)."""

    def ok(seed: int) -> bool:
        plan = solve(random_problem(seed, 8, 4, max_moves=None), work_limit=2.0, workers=1)
        if plan.assignment_array is None or plan.after is None or plan.after.moves == 0:
            return False
        tables = [metrics.unit_table(plan.problem, a) for a in (None, plan.assignment_array)]
        return all(np.isfinite(t["ej"][t["workload_hours"] > 0]).all() for t in tables)

    seed = first_seed(ok, start)
    return solve(random_problem(seed, 8, 4, max_moves=None), work_limit=2.0, workers=1)


@pytest.fixture(scope="module")
def plan() -> Plan:
    return _plan_with_moves(11)


def _no_staff_problem() -> Problem:
    """U1 has workload but nobody (EJ infinite); U2 has neither (no EJ: not drawn)."""
    return Problem(
        employees=(
            Employee(nip="A", unit="U0", role="guru"),
            Employee(nip="B", unit="U0", role="guru", fte=0.5),
            Employee(nip="C", unit="U3", role="guru"),
        ),
        units=(Unit(unit="U0"), Unit(unit="U1"), Unit(unit="U2"), Unit(unit="U3")),
        demand=(
            Demand(unit="U0", role="guru", workload_hours=1000),
            Demand(unit="U1", role="guru", workload_hours=500),
            Demand(unit="U3", role="guru", workload_hours=3000),
        ),
    )


def _history(problem: Problem, n: int) -> HistoryReport:
    """``n`` historical moves of movable staff to the first other unit."""
    movable = np.flatnonzero(metrics.movable(problem))[:n]
    rows = []
    for k, e in enumerate(movable):
        emp = problem.employees[int(e)]
        to = next(u for u in problem.index.unit_ids if u != emp.unit)
        rows.append(HistoryMove(emp.nip, emp.unit, to, dt.date(2025, 1, 1 + k)))
    return evaluate_history(problem, rows)


@pytest.fixture(scope="module")
def small_frontier() -> Frontier:
    """A real curve with at least three points on a small problem."""

    def build(seed: int) -> Frontier:
        p = random_problem(seed, 10, 3, max_moves=None, bounds=False, requirements=False)
        return frontier(p, points=4, work_limit=4.0, workers=1)

    seed = first_seed(lambda s: len(build(s).points) >= 3, 5)
    return build(seed)


def _surge_plan() -> SurgePlan:
    """Two surges at PKM: VAKS is 1 FTE short each month (U0 lends at most 2 of its 5),
    REG can be covered by U1's staff; and one at U0."""
    problem, vaks = vaccination_shortfall()
    surges = (
        vaks,
        Surge(surge="REG", unit="PKM", start="2026-05", end="2026-06", extra_fte=1),
        Surge(surge="U0-CAMPAIGN", unit="U0", start="2026-06", end="2026-06", extra_fte=1),
    )
    return plan_surges(problem, surges, work_limit=5.0, workers=1)


# -------------------------------------------------------------------- helpers
def _bars(ax: Axes, label: str) -> Any:
    (container,) = [c for c in ax.containers if c.get_label() == label]
    return container


def _heights(ax: Axes, label: str) -> list[float]:
    return [p.get_height() for p in _bars(ax, label).patches]


def _colours(ax: Axes, label: str) -> list[tuple[float, ...]]:
    return [tuple(p.get_facecolor()) for p in _bars(ax, label).patches]


def _ticks(ax: Axes) -> list[str]:
    return [t.get_text() for t in ax.get_xticklabels()]


def _line(ax: Axes, label: str) -> Any:
    (line,) = [ln for ln in ax.get_lines() if ln.get_label() == label]
    return line


# ------------------------------------------------------------------------- EJ
def test_ej_bars_are_the_unit_tables_ej_coloured_by_band_after(plan: Plan) -> None:
    p = plan.problem
    idx = p.index
    assert plan.assignment_array is not None
    before = metrics.unit_table(p, idx.home)
    after = metrics.unit_table(p, plan.assignment_array)
    ax = mplot.plot_ej(plan)
    units = [idx.unit_pos[u] for u in _ticks(ax)]
    shown = (before["workload_hours"] > 0) | (before["capacity_hours"] > 0)
    shown |= after["capacity_hours"] > 0
    assert sorted(units) == np.flatnonzero(shown).tolist()
    ej_b, ej_a = before["ej"][units], after["ej"][units]
    assert np.isfinite(ej_b).all() and np.isfinite(ej_a).all()  # instance without ∞
    np.testing.assert_allclose(_heights(ax, "EJ before"), ej_b)
    np.testing.assert_allclose(_heights(ax, "EJ after"), ej_a)
    assert list(ej_b) == sorted(ej_b, reverse=True)  # most loaded first
    want = [to_rgba(BAND_COLOURS[str(b)]) for b in after["band"][units]]
    assert _colours(ax, "EJ after") == want
    assert set(_colours(ax, "EJ before")) == {to_rgba(mplot.BEFORE_COLOUR)}
    # the line at EJ = 1 and the band edges
    levels = sorted({ln.get_ydata()[0] for ln in ax.get_lines()})
    assert levels == sorted(p.policy.ej_bands)
    assert plan.after is not None and plan.after.moves > 0  # the plan changes some EJ
    assert not np.array_equal(ej_b, ej_a)


def test_ej_of_a_problem_is_the_current_ej_only(plan: Plan) -> None:
    p = plan.problem
    now = metrics.unit_table(p)
    ax = mplot.plot_ej(p)
    assert [c.get_label() for c in ax.containers] == ["EJ now"]
    units = [p.index.unit_pos[u] for u in _ticks(ax)]
    np.testing.assert_allclose(_heights(ax, "EJ now"), now["ej"][units])
    assert _colours(ax, "EJ now") == [to_rgba(BAND_COLOURS[str(b)]) for b in now["band"][units]]


def test_ej_of_one_role_is_the_unit_role_table(plan: Plan) -> None:
    p = plan.problem
    idx = p.index
    assert plan.assignment_array is not None
    role = idx.roles[int(idx.role[plan.moved_positions[0]])]  # a role someone moves in
    r = idx.role_pos[role]
    pairs = metrics.unit_role_pairs(p, idx.home, plan.assignment_array)
    before = metrics.unit_role_table(p, idx.home, pairs=pairs)
    after = metrics.unit_role_table(p, plan.assignment_array, pairs=pairs)
    ax = mplot.plot_ej(plan, role=role)
    rows = {int(u): k for k, u in enumerate(before["unit"]) if before["role"][k] == r}
    units = [idx.unit_pos[u] for u in _ticks(ax)]
    assert set(units) <= set(rows)
    k = [rows[u] for u in units]
    for label, table in (("EJ before", before), ("EJ after", after)):
        ej, h = table["ej"][k], np.array(_heights(ax, label))
        finite = np.isfinite(ej)
        np.testing.assert_allclose(h[finite], ej[finite])
        assert (h[np.isinf(ej)] > h[finite].max(initial=1.0)).all()  # ∞ drawn to the top
    want = [to_rgba(BAND_COLOURS.get(str(b), mplot.NO_BAND_COLOUR)) for b in after["band"][k]]
    assert _colours(ax, "EJ after") == want
    assert f"role {role!r}" in ax.get_title()
    with pytest.raises(ValueError, match="unknown role 'dokter'; the problem's roles are"):
        mplot.plot_ej(plan, role="dokter")


def test_a_unit_without_staff_is_drawn_to_the_top_and_marked_infinite() -> None:
    p = _no_staff_problem()
    ax = mplot.plot_ej(p)
    # U2 (no workload, no staff) is left out; U1 (∞) leads
    assert _ticks(ax) == ["U1", "U3", "U0"]
    h = _heights(ax, "EJ now")
    now = metrics.unit_table(p)
    np.testing.assert_allclose(h[1:], now["ej"][[3, 0]])
    assert np.isinf(now["ej"][1])
    assert h[0] > max(h[1:]) and h[0] <= ax.get_ylim()[1]
    assert [t.get_text() for t in ax.texts if t.get_text() == "∞"] == ["∞"]
    assert _colours(ax, "EJ now")[0] == to_rgba(BAND_COLOURS["A"])


def test_top_keeps_the_units_furthest_from_their_fair_share(plan: Plan) -> None:
    p = plan.problem
    dev = metrics.deviation_centi(p, p.index.home).sum(axis=1)
    ax = mplot.plot_ej(plan, top=2)
    shown = [p.index.unit_pos[u] for u in _ticks(ax)]
    assert len(shown) == 2
    rest = np.delete(dev, shown)
    assert dev[shown].min() >= rest.max()  # D's largest parts
    assert len(p.index.unit_ids) > 2
    assert _ticks(mplot.plot_capacity(plan, top=2)) == _ticks(ax)  # same units, same order
    with pytest.raises(ValueError, match="top must be a positive number"):
        mplot.plot_ej(plan, top=0)


# ------------------------------------------------------------------- capacity
def test_capacity_bars_and_fair_share_markers(plan: Plan) -> None:
    p = plan.problem
    idx = p.index
    assert plan.assignment_array is not None
    ax = mplot.plot_capacity(plan)
    units = [idx.unit_pos[u] for u in _ticks(ax)]
    s_before = metrics.assigned_capacity_centi(p, idx.home).sum(axis=1) / 100
    s_after = metrics.assigned_capacity_centi(p, plan.assignment_array).sum(axis=1) / 100
    np.testing.assert_allclose(_heights(ax, "capacity before"), s_before[units])
    np.testing.assert_allclose(_heights(ax, "capacity after"), s_after[units])
    fair = metrics.fair_share_centi(p).sum(axis=1) / 100
    np.testing.assert_allclose(_line(ax, "fair share").get_ydata(), fair[units])
    bands = metrics.unit_table(p, plan.assignment_array)["band"][units]
    assert _colours(ax, "capacity after") == [to_rgba(BAND_COLOURS[str(b)]) for b in bands]
    assert not np.array_equal(s_before[units], s_after[units])


def test_capacity_of_a_problem_for_one_role(plan: Plan) -> None:
    p = plan.problem
    role = p.index.roles[0]
    table = metrics.unit_role_table(p)
    ax = mplot.plot_capacity(p, role=role)
    assert [c.get_label() for c in ax.containers] == ["capacity now"]
    rows = {
        p.index.unit_ids[int(u)]: k
        for k, u in enumerate(table["unit"])
        if table["role"][k] == p.index.role_pos[role]
    }
    k = [rows[u] for u in _ticks(ax)]
    np.testing.assert_allclose(_heights(ax, "capacity now"), table["capacity_hours"][k])
    np.testing.assert_allclose(_line(ax, "fair share").get_ydata(), table["fair_share_hours"][k])


# ------------------------------------------------------------------- frontier
def test_frontier_curve_knee_and_history(small_frontier: Frontier) -> None:
    f = small_frontier
    history = _history(f.problem, 2)
    ax = mplot.plot_frontier(f, history=history)
    curve = _line(ax, "frontier")
    np.testing.assert_allclose(curve.get_xdata(), [q.moves for q in f.points])
    np.testing.assert_allclose(curve.get_ydata(), [q.imbalance_hours for q in f.points])
    assert f.knee is not None
    knee = _line(ax, "suggested")
    assert (knee.get_xdata()[0], knee.get_ydata()[0]) == (f.knee.moves, f.knee.imbalance_hours)
    (note,) = [t for t in ax.texts if t.get_text().replace("\n", " ") == f.suggestion()]
    assert tuple(note.xy) == (f.knee.moves, f.knee.imbalance_hours)
    past = _line(ax, "history")
    assert (past.get_xdata()[0], past.get_ydata()[0]) == (
        history.after.moves,
        history.after.imbalance_hours,
    )
    assert history.after.moves == 2
    # every point proven on this small instance: no shaded bound
    assert all(q.imbalance_bound_hours == q.imbalance_hours for q in f.points)
    assert not [c for c in ax.collections if isinstance(c, PolyCollection)]
    # B instead of D
    ax_b = mplot.plot_frontier(f, history=history, metric="balance")
    np.testing.assert_allclose(
        _line(ax_b, "frontier").get_ydata(), [q.balance_cost for q in f.points]
    )
    assert _line(ax_b, "history").get_ydata()[0] == history.after.balance_cost
    assert _line(ax_b, "suggested").get_ydata()[0] == f.knee.balance_cost
    with pytest.raises(ValueError, match="metric must be 'imbalance' or 'balance'"):
        mplot.plot_frontier(f, metric="moves")  # type: ignore[arg-type]


def test_an_unproven_bound_is_shaded_down_to_the_bound(small_frontier: Frontier) -> None:
    f = small_frontier
    k = len(f.points) // 2
    loose = dataclasses.replace(f.points[k], imbalance_bound_hours=f.points[k].imbalance_hours - 50)
    points = (*f.points[:k], loose, *f.points[k + 1 :])
    ax = mplot.plot_frontier(dataclasses.replace(f, points=points))
    (band,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert band.get_label() == "bound (not proven)"
    ys = band.get_paths()[0].vertices
    at_k = ys[np.isclose(ys[:, 0], loose.moves)][:, 1]
    assert np.isclose(at_k.min(), loose.imbalance_bound_hours)
    assert np.isclose(at_k.max(), loose.imbalance_hours)


# --------------------------------------------------------------------- surges
@pytest.fixture(scope="module")
def surge_plan() -> SurgePlan:
    return _surge_plan()


def test_surge_bars_and_need_equal_the_coverage_table(surge_plan: SurgePlan) -> None:
    sp = surge_plan
    cov = sp.coverage_records()
    months = ["2026-04", "2026-05", "2026-06"]
    ax = mplot.plot_surge(sp)
    assert _ticks(ax) == months

    def per_month(field: str, surge: str | None = None) -> list[float]:
        return [
            sum(r[field] for r in cov if r["month"] == m and surge in (None, r["surge"]))
            for m in months
        ]

    for s in ("VAKS", "REG", "U0-CAMPAIGN"):
        np.testing.assert_allclose(_heights(ax, s), per_month("covered_fte", s))
    np.testing.assert_allclose(_heights(ax, "uncovered"), per_month("uncovered_fte"))
    need = _line(ax, "needed").get_ydata()
    np.testing.assert_allclose(need[:-1], per_month("needed_fte"))
    assert need[-1] == need[-2]  # the closing step
    assert per_month("needed_fte") == [3.0, 4.0, 2.0]
    assert per_month("uncovered_fte")[0] == 1.0  # VAKS: U0 lends at most 2
    # stacked: each bar starts where the previous group's ends; uncovered on top
    tops = np.zeros(3)
    for label in ("VAKS", "REG", "U0-CAMPAIGN", "uncovered"):
        np.testing.assert_allclose([b.get_y() for b in _bars(ax, label).patches], tops)
        tops = tops + _heights(ax, label)
    np.testing.assert_allclose(tops, per_month("needed_fte"))


def test_surge_by_host_unit_adds_up_the_unit_s_surges(surge_plan: SurgePlan) -> None:
    sp = surge_plan
    cov = sp.coverage_records()
    ax = mplot.plot_surge(sp, by="unit")
    labels = [c.get_label() for c in ax.containers]
    assert labels[:2] == ["PKM", "U0"]
    pkm = [
        sum(r["covered_fte"] for r in cov if r["month"] == m and r["surge"] in ("VAKS", "REG"))
        for m in ("2026-04", "2026-05", "2026-06")
    ]
    np.testing.assert_allclose(_heights(ax, "PKM"), pkm)
    with pytest.raises(ValueError, match="by must be 'surge' or 'unit'"):
        mplot.plot_surge(sp, by="role")  # type: ignore[arg-type]


# ----------------------------------------------------------------- plumbing
def test_the_axes_passed_in_are_used(
    plan: Plan, small_frontier: Frontier, surge_plan: SurgePlan
) -> None:
    calls = [
        lambda ax: mplot.plot_ej(plan, ax=ax),
        lambda ax: mplot.plot_ej(plan.problem, ax=ax),
        lambda ax: mplot.plot_capacity(plan, ax=ax),
        lambda ax: mplot.plot_frontier(small_frontier, ax=ax),
        lambda ax: mplot.plot_surge(surge_plan, ax=ax),
    ]
    for call in calls:
        fig, axes = plt.subplots(1, 2)
        assert call(axes[1]) is axes[1]
        assert axes[1].has_data() and not axes[0].has_data()
        assert len(plt.get_fignums()) == 1
        plt.close(fig)
    new = mplot.plot_ej(plan)
    assert isinstance(new, Axes) and len(plt.get_fignums()) == 1


def test_missing_matplotlib_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
    plan: Plan,
    small_frontier: Frontier,
    surge_plan: SurgePlan,
) -> None:
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.setitem(sys.modules, name, None)
    hint = r'pip install "mutasi-opt\[plot\]"'
    for call in (
        lambda: mplot.plot_ej(plan),
        lambda: mplot.plot_capacity(plan.problem),
        lambda: mplot.plot_surge(surge_plan),
        lambda: mplot.plot_frontier(small_frontier),
    ):
        with pytest.raises(ImportError, match=hint):
            call()


def test_a_plan_without_assignment_or_another_object_is_refused(plan: Plan) -> None:
    empty = dataclasses.replace(plan, assignment_array=None, after=None)
    with pytest.raises(ValueError, match=r"holds no assignment; pass plan\.problem"):
        mplot.plot_ej(empty)
    with pytest.raises(TypeError, match="expected a Plan or a Problem, got str"):
        mplot.plot_capacity("plan")  # type: ignore[arg-type]


def test_importing_the_library_does_not_import_matplotlib() -> None:
    code = textwrap.dedent(
        """
        import sys
        import mutasi_opt
        import mutasi_opt.views.plot
        assert "matplotlib" not in sys.modules, "matplotlib imported eagerly"
        assert not hasattr(mutasi_opt, "plot_ej")
        """
    )
    subprocess.run([sys.executable, "-c", code], check=True)
