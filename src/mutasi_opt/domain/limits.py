"""Time and work limits: how long a call may run, shared out by fixed rules.

Every public entry point that solves (``solve``, ``frontier``,
``fewest_moves``, ``plan_surges``, ``scenarios``, ``solve_many``) takes a
``time_limit`` (wall-clock seconds) and a ``work_limit`` (*work units*), and
builds one :class:`Budget` from them.  Each step that loops draws a share of
the budget and charges what it used:

* CP-SAT stages: their deterministic time (``max_deterministic_time``), one
  work unit per CP-SAT deterministic second;
* HiGHS LP relaxations: simplex iterations times the LP's non-zeros, at
  :data:`LP_WORK_PER_NNZ_ITERATION`;
* the greedy local searches: per pass, :data:`GREEDY_WORK_PER_PASS` plus
  :data:`GREEDY_WORK_PER_ELEMENT` per class and arrival (or option) it scans;
* bisection probes and frontier points: the work of their solves.

Work is counted, not timed, so the same input, seed, workers and work limit
give the same plan on any machine and under any load.  Under a work limit
the shares are shares of the work left; the time limit, if also given, is
only a safety cap that every step obeys (a step cut by it is reported, and
the plan is then not reproducible).  Under a time limit alone the shares are
shares of the seconds left.  How a work unit relates to seconds is
measured in the README (2 to 9 seconds per unit with 2 workers on the 2-core
benchmark machine: more on larger problems, where the model build and the
LP conversion, which are not counted, take longer).

:attr:`Budget.stopped_by` says which limit cut a step short: ``time_limit``
if the clock ever did (it wins, as it makes the result depend on the
machine), else ``work_limit``, else ``None`` (every step ran to its end).
"""

from __future__ import annotations

import enum
import math
import time
from collections.abc import Callable

__all__ = [
    "COMPLETE_WORK",
    "CPSAT_WORK_PER_DTIME",
    "GREEDY_WORK_PER_ELEMENT",
    "GREEDY_WORK_PER_PASS",
    "LP_UNTIMED_WORK",
    "LP_WORK_PER_NNZ_ITERATION",
    "Budget",
    "OutOfTime",
    "StopReason",
    "check_limits",
]

#: Work units at most for completing a hint (fixing the decisions and filling
#: in the auxiliaries by propagation): a cap that keeps even an untimed solve
#: deterministic (it takes well under a hundredth of a unit).
COMPLETE_WORK = 5.0
#: Work units at most for one LP relaxation when the solve has no limits.
LP_UNTIMED_WORK = 30.0
#: Work units per CP-SAT deterministic second.
CPSAT_WORK_PER_DTIME = 1.0
#: Work units per simplex iteration and non-zero of the LP (measured on the
#: benchmark machine: about 0.7 ns of wall time per non-zero and iteration,
#: and a CP-SAT deterministic second takes about 2 s of wall time there).
LP_WORK_PER_NNZ_ITERATION = 0.35e-9
#: Work units of one pass of a greedy search, and per class or arrival it scans
#: (calibrated as the LP constant is: a pass takes about 3.5 ms plus 0.09 µs
#: per element there).
GREEDY_WORK_PER_PASS = 1.75e-3
GREEDY_WORK_PER_ELEMENT = 0.045e-6


class OutOfTime(Exception):
    """A step that cannot return a partial result (building a model) ran past
    the deadline; the caller falls back to the best plan it knows."""


class StopReason(enum.StrEnum):
    """Which limit cut a step short."""

    TIME_LIMIT = "time_limit"
    WORK_LIMIT = "work_limit"


