"""The brute-force surge reference on hand-checked cases (the solver is tested against it)."""

from __future__ import annotations

from mutasi_opt import Demand, Employee, Policy, Problem, Surge, Unit
from surge_problems import brute_force_count, brute_force_surges, random_surge_problem


def test_surplus_lends_first_and_only_as_long_as_needed() -> None:
    # U0 is overstaffed (3 perawat for the work of ~1.4), U1 understaffed
    problem = Problem(
        employees=(
            Employee(nip="A", unit="U0", role="perawat", competencies={"vaksinasi": 2}),
            Employee(nip="B", unit="U0", role="perawat", competencies={"vaksinasi": 2}),
            Employee(nip="C", unit="U0", role="perawat"),
            Employee(nip="D", unit="U1", role="perawat", competencies={"vaksinasi": 3}),
        ),
        units=(Unit(unit="U0"), Unit(unit="U1"), Unit(unit="PKM")),
        demand=(
            Demand(unit="U0", role="perawat", workload_hours=1000),
            Demand(unit="U1", role="perawat", workload_hours=1800),
            Demand(unit="PKM", role="perawat", workload_hours=100),
        ),
        policy=Policy(max_lent_fraction=1.0),
    )
    surges = (
        Surge(
            surge="V",
            unit="PKM",
            competency="vaksinasi",
            start="2026-04",
            end="2026-05",
            extra_fte=1,
        ),
    )
    best, tried = brute_force_surges(problem, surges)
    assert tried > 1
    uncovered, _, people, months, _ = best
    assert (uncovered, people, months) == (0, 1, 2)


def test_random_instances_stay_small() -> None:
    sizes = [brute_force_count(*random_surge_problem(seed)) for seed in range(30)]
    assert max(sizes) < 200_000
    assert sum(s > 1 for s in sizes) >= 18  # most instances have choices to make
