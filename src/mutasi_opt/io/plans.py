"""Plan files: a plan's ``assignment.csv``, ``moves.csv``, ``units.csv``, ``training.csv``
and ``summary.json``; a secondment plan's ``secondments.csv``, ``coverage.csv``,
``donors.csv`` and ``summary.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from ..results.plan import Plan
from ..results.surge import SurgePlan

__all__ = ["write_plan", "write_surge_plan"]


def write_plan(plan: Plan, out_dir: str | Path) -> Path:
    """Write ``assignment.csv``, ``moves.csv``, ``units.csv``, ``training.csv``, ``summary.json``.

    For an infeasible or unknown plan only ``summary.json`` (with the
    diagnosis) is written.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if plan.has_solution:
        plan.assignment.to_csv(out / "assignment.csv", index=False)
        plan.moves.to_csv(out / "moves.csv", index=False)
        plan.units.to_csv(out / "units.csv", index=False)
        plan.training.to_csv(out / "training.csv", index=False)
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


def write_surge_plan(plan: SurgePlan, out_dir: str | Path) -> Path:
    """Write ``secondments.csv``, ``coverage.csv``, ``donors.csv`` and ``summary.json``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plan.secondments.to_csv(out / "secondments.csv", index=False)
    plan.coverage.to_csv(out / "coverage.csv", index=False)
    plan.donors.to_csv(out / "donors.csv", index=False)
    with open(out / "summary.json", "w", encoding="utf-8") as fh:
        json.dump(plan.summary(), fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    return out
