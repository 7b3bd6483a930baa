"""mutasi-opt: plan transfers (mutasi) of Indonesian civil servants between work units."""

from __future__ import annotations

from . import metrics
from .analysis import StateReport, current_state
from .check import Violation, check_plan, check_secondments
from .errors import InputError, InputIssue
from .io import read_folder, write_folder
from .io.surges import read_surges
from .model import Demand, Employee, Policy, Problem, Requirement, Surge, Unit
from .plan import Plan, PlanStatus, StageResult, write_plan
from .report import write_report
from .sample import load_sample
from .solve import solve
from .surge import SurgePlan, plan_surges, write_surge_plan
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
    "SurgePlan",
    "Unit",
    "Violation",
    "__version__",
    "check_plan",
    "check_secondments",
    "current_state",
    "load_sample",
    "metrics",
    "plan_surges",
    "read_folder",
    "read_surges",
    "solve",
    "write_folder",
    "write_plan",
    "write_report",
    "write_surge_plan",
]
