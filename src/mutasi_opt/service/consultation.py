"""The service's consultation endpoints (synchronous: no solve runs here).

* ``POST /v1/consultation/notices``: the notices of a draft (one per mover and,
  with ``askers``, per employee who asked to move and stays);
* ``POST /v1/consultation/revise``: the problem with the responses applied (pins,
  refusals or locks, preferences, draft units): submit it to ``POST /v1/jobs`` for
  the revised plan, whose ``changes`` stage keeps as many draft decisions as it can;
* ``POST /v1/fairness``: the blocking pairs and the unlisted moves of any assignment.

Every bad input is a 422 with its issues (``responses`` rows are numbered from 2,
as in ``responses.csv``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from fastapi import FastAPI, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from ..domain.problem import Problem
from ..io.documents import (
    BlockingPairRow,
    NoticeRow,
    json_rows,
    problem_from_json,
    problem_to_json,
)

__all__ = ["CONSULTATION_BODIES", "add_consultation_routes"]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NoticesRequest(_Body):
    """A problem and a draft (NIP → unit id; employees left out stay home)."""

    problem: dict[str, Any] = Field(description="The problem document (see Problem).")
    draft: dict[str, str] = Field(description="NIP → unit id of the draft plan.")
    askers: bool = Field(
        False, description="Also a notice per employee who listed preferred units and stays."
    )
    office: str = Field("BKPSDM", description="Who receives the responses.")
    deadline: str = Field("", description='Respond by (text, e.g. "15 Juli 2026").')


class NoticesResponse(_Body):
    """The notices, in Bahasa Indonesia (the rows of notices.csv)."""

    notices: list[NoticeRow]


class ResponseItem(_Body):
    """One employee's answer (a row of responses.csv)."""

    nip: str
    response: str = Field(description="accept / object / prefer (or terima / keberatan / pilih).")
    units: list[str] = Field(default_factory=list, description="Units asked for, or refused.")
    reason: str = ""


class ReviseRequest(_Body):
    """A problem, its draft and the responses."""

    problem: dict[str, Any] = Field(description="The problem document (see Problem).")
    draft: dict[str, str] = Field(description="NIP → unit id of the draft plan.")
    responses: list[ResponseItem]


class ReviseResponse(_Body):
    """The revised problem: submit it to POST /v1/jobs for the revised plan."""

    problem: dict[str, Any] = Field(description="The revised problem document (see Problem).")


class FairnessRequest(_Body):
    """A problem and any assignment (NIP → unit id; employees left out stay home)."""

    problem: dict[str, Any] = Field(description="The problem document (see Problem).")
    assignment: dict[str, str] = Field(description="NIP → unit id.")


class UnlistedMove(_Body):
    """A move to a unit the employee did not list."""

    nip: str
    unit: str
    kind: Literal["unlisted_move", "unlisted_beyond_need", "unlisted_qualified"]
    message: str


class FairnessResponse(_Body):
    """Blocking pairs (justified envy) and unlisted moves (individual rationality)."""

    blocking_pairs: list[BlockingPairRow]
    unlisted_moves: list[UnlistedMove] = Field(description="Violations of individual rationality.")
    unlisted_exceptions: list[UnlistedMove] = Field(
        description="Unlisted moves that cover a requirement of the unit it would otherwise "
        "be short of (allowed, reported)."
    )


def _draft(problem: Problem, draft: dict[str, str]) -> Any:
    from ..planning.replan import draft_assignment

    return draft_assignment(problem, draft)


def _notices(body: NoticesRequest) -> NoticesResponse:
    from ..planning.consultation import notice_records
    from ..results.plan import Plan

    problem = problem_from_json(body.problem)
    plan = Plan.from_solution(problem, _draft(problem, body.draft), stages=(), solve_seconds=0.0)
    records = notice_records(plan, askers=body.askers, office=body.office, deadline=body.deadline)
    return NoticesResponse.model_validate({"notices": json_rows(records)})


