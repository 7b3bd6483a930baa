"""Compatibility: the former module ``mutasi_opt.history``.

The code now lives in
``mutasi_opt.planning.history``,
``mutasi_opt.results.history``,
``mutasi_opt.io.history``
(see docs/architecture.md); these names stay importable from here.
"""

from __future__ import annotations

from .io.history import read_history, write_history
from .planning.history import compare_history, evaluate_history, synthetic_history
from .results.history import HistoryComparison, HistoryMove, HistoryReport, Reach, Skipped

__all__ = [
    "HistoryComparison",
    "HistoryMove",
    "HistoryReport",
    "Reach",
    "Skipped",
    "compare_history",
    "evaluate_history",
    "read_history",
    "synthetic_history",
    "write_history",
]
