"""Historical mutations: replay past moves on a snapshot and measure them.

``history.csv`` has ``nip, from_unit, to_unit, date`` (``YYYY-MM-DD``) and an
optional ``kind`` (``permanent`` or ``temporary``).  :func:`evaluate_history`
replays the permanent moves, in date order, on the problem's state (the
snapshot before the window) and reports, with the same :mod:`metrics`, the
numbers before and after, every rule the moves broke (as the independent
checker sees them), and every row it could not replay, with the reason —
none is dropped silently.  The printed summaries (:meth:`HistoryReport.text`,
:meth:`HistoryComparison.text`) also speak Bahasa Indonesia (``lang="id"``);
the checker's rule messages stay in English.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from . import metrics
from .check import Violation, check_plan
from .domain.errors import InputError, InputIssue
from .domain.limits import Budget, check_limits
from .domain.problem import Problem
from .text.i18n import check_lang, label, number
from .text.tables import format_table

if TYPE_CHECKING:
    from .results.plan import Plan
    from .solve import Reach

IntArray = npt.NDArray[np.int64]

__all__ = [
    "HistoryComparison",
    "HistoryMove",
    "HistoryReport",
    "compare_history",
    "evaluate_history",
    "read_history",
    "synthetic_history",
    "write_history",
]


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
class HistoryReport:
    """The replayed history: numbers before and after, rule exceptions, skipped rows."""

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

    def _repr_html_(self) -> str:
        from .html import history_html

        return history_html(self)


_COLUMNS = ("nip", "from_unit", "to_unit", "date")


def read_history(path: str | Path) -> tuple[HistoryMove, ...]:
    """Read ``history.csv`` (or ``.xlsx``); malformed rows raise :class:`InputError`
    naming file, row and column.  Unknown NIPs or units are *not* errors here:
    :func:`evaluate_history` lists them."""
    from .io.tables import read_table

    frame = read_table(path)
    file = Path(path).name
    cols = {str(c).strip().lower(): c for c in frame.columns}
    missing = [c for c in _COLUMNS if c not in cols]
    if missing:
        raise InputError(
            [
                InputIssue(file, 1, c, None, f"required column {c!r} is missing; add it")
                for c in missing
            ]
        )
    issues: list[InputIssue] = []
    out: list[HistoryMove] = []
    kinds = frame[cols["kind"]] if "kind" in cols else None
    for i in range(len(frame)):
        row = i + 2
        cells = {c: str(frame[cols[c]].iloc[i]).strip() for c in _COLUMNS}
        bad = False
        for c in ("nip", "from_unit", "to_unit"):
            if cells[c] in ("", "nan", "None"):
                issues.append(InputIssue(file, row, c, None, "required; fill it in"))
                bad = True
        try:
            date = dt.date.fromisoformat(cells["date"][:10])
        except ValueError:
            issues.append(
                InputIssue(file, row, "date", cells["date"], "expected YYYY-MM-DD, e.g. 2024-07-01")
            )
            bad = True
        kind = "permanent"
        if kinds is not None:
            text = str(kinds.iloc[i]).strip().lower()
            if text in ("", "nan", "none"):
                text = "permanent"
            if text not in ("permanent", "temporary"):
                issues.append(
                    InputIssue(file, row, "kind", text, "expected 'permanent' or 'temporary'")
                )
                bad = True
            kind = text
        if not bad:
            out.append(
                HistoryMove(
                    cells["nip"],
                    cells["from_unit"],
                    cells["to_unit"],
                    date,
                    kind,  # type: ignore[arg-type]
                    row,
                )
            )
    if issues:
        raise InputError(issues)
    return tuple(out)


def evaluate_history(problem: Problem, history: Any) -> HistoryReport:
    """Replay the permanent moves of ``history`` (rows or a path) on the problem's state."""
    moves = read_history(history) if isinstance(history, str | Path) else tuple(history)
    idx = problem.index
    where = idx.home.copy()
    applied: list[HistoryMove] = []
    skipped: list[Skipped] = []
    for m in sorted(moves, key=lambda m: (m.date, m.row or 0)):
        if m.kind != "permanent":
            skipped.append(Skipped.because(m, "history.skip.temporary"))
            continue
        e = idx.nip_pos.get(m.nip)
        if e is None:
            skipped.append(Skipped.because(m, "history.skip.nip", nip=m.nip))
            continue
        missing = [u for u in (m.from_unit, m.to_unit) if u not in idx.unit_pos]
        if missing:
            skipped.append(Skipped.because(m, "history.skip.unit", unit=missing[0]))
            continue
        now = idx.unit_ids[int(where[e])]
        if now != m.from_unit:
            skipped.append(Skipped.because(m, "history.skip.from_unit", given=m.from_unit, now=now))
            continue
        where[e] = idx.unit_pos[m.to_unit]
        applied.append(m)
    return HistoryReport(
        problem=problem,
        assignment=where,
        before=metrics.evaluate(problem, idx.home),
        after=metrics.evaluate(problem, where),
        applied=tuple(applied),
        exceptions=tuple(check_plan(problem, where)),
        skipped=tuple(skipped),
    )


