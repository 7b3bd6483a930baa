"""``solve(problem) -> Plan``: the lexicographic stages, status mapping and diagnosis."""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from .. import metrics
from ..domain.arrays import IntArray
from ..domain.limits import Budget, OutOfTime
from ..domain.params import UNSET, SolveParams, Unset
from ..domain.problem import Problem
from ..domain.stages import Stage, Status, permanent_stages, stage_status
from ..results.findings import Conflict
from ..results.history import Reach
from ..results.plan import Plan, PlanStatus, StageResult
from ..solvers.aggregation import Classes, build_classes
from ..solvers.cpsat import CpsatModel, StageOutcome, StageStatus, Unsolved
from ..solvers.disaggregate import aggregate, disaggregate, optimal_preferences
from ..solvers.flow import flow_improve
from ..solvers.greedy import greedy_improve, greedy_preferences
from .check import check_plan
from .decompose import role_components, subproblem
from .diagnose import diagnose
from .fairness import fair_repair
from .pins import draft_start, pin_conflict_plan, pinned_view, solve_pinned
from .rules import pairs_hold, refuse_blackout
from .stages import at_true_value, run_fields, run_stages, stopped_by, unrun_stages

__all__ = ["StageHook", "fewest_moves", "solve", "solve_with_stage_hook"]

log_ = logging.getLogger("mutasi_opt")

#: Share of a limited solve's budget for the greedy plan made before the model is built.
_EARLY_SHARE = 0.2

#: Share of fewest_moves' budget for its LP bound on the moves (before the bisection).
_FLOOR_SHARE = 0.03

#: Share of a stage's budget for its greedy warm start (the LP and CP-SAT share the rest).
_GREEDY_SHARE = 0.5
#: warm-start candidates offered to the model's completion at most, best first
_COMPLETE_TRIES = 3

ProgressFn = Callable[[str, float, float], None]
StageHook = Callable[[str, CpsatModel], None]


def _default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def solve(
    problem: Problem,
    params: SolveParams | None = None,
    *,
    time_limit: float | Unset | None = UNSET,
    work_limit: float | Unset | None = UNSET,
    seed: int | Unset = UNSET,
    workers: int | Unset | None = UNSET,
    log: bool | Unset = UNSET,
    progress: ProgressFn | None = None,
    start: Plan | npt.ArrayLike | None = None,
) -> Plan:
    """Plan transfers for ``problem``, optimal for the lexicographic objective.

    Stages, each holding the ones before: (1) competency shortfall (with
    ``policy.trainable_gap`` > 0 staff that can be trained count, and the
    number of such training needs comes next), (2) imbalance ``D`` (within
    ``policy.imbalance_tolerance_hours``), (3) balance cost ``B`` (to within
    ``policy.balance_gap`` of its bound), (4) number of moves (``B`` held),
    (5) preference cost.

    Parameters
    ----------
    problem
        A validated :class:`~mutasi_opt.domain.problem.Problem`.
    params
        A :class:`~mutasi_opt.domain.params.SolveParams`: the limits, seed,
        workers and log below, and the stage switches (``decompose``,
        ``warm_start``, ``lp_bounds``).  A keyword below that is given
        overrides its field of ``params``; one left out takes it from
        ``params`` (without ``params``: the defaults given below).
    time_limit
        Seconds for the whole solve; ``None`` (default) means until every stage is proven
        (stage 3 to within ``balance_gap``).  The call returns on time (plus a
        small overhead, measured in the README) with the best plan it knows.
    work_limit
        Work units for the whole solve (see :mod:`mutasi_opt.domain.limits`): counted
        work instead of seconds, so that the same input, seed, workers and
        work limit give the same plan on any machine and under any load.
        With both limits, the first one reached stops; ``plan.stopped_by``
        says which.  Default ``None``.
    seed, workers
        CP-SAT random seed (default 0) and number of search workers (default:
        CPU count, at most 8).  The same input, seed and workers give the same plan when
        no time limit cuts a stage short (``plan.stopped_by`` is not
        ``time_limit``).
    log
        Print CP-SAT's search log (default ``False``).
    progress
        Optional callback ``(stage, best_value, bound)`` on each improving solution.
    start
        A plan (or an assignment: unit id or position per employee) to start
        from, e.g. the plan of a neighbouring move budget.  It is a hint only:
        the optimum does not depend on it, and a start that breaks the rules
        is ignored.

    Returns
    -------
    Plan
        With ``status`` ``optimal``, ``feasible`` (a plan, not proven: at the
        least the start or nobody moving, when that meets the rules),
        ``infeasible`` (with a diagnosis) or ``unknown`` (no plan meeting the
        rules was found within the limits).

    Raises
    ------
    ValueError
        For a bad limit, seed or workers (the message says what to change).
    InputError
        When ``policy.plan_date`` falls in the policy's blackout period (no mutasi
        may be decreed then).
    """
    chosen = SolveParams.resolve(
        params, time_limit=time_limit, work_limit=work_limit, seed=seed, workers=workers, log=log
    )
    refuse_blackout(problem.policy)
    starts = [] if start is None else [_start_assignment(problem, start)]
    drafted = draft_start(problem)  # a draft under revision: what it can keep, as a start
    if drafted is not None:
        starts.append(drafted)
    return _solve(problem, params=chosen, progress=progress, starts=starts)


