"""Problems from and to pandas DataFrames.

The DataFrames use the columns of the data folder (any accepted name, see
:mod:`mutasi_opt.io.columns`).  Issues name the table (``employees``) as the
file and ``position + 2`` as the row, i.e. the row the record would have in a
CSV file written with ``DataFrame.to_csv(index=False)``; the DataFrame's own
index is not used.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..domain.errors import InputIssue
from ..domain.hooks import provide
from ..domain.problem import Policy, Problem
from .columns import TABLES
from .parse import build_problem, parse_policy
from .tables import Source, source_from_frame

__all__ = ["problem_from_frames", "problem_to_frames"]


@provide("problem.from_frames")
def problem_from_frames(
    employees: Any,
    units: Any,
    demand: Any = None,
    requirements: Any = None,
    policy: Policy | Mapping[str, Any] | None = None,
    pairs: Any = None,
) -> Problem:
    """Build and validate a problem from DataFrames (or anything ``pd.DataFrame()`` accepts).

    Cells may be text or typed (numbers, bools, ``None``/``NaN`` for empty,
    lists for unit lists, ``{code: level}`` or pairs for competencies).  A
    NIP stored as a float is reported, never guessed.  ``policy`` is a
    :class:`~mutasi_opt.domain.problem.Policy` or a mapping of its keys.

    Raises
    ------
    InputError
        Every issue at once; ``file`` is the table name, ``row`` is the
        position in the DataFrame + 2.
    """
    tables = {"employees": employees, "units": units, "demand": demand}
    tables["requirements"] = requirements
    tables["pairs"] = pairs
    sources: dict[str, Source | None] = {
        name: source_from_frame(frame, name) for name, frame in tables.items() if frame is not None
    }
    files = {name: name for name in TABLES} | {"policy": "policy"}
    issues: list[InputIssue] = []
    if policy is None:
        checked: Policy | None = Policy()
    elif isinstance(policy, Policy):
        checked = policy
    else:
        checked, issues = parse_policy(policy, "policy")
    return build_problem(sources, files, checked, issues)


#: employee columns written only when some employee has a value (pins and draft
#: units of a consultation round), so that other folders keep their format
CONSULTATION_COLUMNS = ("pinned_unit", "draft_unit", "priority")


def _join(items: tuple[str, ...]) -> str:
    return ";".join(items)


@provide("problem.to_frames")
def problem_to_frames(problem: Problem) -> dict[str, pd.DataFrame]:
    """The tables of ``problem`` as DataFrames with canonical column names.

    Keys ``employees``, ``units``, ``demand``, ``requirements``.  Lists and
    competencies are text (``U1;U2``, ``code:level;code:level``), ``rank`` is
    the golongan text or None, counts are nullable integers (``Int64``), hours
    and fte are floats.  ``problem_from_frames(**problem_to_frames(p),
    policy=p.policy) == p``.
    """
    emps = problem.employees
    employees = pd.DataFrame(
        {
            "nip": pd.Series([str(e.nip) for e in emps], dtype=object),
            "name": pd.Series([e.name for e in emps], dtype=object),
            "unit": pd.Series([e.unit for e in emps], dtype=object),
            "role": pd.Series([e.role for e in emps], dtype=object),
            "fte": pd.Series([e.fte for e in emps], dtype="float64"),
            "rank": pd.Series(
                [None if e.rank is None else e.rank.value for e in emps], dtype=object
            ),
            "employment_type": pd.Series([e.employment_type for e in emps], dtype=object),
            "competencies": pd.Series(
                [";".join(f"{c}:{lv}" for c, lv in e.competencies) for e in emps], dtype=object
            ),
            "months_in_unit": pd.Series([e.months_in_unit for e in emps], dtype="Int64"),
            "locked": pd.Series([e.locked for e in emps], dtype=bool),
            "refused_units": pd.Series([_join(e.refused_units) for e in emps], dtype=object),
            "preferred_units": pd.Series([_join(e.preferred_units) for e in emps], dtype=object),
            "birth_date": pd.Series(
                [None if e.birth_date is None else e.birth_date.isoformat() for e in emps],
                dtype=object,
            ),
            "retirement_age": pd.Series([e.retirement_age for e in emps], dtype="Int64"),
            "inactive": pd.Series([e.inactive for e in emps], dtype=object),
        }
    )
    # the columns of a consultation round, only when some employee has a value
    for name in CONSULTATION_COLUMNS:
        values = [getattr(e, name) for e in emps]
        if any(v is not None for v in values):
            employees[name] = pd.Series(values, dtype=object)
    units = pd.DataFrame(
        {
            "unit": pd.Series([u.unit for u in problem.units], dtype=object),
            "name": pd.Series([u.name for u in problem.units], dtype=object),
            "workload_hours": pd.Series(
                [
                    float("nan") if u.workload_hours is None else u.workload_hours
                    for u in problem.units
                ],
                dtype="float64",
            ),
            "min_staff": pd.Series([u.min_staff for u in problem.units], dtype="Int64"),
            "max_staff": pd.Series([u.max_staff for u in problem.units], dtype="Int64"),
            "area": pd.Series([u.area for u in problem.units], dtype=object),
        }
    )
    demand = pd.DataFrame(
        {
            "unit": pd.Series([d.unit for d in problem.demand], dtype=object),
            "role": pd.Series([d.role for d in problem.demand], dtype=object),
            "workload_hours": pd.Series(
                [d.workload_hours for d in problem.demand], dtype="float64"
            ),
        }
    )
    requirements = pd.DataFrame(
        {
            "unit": pd.Series([q.unit for q in problem.requirements], dtype=object),
            "competency": pd.Series([q.competency for q in problem.requirements], dtype=object),
            "min_level": pd.Series([q.min_level for q in problem.requirements], dtype="int64"),
            "min_staff": pd.Series([q.min_staff for q in problem.requirements], dtype="int64"),
        }
    )
    pairs = pd.DataFrame(
        {
            "nip_a": pd.Series([str(p.nip_a) for p in problem.pairs], dtype=object),
            "nip_b": pd.Series([str(p.nip_b) for p in problem.pairs], dtype=object),
            "kind": pd.Series([p.kind for p in problem.pairs], dtype=object),
        }
    )
    return {
        "employees": employees,
        "units": units,
        "demand": demand,
        "requirements": requirements,
        "pairs": pairs,
    }
