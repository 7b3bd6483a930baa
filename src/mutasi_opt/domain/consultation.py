"""Cross-checks of the consultation fields of employees: ``pinned_unit`` and ``draft_unit``.

A *pin* is a move the employee accepted in a consultation round (or a
decision to stay they accepted): every plan must put them there.  A *draft
unit* is what the draft plan under revision gives them: the ``changes`` stage
keeps as many of those decisions as it can.  Both are validated with the other
cross-checks of :class:`~mutasi_opt.domain.problem.Problem`; a pin away from
home must be a move the rules allow (the employee movable, the unit not
refused and with a formasi for their role).
"""

from __future__ import annotations

from collections.abc import Callable, Set
from typing import TYPE_CHECKING

from .errors import InputIssue

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
    if unit in emp.refused_units and not ignore_refusal:
        return "the employee refuses the unit (refused_units)"
    if (unit, emp.role) not in formasi:
        return f"unit {unit!r} has no workload (demand row) for role {emp.role!r}"
    return ""


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