def solve_with_stage_hook(
    problem: Problem,
    params: SolveParams | None = None,
    *,
    stage_hook: StageHook,
    progress: ProgressFn | None = None,
) -> Plan:
    """:func:`solve` with ``stage_hook(stage, model)`` called before each stage's CP-SAT
    search: the one hook into the stage loop, for the benchmarks and for research.

    The hook sees the stage's :class:`~mutasi_opt.solvers.cpsat.CpsatModel`
    with the stages before it held (the benchmarks hand it to a peer solver,
    or time the stages); the time it takes is not charged to the solve's
    time limit.  It must leave the model as it found it (objective aside).
    """
    return _solve(
        problem, params=SolveParams.resolve(params), progress=progress, stage_hook=stage_hook
    )


_DEFAULT_PARAMS = SolveParams()


def _solve(
    problem: Problem,
    *,
    params: SolveParams = _DEFAULT_PARAMS,
    budget: Budget | None = None,
    progress: ProgressFn | None = None,
    stage_hook: StageHook | None = None,
    starts: Sequence[IntArray] = (),
    until: str | None = None,
) -> Plan:
    """:func:`solve` with the internal hooks: ``stage_hook`` (see
    :func:`solve_with_stage_hook`), ``starts`` and ``until``.

    With ``params.decompose``, independent role pools are solved one by one when that is
    exact (see :mod:`mutasi_opt.planning.decompose`).  ``params.warm_start``,
    ``params.lp_bounds`` and ``params.neighbourhoods`` switch off the greedy hints, the LP
    bounds and the neighbourhood search (for the benchmark's ablation only: they leave the
    optimum unchanged).  ``starts`` are
    assignments hinted to the stages (not used when pools are solved apart).
    With ``until``, the stages after that one are not run.  ``budget`` (made
    from ``params.time_limit`` and ``params.work_limit`` when not given) is the caller's.
    """
    view = pinned_view(problem)
    if isinstance(view, Conflict):
        return pin_conflict_plan(problem, view)
    if view is not None:  # pinned employees: solved as constants at their pins
        return solve_pinned(
            problem,
            view,
            lambda pinned: _solve(
                pinned,
                params=params,
                budget=budget,
                progress=progress,
                stage_hook=stage_hook,
                starts=starts,
                until=until,
            ),
        )
    seed, workers, log = params.seed, params.workers, params.log
    decompose, warm_start, lp_bounds = params.decompose, params.warm_start, params.lp_bounds
    neighbourhoods = params.neighbourhoods
    if budget is None:
        budget = Budget(params.time_limit, params.work_limit)
    if decompose and until is None and problem.policy.max_moves is None and not _tolerance(problem):
        groups = [g for g in role_components(problem) if _has_employees(problem, g)]
        if len(groups) > 1:
            return _solve_pools(problem, groups, budget, params, progress, stage_hook)
    t_start = time.perf_counter()
    n_workers = workers if workers is not None else _default_workers()
    pol = problem.policy

    def finish(assignment: IntArray, results: list[StageResult], build: float) -> Plan:
        return Plan.from_solution(
            problem,
            assignment,
            stages=tuple(results),
            build_seconds=build,
            **run_fields(budget, t_start, seed, n_workers),
        )

    # the best plan known before any search: the given start with the least
    # stage values that meets the rules, or nobody moving when that does
    known = _known_start(problem, starts)
    if budget.exhausted():
        return _fallback(problem, known, budget, t_start, n_workers, seed, finish)
    classes = build_classes(problem)
    early = None
    if warm_start and budget.limited and known is not None:
        # under a limit, a plan first: the greedy improvement of the known plan
        # (shortfall and training no worse), before the model is even built
        early = _early_greedy(problem, classes, known, budget.share(_EARLY_SHARE))
        if early is not None:
            known = disaggregate(problem, classes, early)
    if budget.exhausted():
        return _fallback(problem, known, budget, t_start, n_workers, seed, finish)
    try:
        model = CpsatModel(problem, classes, budget=budget)
    except OutOfTime:
        return _fallback(problem, known, budget, t_start, n_workers, seed, finish)
    if budget.exhausted():
        return _fallback(problem, known, budget, t_start, n_workers, seed, finish)
    # a start that breaks a rule (a refusal, say: a draft after an objection) is no hint
    usable = [
        (a, d)
        for a in starts
        if (d := aggregate(problem, classes, a)) is not None and not check_plan(problem, a)
    ]
    given = [d for _, d in usable]
    search = _PermanentSearch(
        problem,
        classes,
        model,
        given,
        warm_start=warm_start,
        lp_bounds=lp_bounds,
        neighbourhoods=neighbourhoods,
        seed=seed,
        workers=n_workers,
        log=log,
        progress=progress,
        stage_hook=stage_hook,
    )
    # nobody moves: a complete first hint whenever the current state meets the rules
    model.complete(_stay_home(classes))
    if early is not None:
        model.complete(early)
        given.append(early)
    elif warm_start and usable:
        # the given start with the least shortfall hints the first stage
        short = [metrics.requirement_shortfall(problem, a).sum() for a, _ in usable]
        model.complete(given[int(np.argmin(short))])
    specs = permanent_stages(pol, draft=metrics.has_draft(problem))
    run = run_stages(
        search,
        specs,
        budget,
        gap_limit=pol.balance_gap,
        until=until,
        exact_truth=lambda stage: stage.name == "training",
    )
    decisions, results = run.decisions, run.results
    if decisions is None:
        if run.failed is not None and run.failed.status is StageStatus.INFEASIBLE:
            return _no_plan(problem, run.failed, t_start, n_workers, seed, budget)
        # the limits ran out (or the first stage found nothing within them)
        return _fallback(problem, known, budget, t_start, n_workers, seed, finish)
    if run.failed is not None:
        # (a stage that holds the ones before always has their plan as its hint)
        log_.warning("stage %s found no plan; keeping the previous stage's plan", run.failed_stage)

    assert decisions is not None
    assignment = disaggregate(problem, classes, decisions)
    m = metrics.evaluate(problem, assignment)
    # a value above the plan's own, as metrics defines it, is lowered to it (a kept
    # hint's preference options, say, may price a move the plan makes to a preferred
    # unit as unlisted); D may stay below it, by imbalance_tolerance_hours at most
    results = [
        at_true_value(r, m.value(r.name), pol.balance_gap, spec.gapped)
        for r, spec in zip(results, specs, strict=False)
    ]
    if until is None and len(results) < len(specs):
        # stages that did not run: the kept plan's true value, the trivial bound 0
        results += unrun_stages(specs, len(results), m.value)
    return finish(assignment, results, model.build_seconds)


