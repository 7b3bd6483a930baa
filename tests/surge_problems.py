"""Random tiny surge problems and a brute-force optimiser of the five surge stages."""

from __future__ import annotations

import itertools
import math

import numpy as np

from mutasi_opt import Demand, Employee, Policy, Problem, Surge, Unit, metrics
from mutasi_opt.domain.values import month_label
from mutasi_opt.metrics import Secondments

#: month index of 2026-01
JAN = 2026 * 12


def random_surge_problem(
    seed: int, n_employees: int = 5, n_units: int = 3
) -> tuple[Problem, tuple[Surge, ...]]:
    """A tiny problem (roles, fte, competencies, locks, PPPK, refusals, preferences)
    and one or two overlapping surges within four months."""
    rng = np.random.default_rng(seed)
    units = [f"U{i}" for i in range(n_units)]
    roles = ["perawat", "pelaksana"]
    employees = []
    for i in range(n_employees):
        home = units[int(rng.integers(n_units))]
        others = [u for u in units if u != home]
        comps = {"vaksinasi": int(rng.integers(1, 4))} if rng.random() < 0.6 else {}
        refused = tuple(u for u in others if rng.random() < 0.15)
        employees.append(
            Employee(
                nip=f"E{i}",
                unit=home,
                role=roles[int(rng.integers(2))],
                fte=float(rng.choice([1.0, 1.0, 0.5])),
                employment_type="PPPK" if rng.random() < 0.15 else "PNS",
                locked=bool(rng.random() < 0.1),
                months_in_unit=int(rng.choice([3, 30, 30])),
                refused_units=refused,
                preferred_units=tuple(u for u in others if u not in refused and rng.random() < 0.4),
                competencies=comps,
            )
        )
    demand = [
        Demand(unit=u, role=r, workload_hours=float(rng.integers(200, 3000)))
        for u in units
        for r in roles
    ]
    policy = Policy(
        max_secondment_months=int(rng.integers(1, 4)),
        max_lent_fraction=float(rng.choice([0.2, 0.5, 1.0])),
        secondment_min_months_in_unit=int(rng.choice([0, 0, 12])),
        max_secondments_per_employee=int(rng.choice([1, 1, 1, 2])),
        unlisted_preference_cost=3,
    )
    problem = Problem(
        employees=tuple(employees),
        units=tuple(Unit(unit=u) for u in units),
        demand=tuple(demand),
        policy=policy,
    )
    surges = []
    for k in range(1 + int(rng.integers(2))):
        start = JAN + int(rng.integers(0, 3))
        end = min(JAN + 3, start + int(rng.integers(0, 3)))
        surges.append(
            Surge(
                surge=f"S{k}",
                unit=units[int(rng.integers(n_units))],
                role=str(rng.choice(["", "perawat"])),
                competency=str(rng.choice(["", "vaksinasi"])),
                min_level=int(rng.integers(1, 3)),
                start=month_label(start),
                end=month_label(end),
                extra_fte=float(rng.choice([0.5, 1.0, 1.5])),
            )
        )
    return problem, tuple(surges)


def vaccination_shortfall() -> tuple[Problem, Surge]:
    """A surge that cannot be covered in full: PKM needs 3 FTE with vaksinasi ≥ 2
    in 2026-04..2026-05; the 5 perawat of U0 qualify (one locked), U1's 5 do not;
    under max_lent_fraction = 0.4 U0 lends at most 2 a month: 1 FTE short each month."""
    staff = [
        Employee(nip=f"P{i}", unit="U0", role="perawat", competencies={"vaksinasi": 2})
        for i in range(4)
    ]
    staff.append(
        Employee(nip="L", unit="U0", role="perawat", locked=True, competencies={"vaksinasi": 3})
    )
    staff += [Employee(nip=f"X{i}", unit="U1", role="perawat") for i in range(5)]
    problem = Problem(
        employees=tuple(staff),
        units=(Unit(unit="U0"), Unit(unit="U1"), Unit(unit="PKM")),
        demand=(
            Demand(unit="U0", role="perawat", workload_hours=4000),
            Demand(unit="U1", role="perawat", workload_hours=5000),
            Demand(unit="PKM", role="perawat", workload_hours=100),
        ),
        policy=Policy(max_lent_fraction=0.4),
    )
    surge = Surge(
        surge="VAKS",
        unit="PKM",
        competency="vaksinasi",
        min_level=2,
        start="2026-04",
        end="2026-05",
        extra_fte=3,
    )
    return problem, surge


