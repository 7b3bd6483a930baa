"""Reading ``surges.csv``: temporary needs for extra staff, checked against a problem.

Every issue names the file, the spreadsheet row, the column as written and
what to change; all issues of the file are reported at once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..domain.errors import InputError, InputIssue
from ..domain.problem import Problem, Surge
from .columns import SURGES
from .parse import load_table
from .tables import read_source, source_from_frame

__all__ = ["read_assignment", "read_surges", "surges_from_frame"]


def read_surges(path: str | Path, problem: Problem) -> tuple[Surge, ...]:
    """Read and check ``surges.csv`` (or ``.xlsx``) for ``problem``."""
    return _load(read_source(path), problem)


def surges_from_frame(
    frame: Any, problem: Problem, *, name: str = "surges.csv"
) -> tuple[Surge, ...]:
    """:func:`read_surges` from a DataFrame (rows numbered as in a spreadsheet)."""
    return _load(source_from_frame(frame, name), problem)


def _load(source: Any, problem: Problem) -> tuple[Surge, ...]:
    loaded = load_table(SURGES, source)
    issues = list(loaded.issues)
    if not loaded.usable:
        raise InputError(issues)
    file = source.file
    header = {c: loaded.headers.get(c, c) for c in SURGES.columns}
    units = {u.unit for u in problem.units}
    roles = {e.role for e in problem.employees} | {d.role for d in problem.demand}
    competencies = {code for e in problem.employees for code, _ in e.competencies}
    competencies |= {q.competency for q in problem.requirements}
    first_row: dict[str, int] = {}
    for surge, row in zip(loaded.entities, loaded.rows, strict=True):
        row = int(row)

        def add(column: str, value: Any, message: str, row: int = row) -> None:
            issues.append(InputIssue(file, row, header[column], value, message))

        if surge.surge in first_row:
            add(
                "surge",
                surge.surge,
                f"surge id is also used on row {first_row[surge.surge]}; give each surge "
                "its own id (a surge needing two kinds of help is two rows with two ids)",
            )
        else:
            first_row[surge.surge] = row
        if surge.end < surge.start:
            add("end", surge.end, f"end {surge.end} is before start {surge.start}; swap them")
        if surge.unit not in units:
            add("unit", surge.unit, "unknown unit: it must be a unit of units.csv")
        if surge.role and surge.role not in roles:
            add(
                "role",
                surge.role,
                "no employee or demand row has this role; check the spelling, or leave "
                "the cell empty to let any role help",
            )
        if surge.competency and surge.competency not in competencies:
            add(
                "competency",
                surge.competency,
                "no employee holds this competency and no requirement names it; check "
                "the spelling, or leave the cell empty if none is needed",
            )
        if not surge.competency and "min_level" in loaded.headers and surge.min_level != 1:
            add(
                "min_level",
                surge.min_level,
                "min_level is given but competency is empty; name the competency or clear "
                "min_level",
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