class _PermanentSearch:
    """The permanent planner's stages on its CP-SAT model (a :class:`StagedSearch`):
    greedy warm starts before the D, B and preference stages, the benchmarks'
    stage hook, LP bounds from the imbalance stage on."""

    def __init__(
        self,
        problem: Problem,
        classes: Classes,
        model: CpsatModel,
        given: list[dict[str, IntArray]],
        *,
        warm_start: bool,
        lp_bounds: bool,
        neighbourhoods: bool,
        seed: int,
        workers: int,
        log: bool,
        progress: ProgressFn | None,
        stage_hook: StageHook | None,
    ) -> None:
        self.problem, self.classes, self.model, self.given = problem, classes, model, given
        self.warm_start, self.lp_bounds = warm_start, lp_bounds
        self.neighbourhoods = neighbourhoods
        self.seed, self.workers, self.log = seed, workers, log
        self.progress, self.stage_hook = progress, stage_hook
        self.greedy_hint: dict[str, IntArray] | None = None
        self.tolerance_centi = round(200 * problem.policy.imbalance_tolerance_hours)
        #: with a draft to keep, D and B may worsen by this fraction for fewer changes
        self.draft_tolerance = problem.policy.draft_tolerance if metrics.has_draft(problem) else 0.0

    def prepare(
        self,
        stage: Stage,
        decisions: dict[str, IntArray] | None,
        done: Sequence[StageResult],
        budget: Budget,
    ) -> None:
        name, model, classes = stage.name, self.model, self.classes
        model.expression_for(name)  # the stage's own rows first: hints and hooks see them
        if self.warm_start and name == "preference" and decisions is not None:
            try:
                model.complete(optimal_preferences(classes, decisions))
            except RuntimeError:  # not matchable (cannot happen under the Hall rows)
                model.complete(greedy_preferences(classes, decisions))
        if self.warm_start and name in ("imbalance", "balance") and decisions is not None:
            points = [decisions] + ([self.greedy_hint] if self.greedy_hint is not None else [])
            points += self.given
            if name == "imbalance":
                points.append(_stay_home(classes))  # cover shortfall the D-friendly way
            hinted = _warm_start(
                self.problem, classes, model, points, name, list(done), budget.share(_GREEDY_SHARE)
            )
            if name == "imbalance":
                self.greedy_hint = hinted
        if self.warm_start and name == "changes" and decisions is not None and self.given:
            _hint_changes(self, decisions, list(done), budget.share(_GREEDY_SHARE))
        if self.stage_hook is not None:
            t_hook = time.perf_counter()
            self.stage_hook(name, model)
            budget.extend(time.perf_counter() - t_hook)  # the hook's time is not the solver's

    def solve(self, stage: Stage, budget: Budget) -> StageOutcome:
        progress = self.progress
        name = stage.name
        return self.model.solve_stage(
            name,
            budget=budget,
            seed=self.seed,
            workers=self.workers,
            relative_gap=self.problem.policy.balance_gap if stage.gapped else 0.0,
            log_search=self.log,
            progress=None if progress is None else (lambda v, b: progress(name, v, b)),
            lp=self.lp_bounds and name not in ("shortfall", "training"),
            lns=self.neighbourhoods and name not in ("shortfall", "training"),
        )

    def true_value(self, stage: Stage, decisions: dict[str, IntArray]) -> int:
        assignment = disaggregate(self.problem, self.classes, decisions)
        return metrics.evaluate(self.problem, assignment).value(stage.name)

    def rehint(self, decisions: dict[str, IntArray]) -> None:
        self.model.complete(decisions)

    def held_value(self, name: str, value: int) -> int:
        """The hold of stage ``name`` found at ``value``: with the tolerances added."""
        if name in ("imbalance", "balance"):
            # the changes stage may trade D and B within the draft tolerance
            value += math.floor(value * self.draft_tolerance)
        if name == "imbalance":
            value += self.tolerance_centi  # the later stages may trade D within the tolerance
        return value

    def hold(self, stage: Stage, value: int) -> None:
        self.model.fix_at_most(
            self.model.stage_expression(stage.name), self.held_value(stage.name, value)
        )


