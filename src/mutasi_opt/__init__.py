"""mutasi-opt: plan transfers (mutasi) of Indonesian civil servants between work units."""

from __future__ import annotations

from .errors import InputError, InputIssue
from .model import Demand, Employee, Policy, Problem, Requirement, Unit
from .values import Golongan, Nip

__version__ = "0.1.0"

__all__ = [
    "Demand",
    "Employee",
    "Golongan",
    "InputError",
    "InputIssue",
    "Nip",
    "Policy",
    "Problem",
    "Requirement",
    "Unit",
    "__version__",
]
