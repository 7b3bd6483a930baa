"""The FastAPI application: validate a problem, run solve jobs, serve their results.

``create_app(settings)`` builds the app; ``mutasi-opt serve`` runs it with
uvicorn.  Endpoints (all under ``/v1``; the contract is the OpenAPI document
at ``/openapi.json``, checked in as ``schema/openapi.json``):

* ``GET /v1/health`` — liveness and load (never needs the token);
* ``POST /v1/validate`` — a problem (JSON, or the files of a data folder) →
  its current state, or 422 with every issue;
* ``POST /v1/jobs`` — queue a solve → 202 with the job (``Location`` header);
* ``GET /v1/jobs/{id}`` — state and progress; ``DELETE`` cancels (or deletes
  a finished job);
* ``GET /v1/jobs/{id}/result`` — the plan document; ``.../files/{name}`` —
  ``assignment.csv``, ``moves.csv``, ``units.csv``, ``training.csv``,
  ``summary.json`` and ``report.xlsx`` (when openpyxl is installed), and for a
  replan job also ``changes.csv`` and ``replan.json``;
* the consultation endpoints (:mod:`mutasi_opt.service.consultation`):
  ``POST /v1/consultation/notices``, ``/revise``, ``/replan`` (queue the revision
  of a draft after the responses → 202 with the job, as ``POST /v1/jobs``) and
  ``POST /v1/fairness``.
"""

from __future__ import annotations

import json
import logging
import secrets
import tempfile
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from ..domain.errors import InputError, InputIssue
from ..domain.params import SolveParams
from ..domain.problem import Problem
from ..planning.rules import refuse_blackout
from .consultation import CONSULTATION_BODIES, add_consultation_routes
from .jobs import JobInfo, JobManager, JobNotFound, JobState, QueueFull, ShuttingDown
from .models import (
    JOB_ACCEPTED,
    REF_MARK,
    ErrorCode,
    ErrorResponse,
    Health,
    Issue,
    JobParams,
    JobProgress,
    JobRequest,
    JobStatus,
    StateSummary,
)
from .settings import Settings
from .worker import RESULT_FILES, Revision

__all__ = ["create_app", "openapi_text"]

log = logging.getLogger("mutasi_opt.service")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Form fields of a data-folder upload that are files, and the folder's file stem.
FOLDER_FILES = ("employees", "units", "demand", "requirements", "policy", "pairs")
_REQUIRED_FILES = ("employees", "units")
_XLSX_MAGIC = b"PK\x03\x04"

FileName = Literal[
    "assignment.csv",
    "moves.csv",
    "units.csv",
    "training.csv",
    "summary.json",
    "report.xlsx",
    "changes.csv",
    "outcomes.csv",
    "replan.json",
    "problem.json",
]
assert set(get_args(FileName)) == set(RESULT_FILES)

_MEDIA_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

_ERROR_CODES: dict[int, ErrorCode] = {
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    409: "not_ready",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "queue_full",
    503: "unavailable",
}

DESCRIPTION = """\
Plan transfers (mutasi) of Indonesian civil servants (ASN) between work units.

Submit a problem (the JSON problem document, or the CSV/XLSX files of a data
folder as multipart/form-data) as a job, poll it, then fetch the plan document
and its files. Solves run one process each; at most a configured number run at
once and a bounded number wait (429 with Retry-After beyond that).

Every job has a time limit (the server's default when it gives none). For the
same plan on every machine and under any load, give a work_limit (counted
solver work) and a time_limit generous enough not to be reached: the plan's
summary says which limit, if any, cut the solve short (stopped_by).

When the server has a token (MUTASI_OPT_TOKEN), every endpoint except
/v1/health and this document needs `Authorization: Bearer <token>`; without
one, none does.
Every error answer is an ErrorResponse; invalid input lists every issue with
its file, row, column, value and what to change.
"""


_BEARER = HTTPBearer(
    auto_error=False, description="the server's MUTASI_OPT_TOKEN (only when it has one)"
)


# --------------------------------------------------------------- ASGI guard
class _BodyTooLarge(Exception):
    pass


