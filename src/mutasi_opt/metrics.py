"""The single definition of every number mutasi-opt reports.

All functions are pure: they take a :class:`~mutasi_opt.domain.problem.Problem` and,
where relevant, an *assignment* — an integer array giving, for each employee
(in ``problem.employees`` order), the position of the unit it is assigned to
(``problem.index.unit_ids``).  The current state is
``problem.index.home``.

Arithmetic follows the model exactly (see ``docs/model.md``):

* capacity ``c_e = round_half_up(fte × effective_hours)`` whole hours;
* workload ``W(u, r)`` rounded half up to whole hours;
* fair share ``F(u, r) = W(u, r) · C_r / W_r`` in centi-hours, rounded half up;
* deviation ``d = |S − F|`` in centi-hours; imbalance ``D = ½ Σ d``;
* balance cost ``B = Σ φ(d, F)`` with ``φ`` convex piecewise linear in
  ``d / F``, scaled by 100 so that percent breakpoints stay integral:
  ``100·φ = Σ_k (s_k − s_{k−1}) · max(0, 100·d − b_k·F)``.

So ``imbalance_centi`` is in centi-hours (divide by 100 for hours, and D is
half of it), ``balance_cost_scaled`` is in 1/10,000 hours.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from .domain.arrays import BoolArray, FloatArray, IntArray, StrArray
from .domain.problem import DEFAULT_EJ_BANDS, Policy, Problem
from .domain.stages import PERMANENT_STAGES, permanent_stages
from .domain.values import add_months, months_between

__all__ = [
    "BALANCE_SCALE",
    "BANDS",
    "IMBALANCE_SCALE",
    "STAGES",
    "Metrics",
    "Secondments",
    "allowed_units",
    "as_assignment",
    "assigned_capacity_centi",
    "balance_cost_by_pair",
    "balance_cost_scaled",
    "band",
    "blackout_months",
    "capacity_hours",
    "changed",
    "changes",
    "deviation_centi",
    "draft_units",
    "ej",
    "evaluate",
    "fair_share_centi",
    "fte_capacity_hours",
    "fte_centi",
    "has_draft",
    "headcount",
    "imbalance_centi",
    "imbalance_fte",
    "immovable_reason",
    "inactive",
    "individual_rationality_cover",
    "lending_limit",
    "lent_capacity_centi",
    "months_to_retirement",
    "movable",
    "moved",
    "near_count",
    "near_qualified",
    "overdue",
    "overdue_remaining",
    "phi_scaled",
    "phi_scaled_one",
    "pinned_units",
    "preference_cost",
    "preference_costs",
    "priority_points",
    "problem_stage_names",
    "qualified_count",
    "qualifies_for_surge",
    "requirement_shortfall",
    "requirement_training",
    "retirement_ages",
    "retirement_dates",
    "retirement_loss_hours",
    "retiring",
    "retiring_soon",
    "role_capacity_hours",
    "rotation_exempt",
    "round_half_up",
    "secondable",
    "secondment_balance_scaled",
    "secondment_preference_cost",
    "stage_names",
    "surge_cover_centi",
    "surge_horizon",
    "surge_need_centi",
    "uncounted",
    "uncovered_centi",
    "unit_role_pairs",
    "unit_role_table",
    "unit_table",
    "workload_hours",
]


#: EJ band letters from most to least loaded.
BANDS = ("A", "B", "C", "D", "E")


# --------------------------------------------------------------------- scalars
def round_half_up(value: float | Decimal) -> int:
    """Round to the nearest integer, halves away from zero, exactly on the decimal text."""
    dec = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return int(dec.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _round_array(values: FloatArray, scale: int = 1) -> IntArray:
    """``round_half_up(v × scale)`` for every element, exact on the decimal text."""
    uniq, inverse = np.unique(values, return_inverse=True)
    rounded = np.array(
        [round_half_up(Decimal(repr(float(v))) * scale) for v in uniq], dtype=np.int64
    )
    return rounded[inverse.reshape(values.shape)]


# ------------------------------------------------------------------ capacities
def fte_capacity_hours(fte: Any, effective_hours: float) -> IntArray:
    """Yearly capacity in whole hours of staff with the given FTE.

    Parameters
    ----------
    fte
        FTE of each employee (scalar or array; 1 = full time).
    effective_hours
        Effective working hours of one full-time employee per year.

    Returns
    -------
    IntArray
        ``round_half_up(fte × effective_hours)`` elementwise, exact on the
        decimal text (the capacity ``c_e`` of the model).
    """
    arr = np.asarray(fte, dtype=np.float64)
    eff = Decimal(repr(float(effective_hours)))
    uniq, inverse = np.unique(arr, return_inverse=True)
    caps = np.array([round_half_up(Decimal(repr(float(f))) * eff) for f in uniq], dtype=np.int64)
    return caps[inverse.reshape(arr.shape)]


def capacity_hours(problem: Problem) -> IntArray:
    """``c_e``: yearly capacity of each employee, ``round_half_up(fte × effective_hours)``."""

    def build() -> IntArray:
        out = fte_capacity_hours(problem.index.fte, problem.policy.effective_hours)
        out[uncounted(problem)] = 0
        out.setflags(write=False)
        return out

    result: IntArray = problem.cached("capacity_hours", build)
    return result


# ------------------------------------------------- retirements and inactivity
def retirement_ages(problem: Problem) -> IntArray:
    """Per employee the retirement age (BUP): the employee's ``retirement_age``, else
    ``policy.retirement_ages`` of the role, else ``policy.retirement_age``."""
    pol = problem.policy

    def build() -> IntArray:
        out = np.array(
            [
                e.retirement_age
                if e.retirement_age is not None
                else pol.retirement_ages.get(e.role, pol.retirement_age)
                for e in problem.employees
            ],
            dtype=np.int64,
        ).reshape(len(problem.employees))
        out.setflags(write=False)
        return out

    result: IntArray = problem.cached("retirement_ages", build)
    return result


def retirement_dates(problem: Problem) -> list[dt.date | None]:
    """Per employee the first day of pension (TMT pensiun): the first day of the month
    after the month of the birthday at the retirement age; None without a birth date
    (an opaque NIP and no ``birth_date``)."""

    def build() -> list[dt.date | None]:
        out: list[dt.date | None] = []
        for e, age in zip(problem.employees, retirement_ages(problem).tolist(), strict=True):
            born = e.born
            out.append(
                None if born is None else add_months(dt.date(born.year + age, born.month, 1), 1)
            )
        return out

    result: list[dt.date | None] = problem.cached("retirement_dates", build)
    return result


def months_to_retirement(problem: Problem) -> IntArray:
    """Per employee the whole months from ``policy.plan_date`` to the pension date
    (0 when it has passed); -1 when unknown (no plan date or no birth date)."""

    def build() -> IntArray:
        plan_date = problem.policy.plan_date
        out = np.full(len(problem.employees), -1, dtype=np.int64)
        if plan_date is not None:
            for e, day in enumerate(retirement_dates(problem)):
                if day is not None:
                    out[e] = months_between(plan_date, day)
        out.setflags(write=False)
        return out

    result: IntArray = problem.cached("months_to_retirement", build)
    return result


def _retiring_within(problem: Problem, months: int) -> BoolArray:
    """Employees whose pension starts at most ``months`` after ``plan_date``."""
    plan_date = problem.policy.plan_date

    def build() -> BoolArray:
        out = np.zeros(len(problem.employees), dtype=np.bool_)
        if plan_date is not None:
            end = add_months(plan_date, months)
            for e, day in enumerate(retirement_dates(problem)):
                out[e] = day is not None and day <= end
        out.setflags(write=False)
        return out

    result: BoolArray = problem.cached(f"retiring_within_{months}", build)
    return result


def retiring(problem: Problem) -> BoolArray:
    """Employees whose pension starts within ``horizon_months`` of ``plan_date``
    (pension date ≤ plan date + horizon); none without a plan date."""
    return _retiring_within(problem, problem.policy.horizon_months)


def retiring_soon(problem: Problem) -> BoolArray:
    """Employees not moved because their pension starts within
    ``no_move_before_retirement_months`` of ``plan_date``."""
    return _retiring_within(problem, problem.policy.no_move_before_retirement_months)


def inactive(problem: Problem) -> BoolArray:
    """Employees not active (``inactive`` not empty: tugas belajar, CLTN, ...)."""

    def build() -> BoolArray:
        out = np.fromiter(
            (bool(e.inactive) for e in problem.employees),
            dtype=np.bool_,
            count=len(problem.employees),
        )
        out.setflags(write=False)
        return out

    result: BoolArray = problem.cached("inactive", build)
    return result


def retirement_loss_hours(problem: Problem) -> IntArray:
    """Per unit the yearly capacity (whole hours, ``round_half_up(fte ×
    effective_hours)``) of its staff retiring within the horizon: what the unit
    loses to retirements (inactive staff whose capacity is not counted lose none)."""
    idx, pol = problem.index, problem.policy
    nominal = fte_capacity_hours(idx.fte, pol.effective_hours)
    counts = retiring(problem).copy()
    if not pol.inactive_capacity:
        counts &= ~inactive(problem)
    return np.bincount(idx.home[counts], weights=nominal[counts], minlength=idx.n_units).astype(
        np.int64
    )


def uncounted(problem: Problem) -> BoolArray:
    """Employees whose capacity counts as 0: inactive staff (unless
    ``inactive_capacity``) and, with ``retiring_capacity = "leave"``, staff retiring
    within the horizon.  None of them is movable."""
    pol = problem.policy
    out = np.zeros(len(problem.employees), dtype=np.bool_)
    if not pol.inactive_capacity:
        out |= inactive(problem)
    if pol.retiring_capacity == "leave":
        out |= retiring(problem)
    return out


def workload_hours(problem: Problem) -> IntArray:
    """``W(u, r)``: workload per unit and role in whole hours (rounded half up)."""

    def build() -> IntArray:
        out = _round_array(problem.index.workload)
        out.setflags(write=False)
        return out

    result: IntArray = problem.cached("workload_hours", build)
    return result


def role_capacity_hours(problem: Problem) -> IntArray:
    """``C_r``: total capacity of each role pool in hours."""
    idx = problem.index
    return np.bincount(idx.role, weights=capacity_hours(problem), minlength=idx.n_roles).astype(
        np.int64
    )


def fair_share_centi(problem: Problem) -> IntArray:
    """``F(u, r) = W(u, r) · C_r / W_r`` in centi-hours, rounded half up (0 when W_r = 0)."""

    def build() -> IntArray:
        w = workload_hours(problem)
        c = role_capacity_hours(problem)
        w_r = w.sum(axis=0)
        out = np.zeros_like(w)
        for r in range(w.shape[1]):
            if w_r[r] == 0:
                continue
            # round_half_up(100 · W · C / W_r) = floor((200 · W · C + W_r) / (2 · W_r))
            num = [(200 * int(wu) * int(c[r]) + int(w_r[r])) // (2 * int(w_r[r])) for wu in w[:, r]]
            out[:, r] = num
        out.setflags(write=False)
        return out

    result: IntArray = problem.cached("fair_share_centi", build)
    return result


def as_assignment(problem: Problem, assignment: Any) -> IntArray:
    """Normalise an assignment to an array of unit positions.

    Accepts an array/sequence of unit positions, a sequence of unit ids in
    employee order, or a mapping NIP → unit id (employees not in the mapping
    stay home).
    """
    idx = problem.index
    if isinstance(assignment, Mapping):
        out = idx.home.copy()
        for nip, unit in assignment.items():
            out[idx.nip_pos[str(nip)]] = idx.unit_pos[str(unit)]
        return out
    if isinstance(assignment, np.ndarray) and assignment.dtype.kind in "iu":
        arr = assignment.astype(np.int64, copy=False)
    elif isinstance(assignment, Sequence) and assignment and isinstance(assignment[0], str):
        arr = np.array([idx.unit_pos[u] for u in assignment], dtype=np.int64)
    else:
        arr = np.asarray(assignment, dtype=np.int64)
    if arr.shape != (idx.n_employees,):
        raise ValueError(
            f"assignment has {arr.shape[0] if arr.ndim else 0} entries for "
            f"{idx.n_employees} employees"
        )
    if arr.size and (arr.min() < 0 or arr.max() >= idx.n_units):
        raise ValueError("assignment holds a unit position outside the problem's units")
    return arr


def assigned_capacity_centi(problem: Problem, assignment: IntArray) -> IntArray:
    """``S(u, r)``: capacity (centi-hours) of role ``r`` assigned to unit ``u``."""
    idx = problem.index
    flat = assignment * idx.n_roles + idx.role
    sums = np.bincount(
        flat, weights=capacity_hours(problem), minlength=idx.n_units * idx.n_roles
    ).astype(np.int64)
    return 100 * sums.reshape(idx.n_units, idx.n_roles)


def deviation_centi(problem: Problem, assignment: IntArray) -> IntArray:
    """``d(u, r) = |S(u, r) − F(u, r)|`` in centi-hours."""
    out: IntArray = np.abs(assigned_capacity_centi(problem, assignment) - fair_share_centi(problem))
    return out


def _phi_pieces(policy: Policy) -> tuple[tuple[int, int], ...]:
    """φ's pieces as (slope increase s_k − s_(k−1), breakpoint b_k in percent)."""
    return _pieces(tuple(policy.balance_breakpoints), tuple(policy.balance_slopes))


