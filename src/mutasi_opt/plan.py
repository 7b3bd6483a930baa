"""Compatibility: the former module ``mutasi_opt.plan``.

The code now lives in
``mutasi_opt.results.plan``,
``mutasi_opt.io.plans``
(see docs/architecture.md); these names stay importable from here.
"""

from __future__ import annotations

from .io.plans import write_plan
from .results.plan import STAGES, Plan, PlanStatus, StageResult

__all__ = ["STAGES", "Plan", "PlanStatus", "StageResult", "write_plan"]
