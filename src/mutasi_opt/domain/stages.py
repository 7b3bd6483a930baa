"""The stage and status vocabulary: one table of stages per planner, one status enum.

A plan is optimised lexicographically: each stage minimises one number with
the stages before it held.  :data:`PERMANENT_STAGES` are those of
:func:`mutasi_opt.solve` (permanent mutasi), :data:`SECONDMENT_STAGES` those
of :func:`mutasi_opt.plan_surges`.  Each :class:`Stage` says how its exact
integer value is displayed, whether its solver expression uses auxiliary
variables (which a solution cut short may leave loose), what share of the
budget left it may use and whether it is solved only to within
``policy.balance_gap``.

:class:`Status` is the one status word of plans, stages, solver outcomes,
fewest-moves searches and frontier points.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from .problem import Policy

__all__ = [
    "PERMANENT_STAGES",
    "PLAN_STATUSES",
    "SECONDMENT_STAGES",
    "PlanStatusName",
    "Stage",
    "Status",
    "StatusName",
    "permanent_stages",
    "plan_status",
    "stage_status",
    "units_of",
]


class Status(enum.StrEnum):
    """Proof status of a plan, a stage or one solver call.

    A plan is never ``within_gap``: a plan whose balance stage is within
    ``balance_gap`` and whose other stages are proven is ``optimal``.
    """

    #: the value is proven equal to the bound (the balance stage of a plan: within its gap)
    OPTIMAL = "optimal"
    #: a stage solved to within ``policy.balance_gap`` of its bound, not to the bound
    WITHIN_GAP = "within_gap"
    #: a solution, not proven (a limit cut the search short)
    FEASIBLE = "feasible"
    #: the rules cannot all hold
    INFEASIBLE = "infeasible"
    #: no solution found within the time or work limit (or the stage did not run)
    UNKNOWN = "unknown"

    @property
    def exit_code(self) -> int:
        """CLI exit code: 0 plan found, 2 infeasible, 3 no plan within the time or work limit."""
        if self is Status.INFEASIBLE:
            return 2
        if self is Status.UNKNOWN:
            return 3
        return 0


#: the statuses a whole plan can have
PLAN_STATUSES = (Status.OPTIMAL, Status.FEASIBLE, Status.INFEASIBLE, Status.UNKNOWN)
#: the same, as a type for the JSON documents (tests check it equals :data:`PLAN_STATUSES`)
PlanStatusName = Literal["optimal", "feasible", "infeasible", "unknown"]
#: every status, as a type for the JSON documents (tests check it equals :class:`Status`)
StatusName = Literal["optimal", "within_gap", "feasible", "infeasible", "unknown"]


@dataclass(frozen=True)
class Stage:
    """One lexicographic stage.

    ``unit`` and ``scale`` display the exact integer value (``value / scale``
    in ``unit``); ``auxiliary``: the solver expression uses auxiliary
    variables that a solution cut short may leave above the plan's true
    value; ``share``: the share of the budget left that the stage may use;
    ``gapped``: solved only to within ``policy.balance_gap``.
    """

    name: str
    unit: str
    scale: int
    auxiliary: bool
    share: float
    gapped: bool = False


#: the stages of a permanent plan, in order (``training`` only when ``trainable_gap`` > 0,
#: ``changes`` only when replanning a draft: see :func:`permanent_stages`)
PERMANENT_STAGES: tuple[Stage, ...] = (
    Stage("shortfall", "staff", 1, auxiliary=True, share=0.25),
    Stage("training", "people", 1, auxiliary=True, share=0.25),
    Stage("imbalance", "hours", 200, auxiliary=True, share=0.45),  # Σd centi-hours → D hours
    Stage("balance", "hours", 10_000, auxiliary=True, share=0.7, gapped=True),  # B × 10,000
    # decisions of a draft plan changed (only when employees have a draft_unit)
    Stage("changes", "employees", 1, auxiliary=False, share=0.5),
    Stage("moves", "moves", 1, auxiliary=False, share=0.5),
    Stage("preference", "points", 1, auxiliary=False, share=1.0),
)

#: the stages of a secondment plan, in order
SECONDMENT_STAGES: tuple[Stage, ...] = (
    Stage("uncovered", "FTE-months", 100, auxiliary=True, share=0.25),
    # Σ_m B × 10,000 on yearly-rate capacities → hours of monthly capacity
    Stage("balance", "hours", 120_000, auxiliary=True, share=0.45, gapped=True),
    Stage("people", "people", 1, auxiliary=False, share=0.4),
    Stage("months", "months", 1, auxiliary=False, share=0.5),
    Stage("preference", "points", 1, auxiliary=False, share=1.0),
)


def permanent_stages(policy: Policy, *, draft: bool = False) -> tuple[Stage, ...]:
    """The permanent stages that run under ``policy`` (training only when
    ``trainable_gap`` > 0; changes from a draft plan only with ``draft``: some
    employee has a ``draft_unit``)."""
    skip = set() if policy.trainable_gap > 0 else {"training"}
    if not draft:
        skip.add("changes")
    return tuple(s for s in PERMANENT_STAGES if s.name not in skip)


def units_of(stages: tuple[Stage, ...]) -> Mapping[str, tuple[str, int]]:
    """Display unit and scale per stage name."""
    return {s.name: (s.unit, s.scale) for s in stages}


def stage_status(value: int, bound: int, *, gapped: bool, gap_limit: float, ran: bool) -> Status:
    """The status of a stage from its numbers: ``unknown`` when it did not run
    (or one of its parts did not), ``optimal`` when the value is the bound,
    ``within_gap`` for a gapped stage within ``gap_limit`` of it, else ``feasible``."""
    if not ran:
        return Status.UNKNOWN
    if value == bound:
        return Status.OPTIMAL
    if gapped and (value - bound) / max(abs(value), 1) <= gap_limit + 1e-12:
        return Status.WITHIN_GAP
    return Status.FEASIBLE


def plan_status(statuses: Iterable[Status], *, complete: bool) -> Status:
    """The status of a plan from its stages': ``optimal`` when every stage ran
    (``complete``) and each is ``optimal`` or ``within_gap``, else ``feasible``."""
    done = all(s in (Status.OPTIMAL, Status.WITHIN_GAP) for s in statuses)
    return Status.OPTIMAL if complete and done else Status.FEASIBLE
