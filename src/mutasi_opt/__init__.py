"""mutasi-opt: plan transfers (mutasi) of Indonesian civil servants between work units."""

from __future__ import annotations

# the former modules of these names, kept for compatibility: imported before the
# functions ``solve`` and ``frontier`` below take their names in this namespace
from . import check as _check_module  # noqa: F401
from . import frontier as _frontier_module  # noqa: F401
from . import history as _history_module  # noqa: F401
from . import metrics, synth
from . import model as _model_module  # noqa: F401
from . import plan as _plan_module  # noqa: F401
from . import solve as _solve_module  # noqa: F401
from . import workload as _workload_module  # noqa: F401
from .batch import BatchError, scenarios, solve_many
from .domain.errors import InputError, InputIssue
from .domain.params import SolveParams
from .domain.problem import Demand, Employee, Pair, Policy, Problem, Requirement, Surge, Unit
from .domain.values import Golongan, Nip
from .io import read_folder, write_folder
from .io import records as _records  # noqa: F401  (DataFrames)
from .io.documents import plan_to_json, problem_from_json, problem_to_json
from .io.history import read_history, write_history
from .io.plans import write_plan, write_surge_plan
from .io.siasn import read_siasn
from .io.surges import read_surges
from .planning.check import check_plan, check_secondments
from .planning.frontier import frontier
from .planning.history import compare_history, evaluate_history, synthetic_history
from .planning.solve import solve
from .planning.state import current_state
from .planning.surges import plan_surges
from .results.findings import Violation
from .results.frontier import Frontier, FrontierPoint
from .results.history import HistoryComparison, HistoryMove, HistoryReport
from .results.plan import Plan, PlanStatus, StageResult
from .results.state import StateReport
from .results.surge import SurgePlan
from .sample import load_sample, load_sample_history

# the layers above the results register their views, tables and texts (domain.hooks)
from .views import html as _html  # noqa: F401  (HTML views)
from .views.report import write_report

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
    "Pair",
    "Plan",
    "PlanStatus",
    "Policy",
    "Problem",
    "Requirement",
    "SolveParams",
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
    "read_siasn",
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
