"""Problems that kill the process solving them (importable by worker processes)."""

from __future__ import annotations

import os
from pathlib import Path

from mutasi_opt import Problem
from mutasi_opt.domain.problem import ProblemIndex


class CrashingProblem(Problem):
    """A problem whose solve makes the worker process exit at once (``os._exit``).

    Only in a process other than the one that built it (the test's own
    process never dies).  With ``always`` false it exits only the first time:
    it leaves ``marker`` behind and is solved normally on the next attempt.
    """

    marker: str
    parent_pid: int
    always: bool = False

    @property
    def index(self) -> ProblemIndex:
        if os.getpid() != self.parent_pid:
            if self.always:
                os._exit(17)
            if not os.path.exists(self.marker):
                Path(self.marker).touch()
                os._exit(17)
        return super().index


def crashing(problem: Problem, marker: Path, *, always: bool = False) -> CrashingProblem:
    """``problem`` as a :class:`CrashingProblem`."""
    fields = {name: getattr(problem, name) for name in type(problem).model_fields}
    return CrashingProblem(**fields, marker=str(marker), parent_pid=os.getpid(), always=always)
