"""Secondments for surges as data: the :class:`SurgePlan` (who is lent where
and when, with coverage, donor and stage tables) and its stages.

Computed by :func:`mutasi_opt.planning.surges.plan_surges`; see ``docs/model.md``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from .. import metrics
from ..domain.arrays import IntArray
from ..domain.columns import COVERAGE, DONORS, SECONDMENTS, Table
from ..domain.problem import Problem, Surge
from ..domain.stages import SECONDMENT_STAGES, units_of
from ..domain.values import month_label
from ..metrics import Secondments
from .plan import PlanStatus, StageResult, run_summary
from .views import HtmlView, frame

__all__ = ["SURGE_STAGES", "SurgePlan", "SurgeStage"]

if TYPE_CHECKING:
    import pandas as pd


#: The lexicographic stages of secondment planning, in order.
SURGE_STAGES = tuple(s.name for s in SECONDMENT_STAGES)


@dataclass(frozen=True)
class SurgeStage(StageResult):
    """Value and bound of one secondment stage (a :class:`StageResult` with the
    secondment stages' units; no bound source)."""

    UNITS: ClassVar[Mapping[str, tuple[str, int]]] = units_of(SECONDMENT_STAGES)
    bound_source: str | None = None


@dataclass(frozen=True, eq=False)
class SurgePlan(HtmlView):
    """Secondments for surges, with their proof status and tables."""

    HTML_VIEW: ClassVar[str] = "surge.html"

    problem: Problem
    surges: tuple[Surge, ...]
    base: IntArray  # where everyone works outside their secondment
    status: PlanStatus
    secondment_arrays: Secondments  # employee, surge, first, last (positions, month indices)
    stages: tuple[SurgeStage, ...]
    solve_seconds: float
    seed: int = 0
    workers: int = 1
    time_limit: float | None = None
    work_limit: float | None = None
    #: work units used (see :mod:`mutasi_opt.domain.limits`)
    work_used: float = 0.0
    #: ``"time_limit"`` or ``"work_limit"`` when that limit cut a stage short, else None
    stopped_by: str | None = None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    # ---------------------------------------------------------------- numbers
    @property
    def months(self) -> range:
        """Month indices of the horizon (first surge start to last surge end)."""
        return metrics.surge_horizon(self.surges)

    def stage_values(self) -> tuple[int, ...]:
        """The five stage values recomputed from the secondments by :mod:`metrics`."""
        p, months, sec = self.problem, self.months, self.secondment_arrays
        need = metrics.surge_need_centi(self.surges, months)
        cover = metrics.surge_cover_centi(p, self.surges, months, sec)
        hosts = [p.index.unit_pos[s.unit] for s in self.surges]
        pref = sum(
            metrics.secondment_preference_cost(p, int(e), hosts[int(s)])
            for e, s in zip(sec.employee, sec.surge, strict=True)
        )
        return (
            int(metrics.uncovered_centi(need, cover).sum()),
            int(metrics.secondment_balance_scaled(p, self.base, months, sec).sum()),
            len(sec),
            int((sec.last - sec.first + 1).sum()),
            int(pref),
        )

    # ----------------------------------------------------------------- tables
    def secondment_records(self) -> list[dict[str, Any]]:
        """One record per secondment, with the reason."""
        p, sec = self.problem, self.secondment_arrays
        idx = p.index
        fair = metrics.fair_share_centi(p)
        s0 = metrics.assigned_capacity_centi(p, self.base)
        out = []
        for e, s, a, b in zip(sec.employee, sec.surge, sec.first, sec.last, strict=True):
            emp, surge = p.employees[int(e)], self.surges[int(s)]
            home = int(self.base[int(e)])
            r = int(idx.role[int(e)])
            need = f"{surge.extra_fte:g} FTE"
            if surge.role:
                need += f" of {surge.role}"
            if surge.competency:
                need += f" with {surge.competency} ≥ {surge.min_level}"
            share = s0[home, r] / fair[home, r] if fair[home, r] else float("inf")
            stock = (
                f"{emp.role} at {idx.unit_ids[home]} stand at {share:.0%} of their fair share"
                if np.isfinite(share)
                else f"{idx.unit_ids[home]} has no workload for {emp.role}"
            )
            out.append(
                {
                    "nip": str(emp.nip),
                    "name": emp.name,
                    "home_unit": idx.unit_ids[home],
                    "host_unit": surge.unit,
                    "surge": surge.surge,
                    "start": month_label(int(a)),
                    "end": month_label(int(b)),
                    "reason": f"{surge.surge} at {surge.unit} needs {need}; {stock}",
                }
            )
        return out

    def coverage_records(self) -> list[dict[str, Any]]:
        """Per surge and month of its window: needed, covered and uncovered FTE."""
        months = self.months
        need = metrics.surge_need_centi(self.surges, months)
        cover = metrics.surge_cover_centi(self.problem, self.surges, months, self.secondment_arrays)
        gap = metrics.uncovered_centi(need, cover)
        out = []
        for k, s in enumerate(self.surges):
            for m in s.months:
                j = m - months.start
                out.append(
                    {
                        "surge": s.surge,
                        "month": month_label(m),
                        "needed_fte": need[k, j] / 100,
                        "covered_fte": min(need[k, j], cover[k, j]) / 100,
                        "uncovered_fte": gap[k, j] / 100,
                    }
                )
        return out

    def donor_records(self) -> list[dict[str, Any]]:
        """Per (unit, role, month) that lends: capacity and EJ before and after lending."""
        p, months = self.problem, self.months
        idx = p.index
        lent = metrics.lent_capacity_centi(p, self.base, months, self.secondment_arrays)
        s0 = metrics.assigned_capacity_centi(p, self.base)
        work = metrics.workload_hours(p)
        out = []
        for j, u, r in zip(*np.nonzero(lent), strict=True):
            before, after = s0[u, r] / 100, (s0[u, r] - lent[j, u, r]) / 100
            ej_b = metrics.ej(np.array([work[u, r]]), np.array([before]))[0]
            ej_a = metrics.ej(np.array([work[u, r]]), np.array([after]))[0]
            out.append(
                {
                    "unit": idx.unit_ids[int(u)],
                    "role": idx.roles[int(r)],
                    "month": month_label(months.start + int(j)),
                    "capacity_before": before,
                    "capacity_after": after,
                    "ej_before": metrics.reported_ej(ej_b),
                    "ej_after": metrics.reported_ej(ej_a),
                }
            )
        return out

    @property
    def secondments(self) -> pd.DataFrame:
        """``secondments``: nip, name, home_unit, host_unit, surge, start, end, reason."""
        return self._frame("secondments", self.secondment_records(), SECONDMENTS)

    @property
    def coverage(self) -> pd.DataFrame:
        """``coverage``: surge, month, needed_fte, covered_fte, uncovered_fte."""
        return self._frame("coverage", self.coverage_records(), COVERAGE)

    @property
    def donors(self) -> pd.DataFrame:
        """``donors``: unit, role, month, capacity and EJ before and after lending."""
        return self._frame("donors", self.donor_records(), DONORS)

    def _frame(self, key: str, records: list[dict[str, Any]], columns: Table) -> pd.DataFrame:
        if key not in self._cache:
            self._cache[key] = frame(records, columns)
        table: pd.DataFrame = self._cache[key]
        return table

    def diagnosis(self) -> list[str]:
        """Why each surge month left uncovered is uncovered, in plain words.

        Per surge: the qualified staff, how many of them may be seconded (and
        why the others may not), the most they could give in a month under
        the lending limits, and the uncovered FTE-months.
        """
        p, months = self.problem, self.months
        idx, pol = p.index, p.policy
        need = metrics.surge_need_centi(self.surges, months)
        cover = metrics.surge_cover_centi(p, self.surges, months, self.secondment_arrays)
        gap = metrics.uncovered_centi(need, cover)
        ok = metrics.secondable(p, self.base)
        fte = metrics.fte_centi(p)
        lend_cap = metrics.lending_limit(p, self.base)
        out: list[str] = []
        for k, s in enumerate(self.surges):
            if not gap[k].any():
                continue
            qual = metrics.qualifies_for_surge(p, self.base, s)
            pool = np.flatnonzero(qual)
            free = pool[ok[pool]]
            # the most help in one month: per donor unit, its best helpers up to its limit
            best = 0
            for u in np.unique(self.base[free]):
                mine = np.sort(fte[free[self.base[free] == u]])[::-1]
                best += int(mine[: lend_cap[u]].sum())
            what = f"{s.extra_fte:g} FTE"
            if s.role:
                what += f" of {s.role}"
            if s.competency:
                what += f" with {s.competency} ≥ {s.min_level}"
            reasons = []
            blocked = pool[~ok[pool]]
            if blocked.size:
                kinds = {
                    "locked": int(idx.locked[blocked].sum()),
                    "PPPK": int((idx.pppk[blocked] & ~idx.locked[blocked]).sum())
                    if not pol.allow_pppk_secondment
                    else 0,
                }
                kinds["too short in their unit"] = int(blocked.size) - sum(kinds.values())
                reasons = [f"{n} {why}" for why, n in kinds.items() if n]
            short_months = [month_label(months.start + int(j)) for j in np.flatnonzero(gap[k])]
            held = f"{len(pool)} staff qualify"
            if reasons:
                held += f", {len(free)} of them may be seconded ({', '.join(reasons)})"
            text = (
                f"surge {s.surge} needs {what} at {s.unit} in {s.start}..{s.end}; {held}; "
                f"under max_lent_fraction = {pol.max_lent_fraction:g} they can give at most "
                f"{best / 100:g} FTE in a month"
            )
            if best >= int(need[k].max()):
                text += (
                    " (enough for one month, but not for every month within "
                    f"max_secondment_months = {pol.max_secondment_months} and the other surges)"
                )
            text += f"; {gap[k].sum() / 100:g} FTE-months uncovered ({', '.join(short_months)})"
            out.append(text)
        return out

    def __str__(self) -> str:
        values = dict(zip(SURGE_STAGES, self.stage_values(), strict=True))
        lines = [
            f"Secondment plan: {self.status.value} "
            f"({len(self.surges)} surges, {month_label(self.months.start)}.."
            f"{month_label(self.months.stop - 1)})",
            f"  uncovered: {values['uncovered'] / 100:g} FTE-months; "
            f"people seconded: {values['people']}; secondment months: {values['months']}; "
            f"preference cost: {values['preference']}",
        ]
        for st in self.stages:
            lines.append(
                f"  stage {st.name:<10} {st.value_display:>14,.2f} {st.unit:<10} bound "
                f"{st.bound_display:>14,.2f}  gap {100 * st.gap:5.2f}%  ({st.status})"
            )
        cov = self.coverage_records()
        for s in self.surges:
            rows = [r for r in cov if r["surge"] == s.surge]
            need = sum(r["needed_fte"] for r in rows)
            got = sum(r["covered_fte"] for r in rows)
            lines.append(
                f"  {s.surge} at {s.unit}: {got:g} of {need:g} FTE-months covered "
                f"({s.start}..{s.end})"
            )
        donors = self.donor_records()
        if donors:
            worst = sorted(donors, key=lambda r: -(r["ej_after"] or 0))[:5]
            lines.append("  donors with the highest EJ while lending:")
            for r in worst:
                lines.append(
                    f"    {r['unit']} {r['role']} {r['month']}: EJ {r['ej_before']} → "
                    f"{r['ej_after']}"
                )
        for text in self.diagnosis():
            lines.append(f"  ! {text}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"SurgePlan(status={self.status.value}, surges={len(self.surges)}, "
            f"secondments={len(self.secondment_arrays)})"
        )

    def summary(self) -> dict[str, Any]:
        """The ``summary.json`` content."""
        values = dict(zip(SURGE_STAGES, self.stage_values(), strict=True))
        return {
            "status": self.status.value,
            "uncovered_fte_months": values["uncovered"] / 100,
            "balance_cost_monthly_hours": values["balance"] / SurgeStage.UNITS["balance"][1],
            "people_seconded": values["people"],
            "secondment_months": values["months"],
            "preference_cost": values["preference"],
            **run_summary(self),
            "stages": [s.to_dict() for s in self.stages],
            "diagnosis": self.diagnosis(),
        }
