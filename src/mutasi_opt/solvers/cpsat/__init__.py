"""CP-SAT model of the balancing problem, split by concern.

``variables`` (leave/arrive counts), ``constraints`` (hard rules, one method per
rule), ``objective`` (the five stage expressions) and ``model`` (assembly,
stage solving, status translation).
"""

from .model import CpsatModel, Solved, StageOutcome, StageStatus, Unsolved

__all__ = ["CpsatModel", "Solved", "StageOutcome", "StageStatus", "Unsolved"]
