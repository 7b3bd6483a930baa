"""Solve many problems at once: every region of a province, or many policy scenarios.

:func:`solve_many` yields one result per problem, in input order: a
:class:`~mutasi_opt.results.plan.Plan` when a plan was found, else a
:class:`BatchError` saying why not (invalid input, infeasible, no plan within
the time limit, or the worker crashed).  One bad problem never stops the
others.  Problems run in local worker processes by default, or on a
``dask.distributed`` cluster when a ``client`` is given
(``pip install "mutasi-opt[dask]"``); both run exactly the same function, so
the same problem, seed and solver workers give the same plan on either.

:func:`scenarios` solves one problem under a grid of move budgets and policy
variants through the same path and returns one comparison table.
"""

from __future__ import annotations

import concurrent.futures as cf
import inspect
import itertools
import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .domain.columns import BATCH_SUMMARY, SCENARIOS
from .domain.errors import InputError, InputIssue
from .domain.params import SolveParams
from .domain.problem import Problem
from .results.plan import Plan, PlanStatus

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "SCENARIO_COLUMNS",
    "SUMMARY_COLUMNS",
    "BatchError",
    "BatchResult",
    "ErrorKind",
    "scenario_problems",
    "scenarios",
    "solve_many",
    "summary_record",
]

log = logging.getLogger("mutasi_opt")

ErrorKind = Literal["invalid", "infeasible", "time_limit", "crashed"]

DASK_HINT = 'solving on a Dask cluster needs dask.distributed: pip install "mutasi-opt[dask]"'


