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

# consultation rounds (notices, responses, re-planning) and fairness
from .domain.responses import Response
from .domain.values import Golongan, Nip
from .io import read_folder, write_folder
from .io import records as _records  # noqa: F401  (DataFrames)
from .io.consultation import write_notices, write_replan
from .io.documents import plan_to_json, problem_from_json, problem_to_json
from .io.history import read_history, write_history
from .io.plans import write_plan, write_surge_plan
from .io.responses import read_responses
from .io.siasn import read_siasn
from .io.surges import read_surges
from .planning.check import check_plan, check_secondments
from .planning.consultation import notice_records
from .planning.fairness import blocking_pairs, unlisted_moves, with_service_priority
from .planning.frontier import frontier
from .planning.history import compare_history, evaluate_history, synthetic_history
from .planning.replan import replan, revise_problem, synthetic_responses
from .planning.solve import solve
from .planning.state import current_state
from .planning.surges import plan_surges
from .results.findings import Violation
from .results.frontier import Frontier, FrontierPoint
from .results.history import HistoryComparison, HistoryMove, HistoryReport
from .results.plan import Plan, PlanStatus, StageResult
from .results.replan import Replan
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
    "Replan",
    "Requirement",
    "Response",
    "SolveParams",
    "StageResult",
    "StateReport",
    "Surge",
    "SurgePlan",
    "Unit",
    "Violation",
    "__version__",
    "blocking_pairs",
    "check_plan",
    "check_secondments",
    "compare_history",
    "current_state",
    "evaluate_history",
    "frontier",
    "load_sample",
    "load_sample_history",
    "metrics",
    "notice_records",
    "plan_surges",
    "plan_to_json",
    "problem_from_json",
    "problem_to_json",
    "read_folder",
    "read_history",
    "read_responses",
    "read_siasn",
    "read_surges",
    "replan",
    "revise_problem",
    "scenarios",
    "solve",
    "solve_many",
    "synth",
    "synthetic_history",
    "synthetic_responses",
    "unlisted_moves",
    "with_service_priority",
    "write_folder",
    "write_history",
    "write_notices",
    "write_plan",
    "write_replan",
    "write_report",
    "write_surge_plan",
]
