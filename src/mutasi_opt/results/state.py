"""The current-state report (:class:`StateReport`): totals, D and B, EJ and
band per unit and role, the most over- and under-loaded units, competency
shortfalls and who may be moved — as plain Python values (lists of dicts
for the tables), to print, dump as JSON or turn into DataFrames.

Computed by :func:`mutasi_opt.planning.state.current_state` from
:mod:`mutasi_opt.metrics`.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from .. import metrics
from ..text.tables import format_table
from .views import HtmlView

Row = dict[str, Any]

__all__ = ["IMMOVABLE_REASONS", "StateReport", "ej_value"]

#: Why an employee may not be moved, in the order :func:`metrics.immovable_reason` checks.
IMMOVABLE_REASONS = ("locked", "pppk", "tenure", "inactive", "retiring")


def ej_value(x: float) -> float | None:
    """EJ rounded for display/JSON; ``None`` when not finite (no staff, or nothing at all)."""
    return metrics.reported_ej(x, infinite=False)


@dataclass(frozen=True)
class StateReport(HtmlView):
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
        Employees not movable, per reason (locked, pppk, tenure, inactive, retiring).
    n_overdue
        Employees longer than ``policy.overdue_months`` in their unit.
    policy
        The policy (JSON-able dict).
    """

    HTML_VIEW: ClassVar[str] = "state.html"

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
    #: staff retiring within the horizon (``policy.plan_date`` + ``horizon_months``),
    #: those of them not moved (``no_move_before_retirement_months``), inactive staff
    n_retiring: int = 0
    n_retiring_stay: int = 0
    n_inactive: int = 0
    #: per unit losing staff to retirement: unit, unit_name, retiring, capacity_hours,
    #: capacity_lost_hours, first_retirement (ISO date); most hours lost first
    retirements: tuple[Row, ...] = ()
    #: inactive staff: nip, unit, inactive (the status), capacity counted or not
    inactive: tuple[Row, ...] = ()
    #: pairs (``pairs.csv``): how many of each kind, and how many the current
    #: staffing breaks (a plan must mend them)
    pairs: Mapping[str, int] | None = None
    #: staff retiring within the horizon, first to retire first: nip, name, unit, role,
    #: retirement_age, pension_date (ISO), moves (whether the rules let them move)
    retiring_staff: tuple[Row, ...] = ()
    #: with ``rotation_required``: overdue staff who must move, and those exempt per
    #: reason (locked, pppk, inactive, retiring, no_target)
    n_must_rotate: int = 0
    rotation_exempt: Mapping[str, int] | None = None

    @property
    def movable_share(self) -> float:
        """Share of employees that may be moved (0-1)."""
        return self.n_movable / self.n_employees if self.n_employees else 0.0

    def __repr__(self) -> str:
        return (
            f"StateReport(employees={self.n_employees}, units={self.n_units}, "
            f"imbalance_hours={self.imbalance_hours:.1f}, shortfall={self.shortfall})"
        )

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
                "must_rotate": self.n_must_rotate,
                "rotation_exempt": dict(self.rotation_exempt or {}),
            },
            "retirements": {
                "plan_date": self.policy.get("plan_date"),
                "horizon_months": self.policy.get("horizon_months"),
                "retiring": self.n_retiring,
                "not_moved": self.n_retiring_stay,
                "capacity_lost_hours": sum(r["capacity_lost_hours"] for r in self.retirements),
                "units": [dict(r) for r in self.retirements],
                "staff": [dict(r) for r in self.retiring_staff],
            },
            "blackout": {
                "start": self.policy.get("blackout_start"),
                "end": self.policy.get("blackout_end"),
                "plan_date_inside": self._in_blackout(),
            },
            "inactive": {"count": self.n_inactive, "employees": [dict(r) for r in self.inactive]},
            "pairs": dict(self.pairs or {"together": 0, "separate": 0, "broken": 0}),
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
        """Deprecated: the text report, as :meth:`text` (``str(state)``) gives it.

        On every other result ``summary()`` is the JSON-able dict; here that is
        :meth:`to_dict`.
        """
        warnings.warn(
            "StateReport.summary() is the text report: use str(state) or state.text(top) "
            "(state.to_dict() for the JSON-able form)",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.text(top)

    def __str__(self) -> str:
        return self.text()

    def text(self, top: int | None = None) -> str:
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
            f"{not_mov.get('tenure', 0):,}"
            + "".join(
                f", {what} {not_mov[k]:,}"
                for k, what in (("inactive", "inactive"), ("retiring", "about to retire"))
                if not_mov.get(k)
            ),
            f"Overdue for rotation (> {self.policy.get('overdue_months')} months in unit): "
            f"{self.n_overdue:,}"
            + (
                f"; rotation_required: {self.n_must_rotate:,} must move, exempt "
                + (
                    ", ".join(f"{k} {v:,}" for k, v in self.rotation_exempt.items())
                    if self.rotation_exempt
                    else "none"
                )
                if self.policy.get("rotation_required")
                else ""
            ),
            "Policy: max_moves "
            + ("unlimited" if max_moves is None else f"{max_moves:,}")
            + (", PPPK may move" if self.policy.get("allow_pppk_moves") else ", PPPK stay"),
            "EJ bands of (unit, role) pairs: "
            + "  ".join(f"{b} {self.band_counts.get(b, 0)}" for b in metrics.BANDS),
            *self._calendar_lines(),
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

    def _in_blackout(self) -> bool:
        pol = self.policy
        start, end, day = pol.get("blackout_start"), pol.get("blackout_end"), pol.get("plan_date")
        return None not in (start, end, day) and str(start) <= str(day) <= str(end)

    def _calendar_lines(self) -> list[str]:
        """Retirements within the horizon, inactive staff, pairs, the blackout period."""
        pol = self.policy
        lines: list[str] = []
        if pol.get("blackout_start") is not None:
            inside = (
                "plan_date is inside it: no mutasi may be decreed (solve refuses)"
                if self._in_blackout()
                else "plan_date is outside it"
            )
            lines.append(
                f"Blackout period {pol.get('blackout_start')} to {pol.get('blackout_end')}: "
                f"{inside}"
            )
        elif pol.get("plan_date") is not None:
            lines.append(
                "Blackout period: none set (blackout_start, blackout_end: e.g. from six months "
                "before a regional election's candidate confirmation, UU 10/2016 Pasal 71)"
            )
        if self.pairs:
            lines.append(
                f"Pairs: {self.pairs['together']:,} couples kept together, "
                f"{self.pairs['separate']:,} relatives kept apart; broken now: "
                f"{self.pairs['broken']:,}"
            )
        if self.n_inactive:
            counted = "counted" if pol.get("inactive_capacity") else "not counted"
            lines.append(
                f"Inactive (tugas belajar, CLTN, ...): {self.n_inactive:,}, not moved, their "
                f"capacity {counted} (inactive_capacity)"
            )
        if pol.get("plan_date") is None:
            lines.append("Retirements: not computed (set plan_date in the policy)")
            return lines
        lost = sum(r["capacity_lost_hours"] for r in self.retirements)
        how = (
            "taken out of capacity"
            if pol.get("retiring_capacity") == "leave"
            else "still counted (retiring_capacity = keep)"
        )
        lines.append(
            f"Retiring by {pol.get('horizon_months')} months after {pol.get('plan_date')} "
            f"(BUP): {self.n_retiring:,}, {lost:,} h of capacity a year, {how}; "
            f"not moved: {self.n_retiring_stay:,} "
            + (
                "(retiring within the horizon)"
                if pol.get("retiring_capacity") == "leave"
                else f"(within {pol.get('no_move_before_retirement_months')} months of retirement)"
            )
        )
        if self.retirements:
            lines += ["", "Capacity lost to retirements within the horizon, per unit"]
            lines += format_table(
                self.retirements[:10],
                (
                    ("unit", "unit", "<"),
                    ("unit_name", "name", "<"),
                    ("retiring", "retiring", ">"),
                    ("capacity_lost_hours", "lost h", ">"),
                    ("capacity_hours", "capacity h", ">"),
                    ("first_retirement", "first", "<"),
                ),
            )
            if len(self.retirements) > 10:
                lines.append(f"  ... and {len(self.retirements) - 10} more units")
        return lines

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
