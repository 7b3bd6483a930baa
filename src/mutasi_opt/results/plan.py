"""The result of :func:`mutasi_opt.solve`: a transfer plan, its proof status and tables."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

import numpy as np

from .. import metrics
from ..domain.arrays import IntArray
from ..domain.columns import ASSIGNMENT, MOVES, TRAINING, TRAINING_TOTALS, UNITS
from ..domain.problem import Problem
from ..domain.stages import PERMANENT_STAGES, Status, plan_status, units_of
from ..text.explain import move_details, plan_text, why_not
from .views import HtmlView, frame

if TYPE_CHECKING:
    import pandas as pd

    from .findings import Conflict


__all__ = ["STAGES", "Plan", "PlanStatus", "StageResult"]

#: The lexicographic stages, in order, without training (``trainable_gap`` = 0);
#: :func:`mutasi_opt.metrics.stage_names` gives those of a policy.
STAGES = metrics.STAGES

#: the status of a plan, in the one status vocabulary (never ``within_gap``)
PlanStatus = Status


class RunRecord(Protocol):
    """How a result was computed: what :func:`run_summary` reads."""

    @property
    def solve_seconds(self) -> float: ...
    @property
    def time_limit(self) -> float | None: ...
    @property
    def work_limit(self) -> float | None: ...
    @property
    def work_used(self) -> float: ...
    @property
    def stopped_by(self) -> str | None: ...
    @property
    def seed(self) -> int: ...
    @property
    def workers(self) -> int: ...


def run_summary(result: RunRecord) -> dict[str, Any]:
    """The ``summary.json`` keys on how a result was computed (the same for every
    result that records a run: plans, secondment plans)."""
    return {
        "solve_seconds": round(result.solve_seconds, 3),
        "time_limit": result.time_limit,
        "work_limit": result.work_limit,
        "work_used": round(result.work_used, 6),
        "stopped_by": result.stopped_by,
        "seed": result.seed,
        "workers": result.workers,
    }


@dataclass(frozen=True)
class StageResult:
    """Value and bound of one stage in exact integer units.

    ``value`` / ``bound`` are in the stage's integer unit (shortfall: staff;
    training: people; imbalance: Σd centi-hours; balance: B × 10,000; moves; preference points);
    :attr:`value_display` converts to the reported unit (hours for D and B).
    The secondment stages (:class:`~mutasi_opt.results.surge.SurgeStage`) are
    the same type with their own :attr:`UNITS` and no ``bound_source``.
    """

    #: per stage: display unit and the divisor from the exact integer to it
    UNITS: ClassVar[Mapping[str, tuple[str, int]]] = units_of(PERMANENT_STAGES)

    name: str
    status: Status
    value: int
    bound: int
    seconds: float
    bound_source: str | None = "cp-sat"

    @property
    def proven(self) -> bool:
        """True when the value is proven optimal."""
        return self.value == self.bound

    @property
    def gap(self) -> float:
        """Relative gap ``(value − bound) / value`` (0 when proven)."""
        if self.value == self.bound:
            return 0.0
        return (self.value - self.bound) / max(abs(self.value), 1)

    @property
    def unit(self) -> str:
        """Display unit."""
        return self.UNITS[self.name][0]

    @property
    def value_display(self) -> float:
        """Value in the display unit."""
        return self.value / self.UNITS[self.name][1]

    @property
    def bound_display(self) -> float:
        """Bound in the display unit."""
        return self.bound / self.UNITS[self.name][1]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (``bound_source`` only when the stage has one)."""
        out: dict[str, Any] = {
            "stage": self.name,
            "status": self.status.value,
            "value": self.value_display,
            "bound": self.bound_display,
            "gap": self.gap,
            "bound_source": self.bound_source,
            "unit": self.unit,
            "seconds": round(self.seconds, 3),
        }
        if self.bound_source is None:
            del out["bound_source"]
        return out


