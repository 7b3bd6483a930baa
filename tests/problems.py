"""Random tiny problems covering every rule kind, and a brute-force optimiser."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np

from mutasi_opt import Demand, Employee, Policy, Problem, Requirement, Unit, metrics
from mutasi_opt.planning.fairness import fairness_violations


def random_problem(
    seed: int,
    n_employees: int = 6,
    n_units: int = 3,
    *,
    roles: int = 2,
    max_moves: int | str | None = "random",
    bounds: bool = True,
    requirements: bool = True,
) -> Problem:
    """A random valid problem with roles, fte, locks, PPPK, tenure, refusals,
    preferences, headcount bounds, requirements and a move budget."""
    rng = np.random.default_rng(seed)
    unit_ids = [f"U{i}" for i in range(n_units)]
    role_names = ["guru", "perawat", "pelaksana"][:roles]
    employees = []
    for i in range(n_employees):
        home = unit_ids[int(rng.integers(n_units))]
        others = [u for u in unit_ids if u != home]
        refused = [u for u in others if rng.random() < 0.15]
        prefs = [u for u in rng.permutation(others) if u not in refused and rng.random() < 0.4]
        comps = {}
        if rng.random() < 0.5:
            comps["vaksinasi"] = int(rng.integers(1, 4))
        employees.append(
            Employee(
                nip=f"E{i:02d}",
                unit=home,
                role=role_names[int(rng.integers(roles))],
                fte=float(rng.choice([1.0, 1.0, 0.5, 0.8])),
                employment_type="PPPK" if rng.random() < 0.1 else "PNS",
                locked=bool(rng.random() < 0.1),
                months_in_unit=int(rng.choice([10, 30, 70])) if rng.random() < 0.6 else None,
                refused_units=tuple(refused),
                preferred_units=tuple(str(u) for u in prefs),
                competencies=comps,
            )
        )
    demand = []
    for u in unit_ids:
        for r in role_names:
            if rng.random() < 0.75:
                demand.append(Demand(unit=u, role=r, workload_hours=float(rng.integers(0, 4000))))
    used = {e.role for e in employees}
    for r in used:
        if not any(d.role == r for d in demand):
            demand.append(Demand(unit=unit_ids[0], role=r, workload_hours=1000.0))
    units = []
    for u in unit_ids:
        lo = hi = None
        if bounds and rng.random() < 0.3:
            lo = int(rng.integers(0, 3))
        if bounds and rng.random() < 0.3:
            hi = max(lo or 0, int(rng.integers(1, n_employees + 1)))
        units.append(Unit(unit=u, min_staff=lo, max_staff=hi))
    reqs = []
    if requirements:
        for u in unit_ids:
            if rng.random() < 0.4:
                reqs.append(
                    Requirement(
                        unit=u,
                        competency="vaksinasi",
                        min_level=int(rng.integers(1, 3)),
                        min_staff=int(rng.integers(1, 3)),
                    )
                )
    if max_moves == "random":
        mm = None if rng.random() < 0.4 else int(rng.integers(0, 4))
    else:
        mm = max_moves  # type: ignore[assignment]
    policy = Policy(
        max_moves=mm,
        balance_gap=0.0,
        unlisted_preference_cost=int(rng.integers(1, 6)),
        min_months_in_unit=24,
    )
    return Problem(
        employees=tuple(employees),
        units=tuple(units),
        demand=tuple(demand),
        requirements=tuple(reqs),
        policy=policy,
    )


def brute_force(problem: Problem) -> tuple[tuple[int, ...] | None, int]:
    """Lexicographic optimum of the stage values over all feasible assignments.

    Enumerates every assignment within each employee's allowed units and keeps
    those that respect headcount bounds, the move budget, the pairs, ``rotation_required``
    (a pinned employee is exempt) and the fairness rules.  The stages are
    those of the policy (:func:`mutasi_opt.metrics.stage_names`: the five, and
    ``training`` after ``shortfall`` when ``trainable_gap`` > 0).  With
    ``imbalance_tolerance_hours`` = t, the stages after ``imbalance`` may use
    any plan whose Σd is within 200·t centi-hours of the optimum (D within t
    hours).  A pinned employee (``pinned_unit``) has only their pin.  With draft
    units the ``changes`` stage comes after ``balance``, and both ``imbalance`` and
    ``balance`` allow ``⌊value × draft_tolerance⌋`` more to the stages after them.
    Returns the best stage-value tuple (None if infeasible) and the number of
    assignments tried.
    """
    idx = problem.index
    pins = metrics.pinned_units(problem)
    allowed = [
        np.array([pins[e]]) if pins[e] >= 0 else metrics.allowed_units(problem, e)
        for e in range(idx.n_employees)
    ]
    lo, hi = idx.min_staff, idx.max_staff
    budget = problem.policy.max_moves
    # pairs (issue 16): relatives never in one unit, a couple in one area (or unit)
    place = [u.area or f"#{u.unit}" for u in problem.units]
    pairs = [
        (idx.nip_pos[str(p.nip_a)], idx.nip_pos[str(p.nip_b)], p.kind == "separate")
        for p in problem.pairs
    ]
    # rotation_required: overdue staff with another allowed unit may not stay
    rotate = [
        e
        for e in range(idx.n_employees)
        if problem.policy.rotation_required
        and idx.months[e] > problem.policy.overdue_months
        and len(allowed[e]) > 1
    ]
    fair = problem.policy.individual_rationality or problem.policy.no_justified_envy
    feasible: list[tuple[int, ...]] = []
    tried = 0
    for combo in itertools.product(*allowed):
        tried += 1
        a = np.array(combo, dtype=np.int64)
        if budget is not None and int((a != idx.home).sum()) > budget:
            continue
        head = np.bincount(a, minlength=idx.n_units)
        if ((lo >= 0) & (head < lo)).any() or ((hi >= 0) & (head > hi)).any():
            continue
        if any((a[x] == a[y]) if apart else (place[a[x]] != place[a[y]]) for x, y, apart in pairs):
            continue
        if any(a[e] == idx.home[e] for e in rotate):
            continue
        if fair and fairness_violations(problem, a):
            continue
        feasible.append(metrics.evaluate(problem, a).stage_values())
    if not feasible:
        return None, tried
    tol = round(200 * problem.policy.imbalance_tolerance_hours)
    draft_tol = problem.policy.draft_tolerance if metrics.has_draft(problem) else 0.0
    best: list[int] = []
    rest = feasible
    for k, stage in enumerate(metrics.problem_stage_names(problem)):
        best.append(min(v[k] for v in rest))
        slack = tol if stage == "imbalance" else 0
        if stage in ("imbalance", "balance"):
            slack += math.floor(best[k] * draft_tol)
        rest = [v for v in rest if v[k] <= best[k] + slack]
    # each stage's value is its optimum (with a tolerance, stage 2's is the optimum
    # D itself, not the D of the final plan)
    return tuple(best), tried


def first_seed(ok: Callable[[int], bool], start: int, *, step: int = 1000, tries: int = 50) -> int:
    """The first of ``start, start + step, ...`` for which ``ok(seed)`` holds.

    Lets a parametrised test run on an instance that has what it checks (a
    feasible one, say) instead of skipping; deterministic, and distinct start
    values give distinct seeds.
    """
    for k in range(tries):
        if ok(start + k * step):
            return start + k * step
    raise AssertionError(f"no suitable instance among {tries} seeds from {start}")
