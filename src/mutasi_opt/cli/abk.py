"""``mutasi-opt abk TASKS.csv``: ABK workload, FTE need and EJ per unit and role.

Reads an ABK task sheet (unit, role, task, volume, period, minutes; Indonesian
column names accepted), sums the yearly workload hours per (unit, role) and
prints them with the FTE they need.  With ``--staff EMPLOYEES.csv`` it adds the
current headcount, FTE and capacity, EJ and its band.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ..domain.errors import InputError, InputIssue
from ..io.workload import (
    DEFAULT_BANDS,
    STANDARDS,
    AbkReport,
    AbkStandard,
    abk_report,
    abk_to_demand,
    check_bands,
    get_standard,
    read_staff,
    read_tasks,
)
from . import EXIT_OK

__all__ = ["format_report", "register", "run"]

_T = TypeVar("_T")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``abk`` subcommand to ``subparsers``."""
    parser = subparsers.add_parser(
        "abk",
        help="ABK workload hours, FTE need and EJ per unit and role from a task sheet",
        description=(
            "Compute yearly workload hours per unit and role from an ABK task sheet "
            "(columns unit, role, task, volume, period, minutes; Indonesian names such as "
            "unit_kerja, jabatan, uraian_tugas, jumlah, satuan_waktu, norma_waktu accepted) "
            "and the FTE they need. With --staff, add headcount, capacity, EJ and band."
        ),
    )
    parser.add_argument("tasks", metavar="TASKS", help="ABK task sheet (CSV or XLSX)")
    parser.add_argument(
        "--standard",
        default="permenpanrb2020",
        metavar="{" + ",".join(STANDARDS) + "}",
        help="working-time rules (default: permenpanrb2020, 1250 effective hours)",
    )
    parser.add_argument(
        "--staff",
        metavar="EMPLOYEES",
        help="employees file (CSV or XLSX; unit, role, fte are read) to compute EJ and band",
    )
    parser.add_argument(
        "--bands",
        metavar="A,B,C,D",
        default=None,
        help="EJ band thresholds, lower edges of A, B, C, D (default: 1.0,0.9,0.7,0.5)",
    )
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")
    parser.set_defaults(func=run)


def _standard(name: str) -> AbkStandard:
    try:
        return get_standard(name)
    except ValueError as exc:
        raise InputError([InputIssue("--standard", None, None, name, str(exc))]) from None


def _bands(text: str | None) -> tuple[float, float, float, float]:
    if text is None:
        return DEFAULT_BANDS

    def issue(message: str) -> InputError:
        return InputError([InputIssue("--bands", None, None, text, message)])

    try:
        values = [float(p) for p in re.split(r"[,;\s]+", text.strip()) if p]
    except ValueError:
        raise issue("must be four numbers separated by commas, e.g. 1.0,0.9,0.7,0.5") from None
    try:
        return check_bands(values)
    except ValueError as exc:
        raise issue(str(exc)) from None


def _collect(issues: list[InputIssue], build: Callable[[], _T]) -> _T | None:
    """``build()``, or ``None`` with its input issues added to ``issues``."""
    try:
        return build()
    except InputError as err:
        issues.extend(err.issues)
        return None


def run(args: argparse.Namespace) -> int:
    """Run ``mutasi-opt abk``; invalid input raises :class:`InputError` (exit 1).

    Problems in the options, the task sheet and the staff file are reported
    together.
    """
    issues: list[InputIssue] = []
    standard = _collect(issues, lambda: _standard(args.standard))
    bands = _collect(issues, lambda: _bands(args.bands))
    tasks = _collect(issues, lambda: read_tasks(args.tasks))
    staff = None if args.staff is None else _collect(issues, lambda: read_staff(args.staff))
    if issues:
        raise InputError(issues)
    assert standard is not None and bands is not None and tasks is not None
    demand = abk_to_demand(tasks, standard, file=Path(args.tasks).name)
    report = abk_report(demand, standard, staff=staff, thresholds=bands)
    if args.json:
        json.dump({"status": "ok", **report.to_dict()}, sys.stdout, indent=2, allow_nan=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(format_report(report) + "\n")
    return EXIT_OK


def _num(value: float | None, digits: int) -> str:
    if value is None:
        return ""
    if math.isnan(value):
        return "-"
    if math.isinf(value):
        return "inf"
    return f"{value:.{digits}f}"


def _table(cols: dict[str, list[str]], left: tuple[str, ...]) -> list[str]:
    """Aligned text table: ``left`` columns left-aligned, the others right-aligned."""
    widths = {k: max([len(k), *(len(v) for v in vals)]) for k, vals in cols.items()}

    def line(cells: dict[str, str]) -> str:
        parts = [
            cells[k].ljust(widths[k]) if k in left else cells[k].rjust(widths[k]) for k in cols
        ]
        return "  ".join(parts).rstrip()

    n = len(next(iter(cols.values()), []))
    return [
        line({k: k for k in cols}),
        *(line({k: v[i] for k, v in cols.items()}) for i in range(n)),
    ]


def format_report(report: AbkReport) -> str:
    """The report as an aligned text table with a heading and a total line."""
    std = report.standard
    lines = [
        f"ABK workload, standard {std.label}: {std.effective_hours:g} effective hours per "
        f"FTE-year; {std.days_per_year:g} days, {std.weeks_per_year:g} weeks, "
        f"{std.months_per_year:g} months per year",
        "",
    ]
    cols: dict[str, list[str]] = {
        "unit": [r.unit for r in report.rows],
        "role": [r.role or "-" for r in report.rows],
        "workload_hours": [_num(r.workload_hours, 2) for r in report.rows],
        "required_fte": [_num(r.required_fte, 4) for r in report.rows],
    }
    if report.has_staff:
        cols.update(
            headcount=[str(r.headcount) for r in report.rows],
            staff_fte=[_num(r.staff_fte, 2) for r in report.rows],
            capacity_hours=[str(r.capacity_hours) for r in report.rows],
            ej=[_num(r.ej, 2) for r in report.rows],
            band=[r.band or "-" for r in report.rows],
        )
    lines += _table(cols, left=("unit", "role", "band"))
    t = report.total
    total = (
        f"total: {_num(t.workload_hours, 2)} hours, {_num(t.required_fte, 4)} FTE needed "
        f"({len(report.rows)} unit/role rows)"
    )
    if report.has_staff:
        total += (
            f"; {t.headcount} staff ({_num(t.staff_fte, 2)} FTE, {t.capacity_hours} hours), "
            f"EJ {_num(t.ej, 2)} (band {t.band or '-'})"
        )
        a, b, c, d = report.thresholds
        lines += [
            "",
            total,
            f"EJ bands: A > {a:.2f} ≥ B ≥ {b:.2f} > C ≥ {c:.2f} > D ≥ {d:.2f} > E; "
            "inf = workload without staff",
        ]
    else:
        lines += ["", total]
    return "\n".join(lines)