def check_limits(time_limit: float | None, work_limit: float | None) -> None:
    """Raise ``ValueError`` unless both limits are ``None`` or finite numbers ≥ 0."""
    for name, value in (("time_limit", time_limit), ("work_limit", work_limit)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{name} must be a number of {_UNIT[name]} or None, got {value!r}")
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite number ≥ 0 (None: no limit), got {value!r}")


_UNIT = {"time_limit": "seconds", "work_limit": "work units"}


class Budget:
    """The time and work one call may still use, and the work it has used.

    Parameters
    ----------
    time_limit
        Wall-clock seconds from now (``None``: no time limit).
    work_limit
        Work units (``None``: no work limit).
    clock
        The clock (tests give a fake one).
    """

    def __init__(
        self,
        time_limit: float | None = None,
        work_limit: float | None = None,
        *,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        check_limits(time_limit, work_limit)
        self._clock = clock
        self._parent: Budget | None = None
        self.time_limit = None if time_limit is None else float(time_limit)
        self.work_limit = None if work_limit is None else float(work_limit)
        self.start = clock()
        self.deadline = None if time_limit is None else self.start + float(time_limit)
        self.work: float | None = self.work_limit
        self.used = 0.0
        self._cut: set[StopReason] = set()
        #: a bookkeeping cap of the library's own (see :meth:`capped`), not a user's limit
        self._cap_only = False

    @classmethod
    def of(cls, time_limit: float | None, work_limit: float | None) -> Budget:
        """A root budget for a public call's ``time_limit`` and ``work_limit``."""
        return cls(time_limit, work_limit)

    # ------------------------------------------------------------ reading
    @property
    def limited(self) -> bool:
        """True when a time or a work limit applies."""
        return self.deadline is not None or self.work is not None

    @property
    def by_work(self) -> bool:
        """True when the work limit decides the shares (the clock is only a cap)."""
        return self.work is not None

    def elapsed(self) -> float:
        """Seconds since this budget was made."""
        return self._clock() - self.start

    def seconds_left(self) -> float | None:
        """Seconds until the deadline (0 when past; ``None``: no time limit)."""
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - self._clock())

    def work_left(self) -> float | None:
        """Work units left (``None``: no work limit)."""
        if self.work is None:
            return None
        return max(0.0, self.work - self.used)

    def time_up(self) -> bool:
        """True when the deadline has passed."""
        return self.deadline is not None and self._clock() >= self.deadline

    def work_up(self) -> bool:
        """True when the work allotted is used up."""
        return self.work is not None and self.used >= self.work * (1 - 1e-12)

    def room_for(self, seconds: float) -> bool:
        """False (recording a cut by the time limit) when fewer than ``seconds``
        are left: a step that cannot be cut short and took that long before is
        not started again, so that the call answers on time."""
        left = self.seconds_left()
        if left is not None and left < seconds:
            self.record(StopReason.TIME_LIMIT)
            return False
        return True

    def exhausted(self) -> bool:
        """True when this budget (or one it was drawn from) has no time or work left.

        Records the reason (see :attr:`stopped_by`).
        """
        b: Budget | None = self
        while b is not None:
            if b.time_up():
                self._root()._cut.add(StopReason.TIME_LIMIT)
                return True
            if b.work_up():
                if not b._cap_only:
                    self._root()._cut.add(StopReason.WORK_LIMIT)
                return True
            b = b._parent
        return False

    @property
    def stopped_by(self) -> StopReason | None:
        """The limit that cut a step short (time wins over work), or ``None``."""
        cut = self._root()._cut
        if StopReason.TIME_LIMIT in cut:
            return StopReason.TIME_LIMIT
        if StopReason.WORK_LIMIT in cut:
            return StopReason.WORK_LIMIT
        return None

    # ------------------------------------------------------------ drawing
    def share(self, fraction: float, *, reported: bool = True) -> Budget:
        """A budget for one step: ``fraction`` of the work left (under a work
        limit; the deadline stays this budget's) or of the seconds left (under
        a time limit alone).  What the step charges is charged here too.

        With ``reported=False`` the step's end of work is not reported as the
        caller's work limit (:attr:`stopped_by`): for a step that the same stage
        follows with more search (its end changes nothing the caller sees)."""
        if not 0 <= fraction <= 1:
            raise ValueError(f"fraction must be in [0, 1], got {fraction}")
        child = Budget(clock=self._clock)
        child._parent = self
        child._cap_only = not reported
        left = self.work_left()
        child.work = None if left is None else fraction * left
        child.work_limit = child.work
        if self.deadline is None:
            child.deadline = None
        elif self.work is not None:
            child.deadline = self.deadline
        else:
            child.deadline = child.start + fraction * (self.seconds_left() or 0.0)
        child.time_limit = None if child.deadline is None else child.deadline - child.start
        return child

    def capped(self, work: float) -> Budget:
        """A budget for a bookkeeping step: at most ``work`` units (and this
        budget's deadline), whether or not this budget has a work limit, so that
        the step is deterministic even in an untimed solve.  Reaching that cap
        is not reported as :attr:`stopped_by` (it is not the caller's limit)."""
        child = self.share(1.0)
        if child.work is None or work < child.work:
            child.work = child.work_limit = work
            child._cap_only = True  # reaching it is not the user's work limit
        return child

    def extend(self, seconds: float) -> None:
        """Move the deadline of this budget and of those it was drawn from
        ``seconds`` later (time spent on something that is not the call's own
        work, e.g. a benchmark's peer solver run in a hook)."""
        b: Budget | None = self
        while b is not None:
            if b.deadline is not None:
                b.deadline += seconds
            b = b._parent

    def charge(self, work: float) -> None:
        """Count ``work`` units used here and in every budget this was drawn from."""
        if work < 0 or not math.isfinite(work):
            raise ValueError(f"work must be a finite number ≥ 0, got {work}")
        b: Budget | None = self
        while b is not None:
            b.used += work
            b = b._parent

    def cut(self) -> StopReason | None:
        """Record that a step drawn on this budget stopped before it finished
        (a solver that returned on its limit); returns the limit that did it."""
        if self.deadline is not None and self._clock() >= self.deadline - 1e-3:
            reason: StopReason | None = StopReason.TIME_LIMIT
        elif self.work is not None and not self._cap_only:
            reason = StopReason.WORK_LIMIT
        elif self.deadline is not None:
            reason = StopReason.TIME_LIMIT
        else:
            reason = None
        if reason is not None:
            self._root()._cut.add(reason)
        return reason

    def record(self, reason: StopReason) -> None:
        """Record that ``reason`` cut a step short (a step skipped for want of time)."""
        self._root()._cut.add(reason)

    def _root(self) -> Budget:
        b = self
        while b._parent is not None:
            b = b._parent
        return b

    def __repr__(self) -> str:
        parts = []
        if self.deadline is not None:
            parts.append(f"seconds_left={self.seconds_left():.2f}")
        if self.work is not None:
            parts.append(f"work={self.used:.3f}/{self.work:.3f}")
        return f"Budget({', '.join(parts) or 'unlimited'})"
