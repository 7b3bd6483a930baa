"""Assembly of the CP-SAT model and stage-by-stage solving.

Statuses are translated into :class:`StageStatus` (in :mod:`.running`); no
ortools type leaves this package.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias

import numpy as np
import numpy.typing as npt
from ortools.sat.python import cp_model

from ... import metrics
from ...domain.arrays import IntArray
from ...domain.limits import (
    COMPLETE_WORK,
    LP_UNTIMED_WORK,
    Budget,
    OutOfTime,
    StopReason,
)
from ...domain.problem import Problem
from ...domain.stages import PERMANENT_STAGES
from ...results.plan import StageResult
from ..aggregation import Classes
from ..bounds import lp_bound, relaxation_bound
from ..disaggregate import disaggregate
from ..highs import DualCertificate, LpRelaxation
from ..linear import reduced_cost_box
from .constraints import Constraints, RuleGroup
from .lns import LNS_UNTIMED_WORK, Neighbourhoods, improve, rematch
from .objective import Expressions, LinExpr, Objective
from .running import (
    DEFAULT_SUBSOLVERS,
    PRIMAL_SUBSOLVERS,
    StageStatus,
    new_solver,
    objective_at,
    run_solver,
    solve_fixed,
    translate_status,
)
from .variables import Variables

__all__ = [
    "COMPLETE_WORK",
    "LP_UNTIMED_WORK",
    "CpsatModel",
    "Solved",
    "StageOutcome",
    "StageStatus",
    "Unsolved",
    "new_solver",
    "objective_at",
    "run_solver",
    "solve_fixed",
    "translate_status",
]

log = logging.getLogger("mutasi_opt")


@dataclass(frozen=True)
class Solved:
    """A stage minimised to a solution: its numbers and the solution's decisions.

    ``result`` is named after the stage; its status is the solver's (``optimal``
    or ``feasible``) and its ``bound_source`` ``"cp-sat"`` or ``"lp"`` (the LP
    relaxation of the permanent model), whichever bound is higher.
    """

    result: StageResult
    decisions: dict[str, IntArray]  # the model's decision values (e.g. out / arrive / pref)

    @property
    def status(self) -> StageStatus:
        """The solver's status (``result.status``), read as an :class:`Unsolved`'s is."""
        return self.result.status


@dataclass(frozen=True)
class Unsolved:
    """A stage that found no solution: ``infeasible`` (proven) or ``unknown``."""

    stage: str
    status: StageStatus
    seconds: float


#: the outcome of minimising one stage expression
StageOutcome: TypeAlias = Solved | Unsolved


ProgressCallback = Callable[[float, float], None]

#: Seconds per model row of converting the model for HiGHS (measured: 0.77 s for
#: the 38,000 rows of a 20,000-employee city on the benchmark machine); an LP
#: given less time than that is skipped, as its conversion cannot be cut short.
_LP_SETUP_SECONDS_PER_ROW = 2e-5

#: the LP's share of a stage's budget (see CpsatModel.solve_stage)
_LP_SHARE = {"imbalance": 0.9, "balance": 0.7, "moves": 0.5, "preference": 0.5}

#: the neighbourhood search's share of a stage's budget left after the LP (measured
#: on the embedded sample's frontier: CP-SAT's search on the whole balance model
#: afterwards never improved the plan there)
_LNS_SHARE = {"imbalance": 0.5, "balance": 0.6, "moves": 0.5, "preference": 0.5}
#: the share of units free in a stage's first unit neighbourhood (measured on the
#: embedded sample at 386 moves: a third of the units is solved in about 0.5 s for
#: the imbalance stage, a tenth in about as long for the balance stage)
_LNS_FIRST_SHARE = {"imbalance": 0.3}

#: the CP-SAT portfolio of a stage's search on the whole model, where not the
#: default: the preference stage's bound is the LP's (CP-SAT adds a few points), its
#: plans are what the search must find (measured on the demo's problem, 150 moves,
#: 2 workers, seeds 0/1/2: 671/660/663 -> 660/659/659 with a work limit of 30, the
#: optimum under one run's holds being 659; in 60 s 665-671 -> 663/671/661)
_STAGE_SUBSOLVERS = {"preference": PRIMAL_SUBSOLVERS}

#: stages whose expressions use auxiliary variables (created with the model)
_WITH_AUXILIARIES = tuple(s.name for s in PERMANENT_STAGES if s.auxiliary)


def _within_gap(bound: int | None, gap: float) -> int | None:
    """The largest value within the relative ``gap`` of ``bound`` (``(v − b) / v ≤ gap``,
    CP-SAT's ``relative_gap_limit``), or None without a bound or a gap."""
    if bound is None or gap <= 0 or bound <= 0:
        return None
    if gap >= 1:
        return 2**62
    v = math.floor(bound / (1.0 - gap))  # then the float rounding, either way
    while v > bound and (v - bound) > gap * v:
        v -= 1
    while (v + 1 - bound) <= gap * (v + 1):
        v += 1
    return v


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, callback: ProgressCallback) -> None:
        super().__init__()
        self._callback = callback

    def on_solution_callback(self) -> None:
        self._callback(self.objective_value, self.best_objective_bound)


