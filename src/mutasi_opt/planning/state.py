"""Current-state analysis: how balanced is the staffing before any transfer?

:func:`current_state` summarises a :class:`~mutasi_opt.domain.problem.Problem` as it
stands — totals, the imbalance ``D`` and balance cost ``B``, EJ and band per
unit and role, the most over- and under-loaded units, competency shortfalls
and who may be moved.  Every number comes from :mod:`mutasi_opt.metrics`.

The report holds plain Python values (lists of dicts for the tables), so it
can be printed (:meth:`StateReport.summary`), dumped as JSON
(:meth:`StateReport.to_dict`) or turned into DataFrames by the caller
(``pandas.DataFrame(report.unit_roles)``).
"""

from __future__ import annotations

import logging
from collections import Counter

import numpy as np

from .. import metrics
from ..domain.problem import Problem
from ..results.state import IMMOVABLE_REASONS, Row, StateReport, ej_value
from .rules import round_violations

__all__ = ["current_state"]

log = logging.getLogger(__name__)


def _pair_counts(problem: Problem) -> dict[str, int] | None:
    """Pairs per kind and how many the current staffing breaks (None without pairs)."""
    if not problem.pairs:
        return None
    after = {str(e.nip): e.unit for e in problem.employees}
    broken = sum(1 for v in round_violations(problem, after) if v.kind.startswith("pair_"))
    kinds = Counter(p.kind for p in problem.pairs)
    return {"together": kinds["together"], "separate": kinds["separate"], "broken": broken}


