"""Compatibility: the former module ``mutasi_opt.check``.

The code now lives in
``mutasi_opt.planning.check``,
``mutasi_opt.results.findings``
(see docs/architecture.md); its names stay importable from here.
"""

from __future__ import annotations

from .planning import check as _planning_check
from .planning.check import *  # noqa: F403
from .results.findings import Violation

__all__ = [*_planning_check.__all__, "Violation"]
