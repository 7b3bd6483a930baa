"""Compatibility: the former module ``mutasi_opt.plan``.

The code now lives in
``mutasi_opt.results.plan``,
``mutasi_opt.io.plans``
(see docs/architecture.md); its names stay importable from here.
"""

from __future__ import annotations

from .io import plans as _io_plans
from .io.plans import *  # noqa: F403
from .results import plan as _results_plan
from .results.plan import *  # noqa: F403

__all__ = [*_results_plan.__all__, *_io_plans.__all__]
