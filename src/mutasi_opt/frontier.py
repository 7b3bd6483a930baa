"""Compatibility: the former module ``mutasi_opt.frontier``.

The code now lives in
``mutasi_opt.planning.frontier``,
``mutasi_opt.results.frontier``
(see docs/architecture.md); its names stay importable from here.
"""

from __future__ import annotations

from .planning import frontier as _planning_frontier
from .planning.frontier import *  # noqa: F403
from .results import frontier as _results_frontier
from .results.frontier import *  # noqa: F403

__all__ = [*_planning_frontier.__all__, *_results_frontier.__all__]
