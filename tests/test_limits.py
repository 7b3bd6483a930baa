"""The budget that time and work limits are shared out by (mutasi_opt.domain.limits)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutasi_opt.domain.limits import Budget, StopReason, check_limits


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.parametrize(
    ("time_limit", "work_limit", "match"),
    [
        (-1, None, "time_limit must be a finite number ≥ 0"),
        (None, -0.5, "work_limit must be a finite number ≥ 0"),
        (math.inf, None, "time_limit must be a finite number"),
        (None, math.nan, "work_limit must be a finite number"),
        ("10", None, "time_limit must be a number of seconds"),
        (None, True, "work_limit must be a number of work units"),
        (None, [1], "work_limit must be a number of work units"),
    ],
)
def test_bad_limits_are_refused_with_what_to_give(
    time_limit: object, work_limit: object, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        check_limits(time_limit, work_limit)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=match):
        Budget(time_limit, work_limit)  # type: ignore[arg-type]


def test_unlimited_budget_never_runs_out() -> None:
    b = Budget()
    b.charge(1e9)
    assert not b.limited and not b.exhausted()
    child = b.share(0.1)
    assert child.work_left() is None and child.seconds_left() is None
    assert b.stopped_by is None


def test_work_shares_are_shares_of_the_work_left_and_the_deadline_stays() -> None:
    clock = Clock()
    b = Budget(60, 10, clock=clock)
    a = b.share(0.25)
    assert a.work == pytest.approx(2.5)
    assert a.deadline == b.deadline  # under a work limit the clock is only a cap
    a.charge(2.0)
    assert b.used == pytest.approx(2.0) and b.work_left() == pytest.approx(8.0)
    c = b.share(0.5)
    assert c.work == pytest.approx(4.0)
    c.charge(4.0)
    assert c.exhausted() and not b.exhausted()
    assert b.stopped_by is StopReason.WORK_LIMIT  # a step was cut by its work share


def test_time_shares_are_shares_of_the_seconds_left() -> None:
    clock = Clock()
    b = Budget(10, clock=clock)
    clock.now += 2
    s = b.share(0.5)
    assert s.seconds_left() == pytest.approx(4.0)
    clock.now += 4
    assert s.exhausted() and not b.exhausted()
    assert b.stopped_by is StopReason.TIME_LIMIT
    clock.now += 4
    assert b.exhausted() and b.seconds_left() == 0.0


def test_time_wins_over_work_in_the_reason() -> None:
    clock = Clock()
    b = Budget(5, 5, clock=clock)
    b.share(0.5).charge(2.5)
    b.share(1.0).cut()  # cut by work (the deadline is far)
    assert b.stopped_by is StopReason.WORK_LIMIT
    clock.now += 6
    b.share(1.0).cut()
    assert b.stopped_by is StopReason.TIME_LIMIT


def test_an_unreported_share_running_out_of_work_is_not_the_callers_limit() -> None:
    clock = Clock()
    b = Budget(60, 10, clock=clock)
    quiet = b.share(0.5, reported=False)
    assert quiet.work == 5.0
    quiet.charge(5.0)
    assert quiet.exhausted() and not b.exhausted()
    assert b.stopped_by is None  # the stage goes on with the rest
    assert b.used == 5.0  # what it used is charged all the same
    loud = b.share(0.5)
    loud.charge(loud.work or 0.0)
    assert loud.exhausted() and b.stopped_by is StopReason.WORK_LIMIT


def test_an_unreported_share_still_reports_the_clock() -> None:
    clock = Clock()
    b = Budget(10, clock=clock)
    quiet = b.share(0.5, reported=False)
    clock.now += 6  # past the share's 5 s: the plan now depends on the machine
    assert quiet.exhausted() and b.stopped_by is StopReason.TIME_LIMIT


def test_capped_bounds_bookkeeping_even_without_limits() -> None:
    b = Budget()
    c = b.capped(3.0)
    assert c.work == 3.0 and c.deadline is None
    limited = Budget(None, 2.0).capped(3.0)
    assert limited.work == 2.0


def test_extend_moves_the_deadlines_up_the_chain() -> None:
    clock = Clock()
    b = Budget(10, clock=clock)
    s = b.share(0.5)
    s.extend(3)
    assert s.seconds_left() == pytest.approx(8.0)
    assert b.seconds_left() == pytest.approx(13.0)


def test_charge_and_share_reject_nonsense() -> None:
    b = Budget(None, 1.0)
    with pytest.raises(ValueError, match="work must be"):
        b.charge(-1)
    with pytest.raises(ValueError, match="fraction"):
        b.share(1.5)


@settings(max_examples=200, deadline=None)
@given(
    limit=st.floats(0.0, 100.0),
    ops=st.lists(st.tuples(st.floats(0.0, 1.0), st.floats(0.0, 10.0)), min_size=1, max_size=30),
)
def test_work_is_counted_exactly_once_and_never_overdrawn_by_shares(
    limit: float, ops: list[tuple[float, float]]
) -> None:
    """Every charge reaches the root once; a share never holds more than is left."""
    root = Budget(None, limit)
    total = 0.0
    for fraction, work in ops:
        left = root.work_left()
        assert left is not None and left >= 0
        child = root.share(fraction)
        assert child.work is not None and child.work <= left + 1e-9
        grandchild = child.share(0.5)
        grandchild.charge(work)
        total += work
        assert child.used == pytest.approx(work)
    assert root.used == pytest.approx(total)
    assert root.exhausted() == (total >= limit * (1 - 1e-12))


def test_a_bookkeeping_cap_is_not_reported_as_the_callers_work_limit() -> None:
    b = Budget()
    cap = b.capped(1.0)
    cap.charge(1.0)
    assert cap.exhausted()
    cap.cut()
    assert b.stopped_by is None
    limited = Budget(None, 0.5)
    inner = limited.capped(1.0)  # the caller's limit is the smaller: it is the caller's
    inner.charge(0.5)
    assert inner.exhausted() and limited.stopped_by is StopReason.WORK_LIMIT


@pytest.mark.parametrize(
    ("time_limit", "work_limit", "workers", "interleaved"),
    [
        (None, None, 2, True),  # no limit: the same plan on every run
        (None, 1.0, 2, True),  # a work limit: the same plan on any machine
        (5.0, 1.0, 2, True),  # both: the work limit decides, the clock is a cap
        (5.0, None, 2, False),  # the clock alone: threads that stop at the deadline
        (5.0, None, 1, False),  # (one worker has nothing to interleave)
        (None, 1.0, 1, False),
    ],
)
def test_the_parallel_search_is_interleaved_unless_only_the_clock_limits_it(
    time_limit: float | None, work_limit: float | None, workers: int, interleaved: bool
) -> None:
    """CP-SAT's interleaved search (deterministic for a seed and worker count) checks
    its limits only between chunks of one deterministic second; under a time limit
    alone the parallel search runs instead, whose threads stop at the deadline."""
    from mutasi_opt.solvers.cpsat.running import new_solver

    solver = new_solver(seed=0, workers=workers, budget=Budget(time_limit, work_limit))
    assert solver.parameters.interleave_search is interleaved
    assert solver.parameters.num_workers == workers