@functools.cache
def _pieces(breakpoints: tuple[int, ...], slopes: tuple[int, ...]) -> tuple[tuple[int, int], ...]:
    return tuple(
        (s - prev, b) for b, s, prev in zip(breakpoints, slopes, (0, *slopes[:-1]), strict=True)
    )


def phi_scaled(d: IntArray, f: IntArray, policy: Policy) -> IntArray:
    """``100 · φ(d, F)`` elementwise (d and F in centi-hours)."""
    d = np.asarray(d, dtype=np.int64)
    f = np.asarray(f, dtype=np.int64)
    out = np.zeros(np.broadcast_shapes(d.shape, f.shape), dtype=np.int64)
    for rise, b in _phi_pieces(policy):
        out += rise * np.maximum(0, 100 * d - b * f)
    return out


def phi_scaled_one(d: int, f: int, policy: Policy) -> int:
    """``100 · φ(d, F)`` of one pair (d and F in centi-hours): :func:`phi_scaled` for
    two integers, without arrays (the model's cuts and the warm start's moves ask
    for it tens of thousands of times at 20,000 employees)."""
    out = 0
    for rise, b in _phi_pieces(policy):
        out += rise * max(0, 100 * d - b * f)
    return out


def balance_cost_by_pair(problem: Problem, assignment: IntArray) -> IntArray:
    """``100 · φ(d(u, r), F(u, r))`` per (unit, role): the terms of ``B`` × 10,000."""
    d = deviation_centi(problem, assignment)
    return phi_scaled(d, fair_share_centi(problem), problem.policy)


