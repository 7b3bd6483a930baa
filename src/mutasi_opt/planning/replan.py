"""Revising a draft plan after a consultation round: ``replan(problem, draft, responses)``.

The responses become data of the problem (see :mod:`mutasi_opt.domain.responses`):

* ``accept``: the employee is pinned to the draft's unit (``pinned_unit``);
* ``object``: the drafted unit (if it is a move) and the units listed are refused
  and taken off their preferences; with the policy's ``objection = "lock"`` the
  employee stays where they are instead;
* ``prefer``: the units listed come first in ``preferred_units`` (earlier
  preferences after them) and are no longer refused;

and every employee who did not ask for other units gets the draft's unit as
``draft_unit`` (the decision of one who did is theirs to reopen: it is not a
draft decision to keep).  The revised problem is then solved with the
``changes`` stage after ``balance``: the plan changes as few of the draft's
other decisions as it can while D and B stay within ``draft_tolerance`` of
their optimum (the shortfall is held exactly).  The revised problem is the
problem of the next round: pins and refusals carry over.

:attr:`Replan.outcome_records` (``outcomes.csv``) says, per response, what became
of it and why; for a preference not granted, what moving the employee to each
unit they asked for would do to the plan (the rule it breaks, or the change in
shortfall, D and B it makes), or why they may not move there.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from .. import metrics
from ..domain.arrays import IntArray
from ..domain.errors import InputError, InputIssue
from ..domain.params import UNSET, SolveParams, Unset
from ..domain.problem import Employee, Problem
from ..domain.responses import Response, response_issues
from ..results.plan import Plan
from ..results.replan import Replan
from .solve import ProgressFn, solve

__all__ = ["draft_assignment", "replan", "revise_problem", "synthetic_responses"]

log = logging.getLogger("mutasi_opt")


def draft_assignment(problem: Problem, draft: Plan | npt.ArrayLike | dict[str, str]) -> IntArray:
    """The draft as unit positions of ``problem``: a :class:`Plan` (of this problem or
    of an earlier round's, matched by NIP and unit id), an array of positions, unit
    ids in employee order, or a mapping NIP → unit id (employees missing stay home).

    Raises :class:`InputError` for a NIP or unit the problem does not have.
    """
    idx = problem.index
    if isinstance(draft, Plan):
        if draft.assignment_array is None:
            raise ValueError(f"the draft plan is {draft.status.value} and holds no assignment")
        ids = draft.problem.index.unit_ids
        draft = {
            str(e.nip): ids[int(u)]
            for e, u in zip(draft.problem.employees, draft.assignment_array, strict=True)
        }
    if isinstance(draft, dict):
        issues = [
            InputIssue("draft", None, "nip", nip, "NIP of the draft is not in employees")
            for nip in draft
            if str(nip) not in idx.nip_pos
        ]
        issues += [
            InputIssue("draft", None, "unit_after", unit, f"unit {unit!r} is not in units")
            for unit in set(draft.values())
            if unit not in idx.unit_pos
        ]
        if issues:
            raise InputError(issues)
    return metrics.as_assignment(problem, draft)


def _revised(emp: Employee, drafted: str, response: Response | None, lock: bool) -> Employee:
    # one who asks for other units reopens their own decision: no draft unit to keep
    asked = response is not None and response.response == "prefer"
    changes: dict[str, Any] = {"draft_unit": None if asked else drafted}
    if response is not None:
        _apply_response(changes, emp, drafted, response, lock)
    out: Employee = emp.replace(**changes)
    return out


def _apply_response(
    changes: dict[str, Any], emp: Employee, drafted: str, response: Response, lock: bool
) -> None:
    listed = list(response.units)
    if response.response == "accept":
        changes["pinned_unit"] = drafted
    elif response.response == "object":
        refuse = [u for u in [drafted, *listed] if u != emp.unit]
        changes["pinned_unit"] = None
        changes["refused_units"] = tuple(dict.fromkeys([*emp.refused_units, *refuse]))
        changes["preferred_units"] = tuple(u for u in emp.preferred_units if u not in refuse)
        if lock:
            changes["locked"] = True
    else:
        changes["pinned_unit"] = None
        changes["preferred_units"] = tuple(
            dict.fromkeys([*listed, *(u for u in emp.preferred_units if u not in listed)])
        )
        changes["refused_units"] = tuple(u for u in emp.refused_units if u not in listed)


def revise_problem(
    problem: Problem,
    draft: Plan | npt.ArrayLike | dict[str, str],
    responses: Iterable[Response],
    *,
    file: str = "responses.csv",
    rows: Sequence[int] | None = None,
) -> tuple[Problem, IntArray]:
    """The problem with the responses applied (see the module docstring) and the draft
    as unit positions.  Raises :class:`InputError` with every issue of the responses
    (``file`` and ``rows`` locate them; default row ``i + 2``)."""
    given = tuple(responses)
    positions = draft_assignment(problem, draft)
    issues = response_issues(problem, positions, given, file=file, rows=rows)
    if issues:
        raise InputError(issues)
    idx = problem.index
    by_nip = {str(r.nip): r for r in given}
    lock = problem.policy.objection == "lock"
    employees = tuple(
        _revised(emp, idx.unit_ids[int(positions[e])], by_nip.get(str(emp.nip)), lock)
        for e, emp in enumerate(problem.employees)
    )
    return problem.replace(employees=employees), positions


def _change_record(
    problem: Problem, e: int, draft: int, after: int, response: Response | None
) -> dict[str, Any]:
    idx = problem.index
    emp = problem.employees[e]
    ids = idx.unit_ids
    home, drafted, now = ids[int(idx.home[e])], ids[draft], ids[after]
    kind = "" if response is None else response.response
    why = f" ({response.reason})" if response is not None and response.reason else ""
    if kind == "object":
        cause = "objection"
        reason = f"objected to the draft's {drafted}{why}; now {now}"
        if now == home:
            reason = f"objected to the move to {drafted}{why}; stays in {home}"
    elif kind == "prefer" and response is not None and now in response.units:
        cause = "preference"
        rank = response.units.index(now) + 1
        reason = f"asked for {';'.join(response.units)}{why}; gets choice {rank}, {now}"
    else:
        cause = "rebalance"
        if now == home:
            reason = f"stays in {home} instead of moving to {drafted}"
        else:
            reason = f"moves to {now} instead of {drafted}"
        reason += ", to keep the balance after the responses"
    return {
        "nip": str(emp.nip),
        "name": emp.name,
        "role": emp.role,
        "unit_before": home,
        "draft_unit": drafted,
        "unit_after": now,
        "response": kind,
        "cause": cause,
        "reason": reason,
    }


def _hours(centi: int, scale: int) -> str:
    return f"{centi / scale:,.1f} h"


def _asked_effect(
    problem: Problem, after: IntArray, e: int, u: int, effect: metrics.Metrics
) -> str:
    """Why ``e`` is not at asked unit ``u`` (positions), in words: the rule moving them
    there breaks, and what the move alone does to shortfall, D and B (``effect``)."""
    idx, pol = problem.index, problem.policy
    emp = problem.employees[e]
    uid, here = idx.unit_ids[u], int(after[e])
    units = problem.units
    heads = metrics.headcount(problem, after)
    cap, floor = units[u].max_staff, units[here].min_staff
    blocked = ""
    if cap is not None and heads[u] + 1 > cap:
        blocked = f"it is already at its max_staff = {cap}"
    elif floor is not None and heads[here] - 1 < floor:
        blocked = f"{idx.unit_ids[here]} would fall below its min_staff = {floor}"
    elif (
        here == int(idx.home[e])
        and pol.max_moves is not None
        and int(metrics.moved(problem, after).sum()) + 1 > pol.max_moves
    ):
        blocked = f"the plan already makes max_moves = {pol.max_moves} moves"
    elif (
        pol.individual_rationality
        or pol.no_justified_envy
        or any(str(emp.nip) in (str(p.nip_a), str(p.nip_b)) for p in problem.pairs)
    ):
        from .check import check_plan  # (the checker knows every rule of a round)

        base = {(v.kind, v.message) for v in check_plan(problem, after)}
        alt = after.copy()
        alt[e] = u
        new = [v for v in check_plan(problem, alt) if (v.kind, v.message) not in base]
        blocked = new[0].message if new else ""
    now = metrics.evaluate(problem, after)
    before = (now.shortfall, now.imbalance_centi, now.balance_cost_scaled)
    then = (effect.shortfall, effect.imbalance_centi, effect.balance_cost_scaled)
    parts = []
    if then[0] != before[0]:
        parts.append(f"requirements short {before[0]} → {then[0]}")
    parts.append(
        f"D {_hours(before[1], metrics.IMBALANCE_SCALE)} → "
        f"{_hours(then[1], metrics.IMBALANCE_SCALE)}"
    )
    parts.append(
        f"B {_hours(before[2], metrics.BALANCE_SCALE)} → {_hours(then[2], metrics.BALANCE_SCALE)}"
    )
    gives = f"the move alone would give {', '.join(parts)}"
    if blocked:
        return f"{uid}: {blocked} ({gives})"
    if then > before:
        verdict = "worse for the balance"
    elif then == before:
        verdict = (
            "not needed for the balance, and the plan makes as few moves as it can "
            "(moves come before preferences)"
        )
    else:
        verdict = "better for the balance, but not found within the solve's limit"
    return f"{uid}: {gives}: {verdict}"


def _outcome_record(
    problem: Problem, e: int, draft: int, after: IntArray | None, response: Response
) -> dict[str, Any]:
    idx = problem.index
    emp = problem.employees[e]
    ids = idx.unit_ids
    home, drafted = ids[int(idx.home[e])], ids[draft]
    now = "" if after is None else ids[int(after[e])]
    why = f" ({response.reason})" if response.reason else ""
    choice: int | None = None
    if after is None:
        outcome, reason = "no_plan", "the revised problem has no plan (see the diagnosis)"
    elif response.response == "accept":
        outcome = "kept"
        reason = f"accepted {'staying in ' + home if drafted == home else 'the move to ' + drafted}"
        reason += "; it stands"
    elif response.response == "object":
        outcome = "honoured"
        refused = [u for u in (drafted, *response.units) if u != home]
        reason = f"objected to {';'.join(dict.fromkeys(refused))}{why}; "
        reason += f"stays in {home}" if now == home else f"now {now}"
    elif now in response.units:
        outcome, choice = "granted", response.units.index(now) + 1
        reason = f"asked for {';'.join(response.units)}{why}; gets choice {choice}, {now}"
    else:
        outcome = "not_granted"
        # (the responses were checked: every unit asked for is one they may be sent to)
        asked = [idx.unit_pos[u] for u in response.units]
        effects = metrics.single_move_metrics(problem, after, e, asked)
        details = [
            _asked_effect(problem, after, e, u, m) for u, m in zip(asked, effects, strict=True)
        ]
        where = f"stays in {now}" if now == home else f"goes to {now}"
        reason = f"asked for {';'.join(response.units)}{why}; {where}"
        reason += " — " + "; ".join(details)
    return {
        "nip": str(emp.nip),
        "name": emp.name,
        "role": emp.role,
        "response": response.response,
        "units": ";".join(response.units),
        "unit_before": home,
        "draft_unit": drafted,
        "unit_after": now,
        "outcome": outcome,
        "choice": choice,
        "reason": reason,
    }


def _forced(problem: Problem, draft: IntArray) -> int:
    """Draft decisions no plan of ``problem`` can keep: a drafted move the employee
    may no longer make (refused by an objection, or the employee locked)."""
    idx = problem.index
    movable = metrics.movable(problem)
    pins = metrics.pinned_units(problem)
    count = 0
    for e in np.flatnonzero(draft != idx.home):
        d = int(draft[e])
        if pins[e] >= 0:
            count += int(pins[e] != d)
        elif not movable[e] or d in idx.refused[e]:
            count += 1
    return count


def replan(
    problem: Problem,
    draft: Plan | npt.ArrayLike | dict[str, str],
    responses: Iterable[Response],
    params: SolveParams | None = None,
    *,
    time_limit: float | Unset | None = UNSET,
    work_limit: float | Unset | None = UNSET,
    seed: int | Unset = UNSET,
    workers: int | Unset | None = UNSET,
    file: str = "responses.csv",
    rows: Sequence[int] | None = None,
    progress: ProgressFn | None = None,
) -> Replan:
    """Revise ``draft`` after the employees' ``responses`` (see the module docstring).

    Parameters
    ----------
    problem
        The problem the draft was made for (or the revised problem of the round
        before, :attr:`Replan.problem`).
    draft
        The draft: a :class:`Plan`, unit positions, unit ids in employee order, or a
        mapping NIP → unit id.
    responses
        One :class:`~mutasi_opt.domain.responses.Response` per employee who answered
        (read ``responses.csv`` with :func:`mutasi_opt.io.read_responses`).
    params, time_limit, work_limit, seed, workers
        As for :func:`mutasi_opt.solve`.
    file, rows
        Where the responses come from, for the messages of bad responses.
    progress
        Called as the solve of the revised problem goes (as for :func:`mutasi_opt.solve`).

    Returns
    -------
    Replan
        The revised problem and plan, and every change from the draft with its cause.
        ``plan.stage("changes")`` is the number of draft decisions changed with its
        bound (proven when equal).
    """
    given = tuple(responses)
    revised, positions = revise_problem(problem, draft, given, file=file, rows=rows)
    chosen = SolveParams.resolve(
        params, time_limit=time_limit, work_limit=work_limit, seed=seed, workers=workers
    )
    # (the draft, repaired, is its start: see solve)
    plan = solve(revised, chosen, progress=progress)
    by_nip = {str(r.nip): r for r in given}
    records: list[dict[str, Any]] = []
    if plan.assignment_array is not None:
        after = plan.assignment_array
        for e in np.flatnonzero(after != positions):
            nip = str(revised.employees[int(e)].nip)
            records.append(
                _change_record(revised, int(e), int(positions[e]), int(after[e]), by_nip.get(nip))
            )
    forced = _forced(revised, positions)
    outcomes = tuple(
        _outcome_record(revised, e, int(positions[e]), plan.assignment_array, r)
        for r in given
        for e in (revised.index.nip_pos[str(r.nip)],)
    )
    log.info(
        "replan: %d responses, %d changes from the draft (%d forced by objections)",
        len(given),
        len(records),
        forced,
    )
    return Replan(revised, plan, positions, given, tuple(records), forced, outcomes)


def synthetic_responses(
    problem: Problem,
    draft: Plan | npt.ArrayLike | dict[str, str],
    *,
    seed: int = 0,
    accept: float = 0.4,
    objection: float = 0.2,
    prefer: float = 0.05,
) -> tuple[Response, ...]:
    """Invented responses to ``draft`` (seeded, deterministic), for demos and tests:
    of the employees the draft moves, a share ``accept`` accepts and a share
    ``objection`` objects (with a reason); of those it keeps home and who may move,
    a share ``prefer`` asks for one or two units they may be sent to."""
    rng = np.random.default_rng(seed)
    positions = draft_assignment(problem, draft)
    idx = problem.index
    reasons = ("jauh dari keluarga", "merawat orang tua", "sedang tugas belajar", "")
    movable = metrics.movable(problem)
    out: list[Response] = []
    for e in range(idx.n_employees):
        nip = problem.employees[e].nip
        x = rng.random()
        if positions[e] != idx.home[e]:
            if x < accept:
                out.append(Response(nip=nip, response="accept"))
            elif x < accept + objection:
                reason = reasons[int(rng.integers(len(reasons)))]
                out.append(Response(nip=nip, response="object", reason=reason))
        elif movable[e] and x < prefer:
            allowed = metrics.allowed_units(problem, e)
            allowed = allowed[allowed != idx.home[e]]
            if allowed.size:
                k = min(int(allowed.size), 1 + int(rng.integers(2)))
                units = rng.choice(allowed, size=k, replace=False)
                out.append(
                    Response(
                        nip=nip, response="prefer", units=tuple(idx.unit_ids[int(u)] for u in units)
                    )
                )
    return tuple(out)