#: greedy passes tried from a given start before the changes stage (few first: each
#: pass changes more of the draft)
_CHANGE_STEPS = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55)


def _hint_changes(
    search: _PermanentSearch,
    decisions: dict[str, IntArray],
    done: list[StageResult],
    budget: Budget,
) -> None:
    """Hint the changes stage with the given start (a draft, say) improved by the
    fewest greedy passes for B that bring it within every hold, when that changes
    fewer draft decisions than the plan of the stage before."""
    t0 = time.perf_counter()
    problem, classes = search.problem, search.classes
    caps = {r.name: search.held_value(r.name, r.value) for r in done}

    def value(d: dict[str, IntArray]) -> int | None:
        m = metrics.evaluate(problem, disaggregate(problem, classes, d))
        if any(m.value(name) > cap for name, cap in caps.items()):
            return None
        return m.changes

    best = value(decisions)
    hint = None
    for start in search.given:
        for steps in _CHANGE_STEPS:
            if budget.exhausted():
                break
            point = start
            if steps:
                point = greedy_improve(
                    problem,
                    classes,
                    start,
                    objective="balance",
                    shortfall_cap=caps["shortfall"],
                    imbalance_cap=caps.get("imbalance"),
                    training_cap=caps.get("training"),
                    max_steps=steps,
                    budget=budget,
                )
            found = value(point)
            if found is not None:
                if best is None or found < best:
                    best, hint = found, point
                break
    ok = hint is not None and search.model.complete(hint)
    log_.info(
        "greedy warm start for changes: %s in %.2fs",
        f"hinted {best}" if ok else "no hint",
        time.perf_counter() - t0,
    )


def _known_start(problem: Problem, starts: Sequence[IntArray]) -> IntArray | None:
    """The lexicographically best of the given starts and nobody moving among
    those that meet every rule (``None`` if none does)."""
    names = metrics.problem_stage_names(problem)
    idx = problem.index
    candidates: list[IntArray] = []
    if (
        _headcounts_fit(problem, idx.home)
        and pairs_hold(problem, idx.home)
        and not metrics.must_rotate(problem).any()  # (rotation_required: someone must move)
    ):
        candidates.append(idx.home.copy())
    candidates += [a for a in starts if not check_plan(problem, a)]
    if not candidates:
        return None
    keys = [tuple(metrics.evaluate(problem, a).value(n) for n in names) for a in candidates]
    return candidates[min(range(len(keys)), key=keys.__getitem__)]


def _early_greedy(
    problem: Problem, classes: Classes, known: IntArray, budget: Budget
) -> dict[str, IntArray] | None:
    """The greedy improvement of ``known`` for ``D`` with its shortfall and
    training needs as caps, when it is lexicographically better (else None)."""
    start = aggregate(problem, classes, known)
    if start is None:
        return None
    m0 = metrics.evaluate(problem, known)
    better = greedy_improve(
        problem,
        classes,
        start,
        objective="imbalance",
        shortfall_cap=m0.shortfall,
        training_cap=m0.training if problem.policy.trainable_gap > 0 else None,
        budget=budget,
    )
    names = metrics.problem_stage_names(problem)
    m1 = metrics.evaluate(problem, disaggregate(problem, classes, better))
    if tuple(m1.value(n) for n in names) < tuple(m0.value(n) for n in names):
        return better
    return None


def _fallback(
    problem: Problem,
    known: IntArray | None,
    budget: Budget,
    t_start: float,
    workers: int,
    seed: int,
    finish: Callable[[IntArray, list[StageResult], float], Plan],
) -> Plan:
    """The plan when the limits ran out before any stage gave one: the best
    known start with its true values and the trivial bounds, or ``unknown``."""
    if known is not None and check_plan(problem, known):  # (a greedy plan always meets them)
        log_.warning("the greedy plan breaks a rule; keeping nobody moving instead")
        known = _known_start(problem, ())
    if known is None:
        return Plan.without_solution(
            problem,
            PlanStatus.UNKNOWN,
            diagnosis=(),
            **run_fields(budget, t_start, seed, workers),
        )
    m = metrics.evaluate(problem, known)
    log_.info("the limits ran out before the first stage; kept the starting plan")
    return finish(
        known,
        unrun_stages(
            permanent_stages(problem.policy, draft=metrics.has_draft(problem)), 0, m.value
        ),
        0.0,
    )


