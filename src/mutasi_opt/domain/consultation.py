"""Cross-checks of the consultation fields of employees: ``pinned_unit`` and ``draft_unit``.

A *pin* is a move the employee accepted in a consultation round (or a
decision to stay they accepted): every plan must put them there.  A *draft
unit* is what the draft plan under revision gives them: the ``changes`` stage
keeps as many of those decisions as it can.  Both are validated with the other
cross-checks of :class:`~mutasi_opt.domain.problem.Problem`; a pin away from
home must be a move the rules allow (the employee movable: not locked, PPPK
only when allowed, long enough in the unit, active and not about to retire; the
unit not refused and with a formasi for their role).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Set
from typing import TYPE_CHECKING

from .errors import InputIssue
from .values import add_months

if TYPE_CHECKING:
    from .problem import CheckContext, Employee, Problem

__all__ = ["consultation_issues", "pin_blocker"]


def pin_blocker(
    problem: Problem,
    emp: Employee,
    unit: str,
    formasi: Set[tuple[str, str]],
    *,
    ignore_refusal: bool = False,
) -> str:
    """Why the rules do not let ``emp`` be moved to ``unit`` ("" when they do);
    ``formasi`` holds the (unit, role) pairs with workload.  With ``ignore_refusal``
    the employee's own refusals do not count (a new preference replaces them)."""
    if unit == emp.unit:
        return ""
    pol = problem.policy
    if emp.locked:
        return "the employee is locked (locked = true)"
    if emp.employment_type == "PPPK" and not pol.allow_pppk_moves:
        return "the employee is PPPK and allow_pppk_moves is false"
    months = emp.months_in_unit
    if months is not None and months < pol.min_months_in_unit:
        return (
            f"the employee has {months} months in the unit, fewer than min_months_in_unit "
            f"({pol.min_months_in_unit})"
        )
    if emp.inactive:
        return f"the employee is inactive ({emp.inactive}) and inactive staff are not moved"
    retires = _retires_before(problem, emp)
    if retires:
        return retires
    if unit in emp.refused_units and not ignore_refusal:
        return "the employee refuses the unit (refused_units)"
    if (unit, emp.role) not in formasi:
        return f"unit {unit!r} has no workload (demand row) for role {emp.role!r}"
    return ""


def _retires_before(problem: Problem, emp: Employee) -> str:
    """Why ``emp`` stays for their retirement ("" when they do not): their pension
    (TMT pensiun: the first day of the month after the birthday at their BUP) starts
    within ``no_move_before_retirement_months`` of ``plan_date``, or within
    ``horizon_months`` when ``retiring_capacity = "leave"`` (as ``metrics.movable``)."""
    pol = problem.policy
    born = emp.born
    if pol.plan_date is None or born is None:
        return ""
    age = (
        emp.retirement_age
        if emp.retirement_age is not None
        else pol.retirement_ages.get(emp.role, pol.retirement_age)
    )
    pension = add_months(dt.date(born.year + age, born.month, 1), 1)
    months = pol.no_move_before_retirement_months
    if pol.retiring_capacity == "leave":
        months = max(months, pol.horizon_months)
    if pension > add_months(pol.plan_date, months):
        return ""
    return (
        f"the employee retires on {pension.isoformat()}, within {months} months of plan_date "
        "(staff about to retire are not moved)"
    )


def consultation_issues(
    problem: Problem,
    ctx: CheckContext,
    known: Set[str] | None,
    unknown: Callable[[str], str],
) -> list[InputIssue]:
    """Issues of the employees' ``pinned_unit`` and ``draft_unit``: units that do not
    exist, and pins the rules do not allow (see :func:`pin_blocker`)."""
    emps = problem.employees
    pins = ctx.employee_column("pinned_unit", emps)
    drafts = ctx.employee_column("draft_unit", emps)
    if not any(pins) and not any(drafts):
        return []
    file = ctx.files["employees"]
    formasi = {(d.unit, d.role) for d in problem.demand}
    formasi |= {(u.unit, "") for u in problem.units if u.workload_hours is not None}
    issues: list[InputIssue] = []
    for i, (pin, draft) in enumerate(zip(pins, drafts, strict=True)):
        for column, unit in (("pinned_unit", pin), ("draft_unit", draft)):
            if unit is not None and known is not None and unit not in known:
                issues.append(
                    InputIssue(file, ctx.row("employees", i), column, unit, unknown(unit))
                )
        if pin is not None and (known is None or pin in known):
            why = pin_blocker(problem, emps[i], pin, formasi)
            if why:
                issues.append(
                    InputIssue(
                        file,
                        ctx.row("employees", i),
                        "pinned_unit",
                        pin,
                        f"cannot pin the employee to {pin}: {why}; clear pinned_unit",
                    )
                )
    return issues
