"""The balance cost φ of one pair (``metrics.phi_scaled_one``) is the array one's."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from mutasi_opt import Policy, metrics

POLICIES = [
    Policy(),
    Policy(balance_breakpoints=(0, 20), balance_slopes=(1, 3)),
    Policy(balance_breakpoints=(0, 5, 15, 40, 75), balance_slopes=(1, 2, 5, 9, 20)),
]


@given(
    d=st.lists(st.integers(0, 10**9), min_size=1, max_size=20),
    f=st.lists(st.integers(0, 10**9), min_size=20, max_size=20),
    which=st.integers(0, len(POLICIES) - 1),
)
def test_one_pair_is_the_elementwise_phi_and_the_definition(
    d: list[int], f: list[int], which: int
) -> None:
    policy = POLICIES[which]
    f = f[: len(d)]
    many = metrics.phi_scaled(np.array(d), np.array(f), policy)
    for dk, fk, want in zip(d, f, many.tolist(), strict=True):
        got = metrics.phi_scaled_one(dk, fk, policy)
        assert got == want
        # the definition: Σ_k (s_k − s_(k−1)) · max(0, d − b_k·F), b in percent, × 100
        slopes = (0, *policy.balance_slopes)
        exact = sum(
            (slopes[k + 1] - slopes[k]) * max(Fraction(0), dk - Fraction(b, 100) * fk)
            for k, b in enumerate(policy.balance_breakpoints)
        )
        assert got == 100 * exact
