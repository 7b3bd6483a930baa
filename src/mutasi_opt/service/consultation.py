"""The service's consultation endpoints.

* ``POST /v1/consultation/notices``: the notices of a draft (one per mover and,
  with ``askers``, per employee who asked to move and stays);
* ``POST /v1/consultation/replan``: the one-call revision of a draft after the
  responses: the problem, draft and responses of ``/revise`` with the solve options
  of ``POST /v1/jobs``, checked at once, queued as a job (202, ``Location:
  /v1/jobs/{id}``) that runs :func:`~mutasi_opt.planning.replan.replan`; its
  ``/result`` is the revised plan's document and its files add ``changes.csv``
  (who changed from the draft, and why) and ``replan.json`` (the round in numbers);
* ``POST /v1/consultation/revise``: only the problem with the responses applied
  (pins, refusals or locks, preferences, draft units), e.g. to keep it for the next
  round; submitted to ``POST /v1/jobs`` it gives the same revised plan as
  ``/replan`` (its ``changes`` stage keeps as many draft decisions as it can), but
  no ``changes.csv``;
* ``POST /v1/fairness``: the blocking pairs and the unlisted moves of any assignment.

Notices, revise and fairness answer synchronously (no solve runs here); replan
checks synchronously and solves in a job.  Every bad input is a 422 with its issues
(``responses`` rows are numbered from 2, as in ``responses.csv``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from fastapi import FastAPI, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from ..domain.params import SolveParams
from ..domain.problem import Problem
from ..domain.responses import Response as Answer
from ..io.documents import (
    BlockingPairRow,
    NoticeRow,
    json_rows,
    problem_from_json,
    problem_to_json,
)
from .models import JOB_ACCEPTED, JobParams, JobRequest, JobStatus
from .worker import Revision

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


class ReplanRequest(JobRequest, ReviseRequest):
    """A problem, its draft and the responses, with the solve options of a job (as for
    POST /v1/jobs): the revised plan, solved as a job."""


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


def _checked_round(body: ReviseRequest) -> tuple[Problem, Problem, Revision]:
    """The problem, the revised problem and the revision (draft positions, responses)
    of ``body``.  Raises :class:`~mutasi_opt.domain.errors.InputError` (422) with every
    issue: of the problem document, of the draft (a NIP or unit not in the problem),
    of the responses (``file`` "responses", rows numbered from 2 as in responses.csv,
    with their column)."""
    from ..domain.errors import InputError, InputIssue
    from ..domain.problem import issues_from_validation
    from ..planning.replan import revise_problem

    problem = problem_from_json(body.problem)
    responses: list[Answer] = []
    issues: list[InputIssue] = []
    for i, item in enumerate(body.responses):
        try:
            responses.append(Answer.model_validate(item.model_dump()))
        except ValidationError as exc:
            # a row rule's issue (no location) names the column its rule is about
            rule_column = Answer.ROW_RULE_FIELDS["_units_for_prefer"]
            issues += [
                dataclasses.replace(
                    issue, file="responses", row=i + 2, column=issue.column or rule_column
                )
                for issue in issues_from_validation(exc, "responses")
            ]
    if issues:
        raise InputError(issues)
    revised, positions = revise_problem(
        problem, _draft(problem, body.draft), responses, file="responses"
    )
    return problem, revised, Revision(draft=positions, responses=tuple(responses))


def _revise(body: ReviseRequest) -> ReviseResponse:
    _, revised, _ = _checked_round(body)
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
    "ReplanRequest": ReplanRequest,
    "FairnessRequest": FairnessRequest,
}


def _json_body(name: str) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{name}"}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": ref}}}}


#: queues a job within the server's limits: (answer, problem, options, params, revision)
QueueJob = Callable[
    [Response, Problem, JobParams, SolveParams | None, Revision | None], Awaitable[JobStatus]
]


def add_consultation_routes(
    app: FastAPI,
    guarded: list[Any],
    errors: Callable[..., dict[int | str, dict[str, Any]]],
    read_body: Callable[[Request, type[Any]], Awaitable[Any]],
    queue_job: QueueJob,
) -> None:
    """Add the consultation endpoints to ``app`` (``guarded``: the token dependency;
    ``errors``: the error answers' OpenAPI entries; ``read_body``: the JSON body as a
    model, or a 422 / 415 answer; ``queue_job``: queues a job as ``POST /v1/jobs`` does,
    with its caps, blackout refusal, 429 and 503)."""

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
        "/v1/consultation/replan",
        status_code=202,
        response_model=JobStatus,
        dependencies=guarded,
        tags=["consultation", "jobs"],
        summary="Revise a draft after the responses, as a job",
        operation_id="consultationReplan",
        responses={202: JOB_ACCEPTED, **errors(401, 413, 415, 422, 429, 503)},
        openapi_extra=_json_body("ReplanRequest"),
    )
    async def replan(request: Request, response: Response) -> JobStatus:
        """Check the problem, the draft and the responses at once (422 with every issue,
        as `/v1/consultation/revise`; responses rows numbered from 2), then queue the
        revision as a job, with the solve options and the server's limits of
        `POST /v1/jobs` (422 above its caps or in a blackout period, 429 with
        Retry-After when the queue is full, 503 when shutting down).  Poll the job at
        its `Location`; once `done`, `/result` is the revised plan's document (accepted
        decisions kept, objected moves not made, as few other changes from the draft as
        `draft_tolerance` allows) and its files add `changes.csv` (every employee whose
        unit differs from the draft's, with the cause) and `replan.json` (the round in
        numbers)."""
        body = await read_body(request, ReplanRequest)
        problem, _, revision = await run_in_threadpool(_checked_round, body)
        return await queue_job(response, problem, body, body.params, revision)

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
