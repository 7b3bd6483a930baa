"""``history.csv``: past mutasi (``nip, from_unit, to_unit, date`` and an optional ``kind``)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from ..domain.errors import InputError, InputIssue
from ..domain.headers import normalise_header
from ..domain.hooks import provide
from ..domain.values import clean_nip_text
from ..results.history import HistoryMove
from .tables import read_table

__all__ = ["read_history", "write_history"]

_COLUMNS = ("nip", "from_unit", "to_unit", "date")


@provide("history.read")
def read_history(path: str | Path) -> tuple[HistoryMove, ...]:
    """Read ``history.csv`` (or ``.xlsx``); malformed rows raise :class:`InputError`
    naming file, row and column.  Unknown NIPs or units are *not* errors here:
    :func:`evaluate_history` lists them."""
    frame = read_table(path)
    file = Path(path).name
    cols = {normalise_header(c): c for c in frame.columns}
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
        row = int(frame.index[i])  # the spreadsheet row (blank rows are not in the frame)
        cells = {c: str(frame[cols[c]].iloc[i]).strip() for c in _COLUMNS}
        cells["nip"] = clean_nip_text(cells["nip"])  # as the employees file's NIPs are read
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


def write_history(moves: Any, path: str | Path) -> Path:
    """Write history rows as ``history.csv`` (nip, from_unit, to_unit, date, kind)."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([*_COLUMNS, "kind"])
        for m in moves:
            w.writerow([m.nip, m.from_unit, m.to_unit, m.date.isoformat(), m.kind])
    return path
