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

__all__ = ["read_surges"]


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
    # the rows that broke a row rule are cross-checked too: a row's issues come at once
    rows = [int(r) for r in loaded.rows]
    checked = [*zip(loaded.entities, rows, strict=True), *loaded.rule_broken]
    checked.sort(key=lambda pair: pair[1])
    surges = [surge for surge, _ in checked]
    rows = [row for _, row in checked]
    issues += surge_issues(problem, surges, file=file, rows=rows, headers=header)
    for surge, row in checked:
        if not surge.competency and "min_level" in loaded.headers and surge.min_level != 1:
            message = "min_level is given but competency is empty; name the competency or clear "
            issues.append(
                InputIssue(file, row, header["min_level"], surge.min_level, message + "min_level")
            )
    if issues:
        raise InputError(issues)
    return tuple(loaded.entities)
