"""Compact HTML views for notebooks: the ``_repr_html_`` of the library's results.

Every view is built from the same few helpers: :func:`table` (every cell is
escaped with :func:`html.escape`; long tables end with a "… n more" row),
:data:`BAND_COLOURS` (one colour per EJ band, shared with the plots) and the
number
formats :func:`num` and :func:`ej_text`.  The numbers themselves come from
:mod:`mutasi_opt.metrics` and the objects' own fields; nothing is recomputed
differently here.  Styles are inline (notebooks drop ``<style>`` blocks of
untrusted output), and tables carry a ``mo-<name>`` class so that a view can
be read back by a program.

NIPs and names appear in the HTML (it is the analyst's own data); nothing
here logs.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import metrics
from ..domain.arrays import FloatArray, IntArray
from ..domain.hooks import provide
from ..domain.values import month_label
from ..text.explain import move_details

if TYPE_CHECKING:
    from ..domain.problem import Problem, Unit
    from ..results.frontier import Frontier
    from ..results.history import HistoryComparison, HistoryReport
    from ..results.plan import Plan, StageResult
    from ..results.state import StateReport
    from ..results.surge import SurgePlan, SurgeStage

__all__ = [
    "BAND_COLOURS",
    "ROWS",
    "Cell",
    "band_cell",
    "comparison_html",
    "ej_text",
    "frontier_html",
    "history_html",
    "num",
    "plan_html",
    "problem_html",
    "state_html",
    "surge_html",
    "table",
]

#: Rows a table shows before its "… n more" row.
ROWS = 10

#: Colour of each EJ band (``metrics.band`` letters) as ``#RRGGBB``: red for
#: overloaded units (A), green around balance (B), then paler to blue as units
#: hold more surplus staff (C-E).  Table cells use it as their background.
BAND_COLOURS: Mapping[str, str] = {
    "A": "#f4a3a3",
    "B": "#b9e3b0",
    "C": "#e5f2c9",
    "D": "#cfe0f3",
    "E": "#9ec3ea",
}

_STATUS_COLOURS = {
    "optimal": "#2e7d32",
    "within_gap": "#2e7d32",
    "feasible": "#a15c00",
    "infeasible": "#c62828",
    "unknown": "#616161",
}
_TABLE = "border-collapse:collapse;font-size:12px;margin:4px 0 8px 0"
_TH = "padding:2px 8px;border-bottom:1px solid #999;text-align:left;font-weight:600"
_TD = "padding:2px 8px;border-bottom:1px solid #ddd;vertical-align:top"
_TITLE = "font-weight:600;margin:8px 0 2px 0"

Row = list["Cell | str"]


# ---------------------------------------------------------------- formatting
def num(value: float | None, decimals: int = 0) -> str:
    """A number with thousands separators: ``1,234`` or ``1,234.50``.

    ``None`` and NaN give ``–``, infinity gives ``∞``.
    """
    if value is None:
        return "–"
    x = float(value)
    if math.isnan(x):
        return "–"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    return f"{x:,.{decimals}f}"


def ej_text(value: float | None) -> str:
    """EJ to two decimals; ``∞ (no staff)`` for work without staff, ``–`` for nothing."""
    if value is not None and math.isinf(value):
        return "∞ (no staff)"
    return num(value, 2)


def _percent(share: float) -> str:
    return f"{100 * share:.2f}%"


# -------------------------------------------------------------------- tables
@dataclass(frozen=True)
class Cell:
    """One table cell: its text, an EJ band letter for the background, and
    whether it is a number (right-aligned) or emphasised."""

    text: str
    band: str | None = None
    number: bool = False
    bold: bool = False


def n_cell(value: float | None, decimals: int = 0) -> Cell:
    """A right-aligned number cell (see :func:`num`)."""
    return Cell(num(value, decimals), number=True)


def ej_cell(value: float | None) -> Cell:
    """A right-aligned EJ cell (see :func:`ej_text`)."""
    return Cell(ej_text(value), number=True)


def band_cell(letter: str) -> Cell:
    """The band letter on its band's colour (``–`` without colour for no EJ at all)."""
    return Cell(letter or "–", band=letter)


