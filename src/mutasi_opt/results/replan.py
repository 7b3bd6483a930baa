"""The result of revising a draft plan after a consultation round (:class:`Replan`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import metrics
from ..domain.arrays import IntArray
from ..domain.columns import CHANGES, OUTCOMES
from ..domain.problem import Problem
from ..domain.responses import Response
from .plan import Plan
from .views import frame

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Replan"]


@dataclass(frozen=True, eq=False)
class Replan:
    """A revised plan: the draft, the responses, the revised problem and its plan.

    ``problem`` is the problem with the responses applied: accepted decisions
    pinned (``pinned_unit``), objections refused (or locked, by the policy's
    ``objection``), new preferences first in ``preferred_units``, and every
    employee's ``draft_unit``.  It is the problem of the next round.
    ``change_records`` list every employee whose unit differs from the draft's
    (columns of :data:`~mutasi_opt.domain.columns.CHANGES`); ``outcome_records``
    say, per response, what became of it and why (columns of
    :data:`~mutasi_opt.domain.columns.OUTCOMES`).
    """

    problem: Problem
    plan: Plan
    draft: IntArray
    responses: tuple[Response, ...]
    change_records: tuple[dict[str, Any], ...]
    #: changes no plan can avoid: the drafted move of an objector (refused or locked)
    forced: int
    #: per response, in the responses' order: what became of it, and why
    outcome_records: tuple[dict[str, Any], ...] = ()

    @property
    def changes(self) -> pd.DataFrame:
        """``changes.csv`` as a DataFrame."""
        return frame(list(self.change_records), CHANGES)

    @property
    def outcomes(self) -> pd.DataFrame:
        """``outcomes.csv`` as a DataFrame."""
        return frame(list(self.outcome_records), OUTCOMES)

    def _count(self, kind: str) -> int:
        return sum(r.response == kind for r in self.responses)

    def summary(self) -> dict[str, Any]:
        """The round in numbers (JSON-able): responses, what became of them, and the
        changes from the draft with their bound (``changes``: the draft decisions the
        plan changes, the ``changes`` stage's value; ``changes_other``: those beyond the
        objections' own, with its bound from the stage; ``changes_asked``: employees who
        asked for other units and are away from the draft, not counted in ``changes``:
        their decision was theirs to reopen)."""
        out: dict[str, Any] = {"status": self.plan.status.value}
        stage = self.plan.stage("changes")
        after = self.plan.assignment_array
        pos = self.problem.index.nip_pos
        kept = objected_kept = granted = 0
        for r in self.responses:
            e = pos[str(r.nip)]
            if after is None:
                continue
            if r.response == "accept":
                kept += int(after[e] == self.draft[e])
            elif r.response == "object":
                objected_kept += int(after[e] == self.draft[e] != self.problem.index.home[e])
            else:
                units = {self.problem.index.unit_pos[u] for u in r.units}
                granted += int(int(after[e]) in units)
        total = None if after is None else metrics.changes(self.problem, after)
        out.update(
            {
                "responses": len(self.responses),
                "accepted": self._count("accept"),
                "accepted_kept": kept,
                "objected": self._count("object"),
                "objected_moves_kept": objected_kept,
                "preferred": self._count("prefer"),
                "preferences_granted": granted,
                "changes": total,
                "changes_forced": self.forced,
                "changes_other": None if total is None else total - self.forced,
                "changes_bound_other": None if stage is None else stage.bound - self.forced,
                "changes_asked": sum(r["response"] == "prefer" for r in self.change_records),
                "changes_status": None if stage is None else stage.status.value,
                "draft_moves": int(np.sum(self.draft != self.problem.index.home)),
            }
        )
        return out