def balance_cost_scaled(problem: Problem, assignment: IntArray) -> int:
    """``B`` scaled by 10,000 (hours × 10,000), an exact integer."""
    return int(balance_cost_by_pair(problem, assignment).sum())


def imbalance_centi(problem: Problem, assignment: IntArray) -> int:
    """``Σ d(u, r)`` in centi-hours (``D`` in hours is this ÷ 200)."""
    return int(deviation_centi(problem, assignment).sum())


# -------------------------------------------------------------- EJ and bands
def ej(workload: Any, capacity: Any) -> FloatArray:
    """Efektivitas jabatan = workload hours ÷ capacity hours.

    ``inf`` when there is workload but no capacity, ``nan`` when both are 0.
    """
    w = np.asarray(workload, dtype=np.float64)
    c = np.asarray(capacity, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(c > 0, w / np.where(c > 0, c, 1.0), np.where(w > 0, np.inf, np.nan))


#: Decimals of an EJ as reported (tables, files, JSON).
EJ_DECIMALS = 4


def reported_ej(x: float, *, infinite: bool = True) -> float | None:
    """An EJ as reported: rounded to :data:`EJ_DECIMALS`; ``None`` where it is
    undefined (no workload and no staff); ``inf`` (workload but no staff) kept,
    or ``None`` as well with ``infinite=False`` (where the band says it)."""
    x = float(x)
    if math.isnan(x) or (math.isinf(x) and not infinite):
        return None
    return x if math.isinf(x) else round(x, EJ_DECIMALS)


def band(ej_value: Any, thresholds: Sequence[float] = DEFAULT_EJ_BANDS) -> Any:
    """EJ band letter: A > t0 ≥ B ≥ t1 > C ≥ t2 > D ≥ t3 > E (``""`` for nan).

    With the default thresholds: A above 1.00, B 0.90-1.00, C 0.70-0.89,
    D 0.50-0.69, E below 0.50.  Works on scalars and arrays.
    """
    arr = np.asarray(ej_value, dtype=np.float64)
    a, b, c, d = thresholds
    out = np.select(
        [np.isnan(arr), arr > a, arr >= b, arr >= c, arr >= d],
        ["", "A", "B", "C", "D"],
        default="E",
    )
    if out.ndim == 0:
        return str(out)
    return out.astype(object)


# ------------------------------------------------------------------ headcount
def headcount(problem: Problem, assignment: IntArray) -> IntArray:
    """Number of employees assigned to each unit."""
    return np.bincount(assignment, minlength=problem.index.n_units).astype(np.int64)


def qualified_count(problem: Problem, assignment: IntArray) -> IntArray:
    """For each requirement, the number of qualified employees assigned to its unit."""
    idx = problem.index
    if not len(problem.requirements):
        return np.zeros(0, dtype=np.int64)
    at_unit = assignment[None, :] == idx.req_unit[:, None]
    counts: IntArray = (at_unit & idx.qualified).sum(axis=1).astype(np.int64)
    return counts


def individual_rationality_cover(
    problem: Problem, assignment: IntArray
) -> tuple[dict[int, int], list[int]]:
    """Individual rationality's exceptions in ``assignment`` (unit positions).

    The *unlisted movers* ``L_u`` of unit ``u`` are the employees moved to ``u`` who
    did not list it in ``preferred_units`` and are not pinned (``pinned_unit``).  Per
    requirement ``q`` at ``u`` (qualified: level at or above its ``min_level``, as in
    :func:`qualified_count`), the staff at ``u`` outside ``L_u`` cover
    ``covered_q``; its *deficit* is ``d_q = max(0, min_staff_q − covered_q)``.  The
    unlisted movers are excepted only as far as they fill deficits: a maximum
    b-matching of ``L_u`` to the requirements they are qualified for, requirement
    ``q`` taking at most ``d_q`` of them (augmenting paths, employees in input order
    and requirements in problem order, so the result is deterministic).

    Returns ``(matched, unmatched)``: employee → the requirement position they cover,
    and the unlisted movers left unmatched (in employee order).
    """
    idx = problem.index
    home = idx.home
    pins = pinned_units(problem)
    unlisted: dict[int, list[int]] = {}
    for e_pos in np.flatnonzero(assignment != home):
        e, u = int(e_pos), int(assignment[e_pos])
        if pins[e] >= 0 or u in idx.preferred[e]:
            continue
        unlisted.setdefault(u, []).append(e)
    matched: dict[int, int] = {}
    unmatched: list[int] = []
    if not unlisted:
        return matched, unmatched
    have = qualified_count(problem, assignment)
    reqs_at: dict[int, list[int]] = {}
    for q, u in enumerate(idx.req_unit.tolist()):
        reqs_at.setdefault(int(u), []).append(q)
    for u in sorted(unlisted):
        movers = unlisted[u]
        reqs = reqs_at.get(u, [])
        cap: dict[int, int] = {}
        for q in reqs:
            covered = int(have[q]) - sum(1 for e in movers if idx.qualified[q, e])
            cap[q] = max(0, problem.requirements[q].min_staff - covered)
        taken: dict[int, list[int]] = {q: [] for q in reqs}

        def augment(
            e: int,
            seen: set[int],
            taken: dict[int, list[int]] = taken,
            cap: dict[int, int] = cap,
            reqs: list[int] = reqs,
        ) -> bool:
            for q in reqs:
                if q in seen or not idx.qualified[q, e] or not cap[q]:
                    continue
                seen.add(q)
                if len(taken[q]) < cap[q]:
                    taken[q].append(e)
                    return True
                for k, other in enumerate(taken[q]):
                    if augment(other, seen):
                        taken[q][k] = e
                        return True
            return False

        for e in movers:
            if not augment(e, set()):
                unmatched.append(e)
        for q in reqs:
            for e in taken[q]:
                matched[e] = q
    unmatched.sort()
    return matched, unmatched


def near_qualified(problem: Problem) -> BoolArray:
    """``[Q, E]``: employee ``e`` is *near-qualified* for requirement ``q``.

    With ``g = policy.trainable_gap``: ``min_level − g ≤ level < min_level``,
    where ``level`` is the employee's level in the requirement's competency (0
    when not held, so with ``g ≥ min_level`` anyone without it is near).  Such
    staff at the requirement's unit count toward it after training.  All False
    when ``g = 0``.
    """

    def build() -> BoolArray:
        idx = problem.index
        reqs = problem.requirements
        gap = problem.policy.trainable_gap
        out = np.zeros((len(reqs), idx.n_employees), dtype=np.bool_)
        if gap > 0 and reqs:
            levels: dict[str, IntArray] = {}
            for q, req in enumerate(reqs):
                lv = levels.get(req.competency)
                if lv is None:
                    lv = np.array(
                        [e.level(req.competency) for e in problem.employees], dtype=np.int64
                    )
                    levels[req.competency] = lv
                out[q] = (lv >= req.min_level - gap) & (lv < req.min_level)
        out.setflags(write=False)
        return out

    result: BoolArray = problem.cached("near_qualified", build)
    return result


def near_count(problem: Problem, assignment: IntArray) -> IntArray:
    """For each requirement, the number of near-qualified employees assigned to its unit
    (see :func:`near_qualified`; all 0 when ``trainable_gap`` is 0)."""
    idx = problem.index
    if not len(problem.requirements) or problem.policy.trainable_gap == 0:
        return np.zeros(len(problem.requirements), dtype=np.int64)
    at_unit = assignment[None, :] == idx.req_unit[:, None]
    counts: IntArray = (at_unit & near_qualified(problem)).sum(axis=1).astype(np.int64)
    return counts


def _uncovered(problem: Problem, assignment: IntArray) -> IntArray:
    """For each requirement, ``max(0, min_staff − qualified staff assigned)``."""
    need = np.array([q.min_staff for q in problem.requirements], dtype=np.int64)
    out: IntArray = np.maximum(0, need - qualified_count(problem, assignment))
    return out


def requirement_shortfall(problem: Problem, assignment: IntArray) -> IntArray:
    """For each requirement, ``max(0, min_staff − qualified − near-qualified staff assigned)``.

    Near-qualified staff (:func:`near_qualified`) count after training; with
    ``trainable_gap`` = 0 there are none and this is ``max(0, min_staff −
    qualified)``.
    """
    short: IntArray = np.maximum(
        0, _uncovered(problem, assignment) - near_count(problem, assignment)
    )
    return short


def requirement_training(problem: Problem, assignment: IntArray) -> IntArray:
    """For each requirement, the near-qualified staff it needs trained:
    ``min(near, max(0, min_staff − qualified))`` — the uncovered need
    ``max(0, min_staff − qualified)`` less the shortfall."""
    out: IntArray = np.minimum(near_count(problem, assignment), _uncovered(problem, assignment))
    return out


# ----------------------------------------------------------------- movability
def immovable_reason(problem: Problem) -> list[str]:
    """Per employee: ``""`` when movable, else ``locked``, ``pppk``, ``tenure``,
    ``inactive`` or ``retiring`` (the first that applies)."""
    idx, pol = problem.index, problem.policy
    off = inactive(problem)
    leaving = _retirement_stay(problem)
    out: list[str] = []
    for e in range(idx.n_employees):
        if idx.locked[e]:
            out.append("locked")
        elif idx.pppk[e] and not pol.allow_pppk_moves:
            out.append("pppk")
        elif 0 <= idx.months[e] < pol.min_months_in_unit:
            out.append("tenure")
        elif off[e]:
            out.append("inactive")
        elif leaving[e]:
            out.append("retiring")
        else:
            out.append("")
    return out


def overdue(problem: Problem) -> BoolArray:
    """Employees overdue for rotation: more than ``overdue_months`` in their unit
    (PP 11/2017 Pasal 190: at most 5 years in one post)."""
    return np.asarray(problem.index.months > problem.policy.overdue_months)


def overdue_remaining(problem: Problem, assignment: IntArray) -> int:
    """Overdue employees (:func:`overdue`) the assignment leaves in their unit."""
    return int((overdue(problem) & (np.asarray(assignment) == problem.index.home)).sum())


def must_rotate(problem: Problem) -> BoolArray:
    """With ``rotation_required``: the overdue employees (:func:`overdue`) a plan must
    move: movable, with another unit for their role, and not pinned to stay (a
    ``pinned_unit`` at home is an accepted decision, as a lock); the others are
    exempt, see :func:`rotation_exempt`.  None without the rule."""
    if not problem.policy.rotation_required:
        return np.zeros(len(problem.employees), dtype=np.bool_)

    def build() -> BoolArray:
        stay: BoolArray = np.asarray(pinned_units(problem) == problem.index.home)
        out = overdue(problem) & movable(problem) & ~stay
        for e in np.flatnonzero(out).tolist():
            out[e] = len(allowed_units(problem, e)) > 1
        out.setflags(write=False)
        return out

    result: BoolArray = problem.cached("must_rotate", build)
    return result


def rotation_exempt(problem: Problem) -> dict[str, int]:
    """With ``rotation_required``: overdue employees exempt from it, per reason (those
    of :func:`immovable_reason`, ``pinned``: pinned to stay, and ``no_target``: no
    other unit for the role)."""
    if not problem.policy.rotation_required:
        return {}
    reasons = immovable_reason(problem)
    stay = pinned_units(problem) == problem.index.home
    out: dict[str, int] = {}
    for e in np.flatnonzero(overdue(problem) & ~must_rotate(problem)).tolist():
        why = reasons[e] or ("pinned" if stay[e] else "no_target")
        out[why] = out.get(why, 0) + 1
    return out


def movable(problem: Problem) -> BoolArray:
    """``movable(e)``: not locked, PNS (or PPPK allowed), long enough in the unit,
    active, and not about to retire (see :func:`immovable_reason`)."""
    idx, pol = problem.index, problem.policy
    ok = ~idx.locked
    if not pol.allow_pppk_moves:
        ok &= ~idx.pppk
    ok &= (idx.months < 0) | (idx.months >= pol.min_months_in_unit)
    ok &= ~inactive(problem)
    ok &= ~_retirement_stay(problem)
    return ok


def _retirement_stay(problem: Problem) -> BoolArray:
    """Employees who stay because of their retirement: within
    ``no_move_before_retirement_months`` of it, or within the horizon when their
    capacity is counted as gone (``retiring_capacity = "leave"``)."""
    out = retiring_soon(problem)
    if problem.policy.retiring_capacity == "leave":
        out = out | retiring(problem)
    return out


def allowed_units(problem: Problem, employee: int) -> IntArray:
    """``allowed(e)``: home plus, when movable, every unit with demand for the role not refused."""
    idx = problem.index
    home = int(idx.home[employee])
    if not movable(problem)[employee]:
        return np.array([home], dtype=np.int64)
    cand = np.flatnonzero(idx.has_demand[:, idx.role[employee]])
    refused = idx.refused[employee]
    if refused:
        cand = cand[~np.isin(cand, refused)]
    return np.union1d(cand, [home]).astype(np.int64)


# ------------------------------------------------------------- preferences
def preference_costs(problem: Problem, assignment: IntArray) -> IntArray:
    """Per employee: 0 staying, ``k − 1`` for the k-th preferred unit, else unlisted cost."""
    idx = problem.index
    unlisted = problem.policy.unlisted_preference_cost
    out = np.zeros(idx.n_employees, dtype=np.int64)
    for e in np.flatnonzero(assignment != idx.home):
        prefs = idx.preferred[e]
        u = int(assignment[e])
        out[e] = prefs.index(u) if u in prefs else unlisted
    return out


def preference_cost(problem: Problem, assignment: IntArray) -> int:
    """Total preference cost."""
    return int(preference_costs(problem, assignment).sum())


def moved(problem: Problem, assignment: IntArray) -> BoolArray:
    """Employees whose unit changes."""
    return np.asarray(assignment != problem.index.home)


# ------------------------------------------------------- consultation rounds
def _unit_positions(problem: Problem, field: str) -> IntArray:
    pos = problem.index.unit_pos
    out = np.array(
        [-1 if (u := getattr(e, field)) is None else pos[u] for e in problem.employees],
        dtype=np.int64,
    ).reshape(len(problem.employees))
    out.setflags(write=False)
    return out


def draft_units(problem: Problem) -> IntArray:
    """Per employee: the position of their ``draft_unit``, −1 when they have none."""
    result: IntArray = problem.cached("draft_units", lambda: _unit_positions(problem, "draft_unit"))
    return result


def pinned_units(problem: Problem) -> IntArray:
    """Per employee: the position of their ``pinned_unit``, −1 when they have none."""
    result: IntArray = problem.cached(
        "pinned_units", lambda: _unit_positions(problem, "pinned_unit")
    )
    return result


def priority_points(problem: Problem) -> FloatArray:
    """Per employee: their ``priority`` points (0 when not given)."""

    def build() -> FloatArray:
        out = np.array(
            [0.0 if e.priority is None else e.priority for e in problem.employees],
            dtype=np.float64,
        ).reshape(len(problem.employees))
        out.setflags(write=False)
        return out

    result: FloatArray = problem.cached("priority_points", build)
    return result


def has_draft(problem: Problem) -> bool:
    """Whether some employee has a ``draft_unit`` (then the ``changes`` stage runs)."""
    return bool((draft_units(problem) >= 0).any())


def changed(problem: Problem, assignment: IntArray) -> BoolArray:
    """Employees with a ``draft_unit`` whom ``assignment`` puts elsewhere."""
    draft = draft_units(problem)
    return np.asarray((draft >= 0) & (assignment != draft))


def changes(problem: Problem, assignment: IntArray) -> int:
    """The ``changes`` stage: how many draft decisions ``assignment`` changes."""
    return int(changed(problem, assignment).sum())


# ---------------------------------------------------------------- summary
#: The lexicographic stages of a permanent plan, in order, when no training
#: counts (``trainable_gap`` = 0) and there is no draft; see :func:`stage_names`.
STAGES = tuple(s.name for s in PERMANENT_STAGES if s.name not in ("training", "changes"))

#: exact integer units per display unit: Σd centi-hours per hour of ``D``
#: (½ Σ d), B × 10,000 per hour of ``B`` (the permanent stage table's scales)
IMBALANCE_SCALE = next(s.scale for s in PERMANENT_STAGES if s.name == "imbalance")
BALANCE_SCALE = next(s.scale for s in PERMANENT_STAGES if s.name == "balance")


def stage_names(policy: Policy, *, draft: bool = False) -> tuple[str, ...]:
    """The stages the solver runs under ``policy``: :data:`STAGES`, with
    ``training`` right after ``shortfall`` when ``trainable_gap`` > 0 and
    ``changes`` after ``balance`` with ``draft`` (:func:`has_draft`)
    (:func:`mutasi_opt.domain.stages.permanent_stages`)."""
    return tuple(s.name for s in permanent_stages(policy, draft=draft))


def problem_stage_names(problem: Problem) -> tuple[str, ...]:
    """The stages the solver runs on ``problem`` (:func:`stage_names` of its policy and draft)."""
    return stage_names(problem.policy, draft=has_draft(problem))


@dataclass(frozen=True)
class Metrics:
    """Every headline number of one assignment.

    Integer fields (``*_centi``, ``*_scaled``) are exact; the hour fields are
    derived from them for display.  ``training`` is the number of training
    needs (0 when ``trainable_gap`` is 0); ``stages`` are the stage names of
    the problem's policy (:func:`stage_names`), in :meth:`stage_values` order.
    """

    shortfall: int
    imbalance_centi: int
    balance_cost_scaled: int
    moves: int
    preference_cost: int
    training: int = 0
    stages: tuple[str, ...] = STAGES
    #: draft decisions changed (0 without draft units)
    changes: int = 0

    @property
    def imbalance_hours(self) -> float:
        """``D = ½ Σ d`` in hours."""
        return self.imbalance_centi / IMBALANCE_SCALE

    @property
    def balance_cost(self) -> float:
        """``B`` in hours."""
        return self.balance_cost_scaled / BALANCE_SCALE

    def value(self, stage: str) -> int:
        """The value of stage ``stage`` in its exact integer unit."""
        values = {
            "shortfall": self.shortfall,
            "training": self.training,
            "imbalance": self.imbalance_centi,
            "balance": self.balance_cost_scaled,
            "moves": self.moves,
            "preference": self.preference_cost,
            "changes": self.changes,
        }
        return values[stage]

    def stage_values(self) -> tuple[int, ...]:
        """The lexicographic stage values (of :attr:`stages`) in their exact integer units."""
        return tuple(self.value(s) for s in self.stages)


def evaluate(problem: Problem, assignment: Any = None) -> Metrics:
    """All headline metrics of ``assignment`` (default: the current state)."""
    a = problem.index.home if assignment is None else as_assignment(problem, assignment)
    return Metrics(
        shortfall=int(requirement_shortfall(problem, a).sum()),
        imbalance_centi=imbalance_centi(problem, a),
        balance_cost_scaled=balance_cost_scaled(problem, a),
        moves=int(moved(problem, a).sum()),
        preference_cost=preference_cost(problem, a),
        training=int(requirement_training(problem, a).sum()),
        stages=problem_stage_names(problem),
        changes=changes(problem, a),
    )


def imbalance_fte(problem: Problem, assignment: IntArray) -> float:
    """``D`` expressed in FTE (hours ÷ effective hours)."""
    hours = imbalance_centi(problem, assignment) / IMBALANCE_SCALE
    return hours / float(problem.policy.effective_hours)


# ------------------------------------------------------------ unit tables
def unit_role_pairs(problem: Problem, *assignments: Any) -> BoolArray:
    """``[U, R]`` mask of the (unit, role) pairs worth reporting.

    A pair is included when the unit has a demand row for the role or when,
    in any of ``assignments`` (default: the current state), staff of that
    role sit in the unit.  Pass the before and after assignments of a plan to
    get one set of rows for both.
    """
    idx = problem.index
    mask = idx.has_demand.copy()
    for a in assignments or (idx.home,):
        arr = as_assignment(problem, a)
        flat = np.bincount(arr * idx.n_roles + idx.role, minlength=idx.n_units * idx.n_roles)
        mask |= flat.reshape(idx.n_units, idx.n_roles) > 0
    return mask


def unit_role_table(
    problem: Problem, assignment: Any = None, *, pairs: BoolArray | None = None
) -> dict[str, npt.NDArray[Any]]:
    """Per (unit, role) workload, capacity, fair share, EJ and band of an assignment.

    Parameters
    ----------
    problem
        The problem.
    assignment
        Anything :func:`as_assignment` accepts; default the current state.
    pairs
        ``[U, R]`` mask of the rows to return; default
        :func:`unit_role_pairs` of ``assignment`` (demand rows and pairs
        where staff of the role sit).

    Returns
    -------
    dict of str to numpy.ndarray
        Equal-length columns, rows ordered by unit position then role
        position: ``unit`` and ``role`` (positions into ``index.unit_ids`` /
        ``index.roles``), ``headcount``, ``fte`` (Σ fte), ``workload_hours``
        (``W``, whole hours), ``capacity_hours`` (``S``, whole hours),
        ``fair_share_hours`` (``F``, to 0.01 h), ``deviation_hours``
        (``|S − F|``), ``ej`` (``W ÷ S``; ``inf`` with work but no staff)
        and ``band`` (letters from ``policy.ej_bands``).
    """
    idx = problem.index
    a = idx.home if assignment is None else as_assignment(problem, assignment)
    n_u, n_r = idx.n_units, idx.n_roles
    mask = unit_role_pairs(problem, a) if pairs is None else np.asarray(pairs, dtype=np.bool_)
    flat = a * n_r + idx.role
    hc = np.bincount(flat, minlength=n_u * n_r).reshape(n_u, n_r).astype(np.int64)
    fte = np.bincount(flat, weights=idx.fte, minlength=n_u * n_r).reshape(n_u, n_r)
    s = assigned_capacity_centi(problem, a)
    f = fair_share_centi(problem)
    w = workload_hours(problem)
    u, r = np.nonzero(mask)
    cap = s[u, r] // 100
    ej_v = ej(w[u, r], cap)
    return {
        "unit": u.astype(np.int64),
        "role": r.astype(np.int64),
        "headcount": hc[u, r],
        "fte": fte[u, r],
        "workload_hours": w[u, r].astype(np.int64),
        "capacity_hours": cap.astype(np.int64),
        "fair_share_hours": f[u, r] / 100,
        "deviation_hours": np.abs(s[u, r] - f[u, r]) / 100,
        "ej": ej_v,
        "band": band(ej_v, problem.policy.ej_bands),
    }


def unit_table(problem: Problem, assignment: Any = None) -> dict[str, npt.NDArray[Any]]:
    """Per unit (all roles together) head count, workload, capacity, EJ and band.

    Parameters
    ----------
    problem
        The problem.
    assignment
        Anything :func:`as_assignment` accepts; default the current state.

    Returns
    -------
    dict of str to numpy.ndarray
        One entry per unit, in ``index.unit_ids`` order: ``unit``
        (positions), ``headcount``, ``fte``, ``workload_hours`` (Σ_r W),
        ``capacity_hours`` (Σ_r S), ``fair_share_hours`` (Σ_r F),
        ``ej`` (workload ÷ capacity; ``inf`` with work but no staff,
        ``nan`` with neither) and ``band`` (``""`` for ``nan``).
    """
    idx = problem.index
    a = idx.home if assignment is None else as_assignment(problem, assignment)
    w = workload_hours(problem).sum(axis=1).astype(np.int64)
    cap = assigned_capacity_centi(problem, a).sum(axis=1) // 100
    ej_v = ej(w, cap)
    return {
        "unit": np.arange(idx.n_units, dtype=np.int64),
        "headcount": headcount(problem, a),
        "fte": np.bincount(a, weights=idx.fte, minlength=idx.n_units),
        "workload_hours": w,
        "capacity_hours": cap.astype(np.int64),
        "fair_share_hours": fair_share_centi(problem).sum(axis=1) / 100,
        "ej": ej_v,
        "band": band(ej_v, problem.policy.ej_bands),
    }


# ---------------------------------------------------------------------- surges
@dataclass(frozen=True)
class Secondments:
    """Temporary transfers as aligned arrays: ``employee`` (position) helps surge
    ``surge`` (position in the surges tuple) from month ``first`` to ``last``
    inclusive (month indices, see :func:`mutasi_opt.domain.values.month_index`)."""

    employee: IntArray
    surge: IntArray
    first: IntArray
    last: IntArray

    @classmethod
    def empty(cls) -> Secondments:
        """No secondments."""
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z, z, z)

    def __len__(self) -> int:
        return len(self.employee)

    def present(self, months: range) -> BoolArray:
        """``[k, m]``: secondment ``k`` runs in month ``months[m]``."""
        m = np.arange(months.start, months.stop, dtype=np.int64)
        return (self.first[:, None] <= m[None, :]) & (m[None, :] <= self.last[:, None])


