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
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import metrics
from .domain.problem import Problem
from .text.tables import format_table

__all__ = ["IMMOVABLE_REASONS", "StateReport", "current_state", "format_table"]

log = logging.getLogger(__name__)

#: Why an employee may not be moved, in the order :func:`metrics.immovable_reason` checks.
IMMOVABLE_REASONS = ("locked", "pppk", "tenure")

Row = dict[str, Any]


def _ej_value(x: float) -> float | None:
    """EJ rounded for display/JSON; ``None`` when not finite (no staff, or nothing at all)."""
    return round(float(x), 4) if math.isfinite(x) else None


@dataclass(frozen=True)
class StateReport:
    """The current state of a problem (see :func:`current_state`).

    Hours are floats for display; ``imbalance_centi`` and
    ``balance_cost_scaled`` are the exact integers of :mod:`mutasi_opt.metrics`.
    In the tables, ``ej`` is ``None`` where it is not finite: ``band`` ``"A"``
    with ``capacity_hours`` 0 means work but no staff.

    Attributes
    ----------
    n_employees, n_pns, n_pppk, n_units, n_roles
        Counts.
    effective_hours
        Effective working hours per FTE-year used for capacities.
    capacity_hours, capacity_fte
        Total staff capacity (Σ c_e) and total FTE (Σ fte).
    workload_hours, workload_fte
        Total ABK workload (Σ W) and the same in FTE (÷ effective hours).
    imbalance_centi, imbalance_hours, imbalance_fte
        ``Σ d`` in centi-hours, and ``D = ½ Σ d`` in hours and in FTE.
    balance_cost_scaled, balance_cost
        ``B`` × 10,000 (exact) and in hours.
    shortfall, n_requirements
        Total requirement shortfall, and the number of requirements.
    unit_roles
        One row per (unit, role) pair with demand or staff: unit, unit_name,
        role, headcount, workload_hours, capacity_hours, fair_share_hours,
        deviation_hours, ej, band.
    units
        One row per unit: unit, unit_name, headcount, workload_hours,
        capacity_hours, fair_share_hours, ej, band.
    overloaded, underloaded
        The ``top`` units with the highest EJ above 1 (no staff first) and
        the lowest EJ below 1.
    shortfalls
        Requirements not met now: unit, unit_name, competency, min_level,
        needed, have, short.
    band_counts
        Number of (unit, role) pairs per EJ band.
    n_movable
        Employees the rules allow to move.
    immovable
        Employees not movable, per reason (locked, pppk, tenure).
    n_overdue
        Employees longer than ``policy.overdue_months`` in their unit.
    policy
        The policy (JSON-able dict).
    """

    n_employees: int
    n_pns: int
    n_pppk: int
    n_units: int
    n_roles: int
    effective_hours: float
    capacity_hours: int
    capacity_fte: float
    workload_hours: int
    workload_fte: float
    imbalance_centi: int
    imbalance_hours: float
    imbalance_fte: float
    balance_cost_scaled: int
    balance_cost: float
    shortfall: int
    n_requirements: int
    unit_roles: tuple[Row, ...]
    units: tuple[Row, ...]
    overloaded: tuple[Row, ...]
    underloaded: tuple[Row, ...]
    shortfalls: tuple[Row, ...]
    band_counts: Mapping[str, int]
    n_movable: int
    immovable: Mapping[str, int]
    n_overdue: int
    policy: Mapping[str, Any]

    @property
    def movable_share(self) -> float:
        """Share of employees that may be moved (0-1)."""
        return self.n_movable / self.n_employees if self.n_employees else 0.0

    def __repr__(self) -> str:
        return (
            f"StateReport(employees={self.n_employees}, units={self.n_units}, "
            f"imbalance_hours={self.imbalance_hours:.1f}, shortfall={self.shortfall})"
        )

    def _repr_html_(self) -> str:
        from .html import state_html

        return state_html(self)

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-able data (``"status": "valid"`` first).

        Non-finite EJ values are ``None``; every float is finite, so
        ``json.dumps(..., allow_nan=False)`` works.
        """
        return {
            "status": "valid",
            "totals": {
                "employees": self.n_employees,
                "pns": self.n_pns,
                "pppk": self.n_pppk,
                "units": self.n_units,
                "roles": self.n_roles,
                "effective_hours": self.effective_hours,
                "capacity_hours": self.capacity_hours,
                "capacity_fte": self.capacity_fte,
                "workload_hours": self.workload_hours,
                "workload_fte": self.workload_fte,
            },
            "imbalance_hours": self.imbalance_hours,
            "imbalance_fte": self.imbalance_fte,
            "balance_cost": self.balance_cost,
            "shortfall": self.shortfall,
            "requirements": self.n_requirements,
            "movable": {
                "movable": self.n_movable,
                "movable_share": round(self.movable_share, 4),
                "not_movable": dict(self.immovable),
                "overdue": self.n_overdue,
            },
            "band_counts": dict(self.band_counts),
            "overloaded": [dict(r) for r in self.overloaded],
            "underloaded": [dict(r) for r in self.underloaded],
            "shortfalls": [dict(r) for r in self.shortfalls],
            "units": [dict(r) for r in self.units],
            "unit_roles": [dict(r) for r in self.unit_roles],
            "policy": dict(self.policy),
        }

    # ------------------------------------------------------------- text
    def summary(self, top: int | None = None) -> str:
        """Plain-text report for an analyst: totals, D and B, tables.

        Parameters
        ----------
        top
            Rows shown per table (default: all rows the report holds).
        """
        eff = self.effective_hours
        not_mov = self.immovable
        max_moves = self.policy.get("max_moves")
        lines = [
            f"{self.n_employees:,} employees ({self.n_pns:,} PNS, {self.n_pppk:,} PPPK) in "
            f"{self.n_units:,} units, {self.n_roles:,} roles (jabatan).",
            f"Capacity  {self.capacity_hours:>12,} h = {self.capacity_fte:,.1f} FTE "
            f"at {eff:,g} h per FTE-year",
            f"Workload  {self.workload_hours:>12,} h = {self.workload_fte:,.1f} FTE (ABK)",
            f"Imbalance D = {self.imbalance_hours:,.2f} h = {self.imbalance_fte:,.1f} FTE "
            "of capacity in the wrong place (0 = equal EJ across units within each role)",
            f"Balance cost B = {self.balance_cost:,.2f} (weights the worst-off units most)",
            f"Competency shortfall: {self.shortfall} staff over {len(self.shortfalls)} of "
            f"{self.n_requirements} requirements",
            f"Movable: {self.n_movable:,} of {self.n_employees:,} "
            f"({100 * self.movable_share:.1f}%); "
            f"not movable: locked {not_mov.get('locked', 0):,}, PPPK {not_mov.get('pppk', 0):,}, "
            f"under {self.policy.get('min_months_in_unit')} months in unit "
            f"{not_mov.get('tenure', 0):,}",
            f"Overdue for rotation (> {self.policy.get('overdue_months')} months in unit): "
            f"{self.n_overdue:,}",
            "Policy: max_moves "
            + ("unlimited" if max_moves is None else f"{max_moves:,}")
            + (", PPPK may move" if self.policy.get("allow_pppk_moves") else ", PPPK stay"),
            "EJ bands of (unit, role) pairs: "
            + "  ".join(f"{b} {self.band_counts.get(b, 0)}" for b in metrics.BANDS),
        ]
        unit_cols = (
            ("unit", "unit", "<"),
            ("unit_name", "name", "<"),
            ("headcount", "staff", ">"),
            ("workload_hours", "ABK h", ">"),
            ("capacity_hours", "capacity h", ">"),
            ("ej", "EJ", ">"),
            ("band", "band", "<"),
        )
        for title, rows in (
            ("Most overloaded units (EJ > 1)", self.overloaded),
            ("Most under-loaded units (EJ < 1)", self.underloaded),
        ):
            lines += ["", title]
            lines += format_table(rows[:top], unit_cols) if rows else ["  (none)"]
        lines += ["", "Competency shortfalls"]
        if self.shortfalls:
            lines += format_table(
                self.shortfalls[:top],
                (
                    ("unit", "unit", "<"),
                    ("competency", "competency", "<"),
                    ("min_level", "min level", ">"),
                    ("needed", "needed", ">"),
                    ("have", "have", ">"),
                    ("short", "short", ">"),
                ),
            )
            if top is not None and len(self.shortfalls) > top:
                lines.append(f"  ... and {len(self.shortfalls) - top} more")
        else:
            lines.append("  (none)")
        return "\n".join(lines)

    def unit_roles_text(self) -> str:
        """The full per-(unit, role) table as aligned text."""
        return "\n".join(
            format_table(
                self.unit_roles,
                (
                    ("unit", "unit", "<"),
                    ("role", "role", "<"),
                    ("headcount", "staff", ">"),
                    ("workload_hours", "ABK h", ">"),
                    ("capacity_hours", "capacity h", ">"),
                    ("fair_share_hours", "fair share h", ">"),
                    ("ej", "EJ", ">"),
                    ("band", "band", "<"),
                ),
            )
        )


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
            "ej": _ej_value(e),
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
            "ej": _ej_value(e),
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
    n_overdue = int((idx.months > pol.overdue_months).sum())

    n_pppk = int(idx.pppk.sum())
    report = StateReport(
        n_employees=idx.n_employees,
        n_pns=idx.n_employees - n_pppk,
        n_pppk=n_pppk,
        n_units=idx.n_units,
        n_roles=idx.n_roles,
        effective_hours=eff,
        capacity_hours=int(cap_e.sum()),
        capacity_fte=round(float(idx.fte.sum()), 2),
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