def _band_style(band: str) -> str:
    """Background of an EJ band with black or white text, whichever reads better
    (no background for ``""``: no EJ at all)."""
    colour = BAND_COLOURS.get(band)
    if colour is None:
        return "color:inherit"
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    ink = "#000" if 0.299 * r + 0.587 * g + 0.114 * b > 140 else "#fff"
    return f"background-color:{colour};color:{ink}"


def _td(value: Cell | str) -> str:
    cell = value if isinstance(value, Cell) else Cell(value)
    style = _TD + (";text-align:right" if cell.number else ";text-align:left")
    attrs = ""
    if cell.band is not None:
        style += ";" + _band_style(cell.band)
        attrs = f' class="mo-band-{cell.band or "none"}"'
    text = html.escape(cell.text)
    if cell.bold:
        text = f"<b>{text}</b>"
    return f'<td{attrs} style="{style}">{text}</td>'


def table(
    name: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Cell | str]],
    *,
    more: int = 0,
    limit: int | None = ROWS,
) -> str:
    """An HTML table of class ``mo-<name>``; every header and cell is escaped.

    Parameters
    ----------
    name
        Suffix of the table's class.
    columns
        Header texts.
    rows
        Rows of cells (:class:`Cell` or plain text).
    more
        Rows the caller left out already (counted in the "… n more" row).
    limit
        Rows shown at most; the rest are counted in the "… n more" row.
    """
    shown = list(rows)
    if limit is not None and len(shown) > limit:
        more += len(shown) - limit
        shown = shown[:limit]
    head = "".join(f'<th style="{_TH}">{html.escape(c)}</th>' for c in columns)
    body = ["<tr>" + "".join(_td(c) for c in row) + "</tr>" for row in shown]
    if more > 0:
        body.append(
            f'<tr class="mo-more"><td colspan="{len(columns)}" '
            f'style="{_TD};color:#666;font-style:italic">… {more:,} more</td></tr>'
        )
    return (
        f'<table class="mo-{html.escape(name)}" style="{_TABLE}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def _record(name: str, items: Sequence[tuple[str, Cell | str]]) -> str:
    """A one-row table: the labels as headers, the values below."""
    return table(name, [k for k, _ in items], [[v for _, v in items]], limit=None)


def _before_after(name: str, rows: Sequence[tuple[str, Cell, Cell]]) -> str:
    return table(name, ["", "before", "after"], [list(r) for r in rows], limit=None)


def _title(text: str) -> str:
    return f'<div style="{_TITLE}">{html.escape(text)}</div>'


def _para(text: str, *, name: str = "note") -> str:
    return f'<p class="mo-{name}" style="margin:2px 0 6px 0">{html.escape(text)}</p>'


def _badge(status: str) -> str:
    colour = _STATUS_COLOURS.get(status, _STATUS_COLOURS["unknown"])
    return (
        f'<span class="mo-status" style="background-color:{colour};color:#fff;'
        f'border-radius:3px;padding:1px 6px;font-size:11px">{html.escape(status)}</span>'
    )


def _view(title: str, parts: Sequence[str], *, status: str | None = None, note: str = "") -> str:
    head = f'<span style="font-weight:700;font-size:14px">{html.escape(title)}</span>'
    if status is not None:
        head += " " + _badge(status)
    if note:
        head += f' <span style="color:#666">{html.escape(note)}</span>'
    return '<div class="mutasi-opt" style="line-height:1.3">' + head + "".join(parts) + "</div>"


def _legend(thresholds: Sequence[float]) -> str:
    a, b, c, d = (f"{t:.2f}" for t in thresholds)
    ranges = {
        "A": f"> {a}",
        "B": f"{b}–{a}",
        "C": f"{c}–{b}",
        "D": f"{d}–{c}",
        "E": f"< {d}",
    }
    chips = "".join(
        f'<span class="mo-band-{k}" style="{_band_style(k)};'
        f'padding:1px 6px;margin-right:4px">{k} {html.escape(v)}</span>'
        for k, v in ranges.items()
    )
    return f'<div class="mo-legend" style="font-size:11px;margin:4px 0">EJ bands: {chips}</div>'


def _stages(stages: Sequence[StageResult] | Sequence[SurgeStage]) -> str:
    if not stages:
        return _para("No stage finished within the time or work limit.")
    return table(
        "stages",
        ["stage", "value", "bound", "gap", "unit", "status", "seconds"],
        (
            [
                s.name,
                n_cell(s.value_display, 2),
                n_cell(s.bound_display, 2),
                Cell(_percent(s.gap), number=True),
                s.unit,
                s.status,
                n_cell(s.seconds, 2),
            ]
            for s in stages
        ),
        limit=None,
    )


def _unit_name(unit: Unit) -> str:
    return unit.name or unit.unit


def _worst_first(ej: FloatArray) -> IntArray:
    """Positions by EJ, highest first (no staff first, nothing at all last)."""
    key = np.where(np.isnan(ej), -np.inf, ej)
    order: IntArray = np.lexsort((np.arange(len(ej)), -key)).astype(np.int64)
    return order


def _headline(before: metrics.Metrics, after: metrics.Metrics) -> str:
    training = (
        [("training needs (people)", n_cell(before.training), n_cell(after.training))]
        if "training" in after.stages
        else []
    )
    return _before_after(
        "headline",
        [
            ("competency shortfall (staff)", n_cell(before.shortfall), n_cell(after.shortfall)),
            *training,
            (
                "imbalance D (hours)",
                n_cell(before.imbalance_hours, 2),
                n_cell(after.imbalance_hours, 2),
            ),
            (
                "balance cost B (hours)",
                n_cell(before.balance_cost, 2),
                n_cell(after.balance_cost, 2),
            ),
            ("moves", n_cell(before.moves), n_cell(after.moves)),
            ("preference cost", n_cell(before.preference_cost), n_cell(after.preference_cost)),
        ],
    )


# ------------------------------------------------------------------- problem
@provide("problem.html")
def problem_html(problem: Problem) -> str:
    """Size, policy highlights, current D / B / shortfall and the worst units by EJ.

    Vectorised metrics only, and built once per (immutable) problem.
    """
    view: str = problem.cached("html_view", lambda: _problem_html(problem))
    return view


def _problem_html(problem: Problem) -> str:
    idx, pol = problem.index, problem.policy
    now = metrics.evaluate(problem)
    n_movable = int(metrics.movable(problem).sum())
    ut = metrics.unit_table(problem)
    order = _worst_first(np.asarray(ut["ej"], dtype=np.float64))[:ROWS]
    worst: list[Row] = [
        [
            idx.unit_ids[u],
            _unit_name(problem.units[u]),
            n_cell(int(ut["headcount"][u])),
            n_cell(int(ut["workload_hours"][u])),
            n_cell(int(ut["capacity_hours"][u])),
            ej_cell(float(ut["ej"][u])),
            band_cell(str(ut["band"][u])),
        ]
        for u in order.tolist()
    ]
    max_moves = "unlimited" if pol.max_moves is None else num(pol.max_moves)
    parts = [
        _record(
            "size",
            [
                ("employees", n_cell(idx.n_employees)),
                ("units", n_cell(idx.n_units)),
                ("roles", n_cell(idx.n_roles)),
                ("requirements", n_cell(len(problem.requirements))),
                ("movable", n_cell(n_movable)),
            ],
        ),
        _record(
            "policy",
            [
                ("max moves", Cell(max_moves, number=True)),
                ("min months in unit", n_cell(pol.min_months_in_unit)),
                ("PPPK moves", "allowed" if pol.allow_pppk_moves else "not allowed"),
                ("effective hours / FTE", n_cell(pol.effective_hours)),
                ("balance gap", Cell(_percent(pol.balance_gap), number=True)),
            ],
        ),
        _record(
            "state",
            [
                ("competency shortfall (staff)", n_cell(now.shortfall)),
                ("imbalance D (hours)", n_cell(now.imbalance_hours, 2)),
                ("balance cost B (hours)", n_cell(now.balance_cost, 2)),
            ],
        ),
        _title("Units by EJ, most loaded first"),
        table(
            "units",
            ["unit", "name", "staff", "ABK h", "capacity h", "EJ", "band"],
            worst,
            more=idx.n_units - len(worst),
        ),
        _legend(pol.ej_bands),
    ]
    return _view("Problem", parts)


# ---------------------------------------------------------------------- plan
@provide("plan.html")
def plan_html(plan: Plan) -> str:
    """Status, headline numbers before → after, stages, the first moves with
    their reasons and the (unit, role) pairs whose EJ band changes; the
    diagnosis when there is no plan."""
    note = f"solved in {plan.solve_seconds:,.1f} s"
    if plan.assignment_array is None or plan.after is None:
        return _view("Transfer plan", _no_plan(plan), status=plan.status.value, note=note)

    p = plan.problem
    moved = plan.moved_positions
    first = [move_details(plan, int(e)) for e in moved[:ROWS]]
    moves = [
        [m["nip"], m["name"], m["role"], m["unit_before"], m["unit_after"], m["reason"]]
        for m in first
    ]
    parts = [
        _headline(plan.before, plan.after),
        _title("Stages"),
        _stages(plan.stages),
        _title(f"Moves ({len(moved):,})"),
        table(
            "moves",
            ["nip", "name", "role", "from", "to", "reason"],
            moves,
            more=len(moved) - len(moves),
        )
        if len(moved)
        else _para("Nobody moves."),
        *_band_changes(plan, plan.assignment_array),
        _legend(p.policy.ej_bands),
    ]
    return _view("Transfer plan", parts, status=plan.status.value, note=note)


def _no_plan(plan: Plan) -> list[str]:
    if not plan.diagnosis:
        limits = []
        if plan.time_limit is not None:
            limits.append(f"the time limit of {plan.time_limit:g} s")
        if plan.work_limit is not None:
            limits.append(f"the work limit of {plan.work_limit:g} units")
        within = " and ".join(limits) or "the limits"
        return [
            _para(
                f"No plan meeting the rules was found within {within}; "
                "give the solver more time (time_limit) or work (work_limit).",
                name="diagnosis",
            )
        ]
    return [
        _title("Why there is no plan"),
        table(
            "diagnosis",
            ["kind", "units", "what conflicts"],
            ([c.kind, ", ".join(c.units), c.message] for c in plan.diagnosis),
        ),
    ]


def _band_changes(plan: Plan, after: IntArray) -> list[str]:
    p = plan.problem
    idx = p.index
    pairs = metrics.unit_role_pairs(p, idx.home, after)
    t0 = metrics.unit_role_table(p, idx.home, pairs=pairs)
    t1 = metrics.unit_role_table(p, after, pairs=pairs)
    changed = np.flatnonzero(t0["band"] != t1["band"])
    # the most loaded before first (those the plan relieves), then unit and role
    ranked = sorted(changed.tolist(), key=lambda k: (str(t0["band"][k]) or "Z", k))
    rows: list[Row] = [
        [
            idx.unit_ids[int(t0["unit"][k])],
            _unit_name(p.units[int(t0["unit"][k])]),
            idx.roles[int(t0["role"][k])],
            ej_cell(float(t0["ej"][k])),
            band_cell(str(t0["band"][k])),
            ej_cell(float(t1["ej"][k])),
            band_cell(str(t1["band"][k])),
        ]
        for k in ranked[:ROWS]
    ]
    if not rows:
        return [_title("EJ bands"), _para("No (unit, role) pair changes EJ band.")]
    return [
        _title(f"Units whose EJ band changes ({len(ranked):,} unit–role pairs)"),
        table(
            "band-changes",
            ["unit", "name", "role", "EJ before", "band before", "EJ after", "band after"],
            rows,
            more=len(ranked) - len(rows),
        ),
    ]


# --------------------------------------------------------------------- state
@provide("state.html")
def state_html(report: StateReport) -> str:
    """Totals, D / B / shortfall, movability, band counts and the most over- and
    under-loaded units of a :class:`~mutasi_opt.analysis.StateReport`."""
    unit_cols = ["unit", "name", "staff", "ABK h", "capacity h", "EJ", "band"]

    def unit_rows(rows: Sequence[dict[str, Any]]) -> list[Row]:
        return [
            [
                r["unit"],
                r["unit_name"] or r["unit"],
                n_cell(r["headcount"]),
                n_cell(r["workload_hours"]),
                n_cell(r["capacity_hours"]),
                # None with staff 0 and work: no staff (band A); else nothing at all
                ej_cell(math.inf if r["ej"] is None and r["band"] else r["ej"]),
                band_cell(r["band"]),
            ]
            for r in rows
        ]

    parts = [
        _record(
            "size",
            [
                ("employees", n_cell(report.n_employees)),
                ("PNS", n_cell(report.n_pns)),
                ("PPPK", n_cell(report.n_pppk)),
                ("units", n_cell(report.n_units)),
                ("roles", n_cell(report.n_roles)),
                ("requirements", n_cell(report.n_requirements)),
            ],
        ),
        _record(
            "state",
            [
                ("competency shortfall (staff)", n_cell(report.shortfall)),
                ("imbalance D (hours)", n_cell(report.imbalance_hours, 2)),
                ("imbalance D (FTE)", n_cell(report.imbalance_fte, 1)),
                ("balance cost B (hours)", n_cell(report.balance_cost, 2)),
            ],
        ),
        _record(
            "movable",
            [
                ("movable", n_cell(report.n_movable)),
                ("share", Cell(_percent(report.movable_share), number=True)),
                *((f"not movable: {k}", n_cell(v)) for k, v in report.immovable.items()),
                ("overdue for rotation", n_cell(report.n_overdue)),
            ],
        ),
        _title("(unit, role) pairs per EJ band"),
        table(
            "band-counts",
            list(metrics.BANDS),
            [[Cell(num(report.band_counts.get(b, 0)), band=b, number=True) for b in metrics.BANDS]],
            limit=None,
        ),
        _title("Most overloaded units (EJ > 1)"),
        table("overloaded", unit_cols, unit_rows(report.overloaded))
        if report.overloaded
        else _para("None."),
        _title("Most under-loaded units (EJ < 1)"),
        table("underloaded", unit_cols, unit_rows(report.underloaded))
        if report.underloaded
        else _para("None."),
        _title(f"Competency shortfalls ({len(report.shortfalls):,})"),
        table(
            "shortfalls",
            ["unit", "name", "competency", "min level", "needed", "have", "short"],
            (
                [
                    r["unit"],
                    r["unit_name"] or r["unit"],
                    r["competency"],
                    n_cell(r["min_level"]),
                    n_cell(r["needed"]),
                    n_cell(r["have"]),
                    n_cell(r["short"]),
                ]
                for r in report.shortfalls
            ),
        )
        if report.shortfalls
        else _para("None."),
        *_round_parts(report),
        _legend(report.policy["ej_bands"]),
    ]
    return _view("Current state", parts)


def _round_parts(report: StateReport) -> list[str]:
    """Retirements within the horizon (per unit), pairs, inactive staff, the blackout
    period: the rules of a round (each only when the report has it)."""
    parts: list[str] = []
    pol = report.policy
    if pol.get("plan_date") is not None:
        lost = sum(r["capacity_lost_hours"] for r in report.retirements)
        parts.append(
            _title(
                f"Retiring by {pol.get('horizon_months')} months after {pol.get('plan_date')} "
                f"(BUP): {report.n_retiring:,}, {lost:,} h a year"
            )
        )
        parts.append(
            table(
                "retirements",
                ["unit", "name", "retiring", "lost h", "capacity h", "first"],
                (
                    [
                        r["unit"],
                        r["unit_name"] or r["unit"],
                        n_cell(r["retiring"]),
                        n_cell(r["capacity_lost_hours"]),
                        n_cell(r["capacity_hours"]),
                        r["first_retirement"],
                    ]
                    for r in report.retirements
                ),
            )
            if report.retirements
            else _para("None.")
        )
    items: list[tuple[str, Cell | str]] = []
    if report.pairs:
        items += [
            ("couples kept together", n_cell(report.pairs["together"])),
            ("relatives kept apart", n_cell(report.pairs["separate"])),
            ("pairs broken now", n_cell(report.pairs["broken"])),
        ]
    if report.n_inactive:
        items.append(("inactive (not moved)", n_cell(report.n_inactive)))
    if pol.get("blackout_start") is not None:
        items.append(("blackout", f"{pol.get('blackout_start')} to {pol.get('blackout_end')}"))
    if items:
        parts.append(_record("round", items))
    return parts


# ------------------------------------------------------------------- surges
@provide("surge.html")
def surge_html(plan: SurgePlan) -> str:
    """Status, stages, coverage per surge, the people seconded and the
    diagnosis of any month left uncovered."""
    p, surges, sec = plan.problem, plan.surges, plan.secondment_arrays
    months = plan.months
    need = metrics.surge_need_centi(surges, months)
    cover = metrics.surge_cover_centi(p, surges, months, sec)
    gap = metrics.uncovered_centi(need, cover)
    helpers = np.bincount(sec.surge, minlength=len(surges))
    values = plan.stage_values()
    coverage: list[Row] = [
        [
            s.surge,
            s.unit,
            f"{s.start}..{s.end}",
            n_cell(need[k].sum() / 100, 2),
            n_cell((need[k] - gap[k]).sum() / 100, 2),
            Cell(num(gap[k].sum() / 100, 2), number=True, bold=bool(gap[k].any())),
            n_cell(int(helpers[k])),
        ]
        for k, s in enumerate(surges)
    ]
    records = plan.secondment_records()
    shown = [
        [r["nip"], r["name"], r["home_unit"], r["host_unit"], r["surge"], r["start"], r["end"]]
        for r in records
    ]
    window = f"{month_label(months.start)}..{month_label(months.stop - 1)}" if surges else ""
    parts = [
        _record(
            "headline",
            [
                ("uncovered (FTE-months)", n_cell(values[0] / 100, 2)),
                ("people seconded", n_cell(int(np.unique(sec.employee).size))),
                ("secondments", n_cell(values[2])),
                ("secondment months", n_cell(values[3])),
                ("preference cost", n_cell(values[4])),
            ],
        ),
        _title("Stages"),
        _stages(plan.stages),
        _title("Coverage per surge"),
        table(
            "coverage",
            ["surge", "host", "window", "needed", "covered", "uncovered", "helpers"],
            coverage,
            limit=None,
        ),
        _title(f"Secondments ({len(records):,})"),
        table("secondments", ["nip", "name", "home", "host", "surge", "start", "end"], shown)
        if records
        else _para("Nobody is seconded."),
    ]
    diagnosis = plan.diagnosis()
    if diagnosis:
        parts += [
            _title("Why some months stay uncovered"),
            table("diagnosis", ["what"], ([t] for t in diagnosis)),
        ]
    note = f"{len(surges)} surges {window}, solved in {plan.solve_seconds:,.1f} s"
    return _view("Secondment plan", parts, status=plan.status.value, note=note)


# ------------------------------------------------------------------ history
@provide("history.html")
def history_html(report: HistoryReport) -> str:
    """Numbers before → after the replayed moves, rule exceptions and the rows
    that could not be replayed (with the reason)."""
    parts = [
        _record(
            "rows",
            [
                ("moves replayed", n_cell(len(report.applied))),
                ("rows skipped", n_cell(len(report.skipped))),
                ("rule exceptions", n_cell(len(report.exceptions))),
            ],
        ),
        _headline(report.before, report.after),
        *_history_rows(report),
    ]
    return _view("Replayed history", parts)


def _history_rows(report: HistoryReport) -> list[str]:
    """The rule exceptions and the rows not replayed of a history."""
    return [
        _title(f"Rule exceptions ({len(report.exceptions):,})"),
        table(
            "exceptions",
            ["kind", "nip", "unit", "what"],
            ([v.kind, v.nip or "", v.unit or "", v.message] for v in report.exceptions),
        )
        if report.exceptions
        else _para("None: every replayed move kept the rules."),
        _title(f"Rows not replayed ({len(report.skipped):,})"),
        table(
            "skipped",
            ["row", "nip", "from", "to", "date", "reason"],
            (
                [
                    Cell("" if s.move.row is None else str(s.move.row), number=True),
                    s.move.nip,
                    s.move.from_unit,
                    s.move.to_unit,
                    s.move.date.isoformat(),
                    s.reason,
                ]
                for s in report.skipped
            ),
        )
        if report.skipped
        else _para("None."),
    ]


# ----------------------------------------------------------------- frontier
#: Frontier points shown (budgets are chosen by the user: a handful to a few dozen).
FRONTIER_ROWS = 30


@provide("frontier.html")
def frontier_html(frontier: Frontier) -> str:
    """The moves-versus-balance frontier: the suggestion, then one row per budget
    (the suggested one in bold) with D, B, their bounds and the share of the
    achievable reduction of D; the diagnosis when no budget has a plan."""
    title = "Moves-versus-balance frontier"
    if frontier.infeasible is not None:
        parts = [_para(frontier.suggestion(), name="suggestion"), *_no_plan(frontier.infeasible)]
        return _view(title, parts, status=frontier.infeasible.status.value)
    rows: list[Row] = []
    for pt in frontier.points:
        knee = pt is frontier.knee
        share = frontier.reduction(pt)  # None below the budget that covers the shortfall
        rows.append(
            [
                Cell(num(pt.budget), number=True, bold=knee),
                n_cell(pt.moves),
                n_cell(pt.shortfall),
                n_cell(pt.imbalance_hours, 2),
                n_cell(pt.imbalance_bound_hours, 2),
                Cell(num(None) if share is None else _percent(share), number=True),
                n_cell(pt.balance_cost, 2),
                n_cell(pt.balance_bound, 2),
                n_cell(pt.preference_cost),
                pt.status,
                n_cell(pt.seconds, 1),
                Cell("◀ suggested" if knee else "", bold=knee),
            ]
        )
    parts = [
        _para(frontier.suggestion(), name="suggestion"),
        table(
            "frontier",
            [
                "budget",
                "moves",
                "shortfall",
                "D (h)",
                "D bound",
                "of achievable",
                "B (h)",
                "B bound",
                "preference",
                "status",
                "seconds",
                "",
            ],
            rows,
            limit=FRONTIER_ROWS,
        ),
        _para(
            f"The curve took {frontier.seconds:,.1f} s, "
            f"{frontier.cost_multiple:,.1f}× one unconstrained solve."
        ),
    ]
    return _view(title, parts, note=f"{len(frontier.points)} budgets")


@provide("comparison.html")
def comparison_html(comparison: HistoryComparison) -> str:
    """The history next to the optimiser with as many moves: the numbers after
    both, D and B reduced per move, the fewest moves that match the history,
    and the history's rule exceptions and rows not replayed."""
    hist, opt = comparison.history, comparison.optimised
    before, h, o = hist.before, hist.after, opt.after

    def pair(label: str, mine: float | None, theirs: float | None, decimals: int = 0) -> Row:
        return [label, n_cell(mine, decimals), n_cell(theirs, decimals)]

    def of(field: str) -> float | None:
        return None if o is None else float(getattr(o, field))

    rows = [
        pair("moves", h.moves, of("moves")),
        pair("competency shortfall (staff)", h.shortfall, of("shortfall")),
        pair("imbalance D (hours)", h.imbalance_hours, of("imbalance_hours"), 2),
        pair("balance cost B (hours)", h.balance_cost, of("balance_cost"), 2),
        pair("preference cost", h.preference_cost, of("preference_cost")),
        # the optimiser's plan keeps every rule by construction
        pair("rule exceptions", len(hist.exceptions), None if o is None else 0),
        pair(
            "D reduced per move (hours)",
            comparison.gain_per_move_history,
            comparison.gain_per_move_optimiser,
            2,
        ),
        pair(
            "B reduced per move (hours)",
            comparison.balance_gain_per_move_history,
            comparison.balance_gain_per_move_optimiser,
            2,
        ),
    ]
    parts = [
        _record(
            "before",
            [
                ("competency shortfall (staff)", n_cell(before.shortfall)),
                ("imbalance D (hours)", n_cell(before.imbalance_hours, 2)),
                ("balance cost B (hours)", n_cell(before.balance_cost, 2)),
            ],
        ),
        table("comparison", ["after", "history", "optimiser"], rows, limit=None),
        _para(comparison.headline(), name="headline"),
        _para(comparison.match_text(), name="match"),
        *_history_rows(hist),
    ]
    note = f"{len(hist.applied):,} history rows replayed; optimiser {opt.status.value}"
    return _view("History vs optimiser", parts, note=note)
