"""Plots of plans, frontiers and surge plans (``pip install "mutasi-opt[plot]"``).

Every function takes ``ax=None`` (a new figure is made when no axes are
given) and returns the :class:`matplotlib.axes.Axes` it drew on.  matplotlib is
imported only when a function is called, so ``import mutasi_opt`` stays light.
Every number drawn comes from :mod:`mutasi_opt.metrics` (or the table of the
object plotted); bars coloured by EJ band use :func:`band_colour`, the
same colours as the tables of the HTML views.

* :func:`plot_ej` — EJ per unit (or per unit for one role), before and after
  a plan, with the line at EJ = 1 and the band edges;
* :func:`plot_capacity` — capacity per unit before and after, against the
  fair share;
* :func:`plot_frontier` — imbalance D (or balance cost B) against moves, with
  unproven bounds shaded, the suggested budget and the historical point;
* :func:`plot_surge` — per month, the FTE a surge needs and the FTE covered.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .. import metrics
from ..domain.arrays import FloatArray, IntArray
from ..domain.problem import Problem
from ..domain.values import month_label
from ..results.plan import Plan
from .html import BAND_COLOURS

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from ..results.surge import SurgePlan

__all__ = [
    "ALERT_COLOUR",
    "BEFORE_COLOUR",
    "BEFORE_EDGE",
    "NO_BAND_COLOUR",
    "band_colour",
    "plot_capacity",
    "plot_ej",
    "plot_frontier",
    "plot_surge",
]


#: Colour of a unit with no EJ (neither workload nor staff).
NO_BAND_COLOUR = "#BDBDBD"

#: Face and edge colour of the "before" bars next to the band-coloured "after" bars.
BEFORE_COLOUR = "#FFFFFF"
BEFORE_EDGE = "#6E6E6E"

#: Colour of what needs attention: the historical point, uncovered surge need.
ALERT_COLOUR = "#C62828"

_INSTALL_HINT = 'plotting needs matplotlib: pip install "mutasi-opt[plot]"'


def band_colour(band: str) -> str:
    """The colour of an EJ band letter: the band colours of the HTML views
    (:data:`mutasi_opt.views.html.BAND_COLOURS`), :data:`NO_BAND_COLOUR` for ``""``."""
    return BAND_COLOURS.get(str(band), NO_BAND_COLOUR)


# ------------------------------------------------------------------ helpers
def _require_matplotlib() -> None:
    """Raise an :class:`ImportError` with the install hint when matplotlib is missing."""
    try:
        import matplotlib.pyplot  # noqa: F401
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc


def _axes(ax: Axes | None, width: float, height: float) -> Axes:
    """``ax``, or the axes of a new figure of the given size (inches)."""
    _require_matplotlib()
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, new = plt.subplots(figsize=(width, height), layout="constrained")
    return new


@dataclass(frozen=True)
class _UnitView:
    """The rows of a per-unit plot, in display order (EJ before, highest first)."""

    problem: Problem
    role: str | None
    labels: list[str]
    ej_before: FloatArray
    ej_after: FloatArray | None
    band_before: list[str]
    band_after: list[str] | None
    capacity_before: IntArray
    capacity_after: IntArray | None
    fair_share: FloatArray


def _problem_and_assignment(obj: Any) -> tuple[Problem, IntArray | None]:
    if isinstance(obj, Plan):
        if obj.assignment_array is None:
            raise ValueError(
                f"the plan is {obj.status.value} and holds no assignment; "
                "pass plan.problem to plot the current state"
            )
        return obj.problem, obj.assignment_array
    if isinstance(obj, Problem):
        return obj, None
    raise TypeError(f"expected a Plan or a Problem, got {type(obj).__name__}")


def _unit_view(obj: Any, role: str | None, top: int | None) -> _UnitView:
    """Per unit (all roles, or one role) EJ, band, capacity and fair share.

    Units with neither workload nor staff (before and after) are left out.
    With ``top``, only the ``top`` units deviating most from their fair share
    in the current state (their part of D) are kept.
    """
    problem, after = _problem_and_assignment(obj)
    idx = problem.index
    home = idx.home
    if role is None:
        before_t = metrics.unit_table(problem, home)
        after_t = None if after is None else metrics.unit_table(problem, after)
        keep = np.ones(idx.n_units, dtype=np.bool_)
        deviation = metrics.deviation_centi(problem, home).sum(axis=1) / 100
    else:
        if role not in idx.role_pos:
            known = ", ".join(repr(r) for r in idx.roles)
            raise ValueError(f"unknown role {role!r}; the problem's roles are {known}")
        pairs = metrics.unit_role_pairs(problem, home, home if after is None else after)
        before_t = metrics.unit_role_table(problem, home, pairs=pairs)
        after_t = None if after is None else metrics.unit_role_table(problem, after, pairs=pairs)
        keep = before_t["role"] == idx.role_pos[role]
        deviation = before_t["deviation_hours"]
    cap_b = before_t["capacity_hours"]
    cap_a = cap_b if after_t is None else after_t["capacity_hours"]
    keep &= (before_t["workload_hours"] > 0) | (cap_b > 0) | (cap_a > 0)
    rows = np.flatnonzero(keep)
    if top is not None:
        if top < 1:
            raise ValueError(f"top must be a positive number of units, got {top}")
        worst = rows[np.argsort(-deviation[rows], kind="stable")[:top]]
        rows = np.sort(worst)
    ej_b = before_t["ej"][rows]
    # most loaded first (no staff at all, EJ = inf, leads); nan last
    order = np.argsort(-np.nan_to_num(ej_b, nan=-np.inf, posinf=np.inf), kind="stable")
    rows = rows[order]
    unit_pos = before_t["unit"][rows]
    return _UnitView(
        problem=problem,
        role=role,
        labels=[idx.unit_ids[int(u)] for u in unit_pos],
        ej_before=before_t["ej"][rows],
        ej_after=None if after_t is None else after_t["ej"][rows],
        band_before=[str(b) for b in before_t["band"][rows]],
        band_after=None if after_t is None else [str(b) for b in after_t["band"][rows]],
        capacity_before=cap_b[rows],
        capacity_after=None if after_t is None else cap_a[rows],
        fair_share=before_t["fair_share_hours"][rows],
    )


def _width(n: int) -> float:
    return min(30.0, max(6.0, 0.28 * n + 2.0))


def _unit_ticks(ax: Axes, view: _UnitView) -> None:
    x = np.arange(len(view.labels))
    ax.set_xticks(x, view.labels, rotation=90, fontsize=8 if len(x) > 30 else 9)
    ax.set_xlim(-0.6, len(x) - 0.4)


def _patch(colour: str, label: str) -> Any:
    from matplotlib.patches import Patch

    return Patch(facecolor=colour, edgecolor=BEFORE_EDGE, linewidth=0.5, label=label)


def _colours(bands: list[str]) -> list[str]:
    return [band_colour(b) for b in bands]


def _bars(ax: Axes, x: Any, heights: Any, width: float, colours: Any, label: str) -> None:
    ax.bar(x, heights, width, color=colours, edgecolor=BEFORE_EDGE, linewidth=0.5, label=label)


def _paired_bars(
    ax: Axes, view: _UnitView, name: str, before: Any, after: Any | None
) -> list[FloatArray]:
    """``name now`` bars coloured by band, or outlined ``name before`` bars next to
    ``name after`` bars coloured by the band after; returns the bar centres."""
    x = np.arange(len(view.labels), dtype=np.float64)
    if after is None or view.band_after is None:
        _bars(ax, x, before, 0.7, _colours(view.band_before), f"{name} now")
        return [x]
    _bars(ax, x - 0.2, before, 0.4, BEFORE_COLOUR, f"{name} before")
    _bars(ax, x + 0.2, after, 0.4, _colours(view.band_after), f"{name} after")
    return [x - 0.2, x + 0.2]


def _what(view: _UnitView) -> str:
    what = "per unit" if view.role is None else f"of role {view.role!r} per unit"
    return what + (" now" if view.band_after is None else " before and after the plan")


def _band_legend(ax: Axes, view: _UnitView, *extra: Any, outside: bool = False) -> None:
    """Legend: "before" (for a plan), ``extra`` handles, then the bands drawn."""
    if view.band_after is None:
        bands = view.band_before
    else:
        bands = view.band_after
        extra = (_patch(BEFORE_COLOUR, "before"), *extra)
    letters = [b for b in metrics.BANDS if b in bands]
    handles = [*extra, *(_patch(band_colour(b), f"band {b}") for b in letters)]
    if "" in bands:
        handles.append(_patch(band_colour(""), "no workload, no staff"))
    if outside:
        ax.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    else:
        ax.legend(handles=handles, fontsize=8, loc="upper right")


# ----------------------------------------------------------------------- EJ
def plot_ej(
    plan_or_problem: Plan | Problem,
    *,
    role: str | None = None,
    ax: Axes | None = None,
    top: int | None = None,
) -> Axes:
    """EJ per unit before and after a plan (or now, for a problem).

    Parameters
    ----------
    plan_or_problem
        A :class:`~mutasi_opt.results.plan.Plan` (paired bars: before outlined, after
        in the colour of its band) or a :class:`~mutasi_opt.domain.problem.Problem`
        (one bar per unit, coloured by its band now).
    role
        Plot the EJ of this role's staff per unit; default the unit as a
        whole (all roles' workload ÷ all roles' capacity,
        :func:`metrics.unit_table`).
    ax
        Axes to draw on; default a new figure.
    top
        Show only the ``top`` units deviating most from their fair share now
        (their part of the imbalance D); default every unit with workload or
        staff.

    Returns
    -------
    matplotlib.axes.Axes
        Units run along x, most loaded first.  A solid line marks EJ = 1 and
        dotted lines the band edges (``policy.ej_bands``).  A unit with
        workload but no staff (EJ infinite) gets a bar to the top marked ∞.
        The bars are ``ax.containers`` labelled ``"EJ before"`` and ``"EJ
        after"`` (a plan) or ``"EJ now"`` (a problem).
    """
    view = _unit_view(plan_or_problem, role, top)
    ax = _axes(ax, _width(len(view.labels)), 4.5)
    thresholds = view.problem.policy.ej_bands
    finite = [v[np.isfinite(v)] for v in (view.ej_before, view.ej_after) if v is not None]
    highest = max([float(thresholds[0]), *(float(v.max()) for v in finite if v.size)])
    ceiling = 1.15 * highest

    def heights(values: FloatArray) -> FloatArray:
        return np.where(np.isinf(values), ceiling, np.nan_to_num(values, nan=0.0))

    after = None if view.ej_after is None else heights(view.ej_after)
    centres = _paired_bars(ax, view, "EJ", heights(view.ej_before), after)
    drawn = [v for v in (view.ej_before, view.ej_after) if v is not None]
    for xs, values in zip(centres, drawn, strict=True):
        for xi in xs[np.isinf(values)]:
            ax.text(xi, ceiling, "∞", ha="center", va="bottom", fontsize=9)
    ax.axhline(1.0, color="black", linewidth=1.0)
    for t in thresholds:
        if t != 1.0:
            ax.axhline(t, color="grey", linestyle=":", linewidth=0.8)
    # band letters in the right margin, halfway between the edges
    edges = [*thresholds, 0.0]
    mids = [thresholds[0] + (thresholds[0] - thresholds[1]) / 2]
    mids += [(edges[k] + edges[k + 1]) / 2 for k in range(len(thresholds))]
    for letter, y in zip(metrics.BANDS, mids, strict=True):
        ax.text(1.005, y, letter, transform=ax.get_yaxis_transform(), fontsize=8, va="center")
    ax.set_ylim(0, 1.08 * ceiling)
    _unit_ticks(ax, view)
    ax.set_ylabel("EJ (workload ÷ capacity)")
    ax.set_title(f"EJ {_what(view)}")
    _band_legend(ax, view)
    return ax


# ----------------------------------------------------------------- capacity
def plot_capacity(
    plan_or_problem: Plan | Problem,
    *,
    role: str | None = None,
    ax: Axes | None = None,
    top: int | None = None,
) -> Axes:
    """Capacity per unit before and after a plan (or now), against the fair share.

    Parameters
    ----------
    plan_or_problem
        A :class:`~mutasi_opt.results.plan.Plan` (paired bars: before outlined, after
        in the colour of the unit's EJ band after) or a
        :class:`~mutasi_opt.domain.problem.Problem` (capacity now, coloured by band).
    role
        Capacity of this role's staff per unit; default all roles together.
    ax
        Axes to draw on; default a new figure.
    top
        As for :func:`plot_ej` (the same units, in the same order).

    Returns
    -------
    matplotlib.axes.Axes
        Bars of capacity hours (``S``, :func:`metrics.assigned_capacity_centi`)
        labelled ``"capacity before"`` / ``"capacity after"`` (or
        ``"capacity now"``), and black markers (the line labelled ``"fair
        share"``) at the fair share ``F`` (:func:`metrics.fair_share_centi`).
    """
    view = _unit_view(plan_or_problem, role, top)
    ax = _axes(ax, _width(len(view.labels)), 4.5)
    _paired_bars(ax, view, "capacity", view.capacity_before, view.capacity_after)
    (fair,) = ax.plot(
        np.arange(len(view.labels), dtype=np.float64),
        view.fair_share,
        linestyle="none",
        marker="_",
        markersize=14,
        markeredgewidth=2,
        color="black",
        label="fair share",
    )
    _unit_ticks(ax, view)
    ax.set_ylabel("capacity (hours per year)")
    ax.set_title(f"Capacity {_what(view)}, against the fair share")
    _band_legend(ax, view, fair, outside=True)
    return ax


# ----------------------------------------------------------------- frontier
_METRICS = {
    "imbalance": ("imbalance_hours", "imbalance_bound_hours", "imbalance D (hours)"),
    "balance": ("balance_cost", "balance_bound", "balance cost B (hours)"),
}


def plot_frontier(
    frontier: Any,
    *,
    history: Any = None,
    ax: Axes | None = None,
    metric: Literal["imbalance", "balance"] = "imbalance",
) -> Axes:
    """Imbalance D (or balance cost B) against the number of moves.

    Parameters
    ----------
    frontier
        A :class:`~mutasi_opt.frontier.Frontier` (from
        :func:`mutasi_opt.frontier.frontier`).
    history
        Optional: a :class:`~mutasi_opt.history.HistoryReport` (from
        :func:`~mutasi_opt.history.evaluate_history`), or anything with such a
        report as its ``history`` attribute; its moves and D (or B) after
        the replay are drawn as one point.
    ax
        Axes to draw on; default a new figure.
    metric
        ``"imbalance"`` (D, default) or ``"balance"`` (B).

    Returns
    -------
    matplotlib.axes.Axes
        The curve (line labelled ``"frontier"``) through the points that hold
        a plan, in budget order; where a point's value is not proven the band
        down to its bound is shaded (``"bound (not proven)"``); the suggested
        budget (``"suggested"``) annotated with ``frontier.suggestion()``; and
        the historical point (``"history"``).
    """
    if metric not in _METRICS:
        raise ValueError(f"metric must be 'imbalance' or 'balance', got {metric!r}")
    value_field, bound_field, ylabel = _METRICS[metric]
    ax = _axes(ax, 7.0, 4.5)
    points = [p for p in frontier.points if p.status in ("optimal", "feasible")]
    moves = np.array([p.moves for p in points], dtype=np.float64)
    values = np.array([getattr(p, value_field) for p in points], dtype=np.float64)
    bounds = np.array([getattr(p, bound_field) for p in points], dtype=np.float64)
    (line,) = ax.plot(moves, values, "o-", color="#2C7BB6", label="frontier")
    open_ = bounds < values - 1e-9
    if open_.any():
        ax.fill_between(
            moves, bounds, values, color=line.get_color(), alpha=0.2, label="bound (not proven)"
        )
        ax.plot(
            moves[open_],
            values[open_],
            "o",
            markerfacecolor="white",
            color=line.get_color(),
        )
    knee = frontier.knee
    text = textwrap.fill(str(frontier.suggestion()), 44, break_on_hyphens=False)
    box = {"boxstyle": "round", "facecolor": "white", "alpha": 0.9}
    if knee is None:  # nothing solved (no plan meets the rules): say why
        ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", bbox=box)
    else:
        kx, ky = float(knee.moves), float(getattr(knee, value_field))
        ax.plot(
            [kx],
            [ky],
            "*",
            markersize=16,
            color="#FDAE61",
            markeredgecolor="black",
            linestyle="none",
            label="suggested",
        )
        ax.annotate(
            text,
            xy=(kx, ky),
            xytext=(0.97, 0.6),
            textcoords="axes fraction",
            ha="right",
            va="center",
            multialignment="left",
            fontsize=8,
            arrowprops={"arrowstyle": "->", "color": "black"},
            bbox=box,
        )
    if history is not None:
        report = getattr(history, "history", history)
        hy = report.after.imbalance_hours if metric == "imbalance" else report.after.balance_cost
        ax.plot(
            [float(report.after.moves)],
            [float(hy)],
            "X",
            markersize=10,
            color=ALERT_COLOUR,
            linestyle="none",
            label="history",
        )
    ax.set_xlabel("moves")
    ax.set_ylabel(ylabel)
    ax.set_ylim(bottom=0)
    ax.set_title("What each number of moves buys")
    ax.legend(fontsize=8, loc="upper right")
    return ax


# -------------------------------------------------------------------- surges
def plot_surge(
    surge_plan: SurgePlan,
    *,
    ax: Axes | None = None,
    by: Literal["surge", "unit"] = "surge",
) -> Axes:
    """Per month, the FTE the surges need and the FTE the secondments cover.

    Parameters
    ----------
    surge_plan
        A :class:`~mutasi_opt.surge.SurgePlan` (from :func:`mutasi_opt.plan_surges`).
    ax
        Axes to draw on; default a new figure.
    by
        Stack the covered FTE by ``"surge"`` (default) or by host ``"unit"``.

    Returns
    -------
    matplotlib.axes.Axes
        Months of the horizon along x; stacked bars of covered FTE per surge
        (or host unit), each bar container labelled with its name; the
        uncovered FTE hatched on top (``"uncovered"``); and the total need as
        a staircase (the line labelled ``"needed"``, one y value per month
        plus the closing step).  All from :meth:`SurgePlan.coverage_records`.
    """
    if by not in ("surge", "unit"):
        raise ValueError(f"by must be 'surge' or 'unit', got {by!r}")
    months = surge_plan.months
    n = len(months)
    ax = _axes(ax, max(6.0, 0.6 * n + 3.0), 4.5)
    labels = [month_label(m) for m in months]
    col = {label: j for j, label in enumerate(labels)}
    group_of = {s.surge: (s.surge if by == "surge" else s.unit) for s in surge_plan.surges}
    groups = list(dict.fromkeys(group_of.values()))
    covered = {g: np.zeros(n) for g in groups}
    needed = np.zeros(n)
    uncovered = np.zeros(n)
    for row in surge_plan.coverage_records():
        j = col[row["month"]]
        covered[group_of[row["surge"]]][j] += row["covered_fte"]
        needed[j] += row["needed_fte"]
        uncovered[j] += row["uncovered_fte"]
    x = np.arange(n, dtype=np.float64)
    bottom = np.zeros(n)
    for g in groups:
        ax.bar(x, covered[g], 0.7, bottom=bottom, edgecolor=BEFORE_EDGE, linewidth=0.5, label=g)
        bottom = bottom + covered[g]
    if uncovered.any():
        ax.bar(
            x,
            uncovered,
            0.7,
            bottom=bottom,
            color="white",
            edgecolor=ALERT_COLOUR,
            hatch="//",
            label="uncovered",
        )
    if n:
        ax.plot(
            np.append(x - 0.5, x[-1] + 0.5),
            np.append(needed, needed[-1]),
            drawstyle="steps-post",
            color="black",
            linewidth=1.5,
            label="needed",
        )
    ax.set_xticks(x, labels, rotation=45 if n > 6 else 0)
    ax.set_ylabel("FTE")
    ax.set_ylim(0, 1.1 * max(1.0, float(needed.max(initial=0.0))))
    ax.set_title(f"Surge coverage per month (by {by})")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return ax
