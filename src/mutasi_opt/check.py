"""Compatibility: the former module ``mutasi_opt.check``.

The code now lives in
``mutasi_opt.planning.check``,
``mutasi_opt.results.findings``
(see docs/architecture.md); these names stay importable from here.
"""

from __future__ import annotations

from .planning.check import check_plan, check_secondments
from .results.findings import Violation

__all__ = ["Violation", "check_plan", "check_secondments"]
