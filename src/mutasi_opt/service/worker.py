"""The solver process of one job (imports neither FastAPI nor anything of the server).

:func:`run_job` runs in a child process started by
:class:`~mutasi_opt.service.jobs.JobManager`, so a cancelled solve can be
terminated.  It solves (or, for a job with a :class:`Revision`, revises a draft
after a consultation round: :func:`~mutasi_opt.planning.replan.replan`), writes
the plan files into the job's folder (a revision also ``changes.csv`` and
``replan.json``, :func:`~mutasi_opt.io.consultation.write_replan`) and
reports over a pipe: ``("progress", stage, best, bound)`` (at most five times
a second, and on every change of stage), ``("stage", name)``, then
``("done", plan_status, files)`` or ``("failed", exception_type, message)``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from ..domain.arrays import IntArray
from ..domain.params import SolveParams
from ..domain.problem import Problem
from ..domain.responses import Response

__all__ = ["PLAN_FILE", "RESULT_FILES", "Revision", "run_job"]

#: The plan document (:func:`mutasi_opt.io.documents.plan_to_json`), served by ``/result``.
PLAN_FILE = "plan.json"

#: Files a job may offer, in the order they are listed.
RESULT_FILES = (
    "assignment.csv",
    "moves.csv",
    "units.csv",
    "training.csv",
    "summary.json",
    "report.xlsx",
    # a revision's (POST /v1/consultation/replan)
    "changes.csv",
    "outcomes.csv",
    "replan.json",
    "problem.json",
)

_PROGRESS_INTERVAL = 0.2

_Send = Callable[..., None]


@dataclass(frozen=True, eq=False)
class Revision:
    """What turns a job into the revision of a draft: the draft as unit positions of
    the job's problem, and the employees' (checked) responses to it."""

    draft: IntArray
    responses: tuple[Response, ...]


def run_job(
    problem: Problem,
    params: SolveParams,
    out_dir: str,
    conn: Connection,
    revision: Revision | None = None,
) -> None:
    """Solve ``problem`` with ``params`` (its limits, seed, workers and switches), or with
    a ``revision`` replan its draft after the responses, and write the plan files into
    ``out_dir``; report over ``conn``."""
    lock = threading.Lock()

    def send(*message: object) -> None:
        with lock:
            conn.send(message)

    try:
        plan_status, files = _solve_and_write(problem, params, out_dir, send, revision)
        send("done", plan_status, files)
    except BaseException as exc:
        send("failed", type(exc).__name__, str(exc))
    finally:
        conn.close()


class _Progress:
    """Forwards the solver's progress, at most every 0.2 s and on each new stage."""

    def __init__(self, send: _Send) -> None:
        self.send = send
        self.stage = ""
        self.last = 0.0

    def __call__(self, stage: str, value: float, bound: float) -> None:
        now = time.monotonic()
        if stage == self.stage and now - self.last < _PROGRESS_INTERVAL:
            return
        self.stage, self.last = stage, now
        self.send("progress", stage, float(value), float(bound))


def _write_json(path: Path, document: object) -> None:
    """Write ``document`` to ``path`` whole or not at all (a temporary file renamed)."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(document, fh, ensure_ascii=False, allow_nan=False)
    tmp.replace(path)


def _solve_and_write(
    problem: Problem,
    params: SolveParams,
    out_dir: str,
    send: _Send,
    revision: Revision | None = None,
) -> tuple[str, list[str]]:
    from ..io.documents import plan_to_json, problem_to_json

    out = Path(out_dir)
    if revision is None:
        from ..io.plans import write_plan
        from ..planning.solve import solve

        plan = solve(problem, params, progress=_Progress(send))
        send("stage", "writing")
        write_plan(plan, out)
    else:
        from ..io.consultation import write_replan
        from ..planning.replan import replan

        result = replan(
            problem,
            revision.draft,
            revision.responses,
            params,
            file="responses",
            progress=_Progress(send),
        )
        plan = result.plan
        send("stage", "writing")
        write_replan(result, out)
        # the revised problem, the input of the next round (POST it with the next draft)
        _write_json(out / "problem.json", problem_to_json(result.problem))
    try:
        from ..views.report import require_openpyxl, write_report

        require_openpyxl()
    except ImportError:
        pass
    else:
        write_report(plan, out / "report.xlsx")
    _write_json(out / PLAN_FILE, plan_to_json(plan))
    files = [name for name in RESULT_FILES if (out / name).is_file()]
    return plan.status.value, files
