"""Reading ``surges.csv``: temporary needs for extra staff, checked against a problem.

Every issue names the file, the spreadsheet row, the column as written and
what to change; all issues of the file are reported at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..domain.errors import InputError, InputIssue
from ..domain.problem import Problem, Surge, surge_issues
from .columns import SURGES
from .parse import load_table
from .tables import read_source

__all__ = ["read_assignment", "read_surges"]


def read_surges(path: str | Path, problem: Problem) -> tuple[Surge, ...]:
    """Read and check ``surges.csv`` (or ``.xlsx``) for ``problem``."""
    return _load(read_source(path), problem)


def _load(source: Any, problem: Problem) -> tuple[Surge, ...]:
    loaded = load_table(SURGES, source)
    issues = list(loaded.issues)
    if not loaded.usable:
        raise InputError(issues)
    file = source.file
    header = {c: loaded.headers.get(c, c) for c in SURGES.columns}
    rows = [int(r) for r in loaded.rows]
    issues += surge_issues(problem, loaded.entities, file=file, rows=rows, headers=header)
    for surge, row in zip(loaded.entities, loaded.rows, strict=True):
        if not surge.competency and "min_level" in loaded.headers and surge.min_level != 1:
            message = "min_level is given but competency is empty; name the competency or clear "
            issues.append(
                InputIssue(
                    file, int(row), header["min_level"], surge.min_level, message + "min_level"
                )
            )
    if issues:
        raise InputError(issues)
    return tuple(loaded.entities)


def read_assignment(path: str | Path, problem: Problem) -> Any:
    """Unit positions (employee order) from a plan's ``assignment.csv``.

    Uses the columns ``nip`` and ``unit_after``; every employee of the problem
    must appear exactly once.  Issues name the file, row and column.
    """
    import numpy as np

    from .tables import read_table

    frame = read_table(path)
    file = Path(path).name
    cols = {str(c).strip().lower(): c for c in frame.columns}
    missing = [c for c in ("nip", "unit_after") if c not in cols]
    if missing:
        raise InputError(
            [
                InputIssue(
                    file,
                    1,
                    c,
                    None,
                    f"required column {c!r} is missing (a plan's "
                    "assignment.csv has nip, ..., unit_after)",
                )
                for c in missing
            ]
        )
    idx = problem.index
    out = np.full(idx.n_employees, -1, dtype=np.int64)
    issues: list[InputIssue] = []
    for i, (nip, unit) in enumerate(
        zip(frame[cols["nip"]].astype(str), frame[cols["unit_after"]].astype(str), strict=True)
    ):
        row = i + 2
        nip, unit = nip.strip(), unit.strip()
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
