"""Explanations a BKPSDM analyst can read out in a meeting, built from numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .. import metrics
from ..domain.arrays import IntArray
from ..domain.columns import MOVES
from .i18n import check_lang, label, number

if TYPE_CHECKING:
    from ..results.plan import Plan


__all__ = ["MOVE_COLUMNS", "move_details", "plan_text", "why_not"]

#: The columns of ``moves.csv`` (:data:`mutasi_opt.domain.columns.MOVES`), the keys
#: of :func:`move_details`.
MOVE_COLUMNS = MOVES.names


def _ordinal(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def _fmt_ej(x: float, lang: str = "en") -> str:
    if np.isnan(x):
        return label("text.na", lang)
    if np.isinf(x):
        return "∞"
    return number(x, ".2f", lang)


def _ej_tables(plan: Plan) -> tuple[Any, Any]:
    def build() -> tuple[Any, Any]:
        p = plan.problem
        a = plan._require()
        w = metrics.workload_hours(p)
        ej_b = metrics.ej(w, metrics.assigned_capacity_centi(p, p.index.home) / 100)
        ej_a = metrics.ej(w, metrics.assigned_capacity_centi(p, a) / 100)
        return ej_b, ej_a

    if "ej" not in plan._cache:  # setdefault(key, build()) would build on every call
        plan._cache["ej"] = build()
    cached: tuple[Any, Any] = plan._cache["ej"]
    return cached


def _qualified_counts(plan: Plan) -> tuple[IntArray, IntArray]:
    def build() -> tuple[IntArray, IntArray]:
        p = plan.problem
        return (
            metrics.qualified_count(p, p.index.home),
            metrics.qualified_count(p, plan._require()),
        )

    if "qual" not in plan._cache:  # setdefault(key, build()) would build on every call
        plan._cache["qual"] = build()
    cached: tuple[IntArray, IntArray] = plan._cache["qual"]
    return cached


def _unlisted_cover(plan: Plan) -> dict[int, int]:
    """The individual rationality exceptions of the plan (employee → requirement),
    once per plan (:func:`metrics.individual_rationality_cover`)."""
    if "unlisted_cover" not in plan._cache:
        matched, _ = metrics.individual_rationality_cover(plan.problem, plan._require())
        plan._cache["unlisted_cover"] = matched
    cached: dict[int, int] = plan._cache["unlisted_cover"]
    return cached


def _unit_label(plan: Plan, u: int) -> str:
    unit = plan.problem.units[u]
    return unit.name or unit.unit


def _immovable(plan: Plan) -> list[str]:
    """:func:`metrics.immovable_reason`, once per plan (``why_not`` asks per employee)."""
    if "immovable" not in plan._cache:
        plan._cache["immovable"] = metrics.immovable_reason(plan.problem)
    cached: list[str] = plan._cache["immovable"]
    return cached


def move_details(plan: Plan, e: int, lang: str = "en") -> dict[str, Any]:
    """The ``moves.csv`` row of moved employee ``e`` with a readable reason.

    ``lang`` is the language of the texts (``reason``, ``requirements_covered``):
    ``en`` (default) or ``id``.
    """
    lang = check_lang(lang)
    p = plan.problem
    idx = p.index
    a = plan._require()
    emp = p.employees[e]
    h, u, r = int(idx.home[e]), int(a[e]), int(idx.role[e])
    ej_b, ej_a = _ej_tables(plan)
    bands = p.policy.ej_bands

    def ej_text(unit: int) -> str:
        b0, b1 = ej_b[unit, r], ej_a[unit, r]
        return (
            f"EJ {_fmt_ej(b0, lang)} ({metrics.band(b0, bands) or '-'}) → "
            f"{_fmt_ej(b1, lang)} ({metrics.band(b1, bands) or '-'})"
        )

    if emp.role:
        pool = label("text.pool_role", lang).format(role=emp.role)
    else:
        pool = label("text.pool_single", lang)
    parts = [
        label("text.leaves_for", lang).format(
            pool=pool,
            home=_unit_label(plan, h),
            ej_home=ej_text(h),
            unit=_unit_label(plan, u),
            ej_unit=ej_text(u),
        )
    ]
    covered = []
    q_before, q_after = _qualified_counts(plan)
    for q, req in enumerate(p.requirements):
        fields = {"competency": req.competency, "level": req.min_level, "need": req.min_staff}
        if int(idx.req_unit[q]) == u and idx.qualified[q, e] and q_before[q] < req.min_staff:
            covered.append(
                label("text.brings", lang).format(
                    unit=_unit_label(plan, u), before=q_before[q], after=q_after[q], **fields
                )
            )
        if int(idx.req_unit[q]) == h and idx.qualified[q, e] and q_after[q] < req.min_staff:
            covered.append(
                label("text.leaves_short", lang).format(
                    unit=_unit_label(plan, h), after=q_after[q], **fields
                )
            )
    parts.extend(covered)
    prefs = idx.preferred[e]
    rank: int | None = prefs.index(u) + 1 if u in prefs else None
    excepted = (
        _unlisted_cover(plan).get(e) if rank is None and p.policy.individual_rationality else None
    )
    if rank is not None:
        parts.append(label("text.preference_rank", lang).format(rank=rank, ordinal=_ordinal(rank)))
    elif excepted is not None:
        req = p.requirements[excepted]
        parts.append(
            label("text.unlisted_exception", lang).format(
                competency=req.competency, level=req.min_level, unit=_unit_label(plan, u)
            )
        )
    elif prefs:
        parts.append(label("text.not_preferred", lang))
    months = emp.months_in_unit
    if months is not None:
        overdue = months > p.policy.overdue_months
        parts.append(
            label("text.months_in_unit", lang).format(months=months)
            + (label("text.overdue", lang) if overdue else "")
        )
    return {
        "nip": str(emp.nip),
        "name": emp.name,
        "role": emp.role,
        "unit_before": idx.unit_ids[h],
        "unit_after": idx.unit_ids[u],
        "ej_from_before": metrics.reported_ej(ej_b[h, r]),
        "ej_from_after": metrics.reported_ej(ej_a[h, r]),
        "ej_to_before": metrics.reported_ej(ej_b[u, r]),
        "ej_to_after": metrics.reported_ej(ej_a[u, r]),
        "requirements_covered": "; ".join(covered),
        "preference_rank": rank,
        "months_in_unit": months,
        "reason": "; ".join(parts),
    }


def _best_alternative(
    plan: Plan, e: int, targets: IntArray
) -> tuple[tuple[int, int, int, int], int]:
    """The best (shortfall, training, Σd, B) of moving stayer ``e`` alone to one of
    ``targets`` (training is 0 without ``trainable_gap``).

    Memoised per (home, role, capacity, qualifications and near-qualifications,
    targets): the numbers depend on nothing else of the employee.
    """
    p = plan.problem
    idx = p.index
    a = plan._require()
    key = (
        int(idx.home[e]),
        int(idx.role[e]),
        int(metrics.capacity_hours(p)[e]),
        idx.qualified[:, e].tobytes(),
        metrics.near_qualified(p)[:, e].tobytes(),
        targets.tobytes(),
    )
    memo: dict[Any, tuple[tuple[int, int, int, int], int]] = plan._cache.setdefault("why_not", {})
    if key not in memo:
        best: tuple[tuple[int, int, int, int], int] | None = None
        for u, m in zip(targets, metrics.single_move_metrics(p, a, e, targets), strict=True):
            score = (m.shortfall, m.training, m.imbalance_centi, m.balance_cost_scaled)
            if best is None or score < best[0]:
                best = (score, int(u))
        assert best is not None
        memo[key] = best
    return memo[key]


def why_not(plan: Plan, nip: str, lang: str = "en") -> str:
    """Why employee ``nip`` stays where the plan leaves them (or why they move).

    ``lang``: ``en`` (default) or ``id``.
    """
    lang = check_lang(lang)
    p = plan.problem
    idx = p.index
    if nip not in idx.nip_pos:
        raise KeyError(f"no employee with NIP {nip!r} in this problem")
    e = idx.nip_pos[nip]
    a = plan._require()
    emp = p.employees[e]
    who = f"{emp.name or label('text.employee', lang)} ({nip})"
    if a[e] != idx.home[e]:
        return label("text.moves", lang).format(
            who=who, reason=move_details(plan, e, lang=lang)["reason"]
        )
    reason = _immovable(plan)[e]
    if reason:
        retires = metrics.retirement_dates(p)[e]
        window = (
            p.policy.no_move_before_retirement_months
            if metrics.retiring_soon(p)[e]
            else p.policy.horizon_months
        )
        text = label(f"text.immovable.{reason}", lang).format(
            months=emp.months_in_unit,
            minimum=p.policy.min_months_in_unit,
            status=emp.inactive,
            retires=retires.isoformat() if retires is not None else "?",
            age=int(metrics.retirement_ages(p)[e]),
            window=window,
        )
        return label("text.stays_because", lang).format(who=who, text=text)
    targets = metrics.allowed_units(p, e)
    targets = targets[targets != idx.home[e]]
    if targets.size == 0:
        return label("text.no_target", lang).format(who=who, role=emp.role)
    base = plan.after
    assert base is not None
    budget = p.policy.max_moves
    lines = [label("text.stays_in", lang).format(who=who, unit=_unit_label(plan, int(idx.home[e])))]
    if budget is not None and base.moves >= budget:
        lines.append(label("text.budget_used", lang).format(moves=base.moves, budget=budget))
    (short, train, imb, bal), u = _best_alternative(plan, e, targets)
    deltas = []
    if short != base.shortfall:
        deltas.append(
            label("text.delta_shortfall", lang).format(before=base.shortfall, after=short)
        )
    if train != base.training:
        deltas.append(label("text.delta_training", lang).format(before=base.training, after=train))
    deltas.append(
        label("text.delta_imbalance", lang).format(
            before=number(base.imbalance_hours, ",.1f", lang),
            after=number(imb / metrics.IMBALANCE_SCALE, ",.1f", lang),
        )
    )
    deltas.append(
        label("text.delta_balance", lang).format(
            before=number(base.balance_cost, ",.1f", lang),
            after=number(bal / metrics.BALANCE_SCALE, ",.1f", lang),
        )
    )
    worse = (short, train, imb, bal) > (
        base.shortfall,
        base.training,
        base.imbalance_centi,
        base.balance_cost_scaled,
    )
    verdict = label("text.verdict_worse" if worse else "text.verdict_same", lang)
    lines.append(
        label("text.best_alternative", lang).format(
            unit=_unit_label(plan, u), deltas=", ".join(deltas), verdict=verdict
        )
    )
    return " ".join(lines)


def plan_text(plan: Plan, lang: str = "en") -> str:
    """A short human-readable summary of the plan (``lang``: ``en`` default, or ``id``).

    Diagnosis messages of an infeasible plan stay in English.
    """
    lang = check_lang(lang)
    status = label(f"status.{plan.status.value}", lang)
    lines = [label("text.plan_status", lang).format(status=status)]
    b, a = plan.before, plan.after
    if a is None:
        lines.extend(f"  - {c.message}" for c in plan.diagnosis)
        return "\n".join(lines)

    def hours(x: float) -> str:
        return number(x, ",.1f", lang)

    rows = [
        (label("text.row_shortfall", lang), f"{b.shortfall}", f"{a.shortfall}"),
        *(
            [(label("text.row_training", lang), f"{b.training}", f"{a.training}")]
            if "training" in a.stages
            else []
        ),
        (label("text.row_imbalance", lang), hours(b.imbalance_hours), hours(a.imbalance_hours)),
        (label("text.row_balance", lang), hours(b.balance_cost), hours(a.balance_cost)),
        (label("text.row_moves", lang), "0", f"{a.moves}"),
        (label("text.row_preference", lang), "0", f"{a.preference_cost}"),
    ]
    width = max(len(r[0]) for r in rows)
    before, after = label("text.before", lang), label("text.after", lang)
    lines.append(f"  {'':<{width}}  {before:>12}  {after:>12}")
    lines.extend(f"  {n:<{width}}  {x:>12}  {y:>12}" for n, x, y in rows)
    lines.append("  " + label("text.stages", lang))
    names = {
        s.name: s.name if lang == "en" else label(f"stage.{s.name}", lang, s.name)
        for s in plan.stages
    }
    name_width = max([10, *map(len, names.values())])
    units = {s.name: label(f"unit.{s.unit}", lang, s.unit) for s in plan.stages}
    unit_width = max([6, *map(len, units.values())])
    bound = label("text.bound", lang)
    for s in plan.stages:
        pct = number(100 * s.gap, ".2f", lang)
        gap = label("text.proven", lang) if s.proven else label("text.gap", lang).format(pct=pct)
        value = number(s.value_display, ">14,.2f", lang)
        bound_value = number(s.bound_display, ">14,.2f", lang)
        lines.append(
            f"    {names[s.name]:<{name_width}} {value} {units[s.name]:<{unit_width}} {bound} "
            f"{bound_value}  {gap:<12} {number(s.seconds, '6.2f', lang)}s"
        )
    seconds = number(plan.solve_seconds, ".2f", lang)
    done = label("text.solved_in", lang).format(seconds=seconds)
    work = label("text.work_used", lang).format(used=number(plan.work_used, ",.2f", lang))
    if plan.work_limit is not None:
        work += " " + label("text.work_of", lang).format(limit=number(plan.work_limit, "g", lang))
    stopped = (
        "" if plan.stopped_by is None else "; " + label(f"text.stopped.{plan.stopped_by}", lang)
    )
    lines.append(f"  {done}, {work}{stopped}")
    return "\n".join(lines)
