"""Independent plan checker.

Re-derives every rule from the :class:`~mutasi_opt.domain.problem.Problem` alone —
who may move, where, headcount bounds, the move budget — never from solver
code, so it can audit any assignment: a solver's plan, a hand-made plan, or a
historical one.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from .. import metrics
from ..domain.headers import assignment_columns
from ..domain.problem import Problem
from ..domain.values import month_index
from ..results.findings import Violation
from ..results.plan import Plan
from .fairness import fairness_violations
from .rules import round_violations

__all__ = ["check_plan", "check_secondments"]


#: What :func:`check_plan` accepts, quoted by its error messages.
_ACCEPTED = (
    "a Plan, an integer array of unit positions in employee order, a sequence of unit ids "
    "in employee order, a mapping NIP → unit id, an iterable of (NIP, unit id) pairs, or a "
    "DataFrame with columns nip and unit_after (or unit)"
)


def _column_values(column: Any) -> list[Any]:
    """A DataFrame column's values as a Python list (pandas ``tolist``, polars ``to_list``)."""
    for name in ("tolist", "to_list"):
        method = getattr(column, name, None)
        if callable(method):
            return list(method())
    return list(column)


def _frame_pairs(frame: Any) -> list[tuple[str, str]]:
    """(nip, unit id) pairs from a DataFrame-like table (duck typed: no pandas import here)."""
    nip_col, unit_col = assignment_columns(frame.columns)
    missing = [
        name for name, col in (("nip", nip_col), ("unit_after (or unit)", unit_col)) if col is None
    ]
    if missing:
        have = ", ".join(repr(str(c)) for c in frame.columns) or "none"
        raise ValueError(
            f"assignment DataFrame lacks column(s) {', '.join(missing)}: it needs columns nip "
            f"and unit_after (or unit), case-insensitive; it has {have}"
        )
    nip_series = frame[nip_col]
    kind = getattr(getattr(nip_series, "dtype", None), "kind", "")
    if kind == "f":
        raise ValueError(
            f"assignment DataFrame column {str(nip_col)!r} holds floats, which may have lost "
            "digits of 18-digit NIPs; read the table with the NIPs as text "
            "(e.g. pandas.read_csv(path, dtype=str))"
        )
    nips = _column_values(nip_series)
    units = _column_values(frame[unit_col])
    return [(str(n).strip(), str(u).strip()) for n, u in zip(nips, units, strict=True)]


def _pairs(problem: Problem, assignment: Any) -> list[tuple[str, str]]:
    """(nip, unit id) pairs from the accepted assignment forms (see ``_ACCEPTED``)."""
    if isinstance(assignment, Plan):
        if assignment.assignment_array is None:
            raise ValueError(f"the plan is {assignment.status.value} and holds no assignment")
        assignment = assignment.assignment_array
    if hasattr(assignment, "columns") and hasattr(assignment, "to_dict"):
        return _frame_pairs(assignment)
    if isinstance(assignment, Mapping):
        return [(str(k), str(v)) for k, v in assignment.items()]
    nips = [str(e.nip) for e in problem.employees]
    if isinstance(assignment, np.ndarray):
        if assignment.ndim != 1:
            raise TypeError(
                f"assignment is a {assignment.ndim}-D array of shape {assignment.shape}; "
                f"accepted: {_ACCEPTED}"
            )
        if assignment.dtype.kind in "iu":
            ids = [u.unit for u in problem.units]
            if len(assignment) != len(nips):
                raise ValueError(
                    f"assignment array has {len(assignment)} unit positions for "
                    f"{len(nips)} employees; it needs one per employee, in problem order"
                )
            return [
                (n, ids[int(u)] if 0 <= u < len(ids) else f"#{int(u)}")
                for n, u in zip(nips, assignment, strict=True)
            ]
    if isinstance(assignment, (str, bytes)) or not isinstance(assignment, Iterable):
        raise TypeError(
            f"assignment of type {type(assignment).__name__} is not accepted; accepted: {_ACCEPTED}"
        )
    items = list(assignment)
    if items and all(isinstance(x, str) for x in items):
        if len(items) != len(nips):
            raise ValueError(
                f"assignment lists {len(items)} unit ids for {len(nips)} employees; a "
                "sequence of unit ids needs one per employee, in problem order (pass a "
                "mapping NIP → unit id or (NIP, unit id) pairs to give only some)"
            )
        return list(zip(nips, items, strict=True))
    out: list[tuple[str, str]] = []
    for i, item in enumerate(items):
        pair = (
            None
            if isinstance(item, (str, bytes)) or not isinstance(item, Iterable)
            else tuple(item)
        )
        if pair is None or len(pair) != 2:
            raise TypeError(
                f"assignment item {i} ({item!r}) is not a (NIP, unit id) pair; "
                f"accepted: {_ACCEPTED}"
            )
        out.append((str(pair[0]), str(pair[1])))
    return out