def blackout_months(policy: Policy) -> frozenset[int]:
    """Month indices (:func:`~mutasi_opt.domain.values.month_index`) that overlap the
    policy's blackout period, in which no secondment may run unless
    ``allow_secondment_in_blackout``; empty without a blackout period."""
    start, end = policy.blackout_start, policy.blackout_end
    if start is None or end is None or policy.allow_secondment_in_blackout:
        return frozenset()
    return frozenset(range(start.year * 12 + start.month - 1, end.year * 12 + end.month))


def surge_horizon(surges: Sequence[Any]) -> range:
    """Month indices from the earliest surge start to the latest end."""
    if not surges:
        return range(0)
    return range(min(s.months.start for s in surges), max(s.months.stop for s in surges))


def fte_centi(problem: Problem) -> IntArray:
    """Each employee's FTE in hundredths, rounded half up (monthly surge help)."""
    return np.array([round_half_up(100 * e.fte) for e in problem.employees], dtype=np.int64)


def surge_need_centi(surges: Sequence[Any], months: range) -> IntArray:
    """``[s, m]``: extra FTE (hundredths) surge ``s`` needs in month ``months[m]``."""
    out = np.zeros((len(surges), len(months)), dtype=np.int64)
    for i, s in enumerate(surges):
        for m in s.months:
            if m in months:
                out[i, m - months.start] = round_half_up(100 * s.extra_fte)
    return out


