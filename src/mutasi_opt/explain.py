"""Explanations a BKPSDM analyst can read out in a meeting, built from numbers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from . import metrics

if TYPE_CHECKING:
    from .plan import Plan

IntArray = npt.NDArray[np.int64]

__all__ = ["MOVE_COLUMNS", "move_details", "plan_text", "why_not"]

MOVE_COLUMNS = (
    "nip",
    "name",
    "role",
    "unit_before",
    "unit_after",
    "ej_from_before",
    "ej_from_after",
    "ej_to_before",
    "ej_to_after",
    "requirements_covered",
    "preference_rank",
    "months_in_unit",
    "reason",
)


def _ordinal(k: int) -> str:
    suffix = "th" if 10 <= k % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(k % 10, "th")
    return f"{k}{suffix}"


def _fmt_ej(x: float) -> str:
    if np.isnan(x):
        return "n/a"
    if np.isinf(x):
        return "∞"
    return f"{x:.2f}"


def _ej_tables(plan: Plan) -> tuple[Any, Any]:
    def build() -> tuple[Any, Any]:
        p = plan.problem
        a = plan._require()
        w = metrics.workload_hours(p)
        ej_b = metrics.ej(w, metrics.assigned_capacity_centi(p, p.index.home) / 100)
        ej_a = metrics.ej(w, metrics.assigned_capacity_centi(p, a) / 100)
        return ej_b, ej_a

    cached: tuple[Any, Any] = plan._cache.setdefault("ej", build())
    return cached


def _qualified_counts(plan: Plan) -> tuple[IntArray, IntArray]:
    def build() -> tuple[IntArray, IntArray]:
        p = plan.problem
        return (
            metrics.qualified_count(p, p.index.home),
            metrics.qualified_count(p, plan._require()),
        )

    cached: tuple[IntArray, IntArray] = plan._cache.setdefault("qual", build())
    return cached


def _unit_label(plan: Plan, u: int) -> str:
    unit = plan.problem.units[u]
    return unit.name or unit.unit


def move_details(plan: Plan, e: int) -> dict[str, Any]:
    """The ``moves.csv`` row of moved employee ``e`` with a readable reason."""
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
            f"EJ {_fmt_ej(b0)} ({metrics.band(b0, bands) or '-'}) → "
            f"{_fmt_ej(b1)} ({metrics.band(b1, bands) or '-'})"
        )

    pool = f"role pool '{emp.role}'" if emp.role else "the single role pool"
    parts = [
        f"{pool}: leaves {_unit_label(plan, h)} ({ej_text(h)}) for "
        f"{_unit_label(plan, u)} ({ej_text(u)})"
    ]
    covered = []
    q_before, q_after = _qualified_counts(plan)
    for q, req in enumerate(p.requirements):
        if int(idx.req_unit[q]) == u and idx.qualified[q, e] and q_before[q] < req.min_staff:
            covered.append(
                f"brings {req.competency} ≥ {req.min_level} at {_unit_label(plan, u)} from "
                f"{q_before[q]} to {q_after[q]} of {req.min_staff} needed"
            )
        if int(idx.req_unit[q]) == h and idx.qualified[q, e] and q_after[q] < req.min_staff:
            covered.append(
                f"leaves {req.competency} ≥ {req.min_level} at {_unit_label(plan, h)} at "
                f"{q_after[q]} of {req.min_staff} needed"
            )
    parts.extend(covered)
    prefs = idx.preferred[e]
    rank: int | None = prefs.index(u) + 1 if u in prefs else None
    if rank is not None:
        parts.append(f"the employee's {_ordinal(rank)} preference")
    elif prefs:
        parts.append("not among the employee's preferred units")
    months = emp.months_in_unit
    if months is not None:
        overdue = months > p.policy.overdue_months
        parts.append(f"{months} months in unit" + (" (overdue for rotation)" if overdue else ""))
    return {
        "nip": str(emp.nip),
        "name": emp.name,
        "role": emp.role,
        "unit_before": idx.unit_ids[h],
        "unit_after": idx.unit_ids[u],
        "ej_from_before": _plain(ej_b[h, r]),
        "ej_from_after": _plain(ej_a[h, r]),
        "ej_to_before": _plain(ej_b[u, r]),
        "ej_to_after": _plain(ej_a[u, r]),
        "requirements_covered": "; ".join(covered),
        "preference_rank": rank,
        "months_in_unit": months,
        "reason": "; ".join(parts),
    }


def _plain(x: float) -> float | None:
    if np.isnan(x):
        return None
    return float(x) if np.isinf(x) else round(float(x), 4)


_IMMOVABLE = {
    "locked": "is locked (locked = true), so the plan keeps them where they are",
    "pppk": "is PPPK and the policy does not transfer PPPK (allow_pppk_moves = false)",
    "tenure": "has {months} months in the unit, under the minimum of {minimum} "
    "(min_months_in_unit)",
}


def why_not(plan: Plan, nip: str) -> str:
    """Why employee ``nip`` stays where the plan leaves them (or why they move)."""
    p = plan.problem
    idx = p.index
    if nip not in idx.nip_pos:
        raise KeyError(f"no employee with NIP {nip!r} in this problem")
    e = idx.nip_pos[nip]
    a = plan._require()
    emp = p.employees[e]
    who = f"{emp.name or 'Employee'} ({nip})"
    if a[e] != idx.home[e]:
        return f"{who} moves: " + str(move_details(plan, e)["reason"])
    reason = metrics.immovable_reason(p)[e]
    if reason:
        text = _IMMOVABLE[reason].format(
            months=emp.months_in_unit, minimum=p.policy.min_months_in_unit
        )
        return f"{who} stays: the employee {text}."
    targets = metrics.allowed_units(p, e)
    targets = targets[targets != idx.home[e]]
    if targets.size == 0:
        return (
            f"{who} stays: no other unit has demand for role '{emp.role}' "
            "outside the employee's refused units."
        )
    base = plan.after
    assert base is not None
    budget = p.policy.max_moves
    lines = [f"{who} stays in {_unit_label(plan, int(idx.home[e]))}."]
    if budget is not None and base.moves >= budget:
        lines.append(f"The move budget is fully used ({base.moves} of {budget} moves).")
    best: tuple[tuple[int, int, int], int] | None = None
    for u in targets:
        alt = a.copy()
        alt[e] = u
        m = metrics.evaluate(p, alt)
        key = (m.shortfall, m.imbalance_centi, m.balance_cost_scaled)
        if best is None or key < best[0]:
            best = (key, int(u))
    assert best is not None
    (short, imb, bal), u = best
    deltas = []
    if short != base.shortfall:
        deltas.append(f"competency shortfall {base.shortfall} → {short}")
    deltas.append(f"imbalance D {base.imbalance_hours:,.1f} → {imb / 200:,.1f} hours")
    deltas.append(f"balance cost B {base.balance_cost:,.1f} → {bal / 10_000:,.1f}")
    verdict = (
        "which is worse for the plan's priorities"
        if (short, imb, bal) > (base.shortfall, base.imbalance_centi, base.balance_cost_scaled)
        else "no better for the plan's priorities, and it would cost one more move"
    )
    lines.append(
        f"Their best alternative, moving to {_unit_label(plan, u)}, would change "
        + ", ".join(deltas)
        + f" — {verdict}."
    )
    return " ".join(lines)


def plan_text(plan: Plan) -> str:
    """A short human-readable summary of the plan."""
    lines = [f"Plan status: {plan.status.value}"]
    b, a = plan.before, plan.after
    if a is None:
        lines.extend(f"  - {c.message}" for c in plan.diagnosis)
        return "\n".join(lines)
    rows = [
        ("competency shortfall (staff)", f"{b.shortfall}", f"{a.shortfall}"),
        ("imbalance D (hours)", f"{b.imbalance_hours:,.1f}", f"{a.imbalance_hours:,.1f}"),
        ("balance cost B (hours)", f"{b.balance_cost:,.1f}", f"{a.balance_cost:,.1f}"),
        ("moves", "0", f"{a.moves}"),
        ("preference cost", "0", f"{a.preference_cost}"),
    ]
    width = max(len(r[0]) for r in rows)
    lines.append(f"  {'':<{width}}  {'before':>12}  {'after':>12}")
    lines.extend(f"  {n:<{width}}  {x:>12}  {y:>12}" for n, x, y in rows)
    lines.append("  stages:")
    for s in plan.stages:
        gap = "proven" if s.proven else f"gap {100 * s.gap:.2f}%"
        lines.append(
            f"    {s.name:<10} {s.value_display:>14,.2f} {s.unit:<6} bound "
            f"{s.bound_display:>14,.2f}  {gap:<12} {s.seconds:6.2f}s"
        )
    lines.append(f"  solved in {plan.solve_seconds:.2f}s")
    return "\n".join(lines)
