"""Historical mutations: replay past moves on a snapshot and measure them.

``history.csv`` has ``nip, from_unit, to_unit, date`` (``YYYY-MM-DD``) and an
optional ``kind`` (``permanent`` or ``temporary``).  :func:`evaluate_history`
replays the permanent moves, in date order, on the problem's state (the
snapshot before the window) and reports, with the same :mod:`metrics`, the
numbers before and after, every rule the moves broke (as the independent
checker sees them), and every row it could not replay, with the reason —
none is dropped silently.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from . import metrics
from .check import Violation, check_plan
from .errors import InputError, InputIssue
from .model import Problem

IntArray = npt.NDArray[np.int64]

__all__ = ["HistoryMove", "HistoryReport", "evaluate_history", "read_history"]


@dataclass(frozen=True)
class HistoryMove:
    """One row of ``history.csv`` (``row`` is its spreadsheet row)."""

    nip: str
    from_unit: str
    to_unit: str
    date: dt.date
    kind: Literal["permanent", "temporary"] = "permanent"
    row: int | None = None


@dataclass(frozen=True)
class Skipped:
    """A history row that was not replayed, and why."""

    move: HistoryMove
    reason: str


@dataclass(frozen=True)
class HistoryReport:
    """The replayed history: numbers before and after, rule exceptions, skipped rows."""

    problem: Problem
    assignment: IntArray
    before: metrics.Metrics
    after: metrics.Metrics
    applied: tuple[HistoryMove, ...]
    exceptions: tuple[Violation, ...]
    skipped: tuple[Skipped, ...]

    def summary(self) -> dict[str, Any]:
        """JSON-able headline numbers."""
        return {
            "moves_replayed": len(self.applied),
            "moves": self.after.moves,
            "imbalance_hours_before": self.before.imbalance_hours,
            "imbalance_hours": self.after.imbalance_hours,
            "balance_cost_before": self.before.balance_cost,
            "balance_cost": self.after.balance_cost,
            "shortfall_before": self.before.shortfall,
            "shortfall": self.after.shortfall,
            "preference_cost": self.after.preference_cost,
            "rule_exceptions": [v.to_dict() for v in self.exceptions],
            "skipped": [
                {"row": s.move.row, "nip": s.move.nip, "reason": s.reason} for s in self.skipped
            ],
        }

    def _repr_html_(self) -> str:
        from .html import history_html

        return history_html(self)


_COLUMNS = ("nip", "from_unit", "to_unit", "date")


def read_history(path: str | Path) -> tuple[HistoryMove, ...]:
    """Read ``history.csv`` (or ``.xlsx``); malformed rows raise :class:`InputError`
    naming file, row and column.  Unknown NIPs or units are *not* errors here:
    :func:`evaluate_history` lists them."""
    from .io.tables import read_table

    frame = read_table(path)
    file = Path(path).name
    cols = {str(c).strip().lower(): c for c in frame.columns}
    missing = [c for c in _COLUMNS if c not in cols]
    if missing:
        raise InputError(
            [
                InputIssue(file, 1, c, None, f"required column {c!r} is missing; add it")
                for c in missing
            ]
        )
    issues: list[InputIssue] = []
    out: list[HistoryMove] = []
    kinds = frame[cols["kind"]] if "kind" in cols else None
    for i in range(len(frame)):
        row = i + 2
        cells = {c: str(frame[cols[c]].iloc[i]).strip() for c in _COLUMNS}
        bad = False
        for c in ("nip", "from_unit", "to_unit"):
            if cells[c] in ("", "nan", "None"):
                issues.append(InputIssue(file, row, c, None, "required; fill it in"))
                bad = True
        try:
            date = dt.date.fromisoformat(cells["date"][:10])
        except ValueError:
            issues.append(
                InputIssue(file, row, "date", cells["date"], "expected YYYY-MM-DD, e.g. 2024-07-01")
            )
            bad = True
        kind = "permanent"
        if kinds is not None:
            text = str(kinds.iloc[i]).strip().lower()
            if text in ("", "nan", "none"):
                text = "permanent"
            if text not in ("permanent", "temporary"):
                issues.append(
                    InputIssue(file, row, "kind", text, "expected 'permanent' or 'temporary'")
                )
                bad = True
            kind = text
        if not bad:
            out.append(
                HistoryMove(
                    cells["nip"],
                    cells["from_unit"],
                    cells["to_unit"],
                    date,
                    kind,  # type: ignore[arg-type]
                    row,
                )
            )
    if issues:
        raise InputError(issues)
    return tuple(out)


def evaluate_history(problem: Problem, history: Any) -> HistoryReport:
    """Replay the permanent moves of ``history`` (rows or a path) on the problem's state."""
    moves = read_history(history) if isinstance(history, str | Path) else tuple(history)
    idx = problem.index
    where = idx.home.copy()
    applied: list[HistoryMove] = []
    skipped: list[Skipped] = []
    for m in sorted(moves, key=lambda m: (m.date, m.row or 0)):
        if m.kind != "permanent":
            skipped.append(Skipped(m, "temporary move (a secondment): not replayed"))
            continue
        e = idx.nip_pos.get(m.nip)
        if e is None:
            skipped.append(Skipped(m, f"unknown NIP {m.nip}"))
            continue
        missing = [u for u in (m.from_unit, m.to_unit) if u not in idx.unit_pos]
        if missing:
            skipped.append(Skipped(m, f"unknown unit {missing[0]}"))
            continue
        now = idx.unit_ids[int(where[e])]
        if now != m.from_unit:
            skipped.append(Skipped(m, f"from_unit is {m.from_unit} but the employee was in {now}"))
            continue
        where[e] = idx.unit_pos[m.to_unit]
        applied.append(m)
    return HistoryReport(
        problem=problem,
        assignment=where,
        before=metrics.evaluate(problem, idx.home),
        after=metrics.evaluate(problem, where),
        applied=tuple(applied),
        exceptions=tuple(check_plan(problem, where)),
        skipped=tuple(skipped),
    )