def surge_cover_centi(
    problem: Problem, surges: Sequence[Any], months: range, secondments: Secondments
) -> IntArray:
    """``[s, m]``: FTE (hundredths) of the helpers of surge ``s`` present in each month."""
    out = np.zeros((len(surges), len(months)), dtype=np.int64)
    if len(secondments):
        here = secondments.present(months) * fte_centi(problem)[secondments.employee][:, None]
        np.add.at(out, secondments.surge, here)
    return out


def uncovered_centi(need: IntArray, cover: IntArray) -> IntArray:
    """``[s, m]``: need not covered (hundredths of an FTE); Σ of it is stage 1."""
    out: IntArray = np.maximum(0, need - cover)
    return out


def lent_capacity_centi(
    problem: Problem, base: IntArray, months: range, secondments: Secondments
) -> IntArray:
    """``[m, u, r]``: yearly-rate capacity (centi-hours) away on secondment from
    ``(u, r)`` in month ``months[m]`` (``base`` is where everyone works otherwise)."""
    idx = problem.index
    out = np.zeros((len(months), idx.n_units, idx.n_roles), dtype=np.int64)
    if len(secondments):
        e = secondments.employee
        cap = 100 * capacity_hours(problem)[e]
        here = secondments.present(months)
        for m in range(len(months)):
            k = np.flatnonzero(here[:, m])
            np.add.at(out[m], (base[e[k]], idx.role[e[k]]), cap[k])
    return out


