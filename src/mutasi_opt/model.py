"""Compatibility: the former module ``mutasi_opt.model``.

The code now lives in
``mutasi_opt.domain.problem``
(see docs/architecture.md); these names stay importable from here.
"""

from __future__ import annotations

from .domain.problem import (
    CheckContext,
    Demand,
    Employee,
    Policy,
    Problem,
    ProblemIndex,
    Requirement,
    Unit,
    parse_bool,
    parse_competencies,
    split_list,
    strip_text,
)

__all__ = [
    "CheckContext",
    "Demand",
    "Employee",
    "Policy",
    "Problem",
    "ProblemIndex",
    "Requirement",
    "Unit",
    "parse_bool",
    "parse_competencies",
    "split_list",
    "strip_text",
]
