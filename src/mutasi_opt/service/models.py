"""Request and response bodies of the HTTP service (they make the OpenAPI document precise).

The problem and the plan documents are not pydantic models here: their JSON
Schemas come from :mod:`mutasi_opt.io.documents` and are referenced as the
``Problem`` and ``Plan`` components of the OpenAPI document.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_type_hints

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, create_model

from ..domain.errors import InputIssue
from ..domain.params import SolveParams
from ..domain.stages import PlanStatusName

__all__ = [
    "JOB_ACCEPTED",
    "ErrorResponse",
    "Health",
    "Issue",
    "JobParams",
    "JobProgress",
    "JobRequest",
    "JobStatus",
    "StateSummary",
]

#: Stands for a ``$ref`` to an OpenAPI component that pydantic does not know (the
#: problem document's schemas); ``create_app``'s OpenAPI replaces it.
REF_MARK = "x-component-ref"

#: Largest seed CP-SAT accepts (a 32-bit signed integer).
MAX_SEED = 2**31 - 1


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def issue_model(source: type[InputIssue] = InputIssue) -> type[_Model]:
    """The ``Issue`` model of a dataclass of issues: its fields in order, with their
    types, defaults and ``description`` metadata (so a field added to
    :class:`~mutasi_opt.domain.errors.InputIssue` appears in the service's schema)."""
    hints = get_type_hints(source)
    fields: dict[str, Any] = {}
    for f in dataclasses.fields(source):
        default = ... if f.default is dataclasses.MISSING else f.default
        fields[f.name] = (hints[f.name], Field(default, description=f.metadata["description"]))
    model: type[_Model] = create_model(
        "Issue",
        __base__=_Model,
        __doc__="One problem in the input: where it is and what to change.",
        __module__=__name__,
        **fields,
    )
    return model


if TYPE_CHECKING:  # generated below; mypy sees the base
    Issue = _Model
else:
    Issue = issue_model()


ErrorCode = Literal[
    "invalid_input",
    "unauthorized",
    "not_found",
    "method_not_allowed",
    "not_ready",
    "too_large",
    "unsupported_media_type",
    "queue_full",
    "unavailable",
    "internal_error",
]


class ErrorResponse(_Model):
    """Every error answer: a code, a sentence and, for bad input, every issue found."""

    error: ErrorCode = Field(description="machine-readable kind of error")
    message: str = Field(description="what went wrong, in words")
    issues: list[Issue] = Field(
        default_factory=list, description="every problem in the input (for invalid_input)"
    )


class Health(_Model):
    """Liveness and load (no authentication needed)."""

    status: Literal["ok"]
    version: str
    running: int = Field(description="solves running now")
    queued: int = Field(description="jobs waiting for a solver slot")


class JobParams(_Model):
    """Solve options of a job (also the form fields of a multipart upload)."""

    time_limit: float | None = Field(
        default=None,
        gt=0,
        description="seconds for the whole solve; default and maximum are set by the "
        "server (MUTASI_OPT_DEFAULT_TIME_LIMIT, MUTASI_OPT_MAX_TIME_LIMIT; a larger "
        "value is refused with 422, never cut silently). Every job has one: with a "
        "work_limit it is a safety cap, best set generous enough not to be reached",
    )
    work_limit: float | None = Field(
        default=None,
        gt=0,
        allow_inf_nan=False,
        description="work units for the whole solve (counted solver work, not timed: 2 to 9 "
        "seconds each with 2 workers on a 2-core machine, more for larger problems); "
        "maximum set by the server "
        "(MUTASI_OPT_MAX_WORK_LIMIT; a larger value is refused with 422); default: none. "
        "With both limits the first reached stops the solve. With a work limit, and a "
        "time_limit that is not reached (the plan summary's stopped_by is not "
        "time_limit), the same problem, seed, workers and work_limit give the same plan "
        "on every machine and under any load",
    )
    seed: int = Field(default=0, ge=0, le=MAX_SEED, description="solver random seed")
    workers: int | None = Field(
        default=None,
        ge=1,
        description="solver threads; default and maximum are set by the server "
        "(MUTASI_OPT_DEFAULT_WORKERS, MUTASI_OPT_MAX_WORKERS). The same problem, seed "
        "and workers give the same plan when no limit cuts a stage short, and with a "
        "work_limit when the time_limit cuts none",
    )


class JobRequest(JobParams):
    """A solve job as JSON: the problem document and the solve options."""

    problem: Annotated[dict[str, Any], WithJsonSchema({REF_MARK: "Problem"})] = Field(
        description="the problem document (schema Problem)"
    )
    params: SolveParams | None = Field(
        default=None,
        description="the solve parameters (the library's SolveParams, as in a --params "
        "file's [solve] table): time_limit, work_limit, seed, workers, log, decompose, "
        "warm_start, lp_bounds, neighbourhoods. The options above, when given, override its "
        "fields; the server's defaults and caps apply to the result",
    )


#: The OpenAPI entry of a 202 answer that queued a job (POST /v1/jobs and the replan).
JOB_ACCEPTED: dict[str, Any] = {
    "description": "the job, queued (or already running)",
    "headers": {"Location": {"description": "the job's URL", "schema": {"type": "string"}}},
}

JobStateName = Literal["queued", "running", "done", "failed", "cancelled"]


class JobProgress(_Model):
    """The solver's latest report."""

    stage: str | None = Field(
        description="stage being solved (shortfall, training, imbalance, balance, moves, "
        "preference), 'writing' while the files are written; null before the first report "
        "and once the job has ended"
    )
    best_value: float | None = Field(description="best value of the stage found so far")
    bound: float | None = Field(description="the stage's proven bound so far")
    elapsed_seconds: float | None = Field(description="seconds since the job started")


class JobStatus(_Model):
    """A job: its state, options, progress and, when done, the plan's status and files."""

    id: str
    status: JobStateName
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    time_limit: float = Field(
        description="seconds for the solve (the default when not given; a safety cap when "
        "work_limit is given)"
    )
    work_limit: float | None = Field(description="work units for the solve; null when none")
    seed: int
    workers: int
    employees: int = Field(description="number of employees in the problem")
    units: int = Field(description="number of units in the problem")
    queue_position: int | None = Field(description="1 = next to start; null unless queued")
    progress: JobProgress
    plan_status: PlanStatusName | None = Field(
        description="status of the plan once the job is done (infeasible and unknown "
        "are results too: see the plan's diagnosis)"
    )
    error: str | None = Field(description="why the job failed")
    files: list[str] = Field(description="files of the result, once done")


# ------------------------------------------------------------------ validate
class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class StateTotals(_Open):
    employees: int
    pns: int
    pppk: int
    units: int
    roles: int
    effective_hours: float
    capacity_hours: float
    capacity_fte: float
    workload_hours: float
    workload_fte: float


class StateMovable(_Open):
    movable: int
    movable_share: float
    not_movable: dict[str, int] = Field(description="employees not movable, per reason")
    overdue: int


class UnitState(_Open):
    unit: str
    unit_name: str
    headcount: int
    workload_hours: float
    capacity_hours: float
    fair_share_hours: float
    ej: float | None = Field(description="efektivitas jabatan; null when not finite (no staff)")
    band: str


class UnitRoleState(UnitState):
    role: str
    deviation_hours: float


class ShortfallState(_Open):
    unit: str
    unit_name: str
    competency: str
    min_level: int
    needed: int
    have: int
    short: int


class StateSummary(_Open):
    """The current state of a valid problem (`mutasi-opt validate --json`)."""

    status: Literal["valid"]
    totals: StateTotals
    imbalance_hours: float = Field(description="D: capacity hours in the wrong place")
    imbalance_fte: float
    balance_cost: float = Field(description="B: the balance cost")
    shortfall: int = Field(description="competency shortfall (staff)")
    requirements: int
    movable: StateMovable
    band_counts: dict[str, int]
    overloaded: list[UnitState]
    underloaded: list[UnitState]
    shortfalls: list[ShortfallState]
    units: list[UnitState]
    unit_roles: list[UnitRoleState]
    policy: Annotated[dict[str, Any], WithJsonSchema({REF_MARK: "Policy"})]
    warnings: list[Issue] = Field(
        default_factory=list,
        description="what was read with a note (a data folder's columns and sheets that are "
        "not read, cells cleaned); empty for a problem document",
    )
