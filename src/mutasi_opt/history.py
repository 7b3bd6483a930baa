"""Compatibility: the former module ``mutasi_opt.history``.

The code now lives in
``mutasi_opt.planning.history``,
``mutasi_opt.results.history``,
``mutasi_opt.io.history``
(see docs/architecture.md); its names stay importable from here.
"""

from __future__ import annotations

from .io import history as _io_history
from .io.history import *  # noqa: F403
from .planning import history as _planning_history
from .planning.history import *  # noqa: F403
from .results import history as _results_history
from .results.history import *  # noqa: F403

__all__ = [*_planning_history.__all__, *_results_history.__all__, *_io_history.__all__]
