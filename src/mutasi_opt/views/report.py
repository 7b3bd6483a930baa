"""The Excel report of a plan, for a Kepala BKPSDM to put in front of the Sekda.

:func:`write_report` writes one ``.xlsx`` workbook (``pip install
"mutasi-opt[excel]"``; openpyxl is imported only when a report is written) with
five sheets, named and labelled in Bahasa Indonesia (``lang="id"``, the
default) or English (``lang="en"``):

* **Ringkasan / Summary** — status, the headline numbers before and after
  (shortfall, imbalance D, balance cost B with its bound and gap, moves,
  preference cost), every stage's value, bound, gap and status, the diagnosis
  of an infeasible plan, the solve settings and the policy used, and a bar
  chart of EJ per unit before and after (its data beside it);
* **Mutasi / Moves** — one row per move with its reason (``Plan.moves``);
* **Unit Kerja / Units** — per unit and role before and after (``Plan.unit_table``),
  EJ band cells coloured by band, with a legend;
* **Tidak Dipindah / Not moved** — employees who asked to move
  (``preferred_units``) but stay, with why (``Plan.why_not``);
* **Pelatihan / Training** — the training table (``Plan.training``) and the
  people to train per competency and level (``Plan.training_totals``).

Numbers are written as numbers; every sheet has a frozen header row.  An
infeasible or unknown plan still gets a report: the summary with the
diagnosis, the other sheets with their headers only.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import metrics
from ..domain.columns import MOVES, TRAINING, TRAINING_TOTALS, UNITS, Table
from ..io.excel import cell_value, keep_text
from ..text.i18n import check_lang, label, number
from .html import BAND_COLOURS

if TYPE_CHECKING:
    from ..results.plan import Plan

__all__ = ["BAND_FILLS", "EXCEL_HINT", "require_openpyxl", "write_report"]

EXCEL_HINT = (
    'writing the Excel report needs openpyxl; install it with: pip install "mutasi-opt[excel]"'
)

#: Fill colour (RGB hex) of each EJ band letter: the band colours of the HTML
#: views and the plots (:data:`mutasi_opt.views.html.BAND_COLOURS`).
BAND_FILLS: Mapping[str, str] = {b: c.lstrip("#").upper() for b, c in BAND_COLOURS.items()}

_HEADER_FILL = "D9D9D9"
_MAX_WIDTH = 80
_HOURS = "#,##0.00"
_PERCENT = "0.00%"
_EJ = "0.0000"

#: Columns of the "not moved" sheet (labels ``col.<name>``).
NOT_MOVED_COLUMNS = ("nip", "name", "role", "unit", "preferred_units", "why")


def require_openpyxl() -> Any:
    """The ``openpyxl`` module, or an ``ImportError`` with the install hint."""
    try:
        import openpyxl
    except ImportError as exc:
        raise ImportError(EXCEL_HINT) from exc
    return openpyxl


def write_report(plan: Plan, path: str | Path, lang: str = "id") -> Path:
    """Write the Excel report of ``plan`` to ``path`` (``.xlsx``); return the path.

    Parameters
    ----------
    plan
        A plan from :func:`mutasi_opt.solve` (infeasible and unknown plans too).
    path
        The workbook to write; its folder is created when missing.
    lang
        ``"id"`` (Bahasa Indonesia, default) or ``"en"``: sheet names, headers,
        labels, status words, and the reasons of moves and of staying.

    Raises
    ------
    ValueError
        For an unknown ``lang`` or a path that does not end in ``.xlsx``.
    ImportError
        When openpyxl is not installed (with the install hint).
    """
    lang = check_lang(lang)
    out = Path(path)
    if out.suffix.lower() != ".xlsx":
        raise ValueError(f"the report file must end in .xlsx, got {str(out)!r}")
    openpyxl = require_openpyxl()
    workbook = openpyxl.Workbook()
    summary = workbook.active
    summary.title = label("sheet.summary", lang)
    _summary_sheet(summary, plan, lang)
    solved = plan.has_solution
    moves = workbook.create_sheet(label("sheet.moves", lang))
    _moves_sheet(moves, plan, lang, solved)
    units = workbook.create_sheet(label("sheet.units", lang))
    _units_sheet(units, plan, lang, solved)
    not_moved = workbook.create_sheet(label("sheet.not_moved", lang))
    _not_moved_sheet(not_moved, plan, lang, solved)
    training = workbook.create_sheet(label("sheet.training", lang))
    _training_sheet(training, plan, lang, solved)
    for sheet in workbook.worksheets:
        keep_text(sheet)  # names and reasons from the user's files are never formulas
    out.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(out)
    return out


# ---------------------------------------------------------------- cells
def _value(value: Any) -> Any:
    """A cell value: numbers stay numbers, NaN and "" are empty, ∞ is the text "∞"."""
    if isinstance(value, np.generic):
        value = value.item()
    if value == "":
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"
    return cell_value(value)


def _fill(colour: str) -> Any:
    from openpyxl.styles import PatternFill

    return PatternFill(start_color=colour, end_color=colour, fill_type="solid")


def _bold() -> Any:
    from openpyxl.styles import Font

    return Font(bold=True)


def _header(ws: Any, row: int, col: int, texts: Sequence[str]) -> None:
    for k, text in enumerate(texts):
        cell = ws.cell(row=row, column=col + k, value=text)
        cell.font = _bold()
        cell.fill = _fill(_HEADER_FILL)


def _table(
    ws: Any,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    lang: str,
    *,
    col: int = 1,
    formats: Mapping[str, str] | None = None,
) -> int:
    """Header (labels ``col.<name>``) in row 1 from column ``col``, rows below;
    returns the number of rows written."""
    from openpyxl.styles import Alignment

    _header(ws, 1, col, [label(f"col.{c}", lang) for c in columns])
    formats = formats or {}
    widths = [len(label(f"col.{c}", lang)) for c in columns]
    n = 0
    for n, row in enumerate(rows, start=1):
        for k, value in enumerate(row):
            cell = ws.cell(row=n + 1, column=col + k, value=_value(value))
            fmt = formats.get(columns[k])
            if fmt is not None and isinstance(cell.value, int | float):
                cell.number_format = fmt
            text = "" if cell.value is None else str(cell.value)
            if len(text) > _MAX_WIDTH:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            widths[k] = max(widths[k], min(len(text), _MAX_WIDTH))
    _widths(ws, col, widths)
    return n


def _widths(ws: Any, col: int, widths: Sequence[int]) -> None:
    from openpyxl.utils import get_column_letter

    for k, width in enumerate(widths):
        ws.column_dimensions[get_column_letter(col + k)].width = width + 2


# ---------------------------------------------------------------- sheets
def _summary_sheet(ws: Any, plan: Plan, lang: str) -> None:
    s = plan.summary()
    ws.cell(row=1, column=1, value=label("summary.title", lang)).font = _bold()
    ws.freeze_panes = "A2"
    ws.cell(row=3, column=1, value=label("summary.status", lang)).font = _bold()
    ws.cell(row=3, column=2, value=label(f"status.{plan.status.value}", lang)).font = _bold()
    ws.cell(row=4, column=1, value=label("summary.date", lang))
    ws.cell(row=4, column=2, value=dt.date.today()).number_format = "yyyy-mm-dd"

    row = _section(ws, 6, "summary.headline", lang)
    _header(ws, row, 1, [label(f"summary.{k}", lang) for k in ("measure", "before", "after")])
    ws.cell(row=row, column=4, value=label("summary.unit", lang)).font = _bold()
    hours, staff = label("unit.hours", lang), label("unit.staff", lang)
    training = (
        [("training", s["training_before"], s["training"], label("unit.people", lang), None)]
        if "training" in s
        else []
    )
    headline = [
        ("shortfall", s["shortfall_before"], s["shortfall"], staff, None),
        *training,
        ("imbalance", s["imbalance_hours_before"], s["imbalance_hours"], hours, _HOURS),
        ("balance", s["balance_cost_before"], s["balance_cost"], hours, _HOURS),
        ("balance_bound", None, s["balance_cost_bound"], hours, _HOURS),
        ("balance_gap", None, s["balance_gap"], "", _PERCENT),
        ("moves", 0, s["moves"], label("unit.moves", lang), None),
        ("preference", 0, s["preference_cost"], label("unit.points", lang), None),
    ]
    for key, before, after, unit, fmt in headline:
        row += 1
        ws.cell(row=row, column=1, value=label(f"summary.{key}", lang))
        for k, value in ((2, before), (3, after)):
            cell = ws.cell(row=row, column=k, value=_value(value))
            if fmt is not None:
                cell.number_format = fmt
        ws.cell(row=row, column=4, value=unit)

    row = _section(ws, row + 2, "summary.stages", lang)
    stage_cols = ("stage", "value", "bound", "gap", "stage_status", "unit", "seconds")
    _header(ws, row, 1, [label(f"summary.{k}", lang) for k in (*stage_cols, "bound_source")])
    for st in plan.stages:
        row += 1
        values = (
            label(f"stage.{st.name}", lang, st.name),
            st.value_display,
            st.bound_display,
            st.gap,
            label(f"status.{st.status}", lang, st.status),
            label(f"unit.{st.unit}", lang, st.unit),
            round(st.seconds, 3),
            st.bound_source,
        )
        for k, value in enumerate(values, start=1):
            ws.cell(row=row, column=k, value=value)
        ws.cell(row=row, column=2).number_format = _HOURS
        ws.cell(row=row, column=3).number_format = _HOURS
        ws.cell(row=row, column=4).number_format = _PERCENT

    if plan.diagnosis or not plan.has_solution:
        row = _section(ws, row + 2, "summary.diagnosis", lang)
        messages = [c.message for c in plan.diagnosis] or [label("summary.no_plan", lang)]
        for message in messages:
            row += 1
            ws.cell(row=row, column=1, value=cell_value(message))

    row = _section(ws, row + 2, "summary.settings", lang)
    settings: list[tuple[str, Any]] = [
        ("solve_seconds", s["solve_seconds"]),
        ("build_seconds", round(plan.build_seconds, 3)),
        ("time_limit", plan.time_limit),
        ("seed", plan.seed),
        ("workers", plan.workers),
    ]
    for key, value in settings:
        row += 1
        ws.cell(row=row, column=1, value=label(f"summary.{key}", lang))
        ws.cell(row=row, column=2, value=_setting(value, lang))

    row = _section(ws, row + 2, "summary.policy", lang)
    _header(ws, row, 1, [label("summary.key", lang), label("summary.setting_value", lang)])
    for key, value in s["policy"].items():
        row += 1
        ws.cell(row=row, column=1, value=key)
        ws.cell(row=row, column=2, value=_setting(value, lang))
    _widths(ws, 1, [34, 18, 18, 14, 16, 10, 10, 14])
    _ej_chart(ws, plan, lang, col=10)


def _section(ws: Any, row: int, key: str, lang: str) -> int:
    ws.cell(row=row, column=1, value=label(key, lang)).font = _bold()
    return row + 1


def _setting(value: Any, lang: str) -> Any:
    if value is None:
        return label("summary.none", lang)
    if isinstance(value, bool):
        return label("summary.yes" if value else "summary.no", lang)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):  # retirement_ages: role → age
        return "; ".join(f"{k}: {v}" for k, v in value.items()) or label("summary.none", lang)
    return _value(value)


def _ej_chart(ws: Any, plan: Plan, lang: str, *, col: int) -> None:
    """EJ per unit before/after as a table from row 1 at ``col`` and a bar chart beside it."""
    from openpyxl.chart import BarChart, Reference

    p = plan.problem
    before = metrics.unit_table(p)["ej"]
    after = None if plan.assignment_array is None else metrics.unit_table(p, plan.assignment_array)
    columns = ["unit", "unit_name", "ej_before"] + ([] if after is None else ["ej_after"])
    rows = [
        [p.index.unit_ids[u], p.units[u].name, metrics.reported_ej(before[u], infinite=False)]
        + ([] if after is None else [metrics.reported_ej(after["ej"][u], infinite=False)])
        for u in range(p.index.n_units)
    ]
    n = _table(ws, columns, rows, lang, col=col, formats={"ej_before": _EJ, "ej_after": _EJ})
    ws.cell(row=1, column=col + len(columns) + 1, value=label("summary.ej_units", lang))
    chart = BarChart()
    chart.type = "col"
    chart.title = label("summary.chart_title", lang)
    chart.y_axis.title = label("summary.chart_y", lang)
    data = Reference(ws, min_col=col + 2, max_col=col + len(columns) - 1, min_row=1, max_row=n + 1)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=col, min_row=2, max_row=n + 1))
    for series, colour in zip(chart.series, ("A6A6A6", "4472C4"), strict=False):
        series.graphicalProperties.solidFill = colour
    chart.width = max(24.0, 0.45 * n)
    chart.height = 12.0
    ws.add_chart(chart, ws.cell(row=3, column=col + len(columns) + 1).coordinate)


def _formats(table: Table) -> dict[str, str]:
    """Number formats of a table's columns, from their display units: EJ with four
    decimals, hours with thousands separators (and two decimals when not whole)."""
    out: dict[str, str] = {}
    for c in table:
        if c.unit == "EJ":
            out[c.name] = _EJ
        elif c.unit == "hours":
            out[c.name] = "#,##0" if c.type is int else _HOURS
    return out


def _moves_sheet(ws: Any, plan: Plan, lang: str, solved: bool) -> None:
    records = plan.move_records(lang=lang) if solved else []
    names = MOVES.names
    _table(ws, names, ([r[c] for c in names] for r in records), lang, formats=_formats(MOVES))
    ws.freeze_panes = "A2"


def _units_sheet(ws: Any, plan: Plan, lang: str, solved: bool) -> None:
    records = plan.unit_records() if solved else []
    names = UNITS.names
    n = _table(ws, names, ([r[c] for c in names] for r in records), lang, formats=_formats(UNITS))
    for name in ("band_before", "band_after"):
        col = names.index(name) + 1
        for row in range(2, n + 2):
            cell = ws.cell(row=row, column=col)
            if cell.value in BAND_FILLS:
                cell.fill = _fill(BAND_FILLS[cell.value])
    _band_legend(ws, plan, lang, col=len(names) + 2)
    ws.freeze_panes = "A2"


def _band_legend(ws: Any, plan: Plan, lang: str, *, col: int) -> None:
    a, b, c, d = (number(t, ".2f", lang) for t in plan.problem.policy.ej_bands)
    rows = [[band, label(f"band.{band}", lang).format(a=a, b=b, c=c, d=d)] for band in BAND_FILLS]
    _table(ws, ["band", "band_meaning"], rows, lang, col=col)
    for k, band in enumerate(BAND_FILLS, start=2):
        ws.cell(row=k, column=col).fill = _fill(BAND_FILLS[band])


def _not_moved_sheet(ws: Any, plan: Plan, lang: str, solved: bool) -> None:
    p = plan.problem
    idx = p.index
    rows: list[list[Any]] = []
    if solved:
        a = plan._require()
        for e in np.flatnonzero(a == idx.home):
            emp = p.employees[int(e)]
            if not emp.preferred_units:
                continue
            nip = idx.nips[int(e)]
            rows.append(
                [
                    nip,
                    emp.name,
                    emp.role,
                    emp.unit,
                    "; ".join(emp.preferred_units),
                    plan.why_not(nip, lang=lang),
                ]
            )
    _table(ws, NOT_MOVED_COLUMNS, rows, lang)
    ws.freeze_panes = "A2"


def _training_sheet(ws: Any, plan: Plan, lang: str, solved: bool) -> None:
    records = plan.training_records() if solved else []
    names = TRAINING.names
    rows = [
        [label(f"cause.{r[c]}", lang, r[c]) if c == "cause" else r[c] for c in names]
        for r in records
    ]
    _table(ws, names, rows, lang)
    totals = plan.training_total_records() if solved else []
    col = len(names) + 2
    _table(
        ws,
        TRAINING_TOTALS.names,
        ([r[c] for c in TRAINING_TOTALS.names] for r in totals),
        lang,
        col=col,
    )
    ws.freeze_panes = "A2"
