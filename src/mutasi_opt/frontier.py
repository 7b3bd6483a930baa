"""Compatibility: the former module ``mutasi_opt.frontier``.

The code now lives in
``mutasi_opt.planning.frontier``,
``mutasi_opt.results.frontier``
(see docs/architecture.md); these names stay importable from here.
"""

from __future__ import annotations

from .planning.frontier import DEFAULT_POINTS, frontier
from .results.frontier import FRONTIER_COLUMNS, NO_KNEE, Frontier, FrontierPoint

__all__ = ["DEFAULT_POINTS", "FRONTIER_COLUMNS", "NO_KNEE", "Frontier", "FrontierPoint", "frontier"]
