"""metrics.single_move_metrics equals metrics.evaluate of every single-employee reassignment."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from mutasi_opt import metrics
from problems import random_problem


@settings(max_examples=120, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_employees=st.integers(1, 10),
    n_units=st.integers(1, 5),
    moved_seed=st.integers(0, 10_000),
)
def test_single_move_metrics_equal_evaluate(
    seed: int, n_employees: int, n_units: int, moved_seed: int
) -> None:
    problem = random_problem(seed, n_employees, n_units)
    rng = np.random.default_rng(moved_seed)
    # A base assignment that already moves some employees, so the employee may
    # start away from home and a target may be home.
    base = np.where(
        rng.random(n_employees) < 0.3,
        rng.integers(0, n_units, n_employees),
        problem.index.home,
    ).astype(np.int64)
    e = int(rng.integers(n_employees))
    targets = np.arange(n_units, dtype=np.int64)
    got = metrics.single_move_metrics(problem, base, e, targets)
    for u, m in zip(targets, got, strict=True):
        alt = base.copy()
        alt[e] = u
        assert m == metrics.evaluate(problem, alt), (e, int(u))
