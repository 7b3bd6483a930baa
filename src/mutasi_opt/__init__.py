"""mutasi-opt: plan transfers (mutasi) of Indonesian civil servants between work units."""

from __future__ import annotations

# the layers above the results register their views, tables and texts (domain.hooks)
from . import html as _html  # noqa: F401  (HTML views)
from . import metrics, synth
from .batch import BatchError, scenarios, solve_many
from .domain.errors import InputError, InputIssue
from .domain.problem import Demand, Employee, Policy, Problem, Requirement, Surge, Unit
from .domain.values import Golongan, Nip
from .io import read_folder, write_folder
from .io import records as _records  # noqa: F401  (DataFrames)
from .io.plans import write_plan
from .io.surges import read_surges
from .planning.check import Violation, check_plan, check_secondments
from .planning.frontier import Frontier, FrontierPoint, frontier
from .planning.history import (
    HistoryComparison,
    HistoryMove,
    HistoryReport,
    compare_history,
    evaluate_history,
    read_history,
    synthetic_history,
    write_history,
)
from .planning.solve import solve
from .planning.state import StateReport, current_state
from .planning.surges import SurgePlan, plan_surges, write_surge_plan
from .report import write_report
from .results.plan import Plan, PlanStatus, StageResult
from .sample import load_sample, load_sample_history
from .schema import plan_to_json, problem_from_json, problem_to_json

__version__ = "0.1.0"

__all__ = [
    "BatchError",
    "Demand",
    "Employee",
    "Frontier",
    "FrontierPoint",
    "Golongan",
    "HistoryComparison",
    "HistoryMove",
    "HistoryReport",
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
    "compare_history",
    "current_state",
    "evaluate_history",
    "frontier",
    "load_sample",
    "load_sample_history",
    "metrics",
    "plan_surges",
    "plan_to_json",
    "problem_from_json",
    "problem_to_json",
    "read_folder",
    "read_history",
    "read_surges",
    "scenarios",
    "solve",
    "solve_many",
    "synth",
    "synthetic_history",
    "write_folder",
    "write_history",
    "write_plan",
    "write_report",
    "write_surge_plan",
]