def options(
    problem: Problem, surges: tuple[Surge, ...], base: np.ndarray
) -> list[list[tuple[tuple[int, int, int], ...]]]:
    """Per employee: every allowed set of secondments ``(surge, first, last)``:
    none, one, or (with ``max_secondments_per_employee`` = 2) two that do not overlap."""
    ok = metrics.secondable(problem, base)
    pol = problem.policy
    length = pol.max_secondment_months
    # months touching the blackout period (issue 16), written out by hand
    dark: set[int] = set()
    start, end = pol.blackout_start, pol.blackout_end
    if start is not None and end is not None and not pol.allow_secondment_in_blackout:
        dark = set(range(start.year * 12 + start.month - 1, end.year * 12 + end.month))
    out: list[list[tuple[tuple[int, int, int], ...]]] = []
    quals = [metrics.qualifies_for_surge(problem, base, s) for s in surges]
    for e in range(len(problem.employees)):
        single: list[tuple[int, int, int]] = []
        if ok[e] and pol.max_secondments_per_employee >= 1:
            for k, s in enumerate(surges):
                if not quals[k][e]:
                    continue
                for a in s.months:
                    for b in range(a, min(s.months.stop, a + length)):
                        if not dark & set(range(a, b + 1)):
                            single.append((k, a, b))
        sets: list[tuple[tuple[int, int, int], ...]] = [(), *((o,) for o in single)]
        if pol.max_secondments_per_employee >= 2:
            sets += [(o1, o2) for o1 in single for o2 in single if o1[2] < o2[1]]
        out.append(sets)
    return out


def evaluate(
    problem: Problem,
    surges: tuple[Surge, ...],
    base: np.ndarray,
    chosen: list[tuple[int, tuple[int, int, int]]],
) -> tuple[int, int, int, int, int] | None:
    """Stage values of one set of secondments, or None if it breaks a hard rule
    (lending limit, or more help at a surge than one helper beyond its need)."""
    months = metrics.surge_horizon(surges)
    sec = Secondments(
        employee=np.array([e for e, _ in chosen], dtype=np.int64),
        surge=np.array([o[0] for _, o in chosen], dtype=np.int64),
        first=np.array([o[1] for _, o in chosen], dtype=np.int64),
        last=np.array([o[2] for _, o in chosen], dtype=np.int64),
    )
    need = metrics.surge_need_centi(surges, months)
    cover = metrics.surge_cover_centi(problem, surges, months, sec)
    fte = metrics.fte_centi(problem)
    may_help = options(problem, surges, base)
    for k in range(len(surges)):
        # helpers may exceed the need by less than the largest FTE of anyone who may help
        pool = [e for e, sets in enumerate(may_help) if any(o[0] == k for os in sets for o in os)]
        if pool and (cover[k] > need[k] + max(fte[pool]) - 1).any():
            return None
    head = metrics.headcount(problem, base)
    limit = np.floor(problem.policy.max_lent_fraction * head + 1e-9).astype(np.int64)
    if len(sec):
        here = sec.present(months)
        for m in range(len(months)):
            away = np.bincount(base[sec.employee[here[:, m]]], minlength=len(head))
            if (away > limit).any():
                return None
    host = [problem.index.unit_pos[s.unit] for s in surges]
    return (
        int(metrics.uncovered_centi(need, cover).sum()),
        int(metrics.secondment_balance_scaled(problem, base, months, sec).sum()),
        len(chosen),
        int(sum(o[2] - o[1] + 1 for _, o in chosen)),
        int(sum(metrics.secondment_preference_cost(problem, e, host[o[0]]) for e, o in chosen)),
    )


def brute_force_surges(
    problem: Problem, surges: tuple[Surge, ...], base: np.ndarray | None = None
) -> tuple[tuple[int, int, int, int, int], int]:
    """Lexicographic optimum over every allowed set of secondments."""
    b = problem.index.home if base is None else base
    best: tuple[int, int, int, int, int] | None = None
    tried = 0
    for combo in itertools.product(*options(problem, surges, b)):
        tried += 1
        chosen = [(e, o) for e, os in enumerate(combo) for o in os]
        value = evaluate(problem, surges, b, chosen)
        if value is not None and (best is None or value < best):
            best = value
    assert best is not None  # nobody seconded is always allowed
    return best, tried


def brute_force_count(problem: Problem, surges: tuple[Surge, ...]) -> int:
    """How many combinations brute force would try (to keep tests small)."""
    return math.prod(len(o) for o in options(problem, surges, problem.index.home))