def _revise(body: ReviseRequest) -> ReviseResponse:
    from ..domain.errors import InputError, InputIssue
    from ..domain.problem import issues_from_validation
    from ..domain.responses import Response
    from ..planning.replan import revise_problem

    problem = problem_from_json(body.problem)
    responses: list[Response] = []
    issues: list[InputIssue] = []
    for i, item in enumerate(body.responses):
        try:
            responses.append(Response.model_validate(item.model_dump()))
        except ValidationError as exc:
            # a row rule's issue (no location) names the column its rule is about
            rule_column = Response.ROW_RULE_FIELDS["_units_for_prefer"]
            issues += [
                dataclasses.replace(
                    issue, file="responses", row=i + 2, column=issue.column or rule_column
                )
                for issue in issues_from_validation(exc, "responses")
            ]
    if issues:
        raise InputError(issues)
    revised, _ = revise_problem(problem, _draft(problem, body.draft), responses, file="responses")
    return ReviseResponse(problem=problem_to_json(revised))


def _fairness(body: FairnessRequest) -> FairnessResponse:
    from ..planning.fairness import blocking_pairs, unlisted_moves

    problem = problem_from_json(body.problem)
    assignment = _draft(problem, body.assignment)
    violations, exceptions = unlisted_moves(problem, assignment)

    def rows(found: list[Any]) -> list[dict[str, Any]]:
        return [{"nip": v.nip, "unit": v.unit, "kind": v.kind, "message": v.message} for v in found]

    return FairnessResponse.model_validate(
        {
            "blocking_pairs": json_rows(blocking_pairs(problem, assignment)),
            "unlisted_moves": rows(violations),
            "unlisted_exceptions": rows(exceptions),
        }
    )


#: the request bodies, by schema name (hoisted into the OpenAPI components)
CONSULTATION_BODIES: dict[str, type[BaseModel]] = {
    "NoticesRequest": NoticesRequest,
    "ReviseRequest": ReviseRequest,
    "FairnessRequest": FairnessRequest,
}


def _json_body(name: str) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{name}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": ref}}}}


def add_consultation_routes(
    app: FastAPI,
    guarded: list[Any],
    errors: Callable[..., dict[int | str, dict[str, Any]]],
    read_body: Callable[[Request, type[Any]], Awaitable[Any]],
) -> None:
    """Add the consultation endpoints to ``app`` (``guarded``: the token dependency;
    ``errors``: the error answers' OpenAPI entries; ``read_body``: the JSON body as a
    model, or a 422 / 415 answer)."""

    @app.post(
        "/v1/consultation/notices",
        response_model=NoticesResponse,
        dependencies=guarded,
        tags=["consultation"],
        summary="The notices of a draft plan",
        operation_id="consultationNotices",
        responses=errors(401, 413, 415, 422),
        openapi_extra=_json_body("NoticesRequest"),
    )
    async def notices(request: Request) -> NoticesResponse:
        """One notice per employee the draft moves (and, with `askers`, per employee who
        asked to move and stays), in Bahasa Indonesia: where, why, training, how to respond."""
        body = await read_body(request, NoticesRequest)
        return await run_in_threadpool(_notices, body)

    @app.post(
        "/v1/consultation/revise",
        response_model=ReviseResponse,
        dependencies=guarded,
        tags=["consultation"],
        summary="Apply the responses to a draft",
        operation_id="consultationRevise",
        responses=errors(401, 413, 415, 422),
        openapi_extra=_json_body("ReviseRequest"),
    )
    async def revise(request: Request) -> ReviseResponse:
        """The problem with the responses applied: accepted decisions pinned, objections
        refused (or locked, policy `objection`), preferences first, every employee's
        draft unit.  Submit it to `POST /v1/jobs`: the plan's `changes` stage keeps as
        many of the draft's decisions as it can within `draft_tolerance`."""
        body = await read_body(request, ReviseRequest)
        return await run_in_threadpool(_revise, body)

    @app.post(
        "/v1/fairness",
        response_model=FairnessResponse,
        dependencies=guarded,
        tags=["consultation"],
        summary="Blocking pairs and unlisted moves of an assignment",
        operation_id="fairness",
        responses=errors(401, 413, 415, 422),
        openapi_extra=_json_body("FairnessRequest"),
    )
    async def fairness(request: Request) -> FairnessResponse:
        """Every blocking pair (justified envy by priority points) and every move to a
        unit the employee did not list, of any assignment (a plan, a history)."""
        body = await read_body(request, FairnessRequest)
        return await run_in_threadpool(_fairness, body)
