"""Solve jobs: a bounded queue, a fixed number of solver processes, cancellation, expiry.

:class:`JobManager` knows nothing about HTTP.  Each running job is a child
process (:func:`mutasi_opt.service.worker.run_job`) so that cancelling it
stops the solver at once (a job with a :class:`~mutasi_opt.service.worker.Revision`
replans a draft after a consultation round instead of a plain solve); a monitor
thread per running job reads its progress and, when it ends, starts the next
queued job.  At most
``settings.max_concurrent`` jobs run and at most ``settings.max_queue`` wait;
:meth:`JobManager.submit` raises :class:`QueueFull` beyond that.  Finished
jobs (done, failed, cancelled) and their files are kept for
``settings.job_ttl`` seconds, and at most ``settings.max_jobs_kept`` of them.

Logs (logger ``mutasi_opt.service``) carry job ids, sizes, statuses and
timings only — never a NIP, a name or any other value of the input.
"""

from __future__ import annotations

import collections
import enum
import logging
import math
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from multiprocessing.context import ForkServerContext, SpawnContext
from multiprocessing.process import BaseProcess
from pathlib import Path

from ..domain.params import SolveParams
from ..domain.problem import Problem
from .settings import Settings
from .worker import PLAN_FILE, Revision, run_job

__all__ = [
    "Job",
    "JobInfo",
    "JobManager",
    "JobNotFound",
    "JobState",
    "Progress",
    "QueueFull",
    "ShuttingDown",
]

log = logging.getLogger("mutasi_opt.service")

#: Modules the fork server imports once, so that each job's process starts ready
#: (a missing optional one, e.g. openpyxl, is skipped).
PRELOAD = (
    "mutasi_opt.service.worker",
    "mutasi_opt.solve",
    "mutasi_opt.io.documents",
    "mutasi_opt.planning.replan",
    "mutasi_opt.io.consultation",
    "mutasi_opt.views.report",
    "mutasi_opt.text.explain",
    "openpyxl",
)

#: Seconds a solver process that has closed its pipe may take to exit before it is killed.
_EXIT_GRACE = 30.0

#: Seconds a terminated solver process may take to exit before it is killed.
_TERMINATE_GRACE = 3.0


class JobState(enum.StrEnum):
    """Where a job is in its life."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        """True for done, failed and cancelled."""
        return self in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


class JobNotFound(KeyError):
    """No job with this id (never existed, deleted or expired)."""


class QueueFull(RuntimeError):
    """Every solver slot is busy and the queue is full; retry after ``retry_after`` s."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"the job queue is full; retry in {retry_after} s")
        self.retry_after = retry_after


class ShuttingDown(RuntimeError):
    """The service is stopping and takes no new jobs."""


@dataclass(frozen=True)
class Progress:
    """The solver's latest report: stage, best value found and bound."""

    stage: str | None = None
    best_value: float | None = None
    bound: float | None = None


@dataclass
class Job:
    """One job (mutable; guarded by the manager's lock)."""

    id: str
    #: how to solve, with a time limit and a worker count (:meth:`JobManager.submit`)
    params: SolveParams
    n_employees: int
    n_units: int
    directory: Path
    problem: Problem | None
    #: the draft and responses of a replan job (None: a plain solve)
    revision: Revision | None = None
    created_at: float = field(default_factory=time.time)
    state: JobState = JobState.QUEUED
    started_at: float | None = None
    started_mono: float | None = None
    finished_at: float | None = None
    finished_mono: float | None = None
    progress: Progress = Progress()
    plan_status: str | None = None
    error: str | None = None
    files: tuple[str, ...] = ()
    cancel_requested: bool = False
    process: BaseProcess | None = None
    monitor: threading.Thread | None = None

    @property
    def time_limit(self) -> float:
        """Seconds the job may run (every job has a time limit)."""
        assert self.params.time_limit is not None
        return self.params.time_limit


@dataclass(frozen=True)
class JobInfo:
    """A snapshot of a job, safe to read without the lock."""

    id: str
    state: JobState
    params: SolveParams  # with a time limit and a worker count
    n_employees: int
    n_units: int
    created_at: float
    started_at: float | None
    finished_at: float | None
    elapsed_seconds: float | None
    queue_position: int | None
    progress: Progress
    plan_status: str | None
    error: str | None
    files: tuple[str, ...]