class _Guard:
    """Refuses bodies over the limit (413) and turns any unhandled exception into a 500
    whose log names its type and code lines only (an exception message may quote input)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body_bytes
        for key, value in scope.get("headers", ()):
            if key == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > limit:
                    await _send_error(send, 413, self._too_large())
                    return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not started:
                await _send_error(send, 413, self._too_large())
        except Exception as exc:
            log.error(
                "internal error %s on %s %s\n%s",
                type(exc).__name__,
                scope.get("method"),
                scope.get("path"),
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            if not started:
                body = ErrorResponse(
                    error="internal_error", message="internal error; the server log has details"
                )
                await _send_error(send, 500, body)

    def _too_large(self) -> ErrorResponse:
        return ErrorResponse(
            error="too_large",
            message=f"the request body is larger than this server accepts "
            f"({self.max_body_bytes:,} bytes, MUTASI_OPT_MAX_BODY_BYTES)",
        )


async def _send_error(send: Send, status: int, body: ErrorResponse) -> None:
    content = body.model_dump_json().encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(content)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": content})


# ------------------------------------------------------------------ helpers
def _error(
    status: int,
    message: str,
    *,
    issues: list[InputIssue] | tuple[InputIssue, ...] = (),
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorResponse(
        error=_ERROR_CODES.get(status, "internal_error"),
        message=message,
        issues=[Issue.model_validate(issue.to_dict()) for issue in issues],
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=status, headers=headers)


class _Reject(Exception):
    """An error answer raised from a helper (turned into a response by the app)."""

    def __init__(self, response: JSONResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


def _invalid(issues: list[InputIssue] | tuple[InputIssue, ...]) -> _Reject:
    n = len(issues)
    return _Reject(_error(422, f"{n} problem{'s' if n != 1 else ''} in the input", issues=issues))


def _request_issue(column: str | None, value: Any, message: str) -> InputIssue:
    shown = None if value is None else str(value)[:200]
    return InputIssue("request", None, column, shown, message)


def _pydantic_issues(exc: ValidationError, file: str = "request") -> list[InputIssue]:
    out = []
    for err in exc.errors(include_url=False):
        column = ".".join(str(p) for p in err["loc"]) or None
        value = err.get("input")
        shown = None if isinstance(value, dict | list) or value is None else str(value)[:200]
        msg = str(err["msg"]).removeprefix("Value error, ")  # a validator's own message
        out.append(InputIssue(file, None, column, shown, msg))
    return out


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON; use a number or null")


def _parse_json(body: bytes) -> Any:
    try:
        return json.loads(body, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise _invalid(
            [_request_issue(None, None, f"the request body is not valid JSON: {exc}")]
        ) from None


async def _request_body(request: Request, model: type[Any]) -> Any:
    """A JSON request body validated as ``model`` (422 with the issues, as the other
    JSON endpoints: a body that is not JSON, or does not fit the model)."""
    media = _media_type(request)
    if not _is_json(media):
        raise _unsupported(media)
    data = _parse_json(await request.body())
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _invalid(_pydantic_issues(exc)) from None


def _problem_from_json(data: Any) -> Problem:
    """The problem document → Problem (InputError naming the JSON location on bad input)."""
    from ..io.documents import problem_from_json

    return problem_from_json(data)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _is_json(media: str) -> bool:
    return media == "application/json" or media.endswith("+json")


def _unsupported(media: str) -> _Reject:
    shown = media or "none"
    return _Reject(
        _error(
            415,
            f"unsupported content type {shown!r}: send application/json (the problem "
            "document) or multipart/form-data (the data folder's files)",
        )
    )


async def _read_folder_upload(
    request: Request,
    *,
    extra_fields: tuple[str, ...],
    warnings: list[InputIssue] | None = None,
) -> tuple[Problem, dict[str, str]]:
    """A multipart upload of a data folder's files → Problem, and the other text
    fields; ``warnings`` receives the warnings of reading the folder."""
    try:
        form = await request.form(max_files=len(FOLDER_FILES), max_fields=len(extra_fields) + 8)
    except MultiPartException as exc:
        raise _invalid([_request_issue(None, None, f"malformed multipart body: {exc}")]) from None
    except HTTPException as exc:  # starlette reports multipart errors as 400
        raise _invalid([_request_issue(None, None, f"malformed body: {exc.detail}")]) from None
    try:
        issues: list[InputIssue] = []
        files: dict[str, UploadFile] = {}
        fields: dict[str, str] = {}
        for key, value in form.multi_items():
            if key in files or key in fields:
                issues.append(_request_issue(key, None, "given twice; send each part once"))
            elif key in FOLDER_FILES:
                if isinstance(value, UploadFile):
                    files[key] = value
                else:
                    issues.append(
                        _request_issue(key, None, f"must be a file upload ({key}.csv or .xlsx)")
                    )
            elif key in extra_fields and isinstance(value, str):
                fields[key] = value
            else:
                known = ", ".join((*FOLDER_FILES, *extra_fields))
                issues.append(_request_issue(key, None, f"unknown form field; expected {known}"))
        for key in _REQUIRED_FILES:
            if key not in files and not any(i.column == key for i in issues):
                issues.append(_request_issue(key, None, f"missing: attach {key}.csv or .xlsx"))
        if issues:
            raise _invalid(issues)
        contents = {key: await upload.read() for key, upload in files.items()}
        names = {key: _upload_name(key, files[key].filename, contents[key]) for key in files}
    finally:
        await form.close()
    problem = await run_in_threadpool(_folder_problem, contents, names, warnings)
    return problem, fields


def _upload_name(key: str, filename: str | None, content: bytes) -> str:
    if key == "policy":
        return "policy.toml"
    suffix = Path(filename or "").suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xls"):  # .xls: the folder reader says what to do
        suffix = ".xlsx" if content.startswith(_XLSX_MAGIC) else ".csv"
    return key + suffix


def _folder_problem(
    contents: dict[str, bytes], names: dict[str, str], warnings: list[InputIssue] | None
) -> Problem:
    from ..io import read_folder

    with tempfile.TemporaryDirectory(prefix="mutasi-opt-upload-") as tmp:
        folder = Path(tmp)
        for key, content in contents.items():
            (folder / names[key]).write_bytes(content)
        return read_folder(folder, warnings=warnings)


def _timestamp(t: float | None) -> datetime | None:
    return None if t is None else datetime.fromtimestamp(t, tz=UTC)


def _status(info: JobInfo) -> JobStatus:
    return JobStatus(
        id=info.id,
        status=info.state.value,
        created_at=datetime.fromtimestamp(info.created_at, tz=UTC),
        started_at=_timestamp(info.started_at),
        finished_at=_timestamp(info.finished_at),
        time_limit=info.params.time_limit,
        work_limit=info.params.work_limit,
        seed=info.params.seed,
        workers=info.params.workers,
        employees=info.n_employees,
        units=info.n_units,
        queue_position=info.queue_position,
        progress=JobProgress(
            stage=info.progress.stage,
            best_value=info.progress.best_value,
            bound=info.progress.bound,
            elapsed_seconds=info.elapsed_seconds,
        ),
        plan_status=info.plan_status,
        error=info.error,
        files=list(info.files),
    )


def _not_found(job_id: str) -> _Reject:
    return _Reject(_error(404, f"no job {job_id!r}: it never existed, was deleted or has expired"))


def _not_ready(info: JobInfo) -> _Reject:
    state = info.state.value
    if info.state.finished:
        message = f"job {info.id} is {state}: it has no result"
    else:
        message = f"job {info.id} is {state}: poll GET /v1/jobs/{info.id} until it is done"
    return _Reject(_error(409, message))


def _errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    text = {
        401: "missing or wrong bearer token (only when the server has one)",
        404: "no such job (never existed, deleted or expired)",
        409: "the job is not done (or failed / was cancelled)",
        413: "request body larger than MUTASI_OPT_MAX_BODY_BYTES",
        415: "content type is neither application/json nor multipart/form-data",
        422: "invalid input: every issue with file, row, column, value and message",
        429: "every solver slot is busy and the queue is full; retry after Retry-After seconds",
        503: "the server is shutting down",
    }
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        entry: dict[str, Any] = {"model": ErrorResponse, "description": text[code]}
        if code == 429:
            entry["headers"] = {
                "Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}
            }
        out[code] = entry
    return out


def _body(*, json_ref: str, form_ref: str, description: str) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "description": description,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{json_ref}"}},
                "multipart/form-data": {"schema": {"$ref": f"#/components/schemas/{form_ref}"}},
            },
        }
    }


def _folder_form_schema(title: str, with_params: bool) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for key in FOLDER_FILES:
        what = "policy.toml" if key == "policy" else f"{key}.csv or {key}.xlsx"
        props[key] = {"type": "string", "format": "binary", "description": what}
    if with_params:
        params = JobParams.model_json_schema()["properties"]
        for key, schema in params.items():
            props[key] = schema
    return {
        "title": title,
        "type": "object",
        "description": "the files of a data folder (see the README, 'The data folder')"
        + ("; and the solve options as text fields" if with_params else ""),
        "properties": props,
        "required": list(_REQUIRED_FILES),
        "additionalProperties": False,
    }


def _hoist(document: dict[str, Any], name: str, into: dict[str, Any]) -> None:
    """Put a JSON Schema with ``$defs`` into the OpenAPI components as ``name``."""
    doc = json.loads(json.dumps(document))
    doc.pop("$schema", None)
    doc.pop("$id", None)
    defs: dict[str, Any] = doc.pop("$defs", {})

    def fix(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: (
                    "#/components/schemas/" + v[len("#/$defs/") :]
                    if k == "$ref" and isinstance(v, str) and v.startswith("#/$defs/")
                    else fix(v)
                )
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [fix(v) for v in node]
        return node

    for key, schema in {**defs, name: doc}.items():
        fixed = fix(schema)
        if key in into and into[key] != fixed:
            raise RuntimeError(f"two different schemas are called {key!r} in the OpenAPI document")
        into[key] = fixed


def _resolve_marks(node: Any) -> Any:
    """Replace ``{REF_MARK: name, ...}`` by a ``$ref`` to component ``name`` (keeping
    the description)."""
    if isinstance(node, list):
        return [_resolve_marks(v) for v in node]
    if not isinstance(node, dict):
        return node
    if REF_MARK in node:
        out = {"$ref": f"#/components/schemas/{node[REF_MARK]}"}
        if "description" in node:
            out["description"] = node["description"]
        return out
    return {k: _resolve_marks(v) for k, v in node.items()}


# ---------------------------------------------------------------------- app
def create_app(settings: Settings | None = None) -> FastAPI:
    """The service's FastAPI app (``settings`` default: from the environment).

    The jobs' processes and folders exist only while the app runs (its
    lifespan); building the app starts nothing.
    """
    from .. import __version__

    cfg = Settings.from_env() if settings is None else settings
    jobs = JobManager(cfg)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(jobs.start)
        try:
            yield
        finally:
            await run_in_threadpool(jobs.shutdown)

    app = FastAPI(
        title="mutasi-opt",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = cfg
    app.state.jobs = jobs
    expected = None if cfg.token is None else cfg.token.encode()

    def authorize(
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)],
    ) -> None:
        if expected is None:
            return
        given = b"" if credentials is None else credentials.credentials.encode()
        if not secrets.compare_digest(given, expected):
            raise _Reject(
                _error(
                    401,
                    "missing or wrong bearer token: send 'Authorization: Bearer <token>'",
                    headers={"WWW-Authenticate": "Bearer"},
                )
            )

    guarded = [Depends(authorize)]

    # -------------------------------------------------------- error answers
    @app.exception_handler(_Reject)
    async def _on_reject(request: Request, exc: _Reject) -> Response:
        return exc.response

    @app.exception_handler(InputError)
    async def _on_input_error(request: Request, exc: InputError) -> Response:
        log.info("input refused: %d issue(s)", len(exc.issues))
        return _invalid(exc.issues).response

    @app.exception_handler(JobNotFound)
    async def _on_not_found(request: Request, exc: JobNotFound) -> Response:
        return _not_found(str(exc.args[0])).response

    @app.exception_handler(RequestValidationError)
    async def _on_validation(request: Request, exc: RequestValidationError) -> Response:
        issues = []
        for err in exc.errors():
            loc = [str(p) for p in err.get("loc", ())]
            column = ".".join(loc[1:]) if len(loc) > 1 else (loc[0] if loc else None)
            issues.append(_request_issue(column, None, str(err.get("msg", "invalid"))))
        return _invalid(issues).response

    @app.exception_handler(HTTPException)
    async def _on_http(request: Request, exc: HTTPException) -> Response:
        headers = dict(exc.headers) if exc.headers else None
        return _error(exc.status_code, str(exc.detail), headers=headers)

    async def queue_job(
        response: Response,
        problem: Problem,
        params: JobParams,
        solve_params: SolveParams | None,
        revision: Revision | None = None,
    ) -> JobStatus:
        """Queue a job within the server's limits (422 above its caps or in a blackout
        period, 429 with Retry-After when the queue is full, 503 when shutting down);
        sets the answer's ``Location``."""
        chosen = _checked_params(params, cfg, solve_params)
        refuse_blackout(problem.policy)  # 422: no mutasi may be decreed at its plan_date
        try:
            info = await run_in_threadpool(jobs.submit, problem, chosen, revision=revision)
        except QueueFull as exc:
            raise _Reject(
                _error(
                    429,
                    f"every solver slot is busy and the queue is full ({cfg.max_queue} "
                    f"waiting); retry in {exc.retry_after} s",
                    headers={"Retry-After": str(exc.retry_after)},
                )
            ) from None
        except ShuttingDown:
            raise _Reject(_error(503, "the server is shutting down")) from None
        response.headers["Location"] = f"/v1/jobs/{info.id}"
        return _status(info)

    # ----------------------------------------------------------- endpoints
    @app.get(
        "/v1/health",
        response_model=Health,
        tags=["service"],
        summary="Liveness and load",
        operation_id="health",
    )
    def health() -> Health:
        """Liveness and load; never needs the token."""
        counts = jobs.counts()
        return Health(
            status="ok", version=__version__, running=counts["running"], queued=counts["queued"]
        )

    @app.post(
        "/v1/validate",
        response_model=StateSummary,
        dependencies=guarded,
        tags=["problems"],
        summary="Check a problem and show its current state",
        operation_id="validateProblem",
        responses=_errors(401, 413, 415, 422),
        openapi_extra=_body(
            json_ref="Problem",
            form_ref="FolderUpload",
            description="the problem document, or a data folder's files",
        ),
    )
    async def validate(
        request: Request,
        top: Annotated[
            int, Query(ge=0, le=10_000, description="units listed as most over/under-loaded")
        ] = 10,
    ) -> StateSummary:
        """Check a problem (the JSON problem document, or a data folder's files); answer its
        current state (imbalance D, balance cost B, EJ and band per unit, competency
        shortfalls, who may be moved), or 422 with every issue."""
        from ..planning.state import current_state

        media = _media_type(request)
        warnings: list[InputIssue] = []
        if _is_json(media):
            data = _parse_json(await request.body())
            problem = await run_in_threadpool(_problem_from_json, data)
        elif media == "multipart/form-data":
            problem, _ = await _read_folder_upload(request, extra_fields=(), warnings=warnings)
        else:
            raise _unsupported(media)
        report = await run_in_threadpool(current_state, problem, top=top)
        log.info("validated: %d employees, %d units", report.n_employees, report.n_units)
        summary = report.to_dict()
        summary["warnings"] = [w.to_dict() for w in warnings]
        return StateSummary.model_validate(summary)

    @app.post(
        "/v1/jobs",
        status_code=202,
        response_model=JobStatus,
        dependencies=guarded,
        tags=["jobs"],
        summary="Submit a solve job",
        operation_id="submitJob",
        responses={202: JOB_ACCEPTED, **_errors(401, 413, 415, 422, 429, 503)},
        openapi_extra=_body(
            json_ref="JobRequest",
            form_ref="JobUpload",
            description="the problem document with the solve options, or a data folder's "
            "files with the options as text fields",
        ),
    )
    async def submit(request: Request, response: Response) -> JobStatus:
        """Queue a solve of the problem; poll the job at its `Location` until its status is
        `done` (or `failed` / `cancelled`).  At most MUTASI_OPT_MAX_CONCURRENT solves run,
        at most MUTASI_OPT_MAX_QUEUE wait; beyond that the answer is 429 with Retry-After."""
        media = _media_type(request)
        if _is_json(media):
            data = _parse_json(await request.body())
            try:
                job_request = JobRequest.model_validate(data)
            except ValidationError as exc:
                raise _invalid(_pydantic_issues(exc)) from None
            params: JobParams = job_request
            solve_params = job_request.params
            problem = await run_in_threadpool(_problem_from_json, job_request.problem)
        elif media == "multipart/form-data":
            problem, fields = await _read_folder_upload(
                request, extra_fields=tuple(JobParams.model_fields)
            )
            try:
                params = JobParams.model_validate(fields)
            except ValidationError as exc:
                raise _invalid(_pydantic_issues(exc)) from None
            solve_params = None
        else:
            raise _unsupported(media)
        return await queue_job(response, problem, params, solve_params)

    job = APIRouter(prefix="/v1/jobs/{job_id}", tags=["jobs"], dependencies=guarded)

    @job.get(
        "",
        response_model=JobStatus,
        summary="A job's status and progress",
        operation_id="getJob",
        responses=_errors(401, 404, 422),
    )
    def job_status(job_id: str) -> JobStatus:
        """The job's state and the solver's progress."""
        return _status(jobs.get(job_id))

    @job.delete(
        "",
        response_model=JobStatus,
        summary="Cancel a job (or delete a finished one)",
        operation_id="cancelJob",
        responses=_errors(401, 404, 422),
    )
    def cancel_job(job_id: str) -> JobStatus:
        """Cancel a queued job (it never starts) or a running one (its solver is stopped);
        both stay as 'cancelled' until they expire.  A finished job is deleted with its
        files at once (later requests: 404); the answer is its last state."""
        info, _deleted = jobs.cancel(job_id)
        return _status(info)

    @job.get(
        "/result",
        response_class=Response,
        responses={
            200: {
                "description": "the plan document (schema Plan)",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Plan"}}},
            },
            **_errors(401, 404, 409, 422),
        },
        summary="The plan document of a done job",
        operation_id="getJobResult",
    )
    def job_result(job_id: str) -> Response:
        """The plan document, once the job is done (409 before)."""
        info, path = jobs.result_path(job_id)
        if path is None:
            raise _not_ready(info)
        return FileResponse(path, media_type="application/json")

    @job.get(
        "/files/{name}",
        response_class=Response,
        responses={
            200: {
                "description": "the file",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"type": "object"}},
                    _MEDIA_TYPES[".xlsx"]: {"schema": {"type": "string", "format": "binary"}},
                },
            },
            **_errors(401, 404, 409, 422),
        },
        summary="One file of a done job",
        operation_id="getJobFile",
    )
    def job_file(job_id: str, name: FileName) -> Response:
        """One file of a done job: the plan's CSV tables, `summary.json`, and the Excel
        report `report.xlsx` (when the server has openpyxl); a replan job
        (`POST /v1/consultation/replan`) also `changes.csv` (every employee whose unit
        differs from the draft's, with the cause), `outcomes.csv` (what became of each
        response, and why), `replan.json` (the round in numbers) and `problem.json`
        (the revised problem document: the `problem` of the next round).  An
        infeasible or unknown plan has `summary.json` (with the diagnosis),
        `report.xlsx` and a replan's `changes.csv`, `outcomes.csv`, `replan.json` and
        `problem.json` only.
        The job's `files` lists what it has."""
        info, path = jobs.file_path(job_id, name)
        if info.state is not JobState.DONE:
            raise _not_ready(info)
        if path is None:
            offered = ", ".join(info.files) or "none"
            raise _Reject(_error(404, f"job {job_id} has no {name}; it has: {offered}"))
        media = _MEDIA_TYPES[Path(name).suffix]
        return FileResponse(path, media_type=media, filename=name)

    app.include_router(job)
    add_consultation_routes(app, guarded, _errors, _request_body, queue_job)

    # ------------------------------------------------------------- OpenAPI
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        from ..io.documents import plan_json_schema, problem_json_schema

        schema = get_openapi(
            title=app.title,
            version=app.version,
            description=app.description,
            routes=app.routes,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        _hoist(problem_json_schema(), "Problem", components)
        _hoist(plan_json_schema(), "Plan", components)
        _hoist(
            JobRequest.model_json_schema(ref_template="#/$defs/{model}"), "JobRequest", components
        )
        for name, model in CONSULTATION_BODIES.items():
            _hoist(model.model_json_schema(ref_template="#/$defs/{model}"), name, components)
        schema = dict(_resolve_marks(schema))
        components = schema["components"]["schemas"]
        components["FolderUpload"] = _folder_form_schema("FolderUpload", with_params=False)
        components["JobUpload"] = _folder_form_schema("JobUpload", with_params=True)
        schema["components"]["schemas"] = dict(sorted(components.items()))
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
    return _with_guard(app, cfg)


def _with_guard(app: FastAPI, cfg: Settings) -> FastAPI:
    app.add_middleware(_Guard, max_body_bytes=cfg.max_body_bytes)
    return app


def _checked_params(
    params: JobParams, cfg: Settings, solve: SolveParams | None = None
) -> SolveParams:
    """The job's solve parameters: ``solve`` (the request's ``params``) with the options
    given at the top level overriding its fields, the server's defaults filled in; 422
    above the server's caps (located at the field that gave the value).  Every job gets
    a time limit above 0 (the default when it gives none), a safety cap when it gives a
    work limit."""
    given = {k: getattr(params, k) for k in JobParams.model_fields if k in params.model_fields_set}
    chosen = SolveParams.resolve(solve, **given)

    def where(key: str) -> str:
        return key if key in given or solve is None else f"params.{key}"

    issues = []
    for key in ("time_limit", "work_limit"):
        value = getattr(chosen, key)
        if value is not None and value <= 0:
            issues.append(
                _request_issue(
                    where(key), value, f"{key} must be above 0; leave it out or ask for more"
                )
            )
    time_limit = cfg.time_limit_default if chosen.time_limit is None else chosen.time_limit
    if time_limit > cfg.max_time_limit:
        issues.append(
            _request_issue(
                where("time_limit"),
                chosen.time_limit,
                f"at most {cfg.max_time_limit:g} seconds on this server; ask for less",
            )
        )
    work_limit = chosen.work_limit
    if work_limit is not None and work_limit > cfg.max_work_limit:
        issues.append(
            _request_issue(
                where("work_limit"),
                work_limit,
                f"at most {cfg.max_work_limit:g} work units on this server; ask for less",
            )
        )
    workers = cfg.workers_default if chosen.workers is None else chosen.workers
    if workers > cfg.max_workers:
        issues.append(
            _request_issue(
                where("workers"),
                chosen.workers,
                f"at most {cfg.max_workers} on this server; ask for less",
            )
        )
    if solve is not None and "seed" not in given and chosen.seed < 0:
        issues.append(
            _request_issue("params.seed", chosen.seed, "seed must be 0 or more on this server")
        )
    if issues:
        raise _invalid(issues)
    return chosen.replace(time_limit=time_limit, workers=workers)


def openapi_text(app: FastAPI | None = None) -> str:
    """The OpenAPI document as the text checked in as ``schema/openapi.json``."""
    document = (app or create_app(Settings())).openapi()
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
