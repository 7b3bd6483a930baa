"""Plan files: a plan's ``assignment.csv``, ``moves.csv``, ``units.csv``, ``training.csv``
and ``summary.json``; a secondment plan's ``secondments.csv``, ``coverage.csv``,
``donors.csv`` and ``summary.json``.

Each CSV file is one table of :mod:`mutasi_opt.domain.columns`, named after it,
with its columns in its order.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..domain.columns import (
    ASSIGNMENT,
    COVERAGE,
    DONORS,
    MOVES,
    SECONDMENTS,
    TRAINING,
    UNITS,
    Table,
)
from ..results.plan import Plan
from ..results.surge import SurgePlan

__all__ = ["write_plan", "write_surge_plan"]

#: The CSV files of a plan: the table and the DataFrame that holds it.
_PLAN_FILES: tuple[tuple[Table, Callable[[Plan], pd.DataFrame]], ...] = (
    (ASSIGNMENT, lambda plan: plan.assignment),
    (MOVES, lambda plan: plan.moves),
    (UNITS, lambda plan: plan.unit_table),
    (TRAINING, lambda plan: plan.training),
)

#: The CSV files of a secondment plan.
_SURGE_FILES: tuple[tuple[Table, Callable[[SurgePlan], pd.DataFrame]], ...] = (
    (SECONDMENTS, lambda plan: plan.secondments),
    (COVERAGE, lambda plan: plan.coverage),
    (DONORS, lambda plan: plan.donors),
)


def _write_table(table: Table, frame: pd.DataFrame, out: Path) -> None:
    """``<table>.csv`` in ``out``: the table's columns in its order."""
    frame.to_csv(out / f"{table.name}.csv", index=False, columns=list(table.names))


def write_plan(plan: Plan, out_dir: str | Path) -> Path:
    """Write ``assignment.csv``, ``moves.csv``, ``units.csv``, ``training.csv``, ``summary.json``.

    For an infeasible or unknown plan only ``summary.json`` (with the
    diagnosis) is written.

    Raises
    ------
    FileExistsError
        When ``out_dir`` is a data folder (it holds ``employees.csv`` or
        ``.xlsx``): the plan's ``units.csv`` would overwrite the input.
    """
    out = Path(out_dir)
    refuse_data_folder(out)
    out.mkdir(parents=True, exist_ok=True)
    if plan.has_solution:
        for table, frame_of in _PLAN_FILES:
            _write_table(table, frame_of(plan), out)
    with open(out / "summary.json", "w", encoding="utf-8") as fh:
        json.dump(plan.summary(), fh, indent=2, ensure_ascii=False, default=_json_default)
        fh.write("\n")
    return out


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating):
        return float(obj)
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def refuse_data_folder(out: Path) -> None:
    """Raise :class:`FileExistsError` when ``out`` is a data folder: results
    written there would overwrite (or sit among) the input tables."""
    for name in ("employees.csv", "employees.xlsx"):
        if (out / name).exists():
            raise FileExistsError(
                f"{out} is a data folder (it holds {name}); writing the results there would "
                "overwrite its units.csv. Give another folder"
            )


def write_surge_plan(plan: SurgePlan, out_dir: str | Path) -> Path:
    """Write ``secondments.csv``, ``coverage.csv``, ``donors.csv`` and ``summary.json``."""
    out = Path(out_dir)
    refuse_data_folder(out)
    out.mkdir(parents=True, exist_ok=True)
    for table, frame_of in _SURGE_FILES:
        _write_table(table, frame_of(plan), out)
    with open(out / "summary.json", "w", encoding="utf-8") as fh:
        json.dump(plan.summary(), fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    return out