def fewest_moves(
    problem: Problem,
    caps: dict[str, int],
    params: SolveParams | None = None,
    *,
    start: Plan | npt.ArrayLike | None = None,
    time_limit: float | Unset | None = UNSET,
    work_limit: float | Unset | None = UNSET,
    seed: int | Unset = UNSET,
    workers: int | Unset | None = UNSET,
    budget: Budget | None = None,
) -> Reach:
    """The fewest moves of a plan that meets the rules (without the problem's
    move budget) and has each stage value of ``caps`` at most its cap.

    ``caps`` maps stage names (``shortfall``, ``training``, ``imbalance``,
    ``balance``) to values in the stages' exact integer units (those of
    :meth:`metrics.Metrics.value`).

    A bisection on the move budget ``k``: under ``k`` moves, with the caps
    before ``imbalance`` held, ``D`` is minimised, then (``D`` held at its cap)
    ``B``.  The budget suffices when both meet their caps; it is proven too
    small when a stage's lower bound exceeds its cap, which makes the result's
    ``bound`` valid.  A budget left undecided by the time limit is treated as
    too small for the search but not for the bound.  With a D cap, the
    bisection starts at an LP bound on the moves (the cap priced, see
    :meth:`~mutasi_opt.solvers.cpsat.CpsatModel.stage_lp_bound`), which is then
    the result's bound until a probe proves more.  ``start`` (a plan meeting
    the caps) gives the first upper end.  ``time_limit`` and ``work_limit`` (or
    a caller's ``budget``) bound the whole search: each probe's solves take
    fixed shares of what is left, and every probe narrows the interval, so
    the search ends when the interval closes or the budget is used up.
    ``params`` (a :class:`~mutasi_opt.domain.params.SolveParams`) gives the
    limits, seed and workers, the keywords overriding them as for
    :func:`solve`; its stage switches are :func:`solve`'s and do not apply
    to the bisection.
    """
    chosen = SolveParams.resolve(
        params, time_limit=time_limit, work_limit=work_limit, seed=seed, workers=workers
    )
    seed, workers = chosen.seed, chosen.workers
    t0 = time.perf_counter()
    if budget is None:
        budget = Budget(chosen.time_limit, chosen.work_limit)
    free = problem.replace(policy=problem.policy.replace(max_moves=None))
    classes = build_classes(free)
    n_workers = workers if workers is not None else _default_workers()
    held = [s for s in ("shortfall", "training") if s in caps]
    searched = [s for s in ("imbalance", "balance") if s in caps]

    def meets(a: IntArray) -> bool:
        m = metrics.evaluate(free, a)
        return all(m.value(s) <= cap for s, cap in caps.items())

    def share(steps: int) -> Budget:
        return budget.share(1.0 / (steps * max(1, len(held) + len(searched))))

    #: the best moves floor seen (CpsatModel.moves_floor after a D LP): valid for every
    #: plan within the caps, whatever the budget of the model that gave it
    floors = [0]

    def note_floor(model: CpsatModel) -> None:
        if "imbalance" in caps:
            found = model.moves_floor(caps["imbalance"])
            if found is not None:
                floors.append(found)

    def attempt(k: int | None, hint: IntArray | None, steps: int) -> tuple[str, IntArray | None]:
        """("yes", plan) when k moves suffice, ("no", None) when proven too few,
        ("unknown", None) otherwise."""
        sub = free if k is None else free.replace(policy=free.policy.replace(max_moves=k))
        try:
            model = CpsatModel(sub, classes, budget=budget)
        except OutOfTime:
            return "unknown", None
        model.complete(_stay_home(classes))
        decisions: dict[str, IntArray] | None = None
        for name in held:  # a first plan within the held caps (nobody moving may not be)
            out = model.solve_stage(name, budget=share(steps), seed=seed, workers=n_workers)
            bound = 0 if isinstance(out, Unsolved) else out.result.bound
            if out.status is StageStatus.INFEASIBLE or bound > caps[name]:
                return "no", None
            if isinstance(out, Unsolved) or out.result.value > caps[name]:
                return "unknown", None
            decisions = out.decisions
            model.fix_at_most(model.stage_expression(name), caps[name])
        if hint is not None and (d := aggregate(sub, classes, hint)) is not None:
            model.complete(d)
        for stage in searched:
            if decisions is not None:  # the greedy improvement of the plan so far
                better = greedy_improve(
                    sub,
                    classes,
                    decisions,
                    objective=stage,
                    shortfall_cap=caps.get("shortfall", metrics.evaluate(sub).shortfall),
                    imbalance_cap=caps.get("imbalance") if stage == "balance" else None,
                    training_cap=caps.get("training"),
                    budget=share(2 * steps),
                )
                model.complete(better)
            out = model.solve_stage(stage, budget=share(steps), seed=seed, workers=n_workers)
            if stage == "imbalance":
                note_floor(model)
            if isinstance(out, Unsolved):
                return ("no" if out.status is StageStatus.INFEASIBLE else "unknown"), None
            if out.result.bound > caps[stage]:
                return "no", None
            decisions = out.decisions
            # the plan's true value (a time-limited solution may leave auxiliaries loose)
            if (
                metrics.evaluate(sub, disaggregate(sub, classes, decisions)).value(stage)
                > caps[stage]
            ):
                return "unknown", None
            model.fix_at_most(model.stage_expression(stage), caps[stage])
            model.complete(decisions)  # tight auxiliaries: a true hint for the next stage
        if decisions is None:  # nothing searched: the held caps alone
            out = model.solve_stage("moves", budget=share(steps), seed=seed, workers=n_workers)
            if isinstance(out, Unsolved):
                return ("no" if out.status is StageStatus.INFEASIBLE else "unknown"), None
            decisions = out.decisions
        found = disaggregate(sub, classes, decisions)
        return ("yes", found) if meets(found) else ("unknown", None)

    def floor(hint: IntArray) -> int:
        """A bound on the moves of a plan within the caps (0 without a D cap): from
        the duals of D's LP under the hint's moves (:meth:`CpsatModel.moves_floor`),
        else the LP bound of the moves with the D cap priced."""
        if "imbalance" not in caps or budget.exhausted():
            return 0
        top = int(metrics.moved(free, hint).sum())
        capped = free.replace(policy=free.policy.replace(max_moves=top))
        try:
            model = CpsatModel(capped, classes, budget=budget)
        except OutOfTime:
            return 0
        for name in held:
            model.fix_at_most(model.stage_expression(name), caps[name])
        model.stage_lp_bound("imbalance", budget.share(_FLOOR_SHARE))
        note_floor(model)
        if max(floors) >= top:
            return top
        model.fix_at_most(model.stage_expression("imbalance"), caps["imbalance"])
        d = aggregate(capped, classes, hint)
        if d is None or not model.complete(d):
            return max(floors)
        bound = model.stage_lp_bound("moves", budget.share(_FLOOR_SHARE))
        return max(max(floors), 0 if bound is None else bound)

    best: IntArray | None = None
    if start is not None:
        given = _start_assignment(free, start)
        if meets(given) and not check_plan(free, given):
            best = given
    proven_lo = 0
    if best is None:
        verdict, best = attempt(None, None, 4)
        if verdict == "no":
            seconds = time.perf_counter() - t0
            return Reach(Status.INFEASIBLE, None, 0, seconds, None, budget.used, stopped_by(budget))
    if best is not None:
        # every plan within the caps has at least this many moves (the D cap priced)
        proven_lo = min(int(metrics.moved(free, best).sum()), floor(best))
        lo, hi = proven_lo, int(metrics.moved(free, best).sum())
        # first guess: where the chord from no moves to the best plan meets the D cap
        # (D falls ever more slowly with the budget, so the chord tends to overshoot)
        d0 = metrics.evaluate(free).imbalance_centi
        d_hi = metrics.evaluate(free, best).imbalance_centi
        cap_d = caps.get("imbalance")
        guess = None
        if cap_d is not None and d0 > d_hi:
            guess = int(np.ceil(hi * (d0 - cap_d) / (d0 - d_hi)))
        # until a budget below the best plan's moves succeeds, probe upward from
        # the guess by doubling (each probe with a large share of the time);
        # then bisect
        # (the answer is at least the LP bound: a guess below it starts there)
        probe = max(guess, lo) if guess is not None else (lo if lo > 0 else None)
        while lo < hi and not budget.exhausted():
            k = (lo + hi) // 2
            steps = max(1, int(np.ceil(np.log2(hi - lo + 1))))
            probing = probe is not None and lo <= probe < hi
            if probing:
                assert probe is not None
                k, steps = probe, 2
            verdict, found = attempt(k, best, steps)
            if verdict == "yes" and found is not None:
                best, hi = found, int(metrics.moved(free, found).sum())
                probe = None
            else:
                if verdict == "no" and lo == proven_lo:
                    proven_lo = k + 1  # every budget up to k is proven too small
                lo = k + 1
                probe = 2 * k if probing else None
            # a D LP of the probe may prove more budgets too small than k
            proven_lo = max(proven_lo, min(max(floors), hi))
            lo = max(lo, proven_lo)
    seconds = time.perf_counter() - t0
    stopped = stopped_by(budget)
    if best is None:
        return Reach(Status.UNKNOWN, None, proven_lo, seconds, None, budget.used, stopped)
    moves = int(metrics.moved(free, best).sum())
    bound = min(moves, proven_lo)
    status = Status.OPTIMAL if bound == moves else Status.FEASIBLE
    return Reach(status, moves, bound, seconds, best, budget.used, stopped)