@dataclass(frozen=True, eq=False)
class Plan(HtmlView):
    """A transfer plan with its proof status, metrics and explanations.

    Build it with :func:`mutasi_opt.solve`.  ``assignment_array[e]`` is the
    unit position of employee ``e`` after the plan.  Metrics before and after
    are recomputed by :mod:`mutasi_opt.metrics`, never read off the solver.
    """

    HTML_VIEW: ClassVar[str] = "plan.html"

    problem: Problem
    status: PlanStatus
    assignment_array: IntArray | None
    stages: tuple[StageResult, ...]
    before: metrics.Metrics
    after: metrics.Metrics | None
    solve_seconds: float
    build_seconds: float = 0.0
    seed: int = 0
    workers: int = 1
    time_limit: float | None = None
    diagnosis: tuple[Conflict, ...] = ()
    #: the work limit (work units, see :mod:`mutasi_opt.domain.limits`), or None
    work_limit: float | None = None
    #: work units the solve used (counted, so the same on every machine)
    work_used: float = 0.0
    #: ``"time_limit"`` or ``"work_limit"`` when that limit cut a step short, else None
    stopped_by: str | None = None
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    # ------------------------------------------------------------ builders
    @classmethod
    def from_solution(
        cls,
        problem: Problem,
        assignment: IntArray,
        *,
        stages: tuple[StageResult, ...],
        solve_seconds: float,
        build_seconds: float = 0.0,
        seed: int = 0,
        workers: int = 1,
        time_limit: float | None = None,
        work_limit: float | None = None,
        work_used: float = 0.0,
        stopped_by: str | None = None,
    ) -> Plan:
        """A plan from an assignment and the stage results that produced it."""
        assignment = metrics.as_assignment(problem, assignment).copy()
        assignment.setflags(write=False)
        complete = {s.name for s in stages} == set(metrics.problem_stage_names(problem))
        return cls(
            problem=problem,
            status=plan_status((s.status for s in stages), complete=complete),
            assignment_array=assignment,
            stages=stages,
            before=metrics.evaluate(problem),
            after=metrics.evaluate(problem, assignment),
            solve_seconds=solve_seconds,
            build_seconds=build_seconds,
            seed=seed,
            workers=workers,
            time_limit=time_limit,
            work_limit=work_limit,
            work_used=work_used,
            stopped_by=stopped_by,
        )

    @classmethod
    def without_solution(
        cls,
        problem: Problem,
        status: PlanStatus,
        *,
        diagnosis: tuple[Conflict, ...],
        solve_seconds: float,
        seed: int = 0,
        workers: int = 1,
        time_limit: float | None = None,
        work_limit: float | None = None,
        work_used: float = 0.0,
        stopped_by: str | None = None,
    ) -> Plan:
        """An infeasible or unknown result."""
        return cls(
            problem=problem,
            status=status,
            assignment_array=None,
            stages=(),
            before=metrics.evaluate(problem),
            after=None,
            solve_seconds=solve_seconds,
            seed=seed,
            workers=workers,
            time_limit=time_limit,
            diagnosis=diagnosis,
            work_limit=work_limit,
            work_used=work_used,
            stopped_by=stopped_by,
        )

    # ------------------------------------------------------------ accessors
    @property
    def has_solution(self) -> bool:
        """True when the plan holds an assignment."""
        return self.assignment_array is not None

    def _require(self) -> IntArray:
        if self.assignment_array is None:
            raise ValueError(
                f"the plan is {self.status.value} and holds no assignment"
                + (f": {self.diagnosis[0].message}" if self.diagnosis else "")
            )
        return self.assignment_array

    def stage(self, name: str) -> StageResult | None:
        """The result of stage ``name`` (``None`` if it did not run)."""
        for s in self.stages:
            if s.name == name:
                return s
        return None

    @property
    def moved_positions(self) -> IntArray:
        """Positions of the employees who move."""
        return np.flatnonzero(metrics.moved(self.problem, self._require())).astype(np.int64)

    def unit_after(self, nip: str) -> str:
        """Unit id assigned to employee ``nip``."""
        e = self.problem.index.nip_pos[str(nip)]
        return self.problem.index.unit_ids[int(self._require()[e])]

    # ---------------------------------------------------------------- tables
    def assignment_records(self) -> list[dict[str, Any]]:
        """Rows of ``assignment.csv``: nip, name, role, unit_before, unit_after, moved."""
        a = self._require()
        idx = self.problem.index
        return [
            {
                "nip": str(emp.nip),
                "name": emp.name,
                "role": emp.role,
                "unit_before": emp.unit,
                "unit_after": idx.unit_ids[int(a[e])],
                "moved": bool(a[e] != idx.home[e]),
            }
            for e, emp in enumerate(self.problem.employees)
        ]

    def move_records(self, lang: str = "en") -> list[dict[str, Any]]:
        """Rows of ``moves.csv``: one per moved employee with the reason (``lang``: en, id)."""
        return [move_details(self, int(e), lang=lang) for e in self.moved_positions]

    def unit_records(self) -> list[dict[str, Any]]:
        """Rows of ``units.csv``: per (unit, role) before/after capacity, EJ and band."""
        a = self._require()
        p = self.problem
        idx = p.index
        pairs = metrics.unit_role_pairs(p, idx.home, a)
        before = metrics.unit_role_table(p, idx.home, pairs=pairs)
        after = metrics.unit_role_table(p, a, pairs=pairs)
        return [
            {
                "unit": idx.unit_ids[int(u)],
                "unit_name": p.units[int(u)].name,
                "role": idx.roles[int(r)],
                "workload_hours": int(before["workload_hours"][k]),
                "capacity_before": int(before["capacity_hours"][k]),
                "capacity_after": int(after["capacity_hours"][k]),
                "fair_share_hours": float(before["fair_share_hours"][k]),
                "ej_before": metrics.reported_ej(before["ej"][k]),
                "ej_after": metrics.reported_ej(after["ej"][k]),
                "band_before": before["band"][k],
                "band_after": after["band"][k],
            }
            for k, (u, r) in enumerate(zip(before["unit"], before["role"], strict=True))
        ]

    def training_needs(self) -> metrics.TrainingNeeds:
        """The training rows as arrays (:func:`mutasi_opt.metrics.training_needs`)."""
        a = self._require()
        if "training_needs" not in self._cache:
            self._cache["training_needs"] = metrics.training_needs(self.problem, a)
        needs: metrics.TrainingNeeds = self._cache["training_needs"]
        return needs

    def training_records(self) -> list[dict[str, Any]]:
        """Rows of ``training.csv``: who needs which competency level where, and why."""
        p = self.problem
        idx = p.index
        return [
            {
                "nip": idx.nips[e],
                "name": p.employees[e].name,
                "unit": idx.unit_ids[u],
                "competency": comp,
                "level_now": now,
                "level_needed": need,
                "cause": cause,
            }
            for e, u, _, comp, now, need, cause in self.training_needs().rows()
        ]

    def training_total_records(self) -> list[dict[str, Any]]:
        """Per competency and needed level, the number of people to train."""
        totals = metrics.training_totals(self.training_needs())
        return [
            {"competency": c, "level_needed": lv, "people": n}
            for c, lv, n in zip(
                totals.competency.tolist(),
                totals.level_needed.tolist(),
                totals.people.tolist(),
                strict=True,
            )
        ]

    @property
    def assignment(self) -> pd.DataFrame:
        """``assignment.csv`` as a DataFrame."""
        return frame(self.assignment_records(), ASSIGNMENT)

    @property
    def moves(self) -> pd.DataFrame:
        """``moves.csv`` as a DataFrame (one row per moved employee, with the reason)."""
        return frame(self.move_records(), MOVES)

    @property
    def unit_table(self) -> pd.DataFrame:
        """``units.csv`` as a DataFrame (per unit and role, before and after).

        (``Problem.units`` is the tuple of :class:`~mutasi_opt.domain.problem.Unit`.)
        """
        return frame(self.unit_records(), UNITS)

    @property
    def units(self) -> pd.DataFrame:
        """Deprecated name of :attr:`unit_table` (``units`` is a tuple on ``Problem``)."""
        warnings.warn(
            "Plan.units is now Plan.unit_table (Problem.units is the tuple of units)",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.unit_table

    @property
    def training(self) -> pd.DataFrame:
        """``training.csv`` as a DataFrame: movers below a level their new unit requires
        (cause ``move``) and, with ``trainable_gap`` > 0, the near-qualified staff
        counted toward a requirement (cause ``requirement``)."""
        return frame(self.training_records(), TRAINING)

    @property
    def training_totals(self) -> pd.DataFrame:
        """People to train per competency and needed level (competency, level_needed, people)."""
        return frame(self.training_total_records(), TRAINING_TOTALS)

    # -------------------------------------------------------- explanations
    def why_not(self, nip: str, lang: str = "en") -> str:
        """Why employee ``nip`` stays (or, if moved, why the move); ``lang``: en or id."""
        return why_not(self, str(nip), lang=lang)

    # --------------------------------------------------------------- summary
    def summary(self) -> dict[str, Any]:
        """The ``summary.json`` content (hours as numbers)."""
        bal = self.stage("balance")
        after = self.after
        return {
            "status": self.status.value,
            "shortfall": None if after is None else after.shortfall,
            "shortfall_before": self.before.shortfall,
            "imbalance_hours": None if after is None else after.imbalance_hours,
            "imbalance_hours_before": self.before.imbalance_hours,
            "balance_cost": None if after is None else after.balance_cost,
            "balance_cost_before": self.before.balance_cost,
            "balance_cost_bound": None if bal is None else bal.bound_display,
            "balance_gap": None if bal is None else bal.gap,
            "moves": None if after is None else after.moves,
            "preference_cost": None if after is None else after.preference_cost,
            **self._training_summary(),
            **run_summary(self),
            "stages": [s.to_dict() for s in self.stages],
            "diagnosis": [c.to_dict() for c in self.diagnosis],
            "policy": self.problem.policy.model_dump(mode="json"),
        }

    def _training_summary(self) -> dict[str, Any]:
        """``training`` and ``training_before`` (training needs) when ``trainable_gap`` > 0,
        else nothing (the summary is then exactly as without the option)."""
        if self.problem.policy.trainable_gap == 0:
            return {}
        after = self.after
        return {
            "training": None if after is None else after.training,
            "training_before": self.before.training,
        }

    def __str__(self) -> str:
        return plan_text(self)

    def __repr__(self) -> str:
        if self.after is None:
            return f"Plan(status={self.status.value})"
        return (
            f"Plan(status={self.status.value}, moves={self.after.moves}, "
            f"imbalance_hours={self.after.imbalance_hours:.1f}, "
            f"balance_cost={self.after.balance_cost:.1f})"
        )


#: Column names of ``assignment.csv``, ``moves.csv``, ``units.csv``, ``training.csv``
#: and the training totals (the tables are defined in :mod:`mutasi_opt.domain.columns`).
ASSIGNMENT_COLUMNS = ASSIGNMENT.names
MOVE_COLUMNS = MOVES.names
UNIT_COLUMNS = UNITS.names
TRAINING_COLUMNS = TRAINING.names
TRAINING_TOTAL_COLUMNS = TRAINING_TOTALS.names