def secondment_balance_scaled(
    problem: Problem, base: IntArray, months: range, secondments: Secondments
) -> IntArray:
    """``[m]``: ``B`` × 10,000 of each month, on capacities after lending.

    Capacities stay at their yearly rate (a month's B on monthly capacities is
    this ÷ 12: φ scales with its arguments); helpers count for their surge,
    not for their host's base staffing.
    """
    s0 = assigned_capacity_centi(problem, base)
    fair = fair_share_centi(problem)
    lent = lent_capacity_centi(problem, base, months, secondments)
    out = np.zeros(len(months), dtype=np.int64)
    for m in range(len(months)):
        out[m] = int(phi_scaled(np.abs(s0 - lent[m] - fair), fair, problem.policy).sum())
    return out


def secondable(problem: Problem, base: IntArray) -> BoolArray:
    """Who may be seconded: not locked, PNS (or PPPK when
    ``allow_pppk_secondment``), and at least ``secondment_min_months_in_unit``
    months in the unit they work in under ``base`` (0 for anyone ``base``
    moves; unknown months count as long enough)."""
    idx, pol = problem.index, problem.policy
    ok = ~idx.locked
    if not pol.allow_pppk_secondment:
        ok &= ~idx.pppk
    months = np.where(base != idx.home, 0, idx.months)
    need = pol.secondment_min_months_in_unit
    if need > 0:
        ok &= (months < 0) & (base == idx.home) | (months >= need)
    return np.asarray(ok)


