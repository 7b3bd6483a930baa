"""Compatibility: the former module ``mutasi_opt.model``.

The code now lives in
``mutasi_opt.domain.problem``
(see docs/architecture.md); its names stay importable from here.
"""

from __future__ import annotations

from .domain import problem as _domain_problem
from .domain.problem import *  # noqa: F403

__all__ = [*_domain_problem.__all__]
