"""The HTTP service: ``mutasi-opt serve`` (optional extra ``[service]``: FastAPI, uvicorn).

* :func:`create_app` — the FastAPI app (``mutasi_opt.service.app``);
* :class:`Settings` — limits and the optional bearer token, from ``MUTASI_OPT_*``
  environment variables (``mutasi_opt.service.settings``);
* :class:`~mutasi_opt.service.jobs.JobManager` — the queue of solve jobs, one
  process per running solve.

``import mutasi_opt.service`` works without FastAPI; :func:`create_app` needs
it and says how to install it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["SERVICE_HINT", "Settings", "create_app", "require_service"]

SERVICE_HINT = 'the HTTP service needs FastAPI and uvicorn: pip install "mutasi-opt[service]"'


def require_service() -> None:
    """Raise ImportError with the install hint when FastAPI, uvicorn or python-multipart
    is missing."""
    import importlib.util

    missing = [
        name
        for name in ("fastapi", "uvicorn", "multipart")
        if importlib.util.find_spec(name) is None
    ]
    if missing:
        raise ImportError(f"{SERVICE_HINT} (missing: {', '.join(missing)})")


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service's FastAPI app (see :func:`mutasi_opt.service.app.create_app`)."""
    require_service()
    from .app import create_app as build

    return build(settings)