class JobManager:
    """Runs solve jobs in child processes, a few at a time, with a bounded queue.

    Call :meth:`start` before submitting and :meth:`shutdown` at the end
    (both are idempotent).  Every public method is thread-safe.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.RLock()
        self._jobs: dict[str, Job] = {}
        self._queue: collections.deque[str] = collections.deque()
        self._running: set[str] = set()
        self._root: Path | None = None
        self._owns_root = False
        self._ctx: ForkServerContext | SpawnContext | None = None
        self._stop = threading.Event()
        self._janitor: threading.Thread | None = None
        self._closed = False

    # ---------------------------------------------------------------- life
    def start(self) -> None:
        """Create the jobs' folder, choose the process start method, start the janitor."""
        with self._lock:
            if self._root is not None:
                return
            if self.settings.job_dir is None:
                self._root = Path(tempfile.mkdtemp(prefix="mutasi-opt-jobs-"))
                self._owns_root = True
            else:
                self._root = Path(self.settings.job_dir)
                self._root.mkdir(parents=True, exist_ok=True)
            methods = multiprocessing.get_all_start_methods()
            if "forkserver" in methods:
                ctx: ForkServerContext | SpawnContext = multiprocessing.get_context("forkserver")
                ctx.set_forkserver_preload(list(PRELOAD))
                # start the fork server now (it imports the solver once), not on the first job
                multiprocessing.forkserver.ensure_running()
            else:  # pragma: no cover - Windows
                ctx = multiprocessing.get_context("spawn")
            self._ctx = ctx
            self._janitor = threading.Thread(
                target=self._sweep_loop, name="mutasi-opt-janitor", daemon=True
            )
            self._janitor.start()
        log.info(
            "job manager started: max_concurrent=%d max_queue=%d max_time_limit=%gs",
            self.settings.max_concurrent,
            self.settings.max_queue,
            self.settings.max_time_limit,
        )

    def shutdown(self) -> None:
        """Cancel queued jobs, stop running solves, remove every job's files (and the
        jobs' folder when it is a temporary one)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            self._stop.set()
            for job_id in list(self._queue):
                self._finish_queued(self._jobs[job_id], JobState.CANCELLED)
            self._queue.clear()
            running = [self._jobs[j] for j in self._running]
            for job in running:
                job.cancel_requested = True
        for job in running:
            self._stop_process(job)
        if self._janitor is not None:
            self._janitor.join(timeout=5)
        with self._lock:
            for job in list(self._jobs.values()):
                self._remove(job)  # the jobs live in memory only: their files go with them
        if self._owns_root and self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
        log.info("job manager stopped")

    # ------------------------------------------------------------- submit
    def submit(
        self,
        problem: Problem,
        params: SolveParams,
        *,
        revision: Revision | None = None,
    ) -> JobInfo:
        """Queue a solve of ``problem`` with ``params``; it starts as soon as a slot is free.

        With a ``revision`` (the draft as unit positions of ``problem`` and the
        responses to it, already checked) the job replans the draft
        (:func:`~mutasi_opt.planning.replan.replan`) instead, and also offers
        ``changes.csv`` and ``replan.json``.

        ``params.time_limit`` (seconds) and ``params.workers`` must be given:
        every job has a time limit and a known thread count.  Its
        ``work_limit`` (work units) applies too when given, the first reached
        stopping the solve.

        Raises
        ------
        ValueError
            When ``params`` has no time limit or no worker count.
        QueueFull
            When ``max_concurrent`` jobs run and ``max_queue`` wait.
        ShuttingDown
            When the service is stopping.
        """
        if params.time_limit is None or params.workers is None:
            raise ValueError("a job needs a time_limit and a workers count")
        idx = problem.index
        with self._lock:
            if self._closed or self._root is None:
                raise ShuttingDown("the service is shutting down")
            waiting = len(self._queue)
            free_slot = len(self._running) < self.settings.max_concurrent and waiting == 0
            if not free_slot and waiting >= self.settings.max_queue:
                retry = self._retry_after()
                log.warning(
                    "job rejected: queue full (%d running, %d queued), retry after %d s",
                    len(self._running),
                    waiting,
                    retry,
                )
                raise QueueFull(retry)
            job_id = secrets.token_hex(16)
            directory = self._root / job_id
            directory.mkdir()
            job = Job(
                id=job_id,
                params=params,
                n_employees=idx.n_employees,
                n_units=idx.n_units,
                directory=directory,
                problem=problem,
                revision=revision,
            )
            self._jobs[job_id] = job
            self._queue.append(job_id)
            log.info(
                "job %s queued (%s): %d employees, %d units, time_limit=%gs, work_limit=%s, "
                "workers=%d",
                job_id,
                "solve" if revision is None else f"replan, {len(revision.responses)} responses",
                job.n_employees,
                job.n_units,
                params.time_limit,
                "none" if params.work_limit is None else f"{params.work_limit:g}",
                params.workers,
            )
            self._pump()
            return self._info(job)

    def _retry_after(self) -> int:
        """Seconds until a running job reaches its time limit (the soonest one), ≥ 1.

        A job with a work limit may end sooner; its time limit is still the
        longest it can run, the only bound known in seconds."""
        now = time.monotonic()
        left = [
            job.time_limit - (now - (job.started_mono or now))
            for job in (self._jobs[j] for j in self._running)
        ]
        soonest = min(left, default=1.0)
        return int(min(max(1.0, math.ceil(soonest) + 1.0), self.settings.max_time_limit + 1))

    # -------------------------------------------------------------- query
    def get(self, job_id: str) -> JobInfo:
        """The job's current snapshot (:class:`JobNotFound` when unknown)."""
        with self._lock:
            return self._info(self._job(job_id))

    def counts(self) -> dict[str, int]:
        """Jobs per state (only kept jobs)."""
        with self._lock:
            out = {state.value: 0 for state in JobState}
            for job in self._jobs.values():
                out[job.state.value] += 1
            return out

    def result_path(self, job_id: str) -> tuple[JobInfo, Path | None]:
        """The job and its plan document's path (``None`` unless the job is done)."""
        with self._lock:
            job = self._job(job_id)
            info = self._info(job)
            if job.state is not JobState.DONE:
                return info, None
            return info, job.directory / PLAN_FILE

    def file_path(self, job_id: str, name: str) -> tuple[JobInfo, Path | None]:
        """The job and the path of its file ``name`` (``None`` when it has none such)."""
        with self._lock:
            job = self._job(job_id)
            info = self._info(job)
            if job.state is not JobState.DONE or name not in job.files:
                return info, None
            return info, job.directory / name

    def _job(self, job_id: str) -> Job:
        job = self._jobs.get(job_id)
        if job is None:
            raise JobNotFound(job_id)
        return job

    def _info(self, job: Job) -> JobInfo:
        position = None
        if job.state is JobState.QUEUED:
            position = self._queue.index(job.id) + 1
        elapsed = None
        if job.started_mono is not None:
            end = job.finished_mono if job.finished_mono is not None else time.monotonic()
            elapsed = round(end - job.started_mono, 3)
        return JobInfo(
            id=job.id,
            state=job.state,
            params=job.params,
            n_employees=job.n_employees,
            n_units=job.n_units,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            elapsed_seconds=elapsed,
            queue_position=position,
            progress=job.progress,
            plan_status=job.plan_status,
            error=job.error,
            files=job.files,
        )

    # ------------------------------------------------------------- cancel
    def cancel(self, job_id: str) -> tuple[JobInfo, bool]:
        """Cancel a queued or running job, or delete a finished one.

        A queued job never starts; a running solve's process is terminated
        (killed after a grace period).  Both are then ``cancelled`` and kept
        until they expire.  A finished job is deleted with its files at once.
        Returns the job's snapshot after the action and whether it was deleted.
        """
        with self._lock:
            job = self._job(job_id)
            if job.state is JobState.QUEUED:
                self._queue.remove(job_id)
                self._finish_queued(job, JobState.CANCELLED)
                log.info("job %s cancelled before it started", job_id)
                return self._info(job), False
            if job.state.finished:
                info = self._info(job)
                self._remove(job)
                log.info("job %s deleted (%s)", job_id, info.state.value)
                return info, True
            job.cancel_requested = True
        self._stop_process(job)
        with self._lock:
            return self._info(job), False

    def _stop_process(self, job: Job) -> None:
        """Terminate a running job's process and wait until its monitor has recorded the end."""
        proc, monitor = job.process, job.monitor
        if proc is not None and proc.is_alive():
            proc.terminate()
            proc.join(_TERMINATE_GRACE)
            if proc.is_alive():
                proc.kill()
                proc.join()
        if monitor is not None and monitor is not threading.current_thread():
            monitor.join()

    # ------------------------------------------------------------ running
    def _pump(self) -> None:
        """Start queued jobs while slots are free (called with the lock held)."""
        while (
            self._queue and len(self._running) < self.settings.max_concurrent and not self._closed
        ):
            job = self._jobs[self._queue.popleft()]
            self._launch(job)

    def _launch(self, job: Job) -> None:
        assert self._ctx is not None and job.problem is not None
        receiver, sender = self._ctx.Pipe(duplex=False)
        proc = self._ctx.Process(
            target=run_job,
            args=(job.problem, job.params, str(job.directory), sender, job.revision),
            name=f"mutasi-opt-job-{job.id[:8]}",
            daemon=True,
        )
        job.state = JobState.RUNNING
        job.started_at = time.time()
        job.started_mono = time.monotonic()
        job.problem = job.revision = None
        self._running.add(job.id)
        try:
            proc.start()
        except Exception as exc:  # no process could be started (resources)
            sender.close()
            receiver.close()
            self._running.discard(job.id)
            self._end(
                job,
                JobState.FAILED,
                error=f"the solver process could not start ({exc})",
                kind=type(exc).__name__,
            )
            return
        sender.close()
        job.process = proc
        job.monitor = threading.Thread(
            target=self._watch,
            args=(job, proc, receiver),
            name=f"mutasi-opt-monitor-{job.id[:8]}",
            daemon=True,
        )
        job.monitor.start()
        log.info("job %s started", job.id)

    def _watch(
        self, job: Job, proc: BaseProcess, conn: multiprocessing.connection.Connection
    ) -> None:
        """Read the job's messages until its process ends, then record the outcome."""
        outcome: tuple[object, ...] | None = None
        try:
            while True:
                try:
                    message: tuple[object, ...] = conn.recv()
                except Exception:  # EOF: the process has ended (or the pipe broke)
                    break
                kind = message[0]
                if kind == "progress":
                    stage, value, bound = message[1:4]
                    with self._lock:
                        job.progress = Progress(str(stage), _num(value), _num(bound))
                elif kind == "stage":
                    with self._lock:
                        job.progress = Progress(str(message[1]))
                else:
                    outcome = message
        finally:
            conn.close()
        proc.join(_EXIT_GRACE)
        if proc.is_alive():  # closed its pipe but does not exit
            proc.kill()
            proc.join()
        with self._lock:
            self._running.discard(job.id)
            if outcome is not None and outcome[0] == "done":
                job.plan_status = str(outcome[1])
                files = outcome[2]
                job.files = tuple(str(f) for f in files) if isinstance(files, list) else ()
                self._end(job, JobState.DONE)
            elif job.cancel_requested:
                self._end(job, JobState.CANCELLED)
            elif outcome is not None:
                kind, text = str(outcome[1]), str(outcome[2])
                self._end(job, JobState.FAILED, error=f"{kind}: {text}", kind=kind)
            else:
                self._end(
                    job,
                    JobState.FAILED,
                    error=f"the solver process ended unexpectedly (exit code {proc.exitcode})",
                    kind=f"process ended with exit code {proc.exitcode}",
                )
            job.process = None
            self._pump()

    def _end(self, job: Job, state: JobState, *, error: str | None = None, kind: str = "") -> None:
        """Record a running job's end (lock held).  ``error`` (shown to the client) may
        quote the input, so the log gets only its ``kind``."""
        job.state = state
        job.error = error
        job.progress = replace(job.progress, stage=None)
        job.finished_at = time.time()
        job.finished_mono = time.monotonic()
        seconds = job.finished_mono - (job.started_mono or job.finished_mono)
        if state is JobState.FAILED:
            log.error("job %s failed after %.1f s: %s", job.id, seconds, kind)
        else:
            log.info(
                "job %s %s after %.1f s%s",
                job.id,
                state.value,
                seconds,
                f" (plan {job.plan_status})" if job.plan_status else "",
            )
        self._evict_over_limit()

    def _finish_queued(self, job: Job, state: JobState) -> None:
        job.state = state
        job.problem = job.revision = None
        job.finished_at = time.time()
        job.finished_mono = time.monotonic()
        self._evict_over_limit()

    # ------------------------------------------------------------- expiry
    def _remove(self, job: Job) -> None:
        self._jobs.pop(job.id, None)
        shutil.rmtree(job.directory, ignore_errors=True)

    def _evict_over_limit(self) -> None:
        finished = [j for j in self._jobs.values() if j.state.finished]
        excess = len(finished) - self.settings.max_jobs_kept
        if excess > 0:
            finished.sort(key=lambda j: j.finished_mono or 0.0)
            for job in finished[:excess]:
                self._remove(job)
                log.info(
                    "job %s removed (more than %d finished jobs kept)",
                    job.id,
                    self.settings.max_jobs_kept,
                )

    def sweep(self) -> int:
        """Remove finished jobs older than the TTL; returns how many were removed."""
        now = time.monotonic()
        with self._lock:
            old = [
                j
                for j in self._jobs.values()
                if j.state.finished and now - (j.finished_mono or now) >= self.settings.job_ttl
            ]
            for job in old:
                self._remove(job)
                log.info("job %s expired", job.id)
            return len(old)

    def _sweep_loop(self) -> None:
        interval = min(30.0, max(0.2, self.settings.job_ttl / 4))
        while not self._stop.wait(interval):
            self.sweep()


def _num(value: object) -> float | None:
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None
