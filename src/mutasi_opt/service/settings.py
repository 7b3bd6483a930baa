"""Settings of the HTTP service, from environment variables (``MUTASI_OPT_*``).

Every setting has a default; ``mutasi-opt serve`` options override the
environment.  The bearer token is read from the environment only, never from
the command line (where ``ps`` would show it).

=================================  ==============  ==============================================
variable                           default         meaning
=================================  ==============  ==============================================
``MUTASI_OPT_TOKEN``               (none)          when set, every endpoint but ``/v1/health``
                                                   and ``/openapi.json`` needs
                                                   ``Authorization: Bearer <token>``
``MUTASI_OPT_MAX_BODY_BYTES``      52428800        larger request bodies are refused with 413
``MUTASI_OPT_MAX_CONCURRENT``      1               solves running at once (one process each)
``MUTASI_OPT_MAX_QUEUE``           16              jobs waiting for a slot; more: 429 + Retry-After
``MUTASI_OPT_MAX_TIME_LIMIT``      600             largest ``time_limit`` accepted (seconds);
                                                   larger requests are refused with 422
``MUTASI_OPT_DEFAULT_TIME_LIMIT``  60 (≤ max)      ``time_limit`` of a job that gives none (every
                                                   job has a time limit: with a ``work_limit``
                                                   it is a safety cap)
``MUTASI_OPT_MAX_WORK_LIMIT``      600             largest ``work_limit`` accepted (work units);
                                                   larger requests are refused with 422 (a job
                                                   that gives none has no work limit)
``MUTASI_OPT_MAX_WORKERS``         CPUs (≤ 8)      largest ``workers`` (solver threads) accepted
``MUTASI_OPT_DEFAULT_WORKERS``     CPUs ÷ slots    ``workers`` of a job that gives none
``MUTASI_OPT_JOB_TTL``             3600            seconds a finished job and its files are kept
``MUTASI_OPT_MAX_JOBS_KEPT``       1000            finished jobs kept at most (oldest go first)
``MUTASI_OPT_JOB_DIR``             (temporary)     folder for the jobs' files (default: a new
                                                   temporary folder, removed at shutdown)
=================================  ==============  ==============================================
"""

from __future__ import annotations

import dataclasses
import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..domain.errors import UsageError

__all__ = ["ENV_PREFIX", "Settings", "cpu_workers"]

ENV_PREFIX = "MUTASI_OPT_"

#: Time limit (seconds) of a job that gives none, unless the maximum is smaller.
DEFAULT_TIME_LIMIT = 60.0


def cpu_workers() -> int:
    """The library's default solver threads: CPU count, at most 8."""
    return max(1, min(8, os.cpu_count() or 1))


@dataclass(frozen=True)
class Settings:
    """Limits and options of the service (see the module docstring for the variables).

    ``default_time_limit`` ``None`` means 60 s or ``max_time_limit`` when
    smaller (read it through :attr:`time_limit_default`); ``default_workers``
    ``None`` means ``max(1, max_workers // max_concurrent)`` (the CPUs shared by
    the concurrent solves; :attr:`workers_default`).  A bad value raises
    :class:`~mutasi_opt.domain.errors.UsageError` naming the setting.
    """

    token: str | None = None
    max_body_bytes: int = 50 * 1024 * 1024
    max_concurrent: int = 1
    max_queue: int = 16
    max_time_limit: float = 600.0
    default_time_limit: float | None = None
    max_work_limit: float = 600.0
    max_workers: int = dataclasses.field(default_factory=cpu_workers)
    default_workers: int | None = None
    job_ttl: float = 3600.0
    max_jobs_kept: int = 1000
    job_dir: Path | None = None

    def __post_init__(self) -> None:
        problems = self._problems()
        if problems:
            raise UsageError("invalid service settings: " + "; ".join(problems))

    def _problems(self) -> list[str]:
        out: list[str] = []

        def at_least(name: str, value: float, low: float) -> None:
            if not math.isfinite(value) or value < low:
                out.append(f"{_env(name)} must be at least {low:g}, got {value:g}")

        at_least("max_body_bytes", self.max_body_bytes, 1024)
        at_least("max_concurrent", self.max_concurrent, 1)
        at_least("max_queue", self.max_queue, 0)
        at_least("max_workers", self.max_workers, 1)
        at_least("max_jobs_kept", self.max_jobs_kept, 0)
        for name in ("max_time_limit", "default_time_limit", "job_ttl"):
            value = getattr(self, name)
            if value is not None and (not math.isfinite(value) or value <= 0):
                out.append(f"{_env(name)} must be a positive number of seconds")
        if not math.isfinite(self.max_work_limit) or self.max_work_limit <= 0:
            out.append(f"{_env('max_work_limit')} must be a positive number of work units")
        if self.default_time_limit is not None and self.default_time_limit > self.max_time_limit:
            out.append(
                f"{_env('default_time_limit')} ({self.default_time_limit:g}) must not exceed "
                f"{_env('max_time_limit')} ({self.max_time_limit:g})"
            )
        if self.default_workers is not None and not 1 <= self.default_workers <= self.max_workers:
            out.append(
                f"{_env('default_workers')} must be between 1 and "
                f"{_env('max_workers')} ({self.max_workers})"
            )
        if self.token is not None and not self.token.strip():
            out.append(f"{_env('token')} must not be blank (unset it to switch auth off)")
        return out

    @property
    def time_limit_default(self) -> float:
        """Time limit of a job that gives none."""
        if self.default_time_limit is not None:
            return self.default_time_limit
        return min(DEFAULT_TIME_LIMIT, self.max_time_limit)

    @property
    def workers_default(self) -> int:
        """Solver threads of a job that gives none."""
        if self.default_workers is not None:
            return self.default_workers
        return max(1, self.max_workers // self.max_concurrent)

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` applied (checked again)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``MUTASI_OPT_*`` variables (default: ``os.environ``).

        ``overrides`` (e.g. from command-line options) win over the
        environment; ``None`` values are ignored.  Every bad variable is
        reported at once in one :class:`~mutasi_opt.domain.errors.UsageError`.
        """
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        problems: list[str] = []
        for field in dataclasses.fields(cls):
            raw = env.get(_env(field.name))
            if raw is None or raw.strip() == "":
                continue
            parse = _PARSERS[field.name]
            try:
                values[field.name] = parse(raw.strip())
            except ValueError:
                problems.append(f"{_env(field.name)}={raw!r} is not {_WHAT[parse]}")
        if problems:
            raise UsageError("invalid service settings: " + "; ".join(problems))
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def _env(name: str) -> str:
    return ENV_PREFIX + {"job_ttl": "JOB_TTL"}.get(name, name.upper())


def _text(raw: str) -> str:
    return raw


_PARSERS: dict[str, Callable[[str], Any]] = {
    "token": _text,
    "max_body_bytes": int,
    "max_concurrent": int,
    "max_queue": int,
    "max_time_limit": float,
    "default_time_limit": float,
    "max_work_limit": float,
    "max_workers": int,
    "default_workers": int,
    "job_ttl": float,
    "max_jobs_kept": int,
    "job_dir": Path,
}

_WHAT: dict[Callable[[str], Any], str] = {
    int: "a whole number",
    float: "a number",
    Path: "a path",
    _text: "text",
}