def check_plan(problem: Problem, assignment: Any) -> list[Violation]:
    """Every rule the assignment breaks (empty list = valid plan).

    Parameters
    ----------
    problem
        The problem the plan is for.
    assignment
        One of:

        * a :class:`~mutasi_opt.results.plan.Plan` (with a solution);
        * a 1-D integer array of unit positions, one per employee in problem
          order;
        * a sequence of unit ids, one per employee in problem order;
        * a mapping NIP → unit id;
        * an iterable of (NIP, unit id) pairs;
        * a DataFrame (anything with ``columns`` and column access, such as
          ``plan.assignment`` or an ``assignment.csv`` read back) with a
          ``nip`` column and a ``unit_after`` column, or failing that a
          ``unit`` column — names case-insensitive, surrounding whitespace
          ignored; values are compared as stripped strings.  A float NIP
          column is refused (it may have lost digits): read NIPs as text,
          e.g. ``pandas.read_csv(path, dtype=str)``.

        Mappings, pair lists and DataFrames may contain duplicates or unknown
        NIPs — they are reported — and employees missing from them are
        reported too, not assumed home.

    Raises
    ------
    TypeError
        For any other shape (a number, a string, a 2-D array, items that are
        not pairs...); the message lists the accepted forms.
    ValueError
        For a sequence or array of the wrong length (both lengths named), a
        DataFrame lacking the columns or with a float NIP column, or a plan
        without a solution.
    """
    pol = problem.policy
    units = {u.unit: u for u in problem.units}
    employees = {str(e.nip): e for e in problem.employees}
    demand = {(d.unit, d.role) for d in problem.demand}
    demand |= {(u.unit, "") for u in problem.units if u.workload_hours is not None}
    out: list[Violation] = []
    after: dict[str, str] = {}
    for nip, unit in _pairs(problem, assignment):
        if nip not in employees:
            out.append(Violation("unknown_employee", f"NIP {nip} is not in the problem", nip))
            continue
        if nip in after:
            out.append(
                Violation("duplicate_employee", f"NIP {nip} is assigned more than once", nip)
            )
            continue
        after[nip] = unit
    for nip in employees:
        if nip not in after:
            out.append(Violation("missing_employee", f"NIP {nip} has no unit in the plan", nip))
    moves = 0
    for nip, unit in after.items():
        e = employees[nip]
        if unit not in units:
            out.append(Violation("unknown_unit", f"unit {unit!r} does not exist", nip, unit))
            continue
        if unit == e.unit:
            continue
        moves += 1
        if e.locked:
            out.append(Violation("locked", f"{nip} is locked but moves to {unit}", nip, unit))
        if e.employment_type == "PPPK" and not pol.allow_pppk_moves:
            out.append(
                Violation("pppk", f"{nip} is PPPK and PPPK moves are not allowed", nip, unit)
            )
        if e.months_in_unit is not None and e.months_in_unit < pol.min_months_in_unit:
            out.append(
                Violation(
                    "tenure",
                    f"{nip} has {e.months_in_unit} months in the unit, under "
                    f"min_months_in_unit = {pol.min_months_in_unit}",
                    nip,
                    unit,
                )
            )
        if unit in e.refused_units:
            out.append(Violation("refused_unit", f"{nip} refused unit {unit}", nip, unit))
        if (unit, e.role) not in demand:
            out.append(
                Violation(
                    "no_demand",
                    f"{nip} (role {e.role!r}) moves to {unit}, which has no demand for that role",
                    nip,
                    unit,
                )
            )
    heads: dict[str, int] = dict.fromkeys(units, 0)
    for nip, e in employees.items():
        unit = after.get(nip, e.unit)
        if unit in heads:
            heads[unit] += 1
    for uid, u in units.items():
        if u.min_staff is not None and heads[uid] < u.min_staff:
            out.append(
                Violation(
                    "min_staff",
                    f"unit {uid} has {heads[uid]} staff, below min_staff = {u.min_staff}",
                    unit=uid,
                )
            )
        if u.max_staff is not None and heads[uid] > u.max_staff:
            out.append(
                Violation(
                    "max_staff",
                    f"unit {uid} has {heads[uid]} staff, above max_staff = {u.max_staff}",
                    unit=uid,
                )
            )
    if pol.max_moves is not None and moves > pol.max_moves:
        out.append(
            Violation(
                "max_moves", f"the plan makes {moves} moves, above max_moves = {pol.max_moves}"
            )
        )
    out += round_violations(problem, {n: u for n, u in after.items() if u in units})
    out += _pin_violations(employees, after)
    fair = pol.individual_rationality or pol.no_justified_envy
    complete = len(after) == len(employees) and all(u in units for u in after.values())
    if fair and complete:
        out += fairness_violations(problem, after)
    return out