# ------------------------------------------------------------ synthetic histories
#: How a synthetic history's moves are made, by default (shares of the moves).
HISTORY_MIX = {"preference": 0.35, "need": 0.35, "random": 0.3}


def synthetic_history(
    problem: Problem,
    n_moves: int | None = None,
    *,
    seed: int = 0,
    start: dt.date = dt.date(2025, 1, 1),
    days: int = 365,
    mix: dict[str, float] | None = None,
    exceptions: float = 0.05,
    temporary: float = 0.02,
) -> tuple[HistoryMove, ...]:
    """A plausible hand-made mutasi history for ``problem`` (seeded, deterministic).

    Each move is one of (shares from ``mix``, default :data:`HISTORY_MIX`):

    * ``preference``: someone who asked to move goes to their first listed unit;
    * ``need``: from the unit with the most surplus capacity of a role to the one
      with the most missing (what an analyst does by hand, one move at a time);
    * ``random``: a movable employee to any unit with demand for their role.

    A share ``exceptions`` of the moves break a rule on purpose (a locked,
    PPPK or recently moved employee, or a refused unit), as real histories do;
    a share ``temporary`` are secondments (``kind`` temporary).  Dates are
    spread over ``days`` days from ``start``; an employee may move twice, and
    each row's ``from_unit`` is where they were at that date.  ``n_moves``
    defaults to 3 % of the employees (a typical yearly rate).
    """
    mix = dict(HISTORY_MIX if mix is None else mix)
    if any(v < 0 for v in mix.values()) or sum(mix.values()) <= 0:
        raise ValueError("mix shares must be non-negative with a positive sum")
    unknown = set(mix) - set(HISTORY_MIX)
    if unknown:
        raise ValueError(f"unknown kinds of move in mix: {sorted(unknown)}")
    idx = problem.index
    n = max(1, round(0.03 * idx.n_employees)) if n_moves is None else int(n_moves)
    if n < 0:
        raise ValueError("n_moves must be non-negative")
    rng = np.random.default_rng(seed)
    where = idx.home.copy()
    movable = metrics.movable(problem)
    cap = metrics.capacity_hours(problem)
    fair = metrics.fair_share_centi(problem)  # [U, R]
    have = metrics.assigned_capacity_centi(problem, where)  # [U, R]
    moved = np.zeros(idx.n_employees, dtype=np.bool_)
    kinds = list(mix)
    p = np.array([mix[k] for k in kinds], dtype=np.float64)
    p /= p.sum()
    wanting = [e for e in np.flatnonzero(movable) if idx.preferred[int(e)]]
    rng.shuffle(wanting)
    offsets = np.sort(rng.integers(0, max(1, days), size=n))
    out: list[HistoryMove] = []

    def pick_unit(e: int, choices: IntArray, refused: bool = False) -> int | None:
        ok = [
            int(u)
            for u in choices
            if u != where[e]
            and idx.has_demand[u, idx.role[e]]
            and (refused or int(u) not in idx.refused[e])
        ]
        return None if not ok else ok[int(rng.integers(len(ok)))]

    def need_move() -> tuple[int, int] | None:
        surplus = have - fair
        r = int(rng.integers(idx.n_roles))
        src = int(np.argmax(surplus[:, r]))
        dst = int(np.argmin(np.where(idx.has_demand[:, r], surplus[:, r], np.iinfo(np.int64).max)))
        if src == dst or surplus[src, r] <= 0:
            return None
        cands = np.flatnonzero((where == src) & (idx.role == r) & movable & ~moved)
        return None if cands.size == 0 else (int(cands[rng.integers(cands.size)]), dst)

    def rule_breaker() -> tuple[int, int] | None:
        bad = ~movable | moved
        refusers = [e for e in range(idx.n_employees) if idx.refused[e]]
        if refusers and rng.random() < 0.3:
            e = refusers[int(rng.integers(len(refusers)))]
            u = pick_unit(e, np.array(idx.refused[e], dtype=np.int64), refused=True)
            if u is not None:
                return e, u
        cands = np.flatnonzero(bad)
        if cands.size == 0:
            return None
        e = int(cands[rng.integers(cands.size)])
        u = pick_unit(e, np.arange(idx.n_units))
        return None if u is None else (e, u)

    for k in range(n):
        choice: tuple[int, int] | None = None
        if rng.random() < exceptions:
            choice = rule_breaker()
        kind = kinds[int(rng.choice(len(kinds), p=p))]
        if choice is None and kind == "preference":
            while wanting and choice is None:
                e = int(wanting.pop())
                u = pick_unit(e, np.array(idx.preferred[e][:1], dtype=np.int64))
                choice = None if u is None else (e, u)
        if choice is None and kind == "need":
            choice = need_move()
        if choice is None:  # random, or nothing left of the kind drawn
            free = np.flatnonzero(movable & ~moved)
            for _ in range(20):
                if free.size == 0:
                    break
                e = int(free[rng.integers(free.size)])
                u = pick_unit(e, np.arange(idx.n_units))
                if u is not None:
                    choice = (e, u)
                    break
        if choice is None:
            continue
        e, u = choice
        date = start + dt.timedelta(days=int(offsets[k]))
        temp = bool(rng.random() < temporary)
        out.append(
            HistoryMove(
                idx.nips[e],
                idx.unit_ids[int(where[e])],
                idx.unit_ids[u],
                date,
                "temporary" if temp else "permanent",
                len(out) + 2,
            )
        )
        if not temp:
            c = 100 * int(cap[e])
            have[int(where[e]), idx.role[e]] -= c
            have[u, idx.role[e]] += c
            where[e] = u
            moved[e] = True
    return tuple(out)


