"""``plan_surges(problem, surges) -> SurgePlan``: temporary secondments for surges.

Permanent mutasi fixes structural imbalance; a surge (a vaccination campaign)
needs staff lent for a few months who then go home.  The plan covers the
surges first, then hurts the donor units as little as possible (lending from
surplus first), then disrupts as few people for as short as possible, then
respects preferences — see ``docs/model.md``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from . import metrics
from .domain.limits import Budget, check_limits
from .domain.problem import Problem, Surge
from .domain.values import month_label
from .metrics import Secondments
from .results.plan import Plan, PlanStatus

if TYPE_CHECKING:
    import pandas as pd

IntArray = npt.NDArray[np.int64]

__all__ = ["SURGE_STAGES", "SurgePlan", "SurgeStage", "plan_surges", "write_surge_plan"]

#: The lexicographic stages of secondment planning, in order.
SURGE_STAGES = ("uncovered", "balance", "people", "months", "preference")

#: display unit and divisor of each stage's exact integer
_UNITS = {
    "uncovered": ("FTE-months", 100),
    # Σ_m B × 10,000 on yearly-rate capacities → hours of monthly capacity
    "balance": ("hours", 120_000),
    "people": ("people", 1),
    "months": ("months", 1),
    "preference": ("points", 1),
}
#: share of the budget left (work under a work limit, else seconds) for each stage
_STAGE_SHARE = {"uncovered": 0.25, "balance": 0.45, "people": 0.4, "months": 0.5, "preference": 1.0}
#: share of a limited call's budget for the greedy first plan
_GREEDY_SHARE = 0.3
_AUXILIARY = ("uncovered", "balance")


@dataclass(frozen=True)
class SurgeStage:
    """Value and bound of one secondment stage (exact integers; see ``value_display``)."""

    name: str
    status: str
    value: int
    bound: int
    seconds: float

    @property
    def gap(self) -> float:
        """Relative gap ``(value − bound) / value`` (0 when proven)."""
        return 0.0 if self.value == self.bound else (self.value - self.bound) / max(self.value, 1)

    @property
    def value_display(self) -> float:
        """Value in :attr:`unit`."""
        return self.value / _UNITS[self.name][1]

    @property
    def bound_display(self) -> float:
        """Bound in :attr:`unit`."""
        return self.bound / _UNITS[self.name][1]

    @property
    def unit(self) -> str:
        """Display unit."""
        return _UNITS[self.name][0]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form."""
        return {
            "stage": self.name,
            "status": self.status,
            "value": self.value_display,
            "bound": self.bound_display,
            "gap": self.gap,
            "unit": self.unit,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True, eq=False)
class SurgePlan:
    """Secondments for surges, with their proof status and tables."""

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
                    "ej_before": None if np.isnan(ej_b) else round(float(ej_b), 4),
                    "ej_after": None if np.isnan(ej_a) else round(float(ej_a), 4),
                }
            )
        return out

    @property
    def secondments(self) -> pd.DataFrame:
        """``secondments``: nip, name, home_unit, host_unit, surge, start, end, reason."""
        return self._frame("secondments", self.secondment_records(), _SECONDMENT_COLUMNS)

    @property
    def coverage(self) -> pd.DataFrame:
        """``coverage``: surge, month, needed_fte, covered_fte, uncovered_fte."""
        return self._frame("coverage", self.coverage_records(), _COVERAGE_COLUMNS)

    @property
    def donors(self) -> pd.DataFrame:
        """``donors``: unit, role, month, capacity and EJ before and after lending."""
        return self._frame("donors", self.donor_records(), _DONOR_COLUMNS)

    def _frame(
        self, key: str, records: list[dict[str, Any]], columns: Sequence[str]
    ) -> pd.DataFrame:
        if key not in self._cache:
            from .io.records import records_frame

            self._cache[key] = records_frame(records, columns)
        frame: pd.DataFrame = self._cache[key]
        return frame

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

    def _repr_html_(self) -> str:
        from .html import surge_html

        return surge_html(self)

    def summary(self) -> dict[str, Any]:
        """The ``summary.json`` content."""
        values = dict(zip(SURGE_STAGES, self.stage_values(), strict=True))
        return {
            "status": self.status.value,
            "uncovered_fte_months": values["uncovered"] / 100,
            "balance_cost_monthly_hours": values["balance"] / 120_000,
            "people_seconded": values["people"],
            "secondment_months": values["months"],
            "preference_cost": values["preference"],
            "solve_seconds": round(self.solve_seconds, 3),
            "time_limit": self.time_limit,
            "work_limit": self.work_limit,
            "work_used": round(self.work_used, 6),
            "stopped_by": self.stopped_by,
            "stages": [s.to_dict() for s in self.stages],
            "diagnosis": self.diagnosis(),
            "seed": self.seed,
            "workers": self.workers,
        }


_SECONDMENT_COLUMNS = (
    "nip",
    "name",
    "home_unit",
    "host_unit",
    "surge",
    "start",
    "end",
    "reason",
)
_COVERAGE_COLUMNS = ("surge", "month", "needed_fte", "covered_fte", "uncovered_fte")
_DONOR_COLUMNS = (
    "unit",
    "role",
    "month",
    "capacity_before",
    "capacity_after",
    "ej_before",
    "ej_after",
)