@dataclass(frozen=True)
class BatchError:
    """Why one problem of a batch has no plan.

    Attributes
    ----------
    index
        Position of the problem in the input.
    name
        The problem's name: the data folder's name, the name given in
        ``names``, or ``#index``.
    kind
        ``invalid`` (the input has problems: ``issues`` lists each with file,
        row, column and what to change), ``infeasible`` (the rules cannot all
        hold: ``issues`` is the diagnosis, one conflict each), ``time_limit``
        (no plan meeting the rules within the time or work limit) or ``crashed`` (the worker process
        died on every attempt, or the solver raised an unexpected error).
    message
        The reason in words (for ``infeasible`` the whole diagnosis).
    issues
        Structured details (see ``kind``); empty for ``time_limit`` and ``crashed``.
    seconds
        Time spent on the problem in the worker (reading and solving).
    attempts
        How many times local worker processes started it (more than 1 after a
        worker was lost).  On Dask the scheduler reschedules lost tasks on its
        own: 1, or ``None`` (unknown) when the scheduler gave the task up.
    plan
        For ``infeasible`` and ``time_limit``: the solver's result (status,
        state before, diagnosis), e.g. to write ``summary.json``; else None.
    """

    index: int
    name: str
    kind: ErrorKind
    message: str
    issues: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    attempts: int | None = 1
    plan: Plan | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form (``error.json``); the plan is not included."""
        return {
            "index": self.index,
            "name": self.name,
            "kind": self.kind,
            "message": self.message,
            "issues": list(self.issues),
            "seconds": round(self.seconds, 3),
            "attempts": self.attempts,
        }

    def __str__(self) -> str:
        return f"{self.name}: {self.kind}: {self.message}"


BatchResult = Plan | BatchError

#: ``progress(done, total, name, result)`` after each problem finishes (in finishing order).
BatchProgress = Callable[[int, int, str, BatchResult], None]

ProblemSource = Problem | str | os.PathLike[str]

#: ``solve`` arguments that cannot cross a process boundary or belong to the batch.
_NOT_PASSED = ("progress", "log")


@dataclass(frozen=True)
class _Task:
    index: int
    name: str
    source: Problem | str
    kwargs: dict[str, Any]


# ------------------------------------------------------------------ the worker side
def _run_task(task: _Task) -> BatchResult:
    """Read (when given a folder) and solve one problem; never raises for its input.

    The same function runs in local worker processes and on Dask workers.
    """
    from .io import read_folder
    from .planning.solve import solve

    t0 = time.perf_counter()
    try:
        source = task.source
        problem = source if isinstance(source, Problem) else read_folder(source)
        plan = solve(problem, **task.kwargs)
    except InputError as err:
        return BatchError(
            task.index,
            task.name,
            "invalid",
            str(err),
            err.to_list(),
            seconds=time.perf_counter() - t0,
        )
    except OSError as err:  # missing, unreadable (permissions, a broken disk) folder or file
        where = err.filename or task.source
        what = err.strerror or type(err).__name__
        issue = InputIssue(str(where), None, None, None, f"cannot be read: {what}")
        return BatchError(
            task.index,
            task.name,
            "invalid",
            str(issue),
            [issue.to_dict()],
            seconds=time.perf_counter() - t0,
        )
    except Exception as err:  # a bug: reported for this problem, the others go on
        log.exception("problem %d crashed", task.index)
        return BatchError(
            task.index,
            task.name,
            "crashed",
            f"{type(err).__name__}: {err}",
            seconds=time.perf_counter() - t0,
        )
    return _classify(task.index, task.name, plan, time.perf_counter() - t0)


def _classify(index: int, name: str, plan: Plan, seconds: float) -> BatchResult:
    """The plan itself when it has a solution, else the matching :class:`BatchError`."""
    if plan.has_solution:
        return plan
    if plan.status is PlanStatus.INFEASIBLE:
        lines = [c.message for c in plan.diagnosis] or ["the rules cannot all hold"]
        return BatchError(
            index,
            name,
            "infeasible",
            "; ".join(lines),
            [c.to_dict() for c in plan.diagnosis],
            seconds=seconds,
            plan=plan,
        )
    limits = []
    if plan.time_limit is not None:
        limits.append(f"the time limit of {plan.time_limit:g} s")
    if plan.work_limit is not None:
        limits.append(f"the work limit of {plan.work_limit:g} units")
    within = " and ".join(limits) if limits else "the limits"
    return BatchError(
        index,
        name,
        "time_limit",
        f"no plan meeting the rules found within {within}",
        seconds=seconds,
        plan=plan,
    )


# ------------------------------------------------------------------ the driver side
def solve_many(
    problems: Iterable[ProblemSource],
    params: SolveParams | None = None,
    *,
    client: Any = None,
    max_workers: int | None = None,
    retries: int = 2,
    progress: BatchProgress | None = None,
    names: Sequence[str] | None = None,
    **solve_kwargs: Any,
) -> Iterator[BatchResult]:
    """Solve every problem; yield one :class:`Plan` or :class:`BatchError` each, in input order.

    Parameters
    ----------
    problems
        :class:`~mutasi_opt.domain.problem.Problem` objects and/or paths of data
        folders.  A folder is read inside the worker, so an invalid folder
        becomes a ``BatchError(kind="invalid")`` listing every issue while
        the other problems are solved.
    params
        A :class:`~mutasi_opt.domain.params.SolveParams` for every problem
        (its limits apply to each problem); the ``solve_kwargs`` below
        override its fields, as for :func:`mutasi_opt.solve`.  It is
        validated here, before any problem starts, and passed to the workers
        as it is (with ``params.log`` the workers print CP-SAT's log).
    client
        A ``dask.distributed.Client``: run on its cluster (folders must be
        readable by the workers at the same path).  ``None``: local worker
        processes.
    max_workers
        Local worker processes (default: the number of CPUs, at most the
        number of problems).  Not used with a ``client``.
    retries
        How many times a problem is started again after its worker process
        died (e.g. killed for memory); after that it is reported as
        ``crashed``.  On Dask, the scheduler reschedules the task of a lost
        worker (up to its ``distributed.scheduler.allowed-failures``) and
        ``retries`` is passed to ``Client.submit``.  The scheduler blames
        every task that a dying worker held, so a problem that ends in
        ``KilledWorker`` is run once more alone on the cluster, and only a
        second ``KilledWorker`` makes it ``crashed``.  A Python exception in
        the solver is not retried (it would happen again): it is reported as
        ``crashed`` at once.
    progress
        ``progress(done, total, name, result)`` after each problem finishes
        (in the order they finish), called in this process.
    names
        A name per problem (default: the folder's name, or ``#index``).
    **solve_kwargs
        Passed to :func:`mutasi_opt.solve` for every problem: ``time_limit``
        and ``work_limit`` (per problem), ``seed``, ``workers``, ``start``.  ``workers``
        (solver threads per problem; keyword or ``params.workers``) defaults
        to **1** here, not to the CPU
        count: the processes already use the CPUs, and the same value on
        every machine makes local and cluster results identical.  (A solve
        cut short by its time limit may differ between runs, as with
        :func:`~mutasi_opt.solve`; with a ``work_limit`` and no time limit
        cutting it short, the plans are the same on every machine.)

    Yields
    ------
    Plan | BatchError
        A plan (status ``optimal`` or ``feasible``) or the reason there is none.
        For ``infeasible`` and ``time_limit`` the error carries the solver's
        result in ``.plan`` (with its diagnosis).
    """
    tasks = _tasks(problems, names, params, solve_kwargs)
    if retries < 0:
        raise ValueError(f"retries must be ≥ 0, got {retries}")
    if client is not None:
        return _run_dask(tasks, client, retries, progress)
    if max_workers is not None and max_workers < 1:
        raise ValueError(f"max_workers must be ≥ 1, got {max_workers}")
    return _run_local(tasks, max_workers, retries, progress)


def _tasks(
    problems: Iterable[ProblemSource],
    names: Sequence[str] | None,
    params: SolveParams | None,
    kwargs: dict[str, Any],
) -> list[_Task]:
    from .planning.solve import solve

    accepted = set(inspect.signature(solve).parameters) - {"problem", "params", *_NOT_PASSED}
    unknown = sorted(set(kwargs) - accepted)
    if unknown:
        raise TypeError(
            f"solve_many() got solve arguments it cannot pass on: {', '.join(unknown)} "
            f"(accepted: {', '.join(sorted(accepted))})"
        )
    fields = {k: v for k, v in kwargs.items() if k in SolveParams.model_fields}
    chosen = SolveParams.resolve(params, **fields)
    if chosen.workers is None:
        chosen = chosen.replace(workers=1)  # the batch's default: one thread per problem
    kw = {k: v for k, v in kwargs.items() if k not in fields}
    kw["params"] = chosen
    items = list(problems)
    if names is not None and len(names) != len(items):
        raise ValueError(f"names has {len(names)} entries for {len(items)} problems")
    tasks = []
    for i, item in enumerate(items):
        source: Problem | str
        if isinstance(item, Problem):
            source, default = item, f"#{i}"
        elif isinstance(item, str | os.PathLike):
            path = Path(item)
            source, default = str(path.absolute()), path.name or f"#{i}"
        else:
            raise TypeError(
                f"problem #{i} is a {type(item).__name__}: give a Problem or a data folder path"
            )
        tasks.append(_Task(i, default if names is None else str(names[i]), source, kw))
    return tasks


def _in_order(
    tasks: Sequence[_Task],
    finished: Iterator[tuple[int, BatchResult]],
    progress: BatchProgress | None,
) -> Iterator[BatchResult]:
    """Yield results by index as they become available, calling ``progress`` on each."""
    ready: dict[int, BatchResult] = {}
    upcoming = 0
    for done, (index, result) in enumerate(finished, start=1):
        ready[index] = result
        if progress is not None:
            progress(done, len(tasks), tasks[index].name, result)
        while upcoming in ready:
            yield ready.pop(upcoming)
            upcoming += 1


def _run_local(
    tasks: list[_Task], max_workers: int | None, retries: int, progress: BatchProgress | None
) -> Iterator[BatchResult]:
    n_lanes = min(max_workers or os.cpu_count() or 1, max(len(tasks), 1))
    return _in_order(tasks, _local_results(tasks, n_lanes, retries), progress)


def _local_results(
    tasks: list[_Task], n_lanes: int, retries: int
) -> Iterator[tuple[int, BatchResult]]:
    """Run ``tasks`` on ``n_lanes`` single-process pools; yield ``(index, result)`` as they finish.

    Each lane runs one problem at a time, so when its process dies the culprit
    is known: that problem is started again on a fresh process (up to
    ``retries`` times) and no other problem is disturbed.
    """
    ctx = multiprocessing.get_context("spawn")
    lanes: list[cf.ProcessPoolExecutor | None] = [None] * n_lanes
    queue = list(range(len(tasks)))
    queue.reverse()  # pop() from the end takes the next index
    attempts = [0] * len(tasks)
    running: dict[cf.Future[BatchResult], tuple[int, int]] = {}  # future -> (lane, index)

    def start(lane: int, index: int) -> None:
        pool = lanes[lane]
        if pool is None:
            pool = lanes[lane] = cf.ProcessPoolExecutor(max_workers=1, mp_context=ctx)
        attempts[index] += 1
        running[pool.submit(_run_task, tasks[index])] = (lane, index)

    try:
        for lane in range(n_lanes):
            if queue:
                start(lane, queue.pop())
        while running:
            done, _ = cf.wait(list(running), return_when=cf.FIRST_COMPLETED)
            for future in done:
                lane, index = running.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    broken = lanes[lane]
                    lanes[lane] = None
                    if broken is not None:
                        broken.shutdown(wait=False, cancel_futures=True)
                    if attempts[index] <= retries:
                        log.warning("worker process lost while solving problem %d; retrying", index)
                        queue.append(index)
                    else:
                        result = _crashed(tasks[index], attempts[index])
                        yield index, result
                except Exception as err:  # e.g. the task could not be pickled
                    yield index, _crashed(tasks[index], attempts[index], err)
                else:
                    if isinstance(result, BatchError) and attempts[index] > 1:
                        result = _with_attempts(result, attempts[index])
                    yield index, result
                if queue:
                    start(lane, queue.pop())
    finally:
        for pool in lanes:
            if pool is None:
                continue
            if not running:
                pool.shutdown(wait=True)
                continue
            # abandoned early (the caller stopped iterating, or an error): stop the solves
            processes = list((pool._processes or {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()


def _with_attempts(err: BatchError, attempts: int) -> BatchError:
    from dataclasses import replace

    return replace(err, attempts=attempts)


def _crashed(task: _Task, attempts: int | None, err: BaseException | None = None) -> BatchError:
    if err is None:
        times = "once" if attempts == 1 else f"{attempts} times"
        message = f"the worker process died {times} while solving it"
    else:
        message = f"{type(err).__name__}: {err}"
    return BatchError(task.index, task.name, "crashed", message, attempts=attempts)


def _run_dask(
    tasks: list[_Task], client: Any, retries: int, progress: BatchProgress | None
) -> Iterator[BatchResult]:
    try:
        from distributed import KilledWorker, as_completed
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(DASK_HINT) from exc

    def results() -> Iterator[tuple[int, BatchResult]]:
        futures = {
            client.submit(_run_task, task, pure=False, retries=retries): task.index
            for task in tasks
        }
        suspects: list[int] = []
        try:
            for future in as_completed(list(futures)):  # type: ignore[no-untyped-call]
                index = futures[future]
                try:
                    result: BatchResult = future.result()
                except Exception as err:  # KilledWorker after the allowed failures, ...
                    if isinstance(err, KilledWorker):
                        suspects.append(index)
                        continue
                    result = _crashed(tasks[index], None, err)
                yield index, result
        finally:
            for future in futures:
                future.release()
        # The scheduler blames every task a dying worker held (a worker may
        # hold more tasks than threads), so an innocent problem can share a
        # culprit's KilledWorker.  Each such problem is run once more, alone
        # on the cluster: now a lost worker can only be its own doing.
        for index in sorted(suspects):
            alone = client.submit(_run_task, tasks[index], pure=False, retries=0)
            try:
                result = alone.result()
            except Exception as err:
                result = _crashed(tasks[index], None, err)
            finally:
                alone.release()
            yield index, result

    return _in_order(tasks, results(), progress)


# ------------------------------------------------------------------ tables
#: Columns of :func:`summary_record` (``summary.csv`` of ``mutasi-opt batch``):
#: :data:`mutasi_opt.domain.columns.BATCH_SUMMARY`.
SUMMARY_COLUMNS = BATCH_SUMMARY.names


def summary_record(result: BatchResult, name: str) -> dict[str, Any]:
    """One row of the batch summary: status, error kind, shortfall, D before/after, B, moves.

    The numbers are those of :meth:`Plan.summary` (empty when there is no plan).
    """
    plan = result.plan if isinstance(result, BatchError) else result
    summary = plan.summary() if plan is not None else {}
    if isinstance(result, BatchError):
        status = plan.status.value if plan is not None else result.kind
        kind: str | None = result.kind
        message = result.message
        seconds = result.seconds
    else:
        status, kind, message = result.status.value, None, ""
        seconds = result.solve_seconds
    return {
        "region": name,
        "status": status,
        "error_kind": kind,
        "shortfall": summary.get("shortfall"),
        "imbalance_hours_before": summary.get("imbalance_hours_before"),
        "imbalance_hours": summary.get("imbalance_hours"),
        "balance_cost": summary.get("balance_cost"),
        "balance_gap": summary.get("balance_gap"),
        "moves": summary.get("moves"),
        "preference_cost": summary.get("preference_cost"),
        "seconds": round(seconds, 3),
        "message": message,
    }


#: Columns of the :func:`scenarios` table (:data:`mutasi_opt.domain.columns.SCENARIOS`).
SCENARIO_COLUMNS = SCENARIOS.names

_GRID_KEYS = ("max_moves", "policy")
BASE = "base"


def scenario_problems(problem: Problem, grid: Mapping[str, Any]) -> list[tuple[str, Problem]]:
    """The problems of a scenario grid, each with its name: ``(name, problem)``, in table order.

    ``grid`` has up to two keys, each optional:

    ``"max_moves"``
        A list of move budgets (non-negative integers; ``None`` = no limit).
        Absent: the problem's own ``policy.max_moves``.
    ``"policy"``
        ``{variant name: {policy key: value, ...}}``: policy variants, each
        applied on top of the problem's policy (an empty dict is the policy
        as it is).  Absent: one variant named ``base`` with no change.

    Every budget is combined with every variant (variants outer, budgets
    inner).  A scenario is named ``variant`` and ``variant, max_moves=k``
    when budgets are given.  Bad grids raise ``ValueError`` (or
    :class:`InputError` for a bad policy value) naming the key to fix.
    """
    return [(name, scenario) for name, _, scenario in _scenario_list(problem, grid)]


def _scenario_list(problem: Problem, grid: Mapping[str, Any]) -> list[tuple[str, str, Problem]]:
    """``(scenario name, variant name, problem)`` per scenario."""
    if not isinstance(grid, Mapping):
        raise ValueError(
            "grid must be a dict like {'max_moves': [50, 100], 'policy': {'name': {...}}}"
        )
    unknown = [k for k in grid if k not in _GRID_KEYS]
    if unknown:
        raise ValueError(
            f"unknown grid key(s) {', '.join(map(repr, unknown))}; use 'max_moves' "
            "(a list of move budgets) and/or 'policy' ({variant name: {policy key: value}})"
        )
    budgets = _grid_budgets(grid)
    variants = _grid_variants(problem, grid, budgets is not None)
    out = []
    for (variant, policy), budget in itertools.product(variants, budgets or [None]):
        if budgets is None:
            out.append((variant, variant, problem.replace(policy=policy)))
        else:
            label = "unlimited" if budget is None else str(budget)
            scenario = problem.replace(policy=policy.replace(max_moves=budget))
            out.append((f"{variant}, max_moves={label}", variant, scenario))
    return out


def _grid_budgets(grid: Mapping[str, Any]) -> list[int | None] | None:
    if "max_moves" not in grid:
        return None
    raw = grid["max_moves"]
    if isinstance(raw, int | str) or raw is None or not isinstance(raw, Iterable):
        raise ValueError(
            f"grid['max_moves'] must be a list of move budgets, e.g. [50, 100, None]; got {raw!r}"
        )
    budgets: list[int | None] = []
    for i, b in enumerate(raw):
        if b is not None and (isinstance(b, bool) or not isinstance(b, int) or b < 0):
            raise ValueError(
                f"grid['max_moves'][{i}] = {b!r}: a move budget must be an integer ≥ 0 "
                "or None (no limit)"
            )
        budgets.append(b)
    if not budgets:
        raise ValueError("grid['max_moves'] is empty: give at least one move budget")
    if len(set(budgets)) != len(budgets):
        raise ValueError(f"grid['max_moves'] repeats a budget: {budgets}")
    return budgets


def _grid_variants(
    problem: Problem, grid: Mapping[str, Any], has_budgets: bool
) -> list[tuple[str, Any]]:
    from .io.parse import parse_policy

    raw = grid.get("policy", {BASE: {}})
    if not isinstance(raw, Mapping) or not raw:
        raise ValueError(
            "grid['policy'] must be a non-empty dict {variant name: {policy key: value}}, "
            f"e.g. {{'base': {{}}, 'pppk': {{'allow_pppk_moves': True}}}}; got {raw!r}"
        )
    current = {
        k: getattr(problem.policy, k)
        for k in type(problem.policy).model_fields
        if k in problem.policy.model_fields_set
    }
    variants = []
    issues: list[InputIssue] = []
    for name, overrides in raw.items():
        where = f"grid['policy'][{name!r}]"
        if not isinstance(name, str) or not name:
            raise ValueError(f"{where}: a variant name must be a non-empty string")
        if not isinstance(overrides, Mapping):
            raise ValueError(f"{where} must be a dict of policy keys, got {overrides!r}")
        if has_budgets and "max_moves" in overrides:
            raise ValueError(
                f"{where} sets max_moves while grid['max_moves'] lists the budgets; "
                "remove it from the variant"
            )
        policy, found = parse_policy({**current, **overrides}, where)
        issues.extend(found)
        variants.append((name, policy))
    if issues:
        raise InputError(issues)
    return variants


def scenarios(
    problem: Problem,
    grid: Mapping[str, Any],
    params: SolveParams | None = None,
    **kw: Any,
) -> pd.DataFrame:
    """Solve ``problem`` under every scenario of ``grid``; one comparison table.

    The grid is described in :func:`scenario_problems`.  Every scenario runs
    through :func:`solve_many` with ``params`` (a
    :class:`~mutasi_opt.domain.params.SolveParams`, for each scenario) and
    ``kw``: ``client``, ``max_workers``, ``retries``, ``progress`` and the
    :func:`~mutasi_opt.solve` arguments such as ``time_limit`` and ``seed``
    (which override the fields of ``params``).

    Returns
    -------
    pandas.DataFrame
        One row per scenario (:data:`SCENARIO_COLUMNS`): scenario, policy
        variant, move budget (``None`` = no limit), status (``optimal``,
        ``feasible``, ``infeasible``, ``unknown``, ``invalid``, ``crashed``),
        error kind, shortfall, D (``imbalance_hours``), B (``balance_cost``)
        and its gap, moves, preference cost and seconds.
    """
    from .io.records import records_frame

    named = _scenario_list(problem, grid)
    rows = []
    results = solve_many([p for _, _, p in named], params, names=[n for n, _, _ in named], **kw)
    for (name, variant, scenario), result in zip(named, results, strict=True):
        row = summary_record(result, name)
        row.update(scenario=name, policy=variant, max_moves=scenario.policy.max_moves)
        rows.append(row)
    return records_frame(rows, SCENARIOS)  # max_moves: Int64 (None = no limit, not NaN)
