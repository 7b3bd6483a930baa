"""The moves-versus-balance curve as data: one :class:`FrontierPoint` per move
budget and the :class:`Frontier` with its suggested budget (the knee).

Computed by :func:`mutasi_opt.planning.frontier.frontier`.  The knee is the
point furthest above the straight line from the first budget that covers the
shortfall to the unconstrained optimum, both axes scaled to 0..1; it is stated
as "k moves give p% of the achievable reduction" in English or Bahasa
Indonesia (:meth:`Frontier.text`, :meth:`Frontier.suggestion`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from .. import metrics
from ..domain.columns import FRONTIER
from ..domain.problem import Problem
from ..domain.stages import Status
from ..text.i18n import check_lang, label, number
from ..text.tables import format_table
from .plan import Plan
from .views import HtmlView, frame

__all__ = ["FRONTIER_COLUMNS", "NO_KNEE", "Frontier", "FrontierPoint"]

if TYPE_CHECKING:
    import pandas as pd


#: Columns of :attr:`Frontier.table` (and ``frontier.csv``):
#: :data:`mutasi_opt.domain.columns.FRONTIER`.
FRONTIER_COLUMNS = FRONTIER.names


#: Below this knee score the curve has no clear knee (see :meth:`Frontier.knee_score`).
NO_KNEE = 0.05


#: Columns of :meth:`Frontier.text`: (key, label key of the header, alignment).
_TEXT_COLUMNS = (
    ("budget", "frontier.col.budget", ">"),
    ("moves", "frontier.col.moves", ">"),
    ("shortfall", "frontier.col.shortfall", ">"),
    ("imbalance", "frontier.col.imbalance", ">"),
    ("reduction", "frontier.col.reduction", ">"),
    ("balance", "frontier.col.balance", ">"),
    ("balance_gap", "frontier.col.balance_gap", ">"),
    ("preference", "frontier.col.preference", ">"),
    ("overdue", "frontier.col.overdue", ">"),
    ("status", "frontier.col.status", "<"),
)


@dataclass(frozen=True)
class FrontierPoint:
    """The optimum under one move budget (hours for ``D`` and ``B``)."""

    budget: int
    status: Status
    moves: int
    shortfall: int
    imbalance_hours: float
    imbalance_bound_hours: float
    balance_cost: float
    balance_bound: float
    preference_cost: int
    seconds: float
    plan: Plan = field(repr=False)
    #: work units the point's solve used (see :mod:`mutasi_opt.domain.limits`)
    work: float = 0.0
    #: staff left in their unit although overdue for rotation (:func:`metrics.overdue_remaining`)
    overdue: int = 0

    @classmethod
    def from_plan(cls, budget: int, plan: Plan) -> FrontierPoint:
        """The point of a solved plan (its stage bounds; the plan's own value when
        a stage did not run)."""
        after = plan.after
        assert after is not None
        imb, bal = plan.stage("imbalance"), plan.stage("balance")
        return cls(
            budget=budget,
            status=plan.status,
            moves=after.moves,
            shortfall=after.shortfall,
            imbalance_hours=after.imbalance_hours,
            imbalance_bound_hours=0.0 if imb is None else imb.bound_display,
            balance_cost=after.balance_cost,
            balance_bound=0.0 if bal is None else bal.bound_display,
            preference_cost=after.preference_cost,
            seconds=plan.solve_seconds,
            plan=plan,
            work=plan.work_used,
            overdue=metrics.overdue_remaining(plan.problem, plan._require()),
        )

    @property
    def balance_gap(self) -> float:
        """Relative gap of ``B`` to its bound."""
        if self.balance_cost <= 0:
            return 0.0
        return max(0.0, (self.balance_cost - self.balance_bound) / self.balance_cost)


@dataclass(frozen=True)
class Frontier(HtmlView):
    """The moves-versus-balance curve of a problem (see :func:`frontier`)."""

    HTML_VIEW: ClassVar[str] = "frontier.html"

    problem: Problem
    points: tuple[FrontierPoint, ...]
    knee: FrontierPoint | None
    seconds: float
    one_solve_seconds: float
    infeasible: Plan | None = None
    #: the limits of the whole curve, the work it used and the limit that cut a
    #: solve short (``"time_limit"``, ``"work_limit"`` or None), as for a Plan
    time_limit: float | None = None
    work_limit: float | None = None
    work_used: float = 0.0
    stopped_by: str | None = None

    # ------------------------------------------------------------ numbers
    @property
    def covering(self) -> FrontierPoint | None:
        """The smallest budget that reaches the unconstrained optimum's shortfall.

        Shortfall comes first: below this budget the moves go to covering the
        competencies units require, and ``D`` may even rise on the way.
        """
        if not self.points:
            return None
        top = self.points[-1].shortfall
        return next(p for p in self.points if p.shortfall <= top)

    @property
    def imbalance_start(self) -> float:
        """``D`` at :attr:`covering` (the current ``D`` when no moves are needed
        for the competencies), hours."""
        base = self.covering
        return 0.0 if base is None else base.imbalance_hours

    @property
    def imbalance_best(self) -> float:
        """``D`` of the unconstrained optimum (the curve's right end), hours."""
        return self.points[-1].imbalance_hours if self.points else 0.0

    def reduction(self, point: FrontierPoint) -> float | None:
        """Share of the achievable reduction of ``D`` that ``point`` reaches: 0 at
        :attr:`covering`, 1 at the unconstrained optimum; ``None`` for a budget
        too small to reach the optimum's shortfall (its ``D`` is not comparable).
        """
        if not self.points or point.shortfall > self.points[-1].shortfall:
            return None
        span = self.imbalance_start - self.imbalance_best
        if span <= 0:
            return 1.0
        return (self.imbalance_start - point.imbalance_hours) / span

    @property
    def max_moves(self) -> int:
        """Moves of the unconstrained optimum (the curve's right end)."""
        return self.points[-1].moves if self.points else 0

    @property
    def cost_multiple(self) -> float:
        """Time of the whole curve as a multiple of the unconstrained solve's time."""
        return self.seconds / self.one_solve_seconds if self.one_solve_seconds > 0 else 0.0

    def knee_score(self) -> float:
        """How far the knee lies above the straight line from :attr:`covering` to
        the unconstrained optimum (both axes scaled to 0..1); 0 for a straight
        or hollow curve."""
        base, k = self.covering, self.knee
        if base is None or k is None or self.max_moves <= base.moves:
            return 0.0
        share = self.reduction(k) or 0.0
        return max(0.0, share - (k.moves - base.moves) / (self.max_moves - base.moves))

    def suggestion(self, lang: str = "en") -> str:
        """The suggested budget in words (``lang``: ``en`` default, or ``id``).

        The diagnosis of an infeasible problem stays in English.
        """
        lang = check_lang(lang)
        if self.infeasible is not None:
            reason = self.infeasible.diagnosis[0].message if self.infeasible.diagnosis else ""
            return label("frontier.no_plan", lang) + (f": {reason}" if reason else ".")
        if self.knee is None or self.covering is None:
            return label("frontier.not_solved", lang)
        base, k = self.covering, self.knee
        short0 = self.points[0].plan.before.shortfall
        parts = []
        if base.shortfall < short0:
            parts.append(
                label("frontier.cover", lang).format(
                    moves=base.moves, before=short0, after=base.shortfall
                )
            )
        start, best = self.imbalance_start, self.imbalance_best
        if start - best <= 0:
            parts.append(
                label("frontier.no_gain", lang).format(
                    further=label("frontier.further", lang) if parts else "",
                    d=number(start, ",.0f", lang),
                    moves=base.moves,
                )
            )
        elif self.knee_score() < NO_KNEE:
            extra = self.max_moves - base.moves
            parts.append(
                label("frontier.no_knee", lang).format(
                    start=number(start, ",.0f", lang),
                    best=number(best, ",.0f", lang),
                    all=extra,
                    per=number((start - best) / max(1, extra), ",.0f", lang),
                )
            )
        else:
            share = 100 * (self.reduction(k) or 0.0)
            parts.append(
                label("frontier.knee", lang).format(
                    moves=k.moves,
                    share=number(share, ".0f", lang),
                    start=number(start, ",.0f", lang),
                    d=number(k.imbalance_hours, ",.0f", lang),
                    all=self.max_moves,
                    best=number(best, ",.0f", lang),
                )
            )
        text = "; ".join(parts)
        return text[0].upper() + text[1:] + "."

    # ------------------------------------------------------------ tables
    def records(self) -> list[dict[str, Any]]:
        """One row per point (the columns of :data:`FRONTIER_COLUMNS`)."""
        return [
            {
                "budget": p.budget,
                "moves": p.moves,
                "shortfall": p.shortfall,
                "imbalance_hours": round(p.imbalance_hours, 2),
                "imbalance_bound_hours": round(p.imbalance_bound_hours, 2),
                "reduction": None if (r := self.reduction(p)) is None else round(r, 4),
                "balance_cost": round(p.balance_cost, 2),
                "balance_bound": round(p.balance_bound, 2),
                "balance_gap": round(p.balance_gap, 5),
                "preference_cost": p.preference_cost,
                "status": p.status.value,
                "seconds": round(p.seconds, 2),
                "work": round(p.work, 3),
                "overdue": p.overdue,
            }
            for p in self.points
        ]

    @property
    def table(self) -> pd.DataFrame:
        """The curve as a DataFrame (one row per budget)."""
        return frame(self.records(), FRONTIER)

    def summary(self) -> dict[str, Any]:
        """JSON-able: the points, the suggested budget and the cost of the curve."""
        return {
            "points": self.records(),
            "suggested_budget": None if self.knee is None else self.knee.budget,
            "suggested_moves": None if self.knee is None else self.knee.moves,
            "suggestion": self.suggestion(),
            "max_moves": self.max_moves,
            "seconds": round(self.seconds, 2),
            "one_solve_seconds": round(self.one_solve_seconds, 2),
            "cost_multiple": round(self.cost_multiple, 2),
            "time_limit": self.time_limit,
            "work_limit": self.work_limit,
            "work_used": round(self.work_used, 6),
            "stopped_by": self.stopped_by,
        }

    def __repr__(self) -> str:
        knee = None if self.knee is None else self.knee.budget
        return (
            f"Frontier(points={len(self.points)}, knee_budget={knee}, seconds={self.seconds:.1f})"
        )

    def text(self, lang: str = "en") -> str:
        """The curve as printed (one row per budget, the knee marked) and the
        suggested budget, in ``lang`` (``en`` default, or ``id``)."""
        lang = check_lang(lang)

        def num(value: float, spec: str) -> str:
            return number(value, spec, lang)

        def status(p: FrontierPoint) -> str:
            word = label(f"status.{p.status}", lang, p.status)
            return word + (label("frontier.knee_mark", lang) if p is self.knee else "")

        rows = [
            {
                "budget": num(p.budget, ","),
                "moves": num(p.moves, ","),
                "shortfall": num(p.shortfall, ","),
                "imbalance": num(p.imbalance_hours, ",.1f"),
                "reduction": "—" if (r := self.reduction(p)) is None else num(100 * r, ".0f") + "%",
                "balance": num(p.balance_cost, ",.1f"),
                "balance_gap": num(100 * p.balance_gap, ".2f") + "%",
                "preference": num(p.preference_cost, ","),
                "overdue": num(p.overdue, ","),
                "status": status(p),
            }
            for p in self.points
        ]
        columns = [(key, label(head, lang), align) for key, head, align in _TEXT_COLUMNS]
        title = label("frontier.title", lang).format(
            points=len(self.points),
            seconds=num(self.seconds, ".1f"),
            multiple=num(self.cost_multiple, ".1f"),
        )
        lines = [
            title,
            *(format_table(rows, columns) if rows else [label("frontier.no_points", lang)]),
            "",
            label("frontier.suggested", lang) + self.suggestion(lang),
        ]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text("en")
