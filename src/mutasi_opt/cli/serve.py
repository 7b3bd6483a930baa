"""``mutasi-opt serve``: the HTTP service (FastAPI + uvicorn, extra ``[service]``).

Options override the ``MUTASI_OPT_*`` environment variables (see
:mod:`mutasi_opt.service.settings`); the bearer token comes from
``MUTASI_OPT_TOKEN`` only, so that it never shows in the process list.
``--write-openapi PATH`` writes the OpenAPI document (as checked in under
``schema/openapi.json``) and exits without serving.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any

from ..domain.errors import UsageError
from . import EXIT_OK

__all__ = ["register", "run"]


def register(sub: Any) -> None:
    """Add the ``serve`` subcommand."""
    p = sub.add_parser(
        "serve",
        help="run the HTTP service (validate, solve jobs, results)",
        description="Run the HTTP service: POST /v1/validate, POST /v1/jobs, GET /v1/jobs/ID "
        "(progress), GET /v1/jobs/ID/result and /files/NAME, DELETE /v1/jobs/ID (cancel); the "
        "OpenAPI document is served at /openapi.json. Limits come from MUTASI_OPT_* "
        "environment variables (options below override them); set MUTASI_OPT_TOKEN to require "
        'a bearer token. Needs pip install "mutasi-opt[service]".',
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument(
        "--max-concurrent", type=int, default=None, help="solves running at once (default 1)"
    )
    p.add_argument(
        "--max-queue", type=int, default=None, help="jobs waiting for a slot (default 16)"
    )
    p.add_argument(
        "--max-time-limit",
        type=float,
        default=None,
        help="largest time_limit accepted, seconds (default 600)",
    )
    p.add_argument(
        "--default-time-limit",
        type=float,
        default=None,
        help="time_limit of a job that gives none, seconds (default 60)",
    )
    p.add_argument(
        "--max-work-limit",
        type=float,
        default=None,
        help="largest work_limit accepted, work units (default 600)",
    )
    p.add_argument(
        "--max-body-mb", type=float, default=None, help="largest request body in MB (default 50)"
    )
    p.add_argument(
        "--job-ttl",
        type=float,
        default=None,
        help="seconds a finished job and its files are kept (default 3600)",
    )
    p.add_argument(
        "--job-dir", type=Path, default=None, help="folder for the jobs' files (default: temporary)"
    )
    p.add_argument(
        "--write-openapi",
        type=Path,
        default=None,
        metavar="PATH",
        help="write the OpenAPI document to PATH and exit",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run ``mutasi-opt serve``."""
    from ..service import SERVICE_HINT, Settings, require_service

    try:
        require_service()
    except ImportError as exc:
        raise UsageError(str(exc) or SERVICE_HINT) from None
    from ..service.app import create_app, openapi_text

    if args.write_openapi is not None:
        path: Path = args.write_openapi
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(openapi_text(), encoding="utf-8")
        print(f"wrote {path}")
        return EXIT_OK
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, got {args.port}")
    settings = Settings.from_env(
        max_concurrent=args.max_concurrent,
        max_queue=args.max_queue,
        max_time_limit=args.max_time_limit,
        default_time_limit=args.default_time_limit,
        max_work_limit=args.max_work_limit,
        max_body_bytes=None if args.max_body_mb is None else int(args.max_body_mb * 1024 * 1024),
        job_ttl=args.job_ttl,
        job_dir=args.job_dir,
    )
    import uvicorn

    _log_service_events()
    app = create_app(settings)
    auth = "bearer token required" if settings.token else "no authentication (MUTASI_OPT_TOKEN)"
    sys.stderr.write(
        f"mutasi-opt service on http://{args.host}:{args.port} ({auth}; "
        f"{settings.max_concurrent} solve(s) at once, queue {settings.max_queue})\n"
    )
    uvicorn.run(app, host=args.host, port=args.port, workers=1, log_level="info")
    return EXIT_OK


def _log_service_events() -> None:
    """Job events (ids, sizes, statuses, timings; never input values) at INFO on stderr."""
    logger = logging.getLogger("mutasi_opt.service")
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