def _start_assignment(problem: Problem, start: Plan | npt.ArrayLike) -> IntArray:
    """A start as unit positions of ``problem``; a plan of another problem (say
    the same data under another budget) is matched by NIP and unit id, and
    employees or units it does not know stay home."""
    if not isinstance(start, Plan):
        return metrics.as_assignment(problem, start)
    if start.assignment_array is None:
        return problem.index.home.copy()
    if start.problem is problem:
        return start.assignment_array.copy()
    idx, other = problem.index, start.problem.index
    out = idx.home.copy()
    for e, emp in enumerate(start.problem.employees):
        mine = idx.nip_pos.get(str(emp.nip))
        unit = idx.unit_pos.get(other.unit_ids[int(start.assignment_array[e])])
        if mine is not None and unit is not None:
            out[mine] = unit
    return out


def _tolerance(problem: Problem) -> bool:
    """True when the pools cannot be solved apart: the policy lets later stages trade
    imbalance (``imbalance_tolerance_hours``, a slack shared by all pools), or there is a
    draft to keep (``draft_tolerance`` is such a slack, and a pool without draft units
    would have no changes stage)."""
    return problem.policy.imbalance_tolerance_hours > 0 or metrics.has_draft(problem)


def _has_employees(problem: Problem, roles: list[int]) -> bool:
    return bool(np.isin(problem.index.role, roles).any())