class CpsatModel:
    """The lexicographic model on a given class partition.

    Parameters
    ----------
    problem
        The validated problem.
    classes
        Its class partition (see :mod:`mutasi_opt.solvers.aggregation`).
    guarded
        Guard each hard rule group with a literal (for the diagnosis).
    budget
        The solve's budget, charged with the work of completing hints (at
        most :data:`COMPLETE_WORK` each); default: unlimited.
    """

    def __init__(
        self,
        problem: Problem,
        classes: Classes,
        *,
        guarded: bool = False,
        budget: Budget | None = None,
    ) -> None:
        t0 = time.perf_counter()
        self.budget = budget if budget is not None else Budget()
        self.problem = problem
        self.classes = classes
        self.model = cp_model.CpModel()
        self.vars = Variables(self.model, classes)
        self._interrupt()
        self.expr = Expressions(problem, self.vars)
        self._interrupt()
        self.constraints = Constraints(self.model, problem, self.vars, self.expr, guarded=guarded)
        self.constraints.post_all()
        self._interrupt()
        self.objective = Objective(self.model, problem, self.expr, interrupt=self._interrupt)
        #: the stages of the problem's policy, in order
        self.stages = metrics.problem_stage_names(problem)
        if not guarded:
            # create every auxiliary variable now, so that each stage's solution
            # is a complete hint for the next one
            for stage in self.stages:
                if stage in _WITH_AUXILIARIES:
                    self.objective.stage(stage)
        self._last_solution: list[int] | None = None
        self._complete_seconds = 0.0  # how long the last completion took
        self._held = False  # an earlier stage is held (see fix_at_most)
        #: (row index, expression, value) of every hold, in order
        self._holds: list[tuple[int, LinExpr, int]] = []
        self._base_rows = len(self.model.proto.constraints)
        #: rows of the residue lines (posted before the imbalance stage, see _post_residues)
        self._residue_rows: list[int] = []
        self._relaxation: LpRelaxation | None = None
        #: the imbalance stage's LP rows and duals (see moves_floor)
        self._d_certificate: DualCertificate | None = None
        #: per stage expression (id), the priced LP of its best bound: its weights
        #: a (on the stage) and b (on Σd), the D hold and the rows and duals
        self._priced_certificates: dict[int, tuple[int, int, int, DualCertificate]] = {}
        #: the last stage LP's solution (one value per variable; see _lp_bound)
        self._lp_values: npt.NDArray[np.float64] | None = None
        self._neighbourhoods: Neighbourhoods | None = None
        self.build_seconds = time.perf_counter() - t0

    def _post_residues(self) -> None:
        """Post the residue variables of the imbalance stage (once), extending the
        last solution to them (see :meth:`Objective.post_residues`)."""
        if self.objective._residues_posted:
            return
        first = len(self.model.proto.constraints)
        if not self.objective.post_residues():
            return
        self._residue_rows = list(range(first, len(self.model.proto.constraints)))
        if self._last_solution is not None:
            extra = self.objective.residue_values(self._last_solution)
            self._last_solution = self._last_solution + extra
            assert len(self._last_solution) == len(self.model.proto.variables)

    def _interrupt(self) -> None:
        """Abandon the build when the budget's deadline has passed."""
        if self.budget.time_up():
            self.budget.cut()
            raise OutOfTime("the time limit was reached while the CP-SAT model was built")

    @property
    def rule_groups(self) -> list[RuleGroup]:
        """Hard rule groups posted (with literals when guarded)."""
        return self.constraints.groups

    def stage_expression(self, name: str) -> LinExpr:
        """The expression of stage ``name`` (builds auxiliary variables on first use)."""
        return self.objective.stage(name)

    def expression_for(self, name: str) -> LinExpr:
        """The expression of stage ``name`` after posting what that stage adds to
        the model first (the residue variables, from the imbalance stage on): the
        model a peer solver minimising the stage should see."""
        if name not in ("shortfall", "training"):
            self._post_residues()
        return self.stage_expression(name)

    def fix_at_most(self, expr: LinExpr, value: int) -> None:
        """Add ``expr ≤ value`` (holding an earlier stage).  Holding D, or a stage whose
        bound came from a priced LP, also narrows the variables' domains by
        reduced-cost fixing (see :meth:`_fix_by_reduced_costs`)."""
        if isinstance(expr, int):
            return
        self._holds.append((len(self.model.proto.constraints), expr, value))
        self.model.add(expr <= value)
        self._held = True
        if self._d_certificate is not None and expr is self.objective.stage("imbalance"):
            self._fix_by_reduced_costs(self._d_certificate, value, "imbalance")
        priced = self._priced_certificates.get(id(expr))
        if priced is not None:
            # a·expr + b·Σd ≤ a·value + b·d_hold for every plan under both holds
            a, b, d_hold, cert = priced
            self._fix_by_reduced_costs(cert, a * value + b * d_hold, "priced")

    def _fix_by_reduced_costs(self, cert: DualCertificate, limit: int, what: str) -> None:
        """Narrow every variable's domain to what an LP's rows and duals ``cert`` allow
        a plan whose value of that LP's objective is at most ``limit``
        (:func:`~mutasi_opt.solvers.linear.reduced_cost_box`; valid for every
        later stage, which all keep the holds).  When the imbalance LP proves D
        the slack is below one centi-hour and every variable with a reduced cost
        above it is fixed: measured on the embedded sample at 150 moves (dated
        2025-01-01, as the demo), 6,565 of 12,923 variables, and B's hold fixes
        465 more.  The preference stage there (work limit 30, seeds 0/1/2) then
        ended at 671/660/663 with CP-SAT's bound at 650-651, where it had ended at
        676 with the bound at 646 (seed 0; the optimum under the demo's holds is
        659, HiGHS's MIP in 340 s).  The kept relaxation is narrowed as well."""
        box = reduced_cost_box(cert.rows, cert.dual, limit)
        if box is None:
            return
        lower, upper = box
        changed = np.flatnonzero((lower > cert.rows.lower) | (upper < cert.rows.upper))
        variables = self.model.proto.variables
        fixed = 0
        for j in changed.tolist():
            domain = list(variables[j].domain)
            lo, hi = lower[j], upper[j]
            narrowed: list[int] = []
            for a, b in zip(domain[::2], domain[1::2], strict=True):
                a2, b2 = max(a, math.ceil(lo)), min(b, math.floor(hi))
                if a2 <= b2:
                    narrowed += [a2, b2]
            if not narrowed:  # (cannot happen for valid duals: the hint meets the hold)
                continue
            if narrowed != domain:
                variables[j].domain.clear()
                variables[j].domain.extend(narrowed)
                fixed += narrowed[0] == narrowed[-1]
        if self._relaxation is not None:
            self._relaxation.tighten(lower, upper)
        log.info(
            "%s hold: %d of %d variables narrowed by reduced costs, %d fixed",
            what,
            len(changed),
            cert.rows.n_cols,
            fixed,
        )

    def complete(self, decisions: dict[str, IntArray]) -> bool:
        """Make ``decisions`` the next hint, with every auxiliary variable filled in.

        The decision values are fixed on a copy of the model, which CP-SAT then
        solves by propagation alone (charged to the model's budget, at most
        :data:`COMPLETE_WORK`).  Returns False (and keeps the old hint) if the
        decisions violate a constraint posted so far, or the budget ran out
        (or has less time left than the last completion took).
        """
        if self.budget.exhausted() or not self.budget.room_for(self._complete_seconds):
            return False
        t0 = time.perf_counter()
        v = self.vars
        pairs = [(y, val) for y, val in zip(v.out, decisions["out"], strict=True) if y is not None]
        pairs += list(zip(v.arrive, decisions["arrive"], strict=True))
        pairs += list(zip(v.pref, decisions["pref"], strict=True))
        # minimising the stage expressions makes every auxiliary variable
        # (d, e, shortfall, training) tight, so the hint's objective is true
        aux = [self.objective.stage(s) for s in self.stages if s in _WITH_AUXILIARIES]
        if "training" in self.stages:
            # count the shortfall twice: one more sf_q may lower t_q by one
            aux.append(self.objective.stage("shortfall"))
        solution = solve_fixed(self.model, pairs, aux, budget=self.budget.capped(COMPLETE_WORK))
        self._complete_seconds = time.perf_counter() - t0
        if solution is None:
            return False
        self._last_solution = solution
        return True

    def _hint_last(self) -> None:
        if self._last_solution is None:
            return
        proto = self.model.proto
        n = len(proto.variables)
        sol = self._last_solution
        self.model.clear_hints()  # type: ignore[no-untyped-call]
        # variables created after the last solve (none in practice) get no hint
        k = min(n, len(sol))
        proto.solution_hint.vars.extend(range(k))
        proto.solution_hint.values.extend(sol[:k])

    def _lp_bound(self, name: str, expr: LinExpr, budget: Budget) -> int | None:
        """The LP bound of stage ``name`` (whose expression is the objective).

        The stages share one LP relaxation kept alive across them (the model's
        rows and the shortfall and training holds); the balance stage's first
        priced LP is solved from scratch, every other LP from the basis before
        (see :meth:`_priced_bound`).  In the later stages the
        hold ``D ≤ D*`` is priced instead of posted (see :meth:`_priced_bound`),
        which avoids the degenerate row on which HiGHS stalls or fails (see
        :func:`lp_bound`).  For B the search starts at ``λ`` = 4 × 100 × the
        steepest slope of ``φ`` (measured: the bound then equals the held LP's
        on the embedded sample when D is proven, and is 0.02 % below it at 20,000
        employees; a much larger ``λ`` makes the LP ill-conditioned); when the
        held D is above its optimum a smaller ``λ`` gives more.  For moves and
        preference it starts at the average value of a unit of the stage,
        ``(Σd of nobody moving − D*) / its value at the hint``; the moves stage
        first tries :meth:`moves_floor`, which needs no LP.
        """
        proto = self.model.proto
        d_expr = self.objective.stage("imbalance")
        d_holds = [h for h in self._holds if h[1] is d_expr]
        priced = name in ("balance", "changes", "moves", "preference") and len(d_holds) == 1
        if name == "changes":
            # every draft mover without a draft option is a change in every plan
            floor = self.expr.changes_floor()
            if priced:
                found = self._lp_bound_priced(name, expr, budget, d_expr, d_holds)
            else:
                found = lp_bound(proto, budget=budget, held=self._held).bound
            return floor if found is None else max(found, floor)
        if name != "imbalance" and not priced:
            return lp_bound(proto, budget=budget, held=self._held).bound
        return self._lp_bound_priced(name, expr, budget, d_expr, d_holds)

    def _lp_bound_priced(
        self,
        name: str,
        expr: LinExpr,
        budget: Budget,
        d_expr: LinExpr,
        d_holds: list[tuple[int, LinExpr, int]],
    ) -> int | None:
        """The LP bound of the imbalance stage, or of a later stage with the D hold
        priced (see :meth:`_lp_bound`)."""
        proto = self.model.proto
        first = [self.objective.stage(s) for s in self.stages if s in ("shortfall", "training")]
        rows = list(range(self._base_rows)) + self._residue_rows
        rows += [row for row, e, _ in self._holds if any(e is x for x in first)]
        if self._relaxation is None:
            self._relaxation = LpRelaxation(proto, rows)
        else:
            self._relaxation.add_rows(proto, rows)
        if name == "imbalance":
            res = relaxation_bound(self._relaxation, proto, budget=budget)
            self._lp_values = res.values
            if res.bound is not None:
                self._d_certificate = self._relaxation.certificate()
            return res.bound
        _, _, d_hold = d_holds[0]
        if name in ("changes", "moves", "preference"):
            # the later holds (B, and moves for the preference stage) are plain rows,
            # not degenerate like D's: posted.  Measured on the embedded sample at
            # 150 moves: the preference bound 429 without the B hold, 638 with it
            # (the optimum, by HiGHS's MIP in 300 s, is 671)
            self._relaxation.add_rows(proto, [row for row, e, _ in self._holds if e is not d_expr])
        sol = self._last_solution
        hinted = None if sol is None else objective_at(self.model, sol)
        if name == "balance":
            # B and Σd are on comparable scales: the price is on Σd; the search
            # stops once the bound is within the balance gap of the hint's B
            lam = 400 * max(self.problem.policy.balance_slopes)
            enough = None
            if hinted is not None:
                enough = math.ceil(hinted * (1 - self.problem.policy.balance_gap))
            return self._priced_bound(
                expr, d_expr, d_hold, budget, lam, on_stage=False, enough=enough
            )
        stay = int(metrics.imbalance_centi(self.problem, self.problem.index.home))
        if hinted is None or hinted <= 0 or stay <= d_hold:
            return 0  # (≥ 0 is valid, and exact when nobody moving meets the hold)
        floor = self.moves_floor(d_hold) if name == "moves" else None
        if floor is not None and floor >= hinted:
            return floor  # the hint is optimal: no LP to solve
        price = max(1, (stay - d_hold) // hinted)
        guide = name != "moves"
        by_price = self._priced_bound(
            expr, d_expr, d_hold, budget, price, on_stage=True, enough=hinted, guide=guide
        )
        found = [b for b in (by_price, floor) if b is not None]
        return max(found) if found else None

    def moves_floor(self, d_hold: int) -> int | None:
        """A lower bound on the moves of every plan with ``Σd ≤ d_hold``, from the
        imbalance stage's LP duals (no new LP): with ``L(m)`` the safe bound of
        ``min Σd`` with the move budget tightened to ``m`` (valid for those duals,
        whatever their accuracy: :class:`~mutasi_opt.solvers.highs.DualCertificate`),
        a plan with at most ``m − 1`` moves has ``Σd ≥ L(m − 1)``, so ``L(m − 1) >
        d_hold`` proves at least ``m`` moves.  ``L`` rises by the budget row's
        dual per move taken off the budget, so the largest such ``m`` follows from
        two evaluations (and is checked).  None without a move budget or an LP
        of the imbalance stage.

        Measured: when the LP proves ``D`` (``d_hold`` is its bound) this is the
        budget itself, so the moves stage of a budget-bound plan ends at once.
        """
        cert, row = self._d_certificate, self.constraints.move_budget_row
        top = self.problem.policy.max_moves
        if cert is None or row is None or top is None or top <= 0:
            return None
        at_top, below = cert.bound_with_upper(row, top), cert.bound_with_upper(row, top - 1)
        if at_top is None or below is None or not math.isfinite(at_top) or below <= at_top:
            return None
        # L(m) ≈ at_top + (top − m)·slope: the largest m with L(m − 1) > d_hold
        slope = below - at_top
        m = top - max(0, math.floor((d_hold - at_top) / slope))
        for _ in range(3):  # (the estimate is exact but for the safety margin)
            if m <= 0:
                return 0
            lower = cert.bound_with_upper(row, m - 1)
            if lower is not None and lower > d_hold:
                return m
            m -= 1
        return None

    def _priced_bound(
        self,
        expr: LinExpr,
        d_expr: LinExpr,
        d_hold: int,
        budget: Budget,
        start: int,
        *,
        on_stage: bool,
        enough: int | None = None,
        guide: bool = True,
    ) -> int | None:
        """A bound on ``expr`` over the plans with ``Σd ≤ d_hold`` (and the rows of the
        kept relaxation: the model, the first stages' holds, for the moves and
        preference stages the later holds: B, and moves).

        The hold is priced (Lagrangian relaxation): for weights ``a, b > 0`` every
        such plan has ``a·expr + b·Σd ≥ LP(a·expr + b·Σd)`` and ``Σd ≤ d_hold``, so
        ``expr ≥ (LP(a·expr + b·Σd) − b·d_hold) / a``.  The held LP itself is
        degenerate (HiGHS stalls, or its safe bound comes out at 0 or below); the
        priced one re-solves from the kept basis in a fraction of a second.

        ``on_stage``: the price ``P`` is ``a`` (``b`` = 1; centi-hours of ``Σd`` per
        move or preference point), else it is ``b`` (``a`` = 1; for B).  From
        ``start``, the price is halved (or else doubled) while the bound improves,
        then the geometric midpoints around the best are tried (the first LP
        may use 70 % of the budget, each later one a quarter of what is left; a
        run that ends without an optimum is solved once more on a quarter), until
        a bound reaches ``enough`` (e.g. the hint's value).  None if no LP gave a
        bound.  ``guide``: the LP solution at the best bound's price guides the
        stage's neighbourhood search (RINS).
        """
        assert self._relaxation is not None
        relaxation, proto = self._relaxation, self.model.proto
        seen: dict[int, int] = {}
        #: the bound at each price before rounding up: the search compares these
        #: (see below)
        exact: dict[int, float] = {}
        #: (bound, price, LP solution) of the best bound with a solution so far
        guide_point: tuple[float, int, npt.NDArray[np.float64]] | None = None
        #: (bound, a, b, the LP's rows and duals) of the best bound so far
        best_certificate: tuple[float, int, int, DualCertificate] | None = None

        def at(price: int) -> int | None:
            if price in seen:
                return seen[price]
            a, b = (price, 1) if on_stage else (1, price)
            self.model.clear_objective()  # type: ignore[no-untyped-call]
            self.model.minimize(a * expr + b * d_expr)
            # the first LP may take most of the budget (a second run from where it
            # stopped keeps the rest); each later one, a re-solve from its basis, a
            # quarter of what is left.  The balance stage's first LP is solved from
            # scratch: the imbalance stage's basis is a poor start for B (measured,
            # see LpRelaxation.solve); the moves and preference stages' objective
            # is close to D's, and their first LP from the basis kept a stronger
            # bound under a small budget (the sample at 150 moves, work limit 1:
            # preference bound 612 from scratch, at least 630 from the basis)
            cold = not seen and not on_stage
            step = budget.share(0.7) if not seen else budget.share(0.25)
            try:
                res = relaxation_bound(relaxation, proto, budget=step, fresh=cold)
                if res.status != "lp_optimal" and not budget.exhausted():
                    # measured: a solve after the objective changes can end with HiGHS
                    # status "unknown"; a second run then solves (its multipliers'
                    # bound is kept if it is the better one): from where a run from
                    # scratch stopped, or else from scratch (on the sample at 438
                    # moves a re-solve from the basis ended "unknown" twice in a row)
                    log.debug("priced LP at price %d: %s; solved again", price, res.status)
                    again = relaxation_bound(
                        relaxation, proto, budget=budget.share(0.25), fresh=not cold
                    )
                    if res.bound is None or (again.bound is not None and again.bound > res.bound):
                        res = again
            finally:
                self.model.clear_objective()  # type: ignore[no-untyped-call]
                self.model.minimize(expr)
            if res.bound is None:
                log.debug("priced LP at price %d: %s", price, res.status)
                return None
            seen[price] = -((b * d_hold - res.bound) // a)  # ceil((LP − b·d_hold) / a)
            exact[price] = (res.bound - b * d_hold) / a
            nonlocal guide_point, best_certificate
            if res.values is not None and (
                guide_point is None or (exact[price], price) > guide_point[:2]
            ):
                guide_point = (exact[price], price, res.values)
            if best_certificate is None or exact[price] > best_certificate[0]:
                cert = relaxation.certificate()
                if cert is not None:
                    best_certificate = (exact[price], a, b, cert)
            log.debug("priced bound %d at price %d", seen[price], price)
            return seen[price]

        def done() -> bool:
            reached = enough is not None and any(v >= enough for v in seen.values())
            return reached or budget.exhausted()

        def gains(price: int, than: int) -> bool:
            # the bound is a concave function of the price's inverse (of the price
            # for B), so the search goes on while it rises at all: compared before
            # rounding up.  Measured on the sample at 150 moves: the preference
            # bound rose by 0.6 points per halving from the start's 587 at 50,966
            # to 629 at 796, then by less than one, so the rounded bound stalled
            # there (629 at 398 as at 796); it goes on rising to 646 at 12
            tol = 1e-9 * max(1.0, abs(exact[than]))
            return price in exact and exact[price] > exact[than] + tol

        at(start)
        for factor in (0.5, 2.0):
            price = start
            while price in exact and not done():
                lower = max(1, int(price * factor))
                if lower == price or at(lower) is None or not gains(lower, price):
                    break
                price = lower
            if price != start:
                break
        if not seen:
            return None
        best = max(exact, key=lambda p: (exact[p], p))
        for other in (best * 2, best // 2):
            if other in seen and not done():
                at(max(1, math.isqrt(best * other)))
        if best_certificate is not None:
            # for reduced-cost fixing when the stage is held (see fix_at_most)
            _, a_best, b_best, cert_best = best_certificate
            self._priced_certificates[id(expr)] = (a_best, b_best, d_hold, cert_best)
        if guide and guide_point is not None:
            # the solution of the best bound guides the stage's neighbourhood search
            # (RINS, see .lns; measured on the sample, 24 s per point started from the
            # smaller budget's plan: B gap 3.3 % -> 0.33 % at 365 moves, 1.1 % -> 0.0 %
            # at 438, where the preference stage is then proven as well; not for
            # the moves stage: on the sample without a budget (20 s) its RINS
            # sub-model, 600 decisions free, was cut short: 609 moves instead of 594)
            self._lp_values = guide_point[2]
        return max(seen.values())

    def _decision_units(self) -> Neighbourhoods:
        """The decision variables, by the unit each touches and by the role of the
        staff it moves (see :mod:`.lns`)."""
        if self._neighbourhoods is None:
            v, cl = self.vars, self.classes
            rows = [
                (y.index, int(cl.home[c]), int(cl.type_role[cl.ctype[c]]))
                for c, y in enumerate(v.out)
                if y is not None
            ]
            rows += [
                (y.index, int(u), int(cl.type_role[t]))
                for y, u, t in zip(v.arrive, v.arr_unit, v.arr_type, strict=True)
            ]
            rows += [
                (y.index, opt.unit, int(cl.type_role[opt.typ]))
                for y, opt in zip(v.pref, cl.pref_options, strict=True)
            ]
            arr = np.array(rows, dtype=np.int64).reshape(-1, 3)
            self._neighbourhoods = Neighbourhoods(
                arr[:, 0],
                {"units": arr[:, 1], "roles": arr[:, 2]},
                {"units": len(self.problem.units), "roles": len(self.problem.index.roles)},
            )
        return self._neighbourhoods

    def _part_costs(self) -> dict[str, npt.NDArray[np.float64]]:
        """Per unit, the balance cost of the last solution's plan (Σ_r 100·φ), as the
        weights of the balance stage's unit neighbourhoods (measured on the sample at
        297 and 371 moves, 22 s: B gap 2.4 % and 7.6 % with uniform units, 1.4 % and
        3.6 % with these weights; weighting the roles as well was worse, 1.6 % and 7.6 %)."""
        assert self._last_solution is not None
        decisions = self.vars.values_from(np.asarray(self._last_solution, dtype=np.int64))
        assignment = disaggregate(self.problem, self.classes, decisions)
        phi = metrics.balance_cost_by_pair(self.problem, assignment)
        return {"units": phi.sum(axis=1).astype(np.float64)}

    def _search_neighbourhoods(
        self,
        name: str,
        budget: Budget,
        *,
        seed: int,
        workers: int,
        bound: int | None,
        target: int | None,
        progress: ProgressCallback | None,
    ) -> bool:
        """Improve the hint by :func:`.lns.improve` on the stage's objective (set on the
        model), within its :data:`_LNS_SHARE` of ``budget``; returns whether it is proven
        optimal."""
        assert self._last_solution is not None
        decisions = self._decision_units()
        if not len(decisions.index):
            return False
        share = (
            budget.share(_LNS_SHARE.get(name, 0.6), reported=False)
            if budget.limited
            else budget.capped(LNS_UNTIMED_WORK)
        )
        t_lns = time.perf_counter()
        before = objective_at(self.model, self._last_solution)
        start = self._last_solution
        if name == "preference" and (bound is None or before > bound):
            # first every pair's capacity at the incumbent's (so D and B as they are),
            # the rest free: who moves where is matched again across types and home
            # units, which the warm start's per-type flows cannot do.  Measured on the
            # demo's problem (work limit 30): 717 -> 681 in 0.25 s, then the
            # neighbourhoods 681 -> 676 in 3.5 s and the stage 671 (674 without; a
            # second re-matching after the neighbourhoods found nothing better)
            rematched = rematch(
                self.model, start, self._capacity_sums(), budget=share, seed=seed, workers=workers
            )
            if rematched is not None:
                after = objective_at(self.model, rematched)
                log.info("stage %s: rematched %d -> %d", name, before, after)
                start = rematched
        sol, proven = improve(
            self.model,
            start,
            decisions,
            budget=share,
            seed=seed,
            workers=workers,
            bound=bound,
            lp_values=self._lp_values,
            first_share=_LNS_FIRST_SHARE.get(name, 0.1),
            weights=self._part_costs() if name == "balance" else None,
            target=target,
        )
        value = objective_at(self.model, sol)
        log.info(
            "stage %s: neighbourhood search %d -> %d in %.2fs (work %.3f)%s",
            name,
            before,
            value,
            time.perf_counter() - t_lns,
            share.used,
            ", proven" if proven else "",
        )
        self._last_solution = sol
        if progress is not None and value < before:
            progress(float(value), float(bound if bound is not None else 0))
        return proven

    def _capacity_sums(self) -> list[list[tuple[int, int]]]:
        """Each (unit, role) pair's capacity as (proto index, coefficient) terms."""
        return [
            [(v.index, int(c)) for v, c in self.expr.capacity_terms(u, r)]
            for u, r in self.expr.active_pairs()
        ]

    def stage_lp_bound(self, name: str, budget: Budget) -> int | None:
        """The LP bound of stage ``name`` under everything posted so far (see
        :meth:`solve_stage`; the moves and preference stages price the D hold),
        or None if the LP gave none within ``budget``."""
        expr = self.expression_for(name)
        if isinstance(expr, int):
            return expr
        self.model.clear_objective()  # type: ignore[no-untyped-call]
        self.model.minimize(expr)
        return self._lp_bound(name, expr, budget)

    def solve_stage(
        self,
        name: str,
        *,
        budget: Budget,
        seed: int,
        workers: int,
        relative_gap: float = 0.0,
        log_search: bool = False,
        progress: ProgressCallback | None = None,
        lp: bool = True,
        lns: bool = False,
    ) -> StageOutcome:
        """Minimise stage ``name`` under everything posted so far, within ``budget``.

        With ``lp`` the LP relaxation (HiGHS) is solved first, on a share of
        the budget; its bound is posted as a valid cut ``expr ≥ bound`` and
        reported when it beats CP-SAT's own bound.  With ``lns`` the hint is
        then improved by a large-neighbourhood search (:mod:`.lns`, guided by
        the LP's solution) on a share of what is left; when that proves it
        optimal the stage ends there.  CP-SAT's search on the whole model
        gets the rest, starting from the best plan known.  When the search ends
        without a solution of its own (the budget ran out, or was used up
        before the stage began) the hint is kept: it is a complete solution
        meeting every rule and hold, e.g. nobody moving or the greedy plan.
        The outcome is ``unknown`` only when there is no such hint.
        """
        expr = self.expression_for(name)
        constant = isinstance(expr, int)
        if constant and self._last_solution is not None:
            # nothing to decide in this stage: its value is a constant
            decisions = self.vars.values_from(np.asarray(self._last_solution, dtype=np.int64))
            result = StageResult(name, StageStatus.OPTIMAL, int(expr), int(expr), 0.0)
            return Solved(result, decisions)
        t0 = time.perf_counter()
        self.model.clear_objective()  # type: ignore[no-untyped-call]
        self._lp_values = None
        lp_value: int | None = None
        if not constant:
            self.model.minimize(expr)
            if (
                self._last_solution is not None
                and objective_at(self.model, self._last_solution) == 0
            ):
                # every stage value is non-negative: a hint at 0 is optimal (measured: the
                # shortfall stage kept the early greedy plan's 0 in 0.3 s at 5,000
                # employees and 2 s at 20,000, where CP-SAT then returned another plan
                # whose D the imbalance stage's warm start took 0.8 s to repair)
                decisions = self.vars.values_from(np.asarray(self._last_solution, dtype=np.int64))
                log.info("stage %s: optimal value=0 (the hint's)", name)
                took = time.perf_counter() - t0
                return Solved(StageResult(name, StageStatus.OPTIMAL, 0, 0, took), decisions)
            if lp and not budget.exhausted():
                t_lp = time.perf_counter()
                # the LP's share of the stage's budget, CP-SAT keeping the rest: most
                # for imbalance (at 100,000 employees its LP needs 71 s, and its bound
                # is what proves D: CP-SAT rarely improves on the greedy D), half for
                # the priced LPs of the moves and preference stages (a few re-solves
                # from the kept basis; CP-SAT alone rarely moves their bound off 0)
                share = _LP_SHARE.get(name, 0.3)
                lp_budget = (
                    budget.share(share) if budget.limited else budget.capped(LP_UNTIMED_WORK)
                )
                seconds = lp_budget.seconds_left()
                rows = len(self.model.proto.constraints)
                if seconds is not None and seconds < _LP_SETUP_SECONDS_PER_ROW * rows:
                    # too little time even to hand the LP to HiGHS (the conversion is
                    # Python and cannot be cut short): straight to the search
                    log.info("stage %s: no LP (%.2fs left for %d rows)", name, seconds, rows)
                    budget.record(StopReason.TIME_LIMIT)
                else:
                    lp_value = self._lp_bound(name, expr, lp_budget)
                    log.info(
                        "stage %s: LP bound %s in %.2fs (work %.3f)",
                        name,
                        lp_value,
                        time.perf_counter() - t_lp,
                        lp_budget.used,
                    )
                if lp_value is not None:
                    self.model.add(expr >= lp_value)
        callback = _Progress(progress) if progress is not None else None
        st = StageStatus.UNKNOWN
        solver: cp_model.CpSolver | None = None
        bounds = [0 if lp_value is None else lp_value]  # every valid bound found
        target = _within_gap(lp_value, relative_gap)
        if lns and not constant and self._last_solution is not None and not budget.exhausted():
            proven = self._search_neighbourhoods(
                name,
                budget,
                seed=seed,
                workers=workers,
                bound=lp_value,
                target=target,
                progress=progress,
            )
            value = objective_at(self.model, self._last_solution)
            if not proven and target is not None and value <= target:
                # within the stage's gap of the LP bound: done (CP-SAT's search would
                # stop at its first solution too, after its presolve: measured 2.4 s
                # for B on the embedded sample at 150 moves)
                assert lp_value is not None
                seconds = time.perf_counter() - t0
                decisions = self.vars.values_from(np.asarray(self._last_solution, dtype=np.int64))
                log.info("stage %s: value=%d within the gap of the LP bound", name, value)
                result = StageResult(name, StageStatus.FEASIBLE, value, lp_value, seconds, "lp")
                return Solved(result, decisions)
            if proven:
                sol = self._last_solution
                value = objective_at(self.model, sol)
                source = "lp" if lp_value is not None and value <= lp_value else "cp-sat"
                seconds = time.perf_counter() - t0
                decisions = self.vars.values_from(np.asarray(sol, dtype=np.int64))
                log.info("stage %s: optimal value=%d by neighbourhood search", name, value)
                result = StageResult(name, StageStatus.OPTIMAL, value, value, seconds, source)
                return Solved(result, decisions)
        if not budget.exhausted():
            self._hint_last()
            solver = new_solver(
                seed=seed,
                workers=workers,
                budget=budget,
                relative_gap=relative_gap,
                log_search=log_search,
                subsolvers=_STAGE_SUBSOLVERS.get(name, DEFAULT_SUBSOLVERS),
            )
            st = run_solver(solver, self.model, budget, callback)
            if math.isfinite(solver.best_objective_bound):
                bounds.append(int(np.ceil(solver.best_objective_bound - 1e-9)))
        seconds = time.perf_counter() - t0
        if st is StageStatus.UNKNOWN and self._last_solution is not None:
            # no solution of the search's own (out of time or work before CP-SAT
            # even took the hint): the hint is a complete solution meeting every
            # rule and hold, e.g. nobody moving or the greedy plan at 100,000 employees
            sol = self._last_solution
            value = objective_at(self.model, sol)
            bound = max(0, min(value, max(bounds)))
            log.info("stage %s: no new solution in %.2fs; kept the hint", name, seconds)
            decisions = self.vars.values_from(np.asarray(sol, dtype=np.int64))
            status_kept = StageStatus.OPTIMAL if value == bound else StageStatus.FEASIBLE
            source = "lp" if lp_value is not None and bound == lp_value else "cp-sat"
            return Solved(StageResult(name, status_kept, value, bound, seconds, source), decisions)
        if st in (StageStatus.INFEASIBLE, StageStatus.UNKNOWN):
            log.info("stage %s: %s after %.2fs", name, st.value, seconds)
            return Unsolved(name, st, seconds)
        assert solver is not None
        source = "cp-sat"
        sol = list(solver.response_proto.solution)
        if constant:
            value = bound = int(expr)
        else:
            value = round(solver.objective_value)
            bound = max(bounds)
            if lp_value is not None and lp_value >= bound:
                source = "lp"
            if st is StageStatus.FEASIBLE and self._last_solution is not None:
                # cut short before it found what the hint already had: keep the hint
                hinted = objective_at(self.model, self._last_solution)
                if hinted < value:
                    value, sol = hinted, self._last_solution
        bound = max(0, min(bound, value))  # every stage value is non-negative
        if value == bound:
            st = StageStatus.OPTIMAL
        elif st == StageStatus.OPTIMAL:
            # stopped by the gap limit: a solution within the gap, not a proof
            st = StageStatus.FEASIBLE
        self._last_solution = sol
        decisions = self.vars.values_from(np.asarray(sol, dtype=np.int64))
        log.info("stage %s: %s value=%d bound=%d in %.2fs", name, st.value, value, bound, seconds)
        return Solved(StageResult(name, st, value, bound, seconds, source), decisions)