def _pin_violations(employees: Mapping[str, Any], after: Mapping[str, str]) -> list[Violation]:
    """A pinned employee (an accepted move, ``pinned_unit``) is not where the pin says."""
    out: list[Violation] = []
    for nip, e in employees.items():
        pin = e.pinned_unit
        if pin is not None and nip in after and after[nip] != pin:
            out.append(
                Violation(
                    "pinned",
                    f"{nip} is pinned to {pin} (an accepted decision) but the plan puts them "
                    f"in {after[nip]}",
                    nip,
                    after[nip],
                )
            )
    return out


def check_secondments(
    problem: Problem,
    surges: Iterable[Any],
    secondments: Any,
    base: Mapping[str, str] | None = None,
) -> list[Violation]:
    """Every rule a set of secondments breaks (empty list = valid).

    Re-derived from the problem and the surges alone.  ``secondments`` is a
    :class:`~mutasi_opt.surge.SurgePlan` or an iterable of records with
    ``nip``, ``host_unit``, ``surge``, ``start`` and ``end`` (``YYYY-MM``);
    ``base`` maps NIP → unit worked in outside the secondment (default: the
    employee's unit; a SurgePlan brings its own).  Kinds: ``unknown_employee``,
    ``unknown_surge``, ``wrong_host``, ``window`` (not contiguous or outside
    the surge's months), ``too_long``, ``overlap``, ``too_many``, ``locked``,
    ``pppk``, ``tenure``, ``refused_unit``, ``own_unit``, ``role``,
    ``competency``, ``lent_fraction``, ``over_cover``.
    """
    pol = problem.policy
    employees = {str(e.nip): e for e in problem.employees}
    by_id = {s.surge: s for s in surges}
    if hasattr(secondments, "secondment_records"):
        records = secondments.secondment_records()
        idx = problem.index
        base = {
            str(e.nip): idx.unit_ids[int(u)]
            for e, u in zip(problem.employees, secondments.base, strict=True)
        }
    else:
        records = [dict(r) for r in secondments]
    where = {nip: (base or {}).get(nip, e.unit) for nip, e in employees.items()}
    out: list[Violation] = []
    spans: dict[str, list[tuple[int, int]]] = {}
    away: dict[tuple[str, int], int] = {}
    help_fte: dict[tuple[str, int], list[float]] = {}
    for r in records:
        nip, host, sid = str(r["nip"]), str(r["host_unit"]), str(r["surge"])
        e = employees.get(nip)
        if e is None:
            out.append(Violation("unknown_employee", f"NIP {nip} is not in the problem", nip))
            continue
        s = by_id.get(sid)
        if s is None:
            out.append(Violation("unknown_surge", f"surge {sid!r} does not exist", nip, host))
            continue
        if host != s.unit:
            out.append(
                Violation("wrong_host", f"{nip} helps {sid} at {host}, not at {s.unit}", nip, host)
            )
        a, b = month_index(str(r["start"])), month_index(str(r["end"]))
        if not (s.months.start <= a <= b < s.months.stop):
            out.append(
                Violation(
                    "window",
                    f"{nip}: {r['start']}..{r['end']} is not a window inside {sid}'s "
                    f"{s.start}..{s.end}",
                    nip,
                    host,
                )
            )
        if b - a + 1 > pol.max_secondment_months:
            out.append(
                Violation(
                    "too_long",
                    f"{nip} is seconded {b - a + 1} months, over max_secondment_months = "
                    f"{pol.max_secondment_months}",
                    nip,
                    host,
                )
            )
        blackout = metrics.blackout_months(pol)
        if any(m in blackout for m in range(a, b + 1)):
            out.append(
                Violation(
                    "blackout",
                    f"{nip} is seconded {r['start']}..{r['end']}, in months of the blackout "
                    f"period {pol.blackout_start}..{pol.blackout_end} (allow_secondment_in_"
                    "blackout = false)",
                    nip,
                    host,
                )
            )
        spans.setdefault(nip, []).append((a, b))
        home = where[nip]
        moved = home != e.unit
        if e.locked:
            out.append(Violation("locked", f"{nip} is locked but seconded", nip, host))
        if e.employment_type == "PPPK" and not pol.allow_pppk_secondment:
            out.append(Violation("pppk", f"{nip} is PPPK and PPPK secondment is off", nip, host))
        months = 0 if moved else e.months_in_unit
        need = pol.secondment_min_months_in_unit
        if need > 0 and (moved or (months is not None and months < need)):
            out.append(
                Violation(
                    "tenure",
                    f"{nip} has {months} months in the unit, under "
                    f"secondment_min_months_in_unit = {need}",
                    nip,
                    host,
                )
            )
        if host in e.refused_units:
            out.append(Violation("refused_unit", f"{nip} refused unit {host}", nip, host))
        if host == home:
            out.append(Violation("own_unit", f"{nip} is seconded to their own unit", nip, host))
        if s.role and e.role != s.role:
            out.append(
                Violation("role", f"{nip} ({e.role!r}) helps {sid}, which needs {s.role!r}", nip)
            )
        if s.competency and dict(e.competencies).get(s.competency, 0) < s.min_level:
            out.append(
                Violation(
                    "competency",
                    f"{nip} lacks {s.competency} ≥ {s.min_level} needed by {sid}",
                    nip,
                    host,
                )
            )
        for m in range(a, b + 1):
            away[(home, m)] = away.get((home, m), 0) + 1
            help_fte.setdefault((sid, m), []).append(e.fte)
    for nip, items in spans.items():
        items.sort()
        if len(items) > pol.max_secondments_per_employee:
            out.append(
                Violation(
                    "too_many",
                    f"{nip} has {len(items)} secondments, over max_secondments_per_employee = "
                    f"{pol.max_secondments_per_employee}",
                    nip,
                )
            )
        for (_, b1), (a2, _) in itertools.pairwise(items):
            if a2 <= b1:
                out.append(Violation("overlap", f"{nip} has overlapping secondments", nip))
    heads: dict[str, int] = {}
    for u in where.values():
        heads[u] = heads.get(u, 0) + 1
    for (unit, m), n in sorted(away.items()):
        cap = math.floor(pol.max_lent_fraction * heads.get(unit, 0) + 1e-9)
        if n > cap:
            out.append(
                Violation(
                    "lent_fraction",
                    f"{unit} lends {n} staff in month {m // 12}-{m % 12 + 1:02d}, over "
                    f"max_lent_fraction × headcount = {cap}",
                    unit=unit,
                )
            )

    def may_help(e: Any, s: Any) -> bool:
        return (
            (not s.role or e.role == s.role)
            and (not s.competency or dict(e.competencies).get(s.competency, 0) >= s.min_level)
            and not e.locked
            and (e.employment_type != "PPPK" or pol.allow_pppk_secondment)
            and s.unit not in e.refused_units
        )

    for (sid, m), ftes in sorted(help_fte.items()):
        s = by_id[sid]
        need_c = round(100 * s.extra_fte)
        have = sum(round(100 * f) for f in ftes)
        top = max(
            [round(100 * e.fte) for e in employees.values() if may_help(e, s)]
            + [round(100 * f) for f in ftes]
        )
        if have > need_c + top - 1:
            out.append(
                Violation(
                    "over_cover",
                    f"{sid} gets {have / 100:g} FTE in month {m // 12}-{m % 12 + 1:02d} for a "
                    f"need of {need_c / 100:g}: over the need by {top / 100:g} FTE or more "
                    "(a whole helper)",
                    unit=by_id[sid].unit,
                )
            )
    return out