def qualifies_for_surge(problem: Problem, base: IntArray, surge: Any) -> BoolArray:
    """Per employee: may help ``surge`` (right role and competency level, the
    host is neither where they work under ``base`` nor a unit they refused).
    Eligibility rules (:func:`secondable`) are separate."""
    idx = problem.index
    host = idx.unit_pos[surge.unit]
    ok = base != host
    if surge.role:
        ok &= np.array([e.role == surge.role for e in problem.employees], dtype=np.bool_)
    if surge.competency:
        level = np.array(
            [dict(e.competencies).get(surge.competency, 0) for e in problem.employees],
            dtype=np.int64,
        )
        ok &= level >= surge.min_level
    ok &= np.array([host not in idx.refused[e] for e in range(idx.n_employees)], dtype=np.bool_)
    return np.asarray(ok)


def secondment_preference_cost(problem: Problem, employee: int, host: int) -> int:
    """Preference cost of one secondment: ``k − 1`` for the k-th preferred unit,
    else ``unlisted_preference_cost`` (as for a permanent move)."""
    prefs = problem.index.preferred[employee]
    if host in prefs:
        return prefs.index(host)
    return problem.policy.unlisted_preference_cost


def lending_limit(problem: Problem, base: IntArray) -> IntArray:
    """Per unit: the most staff it may lend in a month,
    ``⌊max_lent_fraction × headcount⌋`` under ``base``."""
    head = headcount(problem, base)
    out: IntArray = np.floor(problem.policy.max_lent_fraction * head + 1e-9).astype(np.int64)
    return out


# -------------------------------------------------------------------- training
__all__ += [
    "TRAINING_CAUSES",
    "TrainingNeeds",
    "TrainingTotals",
    "mover_gaps",
    "requirement_trainees",
    "training_needs",
    "training_totals",
]

#: Why a training row exists, in the order rows are listed: ``move`` — an
#: employee the plan moves lacks a competency level their receiving unit requires;
#: ``requirement`` — with ``trainable_gap`` > 0, a near-qualified employee who stays
#: is counted toward a requirement of their unit (:func:`requirement_trainees`).
TRAINING_CAUSES = ("move", "requirement")


def _frozen(arr: npt.NDArray[Any]) -> npt.NDArray[Any]:
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True)
class TrainingNeeds:
    """Training rows as aligned, read-only arrays: one row per (employee, requirement) gap.

    Row ``k``: employee ``employee[k]`` (position) works at ``unit[k]`` (unit
    position) after the plan, whose requirement ``requirement[k]`` (position in
    ``problem.requirements``) asks for ``competency[k]`` at ``level_needed[k]``;
    the employee holds ``level_now[k]`` (0 = not held, always below the need).
    ``cause[k]`` is one of :data:`TRAINING_CAUSES`.
    """

    employee: IntArray
    unit: IntArray
    requirement: IntArray
    competency: StrArray
    level_now: IntArray
    level_needed: IntArray
    cause: StrArray

    @classmethod
    def build(
        cls,
        problem: Problem,
        employee: Any,
        requirement: Any,
        cause: str,
    ) -> TrainingNeeds:
        """Rows for (employee, requirement) position pairs, all of one ``cause``."""
        if cause not in TRAINING_CAUSES:
            raise ValueError(f"unknown training cause {cause!r}; known: {TRAINING_CAUSES}")
        e = np.asarray(employee, dtype=np.int64).reshape(-1)
        q = np.asarray(requirement, dtype=np.int64).reshape(-1)
        reqs = problem.requirements
        comp = [reqs[int(k)].competency for k in q]
        return cls(
            employee=_frozen(e.copy()),
            unit=_frozen(problem.index.req_unit[q].astype(np.int64)),
            requirement=_frozen(q.copy()),
            competency=_frozen(np.array(comp, dtype=np.str_).reshape(-1)),
            level_now=_frozen(
                np.array(
                    [problem.employees[int(i)].level(c) for i, c in zip(e, comp, strict=True)],
                    dtype=np.int64,
                ).reshape(-1)
            ),
            level_needed=_frozen(
                np.array([reqs[int(k)].min_level for k in q], dtype=np.int64).reshape(-1)
            ),
            cause=_frozen(np.array([cause] * len(e), dtype=np.str_)),
        )

    @classmethod
    def concat(cls, parts: Sequence[TrainingNeeds]) -> TrainingNeeds:
        """The rows of ``parts`` one after the other."""
        if not parts:
            raise ValueError("concat needs at least one part")
        fields = cls.__dataclass_fields__
        return cls(**{f: _frozen(np.concatenate([getattr(p, f) for p in parts])) for f in fields})

    def __len__(self) -> int:
        return len(self.employee)

    def rows(self) -> list[tuple[int, int, int, str, int, int, str]]:
        """Row tuples (employee, unit, requirement, competency, level_now, level_needed,
        cause) as Python values."""
        return list(
            zip(
                self.employee.tolist(),
                self.unit.tolist(),
                self.requirement.tolist(),
                self.competency.tolist(),
                self.level_now.tolist(),
                self.level_needed.tolist(),
                self.cause.tolist(),
                strict=True,
            )
        )


