"""Past mutasi measured: the rows of a history (:class:`HistoryMove`), the
replay's report (:class:`HistoryReport`, with every rule exception and every
row not replayed), the comparison with the optimiser (:class:`HistoryComparison`)
and the fewest moves reaching given values (:class:`Reach`).

Computed by :mod:`mutasi_opt.planning.history`; printed in English or Bahasa
Indonesia (the checker's rule messages stay in English).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from .. import metrics
from ..domain.arrays import IntArray
from ..domain.problem import Problem
from ..domain.stages import Status
from ..text.i18n import check_lang, label, number
from ..text.tables import format_table
from .findings import Violation
from .views import HtmlView

__all__ = ["HistoryComparison", "HistoryMove", "HistoryReport", "Reach", "Skipped"]

if TYPE_CHECKING:
    from .plan import Plan


@dataclass(frozen=True)
class HistoryMove:
    """One row of ``history.csv`` (``row`` is its spreadsheet row)."""

    nip: str
    from_unit: str
    to_unit: str
    date: dt.date
    kind: Literal["permanent", "temporary"] = "permanent"
    row: int | None = None


@dataclass(frozen=True)
class Skipped:
    """A history row that was not replayed, and why.

    ``reason`` is in English; ``key`` and ``fields`` (the label of
    :mod:`mutasi_opt.text.i18n` and its values) give it in another language via
    :meth:`text`.
    """

    move: HistoryMove
    reason: str
    key: str = ""
    fields: tuple[tuple[str, str], ...] = ()

    @classmethod
    def because(cls, move: HistoryMove, key: str, **fields: str) -> Skipped:
        """The row ``move`` skipped for the reason of label ``key`` filled with ``fields``."""
        return cls(move, label(key, "en").format(**fields), key, tuple(fields.items()))

    def text(self, lang: str = "en") -> str:
        """The reason in ``lang`` (``en`` default, or ``id``)."""
        if not self.key:
            return self.reason
        return label(self.key, lang).format(**dict(self.fields))


@dataclass(frozen=True)
class HistoryReport(HtmlView):
    """The replayed history: numbers before and after, rule exceptions, skipped rows."""

    HTML_VIEW: ClassVar[str] = "history.html"

    problem: Problem
    assignment: IntArray
    before: metrics.Metrics
    after: metrics.Metrics
    applied: tuple[HistoryMove, ...]
    exceptions: tuple[Violation, ...]
    skipped: tuple[Skipped, ...]

    def summary(self) -> dict[str, Any]:
        """JSON-able headline numbers."""
        return {
            "moves_replayed": len(self.applied),
            "moves": self.after.moves,
            "imbalance_hours_before": self.before.imbalance_hours,
            "imbalance_hours": self.after.imbalance_hours,
            "balance_cost_before": self.before.balance_cost,
            "balance_cost": self.after.balance_cost,
            "shortfall_before": self.before.shortfall,
            "shortfall": self.after.shortfall,
            "preference_cost": self.after.preference_cost,
            "rule_exceptions": [v.to_dict() for v in self.exceptions],
            "skipped": [
                {"row": s.move.row, "nip": s.move.nip, "reason": s.reason} for s in self.skipped
            ],
        }

    def issue_lines(self, lang: str = "en") -> list[str]:
        """The rule exceptions and the rows not replayed, as text lines (first 10 of
        each), in ``lang`` (``en`` default, or ``id``); the rule exceptions'
        messages (from the checker) stay in English."""
        lang = check_lang(lang)
        row = label("history.row", lang)
        lines: list[str] = []
        for title, items in (
            ("history.exceptions", [v.message for v in self.exceptions]),
            (
                "history.not_replayed",
                [row.format(row=s.move.row, reason=s.text(lang)) for s in self.skipped],
            ),
        ):
            if not items:
                continue
            head = f"{label(title, lang)} ({len(items)}):"
            lines += ["", head, *(f"  - {t}" for t in items[:10])]
            if len(items) > 10:
                lines.append(label("history.more", lang).format(n=len(items) - 10))
        return lines

    def text(self, lang: str = "en") -> str:
        """The replayed history as printed: numbers before → after, rule exceptions
        and rows not replayed, in ``lang`` (``en`` default, or ``id``)."""
        lang = check_lang(lang)
        b, a = self.before, self.after

        def hours(x: float) -> str:
            return number(x, ",.1f", lang)

        lines = [
            label("history.replayed", lang).format(rows=len(self.applied), moved=a.moves),
            "  " + label("history.shortfall", lang).format(before=b.shortfall, after=a.shortfall),
            "  "
            + label("text.delta_imbalance", lang).format(
                before=hours(b.imbalance_hours), after=hours(a.imbalance_hours)
            ),
            "  "
            + label("history.balance", lang).format(
                before=hours(b.balance_cost), after=hours(a.balance_cost)
            ),
            "  " + label("history.preference", lang).format(cost=a.preference_cost),
            *self.issue_lines(lang),
        ]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text("en")

    def __repr__(self) -> str:
        return (
            f"HistoryReport(replayed={len(self.applied)}, moves={self.after.moves}, "
            f"exceptions={len(self.exceptions)}, skipped={len(self.skipped)})"
        )


def _per_move(before: float, after: float, moves: int) -> float | None:
    return None if moves == 0 else (before - after) / moves


@dataclass(frozen=True)
class HistoryComparison(HtmlView):
    """The history next to the optimiser under the same rules.

    ``optimised`` is the optimum with as many moves as the history made (its
    ``max_moves``); ``reach`` is the fewest moves with which a plan meeting the
    rules has the history's shortfall, ``D`` and ``B`` or better.
    """

    HTML_VIEW: ClassVar[str] = "comparison.html"

    history: HistoryReport
    optimised: Plan
    reach: Reach

    @property
    def moves_to_match(self) -> int | None:
        """The fewest moves reaching the history's shortfall, D and B (None: not
        reachable under the rules, or not found in time)."""
        return self.reach.moves

    @property
    def gain_per_move_history(self) -> float | None:
        """Hours of ``D`` the history removed per move (None with no moves)."""
        h = self.history
        return _per_move(h.before.imbalance_hours, h.after.imbalance_hours, h.after.moves)

    @property
    def gain_per_move_optimiser(self) -> float | None:
        """Hours of ``D`` the optimiser removes per move with the same budget."""
        o = self.optimised
        if o.after is None:
            return None
        return _per_move(o.before.imbalance_hours, o.after.imbalance_hours, o.after.moves)

    @property
    def balance_gain_per_move_history(self) -> float | None:
        """Hours of ``B`` the history removed per move."""
        h = self.history
        return _per_move(h.before.balance_cost, h.after.balance_cost, h.after.moves)

    @property
    def balance_gain_per_move_optimiser(self) -> float | None:
        """Hours of ``B`` the optimiser removes per move with the same budget."""
        o = self.optimised
        if o.after is None:
            return None
        return _per_move(o.before.balance_cost, o.after.balance_cost, o.after.moves)

    def match_text(self, lang: str = "en") -> str:
        """The fewest optimised moves reaching the history, in words (``lang``:
        ``en`` default, or ``id``)."""
        lang = check_lang(lang)
        h, r = self.history.after, self.reach
        target = label("history.target", lang).format(
            shortfall=h.shortfall,
            d=number(h.imbalance_hours, ",.1f", lang),
            b=number(h.balance_cost, ",.1f", lang),
        )
        if r.moves is None:
            key = "history.unreachable" if r.status is Status.INFEASIBLE else "history.not_found"
            return label(key, lang).format(target=target)
        if r.moves == r.bound:
            proof = label("history.proven_fewest", lang)
        elif r.bound > 0:
            proof = label("history.at_least", lang).format(bound=r.bound)
        else:
            proof = label("history.unproven", lang)
        return label("history.match", lang).format(
            target=target, moves=r.moves, proof=proof, used=h.moves
        )

    def summary(self) -> dict[str, Any]:
        """JSON-able comparison."""
        o = self.optimised
        return {
            "history": self.history.summary(),
            "optimiser": o.summary(),
            "moves_to_match": self.reach.moves,
            "moves_to_match_bound": self.reach.bound,
            "moves_to_match_status": self.reach.status.value,
            "imbalance_gain_per_move_history": self.gain_per_move_history,
            "imbalance_gain_per_move_optimiser": self.gain_per_move_optimiser,
            "balance_gain_per_move_history": self.balance_gain_per_move_history,
            "balance_gain_per_move_optimiser": self.balance_gain_per_move_optimiser,
            "headline": self.headline(),
        }

    def headline(self, lang: str = "en") -> str:
        """Balance gained per move, history vs optimiser, in one sentence (``lang``:
        ``en`` default, or ``id``)."""
        lang = check_lang(lang)
        g_h, g_o = self.gain_per_move_history, self.gain_per_move_optimiser
        if g_h is None:
            return label("history.no_moves", lang)
        if self.optimised.after is None:
            return label("history.no_plan", lang)
        history = number(g_h, ",.1f", lang)
        if g_o is None:
            return label("history.gain_no_move", lang).format(history=history)
        ratio = ""
        if g_h > 0 and g_o > 0:
            ratio = label("history.ratio", lang).format(ratio=number(g_o / g_h, ".1f", lang))
        return label("history.gain", lang).format(
            history=history, optimiser=number(g_o, ",.1f", lang), ratio=ratio
        )

    def text(self, lang: str = "en") -> str:
        """The comparison as printed: history and optimiser side by side, the
        headline, the fewest moves reaching the history, the rule exceptions and
        rows not replayed, in ``lang`` (``en`` default, or ``id``)."""
        lang = check_lang(lang)
        h, o = self.history, self.optimised
        oa = o.after

        def num(x: float | None) -> str:
            return "—" if x is None else number(x, ",.1f", lang)

        rows = [
            (
                label("text.row_moves", lang),
                str(h.after.moves),
                "—" if oa is None else str(oa.moves),
            ),
            (
                label("history.row_shortfall", lang),
                str(h.after.shortfall),
                "—" if oa is None else str(oa.shortfall),
            ),
            (
                label("text.row_imbalance", lang),
                num(h.after.imbalance_hours),
                num(None if oa is None else oa.imbalance_hours),
            ),
            (
                label("text.row_balance", lang),
                num(h.after.balance_cost),
                num(None if oa is None else oa.balance_cost),
            ),
            (
                label("text.row_preference", lang),
                str(h.after.preference_cost),
                "—" if oa is None else str(oa.preference_cost),
            ),
            (
                label("history.row_exceptions", lang),
                str(len(h.exceptions)),
                "0" if oa is not None else "—",
            ),
            (
                label("history.row_d_per_move", lang),
                num(self.gain_per_move_history),
                num(self.gain_per_move_optimiser),
            ),
            (
                label("history.row_b_per_move", lang),
                num(self.balance_gain_per_move_history),
                num(self.balance_gain_per_move_optimiser),
            ),
        ]
        table = format_table(
            [{"what": a, "history": b, "optimiser": c} for a, b, c in rows],
            [
                ("what", "", "<"),
                ("history", label("history.col.history", lang), ">"),
                ("optimiser", label("history.col.optimiser", lang), ">"),
            ],
        )
        before = h.before
        lines = [
            label("history.compare_title", lang).format(
                rows=len(h.applied), status=label(f"status.{o.status.value}", lang)
            ),
            "  "
            + label("history.before", lang).format(
                shortfall=before.shortfall,
                d=number(before.imbalance_hours, ",.1f", lang),
                b=number(before.balance_cost, ",.1f", lang),
            ),
            *table,
            "",
            self.headline(lang),
            self.match_text(lang),
        ]
        lines += h.issue_lines(lang)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text("en")

    def __repr__(self) -> str:
        return (
            f"HistoryComparison(history_moves={self.history.after.moves}, "
            f"optimiser={self.optimised.status.value}, moves_to_match={self.reach.moves})"
        )


@dataclass(frozen=True)
class Reach:
    """The fewest moves with which a plan meeting the rules reaches given values.

    ``assignment`` is None when no such plan exists (``status`` infeasible) or
    none was found within the limits (``unknown``); ``bound`` is a valid lower
    bound on the number of moves.  ``work_used`` and ``stopped_by`` are as for
    :class:`~mutasi_opt.results.plan.Plan`.
    """

    status: Status
    moves: int | None
    bound: int
    seconds: float
    assignment: IntArray | None
    work_used: float = 0.0
    stopped_by: str | None = None