# ------------------------------------------------------------------ analysis
def current_state(problem: Problem, top: int = 10) -> StateReport:
    """Analyse the current staffing of ``problem`` (before any transfer).

    Parameters
    ----------
    problem
        The problem.
    top
        How many units to list as most over- and under-loaded.

    Returns
    -------
    StateReport
        Totals, ``D``, ``B``, per-(unit, role) and per-unit tables, the most
        over- and under-loaded units, shortfalls and movability counts.
    """
    idx = problem.index
    pol = problem.policy
    home = idx.home
    eff = float(pol.effective_hours)
    names = [u.name for u in problem.units]

    m = metrics.evaluate(problem)
    cap_e = metrics.capacity_hours(problem)
    work = metrics.workload_hours(problem)

    # per (unit, role)
    t = metrics.unit_role_table(problem, home)
    unit_roles = tuple(
        {
            "unit": idx.unit_ids[u],
            "unit_name": names[u],
            "role": idx.roles[r],
            "headcount": hc,
            "workload_hours": w,
            "capacity_hours": c,
            "fair_share_hours": f,
            "deviation_hours": d,
            "ej": ej_value(e),
            "band": b,
        }
        for u, r, hc, w, c, f, d, e, b in zip(
            t["unit"].tolist(),
            t["role"].tolist(),
            t["headcount"].tolist(),
            t["workload_hours"].tolist(),
            t["capacity_hours"].tolist(),
            t["fair_share_hours"].tolist(),
            t["deviation_hours"].tolist(),
            t["ej"].tolist(),
            list(t["band"]),
            strict=True,
        )
    )
    band_counts = Counter(str(b) for b in t["band"] if b)

    # per unit
    ut = metrics.unit_table(problem, home)
    units = tuple(
        {
            "unit": idx.unit_ids[u],
            "unit_name": names[u],
            "headcount": hc,
            "workload_hours": w,
            "capacity_hours": c,
            "fair_share_hours": f,
            "ej": ej_value(e),
            "band": b,
        }
        for u, hc, w, c, f, e, b in zip(
            ut["unit"].tolist(),
            ut["headcount"].tolist(),
            ut["workload_hours"].tolist(),
            ut["capacity_hours"].tolist(),
            ut["fair_share_hours"].tolist(),
            ut["ej"].tolist(),
            list(ut["band"]),
            strict=True,
        )
    )
    ej_u = np.asarray(ut["ej"], dtype=np.float64)
    over = np.flatnonzero(ej_u > 1.0)
    over = over[np.lexsort((over, -ej_u[over]))][:top]
    under = np.flatnonzero(ej_u < 1.0)
    under = under[np.lexsort((under, ej_u[under]))][:top]

    # requirements
    have = metrics.qualified_count(problem, home)
    short = metrics.requirement_shortfall(problem, home)
    shortfalls: tuple[Row, ...] = tuple(
        {
            "unit": q.unit,
            "unit_name": problem.unit(q.unit).name,
            "competency": q.competency,
            "min_level": q.min_level,
            "needed": q.min_staff,
            "have": int(h),
            "short": int(s),
        }
        for q, h, s in zip(problem.requirements, have.tolist(), short.tolist(), strict=True)
        if s > 0
    )
    shortfalls = tuple(sorted(shortfalls, key=lambda r: (-r["short"], r["unit"], r["competency"])))

    # movability
    reasons = Counter(metrics.immovable_reason(problem))
    n_movable = int(metrics.movable(problem).sum())
    n_overdue = int(metrics.overdue(problem).sum())

    n_pppk = int(idx.pppk.sum())
    retiring = metrics.retiring(problem)
    lost = metrics.retirement_loss_hours(problem)
    dates = metrics.retirement_dates(problem)
    per_unit = np.bincount(home[retiring], minlength=idx.n_units)
    first: dict[int, str] = {}
    for e in np.flatnonzero(retiring).tolist():
        day = dates[e]
        u = int(home[e])
        if day is not None and (u not in first or day.isoformat() < first[u]):
            first[u] = day.isoformat()
    retirements = tuple(
        {
            "unit": idx.unit_ids[u],
            "unit_name": names[u],
            "retiring": int(per_unit[u]),
            "capacity_hours": int(ut["capacity_hours"][u]),
            "capacity_lost_hours": int(lost[u]),
            "first_retirement": first.get(u, ""),
        }
        for u in sorted(np.flatnonzero(per_unit).tolist(), key=lambda u: (-int(lost[u]), u))
    )
    ages = metrics.retirement_ages(problem)
    mov = metrics.movable(problem)
    staff_rows = sorted(
        (
            {
                "nip": idx.nips[e],
                "name": problem.employees[e].name,
                "unit": problem.employees[e].unit,
                "role": problem.employees[e].role,
                "retirement_age": int(ages[e]),
                "pension_date": "" if dates[e] is None else str(dates[e]),
                "moves": bool(mov[e]),
            }
            for e in np.flatnonzero(retiring).tolist()
        ),
        key=lambda r: (r["pension_date"], r["nip"]),
    )
    off = metrics.inactive(problem)
    inactive_rows = tuple(
        {
            "nip": idx.nips[e],
            "unit": problem.employees[e].unit,
            "inactive": problem.employees[e].inactive,
            "capacity_counted": bool(pol.inactive_capacity),
        }
        for e in np.flatnonzero(off).tolist()
    )
    report = StateReport(
        n_employees=idx.n_employees,
        n_pns=idx.n_employees - n_pppk,
        n_pppk=n_pppk,
        n_units=idx.n_units,
        n_roles=idx.n_roles,
        effective_hours=eff,
        capacity_hours=int(cap_e.sum()),
        # (the FTE whose capacity counts: not inactive staff, nor, with retiring_capacity
        # = leave, staff retiring within the horizon)
        capacity_fte=round(float(idx.fte[~metrics.uncounted(problem)].sum()), 2),
        workload_hours=int(work.sum()),
        workload_fte=round(int(work.sum()) / eff, 2),
        imbalance_centi=m.imbalance_centi,
        imbalance_hours=m.imbalance_hours,
        imbalance_fte=metrics.imbalance_fte(problem, home),
        balance_cost_scaled=m.balance_cost_scaled,
        balance_cost=m.balance_cost,
        shortfall=m.shortfall,
        n_requirements=len(problem.requirements),
        unit_roles=unit_roles,
        units=units,
        overloaded=tuple(units[u] for u in over.tolist()),
        underloaded=tuple(units[u] for u in under.tolist()),
        shortfalls=shortfalls,
        band_counts={b: band_counts.get(b, 0) for b in metrics.BANDS},
        n_movable=n_movable,
        immovable={k: reasons.get(k, 0) for k in IMMOVABLE_REASONS},
        n_overdue=n_overdue,
        policy=pol.model_dump(mode="json"),
        n_retiring=int(retiring.sum()),
        n_retiring_stay=reasons.get("retiring", 0),
        n_inactive=int(off.sum()),
        retirements=retirements,
        retiring_staff=tuple(staff_rows),
        inactive=inactive_rows,
        pairs=_pair_counts(problem),
        n_must_rotate=int(metrics.must_rotate(problem).sum()),
        rotation_exempt=metrics.rotation_exempt(problem) or None,
    )
    log.info(
        "current state: %d employees, %d units, D=%.2f h, B=%.2f, shortfall %d",
        report.n_employees,
        report.n_units,
        report.imbalance_hours,
        report.balance_cost,
        report.shortfall,
    )
    return report
