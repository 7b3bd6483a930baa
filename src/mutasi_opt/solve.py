"""Compatibility: the former module ``mutasi_opt.solve``.

The code now lives in
``mutasi_opt.planning.solve``,
``mutasi_opt.results.history``
(see docs/architecture.md); its names stay importable from here.
"""

from __future__ import annotations

from .planning import solve as _planning_solve
from .planning.solve import *  # noqa: F403
from .results.history import Reach

__all__ = [*_planning_solve.__all__, "Reach"]
