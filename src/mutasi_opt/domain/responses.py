"""Employees' responses to a draft plan (``responses.csv``), checked against a problem.

A consultation round shows each employee their draft decision; each answers

* ``accept``: the draft's decision stands (a move is pinned; a stay too);
* ``object``: not the drafted unit (and not the units listed, if any); by the
  policy's ``objection`` key the objection becomes a refusal of those units
  (``refuse``, the default) or keeps the employee where they are (``lock``);
* ``prefer``: the units listed, in order, become their first preferences.

Indonesian words are accepted too (``terima``/``setuju``, ``keberatan``/``tolak``,
``pilih``/``usul``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, field_validator, model_validator

from .arrays import IntArray
from .consultation import pin_blocker
from .errors import InputIssue
from .problem import Problem, Text, UnitList, _Frozen
from .values import NipField

__all__ = ["RESPONSE_WORDS", "Response", "response_issues"]

#: accepted spellings of each response (lower case)
RESPONSE_WORDS: dict[str, str] = {
    "accept": "accept",
    "accepted": "accept",
    "terima": "accept",
    "setuju": "accept",
    "object": "object",
    "objection": "object",
    "keberatan": "object",
    "tolak": "object",
    "menolak": "object",
    "prefer": "prefer",
    "preference": "prefer",
    "pilih": "prefer",
    "usul": "prefer",
}


def _response_word(value: Any) -> Any:
    if isinstance(value, str):
        word = RESPONSE_WORDS.get(value.strip().lower())
        if word is None:
            raise ValueError(
                f"response {value.strip()!r} is not one of accept, object, prefer "
                "(or terima, keberatan, pilih)"
            )
        return word
    return value


class Response(_Frozen):
    """One employee's answer to the draft (one row of ``responses.csv``)."""

    #: row rule → the column its message names
    ROW_RULE_FIELDS: ClassVar[dict[str, str]] = {"_units_for_prefer": "units"}

    nip: NipField
    response: Annotated[Literal["accept", "object", "prefer"], BeforeValidator(_response_word)]
    units: UnitList = ()
    reason: Text = ""

    @field_validator("units")
    @classmethod
    def _no_repeat(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if len(set(value)) != len(value):
            raise ValueError("a unit is listed twice; list each unit once")
        return value

    @model_validator(mode="after")
    def _units_for_prefer(self) -> Response:
        if self.response == "prefer" and not self.units:
            raise ValueError(
                "a 'prefer' response lists the units asked for, most preferred first (e.g. U03;U07)"
            )
        return self


def response_issues(
    problem: Problem,
    draft: Sequence[int] | IntArray,
    responses: Sequence[Response],
    *,
    file: str = "responses.csv",
    rows: Sequence[int] | None = None,
    headers: dict[str, str] | None = None,
) -> list[InputIssue]:
    """Every issue of ``responses`` for ``problem`` and the ``draft`` (unit position per
    employee): unknown or repeated NIPs, unknown units, an objection to nothing (the
    draft keeps the employee home and no unit is listed), an accepted move the rules
    no longer allow, a preferred unit the employee may not be sent to."""
    idx = problem.index
    head = headers or {}
    formasi = {(d.unit, d.role) for d in problem.demand}
    formasi |= {(u.unit, "") for u in problem.units if u.workload_hours is not None}
    issues: list[InputIssue] = []
    seen: dict[str, int] = {}
    for i, r in enumerate(responses):
        row = i + 2 if rows is None else int(rows[i])

        def add(column: str, value: Any, message: str, row: int = row) -> None:
            issues.append(InputIssue(file, row, head.get(column, column), value, message))

        nip = str(r.nip)
        if nip in seen:
            add("nip", nip, f"NIP is also on row {seen[nip]}; give one response per employee")
            continue
        seen[nip] = row
        e = idx.nip_pos.get(nip)
        if e is None:
            add("nip", nip, "NIP is not in employees; correct it or remove the row")
            continue
        emp = problem.employees[e]
        unknown = [u for u in r.units if u not in idx.unit_pos]
        for u in unknown:
            add("units", u, f"unit {u!r} is not in units; correct the id")
        if unknown:
            continue
        home, drafted = emp.unit, idx.unit_ids[int(draft[e])]
        if r.response == "object" and drafted == home and not r.units:
            add(
                "response",
                r.response,
                f"the draft keeps this employee in {home}: there is no move to object to; "
                "list the units they refuse in units, or answer 'prefer' with the units "
                "they want",
            )
        if r.response == "accept" and r.units:
            add(
                "units",
                ";".join(r.units),
                "an 'accept' response lists no units; clear them or answer 'prefer'",
            )
        if r.response == "accept":
            why = pin_blocker(problem, emp, drafted, formasi)
            if why:
                add(
                    "response",
                    r.response,
                    f"the drafted move to {drafted} is no longer allowed: {why}; answer "
                    "'object', or correct the employee's row and plan again",
                )
        if r.response == "prefer":
            for u in r.units:
                why = pin_blocker(problem, emp, u, formasi, ignore_refusal=True)
                if why:
                    add("units", u, f"the employee cannot be moved to {u}: {why}; remove it")
    return issues
