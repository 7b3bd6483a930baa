"""Infeasibility diagnosis in plain words.

First cheap counting checks that name the culprit; if none fires, a small
conflicting set of rule groups is found with CP-SAT assumptions.
"""

from __future__ import annotations

import numpy as np

from .. import metrics
from ..domain.limits import Budget
from ..domain.problem import Problem
from ..results.findings import Conflict
from ..solvers.cpsat.conflicts import conflict_core

__all__ = ["diagnose"]


def _label(problem: Problem, u: int) -> str:
    unit = problem.units[u]
    return f"{unit.unit} ({unit.name})" if unit.name and unit.name != unit.unit else unit.unit


def _stuck_words(problem: Problem, u: int) -> str:
    """Why the employees of unit ``u`` who cannot leave stay, with the counts of the
    rules of a round (inactive, about to retire) when there are any."""
    words = "locked, PPPK, under the tenure minimum, or no other unit for their role"
    reasons = metrics.immovable_reason(problem)
    here = np.flatnonzero(problem.index.home == u).tolist()
    extra = [
        f"{n} {what}"
        for key, what in (("inactive", "inactive"), ("retiring", "about to retire"))
        if (n := sum(1 for e in here if reasons[e] == key))
    ]
    return words if not extra else f"{', '.join(extra)}; or {words}"


def counting_checks(problem: Problem) -> list[Conflict]:
    """Necessary conditions checked by counting; each names units and numbers."""
    idx = problem.index
    n_e, n_u = idx.n_employees, idx.n_units
    mov = metrics.movable(problem)
    can_reach = np.zeros(n_u, dtype=np.int64)
    can_leave = np.zeros(n_u, dtype=np.int64)
    for e in range(n_e):
        allowed = metrics.allowed_units(problem, e)
        can_reach[allowed] += 1
        if mov[e] and len(allowed) > 1:
            can_leave[idx.home[e]] += 1
    head = metrics.headcount(problem, idx.home)
    out: list[Conflict] = []
    for u in range(n_u):
        lo, hi = int(idx.min_staff[u]), int(idx.max_staff[u])
        if lo >= 0 and can_reach[u] < lo:
            out.append(
                Conflict(
                    "min_staff_unreachable",
                    f"unit {_label(problem, u)} needs ≥ {lo} staff (min_staff) but only "
                    f"{can_reach[u]} employees may be assigned to it",
                    (idx.unit_ids[u],),
                    (("min_staff", lo), ("may_be_assigned", int(can_reach[u]))),
                )
            )
        stuck = int(head[u] - can_leave[u])
        if hi >= 0 and stuck > hi:
            out.append(
                Conflict(
                    "max_staff_immovable",
                    f"unit {_label(problem, u)} allows at most {hi} staff (max_staff) but "
                    f"{stuck} of its {head[u]} employees cannot leave ({_stuck_words(problem, u)})",
                    (idx.unit_ids[u],),
                    (("max_staff", hi), ("cannot_leave", stuck), ("headcount", int(head[u]))),
                )
            )
    mins = idx.min_staff[idx.min_staff >= 0]
    if mins.sum() > n_e:
        out.append(
            Conflict(
                "min_staff_total",
                f"the units' min_staff add up to {int(mins.sum())} but there are only "
                f"{n_e} employees",
                numbers=(("sum_min_staff", int(mins.sum())), ("employees", n_e)),
            )
        )
    if n_u and (idx.max_staff >= 0).all() and idx.max_staff.sum() < n_e:
        out.append(
            Conflict(
                "max_staff_total",
                f"every unit has a max_staff and they add up to {int(idx.max_staff.sum())}, "
                f"fewer than the {n_e} employees",
                numbers=(("sum_max_staff", int(idx.max_staff.sum())), ("employees", n_e)),
            )
        )
    budget = problem.policy.max_moves
    if budget is not None:
        over = {
            u: int(head[u] - idx.max_staff[u])
            for u in range(n_u)
            if idx.max_staff[u] >= 0 and head[u] > idx.max_staff[u]
        }
        under = {
            u: int(idx.min_staff[u] - head[u])
            for u in range(n_u)
            if idx.min_staff[u] >= 0 and head[u] < idx.min_staff[u]
        }
        need = max(sum(over.values()), sum(under.values()))
        if need > budget:
            parts = [f"{_label(problem, u)} is {k} over max_staff" for u, k in over.items()]
            parts += [f"{_label(problem, u)} is {k} under min_staff" for u, k in under.items()]
            out.append(
                Conflict(
                    "move_budget",
                    f"bringing every unit within its headcount bounds needs at least {need} "
                    f"moves ({'; '.join(parts)}) but max_moves is {budget}",
                    tuple(idx.unit_ids[u] for u in [*over, *under]),
                    (("moves_needed", need), ("max_moves", budget)),
                )
            )
    out += _pair_checks(problem)
    rotate = int(metrics.must_rotate(problem).sum())
    budget = problem.policy.max_moves
    if budget is not None and rotate > budget:
        out.append(
            Conflict(
                "rotation_budget",
                f"{rotate} employees overdue for rotation must move (rotation_required: more "
                f"than {problem.policy.overdue_months} months in their unit) but max_moves is "
                f"{budget}; raise max_moves or switch rotation_required off",
                (),
                (("must_rotate", rotate), ("max_moves", budget)),
            )
        )
    return out