def write_history(moves: Any, path: str | Path) -> Path:
    """Write history rows as ``history.csv`` (nip, from_unit, to_unit, date, kind)."""
    import csv

    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([*_COLUMNS, "kind"])
        for m in moves:
            w.writerow([m.nip, m.from_unit, m.to_unit, m.date.isoformat(), m.kind])
    return path


def _per_move(before: float, after: float, moves: int) -> float | None:
    return None if moves == 0 else (before - after) / moves


@dataclass(frozen=True)
class HistoryComparison:
    """The history next to the optimiser under the same rules.

    ``optimised`` is the optimum with as many moves as the history made (its
    ``max_moves``); ``reach`` is the fewest moves with which a plan meeting the
    rules has the history's shortfall, ``D`` and ``B`` or better.
    """

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
            key = "history.unreachable" if r.status == "infeasible" else "history.not_found"
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
            "moves_to_match_status": self.reach.status,
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

    def _repr_html_(self) -> str:
        from .html import comparison_html

        return comparison_html(self)


def compare_history(
    problem: Problem,
    history: Any,
    *,
    time_limit: float | None = None,
    work_limit: float | None = None,
    seed: int = 0,
    workers: int | None = None,
) -> HistoryComparison:
    """Replay ``history`` and solve the same problem with as many moves.

    The optimiser works under the problem's rules with ``max_moves`` set to the
    number of employees the history moved; then the fewest moves with which a
    plan meeting the rules reaches the history's shortfall, ``D`` and ``B`` are
    sought (started from the optimiser's plan).  ``time_limit`` and
    ``work_limit`` (as for :func:`mutasi_opt.solve`) are shared: 60 % for the
    optimiser, the rest for the fewest moves.
    """
    from .solve import _solve, fewest_moves

    check_limits(time_limit, work_limit)
    whole = Budget(time_limit, work_limit)
    report = evaluate_history(problem, history)
    budget = report.after.moves
    same = problem.replace(policy=problem.policy.replace(max_moves=budget))
    plan = _solve(same, budget=whole.share(0.6), seed=seed, workers=workers)
    caps = {s: report.after.value(s) for s in ("shortfall", "imbalance", "balance")}
    reach = fewest_moves(
        problem,
        caps,
        start=plan if plan.has_solution else None,
        budget=whole.share(1.0),
        seed=seed,
        workers=workers,
    )
    return HistoryComparison(report, plan, reach)