def plan_surges(
    problem: Problem,
    surges: Sequence[Surge],
    base: Plan | Any = None,
    *,
    time_limit: float | None = None,
    work_limit: float | None = None,
    seed: int = 0,
    workers: int | None = None,
) -> SurgePlan:
    """Plan secondments for ``surges`` on the current state or on top of ``base``.

    Parameters
    ----------
    problem
        The validated problem (staff, units, demand, policy).
    surges
        The surges (see :func:`mutasi_opt.io.surges.read_surges`).
    base
        A permanent plan (or an assignment, as :func:`metrics.as_assignment`
        accepts) giving where everyone works outside their secondment
        (employees it moves have 0 months in their new unit); default the
        current state.
    time_limit, work_limit, seed, workers
        As for :func:`mutasi_opt.solve`.  Nobody seconded always meets the
        rules, so there is always a plan: at the least the greedy one.
    """
    from .solve import _default_workers
    from .solvers.cpsat import StageStatus
    from .solvers.cpsat.surge import SurgeModel

    check_limits(time_limit, work_limit)
    budget = Budget(time_limit, work_limit)
    t0 = time.perf_counter()
    if isinstance(base, Plan):
        if base.problem is not problem and base.problem != problem:
            raise ValueError("base is a plan for a different problem")
        if base.assignment_array is None:
            raise ValueError(f"base plan has no assignment (status {base.status.value})")
        where = base.assignment_array
    elif base is not None:
        where = metrics.as_assignment(problem, base)
    else:
        where = problem.index.home
    n_workers = workers if workers is not None else _default_workers()
    surges = tuple(surges)
    model = SurgeModel(problem, surges, where)
    # a first plan: surplus units lend first
    first = model.greedy_counts(budget.share(_GREEDY_SHARE) if budget.limited else None)
    first_ok = model.complete(first, budget)
    stages: list[SurgeStage] = []
    counts: IntArray | None = first if first_ok else None
    status = PlanStatus.OPTIMAL
    for name in SURGE_STAGES:
        gap = problem.policy.balance_gap if name == "balance" else 0.0
        out = model.solve_stage(
            name,
            budget=budget.share(_STAGE_SHARE[name]),
            seed=seed,
            workers=n_workers,
            relative_gap=gap,
        )
        if out.status in (StageStatus.INFEASIBLE, StageStatus.UNKNOWN) or out.value is None:
            # no plan of the search's own and no complete hint (nobody seconded
            # always meets the rules: only a limit gets here)
            status = PlanStatus.FEASIBLE
            break
        assert out.decisions is not None and out.bound is not None
        counts = out.decisions["x"]
        value, bound = out.value, out.bound
        if name in _AUXILIARY and out.status is not StageStatus.OPTIMAL:
            # unproven: auxiliary variables may be loose; hold the true value
            draft = SurgePlan(problem, surges, where, status, model.secondments(counts), (), 0.0)
            value = min(value, draft.stage_values()[SURGE_STAGES.index(name)])
            bound = min(bound, value)
        stage_status = "optimal" if value == bound else "feasible"
        if name == "balance" and stage_status == "feasible" and out.status is StageStatus.OPTIMAL:
            stage_status = "within_gap"
        stages.append(SurgeStage(name, stage_status, value, bound, out.seconds))
        if stage_status == "feasible":
            status = PlanStatus.FEASIBLE
        model.hold(name, value)
    secondments = model.secondments(counts) if counts is not None else Secondments.empty()
    plan = SurgePlan(
        problem,
        surges,
        where,
        status,
        secondments,
        tuple(stages),
        time.perf_counter() - t0,
        seed=seed,
        workers=n_workers,
        time_limit=budget.time_limit,
        work_limit=budget.work_limit,
        work_used=budget.used,
        stopped_by=None if budget.stopped_by is None else budget.stopped_by.value,
    )
    true = plan.stage_values()
    if len(stages) < len(SURGE_STAGES):
        # stages that did not run: the kept plan's true value, the trivial bound 0
        stages += [
            SurgeStage(n, "unknown", true[i], 0, 0.0)
            for i, n in enumerate(SURGE_STAGES)
            if i >= len(stages)
        ]
        plan = replace(plan, stages=tuple(stages), status=PlanStatus.FEASIBLE)
    if tuple(s.value for s in plan.stages) != true:
        # values and secondments disagree only if a stage was cut short: report the truth
        fixed = tuple(
            replace(s, value=true[i], bound=min(s.bound, true[i]))
            for i, s in enumerate(plan.stages)
        )
        plan = replace(plan, stages=fixed, status=PlanStatus.FEASIBLE)
    return plan


def write_surge_plan(plan: SurgePlan, out_dir: str | Path) -> Path:
    """Write ``secondments.csv``, ``coverage.csv``, ``donors.csv`` and ``summary.json``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    plan.secondments.to_csv(out / "secondments.csv", index=False)
    plan.coverage.to_csv(out / "coverage.csv", index=False)
    plan.donors.to_csv(out / "donors.csv", index=False)
    with open(out / "summary.json", "w", encoding="utf-8") as fh:
        json.dump(plan.summary(), fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    return out