def _solve_pools(
    problem: Problem,
    groups: list[list[int]],
    budget: Budget,
    params: SolveParams,
    progress: ProgressFn | None,
    stage_hook: StageHook | None,
) -> Plan:
    """Solve independent role pools one by one and put the plans side by side
    (each pool gets the share of the budget left that its size is of the
    employees left)."""
    seed, workers = params.seed, params.workers
    each = params.replace(decompose=False)
    t_start = time.perf_counter()
    idx = problem.index
    sizes = [int(np.isin(idx.role, g).sum()) for g in groups]
    assignment = idx.home.copy()
    stage_sum: dict[str, list[StageResult]] = {}
    build = 0.0
    n_workers = workers if workers is not None else _default_workers()
    skipped = 0
    for k, (roles, size) in enumerate(zip(groups, sizes, strict=True)):
        if k > 0 and budget.exhausted() and _headcounts_fit(problem, assignment):
            # no time or work left: the pools not solved yet keep everyone home
            # (which meets their rules), without even building their models
            skipped = len(groups) - k
            break
        sub = subproblem(problem, roles, first=k == 0)
        plan = _solve(
            sub,
            params=each,
            budget=budget.share(size / max(1, sum(sizes[k:]))),
            progress=progress,
            stage_hook=stage_hook,
        )
        if plan.status in (PlanStatus.INFEASIBLE, PlanStatus.UNKNOWN):
            if plan.status is PlanStatus.INFEASIBLE:
                diagnosis = (
                    tuple(diagnose(problem, seconds=budget.seconds_left())) or plan.diagnosis
                )
            else:
                diagnosis = ()
            return Plan.without_solution(
                problem,
                plan.status,
                diagnosis=diagnosis,
                **run_fields(budget, t_start, seed, plan.workers),
            )
        assert plan.assignment_array is not None
        sub_idx = sub.index
        for e_sub, emp in enumerate(sub.employees):
            assignment[idx.nip_pos[str(emp.nip)]] = idx.unit_pos[
                sub_idx.unit_ids[int(plan.assignment_array[e_sub])]
            ]
        for st in plan.stages:
            stage_sum.setdefault(st.name, []).append(st)
        build += plan.build_seconds
    stages = []
    solved = len(groups) - skipped
    truth = metrics.evaluate(problem, assignment)
    gap_limit = problem.policy.balance_gap
    for spec in permanent_stages(problem.policy, draft=metrics.has_draft(problem)):
        name = spec.name
        parts = stage_sum.get(name, [])
        if skipped:
            # the skipped pools add their (home) values and the trivial bound 0
            bound = sum(p.bound for p in parts) if len(parts) == solved else 0
            stages.append(StageResult(name, Status.UNKNOWN, truth.value(name), bound, 0.0))
            continue
        if len(parts) != len(groups):
            break  # a pool stopped early: later stages are not comparable
        value, bound = sum(p.value for p in parts), sum(p.bound for p in parts)
        ran = all(p.status is not Status.UNKNOWN for p in parts)
        stages.append(
            StageResult(
                name=name,
                status=stage_status(value, bound, gapped=spec.gapped, gap_limit=gap_limit, ran=ran),
                value=value,
                bound=bound,
                seconds=sum(p.seconds for p in parts),
                bound_source="+".join(sorted({p.bound_source or "cp-sat" for p in parts})),
            )
        )
    return Plan.from_solution(
        problem,
        assignment,
        stages=tuple(stages),
        build_seconds=build,
        **run_fields(budget, t_start, seed, n_workers),
    )


def _headcounts_fit(problem: Problem, assignment: IntArray) -> bool:
    """True when every unit's headcount under ``assignment`` is within its bounds."""
    idx = problem.index
    head = metrics.headcount(problem, assignment)
    lo, hi = idx.min_staff, idx.max_staff
    return bool(np.all((lo < 0) | (head >= lo)) and np.all((hi < 0) | (head <= hi)))