@dataclass(frozen=True)
class TrainingTotals:
    """People to train per (competency, needed level), sorted by both."""

    competency: StrArray
    level_needed: IntArray
    people: IntArray

    def __len__(self) -> int:
        return len(self.competency)


def mover_gaps(problem: Problem, assignment: Any) -> TrainingNeeds:
    """Movers' competency gaps at their receiving unit.

    For every employee whose unit changes and every requirement of the unit
    they are assigned to that they do not qualify for (the competency not held,
    or held below ``min_level``): one row of cause ``move``, ordered by
    employee then requirement position.
    """
    idx = problem.index
    a = as_assignment(problem, assignment)
    movers = np.flatnonzero(moved(problem, a))
    if not len(problem.requirements) or not movers.size:
        return TrainingNeeds.build(problem, [], [], "move")
    at_unit = a[movers][:, None] == idx.req_unit[None, :]  # [M, Q]
    gap = at_unit & ~idx.qualified[:, movers].T
    m, q = np.nonzero(gap)
    return TrainingNeeds.build(problem, movers[m], q, "move")


def requirement_trainees(
    problem: Problem, assignment: Any, moves: TrainingNeeds | None = None
) -> TrainingNeeds:
    """The near-qualified staff counted toward requirements, as rows of cause ``requirement``.

    Per requirement ``q`` (with ``trainable_gap`` > 0), :func:`requirement_training`
    of its near-qualified staff at its unit are needed; they are chosen movers
    first (they are in the ``move`` rows already), then by input order.  Rows
    are added for those not already in ``moves`` (default :func:`mover_gaps`)
    with the same competency, one per (employee, competency): the highest
    level needed, the first requirement among equals.  Ordered by requirement,
    then employee position.
    """
    a = as_assignment(problem, assignment)
    if moves is None:
        moves = mover_gaps(problem, a)
    train = requirement_training(problem, a)
    if not train.any():
        return TrainingNeeds.build(problem, [], [], "requirement")
    idx = problem.index
    near = near_qualified(problem)
    mover = moved(problem, a)
    listed = set(zip(moves.employee.tolist(), moves.competency.tolist(), strict=True))
    chosen: dict[tuple[int, str], int] = {}  # (employee, competency) → requirement
    for q in np.flatnonzero(train):
        req = problem.requirements[int(q)]
        here = np.flatnonzero(near[q] & (a == idx.req_unit[q]))
        order = here[np.argsort(~mover[here], kind="stable")]  # movers first
        for e in order[: int(train[q])].tolist():
            key = (e, req.competency)
            if key in listed:
                continue
            prev = chosen.get(key)
            if prev is None or problem.requirements[prev].min_level < req.min_level:
                chosen[key] = int(q)
    rows = sorted((q, e) for (e, _), q in chosen.items())
    return TrainingNeeds.build(problem, [e for _, e in rows], [q for q, _ in rows], "requirement")


def training_needs(problem: Problem, assignment: Any) -> TrainingNeeds:
    """Every training row of a plan, cause by cause in :data:`TRAINING_CAUSES` order."""
    moves = mover_gaps(problem, assignment)
    return TrainingNeeds.concat([moves, requirement_trainees(problem, assignment, moves)])


def training_totals(needs: TrainingNeeds) -> TrainingTotals:
    """Distinct employees to train per (competency, needed level), sorted by both."""
    if not len(needs):
        z = np.zeros(0, dtype=np.int64)
        return TrainingTotals(_frozen(np.array([], dtype=np.str_)), _frozen(z), _frozen(z.copy()))
    keys = sorted(
        set(
            zip(
                needs.competency.tolist(),
                needs.level_needed.tolist(),
                needs.employee.tolist(),
                strict=True,
            )
        )
    )
    groups: dict[tuple[str, int], int] = {}
    for comp, lvl, _ in keys:
        groups[(comp, lvl)] = groups.get((comp, lvl), 0) + 1
    return TrainingTotals(
        competency=_frozen(np.array([c for c, _ in groups], dtype=np.str_)),
        level_needed=_frozen(np.array([lv for _, lv in groups], dtype=np.int64)),
        people=_frozen(np.array(list(groups.values()), dtype=np.int64)),
    )


# ------------------------------------------------------- one employee moved
__all__ += ["single_move_metrics"]


def single_move_metrics(
    problem: Problem, assignment: Any, employee: int, targets: Any
) -> list[Metrics]:
    """:func:`evaluate` of ``assignment`` with ``employee`` alone reassigned to
    each of ``targets`` (unit positions), computed together.

    Only the employee's role column of ``S`` changes, at the unit left and the
    unit joined, so ``Σd`` and ``B`` are updated there.  The requirement
    numbers of a requirement depend only on who is at its unit, so one
    evaluation serves every target without requirements; targets with
    requirements are evaluated one by one.
    """
    idx, pol = problem.index, problem.policy
    a = as_assignment(problem, assignment)
    t = np.asarray(targets, dtype=np.int64).reshape(-1)
    here, r = int(a[employee]), int(idx.role[employee])
    cap = 100 * int(capacity_hours(problem)[employee])
    s = assigned_capacity_centi(problem, a)
    f = fair_share_centi(problem)
    d = np.abs(s - f)
    phi = phi_scaled(d, f, pol)
    d_left = abs(int(s[here, r]) - cap - int(f[here, r]))
    d_join = np.abs(s[t, r] + cap - f[t, r])
    imb = int(d.sum()) - int(d[here, r]) + d_left - d[t, r] + d_join
    left = int(phi_scaled(np.array(d_left), f[here, r], pol)) - int(phi[here, r])
    bal = int(phi.sum()) + left - phi[t, r] + phi_scaled(d_join, f[t, r], pol)
    alt = a.copy()
    out: list[Metrics] = []
    shared: tuple[Metrics, int] | None = None  # metrics at the first plain target, its cost
    for k, u in enumerate(t.tolist()):
        alt[employee] = u
        if u == here or u in idx.req_unit or u == idx.home[employee]:
            out.append(evaluate(problem, alt))
            continue
        cost = secondment_preference_cost(problem, employee, u)  # a move's preference cost
        if shared is None:
            shared = (evaluate(problem, alt), cost)
        out.append(
            replace(
                shared[0],
                imbalance_centi=int(imb[k]),
                balance_cost_scaled=int(bal[k]),
                preference_cost=shared[0].preference_cost - shared[1] + cost,
            )
        )
    return out
