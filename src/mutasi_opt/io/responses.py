"""Reading ``responses.csv``: employees' answers to a draft plan, checked against a problem.

Columns ``nip``, ``response`` (accept / object / prefer, or terima / keberatan /
pilih), ``units`` (``U1;U2``: the units asked for, or refused besides the drafted
one) and ``reason`` (free text).  Every issue names the file, the spreadsheet row,
the column as written and what to change; all issues of the file are reported at
once, with those of the responses against the problem and the draft
(:func:`mutasi_opt.domain.responses.response_issues`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..domain.arrays import IntArray
from ..domain.errors import InputError
from ..domain.problem import Problem
from ..domain.responses import Response, response_issues
from .columns import RESPONSES
from .parse import load_table
from .tables import read_source

__all__ = ["read_responses"]


def read_responses(
    path: str | Path, problem: Problem, draft: Sequence[int] | IntArray
) -> tuple[tuple[Response, ...], tuple[int, ...]]:
    """Read and check ``responses.csv`` (or ``.xlsx``) for ``problem`` and its ``draft``
    (unit position per employee); returns the responses and their spreadsheet rows."""
    return _load(read_source(path), problem, draft)


def _load(
    source: Any, problem: Problem, draft: Sequence[int] | IntArray
) -> tuple[tuple[Response, ...], tuple[int, ...]]:
    loaded = load_table(RESPONSES, source)
    issues = list(loaded.issues)
    if not loaded.usable:
        raise InputError(issues)
    header = {c: loaded.headers.get(c, c) for c in RESPONSES.columns}
    rows = tuple(int(r) for r in loaded.rows)
    responses = tuple(loaded.entities)
    issues += response_issues(
        problem, draft, responses, file=source.file, rows=rows, headers=header
    )
    if issues:
        raise InputError(sorted(issues, key=lambda i: i.row or 0))
    return responses, rows