def _stay_home(classes: Classes) -> dict[str, IntArray]:
    """Decisions in which nobody moves."""
    return {
        "out": np.zeros(classes.n, dtype=np.int64),
        "arrive": np.zeros(sum(len(t) for t in classes.type_targets), dtype=np.int64),
        "pref": np.zeros(len(classes.pref_options), dtype=np.int64),
    }


def _made_fair(
    problem: Problem, classes: Classes, decisions: dict[str, IntArray]
) -> dict[str, IntArray] | None:
    """``decisions`` repaired under the policy's fairness rules (the greedy search
    does not know them; see :func:`.fairness.fair_repair`), or None when the repair
    breaks another rule; unchanged without a fairness rule."""
    pol = problem.policy
    if not (pol.individual_rationality or pol.no_justified_envy):
        return decisions
    repaired = fair_repair(problem, disaggregate(problem, classes, decisions))
    if check_plan(problem, repaired):
        return None
    return aggregate(problem, classes, repaired)


def _warm_start(
    problem: Problem,
    classes: Classes,
    model: CpsatModel,
    starts: list[dict[str, IntArray]],
    stage: str,
    results: list[StageResult],
    budget: Budget,
) -> dict[str, IntArray] | None:
    """Hint the stage with the best greedy improvement of the given starting points.

    Starting points that break an earlier stage's hold are skipped; each one
    gets an equal share of what is left of ``budget``.  Returns the decisions
    that were hinted (or None).
    """
    t0 = time.perf_counter()
    held = {r.name: r.value for r in results}
    cap_d = (
        None
        if stage == "imbalance"
        else held["imbalance"] + round(200 * problem.policy.imbalance_tolerance_hours)
    )
    cap_t = held.get("training")

    def breaks_hold(m: metrics.Metrics) -> bool:
        return (
            m.shortfall > held["shortfall"]
            or (cap_t is not None and m.training > cap_t)
            or (cap_d is not None and m.imbalance_centi > cap_d)
        )

    found: list[tuple[tuple[int, ...], int, dict[str, IntArray]]] = []
    seen: list[dict[str, IntArray]] = []
    distinct = []
    for start in starts:
        if any(all(np.array_equal(start[k], s[k]) for k in start) for s in seen):
            continue  # the same start again (the stage before kept the greedy hint)
        seen.append(start)
        distinct.append(start)
    for i, start in enumerate(distinct):
        if budget.exhausted():
            break
        if stage == "balance":
            m = metrics.evaluate(problem, disaggregate(problem, classes, start))
            if breaks_hold(m):
                continue
        share = budget.share(1.0 / (len(distinct) - i))
        # the exact rounds lower Σ d first: for the balance stage they trade B for D
        flow = stage == "imbalance"
        improved = greedy_improve(
            problem,
            classes,
            start,
            objective=stage,
            shortfall_cap=held["shortfall"],
            imbalance_cap=cap_d,
            training_cap=cap_t,
            budget=share.share(0.5) if flow else share,
        )
        candidates = [improved]
        if flow:
            flowed = flow_improve(problem, classes, improved, imbalance_cap=cap_d, budget=share)
            if flowed is not improved:
                improved = greedy_improve(
                    problem,
                    classes,
                    flowed,
                    objective=stage,
                    shortfall_cap=held["shortfall"],
                    imbalance_cap=cap_d,
                    training_cap=cap_t,
                    budget=share,
                )
                candidates.append(improved)
        for improved in candidates:
            fair = _made_fair(problem, classes, improved)
            if fair is None:
                continue
            m = metrics.evaluate(problem, disaggregate(problem, classes, fair))
            if breaks_hold(m):
                continue
            key = (
                (m.imbalance_centi, m.balance_cost_scaled)
                if stage == "imbalance"
                else (m.balance_cost_scaled,)
            )
            found.append((key, len(found), fair))
    # the best that the model takes (a rule of the model the local searches do not
    # know, e.g. a fairness rule, makes the completion refuse a candidate)
    best: tuple[tuple[int, ...], int, dict[str, IntArray]] | None = None
    for cand in sorted(found, key=lambda f: f[:2])[:_COMPLETE_TRIES]:
        if model.complete(cand[2]):
            best = cand
            break
    ok = best is not None
    log_.info(
        "greedy warm start for %s: %s in %.2fs",
        stage,
        f"hinted {best[0] if best else ''}" if ok else "no hint",
        time.perf_counter() - t0,
    )
    return best[2] if best is not None else None


def _no_plan(
    problem: Problem,
    out: Unsolved,
    t_start: float,
    workers: int,
    seed: int,
    budget: Budget,
) -> Plan:
    """The result of a first stage that proved the rules cannot all hold."""
    assert out.status == StageStatus.INFEASIBLE
    conflicts = diagnose(problem, seconds=budget.seconds_left())
    return Plan.without_solution(
        problem,
        PlanStatus.INFEASIBLE,
        diagnosis=tuple(conflicts),
        **run_fields(budget, t_start, seed, workers),
    )
