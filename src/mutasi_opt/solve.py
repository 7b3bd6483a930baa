"""Compatibility: the former module ``mutasi_opt.solve``.

The code now lives in
``mutasi_opt.planning.solve``,
``mutasi_opt.results.history``
(see docs/architecture.md); these names stay importable from here.
"""

from __future__ import annotations

from .planning.solve import fewest_moves, solve
from .results.history import Reach

__all__ = ["Reach", "fewest_moves", "solve"]