def _pair_words(problem: Problem, k: int) -> str:
    """A pair in words: its kind, its two employees and where they work."""
    pair = problem.pairs[k]
    idx = problem.index
    a, b = (problem.employees[idx.nip_pos[str(n)]] for n in (pair.nip_a, pair.nip_b))
    what = "relatives kept apart" if pair.kind == "separate" else "a couple kept together"
    return (
        f"{a.nip} (in {a.unit}) and {b.nip} (in {b.unit}), {what} "
        f"(pairs.csv row {k + 2}, kind {pair.kind})"
    )


def _pair_checks(problem: Problem) -> list[Conflict]:
    """Pairs whose rule no plan can meet: relatives who may both only stay in one
    unit, a couple whose allowed units share no unit or area."""
    idx = problem.index
    areas = [f"area:{u.area}" if u.area else f"unit:{u.unit}" for u in problem.units]
    out: list[Conflict] = []
    for k, pair in enumerate(problem.pairs):
        ea, eb = (idx.nip_pos[str(n)] for n in (pair.nip_a, pair.nip_b))
        ua = set(metrics.allowed_units(problem, ea).tolist())
        ub = set(metrics.allowed_units(problem, eb).tolist())
        if pair.kind == "separate" and len(ua) == 1 and ua == ub:
            why = (
                "neither may be moved (locked, PPPK, tenure, inactive or retiring) and "
                "both are in the same unit"
            )
        elif pair.kind == "together" and not {areas[u] for u in ua} & {areas[u] for u in ub}:
            why = "the units each may be assigned to share no unit and no area"
        else:
            continue
        out.append(
            Conflict(
                "pair_impossible",
                f"{_pair_words(problem, k)}: {why}; unlock one of them (or correct pairs.csv)",
                tuple(sorted({idx.unit_ids[int(idx.home[ea])], idx.unit_ids[int(idx.home[eb])]})),
                (("pair", k + 2),),
            )
        )
    return out


def _fairness_words(problem: Problem, kind: str, u: int) -> str:
    """A fairness rule group (the policy key at unit ``u``) in words."""
    unit = _label(problem, u)
    if kind == "no_justified_envy":
        return (
            f"no_justified_envy at {unit}: nobody is moved there while someone of the same "
            "role with more priority points who listed it (and may be moved) ends "
            "elsewhere or at a unit they ranked lower"
        )
    reqs = [
        f"{q.competency} ≥ {q.min_level} ({q.min_staff} needed)"
        for q in problem.requirements
        if q.unit == problem.units[u].unit
    ]
    rule = f"individual_rationality at {unit}: nobody is moved there who did not list it"
    if not reqs:
        return f"{rule} (it has no requirement an unlisted mover could cover)"
    return (
        f"{rule}, except to cover a requirement ({'; '.join(reqs)}) that would otherwise be short"
    )


#: Work units at most for the conflict search of :func:`diagnose`.
DIAGNOSE_WORK = 20.0
#: Seconds the diagnosis may take at least, even after a solve's time limit.
DIAGNOSE_GRACE_SECONDS = 2.0


def diagnose(problem: Problem, *, seconds: float | None = None) -> list[Conflict]:
    """Why the hard rules cannot all hold (empty when they can).

    The conflict search is limited to :data:`DIAGNOSE_WORK` work units (so
    the same problem always gets the same diagnosis) and, with ``seconds``,
    to that many seconds (at least :data:`DIAGNOSE_GRACE_SECONDS`).
    """
    found = counting_checks(problem)
    if found:
        return found

    limit = None if seconds is None else max(DIAGNOSE_GRACE_SECONDS, seconds)
    core = conflict_core(problem, budget=Budget(limit, DIAGNOSE_WORK))
    if not core:
        return []
    idx = problem.index
    head = metrics.headcount(problem, idx.home)
    parts = []
    units: list[str] = []
    numbers: list[tuple[str, int]] = []
    for g in core:
        if g.kind == "max_moves":
            parts.append(f"at most {g.bound} moves (max_moves)")
            numbers.append(("max_moves", g.bound))
        elif g.kind == "rotation":
            parts.append(
                f"{g.bound} employees overdue for rotation must move (rotation_required, "
                f"more than {problem.policy.overdue_months} months in their unit)"
            )
            numbers.append(("must_rotate", g.bound))
        elif g.kind == "pair":
            assert g.unit is not None
            parts.append(_pair_words(problem, g.unit))
            numbers.append(("pair", g.unit + 2))
        elif g.kind in ("individual_rationality", "no_justified_envy"):
            assert g.unit is not None
            parts.append(_fairness_words(problem, g.kind, g.unit))
            units.append(idx.unit_ids[g.unit])
        else:
            assert g.unit is not None
            sign = "≥" if g.kind == "min_staff" else "≤"
            parts.append(
                f"{_label(problem, g.unit)} {sign} {g.bound} staff ({g.kind}; it has "
                f"{head[g.unit]} now)"
            )
            units.append(idx.unit_ids[g.unit])
            numbers.append((f"{g.kind}:{idx.unit_ids[g.unit]}", g.bound))
    return [
        Conflict(
            "rule_conflict",
            "these rules cannot all hold together: " + "; ".join(parts),
            tuple(units),
            tuple(numbers),
        )
    ]
