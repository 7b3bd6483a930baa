"""mutasi-opt: plan transfers (mutasi) of Indonesian civil servants between work units."""

from __future__ import annotations

from . import metrics
from .analysis import StateReport, current_state
from .check import Violation, check_plan
from .errors import InputError, InputIssue
from .io import read_folder, write_folder
from .model import Demand, Employee, Policy, Problem, Requirement, Surge, Unit
from .plan import Plan, PlanStatus, StageResult, write_plan
from .sample import load_sample
from .solve import solve
from .values import Golongan, Nip

__version__ = "0.1.0"

__all__ = [
    "Demand",
    "Employee",
    "Golongan",
    "InputError",
    "InputIssue",
    "Nip",
    "Plan",
    "PlanStatus",
    "Policy",
    "Problem",
    "Requirement",
    "StageResult",
    "StateReport",
    "Surge",
    "Unit",
    "Violation",
    "__version__",
    "check_plan",
    "current_state",
    "load_sample",
    "metrics",
    "read_folder",
    "solve",
    "write_folder",
    "write_plan",
]
