"""Assignment tables: a plan's ``assignment.csv``, or any table with a NIP and a unit column.

One reader for the ``check`` command (pairs, so that unknown or repeated NIPs
are reported by the checker as rule violations) and for a permanent plan under
secondments (``surge --base``: unit positions, every employee exactly once).
The columns are those of :func:`~mutasi_opt.domain.headers.assignment_columns`:
``nip`` and ``unit_after`` (or ``unit``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..domain.arrays import IntArray
from ..domain.errors import InputError, InputIssue
from ..domain.headers import ASSIGNMENT_NIP, ASSIGNMENT_UNIT, assignment_columns
from ..domain.problem import Problem
from ..domain.values import clean_nip_text
from .tables import read_table

__all__ = ["read_assignment", "read_assignment_pairs"]


def read_assignment_pairs(path: str | Path) -> list[tuple[int, str, str]]:
    """``(row, nip, unit)`` per row of an assignment table (rows as in a spreadsheet).

    Raises :class:`InputError` naming the missing columns.
    """
    frame = read_table(path)
    file = Path(path).name
    nip_col, unit_col = assignment_columns(frame.columns)
    missing = [
        name
        for name, col in ((ASSIGNMENT_NIP, nip_col), (ASSIGNMENT_UNIT[0], unit_col))
        if col is None
    ]
    if missing:
        raise InputError(
            [
                InputIssue(
                    file,
                    1,
                    m,
                    None,
                    f"required column {m!r} is missing; an assignment table has columns "
                    "nip and unit_after (or unit), as a plan's assignment.csv",
                )
                for m in missing
            ]
        )
    rows = [int(r) for r in frame.index]
    nips = [clean_nip_text(str(n)) for n in frame[nip_col].tolist()]
    units = [str(u).strip() for u in frame[unit_col].tolist()]
    return list(zip(rows, nips, units, strict=True))


def read_assignment(path: str | Path, problem: Problem) -> IntArray:
    """Unit positions (employee order) from an assignment table in which every
    employee of ``problem`` appears exactly once.  Issues name the file, row and
    column."""
    file = Path(path).name
    idx = problem.index
    out = np.full(idx.n_employees, -1, dtype=np.int64)
    issues: list[InputIssue] = []
    for row, nip, unit in read_assignment_pairs(path):
        e = idx.nip_pos.get(nip)
        if e is None:
            issues.append(InputIssue(file, row, "nip", nip, "NIP not in the data folder"))
            continue
        if out[e] >= 0:
            issues.append(InputIssue(file, row, "nip", nip, "NIP appears twice; keep one row"))
            continue
        u = idx.unit_pos.get(unit)
        if u is None:
            issues.append(InputIssue(file, row, "unit_after", unit, "unknown unit"))
            continue
        out[e] = u
    for e in np.flatnonzero(out < 0).tolist():
        if not any(i.value == idx.nips[e] for i in issues):
            issues.append(InputIssue(file, None, "nip", idx.nips[e], "employee missing; add a row"))
    if issues:
        raise InputError(issues)
    return out
